"""Score `extract_minutes` on the shared gold documents exactly as ../shared/eval/score.py does.

    .venv/bin/python tests/minutes_gold.py [-v]

Finds every gold file with a `minutes_items` list, its PDF under ../shared/corpus
(by doc_id = first 16 hex digits of the file's SHA-256), runs `read_layout` +
`extract_minutes`, writes the rows as score.py reads them (documents, meetings,
minutes_items CSVs) and scores them with score.py's own `score_meetings`, on a
copy of the gold that keeps only the meetings of kind `minutes` (the agenda
meetings are another extractor's). Prints one line per document and the total.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def load_score():
    spec = importlib.util.spec_from_file_location("councilx_score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@lru_cache(maxsize=1)
def corpus_by_name() -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for p in sorted((SHARED / "corpus").rglob("*.pdf")):
        out.setdefault(p.name, []).append(p)
    return out


def find_pdf(gold: dict) -> Path | None:
    """The corpus PDF a gold file describes: same file name and doc_id (first 16 hex of its SHA-256)."""
    for p in corpus_by_name().get(gold["source"], []):
        if hashlib.sha256(p.read_bytes()).hexdigest()[:16] == gold.get("doc_id"):
            return p
    return None


def gold_docs() -> list[tuple[Path, dict, Path]]:
    """(gold file, gold object, PDF) for every gold document with a minutes_items list."""
    out = []
    for g in sorted((SHARED / "eval" / "gold").glob("*.json")):
        d = json.loads(g.read_text(encoding="utf-8"))
        pdf = find_pdf(d) if "minutes_items" in d else None
        if pdf is not None:
            out.append((g, d, pdf))
    return out


def _write(path: Path, rows: list[dict], cols: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})


def predict(pdf: Path) -> tuple[list[dict], list[dict]]:
    from extractors.layout import read_layout
    from extractors.minutes import extract_minutes

    meetings, items = extract_minutes(read_layout(pdf))
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    return ([dict(body=m.body, meeting_date=iso(m.meeting_date), start_time=m.start_time, venue=m.venue, kind=m.kind)
             for m in meetings],
            [dict(meeting_date=iso(i.meeting_date), minute_number=i.minute_number, title=i.title, decision=i.decision,
                  page=i.page) for i in items])


def score_one(score, gold: dict, meetings: list[dict], items: list[dict], verbose: bool = False) -> dict:
    """score.py's figures for one document: its `meetings` (kind minutes) and `minutes_items`."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pred, gdir = tmp / "pred", tmp / "gold"
        pred.mkdir()
        gdir.mkdir()
        doc = dict(doc_id=gold["doc_id"], source=gold["source"])
        _write(pred / "documents.csv", [doc], ["doc_id", "source"])
        _write(pred / "meetings.csv", [dict(doc, **m) for m in meetings],
               ["doc_id", "source", "body", "meeting_date", "start_time", "venue", "kind"])
        _write(pred / "minutes_items.csv", [dict(doc, **i) for i in items],
               ["doc_id", "source", "meeting_date", "minute_number", "title", "decision", "page"])
        g = dict(source=gold["source"], doc_id=gold["doc_id"],
                 meetings=[m for m in gold.get("meetings", []) if m["kind"] == "minutes"],
                 minutes_items=gold["minutes_items"])
        (gdir / "g.json").write_text(json.dumps(g), encoding="utf-8")
        return score.score_meetings(pred, gdir, verbose)


def run(verbose: bool = False) -> dict:
    """Per-document and overall scores; the overall figures pool every document as score.py does."""
    score = load_score()
    per_doc, all_meet, all_items, all_gold = {}, [], [], []
    for gpath, gold, pdf in gold_docs():
        meetings, items = predict(pdf)
        rep = score_one(score, gold, meetings, items, verbose)
        per_doc[gpath.stem] = rep
        all_meet.append(meetings)
        all_items.append(items)
        all_gold.append(gold)
    # overall: every document at once, as one run of score.py would pool them
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pred, gdir = tmp / "pred", tmp / "gold"
        pred.mkdir()
        gdir.mkdir()
        docs, meets, items = [], [], []
        for k, (gold, ms, its) in enumerate(zip(all_gold, all_meet, all_items)):
            doc = dict(doc_id=gold["doc_id"], source=gold["source"])
            docs.append(doc)
            meets += [dict(doc, **m) for m in ms]
            items += [dict(doc, **i) for i in its]
            g = dict(doc, meetings=[m for m in gold.get("meetings", []) if m["kind"] == "minutes"],
                     minutes_items=gold["minutes_items"])
            (gdir / f"{k:03d}.json").write_text(json.dumps(g), encoding="utf-8")
        _write(pred / "documents.csv", docs, ["doc_id", "source"])
        _write(pred / "meetings.csv", meets, ["doc_id", "source", "body", "meeting_date", "start_time", "venue", "kind"])
        _write(pred / "minutes_items.csv", items,
               ["doc_id", "source", "meeting_date", "minute_number", "title", "decision", "page"])
        overall = score.score_meetings(pred, gdir, False)
    return dict(per_doc=per_doc, overall=overall)


def _fmt(t: dict | None) -> str:
    if not t:
        return "      -      "
    return f"{t['score']:.3f} (P {t['precision']:.2f} R {t['recall']:.2f} {t['pred']}/{t['gold']})"


def main() -> int:
    verbose = "-v" in sys.argv
    rep = run(verbose)
    for name, r in rep["per_doc"].items():
        print(f"{name[:58]:58} meetings {_fmt(r.get('meetings'))}  minutes_items {_fmt(r.get('minutes_items'))}")
    o = rep["overall"]
    print(f"{'OVERALL':58} meetings {_fmt(o.get('meetings'))}  minutes_items {_fmt(o.get('minutes_items'))}")
    for t in ("meetings", "minutes_items"):
        if o.get(t):
            print(f"  {t} fields: " + ", ".join(f"{k} {v:.3f}" for k, v in o[t]["fields"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
