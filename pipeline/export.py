"""Stage — export: contract tables to CSV and Parquet, written atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from schemas.contract import TABLES

_PANDAS_DTYPE = {"string": "string", "json": "string", "int": "Int64", "float": "float64"}


def to_frames(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """One typed DataFrame per contract table, columns in contract order."""
    frames = {}
    for name, spec in TABLES.items():
        rows = tables.get(name, [])
        df = pd.DataFrame(rows, columns=spec.names)
        for col in spec.columns:
            if col.dtype == "date":
                df[col.name] = pd.to_datetime(df[col.name], errors="coerce").dt.date
            else:
                df[col.name] = df[col.name].astype(_PANDAS_DTYPE[col.dtype])
        frames[name] = df
    return frames


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def export(frames: dict[str, pd.DataFrame], out_dir: str | Path, formats=("csv", "parquet")) -> list[Path]:
    out_dir = Path(out_dir)
    written = []
    for name, df in frames.items():
        if "csv" in formats:
            p = out_dir / f"{name}.csv"
            _atomic(p, lambda t, df=df: df.to_csv(t, index=False, encoding="utf-8-sig"))
            written.append(p)
        if "parquet" in formats:
            p = out_dir / f"{name}.parquet"
            _atomic(p, lambda t, df=df: df.to_parquet(t, index=False))
            written.append(p)
    return written
