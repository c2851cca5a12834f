"""The self-check view: one row per action plan, with the symptoms of an extraction gone wrong measured.

A reader who knows what an action plan looks like can tell a broken extraction at a glance: lead
cells that read like sentences, a column headed Timescale that came out empty, timescales that give
no date, a key of lead codes that no lead uses, a role header left in `extra`, the same text in two
columns, recommendations one word long. This module measures each of those per document, from the
run's frames alone (pure pandas, no GX), so `pipeline/quality.py` can hand the view to the engine: the
`review` checks of `schemas/expectations.py` bound each measure, and a document over a bound gets
one `quality_issues` row per symptom (table `documents`, severity warning).
"""
from __future__ import annotations

import json
import re

import pandas as pd

from schemas.expectations import REVIEW_EXAMPLES as MEASURES, ROW, Thresholds

ROLE_COLUMNS = ("recommendation", "key_actions", "lead", "timescale", "resource")


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def _text(v) -> str:
    return "" if _missing(v) else str(v).strip()


def _words(text: str) -> list[str]:
    return re.findall(r"[\w£%'’-]+", text)


def _norm(text: str) -> str:
    return " ".join(w.lower() for w in _words(text))


def _json(v) -> dict:
    try:
        out = json.loads(_text(v) or "{}")
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


def _code_key(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9&]", "", code).upper()


def _cut(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _share(hits: list[str], total: int) -> tuple[float | None, str]:
    return (round(len(hits) / total, 3) if total else None), (_cut(hits[0]) if hits else "")


def measure(doc: dict, recs: pd.DataFrame, dated: set[str], key: list[str], th: Thresholds) -> dict:
    """Every measure of one document: `recs` its recommendations, `dated` the record_ids with a timescales
    row, `key` the codes of its key of lead codes."""
    out: dict = {}
    leads = [_text(v) for v in recs["lead"]]
    names = [_text(v) for v in recs["lead_name"]]
    keyset = {_code_key(k) for k in key}
    code_like = re.compile(rf"{th.lead_code}(?:{th.lead_code_join}{th.lead_code})*")

    # lead cells that read like sentences: many words besides any code of the key
    def sentence(lead: str) -> bool:
        return len([w for w in _words(lead) if _code_key(w) not in keyset]) >= th.sentence_lead_words
    filled = [x for x in leads if x]
    out["lead_sentence_share"], out["lead_sentence_example"] = _share([x for x in filled if sentence(x)], len(filled))

    # a column the plan headed with a role that came out (almost) empty
    headed = set(_json(doc.get("plan_columns")).values())
    empty = [r for r in ROLE_COLUMNS if r in headed and
             sum(1 for v in recs[r] if not _text(v)) >= th.empty_role_share * len(recs)]
    out["empty_columns"] = len(empty) if headed else None
    out["empty_column_names"] = ", ".join(empty)

    # most timescale cells giving no date
    cells = [(rid, _text(t)) for rid, t in zip(recs["record_id"], recs["timescale"]) if _text(t)]
    undated = [t for rid, t in cells if rid not in dated]
    if len(cells) >= th.review_min_timescales:
        out["undated_share"], out["undated_example"] = _share(undated, len(cells))
    else:
        out["undated_share"], out["undated_example"] = None, ""

    # a key of lead codes that no lead cell uses
    out["key_expanded"] = sum(1 for a, b in zip(leads, names) if a and b and a != b) if key else None
    out["key_codes"] = _cut(", ".join(key))

    # an extra column headed with a role whose own column is empty
    role_re = re.compile(th.role_header, re.I)
    extra_headers = {h for v in recs["extra"] for h in _json(v)}
    lost = sorted(h for h in extra_headers if (m := role_re.search(h)) and not any(
        _text(v) for v in recs[_role_of(m.group(0))]))
    out["roles_in_extra"], out["role_headers"] = len(lost), _cut(", ".join(lost))

    # an extra column that reads as dates while the timescale column is empty (the timescale lost into extra)
    date_re = re.compile(th.date_like, re.I)
    undated_plan = sum(1 for v in recs["timescale"] if not _text(v)) >= th.empty_role_share * len(recs)
    dates_cols = []
    for h in sorted(extra_headers) if undated_plan else ():
        vals = [_text(_json(v).get(h)) for v in recs["extra"]]
        vals = [v for v in vals if v]
        if vals and sum(1 for v in vals if date_re.search(v)) >= th.extra_dates_share * len(vals):
            dates_cols.append(h)
    out["dates_in_extra"], out["dates_headers"] = len(dates_cols), _cut(", ".join(dates_cols))

    # the same text in two columns of a record
    repeated = []
    for _, r in recs.iterrows():
        texts = [_norm(_text(r[c])) for c in ROLE_COLUMNS] + [_norm(str(v)) for v in _json(r["extra"]).values()]
        texts = [t for t in texts if len(t.split()) >= th.repeat_min_words]
        if any(a in b or b in a for i, a in enumerate(texts) for b in texts[i + 1:]):
            repeated.append(_text(r["recommendation"]) or _text(r["key_actions"]))
    out["repeated_share"], out["repeated_example"] = _share(repeated, len(recs))

    # recommendation cells that are empty, a word or two long, or look like codes
    recs_text = [_text(v) for v in recs["recommendation"]]
    short = [t or "(empty)" for t in recs_text if len(_words(t)) <= th.short_rec_words or code_like.fullmatch(t)]
    out["short_rec_share"], out["short_rec_example"] = _share(short, len(recs_text))

    # recommendations holding a second numbered recommendation (two printed rows read as one)
    embedded = re.compile(th.embedded_ref)
    merged = [t for t in recs_text if embedded.search(t)]
    out["merged_rec_share"], out["merged_rec_example"] = _share(merged, len(recs_text))

    # records that repeat the recommendation before them (one printed row read as many)
    shared = [b for a, b in zip(recs_text, recs_text[1:]) if a and a == b]
    out["shared_rec_share"], out["shared_rec_example"] = _share(shared, len(recs_text))

    # leads that are codes, in a document with no key to expand them
    if key:
        out["unkeyed_code_share"], out["unkeyed_code_example"] = None, ""
    else:
        codes = [x for x in filled if code_like.fullmatch(x)]
        out["unkeyed_code_share"], out["unkeyed_code_example"] = _share(codes, len(filled))
    return out


def _role_of(word: str) -> str:
    w = word.lower()
    if w.startswith(("lead", "owner", "responsib", "led")):
        return "lead"
    if w.startswith(("time", "deadline", "target", "by when", "due")):
        return "timescale"
    if w.startswith(("resource", "cost", "budget", "fund")):
        return "resource"
    if w.startswith("key action"):
        return "key_actions"
    return "recommendation"


def review_view(docs: pd.DataFrame, recs: pd.DataFrame, times: pd.DataFrame, leads: pd.DataFrame,
                th: Thresholds) -> pd.DataFrame:
    """One row per document with at least `review_min_records` recommendations (its measures), or titled as
    a plan (how many records it gave)."""
    dated = set(times["record_id"].dropna())
    key_of: dict[str, list[str]] = {}
    for d, c in zip(leads["doc_id"], leads["code"]):
        if not _missing(d) and not _missing(c):
            key_of.setdefault(d, []).append(str(c))
    by_doc = {d: g for d, g in recs.groupby("doc_id", sort=False)} if len(recs) else {}
    rows = []
    plan_title = re.compile(th.plan_title, re.I)
    for i, doc in enumerate(docs.to_dict("records")):
        g = by_doc.get(doc["doc_id"])
        n = 0 if g is None else len(g)
        titled = bool(plan_title.search(_text(doc.get("title"))))
        if n >= th.review_min_records:
            m = measure(doc, g, dated, key_of.get(doc["doc_id"], []), th)
        elif titled and _text(doc.get("status")) != "failed":
            m = {}  # a paper titled as a plan that gave (almost) no records: only that is measured
        else:
            continue
        m["plan_records"] = n if titled else None
        m["plan_title"] = _cut(_text(doc.get("title"))) if titled else ""
        rows.append({ROW: i, "doc_id": doc["doc_id"], **m})
    cols = [ROW, "doc_id"] + [c for pair in MEASURES.items() for c in pair]
    df = pd.DataFrame(rows, columns=cols)
    df[ROW] = df[ROW].astype("int64")
    for m, ex in MEASURES.items():
        df[m] = pd.to_numeric(df[m], errors="coerce").astype("float64")
        df[ex] = df[ex].astype("string")
    df["doc_id"] = df["doc_id"].astype("string")
    return df
