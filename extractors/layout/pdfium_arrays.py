"""The PDFium reader's characters and words as arrays: the same rules as `pdfium_reader._chars`
and `pdfium_reader._words`, with no Python step per character.

A C loop (`_pdfium_scan.scan`, built with the package; optional) asks PDFium for every character's
text object, loose box, origin and flags in one call; numpy then applies the reader's rules to
whole pages at once:

1. `page_chars`: drop PDFium's generated blanks, give each kept character pdfminer's box from its
   text object (`_text_obj`, once per object), put a space where a generated space stood between two
   real characters (PDFium's stand-in for a space it dropped), and return the characters in content
   stream order.
2. `page_words`: pdfplumber's `extract_words` on those arrays: runs of one orientation, font and
   size; lines clustered within `y_tolerance` (`x_tolerance` for rotated text); characters sorted
   along the line; a word ends at a space, a step back, a gap over `x_tolerance` or a baseline jump.

Every float is computed with the same operations in the same order as the Python loop, so the two
paths give equal results (tests/test_readers.py compares them); the Python loop stays as the
reference and as the fallback where the C part could not be built.
"""
from __future__ import annotations

import ctypes
import functools
from dataclasses import dataclass

import numpy as np

from extractors.layout._pdfium_scan import char_objects, scan, walk  # ImportError: the reader's Python loop

_SPECIAL = (0x00, 0x02, 0xFFFE)   # PDFium's marks: \x00 and \x02 (a hyphen ending a line), \ufffe
_SPACE = ord(" ")
_BLANK = np.array([chr(c).isspace() for c in range(0x10000)], dtype=bool)   # str.isspace of each BMP char


@dataclass
class Chars:
    """A page's characters, one entry per character in every array (content stream order)."""

    code: np.ndarray      # code point per character (" " for every blank, "-" for PDFium's hyphen mark)
    cid: np.ndarray       # the glyph is unmapped: its text is "(cid:N)", N its code
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    font: np.ndarray      # index into `fonts`
    size: np.ndarray
    upright: np.ndarray
    obj: np.ndarray       # text object address
    fonts: list           # font names

    def __len__(self) -> int:
        return len(self.code)


# the C part's records (extractors/layout/_pdfium_scan.c: obj_rec, seg_rec, chr_rec), every field 8 bytes
OBJ_DTYPE = np.dtype([("kind", "<i8"), ("handle", "<i8"), ("parent", "<i8"), ("mat_ok", "<i8"), ("m", "<f8", 6),
                      ("bounds_ok", "<i8"), ("bounds", "<f8", 4), ("draw_ok", "<i8"), ("fill_mode", "<i8"),
                      ("stroke", "<i8"), ("fill_ok", "<i8"), ("fill", "<i8", 4), ("stroke_ok", "<i8"),
                      ("scol", "<i8", 4), ("seg_start", "<i8"), ("seg_count", "<i8"), ("font", "<i8"),
                      ("fs_ok", "<i8"), ("fs", "<f8")])
SEG_DTYPE = np.dtype([("ok", "<i8"), ("x", "<f8"), ("y", "<f8"), ("type", "<i8"), ("close", "<i8")])
CHR_DTYPE = np.dtype([("obj", "<i8"), ("font", "<i8"), ("fs", "<f8"), ("mat_ok", "<i8"), ("m", "<f8", 6),
                      ("map_err", "<i8"), ("ox", "<f8"), ("oy", "<f8")])

# the PDFium functions each C entry point calls, in the order it takes their addresses
_SCAN_FNS = ("FPDFText_GetTextObject", "FPDFText_GetLooseCharBox", "FPDFText_GetCharOrigin", "FPDFText_IsGenerated",
             "FPDFText_HasUnicodeMapError")
_WALK_FNS = ("FPDFPage_CountObjects", "FPDFFormObj_CountObjects", "FPDFPage_GetObject", "FPDFFormObj_GetObject",
             "FPDFPageObj_GetType", "FPDFPageObj_GetMatrix", "FPDFPageObj_GetBounds", "FPDFPath_GetDrawMode",
             "FPDFPath_CountSegments", "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint",
             "FPDFPathSegment_GetType", "FPDFPathSegment_GetClose", "FPDFPageObj_GetFillColor",
             "FPDFPageObj_GetStrokeColor", "FPDFTextObj_GetFont", "FPDFTextObj_GetFontSize")
_CHR_FNS = ("FPDFText_GetTextObject", "FPDFTextObj_GetFont", "FPDFTextObj_GetFontSize", "FPDFText_GetFontSize",
            "FPDFText_GetMatrix", "FPDFText_HasUnicodeMapError", "FPDFText_GetCharOrigin")


@functools.lru_cache(maxsize=None)
def _addrs(raw, names: tuple[str, ...]) -> tuple:
    """The addresses of the named functions of the PDFium pypdfium2 loaded (what the C part calls)."""
    return tuple(ctypes.cast(getattr(raw, n), ctypes.c_void_p).value for n in names)


def walk_page(raw, page, max_depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Every text, path, image and form object of a page, forms entered depth first, with what the
    reader asks of each (OBJ_DTYPE: matrix, bounds, draw mode, colours, font; `parent` the record of the
    enclosing form, -1 at page level), and the segments of every path (SEG_DTYPE).

    Raises RecursionError where forms nest `max_depth` deep (the page fails, as in pdfminer).
    """
    got = walk(ctypes.cast(page, ctypes.c_void_p).value, max_depth, _addrs(raw, _WALK_FNS))
    if got is None:
        raise RecursionError(f"form XObjects nested deeper than {max_depth}")
    return np.frombuffer(got[0], dtype=OBJ_DTYPE), np.frombuffer(got[1], dtype=SEG_DTYPE)


def first_chars(raw, tp, indices: np.ndarray) -> np.ndarray:
    """What `pdfium_reader._text_obj` asks of the character at each index (CHR_DTYPE)."""
    got = char_objects(ctypes.cast(tp, ctypes.c_void_p).value, np.ascontiguousarray(indices, dtype="<i4").tobytes(),
                       _addrs(raw, _CHR_FNS))
    return np.frombuffer(got, dtype=CHR_DTYPE)


def page_chars(raw, tp, text: str, n: int, frame, order: dict, text_objs, dropped) -> tuple[Chars, int]:
    """The rules of `pdfium_reader._chars` (then `_dropped_spaces`, merged in content stream order).

    `text`: the page's text, one str per PDFium character; `text_objs(indices)`: (font names, size,
    upright, unmapped, top, bottom) of the text objects of the characters at `indices`, as `_text_obj`; `dropped(seen)`: the `Spaces` of `_dropped_spaces` for the text objects not in `seen`.
    Returns the characters and how many PDFium has that it did not generate (plus dropped spaces).
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
    ob, bx, og, fl = scan(ctypes.cast(tp, ctypes.c_void_p).value, n, *_addrs(raw, _SCAN_FNS))
    obj = np.frombuffer(ob, dtype=np.uint64)
    box = np.frombuffer(bx, dtype=np.float32).reshape(n, 4).astype(np.float64)   # left, bottom, right, top
    org = np.frombuffer(og, dtype=np.float64).reshape(n, 2)
    flags = np.frombuffer(fl, dtype=np.uint8)
    blank = np.where(codes < 0x10000, _BLANK[np.minimum(codes, 0xFFFF)], False)
    special = np.isin(codes, _SPECIAL) & ~blank
    generated = (flags & 2) != 0
    keep = ~((blank | special) & generated)
    kept = np.flatnonzero(keep)
    real = len(kept)
    n_order = len(order)
    if not real:
        extra = dropped(set())
        return _chars_with(_empty(), extra, order, n_order), len(extra)

    # one `_Obj` per text object, from its first kept character; content-stream places
    addrs, first, inv = np.unique(obj[kept], return_index=True, return_inverse=True)
    names, o_size, o_up, o_unmapped, o_top, o_bottom = text_objs(kept[first])
    font_ids: dict[str, int] = {}
    o_font = np.array([font_ids.setdefault(f, len(font_ids)) for f in names], dtype=np.int64)
    fonts = list(font_ids)
    place = _places(addrs, order, n_order)
    shuffled = bool(np.any(np.diff(place[inv]) < 0))

    # characters with a loose box are emitted
    has_box = (flags[kept] & 1) != 0
    e = kept[has_box]
    eo = inv[has_box]
    m = len(e)
    e_blank, e_special = blank[e], special[e]
    out_code = np.where(e_blank, _SPACE, np.where(e_special, ord("-"), codes[e]))
    cid = ~e_blank & o_unmapped[eo] & ((flags[e] & 4) != 0)

    up = o_up[eo]
    left, bottom_u, right, top_u = box[e, 0], box[e, 1], box[e, 2], box[e, 3]
    a, b, c, d, ee, f = frame.ctm
    sx, off = (a, ee + frame.X0) if b == 0 and c == 0 else (0.0, 0.0)
    # the general case (rotated text or page): the loose box through the page transform
    xa = a * left + c * bottom_u + ee + frame.X0
    ya = frame.H - (b * left + d * bottom_u + f) - frame.Y0
    xb = a * right + c * top_u + ee + frame.X0
    yb = frame.H - (b * right + d * top_u + f) - frame.Y0
    x0, x1 = np.minimum(xa, xb), np.maximum(xa, xb)
    top, bottom = np.minimum(ya, yb), np.maximum(ya, yb)
    if sx:  # upright characters on an unrotated page: x0 from the origin, x1 from the loose box
        ox = org[e, 0]
        if sx > 0:
            ux0, ux1 = ox * sx + off, right * sx + off
        else:
            ux0, ux1 = right * sx + off, ox * sx + off
        ux0, ux1 = np.minimum(ux0, ux1), np.maximum(ux0, ux1)
        x0, x1 = np.where(up, ux0, x0), np.where(up, ux1, x1)
    top, bottom = np.where(up, o_top[eo], top), np.where(up, o_bottom[eo], bottom)
    size, font, addr = o_size[eo], o_font[eo], obj[e]

    # a generated space between two emitted characters ends a word: a space before the second
    gen_space = np.cumsum(generated & (codes == _SPACE))
    gap = np.zeros(m, dtype=bool)
    if m > 1:
        prev_space = (out_code[:-1] == _SPACE) & ~cid[:-1]
        gap[1:] = ((gen_space[e[1:]] - gen_space[e[:-1]]) > 0) & ~prev_space & (up[1:] == up[:-1]) & ~e_blank[1:]
    gi = np.flatnonzero(gap)
    if len(gi):
        gx = np.where(up[gi], x0[gi] - 1e-3, x0[gi])
        pos = np.concatenate([np.arange(m) * 2 + 1, gi * 2])
        seq = np.argsort(pos, kind="stable")
        cat = lambda u, v: np.concatenate([u, v])[seq]  # noqa: E731
        out_code = cat(out_code, np.full(len(gi), _SPACE, dtype=np.int64))
        cid = cat(cid, np.zeros(len(gi), dtype=bool))
        x0, x1 = cat(x0, gx), cat(x1, gx)
        top, bottom = cat(top, top[gi - 1]), cat(bottom, bottom[gi - 1])
        font, size, addr, up = cat(font, font[gi - 1]), cat(size, size[gi - 1]), cat(addr, addr[gi]), cat(up, up[gi - 1])
    chars = Chars(out_code, cid, x0, x1, top, bottom, font, size, up, addr, fonts)
    seen = set(np.unique(addr).tolist())
    extra = dropped(seen)
    if not shuffled and not extra:
        return chars, real
    return _chars_with(chars, extra, order, n_order), real + len(extra)


def _places(addrs: np.ndarray, order: dict, n_order: int) -> np.ndarray:
    """Each text object's place in the content streams (`n_order` for one PDFium knows no object of)."""
    get = order.get
    return np.array([get(a, n_order) for a in addrs.tolist()], dtype=np.int64)


def _empty() -> Chars:
    z = np.zeros(0, dtype=np.float64)
    return Chars(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), z, z, z, z, np.zeros(0, dtype=np.int64), z,
                 np.zeros(0, dtype=bool), np.zeros(0, dtype=np.uint64), [])


@dataclass
class Spaces:
    """Spaces PDFium's text page left out (`pdfium_reader._dropped_spaces_fast`), one entry per space."""

    x: np.ndarray         # x0 == x1
    top: np.ndarray
    bottom: np.ndarray
    font: list            # font names
    size: np.ndarray
    upright: np.ndarray
    obj: np.ndarray       # text object address

    def __len__(self) -> int:
        return len(self.font)


def _chars_with(chars: Chars, extra: Spaces, order: dict, n_order: int) -> Chars:
    """`chars` and the spaces `extra`, stably sorted by content stream place."""
    fonts = list(chars.fonts)
    ids = {name: k for k, name in enumerate(fonts)}
    for name in extra.font:
        if name not in ids:
            ids[name] = len(fonts)
            fonts.append(name)
    n = len(extra)
    code = np.concatenate([chars.code, np.full(n, _SPACE, dtype=np.int64)])
    cid = np.concatenate([chars.cid, np.zeros(n, dtype=bool)])
    x0, x1 = np.concatenate([chars.x0, extra.x]), np.concatenate([chars.x1, extra.x])
    top, bottom = np.concatenate([chars.top, extra.top]), np.concatenate([chars.bottom, extra.bottom])
    font = np.concatenate([chars.font, np.array([ids[f] for f in extra.font], dtype=np.int64)])
    size, up = np.concatenate([chars.size, extra.size]), np.concatenate([chars.upright, extra.upright])
    addr = np.concatenate([chars.obj, extra.obj.astype(np.uint64)])
    uniq, inv = np.unique(addr, return_inverse=True)
    seq = np.argsort(_places(uniq, order, n_order)[inv], kind="stable")
    return Chars(code[seq], cid[seq], x0[seq], x1[seq], top[seq], bottom[seq], font[seq], size[seq], up[seq],
                 addr[seq], fonts)


def no_spaces() -> Spaces:
    z = np.zeros(0, dtype=np.float64)
    return Spaces(z, z, z, [], z, np.zeros(0, dtype=bool), np.zeros(0, dtype=np.uint64))


def page_words(chars: Chars, xt: float, yt: float, make_words) -> list:
    """pdfplumber's extract_words on `chars` (the rules of `pdfium_reader._words`).

    `make_words(texts, x0s, x1s, tops, bottoms, sizes, fonts)` builds the words from their fields (lists).
    """
    m = len(chars)
    if not m:
        return []
    up, font, size = chars.upright, chars.font, chars.size
    new_run = np.ones(m, dtype=bool)
    new_run[1:] = (up[1:] != up[:-1]) | (font[1:] != font[:-1]) | (size[1:] != size[:-1])
    run = np.cumsum(new_run)
    run_up = up  # every character of a run shares its orientation
    # lines: tops (x0 for rotated text) clustered within the tolerance, per run
    v = np.where(run_up, chars.top, chars.x0)
    tol = np.where(run_up, yt, xt)
    o1 = np.lexsort((v, run))
    sv, sr = v[o1], run[o1]
    new_cl = np.ones(m, dtype=bool)
    new_cl[1:] = (sr[1:] != sr[:-1]) | (sv[1:] > sv[:-1] + tol[o1][1:])
    cl = np.empty(m, dtype=np.int64)
    cl[o1] = np.cumsum(new_cl)
    k2 = np.where(run_up, chars.x0, chars.top)
    k3 = np.where(run_up, 0.0, chars.bottom)
    order = np.lexsort((k3, k2, cl, run))
    x0, x1, top, bottom = chars.x0[order], chars.x1[order], chars.top[order], chars.bottom[order]
    code, cid = chars.code[order], chars.cid[order]
    s_run, s_up = run[order], run_up[order]
    space = (code == _SPACE) & ~cid
    start = ~space
    if m > 1:
        # a pair within a run: a new word where the character steps back, leaves a gap, or changes line
        h = (x0[1:] < x0[:-1]) | (x0[1:] > x1[:-1] + xt) | (np.abs(top[1:] - top[:-1]) > yt)
        vt = (top[1:] < top[:-1]) | (top[1:] > bottom[:-1] + yt) | (np.abs(x0[1:] - x0[:-1]) > xt)
        cont = (s_run[1:] == s_run[:-1]) & ~space[:-1] & ~np.where(s_up[1:], h, vt)
        start[1:] &= ~cont
    ns = np.flatnonzero(~space)
    if not len(ns):
        return []
    firsts = np.flatnonzero(start[ns])
    wx0 = np.minimum.reduceat(x0[ns], firsts).tolist()
    wx1 = np.maximum.reduceat(x1[ns], firsts).tolist()
    wtop = np.minimum.reduceat(top[ns], firsts).tolist()
    wbot = np.maximum.reduceat(bottom[ns], firsts).tolist()
    heads = ns[firsts]
    wsize = size[order][heads].tolist()
    wfont = font[order][heads].tolist()
    # the words' text: one string of the page's non-space characters in order, sliced per word
    ncode = code[ns]
    joined = ncode.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    ncid = cid[ns]
    if ncid.any():  # an unmapped glyph reads "(cid:N)": cut at the characters' string offsets
        pieces = [f"(cid:{c})" if u else joined[k] for k, (c, u) in enumerate(zip(ncode.tolist(), ncid.tolist()))]
        joined = "".join(pieces)
        offs = np.concatenate([[0], np.cumsum([len(t) for t in pieces])])
        cuts = offs[firsts].tolist() + [len(joined)]
    else:
        cuts = firsts.tolist() + [len(ncode)]
    texts = [joined[a:b] for a, b in zip(cuts, cuts[1:])]
    return make_words(texts, wx0, wx1, wtop, wbot, wsize, [chars.fonts[f] for f in wfont])
