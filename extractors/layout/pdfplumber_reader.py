"""Layout reader backend on pdfplumber (pdfminer.six): the reference reader."""
from __future__ import annotations

from pathlib import Path

from extractors.layout import (_BOLD, _CID, DocumentLayout, Fill, LayoutSettings, PageLayout, Rule, Shape, Word,
                               rules_and_fills)


def _color(obj, key: str = "non_stroking_color") -> tuple:
    c = obj.get(key)
    if c is None:
        return ()
    if isinstance(c, (int, float)):
        return (float(c),)
    try:
        return tuple(float(v) for v in c)
    except (TypeError, ValueError):
        return ()


def _page_rules_and_fills(page, s: LayoutSettings) -> tuple[list[Rule], list[Fill]]:
    lines = ((ln["x0"], ln["top"], ln["x1"], ln["bottom"]) for ln in page.lines)
    rects = ((r["x0"], r["top"], r["x1"], r["bottom"], r.get("stroke"), r.get("fill"), _color(r)) for r in page.rects)
    return rules_and_fills(lines, rects, s)


def _shapes(page, s: LayoutSettings) -> list[Shape]:
    """Drawn paths that are neither rules nor plain rectangles (pdfplumber's `curves`: every path
    that is not a single segment or a rectangle), as `Shape`s; see its docstring for the rules."""
    out: list[Shape] = []
    for cv in page.curves:
        pts = cv.get("pts") or []
        if len(pts) < 3 or len(pts) > s.max_shape_points:
            continue
        x0, x1, top, bottom = cv["x0"], cv["x1"], cv["top"], cv["bottom"]
        w, h = x1 - x0, bottom - top
        if max(w, h) < s.min_shape_size:
            continue
        if min(w, h) <= s.max_rule_thickness and max(w, h) >= s.min_rule_length and not cv.get("fill"):
            continue  # a stroked straight-ish run: a rule, not a symbol
        points = tuple((round(float(x), 2), round(float(y), 2)) for x, y in pts)
        if len(points) > 1 and points[-1] == points[0]:
            points = points[:-1]
        out.append(Shape(points=points, x0=float(x0), top=float(top), x1=float(x1), bottom=float(bottom),
                         fill=_color(cv) if cv.get("fill") else (),
                         stroke=_color(cv, "stroking_color") if cv.get("stroke") else ()))
    return out


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
        words=words, rules=rules, fills=fills, shapes=_shapes(page, s), n_chars=n_chars,
        n_images=len(page.images), image_area=min(1.0, img_area / area), cid_chars=cid,
    )


def read_layout(path: str | Path, settings: LayoutSettings, password: str | None = None) -> DocumentLayout:
    """Read every page of a PDF into plain layout objects with pdfplumber (pdfminer).

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
