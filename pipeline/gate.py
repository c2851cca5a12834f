"""The quality gate in a helper process: Great Expectations imported and every suite built while the
files of a run are processed, so that once the rows are in, only the validation itself is left.

This module is light on purpose (no pandas, no Great Expectations): `councilx run` starts the gate
before its worker pool forks, and the workers should not inherit what the gate needs.
"""
from __future__ import annotations

import pickle


class QualityGate:
    """`run_quality` in a helper process started with the run, so importing Great Expectations (~2-3 s)
    and building the context, the suites and their batch definitions happen while the files are processed.

    Start it before the files are processed, `submit` the run's tables when they are in, and
    `result(frames)` returns what `run_quality(frames)` returns (the same engine code, on frames built
    from the same rows). Should the helper fail in any way, `result` runs `run_quality` in this process.

    Why a process, not a thread: the worker pool (`pipeline.run`) forks its workers, and forks again to
    replace one that crashed or timed out, at any moment of the run; a fork while another thread is
    half-way through an import copies that thread's import locks into the child held by nobody, and
    the child deadlocks on its first import of the same module. The helper is a fresh interpreter
    (`python -m pipeline.gate FD`, started with subprocess: fork and exec at once, safe whatever threads
    the caller has, e.g. under Dask or pytest; no re-import of the caller's __main__ as multiprocessing's
    "spawn" would do), so the gate adds no thread to the run's process, which never imports Great Expectations, and
    every worker it forks starts exactly as before (same start method, same modules, same memory under
    --max-memory). The helper validates every suite itself, on one core, after the files are done.
    """

    pipe_bytes = 32 << 10  # rows pickled to at most this many bytes are sent without waiting for the helper

    def __init__(self, settings=None):
        import multiprocessing as mp
        import os
        import subprocess
        import sys
        from pathlib import Path

        self.settings = settings  # a QualitySettings, or None for the default
        self.sent = False
        self.payload: bytes | None = None
        self.conn, child = mp.Pipe(duplex=True)
        root = str(Path(__file__).resolve().parents[1])  # where `pipeline` is, whatever the caller's sys.path
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "pipeline.gate", str(child.fileno())],
                                         pass_fds=(child.fileno(),), env=env, stdin=subprocess.DEVNULL)
        finally:
            child.close()
        self._send_settings()

    def _send_settings(self) -> None:
        try:
            self.conn.send(self.settings)
        except Exception:  # unpicklable settings or a dead helper: result() validates in this process
            self.conn.close()
    def ready(self) -> bool:
        """True once the helper has Great Expectations loaded and its suites built (or has failed)."""
        try:
            return self.conn.poll()
        except (OSError, EOFError, ValueError):  # closed or dead: nothing to wait for
            return True

    def submit(self, tables: dict[str, list[dict]], wait: bool = True) -> bool:
        """Hand the run's rows to the helper, which validates them as soon as it is ready. Rows that
        do not fit in the pipe's buffer make this wait until the helper reads them; with `wait` False
        they are then not sent (call again later). Returns whether they were sent."""
        if self.sent:
            return True
        if self.payload is None:
            try:
                self.payload = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # unpicklable rows: result() validates in this process
                return False
        if not wait and len(self.payload) > self.pipe_bytes and not self.ready():
            return False
        try:
            self.conn.send_bytes(self.payload)
            self.sent = True
        except Exception:  # a dead helper: result() validates in this process
            pass
        self.payload = None
        return self.sent

    def result(self, frames, tables: dict[str, list[dict]] | None = None):
        """The QualityResult of the submitted rows (submitting `tables` first if that has not been done);
        `frames` are `to_frames` of the same rows, validated in this process should the helper fail."""
        if not self.sent and tables is not None:
            self.submit(tables)
        q = None
        if self.sent:
            try:
                while True:
                    kind, value = self.conn.recv()
                    if kind != "ready":
                        break
                if kind == "ok":
                    q = value
            except Exception:  # the helper died (EOF) or answered something unreadable
                q = None
        try:
            self.conn.close()  # the helper exits by itself; close() waits for that
        except OSError:
            pass
        if q is None:
            from pipeline.quality import QualitySettings, run_quality

            q = run_quality(frames, self.settings or QualitySettings())
        return q

    def close(self) -> None:
        """Stop the helper: wait for it to exit after answering, else (no rows sent, a failed run) kill it."""
        import subprocess

        try:
            self.conn.close()
        except OSError:
            pass
        try:
            self.proc.wait(5 if self.sent else 0.05)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _gate_main(conn) -> None:
    """The helper process of QualityGate: build the engine, say so, validate the rows when they come."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it closes the pipe
    try:
        settings = conn.recv()
        import tqdm

        tqdm.tqdm.monitor_interval = 0  # no tqdm monitor thread (GX makes a bar): nothing runs behind the gate
        from pipeline.export import to_frames
        from pipeline.quality import QualitySettings, _Engine

        engine = _Engine(settings or QualitySettings())
        if not conn.poll():  # no rows yet: validate empty tables once, so GX's first-use costs are paid now
            engine.validate(to_frames({}))
        conn.send(("ready", None))
        raw = _wait_for_rows(conn)
    except BaseException as exc:
        raw = exc
    if not isinstance(raw, bytes):
        if isinstance(raw, BaseException) and not isinstance(raw, (EOFError, OSError)):
            _send(conn, ("error", f"{type(raw).__name__}: {raw}"))  # the parent validates in its own process
        return  # else the parent is gone, or needs no check any more
    try:
        outcome = ("ok", engine.validate(to_frames(pickle.loads(raw))))
    except BaseException as exc:
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    _send(conn, outcome)


def _wait_for_rows(conn) -> bytes | None:
    """The pickled rows from the other end of `conn`; None when the process that started this one is gone
    (its end of the pipe may be held open by processes it forked, so the pipe alone does not tell)."""
    import os

    parent = os.getppid()
    while not conn.poll(1.0):
        if os.getppid() != parent:  # re-parented: the parent died
            return None
    return conn.recv_bytes()


def _send(conn, msg) -> None:
    try:
        conn.send(msg)
    except Exception:
        pass


if __name__ == "__main__":  # python -m pipeline.gate FD: the helper, on the socket FD its QualityGate passed
    import os
    import sys
    from multiprocessing.connection import Connection

    _gate_main(Connection(int(sys.argv[1])))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter teardown of Great Expectations: the run is waiting for nothing else
