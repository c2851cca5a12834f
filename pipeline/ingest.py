"""Nightly ingestion: new or changed PDFs in an inbox -> the store (see pipeline/store.py).

One run, under the store lock:
  1. reconcile: drop Parquet parts of uncommitted files (a killed run), mark stale runs killed;
  2. hash every PDF under the inbox (SHA-256 of the content: names and mtimes are not trusted);
  3. classify each by its name (path relative to the inbox) and hash against the catalogue:
     unchanged (same name, same hash: nothing to do), new name, changed content under a known
     name (the older version is superseded: kept, marked superseded_at), or content already
     stored under another name (a `files` row is added; nothing is re-extracted);
  4. extract the rest (pipeline.run.process_file, in worker processes when --workers > 1) and
     for each file, as soon as it is extracted: write its Parquet parts atomically, then commit
     its rows, its `files` row and any supersession in ONE DuckDB transaction; then link the
     names whose content is already stored;
  5. refresh STORE/current/, append the run record, print a summary.

Record ids are doc_id + '-' + n, doc_id = first 16 hex of the SHA-256, so the same content
always yields the same ids and is stored once.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pipeline.records import DocRows
from pipeline.run import RunSettings, file_sha256, find_inputs, process_file
from pipeline.store import (StoreBusy, StoreLock, connect, parquet_part, reconcile, refresh_current_snapshot,
                            to_arrow, write_atomic_parquet)
from schemas.contract import TABLES

EXIT_OK = 0
EXIT_FAILED = 1      # a file failed, or a critical quality check failed
EXIT_USAGE = 2       # no such inbox
EXIT_BUSY = 3        # another ingest holds the store

# Test hooks (documented in README "Nightly ingestion"): "SECONDS" or "SECONDS:N" to sleep at a
# point of every (or only the N-th) extracted file, announced on stderr, so a test can SIGKILL
# the run at a known place. Unset in production.
PAUSE_AFTER_FILE_ENV = "COUNCILX_INGEST_PAUSE_AFTER_FILE"        # after the file's commit
PAUSE_BEFORE_COMMIT_ENV = "COUNCILX_INGEST_PAUSE_BEFORE_COMMIT"  # after its Parquet, before its commit


@dataclass(frozen=True)
class IngestSettings:
    run: RunSettings = RunSettings()
    wait: float = 0.0            # seconds to wait for the store lock (0: fail at once)
    retry_failed: bool = False   # re-extract stored content whose extraction failed
    dask: str | None = None      # extract on this Dask cluster (tcp://HOST:PORT or local:N), see pipeline.dask_engine


@dataclass
class Planned:
    path: Path
    name: str
    sha256: str
    size: int
    kind: str                    # new / changed / retried (same name and content, failed before)
    extract: bool                # False: content already stored, link the name only
    prev_sha: str | None = None  # the superseded content of this name


@dataclass
class RunReport:
    run_id: str
    started_at: datetime
    ended_at: datetime | None = None
    inbox: str = ""
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_same_content: int = 0
    files_retried: int = 0
    files_failed: int = 0
    records_added: int = 0
    rows_added: int = 0
    quality_failures: int = 0
    quality_critical: bool = False
    status: str = "running"
    exit_code: int = 0
    orphans_removed: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, store: Path) -> str:
        lines = [
            f"councilx ingest {self.run_id}",
            f"  files       {self.files_seen} seen: {self.files_new} new, {self.files_changed} changed, "
            f"{self.files_unchanged} unchanged, {self.files_failed} failed"
            + (f", {self.files_retried} retried" if self.files_retried else "")
            + (f" ({self.files_same_content} already stored under another name)" if self.files_same_content else ""),
            f"  added       {self.records_added} recommendations, {self.rows_added} rows in all",
            f"  quality     {self.quality_failures} failures" + (" (critical)" if self.quality_critical else ""),
            f"  seconds     {self.seconds:.2f}",
            f"  store       {store}",
        ]
        if self.orphans_removed:
            lines.append(f"  recovered   {self.orphans_removed} Parquet parts of an interrupted run removed")
        for name, why in self.failures[:10]:
            lines.append(f"  failed      {name}: {why[:100]}")
        if len(self.failures) > 10:
            lines.append(f"  ... and {len(self.failures) - 10} more (see the files and documents tables)")
        return "\n".join(lines)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S") + "x" + os.urandom(3).hex()


def _quality_failures(tables: dict[str, list[dict]]) -> tuple[int, bool]:
    """The rows this run added -> (number of failed expectations, any critical?), by the GX quality gate."""
    if not tables.get("documents"):
        return 0, False
    from pipeline.export import to_frames
    from pipeline.quality import run_quality  # Great Expectations: imported once per run, after extraction

    result = run_quality(to_frames(tables))
    return len(result.failed), not result.passed


def _pause(env: str, what: str, nth: int) -> None:
    """Test hook: env = "SECONDS" (every extracted file) or "SECONDS:N" (only the N-th, from 1)."""
    value = os.environ.get(env) or ""
    if not value:
        return
    seconds, _, only = value.partition(":")
    if only and int(only) != nth:
        return
    print(f"councilx-test-hook: {env} {what}", file=sys.stderr, flush=True)
    time.sleep(float(seconds))


def _rel_name(path: Path, inbox: Path) -> str:
    return path.name if inbox.is_file() else path.relative_to(inbox).as_posix()


def plan(inbox: Path, con, report: RunReport, retry_failed: bool = False) -> list[Planned]:
    """Hash every PDF under the inbox and decide what each needs. Counts seen/unchanged/failed-to-read."""
    current = dict(con.execute("SELECT name, sha256 FROM files WHERE superseded_at IS NULL").fetchall())
    stored = dict(con.execute(
        "SELECT f.sha256, d.status FROM files f JOIN documents d ON d.doc_id = f.doc_id "
        "WHERE f.extracted").fetchall())
    out: list[Planned] = []
    this_run: set[str] = set()
    for path in find_inputs(inbox):
        report.files_seen += 1
        name = _rel_name(path, inbox)
        try:
            sha = file_sha256(path)
            size = path.stat().st_size
        except OSError as exc:
            report.files_failed += 1
            report.failures.append((name, f"unreadable: {exc}"))
            continue
        prev = current.get(name)
        retry = retry_failed and stored.get(sha) == "failed"
        if prev == sha and not retry:
            report.files_unchanged += 1
            continue
        extract = (retry or sha not in stored) and sha not in this_run
        this_run.add(sha)
        if prev == sha:
            if extract:
                out.append(Planned(path, name, sha, size, "retried", True))
            else:
                report.files_unchanged += 1  # a second name of content retried above
            continue
        out.append(Planned(path, name, sha, size, "changed" if prev else "new", extract, prev))
    return out


def _commit(con, store: Path, item: Planned, rows: DocRows | None, run_id: str,
            report: RunReport, nth: int = 0) -> None:
    """Parquet parts (atomic, before) then ONE transaction: rows + files row + supersession."""
    from pipeline.export import to_frames

    now = _utcnow()
    doc_id = item.sha256[:16]
    status = None
    arrow_tables = {}
    written: list[Path] = []
    if rows is not None:
        frames = to_frames(rows.tables())
        for name in TABLES:
            if len(frames[name]):
                arrow_tables[name] = to_arrow(frames[name], name, run_id, now)
        status = rows.documents[0]["status"]
        try:
            for name, data in arrow_tables.items():
                p = parquet_part(store, name, now, doc_id, run_id)
                write_atomic_parquet(data, p)
                written.append(p)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
        _pause(PAUSE_BEFORE_COMMIT_ENV, f"before commit of {item.name}", nth)
    try:
        con.execute("BEGIN TRANSACTION")
        if rows is not None:
            # a retry of failed content replaces the earlier rows for that content
            for name in TABLES:
                con.execute(f'DELETE FROM "{name}" WHERE doc_id = ?', [doc_id])
            for name, data in arrow_tables.items():
                con.register("_councilx_rows", data)
                con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _councilx_rows')
                con.unregister("_councilx_rows")
        else:
            status = con.execute("SELECT status FROM documents WHERE doc_id = ?", [doc_id]).fetchall()[0][0]
        touched = {doc_id}
        if item.prev_sha:
            con.execute("UPDATE files SET superseded_at = ? WHERE name = ? AND superseded_at IS NULL",
                        [now, item.name])
            touched.add(item.prev_sha[:16])
        if item.kind == "retried":
            con.execute("UPDATE files SET status = ? WHERE sha256 = ?", [status, item.sha256])
        else:
            con.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                        [item.name, item.sha256, doc_id, item.path.name, str(item.path.resolve()), item.size,
                         now, run_id, status, rows is not None])
        # a content's rows are current while any current files row points at it
        for name in TABLES:
            con.execute(
                f'UPDATE "{name}" t SET superseded_at = CASE WHEN EXISTS (SELECT 1 FROM files f WHERE '
                f'f.doc_id = t.doc_id AND f.superseded_at IS NULL) THEN NULL ELSE coalesce(t.superseded_at, ?) END '
                f'WHERE t.doc_id IN ({", ".join("?" for _ in touched)})', [now, *sorted(touched)])
        con.execute("UPDATE meta SET data_version = data_version + 1")
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except Exception:
            pass
        for p in written:
            p.unlink(missing_ok=True)
        raise
    if rows is not None:
        report.records_added += len(rows.recommendations)
        report.rows_added += sum(t.num_rows for t in arrow_tables.values())
    if status == "failed":
        report.files_failed += 1
        err = rows.documents[0]["error"] if rows is not None else "stored content failed earlier"
        report.failures.append((item.name, err or "failed"))


def _exit_with_parent(parent_pid: int, poll: float = 1.0) -> None:
    """Worker initializer: a daemon thread that ends the worker once its parent has died."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="councilx-parent-watch", daemon=True).start()


def _extractions(items: list[Planned], settings: RunSettings, dask: str | None = None):
    """(item, DocRows or None) pairs: every file to extract, as soon as it is extracted (in input order
    with one worker; in completion order, largest submitted first, with several), so each is committed
    without waiting for the others; then the names that only link to stored content (DocRows None),
    whose content is by then committed."""
    todo = [it for it in items if it.extract]
    workers = max(1, min(settings.workers, len(todo) or 1))
    if dask and todo:  # one task per file on the cluster, each yielded as it completes
        from pipeline.dask_engine import DaskSettings, iter_results

        for i, rows in iter_results([it.path for it in todo], settings, DaskSettings(dask)):
            yield todo[i], rows
    elif workers == 1:
        for it in todo:
            yield it, process_file(it.path, settings)
    else:
        # spawn, not fork: forked workers would inherit the store lock's file descriptor and keep the
        # store locked after a SIGKILL of this process; and each worker exits when this process is gone
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_exit_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(process_file, it.path, settings): it
                       for it in sorted(todo, key=lambda it: -it.size)}
            for done in as_completed(futures):
                yield futures[done], done.result()
    for it in items:
        if not it.extract:
            yield it, None


def ingest(inbox: str | Path, store: str | Path, settings: IngestSettings = IngestSettings(),
           progress: Callable[[str, str], None] | None = None) -> RunReport:
    """One ingest run. Raises StoreBusy when another run holds the store, FileNotFoundError for no inbox."""
    inbox, store = Path(inbox), Path(store)
    if not inbox.exists():
        raise FileNotFoundError(f"no such file or folder: {inbox}")
    t0 = time.perf_counter()
    store.mkdir(parents=True, exist_ok=True)
    with StoreLock(store, wait=settings.wait) as lock:
        con = connect(store, wait=max(0.0, settings.wait - lock.waited))
        started = _utcnow()
        report = RunReport(run_id=_new_run_id(started), started_at=started, inbox=str(inbox.resolve()))
        try:
            report.orphans_removed = reconcile(store, con).orphans_removed
            con.execute("INSERT INTO runs (run_id, started_at, inbox, status) VALUES (?, ?, ?, 'running')",
                        [report.run_id, started, report.inbox])
            items = plan(inbox, con, report, settings.retry_failed)
            added: dict[str, list[dict]] = {}
            nth = 0
            for item, rows in _extractions(items, settings.run, settings.dask):
                nth += rows is not None
                if rows is not None and rows.documents[0]["doc_id"] != item.sha256[:16]:
                    report.files_failed += 1
                    report.failures.append((item.name, "file changed while it was being read"))
                    continue
                try:
                    _commit(con, store, item, rows, report.run_id, report, nth)
                except Exception as exc:
                    report.files_failed += 1
                    report.failures.append((item.name, f"store write failed: {type(exc).__name__}: {exc}"))
                    continue
                if item.kind == "new":
                    report.files_new += 1
                elif item.kind == "changed":
                    report.files_changed += 1
                else:
                    report.files_retried += 1
                if not item.extract:
                    report.files_same_content += 1
                if rows is not None:
                    for name, trows in rows.tables().items():
                        added.setdefault(name, []).extend(trows)
                if progress:
                    progress(item.kind if item.extract else "linked", item.name)
                if rows is not None:
                    _pause(PAUSE_AFTER_FILE_ENV, f"after commit of {item.name}", nth)
            # ---- quality: the single point where the run's failures count enters the run record
            report.quality_failures, report.quality_critical = _quality_failures(added)
            refresh_current_snapshot(store, con)
            report.exit_code = EXIT_FAILED if (report.files_failed or report.quality_critical) else EXIT_OK
            report.status = "failed" if report.exit_code else "ok"
            report.ended_at = _utcnow()
            report.seconds = time.perf_counter() - t0
            con.execute(
                "UPDATE runs SET ended_at = ?, files_seen = ?, files_new = ?, files_changed = ?, "
                "files_unchanged = ?, files_same_content = ?, files_retried = ?, files_failed = ?, "
                "records_added = ?, "
                "rows_added = ?, quality_failures = ?, status = ?, exit_code = ? WHERE run_id = ?",
                [report.ended_at, report.files_seen, report.files_new, report.files_changed,
                 report.files_unchanged, report.files_same_content, report.files_retried, report.files_failed,
                 report.records_added, report.rows_added, report.quality_failures, report.status,
                 report.exit_code, report.run_id])
        except Exception:
            # an unexpected error (not a file's: those are recorded and the run goes on)
            try:
                con.execute("ROLLBACK")
            except Exception:
                pass
            con.execute("UPDATE runs SET status = 'error', ended_at = ? WHERE run_id = ? AND status = 'running'",
                        [_utcnow(), report.run_id])
            raise
        finally:
            con.close()
    return report


__all__ = ["IngestSettings", "RunReport", "StoreBusy", "ingest", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE",
           "EXIT_BUSY"]
