"""Batch orchestration: files in, one DocRows per file, in a stable order.

`process_file` is the whole per-file chain (triage -> layout -> tables ->
classification -> plan rows -> normalised rows) and never raises: any failure
becomes a `failed` documents row with its reason.

`run_batch` runs every file in a worker process with a time limit and a memory
ceiling (see RunSettings), so a hostile file can hang, blow up or crash only its
own worker: the worker is killed or replaced, the file gets a `failed`
documents row saying why, and the run goes on. Workers are long-lived (one per
slot, forked once, reused file after file) so isolation costs little. Results
are gathered in input order, so `--workers N` writes the same bytes as
`--workers 1`.
"""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import signal
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable

from pipeline import triage
from pipeline.records import DocRows, build_rows


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


@dataclass
class BatchResult:
    docs: list[DocRows] = field(default_factory=list)
    seconds: float = 0.0

    def tables(self) -> dict[str, list[dict]]:
        """All rows, in input order. A file whose content an earlier file of the run already had
        keeps its documents row (marked `duplicate_of`), but its records are not repeated."""
        out: dict[str, list[dict]] = {}
        first: dict[str, str] = {}
        for d in self.docs:
            doc = d.documents[0]
            seen = first.get(doc["doc_id"]) if doc["doc_id"] else None
            if seen is not None:
                out.setdefault("documents", []).append({**doc, "duplicate_of": seen})
                continue
            if doc["doc_id"]:
                first[doc["doc_id"]] = doc.get("path") or doc["source"]
            for name, rows in d.tables().items():
                out.setdefault(name, []).extend(rows)
        return out


def find_inputs(target: str | Path) -> list[Path]:
    """A file, or every PDF below a folder (recursively), sorted for a stable order."""
    p = Path(target)
    if p.is_file():
        return [p]
    if p.is_dir():
        return sorted((f for f in p.rglob("*") if f.is_file() and f.suffix.lower() == ".pdf"),
                      key=lambda f: str(f.relative_to(p)))
    raise FileNotFoundError(f"no such file or folder: {p}")


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _doc_row(path: Path, doc_id: str) -> dict:
    return {"doc_id": doc_id, "source": path.name, "doc_type": "other", "title": "", "pages": 0,
            "status": "failed", "error": "", "path": str(path), "doc_date": None, "records": 0, "seconds": 0.0,
            "duplicate_of": ""}


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
    from extractors.action_plan import extract_plan
    from extractors.classify import classify
    from extractors.layout import LayoutSettings, read_layout

    t0 = time.perf_counter()
    mem = settings.max_memory_mb if settings.isolate else 0

    def fail(reason: str) -> DocRows:
        row.update(status="failed", error=reason, seconds=round(time.perf_counter() - t0, 3))
        return DocRows(documents=[row])

    reason = triage.check_bytes(path)
    if reason:
        return fail(reason)
    truncated = triage.is_truncated(path)
    try:
        opened = triage.open_pdf(path, settings.password)
    except Exception as exc:
        return fail(triage.explain(exc, password=settings.password, truncated=truncated, max_memory_mb=mem))
    if on_pages:
        on_pages(opened.n_pages)

    limit = settings.page_ceiling if settings.max_pages is None else min(settings.max_pages, settings.page_ceiling)
    try:
        layout = read_layout(path, LayoutSettings(max_pages=limit), password=settings.password)
    except Exception as exc:
        return fail(triage.explain(exc, password=settings.password, truncated=truncated, max_memory_mb=mem))
    row["pages"] = layout.n_pages
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

    plan = extract_plan(layout)
    cls = classify(layout, n_plan_rows=len(plan.rows))
    problems.extend(plan.warnings)
    row.update(doc_type=cls.doc_type, title=cls.title, doc_date=cls.doc_date,
               records=len(plan.rows), status="partial" if problems else "ok", error="; ".join(problems))
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return build_rows(row, plan.rows, plan.leads, cls.doc_date)


def _with_ocr(path: Path, layout, check, limit, settings: RunSettings):
    """Re-read the file from an OCR'd temporary copy; on failure keep the original and say why."""
    from extractors.layout import LayoutSettings, read_layout

    if settings.password:
        return layout, check, " (--ocr cannot process encrypted files)"
    with tempfile.TemporaryDirectory(prefix="councilx-ocr-") as tmp:
        try:
            copy = triage.ocr_copy(path, tmp)
            new = read_layout(copy, LayoutSettings(max_pages=limit))
        except triage.BadInput as exc:
            return layout, check, f" ({exc})"
        except Exception as exc:
            return layout, check, f" (OCR failed: {type(exc).__name__})"
    return new, triage.check_text(new), " (OCR found no text)"


# ---------------------------------------------------------------- isolation

def _worker_main(conn, max_memory_mb: int) -> None:
    """A worker: files in through `conn`, DocRows out, until told to stop."""
    try:
        os.setpgid(0, 0)  # its own process group: a timeout kills any ocrmypdf below it too
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    if max_memory_mb:
        import resource

        limit = int(max_memory_mb) << 20
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        i, path, settings = msg
        try:
            d = process_file(path, settings, on_pages=lambda n, i=i: conn.send(("pages", i, n)))
        except BaseException as exc:  # process_file never raises, but MemoryError can strike anywhere
            d = failed_doc(path, triage.explain(exc, max_memory_mb=max_memory_mb))
        # start afresh after a MemoryError: the heap may be in a poor state
        exiting = any("memory ceiling" in (r.get("error") or "") for r in d.documents)
        try:
            conn.send(("done", i, d, exiting))
        except MemoryError:
            return  # the parent sees the worker die and records the ceiling
        except (OSError, EOFError):
            return  # the parent is gone
        if exiting:
            return


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


class _Worker:
    def __init__(self, ctx, max_memory_mb: int):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, max_memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.started = 0.0
        self.allowed = 0.0

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            try:
                self.proc.kill()
            except Exception:
                pass
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def _death_reason(exitcode: int | None, max_memory_mb: int) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"worker killed ({name}), probably out of memory (ceiling {max_memory_mb} MB)"
        return f"worker crashed ({name}) while parsing"
    if exitcode == 0:
        return "worker exited unexpectedly while parsing"
    return f"worker exited with code {exitcode}"


def _run_isolated(paths: list[Path], settings: RunSettings, deliver: Callable[[int, DocRows], None]) -> None:
    # import the whole chain before forking so every worker starts warm
    import extractors.action_plan  # noqa: F401
    import extractors.classify  # noqa: F401
    import extractors.layout  # noqa: F401
    import pdfplumber  # noqa: F401

    ctx = _context()
    n_workers = max(1, min(settings.workers, len(paths)))
    # largest files first keeps every worker busy to the end; results keep input order
    queue = deque(sorted(range(len(paths)), key=lambda i: -_size(paths[i])) if n_workers > 1 else range(len(paths)))
    mem = settings.max_memory_mb
    workers: list[_Worker] = []
    try:
        workers = [_Worker(ctx, mem) for _ in range(n_workers)]
        busy = 0
        while queue or busy:
            for k, w in enumerate(workers):
                if w.task is None and queue:
                    i = queue.popleft()
                    if not w.proc.is_alive():
                        w = workers[k] = _Worker(ctx, mem)
                    try:
                        w.conn.send((i, paths[i], settings))
                    except OSError:  # died while idle: replace it and try once more
                        w.kill()
                        w = workers[k] = _Worker(ctx, mem)
                        w.conn.send((i, paths[i], settings))
                    w.task, w.started, w.allowed = i, time.monotonic(), settings.timeout_s
                    busy += 1
            active = [w for w in workers if w.task is not None]
            now = time.monotonic()
            soonest = min(w.started + w.allowed for w in active) - now
            ready = wait([w.conn for w in active] + [w.proc.sentinel for w in active], timeout=max(0.0, soonest))
            for k, w in enumerate(workers):
                if w.task is None:
                    continue
                i = w.task
                if w.conn in ready or w.proc.sentinel in ready:
                    msg = None
                    try:
                        if w.conn.poll():
                            msg = w.conn.recv()
                    except (EOFError, OSError):
                        msg = None
                    except Exception as exc:  # an unpicklable answer: the file, not the run, fails
                        msg = ("done", i, failed_doc(paths[i], f"worker answer unreadable: {type(exc).__name__}"), True)
                    if msg is not None and msg[0] == "pages":
                        pages = min(msg[2], settings.page_ceiling, settings.max_pages or msg[2])
                        w.allowed = settings.timeout_s + settings.timeout_per_page_s * pages
                        continue
                    if msg is not None and msg[0] == "done":
                        deliver(i, msg[2])
                        w.task, busy = None, busy - 1
                        if msg[3]:  # the worker leaves after a MemoryError: replace it now
                            w.proc.join(5)
                            w.kill()
                            workers[k] = _Worker(ctx, mem)
                        continue
                    if not w.proc.is_alive() or msg is None:
                        w.proc.join(1)
                        seconds = time.monotonic() - w.started
                        deliver(i, failed_doc(paths[i], _death_reason(w.proc.exitcode, mem), seconds))
                        w.kill()
                        workers[k] = _Worker(ctx, mem)
                        busy -= 1
                        continue
                if time.monotonic() >= w.started + w.allowed:
                    w.kill()
                    deliver(i, failed_doc(paths[i], f"timed out after {w.allowed:g} s", w.allowed))
                    workers[k] = _Worker(ctx, mem)
                    busy -= 1
    finally:
        for w in workers:
            if w.proc.is_alive():
                if w.task is None:
                    w.stop()
                else:
                    w.kill()


def run_batch(paths: Iterable[str | Path], settings: RunSettings = RunSettings(),
              progress: Callable[[DocRows], None] | None = None) -> BatchResult:
    """Every file through `process_file`, isolated unless `settings.isolate` is False.

    Exactly one DocRows per input path, in input order; `progress` sees them in
    that order too.
    """
    paths = [Path(p) for p in paths]
    t0 = time.perf_counter()
    result = BatchResult()
    slots: list[DocRows | None] = [None] * len(paths)
    next_out = 0

    def deliver(i: int, d: DocRows) -> None:
        nonlocal next_out
        slots[i] = d
        while next_out < len(slots) and slots[next_out] is not None:
            if progress:
                progress(slots[next_out])
            next_out += 1

    if not paths:
        pass
    elif settings.isolate:
        try:
            _run_isolated(paths, settings, deliver)
        except Exception as exc:  # a fault in the runner itself still leaves one row per file
            for i, d in enumerate(slots):
                if d is None:
                    deliver(i, failed_doc(paths[i], f"runner error: {type(exc).__name__}: {exc}"[:300]))
    else:
        for i, p in enumerate(paths):
            deliver(i, process_file(p, settings))
    # belt and braces: whatever happened, one row per input
    for i, d in enumerate(slots):
        if d is None:
            deliver(i, failed_doc(paths[i], "not processed (the run was interrupted)"))
    result.docs = [d for d in slots if d is not None]
    result.seconds = time.perf_counter() - t0
    return result


def _size(p: Path) -> int:
    try:
        return os.path.getsize(p)
    except OSError:
        return 0
