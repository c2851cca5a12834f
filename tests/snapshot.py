"""Output-equality harness for speed work: every contract row the per-file chain gives for a
folder of PDFs, as one canonical JSON file, and a diff of two such files.

    python tests/snapshot.py write ../shared/corpus /tmp/before.json [--layout pdfplumber]
    python tests/snapshot.py diff /tmp/before.json /tmp/after.json

Timings (`seconds`) are left out; everything else must be equal.
"""
from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _plain(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 6)
    return v


def write(folder: str, out: str, layout: str = "") -> None:
    from pipeline.chain import RunSettings, process_file
    from pipeline.run import find_inputs

    snap = {}
    for p in find_inputs(folder):
        rows = process_file(p, RunSettings(isolate=False, layout=layout)).tables()
        for r in rows["documents"]:
            r.pop("seconds", None)
            r.pop("path", None)
        snap[str(p)] = {t: [{k: _plain(v) for k, v in r.items()} for r in rs] for t, rs in rows.items() if rs}
    Path(out).write_text(json.dumps(snap, indent=0, sort_keys=True, default=str))
    print(f"{len(snap)} files -> {out}")


def diff(a: str, b: str) -> int:
    A, B = json.loads(Path(a).read_text()), json.loads(Path(b).read_text())
    bad = 0
    for f in sorted(set(A) | set(B)):
        ta, tb = A.get(f, {}), B.get(f, {})
        for t in sorted(set(ta) | set(tb)):
            ra, rb = ta.get(t, []), tb.get(t, [])
            if ra != rb:
                bad += 1
                print(f"{Path(f).name} {t}: {len(ra)} vs {len(rb)} rows")
                for x, y in zip(ra, rb):
                    if x != y:
                        for k in sorted(set(x) | set(y)):
                            if x.get(k) != y.get(k):
                                print(f"    {k}: {str(x.get(k))[:150]!r} -> {str(y.get(k))[:150]!r}")
                        break
    print("identical" if not bad else f"{bad} tables differ")
    return 1 if bad else 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write":
        layout = sys.argv[sys.argv.index("--layout") + 1] if "--layout" in sys.argv else ""
        write(sys.argv[2], sys.argv[3], layout)
    else:
        sys.exit(diff(sys.argv[2], sys.argv[3]))
