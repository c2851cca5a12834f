"""Stage 1 — layout: a PDF file in, words, rules and fills per page out.

Everything downstream works on these plain, picklable dataclasses and never
touches pdfplumber again. Coordinates are PDF points, origin top-left
(pdfplumber's `top`/`bottom` convention).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b\b|-b\b", re.I)
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class LayoutSettings:
    """Every tolerance of the layout stage, named."""

    x_tolerance: float = 1.5        # gap (pt) below which two chars join into a word
    y_tolerance: float = 2.0        # baseline drift (pt) still counted as one line
    min_rule_length: float = 6.0    # shorter segments are glyph art, not table rules
    max_rule_thickness: float = 3.0  # a rect thinner than this is a drawn rule
    max_pages: int | None = None    # read at most this many pages (None: all)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    italic: bool = False

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Rule:
    """A straight ruling segment: horizontal (top == bottom) or vertical (x0 == x1)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass(frozen=True)
class Fill:
    """A filled rectangle (cell shading, zebra stripes, header backgrounds)."""

    x0: float
    top: float
    x1: float
    bottom: float
    color: tuple = ()


@dataclass
class PageLayout:
    number: int          # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    n_chars: int = 0
    n_images: int = 0
    image_area: float = 0.0  # share of the page covered by images
    cid_chars: int = 0       # count of "(cid:NN)" glyphs that no font mapping explains

    @property
    def text_layer(self) -> bool:
        return self.n_chars > 0


@dataclass
class DocumentLayout:
    pages: list[PageLayout]
    n_pages: int
    metadata: dict = field(default_factory=dict)
    page_errors: dict[int, str] = field(default_factory=dict)


def _color(obj) -> tuple:
    c = obj.get("non_stroking_color")
    if c is None:
        return ()
    if isinstance(c, (int, float)):
        return (float(c),)
    try:
        return tuple(float(v) for v in c)
    except (TypeError, ValueError):
        return ()


def _is_white(color: tuple) -> bool:
    if not color:
        return False
    if len(color) == 1:
        return color[0] >= 0.99
    if len(color) == 3:
        return min(color) >= 0.99
    if len(color) == 4:  # CMYK
        return max(color) <= 0.01
    return False


def _page_rules_and_fills(page, s: LayoutSettings) -> tuple[list[Rule], list[Fill]]:
    rules: list[Rule] = []
    fills: list[Fill] = []
    for ln in page.lines:
        x0, x1, top, bottom = ln["x0"], ln["x1"], ln["top"], ln["bottom"]
        if max(x1 - x0, bottom - top) >= s.min_rule_length:
            if (x1 - x0) >= (bottom - top):
                y = (top + bottom) / 2
                rules.append(Rule(x0, y, x1, y))
            else:
                x = (x0 + x1) / 2
                rules.append(Rule(x, top, x, bottom))
    for r in page.rects:
        x0, x1, top, bottom = r["x0"], r["x1"], r["top"], r["bottom"]
        w, h = x1 - x0, bottom - top
        if h <= s.max_rule_thickness and w >= s.min_rule_length:
            y = (top + bottom) / 2
            rules.append(Rule(x0, y, x1, y))
            continue
        if w <= s.max_rule_thickness and h >= s.min_rule_length:
            x = (x0 + x1) / 2
            rules.append(Rule(x, top, x, bottom))
            continue
        if w < s.min_rule_length or h < s.min_rule_length:
            continue
        if r.get("stroke"):
            rules.extend((Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom),
                          Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)))
        if r.get("fill"):
            color = _color(r)
            if not _is_white(color):
                fills.append(Fill(x0, top, x1, bottom, color))
    return rules, fills


def _words(page, s: LayoutSettings) -> list[Word]:
    raw = page.extract_words(
        x_tolerance=s.x_tolerance, y_tolerance=s.y_tolerance,
        keep_blank_chars=False, use_text_flow=False, extra_attrs=["fontname", "size"],
    )
    out = []
    for w in raw:
        font = w.get("fontname") or ""
        out.append(Word(
            text=w["text"], x0=w["x0"], x1=w["x1"], top=w["top"], bottom=w["bottom"],
            size=round(float(w.get("size") or 0.0), 2), bold=bool(_BOLD.search(font)),
            italic=("italic" in font.lower() or "oblique" in font.lower()),
        ))
    return out


def read_page(page, s: LayoutSettings) -> PageLayout:
    rules, fills = _page_rules_and_fills(page, s)
    words = _words(page, s)
    n_chars = len(page.chars)
    cid = sum(1 for w in words if _CID.search(w.text))
    area = float(page.width * page.height) or 1.0
    img_area = 0.0
    for im in page.images:
        img_area += max(0.0, (im["x1"] - im["x0"])) * max(0.0, (im["bottom"] - im["top"]))
    return PageLayout(
        number=page.page_number, width=float(page.width), height=float(page.height),
        words=words, rules=rules, fills=fills, n_chars=n_chars,
        n_images=len(page.images), image_area=min(1.0, img_area / area), cid_chars=cid,
    )


def read_layout(path: str | Path, settings: LayoutSettings = LayoutSettings(), password: str | None = None) -> DocumentLayout:
    """Read every page of a PDF into plain layout objects.

    A page that fails to parse is recorded in `page_errors` and skipped; an
    unreadable file raises (the runner turns that into a failed documents row).
    """
    import pdfplumber

    pages: list[PageLayout] = []
    errors: dict[int, str] = {}
    with pdfplumber.open(str(path), password=password or "") as pdf:
        n = len(pdf.pages)
        meta = {k: v for k, v in (pdf.metadata or {}).items() if isinstance(v, (str, int, float))}
        limit = n if settings.max_pages is None else min(n, settings.max_pages)
        for i in range(limit):
            page = pdf.pages[i]
            try:
                pages.append(read_page(page, settings))
            except Exception as exc:  # a broken content stream costs one page, not the file
                errors[i + 1] = f"{type(exc).__name__}: {exc}"[:300]
            finally:
                page.close()  # free the parsed objects as we go
    return DocumentLayout(pages=pages, n_pages=n, metadata=meta, page_errors=errors)
