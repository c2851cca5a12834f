"""Stage 2 — table reconstruction: page layouts in, tables and free text lines out.

A chain of small pure steps, in the spirit of pdfplumber's table.py:

    words -> lines -> furniture removed -> header bands found by what they say
             (cells top-, middle- or bottom-aligned, wrapped; run-together cells split)
          -> column boundaries (vertical rules, else the gutters the body leaves)
          -> table extent -> row cuts (rules, fill edges, else anchor-column blocks
             and recommendation blocks level with another column's)
          -> cells (per column, so a cell a cut does not cross spans rows)
          -> rows classed as data or full-width section rows

Every tolerance is a named default of `TableSettings`. The header vocabulary
(a synonym table, with a fuzzy fallback for misspelt words) names the column
roles (recommendation, lead, key actions, timescale, resource, ref); a slashed
header takes its first part's role; any other header is kept by its printed text. Headers printed once carry
their columns over to the following pages.
"""
from __future__ import annotations

import bisect
import difflib
import functools
import math
import operator
import re
import re._constants as _sre
from collections import Counter
from dataclasses import dataclass, field
from re._parser import parse as _sre_parse

from extractors.cleantext import cell_text, clean_inline, line_groups, mostly
from extractors.layout import DocumentLayout, Fill, PageLayout, Rule, Word

# Header vocabulary: role -> patterns searched (word-bounded) in a header cell's text. A broad
# synonym table: councils name the same column in many ways.
HEADER_VOCAB: dict[str, tuple[str, ...]] = {
    "ref": (r"^#$", r"^no\.?$", r"^ref\.?$", r"^reference$", r"^item$", r"^number$", r"^rec(ommendation)? no\.?$",
            r"^rec(ommendation)? ref\.?$", r"^ref(erence)? no\.?$", r"^id$"),
    "lead": (r"\blead(s|er)?\b", r"\bled by\b", r"\bowners?\b", r"\bowned by\b", r"\bresponsib", r"\baccountab",
             r"^who\b", r"\bby whom\b", r"\bofficers?\b", r"\bportfolio( holder)?s?\b", r"\bcontact\b",
             r"\bservice areas?\b", r"^services?$", r"\bdirectorates?\b", r"\bdepartments?\b",
             r"\bcabinet members?\b", r"\bsponsors?\b", r"\bchampions?\b", r"\bassigned to\b",
             r"\bhead of service\b", r"\bdelivered by\b", r"\bteams?\b"),
    "timescale": (r"\btime ?scales?\b", r"\btime ?frames?\b", r"\btarget dates?\b", r"\bby when\b",
                  r"\bdeadlines?\b", r"\bdelivery dates?\b", r"\bdue( dates?)?\b", r"\bcompletion( dates?)?\b",
                  r"^when\b", r"\bdates?\b", r"\btiming\b", r"\bmilestones?\b", r"\btime ?lines?\b",
                  r"\btimetable\b", r"\bschedule\b", r"\bto be completed by\b", r"\bcomplete by\b"),
    "resource": (r"\bresources?\b", r"\bcosts?\b", r"\bcosting\b", r"\bbudgets?\b", r"\bfunding\b", r"\bfinanc",
                 r"\bresourcing\b", r"\binvestment\b", r"^£$", r"\bspend\b"),
    "key_actions": (r"\bkey actions?\b", r"^actions?$", r"\bactions? to\b", r"\bkey activities\b",
                    r"^activit(y|ies)$", r"^how\b", r"\bkey milestones\b", r"^milestones$", r"\bsteps\b",
                    r"\bkey tasks\b", r"^tasks$", r"\bwhat we will do\b(?=.*\bhow\b)",
                    r"\b(planned|proposed|specific|agreed|required|further|delivery) actions?\b",
                    r"\bactions? (required|planned|proposed|agreed|needed)\b", r"\binterventions?\b",
                    r"\bwhat will be done\b", r"\bdeliverables?\b"),
    "recommendation": (r"\brecommendations?\b", r"\bwhat (we|the council) (have|has) committed to\b",
                       r"\bcommitted to\b", r"\bwhat we (will|'ll|’ll) do\b",
                       r"\bcommitments?\b", r"\bobjectives?\b", r"\bwhat we will\b", r"^actions?$",
                       r"\bpriorit(y|ies)\b", r"\bproposals?\b", r"\baims?\b", r"\bpledges?\b", r"\bgoals?\b",
                       r"\bambitions?\b", r"\bintentions?\b", r"^what$", r"\bareas? for (improvement|development)\b",
                       r"\bimprovement areas?\b", r"\bfindings?\b"),
}
# the words of each role, for headers the patterns miss by a letter or two (`Timeframes`, `Resposible`)
FUZZY_WORDS: dict[str, tuple[str, ...]] = {
    "lead": ("lead", "owner", "responsible", "responsibility", "accountable", "officer", "portfolio"),
    "timescale": ("timescale", "timescales", "timeframe", "deadline", "milestone", "completion", "timetable"),
    "resource": ("resource", "resources", "resourcing", "budget", "funding", "financial", "costs", "costing"),
    "key_actions": ("actions", "activities", "tasks", "interventions", "deliverables"),
    "recommendation": ("recommendation", "recommendations", "commitment", "commitments", "objective",
                       "objectives", "priority", "priorities", "proposal"),
}
_VOCAB_RX = {r: tuple(re.compile(p) for p in pats) for r, pats in HEADER_VOCAB.items()}
_VOCAB_ANY = {r: re.compile("|".join(f"(?:{p})" for p in pats)) for r, pats in HEADER_VOCAB.items()}
# a cell that matches one of these is kept in `extra` even if a role pattern also matches
EXTRA_VOCAB = (r"\boutcomes?\b(?!.*\btime)", r"\bmeasures?\b", r"\bstatus\b", r"\bprogress\b",
               r"\bindicators?\b", r"\brag\b", r"\bcomments?\b", r"\bupdate\b")
ROLE_ORDER = ("ref", "lead", "timescale", "resource", "key_actions", "recommendation")


@dataclass(frozen=True)
class TableSettings:
    """Every tolerance of the table stage, named (points unless said otherwise)."""

    line_y_tolerance: float = 2.5       # words whose tops differ less share a line
    phrase_gap_ratio: float = 0.9       # header words further apart than this x font size are separate cells
    header_wrap_gap_ratio: float = 0.9  # a header line this close (x size) below continues the header band
    max_header_lines: int = 3
    max_header_cell_words: int = 7
    max_split_words: int = 9            # longest run-together header phrase tried for a split
    header_size_tolerance: float = 1.5  # points of font size a wrapped header line may differ by
    heading_size_gain: float = 1.5      # a line this much larger than body text is a heading
    title_size_ratio: float = 1.3       # a line this many times the body size is a page title
    min_header_roles: int = 2           # roles a header band must name
    snap_tolerance: float = 3.0         # rule ends this close join; cuts this close merge
    rule_cover_ratio: float = 0.6       # a rule cuts a column if it covers this share of its width
    table_gap_ratio: float = 3.2        # a vertical gap this many line heights long ends an unruled table
    paragraph_gap_ratio: float = 0.55   # a gap this many line heights splits a cell into paragraphs
    block_gap_ratio: float = 0.55       # same, for anchor-column blocks that start rows in unruled tables
    furniture_margin: float = 0.075     # share of page height at top and bottom where furniture lives
    furniture_min_share: float = 0.5    # share of pages a line must repeat on to be furniture
    column_pad: float = 2.0             # words may overhang a column boundary by this much
    gutter_ratio: float = 0.6           # a body gutter this many x font size wide may be a column boundary
    gutter_min_starts: int = 5          # words starting level that make a narrow valley a column's left edge
    fuzzy_cutoff: float = 0.88          # difflib ratio a header word needs to a role word of FUZZY_WORDS
    close_rule_reach: float = 30.0      # a rule this far below a table's last line still closes it
    carry_min_bottom: float = 0.55      # a table ending below this share of the page may continue overleaf


@dataclass
class Line:
    """A printed line; its words are final once `group_lines` returns it (text, size and style
    are computed once)."""

    words: list[Word]
    top: float
    bottom: float

    @functools.cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @functools.cached_property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @functools.cached_property
    def size(self) -> float:
        return Counter(w.size for w in self.words).most_common(1)[0][0]

    @functools.cached_property
    def bold(self) -> bool:
        return mostly(self.words, "bold")


@dataclass
class Column:
    header: str          # printed header text
    role: str            # one of ROLE_ORDER, or "" for an extra column
    x0: float
    x1: float


@dataclass
class Row:
    cells: list[str]                 # one text per column
    top: float
    bottom: float
    kind: str = "data"               # data | section
    section_text: str = ""           # text of a full-width row
    bold: bool = False


@dataclass
class Table:
    page: int
    columns: list[Column]
    rows: list[Row]
    top: float
    bottom: float
    title: str = ""                  # the page heading above the table
    header_on_page: bool = True
    ruled_rows: bool = False
    open_end: bool = False           # a ruled table whose last row has no closing rule: the page break cut it

    def roles(self) -> dict[str, int]:
        return {c.role: i for i, c in enumerate(self.columns) if c.role}


@dataclass
class PageTables:
    page: int
    tables: list[Table] = field(default_factory=list)
    free_lines: list[Line] = field(default_factory=list)  # text outside every table, furniture excluded


# ---------------------------------------------------------------- lines

def group_lines(words: list[Word], s: TableSettings) -> list[Line]:
    """Words -> lines by vertical overlap, each line's words sorted left to right."""
    lines: list[Line] = []
    ln: Line | None = None
    tol = s.line_y_tolerance
    for w in sorted(words, key=_TOP_X0):
        if ln is not None and abs(w.top - ln.top) <= tol:
            ln.words.append(w)
            if w.bottom > ln.bottom:
                ln.bottom = w.bottom
        else:
            ln = Line([w], w.top, w.bottom)
            lines.append(ln)
    for ln in lines:
        ln.words.sort(key=_X0)
    return lines


_TOP_X0 = operator.attrgetter("top", "x0")
_X0 = operator.attrgetter("x0")


_PAGE_NO = re.compile(r"^(page \d+( of \d+)?|\d{1,4}|- ?\d+ ?-|\d+ of \d+|official(-sensitive)?)$", re.I)


def furniture_keys(layout: DocumentLayout, s: TableSettings, page_lines: list[list[Line]] | None = None) -> set[str]:
    """Text of lines repeated near the top or foot of many pages (running heads and feet).
    `page_lines`: each page's `group_lines`, when the caller has them."""
    seen: Counter = Counter()
    for n, p in enumerate(layout.pages):
        keys = set()
        for ln in (page_lines[n] if page_lines is not None else group_lines(p.words, s)):
            if ln.top < p.height * s.furniture_margin or ln.bottom > p.height * (1 - s.furniture_margin):
                if not _header_like(ln, s):  # a table header repeated on every page is not furniture
                    keys.add(_furniture_key(ln.text))
        seen.update(keys)
    n = len(layout.pages)
    return {k for k, c in seen.items() if n >= 3 and c >= max(2, s.furniture_min_share * n)}


def _header_like(ln: Line, s: TableSettings) -> bool:
    phrases = _phrases(ln.words, [], s)
    return len(phrases) >= 2 and any(header_roles(" ".join(w.text for w in ph)) for ph in phrases)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


_KEY_ENTRY = re.compile(r"\b[A-Z][A-Z0-9&]{1,7}\s*(?:–|—|-|=)\s*[A-Z]")


def is_furniture(ln: Line, page: PageLayout, keys: set[str], s: TableSettings) -> bool:
    """Running heads and feet, page numbers; never a key of lead codes printed on every page."""
    at_edge = ln.top < page.height * s.furniture_margin or ln.bottom > page.height * (1 - s.furniture_margin)
    if not at_edge or is_key_anchor(ln.text) or _KEY_ENTRY.search(ln.text):
        return False
    return bool(_PAGE_NO.match(ln.text.strip())) or _furniture_key(ln.text) in keys


# ---------------------------------------------------------------- rules

def join_rules(rules: list[Rule], s: TableSettings) -> tuple[list[Rule], list[Rule]]:
    """Snap and join collinear segments (pdfplumber's snap -> join), horizontal and vertical apart."""
    hs = sorted((r for r in rules if r.horizontal), key=lambda r: (round(r.top / s.snap_tolerance), r.x0))
    vs = sorted((r for r in rules if not r.horizontal), key=lambda r: (round(r.x0 / s.snap_tolerance), r.top))
    hj: list[Rule] = []
    for r in hs:
        last = hj[-1] if hj else None
        if last and abs(last.top - r.top) <= s.snap_tolerance and r.x0 <= last.x1 + s.snap_tolerance:
            hj[-1] = Rule(last.x0, last.top, max(last.x1, r.x1), last.bottom)
        else:
            hj.append(r)
    vj: list[Rule] = []
    for r in vs:
        last = vj[-1] if vj else None
        if last and abs(last.x0 - r.x0) <= s.snap_tolerance and r.top <= last.bottom + s.snap_tolerance:
            vj[-1] = Rule(last.x0, last.top, last.x1, max(last.bottom, r.bottom))
        else:
            vj.append(r)
    return hj, vj


def fill_edges(fills: list[Fill]) -> list[Rule]:
    """Top and bottom edges of filled cells act as horizontal rules (zebra stripes, shaded rows)."""
    out = []
    for f in fills:
        out.append(Rule(f.x0, f.top, f.x1, f.top))
        out.append(Rule(f.x0, f.bottom, f.x1, f.bottom))
    return out


# ---------------------------------------------------------------- headers

@functools.lru_cache(maxsize=65536)
def _norm_header(text: str) -> str:
    t = clean_inline(text).lower().replace("’", "'")
    t = re.sub(r"\((s|es)\)", r"\1", t)  # `Action(s)` -> `actions`
    return re.sub(r"\s+", " ", re.sub(r"[^\w#/&'£ ]+", " ", t)).strip()


@functools.lru_cache(maxsize=65536)
def header_roles(text: str) -> tuple[str, ...]:
    """The roles a header cell's text may name, most specific first.

    A header word broken across lines in a narrow cell (`Timescal` / `e`) is
    also tried re-joined.
    """
    t = _norm_header(text)
    if not t:
        return ()
    if "/" in t.strip("/"):
        # a slashed header (`Timescale / Outcome`, `Lead / Partners`) takes the role of its first part
        first = _roles_of(text.split("/")[0])
        if first:
            return tuple(first)
    if is_extra_header(text) and not re.search(r"\btime ?scale|\bresource|\bcost", t):
        return ()
    return tuple(_roles_of(text) or _fuzzy_roles(t, TableSettings.fuzzy_cutoff))


def _roles_of(text: str) -> list[str]:
    t = _norm_header(text)
    if not t:
        return []
    variants = [t] if "\n" not in text else [t, _norm_header(text.replace("\n", ""))]
    out = []
    for r in ROLE_ORDER:
        for v in variants:
            if not _VOCAB_ANY[r].search(v):
                continue
            # the vocabulary must say the cell: `Lead officer`, not `lead on stakeholder engagement`
            if any(_says(m, v) for p in _VOCAB_RX[r] for m in [p.search(v)] if m):
                out.append(r)
                break
    return out


def _fuzzy_roles(t: str, cutoff: float) -> list[str]:
    """A short header one of whose words is a role word misspelt or inflected (`Timeframes`)."""
    words = [w for w in t.replace("/", " ").split() if w not in _FILLER]
    if not 1 <= len(words) <= 2:
        return []
    found = [_fuzzy_word_roles(w, cutoff) for w in words]
    return [r for r in ROLE_ORDER if any(r in f for f in found)]


@functools.lru_cache(maxsize=65536)
def _fuzzy_word_roles(w: str, cutoff: float) -> tuple[str, ...]:
    """The roles one header word is a misspelt or inflected role word of."""
    if len(w) < 4:
        return ()
    out = []
    for r in ROLE_ORDER:
        near = [v for v in FUZZY_WORDS.get(r, ()) if v[0] == w[0] and abs(len(v) - len(w)) <= 3]
        if near and difflib.get_close_matches(w, near, n=1, cutoff=cutoff):
            out.append(r)
    return tuple(out)


_FILLER = {"and", "or", "the", "of", "to", "for", "by", "key", "/", "&", "date", "dates", "role", "roles",
           "officer", "officers", "s", "proposed", "target", "expected", "implications", "required",
           "needed", "identified", "name", "who", "is", "delivery", "when", "lead", "area", "including", "be",
           "taken", "undertaken", "holder", "member", "person", "we", "will", "our", "your", "its", "are",
           "date", "planned", "agreed", "service", "main", "overall", "senior", "named", "s"}


def _says(m: re.Match, text: str) -> bool:
    """At most one word of the cell lies outside the vocabulary match and the filler words."""
    rest = (text[:m.start()] + " " + text[m.end():]).split()
    return sum(1 for w in rest if w not in _FILLER) <= 1


@functools.lru_cache(maxsize=65536)
def is_extra_header(text: str) -> bool:
    """A header the vocabulary knows as an extra column (Measure, Status, Outcome, …)."""
    t = _norm_header(text)
    return any(re.search(p, t) for p in EXTRA_VOCAB)


def assign_roles(headers: list[str]) -> list[str]:
    """Give each header cell at most one role, each role at most once."""
    options = [header_roles(h) for h in headers]
    out = [""] * len(headers)
    taken: set[str] = set()
    # cells with a single option first, then by role priority
    order = sorted(range(len(headers)), key=lambda i: (len(options[i]) if options[i] else 99, i))
    for i in order:
        for r in options[i]:
            if r not in taken:
                out[i] = r
                taken.add(r)
                break
    # "Action(s)" is key_actions beside a recommendation column, else the recommendation
    if "recommendation" not in taken and "key_actions" in taken:
        i = out.index("key_actions")
        if re.fullmatch(r"actions?( to be (taken|undertaken)| required| planned)?", _norm_header(headers[i])):
            out[i] = "recommendation"
    return out


def _phrases(words: list[Word], vrules: list[Rule], s: TableSettings) -> list[list[Word]]:
    """Split one line's words into header phrases at wide gaps or vertical rules."""
    out: list[list[Word]] = []
    rules: list[Rule] = []
    if vrules and words:  # only rules level with some word can cut between two of them, by x
        lo, hi = min(w.top for w in words), max(w.bottom for w in words)
        level = lo == lo and hi == hi  # (NaN compares false: then every rule is kept)
        rules = sorted((v for v in vrules if v.x0 == v.x0 and (not level or v.top <= hi and v.bottom >= lo)), key=_X0)
    xs = [v.x0 for v in rules]
    for w in words:
        if out:
            prev = out[-1][-1]
            gap = w.x0 - prev.x1
            if gap <= s.phrase_gap_ratio * max(w.size, 1.0) and not _ruled_between(prev, w, rules, xs):
                out[-1].append(w)
                continue
        out.append([w])
    return out


def _ruled_between(prev: Word, w: Word, rules: list[Rule], xs: list[float]) -> bool:
    """A vertical rule (of `rules`, by x0 = `xs`) between two words, level with the second."""
    a, b = prev.x1 - 1, w.x0 + 1
    if not rules or a != a or b != b:  # no rules, or no position (NaN compares false)
        return False
    return any(v.top <= w.bottom and v.bottom >= w.top
               for v in rules[bisect.bisect_left(xs, a):bisect.bisect_right(xs, b)])


@dataclass
class LinePhrases:
    """The phrases and header cells of the lines of one page (one set of vertical rules), each
    worked out once: the header search looks at every line as a band's first line and again as a
    wrapped or bottom-aligned line of the bands around it. The lists returned are shared: read only."""

    vrules: list[Rule]
    s: TableSettings
    _phrases_of: dict[int, list[list[Word]]] = field(default_factory=dict)
    _cells_of: dict[int, list[list[Word]]] = field(default_factory=dict)

    def phrases(self, ln: Line) -> list[list[Word]]:
        """`_phrases` of the line."""
        got = self._phrases_of.get(id(ln))
        if got is None:
            got = self._phrases_of[id(ln)] = _phrases(ln.words, self.vrules, self.s)
        return got

    def cells(self, ln: Line) -> list[list[Word]]:
        """A header line's cells: its phrases, each split where the vocabulary reads two headers in it."""
        got = self._cells_of.get(id(ln))
        if got is None:
            got = self._cells_of[id(ln)] = [part for ph in self.phrases(ln) for part in split_known(ph, self.s)]
        return got


def split_known(ph: list[Word], s: TableSettings) -> list[list[Word]]:
    """Header cells set closer than the phrase gap run together (`Lead Key actions` over a narrow
    code column, `Ref Recommendation` with a right-aligned ref). Split a phrase at the word
    boundaries that make every part a known header and name more distinct roles than the whole;
    a phrase the vocabulary reads whole (`Recommendation no.`, `Lead officer`) stays one."""
    n = len(ph)
    if n < 2 or n > s.max_split_words:
        return [ph]
    texts = [w.text for w in ph]
    if not (header_roles(texts[0]) or is_extra_header(texts[0])):
        return [ph]  # run-together headers open with a header word (`Lead Key actions`)
    if sum(1 for t in texts if header_roles(t) or is_extra_header(t)) < 2:
        return [ph]  # two headers need two words the vocabulary knows on their own
    whole = " ".join(texts)
    whole_roles = header_roles(whole)
    if whole_roles and _reads_whole(whole):
        return [ph]
    best, best_key = None, (len(set(whole_roles[:1])), 0)
    for mask in range(1, 1 << (n - 1)):
        cuts = [i + 1 for i in range(n - 1) if mask >> i & 1]
        bounds = [0] + cuts + [n]
        parts = [" ".join(texts[a:b]) for a, b in zip(bounds, bounds[1:])]
        roles = [header_roles(p) for p in parts]
        if not all(r or is_extra_header(p) for r, p in zip(roles, parts)):
            continue
        firsts = [r[0] for r in roles if r]
        key = (len(set(firsts)), -len(parts))
        if len(set(firsts)) == len(firsts) and key > best_key:
            best, best_key = bounds, key
    if best is None:
        return [ph]
    return [ph[a:b] for a, b in zip(best, best[1:])]


def _reads_whole(text: str) -> bool:
    """The vocabulary says the whole text with nothing but filler left over (filler that names
    another role on its own, as `Lead` in `Lead Key actions`, is not left over)."""
    t = _norm_header(text)
    for role, pats in _VOCAB_RX.items():
        for p in pats:
            m = p.search(t)
            if m and all(w in _FILLER and set(header_roles(w)) <= {role}
                         for w in (t[:m.start()] + " " + t[m.end():]).split()):
                return True
    return False


def _cell_lines_text(words: list[Word]) -> str:
    """A header cell's words, one line per printed line."""
    return "\n".join(" ".join(w.text for w in ln) for ln in line_groups(words))


@dataclass
class HeaderBand:
    lines: list[Line]
    cells: list[list[Word]]
    roles: list[str]
    above: int = 0   # lines of the band above the line it was found at (bottom-aligned cells)

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return max(ln.bottom for ln in self.lines)


def _on_fill(ln: Line, fills: list[Fill]) -> bool:
    return any(f.top - 1 <= ln.top and ln.bottom <= f.bottom + 1 and f.x0 <= ln.x0 + 1 for f in fills)


def find_header(lines: list[Line], i: int, vrules: list[Rule], fills: list[Fill], s: TableSettings,
                floor: int = 0, memo: LinePhrases | None = None) -> HeaderBand | None:
    """A header band starting at line i, or None.

    Header cells may wrap onto further lines (`TIMESCALE /` `OUTCOME`, `LED` `BY`);
    of the bands one to `max_header_lines` deep, the one naming the most roles wins,
    the deepest on a tie, so a bold first body row is never swallowed into the header.
    Lines above line i (not above `floor`) may hold the first lines of bottom- or
    middle-aligned cells; `HeaderBand.above` counts them. `memo`: the page's lines' phrases
    (`LinePhrases` of `vrules`), shared by the calls for one page.
    """
    memo = memo if memo is not None else LinePhrases(vrules, s)
    first = lines[i]
    raw = memo.phrases(first)
    if any(len(c) > s.max_split_words for c in raw):
        return None
    cells = [list(part) for part in memo.cells(first)]
    if len(cells) < 2 or any(len(c) > s.max_header_cell_words for c in cells):
        return None
    band = [first]
    best = _judge(band, [list(c) for c in cells], s)
    depth = 1  # printed header lines; lines half a line apart (middle-aligned cells) count once
    for j in range(i + 1, min(len(lines), i + 2 * s.max_header_lines)):
        ln, prev = lines[j], band[-1]
        if ln.top - prev.bottom > s.header_wrap_gap_ratio * prev.size or ln.bold != first.bold:
            break
        depth += 0 if ln.top < prev.bottom - 1 else 1
        if depth > s.max_header_lines:
            break
        if abs(ln.size - first.size) > s.header_size_tolerance:
            break
        placed = True
        for ph in memo.cells(ln):
            x0, x1 = ph[0].x0, ph[-1].x1
            hits = [c for c in cells if x0 < max(w.x1 for w in c) + 2 and x1 > c[0].x0 - 2]
            if len(hits) == 1:
                hits[0].extend(ph)
            elif not hits and _may_open_cell(ph, first.bold or ln.top < prev.bottom - 1):
                cells.append(list(ph))
            else:
                placed = False
        if not placed:
            break
        band.append(ln)
        cand = _judge(band, [list(c) for c in cells], s)
        if cand is not None and (best is None or cand[0] >= best[0]):
            best = cand
    best = _absorb_above(lines, i, floor, best or (None, HeaderBand(list(band), cells, [])), memo, s)
    if best and not _styled(first, fills):
        # plain type: only a header whose every cell the vocabulary knows, naming three roles or more
        (n_roles, known), hb = best
        if n_roles < 3 or known < len(hb.cells):
            return None
    return best[1] if best else None


def _styled(first: Line, fills: list[Fill]) -> bool:
    """A header is usually set apart: bold, capitals or shaded."""
    letters = [ch for ch in first.text if ch.isalpha()]
    caps = sum(ch.isupper() for ch in letters) >= 0.8 * max(len(letters), 1)
    return first.bold or caps or _on_fill(first, fills)


def _may_open_cell(ph: list[Word], free: bool) -> bool:
    """A phrase on a wrapped header line that lies over no cell yet opens one: a short phrase
    the header vocabulary knows (`Responsible` over `officer`), or any short one when `free`
    (a bold header, or a line that overlaps the band's half a line away: middle-aligned cells)."""
    if len(ph) > 3:
        return False
    return free or bool(header_roles(" ".join(w.text for w in ph)))


def _absorb_above(lines: list[Line], i: int, floor: int, best, memo: LinePhrases, s: TableSettings):
    """Header cells bottom- or middle-aligned: a wrapped cell's first lines sit above the band's
    fullest line (`TIMESCALE /` over `OUTCOME`, level with the other headers). Lines just above
    whose every phrase lies over exactly one header cell (or opens one) join the band; the band
    must not lose roles. `best` is (score, band) with score None when the band is no header yet."""
    (score, hb) = best
    first = hb.lines[0]
    cells = [list(c) for c in hb.cells]
    band = list(hb.lines)
    lefts = [min(w.x0 for w in c) for c in cells]
    for j in range(i - 1, max(floor, i - s.max_header_lines) - 1, -1):
        ln, nxt = lines[j], band[0]
        if nxt.top - ln.bottom > s.header_wrap_gap_ratio * ln.size or ln.bold != first.bold:
            break
        if abs(ln.size - first.size) > s.header_size_tolerance:
            break
        placed = []
        for ph in memo.cells(ln):
            x0, x1 = ph[0].x0, ph[-1].x1
            hits = [k for k, c in enumerate(cells)
                    if x0 < max(w.x1 for w in c) + 2 and x1 > min(w.x0 for w in c) - 2]
            # a phrase may not reach into the next header cell
            if not hits and _may_open_cell(ph, first.bold or ln.bottom > nxt.top + 1):
                placed.append((None, ph))
                continue
            if len(hits) != 1 or (hits[0] + 1 < len(lefts) and x1 > lefts[hits[0] + 1] - 1):
                placed = None
                break
            placed.append((hits[0], ph))
        if not placed:
            break
        trial = [list(c) for c in cells]
        for k, ph in placed:
            if k is None:
                trial.append(list(ph))
            else:
                trial[k].extend(ph)
        cand = _judge([ln] + band, trial, s)
        if cand is None or (score is not None and cand[0][0] < score[0]):
            break
        cells, band = trial, [ln] + band
        lefts = [min(w.x0 for w in c) for c in sorted(cells, key=lambda c: min(w.x0 for w in c))]
        cells.sort(key=lambda c: min(w.x0 for w in c))
        (score, hb) = cand
    if score is None:
        return None
    hb.above = hb.lines.index(first)
    return score, hb


def _judge(band: list[Line], cells: list[list[Word]], s: TableSettings) -> tuple[tuple[int, int], HeaderBand] | None:
    """Score a candidate header band: (distinct roles, known cells), or None if it is no header."""
    cells = sorted(cells, key=lambda c: min(w.x0 for w in c))
    texts = [_cell_lines_text(c) for c in cells]
    if not _may_be_header(texts):
        return None
    roles = assign_roles(texts)
    named = [r for r in roles if r]
    if len(set(named)) < s.min_header_roles or "lead" not in named:
        return None
    if "recommendation" not in named and "key_actions" not in named:
        return None
    known = sum(1 for r, t in zip(roles, texts) if r or is_extra_header(t))
    if known * 2 < len(roles):  # mostly unknown cells: prose, not a header
        return None
    return (len(set(named)), known), HeaderBand(list(band), cells, roles)


def literal_starts(items) -> set[str]:
    """Literal texts one of which starts every match of a parsed pattern (anchors skipped; each
    alternative of a branch or group gives its own; the text stops at the first optional,
    repeated or class item, so it is never longer than what a match must contain)."""
    out = {""}
    for op, av in items:
        if op is _sre.AT:
            continue
        if op is _sre.LITERAL:
            out = {o + chr(av) for o in out}
            continue
        if op is _sre.SUBPATTERN:
            tails = literal_starts(av[-1])
        elif op is _sre.BRANCH:
            tails = set().union(*(literal_starts(alt) for alt in av[1]))
        else:
            tails = {""}
        return {o + t for o in out for t in tails}
    return out


def _letters(text: str) -> str:
    """A text's letters a-z as the header vocabulary sees them: ligatures expanded, lower case,
    everything else (spaces, line breaks, punctuation, digits, other scripts) dropped."""
    return _NOT_AZ.sub("", text.translate(_LIGATURE_TABLE).lower())


_NOT_AZ = re.compile(r"[^a-z]+")
_LIGATURE_TABLE = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# a role's keys: the letters (as `_letters` gives them) that start some match of each of its patterns
_ROLE_KEYS = {r: re.compile("|".join(sorted({_letters(t) for p in pats for t in literal_starts(_sre_parse(p))})))
              for r, pats in HEADER_VOCAB.items()}
# text in which clean_inline deletes characters between letters (markup, glyph codes, control characters)
_NOT_PLAIN = re.compile(r"<|\(cid:|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


@functools.lru_cache(maxsize=65536)
def _possible_roles(text: str) -> tuple[str, ...]:
    """The roles of `_JUDGED_ROLES` that `header_roles(text)` may hold (a cheap, conservative test:
    a role left out is one it cannot hold).

    Every role `header_roles` gives comes from a vocabulary pattern matching the normalised text
    (whole, re-joined across its line breaks, or its part before a slash), or from the fuzzy
    match of one of its words. In plain text normalising only lower-cases, expands ligatures and
    turns other characters into spaces or drops them, so the letters of any match are a run of
    `_letters(text)` (which drops all of those), and every match starts with one of the role's
    keys: the role is possible only if a key is in the letters. The normalised words are those of
    the text's space-separated pieces, so the fuzzy match is tried per piece. Text that is not
    plain (markup, glyph codes) may hold every role.
    """
    if _NOT_PLAIN.search(text):
        return _JUDGED_ROLES
    letters = _letters(text)
    keyed = {r for r in _JUDGED_ROLES if _ROLE_KEYS[r].search(letters)}
    if len(keyed) < len(_JUDGED_ROLES):
        keyed.update(*(_word_fuzzy_roles(piece) for piece in text.split()))
    return tuple(r for r in _JUDGED_ROLES if r in keyed)


_JUDGED_ROLES = ("lead", "recommendation", "key_actions")


@functools.lru_cache(maxsize=65536)
def _word_fuzzy_roles(text: str) -> tuple[str, ...]:
    """Every role `_fuzzy_roles` could give for a cell holding this word."""
    words = [w for w in _norm_header(text).replace("/", " ").split() if w not in _FILLER]
    found = {r for w in words for r in _fuzzy_word_roles(w, TableSettings.fuzzy_cutoff)}
    return tuple(r for r in ROLE_ORDER if r in found)


def _may_be_header(texts: list[str]) -> bool:
    """Pre-filter of `_judge`: a header band names a lead and a recommendation or key actions, so
    some cell must be able to name each (`_possible_roles`); False means `_judge` would say no header."""
    possible = [_possible_roles(t) for t in texts]
    return any("lead" in p for p in possible) and any("recommendation" in p or "key_actions" in p for p in possible)


# ---------------------------------------------------------------- columns

def column_bounds(band: HeaderBand, body: list[Word], vrules: list[Rule], fills: list[Fill],
                  s: TableSettings) -> list[tuple[float, float]]:
    """x-extent of each column: vertical rules where drawn, else the whitespace the body leaves."""
    cells = band.cells
    lefts = [min(w.x0 for w in c) for c in cells]
    rights = [max(w.x1 for w in c) for c in cells]
    centres = [(a + b) / 2 for a, b in zip(lefts, rights)]
    # the table's outer edges: header fills / rules, else the header and body extents
    xs0 = [f.x0 for f in fills if band.top - 4 <= f.top <= band.bottom and f.x0 <= lefts[0] + 1]
    xs1 = [f.x1 for f in fills if band.top - 4 <= f.top <= band.bottom and f.x1 >= rights[-1] - 1]
    left = min([lefts[0]] + xs0 + [w.x0 for w in body if w.x1 <= lefts[min(1, len(lefts) - 1)]]) - 1
    right = max([rights[-1]] + xs1 + [w.x1 for w in body if w.x0 >= rights[-2]]) + 1
    bounds = []
    for k in range(len(cells) - 1):
        lo, hi = rights[k] - 1, lefts[k + 1] + 1
        vx = [v.x0 for v in vrules if lo - 1 <= v.x0 <= hi + 1 and v.bottom - v.top > 4]
        fx = [f.x1 for f in fills if lo - 1 <= f.x1 <= hi + 1 and f.top >= band.top - 4]
        if vx:
            bounds.append(sum(vx) / len(vx))
        elif fx:
            bounds.append(max(set(round(x, 1) for x in fx), key=lambda x: sum(1 for y in fx if abs(y - x) < 1)))
        else:
            bounds.append(_whitespace_cut(body, centres[k], centres[k + 1], lefts[k + 1], s))
    edges = [left] + bounds + [right]
    return [(edges[k], edges[k + 1]) for k in range(len(cells))]


def _whitespace_cut(body: list[Word], a: float, b: float, next_left: float, s: TableSettings) -> float:
    """The x between two header centres `a` and `b` where the column boundary runs.

    The candidates are the valleys of the body's crossing profile (the runs of x that the fewest
    body words cross); gutters are valleys at least `gutter_ratio` x size wide. With none, the
    cut is the candidate nearest the next header's left edge; with one, the point of it nearest
    that edge. With several, the text between two
    belongs to the header whose centre is nearer (codes left-aligned under a centred `Lead`),
    so the cut is in the gutter just left of the first such text nearer `b`, unless that leaves
    `b`'s header no text of its own, when the last narrower valley that does, with at least
    `gutter_min_starts` words starting level at its right edge, is taken.
    """
    if b - a < 2:
        return (a + b) / 2
    n = int(b - a) + 1  # candidate x: a, a + 1, ..., up to b
    diff = [0] * (n + 1)
    for w in body:  # each word crosses the candidates strictly inside it
        lo, hi = max(0, math.floor(w.x0 - a) + 1), min(n - 1, math.ceil(w.x1 - a) - 1)
        if lo <= hi:
            diff[lo] += 1
            diff[hi + 1] -= 1
    counts, run = [], 0
    for i in range(n):
        run += diff[i]
        counts.append(run)
    low = min(counts)
    valleys: list[tuple[int, int]] = []
    for i, c in enumerate(counts):
        if c == low:
            if valleys and valleys[-1][1] == i - 1:
                valleys[-1] = (valleys[-1][0], i)
            else:
                valleys.append((i, i))
    target = next_left - s.column_pad
    size = sorted(w.size for w in body)[len(body) // 2] if body else 8.0
    wide = [v for v in valleys if v[1] - v[0] >= s.gutter_ratio * size]
    if not wide:
        # only gaps of a word space: the position nearest the next header
        return a + min((i for v in valleys for i in range(v[0], v[1] + 1)), key=lambda i: abs(a + i - target))
    chosen = wide[-1]
    for v, nxt in zip(wide, wide[1:]):
        mid = a + (v[1] + nxt[0]) / 2  # the text between this gutter and the next
        if b - mid < mid - a:
            chosen = v
            break
    cut = min(max(target, a + chosen[0]), a + chosen[1])
    if not any(cut < w.xc <= b for w in body):
        # the next header would get no text of its own: its column sits one space from this one
        # (short cells under a centred header); take the last narrower valley that leaves it some
        # and where several words start level, a left-aligned column's edge
        fits = [v for v in valleys if v[1] < chosen[0] and any(a + v[1] < w.xc <= b for w in body)
                and sum(1 for w in body if a + v[1] - 0.5 <= w.x0 <= a + v[1] + 2.0) >= s.gutter_min_starts]
        if fits:
            cut = a + fits[-1][1]
    return cut


# ---------------------------------------------------------------- rows

@dataclass(frozen=True)
class Cut:
    y: float
    x0: float
    x1: float


def _covers(cut: Cut, col: tuple[float, float], s: TableSettings) -> bool:
    a, b = col
    overlap = min(cut.x1, b) - max(cut.x0, a)
    return overlap >= s.rule_cover_ratio * (b - a)


def rule_cuts(hrules: list[Rule], cols: list[tuple[float, float]], top: float, bottom: float,
              s: TableSettings, anchor: int | None = None) -> list[Cut]:
    out = []
    for r in hrules:
        if top - s.snap_tolerance < r.top < bottom + s.snap_tolerance:
            cut = Cut(r.top, r.x0, r.x1)
            covered = [k for k, c in enumerate(cols) if _covers(cut, c, s)]
            # a row separator crosses several columns, the anchor column among them; an underline does not
            if len(covered) >= min(2, len(cols)) and (anchor is None or anchor in covered):
                out.append(cut)
    return out


def _blocks(words: list[Word], s: TableSettings, ratio: float) -> list[float]:
    """Tops of the text blocks in one column: a new block after a gap > ratio x line height."""
    lines = group_lines(words, s)
    tops = []
    prev = None
    for ln in lines:
        h = max(ln.bottom - ln.top, 1.0)
        if prev is None or ln.top - prev.bottom > ratio * h:
            tops.append(ln.top)
        prev = ln
    return tops


def anchor_cuts(words_by_col: list[list[Word]], anchors: list[int], cols: list[tuple[float, float]],
                top: float, s: TableSettings) -> list[Cut]:
    """Unruled rows: a row starts where an anchor column (lead, ref) starts a block."""
    x0, x1 = cols[0][0], cols[-1][1]
    out = []
    for k in anchors:
        for t in _blocks(words_by_col[k], s, s.block_gap_ratio):
            if t > top + 1:
                out.append(Cut(t - 1.0, x0, x1))
    return out


def _block_spans(words: list[Word], s: TableSettings) -> list[tuple[float, float]]:
    """(top, bottom) of each text block in one column (blocks as `_blocks` finds them)."""
    spans: list[list[float]] = []
    prev = None
    for ln in group_lines(words, s):
        h = max(ln.bottom - ln.top, 1.0)
        if prev is None or ln.top - prev.bottom > s.block_gap_ratio * h:
            spans.append([ln.top, ln.bottom])
        else:
            spans[-1][1] = max(spans[-1][1], ln.bottom)
        prev = ln
    return [(a, b) for a, b in spans]


def recommendation_cuts(words_by_col: list[list[Word]], rec: int, cols: list[tuple[float, float]],
                        top: float, s: TableSettings) -> list[Cut]:
    """Unruled rows whose lead cell is empty: a row starts where the recommendation column starts a
    block level with a block start in another column, and no column's block runs on across that line
    (a paragraph break inside a row has some cell running on across it)."""
    tol = s.line_y_tolerance
    x0, x1 = cols[0][0], cols[-1][1]
    spans = {k: _block_spans(ws, s) for k, ws in enumerate(words_by_col) if ws}
    out = []
    for t, _ in spans.get(rec, []):
        if t <= top + 1:
            continue
        level = any(abs(a - t) <= tol for k, sp in spans.items() if k != rec for a, _ in sp)
        across = any(a < t - tol and b > t + tol for sp in spans.values() for a, b in sp)
        if level and not across:
            out.append(Cut(t - 1.0, x0, x1))
    return out


def heading_cuts(lines: list[Line], cols: list[tuple[float, float]], s: TableSettings) -> list[Cut]:
    """Unruled tables: a bold line alone at the table's left, after a gap, is a row of its own."""
    out = []
    x0, x1 = cols[0][0], cols[-1][1]
    for prev, ln, nxt in zip([None] + lines[:-1], lines, lines[1:] + [None]):
        if not ln.bold or not all(w.bold for w in ln.words) or len(_phrases(ln.words, [], s)) != 1:
            continue
        if ln.x0 > cols[0][0] + 0.25 * (cols[0][1] - cols[0][0]):
            continue
        h = max(ln.bottom - ln.top, 1.0)
        if prev is not None and ln.top - prev.bottom <= s.block_gap_ratio * h:
            continue
        out.append(Cut(ln.top - 1.0, x0, x1))
        if nxt is not None:
            out.append(Cut((ln.bottom + nxt.top) / 2, x0, x1))
    return out


def _merge_cuts(cuts: list[Cut], s: TableSettings) -> list[Cut]:
    out: list[Cut] = []
    for c in sorted(cuts, key=lambda c: (c.y, c.x0)):
        if out and abs(c.y - out[-1].y) <= s.snap_tolerance and c.x0 <= out[-1].x1 + s.snap_tolerance:
            last = out[-1]
            out[-1] = Cut(last.y, min(last.x0, c.x0), max(last.x1, c.x1))
        else:
            out.append(c)
    return out


def assign_columns(words: list[Word], cols: list[tuple[float, float]]) -> list[int]:
    out = []
    for w in words:
        k = next((i for i, (a, b) in enumerate(cols) if a <= w.xc < b), None)
        if k is None:
            k = 0 if w.xc < cols[0][0] else len(cols) - 1
        out.append(k)
    return out


def split_columns(words: list[Word], cols: list[tuple[float, float]]) -> list[list[Word]]:
    """The words of each column, by where their centres fall."""
    per_col: list[list[Word]] = [[] for _ in cols]
    for w, k in zip(words, assign_columns(words, cols)):
        per_col[k].append(w)
    return per_col


def build_rows(words: list[Word], per_col: list[list[Word]], cols: list[tuple[float, float]], cuts: list[Cut],
               top: float, bottom: float, s: TableSettings) -> list[Row]:
    """Cells per column between that column's own cuts; a band's cell is the one around its middle."""
    ys = sorted({c.y for c in cuts if top < c.y < bottom})
    bands = [(a, b) for a, b in zip([top] + ys, ys + [bottom]) if b - a > 1]
    # each column's own cut list
    col_cuts = []
    for c in cols:
        cy = sorted({cut.y for cut in cuts if _covers(cut, c, s) and top < cut.y < bottom})
        col_cuts.append([top] + cy + [bottom])
    rows = []
    for (a, b) in bands:
        mid = (a + b) / 2
        cells = []
        band_words = [w for w in words if a <= w.yc < b]
        if not band_words:
            continue
        for k, c in enumerate(cols):
            edges = col_cuts[k]
            j = max(i for i in range(len(edges) - 1) if edges[i] <= mid)
            lo, hi = edges[j], edges[min(j + 1, len(edges) - 1)]
            cells.append(cell_text([w for w in per_col[k] if lo <= w.yc < hi], s.paragraph_gap_ratio))
        row = Row(cells, a, b)
        row.bold = all(w.bold for w in band_words)
        if _single_flow(band_words, cols, s):
            row.kind = "section"
            row.section_text = cell_text(band_words, s.paragraph_gap_ratio)
        rows.append(row)
    return rows


def _single_flow(words: list[Word], cols: list[tuple[float, float]], s: TableSettings) -> bool:
    """A full-width row: every line is one run of text, and some run crosses a column boundary."""
    crossing = False
    for ln in group_lines(words, s):
        runs = _phrases(ln.words, [], s)
        if len(runs) > 1:
            return False
        x0, x1 = runs[0][0].x0, runs[0][-1].x1
        if any(x0 < b - s.column_pad and x1 > b + s.column_pad for _, b in cols[:-1]):
            crossing = True
    return crossing


# ---------------------------------------------------------------- page driver

_KEY_ANCHOR = re.compile(
    r"^\s*(key( for lead( role)?s?| to (lead|abbreviations|codes))?\s*[:\-–]|key$|lead (officer )?codes|"
    r"key (for|to) (the )?(lead|abbreviation|code|acronym|officer|role)\w*( \w+)?\s*([:\-–]|$)|"
    r"lead (roles?|officers)\s*([:\-–]|$)|abbreviations\b|acronyms\b|glossary\b)", re.I)


def is_key_anchor(text: str) -> bool:
    return bool(_KEY_ANCHOR.match(text))


def page_title(lines: list[Line], before: float, body_size: float, s: TableSettings) -> str:
    """The heading printed above a table: the largest-type line(s) above it on the page."""
    above = [ln for ln in lines if ln.bottom <= before + 0.5]
    if not above:
        return ""
    heads = [ln for ln in above
             if ln.size >= body_size + s.heading_size_gain or (ln.bold and ln.size >= body_size + 0.5)]
    if not heads:
        return ""
    big = max(ln.size for ln in heads)
    # the last heading block at the largest size above the table
    blocks: list[list[Line]] = []
    for ln in heads:
        if abs(ln.size - big) > 0.6:
            continue
        if blocks and ln.top - blocks[-1][-1].bottom < 0.8 * ln.size:
            blocks[-1].append(ln)
        else:
            blocks.append([ln])
    return clean_inline(" ".join(ln.text for ln in blocks[-1])) if blocks else ""


def reconstruct_page(page: PageLayout, carry: Table | None, fkeys: set[str],
                     s: TableSettings = TableSettings(), all_lines: list[Line] | None = None) -> PageTables:
    """Tables on one page. `carry` is the previous page's last table, used when no header is printed.
    `all_lines`: the page's `group_lines`, when the caller has them."""
    if all_lines is None:
        all_lines = group_lines(page.words, s)
    lines = [ln for ln in all_lines if not is_furniture(ln, page, fkeys, s)]
    hrules, vrules = join_rules(page.rules, s)
    hcuts_src = _merge_h(hrules + fill_edges(page.fills), s)
    out = PageTables(page.number)
    body_size = Counter(w.size for w in page.words).most_common(1)[0][0] if page.words else 0

    starts: list[tuple[int, HeaderBand]] = []
    memo = LinePhrases(vrules, s)
    i = 0
    while i < len(lines):
        floor = starts[-1][0] + len(starts[-1][1].lines) if starts else 0
        hb = find_header(lines, i, vrules, page.fills, s, floor, memo) if not is_key_anchor(lines[i].text) else None
        if hb:
            starts.append((i - hb.above, hb))
            i += len(hb.lines) - hb.above
        else:
            i += 1

    used: set[int] = set()
    segments: list[tuple[int, int, HeaderBand | None]] = []
    if carry is not None and (not starts or starts[0][0] > 0):
        first_hdr = starts[0][0] if starts else len(lines)
        segments.append((0, first_hdr, None))
    for n, (i, hb) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        segments.append((i + len(hb.lines), end, hb))

    prev = carry
    for a, b, hb in segments:
        body_lines = lines[a:b]
        if hb is None:
            # a header-less continuation runs until the first heading (a new table's title)
            heads = [k for k, ln in enumerate(body_lines) if ln.size >= s.title_size_ratio * body_size]
            body_lines = body_lines[:heads[0]] if heads else body_lines
            if prev is None or not body_lines:
                continue
            columns = [Column(c.header, c.role, c.x0, c.x1) for c in prev.columns]
            cols = [(c.x0, c.x1) for c in columns]
            top = body_lines[0].top - 1 if body_lines else 0
            title = ""
        else:
            top = hb.bottom + 0.5
            cand = [w for ln in body_lines for w in ln.words]
            cols = column_bounds(hb, cand, vrules, page.fills, s)
            # again from the table's own lines: text below it (a key, notes) must not move a boundary
            own = [w for ln in _table_lines(body_lines, cols, hcuts_src, top, s) for w in ln.words]
            if own and len(own) < len(cand):
                cols = column_bounds(hb, own, vrules, page.fills, s)
            headers = [clean_inline(" ".join(w.text for w in sorted(c, key=lambda w: (round(w.top), w.x0))))
                       for c in hb.cells]
            columns = [Column(h, r, x0, x1) for h, r, (x0, x1) in zip(headers, hb.roles, cols)]
            title = page_title(lines[:a - len(hb.lines)] if a else [], hb.top, body_size, s)
        kept = _table_lines(body_lines, cols, hcuts_src, top, s)
        if hb is None and not kept:
            continue
        bottom = (kept[-1].bottom + 0.5) if kept else top
        text_bottom = bottom
        bottom = _extend_to_rule(bottom, hcuts_src, cols, s)
        twords = [w for ln in kept for w in ln.words]
        for ln in kept:
            used.add(id(ln))
        lead_col = next((k for k, c in enumerate(columns) if c.role == "lead"), None)
        cuts = rule_cuts(hcuts_src, cols, top, bottom, s, lead_col)
        ruled = _has_row_rules(cuts, cols, top, bottom, s)
        per_col = split_columns(twords, cols)
        if not ruled:
            anchors = [k for k, c in enumerate(columns) if c.role in ("lead", "ref")]
            cuts = cuts + anchor_cuts(per_col, anchors, cols, top, s) + heading_cuts(kept, cols, s)
            rec = next((k for k, c in enumerate(columns) if c.role == "recommendation"), None)
            if rec is not None:
                cuts = cuts + recommendation_cuts(per_col, rec, cols, top, s)
        rows = build_rows(twords, per_col, cols, _merge_cuts(cuts, s), top, bottom, s)
        tbl = Table(page.number, columns, rows, top, bottom, title, hb is not None, ruled,
                    open_end=ruled and bottom == text_bottom)
        out.tables.append(tbl)
        prev = tbl
    header_ids = {id(ln) for _, hb in starts for ln in hb.lines}
    out.free_lines = [ln for ln in lines if id(ln) not in used and id(ln) not in header_ids]
    return out


def _merge_h(rules: list[Rule], s: TableSettings) -> list[Rule]:
    hj, _ = join_rules(rules, s)
    return hj


def _has_row_rules(cuts: list[Cut], cols: list[tuple[float, float]], top: float, bottom: float,
                   s: TableSettings) -> bool:
    """True when drawn rules separate body rows (not just the table's outline)."""
    inner = {round(c.y) for c in cuts if top + 4 < c.y < bottom - 4}
    return len(inner) >= 1


def _extend_to_rule(bottom: float, hrules: list[Rule], cols: list[tuple[float, float]], s: TableSettings) -> float:
    """Close the table at the first rule just below its last text line, if any."""
    cands = [r.top for r in hrules
             if bottom - 1 <= r.top <= bottom + s.close_rule_reach and r.x0 <= cols[0][1] and r.x1 >= cols[-1][0]]
    return min(cands) + 0.5 if cands else bottom


def _table_lines(body: list[Line], cols: list[tuple[float, float]], hrules: list[Rule], top: float,
                 s: TableSettings) -> list[Line]:
    """The lines below a header that belong to its table: stop at a key, a wide gap or text outside it."""
    left, right = cols[0][0], cols[-1][1]
    kept: list[Line] = []
    rule_ys = sorted(r.top for r in hrules if r.x0 <= left + 10 and r.x1 >= right - 10)
    below = [y for y in rule_ys if y > top + 4]
    for ln in body:
        if len(below) >= 2 and ln.top > below[-1]:
            # after a ruled table's last rule: the start of a row the page break cuts (text in
            # several columns), or a note under the table (one column of text)
            rest = [w for x in body if x.top > below[-1] for w in x.words]
            if len(set(assign_columns(rest, cols))) < 2:
                break
        if is_key_anchor(ln.text):
            break
        inside = sum(1 for w in ln.words if w.x0 >= left - 6 and w.x1 <= right + 6)
        if inside * 2 < len(ln.words):
            break
        if kept:
            h = max(kept[-1].bottom - kept[-1].top, 4.0)
            gap = ln.top - kept[-1].bottom
            bridged = any(kept[-1].bottom - 1 <= y <= ln.top + 1 for y in rule_ys)
            if gap > s.table_gap_ratio * h and not (bridged and gap < 12 * h):
                break
        elif ln.top - top > 200 and not any(top - 2 <= y <= ln.top for y in rule_ys):
            break
        kept.append(ln)
    return kept


def reconstruct(layout: DocumentLayout, s: TableSettings = TableSettings()) -> list[PageTables]:
    """Every page's tables, carrying header-less continuations across page breaks."""
    page_lines = [group_lines(p.words, s) for p in layout.pages]
    fkeys = furniture_keys(layout, s, page_lines)
    out = []
    carry: Table | None = None
    for page, lines in zip(layout.pages, page_lines):
        pt = reconstruct_page(page, carry, fkeys, s, lines)
        out.append(pt)
        last = pt.tables[-1] if pt.tables else None
        # a table that runs on to the page foot may continue, header-less, on the next page
        carry = last if last is not None and last.bottom > s.carry_min_bottom * page.height else None
    return out
