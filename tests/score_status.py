"""Score `extract_status` alone on every gold document that has `status_updates` (no full run).

    .venv/bin/python tests/score_status.py [--shared ../shared] [-v] [PDF ...]

Reads each gold file's PDF from the corpus, runs read_layout + extract_status, writes the rows
as `status_updates.csv` (+ `documents.csv`) into a temporary folder and scores it with the
functions of `../shared/eval/score.py` (imported from its path), printing its status_updates
line. Extra PDFs given on the command line (no gold) are printed row by row instead.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.layout import read_layout  # noqa: E402
from extractors.status import extract_status  # noqa: E402


def _score_module(shared: Path):
    spec = importlib.util.spec_from_file_location("score", shared / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _find_pdf(shared: Path, source: str) -> Path | None:
    hits = sorted((shared / "corpus").rglob(source))
    return hits[0] if hits else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("-v", action="store_true")
    ap.add_argument("pdfs", nargs="*")
    a = ap.parse_args()
    shared = Path(a.shared)
    if a.pdfs:
        for pdf in a.pdfs:
            for r in extract_status(read_layout(pdf)):
                print(json.dumps({k: v for k, v in r.__dict__.items() if k != "boxes"} | {"comments": r.comments[:60]},
                                 ensure_ascii=False))
        return 0
    score = _score_module(shared)
    with tempfile.TemporaryDirectory() as tmp:
        out, gold_dir = Path(tmp) / "pred", Path(tmp) / "gold"
        out.mkdir()
        gold_dir.mkdir()
        docs, rows = [], []
        for g in sorted((shared / "eval" / "gold").glob("*.json")):
            gd = json.loads(g.read_text(encoding="utf-8"))
            if not gd.get("status_updates"):
                continue
            pdf = _find_pdf(shared, gd["source"])
            if pdf is None:
                print(f"no PDF for {gd['source']}")
                continue
            (gold_dir / g.name).write_text(json.dumps({k: gd[k] for k in ("source", "doc_id", "status_updates")}))
            docs.append({"doc_id": gd["doc_id"], "source": gd["source"]})
            for r in extract_status(read_layout(pdf)):
                rows.append({"doc_id": gd["doc_id"], "source": gd["source"], "section": r.section,
                             "initiative": r.initiative, "period": r.period, "rag": r.rag,
                             "direction": r.direction, "comments": r.comments, "page": r.page})
        for name, data, cols in (("documents", docs, ["doc_id", "source"]),
                                 ("status_updates", rows, ["doc_id", "source", "section", "initiative", "period",
                                                           "rag", "direction", "comments", "page"])):
            with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=cols)
                w.writeheader()
                w.writerows(data)
        res = score.score_meetings(out, gold_dir, a.v).get("status_updates")
        if not res:
            print("status_updates: nothing scored")
            return 1
        print(f"status_updates: P={res['precision']:.3f} R={res['recall']:.3f} F1={res['f1']:.3f} "
              f"gold={res['gold']} pred={res['pred']} "
              + " ".join(f"{k}={v:.3f}" for k, v in res["fields"].items()) + f" -> {res['score']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
