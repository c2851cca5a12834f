"""Stage — checked: Great Expectations validates every table of a run.

Runs after every file has been processed, on the typed frames of the whole
run, in one ephemeral GX context (no files, no cloud, no network). The suites
come from `schemas/expectations.py`; this module only joins in the helper
columns the cross-table checks compare against, hands each table to the GX
engine, and turns the validation results into `quality_issues` rows, a
one-line verdict and a self-contained HTML report. Rows that fail are
reported, never dropped or changed.

Great Expectations is imported here and only here, inside `run_quality` (or
`_Engine`, which `pipeline/gate.py` builds in a helper process while the files
are processed), so the per-file path never pays for it.
"""
from __future__ import annotations

import html
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd

from pipeline.selfcheck import review_view
from schemas.contract import BBOX, CONTRACT_TABLES, TABLES, boxed_tables
from schemas.expectations import (
    BOX_COORD, BOX_LOWER, BOX_UPPER, BOX_VALUE, CRITICAL, DOC_CODE, DOC_ID, DOC_PAGES, EARLIEST, FIRST_DATE, KEY,
    LAST_DATE, LATEST, MEETING, P_DOC_IDS, P_LEAD_KEYS, P_MEETINGS, P_RECORD_IDS, ROW, TEXT_COLUMN, TEXT_VALUE,
    WARNING, Check, Thresholds, suites,
)

REPORT_NAME = "quality_report.html"


@dataclass(frozen=True)
class QualitySettings:
    thresholds: Thresholds = Thresholds()
    report_issue_rows: int = 500    # issues listed in the HTML report (all of them are in quality_issues)
    observed_chars: int = 200       # an observed value longer than this is cut, with "..."


@dataclass
class CheckResult:
    check: Check
    success: bool
    element_count: int = 0
    unexpected_count: int = 0
    error: str = ""
    samples: list[str] = field(default_factory=list)


@dataclass
class QualityResult:
    issues: list[dict]
    results: list[CheckResult]
    rows: dict[str, int]
    seconds: float
    import_seconds: float
    gx_version: str

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success]

    def failed_checks(self, severity: str) -> list[CheckResult]:
        return [r for r in self.failed if r.check.severity == severity]

    def issue_count(self, severity: str) -> int:
        return sum(1 for i in self.issues if i["severity"] == severity)

    @property
    def passed(self) -> bool:
        """No critical expectation failed (warnings do not fail a run)."""
        return not self.failed_checks(CRITICAL)

    def needs_review(self) -> dict[str, list[str]]:
        """doc_id -> the symptoms of a broken extraction the self-check found in it (the `review` checks)."""
        review = {r.check.check for r in self.results if r.check.view == "review"}
        out: dict[str, list[str]] = {}
        for i in self.issues:
            if i["check"] in review and i["doc_id"]:
                out.setdefault(i["doc_id"], []).append(re.sub(r"^needs review: | \(.*\)$", "", i["check"]))
        return out

    def summary_line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        crit, warn = self.failed_checks(CRITICAL), self.failed_checks(WARNING)
        return (f"{verdict}  ({len(self.results)} expectations on {sum(self.rows.values())} rows: "
                f"{len(crit)} critical failed ({self.issue_count(CRITICAL)} rows), "
                f"{len(warn)} warning failed ({self.issue_count(WARNING)} rows); {self.seconds:.1f} s)")


# ---------------------------------------------------------------- views: each table plus its helper columns

def _years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def _is_missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def _views(frames: dict[str, pd.DataFrame], th: Thresholds) -> tuple[dict[str, pd.DataFrame], dict]:
    """The frame each suite runs on, and the suite parameters of this run."""
    docs = frames["documents"].reset_index(drop=True)
    recs = frames["recommendations"].reset_index(drop=True)
    times = frames["timescales"].reset_index(drop=True)
    costs = frames["costs"].reset_index(drop=True)
    leads = frames["leads"].reset_index(drop=True)

    pages_of = dict(zip(docs["doc_id"], docs["pages"]))
    date_of = dict(zip(docs["doc_id"], docs["doc_date"]))
    doc_of_record = dict(zip(recs["record_id"], recs["doc_id"]))

    recs_v = recs.copy()
    recs_v[DOC_PAGES] = pd.array([pages_of.get(d) for d in recs["doc_id"]], dtype="Int64")

    times_v = times.copy()
    times_v[DOC_ID] = [doc_of_record.get(r) for r in times["record_id"]]
    lo, hi = [], []
    for d in times_v[DOC_ID]:
        ref = date_of.get(d)
        if _is_missing(ref):
            lo.append(th.broad_start)
            hi.append(th.broad_end)
        else:
            lo.append(_years(ref, -th.years_before))
            hi.append(_years(ref, th.years_after))
    times_v[EARLIEST] = pd.Series(lo, index=times_v.index, dtype=object)
    times_v[LATEST] = pd.Series(hi, index=times_v.index, dtype=object)
    starts, ends = list(times["start_date"]), list(times["end_date"])
    times_v[FIRST_DATE] = pd.Series([e if _is_missing(s) else s for s, e in zip(starts, ends)],
                                    index=times_v.index, dtype=object)
    times_v[LAST_DATE] = pd.Series([s if _is_missing(e) else e for s, e in zip(starts, ends)],
                                   index=times_v.index, dtype=object)

    costs_v = costs.copy()
    costs_v[DOC_ID] = [doc_of_record.get(r) for r in costs["record_id"]]

    # one row per code-like lead token, for documents that print a key of lead codes
    keyed = set(leads["doc_id"].dropna())
    whole = re.compile(rf"{th.lead_code}(?:{th.lead_code_join}{th.lead_code})*")
    join = re.compile(th.lead_code_join)
    code_rows = []
    for i, (doc_id, rid, lead) in enumerate(zip(recs["doc_id"], recs["record_id"], recs["lead"])):
        if doc_id not in keyed or _is_missing(lead) or not whole.fullmatch(lead.strip()):
            continue
        for code in join.split(lead.strip()):
            code_rows.append({ROW: i, "record_id": rid, "doc_id": doc_id, "lead": lead, "code": code,
                              DOC_CODE: f"{doc_id}|{code}"})
    lead_codes = pd.DataFrame(code_rows, columns=[ROW, "record_id", "doc_id", "lead", "code", DOC_CODE])
    lead_codes = lead_codes.astype({"record_id": "string", "doc_id": "string", "lead": "string",
                                    "code": "string", DOC_CODE: "string"})

    views = {"documents": docs, "documents:review": review_view(docs, recs, times, leads, th),
             "recommendations": recs_v, "recommendations:lead_codes": lead_codes,
             "timescales": times_v, "costs": costs_v, "leads": leads}
    meeting_keys = _committee_views(frames, views, pages_of, date_of, th)
    for t in CONTRACT_TABLES:
        views[f"{t.name}:text"] = _text_view(frames[t.name].reset_index(drop=True), t)
    sizes = {d: _page_sizes(s) for d, s in zip(docs["doc_id"], docs["page_sizes"]) if not _is_missing(d)}
    for t in boxed_tables():
        if t.name in frames:
            views[f"{t.name}:boxes"] = _box_view(frames[t.name].reset_index(drop=True), t, sizes, th)
    params = {
        P_DOC_IDS: [d for d in docs["doc_id"].dropna().unique()],
        P_RECORD_IDS: [r for r in recs["record_id"].dropna().unique()],
        P_LEAD_KEYS: sorted({f"{d}|{c}" for d, c in zip(leads["doc_id"], leads["code"])
                             if not _is_missing(d) and not _is_missing(c)}),
        P_MEETINGS: meeting_keys,
    }
    return views, params


def _text_key(values) -> str:
    return "|".join("" if _is_missing(v) else (v.isoformat() if isinstance(v, date) else str(v)) for v in values)


def _committee_views(frames: dict[str, pd.DataFrame], views: dict, pages_of: dict, date_of: dict,
                     th: Thresholds) -> list[str]:
    """Views of meetings, agenda_items, minutes_items and status_updates; returns the run's meeting keys."""
    for name in ("meetings", "agenda_items", "minutes_items", "status_updates"):
        df = frames[name].reset_index(drop=True)
        v = df.copy()
        key = TABLES[name].key
        v[KEY] = pd.array([_text_key(r) for r in zip(*(df[k] for k in key))] if len(df) else [], dtype="string")
        if "page" in df.columns:
            v[DOC_PAGES] = pd.array([pages_of.get(d) for d in df["doc_id"]], dtype="Int64")
        if name in ("agenda_items", "minutes_items"):
            kind = "agenda" if name == "agenda_items" else "minutes"
            v[MEETING] = pd.array([_text_key((d, kind, m)) for d, m in zip(df["doc_id"], df["meeting_date"])],
                                  dtype="string")
        if name == "meetings":
            lo, hi = [], []
            for d in df["doc_id"]:
                ref = date_of.get(d)
                lo.append(None if _is_missing(ref) else _years(ref, -th.meeting_years_before))
                hi.append(None if _is_missing(ref) else _years(ref, th.meeting_years_after))
            v[EARLIEST] = pd.Series(lo, index=v.index, dtype=object)
            v[LATEST] = pd.Series(hi, index=v.index, dtype=object)
        views[name] = v
    m = frames["meetings"]
    return sorted({_text_key(r) for r in zip(m["doc_id"], m["kind"], m["meeting_date"])})
_NOT_TEXT = (BBOX, "page_sizes")  # JSON of numbers: checked by the boxes view, not for text artefacts


def _page_sizes(text) -> dict[int, tuple[float, float]]:
    """documents.page_sizes -> {page: (width, height)}; {} where missing or unreadable."""
    out: dict[int, tuple[float, float]] = {}
    try:
        for first, last, w, h in json.loads(text):
            for p in range(int(first), int(last) + 1):
                out[p] = (float(w), float(h))
    except (TypeError, ValueError):
        return {}
    return out


def parse_bbox(text) -> list[tuple] | None:
    """The bbox column's boxes as (page, x0, top, x1, bottom) tuples; None when it is not that shape."""
    try:
        boxes = json.loads(text)
        out = [(int(b[0]), *(float(v) for v in b[1:5])) for b in boxes if len(b) == 5]
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return out if out and len(out) == len(boxes) else None


def _span_columns(spec) -> tuple[str, str] | None:
    names = spec.names
    if "page_start" in names and "page_end" in names:
        return "page_start", "page_end"
    if "page" in names:
        return "page", None   # a row that starts on `page` may run on overleaf (a minute, an agenda item)
    return None


def _box_view(df: pd.DataFrame, spec, sizes: dict[str, dict], th: Thresholds) -> pd.DataFrame:
    """One row per number of every box (page, x0, top, x1, bottom) with the bounds it must lie within,
    plus one "pages boxed" row per table row; a row whose bbox is missing or malformed gives one row
    with its bbox text and no numbers."""
    span = _span_columns(spec)
    docs = (df["doc_id"] if "doc_id" in df.columns
            else df["record_id"].astype("string").str.rsplit("-", n=1).str[0]).tolist()
    firsts = df[span[0]].tolist() if span else [None] * len(df)
    lasts = df[span[1]].tolist() if span and span[1] else [None] * len(df)
    open_end = bool(span) and span[1] is None   # boxes from the row's page to the document's last page
    slack = th.bbox_slack_pt
    rows: list[tuple] = []
    for i, (text, doc, first, last) in enumerate(zip(df[BBOX].tolist(), docs, firsts, lasts)):
        text = None if _is_missing(text) else str(text)
        boxes = parse_bbox(text) if text is not None else None
        if boxes is None:
            rows.append((i, text, None, None, None, None))
            continue
        first = None if _is_missing(first) else int(first)
        last = None if _is_missing(last) else int(last)
        pages_of_doc = sizes.get(doc, {}) if not _is_missing(doc) else {}
        if open_end and first is not None:
            last = max(pages_of_doc, default=None)
        for page, x0, top, x1, bottom in boxes:
            w, h = pages_of_doc.get(page, (None, None))
            rows += [(i, text, "page", page, first, last),
                     (i, text, "x0", x0, -slack, None if w is None else w + slack),
                     (i, text, "x1", x1, x0, None if w is None else w + slack),
                     (i, text, "top", top, -slack, None if h is None else h + slack),
                     (i, text, "bottom", bottom, top, None if h is None else h + slack)]
        if first is not None and last is not None and not open_end:
            n = last - first + 1
            rows.append((i, text, "pages boxed", len({b[0] for b in boxes}), n, n))
    cols = list(zip(*rows)) if rows else [[]] * 6
    return pd.DataFrame({ROW: pd.array(cols[0], dtype="int64"), BBOX: pd.array(cols[1], dtype="string"),
                         BOX_COORD: pd.array(cols[2], dtype="string"),
                         BOX_VALUE: pd.array(cols[3], dtype="Float64"),
                         BOX_LOWER: pd.array(cols[4], dtype="Float64"),
                         BOX_UPPER: pd.array(cols[5], dtype="Float64")})


def _text_view(df: pd.DataFrame, spec) -> pd.DataFrame:
    """One row per non-empty text cell of a table: (_row, column, value)."""
    rows, cols, vals = [], [], []
    for col in spec.columns:
        if col.dtype not in ("string", "json") or col.name in _NOT_TEXT:
            continue
        for i, v in enumerate(df[col.name].tolist()):
            if not _is_missing(v) and v != "":
                rows.append(i)
                cols.append(col.name)
                vals.append(v)
    return pd.DataFrame({ROW: pd.array(rows, dtype="int64"), TEXT_COLUMN: pd.array(cols, dtype="string"),
                         TEXT_VALUE: pd.array(vals, dtype="string")})


# ---------------------------------------------------------------- running the engine

def _import_gx():
    t0 = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    return gx, gxe, ProgressBarsConfig, time.perf_counter() - t0


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _show(v, limit: int) -> str:
    if _is_missing(v):
        return ""
    if isinstance(v, datetime):
        v = v.date() if not (v.hour or v.minute or v.second) else v
    if isinstance(v, (date, datetime)):
        s = v.isoformat()
    elif isinstance(v, float) and v.is_integer():
        s = str(int(v))
    else:
        s = str(v)
    s = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", s)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _observed(check: Check, view: pd.DataFrame, idx, value, limit: int) -> str:
    if check.observed:
        return "; ".join(f"{c}={_show(view.at[idx, c], limit)}" for c in check.observed)
    kw = check.kw
    if isinstance(value, (tuple, list)) and "column_A" in kw:
        names = [kw["column_A"].lstrip("_"), kw["column_B"].lstrip("_")]
        return ", ".join(f"{n}={_show(x, limit)}" for n, x in zip(names, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={_show(x, limit)}" for k, x in value.items())
    return _show(value, limit)


class _Engine:
    """Great Expectations imported, one ephemeral context, every suite built with its batch definition:
    everything the gate needs that does not depend on the run's rows. `validate` runs the suites on a
    run's frames; it can be called more than once (the suites and batch definitions are only read)."""

    def __init__(self, settings: QualitySettings = QualitySettings()):
        t0 = time.perf_counter()
        self.settings = settings
        gx, gxe, ProgressBarsConfig, self.import_seconds = _import_gx()
        self.gx_version = gx.__version__
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        source = ctx.data_sources.add_pandas("councilx")
        # (table, view key, its checks, suite, batch definition), in suite order
        self.plan: list[tuple[str, str, list[Check], object, object]] = []
        for table, table_checks in suites(settings.thresholds).items():
            by_view: dict[str, list[Check]] = {}
            for c in table_checks:
                by_view.setdefault(c.view, []).append(c)
            for view_name, view_checks in by_view.items():
                key = table if view_name == "rows" else f"{table}:{view_name}"
                suite = gx.ExpectationSuite(name=key)
                for n, c in enumerate(view_checks):
                    kw = dict(c.kw)
                    if "row_condition" in kw:
                        from great_expectations.expectations.row_conditions import Column as GxColumn

                        column, value = kw["row_condition"]
                        kw["row_condition"] = GxColumn(column) == value
                    suite.add_expectation(getattr(gxe, c.expectation)(
                        **kw, meta={"councilx_check": n, "severity": c.severity, "check": c.check}))
                batch_def = source.add_dataframe_asset(key).add_batch_definition_whole_dataframe("run")
                self.plan.append((table, key, view_checks, suite, batch_def))
        self.setup_seconds = time.perf_counter() - t0

    def validate(self, frames: dict[str, pd.DataFrame]) -> QualityResult:
        t0 = time.perf_counter()
        return self.result(frames, self.validate_part(frames, range(len(self.plan))), t0)

    def validate_part(self, frames: dict[str, pd.DataFrame], part) -> dict[int, tuple[list[CheckResult], list[dict]]]:
        """Run the suites `part` (indices into `plan`) on the run's frames: {index: (results, issues)}."""
        settings = self.settings
        views, params = _views(frames, settings.thresholds)
        out: dict[int, tuple[list[CheckResult], list[dict]]] = {}
        for k in part:
            table, key, view_checks, suite, batch_def = self.plan[k]
            base = views[table] if table in views else frames[table].reset_index(drop=True)
            view = views[key]
            batch = batch_def.get_batch(batch_parameters={"dataframe": view})
            outcome = batch.validate(suite, result_format={"result_format": "COMPLETE"},
                                     expectation_parameters=params)
            issues: list[dict] = []
            results: list[CheckResult] = []
            for r in outcome.results:
                c = view_checks[int(r.expectation_config.meta["councilx_check"])]
                results.append(_collect(c, r, table, base, view, issues, settings))
            out[k] = (results, issues)
        return out

    def result(self, frames: dict[str, pd.DataFrame], pieces: dict[int, tuple[list[CheckResult], list[dict]]],
               t0: float) -> QualityResult:
        """One QualityResult from the pieces of every suite (in suite order, as one validate() gives)."""
        issues: list[dict] = []
        results: list[CheckResult] = []
        for k in range(len(self.plan)):
            results += pieces[k][0]
            issues += pieces[k][1]
        order = {t.name: i for i, t in enumerate(CONTRACT_TABLES)}
        issues.sort(key=lambda i: (order[i["table"]], i["severity"] != CRITICAL, i["row"] or 0, i["column"]))
        return QualityResult(issues=issues, results=results,
                             rows={t.name: len(frames[t.name]) for t in CONTRACT_TABLES},
                             seconds=self.setup_seconds + time.perf_counter() - t0,
                             import_seconds=self.import_seconds, gx_version=self.gx_version)


def run_quality(frames: dict[str, pd.DataFrame], settings: QualitySettings = QualitySettings()) -> QualityResult:
    """Validate every contract table of a run; return its quality_issues rows and per-check results."""
    return _Engine(settings).validate(frames)


def _collect(c: Check, r, table: str, base: pd.DataFrame, view: pd.DataFrame, issues: list[dict],
             settings: QualitySettings) -> CheckResult:
    res = r.result or {}
    exc = r.exception_info or {}
    if exc.get("raised_exception"):
        msg = str(exc.get("exception_message") or "expectation could not run")
        issues.append(_issue(table, c, None, None, None, f"could not run: {msg}"[: settings.observed_chars]))
        return CheckResult(c, False, error=msg)
    out = CheckResult(c, bool(r.success), element_count=int(res.get("element_count") or len(view)),
                      unexpected_count=int(res.get("unexpected_count") or 0))
    if r.success:
        return out
    idx_list = res.get("unexpected_index_list")
    values = res.get("unexpected_list") or []
    if not idx_list:
        obs = _show(res.get("observed_value", values[:5]), settings.observed_chars)
        issues.append(_issue(table, c, None, None, None, obs))
        out.samples.append(obs)
        return out
    for n, idx in enumerate(idx_list):
        if isinstance(idx, dict):  # unexpected_index_column_names in use: not by councilx, but be safe
            idx = idx.get("index", n)
        value = values[n] if n < len(values) else None
        obs = _observed(c, view, idx, value, settings.observed_chars)
        pos = int(view.at[idx, ROW]) if ROW in view.columns else int(idx)
        rid = base.at[pos, "record_id"] if "record_id" in base.columns else None
        doc = next((base.at[pos, k] for k in ("doc_id", DOC_ID) if k in base.columns), None)
        column = str(view.at[idx, c.column_from]) if c.column_from else None
        issues.append(_issue(table, c, pos + 1, rid, doc, obs, column))
        if len(out.samples) < 3:
            out.samples.append(obs)
    return out


def _issue(table: str, c: Check, row, record_id, doc_id, observed: str, column: str | None = None) -> dict:
    return {"table": table, "row": row, "record_id": None if _is_missing(record_id) else str(record_id),
            "doc_id": None if _is_missing(doc_id) else str(doc_id), "column": column or c.column,
            "expectation": _snake(c.expectation), "check": c.check, "observed": observed, "severity": c.severity}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# ---------------------------------------------------------------- the HTML report

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1150px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.verdict{display:inline-block;padding:6px 14px;border-radius:4px;font-weight:700;color:#fff;margin:10px 0}
.PASS{background:#2e7d32} .FAIL{background:#c62828}
table{border-collapse:collapse;width:100%;margin:6px 0 10px} th,td{border:1px solid #ddd;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fail td.st{color:#c62828;font-weight:700} tr.ok td.st{color:#2e7d32}
.critical{color:#c62828;font-weight:600} .warning{color:#a65c00}
code,.obs{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-word}
.meta{color:#555}
"""


def render_report(q: QualityResult, settings: QualitySettings = QualitySettings()) -> str:
    e = html.escape
    verdict = "PASS" if q.passed else "FAIL"
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>councilx data quality</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>councilx data quality report</h1>",
        f"<div class='meta'>{e(now)} &middot; Great Expectations {e(q.gx_version)} (ephemeral context, pandas) "
        f"&middot; validation {q.seconds:.2f} s, of which GX import {q.import_seconds:.2f} s</div>",
        f"<div class='verdict {verdict}'>{verdict}</div>",
        f"<p>{e(q.summary_line())}</p>",
        "<p class='meta'><b>critical</b>: the row breaks the output contract; a failed critical expectation makes "
        "<code>councilx run --strict</code> exit non-zero. <b>warning</b>: implausible or unclean, worth a look. "
        "Failing rows are listed here and in <code>quality_issues</code>; they stay in their tables.</p>",
        "<h2>Rows checked</h2><table><tr><th>table</th><th>rows</th><th>expectations</th>"
        "<th>failed</th><th>issue rows</th></tr>",
    ]
    for t in CONTRACT_TABLES:
        rs = [r for r in q.results if r.check.table == t.name]
        n_issues = sum(1 for i in q.issues if i["table"] == t.name)
        parts.append(f"<tr><td>{t.name}</td><td class='n'>{q.rows.get(t.name, 0)}</td><td class='n'>{len(rs)}</td>"
                     f"<td class='n'>{sum(1 for r in rs if not r.success)}</td><td class='n'>{n_issues}</td></tr>")
    parts.append("</table>")

    failed = sorted(q.failed, key=lambda r: (r.check.severity != CRITICAL, r.check.table))
    parts.append(f"<h2>Failed expectations ({len(failed)})</h2>")
    if failed:
        parts.append("<table><tr><th>severity</th><th>table</th><th>column</th><th>check</th><th>expectation</th>"
                     "<th>rows</th><th>examples</th></tr>")
        for r in failed:
            c = r.check
            ex = "<br>".join(e(s) for s in r.samples) or e(r.error)
            parts.append(f"<tr class='fail'><td class='{c.severity}'>{c.severity}</td><td>{c.table}</td>"
                         f"<td>{e(c.column)}</td><td>{e(c.check)}</td><td><code>{_snake(c.expectation)}</code></td>"
                         f"<td class='n'>{r.unexpected_count} / {r.element_count}</td><td class='obs'>{ex}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>None: every expectation passed.</p>")

    shown = q.issues[: settings.report_issue_rows]
    parts.append(f"<h2>Issue rows ({len(q.issues)}{', first ' + str(len(shown)) if len(shown) < len(q.issues) else ''})</h2>")
    if shown:
        cols = TABLES["quality_issues"].names
        parts.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in cols if c != "expectation") + "</tr>")
        for i in shown:
            cells = []
            for c in cols:
                if c == "expectation":
                    continue
                v = "" if i[c] is None else str(i[c])
                cls = i["severity"] if c == "severity" else ("obs" if c == "observed" else "")
                cells.append(f"<td class='{cls}'>{e(v)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")

    parts.append("<h2>All expectations</h2><table><tr><th>status</th><th>severity</th><th>table</th>"
                 "<th>column</th><th>check</th><th>expectation</th><th>unexpected / rows</th></tr>")
    for r in q.results:
        c = r.check
        st = "ok" if r.success else ("error" if r.error else "failed")
        parts.append(f"<tr class='{'ok' if r.success else 'fail'}'><td class='st'>{st}</td>"
                     f"<td class='{c.severity}'>{c.severity}</td><td>{c.table}</td><td>{e(c.column)}</td>"
                     f"<td>{e(c.check)}</td><td><code>{_snake(c.expectation)}</code></td>"
                     f"<td class='n'>{r.unexpected_count} / {r.element_count}</td></tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)


def gx_loaded() -> bool:
    """True once Great Expectations has been imported in this process."""
    return "great_expectations" in sys.modules
