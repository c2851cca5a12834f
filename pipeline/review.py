"""Stage — review: every row that carries a `bbox`, listed beside its page image with its boxes drawn over.

Writes `OUT/review/index.html` and `OUT/review/pages/<doc_id>-<page>.png`: one static page that opens
from disk (no server, nothing from the network; its CSS and script are inline). Per document it lists
the rows of every table with a `bbox` column (`schemas.contract.boxed_tables()`: recommendations, and
any table added later with the same column), each under an element whose id is the row's anchor
(`record_id`, else `<table>-<doc_id>-<n>`), so `review/index.html#<record_id>` opens that row. Choosing a
row shows its page image(s) with the row's boxes over them; `j`/`k` (or the arrow keys) move to the
next / previous row; one filter box matches text anywhere, `lead:` the lead and `doc:` the document;
rows named in `quality_issues` are marked with the reason.

Page images are rendered with pypdfium2, only for pages that hold rows: 126 dpi (6-pt print is 10.5 px
high), reduced to a 16-colour palette (fast octree, no dithering) and stored as PNG, which keeps text
sharp at 50-100 KB a page where JPEG needs twice that and blurs it. Boxes are placed in percent of the
page size in PDF points (documents.page_sizes, as pdfplumber measured it), so they stay on the text
at any zoom. A document whose PDF cannot be found is listed without images, and says so.
"""
from __future__ import annotations

import html
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from pipeline.export import _atomic, write_text
from schemas.contract import BBOX, Table, boxed_tables

REVIEW_DIR = "review"
INDEX = "index.html"
PAGES_DIR = "pages"

# Columns shown as an entry's title (first non-empty), its number, and who owns it.
_TITLE_COLUMNS = ("recommendation", "title", "initiative", "body", "decision", "description")
_NUMBER_COLUMNS = ("ref", "item_number", "minute_number")
_LEAD_COLUMNS = ("lead", "lead_name")
_HIDDEN_COLUMNS = ("doc_id", "source", BBOX)


@dataclass(frozen=True)
class ReviewSettings:
    """Every tolerance of the review stage, named."""

    scale: float = 1.75         # pixels per PDF point (126 dpi: 6-pt print is 10.5 px high, still legible)
    max_side_px: int = 2400     # a larger page is rendered smaller, its longer side this many pixels
    colors: int = 16            # PNG palette size
    png_compress: int = 3       # zlib level: 3 is 40% quicker than 6 for 10% more bytes; 9 costs 4x the time
    title_chars: int = 180      # an entry's title in the list is cut here (the detail shows it whole)
    # Rendering reads each PDF again, with another engine (PDFium): like extraction, it runs in a
    # child process per document with a time limit and a memory ceiling, so a file that renders
    # badly costs only its own images, never the run.
    isolate: bool = True
    timeout_s: float = 30.0            # per document: this much ...
    timeout_per_page_s: float = 2.0    # ... plus this much per page rendered
    max_memory_mb: int = 4096          # address-space ceiling of the rendering child; 0: none
    workers: int = 1                   # documents rendered at once (`councilx run --workers N` passes N)


@dataclass
class ReviewResult:
    path: Path
    entries: int = 0
    documents: int = 0
    images: int = 0
    image_bytes: int = 0
    missing: list[str] = field(default_factory=list)   # "source (path)" of documents whose PDF was not found
    seconds: float = 0.0

    @property
    def kb_per_image(self) -> float:
        return self.image_bytes / 1024 / self.images if self.images else 0.0

    def summary_line(self) -> str:
        line = (f"{self.path}  ({self.entries} rows of {self.documents} documents, {self.images} page images, "
                f"{self.kb_per_image:.0f} KB each; {self.seconds:.1f} s)")
        if self.missing:
            line += f"; PDF not found, listed without images: {', '.join(self.missing[:3])}" + (
                f" and {len(self.missing) - 3} more" if len(self.missing) > 3 else "")
        return line


# ---------------------------------------------------------------- anchors (also used by the XLSX links)

def _doc_ids(spec: Table, df: pd.DataFrame) -> list[str]:
    if "doc_id" in df.columns:
        return ["" if _missing(v) else str(v) for v in df["doc_id"]]
    return ["" if _missing(v) else str(v).rsplit("-", 1)[0] for v in df["record_id"]]


def anchor_ids(spec: Table, df: pd.DataFrame) -> list[str]:
    """Each row's id on the review page: its record_id, else `<table>-<doc_id>-<n>` (n from 1 per document)."""
    if "record_id" in df.columns:
        return ["" if _missing(v) else str(v) for v in df["record_id"]]
    seen: dict[str, int] = {}
    out = []
    for d in _doc_ids(spec, df):
        seen[d] = seen.get(d, 0) + 1
        out.append(f"{spec.name}-{d}-{seen[d]}")
    return out


def review_links(spec: Table, df: pd.DataFrame) -> list[str]:
    """Relative links from the output folder (where the workbook is) to each row on the review page."""
    return [f"{REVIEW_DIR}/{INDEX}#{a}" for a in anchor_ids(spec, df)]


def _missing(v) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


# ---------------------------------------------------------------- entries

@dataclass
class _Entry:
    anchor: str
    table: str
    doc_id: str
    number: str
    title: str
    lead: str
    boxes: list[tuple]
    fields: list[tuple[str, str]]
    issues: list[dict]


def _text(v) -> str:
    if _missing(v):
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)


def _entries(frames: dict[str, pd.DataFrame]) -> list[_Entry]:
    from pipeline.quality import parse_bbox

    issues: dict[tuple[str, int], list[dict]] = {}
    qi = frames.get("quality_issues")
    if qi is not None:
        for r in qi.to_dict("records"):
            if not _missing(r.get("row")):
                issues.setdefault((str(r["table"]), int(r["row"]) - 1), []).append(r)
    out = []
    for spec in boxed_tables():
        df = frames.get(spec.name)
        if df is None or not len(df):
            continue
        df = df.reset_index(drop=True)
        shown = [c for c in spec.names if c not in _HIDDEN_COLUMNS]
        records = df.to_dict("records")
        for i, (anchor, doc_id, rec) in enumerate(zip(anchor_ids(spec, df), _doc_ids(spec, df), records)):
            title = next((_text(rec[c]) for c in _TITLE_COLUMNS if c in rec and _text(rec[c])), "")
            number = next((_text(rec[c]) for c in _NUMBER_COLUMNS if c in rec and _text(rec[c])), "")
            lead = next((_text(rec[c]) for c in _LEAD_COLUMNS if c in rec and _text(rec[c])), "")
            boxes = (None if _missing(rec.get(BBOX)) else parse_bbox(rec[BBOX])) or []
            fields = [(c, _text(rec[c])) for c in shown if _text(rec[c]) not in ("", "{}")]
            out.append(_Entry(anchor, spec.name, doc_id, number, title, lead, boxes, fields,
                              issues.get((spec.name, i), [])))
    return out


# ---------------------------------------------------------------- page images

def _page_sizes(frames) -> dict[str, dict[int, tuple[float, float]]]:
    from pipeline.quality import _page_sizes as parse

    docs = frames["documents"]
    if "page_sizes" not in docs.columns:
        return {}
    return {str(d): parse(s) for d, s in zip(docs["doc_id"], docs["page_sizes"]) if not _missing(d)}


def _render_pages(pdf_path: Path, pages: list[int], out_dir: Path, doc_id: str, sizes: dict[int, tuple],
                  st: ReviewSettings, password: str | None) -> dict[int, dict]:
    """Render `pages` of one PDF as palette PNGs; {page: {src, w, h}} with w, h the page size in points."""
    import pypdfium2 as pdfium
    from PIL import Image

    done: dict[int, dict] = {}
    pdf = pdfium.PdfDocument(str(pdf_path), password=password)
    try:
        for p in pages:
            if not 1 <= p <= len(pdf):
                continue
            page = pdf[p - 1]
            try:
                w, h = page.get_size()
                scale = min(st.scale, st.max_side_px / max(w, h, 1.0))
                img = page.render(scale=scale, rev_byteorder=True).to_pil()  # RGB straight from PDFium
                if img.mode != "RGB":
                    img = img.convert("RGB")
            finally:
                page.close()
            img = img.quantize(st.colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            name = f"{doc_id}-{p}.png"
            _atomic(out_dir / name, lambda t: img.save(t, format="PNG", compress_level=st.png_compress))
            pw, ph = sizes.get(p, (w, h))
            done[p] = {"src": f"{PAGES_DIR}/{name}", "w": round(pw, 2), "h": round(ph, 2),
                       "px": [img.width, img.height]}
    finally:
        pdf.close()
    return done


def _render_child(conn, args: tuple, max_memory_mb: int) -> None:
    if max_memory_mb:
        import resource

        limit = int(max_memory_mb) << 20
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
    try:
        conn.send(("ok", _render_pages(*args)))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def render_documents(jobs: dict[str, tuple], st: ReviewSettings) -> dict[str, dict | Exception]:
    """Render each document's pages: `jobs` maps doc_id to the arguments of `_render_pages`. Each document
    in a forked child with a time limit and a memory ceiling, up to `st.workers` at a time (unless
    `st.isolate` is off). Returns doc_id -> {page: image} or the exception saying why it failed."""
    out: dict[str, dict | Exception] = {}
    if not st.isolate:
        for doc_id, args in jobs.items():
            try:
                out[doc_id] = _render_pages(*args)
            except Exception as exc:
                out[doc_id] = RuntimeError(f"{type(exc).__name__}: {exc}")
        return out
    import multiprocessing as mp
    from multiprocessing.connection import wait

    if jobs:  # the renderer's modules loaded once here, not once in every forked child (~40 ms each)
        import pypdfium2  # noqa: F401
        from PIL import Image  # noqa: F401
    ctx = mp.get_context("fork")
    pending = list(jobs.items())
    running: dict = {}  # connection -> (doc_id, process, deadline, limit)

    def finish(conn, result) -> None:
        doc_id, proc, _, _ = running.pop(conn)
        conn.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        out[doc_id] = result

    while pending or running:
        while pending and len(running) < max(1, st.workers):
            doc_id, args = pending.pop(0)
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_render_child, args=(send, args, st.max_memory_mb), daemon=True)
            proc.start()
            send.close()
            limit = st.timeout_s + st.timeout_per_page_s * len(args[1])
            running[recv] = (doc_id, proc, time.monotonic() + limit, limit)
        soonest = min(d for _, _, d, _ in running.values())
        for conn in wait(list(running), timeout=max(0.0, soonest - time.monotonic())):
            try:
                status, value = conn.recv()
                result = value if status == "ok" else RuntimeError(value)
            except EOFError:
                proc = running[conn][1]
                proc.join(5)
                result = RuntimeError(f"renderer crashed (exit code {proc.exitcode})")
            finish(conn, result)
        now = time.monotonic()
        for conn, (doc_id, proc, deadline, limit) in list(running.items()):
            if now >= deadline:
                proc.kill()
                finish(conn, RuntimeError(f"rendering timed out after {limit:.0f} s"))
    return out


# ---------------------------------------------------------------- the page

@dataclass
class ReviewImages:
    """The page images of a review, rendered (`render_review_images`) before the page that lists the
    rows, which needs the run's quality_issues: a run renders them while its quality gate validates."""
    settings: ReviewSettings
    doc_info: dict[str, dict]
    result: ReviewResult
    seconds: float


def render_review_images(frames: dict[str, pd.DataFrame], out_dir: str | Path, pdf_paths: dict[str, str] | None = None,
                         settings: ReviewSettings = ReviewSettings(), password: str | None = None,
                         workers: int | None = None) -> ReviewImages:
    """The page images of every page that holds a row with a bbox (OUT/review/pages/), images of an
    earlier run into the same folder that this run does not use removed. Arguments as `write_review`."""
    t0 = time.perf_counter()
    if workers is not None:
        settings = replace(settings, workers=workers)
    root = Path(out_dir) / REVIEW_DIR
    pages_dir = root / PAGES_DIR
    docs = frames["documents"].reset_index(drop=True)
    if pdf_paths is None:
        pdf_paths = {}
        for d, p in zip(docs["doc_id"], docs["path"]):
            if not _missing(d) and not _missing(p):
                pdf_paths.setdefault(str(d), str(p))  # a later copy of the same content: the first one read
    entries = _entries(frames)
    sizes = _page_sizes(frames)
    result = ReviewResult(path=root / INDEX)

    by_doc: dict[str, list[_Entry]] = {}
    for e in entries:
        by_doc.setdefault(e.doc_id, []).append(e)
    doc_info: dict[str, dict] = {}
    jobs: dict[str, tuple] = {}
    for doc_id, doc_entries in by_doc.items():
        row = docs[docs["doc_id"] == doc_id]
        first = row.iloc[0] if len(row) else None
        info = {"source": _text(first["source"]) if first is not None else doc_id,
                "title": _text(first["title"]) if first is not None else "", "pages": {}, "missing": ""}
        wanted = sorted({b[0] for e in doc_entries for b in e.boxes})
        path = pdf_paths.get(doc_id)
        if wanted and (not path or not Path(path).is_file()):
            info["missing"] = f"PDF not found ({path or 'no path recorded'}): rows listed without page images"
            result.missing.append(f"{info['source']} ({path or 'no path'})")
        elif wanted:
            jobs[doc_id] = (Path(path), wanted, pages_dir, doc_id, sizes.get(doc_id, {}), settings, password)
        doc_info[doc_id] = info
    written: set[str] = set()
    for doc_id, rendered in render_documents(jobs, settings).items():
        info = doc_info[doc_id]
        if isinstance(rendered, Exception):
            info["missing"] = f"page images could not be rendered ({rendered})"[:300]
            result.missing.append(f"{info['source']} ({str(rendered)[:80]})")
            continue
        info["pages"] = {str(p): v for p, v in rendered.items()}
        written.update(Path(v["src"]).name for v in rendered.values())
    if pages_dir.exists():  # images of an earlier run into the same folder that this run does not use
        for f in pages_dir.glob("*.png"):
            if f.name not in written:
                f.unlink()
    result.images = len(written)
    result.image_bytes = sum((pages_dir / n).stat().st_size for n in written)
    return ReviewImages(settings, doc_info, result, time.perf_counter() - t0)


def write_review(frames: dict[str, pd.DataFrame], out_dir: str | Path, pdf_paths: dict[str, str] | None = None,
                 settings: ReviewSettings = ReviewSettings(), password: str | None = None,
                 workers: int | None = None, images: ReviewImages | None = None) -> ReviewResult:
    """Write OUT/review/index.html and the page images of every page that holds a row with a bbox.

    `pdf_paths` maps doc_id to the PDF to render (default: documents.path of the run); `workers`, when
    given, overrides settings.workers. `images`: the page images, already rendered by
    `render_review_images` from the same rows (then only the page is written here)."""
    t0 = time.perf_counter()
    rendered_before = images is not None
    if images is None:
        images = render_review_images(frames, out_dir, pdf_paths, settings, password, workers)
    entries = _entries(frames)
    by_doc: dict[str, list[_Entry]] = {}
    for e in entries:
        by_doc.setdefault(e.doc_id, []).append(e)
    result = images.result
    result.entries, result.documents = len(entries), len(by_doc)
    write_text(result.path, render_page(by_doc, images.doc_info, images.settings))
    # the images' time counts once: rendered here it is inside this call's time
    result.seconds = (images.seconds if rendered_before else 0.0) + time.perf_counter() - t0
    return result


def _entry_html(e: _Entry, st: ReviewSettings) -> str:
    esc = html.escape
    title = e.title if len(e.title) <= st.title_chars else e.title[: st.title_chars - 1] + "…"
    boxes = json.dumps([list(b) for b in e.boxes])
    cls = "entry issue" if e.issues else "entry"
    worst = "critical" if any(i.get("severity") == "critical" for i in e.issues) else "warning"
    pages = sorted({b[0] for b in e.boxes})
    where = ("page " + str(pages[0])) if len(pages) == 1 else (f"pages {pages[0]}–{pages[-1]}" if pages else "no box")
    parts = [f"<li id='{esc(e.anchor, quote=True)}' class='{cls}' data-table='{e.table}' "
             f"data-doc='{esc(e.doc_id, quote=True)}' data-lead='{esc(e.lead, quote=True)}' "
             f"data-boxes='{esc(boxes, quote=True)}'>",
             f"<a href='#{esc(e.anchor, quote=True)}'>",
             (f"<span class='num'>{esc(e.number)}</span> " if e.number else ""),
             f"<span class='title'>{esc(title) or '<i>(no text)</i>'}</span></a>",
             f"<div class='meta'>{esc(e.lead) + ' · ' if e.lead else ''}{where} · <span class='rid'>{esc(e.anchor)}"
             f"</span></div>"]
    if e.issues:
        parts.append(f"<ul class='issues {worst}'>")
        for i in e.issues:
            obs = _text(i.get("observed"))
            parts.append(f"<li class='{esc(_text(i.get('severity')))}'>{esc(_text(i.get('severity')))}: "
                         f"<b>{esc(_text(i.get('column')))}</b> — {esc(_text(i.get('check')))}"
                         + (f" <code>{esc(obs)}</code>" if obs else "") + "</li>")
        parts.append("</ul>")
    parts.append("<dl class='fields'>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in e.fields)
                 + "</dl></li>")
    return "".join(parts)


def render_page(by_doc: dict[str, list[_Entry]], doc_info: dict[str, dict],
                settings: ReviewSettings = ReviewSettings()) -> str:
    esc = html.escape
    n = sum(len(v) for v in by_doc.values())
    n_issue = sum(1 for v in by_doc.values() for e in v if e.issues)
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width, initial-scale=1'>",
           "<title>councilx review</title>", f"<style>{_CSS}</style></head><body>",
           "<header><b>councilx review</b>",
           "<input id='filter' type='search' autocomplete='off' "
           "placeholder='filter: words, lead:CODE, doc:name' aria-label='filter rows'>",
           "<label><input id='only-issues' type='checkbox'> only rows with issues</label>",
           f"<span id='count'>{n} rows</span>",
           f"<span class='help'>{len(by_doc)} documents · {n_issue} rows with issues · "
           "<kbd>j</kbd>/<kbd>k</kbd> or <kbd>↓</kbd>/<kbd>↑</kbd> next/previous · <kbd>/</kbd> filter</span>",
           "</header><main><nav id='list'>"]
    if not by_doc:
        out.append("<p class='empty'>No rows with a bbox in this run.</p>")
    for doc_id, entries in by_doc.items():
        info = doc_info[doc_id]
        out.append(f"<section class='doc' data-doc='{esc(doc_id, quote=True)}' "
                   f"data-source='{esc(info['source'], quote=True)}'>")
        out.append(f"<h2>{esc(info['source'])}<small>{esc(info['title'])} · {len(entries)} rows</small></h2>")
        if info["missing"]:
            out.append(f"<p class='missing'>{esc(info['missing'])}</p>")
        table = None
        for e in entries:
            if e.table != table:
                if table is not None:
                    out.append("</ol>")
                table = e.table
                out.append(f"<h3>{esc(table)}</h3><ol class='entries'>")
            out.append(_entry_html(e, settings))
        out.append("</ol></section>")
    out.append("</nav><div id='viewer'><div id='detail'><p class='empty'>Choose a row (click, or press "
               "<kbd>j</kbd>).</p></div><div id='pages'></div></div></main>")
    docs_json = json.dumps({d: {"pages": i["pages"], "missing": i["missing"]} for d, i in doc_info.items()})
    out.append("<script type='application/json' id='doc-data'>" + docs_json.replace("</", "<\\/") + "</script>")
    out.append(f"<script>{_JS}</script></body></html>\n")
    return "\n".join(out)


_CSS = """
*{box-sizing:border-box} html,body{height:100%;margin:0}
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;display:flex;flex-direction:column}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;border-bottom:1px solid #ccc;background:#f6f6f6;flex-wrap:wrap}
header input[type=search]{width:320px;padding:4px 6px;font:inherit}
.help{color:#666} kbd{border:1px solid #bbb;border-radius:3px;padding:0 3px;background:#fff;font-size:11px}
main{flex:1;display:flex;min-height:0}
#list{width:40%;min-width:280px;overflow:auto;border-right:1px solid #ccc;padding:0 8px 40px}
#viewer{flex:1;overflow:auto;padding:10px;background:#e9e9e9}
h2{font-size:14px;margin:14px 0 4px;position:sticky;top:0;background:#fff;padding:4px 0;border-bottom:1px solid #ddd}
h2 small{display:block;font-weight:400;color:#666} h3{font-size:12px;color:#666;margin:6px 0 2px;text-transform:uppercase}
ol.entries{list-style:none;margin:0;padding:0}
li.entry{scroll-margin-top:64px;padding:5px 6px;border-left:4px solid transparent;border-bottom:1px solid #eee;cursor:pointer}
li.entry a{color:inherit;text-decoration:none} li.entry .num{font-weight:700}
li.entry .meta{color:#666;font-size:12px} li.entry .rid{font-family:ui-monospace,Menlo,Consolas,monospace}
li.entry.issue{border-left-color:#e0a000} li.entry.issue:has(ul.critical){border-left-color:#c62828}
li.entry.selected{background:#fff3bf;outline:1px solid #e0b400}
li.entry.hidden,section.doc.hidden{display:none}
ul.issues{margin:3px 0 0;padding-left:16px;font-size:12px} ul.issues li.critical{color:#c62828} ul.issues li.warning{color:#8a5300}
dl.fields{display:none}
#detail{background:#fff;padding:8px 10px;margin-bottom:10px;border:1px solid #ccc}
#detail dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0 0}
#detail dt{font-weight:600;color:#555} #detail dd{margin:0;white-space:pre-wrap}
.page{position:relative;overflow:hidden;margin:0 auto 12px;background:#fff;box-shadow:0 1px 4px rgba(0,0,0,.25);max-width:1400px}
.page img{display:block;width:100%;height:auto}
.page .label{position:absolute;right:4px;top:4px;background:rgba(0,0,0,.6);color:#fff;padding:1px 6px;border-radius:3px}
.box{position:absolute;border:2px solid #d6336c;background:rgba(214,51,108,.12);pointer-events:none}
.missing{color:#c62828} .empty{color:#666}
"""

_JS = r"""
(function(){
  var docs = JSON.parse(document.getElementById('doc-data').textContent);
  var entries = Array.prototype.slice.call(document.querySelectorAll('li.entry'));
  var filter = document.getElementById('filter'), only = document.getElementById('only-issues');
  var detail = document.getElementById('detail'), pagesEl = document.getElementById('pages');
  var count = document.getElementById('count');
  var current = null;
  function visible(){ return entries.filter(function(e){ return !e.classList.contains('hidden'); }); }
  function pct(v, of){ return (100 * v / of) + '%'; }
  function show(li, scroll){
    if (!li) return;
    if (current) current.classList.remove('selected');
    current = li; li.classList.add('selected');
    if (scroll !== false) li.scrollIntoView({block: 'nearest'});
    if (location.hash.slice(1) !== li.id) history.replaceState(null, '', '#' + encodeURIComponent(li.id));
    var doc = docs[li.dataset.doc] || {pages: {}, missing: ''};
    var boxes = JSON.parse(li.dataset.boxes || '[]');
    detail.innerHTML = '';
    var head = li.querySelector('a').cloneNode(true); head.removeAttribute('href');
    var h = document.createElement('div'); h.style.fontWeight = '600'; h.appendChild(head);
    detail.appendChild(h);
    var iss = li.querySelector('ul.issues'); if (iss) detail.appendChild(iss.cloneNode(true));
    var dl = li.querySelector('dl.fields').cloneNode(true); dl.className = 'detail-fields'; detail.appendChild(dl);
    pagesEl.innerHTML = '';
    if (doc.missing) { var m = document.createElement('p'); m.className = 'missing'; m.textContent = doc.missing; pagesEl.appendChild(m); }
    var first = null, byPage = {};
    boxes.forEach(function(b){ (byPage[b[0]] = byPage[b[0]] || []).push(b); });
    Object.keys(byPage).sort(function(a, b){ return a - b; }).forEach(function(p){
      var pg = doc.pages[p];
      if (!pg) { if (!doc.missing) { var n = document.createElement('p'); n.className = 'missing'; n.textContent = 'page ' + p + ': no image'; pagesEl.appendChild(n); } return; }
      var div = document.createElement('div'); div.className = 'page'; div.dataset.page = p;
      div.style.aspectRatio = pg.w + ' / ' + pg.h;
      var img = document.createElement('img'); img.src = pg.src; img.alt = 'page ' + p;
      img.className = 'page-img'; img.dataset.w = pg.w; img.dataset.h = pg.h; div.appendChild(img);
      var lab = document.createElement('span'); lab.className = 'label'; lab.textContent = 'page ' + p; div.appendChild(lab);
      byPage[p].forEach(function(b){
        var bx = document.createElement('div'); bx.className = 'box'; bx.dataset.bbox = JSON.stringify(b);
        bx.style.left = pct(b[1], pg.w); bx.style.top = pct(b[2], pg.h);
        bx.style.width = pct(b[3] - b[1], pg.w); bx.style.height = pct(b[4] - b[2], pg.h);
        div.appendChild(bx); if (!first) first = bx;
      });
      pagesEl.appendChild(div);
    });
    if (first) first.scrollIntoView({block: 'center', inline: 'nearest'});
  }
  function step(d){
    var v = visible(); if (!v.length) return;
    var i = current ? v.indexOf(current) : -1;
    if (i < 0) i = d > 0 ? -1 : v.length;
    show(v[Math.max(0, Math.min(v.length - 1, i + d))]);
  }
  function applyFilter(){
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean), n = 0;
    entries.forEach(function(e){
      var sec = e.closest('section.doc'), ok = !only.checked || e.classList.contains('issue');
      var text = null;
      words.forEach(function(w){
        if (!ok) return;
        if (w.indexOf('lead:') === 0) ok = (e.dataset.lead || '').toLowerCase().indexOf(w.slice(5)) >= 0;
        else if (w.indexOf('doc:') === 0) ok = ((sec.dataset.source || '') + ' ' + e.dataset.doc).toLowerCase().indexOf(w.slice(4)) >= 0;
        else { if (text === null) text = (e.textContent + ' ' + sec.dataset.source).toLowerCase(); ok = text.indexOf(w) >= 0; }
      });
      e.classList.toggle('hidden', !ok); if (ok) n++;
    });
    document.querySelectorAll('section.doc').forEach(function(s){
      s.classList.toggle('hidden', !s.querySelector('li.entry:not(.hidden)'));
    });
    count.textContent = n + ' of ' + entries.length + ' rows';
  }
  filter.addEventListener('input', applyFilter); only.addEventListener('change', applyFilter);
  document.getElementById('list').addEventListener('click', function(ev){
    var li = ev.target.closest('li.entry'); if (!li) return;
    ev.preventDefault(); show(li, false);
  });
  document.addEventListener('keydown', function(ev){
    if (ev.target === filter) {
      if (ev.key === 'Escape') { filter.blur(); }
      else if (ev.key === 'Enter') { filter.blur(); var v = visible(); if (v.length) show(v[0]); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === 'j' || ev.key === 'ArrowDown') { step(1); ev.preventDefault(); }
    else if (ev.key === 'k' || ev.key === 'ArrowUp') { step(-1); ev.preventDefault(); }
    else if (ev.key === '/') { filter.focus(); ev.preventDefault(); }
  });
  function fromHash(){
    var id = decodeURIComponent(location.hash.slice(1));
    var li = id && document.getElementById(id);
    if (li && li.classList.contains('entry')) show(li);
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
"""
