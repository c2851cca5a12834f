"""The Dask engine on a real LocalCluster of worker processes: the same tables as a local run, the
file's bytes (not its path) sent to the worker, guarantees kept on the worker, a killed worker's
file rerun elsewhere, and no process left behind."""
from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from conftest import SOTON
from pipeline.dask_engine import PAUSE_TASK_ENV, DaskSettings, run_batch as dask_run_batch
from pipeline.export import export, to_frames
from pipeline.run import RunSettings, find_inputs, run_batch
from plan_pdf import PlanSpec, build_plan
from test_hostile import build_pdf, text_page

AGENDA = "Agenda frontsheet 30th-Jan-2025 10.00 Cabinet.pdf"  # a real 2-page paper
SLOW = "slow.pdf"      # the file the test hook pauses on (see PAUSE_TASK_ENV), so its worker can be killed
PAUSE = 3.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two worker processes (nanny, one thread each), started in an empty folder: a relative input
    path means nothing to them, so only the bytes the client sends can make a run work."""
    from distributed import Client, LocalCluster

    elsewhere = tmp_path_factory.mktemp("worker-cwd")
    old_cwd, old_env = os.getcwd(), os.environ.get(PAUSE_TASK_ENV)
    os.chdir(elsewhere)
    os.environ[PAUSE_TASK_ENV] = f"{PAUSE:g}:{SLOW}"  # read by the spawned workers
    try:
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", silence_logs=50)
    finally:
        os.chdir(old_cwd)
        if old_env is None:
            os.environ.pop(PAUSE_TASK_ENV, None)
        else:
            os.environ[PAUSE_TASK_ENV] = old_env
    client = Client(lc)
    me = psutil.Process()
    seen: set[int] = set()

    def note_processes() -> None:  # (not this process's own multiprocessing resource tracker)
        for p in me.children(recursive=True):
            try:
                if not (p.ppid() == me.pid and "resource_tracker" in " ".join(p.cmdline())):
                    seen.add(p.pid)
            except psutil.Error:
                pass

    lc.note_processes = note_processes
    try:
        yield lc, client
    finally:
        note_processes()
        client.close()
        lc.close()
        # every worker, forkserver and isolated child is gone once the cluster is closed
        deadline = time.monotonic() + 15
        alive = sorted(seen)
        while alive and time.monotonic() < deadline:
            time.sleep(0.2)
            alive = [pid for pid in seen if _running(pid)]
        assert not alive, f"processes left behind: {alive}"


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.fixture(scope="module")
def folder(tmp_path_factory, samples):
    """A real paper, a drawn plan and a copy of it under a second name, the file the test hook
    pauses on, and broken files."""
    d = tmp_path_factory.mktemp("in")
    (d / "sub").mkdir()
    shutil.copy(samples / AGENDA, d / AGENDA)
    spec = PlanSpec(headers=["Recommendation", "Lead", "Timescale", "Resource"], widths=[330, 120, 120, 120],
                    rows=[("section", "Theme 1: Homes"),
                          {"Recommendation": "1. Publish the housing plan", "Lead": "HT",
                           "Timescale": "by March 2026", "Resource": "£60k pa"},
                          {"Recommendation": "2. Review the allocations policy", "Lead": "PLN",
                           "Timescale": "Summer 2025", "Resource": "Within existing budget"}],
                    key={"HT": "Housing Team", "PLN": "Planning"}, key_at="end", style="zebra")
    build_plan(d / "drawn.pdf", spec)
    shutil.copy(d / "drawn.pdf", d / "sub" / "copy.pdf")
    (d / SLOW).write_bytes(build_pdf([text_page(f"Recommendation {k}: the council will act") for k in range(12)]))
    data = (samples / AGENDA).read_bytes()
    (d / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (d / "not-a-pdf.pdf").write_bytes(b"<html><body>Agenda</body></html>")
    (d / "empty.pdf").write_bytes(b"")
    return d


def _csv_bytes(result, out: Path) -> dict[str, bytes]:
    export(to_frames(result.tables()), out, ("csv",))
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


@pytest.fixture(scope="module")
def local_csv(folder, tmp_path_factory):
    """The CSVs of a local run (--workers 2) of the folder, given as a relative path."""
    old = os.getcwd()
    os.chdir(folder.parent)
    try:
        return _csv_bytes(run_batch(find_inputs(folder.name), RunSettings(workers=2)),
                          tmp_path_factory.mktemp("local"))
    finally:
        os.chdir(old)


def test_a_cluster_run_writes_the_tables_of_a_local_run(cluster, folder, local_csv, tmp_path, monkeypatch):
    lc, _ = cluster
    monkeypatch.chdir(folder.parent)
    paths = find_inputs(folder.name)  # relative: the workers' folder has no such path
    largest = max(p.stat().st_size for p in paths)
    seen = []
    remote = dask_run_batch(paths, RunSettings(), progress=lambda d: seen.append(d.documents[0]["path"]),
                            dask=DaskSettings(lc.scheduler_address, max_bytes_in_flight=largest + 1))
    lc.note_processes()
    assert sorted(seen) == sorted(str(p) for p in paths)  # one progress tick per file
    assert _csv_bytes(remote, tmp_path / "dask") == local_csv
    assert remote.peak_tasks_in_flight >= 1
    assert remote.peak_bytes_in_flight <= largest + 1  # never more than the window (or one file)
    docs = {d.documents[0]["source"]: d.documents[0] for d in remote.docs}
    assert [d.documents[0]["path"] for d in remote.docs] == [str(p) for p in paths]
    assert docs[AGENDA]["status"] == "ok" and docs[AGENDA]["pages"] == 2
    assert docs["drawn.pdf"]["status"] == "ok" and docs["drawn.pdf"]["records"] == 2
    for bad in ("truncated.pdf", "not-a-pdf.pdf", "empty.pdf"):
        assert docs[bad]["status"] in ("failed", "partial") and docs[bad]["error"], bad
        assert "councilx-dask-" not in docs[bad]["error"]  # no worker temp path leaks out
    assert docs["not-a-pdf.pdf"]["status"] == "failed"
    original = next(p for p in paths if p.name == "drawn.pdf")
    dup = {d["source"]: d["duplicate_of"] for d in remote.tables()["documents"]}
    assert dup["copy.pdf"] == str(original) and dup["drawn.pdf"] == ""  # same content, later in the run


def test_the_time_limit_holds_on_the_worker(cluster, tmp_path):
    lc, _ = cluster
    slowish = tmp_path / "long.pdf"
    slowish.write_bytes(build_pdf([text_page()] * 3000))
    quick = tmp_path / "quick.pdf"
    quick.write_bytes(build_pdf([text_page()]))
    settings = RunSettings(timeout_s=0.5, timeout_per_page_s=0.0)
    r = dask_run_batch([slowish, quick, tmp_path / "missing.pdf"], settings,
                       dask=DaskSettings(lc.scheduler_address))
    rows = [d.documents[0] for d in r.docs]
    assert [x["source"] for x in rows] == ["long.pdf", "quick.pdf", "missing.pdf"]
    assert (rows[0]["status"], rows[0]["error"]) == ("failed", "timed out after 0.5 s")
    assert rows[1]["status"] == "ok"
    assert rows[2]["status"] == "failed" and rows[2]["error"].startswith("unreadable: ")


def test_a_killed_worker_costs_nothing(cluster, folder, local_csv, tmp_path, monkeypatch):
    lc, client = cluster
    monkeypatch.chdir(folder.parent)
    paths = find_inputs(folder.name)
    killed: list[int] = []

    def executing(dask_worker):
        return [str(ts.key) for ts in dask_worker.state.executing]

    def kill_the_worker_on_the_slow_file():
        want = f"-{[p.name for p in paths].index(SLOW)}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            try:
                running = client.run(executing)
                pids = client.run(os.getpid)
            except Exception:
                time.sleep(0.2)
                continue
            for addr, keys in running.items():
                if any(k.startswith("councilx-") and k.endswith(want) for k in keys):
                    time.sleep(0.5)  # well inside the pause
                    lc.note_processes()
                    os.kill(pids[addr], signal.SIGKILL)
                    killed.append(pids[addr])
                    return
            time.sleep(0.1)

    t = threading.Thread(target=kill_the_worker_on_the_slow_file)
    t.start()
    try:
        r = dask_run_batch(paths, RunSettings(), dask=DaskSettings(lc.scheduler_address))
    finally:
        t.join()
    assert killed, "never saw the slow file's task running"
    assert not _running(killed[0])
    docs = [d.documents[0] for d in r.docs]
    assert [d["path"] for d in docs] == [str(p) for p in paths]  # every file once, in input order
    slow = docs[[p.name for p in paths].index(SLOW)]
    assert slow["status"] == "ok" and slow["pages"] == 12
    tables = r.tables()
    ids = [row["record_id"] for row in tables["recommendations"]]
    assert len(ids) == len(set(ids))
    assert len({d["doc_id"] for d in docs if not d["duplicate_of"]}) == len(docs) - 1
    assert _csv_bytes(r, tmp_path / "dask") == local_csv


def test_command_line_run_and_ingest_on_the_cluster(cluster, samples, tmp_path):
    from pipeline.cli import main

    lc, _ = cluster
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples / AGENDA, folder / AGENDA)
    (folder / "not-a-pdf.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    (folder / "again.pdf").write_bytes((samples / AGENDA).read_bytes())
    out = tmp_path / "out"
    assert main(["run", str(folder), "--out", str(out), "--dask", lc.scheduler_address, "-q",
                 "--format", "csv"]) == 0
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    assert sorted(docs["source"]) == [AGENDA, "again.pdf", "not-a-pdf.pdf"]
    assert list(docs["status"]) == ["ok", "ok", "failed"]
    store = tmp_path / "store"
    assert main(["ingest", str(folder), "--store", str(store), "--dask", lc.scheduler_address, "-q"]) == 1
    import duckdb

    con = duckdb.connect(str(store / "catalogue.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM files").fetchone()[0] == len(find_inputs(folder))
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == len(find_inputs(folder)) - 1
    finally:
        con.close()


def test_bad_dask_addresses_exit_2(tmp_path, samples, capsys):
    from pipeline.cli import main

    assert main(["run", str(samples / SOTON), "--out", str(tmp_path), "--dask", "local:0", "-q"]) == 2
    assert main(["run", str(samples / SOTON), "--out", str(tmp_path), "--dask", "nowhere", "-q"]) == 2
    assert "expected tcp://HOST:PORT or local:N" in capsys.readouterr().err


def test_a_lost_scheduler_still_gives_every_file_its_row(tmp_path, samples):
    """A scheduler SIGKILLed mid-run (no workers: the tasks are pending) neither hangs the run nor
    loses a row: each file unfinished says why."""
    import socket
    import subprocess
    import sys

    import dask

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dask_cli = Path(sys.executable).parent / "dask"
    proc = subprocess.Popen([str(dask_cli), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                             "--dashboard-address", "127.0.0.1:0"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "scheduler did not start"
                time.sleep(0.2)
        paths = [samples / AGENDA, samples / SOTON]

        def kill_once_the_tasks_are_in():
            from distributed import Client

            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout=20) as c:
                    end = time.monotonic() + 30
                    while time.monotonic() < end and \
                            c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) < len(paths):
                        time.sleep(0.1)
                    proc.send_signal(signal.SIGKILL)
            finally:
                proc.kill()  # whatever happened, the run must not wait on it for ever

        killer = threading.Thread(target=kill_once_the_tasks_are_in)
        killer.start()
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
            r = dask_run_batch(paths, RunSettings(), dask=DaskSettings(f"tcp://127.0.0.1:{port}", poll_s=0.2))
        killer.join()
    finally:
        proc.kill()
        proc.wait()
    rows = [d.documents[0] for d in r.docs]
    assert [x["path"] for x in rows] == [str(p) for p in paths]
    for x in rows:
        assert x["status"] == "failed" and "lost the Dask scheduler mid-run" in x["error"], x["error"]


def test_kept_workers_are_reused_until_the_memory_ceiling_changes(tmp_path):
    """What a Dask worker thread relies on: run_batch(keep=...) reuses its warm isolated worker from
    call to call, and starts a fresh one when a run asks for another memory ceiling."""
    from pipeline.run import KeptWorkers

    quick = tmp_path / "quick.pdf"
    quick.write_bytes(build_pdf([text_page()]))
    keep = KeptWorkers()  # fork, as a plain run (a forkserver would outlive the test)
    try:
        pids = []
        for mem in (4096, 4096, 3072):
            d = run_batch([quick], RunSettings(max_memory_mb=mem), keep=keep).docs[0].documents[0]
            assert d["status"] == "ok"
            assert len(keep.workers) == 1 and keep.workers[0].proc.is_alive()
            pids.append(keep.workers[0].proc.pid)
        assert pids[0] == pids[1] != pids[2]
        assert not _running(pids[0])
    finally:
        keep.close()
    assert keep.workers == [] and not _running(pids[2])
