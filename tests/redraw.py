"""Draw a scored plan again in other layouts, with a gold file for the drawing.

    python tests/redraw.py GOLD.json OUTDIR

reads a gold file of ../shared/eval/gold (its records and key of lead codes),
draws the same records with `plan_pdf.build_plan` in each layout of `VARIANTS`
and writes OUTDIR/<variant>.pdf with OUTDIR/gold/<variant>.json (same records,
the drawing's own source and pages), so `score.py --pred RUN --gold OUTDIR/gold`
scores a run over OUTDIR. A record that shares the previous one's
recommendation is drawn as a sub-row with the recommendation cell left blank,
as plans print a recommendation owned by two leads.
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_pdf import PlanSpec, build_plan  # noqa: E402
from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: E402

ROLES = ("recommendation", "lead", "key_actions", "timescale", "resource")

# the pages of an agenda pack around the plan: other items, prose, a minutes-like list
PACK_BEFORE = [[f"Agenda Item {n}", f"Report of the Director to the Scrutiny Management Committee, item {n}.",
                "The committee is asked to note the report and to consider the recommendations set out below. "
                "Members will recall that the matter was last considered at the meeting in the spring, when officers "
                "were asked to return with an update on progress, the timescale for delivery and the resources needed.",
                "1. That the committee notes the update.", "2. That officers report again in six months.",
                "Contact officer: Democratic Support Officer, telephone 023 8083 2000."] for n in range(1, 19)]
PACK_AFTER = [[f"Appendix {n}", "Equality and safety impact assessment summary.",
               "No adverse impacts were identified for any group with protected characteristics. The assessment "
               "will be reviewed as the actions in the plan are delivered."] for n in range(2, 7)]

VARIANTS = {
    # the held-out failure of issue 9: no rules, serif type, other widths, bottom-aligned wrapped header
    "unruled-serif": dict(style="unruled", family="times", header_align="bottom", pad=2.0, row_gap=3.0,
                          headers=["RECOMMENDATION", "LEAD", "KEY ACTIONS", "TIMESCALE /\nOUTCOME", "RESOURCE"],
                          widths=[200, 30, 250, 110, 170]),
    # the same, as pages 19-32 of a longer agenda pack
    "unruled-serif-pack": dict(style="unruled", family="times", header_align="bottom", pad=2.0, row_gap=3.0,
                               headers=["RECOMMENDATION", "LEAD", "KEY ACTIONS", "TIMESCALE /\nOUTCOME", "RESOURCE"],
                               widths=[200, 30, 250, 110, 170], before=PACK_BEFORE, after=PACK_AFTER),
    # other vocabulary, plain headers, centred codes, rules only
    "rules-synonyms": dict(style="rules", family="helvetica", header_align="middle", header_bold=False,
                           headers=["What we will do", "Responsible\nofficer", "How", "Target date",
                                    "Financial implications"],
                           widths=[210, 60, 220, 90, 150], align=["left", "center", "left", "left", "left"]),
    # unruled, headers centred over left-aligned text, codes centred, tight rows and narrow gaps
    "unruled-centred": dict(style="unruled", family="times", header_halign="center", pad=1.5, row_pad=3.0,
                            row_gap=2.0, headers=["Recommendation", "Lead", "Key actions", "Timescale /\nOutcome",
                                                  "Resource"],
                            widths=[210, 36, 240, 110, 164], align=["left", "center", "left", "left", "left"]),
    # plain-weight who/what/when vocabulary, bottom-aligned, rules only
    "rules-who-when": dict(style="rules", header_align="bottom", header_bold=False,
                           headers=["What we will do", "Who", "How", "When", "Budget /\nCost"],
                           widths=[200, 60, 230, 100, 170]),
    # zebra, bold title-case headers wrapped in narrow columns, serif
    "zebra-serif-narrow": dict(style="zebra", family="times", header_align="top",
                               headers=["Objective", "Owner", "Actions to be taken", "Completion date",
                                        "Resources required"],
                               widths=[190, 40, 260, 70, 170]),
}


def draw_rows(records: list[dict]) -> list:
    rows, section, prev = [], None, None
    for r in records:
        if r.get("section") and r["section"] != section:
            section = r["section"]
            rows.append(("section", section))
        same = prev is not None and (prev["ref"], prev["recommendation"]) == (r["ref"], r["recommendation"])
        rec = "" if same else (f"{r['ref']}. {r['recommendation']}" if r.get("ref") else r["recommendation"])
        rows.append({"recommendation": rec, **{k: r.get(k) or "" for k in ROLES[1:]}})
        prev = r
    return rows


def redraw(gold: dict, name: str, out: Path, opts: dict) -> Path:
    opts = dict(opts)
    # a column is never narrower than its longest word (a plan prints no text over its neighbour)
    font = {"times": "Times-Roman", "helvetica": "Helvetica"}[opts.get("family", "helvetica")]
    order = ["recommendation", "lead", "key_actions", "timescale", "resource"]
    pad = opts.get("pad", 3.0)
    widths = list(opts["widths"])
    for k, role in enumerate(order):
        longest = max((stringWidth(w, font, 8.0) for r in gold["records"] for w in (r.get(role) or "").split()),
                      default=0)
        grow = longest + 2 * pad + 4 - widths[k]
        if grow > 0:
            widths[k] += grow
            widths[2] -= grow if k != 2 else 0  # taken from the widest text column
    opts["widths"] = widths
    key = {e["code"]: e["name"] for e in gold.get("leads", [])}
    spec = PlanSpec(rows=draw_rows(gold["records"]), keys=list(ROLES), key=key, key_at="foot",
                    title="Appendix 1: Action Plan", **opts)
    pdf = build_plan(out / f"{name}.pdf", spec)
    pages = iter(build_plan.pages)
    new = copy.deepcopy(gold)
    new["source"] = pdf.name
    for r in new["records"]:
        r["page_start"], r["page_end"] = next(pages)
    (out / "gold").mkdir(exist_ok=True)
    (out / "gold" / f"{name}.json").write_text(json.dumps(new, ensure_ascii=False, indent=1), encoding="utf-8")
    return pdf


def main(argv: list[str]) -> None:
    gold_path, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    stem = gold_path.stem[:24]
    for name, opts in VARIANTS.items():
        print(redraw(gold, f"{stem}-{name}", out, opts))


if __name__ == "__main__":
    main(sys.argv[1:])
