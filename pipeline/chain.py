"""The per-file chain: one PDF in, every contract row it gives out. Never raises.

triage -> layout -> classification -> parts of the document (a pack: agenda, printed
minutes, reports) -> the extractors of each part's kind only (`run_extractors`) ->
normalised contract rows. This module is the only place that chain lives: every
engine (the in-process loop, the isolated worker pool in `pipeline.run`, the
Dask tasks in `pipeline.dask_engine`) calls `process_file` and carries no extraction
logic of its own.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from extractors.classify import COMMITTEE_TYPES
from pipeline import triage
from pipeline.records import CommitteeRows, DocRows, build_rows, page_sizes_json

if TYPE_CHECKING:
    from extractors.action_plan import PlanExtraction


@dataclass(frozen=True)
class RunSettings:
    workers: int = 1
    password: str | None = None
    max_pages: int | None = None    # read at most this many pages of each file (None: all, up to page_ceiling)
    # -- bad input (see README "Bad input") --
    isolate: bool = True            # run each file in a worker process (False: one by one in this process,
    #                                 no time limit or memory ceiling: for benchmarks and tests)
    timeout_s: float = 120.0        # time limit per file: this much ...
    timeout_per_page_s: float = 1.0  # ... plus this much per page the file claims (1,000 pages: 1,120 s)
    max_memory_mb: int = 4096       # address-space ceiling of each worker (RLIMIT_AS); 0: none
    page_ceiling: int = 5000        # files with more pages are read up to here and marked partial
    ocr: bool = False               # give image-only pages a text layer with ocrmypdf when installed
    layout: str = ""                # layout reader (extractors.layout.READERS); "" for LayoutSettings' default


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _doc_row(path: Path, doc_id: str) -> dict:
    return {"doc_id": doc_id, "source": path.name, "doc_type": "other", "title": "", "pages": 0,
            "status": "failed", "error": "", "path": str(path), "doc_date": None, "records": 0, "seconds": 0.0,
            "duplicate_of": "", "page_sizes": None, "plan_columns": "{}"}


def failed_doc(path: str | Path, reason: str, seconds: float = 0.0) -> DocRows:
    """The one documents row of a file that produced nothing."""
    path = Path(path)
    try:
        doc_id = file_sha256(path)[:16]
    except OSError:
        doc_id = ""
    row = _doc_row(path, doc_id)
    row["error"] = reason
    row["seconds"] = round(seconds, 3)
    return DocRows(documents=[row])


def process_file(path: str | Path, settings: RunSettings = RunSettings(),
                 on_pages: Callable[[int], None] | None = None) -> DocRows:
    """The whole per-file chain. Never raises.

    `on_pages(n)` is called once the page count is known (the worker uses it to
    scale the time limit).
    """
    path = Path(path)
    t0 = time.perf_counter()
    try:
        doc_id = file_sha256(path)[:16]
    except OSError as exc:
        row = _doc_row(path, "")
        row["error"] = f"unreadable: {exc}"
        return DocRows(documents=[row])
    row = _doc_row(path, doc_id)
    try:
        return _chain(path, row, settings, on_pages)
    except MemoryError:
        row.update(status="failed", error=triage.memory_reason(settings.max_memory_mb if settings.isolate else 0))
    except RecursionError:
        row.update(status="failed", error="deeply nested objects (recursion limit reached)")
    except Exception as exc:
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__)
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return DocRows(documents=[row])


def _chain(path: Path, row: dict, settings: RunSettings, on_pages) -> DocRows:
    from extractors.classify import classify
    from extractors.layout import open_document

    t0 = time.perf_counter()
    mem = settings.max_memory_mb if settings.isolate else 0

    def fail(reason: str) -> DocRows:
        row.update(status="failed", error=reason, seconds=round(time.perf_counter() - t0, 3))
        return DocRows(documents=[row])

    reason = triage.check_bytes(path)
    if reason:
        return fail(reason)
    truncated = triage.is_truncated(path)
    limit = settings.page_ceiling if settings.max_pages is None else min(settings.max_pages, settings.page_ceiling)
    lsettings = _layout_settings(settings, limit)
    try:  # the file is opened (and parsed) once: this look serves triage and the layout stage
        doc = open_document(path, lsettings, password=settings.password)
    except Exception as exc:
        return fail(triage.explain(exc, password=settings.password, truncated=truncated, max_memory_mb=mem))
    with doc:
        if on_pages:
            n = doc.n_pages if doc.n_pages is not None else triage.open_pdf(path, settings.password).n_pages
            on_pages(triage.cap_pages(path, n))
        try:
            layout = doc.read(lsettings)
        except Exception as exc:
            return fail(triage.explain(exc, password=settings.password, truncated=truncated, max_memory_mb=mem))
    row["pages"] = layout.n_pages
    row["page_sizes"] = page_sizes_json((p.number, p.width, p.height) for p in layout.pages)
    if layout.n_pages == 0:
        return fail("truncated or damaged PDF: no pages found (broken page tree or cross-reference table)")

    problems: list[str] = []
    if truncated:
        problems.append("truncated PDF (no end-of-file marker): read what could be recovered")
    if layout.n_pages > settings.page_ceiling and (settings.max_pages or layout.n_pages) > settings.page_ceiling:
        problems.append(f"very large page count ({layout.n_pages} pages): read the first {settings.page_ceiling}")
    if layout.page_errors:
        by_reason: dict[str, list[int]] = {}
        for p, text in sorted(layout.page_errors.items()):
            by_reason.setdefault(triage.explain_page_error(text, mem), []).append(p)
        for why, pages in by_reason.items():
            problems.append(f"pages failed ({why}): " + ", ".join(str(p) for p in pages[:12])
                            + (", ..." if len(pages) > 12 else ""))
        if not layout.pages:
            return fail("; ".join(problems))

    check = triage.check_text(layout)
    if check.needs_ocr and settings.ocr:
        layout, check, note = _with_ocr(path, layout, check, limit, settings)
    else:
        note = " (run with --ocr)" if check.needs_ocr and triage.ocr_tool() else ""
    problems.extend(triage.text_problems(check, ocr_note=note))

    cls = classify(layout)
    found = run_extractors(layout, cls.doc_type)
    doc_type = cls.doc_type
    if found.plan.rows and not (found.committee.agenda_items or found.committee.minutes_items):
        doc_type = "action_plan"  # plan rows and no business or minutes: an action plan whatever else it says
    problems.extend(found.plan.warnings)
    row.update(doc_type=doc_type, title=cls.title, doc_date=cls.doc_date,
               records=len(found.plan.rows), status="partial" if problems else "ok", error="; ".join(problems),
               plan_columns=json.dumps(found.plan.columns, ensure_ascii=False))
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return build_rows(row, found.plan.rows, found.plan.leads, cls.doc_date, found.committee)


@dataclass
class Extracted:
    """What the extractors found in one document, over all its parts."""

    plan: "PlanExtraction"
    committee: CommitteeRows
    parts: list = field(default_factory=list)   # (kind, pages) of every part, in page order


def _run_agenda(layout, out: Extracted) -> bool:
    from extractors.agenda import extract_agenda

    meetings, items = extract_agenda(layout)
    out.committee.meetings.extend(meetings)
    out.committee.agenda_items.extend(items)
    return bool(items)


def _run_minutes(layout, out: Extracted) -> bool:
    from extractors.minutes import extract_minutes

    meetings, minutes = extract_minutes(layout)
    out.committee.meetings.extend(meetings)
    out.committee.minutes_items.extend(minutes)
    return bool(minutes)


def _run_status(layout, out: Extracted) -> bool:
    from extractors.status import extract_status

    rows = extract_status(layout)
    out.committee.status_rows.extend(rows)
    return bool(rows)


def _run_plan(layout, out: Extracted) -> bool:
    from extractors.action_plan import extract_plan

    plan = extract_plan(layout)
    out.plan.rows.extend(plan.rows)
    out.plan.leads.update(plan.leads)
    out.plan.warnings.extend(plan.warnings)
    out.plan.tables += plan.tables
    out.plan.columns.update(plan.columns)
    return bool(plan.rows)


# extractor name (extractors.classify.EXTRACTORS) -> the step that runs it on a part's pages
STEPS: dict[str, Callable] = {"agenda": _run_agenda, "minutes": _run_minutes, "status": _run_status,
                              "plan": _run_plan}


def run_extractors(layout, doc_type: str) -> Extracted:
    """Each part of the document (extractors.classify.split_parts) through the extractors of its kind only.

    An agenda part ends with its last item's page: the pages after it (reports, appendices) go to the
    plan extractor, so an action plan printed as an appendix of a pack still gives its records. A
    committee part in which its extractor finds nothing is read as a report (plan extractor) instead.
    """
    from extractors.action_plan import PlanExtraction
    from extractors.classify import DEFAULT_EXTRACTORS, EXTRACTORS, split_parts, sub_layout

    out = Extracted(plan=PlanExtraction(), committee=CommitteeRows())
    for part in split_parts(layout, doc_type):
        sub = sub_layout(layout, part.pages)
        names = EXTRACTORS.get(part.kind, DEFAULT_EXTRACTORS)
        found = False
        for name in names:
            found = STEPS[name](sub, out) or found
        rest: tuple[int, ...] = ()
        if part.kind in COMMITTEE_TYPES and not found:
            rest = part.pages
        elif part.kind == "agenda" and out.committee.agenda_items:
            last = max(a.page for a in out.committee.agenda_items)
            rest = tuple(p for p in part.pages if p > last)
        out.parts.append((part.kind, part.pages))
        if rest:
            _run_plan(sub_layout(layout, rest), out)
    return out


def _layout_settings(settings: RunSettings, limit: int | None):
    from extractors.layout import LayoutSettings

    if settings.layout:
        return LayoutSettings(max_pages=limit, reader=settings.layout)
    return LayoutSettings(max_pages=limit)


def _with_ocr(path: Path, layout, check, limit, settings: RunSettings):
    """Re-read the file from an OCR'd temporary copy; on failure keep the original and say why."""
    from extractors.layout import read_layout

    if settings.password:
        return layout, check, " (--ocr cannot process encrypted files)"
    with tempfile.TemporaryDirectory(prefix="councilx-ocr-") as tmp:
        try:
            copy = triage.ocr_copy(path, tmp)
            new = read_layout(copy, _layout_settings(settings, limit))
        except triage.BadInput as exc:
            return layout, check, f" ({exc})"
        except Exception as exc:
            return layout, check, f" (OCR failed: {type(exc).__name__})"
    return new, triage.check_text(new), " (OCR found no text)"
