"""The self-check of a plan's extraction: document-level `quality_issues` rows, one per symptom, that fire on
broken extractions (planted frames, and real runs of PDFs drawn to be hard) and stay silent on good ones."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import SOTON
from key_pdf import KeyedPlan, build_keyed_plan
from pipeline.cli import main
from pipeline.export import to_frames
from pipeline.quality import run_quality
from pipeline.run import RunSettings, process_file
from plan_pdf import PlanSpec, build_plan
from schemas.expectations import review_bounds

KEY = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager", "HC": "Head of Communications"}
TIMES = ["Summer 2025", "by March 2026", "2025/26", "Q3 2025-26", "December 2025", "Spring 2026"]
RECS = ["Develop a skills strategy for the city with partners", "Launch an apprenticeship pledge with employers",
        "Review the library computer offer for residents", "Run a digital inclusion programme in every ward",
        "Publish a refreshed inward investment prospectus", "Create a business support hub for start-ups"]
SYMPTOMS = {measure: re.sub(r"^needs review: | \(.*\)$", "", meaning) for measure, _, _, meaning in review_bounds()}


def _doc(doc_id: str, n: int = 6, key=KEY, plan_columns=None, **cols) -> dict[str, list[dict]]:
    """One plan's tables, well extracted unless `cols` (column -> list of n values, or one value) says otherwise."""
    t: dict[str, list[dict]] = {"documents": [{
        "doc_id": doc_id, "source": f"{doc_id}.pdf", "doc_type": "action_plan", "title": "Plan", "pages": 3,
        "status": "ok", "error": "", "records": n,
        "plan_columns": json.dumps(plan_columns if plan_columns is not None else {
            "Recommendation": "recommendation", "Lead": "lead", "Timescale": "timescale", "Resource": "resource"})}],
        "recommendations": [], "timescales": [], "costs": [],
        "leads": [{"doc_id": doc_id, "code": k, "name": v} for k, v in key.items()]}
    codes = list(KEY)
    for i in range(n):
        lead = codes[i % 3]
        row = {"record_id": f"{doc_id}-{i + 1}", "doc_id": doc_id, "source": f"{doc_id}.pdf", "section": "Skills",
               "ref": str(i + 1), "recommendation": RECS[i], "key_actions": "", "lead": lead,
               "lead_name": KEY[lead] if key else lead, "timescale": TIMES[i], "resource": "£60k",
               "extra": "{}", "page_start": 1, "page_end": 1}
        for c, v in cols.items():
            row[c] = v[i] if isinstance(v, list) else v
        t["recommendations"].append(row)
        if row["timescale"] in TIMES:
            t["timescales"].append({"record_id": row["record_id"], "text": row["timescale"], "start_date": None,
                                    "end_date": None, "precision": "ongoing"})
    return t


def _run(*docs) -> tuple:
    tables: dict[str, list[dict]] = {}
    for d in docs:
        for k, v in d.items():
            tables.setdefault(k, []).extend(v)
    q = run_quality(to_frames(tables))
    return q, q.needs_review()


SENTENCES = [f"The team will produce a citywide strategy {w} and consult partners widely" for w in "abcdef"]


def test_each_symptom_fires_alone_on_planted_plans():
    docs = {
        "good": _doc("good"),
        "lead_sentence_share": _doc("sent", key={}, lead=SENTENCES, lead_name=SENTENCES),
        "empty_columns": _doc("empty", resource=""),
        "undated_share": _doc("undated", timescale=["To be confirmed", "Subject to funding", "TBC", "When ready",
                                                    "Summer 2025", "Dependent on the budget"]),
        "key_expanded": _doc("unused", lead="Head of Housing", lead_name="Head of Housing"),
        "roles_in_extra": _doc("lost", key={}, lead="", lead_name="", extra=json.dumps({"Lead officer": "EDT"}),
                               plan_columns={}),
        "dates_in_extra": _doc("dates", timescale="", extra=[json.dumps({"OUTCOME": t}) for t in TIMES],
                               plan_columns={"Recommendation": "recommendation", "Lead": "lead", "OUTCOME": ""}),
        "repeated_share": _doc("repeat", key_actions=RECS),
        "short_rec_share": _doc("short", recommendation=["EDT", "Skills", "", "Jobs", "HC", "Hub"]),
        "unkeyed_code_share": _doc("nokey", key={}),
        "shared_rec_share": _doc("shared", recommendation=[RECS[0]] * 5 + RECS[5:]),
        "merged_rec_share": _doc("merged", recommendation=[f"{a}. {n + 2}. {b}" for n, (a, b) in
                                                           enumerate(zip(RECS, RECS[1:] + RECS[:1]))]),
    }
    titled = _doc("titled", n=0)  # a paper titled as a plan that gave no records
    titled["documents"][0].update(title="Climate Emergency Action Plan 2025-2030", records=0)
    report = _doc("report", n=0)  # a report about a plan: not judged
    report["documents"][0].update(title="Adoption of the Climate Emergency Action Plan", records=0)
    docs.update(plan_records=titled, report=report)
    q, review = _run(*docs.values())
    assert "good" not in review and "report" not in review
    for measure, d in docs.items():
        if measure in ("good", "report"):
            continue
        doc_id = d["documents"][0]["doc_id"]
        assert review.get(doc_id) == [SYMPTOMS[measure]], (measure, review.get(doc_id))
        rows = [i for i in q.issues if i["doc_id"] == doc_id and i["table"] == "documents"]
        assert len(rows) == 1 and rows[0]["severity"] == "warning" and rows[0]["row"] >= 1
        assert measure in rows[0]["observed"]  # the measure and an example of what tripped it
    assert set(SYMPTOMS) == set(docs) - {"good", "report"}  # every symptom is exercised here


def test_a_broken_plan_gets_one_row_per_symptom():
    broken = _doc("broken", key_actions=RECS, timescale="", extra=[json.dumps({"OUTCOME": t}) for t in TIMES])
    _, review = _run(broken)
    assert sorted(review["broken"]) == sorted([SYMPTOMS["empty_columns"], SYMPTOMS["dates_in_extra"],
                                               SYMPTOMS["repeated_share"]])


def test_small_plans_are_not_judged():
    _, review = _run(_doc("tiny", n=2, lead=SENTENCES[:2]))
    assert review == {}


# ---------------------------------------------------------------- real runs

def _review_of(paths: list[Path]) -> dict[str, list[str]]:
    tables: dict[str, list[dict]] = {}
    sources = {}
    for p in paths:
        d = process_file(p, RunSettings(isolate=False))
        sources[d.documents[0]["doc_id"]] = p.name
        for k, v in d.tables().items():
            tables.setdefault(k, []).extend(v)
    review = run_quality(to_frames(tables)).needs_review()
    return {sources[k]: v for k, v in review.items()}


ROWS = [{"rec": r, "lead": l, "timescale": t, "resource": "£5k"}
        for r, l, t in zip(RECS, ["SSM", "EDT", "HC", "EDT", "SSM", "HC"], TIMES)]


def test_silent_on_well_extracted_plans(tmp_path, samples):
    paths = [
        build_keyed_plan(tmp_path / "a.pdf", KeyedPlan(rows=ROWS, key=KEY, ref_style="R_dash", key_form="paren",
                                                       key_layout="run_comma", key_title="Lead roles")),
        build_keyed_plan(tmp_path / "b.pdf", KeyedPlan(rows=ROWS, key=KEY, ruled=False, ref_style="rec",
                                                       key_layout="table", key_title=None, key_at="before")),
        build_keyed_plan(tmp_path / "c.pdf", KeyedPlan(rows=[dict(r, lead=KEY[r["lead"]]) for r in ROWS], key={},
                                                       ref_column=True, ref_style="roman")),
        samples / SOTON,
    ]
    assert _review_of(paths) == {}


def _narrow_code_column(path: Path, lead_width: float) -> Path:
    """An unruled plan whose lead codes stand in a narrow column a few points from long key actions."""
    rows = [{"Recommendation": f"{i}. {RECS[i - 1]}", "Lead": ["EDT", "SSM", "HC"][i % 3],
             "Key actions": "Produce a citywide local industrial strategy and consult widely with partners on it",
             "Timescale": TIMES[i - 1], "Resource": "£60k one-off"} for i in range(1, 7)]
    spec = PlanSpec(headers=["Recommendation", "Lead", "Key actions", "Timescale", "Resource"],
                    widths=[200, lead_width, 200, 80, 100], rows=rows, style="unruled", key=KEY, key_at="end")
    return build_plan(path, spec)


@pytest.mark.parametrize("lead_width", [22, 26])
def test_a_hard_plan_is_either_read_right_or_flagged(tmp_path, lead_width):
    """Every plan the reader gets wrong must say so: leads read with the text beside them are caught."""
    pdf = _narrow_code_column(tmp_path / f"narrow{lead_width}.pdf", lead_width)
    d = process_file(pdf, RunSettings(isolate=False))
    right = [r["lead"] for r in d.recommendations] == [["EDT", "SSM", "HC"][i % 3] for i in range(1, 7)]
    review = _review_of([pdf])
    assert right or review, [r["lead"] for r in d.recommendations]
    assert not (right and review), review  # and a plan read right is not flagged


def _bottom_aligned_header(path: Path) -> Path:
    """An unruled plan whose header cells sit on their bottom line: `TIMESCALE /` above `OUTCOME`."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    w, h = landscape(A4)
    c = Canvas(str(path), pagesize=(w, h))
    xs = [40, 260, 330, 560, 680]
    c.setFont("Helvetica-Bold", 14)
    c.drawString(40, h - 45, "Test Council – Action Plan")
    c.setFont("Helvetica-Bold", 9)
    c.drawString(xs[3], h - 80, "TIMESCALE /")
    for x, t in zip(xs, ["RECOMMENDATION", "LEAD", "KEY ACTIONS", "OUTCOME", "RESOURCE"]):
        c.drawString(x, h - 92, t)
    c.setFont("Helvetica", 9)
    for i, when in enumerate(TIMES):
        y = h - 112 - 30 * i
        for x, t in zip(xs, [f"{i + 1}. {RECS[i]}", ["EDT", "SSM", "HC"][i % 3], "Consult partners on the draft",
                             when, "£60k one-off"]):
            c.drawString(x, y, t)
    c.save()
    return path


def test_a_timescale_lost_into_extra_is_either_read_right_or_flagged(tmp_path):
    pdf = _bottom_aligned_header(tmp_path / "bottom.pdf")
    d = process_file(pdf, RunSettings(isolate=False))
    right = [r["timescale"] for r in d.recommendations] == TIMES
    review = _review_of([pdf])
    assert right or SYMPTOMS["dates_in_extra"] in review.get("bottom.pdf", []), review
    assert not (right and SYMPTOMS["dates_in_extra"] in review.get("bottom.pdf", [])), review


def test_run_summary_names_the_documents_that_need_review(tmp_path, capsys):
    inbox = tmp_path / "in"
    inbox.mkdir()
    wordy = [dict(r, lead="The economic development team will work with partners across the city") for r in ROWS]
    build_keyed_plan(inbox / "wordy-leads.pdf", KeyedPlan(rows=wordy, key={}))
    build_keyed_plan(inbox / "fine.pdf", KeyedPlan(rows=ROWS, key=KEY))
    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out), "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert "1 document needs review" in text
    assert re.search(r"wordy-leads\.pdf: lead cells read like sentences", text)
    assert "fine.pdf:" not in text
    issues = pd.read_csv(out / "quality_issues.csv", encoding="utf-8-sig", dtype=str)
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", dtype=str)
    wordy_id = docs.loc[docs["source"] == "wordy-leads.pdf", "doc_id"].item()
    mine = issues[(issues["table"] == "documents") & (issues["doc_id"] == wordy_id)]
    assert list(mine["column"]) == ["lead"] and list(mine["severity"]) == ["warning"]
    assert json.loads(docs.loc[docs["source"] == "fine.pdf", "plan_columns"].item()) == {
        "Recommendation": "recommendation", "Lead": "lead", "Timescale": "timescale", "Resource": "resource"}
