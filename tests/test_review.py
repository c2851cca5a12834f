"""Provenance boxes, the review page (in a real headless chromium), XLSX review links and file modes.

One run of the seed action plan plus a synthetic plan (rows cut by page breaks) under umask 022 feeds
every test here; the browser test drives Debian's chromium over its debugging pipe (tests/cdp.py) and
skips, saying why, when chromium is not installed.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from cdp import Browser, find_chromium
from conftest import ROOT, SOTON
from pipeline.cli import main
from pipeline.quality import parse_bbox

SYNTHETIC = "dev-03_merrowdale-city-council_biodiversity-action-plan-2023-2028.pdf"
SCREENSHOT = ROOT / "build" / "test-review" / "record.png"


class _umask:
    def __init__(self, mask: int):
        self.mask = mask

    def __enter__(self):
        self.old = os.umask(self.mask)

    def __exit__(self, *exc):
        os.umask(self.old)


@pytest.fixture(scope="module")
def review_run(shared, tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copy(shared / "corpus" / "rendered" / SOTON, inbox / SOTON)
    shutil.copy(shared / "corpus" / "synthetic" / SYNTHETIC, inbox / SYNTHETIC)
    out = tmp_path_factory.mktemp("run") / "out"
    with _umask(0o022):
        assert main(["run", str(inbox), "--out", str(out), "-q"]) == 0
    recs = pd.read_csv(out / "recommendations.csv", encoding="utf-8-sig", keep_default_na=False)
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    return out, recs, docs, inbox


class _Page(HTMLParser):
    """Entry ids, their data attributes and the page data of review/index.html."""

    def __init__(self):
        super().__init__()
        self.entries: dict[str, dict] = {}
        self._in_data = False
        self.data = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "entry" in (a.get("class") or "").split():
            self.entries[a["id"]] = a
        self._in_data = tag == "script" and a.get("id") == "doc-data"

    def handle_endtag(self, tag):
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data += data


def _parse(out: Path) -> _Page:
    p = _Page()
    p.feed((out / "review" / "index.html").read_text(encoding="utf-8"))
    return p


def _sizes(docs: pd.DataFrame) -> dict[str, dict[int, tuple]]:
    out = {}
    for d, s in zip(docs["doc_id"], docs["page_sizes"]):
        out[d] = {p: (w, h) for first, last, w, h in json.loads(s) for p in range(first, last + 1)}
    return out


# ---------------------------------------------------------------- provenance

def test_every_row_has_a_valid_bbox(review_run):
    _, recs, docs, _ = review_run
    sizes = _sizes(docs)
    assert len(recs) >= 50 and (recs["page_start"] < recs["page_end"]).sum() >= 3  # rows cut by page breaks
    for r in recs.itertuples():
        boxes = parse_bbox(r.bbox)
        assert boxes, r.record_id
        assert [b[0] for b in boxes] == list(range(r.page_start, r.page_end + 1)), r.record_id
        for page, x0, top, x1, bottom in boxes:
            w, h = sizes[r.doc_id][page]
            assert 0 <= x0 < x1 <= w and 0 <= top < bottom <= h, (r.record_id, page)


def test_boxes_hold_the_rows_text_and_not_their_neighbours(review_run):
    """What pdfplumber reads inside a row's boxes starts its key actions (or recommendation) and holds
    its lead; rows on one page do not overlap."""
    import pdfplumber

    _, recs, docs, _ = review_run
    paths = dict(zip(docs["doc_id"], docs["path"]))
    for doc_id, rows in recs.groupby("doc_id"):
        with pdfplumber.open(paths[doc_id]) as pdf:
            spans: dict[int, list[tuple]] = {}
            for r in rows.itertuples():
                text = " ".join(pdf.pages[p - 1].crop((x0, top, x1, bottom)).extract_text() or ""
                                for p, x0, top, x1, bottom in parse_bbox(r.bbox)).replace("\n", " ")
                words = [w.strip(".,;:") for w in (r.key_actions or r.recommendation).split()[:3]]
                words += r.lead.split()[:1]
                assert all(w in text for w in words), (r.record_id, words, text[:120])
                for p, _, top, _, bottom in parse_bbox(r.bbox):
                    spans.setdefault(p, []).append((top, bottom, r.record_id))
            for p, ss in spans.items():
                ss.sort()
                for (t0, b0, a), (t1, b1, b) in zip(ss, ss[1:]):
                    assert t1 >= b0 - 1.0, (p, a, b)


# ---------------------------------------------------------------- the page, without a browser

def test_review_page_lists_every_record_and_its_images_exist(review_run):
    out, recs, docs, _ = review_run
    page = _parse(out)
    assert set(page.entries) == set(recs["record_id"])
    data = json.loads(page.data.replace("<\\/", "</"))
    for r in recs.itertuples():
        entry = page.entries[r.record_id]
        assert json.loads(entry["data-boxes"]) == json.loads(r.bbox)
        for b in parse_bbox(r.bbox):
            img = data[r.doc_id]["pages"][str(b[0])]
            assert (out / "review" / img["src"]).is_file()
    images = list((out / "review" / "pages").glob("*.png"))
    held = {(d, p) for d, rows in recs.groupby("doc_id") for b in rows["bbox"] for p, *_ in parse_bbox(b)}
    assert len(images) == len(held)  # only pages that hold rows are rendered
    kb = sum(f.stat().st_size for f in images) / 1024 / len(images)
    assert kb <= 150, f"{kb:.0f} KB per page image"
    from PIL import Image

    with Image.open(images[0]) as im:  # legible: at least 120 dpi
        w_pt = max(w for _, _, w, _ in json.loads(docs["page_sizes"][0]))
        assert im.width >= w_pt * 120 / 72


def test_workbook_links_each_row_to_the_review_page(review_run):
    from openpyxl import load_workbook

    out, recs, _, _ = review_run
    ws = load_workbook(out / "councilx.xlsx")["recommendations"]
    header = [c.value for c in ws[1]]
    assert header[-1] == "review"
    col = len(header)
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert ids == list(recs["record_id"])
    for r, rid in enumerate(ids, start=2):
        assert ws.cell(r, col).hyperlink.target == f"review/index.html#{rid}"
    assert set(ids) == set(_parse(out).entries)


def test_quality_issues_are_marked_on_the_page(review_run, tmp_path):
    """A row the quality gate flags carries the reason on its entry (planted: a box off the page)."""
    from pipeline.export import to_frames
    from pipeline.quality import run_quality
    from pipeline.review import write_review
    from schemas.contract import TABLES
    from pipeline.export import to_frame

    out, recs, docs, _ = review_run
    tables = {"documents": docs.to_dict("records"), "recommendations": recs.to_dict("records")}
    bad = tables["recommendations"][4]
    p, x0, top, x1, bottom = parse_bbox(bad["bbox"])[0]
    bad["bbox"] = json.dumps([[p, x0, top, x1 + 900, bottom]])
    frames = to_frames(tables)
    frames["quality_issues"] = to_frame(TABLES["quality_issues"], run_quality(frames).issues)
    write_review(frames, tmp_path)
    page = _parse(tmp_path)
    flagged = {i for i, a in page.entries.items() if "issue" in a["class"].split()}
    assert bad["record_id"] in flagged
    html = (tmp_path / "review" / "index.html").read_text(encoding="utf-8")
    m = re.search(rf"id='{re.escape(bad['record_id'])}'.*?</li>", html, re.S)
    assert "every box inside its page" in m.group(0) and "critical" in m.group(0)


# ---------------------------------------------------------------- file modes

def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in root.rglob("*") if p.is_file()}


def test_run_outputs_are_world_readable_under_umask_022(review_run):
    out = review_run[0]
    modes = _modes(out)
    assert "review/index.html" in modes and "councilx.xlsx" in modes and "recommendations.parquet" in modes
    assert {m for m in modes.values()} == {0o644}, {k: oct(v) for k, v in modes.items() if v != 0o644}
    assert not [k for k in modes if k.endswith(".tmp")]


def test_store_and_export_follow_the_umask_and_review_from_the_store(samples, tmp_path):
    from conftest import KENT_PLAN

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples / KENT_PLAN, inbox / KENT_PLAN)
    store, out = tmp_path / "store", tmp_path / "export"
    with _umask(0o027):  # group may read, others nothing: the outputs say exactly that
        assert main(["ingest", str(inbox), "--store", str(store), "-q"]) == 0
        assert main(["export", "--store", str(store), "--out", str(out), "-q"]) == 0
    for root in (store, out):
        modes = _modes(root)
        assert modes and set(modes.values()) == {0o640}, {k: oct(v) for k, v in modes.items() if v != 0o640}
    page = _parse(out)
    recs = pd.read_csv(out / "recommendations.csv", encoding="utf-8-sig")
    assert set(page.entries) == set(recs["record_id"]) and len(recs) > 5
    assert list((out / "review" / "pages").glob("*.png"))
    # the PDF has gone from where the store saw it: rows still listed, without images, and the page says so
    (inbox / KENT_PLAN).unlink()
    out2 = tmp_path / "export2"
    assert main(["export", "--store", str(store), "--out", str(out2), "-q"]) == 0
    assert set(_parse(out2).entries) == set(recs["record_id"])
    assert not list((out2 / "review" / "pages").glob("*.png"))
    assert "PDF not found" in (out2 / "review" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- in a real browser

CHROMIUM = find_chromium()
_BOXES_JS = """JSON.stringify(Array.from(document.querySelectorAll('#pages .box')).map(function(b){
  var img = b.parentNode.querySelector('img'), r = b.getBoundingClientRect(), i = img.getBoundingClientRect();
  return {bbox: JSON.parse(b.dataset.bbox), w: +img.dataset.w, h: +img.dataset.h,
          box: [r.left, r.top, r.right, r.bottom], img: [i.left, i.top, i.width, i.height],
          natural: [img.naturalWidth, img.naturalHeight]};
}))"""
_IMAGES_READY = ("(function(){var im = document.querySelectorAll('#pages img');"
                 "return im.length > 0 && Array.from(im).every(function(i){return i.complete && i.naturalWidth > 0;});})()")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium; "
                                             "make test installs it when it can): browser test not run")
def test_review_page_in_headless_chromium(review_run):
    out, recs, _, _ = review_run
    url = (out / "review" / "index.html").resolve().as_uri()
    ids = list(recs["record_id"])
    cut = recs[recs["page_start"] < recs["page_end"]].iloc[0]   # a row a page break cut: two pages, two boxes
    with Browser(CHROMIUM, width=1400, height=900) as b:
        b.goto(url)
        assert b.js("Array.from(document.querySelectorAll('li.entry')).map(function(e){return e.id;})") == ids
        # choose a record with the mouse
        rect = b.js(f"(function(){{var e = document.getElementById({json.dumps(cut.record_id)});"
                    "e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();"
                    "return [r.left + 20, r.top + 10];})()")
        b.click(*rect)
        assert b.js("document.querySelector('li.selected').id") == cut.record_id
        b.wait_for(_IMAGES_READY)
        shown = json.loads(b.js(_BOXES_JS))
        assert [s["bbox"] for s in shown] == json.loads(cut.bbox)
        for s in shown:
            x0, top, x1, bottom = s["bbox"][1:]
            left, itop, iw, ih = s["img"]
            assert abs(s["natural"][1] / s["natural"][0] - s["h"] / s["w"]) < 0.01  # image is the whole page
            expect = [left + x0 * iw / s["w"], itop + top * ih / s["h"], left + x1 * iw / s["w"],
                      itop + bottom * ih / s["h"]]
            assert all(abs(a - e) <= 2.0 for a, e in zip(s["box"], expect)), (s["box"], expect)
        b.call("Runtime.evaluate", expression="document.querySelector('#pages .box').scrollIntoView({block:'center'})")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        b.screenshot(SCREENSHOT)
        # keyboard: next and previous record
        i = ids.index(cut.record_id)
        b.key("j")
        assert b.js("document.querySelector('li.selected').id") == ids[i + 1]
        assert b.js("location.hash") == "#" + ids[i + 1]
        b.key("ArrowUp")
        b.key("k")
        assert b.js("document.querySelector('li.selected').id") == ids[i - 1]
        # the filter box: by lead, by document, by text
        lead = recs["lead"].value_counts().index[0]
        b.key("/")
        b.type_text(f"lead:{lead.split()[0].lower()}")
        visible = b.js("Array.from(document.querySelectorAll('li.entry:not(.hidden)')).map(function(e){return e.id;})")
        assert visible and set(visible) == set(recs[recs["lead"].str.lower().str.contains(
            lead.split()[0].lower(), regex=False)]["record_id"])
        b.js("(function(){var f = document.getElementById('filter'); f.value = 'doc:merrowdale';"
             "f.dispatchEvent(new Event('input'));})()")
        n_doc = b.js("document.querySelectorAll('li.entry:not(.hidden)').length")
        assert n_doc == int((recs["source"] == SYNTHETIC).sum())
        # a link from the workbook opens its record (a fresh load, as from Excel)
        b.goto("about:blank")
        b.goto(url + "#" + ids[-1])
        assert b.js("document.querySelector('li.selected').id") == ids[-1]
        b.wait_for(_IMAGES_READY)
    from PIL import Image

    with Image.open(SCREENSHOT) as shot:  # the box's border colour is on the screenshot
        colours = {rgb for _, rgb in shot.convert("RGB").getcolors(maxcolors=1 << 22)}
        assert (0xD6, 0x33, 0x6C) in colours


def test_a_pdf_that_will_not_render_costs_only_its_images(review_run, tmp_path):
    from pipeline.export import to_frames
    from pipeline.review import write_review

    _, recs, docs, _ = review_run
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    frames = to_frames({"documents": docs.to_dict("records"), "recommendations": recs.to_dict("records")})
    first = docs["doc_id"][0]
    paths = {d: (str(junk) if d == first else p) for d, p in zip(docs["doc_id"], docs["path"])}
    r = write_review(frames, tmp_path / "out", pdf_paths=paths)
    assert len(r.missing) == 1 and r.images > 0
    assert set(_parse(tmp_path / "out").entries) == set(recs["record_id"])
    assert "could not be rendered" in (tmp_path / "out" / "review" / "index.html").read_text(encoding="utf-8")


def test_any_table_with_a_bbox_joins_in(review_run, tmp_path):
    """Every table with `page` and `bbox` (here the committee tables) is checked, reviewed and linked with
    no code of its own."""
    from datetime import date

    import pipeline.quality as Q
    import schemas.contract as C
    from openpyxl import load_workbook

    from pipeline.export import export, to_frame, to_frames
    from pipeline.review import write_review

    _, _, docs, _ = review_run
    d = docs["doc_id"][0]
    ref = docs["doc_date"][0]
    day = getattr(ref, "date", lambda: ref)() if ref is not None and str(ref) not in ("NaT", "None", "<NA>") else date(2019, 2, 7)
    meetings = [{"doc_id": d, "source": "x.pdf", "body": "Panel", "meeting_date": day, "start_time": "18:00",
                 "venue": "", "kind": "agenda", "bbox": "[[1, 30, 40, 500, 60]]"}]
    rows = [{"doc_id": d, "source": "x.pdf", "meeting_date": day, "item_number": "1", "title": "Apologies",
             "description": "", "page_refs": "", "page": 2, "bbox": "[[2, 30, 40, 500, 60]]"},
            {"doc_id": d, "source": "x.pdf", "meeting_date": day, "item_number": "2", "title": "Off the page",
             "description": "", "page_refs": "", "page": 3, "bbox": "[[3, 30, 40, 5000, 60]]"}]
    frames = to_frames({"documents": docs.to_dict("records"), "meetings": meetings, "agenda_items": rows})
    issues = Q.run_quality(frames).issues
    assert [(i["table"], i["row"], i["column"]) for i in issues if i["table"] != "documents"] == [
        ("agenda_items", 2, "bbox")]
    frames["quality_issues"] = to_frame(C.TABLES["quality_issues"], issues)
    export(frames, tmp_path, ("xlsx", "review"))
    r = write_review(frames, tmp_path)
    assert r.entries == 3 and r.images == 3
    page = _parse(tmp_path)
    assert [e for e in page.entries if e.startswith("agenda_items")] == [f"agenda_items-{d}-1", f"agenda_items-{d}-2"]
    assert "issue" in page.entries[f"agenda_items-{d}-2"]["class"].split()
    ws = load_workbook(tmp_path / "councilx.xlsx")["agenda_items"]
    col = [c.value for c in ws[1]].index("review") + 1
    assert ws.cell(3, col).hyperlink.target == f"review/index.html#agenda_items-{d}-2"


def test_rendering_that_overruns_its_time_limit_is_stopped(review_run, tmp_path):
    from pipeline.export import to_frames
    from pipeline.review import ReviewSettings, write_review

    _, recs, docs, _ = review_run
    frames = to_frames({"documents": docs.to_dict("records"), "recommendations": recs.to_dict("records")})
    r = write_review(frames, tmp_path, settings=ReviewSettings(timeout_s=0.0, timeout_per_page_s=0.0, workers=2))
    assert r.images == 0 and len(r.missing) == 2 and all("timed out" in m for m in r.missing)
    assert set(_parse(tmp_path).entries) == set(recs["record_id"])
