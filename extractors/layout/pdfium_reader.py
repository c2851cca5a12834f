"""Layout reader backend on PDFium (pypdfium2): the fast default.

It hands back the same objects as the pdfplumber reader, in the same
coordinates, so every stage above was tuned once:

* characters: the whole page's text comes over in one call; per character only
  its text object, its origin and PDFium's loose box are asked for. pdfminer's
  box starts at the origin and is one em tall from the font's descent line; the
  font name, size, orientation and that baseline are read once per text object
  (one text-showing operator: one baseline). x1 is the loose box's right edge.
  Characters PDFium *generates* are dropped (pdfminer never sees them), except
  that a generated space still ends a word; spaces PDFium leaves out of its
  text page come back from their text objects (`_dropped_spaces`). Characters
  are put back in content-stream order (PDFium may move an object in its line).
* words: pdfplumber's `extract_words` rules (`x_tolerance`, `y_tolerance`, a
  word never spans a change of orientation, font or size, ligatures expanded)
  re-implemented on tuples (`_words`).
* paths: lines, rectangles and curves with pdfminer's rules (`_classify`): a
  path is split at each move; "ml"/"mlh" is a line, a closed axis-parallel
  four-sided path a rectangle, anything else a curve (a `Shape` when the
  pdfplumber reader would make one). Rules and fills come from lines and
  rectangles exactly as in the pdfplumber reader. Colours are RGB in 0..1
  (PDFium converts grey and CMYK).

PDFium is not thread-safe: one document at a time per process (the worker pool
runs one file per process). PDFium aborts the process when an allocation fails
(no MemoryError): run untrusted files isolated (the default).
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2.raw  # noqa: F401  (loads PDFium once, before the worker pool forks)

from extractors.layout import _BOLD, _CID, DocumentLayout, LayoutSettings, PageLayout, Shape, Word, rules_and_fills

try:  # the characters and words without a Python step per character (needs the C part; optional)
    from extractors.layout import pdfium_arrays as _arrays
except ImportError:  # not built (no C compiler at install): the Python loop below, same results
    _arrays = None
USE_ARRAYS = True   # False: always the Python loop (the reference the tests compare the array path to)

_LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_TEXT, _PATH, _IMAGE, _SHADING, _FORM = 1, 2, 3, 4, 5
_LINETO, _BEZIERTO, _MOVETO = 0, 1, 2


@dataclass(frozen=True)
class PdfiumSettings:
    """The tolerances of this backend (the stage's own are `LayoutSettings`)."""

    max_form_depth: int = 24        # form XObjects nested deeper fail the page, as in pdfminer (PDFium stops at ~40)
    repeat_window: int = 5          # a text object PDFium dropped repeats one of this many before it ...
    repeat_tolerance: float = 0.5   # ... when their boxes agree within this (pt): fake bold, not a space


PDFIUM = PdfiumSettings()


# ---------------------------------------------------------------- coordinates

def _page_transform(page_raw, raw) -> tuple[tuple, float, float, float]:
    """(pdfminer's device matrix for the page's rotation, x offset, height, y offset) as pdfplumber uses them.

    A user-space point (x, y) lands at x' = a*x + c*y + e + X0, top = H - (b*x + d*y + f) - Y0.
    """
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    if not raw.FPDFPage_GetMediaBox(page_raw, l, b, r, t):
        l.value, b.value = 0.0, 0.0
        r.value, t.value = raw.FPDF_GetPageWidthF(page_raw), raw.FPDF_GetPageHeightF(page_raw)
    x0, x1 = sorted((l.value, r.value))
    y0, y1 = sorted((b.value, t.value))
    rot = (raw.FPDFPage_GetRotation(page_raw) % 4) * 90
    if rot == 90:
        ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
    elif rot == 180:
        ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
    elif rot == 270:
        ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
    else:
        ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
    if rot in (90, 270):  # pdfplumber swaps the box's axes
        nx0, ny0, nx1, ny1 = y0, x0, y1, x1
    else:
        nx0, ny0, nx1, ny1 = x0, y0, x1, y1
    return ctm, nx0, ny1 - ny0, ny0


@dataclass
class _Frame:
    ctm: tuple
    X0: float
    H: float
    Y0: float

    def pt(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return a * x + c * y + e + self.X0, self.H - (b * x + d * y + f) - self.Y0

    def box(self, l: float, bt: float, r: float, t: float) -> tuple[float, float, float, float]:
        """A user-space box -> (x0, top, x1, bottom)."""
        xa, ya = self.pt(l, bt)
        xb, yb = self.pt(r, t)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)


def _mul(m, n) -> tuple:
    """m then n (pdfminer's mult_matrix order)."""
    a1, b1, c1, d1, e1, f1 = m
    a0, b0, c0, d0, e0, f0 = n
    return (a0 * a1 + c0 * b1, b0 * a1 + d0 * b1, a0 * c1 + c0 * d1, b0 * c1 + d0 * d1,
            a0 * e1 + c0 * f1 + e0, b0 * e1 + d0 * f1 + f0)


# ---------------------------------------------------------------- characters and words

def _font_name(raw, font) -> str:
    if not font:
        return ""
    n = raw.FPDFFont_GetBaseFontName(font, None, 0)
    if n <= 0:
        return ""
    buf = ctypes.create_string_buffer(n)
    raw.FPDFFont_GetBaseFontName(font, buf, n)
    return buf.value.decode("utf-8", "replace")


class _Obj:
    """What a text object says once for all its characters."""

    __slots__ = ("font", "size", "upright", "unmapped", "top", "bottom")

    def __init__(self, font: str, size: float, upright: bool, unmapped: bool, top: float, bottom: float):
        self.font, self.size, self.upright, self.unmapped = font, size, upright, unmapped
        # pdfminer's box, one em from the descent line (top-left coordinates): one baseline per text object
        self.top, self.bottom = top, bottom


_GET_OBJ_ADDR = None


def _obj_addr_fn(raw):
    """FPDFText_GetTextObject returning a plain address (a cheap cache key)."""
    global _GET_OBJ_ADDR
    if _GET_OBJ_ADDR is None:
        fn = raw.FPDFText_GetTextObject
        proto = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
        _GET_OBJ_ADDR = proto(ctypes.cast(fn, ctypes.c_void_p).value)
    return _GET_OBJ_ADDR


def _page_text(raw, tp) -> tuple[str, int]:
    """The page's text, one str per PDFium character, and how many characters there are."""
    n = raw.FPDFText_CountChars(tp)
    if n <= 0:
        return "", 0
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * max(0, got - 1)].decode("utf-16-le", "replace")
    if len(text) != n:  # characters outside the BMP: ask one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, i) or 0xFFFD) for i in range(n))
    return text, n


def _chars(raw, tp, frame: _Frame, order: dict[int, int] | None = None) -> tuple[list[tuple], int]:
    """PDFium's characters as (text, x0, x1, top, bottom, font, size, upright, text object), in content
    stream order (pdfminer's order: PDFium's text page may move a text object within its line); and
    how many there are (PDFium's generated characters not counted)."""
    text, n = _page_text(raw, tp)
    if n <= 0:
        return [], 0
    tp_addr = ctypes.cast(tp, ctypes.c_void_p).value
    get_obj = _obj_addr_fn(raw)
    rect = raw.FS_RECTF()
    rect_ref = ctypes.byref(rect)
    loose = raw.FPDFText_GetLooseCharBox
    origin = raw.FPDFText_GetCharOrigin
    ox_, oy_ = ctypes.c_double(), ctypes.c_double()
    ox_ref, oy_ref = ctypes.byref(ox_), ctypes.byref(oy_)
    is_generated = raw.FPDFText_IsGenerated
    objs: dict[int, _Obj] = {}
    fonts: dict[tuple, tuple] = {}
    matrix = raw.FS_MATRIX()
    out: list[tuple] = []
    real = 0
    prev = gap = None
    order = order or {}
    n_order = len(order)
    last_addr, last_place, shuffled = None, -1, False
    a, b, c, d, e, f = frame.ctm
    sx, ox = (a, e + frame.X0) if b == 0 and c == 0 else (0.0, 0.0)  # unrotated page: x' = sx * x + ox
    for i, ch in enumerate(text):
        blank = ch.isspace()
        if blank or ch in "\x00\x02\ufffe":
            if is_generated(tp, i) == 1:
                # PDFium's own space: it often stands for a real space it dropped (one that the next
                # glyph overlaps), so it still ends a word; its line breaks do not (geometry does)
                # (placed just before the next real character: PDFium's own box for it is unreliable)
                if ch == " " and prev is not None and prev[0] != " ":
                    gap = prev
                continue
            if not blank:
                ch = "-"  # PDFium's mark for a hyphen that ends a line
        real += 1
        addr = get_obj(tp_addr, i)
        if addr != last_addr:  # a new text object: is it still in content-stream order?
            place = order.get(addr, n_order)
            shuffled = shuffled or place < last_place
            last_addr, last_place = addr, place
        o = objs.get(addr)
        if o is None:
            o = objs[addr] = _text_obj(raw, tp, i, frame, matrix, fonts)
        if not loose(tp, i, rect_ref):
            continue
        if blank:
            ch = " "
        elif o.unmapped and raw.FPDFText_HasUnicodeMapError(tp, i) == 1:
            ch = f"(cid:{ord(ch)})"
        if o.upright and sx:  # pdfminer's box: one em tall, from the descent line up
            # pdfminer's box starts at the glyph's origin; PDFium's loose box takes in a glyph that
            # overhangs to the left (italic j, f), so the origin gives x0 and the box only x1
            origin(tp, i, ox_ref, oy_ref)
            if sx > 0:
                x0, x1 = ox_.value * sx + ox, rect.right * sx + ox
            else:  # a page turned upside down: the glyph runs leftwards from its origin
                x0, x1 = rect.right * sx + ox, ox_.value * sx + ox
            if x1 < x0:
                x0, x1 = x1, x0
            top, bottom = o.top, o.bottom
        else:
            x0, top, x1, bottom = frame.box(rect.left, rect.bottom, rect.right, rect.top)
            if o.upright:
                top, bottom = o.top, o.bottom
        if gap is not None:
            if o.upright == gap[7] and not blank:
                x = x0 - 1e-3 if o.upright else x0
                out.append((" ", x, x, gap[3], gap[4], gap[5], gap[6], gap[7], addr))
            gap = None
        prev = (ch, x0, x1, top, bottom, o.font, o.size, o.upright, addr)
        out.append(prev)
    if shuffled:
        out.sort(key=lambda c: order.get(c[8], n_order))
    return out, real


def _font(raw, font_h, size: float, fonts: dict) -> tuple[str, float]:
    """(font name, descent in points at `size`), once per font and size of a page."""
    key = (ctypes.cast(font_h, ctypes.c_void_p).value if font_h else 0, size)
    got = fonts.get(key)
    if got is None:
        font = _font_name(raw, font_h)
        desc = ctypes.c_float(0.0)
        std = _standard_descent(font) if font_h and not raw.FPDFFont_GetIsEmbedded(font_h) else None
        if std is not None:  # a standard 14 font: pdfminer takes its Adobe metrics, PDFium a stand-in's
            desc.value = std * size / 1000.0
        elif not (font_h and raw.FPDFFont_GetDescent(font_h, ctypes.c_float(size), ctypes.byref(desc))):
            desc.value = 0.0
        got = fonts[key] = (font, desc.value)
    return got


def _text_obj(raw, tp, i: int, frame: _Frame, matrix, fonts: dict) -> _Obj:
    obj = raw.FPDFText_GetTextObject(tp, i)
    font_h = raw.FPDFTextObj_GetFont(obj) if obj else None
    fs = ctypes.c_float(0.0)
    if not (obj and raw.FPDFTextObj_GetFontSize(obj, ctypes.byref(fs))):
        fs.value = raw.FPDFText_GetFontSize(tp, i)
    font, desc = _font(raw, font_h, fs.value, fonts)
    if raw.FPDFText_GetMatrix(tp, i, ctypes.byref(matrix)):
        m = _mul((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), frame.ctm)
    else:
        m = frame.ctm
    a, b, c, d = m[:4]
    upright = 0 < a * d and b * c <= 0
    size = abs(fs.value * d) if upright else abs(fs.value) * (b * b + d * d) ** 0.5
    unmapped = raw.FPDFText_HasUnicodeMapError(tp, i) == 1
    top = bottom = 0.0
    if upright:
        ox, oy = ctypes.c_double(), ctypes.c_double()
        raw.FPDFText_GetCharOrigin(tp, i, ox, oy)
        c, d = (matrix.c, matrix.d) if m is not frame.ctm else (0.0, 1.0)
        y0 = frame.pt(ox.value + c * desc, oy.value + d * desc)[1]
        y1 = frame.pt(ox.value + c * (desc + fs.value), oy.value + d * (desc + fs.value))[1]
        top, bottom = min(y0, y1), max(y0, y1)
    return _Obj(font, size, upright, unmapped, top, bottom)


def _font_at(raw, addr: int, size: float, fonts: dict) -> tuple[str, float]:
    """`_font` for a font given by its address (the array path's records)."""
    got = fonts.get((addr, size))
    if got is None:
        got = _font(raw, ctypes.cast(addr, raw.FPDF_FONT) if addr else None, size, fonts)
    return got


def _upright_size(fs, a, b, c, d) -> tuple:
    """Arrays of `_text_obj`'s orientation and size from a text object's device matrix (a, b, c, d) and
    font size `fs` (rotated text, which is rare, as the scalar code computes it)."""
    upright = (0 < a * d) & (b * c <= 0)
    size = np.abs(fs * d)
    for k in np.flatnonzero(~upright).tolist():
        size[k] = abs(float(fs[k])) * (float(b[k]) * float(b[k]) + float(d[k]) * float(d[k])) ** 0.5
    return upright, size


def _text_objs(raw, tp, indices, frame: _Frame, fonts: dict) -> tuple:
    """`_text_obj` of the characters at `indices` (the array path), PDFium asked once for all and the
    arithmetic done on arrays, operation for operation as `_text_obj` does it.

    Returns (font names, size, upright, unmapped, top, bottom), one entry per index.
    """
    r = _arrays.first_chars(raw, tp, indices)
    fs, mat, ok = r["fs"], r["m"], r["mat_ok"] != 0
    names, descs = [], []
    for addr, obj, size in zip(r["font"].tolist(), r["obj"].tolist(), fs.tolist()):
        font, desc = _font_at(raw, addr if obj else 0, size, fonts)
        names.append(font)
        descs.append(desc)
    desc = np.array(descs, dtype=np.float64)
    # _mul, frame.pt: the scalar steps of _text_obj, applied to arrays (the same operations in the same order)
    cols = tuple(mat[:, q] for q in range(6))
    a, b, c, d = (np.where(ok, v, w) for v, w in zip(_mul(cols, frame.ctm)[:4], frame.ctm[:4]))
    upright, size = _upright_size(fs, a, b, c, d)
    cc, dd = np.where(ok, cols[2], 0.0), np.where(ok, cols[3], 1.0)
    ox, oy = r["ox"], r["oy"]
    y0 = frame.pt(ox + cc * desc, oy + dd * desc)[1]
    y1 = frame.pt(ox + cc * (desc + fs), oy + dd * (desc + fs))[1]
    top = np.where(upright, np.minimum(y0, y1), 0.0)
    bottom = np.where(upright, np.maximum(y0, y1), 0.0)
    return names, size, upright, r["map_err"] == 1, top, bottom


_STD_DESCENT: dict[str, float | None] = {}


def _standard_descent(font: str) -> float | None:
    """The Adobe (AFM) descent of a standard 14 font, per 1000 units, as pdfminer uses it; else None."""
    if font not in _STD_DESCENT:
        from pdfminer.fontmetrics import FONT_METRICS

        m = FONT_METRICS.get(font.split("+", 1)[-1])
        _STD_DESCENT[font] = float(m[0].get("Descent", 0)) if m else None
    return _STD_DESCENT[font]


def _bounds(raw, obj) -> tuple | None:
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    if not raw.FPDFPageObj_GetBounds(obj, l, b, r, t):
        return None
    return l.value, b.value, r.value, t.value


def _dropped_spaces(raw, tp, frame: _Frame, paths: "_Paths", seen: set) -> list[tuple]:
    """Space characters PDFium's text page left out, placed as pdfminer places them.

    PDFium drops a text object that shows only a space (its text page has no character for it, even
    where the next glyph overlaps the space, so no word break either); it also drops a text object
    that repeats one of the few before it (fake bold). A text object with no character in the text
    page that repeats none of those is taken for a space.
    """
    missing = [a for a in paths.text_objs if a not in seen]
    if not missing:
        return []
    order = list(paths.text_objs)
    out = []
    fonts: dict[tuple, tuple] = {}
    fm = raw.FS_MATRIX()
    bounds: dict[int, tuple | None] = {}   # each object's box asked once

    def box_of(a: int) -> tuple | None:
        got = bounds.get(a, bounds)
        if got is bounds:
            got = bounds[a] = _bounds(raw, paths.text_objs[a][0])
        return got

    for addr in missing:
        obj, enclosing = paths.text_objs[addr]
        box = box_of(addr)
        if box is None:
            continue
        k = paths.text_order[addr]
        repeat = False
        for prev in order[max(0, k - PDFIUM.repeat_window): k]:
            pb = box_of(prev)
            if pb and all(abs(u - v) <= PDFIUM.repeat_tolerance for u, v in zip(box, pb)):
                repeat = True
                break
        if repeat or not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm)):
            continue
        m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), enclosing)   # text space -> user space
        dev = _mul(m, frame.ctm)
        fs = ctypes.c_float(0.0)
        raw.FPDFTextObj_GetFontSize(obj, ctypes.byref(fs))
        font, desc = _font(raw, raw.FPDFTextObj_GetFont(obj), fs.value, fonts)
        a, b, c, d = dev[:4]
        upright = 0 < a * d and b * c <= 0
        size = abs(fs.value * d) if upright else abs(fs.value) * (b * b + d * d) ** 0.5
        # the object's matrix maps text space (the font size not applied) to user space, as a char's matrix
        x, y0 = frame.pt(*_apply(m, 0.0, desc))
        y1 = frame.pt(*_apply(m, 0.0, desc + fs.value))[1]
        out.append((" ", x, x, min(y0, y1), max(y0, y1), font, size, upright, addr))
    return out


def _dropped_spaces_fast(raw, frame: _Frame, paths: "_Paths", seen: set):
    """`_dropped_spaces` on the walk's records (the array path): the same rules and arithmetic, on arrays."""
    missing = [a for a in paths.text_objs if a not in seen]
    if not missing:
        return _arrays.no_spaces()
    recs = paths.records
    # the repeat test: each missing object's box against the boxes of the few before it
    ks = np.array([paths.text_order[a] for a in missing], dtype=np.int64)
    ok, boxes = paths.text_bounds()
    repeat = np.zeros(len(ks), dtype=bool)
    for back in range(1, PDFIUM.repeat_window + 1):
        j = ks - back
        valid = j >= 0
        jj = np.where(valid, j, 0)
        same = np.all(np.abs(boxes[ks] - boxes[jj]) <= PDFIUM.repeat_tolerance, axis=1)
        repeat |= valid & ok[jj] & same
    keep = [(addr, recs[paths.text_objs[addr][0]], paths.text_objs[addr][1])
            for addr, rep in zip(missing, repeat.tolist()) if not rep]
    keep = [(addr, r, enc) for addr, r, enc in keep if r[5] and r[3]]   # bounds and matrix found
    if not keep:
        return _arrays.no_spaces()
    fonts: dict[tuple, tuple] = {}
    names, descs = [], []
    for _addr, r, _enc in keep:
        font, desc = _font_at(raw, r[-3], r[-1], fonts)
        names.append(font)
        descs.append(desc)
    fm = np.array([r[4] for _a, r, _e in keep], dtype=np.float64)
    en = np.array([enc for _a, _r, enc in keep], dtype=np.float64)
    fs = np.array([r[-1] for _a, r, _e in keep], dtype=np.float64)
    desc = np.array(descs, dtype=np.float64)
    # _dropped_spaces' scalar steps applied to arrays (the same operations in the same order)
    m = _mul(tuple(fm[:, q] for q in range(6)), tuple(en[:, q] for q in range(6)))   # text space -> user space
    _a, _b, _c, _d = _mul(m, frame.ctm)[:4]
    upright, size = _upright_size(fs, _a, _b, _c, _d)
    x, y0 = frame.pt(*_apply(m, 0.0, desc))
    y1 = frame.pt(*_apply(m, 0.0, desc + fs))[1]
    return _arrays.Spaces(x, np.minimum(y0, y1), np.maximum(y0, y1), names, size, upright,
                          np.array([addr for addr, _r, _e in keep], dtype=np.uint64))


def _cluster_ids(values: list[float], tol: float) -> dict[float, int]:
    """pdfplumber's cluster_list over the distinct values: value -> cluster number."""
    ids: dict[float, int] = {}
    last = None
    k = -1
    for v in sorted(set(values)):
        if last is None or v > last + tol:
            k += 1
        ids[v] = k
        last = v
    return ids


def _words(chars: list[tuple], s: LayoutSettings) -> list[Word]:
    """pdfplumber's extract_words (use_text_flow=False, keep_blank_chars=False,
    extra_attrs fontname and size) on character tuples."""
    words: list[Word] = []
    xt, yt = s.x_tolerance, s.y_tolerance
    k, n = 0, len(chars)
    while k < n:
        # a run of characters with the same orientation, font and size (blanks carry none: they join the run)
        c0 = chars[k]
        key = (c0[7], c0[5], c0[6])
        j = k + 1
        while j < n and (chars[j][7], chars[j][5], chars[j][6]) == key:
            j += 1
        run = chars[k:j]
        k = j
        upright = c0[7]
        if upright:  # lines by top, characters by x0
            ids = _cluster_ids([c[3] for c in run], yt)
            order = sorted(range(len(run)), key=lambda q: (ids[run[q][3]], run[q][1]))
        else:  # rotated text: lines by x0, characters by top
            ids = _cluster_ids([c[1] for c in run], xt)
            order = sorted(range(len(run)), key=lambda q: (ids[run[q][1]], run[q][3], run[q][4]))
        cur: list[tuple] = []
        for q in order:
            c = run[q]
            if c[0] == " ":
                if cur:
                    words.append(_merge(cur))
                cur = []
                continue
            if cur:
                p = cur[-1]
                if upright:
                    new = c[1] < p[1] or c[1] > p[2] + xt or abs(c[3] - p[3]) > yt
                else:
                    new = c[3] < p[3] or c[3] > p[4] + yt or abs(c[1] - p[1]) > xt
                if new:
                    words.append(_merge(cur))
                    cur = []
            cur.append(c)
        if cur:
            words.append(_merge(cur))
    return words


_LIG_TABLE = str.maketrans(_LIGATURES)
_FONT_STYLE: dict[str, tuple[bool, bool]] = {}


def _merge(cs: list[tuple]) -> Word:
    c0 = cs[0]
    font = c0[5]
    style = _FONT_STYLE.get(font)
    if style is None:
        low = font.lower()
        style = _FONT_STYLE[font] = (bool(_BOLD.search(font)), "italic" in low or "oblique" in low)
    if len(cs) == 1:
        return Word(c0[0].translate(_LIG_TABLE), c0[1], c0[2], c0[3], c0[4], round(c0[6], 2), style[0], style[1])
    return Word(
        "".join([c[0] for c in cs]).translate(_LIG_TABLE),
        min([c[1] for c in cs]), max([c[2] for c in cs]), min([c[3] for c in cs]), max([c[4] for c in cs]),
        round(c0[6], 2), style[0], style[1],
    )


def _make_words(texts: list, x0s: list, x1s: list, tops: list, bottoms: list, sizes: list, fonts: list) -> list:
    """The words of the array path (`pdfium_arrays.page_words`), each built as `_merge` builds one."""
    styles: dict[str, tuple] = {}
    for font in set(fonts):
        style = _FONT_STYLE.get(font)
        if style is None:
            low = font.lower()
            style = _FONT_STYLE[font] = (bool(_BOLD.search(font)), "italic" in low or "oblique" in low)
        styles[font] = style
    rounded = {z: round(z, 2) for z in set(sizes)}
    page = "".join(texts)
    if any(lig in page for lig in _LIGATURES):
        texts = [t.translate(_LIG_TABLE) for t in texts]
    new, out = object.__new__, []
    for t, a, b, c, d, z, f in zip(texts, x0s, x1s, tops, bottoms, sizes, fonts):
        w = new(Word)   # a frozen dataclass, filled as its __init__ would, at half the cost
        bold, italic = styles[f]
        w.__dict__.update(text=t, x0=a, x1=b, top=c, bottom=d, size=rounded[z], bold=bold, italic=italic)
        out.append(w)
    return out


# ---------------------------------------------------------------- paths, images

@dataclass
class _Paths:
    lines: list = None     # (x0, top, x1, bottom)
    rects: list = None     # (x0, top, x1, bottom, stroke, fill, colour)
    curves: list = None    # Shape
    n_images: int = 0
    image_area: float = 0.0
    settings: LayoutSettings = LayoutSettings()

    def __post_init__(self):
        self.lines, self.rects, self.curves = [], [], []
        self.text_order: dict[int, int] = {}   # text object address -> its place in the content streams
        self.text_objs: dict[int, tuple] = {}   # text object address -> (handle, matrix of what encloses it)
        self.records: list = []                 # the array path: the C walk's records (text_objs holds indices)

    def text_bounds(self) -> tuple:
        """The array path: (bounds found, bounds) of every text object in content-stream order."""
        recs = self.records
        idx = [k for k, _m in self.text_objs.values()]
        ok = np.array([recs[k][5] for k in idx], dtype=bool)
        boxes = np.array([recs[k][6] for k in idx], dtype=np.float64).reshape(len(idx), 4)
        return ok, boxes


def _rgb(raw, getter, obj) -> tuple:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(obj, r, g, b, a):
        return ()
    return (r.value / 255.0, g.value / 255.0, b.value / 255.0)


def _walk(raw, obj_at, count, container, matrix: tuple, frame: _Frame, out: _Paths, depth: int = 0) -> None:
    """Every path and image object, forms entered, with its matrix to user space."""
    fm = raw.FS_MATRIX()
    for k in range(count(container)):
        obj = obj_at(container, k)
        if not obj:
            continue
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == _TEXT:
            addr = ctypes.cast(obj, ctypes.c_void_p).value
            out.text_order[addr] = len(out.text_order)
            out.text_objs[addr] = (obj, matrix)
        elif kind == _PATH:
            _path(raw, obj, matrix, frame, out, fm)
        elif kind == _IMAGE:
            l, b, r, t = (ctypes.c_float() for _ in range(4))
            if raw.FPDFPageObj_GetBounds(obj, l, b, r, t):
                pts = [_apply(matrix, x, y) for x, y in ((l.value, b.value), (r.value, t.value))]
                out.n_images += 1
                out.image_area += abs(pts[1][0] - pts[0][0]) * abs(pts[1][1] - pts[0][1])
        elif kind == _FORM:
            if depth >= PDFIUM.max_form_depth:  # as the reference reader: such a page fails, not half read
                raise RecursionError(f"form XObjects nested deeper than {PDFIUM.max_form_depth}")
            inner = matrix
            if raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm)):
                inner = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), matrix)
            _walk(raw, raw.FPDFFormObj_GetObject, raw.FPDFFormObj_CountObjects, obj, inner, frame, out, depth + 1)


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _walk_fast(raw, page, frame: _Frame, out: "_Paths") -> None:
    """`_walk` on the C walk's records (the array path): the same objects in the same order; every
    path point goes through its matrices on arrays, operation for operation as `_path` does it."""
    objs, segs = _arrays.walk_page(raw, page, PDFIUM.max_form_depth)
    recs = objs.tolist()
    out.records = recs
    inner: dict[int, tuple] = {}   # a form's record -> the matrix its objects are drawn with
    paths: list[tuple] = []        # (record, matrix to user space) of every painted path
    for k, rec in enumerate(recs):
        kind, handle, parent = rec[0], rec[1], rec[2]
        enclosing = _IDENTITY if parent < 0 else inner[parent]
        if kind == _TEXT:
            out.text_order[handle] = len(out.text_order)
            out.text_objs[handle] = (k, enclosing)
        elif kind == _PATH:
            if rec[7] and (rec[8] != 0 or rec[9]):   # draw mode found; filled or stroked
                paths.append((rec, _mul(tuple(rec[4]), enclosing) if rec[3] else enclosing))
        elif kind == _IMAGE:
            if rec[5]:
                l, b, r, t = rec[6]
                pts = [_apply(enclosing, x, y) for x, y in ((l, b), (r, t))]
                out.n_images += 1
                out.image_area += abs(pts[1][0] - pts[0][0]) * abs(pts[1][1] - pts[0][1])
        elif kind == _FORM:
            inner[k] = _mul(tuple(rec[4]), enclosing) if rec[3] else enclosing
    if not paths:
        return
    # every segment of the painted paths: its point through the path's matrix and the page's
    starts = np.array([r[14] for r, _m in paths], dtype=np.int64)
    counts = np.array([r[15] for r, _m in paths], dtype=np.int64)
    idx = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    sg = segs[idx]
    mats = np.repeat(np.array([m for _r, m in paths], dtype=np.float64).reshape(len(paths), 6), counts, axis=0)
    px, py = frame.pt(*_apply(tuple(mats[:, q] for q in range(6)), sg["x"], sg["y"]))
    segments = list(zip(zip(px.tolist(), py.tolist()), sg["type"].tolist(), sg["close"].tolist()))
    oks = sg["ok"].tolist()
    q = 0
    for (rec, _m), n in zip(paths, counts.tolist()):
        ops, pts = _ops(segments[j] for j in range(q, q + n) if oks[j])
        q += n
        if not ops:
            continue
        fill, stroke = rec[8] != 0, bool(rec[9])
        fcol = (rec[11][0] / 255.0, rec[11][1] / 255.0, rec[11][2] / 255.0) if fill and rec[10] else ()
        scol = (rec[13][0] / 255.0, rec[13][1] / 255.0, rec[13][2] / 255.0) if stroke and rec[12] else ()
        _subpaths(ops, pts, fill, stroke, fcol, scol, out)


def _ops(segments) -> tuple[list[str], list[tuple]]:
    """A path's operators ("m", "l", "c", "h" where a segment closes the subpath) and their points, from
    its segments as (point in page coordinates, PDFium segment type, closes)."""
    ops: list[str] = []
    pts: list[tuple] = []
    start = None
    for p, kind, close in segments:
        if kind == _MOVETO:
            ops.append("m")
            start = p
        elif kind == _BEZIERTO:
            ops.append("c")
        else:
            ops.append("l")
        pts.append(p)
        if close and start is not None:
            ops.append("h")
            pts.append(start)
    return ops, pts


def _apply(m: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _path(raw, obj, matrix: tuple, frame: _Frame, out: _Paths, fm) -> None:
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, ctypes.byref(mode), ctypes.byref(stroke)):
        return
    fill, stroke = mode.value != 0, bool(stroke.value)
    if not (fill or stroke):
        return
    m = matrix
    if raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(fm)):
        m = _mul((fm.a, fm.b, fm.c, fm.d, fm.e, fm.f), matrix)
    x, y = ctypes.c_float(), ctypes.c_float()

    def segments():
        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
                continue
            kind = raw.FPDFPathSegment_GetType(seg)
            yield frame.pt(*_apply(m, x.value, y.value)), kind, raw.FPDFPathSegment_GetClose(seg)

    ops, pts = _ops(segments())
    if not ops:
        return
    fcol = _rgb(raw, raw.FPDFPageObj_GetFillColor, obj) if fill else ()
    scol = _rgb(raw, raw.FPDFPageObj_GetStrokeColor, obj) if stroke else ()
    _subpaths(ops, pts, fill, stroke, fcol, scol, out)


def _subpaths(ops: list[str], pts: list[tuple], fill: bool, stroke: bool, fcol: tuple, scol: tuple,
              out: "_Paths") -> None:
    """pdfminer splits a path at every move and classifies each piece."""
    k = 0
    while k < len(ops):
        j = k + 1
        while j < len(ops) and ops[j] != "m":
            j += 1
        if ops[k] == "m":
            _classify(ops[k:j], pts[k:j], fill, stroke, fcol, scol, out)
        k = j


def _classify(ops: list[str], pts: list[tuple], fill: bool, stroke: bool, fcol: tuple, scol: tuple,
              out: _Paths) -> None:
    """pdfminer's paint_path rules on one subpath (points already in top-left page coordinates).

    Bezier control points count as points of the curve, in order (c = 3 points).
    """
    # a curve segment in pdfminer is one op with three points; PDFium gives three "c" segments
    shape = "".join(ops).replace("ccc", "c")
    end_pts = _end_points(ops, pts)
    if len(shape) > 3 and shape[-2:] == "lh" and end_pts[-2] == end_pts[0]:
        shape = shape[:-2] + "h"
        end_pts = end_pts[:-1]
    if shape in ("mlh", "ml"):
        (xa, ya), (xb, yb) = end_pts[0], end_pts[1]
        out.lines.append((min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)))
        return
    if shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = end_pts
        closed = end_pts[0] == end_pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        if closed and square:
            xs, ys = (x0, x2), (y0, y2)
            out.rects.append((min(xs), min(ys), max(xs), max(ys), stroke, fill, fcol))
            return
    # pdfminer's curve: one point per operator (a curve's end point, "h" the start), as pdfplumber's `pts`
    xs, ys = [p[0] for p in end_pts], [p[1] for p in end_pts]
    if not _is_symbol(len(end_pts), min(xs), min(ys), max(xs), max(ys), fill, out.settings):
        return
    points = tuple((round(x, 2), round(y, 2)) for x, y in end_pts)
    if len(points) > 1 and points[-1] == points[0]:
        points = points[:-1]  # a closed path: its start is not repeated
    out.curves.append(Shape(points=points, x0=min(xs), top=min(ys), x1=max(xs), bottom=max(ys),
                            fill=fcol, stroke=scol))


def _end_points(ops: list[str], pts: list[tuple]) -> list[tuple]:
    """One point per pdfminer op: a curve's end point, "h" the subpath's start."""
    out = []
    k = 0
    while k < len(ops):
        if ops[k] == "c" and ops[k + 1: k + 3] == ["c", "c"]:
            out.append(pts[k + 2])
            k += 3
            continue
        out.append(pts[k])
        k += 1
    return out


# ---------------------------------------------------------------- pages

def _is_symbol(n: int, x0: float, top: float, x1: float, bottom: float, filled: bool, s: LayoutSettings) -> bool:
    """The pdfplumber reader's rules for which curves (`n` points) are Shapes: charts, specks and
    rule-like runs are not."""
    if n < 3 or n > s.max_shape_points:
        return False
    w, h = x1 - x0, bottom - top
    if max(w, h) < s.min_shape_size:
        return False
    return not (min(w, h) <= s.max_rule_thickness and max(w, h) >= s.min_rule_length and not filled)


def read_page(raw, doc_raw, index: int, s: LayoutSettings) -> PageLayout:
    page = raw.FPDF_LoadPage(doc_raw, index)
    if not page:
        raise RuntimeError(f"PDFium could not load page {index + 1}")
    tp = None
    try:
        ctm, X0, H, Y0 = _page_transform(page, raw)
        frame = _Frame(ctm, X0, H, Y0)
        width = raw.FPDF_GetPageWidthF(page)
        tp = raw.FPDFText_LoadPage(page)
        if not tp:
            raise RuntimeError(f"PDFium could not read the text of page {index + 1}")
        paths = _Paths()
        paths.settings = s
        if _arrays is not None and USE_ARRAYS:
            _walk_fast(raw, page, frame, paths)
            text, n = _page_text(raw, tp)
            fonts: dict = {}
            chars, n_chars = _arrays.page_chars(
                raw, tp, text, n, frame, paths.text_order,
                lambda indices: _text_objs(raw, tp, indices, frame, fonts),
                lambda seen: _dropped_spaces_fast(raw, frame, paths, seen))
            words = _arrays.page_words(chars, s.x_tolerance, s.y_tolerance, _make_words)
        else:
            _walk(raw, raw.FPDFPage_GetObject, raw.FPDFPage_CountObjects, page, _IDENTITY, frame, paths)
            chars, n_chars = _chars(raw, tp, frame, paths.text_order)
            dropped = _dropped_spaces(raw, tp, frame, paths, {c[8] for c in chars})
            if dropped:
                n_chars += len(dropped)
                last = len(paths.text_order)
                chars = sorted(chars + dropped, key=lambda c: paths.text_order.get(c[8], last))
            words = _words(chars, s)
        rules, fills = rules_and_fills(paths.lines, paths.rects, s)

    finally:
        if tp:
            raw.FPDFText_ClosePage(tp)
        raw.FPDF_ClosePage(page)
    area = float(width * H) or 1.0
    return PageLayout(
        number=index + 1, width=float(width), height=float(H), words=words, rules=rules, fills=fills,
        shapes=paths.curves, n_chars=n_chars, n_images=paths.n_images,
        image_area=min(1.0, paths.image_area / area), cid_chars=sum(1 for w in words if _CID.search(w.text)),
    )


# ---------------------------------------------------------------- documents

_ERRORS = {1: "unknown error", 2: "file not found or could not be opened", 3: "file not in PDF format or corrupted",
           4: "password required or incorrect password", 5: "unsupported security scheme",
           6: "page not found or content error"}


class PdfiumError(Exception):
    """PDFium refused the document; `code` is FPDF_GetLastError's number."""

    def __init__(self, code: int):
        self.code = code
        super().__init__(_ERRORS.get(code, f"PDFium error {code}"))


class Document:
    """One open PDF (the triage look and the page reading share it)."""

    def __init__(self, path: str | Path, password: str | None = None):
        import pypdfium2.raw as raw

        self._raw = raw
        pw = (password or "").encode("utf-8")
        self._doc = raw.FPDF_LoadDocument(str(path).encode("utf-8"), pw if password else None)
        if not self._doc:
            raise PdfiumError(raw.FPDF_GetLastError())
        self.n_pages = max(0, raw.FPDF_GetPageCount(self._doc))
        self.encrypted = raw.FPDF_GetSecurityHandlerRevision(self._doc) != -1

    def metadata(self) -> dict:
        raw = self._raw
        meta = {}
        for key in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer", "CreationDate", "ModDate"):
            n = raw.FPDF_GetMetaText(self._doc, key.encode(), None, 0)
            if n > 2:
                buf = ctypes.create_string_buffer(n)
                raw.FPDF_GetMetaText(self._doc, key.encode(), buf, n)
                meta[key] = buf.raw[: n - 2].decode("utf-16-le", "replace")
        return meta

    def read(self, settings: LayoutSettings) -> DocumentLayout:
        n = self.n_pages
        limit = n if settings.max_pages is None else min(n, settings.max_pages)
        pages: list[PageLayout] = []
        errors: dict[int, str] = {}
        for i in range(limit):
            try:
                pages.append(read_page(self._raw, self._doc, i, settings))
            except Exception as exc:  # a broken page costs one page, not the file
                errors[i + 1] = f"{type(exc).__name__}: {exc}"[:300]
        return DocumentLayout(pages=pages, n_pages=n, metadata=self.metadata(), page_errors=errors)

    def close(self) -> None:
        if self._doc:
            self._raw.FPDF_CloseDocument(self._doc)
            self._doc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_document(path: str | Path, settings: LayoutSettings, password: str | None = None) -> Document:
    return Document(path, password)


def read_layout(path: str | Path, settings: LayoutSettings, password: str | None = None) -> DocumentLayout:
    """Read every page of a PDF into plain layout objects with PDFium."""
    with Document(path, password) as doc:
        return doc.read(settings)
