"""RAG status reports: page layouts in, one `StatusRow` per initiative per period column out.

A RAG table rates each row (an initiative, commitment or KPI) red / amber / green
in one column per reporting period. The chain, every tolerance a named default of
`StatusSettings`:

    words -> lines -> phrases (runs of words a cell gap apart)
          -> header bands: a line of column labels (none of them a rating) with ratings below it
          -> columns: header cells (wrapped lines joined, a label spanning two cells set aside),
             bounded by vertical rules where drawn, else by the whitespace the body leaves
          -> table extent (the column rules' reach; unruled: until a wide gap, a heading or prose)
          -> row cuts per column (horizontal rules; unruled: white bands across the whole table,
             and the gaps between the first column's blocks)
          -> rows: first-column cells; the rating, direction and comment cells that overlap them
          -> columns typed by what they hold: RAG (letters, words, coloured fills), direction
             (its header, arrows drawn or printed, direction words), comments (its header)

Count tables (`KPI Summary: GREEN 2, AMBER -, RED 1`) print the ratings as column labels and
the key to the colours prints them in its first column: neither is a RAG table. Drawn arrows
(`PageLayout.shapes`) are read from their geometry (the tip is the vertex alone at one edge of
the box, centred on the other axis) and named by the document's own key (an arrow with text
beside it outside every table: `improving (positive trend)` -> `Improving`).
"""
from __future__ import annotations

import colorsys
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

from extractors.cleantext import cell_text, clean_inline, line_groups, mostly
from extractors.committee import StatusRow
from extractors.layout import DocumentLayout, PageLayout, Rule, Shape, Word


@dataclass(frozen=True)
class StatusSettings:
    """Every tolerance of the status stage, named (points unless said otherwise)."""

    line_y_tolerance: float = 2.5       # words whose tops differ less share a line
    phrase_gap_ratio: float = 0.9       # words further apart than this x font size are separate cells
    header_wrap_gap_ratio: float = 0.9  # a header line this close (x line height) below continues the band
    max_header_lines: int = 4
    max_header_phrase_words: int = 8    # a longer run is prose, not a column label
    min_header_cells: int = 2           # a header band names at least the first column and one rating column
    max_fill_width_ratio: float = 0.25  # a coloured fill wider than this share of the page is a banner, not a cell
    min_fill_height: float = 4.0        # a thinner coloured fill is a rule or underline, not a cell
    min_fill_saturation: float = 0.15   # a paler fill is white, cream or grey: no rating
    min_fill_value: float = 0.3         # a darker fill is black
    red_hue_max: float = 15.0           # hue (degrees) below this, or from red_hue_min on, is red
    red_hue_min: float = 330.0
    amber_hue_max: float = 72.0         # orange, amber and yellow up to here
    green_hue_max: float = 170.0        # green up to here; beyond, blue and purple rate nothing
    rag_column_share: float = 0.5       # share of a column's rows that must hold a rating or a not-rated mark
    min_rows: int = 2                   # a RAG table rates at least this many initiatives
    min_named_share: float = 0.5        # share of the first column's rows that must be names (letters), not figures
    snap_tolerance: float = 3.0         # rules and cuts this close count as one
    rule_cover_ratio: float = 0.6       # a horizontal rule cuts a column if it covers this share of its width
    column_pad: float = 2.0             # words may overhang a column boundary by this much
    table_gap_ratio: float = 3.0        # an unruled table ends at a vertical gap this many line heights high
    row_gap_ratio: float = 0.9          # unruled: a white band this many line heights high across every column cuts rows
    block_gap_ratio: float = 0.55       # unruled: a gap this many line heights in the first column starts a row
    paragraph_gap_ratio: float = 0.55   # a gap this many line heights splits a cell into paragraphs
    text_overlap_ratio: float = 0.5     # unruled: a comment belongs to a row its text overlaps by this many lines
    heading_size_gain: float = 1.5      # a line this much larger than body text is a heading
    banner_min_width_ratio: float = 0.5  # a fill at least this share of the page wide is a heading banner
    banner_min_height: float = 12.0
    running_band: float = 0.12          # share of the page at its top where running titles print
    min_strapline_words: int = 4        # a shorter bold line over a table is a label, not a theme's strapline
    key_reach: float = 80.0             # key text starts at most this far beside its symbol
    carry_min_bottom: float = 0.7       # a table ending below this share of the page may go on overleaf
    carry_max_top: float = 0.25         # ... where its rest starts above this share of the next page
    furniture_margin: float = 0.05      # share of the page height at its top where running heads live
    key_max_words: int = 10
    key_max_symbol: float = 40.0        # a drawn shape larger than this (pt) is a picture, not a key symbol
    tip_edge_ratio: float = 0.12        # a vertex this close (share of the box) to an edge touches it
    tip_centre_ratio: float = 0.3       # a tip lies this close (share of the box) to the middle of its edge
    tip_reach_ratio: float = 1.2        # without a centred tip, the farthest vertex must lie this much farther out than most


# ---------------------------------------------------------------- vocabulary

LOOKALIKES = str.maketrans({
    "\u0391": "A", "\u0410": "A", "\u03b1": "a", "\u0430": "a", "\u0392": "B", "\u0412": "B",
    "\u0395": "E", "\u0415": "E", "\u0435": "e", "\u039f": "O", "\u041e": "O", "\u043e": "o",
    "\u0420": "P", "\u03a1": "P", "\u0440": "p", "\u0421": "C", "\u0441": "c", "\u0422": "T", "\u03a4": "T",
    "\u0425": "X", "\u03a7": "X", "\u041c": "M", "\u039c": "M", "\u041d": "H", "\u0397": "H",
    "\u041a": "K", "\u039a": "K", "\u0406": "I", "\u0456": "i", "\u0399": "I", "\u0405": "S", "\u0455": "s",
    "\u0408": "J", "\u0458": "j", "\u050c": "G", "\u050d": "g", "\u0261": "g",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})
RAG_WORDS = {"r": "red", "red": "red", "a": "amber", "amber": "amber", "g": "green", "green": "green",
             "a/g": "amber", "g/a": "amber", "r/a": "red", "a/r": "red"}
NOT_RATED = re.compile(r"^(n/?a|tbc|tbd|-+|not rated|not yet rated|no rating|n/r|nr|none|grey|gray|"
                       r"not due|not started|complete[d]?|closed|no data|\.+)$")
DIRECTION_HEADER = re.compile(r"\bdirection\b|\btravel\b|\bd\.?o\.?t\.?\b|\btrend\b|\bdirection of travel\b", re.I)
COMMENT_HEADER = re.compile(r"\bcomments?\b|\bcommentary\b|\bupdate\b|\bprogress\b|\bnarrative\b|\bnotes?\b|"
                            r"\bexplanation\b|\bsummary\b|\bremarks?\b", re.I)
# a first-column label made only of these words is a column label, never a section
GENERIC_LABEL = {"what", "are", "we", "doing", "is", "the", "our", "of", "and", "a", "an", "to", "do", "will",
                 "indicator", "indicators", "description", "kpi", "kpis", "measure", "measures", "initiative",
                 "initiatives", "project", "projects", "priority", "priorities", "action", "actions", "activity",
                 "activities", "objective", "objectives", "performance", "name", "title", "commitment",
                 "commitments", "area", "areas", "item", "items", "deliverable", "deliverables", "outcome",
                 "outcomes", "key", "programme", "programmes", "ref", "no", "target", "targets", "metric",
                 "metrics", "theme", "themes", "aim", "aims", "workstream", "workstreams", "milestone",
                 "milestones", "task", "tasks", "scheme", "schemes", "service", "services", "pledge", "pledges"}
# direction words a key may print first; the canonical word for what it means otherwise
DIRECTION_MEANING = (
    ("up", re.compile(r"improv|better|positive|increas|upward|rising|\bup\b", re.I)),
    ("down", re.compile(r"wors|deteriorat|declin|negative|decreas|downward|falling|\bdown\b", re.I)),
    ("side", re.compile(r"stable|same|no (clear )?(change|trend)|unchanged|static|steady|maintain|sideways|level", re.I)),
)
PERIOD = re.compile(r"\b(q[1-4]|quarter|latest|previous|prior|current|last|this|month|year|ytd|outturn|"
                    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
                    r"july|august|september|october|november|december|h[12]|p\d+|period|\d{4}(/\d{2,4})?)\b", re.I)
RATING_LABEL = re.compile(r"\brag\b|\brating\b|\bstatus\b|\bassessment\b|\bperformance\b", re.I)
CANONICAL = {"up": "Improving", "down": "Worsening", "side": "Stable"}
DIRECTION_FIRST_WORD = re.compile(
    r"^(improving|improved|improvement|worsening|worsened|deteriorating|deteriorated|declining|declined|"
    r"stable|static|unchanged|steady|same|better|worse|increasing|decreasing|up|down)$", re.I)
ARROW_GLYPHS = {**{c: "up" for c in "↑⇧⬆▲△⇑⤊🡅🡑↗⬈"}, **{c: "down" for c in "↓⇩⬇▼▽⇓⤋🡇🡓↘⬊"},
                **{c: "side" for c in "→←↔⇔⇨⇦⬌⬄►◄▶◀⇒⇐⟷⟺➔➜➡⬅"},
                # Wingdings arrows as Word writes them (private use area, U+F000 + the font's code)
                **{c: "up" for c in "\uf0e1\uf0e9\uf0f1\uf0e4\uf0ec"}, **{c: "down" for c in "\uf0e2\uf0ea\uf0f2\uf0e6\uf0ee"},
                **{c: "side" for c in "\uf0df\uf0e0\uf0e7\uf0e8\uf0ef\uf0f0\uf0f3"}}


def fold(text: str) -> str:
    """Text for matching: NFKC, look-alike letters as Latin, dashes as '-', case-folded, spaces folded."""
    text = unicodedata.normalize("NFKC", text or "").translate(LOOKALIKES)
    return " ".join(text.split()).casefold()


@functools.lru_cache(maxsize=65536)
def rag_of_text(text: str) -> str | None:
    """`red` / `amber` / `green` from a letter or word, `not_rated` from N/A, TBC, -; None otherwise."""
    t = fold(text).strip(" .:;*")
    if not t:
        return None
    if t in RAG_WORDS:
        return RAG_WORDS[t]
    toks = re.findall(r"[a-z/]+", t)
    if toks and toks[0] in ("red", "amber", "green") and len(toks) <= 3:
        return toks[0]  # `Green*`, `Amber - at risk`
    if NOT_RATED.match(t):
        return "not_rated"
    return None


def _rgb(color: tuple) -> tuple[float, float, float] | None:
    if not color:
        return None
    if len(color) == 1:
        return (color[0],) * 3
    if len(color) == 3:
        return tuple(color)  # type: ignore[return-value]
    if len(color) == 4:
        c, m, y, k = color
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def rag_of_color(color: tuple, s: "StatusSettings | None" = None) -> str | None:
    """`red` / `amber` / `green` from a fill colour by its hue (pale shades too); None for white,
    grey, black and other hues (blue, purple)."""
    s = s or StatusSettings()
    rgb = _rgb(color)
    if rgb is None:
        return None
    h, sat, val = colorsys.rgb_to_hsv(*(min(max(c, 0.0), 1.0) for c in rgb))
    if sat < s.min_fill_saturation or val < s.min_fill_value:
        return None
    deg = h * 360
    if deg < s.red_hue_max or deg >= s.red_hue_min:
        return "red"
    if deg < s.amber_hue_max:
        return "amber"
    if deg < s.green_hue_max:
        return "green"
    return None


# ---------------------------------------------------------------- lines and phrases

@dataclass
class Phrase:
    """A run of words a cell gap apart; its words are final once `page_lines` makes it (text,
    box and style are computed once)."""

    words: list[Word]

    @functools.cached_property
    def text(self) -> str:
        return clean_inline(" ".join(w.text for w in self.words))

    @functools.cached_property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @functools.cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @functools.cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @functools.cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @functools.cached_property
    def bold(self) -> bool:
        return mostly(self.words, "bold")


@dataclass
class Line:
    """A printed line and its phrases; final once `page_lines` makes it (text, box, size and style
    are computed once)."""

    words: list[Word]
    phrases: list[Phrase]

    @functools.cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @functools.cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @functools.cached_property
    def size(self) -> float:
        return median(w.size for w in self.words)

    @functools.cached_property
    def text(self) -> str:
        return clean_inline(" ".join(w.text for w in self.words))

    @functools.cached_property
    def bold(self) -> bool:
        return mostly(self.words, "bold")


def page_lines(words: list[Word], s: StatusSettings) -> list[Line]:
    """Words -> lines (tops within the tolerance), each split into phrases at cell-wide gaps."""
    lines = []
    for g in line_groups(words, s.line_y_tolerance):
        phrases: list[list[Word]] = [[g[0]]]
        for a, b in zip(g, g[1:]):
            if b.x0 - a.x1 > s.phrase_gap_ratio * max(a.size, b.size, 1.0):
                phrases.append([b])
            else:
                phrases[-1].append(b)
        lines.append(Line(g, [Phrase(p) for p in phrases]))
    return lines




# ---------------------------------------------------------------- arrows

def arrow_direction(shape: Shape, s: StatusSettings = StatusSettings()) -> str:
    """`up`, `down` or `side` from a drawn arrow's geometry; '' when the shape points nowhere.

    The tip is the vertex that alone touches one edge of the box and lies near the middle of
    that edge (a shaft or a triangle's base touches its edge with two vertices). Tips left or
    right (or both, a double arrow) are sideways. Without such a tip, the vertex farthest from
    the mean of the vertices gives the way it points.
    """
    pts = list(shape.points)
    if len(pts) < 3:
        return ""
    w, h = max(shape.x1 - shape.x0, 1e-6), max(shape.bottom - shape.top, 1e-6)
    xc, yc = (shape.x0 + shape.x1) / 2, (shape.top + shape.bottom) / 2
    ex, ey = s.tip_edge_ratio * w, s.tip_edge_ratio * h

    def tip(near, centred) -> bool:
        touching = [p for p in pts if near(p)]
        if not touching:
            return False
        spread_ok = all(centred(p) for p in touching)
        xs, ys = [p[0] for p in touching], [p[1] for p in touching]
        compact = (max(xs) - min(xs)) <= 2 * ex + 0.5 and (max(ys) - min(ys)) <= 2 * ey + 0.5
        return spread_ok and compact

    tips = set()
    if tip(lambda p: p[1] - shape.top <= ey, lambda p: abs(p[0] - xc) <= s.tip_centre_ratio * w):
        tips.add("up")
    if tip(lambda p: shape.bottom - p[1] <= ey, lambda p: abs(p[0] - xc) <= s.tip_centre_ratio * w):
        tips.add("down")
    if tip(lambda p: p[0] - shape.x0 <= ex, lambda p: abs(p[1] - yc) <= s.tip_centre_ratio * h):
        tips.add("side")
    if tip(lambda p: shape.x1 - p[0] <= ex, lambda p: abs(p[1] - yc) <= s.tip_centre_ratio * h):
        tips.add("side")
    if len(tips) == 1:
        return tips.pop()
    if tips == {"up", "side"} or tips == {"down", "side"}:
        # a diamond or a head whose wings reach the middle: the vertical tip sits where the box is narrow
        return "side" if w > 1.6 * h else ("up" if "up" in tips else "down")
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    dist = sorted(((p[0] - mx) ** 2 + (p[1] - my) ** 2) ** 0.5 for p in pts)
    far = max(pts, key=lambda p: (p[0] - mx) ** 2 + (p[1] - my) ** 2)
    dx, dy = far[0] - mx, far[1] - my
    if dist[-1] < s.tip_reach_ratio * median(dist):
        return ""  # no vertex stands out: a box, a disc, a diamond
    if abs(dy) > 0.4 * (dx * dx + dy * dy) ** 0.5:
        return "up" if dy < 0 else "down"
    return "side"


def glyph_direction(text: str) -> str:
    for ch in text:
        if ch in ARROW_GLYPHS:
            return ARROW_GLYPHS[ch]
    return ""


def key_name(label: str) -> str:
    """The word a key gives a symbol: its first word where that is a direction word, else the
    canonical word for what the label means; '' when it means no direction."""
    words = re.findall(r"[A-Za-z]+", label)
    if words and DIRECTION_FIRST_WORD.match(words[0]):
        return words[0][:1].upper() + words[0][1:].lower()
    for d, rx in DIRECTION_MEANING:
        if rx.search(label):
            return CANONICAL[d]
    return ""


def _label_beside(mark: tuple, words: list[Word], marks: list[tuple], s: StatusSettings, rightward: bool) -> str:
    """The words printed on a key symbol's line beside it (right, or left), up to the next symbol or gap."""
    x0, top, x1, bottom, _ = mark
    yc = (top + bottom) / 2
    near = [w for w in words if w.top - 2 <= yc <= w.bottom + 2 and (w.x0 >= x1 - 0.5 if rightward else w.x1 <= x0 + 0.5)]
    near.sort(key=lambda w: w.x0 if rightward else -w.x1)
    label: list[Word] = []
    edge = x1 if rightward else x0
    for w in near:
        gap = (w.x0 - edge) if rightward else (edge - w.x1)
        if glyph_direction(w.text) and len(w.text) <= 2:
            break
        lo, hi = (edge, w.x0) if rightward else (w.x1, edge)
        if any(m is not mark and lo - 0.5 <= m[0] < hi and m[1] - 2 <= yc <= m[3] + 2 for m in marks):
            break  # the next symbol of a key printed on one line
        if gap > (s.key_reach if not label else 2.0 * max(w.size, 1.0)):
            break
        label.append(w)
        edge = w.x1 if rightward else w.x0
        if len(label) >= s.key_max_words:
            break
    if not rightward:
        label.reverse()
    return " ".join(w.text for w in label)


def read_key(layout: DocumentLayout, tables: dict[int, list[tuple]], s: StatusSettings) -> dict[str, str]:
    """The document's key of direction symbols: {up/down/side: the word it gives}.

    An entry is a drawn arrow (or an arrow glyph) outside every table with a label printed
    beside it on its line (right of it, else left), the label meaning a direction."""
    key: dict[str, str] = {}
    for page in layout.pages:
        boxes = tables.get(page.number, [])

        def inside(x, y):
            return any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)

        marks: list[tuple[float, float, float, float, str]] = []
        for sh in page.shapes:
            xc, yc = (sh.x0 + sh.x1) / 2, (sh.top + sh.bottom) / 2
            if inside(xc, yc) or max(sh.x1 - sh.x0, sh.bottom - sh.top) > s.key_max_symbol:
                continue
            d = arrow_direction(sh, s)
            if d:
                marks.append((sh.x0, sh.top, sh.x1, sh.bottom, d))
        words = [w for w in page.words if not inside(w.xc, w.yc)]
        for w in words:
            d = glyph_direction(w.text)
            if d and len(w.text) <= 2:
                marks.append((w.x0, w.top, w.x1, w.bottom, d))
        for mark in marks:
            name = key_name(_label_beside(mark, words, marks, s, True)) or \
                key_name(_label_beside(mark, words, marks, s, False))
            if name and mark[4] not in key:
                key[mark[4]] = name
    return key


# ---------------------------------------------------------------- tables

@dataclass
class Column:
    header: str           # the lowest label over the column (a RAG column's period)
    x0: float
    x1: float
    kind: str = ""        # name | rag | direction | comments | ""
    label: str = ""       # every label over the column, stacked ones included


@dataclass
class RagTable:
    page: int
    columns: list[Column]
    top: float            # header band top
    body_top: float
    bottom: float
    x0: float
    x1: float
    section: str = ""
    title_cell: str = ""  # the first column's label where it names the group


def _evidence_lines(lines: list[Line], page: PageLayout, s: StatusSettings) -> list[tuple[float, float, float, float]]:
    """Boxes of ratings on the page: standalone rating letters or words, and cell-sized RAG fills."""
    out = []
    for ln in lines:
        for ph in ln.phrases:
            r = rag_of_text(ph.text)
            if r in ("red", "amber", "green"):
                out.append((ph.x0, ph.top, ph.x1, ph.bottom))
    for f in page.fills:
        if rag_of_color(f.color) and (f.x1 - f.x0) <= s.max_fill_width_ratio * page.width \
                and (f.bottom - f.top) >= s.min_fill_height:
            out.append((f.x0, f.top, f.x1, f.bottom))
    return out


def _header_line(ln: Line, s: StatusSettings) -> bool:
    if len(ln.phrases) < s.min_header_cells:
        return False
    if any(rag_of_text(ph.text) in ("red", "amber", "green") for ph in ln.phrases):
        return False  # ratings as column labels: a count table or a key
    if any(len(ph.words) > s.max_header_phrase_words for ph in ln.phrases):
        return False
    if sum(bool(re.search(r"[^\W\d_]", ph.text)) for ph in ln.phrases) < s.min_header_cells:
        return False  # a row of figures (the counts under a count table's labels) labels nothing
    return True


def _vertical_rules(page: PageLayout, top: float, bottom: float, s: StatusSettings) -> list[Rule]:
    return [r for r in page.rules if not r.horizontal and r.top <= bottom + s.snap_tolerance
            and r.bottom >= top - s.snap_tolerance]


def _h_rules(page: PageLayout) -> list[Rule]:
    return [r for r in page.rules if r.horizontal]


def _band(lines: list[Line], i: int, page: PageLayout, s: StatusSettings) -> int:
    """Index one past the header band's last line, the band starting at lines[i]."""
    first = lines[i]
    bold = sum(ph.bold for ph in first.phrases) * 2 >= len(first.phrases)
    hr = _h_rules(page)
    fills = [f for f in page.fills if f.top - s.snap_tolerance <= first.top and f.bottom >= first.bottom]
    band_bottom_fill = min((f.bottom for f in fills), default=None)
    j = i + 1
    while j < len(lines) and j - i < s.max_header_lines:
        prev, ln = lines[j - 1], lines[j]
        if ln.top - prev.bottom > s.header_wrap_gap_ratio * prev.height:
            break
        if band_bottom_fill is not None and ln.top >= band_bottom_fill - 1:
            break
        crossing = [r for r in hr if prev.bottom - 1 <= r.top <= ln.top + 1
                    and r.x0 <= ln.words[0].x0 + 1 and r.x1 >= ln.words[-1].x1 - 1]
        if crossing and band_bottom_fill is None:
            # a rule under the first line: the band goes on only where the next line sits in a spanned cell
            if not _under_spanning(lines[i:j], ln):
                break
        if (sum(ph.bold for ph in ln.phrases) * 2 >= len(ln.phrases)) != bold:
            break
        if any(len(ph.words) > s.max_header_phrase_words for ph in ln.phrases):
            break
        if any(rag_of_text(ph.text) in ("red", "amber", "green") for ph in ln.phrases):
            break
        j += 1
    return j


def _under_spanning(band: list[Line], ln: Line) -> bool:
    """Whether two or more phrases of `ln` sit under one phrase of the band (stacked headers)."""
    for b in band:
        for ph in b.phrases:
            under = [q for q in ln.phrases if q.x1 > ph.x0 and q.x0 < ph.x1]
            if len(under) >= 2:
                return True
    return False


def _header_cells(band: list[Line], page: PageLayout, s: StatusSettings) -> list[tuple[float, float, list[Phrase]]]:
    """Header cells (x0, x1, phrases) left to right: a phrase over two or more cells of a lower line
    (`RAG rating` over `Latest` and `Previous`) spans and is set aside; the rest join by overlap."""
    spanning: set[int] = set()
    for bi, b in enumerate(band):
        for ph in b.phrases:
            for lower in band[bi + 1:]:
                if len([q for q in lower.phrases if q.x1 > ph.x0 and q.x0 < ph.x1]) >= 2:
                    spanning.add(id(ph))
    cells: list[list] = []
    for b in band:
        for ph in b.phrases:
            if id(ph) in spanning:
                continue
            hit = [c for c in cells if ph.x1 > c[0] and ph.x0 < c[1]]
            if hit:
                c = hit[0]
                for other in hit[1:]:
                    c[2].extend(other[2])
                    c[0], c[1] = min(c[0], other[0]), max(c[1], other[1])
                    cells.remove(other)
                c[2].append(ph)
                c[0], c[1] = min(c[0], ph.x0), max(c[1], ph.x1)
            else:
                cells.append([ph.x0, ph.x1, [ph]])
    cells.sort(key=lambda c: c[0])
    return [(c[0], c[1], c[2]) for c in cells]


def _header_text(phrases: list[Phrase], page: PageLayout, s: StatusSettings) -> tuple[str, str]:
    """(whole label, lowest label) of a header cell; the lowest is the part under the last rule
    that crosses the cell (a stacked header), else the whole label."""
    if not phrases:
        return "", ""
    phrases = sorted(phrases, key=lambda p: (round(p.top), p.x0))
    x0, x1 = min(p.x0 for p in phrases), max(p.x1 for p in phrases)
    cuts = [r.top for r in _h_rules(page) if r.x0 <= x0 + 1 and r.x1 >= x1 - 1
            and phrases[0].bottom <= r.top <= phrases[-1].top]
    low = phrases
    if cuts:
        low = [p for p in phrases if p.top >= max(cuts)]
    else:
        # no rule between them: a period label under a rating label is the lower of two stacked headers
        last_top = phrases[-1].top
        lower = [p for p in phrases if abs(p.top - last_top) <= s.line_y_tolerance]
        upper = [p for p in phrases if p not in lower]
        if upper and PERIOD.search(" ".join(p.text for p in lower)) and RATING_LABEL.search(" ".join(p.text for p in upper)) \
                and not PERIOD.search(" ".join(p.text for p in upper)):
            low = lower
    words = [w for p in phrases for w in p.words]
    lwords = [w for p in low for w in p.words]
    return clean_inline(cell_text(words, 9.9).replace("\n", " ")), clean_inline(cell_text(lwords, 9.9).replace("\n", " "))


def _boundaries(cells, band_top: float, band_bottom: float, body_words: list[Word], page: PageLayout,
                left: float, right: float, s: StatusSettings) -> list[float]:
    """x of the boundaries between header cells (len(cells)+1 values, the outer edges included)."""
    vr = _vertical_rules(page, band_top, band_bottom, s)
    vxs = sorted({round(r.x0, 1) for r in vr if r.top <= (band_top + band_bottom) / 2 + s.snap_tolerance
                  and r.bottom >= (band_top + band_bottom) / 2 - s.snap_tolerance})
    xs = [left]
    for a, b in zip(cells, cells[1:]):
        lo, hi = a[1], b[0]
        if hi < lo:
            lo, hi = hi, lo
        ruled = [x for x in vxs if (a[0] + a[1]) / 2 < x < (b[0] + b[1]) / 2]
        if ruled:
            xs.append(min(ruled, key=lambda x: abs(x - (lo + hi) / 2)))
            continue
        xs.append(_whitespace_cut((a[0] + a[1]) / 2, (b[0] + b[1]) / 2, lo, hi, body_words))
    xs.append(right)
    return xs


def _whitespace_cut(ca: float, cb: float, lo: float, hi: float, words: list[Word]) -> float:
    """The middle of the widest x-gap the body words leave between two header cells' centres."""
    spans = sorted((max(w.x0, ca), min(w.x1, cb)) for w in words if w.x1 > ca and w.x0 < cb)
    gaps, cur = [], ca
    for a, b in spans:
        if a > cur:
            gaps.append((cur, a))
        cur = max(cur, b)
    if cur < cb:
        gaps.append((cur, cb))
    if not gaps:
        return (lo + hi) / 2
    # prefer a gap that lies between the header cells' facing edges, then the widest
    g = max(gaps, key=lambda g: (min(g[1], hi) - max(g[0], lo) > -1, g[1] - g[0]))
    return (g[0] + g[1]) / 2


def _find_tables(page: PageLayout, lines: list[Line], s: StatusSettings, accept) -> list:
    """Every table on the page that `accept(table, body)` takes (it returns the table read, or None);
    the lines of a table it refuses are searched again for the next header."""
    evidence = None  # read at the first header line: most pages have none
    out: list = []
    body_size = median([w.size for w in page.words]) if page.words else 10.0
    i = 0
    while i < len(lines):
        ln = lines[i]
        if not _header_line(ln, s):
            i += 1
            continue
        if evidence is None:
            evidence = _evidence_lines(lines, page, s)
        if not any(e[1] >= ln.bottom - 1 for e in evidence):
            i += 1
            continue
        j = _band(lines, i, page, s)
        band = lines[i:j]
        band_top, band_bottom = band[0].top, band[-1].bottom
        cells = _header_cells(band, page, s)
        if len(cells) < s.min_header_cells:
            i += 1
            continue
        # a first column with no label: text under the band left of every header cell
        probe = [ph for ln in lines[j:j + s.max_header_lines + 2] for ph in ln.phrases if ph.x1 < cells[0][0] - s.column_pad]
        if probe:
            cells.insert(0, (min(ph.x0 for ph in probe), max(ph.x1 for ph in probe), []))
        left = min(c[0] for c in cells)
        right = max(c[1] for c in cells)
        # a label centred over its column: the first column's text starts left of it
        for ln2 in lines[j:j + s.max_header_lines + 2]:
            ph = ln2.phrases[0]
            if ph.x1 > cells[0][0] and ph.x0 < cells[0][1]:
                left = min(left, ph.x0)
        vr = _vertical_rules(page, band_top, band_bottom, s)
        near = [r for r in vr if r.top <= band_bottom and r.bottom >= band_top]
        if near:
            left = min(left, min(r.x0 for r in near))
            right = max(right, max(r.x0 for r in near))
        # body extent
        bottom, body = _body(lines, j, left, right, band_bottom, near, page, body_size, s, cells)
        if not body:
            i += 1
            continue
        body_words = [w for bl in body for w in bl.words]
        right = max(right, max(w.x1 for w in body_words))
        xs = _boundaries(cells, band_top, band_bottom, body_words, page, left - s.column_pad, right + s.column_pad, s)
        cols = []
        for k, c in enumerate(cells):
            whole, low = _header_text(c[2], page, s)
            cols.append(Column(header=low or whole, x0=xs[k], x1=xs[k + 1], label=whole))
        t = RagTable(page=page.number, columns=cols, top=band_top, body_top=band_bottom, bottom=bottom,
                     x0=xs[0], x1=xs[-1])
        taken = accept(t, body)
        if taken is None:
            i += 1
            continue
        out.append(taken)
        i = lines.index(body[-1]) + 1
    return out


def _body(lines: list[Line], j: int, left: float, right: float, band_bottom: float, vrules: list[Rule],
          page: PageLayout, body_size: float, s: StatusSettings, cells: list = ()) -> tuple[float, list[Line]]:
    """(bottom, lines) of the table body under a header band. Unruled, the body ends at a wide gap, a
    heading, a line starting left of the table, a new header, or prose: one run of words from the
    first column into the last."""
    if vrules:
        # the column rules' reach, chained through touching segments
        xs = {round(r.x0) for r in vrules}
        bottom = max(r.bottom for r in vrules)
        grown = True
        while grown:
            grown = False
            for r in page.rules:
                if not r.horizontal and round(r.x0) in xs and r.top <= bottom + s.snap_tolerance and r.bottom > bottom:
                    bottom = r.bottom
                    grown = True
        body = [ln for ln in lines[j:] if ln.top >= band_bottom - 1 and ln.bottom <= bottom + s.snap_tolerance
                and ln.words[0].x0 >= left - s.column_pad - 2 and ln.words[-1].x1 <= right + s.column_pad + 2]
        return bottom, body
    body: list[Line] = []
    prev_bottom = band_bottom
    heights = []
    for ln in lines[j:]:
        h = median(heights) if heights else ln.height
        if ln.top - prev_bottom > s.table_gap_ratio * h:
            break
        if ln.size >= body_size + s.heading_size_gain and ln.words[0].x0 <= left + 2 and len(ln.phrases) == 1 \
                and ln.words[-1].x1 > left + 0.5 * (right - left):
            break
        if ln.words[0].x0 < left - 2 * s.column_pad - 4:
            break
        if body and _header_line(ln, s) and _looks_like_header(ln, body):
            break
        if len(cells) >= 3 and len(ln.phrases) == 1 and ln.phrases[0].x0 < cells[1][0] and ln.phrases[0].x1 > cells[-1][0]:
            break
        body.append(ln)
        heights.append(ln.height)
        prev_bottom = ln.bottom
    bottom = body[-1].bottom if body else band_bottom
    return bottom, body


def _looks_like_header(ln: Line, body: list[Line]) -> bool:
    return all(ph.bold for ph in ln.phrases) and not all(ph.bold for b in body[-1:] for ph in b.phrases)


# ---------------------------------------------------------------- rows and cells

def _cuts(col: Column, table: RagTable, body: list[Line], page: PageLayout, ruled: bool, full_gaps: list[float],
          s: StatusSettings) -> list[float]:
    """y of the row cuts of one column: horizontal rules across it; unruled, the white bands across the
    table and the gaps between the column's own blocks of lines."""
    w = col.x1 - col.x0
    cuts = [table.body_top, table.bottom]
    if ruled:
        for r in _h_rules(page):
            if table.body_top + s.snap_tolerance < r.top < table.bottom - s.snap_tolerance:
                cover = min(r.x1, col.x1) - max(r.x0, col.x0)
                if cover >= s.rule_cover_ratio * w:
                    cuts.append(r.top)
    else:
        # white bands across the table, and the gaps between this column's own blocks of lines
        cuts.extend(full_gaps)
        mine = sorted((ln for ln in body if any(col.x0 <= wd.xc <= col.x1 for wd in ln.words)), key=lambda ln: ln.top)
        spans = [(min(wd.top for wd in ln.words if col.x0 <= wd.xc <= col.x1),
                  max(wd.bottom for wd in ln.words if col.x0 <= wd.xc <= col.x1)) for ln in mine]
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            if b0 - a1 > s.block_gap_ratio * max(a1 - a0, 1.0):
                # just above the next block: cells hang from their tops, the row above may run on beside
                cuts.append(b0 - min((b0 - a1) / 2, 0.5 * max(b1 - b0, 1.0)))
    cuts.sort()
    merged: list[float] = []
    for c in cuts:
        if merged and c - merged[-1] <= s.snap_tolerance:
            continue
        merged.append(c)
    return merged


def _full_gaps(table: RagTable, body: list[Line], s: StatusSettings) -> list[float]:
    """Middles of white bands at least `row_gap_ratio` line heights high across the whole table."""
    spans = sorted((ln.top, ln.bottom) for ln in body)
    h = median(ln.height for ln in body) if body else 10.0
    out = []
    cur = spans[0][1] if spans else 0
    for a, b in spans[1:]:
        if a - cur >= s.row_gap_ratio * h:
            out.append((a + cur) / 2)
        cur = max(cur, b)
    return out


def _words_in(words: list[Word], x0: float, x1: float, top: float, bottom: float) -> list[Word]:
    """The words whose centre (`Word.xc`, `Word.yc`, computed alike) lies in the box."""
    return [w for w in words if top <= (w.top + w.bottom) / 2 <= bottom and x0 <= (w.x0 + w.x1) / 2 <= x1]


def _column_words(words: list[Word], col: Column) -> list[Word]:
    """The words whose centre lies across the column (in order): every `_words_in` of a cell of the
    column finds the same words in these as in all of `words`."""
    return [w for w in words if col.x0 <= (w.x0 + w.x1) / 2 <= col.x1]


def _name_rows(col: Column, cuts: list[float], words: list[Word], ruled: bool, s: StatusSettings) -> list[tuple[float, float, list[Word]]]:
    """First-column cells with text: (top, bottom, words). Unruled: blocks split at line gaps too."""
    rows = []
    for a, b in zip(cuts, cuts[1:]):
        ws = _words_in(words, col.x0, col.x1, a, b)
        if not ws:
            continue
        if ruled:
            rows.append((a, b, ws))
            continue
        # unruled: a gap between the first column's lines starts a new row (a merged cell beside it)
        groups: list[list[Word]] = []
        for w in sorted(ws, key=lambda w: (w.top, w.x0)):
            if groups and w.top - max(x.bottom for x in groups[-1]) > s.block_gap_ratio * max(w.bottom - w.top, 1) \
                    and w.top - groups[-1][-1].top > 2.5:
                groups.append([w])
            else:
                groups.append([w]) if not groups else groups[-1].append(w)
        first = groups[0]
        starts = [max(a, min(x.top for x in first) - 0.5 * max(first[0].bottom - first[0].top, 1.0))]
        for p, g in zip(groups, groups[1:]):
            g_top, p_bottom = min(x.top for x in g), max(x.bottom for x in p)
            starts.append(g_top - min((g_top - p_bottom) / 2, 0.5 * max(g[0].bottom - g[0].top, 1.0)))
        starts.append(b)
        for k, g in enumerate(groups):
            rows.append((starts[k], starts[k + 1], g))
    return rows


def _cells_over(cuts: list[float], words: list[Word], col: Column, top: float, bottom: float, ruled: bool,
                s: StatusSettings) -> list[list[Word]]:
    """The column's cells (between its cuts) that overlap the row [top, bottom], each as its words.

    Ruled, a cell belongs to every row its rules span (a merged cell); unruled, to every row its
    text reaches by at least half a line."""
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if min(b, bottom) - max(a, top) <= s.snap_tolerance:
            continue
        ws = _words_in(words, col.x0, col.x1, a, b)
        if not ws:
            continue
        if not ruled:
            wt, wb = min(w.top for w in ws), max(w.bottom for w in ws)
            line = median(w.bottom - w.top for w in ws)
            if min(wb, bottom) - max(wt, top) < s.text_overlap_ratio * line:
                continue
        out.append(ws)
    return out


def _cell_fill(page: PageLayout, x0: float, x1: float, top: float, bottom: float) -> str | None:
    """The RAG colour of a fill whose centre lies in the box, if any."""
    for f in page.fills:
        xc, yc = (f.x0 + f.x1) / 2, (f.top + f.bottom) / 2
        if x0 <= xc <= x1 and top <= yc <= bottom:
            c = rag_of_color(f.color)
            if c:
                return c
    return None


def _rating_of(col: Column, page: PageLayout, words: list[Word], top: float, bottom: float) -> tuple[str | None, str]:
    """(rating, how) of the cell of a RAG column in [top, bottom]. `how`: `text` (a letter or word rated it),
    `fill` (an empty shaded cell), `figure` (a figure in a shaded cell: no letter, so the shade rates it),
    `mark` (N/A, TBC, -), `blank`, or `other` (a word that is no rating: rating None)."""
    ws = _words_in(words, col.x0, col.x1, top, bottom)
    if ws:
        text = " ".join(w.text for w in ws)
        r = rag_of_text(text)
        if r in ("red", "amber", "green"):
            return r, "text"
        if r == "not_rated":
            return r, "mark"
        if re.search(r"[^\W\d_]", fold(text)):
            return None, "other"
        c = _cell_fill(page, col.x0, col.x1, top, bottom)
        return (c, "figure") if c else (None, "other")
    c = _cell_fill(page, col.x0, col.x1, top, bottom)
    return (c, "fill") if c else ("not_rated", "blank")


def _rating(col: Column, page: PageLayout, words: list[Word], top: float, bottom: float) -> tuple[str | None, bool]:
    r, how = _rating_of(col, page, words, top, bottom)
    return r, how in ("text", "fill", "figure")


def _direction(col: Column, page: PageLayout, words: list[Word], top: float, bottom: float,
               key: dict[str, str], s: StatusSettings) -> str:
    ws = _words_in(words, col.x0, col.x1, top, bottom)
    text = clean_inline(" ".join(w.text for w in sorted(ws, key=lambda w: (round(w.top), w.x0))))
    g = glyph_direction(text)
    if g and len(text) <= 3:
        return key.get(g, CANONICAL[g])
    if text:
        return clean_inline("".join(ch for ch in text if ch not in ARROW_GLYPHS)) or text
    inside = [sh for sh in page.shapes
              if col.x0 <= (sh.x0 + sh.x1) / 2 <= col.x1 and top <= (sh.top + sh.bottom) / 2 <= bottom]
    for sh in sorted(inside, key=lambda sh: not sh.fill):  # filled symbols before outlines and sparklines
        d = arrow_direction(sh, s)
        if d:
            return key.get(d, CANONICAL[d])
    return ""


def _is_rag_column(col: Column, t: RagTable, rows, words: list[Word], page: PageLayout, s: StatusSettings) -> bool:
    """Most rows hold a rating or a not-rated mark, at least one a real rating. Shading alone is styling,
    not rating, where the first column is shaded alike in that row, or where it lies only under figures
    and in one colour (a coloured column of numbers)."""
    name = t.columns[0]
    hows: list[str] = []
    colours: set[str] = set()
    words = _column_words(words, col)
    for top, bottom, _ in rows:
        r, how = _rating_of(col, page, words, top, bottom)
        if how in ("fill", "figure") and _cell_fill(page, name.x0, name.x1, top, bottom) == r:
            how = "other"  # the whole row is shaded: styling
        hows.append(how)
        if how in ("text", "fill", "figure"):
            colours.add(r or "")
    rated = sum(h in ("text", "fill", "figure") for h in hows)
    marked = sum(h != "other" for h in hows)
    if not rows or rated < 1 or marked < s.rag_column_share * len(rows):
        return False
    if "text" not in hows and "fill" not in hows and len(colours) < 2:
        return False
    return True


def _type_columns(t: RagTable, rows, words: list[Word], page: PageLayout, s: StatusSettings) -> None:
    t.columns[0].kind = "name"
    for col in t.columns[1:]:
        header = (col.label or col.header)
        if DIRECTION_HEADER.search(header):
            col.kind = "direction"
            continue
        if _is_rag_column(col, t, rows, words, page, s):
            col.kind = "rag"
            continue
        if COMMENT_HEADER.search(header):
            col.kind = "comments"
    if not any(c.kind == "direction" for c in t.columns):
        for col in t.columns[1:]:
            if col.kind:
                continue
            hits = 0
            cw = _column_words(words, col)
            for top, bottom, _ in rows:
                d = _direction(col, page, cw, top, bottom, {}, s)
                hits += bool(d) and (d in CANONICAL.values() or bool(key_name(d)) and len(d.split()) <= 2)
            if rows and hits * 2 >= len(rows):
                col.kind = "direction"
                break
    if not any(c.kind == "comments" for c in t.columns):
        # no labelled commentary: the widest text column right of the ratings
        rest = [c for c in t.columns[1:] if not c.kind]
        wide = [c for c in rest if c.x1 - c.x0 >= 0.3 * (t.x1 - t.x0)]
        if wide:
            max(wide, key=lambda c: c.x1 - c.x0).kind = "comments"


# ---------------------------------------------------------------- sections

def _title_cell(header: str) -> str:
    """The first column's label where it names the group (`Customer Services KPIs`), else ''."""
    if not header or "?" in header:
        return ""
    words = re.findall(r"[a-z]+", fold(header))
    if not words or all(w in GENERIC_LABEL for w in words):
        return ""
    return header


def _page_section(page: PageLayout, lines: list[Line], above: float, body_size: float, s: StatusSettings,
                  skip: list[tuple] = (), running: frozenset = frozenset()) -> str | None:
    """The nearest theme heading above y `above`: a large or banner line (not a running title printed
    on many pages); an empty banner stands for a missing heading, and then the bold strapline under it
    names the theme."""
    def in_table(top: float, bottom: float) -> bool:
        return any(b[1] - 1 <= top and bottom <= b[3] + 1 for b in skip)

    lines = [ln for ln in lines if not in_table(ln.top, ln.bottom)]
    banners = [f for f in page.fills if (f.x1 - f.x0) >= s.banner_min_width_ratio * page.width
               and (f.bottom - f.top) >= s.banner_min_height and f.bottom <= above + 1
               and not in_table(f.top, f.bottom)]
    items: list[tuple[float, str, object]] = []
    for k, ln in enumerate(lines):
        if ln.bottom > above:
            continue
        on_banner = any(f.top - 2 <= ln.top and ln.bottom <= f.bottom + 2 for f in banners)
        if (ln.size >= body_size + s.heading_size_gain or (on_banner and ln.bold)) and fold(ln.text) not in running:
            items.append((ln.bottom, "heading", k))
    for f in banners:
        if not any(f.top - 2 <= ln.top and ln.bottom <= f.bottom + 2 for ln in lines):
            items.append((f.bottom, "empty", f))
    if not items:
        return None
    items.sort(key=lambda x: -x[0])
    pos, kind, ref = items[0]
    if kind == "heading":
        k = ref  # type: ignore[assignment]
        # a heading wrapped on two lines of the same size reads as one
        parts = [lines[k]]
        while k - 1 >= 0 and abs(lines[k - 1].size - lines[k].size) < 0.5 and \
                lines[k].top - lines[k - 1].bottom < 0.6 * lines[k].height and lines[k - 1].bold == lines[k].bold:
            k -= 1
            parts.insert(0, lines[k])
        return clean_inline(" ".join(p.text for p in parts))
    f = ref
    strap = []
    for ln in lines:
        if ln.top < f.bottom - 1 or ln.bottom > above:  # type: ignore[attr-defined]
            continue
        if ln.bold:
            if strap and ln.top - strap[-1].bottom > 0.8 * ln.height:
                break
            strap.append(ln)
        elif strap:
            break
    return clean_inline(" ".join(ln.text for ln in strap)) if strap else None


# ---------------------------------------------------------------- the extractor

def _is_key_or_count(t: RagTable, rows, words: list[Word]) -> bool:
    """A key to the colours rates its own first column; a count table counts under rating labels;
    a transposed table prints its ratings as a row."""
    names = [clean_inline(" ".join(w.text for w in ws)) for _, _, ws in rows]
    if any(re.fullmatch(r"(rag|rating|status|rag rating|rag status|rag rated)", fold(n)) for n in names):
        return True  # a transposed table: the ratings are a row (`RAG`) under period columns
    return bool(names) and sum(rag_of_text(n) in ("red", "amber", "green") for n in names) * 2 >= len(names)


def _not_initiatives(t: RagTable, rows, s: StatusSettings) -> bool:
    """A figures table with a coloured column is no RAG table: its first column numbers rows rather than
    naming initiatives, or its rating columns are headed by figures, or it rates a single row."""
    names = [clean_inline(" ".join(w.text for w in ws)) for _, _, ws in rows]
    if len(names) < s.min_rows:
        return True
    named = sum(len(re.findall(r"[^\W\d_]", n)) >= 2 for n in names)
    if named < s.min_named_share * len(names):
        return True
    return any(not re.search(r"[^\W\d_]", c.header or "") for c in t.columns if c.kind == "rag")


@dataclass
class _Entry:
    """One initiative of one RAG table while it is read (a page break may add to it)."""

    section: str
    initiative: str
    ratings: list[tuple[str, str]]     # (period, rag) per RAG column
    direction: str
    comments: list[str]
    page: int
    boxes: list[tuple] = field(default_factory=list)


@dataclass
class _Read:
    """A table read into rows: cuts per column, first-column rows, the body's words."""

    page: PageLayout
    lines: list[Line]
    table: RagTable
    words: list[Word]
    cuts: dict[int, list[float]]
    rows: list[tuple[float, float, list[Word]]]
    ruled: bool = True


def _read(page: PageLayout, lines: list[Line], t: RagTable, body: list[Line], s: StatusSettings,
          kinds: list[str] | None = None) -> _Read | None:
    words = [w for ln in body for w in ln.words]
    ruled = any(table_top_ok(r, t, s) for r in _h_rules(page))
    gaps = [] if ruled else _full_gaps(t, body, s)
    # unruled, the first column is cut only between its own blocks: a white band beside a tall row
    # (under a short name, over a rating set in the row's middle) does not end the row
    cuts = {id(c): _cuts(c, t, body, page, ruled, gaps if k else [], s) for k, c in enumerate(t.columns)}
    rows = _name_rows(t.columns[0], cuts[id(t.columns[0])], words, ruled, s)
    if kinds is not None:
        for c, k in zip(t.columns, kinds):
            c.kind = k
        return _Read(page, lines, t, words, cuts, rows, ruled)
    if not rows:
        return None
    _type_columns(t, rows, words, page, s)
    if not any(c.kind == "rag" for c in t.columns) or _is_key_or_count(t, rows, words) or _not_initiatives(t, rows, s):
        return None
    t.title_cell = _title_cell((t.columns[0].label or t.columns[0].header))
    rag_cols = [c for c in t.columns if c.kind == "rag"]
    lows = [fold(c.header) for c in rag_cols]
    for c in rag_cols:  # `RAG` under `Q2` and under `Q4`: the lowest labels alone do not tell the periods apart
        if lows.count(fold(c.header)) > 1 and c.label:
            c.header = c.label
    return _Read(page, lines, t, words, cuts, rows, ruled)


def _continuation(page: PageLayout, lines: list[Line], prev: _Read, stop: float, body_size: float,
                  s: StatusSettings) -> tuple[RagTable, list[Line]] | None:
    """The top of a page that goes on with the previous page's table without repeating its header:
    lines inside its columns from the top of the page, bounded by the same column rules where drawn."""
    pt = prev.table
    if pt.bottom < s.carry_min_bottom * prev.page.height or page.number != prev.page.number + 1:
        return None
    cand = [ln for ln in lines if ln.top >= s.furniture_margin * page.height and ln.bottom <= stop]
    if not cand or cand[0].top > s.carry_max_top * page.height:
        return None
    xs = [c.x0 for c in pt.columns] + [pt.x1]
    vr = [r for r in page.rules if not r.horizontal and any(abs(r.x0 - x) <= s.snap_tolerance for x in xs)
          and r.top <= cand[0].bottom + s.snap_tolerance]
    label_words = {w for c in pt.columns for w in fold((c.label or c.header)).split()}
    k = 0
    while k < min(len(cand), s.max_header_lines) and set(fold(cand[k].text).split()) <= label_words:
        k += 1  # the header printed again
    cand = cand[k:]
    fitting: list[Line] = []
    for ln in cand:  # prose or a heading across the columns ends the carried rows
        if not all(_fits(ph, pt.columns, s) for ph in ln.phrases):
            break
        fitting.append(ln)
    cand = fitting
    if not cand:
        return None
    body: list[Line] = []
    if vr:
        bottom = max(r.bottom for r in vr)
        body = [ln for ln in cand if ln.bottom <= bottom + s.snap_tolerance]
    else:
        prev_bottom = None
        for ln in cand:
            if prev_bottom is not None and ln.top - prev_bottom > s.table_gap_ratio * ln.height:
                break
            if ln.size >= body_size + s.heading_size_gain:
                break
            body.append(ln)
            prev_bottom = ln.bottom
        bottom = body[-1].bottom if body else 0.0
    body = [ln for ln in body if ln.words[0].x0 >= pt.x0 - 2 * s.column_pad - 4]
    if not body:
        return None
    cols = [Column(header=c.header, x0=c.x0, x1=c.x1, label=c.label) for c in pt.columns]
    top = min(body[0].top, min((r.top for r in vr), default=body[0].top))
    t = RagTable(page=page.number, columns=cols, top=top, body_top=top - 0.5, bottom=bottom, x0=pt.x0, x1=pt.x1,
                 section=pt.section, title_cell=pt.title_cell)
    return t, body


def _carries_nothing(rd: _Read, top: float, bottom: float, rag_cols: list[Column], dcol: Column | None,
                     s: StatusSettings) -> bool:
    """Whether a row holds no rating (no letter, word, mark or fill) and no direction: the rest of a
    row that a page break cut."""
    for col in rag_cols:
        if _rating_of(col, rd.page, rd.words, top, bottom)[1] != "blank":
            return False
    return not (dcol and _direction(dcol, rd.page, rd.words, top, bottom, {}, s))


def _section_row(rd: _Read, top: float, bottom: float, s: StatusSettings) -> str:
    """The text of a full-width heading row inside a table (every other cell empty: no words, no
    rating fill, no symbol; its text runs across the first column's edge, or no column rule crosses
    it, or a fill spans the table behind it), else ''."""
    t, page = rd.table, rd.page
    ws = [w for w in rd.words if top <= w.yc <= bottom]
    if not ws:
        return ""
    name = t.columns[0]
    lines = page_lines(ws, s)
    if any(len(ln.phrases) != 1 or ln.phrases[0].x0 > name.x1 for ln in lines):
        return ""
    for c in t.columns[1:]:
        if _cell_fill(page, c.x0, c.x1, top, bottom):
            return ""
        if any(c.x0 <= (sh.x0 + sh.x1) / 2 <= c.x1 and top <= (sh.top + sh.bottom) / 2 <= bottom for sh in page.shapes):
            return ""
    across = any(ln.phrases[0].x1 > name.x1 + s.column_pad for ln in lines)
    mid = (top + bottom) / 2
    inner = [r for r in page.rules if not r.horizontal and name.x1 - s.snap_tolerance <= r.x0 < t.x1 - s.snap_tolerance]
    unbroken = bool([r for r in page.rules if not r.horizontal and t.x0 <= r.x0 <= t.x1]) and \
        not any(r.top <= mid <= r.bottom for r in inner)
    banner = any(f.x0 <= t.x0 + s.snap_tolerance and f.x1 >= t.x1 - s.snap_tolerance and f.top <= mid <= f.bottom
                 for f in page.fills)
    if not (across or unbroken or banner):
        return ""
    return clean_inline(" ".join(ln.text for ln in lines))


def _fits(ph: Phrase, cols: list[Column], s: StatusSettings) -> bool:
    """Whether a phrase lies inside one column (a cell's text), not across a boundary."""
    return any(ph.x0 >= c.x0 - s.column_pad and ph.x1 <= c.x1 + s.column_pad for c in cols)


def extract_status(layout: DocumentLayout, settings: StatusSettings = StatusSettings()) -> list[StatusRow]:
    """One StatusRow per initiative per period column of every RAG table of the document."""
    s = settings
    reads: list[tuple[_Read, bool]] = []   # (table read, continues the previous one)
    table_boxes: dict[int, list[tuple]] = {}
    all_sizes = [w.size for p in layout.pages for w in p.words]
    body_size = median(all_sizes) if all_sizes else 10.0
    prev: _Read | None = None
    lines_by_page: dict[int, list[Line]] = {}
    for page in layout.pages:
        lines = lines_by_page[page.number] = page_lines(page.words, s)
        here = _find_tables(page, lines, s, lambda t, body: _read(page, lines, t, body, s))
        if prev is not None:
            stop = here[0].table.top if here else page.height
            cont = _continuation(page, lines, prev, stop, body_size, s)
            if cont is not None:
                rd = _read(page, lines, cont[0], cont[1], s, kinds=[c.kind for c in prev.table.columns])
                if rd is not None:
                    reads.append((rd, True))
                    table_boxes.setdefault(page.number, []).append((rd.table.x0, rd.table.top, rd.table.x1, rd.table.bottom))
                    prev = rd
        for rd in here:
            t = rd.table
            same = (prev is not None and len(prev.table.columns) == len(t.columns) and page.number == prev.page.number + 1
                    and prev.table.bottom >= s.carry_min_bottom * prev.page.height)
            reads.append((rd, same))
            table_boxes.setdefault(page.number, []).append((t.x0, t.top, t.x1, t.bottom))
            prev = rd
    if not reads:
        return []  # no RAG table: no key or running titles to read
    key = read_key(layout, table_boxes, s)
    running = _running_titles(layout, s, lines_by_page)
    pages_by_no = {p.number: p for p in layout.pages}
    entries: list[_Entry] = []
    last_section = ""
    for rd, continues in reads:
        page, t, words = rd.page, rd.table, rd.words
        section = t.title_cell or t.section
        if not section:
            section = _page_section(page, rd.lines, t.top, body_size, s, table_boxes.get(page.number, []), running) or ""
        if not section:
            section = _strapline_above(rd.lines, t.top, body_size, table_boxes.get(page.number, []), s)
            if fold(section) in running:
                section = ""
        if not section and continues:
            section = last_section
        if not section:
            section = _section_above(layout, pages_by_no, page, table_boxes, body_size, s, running,
                                     lines_by_page) or last_section
        t.section = last_section = section
        rag_cols = [c for c in t.columns if c.kind == "rag"]
        dcol = next((c for c in t.columns if c.kind == "direction"), None)
        ccol = next((c for c in t.columns if c.kind == "comments"), None)
        rag_words = [_column_words(words, c) for c in rag_cols]
        dwords = _column_words(words, dcol) if dcol else []

        def comments_in(top: float, bottom: float) -> list[str]:
            if not ccol:
                return []
            parts = [cell_text(c, s.paragraph_gap_ratio) for c in _cells_over(rd.cuts[id(ccol)], words, ccol, top, bottom, rd.ruled, s)]
            return [p for p in parts if p]

        # text above the first named row goes on with the previous page's last row
        first_top = rd.rows[0][0] if rd.rows else t.bottom
        if continues and entries and first_top - t.body_top > s.snap_tolerance:
            lead = comments_in(t.body_top, first_top)
            if lead:
                e = entries[-1]
                if e.comments:
                    e.comments[-1] = e.comments[-1] + " " + lead[0]
                    e.comments.extend(lead[1:])
                else:
                    e.comments.extend(lead)
                e.boxes.append((page.number, round(t.x0, 2), round(t.body_top, 2), round(t.x1, 2), round(first_top, 2)))
        for k, (top, bottom, ws) in enumerate(rd.rows):
            heading = _section_row(rd, top, bottom, s)
            if heading:
                if not t.title_cell:
                    section = heading  # a full-width heading row groups the rows under it
                continue
            if k == 0 and continues and entries and _carries_nothing(rd, top, bottom, rag_cols, dcol, s):
                # the rest of a row a page break cut: its name and comment go on with the row above
                e = entries[-1]
                e.initiative = clean_inline(e.initiative + " " + cell_text(ws, s.paragraph_gap_ratio).replace("\n", " "))
                rest = comments_in(top, bottom)
                if rest and e.comments:
                    e.comments[-1] = e.comments[-1] + " " + rest[0]
                    rest = rest[1:]
                e.comments.extend(rest)
                e.boxes.append((page.number, round(t.x0, 2), round(top, 2), round(t.x1, 2), round(bottom, 2)))
                continue
            ratings = []
            for col, cw in zip(rag_cols, rag_words):
                r, _ = _rating(col, page, cw, top, bottom)
                ratings.append((col.header, r if r in ("red", "amber", "green") else "not_rated"))
            entries.append(_Entry(
                section=section, initiative=cell_text(ws, s.paragraph_gap_ratio).replace("\n", " "),
                ratings=ratings, direction=_direction(dcol, page, dwords, top, bottom, key, s) if dcol else "",
                comments=comments_in(top, bottom), page=page.number,
                boxes=[(page.number, round(t.x0, 2), round(top, 2), round(t.x1, 2), round(bottom, 2))]))
    return [StatusRow(section=e.section, initiative=e.initiative, period=period, rag=rag, direction=e.direction,
                      comments="\n".join(e.comments), page=e.page, boxes=list(e.boxes))
            for e in entries for period, rag in e.ratings]


def table_top_ok(r: Rule, t: RagTable, s: StatusSettings) -> bool:
    """A horizontal rule inside the table body that crosses its first column: the rows are ruled."""
    name = t.columns[0]
    return (t.body_top + s.snap_tolerance < r.top < t.bottom - s.snap_tolerance
            and r.x0 <= name.x0 + (name.x1 - name.x0) * 0.5 and r.x1 >= name.x1 - (name.x1 - name.x0) * 0.3)


def _running_titles(layout: DocumentLayout, s: StatusSettings, lines_by_page: dict[int, list[Line]]) -> frozenset:
    """Folded text of lines printed in the top band of at least half the pages (and two): running titles.
    `lines_by_page`: each page's `page_lines`, by page number."""
    seen: Counter = Counter()
    for p in layout.pages:
        seen.update({fold(ln.text) for ln in lines_by_page[p.number] if ln.bottom <= s.running_band * p.height})
    n = len(layout.pages)
    return frozenset(t for t, c in seen.items() if c >= max(2, 0.5 * n))


def _strapline_above(lines: list[Line], above: float, body_size: float, skip: list[tuple], s: StatusSettings) -> str:
    """Where a page prints no theme heading, the bold strapline that opens the theme above the table
    (the nearest block of bold body-size lines, at least `min_strapline_words` long)."""
    block: list[Line] = []
    for ln in reversed([ln for ln in lines if ln.bottom <= above + 1]):
        if any(b[1] - 1 <= ln.top and ln.bottom <= b[3] + 1 for b in skip):
            break  # another table above: its rows are not a strapline
        if ln.bold and ln.size < body_size + s.heading_size_gain and len(ln.phrases) == 1:
            if block and block[0].top - ln.bottom > 0.8 * ln.height:
                break
            block.insert(0, ln)
        elif block:
            break
    text = clean_inline(" ".join(ln.text for ln in block))
    return text if len(text.split()) >= s.min_strapline_words else ""


def _section_above(layout: DocumentLayout, pages_by_no, page: PageLayout, table_boxes: dict[int, list[tuple]],
                   body_size: float, s: StatusSettings, running: frozenset, lines_by_page: dict[int, list[Line]]) -> str:
    """The nearest theme heading on the pages before, outside their RAG tables."""
    for n in range(page.number - 1, 0, -1):
        p = pages_by_no.get(n)
        if p is None:
            continue
        sec = _page_section(p, lines_by_page[n], p.height, body_size, s, table_boxes.get(n, []), running)
        if sec:
            return sec
    return ""
