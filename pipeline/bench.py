"""`make bench`: throughput figures, each printed as a ratio against a baseline
measured in the same run on the same machine (never as an absolute pass/fail).

Each section is a function taking the parsed arguments and returning lines to
print; SECTIONS lists them in order.
"""
from __future__ import annotations

import argparse
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


def bench_pipeline(a: argparse.Namespace) -> list[str]:
    """Full-pipeline pages/s vs pdfplumber's own extract_text on the same files."""
    from pipeline.run import RunSettings, find_inputs, run_batch

    paths = find_inputs(a.corpus)
    if a.limit:
        paths = paths[: a.limit]
    t0 = time.perf_counter()
    pages = 0
    for p in paths:
        try:
            pages += _plumber_text(p)
        except Exception:
            pass
    base = time.perf_counter() - t0
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


SECTIONS = [bench_pipeline, bench_isolation]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/kent"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    ap.add_argument("--only", default="", help="run only the sections whose function name contains this")
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
