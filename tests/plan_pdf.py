"""Build small action-plan PDFs for the tests, in the layouts councils use.

`build_plan(path, rows, ...)` draws a real PDF with reportlab: a title, a table
in one of four styles (ruled, rules-only, unruled, zebra), full-width section
rows, rows a page break cuts in two (the continuation carries no lead), a
header repeated on every page or printed once, and a key of lead codes at each
page foot, once at the end, or as a small table before the plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"


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


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    out: list[str] = []
    paras = text.split("\n")
    for para in paras:
        line = "•" if len(paras) > 1 else ""  # several paragraphs in a cell are printed as bullets
        for word in para.split():
            cand = f"{line} {word}".strip()
            if stringWidth(cand, font, size) <= width - 6 or not line:
                line = cand
            else:
                out.append(line)
                line = word
        out.append(line)
    return out


def build_plan(path: Path, spec: PlanSpec) -> Path:
    w, h = landscape(A4)
    if spec.page_height:
        h = spec.page_height
    c = Canvas(str(path), pagesize=(w, h))
    left, lead = 36.0, spec.size * 1.35
    x_edges = [left]
    for cw in spec.widths:
        x_edges.append(x_edges[-1] + cw)
    right = x_edges[-1]
    bottom_margin = 70.0 if spec.key and spec.key_at == "foot" else 40.0
    key_text = "; ".join(f"{k} – {v}" for k, v in spec.key.items())
    state = {"y": h - 40.0, "page": 1, "zebra": 0}

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
            c.setFont(FONT, 6)
            c.drawString(left, 45, "KEY FOR LEAD ROLE: " + key_text)
        c.setFont(FONT, 7)
        c.drawString(w / 2, 20, str(state["page"]))

    def header():
        lines = [_wrap(t, cw, BOLD, spec.size) for t, cw in zip(spec.headers, spec.widths)]
        n = max(len(x) for x in lines)
        top = state["y"]
        hh = n * lead + 6
        if spec.style == "zebra":
            c.setFillColorRGB(0.2, 0.3, 0.6)
            c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
            c.setFillColorRGB(1, 1, 1)
        hline(top)
        c.setFont(BOLD, spec.size)
        for k, cell in enumerate(lines):
            for j, t in enumerate(cell):
                c.drawString(x_edges[k] + 3, top - 3 - spec.size - j * lead, t)
        c.setFillColorRGB(0, 0, 0)
        vlines(top, top - hh)
        state["y"] = top - hh
        hline(state["y"])

    def new_page(with_header: bool):
        foot()
        c.showPage()
        state["page"] += 1
        state["y"] = h - 40.0
        if with_header:
            header()

    # title, optional key table, header
    c.setFont(BOLD, 14)
    c.drawString(left, state["y"], spec.title)
    state["y"] -= 30
    if spec.key and spec.key_at == "table":
        c.setFont(BOLD, spec.size)
        c.drawString(left, state["y"], "Code")
        c.drawString(left + 60, state["y"], "Lead role")
        state["y"] -= lead
        c.setFont(FONT, spec.size)
        for k, v in spec.key.items():
            c.drawString(left, state["y"], k)
            c.drawString(left + 60, state["y"], v)
            state["y"] -= lead
        state["y"] -= 14
    header()

    for item in spec.rows:
        if isinstance(item, tuple) and item[0] == "section":
            if state["y"] - 2 * lead < bottom_margin:
                new_page(spec.repeat_header)
            top = state["y"]
            hh = lead + 6
            if spec.style == "zebra":
                c.setFillColorRGB(0.85, 0.88, 0.95)
                c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            c.setFont(BOLD, spec.size)
            c.drawString(left + 3, top - 3 - spec.size, item[1])
            if spec.style == "ruled":
                c.line(left, top, left, top - hh)
                c.line(right, top, right, top - hh)
            state["y"] = top - hh - (4 if spec.style == "unruled" else 0)
            hline(state["y"])
            continue
        cells = [_wrap(item.get(hd, ""), cw, FONT, spec.size) for hd, cw in zip(spec.headers, spec.widths)]
        first_part = True
        while True:
            room = int((state["y"] - bottom_margin - 6) // lead)
            n = max(len(x) for x in cells)
            if room < 2 or (first_part and n > room and n <= 6):
                new_page(spec.repeat_header)
                continue
            take = min(n, room)
            top = state["y"]
            hh = take * lead + 6
            if spec.style == "zebra":
                shade = 0.93 if state["zebra"] % 2 == 0 else 0.98
                c.setFillColorRGB(shade, shade, 1)
                c.rect(left, top - hh, right - left, hh, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            c.setFont(FONT, spec.size)
            for k, cell in enumerate(cells):
                for j, t in enumerate(cell[:take]):
                    c.drawString(x_edges[k] + 3, top - 3 - spec.size - j * lead, t)
            vlines(top, top - hh)
            state["y"] = top - hh
            cells = [x[take:] for x in cells]
            if not any(cells):
                hline(state["y"])
                state["y"] -= 10 if spec.style == "unruled" else 0
                break
            new_page(spec.repeat_header)  # the rest of the row continues overleaf, lead cell empty
            first_part = False
        state["zebra"] += 1

    if spec.key and spec.key_at == "end":
        state["y"] -= 30
        c.setFont(BOLD, spec.size)
        c.drawString(left, state["y"], "Key:")
        c.setFont(FONT, spec.size)
        for k, v in spec.key.items():
            state["y"] -= lead
            c.drawString(left, state["y"], f"{k} = {v}")
    foot()
    c.save()
    return path
