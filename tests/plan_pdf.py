"""Build small action-plan PDFs for the tests, in the layouts councils use.

`build_plan(path, spec)` draws a real PDF with reportlab: a title, a table in
one of four styles (ruled, rules-only, unruled, zebra), full-width section
rows, rows a page break cuts in two (the continuation carries no lead), a
header repeated on every page or printed once, and a key of lead codes at each
page foot, once at the end, or as a small table before the plan.

The layout knobs of the invariance harness: the type family (Helvetica or
Times), header cells top-, middle- or bottom-aligned, bold or plain, shaded or
not, wrapped where the header text says (`\\n`) or where the column is narrow;
body cells left-, centre- or right-aligned per column; the padding that makes
the gap between columns (down to about one space); the space between unruled
rows; and pages of other matter before and after the plan (a plan inside a
longer agenda pack).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"
FAMILIES = {"helvetica": ("Helvetica", "Helvetica-Bold"), "times": ("Times-Roman", "Times-Bold"),
            "courier": ("Courier", "Courier-Bold")}


@dataclass
class PlanSpec:
    headers: list[str]
    widths: list[float]
    rows: list  # ("section", text) | dict header -> cell text
    style: str = "ruled"            # ruled | rules | unruled | zebra
    title: str = "Test Council – Action Plan"
    key: dict[str, str] = field(default_factory=dict)
    key_at: str = "foot"            # foot | end | table
    repeat_header: bool = True
    size: float = 8.0
    page_height: float | None = None  # shorter pages force page breaks
    family: str = "helvetica"       # helvetica | times | courier
    header_align: str = "top"       # top | middle | bottom
    header_bold: bool = True
    header_fill: bool | None = None  # shade the header row (default: zebra style only)
    align: list[str] | None = None  # per column: left | center | right
    header_halign: str | None = None  # header cells: left | center | right (default: as the column)
    row_pad: float = 6.0            # space inside a row above and below its text
    pad: float = 3.0                # inner cell padding each side; the column gap is twice this
    row_gap: float = 10.0           # extra space after a row in unruled tables
    keys: list[str] | None = None   # the row dicts' key per column (default: the header text)
    before: list[list[str]] = field(default_factory=list)  # pages of other matter before the plan
    after: list[list[str]] = field(default_factory=list)   # and after it
    key_title: str = "Key:"         # the anchor of a key printed at the end
    key_sep: str = "="              # CODE <sep> Name in a key printed at the end


def _wrap(text: str, width: float, font: str, size: float, pad: float = 3.0) -> list[str]:
    out: list[str] = []
    paras = text.split("\n")
    for para in paras:
        line = "•" if len(paras) > 1 else ""  # several paragraphs in a cell are printed as bullets
        for k, part in enumerate(para.split("\r")):  # `\r`: a line break without a bullet
            if k:
                out.append(line)
                line = ""
            for word in part.split():
                cand = f"{line} {word}".strip()
                if stringWidth(cand, font, size) <= width - 2 * pad or not line:
                    line = cand
                else:
                    out.append(line)
                    line = word
        out.append(line)
    return out


def _wrap_header(text: str, width: float, font: str, size: float, pad: float) -> list[str]:
    """A header's lines: its own line breaks, each wrapped to the column."""
    out: list[str] = []
    for part in text.split("\n"):
        out.extend(_wrap(part, width, font, size, pad))
    return out


def _text_pages(c: Canvas, pages: list[list[str]], w: float, h: float, font: str, bold: str, number) -> None:
    """Pages of other matter (agenda items, report prose): a bold heading then paragraphs."""
    for lines in pages:
        y = h - 50
        for k, text in enumerate(lines):
            c.setFont(bold if k == 0 else font, 13 if k == 0 else 10)
            for part in _wrap(text, w - 100, font, 10, 0):
                c.drawString(50, y, part)
                y -= 14
            y -= 8
        c.setFont(font, 7)
        c.drawString(w / 2, 20, str(number()))
        c.showPage()


def build_plan(path: Path, spec: PlanSpec) -> Path:
    w, h = landscape(A4)
    if spec.page_height:
        h = spec.page_height
    font, bold = FAMILIES[spec.family]
    hfont = bold if spec.header_bold else font
    c = Canvas(str(path), pagesize=(w, h))
    left, lead = 36.0, spec.size * 1.35
    pad = spec.pad
    keys = spec.keys or spec.headers
    align = spec.align or ["left"] * len(spec.headers)
    x_edges = [left]
    for cw in spec.widths:
        x_edges.append(x_edges[-1] + cw)
    right = x_edges[-1]
    bottom_margin = 70.0 if spec.key and spec.key_at == "foot" else 40.0
    key_text = "; ".join(f"{k} – {v}" for k, v in spec.key.items())
    state = {"y": h - 40.0, "page": 1, "zebra": 0}
    header_fill = spec.style == "zebra" if spec.header_fill is None else spec.header_fill

    def number():
        n = state["page"]
        state["page"] += 1
        return n

    _text_pages(c, spec.before, w, h, font, bold, number)

    def draw(k, y, text, fnt, a=None):
        a = a or align[k]
        if a == "center":
            c.drawCentredString((x_edges[k] + x_edges[k + 1]) / 2, y, text)
        elif a == "right":
            c.drawRightString(x_edges[k + 1] - pad, y, text)
        else:
            c.drawString(x_edges[k] + pad, y, text)

    def hline(y):
        if spec.style in ("ruled", "rules"):
            c.setLineWidth(0.5)
            c.line(left, y, right, y)

    def vlines(y_top, y_bot):
        if spec.style == "ruled":
            for x in x_edges:
                c.line(x, y_top, x, y_bot)

    def foot():
        if spec.key and spec.key_at == "foot":
            c.setFont(font, 6)
            c.drawString(left, 45, "KEY FOR LEAD ROLE: " + key_text)
        c.setFont(font, 7)
        c.drawString(w / 2, 20, str(state["page"]))

    def header():
        lines = [_wrap_header(t, cw, hfont, spec.size, pad) for t, cw in zip(spec.headers, spec.widths)]
        n = max(len(x) for x in lines)
        top = state["y"]
        hh = n * lead + 6
        if header_fill:
            c.setFillColorRGB(0.2, 0.3, 0.6)
            c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
            c.setFillColorRGB(1, 1, 1)
        hline(top)
        c.setFont(hfont, spec.size)
        for k, cell in enumerate(lines):
            shift = {"top": 0, "middle": (n - len(cell)) / 2, "bottom": n - len(cell)}[spec.header_align]
            for j, t in enumerate(cell):
                draw(k, top - 3 - spec.size - (j + shift) * lead, t, hfont, spec.header_halign)
        c.setFillColorRGB(0, 0, 0)
        vlines(top, top - hh)
        state["y"] = top - hh
        hline(top - hh)

    def new_page(with_header: bool):
        foot()
        c.showPage()
        state["page"] += 1
        state["y"] = h - 40.0
        if with_header:
            header()

    # title, optional key table, header
    c.setFont(bold, 14)
    c.drawString(left, state["y"], spec.title)
    state["y"] -= 30
    if spec.key and spec.key_at == "table":
        c.setFont(bold, spec.size)
        c.drawString(left, state["y"], "Code")
        c.drawString(left + 60, state["y"], "Lead role")
        state["y"] -= lead
        c.setFont(font, spec.size)
        for k, v in spec.key.items():
            c.drawString(left, state["y"], k)
            c.drawString(left + 60, state["y"], v)
            state["y"] -= lead
        state["y"] -= 14
    header()

    pages: list[tuple[int, int]] = []  # each data row's first and last page
    for item in spec.rows:
        if isinstance(item, tuple) and item[0] == "section":
            if state["y"] - 2 * lead < bottom_margin:
                new_page(spec.repeat_header)
            top = state["y"]
            texts = _wrap(item[1], right - left, bold, spec.size)  # a long heading wraps across the table
            hh = lead * len(texts) + 6
            if spec.style == "zebra":
                c.setFillColorRGB(0.85, 0.88, 0.95)
                c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            c.setFont(bold, spec.size)
            for j, t in enumerate(texts):
                c.drawString(left + 3, top - 3 - spec.size - j * lead, t)
            if spec.style == "ruled":
                c.line(left, top, left, top - hh)
                c.line(right, top, right, top - hh)
            state["y"] = top - hh - (4 if spec.style == "unruled" else 0)
            hline(state["y"])
            continue
        cells = [_wrap(item.get(kk, ""), cw, font, spec.size, pad) for kk, cw in zip(keys, spec.widths)]
        first_part = True
        start = state["page"]
        while True:
            room = int((state["y"] - bottom_margin - 6) // lead)
            n = max(len(x) for x in cells)
            if room < 2 or (first_part and n > room and n <= 6):
                new_page(spec.repeat_header)
                start = state["page"]
                continue
            take = min(n, room)
            top = state["y"]
            hh = take * lead + spec.row_pad
            if spec.style == "zebra":
                shade = 0.93 if state["zebra"] % 2 == 0 else 0.98
                c.setFillColorRGB(shade, shade, 1)
                c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            c.setFont(font, spec.size)
            for k, cell in enumerate(cells):
                for j, t in enumerate(cell[:take]):
                    draw(k, top - spec.row_pad / 2 - spec.size - j * lead, t, font)
            vlines(top, top - hh)
            state["y"] = top - hh
            cells = [x[take:] for x in cells]
            if not any(cells):
                hline(state["y"])
                state["y"] -= spec.row_gap if spec.style == "unruled" else 0
                break
            new_page(spec.repeat_header)  # the rest of the row continues overleaf, lead cell empty
            first_part = False
        pages.append((start, state["page"]))
        state["zebra"] += 1

    if spec.key and spec.key_at == "end":
        state["y"] -= 30
        if state["y"] - lead * (len(spec.key) + 1) < 40:
            new_page(False)
        c.setFont(bold, spec.size)
        c.drawString(left, state["y"], spec.key_title)
        c.setFont(font, spec.size)
        for k, v in spec.key.items():
            state["y"] -= lead
            c.drawString(left, state["y"], f"{k} {spec.key_sep} {v}")
    foot()
    c.showPage()
    state["page"] += 1
    _text_pages(c, spec.after, w, h, font, bold, number)
    c.save()
    build_plan.pages = pages  # type: ignore[attr-defined]  # for gold files of drawn plans
    return path
