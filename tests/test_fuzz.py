"""Fuzzing: real PDFs from ../shared/corpus, mutated several hundred ways, through the isolated runner.

Whatever a mutant does (fail to parse, hang, blow up, crash its worker), the run
must finish with exactly one documents row per input, in input order, with a
valid status and a reason whenever the status is not ok.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.run import RunSettings, run_batch

SEED = 20250313
PER_FILE = 75          # mutants per source file (300 in all)
N_SOURCES = 4          # the smallest real PDFs: the run stays inside a minute
STATUSES = {"ok", "partial", "failed"}


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, len(data))]


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def _delete_object(data: bytes, rng: random.Random) -> bytes:
    objs = [m.span() for m in re.finditer(rb"\d+ \d+ obj\b.*?endobj", data, re.S)]
    if not objs:
        return _flip_bytes(data, rng)
    for _ in range(rng.randint(1, 3)):
        a, b = rng.choice(objs)
        data = data[:a] + data[b:]
        objs = [m.span() for m in re.finditer(rb"\d+ \d+ obj\b.*?endobj", data, re.S)] or [(0, 0)]
    return data


def _corrupt_stream(data: bytes, rng: random.Random) -> bytes:
    streams = [m.span(1) for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S)]
    if not streams:
        return _flip_bytes(data, rng)
    a, b = rng.choice(streams)
    if b <= a:
        return data
    how = rng.randrange(3)
    if how == 0:  # random bytes over part of the stream
        lo = rng.randrange(a, b)
        hi = min(b, lo + rng.randint(1, 256))
        return data[:lo] + bytes(rng.randrange(256) for _ in range(hi - lo)) + data[hi:]
    if how == 1:  # the stream cut short, its /Length now a lie
        return data[: rng.randrange(a, b)] + data[b:]
    return data[:a] + data[a:b] * rng.randint(2, 4) + data[b:]  # repeated: longer than /Length


def _splice(data: bytes, rng: random.Random) -> bytes:
    a, b = sorted(rng.randrange(len(data)) for _ in range(2))
    c = rng.randrange(len(data))
    return data[:c] + data[a:b] + data[c:]


MUTATIONS = [_truncate, _flip_bytes, _delete_object, _corrupt_stream, _splice]


def test_mutated_real_pdfs_never_crash_hang_or_lose_a_row(tmp_path, shared):
    sources = sorted((p for p in (shared / "corpus").rglob("*.pdf")), key=lambda p: (p.stat().st_size, str(p)))
    sources = sources[:N_SOURCES]
    rng = random.Random(SEED)
    paths: list[Path] = []
    for s, src in enumerate(sources):
        data = src.read_bytes()
        for k in range(PER_FILE):
            mutate = MUTATIONS[k % len(MUTATIONS)]
            p = tmp_path / f"m{s:02d}-{k:03d}-{mutate.__name__.strip('_')}.pdf"
            p.write_bytes(mutate(data, rng))
            paths.append(p)
    assert len(paths) >= 300

    settings = RunSettings(workers=2, max_pages=1, timeout_s=20, timeout_per_page_s=0)
    seen = []
    result = run_batch(paths, settings, progress=lambda d: seen.append(d.documents[0]["source"]))

    rows = [d.documents[0] for d in result.docs]
    assert [len(d.documents) for d in result.docs] == [1] * len(paths)
    assert [r["source"] for r in rows] == [p.name for p in paths]
    assert seen == [p.name for p in paths]  # progress saw every file once, in input order
    for r in rows:
        assert r["status"] in STATUSES, r
        assert (r["status"] == "ok") == (r["error"] == ""), r
    statuses = {r["status"] for r in rows}
    assert "failed" in statuses and "ok" in statuses  # the mutants really span good to broken
    # no mutant took the runner down: nothing died of a crash or was lost
    assert not [r for r in rows if r["error"].startswith(("not processed", "runner error"))]
