"""Stage 1 — layout: a PDF file in, words, rules, fills and vector shapes per page out.

This module is the one interface of the layout stage: the plain, picklable
dataclasses every later stage works on, and `read_layout`, which hands the file
to a reader backend (`extractors/layout/<name>_reader.py`, chosen by
`LayoutSettings.reader`). Stages above never look past these objects to the
library that parsed the PDF. Coordinates are PDF points, origin top-left
(pdfplumber's `top`/`bottom` convention).
"""
from __future__ import annotations

import importlib
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
    max_shape_points: int = 200     # a path with more points is a chart or drawing, not a symbol: no Shape
    min_shape_size: float = 1.0     # a path whose box is smaller than this (pt) both ways is a speck: no Shape
    reader: str = "pdfium"          # backend: a module extractors/layout/<reader>_reader.py (see READERS)


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


@dataclass(frozen=True)
class Shape:
    """A drawn vector path that is neither a table rule nor a plain rectangle
    (arrows, symbols, icons): its points in order, its box and its paint.

    Semantics every reader backend keeps: one Shape per path object (a subpath list
    drawn by one paint operator); `points` are the path's vertices and curve control
    points in drawing order, in PDF points from the page's top-left corner (x, top),
    the closing point of a closed path not repeated. Paths of one straight segment and
    rectangles are not Shapes (they are Rules and Fills); nor are paths with more than
    `LayoutSettings.max_shape_points` points (charts), paths smaller than
    `min_shape_size` both ways, and unfilled thin paths as long as a rule. `fill` is
    the non-stroking colour when the path is filled, `stroke` the stroking colour when
    it is stroked, each as the PDF gives it (gray 1, RGB 3 or CMYK 4 components)."""

    points: tuple            # ((x, top), ...) in drawing order, closed paths not repeated
    x0: float
    top: float
    x1: float
    bottom: float
    fill: tuple = ()         # non-stroking colour, () when not filled
    stroke: tuple = ()       # stroking colour, () when not stroked


@dataclass
class PageLayout:
    number: int          # 1-based
    width: float
    height: float
    words: list[Word] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
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


def is_white(color: tuple) -> bool:
    """A paint that is white (grey, RGB or CMYK): no fill worth keeping."""
    if not color:
        return False
    if len(color) == 1:
        return color[0] >= 0.99
    if len(color) == 3:
        return min(color) >= 0.99
    if len(color) == 4:  # CMYK
        return max(color) <= 0.01
    return False


def rules_and_fills(lines, rects, s: LayoutSettings) -> tuple[list[Rule], list[Fill]]:
    """Every reader's rules and fills from its drawn segments and rectangles (plain tuples).

    `lines`: (x0, top, x1, bottom) per straight segment; `rects`: (x0, top, x1, bottom, stroke, fill,
    color) per rectangle. A segment of at least `min_rule_length` is a rule; a rectangle thinner than
    `max_rule_thickness` is a rule, a stroked one gives its four edges, a filled non-white one a Fill.
    """
    rules: list[Rule] = []
    fills: list[Fill] = []
    for x0, top, x1, bottom in lines:
        if max(x1 - x0, bottom - top) >= s.min_rule_length:
            if (x1 - x0) >= (bottom - top):
                y = (top + bottom) / 2
                rules.append(Rule(x0, y, x1, y))
            else:
                x = (x0 + x1) / 2
                rules.append(Rule(x, top, x, bottom))
    for x0, top, x1, bottom, stroke, fill, color in rects:
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
        if stroke:
            rules.extend((Rule(x0, top, x1, top), Rule(x0, bottom, x1, bottom),
                          Rule(x0, top, x0, bottom), Rule(x1, top, x1, bottom)))
        if fill and not is_white(color):
            fills.append(Fill(x0, top, x1, bottom, color))
    return rules, fills


READERS = ("pdfplumber", "pdfium")   # every backend that ships; the first is the reference


def _backend(name: str):
    if name not in READERS:
        raise ValueError(f"unknown layout reader {name!r} (one of: {', '.join(READERS)})")
    return importlib.import_module(f"extractors.layout.{name}_reader")


class _Deferred:
    """An open document for a backend that opens and reads in one go (no page count before reading)."""

    n_pages = None

    def __init__(self, backend, path, password):
        self._backend, self._path, self._password = backend, path, password

    def read(self, settings: "LayoutSettings") -> DocumentLayout:
        return self._backend.read_layout(self._path, settings, self._password)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_document(path: str | Path, settings: LayoutSettings = LayoutSettings(), password: str | None = None):
    """Open a PDF once with the backend `settings.reader`: an object with `n_pages` (None when the
    backend cannot tell before reading), `read(settings) -> DocumentLayout` and `close()`.

    Raises the backend's own exception for a file it cannot open (the triage turns it into a reason).
    """
    backend = _backend(settings.reader)
    if hasattr(backend, "open_document"):
        return backend.open_document(path, settings, password)
    return _Deferred(backend, path, password)


def read_layout(path: str | Path, settings: LayoutSettings = LayoutSettings(), password: str | None = None) -> DocumentLayout:
    """Read every page of a PDF into plain layout objects with the backend `settings.reader`.

    A page that fails to parse is recorded in `page_errors` and skipped; an
    unreadable file raises (the runner turns that into a failed documents row).
    """
    return _backend(settings.reader).read_layout(path, settings, password)
