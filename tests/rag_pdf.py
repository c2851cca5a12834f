"""Build small RAG status-report PDFs for the tests, in the layouts councils use.

`build_rag(path, tables, ...)` draws a real PDF with reportlab, one table per page:
a theme banner (or an empty one with a bold strapline under it), a key to the
colours, a key to the direction arrows, optionally a count table (`KPI Summary`
GREEN / AMBER / RED with numbers), then the RAG table, ruled (grid, grey header)
or unruled, in any of reportlab's base typefaces. A rating cell holds a letter, a
word, a look-alike letter, a fill only (`fill:green`), N/A, or nothing; a direction
cell holds a word or a drawn arrow (`arrow:up|down|side`, a filled polygon with no
text); a comment of None shares the comment cell above it (a merged cell); a list
of comments is one cell per part (an initiative beside several comment rows).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

COLOURS = {"red": (0.88, 0.0, 0.0), "amber": (1.0, 0.75, 0.0), "green": (0.0, 0.69, 0.31)}
GREY = (0.85, 0.85, 0.85)
LETTER_COLOUR = {"r": "red", "red": "red", "a": "amber", "amber": "amber", "g": "green", "green": "green",
                 "\u0391": "amber", "\u0410": "amber"}


@dataclass
class RagRow:
    name: str
    ratings: list[str] | None          # None: a full-width heading row inside the table
    direction: str = ""
    comment: str | list[str] | None = ""
    extra: list[str] = field(default_factory=list)   # figures of the extra columns


@dataclass
class RagTableSpec:
    periods: list[str]
    rows: list[RagRow]
    first_header: str = "What are we doing?"
    group_header: str = ""             # a label stacked over every period column (`RAG rating`)
    direction_header: str = "Current direction of travel"
    comment_header: str = "Comments"   # "" for a table without commentary
    extra_headers: list[str] = field(default_factory=list)  # figure columns after the direction (Target, Floor)
    heading: str = "Green City"        # the banner's text; "" draws an empty banner
    strapline: str = "Providing a sustainable, clean, healthy and safe environment for everyone."
    count_table: bool = False
    break_after: int | None = None     # a page break after this many rows
    repeat_header: bool = True         # the header printed again after the break
    after: str = ""                    # narrative printed close under the table


@dataclass
class Style:
    ruled: bool = True
    font: str = "Helvetica"
    bold: str = "Helvetica-Bold"
    size: float = 8.0
    valign: str = "middle"             # where ratings and directions sit in a tall row: top | middle
    fills: bool = True                 # rated cells shaded with their colour
    row_pad: float = 8.0               # white space in a row beyond its lines
    empty_banner: bool = True          # a theme without a heading keeps its (empty) banner
    centre_headers: bool = False       # column labels centred over their columns
    arrow_key: bool = True
    key_words: tuple = ("improving (positive trend)", "worsening (negative trend)",
                        "remained stable or shows no clear trend")


TTF_FAMILIES = {  # system typefaces with Greek and Cyrillic, for the look-alike letters
    "DejaVuSerif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "DejaVuSerif-Bold": "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "LiberationSans": "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "LiberationSans-Bold": "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
}


def register_ttf(*names: str) -> bool:
    """Register system TrueType faces with reportlab; False when one is missing (the test skips)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for n in names:
        if n in pdfmetrics.getRegisteredFontNames():
            continue
        if not Path(TTF_FAMILIES[n]).exists():
            return False
        pdfmetrics.registerFont(TTFont(n, TTF_FAMILIES[n]))
    return True


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    out, line = [], ""
    for word in text.split():
        cand = f"{line} {word}".strip()
        if stringWidth(cand, font, size) <= width - 8 or not line:
            line = cand
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    return out or [""]


def arrow_points(kind: str, x: float, y: float, s: float = 10.0) -> list[tuple[float, float]]:
    """A filled arrow polygon centred on (x, y) in PDF coordinates (y up)."""
    h = s / 2
    up = [(0, h), (h, 0), (h * 0.4, 0), (h * 0.4, -h), (-h * 0.4, -h), (-h * 0.4, 0), (-h, 0)]
    if kind == "up":
        pts = up
    elif kind == "down":
        pts = [(px, -py) for px, py in up]
    else:  # a double-headed sideways arrow
        pts = [(-h, 0), (-h * 0.4, h * 0.7), (-h * 0.4, h * 0.3), (h * 0.4, h * 0.3), (h * 0.4, h * 0.7), (h, 0),
               (h * 0.4, -h * 0.7), (h * 0.4, -h * 0.3), (-h * 0.4, -h * 0.3), (-h * 0.4, -h * 0.7)]
    return [(x + px, y + py) for px, py in pts]


def _arrow(c: Canvas, kind: str, x: float, y: float, s: float = 10.0) -> None:
    colour = {"up": COLOURS["green"], "down": COLOURS["red"], "side": COLOURS["amber"]}[kind]
    p = c.beginPath()
    pts = arrow_points(kind, x, y, s)
    p.moveTo(*pts[0])
    for q in pts[1:]:
        p.lineTo(*q)
    p.close()
    c.setFillColorRGB(*colour)
    c.drawPath(p, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)


def build_rag(path: Path, tables: list[RagTableSpec], style: Style = Style()) -> Path:
    W, H = A4
    c = Canvas(str(path), pagesize=A4)
    left, right = 40.0, W - 40.0
    size, lead = style.size, style.size * 1.3
    for spec in tables:
        y = H - 40
        c.setFont(style.bold, size * 1.6)
        c.drawString(left, y, "Council Plan – performance update")
        y -= 14
        # theme banner
        c.setFillColorRGB(0.2, 0.25, 0.5)
        if spec.heading or style.empty_banner:
            c.rect(left, y - 30, right - left, 28, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        if spec.heading:
            c.setFont(style.bold, size * 1.9)
            c.drawString(left + 10, y - 21, spec.heading)
        c.setFillColorRGB(0, 0, 0)
        y -= 46
        c.setFont(style.bold, size)
        for ln in _wrap(spec.strapline, right - left, style.bold, size):
            c.drawString(left, y, ln)
            y -= lead
        y -= 4
        c.setFont(style.font, size)
        c.drawString(left, y, "This section sets out how the council is doing against its plan.")
        # key to the colours, right
        ky = y + 4
        for word, meaning in (("Red", "Recovery plan required"), ("Amber", "At risk"), ("Green", "On track")):
            c.setFillColorRGB(*COLOURS[word.lower()])
            c.rect(right - 130, ky - 10, 36, 11, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            c.setFont(style.bold, size * 0.8)
            c.drawCentredString(right - 112, ky - 8, word)
            c.setFont(style.font, size * 0.8)
            c.drawString(right - 90, ky - 8, meaning)
            ky -= 11
        y -= 40
        if style.arrow_key and any(r.direction.startswith("arrow:") for r in spec.rows):
            c.setFont(style.bold, size)
            c.drawString(left, y, "Direction of travel key")
            y -= lead + 4
            c.setFont(style.font, size)
            for kind, words in zip(("up", "down", "side"), style.key_words):
                _arrow(c, kind, left + 6, y + 3, 9)
                c.drawString(left + 18, y, words)
                y -= lead + 4
            y -= 6
        if spec.count_table:
            xs = [left, left + 100, left + 150, left + 200, left + 250]
            c.setFont(style.bold, size)
            c.drawString(xs[0] + 3, y, "KPI Summary")
            for x, word in zip(xs[1:], ("GREEN", "AMBER", "RED")):
                c.setFillColorRGB(*COLOURS[word.lower()])
                c.rect(x, y - 3, 48, lead + 2, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
                c.drawCentredString(x + 24, y, word)
            for k, kind in enumerate(("up", "side", "down")):  # direction counts headed by drawn arrows
                _arrow(c, kind, left + 330 + 40 * k, y + 3, 9)
            y -= lead + 4
            c.setFont(style.font, size)
            for x, n in zip(xs[1:4] + [left + 306, left + 346, left + 386], ("2", "–", "1", "1", "2", "–")):
                c.drawCentredString(x + 24, y, n)
            y -= 2 * lead + 6
        k = len(spec.rows) if spec.break_after is None else spec.break_after
        y = _table(c, spec, spec.rows[:k], style, left, right, y, True)
        if spec.after:  # narrative printed close under the table
            c.setFont(style.font, size)
            y -= lead * 1.6
            for ln in _wrap(spec.after, right - left, style.font, size):
                c.drawString(left, y, ln)
                y -= lead
        if k < len(spec.rows):
            c.showPage()
            _table(c, spec, spec.rows[k:], style, left, right, H - 50, spec.repeat_header)
        c.showPage()
    c.save()
    return path


def _table(c: Canvas, spec: RagTableSpec, rows: list[RagRow], style: Style, left: float, right: float, y: float,
           header: bool) -> float:
    size, lead = style.size, style.size * 1.3
    has_dir = any(r.direction for r in spec.rows)
    has_comments = bool(spec.comment_header)
    widths = [110.0] + [40.0] * len(spec.periods) + ([64.0] if has_dir else []) + [50.0] * len(spec.extra_headers)
    if has_comments:
        widths.append(right - left - sum(widths))
    else:
        widths[0] += right - left - sum(widths)
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    # header: a stacked group label over the periods, then the labels
    heads = [spec.first_header] + spec.periods + ([spec.direction_header] if has_dir else []) + spec.extra_headers \
        + ([spec.comment_header] if has_comments else [])
    head_lines = [_wrap(h, w, style.bold, size) for h, w in zip(heads, widths)]
    group_h = lead + 4 if spec.group_header else 0
    hh = max(len(h) for h in head_lines) * lead + 6 + group_h if header else 0
    top = y
    if style.ruled and header:
        c.setFillColorRGB(*GREY)
        c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
    c.setFont(style.bold, size)
    if spec.group_header and header:
        gx0, gx1 = xs[1], xs[1 + len(spec.periods)]
        c.drawCentredString((gx0 + gx1) / 2, top - lead, spec.group_header)
        if style.ruled:
            c.line(gx0, top - group_h, gx1, top - group_h)
    for k, lines in enumerate(head_lines if header else []):
        yy = top - lead - (group_h if 1 <= k <= len(spec.periods) else 0)
        for ln in lines:
            if style.centre_headers:
                c.drawCentredString((xs[k] + xs[k + 1]) / 2, yy, ln)
            else:
                c.drawString(xs[k] + 3, yy, ln)
            yy -= lead
    y = top - hh
    # rows: heights from the name and comment text; merged comments span their group
    cw = widths[-1]
    groups: list[list[int]] = []
    for i, r in enumerate(rows):
        if r.comment is None and groups:
            groups[-1].append(i)
        else:
            groups.append([i])
    heights = []
    for r in rows:
        n_lines = 1 if r.ratings is None else len(_wrap(r.name, widths[0], style.bold, size))
        heights.append(n_lines * lead + style.row_pad if r.name else 0)
    comment_lines: dict[int, list[list[str]]] = {}
    for g in groups:
        parts = rows[g[0]].comment
        parts = parts if isinstance(parts, list) else [parts or ""]
        comment_lines[g[0]] = [_wrap(p, cw, style.font, size) for p in parts]
        need = sum(len(p) * lead + style.row_pad for p in comment_lines[g[0]])
        have = sum(heights[i] for i in g)
        if need > have:
            heights[g[-1]] += need - have
    row_top = y
    tops = []
    for h in heights:
        tops.append(row_top)
        row_top -= h
    bottom = row_top
    for i, r in enumerate(rows):
        t, h = tops[i], heights[i]
        c.setFont(style.bold, size)
        yy = t - lead
        if r.ratings is None:  # a full-width heading row
            c.drawString(xs[0] + 3, yy, r.name)
            continue
        for ln in _wrap(r.name, widths[0], style.bold, size):
            c.drawString(xs[0] + 3, yy, ln)
            yy -= lead
        mid = t - h / 2 - size / 3 if style.valign == "middle" else t - lead
        for k, rating in enumerate(r.ratings):
            x0, x1 = xs[1 + k], xs[2 + k]
            colour = rating[5:] if rating.startswith("fill:") else LETTER_COLOUR.get(rating.lower() if rating.isascii() else rating)
            if colour and style.fills:
                c.setFillColorRGB(*COLOURS[colour])
                c.rect(x0, t - h, x1 - x0, h, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            if rating and not rating.startswith("fill:"):
                c.setFont(style.bold, size)
                c.drawCentredString((x0 + x1) / 2, mid, rating)
        ex0 = 1 + len(spec.periods) + has_dir
        c.setFont(style.font, size)
        for k, figure in enumerate(r.extra):
            c.drawCentredString((xs[ex0 + k] + xs[ex0 + k + 1]) / 2, mid, figure)
        if has_dir:
            dx0 = xs[1 + len(spec.periods)]
            if r.direction.startswith("arrow:"):
                _arrow(c, r.direction[6:], dx0 + 16, mid + size / 3, 10)
            elif r.direction:
                c.setFont(style.font, size)
                c.drawString(dx0 + 3, mid, r.direction)
    # comments, one block per group (a merged cell), parts one cell each
    c.setFont(style.font, size)
    cuts_comment = []
    for g in groups if has_comments else []:
        t = tops[g[0]]
        for part in comment_lines[g[0]]:
            yy = t - lead
            for ln in part:
                c.drawString(xs[-2] + 3, yy, ln)
                yy -= lead
            t -= len(part) * lead + style.row_pad
            if len(comment_lines[g[0]]) > 1:
                cuts_comment.append(t)
        cuts_comment.append(tops[g[0]] - sum(heights[i] for i in g))
    if style.ruled:
        c.setLineWidth(0.6)
        c.line(left, top, right, top)
        c.line(left, top - hh, right, top - hh)
        for i in range(len(rows)):
            c.line(left, tops[i] - heights[i], xs[-2] if has_comments else right, tops[i] - heights[i])
        for yy in cuts_comment:
            c.line(xs[-2], yy, right, yy)
        for x in (xs[0], xs[-1]):
            c.line(x, top, x, bottom)
        for x in xs[1:-1]:  # inner rules stop at full-width heading rows
            c.line(x, top, x, top - hh)
            for i, r in enumerate(rows):
                if r.ratings is not None:
                    c.line(x, tops[i], x, tops[i] - heights[i])
    return bottom
