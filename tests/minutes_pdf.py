"""Draw committee papers (printed minutes, agenda packs, reports) as real PDFs for the tests.

`draw(path, paras, ...)` flows a list of `Para` down A4 pages with reportlab:
each paragraph wraps inside the text width, starts at `x` and wraps at `wrap_x`
(a hanging label), may be bold, larger, centred or set to the right (outcome
lines); a page that fills up breaks mid-paragraph, as real minutes do; every
page carries a footer page number (running furniture).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

LEFT, RIGHT_EDGE, TOP, BOTTOM = 72.0, 523.0, 60.0, 70.0


@dataclass
class Para:
    text: str
    x: float = LEFT
    wrap_x: float | None = None     # where wrapped lines start (default: x)
    bold: bool = False
    size: float = 11.0
    space: float = 1.0              # blank lines before the paragraph
    align: str = "left"             # left | center | right
    page_break: bool = False        # start on a new page


def _wrap(text: str, first_width: float, width: float, font: str, size: float) -> list[str]:
    lines, cur = [], ""
    for word in text.split():
        w = first_width if not lines else width
        trial = (cur + " " + word).strip()
        if cur and stringWidth(trial, font, size) > w:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


def draw(path: Path, paras: list[Para], font: str = "Helvetica", bold_font: str = "Helvetica-Bold",
         page_height: float = A4[1], footer: bool = True) -> Path:
    width, height = A4[0], page_height
    c = Canvas(str(path), pagesize=(width, height))
    page = 1
    y = TOP

    def new_page():
        nonlocal page, y
        if footer:
            c.setFont(font, 8)
            c.drawCentredString(width / 2, height - 30, str(page))
        c.showPage()
        page += 1
        y = TOP

    for p in paras:
        if p.page_break and y > TOP:
            new_page()
        f = bold_font if p.bold else font
        lead = p.size * 1.25
        if y > TOP:
            y += p.space * lead
        wx = p.x if p.wrap_x is None else p.wrap_x
        for k, line in enumerate(_wrap(p.text, RIGHT_EDGE - p.x, RIGHT_EDGE - wx, f, p.size)):
            if y + lead > height - BOTTOM:
                new_page()
            c.setFont(f, p.size)
            base = height - y - p.size
            if p.align == "center":
                c.drawCentredString(width / 2, base, line)
            elif p.align == "right":
                c.drawRightString(RIGHT_EDGE, base, line)
            else:
                c.drawString(p.x if k == 0 else wx, base, line)
            y += lead
    new_page()
    c.save()
    return path
