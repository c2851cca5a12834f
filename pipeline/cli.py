"""The `councilx` command line."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _cmd_run(a: argparse.Namespace) -> int:
    from pipeline.export import export, to_frames
    from pipeline.run import RunSettings, find_inputs, run_batch

    try:
        paths = find_inputs(a.input)
    except FileNotFoundError as exc:
        print(f"councilx: {exc}", file=sys.stderr)
        return 2
    settings = RunSettings(workers=a.workers, password=a.password, ocr=a.ocr, timeout_s=a.timeout,
                           max_memory_mb=a.max_memory)
    bar = None
    if sys.stderr.isatty() and not a.quiet:
        from tqdm import tqdm
        bar = tqdm(total=len(paths), unit="file", file=sys.stderr)

    def tick(d):
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(d.documents[0]["source"][:40])

    t0 = time.perf_counter()
    result = run_batch(paths, settings, progress=tick)
    if bar is not None:
        bar.close()
    tables = result.tables()
    frames = to_frames(tables)
    export(frames, a.out)
    seconds = time.perf_counter() - t0
    if not a.quiet:
        print(_summary(tables, seconds, Path(a.out)))
    return 0


def _summary(tables: dict[str, list[dict]], seconds: float, out: Path) -> str:
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
        f"  seconds     {seconds:.1f}  ({pages / seconds if seconds else 0:.1f} pages/s)",
        f"  output      {out}",
    ]
    failures = [d for d in docs if d["status"] != "ok"]
    for d in failures[:10]:
        lines.append(f"  {d['status']:7s}     {d['source']}: {d['error'][:100]}")
    if len(failures) > 10:
        lines.append(f"  ... and {len(failures) - 10} more (see documents.csv)")
    return "\n".join(lines)


def _cmd_normalise(a: argparse.Namespace) -> int:
    from pipeline.normalise import find_dates, find_money

    for line in sys.stdin:
        text = line.rstrip("\n")
        found = find_dates(text) if a.kind == "date" else find_money(text)
        sys.stdout.write(json.dumps(found[0].as_json() if found else {}, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0


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
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    r.set_defaults(func=_cmd_run)

    n = sub.add_parser("normalise", help="normalise date or money expressions, one per stdin line")
    n.add_argument("--kind", choices=("date", "money"), required=True)
    n.set_defaults(func=_cmd_normalise)
    return ap


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
