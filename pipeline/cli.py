"""The `councilx` command line."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _cmd_run(a: argparse.Namespace) -> int:
    from pipeline.formats import parse_formats  # not pipeline.export: pandas waits until the workers are started
    from pipeline.run import RunSettings, find_inputs, run_batch

    try:
        formats = parse_formats(a.format)
        paths = find_inputs(a.input)
        engine = _engine(a.dask) or run_batch
    except (FileNotFoundError, ValueError) as exc:
        print(f"councilx: {exc}", file=sys.stderr)
        return 2
    settings = RunSettings(workers=a.workers, password=a.password, ocr=a.ocr, timeout_s=a.timeout,
                           max_memory_mb=a.max_memory, layout=a.layout)
    from pipeline.gate import QualityGate

    t0 = time.perf_counter()
    # the quality gate's helper process imports Great Expectations and builds its suites while the files are
    # processed (pipeline/gate.py: a fresh interpreter, not a thread, so this process stays single-threaded
    # and never imports GX: the pool's forks, and re-forks after a crash or timeout, are as before)
    try:
        gate = QualityGate()
    except Exception:  # no helper (e.g. cannot start a process): the check runs in this process afterwards
        gate = None
    try:
        bar = None
        if sys.stderr.isatty() and not a.quiet:
            from tqdm import tqdm
            bar = tqdm(total=len(paths), unit="file", file=sys.stderr)

        def tick(d):
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(d.documents[0]["source"][:40])

        try:
            result = engine(paths, settings, progress=tick)
        except ConnectionError as exc:  # DaskUnavailable: no scheduler at --dask ADDRESS
            if bar is not None:
                bar.close()
            print(f"councilx: {exc}", file=sys.stderr)
            return 2
        if bar is not None:
            bar.close()
        tables = result.tables()
        extract_seconds = time.perf_counter() - t0
        quality, review = check_export_review(tables, Path(a.out), formats, password=a.password, workers=a.workers,
                                              gate=gate)
    finally:
        if gate is not None:
            gate.close()
    seconds = time.perf_counter() - t0
    if not a.quiet:
        print(_summary(tables, seconds, Path(a.out), quality, extract_seconds, review))
    return _strict_exit(quality, Path(a.out)) if a.strict else 0


def _engine(dask_address: str | None):
    """--dask ADDRESS: the Dask engine's run_batch (same shape as pipeline.run.run_batch); else None."""
    if not dask_address:
        return None
    import functools

    from pipeline.dask_engine import DaskSettings, parse_address, run_batch

    return functools.partial(run_batch, dask=DaskSettings(parse_address(dask_address)))


def check_and_export(tables: dict[str, list[dict]], out: Path, formats=("csv", "parquet", "xlsx")):
    """Quality-check a run's tables, then export them with quality_issues and the HTML report."""
    return check_export_review(tables, out, formats)[0]


def check_export_review(tables: dict[str, list[dict]], out: Path, formats=("csv", "parquet", "xlsx"),
                        password: str | None = None, workers: int = 1, gate=None):
    """check_and_export, then (with "review" in formats) the review page from the PDFs the run read.
    `gate`: a started `pipeline.gate.QualityGate` to validate in (else the check runs here). Returns
    (quality, review result or None)."""
    from pipeline.export import export, to_frame, to_frames, write_text
    from schemas.contract import TABLES

    if gate is not None:
        gate.submit(tables, wait=False)  # validation starts in the helper now, unless that would wait for it
    frames = to_frames(tables)
    # the contract tables and the review's page images do not depend on the quality check: write them first
    # (while the gate validates); then quality_issues, the workbook (it has a quality_issues sheet), the report
    export(frames, out, formats, tables=[name for name in TABLES if name != "quality_issues"], workbook=False)
    if gate is not None:
        gate.submit(tables, wait=False)  # again: the helper may be ready by now
    images = None
    if "review" in formats:
        from pipeline.review import render_review_images

        images = render_review_images(frames, out, password=password, workers=workers)
    if gate is not None:
        quality = gate.result(frames, tables)
    else:
        # every file is done: only now pay for importing Great Expectations
        from pipeline.quality import run_quality

        quality = run_quality(frames)
    from pipeline.quality import REPORT_NAME, render_report

    frames["quality_issues"] = to_frame(TABLES["quality_issues"], quality.issues)
    export(frames, out, formats, tables=["quality_issues"])
    write_text(out / REPORT_NAME, render_report(quality))
    review = None
    if "review" in formats:
        from pipeline.review import write_review

        review = write_review(frames, out, password=password, workers=workers, images=images)
    return quality, review


def _strict_exit(quality, out: Path) -> int:
    """--strict: 1 when a critical expectation failed, else 0."""
    if quality.passed:
        return 0
    print(f"councilx: --strict: {len(quality.failed_checks('critical'))} critical expectation(s) failed; "
          f"see {out / 'quality_report.html'}", file=sys.stderr)
    return 1


def _summary(tables: dict[str, list[dict]], seconds: float, out: Path, quality=None,
             extract_seconds: float | None = None, review=None) -> str:
    docs = tables.get("documents", [])
    by_status: dict[str, int] = {}
    for d in docs:
        by_status[d["status"]] = by_status.get(d["status"], 0) + 1
    pages = sum(int(d.get("pages") or 0) for d in docs)
    lines = [
        "councilx run summary",
        f"  files       {len(docs)}  (" + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())) + ")",
        f"  pages       {pages}",
        f"  records     {len(tables.get('recommendations', []))} recommendations, "
        f"{len(tables.get('timescales', []))} timescales, {len(tables.get('costs', []))} costs, "
        f"{len(tables.get('leads', []))} lead codes",
        f"  meetings    {len(tables.get('meetings', []))} meetings, {len(tables.get('agenda_items', []))} agenda items, "
        f"{len(tables.get('minutes_items', []))} minutes, {len(tables.get('status_updates', []))} RAG status rows",
        f"  seconds     {seconds:.1f}  ({pages / seconds if seconds else 0:.1f} pages/s)"
        + (f"; extraction {extract_seconds:.1f}, quality + export {seconds - extract_seconds:.1f}"
           if extract_seconds is not None else ""),
        f"  output      {out}",
    ]
    if quality is not None:
        lines.insert(-1, f"  quality     {quality.summary_line()}")
        for r in sorted(quality.failed, key=lambda r: r.check.severity != "critical")[:8]:
            c = r.check
            lines.insert(-1, f"    {c.severity:8s}  {c.table}.{c.column}: {c.check} "
                             f"({r.unexpected_count} of {r.element_count} rows)")
        lines.insert(-1, f"  report      {out / 'quality_report.html'}  (issues in quality_issues.*)")
        needy = quality.needs_review()
        source = {d["doc_id"]: d["source"] for d in docs}
        lines.insert(-1, f"  self-check  {len(needy)} document{'' if len(needy) == 1 else 's'} need"
                         f"{'s' if len(needy) == 1 else ''} review" + (" (self-check of the extraction)" if needy else ""))
        for doc_id, symptoms in list(needy.items())[:10]:
            lines.insert(-1, f"    {source.get(doc_id, doc_id)}: {'; '.join(symptoms)}")
        if len(needy) > 10:
            lines.insert(-1, f"    ... and {len(needy) - 10} more (see quality_issues.*)")
    if review is not None:
        lines.insert(-1, f"  review      {review.summary_line()}")
    failures = [d for d in docs if d["status"] != "ok"]
    for d in failures[:10]:
        lines.append(f"  {d['status']:7s}     {d['source']}: {d['error'][:100]}")
    if len(failures) > 10:
        lines.append(f"  ... and {len(failures) - 10} more (see documents.csv)")
    return "\n".join(lines)


def _cmd_normalise(a: argparse.Namespace) -> int:
    from pipeline.normalise import find_dates, find_money, find_times

    finders = {"date": find_dates, "money": find_money, "time": lambda t: [x for x in find_times(t) if not x.end]}
    for line in sys.stdin:
        text = line.rstrip("\n")
        found = finders[a.kind](text)
        sys.stdout.write(json.dumps(found[0].as_json() if found else {}, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


def _cmd_ingest(a: argparse.Namespace) -> int:
    from pipeline.ingest import EXIT_BUSY, EXIT_USAGE, IngestSettings, StoreBusy, ingest
    from pipeline.run import RunSettings

    settings = IngestSettings(run=RunSettings(workers=a.workers, password=a.password, layout=a.layout), wait=a.wait,
                              retry_failed=a.retry_failed, dask=a.dask)
    if a.dask:
        from pipeline.dask_engine import parse_address

        try:
            parse_address(a.dask)
        except ValueError as exc:
            print(f"councilx: {exc}", file=sys.stderr)
            return EXIT_USAGE
    progress = None if a.quiet else (lambda kind, name: print(f"  {kind:8s}  {name}", flush=True))
    try:
        report = ingest(a.inbox, a.store, settings, progress=progress)
    except FileNotFoundError as exc:
        print(f"councilx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreBusy as exc:
        print(f"councilx: {exc}; not ingesting (use --wait SECONDS to wait for it)", file=sys.stderr)
        return EXIT_BUSY
    except ConnectionError as exc:  # DaskUnavailable (the run is recorded as 'error' in runs)
        print(f"councilx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if report.exit_code or not a.quiet:  # -q: silent on success, so cron mails only failures
        print(report.summary(Path(a.store)), flush=True)
    return report.exit_code


def _cmd_export(a: argparse.Namespace) -> int:
    from pipeline.export import export
    from pipeline.formats import parse_formats
    from pipeline.ingest import EXIT_BUSY, EXIT_USAGE
    from pipeline.store import StoreBusy, connect, current_frames, source_paths

    try:
        con = connect(Path(a.store), read_only=True)
    except FileNotFoundError as exc:
        print(f"councilx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreBusy as exc:
        print(f"councilx: {exc}", file=sys.stderr)
        return EXIT_BUSY
    try:
        formats = parse_formats(a.format)
    except ValueError as exc:
        con.close()
        print(f"councilx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        frames = current_frames(con)
        paths = source_paths(con) if "review" in formats else {}
    finally:
        con.close()
    written = export(frames, a.out, formats)
    review = None
    if "review" in formats:
        from pipeline.review import write_review

        review = write_review(frames, a.out, pdf_paths=paths)
    if not a.quiet:
        print(f"councilx export: {len(frames['documents'])} current documents, "
              f"{len(frames['recommendations'])} recommendations -> {a.out} ({len(written)} files)")
        if review is not None:
            print(f"  review      {review.summary_line()}")
    return 0


DEFAULT_FORMATS = "csv,parquet,xlsx,review"
FORMAT_HELP = ("comma-separated outputs: csv, parquet, xlsx, review (review/index.html: every row beside its page "
               "image; default all four)")


def _layout_option(p: argparse.ArgumentParser) -> None:
    from extractors.layout import READERS, LayoutSettings

    p.add_argument("--layout", choices=READERS, default=LayoutSettings.reader,
                   help=f"PDF layout reader (default {LayoutSettings.reader}; pdfplumber is the slower reference)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="councilx", description="Turn UK council PDFs into clean, checked data.")
    sub = ap.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="extract every PDF under INPUT into the contract tables")
    r.add_argument("input", help="a PDF file or a folder (searched recursively)")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--workers", type=int, default=1, help="files processed in parallel (default 1)")
    r.add_argument("--password", default=None, help="password for encrypted PDFs")
    r.add_argument("--ocr", action="store_true",
                   help="give image-only pages a text layer with ocrmypdf (if installed) before extracting")
    r.add_argument("--timeout", type=float, default=120.0, metavar="S",
                   help="time limit per file: S seconds plus 1 s per page (default 120)")
    r.add_argument("--max-memory", type=int, default=4096, metavar="MB",
                   help="memory (address-space) ceiling of each worker process in MB, 0 for none (default 4096)")
    r.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run one task per file on a Dask cluster: tcp://HOST:PORT of a running scheduler, "
                        "or local:N to start N local worker processes (--workers is then ignored)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    r.add_argument("--format", default=DEFAULT_FORMATS, help=FORMAT_HELP)
    r.add_argument("--strict", action="store_true",
                   help="exit 1 when a critical data-quality expectation fails (outputs are still written)")
    _layout_option(r)
    r.set_defaults(func=_cmd_run)

    n = sub.add_parser("normalise", help="normalise date, money or time expressions, one per stdin line")
    n.add_argument("--kind", choices=("date", "money", "time"), required=True)
    n.set_defaults(func=_cmd_normalise)

    i = sub.add_parser("ingest", help="add new or changed PDFs under INBOX to a store (incremental, crash-safe)")
    i.add_argument("inbox", help="a PDF file or a folder (searched recursively)")
    i.add_argument("--store", required=True, help="store folder (DuckDB catalogue + Parquet dataset)")
    i.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait up to SECONDS for a running ingest to finish (default: exit at once, code 3)")
    i.add_argument("--workers", type=int, default=1, help="files extracted in parallel (default 1)")
    i.add_argument("--password", default=None, help="password for encrypted PDFs")
    i.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="extract on a Dask cluster: tcp://HOST:PORT or local:N (--workers is then ignored)")
    i.add_argument("--retry-failed", action="store_true", help="re-extract stored content whose extraction failed")
    i.add_argument("-q", "--quiet", action="store_true", help="no per-file lines; summary only on failure")
    _layout_option(i)
    i.set_defaults(func=_cmd_ingest)

    e = sub.add_parser("export", help="write a store's current (not superseded) tables in the contract formats")
    e.add_argument("--store", required=True, help="store folder made by councilx ingest")
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--format", default=DEFAULT_FORMATS, help=FORMAT_HELP)
    e.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    e.set_defaults(func=_cmd_export)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
