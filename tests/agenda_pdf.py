"""Build small agenda PDFs for the tests, in the layouts councils use.

`build_agenda(path, spec)` draws a real PDF with reportlab: a heading block (the
issuing authority, the body, the date and time, the venue, a contact column on
the right), a publication date that is not the meeting's, an `AGENDA` heading,
then numbered items (lettered sub-items too) whose page reference is printed
either in a right-hand column level with the title's first line or at the end
of the title, titles that wrap, descriptions set apart by style (plain under a
bold title) or as their own paragraph, and notes such as `- To follow`.
Optional extra pages (printed minutes, an action-plan appendix) follow.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

FONT, BOLD = "Helvetica", "Helvetica-Bold"


@dataclass
class Item:
    number: str                 # as printed, e.g. "4." or "(a)"
    title: str
    description: str = ""       # paragraphs split on "\n"
    refs: str = ""              # e.g. "Pages 7 - 12" (printed in brackets) or "7 - 12" (bare, right column);
    #                             "Pages 101 -\n104": wrapped inside the right-hand column
    indent: float = 0.0         # sub-items are set in a little


@dataclass
class AgendaSpec:
    authority: str = "Wessex County Council"
    body: str = "Environment Scrutiny Committee"
    when: str = "Tuesday, 3rd June, 2025 at 2.00 pm"
    venue: list[str] = field(default_factory=lambda: ["Committee Room 2, Shire Hall,", "Dorchester"])
    published: str = "Friday, 23 May 2025"
    items: list[Item] = field(default_factory=list)
    refs_at: str = "column"     # column: right-hand column level with the title; end: at the end of the title
    title_bold: bool = True     # bold titles with plain descriptions; False: one style, descriptions as paragraphs
    font: str = FONT
    bold: str = BOLD
    size: float = 11.0
    extra_pages: list[list[tuple[str, str]]] = field(default_factory=list)  # pages of (font, text) lines


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    out, line = [], ""
    for word in text.split():
        cand = f"{line} {word}".strip()
        if stringWidth(cand, font, size) <= width or not line:
            line = cand
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    return out


def build_agenda(path: Path, spec: AgendaSpec) -> Path:
    w, h = A4
    c = Canvas(str(path), pagesize=A4)
    left, num_w, right = 56.0, 30.0, w - 56.0
    lead = spec.size * 1.3
    y = h - 70

    def text(x, yy, s, font, size=spec.size):
        c.setFont(font, size)
        c.drawString(x, yy, s)

    # heading block: authority, body, date and time, venue, a contact column on the right
    text(left, y, spec.authority.upper(), spec.bold, 12)
    y -= 26
    text(left, y, spec.body, spec.bold, 18)
    y -= 30
    text(left, y, spec.when, spec.bold, 12)
    text(360, y, "Contact:", spec.font, 11)
    text(420, y, "Jo Bloggs", spec.font, 11)
    for k, v in enumerate(spec.venue):
        y -= 15
        text(left, y, v, spec.font, 12)
        if k == 0:
            text(360, y, "Telephone:", spec.font, 11)
            text(420, y, "01234 567890", spec.font, 11)
    y -= 40
    text(w / 2 - stringWidth("AGENDA", spec.bold, 14) / 2, y, "AGENDA", spec.bold, 14)
    y -= 30

    text_x = left + num_w
    ref_x = right - 90 if spec.refs_at == "column" else None
    title_w = (ref_x - 12 - text_x) if ref_x else (right - text_x)
    for it in spec.items:
        if y < 120:
            c.showPage()
            y = h - 70
        x_num, x_txt = left + it.indent, text_x + it.indent
        tfont = spec.bold if spec.title_bold else spec.font
        title = it.title
        if it.refs and spec.refs_at == "end":
            title = f"{title} ({it.refs})"
        lines = _wrap(title, title_w - it.indent, tfont, spec.size)
        text(x_num, y, it.number, tfont)
        for k, ln in enumerate(lines):
            text(x_txt, y, ln, tfont)
            if it.refs and ref_x:
                pieces = it.refs.split("\n")   # a reference may wrap inside its column
                if k < len(pieces):
                    ref = pieces[k]
                    if not it.refs[0].isdigit():
                        ref = ("(" if k == 0 else "") + ref + (")" if k == len(pieces) - 1 else "")
                    text(ref_x, y, ref, spec.font)
            y -= lead
        for para in [p for p in it.description.split("\n") if p]:
            if not spec.title_bold:
                y -= lead * 0.6        # its own paragraph: a gap above
            for ln in _wrap(para, title_w - it.indent, spec.font, spec.size):
                text(x_txt, y, ln, spec.font)
                y -= lead
        y -= lead * 0.9
    y -= 20
    text(left, y, "Jane Smith", spec.font)
    text(left, y - lead, "Head of Democratic Services", spec.font)
    text(left, y - 2 * lead, spec.published, spec.bold)
    text(w / 2 - 10, 30, "1", spec.font, 9)
    for page in spec.extra_pages:
        c.showPage()
        yy = h - 70
        for font, s in page:
            text(left, yy, s, font)
            yy -= lead
    c.save()
    return path
