"""`make bench`: throughput figures, each printed as a ratio against a baseline
measured in the same run on the same machine (never as an absolute pass/fail).

Each section is a function taking the parsed arguments and returning lines to
print; SECTIONS lists them in order.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _plumber_text(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        n = 0
        for page in pdf.pages:
            page.extract_text()
            page.close()
            n += 1
        return n


def _plumber_baseline(paths: list[Path]) -> tuple[int, float]:
    """The baseline every speed figure is a ratio to: pdfplumber's extract_text over `paths`
    (pages read, seconds); a file it cannot read adds no pages."""
    t0 = time.perf_counter()
    pages = 0
    for p in paths:
        try:
            pages += _plumber_text(p)
        except Exception:
            pass
    return pages, time.perf_counter() - t0


def bench_pipeline(a: argparse.Namespace) -> list[str]:
    """Full-pipeline pages/s vs pdfplumber's own extract_text on the same files."""
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    pages, base = _plumber_baseline(paths)
    base_rate = pages / base if base else 0.0

    t0 = time.perf_counter()
    r1 = run_batch(paths, RunSettings(workers=1))
    one = time.perf_counter() - t0
    pages1 = sum(int(d.documents[0]["pages"] or 0) for d in r1.docs)
    t0 = time.perf_counter()
    run_batch(paths, RunSettings(workers=2))
    two = time.perf_counter() - t0
    rate1, rate2 = pages1 / one, pages1 / two
    return [
        f"corpus                {a.corpus}  ({len(paths)} files, {pages1} pages)",
        f"pdfplumber extract_text {base_rate:8.1f} pages/s  (baseline, {base:.1f} s)",
        f"councilx --workers 1    {rate1:8.1f} pages/s  = {rate1 / base_rate:.2f}x baseline",
        f"councilx --workers 2    {rate2:8.1f} pages/s  = {rate2 / rate1:.2f}x one worker",
    ]


def committee_papers(paths: list[Path]) -> list[Path]:
    """The agendas and printed minutes among `paths`: files whose first page opens as one (by content)."""
    from extractors.classify import COMMITTEE_TYPES, classify
    from extractors.layout import LayoutSettings, read_layout

    out = []
    for p in paths:
        try:
            if classify(read_layout(p, LayoutSettings(max_pages=1))).doc_type in COMMITTEE_TYPES:
                out.append(p)
        except Exception:
            pass
    return out


def bench_minutes(a: argparse.Namespace) -> list[str]:
    """Minutes-heavy folder (the corpus's agendas and printed minutes): pages/s vs pdfplumber extract_text."""
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    paths = committee_papers(paths)
    if not paths:
        return ["skipped: no agendas or minutes in the corpus"]
    t0 = time.perf_counter()
    pages = sum(_plumber_text(p) for p in paths)
    base = time.perf_counter() - t0
    base_rate = pages / base if base else 0.0
    t0 = time.perf_counter()
    r = run_batch(paths, RunSettings(workers=1))
    spent = time.perf_counter() - t0
    rate = pages / spent
    t = r.tables()
    return [
        f"committee papers        {len(paths)} files, {pages} pages ({len(t.get('meetings', []))} meetings, "
        f"{len(t.get('agenda_items', []))} agenda items, {len(t.get('minutes_items', []))} minutes)",
        f"pdfplumber extract_text {base_rate:8.1f} pages/s  (baseline, {base:.1f} s)",
        f"councilx --workers 1    {rate:8.1f} pages/s  = {rate / base_rate:.2f}x baseline",
    ]


def bench_quality(a: argparse.Namespace) -> list[str]:
    """Quality gate, exports and review page: seconds as a share of extraction (review: of the whole run).

    Same files, same run; the review page's share counts extraction, quality (GX import included), export
    and the page itself, as `councilx run` spends them."""
    import tempfile

    from pipeline.export import export, to_frames
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    t0 = time.perf_counter()
    result = run_batch(paths, RunSettings(workers=1))
    extract = time.perf_counter() - t0
    frames = to_frames(result.tables())
    rows = sum(len(f) for f in frames.values())
    t0 = time.perf_counter()
    from pipeline.quality import run_quality

    q = run_quality(frames)  # includes importing Great Expectations, unless an earlier section did
    quality = time.perf_counter() - t0
    t0 = time.perf_counter()
    q2 = run_quality(frames)  # GX already imported: the validation alone
    validate = time.perf_counter() - t0
    from pipeline.export import to_frame
    from pipeline.review import write_review
    from schemas.contract import TABLES

    frames["quality_issues"] = to_frame(TABLES["quality_issues"], q2.issues)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        export(frames, tmp)
        exported = time.perf_counter() - t0
        rv = write_review(frames, tmp)  # times itself: rows, page images rendered, the page written
    run_total = extract + quality + exported + rv.seconds  # what `councilx run` spends, GX import included
    return [
        f"extraction            {extract:8.1f} s  (baseline, {len(paths)} files, {rows} rows)",
        f"quality, first run    {quality:8.1f} s  = {quality / extract:.2f}x extraction "
        f"(GX import {q.import_seconds:.1f} s)",
        f"quality, GX loaded    {validate:8.1f} s  = {validate / extract:.2f}x extraction "
        f"({len(q2.results)} expectations, {len(q2.issues)} issue rows)",
        f"export csv+parquet+xlsx {exported:6.1f} s  = {exported / extract:.2f}x extraction",
        f"review page             {rv.seconds:6.1f} s  = {rv.seconds / run_total:.1%} of run time "
        f"({rv.entries} rows, {rv.images} page images, {rv.kb_per_image:.0f} KB each"
        + (f", {rv.seconds / rv.images * 1000:.0f} ms each" if rv.images else "") + ")",
    ]


def _normalise_inputs(shared: Path) -> tuple[list[str], list[str], list[str], list[str]]:
    """(date phrases, money phrases, timescale cells, resource cells) from ../shared/eval."""
    import csv
    import json

    def phrases(name: str) -> list[str]:
        with open(shared / "eval" / "phrases" / name, newline="", encoding="utf-8-sig") as fh:
            return [r["phrase"] for r in csv.DictReader(fh)]

    t_cells, r_cells = [], []
    for g in sorted((shared / "eval" / "gold").glob("*.json")):
        for rec in json.loads(g.read_text(encoding="utf-8"))["records"]:
            t_cells.append(rec.get("timescale") or "")
            r_cells.append(rec.get("resource") or "")
    return phrases("timescales.csv"), phrases("costs.csv"), t_cells, r_cells


def _rate(fn, items: list[str], repeat: int, reset=None) -> float:
    """Items per second over `repeat` rounds; `reset` (e.g. a cache clear) runs untimed before each round."""
    spent = 0.0
    for _ in range(repeat):
        if reset is not None:
            reset()
        t0 = time.perf_counter()
        for x in items:
            fn(x)
        spent += time.perf_counter() - t0
    return len(items) * repeat / spent


def bench_normalise(a: argparse.Namespace) -> list[str]:
    """Normaliser expressions/s (phrases and gold cells) vs dateparser.parse on the same phrases."""
    import dateparser

    from pipeline.normalise import clear_caches, find_dates, find_money

    shared = Path(a.corpus).resolve().parent.parent
    if not (shared / "eval" / "phrases").exists():
        return [f"skipped: no {shared / 'eval' / 'phrases'}"]
    d_phr, m_phr, t_cells, r_cells = _normalise_inputs(shared)
    find_dates("by end Dec 2019 or 10 Febuary 2025")  # build spaCy, the grammar and dateparser outside the timing
    find_money("£55k pa")
    settings = {"DATE_ORDER": "DMY"}
    dateparser.parse("12 March 2020", languages=["en"], settings=settings)
    base = _rate(lambda x: dateparser.parse(x, languages=["en"], settings=settings), d_phr, 1)
    rows = [  # every round starts with empty cell caches: these are first-sight rates
        ("dates, phrases", _rate(find_dates, d_phr, 10, clear_caches), len(d_phr)),
        ("dates, timescale cells", _rate(find_dates, t_cells, 10, clear_caches), len(t_cells)),
        ("money, phrases", _rate(find_money, m_phr, 10, clear_caches), len(m_phr)),
        ("money, resource cells", _rate(find_money, r_cells, 10, clear_caches), len(r_cells)),
    ]
    lines = [f"dateparser.parse        {base:10.0f} phrases/s  (baseline, {len(d_phr)} date phrases)"]
    for name, rate, n in rows:
        lines.append(f"{name:23s} {rate:10.0f} /s  = {rate / base:6.1f}x baseline  ({n} inputs)")
    return lines


def bench_reingest(a: argparse.Namespace) -> list[str]:
    """No-change re-ingest (councilx ingest) vs SHA-256 hashing of the same files."""
    import shutil
    import statistics
    import tempfile

    from pipeline.ingest import IngestSettings, ingest
    from pipeline.run import RunSettings, file_sha256, find_inputs

    paths = find_inputs(a.corpus)
    inbox = a.corpus
    tmp = Path(tempfile.mkdtemp(prefix="councilx-bench-"))
    try:
        if a.limit:
            paths = paths[: a.limit]
            inbox = tmp / "inbox"
            for p in paths:
                dest = inbox / p.relative_to(a.corpus)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(p, dest)
        store = tmp / "store"
        t0 = time.perf_counter()
        first = ingest(inbox, store, IngestSettings(run=RunSettings(workers=2)))
        first_s = time.perf_counter() - t0
        hashing, again = [], []
        for _ in range(3):  # best of three each, interleaved, files warm in the page cache for both
            t0 = time.perf_counter()
            for p in paths:
                file_sha256(p)
            hashing.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = ingest(inbox, store)
            again.append(time.perf_counter() - t0)
            assert r.files_unchanged == len(paths) and r.rows_added == 0, "a no-change re-ingest added rows"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    h, g = min(hashing), min(again)
    n = len(paths)
    return [
        f"corpus                 {a.corpus}  ({n} files)",
        f"first ingest           {first_s:8.2f} s  ({first.files_new} new, --workers 2)",
        f"sha256 of every file   {h:8.3f} s  (baseline)",
        f"no-change re-ingest    {g:8.3f} s  = {g / n * 100:.3f} s per 100 files = {g / h:.1f}x baseline"
        f"  (runs: {', '.join(f'{x:.3f}' for x in again)}; median {statistics.median(again):.3f} s)",
    ]


def bench_isolation(a: argparse.Namespace) -> list[str]:
    """Cost of running each file in an isolated worker (time limit, memory ceiling) vs in-process."""
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    spent = {False: 0.0, True: 0.0}
    statuses = {}
    for isolate in (False, True, True, False):  # A B B A: a drift in machine load cancels out
        t0 = time.perf_counter()
        r = run_batch(paths, RunSettings(workers=1, isolate=isolate))
        spent[isolate] += time.perf_counter() - t0
        statuses[isolate] = [d.documents[0]["status"] for d in r.docs]
        pages = sum(int(d.documents[0]["pages"] or 0) for d in r.docs)
    inproc, isolated = spent[False] / 2, spent[True] / 2
    same = "same" if statuses[False] == statuses[True] else "DIFFERENT"
    return [
        f"corpus                  {a.corpus}  ({len(paths)} files, {pages} pages; 2 runs each, A B B A)",
        f"in-process, 1 worker    {pages / inproc:8.1f} pages/s  (baseline, {inproc:.1f} s a run)",
        f"isolated,   1 worker    {pages / isolated:8.1f} pages/s  = {inproc / isolated:.2f}x baseline"
        f"  ({same} statuses)",
    ]


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                kids = [int(x) for x in fh.read().split()]
        except OSError:
            kids = []
        out.extend(kids)
        todo.extend(kids)
    return out


def _is_gate(pid: int) -> bool:
    """A quality-gate helper (python -m pipeline.gate), not a worker of the pool."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"pipeline.gate" in fh.read()
    except OSError:
        return False


def _peak_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cli_run(inputs: list[Path], layout: str, workers: int,
             formats: str = "csv,parquet,xlsx") -> tuple[float, int, int, int, int]:
    """A whole `councilx run` in a fresh process (start-up, workers, quality gate, exports).

    Returns (seconds, pages, peak RSS of the main process in kB, peak RSS of any worker in kB, peak RSS
    of the quality gate's helper processes in kB: pipeline/gate.py); the peaks are each process's
    VmHWM, polled while it runs.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="councilx-bench-") as tmp:
        listing = Path(tmp) / "in"
        listing.mkdir()
        for k, p in enumerate(inputs):  # a folder of links: the run sees exactly these files, in this order
            (listing / f"{k:05d}-{p.name}").symlink_to(p.resolve())
        cmd = [sys.executable, "-m", "pipeline.cli", "run", str(listing), "--out", str(Path(tmp) / "out"),
               "--workers", str(workers), "--layout", layout, "-q", "--format", formats]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd)
        peaks: dict[int, int] = {}
        gates: set[int] = set()
        while proc.poll() is None:
            for pid in [proc.pid, *_descendants(proc.pid)]:
                peaks[pid] = max(peaks.get(pid, 0), _peak_kb(pid))
                if pid not in gates and _is_gate(pid):
                    gates.add(pid)
            time.sleep(0.05)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
        import pyarrow.parquet as pq

        docs = pq.read_table(Path(tmp) / "out" / "documents.parquet").to_pylist()
        pages = sum(int(d["pages"] or 0) for d in docs)
    main = peaks.pop(proc.pid, 0)
    return (seconds, pages, main, max((kb for pid, kb in peaks.items() if pid not in gates), default=0),
            max((kb for pid, kb in peaks.items() if pid in gates), default=0))


def _layout_only(paths: list[Path], reader: str, arrays: bool = True) -> float:
    """Seconds for the layout stage alone (read_layout) over `paths`, in this process."""
    from extractors.layout import LayoutSettings, pdfium_reader, read_layout

    before = pdfium_reader.USE_ARRAYS
    pdfium_reader.USE_ARRAYS = arrays
    try:
        t0 = time.perf_counter()
        for p in paths:
            try:
                read_layout(p, LayoutSettings(reader=reader))
            except Exception:
                pass
        return time.perf_counter() - t0
    finally:
        pdfium_reader.USE_ARRAYS = before


def bench_readers(a: argparse.Namespace) -> list[str]:
    """Layout readers: whole `councilx run` pages/s per reader vs pdfplumber's extract_text, and peak RSS.

    The baseline is measured before and after the runs (the ratios are to their mean, so load that drifts
    during the section shows as a gap between the two); the default reader's one-worker run, the headline
    figure, is repeated `a.repeat` times and its median reported. Then the layout stage alone per reader
    path (the PDFium reader with its C part and numpy, and with its pure-Python loop)."""
    import statistics

    from extractors.layout import READERS, pdfium_reader
    from pipeline.run import find_inputs

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    pages, base0 = _plumber_baseline(paths)
    load = os.getloadavg()[0]
    default = READERS[-1]
    results = []
    runs = [(default, 1)] * max(1, a.repeat) + [(r, 1) for r in reversed(READERS) if r != default] + [(default, 2)]
    for reader, workers in runs:
        results.append((reader, workers, *_cli_run(paths, reader, workers)))
    from pipeline.cli import DEFAULT_FORMATS

    full = _cli_run(paths, default, 1, DEFAULT_FORMATS)  # as `councilx run` writes by default: the review page too
    _, base1 = _plumber_baseline(paths)
    base_rate = pages / ((base0 + base1) / 2) if base0 + base1 else 0.0
    lines = [f"corpus                  {a.corpus}  ({len(paths)} files; load average {load:.1f} on "
             f"{os.cpu_count()} cores at the start)",
             f"pdfplumber extract_text {base_rate:8.1f} pages/s  (baseline, {pages} pages in {base0:.1f} s before "
             f"the runs, {base1:.1f} s after)"]
    head = [r for r in results if r[:2] == (default, 1)]
    seconds = statistics.median(r[2] for r in head)
    n = head[0][3]
    rate = n / seconds
    worker_kb, main_kb, gate_kb = max(r[5] for r in head), max(r[4] for r in head), max(r[6] for r in head)
    lines.append(f"councilx --layout {default:10s} --workers 1  {rate:8.1f} pages/s  = {rate / base_rate:5.2f}x baseline  "
                 f"({n} pages, median of {len(head)} runs {seconds:.1f} s [{', '.join(f'{r[2]:.1f}' for r in head)}]; "
                 f"peak RSS worker {worker_kb / 1024:.0f} MB, main {main_kb / 1024:.0f} MB, quality gate "
                 f"{gate_kb / 1024:.0f} MB)")
    lines.append(f"  the same, every format {full[1] / full[0]:8.1f} pages/s  = {full[1] / full[0] / base_rate:5.2f}x baseline  "
                 f"({full[0]:.1f} s; --format {DEFAULT_FORMATS}, as by default: the review page's images too)")
    for reader, workers, seconds, n, main_kb, worker_kb, gate_kb in results:
        if (reader, workers) == (default, 1):
            continue
        rate = n / seconds
        lines.append(f"councilx --layout {reader:10s} --workers {workers}  {rate:8.1f} pages/s  = "
                     f"{rate / base_rate:5.2f}x baseline  ({n} pages, {seconds:.1f} s; peak RSS "
                     f"worker {worker_kb / 1024:.0f} MB, main {main_kb / 1024:.0f} MB, "
                     f"quality gate {gate_kb / 1024:.0f} MB)")
    stage = [("pdfium, C part + numpy", "pdfium", True), ("pdfium, Python loop", "pdfium", False)]
    if pdfium_reader._arrays is None:
        stage = stage[1:]
    for label, reader, arrays in stage + [("pdfplumber", "pdfplumber", True)]:
        t = _layout_only(paths, reader, arrays)
        lines.append(f"layout stage alone, {label:22s} {pages / t:8.1f} pages/s  = {pages / t / base_rate:5.2f}x baseline")
    return lines


_DIRECT = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from pipeline.chain import RunSettings, process_file
from pipeline.cli import check_export_review
from pipeline.run import BatchResult
res = BatchResult([process_file(sys.argv[1], RunSettings(isolate=False))])
check_export_review(res.tables(), Path(sys.argv[2]), ("csv", "parquet", "xlsx"))
print(time.perf_counter() - t0)
"""


def bench_small(a: argparse.Namespace) -> list[str]:
    """Per-file overhead: a whole `councilx run --workers 1` of one small file against the same work done
    directly (process_file, the quality check, the exports) in a fresh interpreter, and in a warm one."""
    import statistics
    import subprocess
    import tempfile

    from pipeline.run import find_inputs

    paths = [p for p in find_inputs(a.corpus) if 4 <= _pages(p) <= 8]
    if not paths:
        return ["no file of 4-8 pages in the corpus"]
    f = min(paths, key=lambda p: (p.stat().st_size, str(p)))
    cli = statistics.median([_cli_run([f], "pdfium", 1)[0] for _ in range(3)])
    with tempfile.TemporaryDirectory(prefix="councilx-bench-") as tmp:
        def direct() -> float:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", _DIRECT, str(f), tmp], check=True, capture_output=True)
            return time.perf_counter() - t0
        cold = statistics.median([direct() for _ in range(3)])
        from pipeline.chain import RunSettings, process_file
        from pipeline.cli import check_export_review
        from pipeline.run import BatchResult

        def warm() -> float:
            t0 = time.perf_counter()
            res = BatchResult([process_file(f, RunSettings(isolate=False))])
            check_export_review(res.tables(), Path(tmp), ("csv", "parquet", "xlsx"))
            return time.perf_counter() - t0
        warm()
        hot = statistics.median([warm() for _ in range(3)])
    return [f"file                    {f.name} ({_pages(f)} pages)",
            f"the work, fresh interpreter {cold:6.2f} s  (process_file, quality check, exports; imports included)",
            f"the work, warm process      {hot:6.2f} s  (everything imported)",
            f"councilx run --workers 1    {cli:6.2f} s  = {cli / cold:.2f}x the work in a fresh interpreter, "
            f"{cli / hot:.2f}x in a warm one (medians of 3)"]


def _pages(path: Path) -> int:
    """A PDF's page count through the layout interface (0 for a file it cannot open)."""
    from extractors.layout import open_document

    try:
        with open_document(path) as doc:
            return doc.n_pages or 0
    except Exception:
        return 0


def bench_pack(a: argparse.Namespace) -> list[str]:
    """Memory: a 1,000-page pack (corpus PDFs concatenated with pypdf) through one worker: peak RSS."""
    import tempfile

    from pipeline.run import find_inputs

    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        return ["skipped: pypdf is not installed (pip install -e '.[test]')"]
    paths = find_inputs(a.corpus)
    with tempfile.TemporaryDirectory(prefix="councilx-pack-") as tmp:
        writer, n = PdfWriter(), 0
        while n < a.pack_pages:
            for p in paths:
                try:
                    r = PdfReader(str(p))
                    if r.is_encrypted:
                        continue
                    for page in r.pages:
                        writer.add_page(page)
                        n += 1
                except Exception:
                    continue
                if n >= a.pack_pages:
                    break
        pack = Path(tmp) / "pack.pdf"
        with open(pack, "wb") as fh:
            writer.write(fh)
        size = pack.stat().st_size
        seconds, pages, main_kb, worker_kb, _ = _cli_run([pack], "pdfium", 1)
    return [f"pack                    {pages} pages, {size / 1e6:.1f} MB (from {a.corpus})",
            f"councilx --workers 1    {seconds:8.1f} s  ({pages / seconds:.1f} pages/s); peak RSS worker "
            f"{worker_kb / 1024:.0f} MB, main {main_kb / 1024:.0f} MB"]


class _CpuMeter:
    """CPU seconds (user + system) of this process and every process below it while a run lasts,
    sampled every `every` s (the largest reading per process): unlike wall time, it does not depend on
    how much of a shared machine the run got."""

    def __init__(self, every: float = 0.25):
        import threading

        self.every, self.seen = every, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        for p in [me, *me.children(recursive=True)]:
            try:
                t = p.cpu_times()
                self.seen[p.pid] = max(self.seen.get(p.pid, 0.0), t.user + t.system)
            except psutil.Error:
                pass

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> "_CpuMeter":
        self._sample()
        self.start = sum(self.seen.values())
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.seconds = sum(self.seen.values()) - self.start


def bench_dask(a: argparse.Namespace) -> list[str]:
    """Dask engine (--dask local:2, or --dask ADDRESS) pages/s vs the local pool (--workers 2), same files."""
    from pipeline.dask_engine import DaskSettings, run_batch as dask_run_batch
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    strip = lambda r: [({k: v for k, v in d.documents[0].items() if k != "seconds"}, d.recommendations)  # noqa: E731
                       for d in r.docs]
    spent = {False: 0.0, True: 0.0}
    cpu = {False: 0.0, True: 0.0}
    rows, startup, peak = {}, [], (0, 0)
    for on_dask in (False, True, True, False):  # A B B A: a drift in machine load cancels out
        t0 = time.perf_counter()
        with _CpuMeter() as meter:
            if on_dask:
                r = dask_run_batch(paths, RunSettings(), dask=DaskSettings(a.dask))
                startup.append(r.startup_seconds)
                peak = max(peak, (r.peak_tasks_in_flight, r.peak_bytes_in_flight))
            else:
                r = run_batch(paths, RunSettings(workers=2))
        spent[on_dask] += time.perf_counter() - t0
        cpu[on_dask] += meter.seconds
        rows.setdefault(on_dask, strip(r))
    pages = sum(int(d["pages"] or 0) for d, _ in rows[False])
    local, remote = spent[False] / 2, spent[True] / 2
    run_only = remote - sum(startup) / 2
    same = "same rows" if rows[False] == rows[True] else "DIFFERENT rows"
    return [
        f"corpus                  {a.corpus}  ({len(paths)} files, {pages} pages; 2 runs each, A B B A)",
        f"--workers 2             {pages / local:8.1f} pages/s  (baseline, {local:.1f} s a run)",
        f"--dask {a.dask:16s} {pages / remote:8.1f} pages/s  = {local / remote:.2f}x baseline  ({remote:.1f} s a run; {same})",
        f"  without cluster start {pages / run_only:8.1f} pages/s  = {local / run_only:.2f}x baseline"
        f"  (start {', '.join(f'{x:.1f}' for x in startup)} s; peak {peak[0]} tasks, {peak[1] / 1e6:.1f} MB in flight)",
        f"CPU s per page          {cpu[False] / 2 / pages:8.3f} --workers 2, {cpu[True] / 2 / pages:.3f} --dask"
        f" = {cpu[True] / cpu[False] if cpu[False] else 0:.2f}x  (every process of the run; local cluster only)",
    ]


SECTIONS = [bench_readers, bench_small, bench_pack, bench_pipeline, bench_minutes, bench_isolation, bench_normalise, bench_quality,
            bench_reingest, bench_dask]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/kent"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--dask", default="local:2", help="cluster for the Dask section: local:N or tcp://HOST:PORT")
    ap.add_argument("--pack-pages", type=int, default=1000, help="pages in the memory section's pack (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the headline figure (one worker, default reader); the median is reported")
    ap.add_argument("--only", default="", help="run only the sections whose name contains this (e.g. normalise)")
    a = ap.parse_args(argv)
    for section in SECTIONS:
        if a.only and a.only not in section.__name__:
            continue
        print(f"== {section.__doc__.strip().splitlines()[0]}")
        for line in section(a):
            print("  " + line)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
