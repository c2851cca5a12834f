"""The ingest store: a DuckDB catalogue (the truth) beside a Parquet dataset.

Layout of a store folder STORE:

    STORE/catalogue.duckdb      files, runs, meta + one table per contract table
    STORE/parquet/<table>/ingest_date=YYYY-MM-DD/<doc_id>-<run_id>.parquet
                                every version ever ingested (append-only history)
    STORE/current/<table>.parquet
                                snapshot of the rows that are not superseded
    STORE/.lock                 flock'ed by the ingest that is running

Crash safety: a file's Parquet parts are written (temp file + os.replace)
BEFORE its single DuckDB transaction commits. A Parquet part whose
(doc_id, run_id) is not a committed `documents` row is an orphan of a killed
run; `reconcile` removes it at the start of the next run. The `current/`
snapshot carries the catalogue's data_version in `current/_version` and is
rebuilt whenever the two differ.

Column lists come from schemas.contract.TABLES; the catalogue adds
`run_id`, `ingested_at` (UTC), `superseded_at` (UTC, catalogue only) and, on
tables whose contract has no doc_id, a `doc_id` column (the record_id prefix).
"""
from __future__ import annotations

import errno
import fcntl
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.contract import TABLES

CATALOGUE = "catalogue.duckdb"
PARQUET_DIR = "parquet"
CURRENT_DIR = "current"
LOCK_FILE = ".lock"
VERSION_FILE = "_version"  # leading underscore: ignored by pyarrow / pandas dataset readers

_DUCK_TYPE = {"string": "VARCHAR", "json": "VARCHAR", "int": "BIGINT", "float": "DOUBLE", "date": "DATE"}
_ARROW_TYPE = {"string": pa.string(), "json": pa.string(), "int": pa.int64(), "float": pa.float64(),
               "date": pa.date32()}

FILES_DDL = """
CREATE TABLE IF NOT EXISTS files (
    name VARCHAR,            -- path relative to the inbox (the identity used for supersession)
    sha256 VARCHAR,          -- full SHA-256 of the content
    doc_id VARCHAR,          -- first 16 hex of sha256, as in documents
    source VARCHAR,          -- file name (no folder)
    path VARCHAR,            -- absolute path as read
    size BIGINT,
    ingested_at TIMESTAMP,   -- UTC
    run_id VARCHAR,
    status VARCHAR,          -- ok / partial / failed (the extraction status of this content)
    extracted BOOLEAN,       -- false when the content was already in the store under another name
    superseded_at TIMESTAMP  -- UTC; set when the same name later arrived with other content
)"""
RUNS_COLUMNS = (
    ("run_id", "VARCHAR"), ("started_at", "TIMESTAMP"), ("ended_at", "TIMESTAMP"), ("inbox", "VARCHAR"),
    ("files_seen", "BIGINT"), ("files_new", "BIGINT"), ("files_changed", "BIGINT"), ("files_unchanged", "BIGINT"),
    ("files_same_content", "BIGINT"), ("files_retried", "BIGINT"), ("files_failed", "BIGINT"),
    ("records_added", "BIGINT"), ("rows_added", "BIGINT"), ("quality_failures", "BIGINT"),
    ("status", "VARCHAR"), ("exit_code", "INTEGER"),
)
META_DDL = "CREATE TABLE IF NOT EXISTS meta (data_version BIGINT)"


class StoreBusy(Exception):
    """Another ingest holds the store lock (or the catalogue is open elsewhere)."""


# ---------------------------------------------------------------- schema helpers

def extra_columns(table: str) -> list[tuple[str, str, pa.DataType]]:
    """Catalogue columns added to a contract table (name, DuckDB type, Arrow type), Parquet ones first."""
    cols = []
    if "doc_id" not in TABLES[table].names:
        cols.append(("doc_id", "VARCHAR", pa.string()))
    cols += [("run_id", "VARCHAR", pa.string()), ("ingested_at", "TIMESTAMP", pa.timestamp("us"))]
    return cols


def arrow_schema(table: str) -> pa.Schema:
    spec = TABLES[table]
    fields = [pa.field(c.name, _ARROW_TYPE[c.dtype]) for c in spec.columns]
    fields += [pa.field(n, t) for n, _, t in extra_columns(table)]
    return pa.schema(fields)


def _catalogue_columns(table: str) -> list[tuple[str, str]]:
    spec = TABLES[table]
    cols = [(c.name, _DUCK_TYPE[c.dtype]) for c in spec.columns]
    cols += [(n, t) for n, t, _ in extra_columns(table)]
    return cols + [("superseded_at", "TIMESTAMP")]


def _ensure_tables(con, tables: dict[str, list[tuple[str, str]]]) -> None:
    """Create the tables, and add any column a newer councilx defines to a store made by an older one."""
    have: dict[str, set[str]] = {}
    for t, c in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        have.setdefault(t, set()).add(c)
    for table, columns in tables.items():
        if table not in have:
            spec = ", ".join(f'"{n}" {t}' for n, t in columns)
            con.execute(f'CREATE TABLE "{table}" ({spec})')
            continue
        for n, t in columns:
            if n not in have[table]:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{n}" {t}')


def to_arrow(frame: pd.DataFrame, table: str, run_id: str, ingested_at: datetime) -> pa.Table:
    """A contract frame (from pipeline.export.to_frames) plus the catalogue columns, as typed Arrow."""
    df = frame.copy()
    if "doc_id" not in df.columns:
        df["doc_id"] = df["record_id"].astype("string").str.rsplit("-", n=1).str[0]
    df["run_id"] = run_id
    df["ingested_at"] = pd.Timestamp(ingested_at)
    schema = arrow_schema(table)
    df = df[schema.names]
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


# ---------------------------------------------------------------- lock

class StoreLock:
    """fcntl.flock on STORE/.lock; the kernel drops it when the process dies (even SIGKILL)."""

    def __init__(self, store: Path, wait: float = 0.0, poll: float = 0.2):
        self.path = store / LOCK_FILE
        self.wait, self.poll = wait, poll
        self.fd: int | None = None
        self.waited = 0.0

    def __enter__(self) -> "StoreLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)  # the umask decides, as for every store file
        start = time.monotonic()
        deadline = start + max(0.0, self.wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.waited = time.monotonic() - start
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    os.close(fd)
                    raise StoreBusy(f"another ingest is running on {self.path.parent}{holder}"
                                    + (f" (waited {self.wait:g} s)" if self.wait else "")) from None
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


# ---------------------------------------------------------------- catalogue

def connect(store: Path, read_only: bool = False, wait: float = 0.0, poll: float = 0.5):
    """Open (and on first use create) the catalogue.

    DuckDB allows one writing process or several reading ones; while another process has the file
    open (an analyst's session, say) this retries for up to `wait` seconds, then raises StoreBusy.
    """
    import duckdb

    path = store / CATALOGUE
    if read_only and not path.exists():
        raise FileNotFoundError(f"no catalogue at {path}")
    if not read_only:
        store.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(f"the catalogue {path} is open in another process "
                                f"({str(exc).splitlines()[0][:300]})") from None
            time.sleep(poll)
    if not read_only:
        con.execute(FILES_DDL)
        _ensure_tables(con, {"runs": list(RUNS_COLUMNS), **{n: _catalogue_columns(n) for n in TABLES}})
        con.execute(META_DDL)
        if con.execute("SELECT count(*) FROM meta").fetchall()[0][0] == 0:
            con.execute("INSERT INTO meta VALUES (0)")
    return con


def data_version(con) -> int:
    return int(con.execute("SELECT data_version FROM meta").fetchall()[0][0])


def parquet_part(store: Path, table: str, ingested_at: datetime, doc_id: str, run_id: str) -> Path:
    return (store / PARQUET_DIR / table / f"ingest_date={ingested_at.date().isoformat()}"
            / f"{doc_id}-{run_id}.parquet")


def write_atomic_parquet(data: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(data, tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)  # on disk before the catalogue commit that makes it part of the store
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise


@dataclass
class Reconciled:
    orphans_removed: int = 0
    temp_removed: int = 0
    runs_marked_killed: int = 0


def reconcile(store: Path, con) -> Reconciled:
    """Bring Parquet in line with the catalogue after a killed run. Call with the lock held."""
    out = Reconciled()
    out.runs_marked_killed = len(con.execute(
        "UPDATE runs SET status = 'killed' WHERE status = 'running' RETURNING run_id").fetchall())
    committed = set(con.execute("SELECT doc_id, run_id FROM documents").fetchall())
    current = store / CURRENT_DIR
    for f in (current.iterdir() if current.exists() else ()):
        if f.name.endswith(".tmp"):
            f.unlink()
            out.temp_removed += 1
    root = store / PARQUET_DIR
    if not root.exists():
        return out
    for table_dir in root.iterdir():
        if not table_dir.is_dir():
            continue
        for part_dir in table_dir.iterdir():
            if not part_dir.is_dir():
                continue
            for f in part_dir.iterdir():
                if f.name.endswith(".tmp"):
                    f.unlink()
                    out.temp_removed += 1
                elif f.suffix == ".parquet":
                    stem = f.stem
                    if (stem[:16], stem[17:]) not in committed:
                        f.unlink()
                        out.orphans_removed += 1
            if not any(part_dir.iterdir()):
                part_dir.rmdir()
    return out


def current_frames(con) -> dict[str, pd.DataFrame]:
    """Every contract table's rows that are not superseded, contract columns only, typed."""
    from pipeline.export import to_frames

    tables = {}
    for name, spec in TABLES.items():
        cols = ", ".join(f'"{c}"' for c in spec.names)
        order = "source, doc_id" if name == "documents" else "doc_id, rowid"
        df = con.execute(f'SELECT {cols} FROM "{name}" WHERE superseded_at IS NULL ORDER BY {order}').fetchdf()
        tables[name] = [{k: (None if _isna(v) else v) for k, v in r.items()} for r in df.to_dict("records")]
    return to_frames(tables)


def source_paths(con) -> dict[str, str]:
    """doc_id -> a path where the store last saw that content (files.path, absolute; the newest that still
    exists on disk, else the newest): what `councilx export` renders the review page from."""
    out: dict[str, str] = {}
    rows = con.execute("SELECT doc_id, path FROM files WHERE doc_id IS NOT NULL AND path IS NOT NULL "
                       "ORDER BY ingested_at DESC").fetchall()
    for doc_id, path in rows:
        if doc_id not in out or (not Path(out[doc_id]).is_file() and Path(path).is_file()):
            out[doc_id] = path
    return out


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _arrow(relation) -> pa.Table:
    # duckdb 2.x: to_arrow_table; 1.x: arrow
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
    return fetch()


def refresh_current_snapshot(store: Path, con, force: bool = False) -> bool:
    """Rewrite STORE/current/<table>.parquet (current rows + catalogue columns) when the catalogue changed."""
    version = data_version(con)
    marker = store / CURRENT_DIR / VERSION_FILE
    if not force and marker.exists() and marker.read_text().strip() == str(version):
        return False
    for name in TABLES:
        schema = arrow_schema(name)
        cols = ", ".join(f'"{c}"' for c in schema.names)
        order = "source, doc_id" if name == "documents" else "doc_id, rowid"
        data = _arrow(con.sql(f'SELECT {cols} FROM "{name}" WHERE superseded_at IS NULL ORDER BY {order}'))
        write_atomic_parquet(data.cast(schema), store / CURRENT_DIR / f"{name}.parquet")
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(f"{version}\n")
    os.replace(tmp, marker)
    return True
