"""Batch orchestration: files in, one DocRows per file, in a stable order.

`process_file` is the whole per-file chain (layout -> tables -> classification
-> plan rows -> normalised rows) and never raises: any failure becomes a
`failed` documents row with its reason. `run_batch` fans files out to worker
processes and gathers the results in input order, so `--workers N` writes the
same bytes as `--workers 1`.
"""
from __future__ import annotations

import hashlib
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from pipeline.records import DocRows, build_rows


@dataclass(frozen=True)
class RunSettings:
    workers: int = 1
    password: str | None = None
    max_pages: int | None = None


@dataclass
class BatchResult:
    docs: list[DocRows] = field(default_factory=list)
    seconds: float = 0.0

    def tables(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for d in self.docs:
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
            "status": "failed", "error": "", "path": str(path), "doc_date": None, "records": 0, "seconds": 0.0}


def process_file(path: str | Path, settings: RunSettings = RunSettings()) -> DocRows:
    """The whole per-file chain. Never raises."""
    from extractors.action_plan import extract_plan
    from extractors.classify import classify
    from extractors.layout import LayoutSettings, read_layout

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
        layout = read_layout(path, LayoutSettings(max_pages=settings.max_pages), password=settings.password)
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
        row["seconds"] = round(time.perf_counter() - t0, 3)
        return DocRows(documents=[row])
    row["pages"] = layout.n_pages
    problems: list[str] = []
    if layout.page_errors:
        problems.append("pages failed: " + ", ".join(str(p) for p in sorted(layout.page_errors)))
    try:
        plan = extract_plan(layout)
        cls = classify(layout, n_plan_rows=len(plan.rows))
    except Exception as exc:
        row["error"] = f"extraction failed: {type(exc).__name__}: {exc}"[:500]
        row["seconds"] = round(time.perf_counter() - t0, 3)
        return DocRows(documents=[row])
    problems.extend(plan.warnings)
    row.update(doc_type=cls.doc_type, title=cls.title, doc_date=cls.doc_date,
               records=len(plan.rows), status="partial" if problems else "ok", error="; ".join(problems))
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return build_rows(row, plan.rows, plan.leads, cls.doc_date)


def run_batch(paths: Iterable[str | Path], settings: RunSettings = RunSettings(),
              progress: Callable[[DocRows], None] | None = None) -> BatchResult:
    paths = [Path(p) for p in paths]
    t0 = time.perf_counter()
    result = BatchResult()
    workers = max(1, min(settings.workers, len(paths) or 1))
    if workers == 1:
        for p in paths:
            d = process_file(p, settings)
            result.docs.append(d)
            if progress:
                progress(d)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # largest files first keeps both workers busy to the end; results keep input order
            order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
            futures = {i: pool.submit(process_file, paths[i], settings) for i in order}
            for i in range(len(paths)):
                d = futures[i].result()
                result.docs.append(d)
                if progress:
                    progress(d)
    result.seconds = time.perf_counter() - t0
    return result


def _size(p: Path) -> int:
    try:
        return os.path.getsize(p)
    except OSError:
        return 0
