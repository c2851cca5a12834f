"""Nightly ingestion on real PDFs: idempotent re-runs, supersession, SIGKILL recovery, the store lock.

Every test reads the store back through DuckDB and Parquet files as an analyst would.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import ROOT
from pipeline.cli import main
from pipeline.ingest import (EXIT_BUSY, EXIT_FAILED, PAUSE_AFTER_FILE_ENV, PAUSE_BEFORE_COMMIT_ENV,
                             IngestSettings, ingest)
from pipeline.run import RunSettings, file_sha256
from schemas.contract import TABLES

PY = sys.executable
SMALLEST_AGENDA = "Agenda frontsheet 30th-Jan-2025 10.00 Cabinet.pdf"
SMALLEST_MINUTES = "CPP Minutes 10.12.24.pdf"


def _smallest_kent(shared: Path, n: int) -> list[Path]:
    files = sorted((shared / "corpus" / "kent").rglob("*.pdf"), key=lambda p: (p.stat().st_size, str(p)))
    return files[:n]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, samples, shared) -> Path:
    """samples/ plus the three smallest Kent papers, in subfolders as council feeds would be
    (kent/ sorts first, so the SIGKILL test's killed run only extracts two small files)."""
    d = tmp_path_factory.mktemp("inbox")
    (d / "samples").mkdir()
    for p in samples.glob("*.pdf"):
        shutil.copy(p, d / "samples" / p.name)
    (d / "kent").mkdir()
    for p in _smallest_kent(shared, 3):
        shutil.copy(p, d / "kent" / p.name)
    return d


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory, inbox) -> Path:
    store = tmp_path_factory.mktemp("clean") / "store"
    assert main(["ingest", str(inbox), "--store", str(store), "-q", "--workers", "2"]) == 0
    return store


def _counts(store: Path) -> dict[str, int]:
    with duckdb.connect(str(store / "catalogue.duckdb"), read_only=True) as con:
        out = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in [*TABLES, "files"]}
        out["current_documents"] = con.execute(
            "SELECT count(*) FROM documents WHERE superseded_at IS NULL").fetchone()[0]
    return out


def _sql(store: Path, q: str, params=None) -> list[tuple]:
    with duckdb.connect(str(store / "catalogue.duckdb"), read_only=True) as con:
        return con.execute(q, params or []).fetchall()


def _parts(store: Path) -> dict[str, list[str]]:
    """Parquet parts per table: file names (doc_id-run_id) under every ingest_date partition."""
    root = store / "parquet"
    return {t.name: sorted(p.name for p in t.rglob("*.parquet")) for t in sorted(root.iterdir()) if t.is_dir()}


def _part_docs(store: Path) -> dict[str, set[str]]:
    return {t: {n[:16] for n in names} for t, names in _parts(store).items()}


def test_first_ingest_fills_catalogue_and_parquet(clean_store, inbox):
    n_files = len(list(inbox.rglob("*.pdf")))
    counts = _counts(clean_store)
    assert counts["documents"] == counts["files"] == counts["current_documents"] == n_files
    runs = _sql(clean_store, "SELECT files_seen, files_new, files_failed, status, exit_code, ended_at FROM runs")
    assert len(runs) == 1 and runs[0][:5] == (n_files, n_files, 0, "ok", 0) and runs[0][5] is not None
    # doc_id is the content hash; names are paths relative to the inbox
    for name, sha, doc_id in _sql(clean_store, "SELECT name, sha256, doc_id FROM files"):
        assert file_sha256(inbox / name) == sha and doc_id == sha[:16]
    # analysts read the Parquet dataset with plain pandas, partitioned by ingestion date
    docs = pd.read_parquet(clean_store / "parquet" / "documents")
    assert len(docs) == n_files and set(TABLES["documents"].names) <= set(docs.columns)
    assert docs["ingest_date"].nunique() == 1 and docs["run_id"].nunique() == 1
    assert pd.read_parquet(clean_store / "current" / "documents.parquet")["doc_id"].is_unique


def test_reingest_adds_nothing(clean_store, tmp_path, inbox):
    store = tmp_path / "store"
    shutil.copytree(clean_store, store)
    before, parts_before = _counts(store), _parts(store)
    report = ingest(inbox, store)
    assert report.exit_code == 0
    assert (report.files_new, report.files_changed, report.rows_added) == (0, 0, 0)
    assert report.files_unchanged == report.files_seen == before["files"]
    assert _counts(store) == before and _parts(store) == parts_before
    assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
    assert _counts(store) == before
    assert [r[0] for r in _sql(store, "SELECT files_new + files_changed FROM runs ORDER BY started_at")] == [
        before["files"], 0, 0]


def test_changed_file_supersedes_and_same_content_is_linked(tmp_path, samples, shared):
    inbox, store, out = tmp_path / "in", tmp_path / "store", tmp_path / "out"
    inbox.mkdir()
    shutil.copy(samples / SMALLEST_AGENDA, inbox / "paper.pdf")
    shutil.copy(samples / SMALLEST_MINUTES, inbox / "minutes.pdf")
    assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
    old_id = _sql(store, "SELECT doc_id FROM files WHERE name = 'paper.pdf'")[0][0]

    # same name, new content (and an older mtime, which must not matter)
    replacement = _smallest_kent(shared, 1)[0]
    shutil.copy(replacement, inbox / "paper.pdf")
    os.utime(inbox / "paper.pdf", (1, 1))
    report = ingest(inbox, store)
    assert (report.files_changed, report.files_new, report.files_unchanged) == (1, 0, 1)
    new_id = _sql(store, "SELECT doc_id FROM files WHERE name = 'paper.pdf' AND superseded_at IS NULL")[0][0]
    assert new_id != old_id
    # older records kept, marked superseded_at, not deleted
    minutes_id = _sql(store, "SELECT doc_id FROM files WHERE name = 'minutes.pdf'")[0][0]
    rows = dict(_sql(store, "SELECT doc_id, superseded_at IS NOT NULL FROM documents"))
    assert rows == {old_id: True, new_id: False, minutes_id: False}
    assert _sql(store, "SELECT count(*) FROM files WHERE name = 'paper.pdf'")[0][0] == 2
    assert main(["export", "--store", str(store), "--out", str(out), "-q"]) == 0
    exported = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert list(exported.columns) == TABLES["documents"].names
    assert set(exported["doc_id"]) == {new_id, minutes_id}
    current = pd.read_parquet(store / "current" / "documents.parquet")
    assert set(current["doc_id"]) == set(exported["doc_id"])
    assert len(pd.read_parquet(store / "parquet" / "documents")) == 3  # the history keeps both versions

    # the same content under a second name: a files row, nothing re-extracted
    shutil.copy(inbox / "minutes.pdf", inbox / "minutes copy.pdf")
    report = ingest(inbox, store)
    assert (report.files_new, report.files_same_content, report.rows_added) == (1, 1, 0)
    assert _sql(store, "SELECT extracted FROM files WHERE name = 'minutes copy.pdf'") == [(False,)]
    assert _counts(store)["documents"] == 3

    # back to the first content: the first version is current again, the second is superseded
    shutil.copy(samples / SMALLEST_AGENDA, inbox / "paper.pdf")
    report = ingest(inbox, store)
    assert (report.files_changed, report.files_same_content) == (1, 1)
    rows = dict(_sql(store, "SELECT doc_id, superseded_at IS NOT NULL FROM documents"))
    assert rows[old_id] is False and rows[new_id] is True
    assert _counts(store)["documents"] == 3


def _start(args: list[str], env_extra: dict[str, str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.Popen([PY, "-m", "pipeline.cli", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, marker: str, nth: int = 1, limit: float = 120.0) -> list[str]:
    """Read the child's stderr until the nth line containing marker (a watchdog kills a stuck child)."""
    watchdog = threading.Timer(limit, proc.kill)
    watchdog.start()
    seen, lines = 0, []
    try:
        for line in proc.stderr:
            lines.append(line)
            if marker in line:
                seen += 1
                if seen == nth:
                    return lines
    finally:
        watchdog.cancel()
    raise AssertionError(f"child ended before {marker!r} #{nth}: {''.join(lines)[-2000:]}")


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_mid_file_then_rerun_matches_a_clean_run(tmp_path, inbox, clean_store):
    store = tmp_path / "store"
    proc = _start(["ingest", str(inbox), "--store", str(store), "--workers", "2"], {PAUSE_BEFORE_COMMIT_ENV: "60:2"})
    # the first file is committed; the second has its Parquet parts written but not committed
    _wait_for(proc, "before commit")
    workers = _children(proc.pid)
    assert len(workers) >= 2
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    proc.stderr.close()
    # its extraction workers do not outlive it (nor keep the store locked: the re-run below does not wait)
    for _ in range(300):
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    lingering = [pid for pid in workers if _alive(pid)]
    for pid in lingering:  # do not leak them when this fails
        os.kill(pid, signal.SIGKILL)
    assert not lingering

    assert _counts(store)["documents"] == 1
    assert _sql(store, "SELECT status FROM runs") == [("running",)]
    committed = {r[0] for r in _sql(store, "SELECT doc_id FROM documents")}
    orphans = _part_docs(store)["documents"] - committed
    assert len(orphans) == 1  # the killed file's part exists on disk but not in the catalogue

    report = ingest(inbox, store, IngestSettings(run=RunSettings(workers=2)))
    assert report.exit_code == 0 and report.orphans_removed >= 1
    assert report.files_unchanged == 1 and report.files_new == report.files_seen - 1
    assert _counts(store) == _counts(clean_store)
    assert _sql(store, "SELECT status FROM runs ORDER BY started_at") == [("killed",), ("ok",)]
    for name, spec in TABLES.items():  # no duplicate keys
        if spec.key:
            key = ", ".join(spec.key)
            assert _sql(store, f'SELECT count(*) - count(DISTINCT ({key})) FROM "{name}"')[0][0] == 0
    # Parquet: one part per committed (doc, table), same documents as the clean run, no orphans
    assert _part_docs(store) == _part_docs(clean_store)
    for table, names in _parts(store).items():
        assert len(names) == len({n[:16] for n in names})
    assert len(pd.read_parquet(store / "parquet" / "documents")) == _counts(clean_store)["documents"]
    # and what analysts get out is the clean run's, row for row (timings aside)
    resumed, clean = tmp_path / "export-resumed", tmp_path / "export-clean"
    assert main(["export", "--store", str(store), "--out", str(resumed), "-q"]) == 0
    assert main(["export", "--store", str(clean_store), "--out", str(clean), "-q"]) == 0
    for name in TABLES:
        got, want = (pd.read_parquet(d / f"{name}.parquet").drop(columns="seconds", errors="ignore")
                     for d in (resumed, clean))
        pd.testing.assert_frame_equal(got, want)
    assert set(pd.read_parquet(store / "current" / "documents.parquet")["doc_id"]) == \
        set(pd.read_parquet(clean_store / "current" / "documents.parquet")["doc_id"])


def test_second_concurrent_ingest_exits_with_a_clear_message_or_waits(tmp_path, samples, capsys):
    inbox, store = tmp_path / "in", tmp_path / "store"
    inbox.mkdir()
    for name in (SMALLEST_AGENDA, SMALLEST_MINUTES):
        shutil.copy(samples / name, inbox / name)
    proc = _start(["ingest", str(inbox), "--store", str(store)], {PAUSE_AFTER_FILE_ENV: "60"})
    try:
        _wait_for(proc, "after commit", nth=1)  # the first ingest holds the lock and is sleeping
        assert main(["ingest", str(inbox), "--store", str(store)]) == EXIT_BUSY
        err = capsys.readouterr().err
        assert "another ingest is running" in err and f"pid {proc.pid}" in err
        assert main(["ingest", str(inbox), "--store", str(store), "--wait", "0.5"]) == EXIT_BUSY
        assert "waited 0.5 s" in capsys.readouterr().err
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
    # the kernel dropped the dead process's lock: a waiting run now proceeds and finishes the work
    assert main(["ingest", str(inbox), "--store", str(store), "--wait", "30", "-q"]) == 0
    assert _counts(store)["documents"] == 2
    assert _sql(store, "SELECT status FROM runs ORDER BY started_at") == [("killed",), ("ok",)]

    # a second run that waits (--wait) while the first is still working gets the lock afterwards
    shutil.copy(samples / "CPP Minutes 10.12.24.pdf", inbox / "again.pdf")
    (inbox / "new.pdf").write_bytes((samples / SMALLEST_AGENDA).read_bytes() + b"\n% appended\n")
    first = _start(["ingest", str(inbox), "--store", str(store)], {PAUSE_AFTER_FILE_ENV: "0.5"})
    _wait_for(first, "after commit", nth=1)
    assert main(["ingest", str(inbox), "--store", str(store), "--wait", "60", "-q"]) == 0
    assert first.wait(timeout=60) == 0
    first.stderr.close()
    assert _sql(store, "SELECT files_new FROM runs ORDER BY started_at")[-2:] == [(2,), (0,)]
    assert _counts(store)["documents"] == 3 and _counts(store)["files"] == 4


def test_failed_file_gives_non_zero_exit_and_is_recorded(tmp_path, samples, capsys):
    inbox, store = tmp_path / "in", tmp_path / "store"
    inbox.mkdir()
    shutil.copy(samples / SMALLEST_MINUTES, inbox / SMALLEST_MINUTES)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    assert main(["ingest", str(inbox), "--store", str(store)]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "1 failed" in out and "broken.pdf" in out
    assert _sql(store, "SELECT files_failed, status, exit_code FROM runs") == [(1, "failed", 1)]
    assert _sql(store, "SELECT status FROM documents WHERE source = 'broken.pdf'") == [("failed",)]
    # known content is not retried every night (no repeated alert) unless asked
    assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
    assert main(["ingest", str(inbox), "--store", str(store), "-q", "--retry-failed"]) == EXIT_FAILED
    assert _counts(store)["documents"] == 2
    assert len(_parts(store)["documents"]) == 3  # the retry's part; the replaced one is removed next run
    assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
    assert len(_parts(store)["documents"]) == 2


def test_store_round_trips_plan_rows(tmp_path, samples):
    """Rows with dates and money (the records stage, real normaliser) survive the catalogue and Parquet."""
    from extractors.action_plan import PlanRow
    from pipeline.ingest import Planned, RunReport, _commit, _utcnow
    from pipeline.records import build_rows
    from pipeline.run import process_file
    from pipeline.store import connect, current_frames

    path = samples / SMALLEST_MINUTES
    doc = process_file(path).documents[0]
    rows = build_rows(doc, [PlanRow(recommendation="Open two hubs", lead="EDT", lead_name="Economic Dev", timescale="Summer 2019",
                                    resource="£60k pa", page_start=1, page_end=2)], {"EDT": "Economic Dev"}, None)
    store = tmp_path / "store"
    con = connect(store)
    sha = file_sha256(path)
    report = RunReport(run_id="r1", started_at=_utcnow())
    _commit(con, store, Planned(path, path.name, sha, 1, "new", True), rows, "r1", report)
    frames = current_frames(con)
    con.close()
    assert report.records_added == 1 and report.rows_added == 5
    rec = frames["recommendations"].iloc[0]
    assert rec["record_id"] == f"{sha[:16]}-1" and rec["lead_name"] == "Economic Dev"
    ts = frames["timescales"].iloc[0]
    assert str(ts["start_date"]) == "2019-06-01" and ts["precision"] == "season"
    assert frames["costs"].iloc[0]["amount_gbp"] == 60000.0 and frames["costs"].iloc[0]["period"] == "per_year"
    pq_ts = pd.read_parquet(store / "parquet" / "timescales")
    assert pq_ts["doc_id"].tolist() == [sha[:16]] and str(pq_ts["end_date"].iloc[0]) == "2019-08-31"


def test_ingest_waits_for_an_open_analyst_session_then_reports_busy(tmp_path, samples, capsys):
    inbox, store = tmp_path / "in", tmp_path / "store"
    inbox.mkdir()
    shutil.copy(samples / SMALLEST_AGENDA, inbox / "paper.pdf")
    assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
    analyst = subprocess.Popen(
        [PY, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
                   "print('open', flush=True); time.sleep(60)", str(store / "catalogue.duckdb")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "open"
        assert main(["ingest", str(inbox), "--store", str(store), "--wait", "1"]) == EXIT_BUSY
        assert "is open in another process" in capsys.readouterr().err
    finally:
        analyst.kill()
        analyst.wait(timeout=30)
        analyst.stdout.close()
    assert main(["ingest", str(inbox), "--store", str(store), "-q", "--wait", "30"]) == 0
    # the busy attempt never got the catalogue, so it left no run record
    assert [r[0] for r in _sql(store, "SELECT status FROM runs ORDER BY started_at")] == ["ok", "ok"]
