"""Batch orchestration (the local engine): files in, one DocRows per file, in a stable order.

The per-file chain itself lives in `pipeline.chain` (`process_file`, which never
raises: any failure becomes a `failed` documents row with its reason); this
module only decides where and how each file runs.

`run_batch` runs every file in a worker process with a time limit and a memory
ceiling (see RunSettings), so a hostile file can hang, blow up or crash only its
own worker: the worker is killed or replaced, the file gets a `failed`
documents row saying why, and the run goes on. Workers are long-lived (one per
slot, forked once, reused file after file) so isolation costs little. Results
are gathered in input order, so `--workers N` writes the same bytes as
`--workers 1`.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable

from pipeline import triage
from pipeline.chain import RunSettings, failed_doc, file_sha256, process_file  # noqa: F401 (re-exported)
from pipeline.records import DocRows


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


# ---------------------------------------------------------------- isolation

# A worker's garbage collector: the modules it was forked with are frozen out of every collection, and a
# young-generation collection runs every 10,000 net allocations rather than Python's 700. The chain makes
# millions of short-lived objects (words, lines, cells) that reference counting frees, and few cycles;
# collecting less often cuts about a tenth of the per-file CPU on Kent for a couple of MB of peak memory.
WORKER_GC_THRESHOLDS = (10_000, 10, 10)


def _worker_main(conn, max_memory_mb: int) -> None:
    """A worker: files in through `conn`, DocRows out, until told to stop."""
    import gc

    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)
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
        if max_memory_mb and -exitcode in (signal.SIGABRT, signal.SIGTRAP, signal.SIGILL):
            # PDFium's allocator aborts the process when an allocation fails (it has no MemoryError)
            return f"worker aborted ({name}) while parsing: probably exceeded memory ceiling of {max_memory_mb} MB"
        return f"worker crashed ({name}) while parsing"
    if exitcode == 0:
        return "worker exited unexpectedly while parsing"
    return f"worker exited with code {exitcode}"


@dataclass
class KeptWorkers:
    """Isolated workers kept alive from one `run_batch` call to the next, for an engine that calls
    `run_batch` once per file (a Dask task): each call then reuses a warm worker instead of starting
    one. `start_method` "" forks where available (as a plain run does); "forkserver" suits a
    multi-threaded caller holding sockets (a Dask worker). `close()` stops them."""
    start_method: str = ""
    workers: list = field(default_factory=list)
    max_memory_mb: int | None = None  # the ceiling they were started with (a new one starts them afresh)

    def close(self) -> None:
        for w in self.workers:
            if w.proc.is_alive():
                w.stop()
        self.workers.clear()


def _run_isolated(paths: list[Path], settings: RunSettings, deliver: Callable[[int, DocRows], None],
                  keep: KeptWorkers | None = None) -> None:
    # import the whole chain before forking so every worker starts warm
    import extractors.action_plan  # noqa: F401
    import extractors.classify  # noqa: F401
    from extractors.layout import LayoutSettings, _backend

    _backend(settings.layout or LayoutSettings.reader)  # the reader backend (its parser loads on first use)

    ctx = mp.get_context(keep.start_method) if keep is not None and keep.start_method else _context()
    n_workers = max(1, min(settings.workers, len(paths)))
    # largest files first keeps every worker busy to the end; results keep input order
    queue = deque(sorted(range(len(paths)), key=lambda i: -_size(paths[i])) if n_workers > 1 else range(len(paths)))
    mem = settings.max_memory_mb
    workers: list[_Worker] = keep.workers if keep is not None else []
    if keep is not None and keep.max_memory_mb != mem:
        keep.close()
        keep.max_memory_mb = mem
    try:
        alive = [w for w in workers if w.proc.is_alive()]
        for w in alive[n_workers:]:
            w.stop()
        workers[:] = alive[:n_workers]
        workers.extend(_Worker(ctx, mem) for _ in range(n_workers - len(workers)))
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
                    if keep is None:
                        w.stop()
                else:
                    w.kill()
        if keep is not None:
            workers[:] = [w for w in workers if w.task is None and w.proc.is_alive()]


def run_batch(paths: Iterable[str | Path], settings: RunSettings = RunSettings(),
              progress: Callable[[DocRows], None] | None = None, keep: KeptWorkers | None = None) -> BatchResult:
    """Every file through `process_file`, isolated unless `settings.isolate` is False.

    Exactly one DocRows per input path, in input order; `progress` sees them in
    that order too. `keep`: reuse (and leave running) these isolated workers.
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
            _run_isolated(paths, settings, deliver, keep)
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
