"""Stage — export: the tables of a run as CSV, Parquet and one XLSX workbook, written atomically.

Every format is built from `schemas/contract.py` (column order, types, meanings):

- CSV: UTF-8 with a BOM (Excel shows £ and accents), ISO dates, plain numbers,
  empty cells for missing values, and any text cell Excel would read as a
  formula (starting with = + - @, tab or CR) prefixed with an apostrophe.
- Parquet: an explicit Arrow schema (dates as date32, amounts as float64,
  pages as int64, text as string) with each column's meaning as field metadata.
  Values are exactly as extracted: no neutralisation.
- XLSX (`councilx.xlsx`): a data-dictionary sheet first, then one sheet per
  table; real Excel dates, `£#,##0` on amounts (`*_gbp` columns), a bold frozen
  header row, an autofilter and column widths from the content. Text cells are
  stored as text (never formulas), with Excel's quote-prefix on formula-looking ones.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.formats import FORMATS, parse_formats  # noqa: F401 (re-exported)
from schemas.contract import BBOX, TABLES, Table

REVIEW_COLUMN = "review"  # workbook only: on every sheet of a table with a bbox, a link to the row's review entry
WORKBOOK = "councilx.xlsx"
DICTIONARY_SHEET = "dictionary"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_PANDAS_DTYPE = {"string": "string", "json": "string", "int": "Int64", "float": "float64"}
_TYPE_WORDS = {"string": "text", "json": "text (JSON object)", "int": "whole number", "float": "number",
               "date": "date"}


@dataclass(frozen=True)
class XlsxSettings:
    min_width: int = 8             # column widths, in characters
    max_width: int = 60
    width_sample_rows: int = 500   # rows looked at to size a column
    max_cell_chars: int = 32_767   # Excel's limit for one cell
    money_format: str = "£#,##0"
    date_format: str = "yyyy-mm-dd"


def _is_missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def _to_date(v) -> date | None:
    if _is_missing(v):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v).strip()[:10])
    except ValueError:
        return None


def to_frame(spec: Table, rows: list[dict]) -> pd.DataFrame:
    """One typed DataFrame, columns in contract order: text as string, ints as Int64, dates as datetime.date."""
    df = pd.DataFrame(rows, columns=spec.names)
    for col in spec.columns:
        if col.dtype == "date":
            df[col.name] = pd.Series([_to_date(v) for v in df[col.name]], index=df.index, dtype=object)
        else:
            df[col.name] = df[col.name].astype(_PANDAS_DTYPE[col.dtype])
    return df


def to_frames(tables: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """One typed DataFrame per table of the contract (quality_issues included), in contract order."""
    return {name: to_frame(spec, tables.get(name, [])) for name, spec in TABLES.items()}


# ---------------------------------------------------------------- writing

def current_umask() -> int:
    """The process umask, read without changing it where Linux shows it (/proc), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a plain new file gets under the user's umask (0644 under umask 022)."""
    return 0o666 & ~current_umask()


def _atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename it over `path`. The temporary file
    is private while it is written (mkstemp: 0600) and gets the umask's mode just before the rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    _atomic(path, lambda t: Path(t).write_text(text, encoding="utf-8"))
    return path


def neutralise(v):
    """A text value Excel would take for a formula, made inert with a leading apostrophe."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _plain_number(v) -> str | None:
    if _is_missing(v):
        return None
    return np.format_float_positional(float(v), trim="-")


def csv_frame(df: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """The frame as the text cells of the CSV."""
    out = pd.DataFrame(index=df.index)
    for col in spec.columns:
        s = df[col.name]
        if col.dtype in ("string", "json"):
            out[col.name] = pd.Series([None if _is_missing(v) else neutralise(v) for v in s], index=df.index,
                                      dtype=object)
        elif col.dtype == "float":
            out[col.name] = pd.Series([_plain_number(v) for v in s], index=df.index, dtype=object)
        elif col.dtype == "date":
            out[col.name] = pd.Series([None if _is_missing(v) else _to_date(v).isoformat() for v in s],
                                      index=df.index, dtype=object)
        else:
            out[col.name] = s
    return out


def write_csv(df: pd.DataFrame, spec: Table, path: str | Path) -> Path:
    path = Path(path)
    frame = csv_frame(df, spec)
    _atomic(path, lambda t: frame.to_csv(t, index=False, encoding="utf-8-sig", na_rep=""))
    return path


def arrow_schema(spec: Table):
    import pyarrow as pa

    types = {"string": pa.string(), "json": pa.string(), "int": pa.int64(), "float": pa.float64(),
             "date": pa.date32()}
    return pa.schema([pa.field(c.name, types[c.dtype], nullable=True, metadata={"meaning": c.meaning})
                      for c in spec.columns], metadata={"table": spec.name, "meaning": spec.meaning})


def write_parquet(df: pd.DataFrame, spec: Table, path: str | Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    arrays = []
    for c, field in zip(spec.columns, arrow_schema(spec)):
        values = [None if _is_missing(v) else v for v in df[c.name].tolist()]
        if c.dtype == "date":
            values = [_to_date(v) for v in values]
        arrays.append(pa.array(values, type=field.type))
    table = pa.Table.from_arrays(arrays, schema=arrow_schema(spec))
    _atomic(path, lambda t: pq.write_table(table, t))
    return path


# ---------------------------------------------------------------- the workbook

def _money(col) -> bool:
    return col.dtype == "float" and col.name.endswith("_gbp")


def _width(header: str, values, st: XlsxSettings) -> float:
    longest = len(header) + 2  # room for the autofilter button
    for v in values[: st.width_sample_rows]:
        if _is_missing(v):
            continue
        if isinstance(v, float):
            text = f"{v:,.0f}" if v == v else ""
        elif isinstance(v, (date, datetime)):
            text = "2020-01-01"
        else:
            text = str(v).split("\n", 1)[0]
        longest = max(longest, len(text) + 1)
    return float(max(st.min_width, min(st.max_width, longest)))


def write_xlsx(frames: dict[str, pd.DataFrame], path: str | Path, settings: XlsxSettings = XlsxSettings(),
               review: bool = False) -> Path:
    """The workbook. With `review`, every sheet of a table with a bbox gets a last column `review`: a
    hyperlink to the row on OUT/review/index.html."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    st = settings
    bold = Font(bold=True)
    wb = Workbook(write_only=True)

    def sheet(title: str, headers: list[str], columns: list[list], kinds: list[str]):
        ws = wb.create_sheet(title)
        for i, (h, vals, kind) in enumerate(zip(headers, columns, kinds), start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(h, ["open"] if kind == "link" else vals, st)
        ws.freeze_panes = "A2"
        n = len(columns[0]) if columns else 0
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n + 1}"
        row = []
        for h in headers:
            c = WriteOnlyCell(ws, value=h)
            c.font = bold
            row.append(c)
        ws.append(row)
        for r in range(n):
            row = []
            for vals, kind in zip(columns, kinds):
                v = vals[r]
                if _is_missing(v):
                    row.append(None)
                    continue
                if kind == "text":
                    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(v))
                    if len(text) > st.max_cell_chars:
                        text = text[: st.max_cell_chars - 1] + "…"
                    c = WriteOnlyCell(ws, value=text)
                    c.data_type = "s"  # text, never a formula
                    if text.startswith(FORMULA_START):
                        c.quotePrefix = True
                elif kind == "date":
                    c = WriteOnlyCell(ws, value=_to_date(v))
                    c.number_format = st.date_format
                elif kind == "money":
                    c = WriteOnlyCell(ws, value=float(v))
                    c.number_format = st.money_format
                elif kind == "int":
                    c = WriteOnlyCell(ws, value=int(v))
                elif kind == "link":
                    c = WriteOnlyCell(ws, value="open")
                    c.hyperlink = str(v)
                    c.style = "Hyperlink"
                else:
                    c = WriteOnlyCell(ws, value=float(v))
                row.append(c)
            ws.append(row)

    dict_rows = [(spec.name, col.name, _TYPE_WORDS[col.dtype] + (" (£)" if _money(col) else ""), col.meaning,
                  "contract" if (spec.contract and col.contract) else "councilx")
                 for spec in TABLES.values() for col in spec.columns]
    if review:
        from schemas.contract import boxed_tables

        dict_rows += [(spec.name, REVIEW_COLUMN, "link", "Opens the row on review/index.html, beside its page "
                       "image with its boxes drawn (workbook only).", "councilx") for spec in boxed_tables()]
    headers = ["table", "column", "type", "meaning", "source"]
    sheet(DICTIONARY_SHEET, headers, [list(x) for x in zip(*dict_rows)], ["text"] * len(headers))

    for name, spec in TABLES.items():
        df = frames.get(name)
        if df is None:
            df = to_frame(spec, [])
        kinds = ["money" if _money(c) else {"string": "text", "json": "text"}.get(c.dtype, c.dtype)
                 for c in spec.columns]
        headers, columns = spec.names, [df[c.name].tolist() for c in spec.columns]
        if review and BBOX in spec.names:
            from pipeline.review import review_links

            headers, columns, kinds = headers + [REVIEW_COLUMN], columns + [review_links(spec, df)], kinds + ["link"]
        sheet(name, headers, columns, kinds)

    path = Path(path)
    _atomic(path, lambda t: wb.save(t))
    return path


def export(frames: dict[str, pd.DataFrame], out_dir: str | Path, formats=("csv", "parquet", "xlsx"),
           tables=None, workbook: bool = True) -> list[Path]:
    """Write every table in the chosen formats; returns the files written. The review page itself is
    written by `pipeline.review.write_review` (it needs the PDFs); "review" here adds the workbook's links.
    `tables`: the names of the tables written as CSV / Parquet (default all); `workbook`: False leaves
    the workbook out (a caller writing the tables in two goes)."""
    out_dir = Path(out_dir)
    written = []
    for name, spec in TABLES.items():
        if tables is not None and name not in tables:
            continue
        df = frames.get(name)
        if df is None:
            df = to_frame(spec, [])
        if "csv" in formats:
            written.append(write_csv(df, spec, out_dir / f"{name}.csv"))
        if "parquet" in formats:
            written.append(write_parquet(df, spec, out_dir / f"{name}.parquet"))
    if "xlsx" in formats and workbook:
        written.append(write_xlsx(frames, out_dir / WORKBOOK, review="review" in formats))
    return written
