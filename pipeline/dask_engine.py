"""The Dask engine: the same per-file chain, one task per file, on a `dask.distributed` cluster.

`run_batch(paths, settings, progress, dask=DaskSettings(address))` has the shape of
`pipeline.run.run_batch` and gives the same BatchResult (so the same tables, byte for byte);
`iter_results` yields (input index, DocRows) as tasks complete (what `councilx ingest` commits
from). The address is `tcp://host:8786` (an existing scheduler) or `local:N` (a LocalCluster of N
worker processes, on loopback, started and stopped here).

- **No shared filesystem.** The client reads each file and sends its bytes as the task's argument;
  the worker writes them to a temporary file named like the original and runs it through
  `pipeline.run.run_batch` (so a worker process with the run's time limit and memory ceiling, kept
  warm from task to task), then puts the client's path back into the documents row.
- **Bytes in flight are bounded** (DaskSettings.max_bytes_in_flight, and at most tasks_per_thread
  tasks per worker thread): files are read and submitted as earlier ones complete, so the scheduler
  never holds more than the window (a file larger than the window goes alone).
- **Worker loss.** A task's bytes live in the task itself (not scattered to one worker), so when a
  worker dies the scheduler reruns its tasks elsewhere; each file is one future, so one result.
  A file whose task keeps killing workers (distributed.scheduler.allowed-failures) gets a `failed`
  row, as does any other task error: every file has exactly one documents row.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline.chain import RunSettings, failed_doc
from pipeline.records import DocRows
from pipeline.run import BatchResult, KeptWorkers, _size
from pipeline.run import run_batch as local_run_batch

LOCAL_PREFIX = "local:"

# Test hook (README "Scale-out on Dask"): "SECONDS" or "SECONDS:NAME" makes each task (or only the
# task of the file named NAME) announce itself on the worker's stderr and sleep before it runs, so a
# test can kill the worker at a known place. Unset in production.
PAUSE_TASK_ENV = "COUNCILX_DASK_PAUSE_TASK"


@dataclass(frozen=True)
class DaskSettings:
    address: str = "local:2"               # tcp://host:8786, or local:N (a LocalCluster of N processes)
    max_bytes_in_flight: int = 256 << 20   # file bytes submitted and not yet answered
    poll_s: float = 1.0                    # how often a wait for results checks the client is still connected
    tasks_per_thread: int = 2              # tasks in flight per worker thread of the cluster
    connect_timeout_s: float = 30.0        # waiting for the scheduler to answer
    local_threads_per_worker: int = 1      # local:N: threads of each worker process


@dataclass
class DaskBatchResult(BatchResult):
    startup_seconds: float = 0.0           # connecting (or starting the LocalCluster)
    peak_bytes_in_flight: int = 0
    peak_tasks_in_flight: int = 0


class DaskUnavailable(ConnectionError):
    """The scheduler cannot be reached (or the LocalCluster not started)."""


class DaskLost(DaskUnavailable):
    """The client lost the scheduler mid-run (and gave up reconnecting)."""


def parse_address(address: str) -> str:
    """Check an address; raise ValueError for one we cannot use."""
    address = address.strip()
    if address.startswith(LOCAL_PREFIX):
        n = address[len(LOCAL_PREFIX):]
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"--dask {address}: local:N needs a number of worker processes N >= 1")
        return address
    if "://" not in address:
        if not address or ":" not in address:
            raise ValueError(f"--dask {address!r}: expected tcp://HOST:PORT or local:N")
        address = "tcp://" + address
    return address


# ------------------------------------------------------------------ on the worker

_kept = threading.local()
_children_lock = threading.Lock()
_children_users = 0
_saved_daemon = None


@contextmanager
def _children_allowed():
    """A Dask worker under a nanny is a daemonic process, and multiprocessing refuses to start
    children from one; the isolated worker is a child we stop ourselves (and it exits when its pipe
    closes), so lift the flag while a task runs (counted: worker threads may overlap)."""
    global _children_users, _saved_daemon
    proc = mp.current_process()
    with _children_lock:
        if _children_users == 0:
            _saved_daemon = proc._config.pop("daemon", None)
        _children_users += 1
    try:
        yield
    finally:
        with _children_lock:
            _children_users -= 1
            if _children_users == 0 and _saved_daemon is not None:
                proc._config["daemon"] = _saved_daemon


def _kept_workers() -> KeptWorkers:
    """This worker thread's isolated worker, kept warm between tasks. Forkserver: the Dask worker
    has threads and open sockets a forked child should not inherit."""
    keep = getattr(_kept, "workers", None)
    if keep is None:
        if "forkserver" in mp.get_all_start_methods():
            # the modules pipeline.run imports before it forks its own workers (missing ones are skipped)
            mp.get_context("forkserver").set_forkserver_preload(
                ["pipeline.run", "extractors.action_plan", "extractors.classify", "extractors.layout", "pdfplumber"])
            keep = KeptWorkers(start_method="forkserver")
        else:
            keep = KeptWorkers(start_method="spawn")
        _kept.workers = keep
    return keep


def _pause_hook(name: str) -> None:
    value = os.environ.get(PAUSE_TASK_ENV) or ""
    if not value:
        return
    seconds, _, only = value.partition(":")
    if only and only != name:
        return
    print(f"councilx-test-hook: {PAUSE_TASK_ENV} {name} pid {os.getpid()}", file=sys.stderr, flush=True)
    time.sleep(float(seconds))


def _with_client_path(d: DocRows, temp_path: str, client_path: str) -> DocRows:
    """The documents row as a local run writes it: the client's path, never the worker's temp file."""
    for row in d.documents:
        for k, v in row.items():
            if isinstance(v, str) and temp_path in v:
                row[k] = v.replace(temp_path, client_path)
        row["path"] = client_path
    return d


def process_bytes(name: str, data: bytes, settings: RunSettings, client_path: str) -> DocRows:
    """The Dask task: one file's bytes through the local engine's isolated chain. Never raises."""
    _pause_hook(name)
    with tempfile.TemporaryDirectory(prefix="councilx-dask-") as tmp:
        path = Path(tmp) / (Path(name).name or "input.pdf")
        path.write_bytes(data)
        with _children_allowed():
            result = local_run_batch([path], replace(settings, workers=1), keep=_kept_workers())
        d = result.docs[0]
        return _with_client_path(d, str(path), client_path)


# ------------------------------------------------------------------ on the client

@contextmanager
def connect(dask: DaskSettings):
    """A distributed Client for the address (starting and stopping a LocalCluster for local:N)."""
    import logging

    from distributed import Client, LocalCluster

    address = parse_address(dask.address)
    if address.startswith(LOCAL_PREFIX):
        n = int(address[len(LOCAL_PREFIX):])
        try:
            cluster = LocalCluster(n_workers=n, threads_per_worker=dask.local_threads_per_worker, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0",  # loopback, any free port
                                   silence_logs=logging.ERROR)
        except Exception as exc:
            raise DaskUnavailable(f"could not start a local Dask cluster: {type(exc).__name__}: {exc}") from exc
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address, timeout=dask.connect_timeout_s)
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        yield client


def _threads(client) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return 1


def _answer(future, path: Path) -> DocRows:
    """The task's DocRows, or a failed row saying why the task itself failed; DaskLost when the
    scheduler is gone."""
    import asyncio
    import concurrent.futures

    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        return failed_doc(path, "Dask workers kept dying while processing this file (KilledWorker)")
    except (asyncio.CancelledError, concurrent.futures.CancelledError) as exc:
        if future.client.status in ("closing", "closed") or "connection-lost" in str(exc):
            # not the file's fault: no row here (ingest must not record the file as failed);
            # run_batch gives every unfinished file its 'not processed' row
            raise DaskLost("lost the Dask scheduler mid-run") from exc
        return failed_doc(path, " ".join(f"Dask task cancelled: {exc}".split())[:300])
    except Exception as exc:
        return failed_doc(path, " ".join(f"Dask task failed: {type(exc).__name__}: {exc}".split())[:300])


def _first_done(client, futures: list, poll_s: float) -> list:
    """The futures done (at least one), waiting as long as it takes while the client is connected;
    DaskLost once the client has given up on the scheduler (no future will ever finish then)."""
    import asyncio
    import concurrent.futures

    from distributed import wait

    while True:
        if client.status in ("closing", "closed"):
            raise DaskLost(f"lost the Dask scheduler mid-run (client {client.status})")
        try:
            return list(wait(futures, timeout=poll_s, return_when="FIRST_COMPLETED").done)
        except TimeoutError:
            continue
        except (asyncio.CancelledError, concurrent.futures.CancelledError) as exc:
            if client.status in ("closing", "closed"):
                raise DaskLost(f"lost the Dask scheduler mid-run (client {client.status})") from exc
            return [f for f in futures if f.done()] or [futures[0]]  # cancelled from outside: failed rows


def iter_results(paths: list[Path], settings: RunSettings, dask: DaskSettings,
                 stats: DaskBatchResult | None = None) -> Iterator[tuple[int, DocRows]]:
    """(input index, DocRows) for every path, as the tasks complete; largest files submitted first,
    within the window of bytes and tasks in flight."""
    stats = stats if stats is not None else DaskBatchResult()
    paths = [Path(p) for p in paths]
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    t0 = time.perf_counter()
    with connect(dask) as client:
        stats.startup_seconds = time.perf_counter() - t0
        run = uuid.uuid4().hex[:8]
        flying: dict = {}   # future -> (index, bytes)
        in_flight = 0
        pos = 0
        while pos < len(order) or flying:
            limit = dask.tasks_per_thread * _threads(client)
            while pos < len(order) and (not flying or (len(flying) < limit and
                                                      in_flight + _size(paths[order[pos]]) <= dask.max_bytes_in_flight)):
                i = order[pos]
                pos += 1
                try:
                    data = paths[i].read_bytes()
                except OSError as exc:  # as process_file reports a file it cannot read
                    yield i, failed_doc(paths[i], f"unreadable: {exc}")
                    continue
                future = client.submit(process_bytes, paths[i].name, data, settings, str(paths[i]),
                                       key=f"councilx-{run}-{i}", pure=False)
                flying[future] = (i, len(data))
                in_flight += len(data)
                del data  # the task holds the bytes now; free them here as soon as it is done
                stats.peak_bytes_in_flight = max(stats.peak_bytes_in_flight, in_flight)
                stats.peak_tasks_in_flight = max(stats.peak_tasks_in_flight, len(flying))
            if not flying:
                continue
            for future in _first_done(client, list(flying), dask.poll_s):
                i, size = flying.pop(future)
                in_flight -= size
                d = _answer(future, paths[i])
                future.release()
                yield i, d


def run_batch(paths: Iterable[str | Path], settings: RunSettings = RunSettings(),
              progress: Callable[[DocRows], None] | None = None,
              dask: DaskSettings = DaskSettings()) -> DaskBatchResult:
    """Every file through the per-file chain on the cluster: exactly one DocRows per input path, in
    input order (as `pipeline.run.run_batch`); `progress` sees each as its task completes."""
    paths = [Path(p) for p in paths]
    t0 = time.perf_counter()
    result = DaskBatchResult()
    slots: list[DocRows | None] = [None] * len(paths)
    try:
        for i, d in iter_results(paths, settings, dask, result) if paths else ():
            slots[i] = d
            if progress:
                progress(d)
    except DaskLost as exc:  # what finished keeps its rows; the rest are failed rows saying why
        for i, d in enumerate(slots):
            if d is None:
                slots[i] = failed_doc(paths[i], f"not processed: {exc}")
    except DaskUnavailable:
        raise  # nothing ran: the caller says so (councilx exits 2)
    except Exception as exc:  # any other fault in the engine: still one row per file
        for i, d in enumerate(slots):
            if d is None:
                slots[i] = failed_doc(paths[i], f"runner error: {type(exc).__name__}: {exc}"[:300])
    for i, d in enumerate(slots):  # belt and braces: whatever happened, one row per input
        if d is None:
            slots[i] = failed_doc(paths[i], "not processed (the run was interrupted)")
    result.docs = [d for d in slots if d is not None]
    result.seconds = time.perf_counter() - t0
    return result
