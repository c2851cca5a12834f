"""The quality gate in its helper process (pipeline/gate.py): the same result as run_quality, a fallback
when the helper fails, and a run whose workers crash and are replaced while the helper works."""
from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

from conftest import ROOT, SOTON
from pipeline.cli import main
from pipeline.export import to_frames
from pipeline.gate import QualityGate
from pipeline.quality import run_quality
from planted import planted_tables
from test_hostile import _bomb, build_pdf, text_page, write


def _same(a, b) -> bool:
    key = lambda q: (q.issues, q.rows, q.gx_version,  # noqa: E731
                     [(r.check, r.success, r.element_count, r.unexpected_count, r.error, r.samples) for r in q.results])
    return key(a) == key(b)


def test_gate_gives_what_run_quality_gives():
    tables = planted_tables()
    frames = to_frames(tables)
    expected = run_quality(frames)
    assert expected.issues  # planted rows fail: the comparison means something
    for early in (True, False):  # rows sent before the helper is ready, and after
        gate = QualityGate()
        try:
            if not early:
                while not gate.ready():
                    time.sleep(0.05)
            assert gate.submit(tables)
            assert _same(gate.result(frames), expected)
        finally:
            gate.close()
        assert gate.proc.poll() is not None


def test_gate_falls_back_to_this_process_when_the_helper_dies():
    tables = planted_tables()
    frames = to_frames(tables)
    gate = QualityGate()
    try:
        os.kill(gate.proc.pid, signal.SIGKILL)
        gate.proc.wait(10)
        gate.submit(tables)
        assert _same(gate.result(frames), run_quality(frames))
    finally:
        gate.close()


def test_gate_helper_leaves_when_its_parent_is_killed(tmp_path):
    code = ("import time; from pipeline.gate import QualityGate; g = QualityGate(); "
            "print(g.proc.pid, flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    helper = int(proc.stdout.readline())
    time.sleep(1.0)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30  # it notices within a second of being ready (GX imported)
    while time.monotonic() < deadline and _alive(helper):
        time.sleep(0.2)
    assert not _alive(helper)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_run_with_a_crashing_file_and_the_gate(tmp_path, samples):
    """A worker aborted by the memory ceiling is replaced (forked again) while the gate's helper imports
    Great Expectations; the run finishes with one row per file and the good file's rows checked."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    _bomb(inbox, 1024)
    (inbox / SOTON).write_bytes((samples / SOTON).read_bytes())
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", str(inbox), "--out", str(out), "--workers", "1",
                        "--max-memory", "1024", "--format", "csv,parquet,xlsx"], cwd=ROOT, capture_output=True,
                       text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 0, r.stderr
    assert "files       2  (failed 1, ok 1)" in r.stdout
    assert "memory ceiling of 1024 MB" in r.stdout
    assert "quality     PASS  (123 expectations" in r.stdout
    import pandas as pd

    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert list(docs["status"]) == ["failed", "ok"]
    assert len(pd.read_csv(out / "recommendations.csv", encoding="utf-8-sig")) > 0


def test_run_in_process_with_a_worker_killed_and_replaced(tmp_path, samples):
    """`main()` inside this (multi-threaded) process: the gate is spawned, a worker is SIGKILLed mid-file
    and replaced, and nothing is left running afterwards."""
    slow = write(tmp_path, "slow.pdf", build_pdf([text_page()] * 3000))
    inbox = tmp_path / "in"
    inbox.mkdir()
    os.replace(slow, inbox / "a-slow.pdf")
    (inbox / SOTON).write_bytes((samples / SOTON).read_bytes())
    stop = threading.Event()

    def kill_the_worker():
        while not stop.is_set():
            kids = multiprocessing.active_children()  # the pool's workers (the gate is no multiprocessing child)
            if kids:
                stop.wait(0.5)
                os.kill(kids[0].pid, signal.SIGKILL)
                return
            stop.wait(0.01)

    t = threading.Thread(target=kill_the_worker)
    t.start()
    out = tmp_path / "out"
    try:
        assert main(["run", str(inbox), "--out", str(out), "--workers", "1", "--format", "csv", "-q"]) == 0
    finally:
        stop.set()
        t.join()
    import pandas as pd

    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig")
    assert list(docs["status"]) == ["failed", "ok"]
    assert docs["error"][0].startswith("worker killed (SIGKILL)")
    assert (out / "quality_issues.csv").exists() and (out / "quality_report.html").exists()
    assert not multiprocessing.active_children()
    assert not _gate_children()


def _gate_children() -> list[int]:
    """Gate helpers still running under this process."""
    me, out = str(os.getpid()), []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[-1].split()
                with open(f"/proc/{d}/cmdline", "rb") as fh:
                    cmd = fh.read()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z" and b"pipeline.gate" in cmd:
                out.append(int(d))
    return out
