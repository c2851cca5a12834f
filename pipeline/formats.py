"""The output formats of `councilx run` / `export`, and parsing `--format` (kept apart from
pipeline/export.py, so the command line reads its arguments without importing pandas)."""
from __future__ import annotations

FORMATS = ("csv", "parquet", "xlsx", "review")  # review: OUT/review/index.html (pipeline.review), XLSX links to it


def parse_formats(text: str) -> tuple[str, ...]:
    """`csv,parquet,xlsx,review` -> ("csv", "parquet", "xlsx", "review"); raises ValueError on an unknown name."""
    names = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ValueError(f"unknown format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return names
