"""Date expressions in timescale cells -> DateSpan (CONTRACT.md, timescales).

How a cell is read:

1. spaCy proposes the spans (`spans.py`): a blank English pipeline with a
   tokenizer tuned to council notation and a token-pattern matcher labels
   DATE spans (`2019/20`, `Q3 2024-25`, `Sept 24`, `by the end of March`,
   `between November and December 2019`, `within 6 months`, `ongoing`). A
   cell with no DATE span gives no row.
2. Inside each span the rule grammar (below) reads the expression that starts
   there: an optional run of prefix words (`by the end of`, `starting`,
   `from`, `mid-`), then either a range (`between X and Y`, `X to Y`,
   `X - Y`, `Spring/Summer 2025`) or one atom (a day, day range, month,
   season, quarter, financial year, year span, year, duration, `ongoing`),
   then an optional `onwards`. Matches never overlap and never cross a line
   break; a text that is one valid atom (`Q3 2024-2025`) is never a range.
3. Each match is parsed into atoms (`_Atom`) with our own rules; UK
   conventions throughout (day before month, two-digit years are 20YY,
   financial years start in April, meteorological seasons).
4. Year-less atoms (`by March`, `end Q3`, `21 March`) take the year of the
   nearest dated expression in the same cell, else of `reference` (the
   paper's date). With neither they give no row: a month without a year is
   not a date we can put in a table. A year-less quarter is the financial
   quarter of the financial year holding that date.
5. Day-month-year shapes inside a DATE span that the grammar cannot read as
   one atom (month first, `Mar 4 2025`, `March the 4th, 2025`, or a month
   word outside our lexicon) are handed to dateparser (UK settings: day
   first, English, absolute dates only, day, month and year required;
   cached).

Whole cells are cached (`SETTINGS.cell_cache_size`).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache

from .lexicon import MON, MONTHS, NUMBER_WORDS, SEASON, SEASONS, SETTINGS, WEEKDAY, fold
from .model import DateSpan
from .spans import char_spans

# ---------------------------------------------------------------- grammar
_Y4 = r"(?:19|20)\d\d(?!\d)"
_YY = r"'?\d\d(?!\d)"
_YR = rf"(?:{_Y4}|{_YY})"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_FYS = r"(?:(?:19|20)\d\d\s*[/-]\s*(?:(?:19|20)\d\d|\d\d)|\d\d[/-]\d\d)(?![\d%])(?![./]\d)"
_NUMW = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_UNIT = r"(?:years?|yrs?|months?|mths?|weeks?|wks?|days?)(?![a-z])"

_ATOMS = {  # order matters: earlier alternatives win at the same position
    "iso": r"(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)",
    "num": r"\d{1,2}[./]\d{1,2}[./](?:(?:19|20)\d\d|\d\d)(?![\d]|[./]\d)",
    "dayrange": rf"{_DAY}\s*-\s*{_DAY}\s+(?:of\s+)?{MON}(?:[\s,-]*{_YR})?",
    "dmy": rf"{WEEKDAY}?{_DAY}(?:\s+of)?[\s-]+{MON}(?:[\s,-]*{_YR})?",
    "mdy": rf"{MON}\s+\d{{1,2}}(?:(?:st|nd|rd|th),?|,)\s*{_Y4}",
    "quarter": rf"(?:(?:q|quarter\s*)[1-4](?!\d)(?:\s*(?:of\s+|,\s*)?(?:{_FYS}|{_Y4}))?|{_FYS}\s+q[1-4](?!\d))",
    "season": rf"{SEASON}(?:\s+(?:of\s+)?(?:{_FYS}|{_Y4}|{_YY}))?",
    "fy": rf"(?:fy ?)?{_FYS}",
    "my": rf"{MON}[\s,.'-]*{_YR}",
    "month": MON,
    "year": rf"{_Y4}(?![%]|\s%|[.,:]\d)",
}
_DURATION = (rf"(?:(?:within|over|in|for|up\s+to|across|about|around|approximately|approx\.?|the|next|a\s+further|further)\s+)*"
             rf"(?:\d+(?:\.\d+)?|{_NUMW})(?:\s*(?:-|to)\s*(?:\d+|{_NUMW}))?\s*{_UNIT}")
_ONGOING = r"(?:on-?going|continuous(?:ly)?|continual(?:ly)?|continuing|throughout)(?![a-z])"

_ATOMP = "|".join(f"(?:{p})" for p in _ATOMS.values())
_PREFIX_WORDS = ("by|the|end|of|until|till|til|up|to|no|not|later|than|before|from|since|after|starting|starts|start|"
                 "started|commenced|commencing|commences|commence|beginning|begins|throughout|during|in|on|at|mid|"
                 "early|late|around|approx|circa|as")
_PREFIX = rf"(?:(?:{_PREFIX_WORDS})(?![a-z])(?:\s*:\s*|\s*-\s*|\s+))*"
_CONN = r"(?:\s*[-/&]\s*|\s+(?:to|until|till|through|thru)\s+)"
_BODY = (rf"(?:between\s+(?:{_ATOMP})(?:\s*-\s*|\s+(?:and|to|&)\s+)(?:{_ATOMP})"
         rf"|(?:{_ATOMP}){_CONN}(?:{_ATOMP})"
         rf"|(?:{_DURATION})|(?:{_ONGOING})|(?:{_ATOMP}))")
_SUFFIX = r"(?:\s+onwards?)?"
_START = r"(?<![\w£$€.,/'])"

_FLAGS = re.I


def _c(pattern: str) -> re.Pattern:
    """Compile with `\\s` narrowed to a space (text is folded first): no expression spans two lines."""
    return re.compile(pattern.replace(r"\s", " "), _FLAGS)


_RX_FIND = _c(_START + _PREFIX + _BODY + _SUFFIX)
_RX_SINGLE = _c(_PREFIX + rf"(?:(?:{_DURATION})|(?:{_ONGOING})|(?:{_ATOMP}))" + _SUFFIX)
_RX_PREFIX = _c(_PREFIX)
_RX_ATOM = {k: _c(v) for k, v in _ATOMS.items()}
_RX_DURATION = _c(_DURATION)
_RX_ONGOING = _c(_ONGOING)
_RX_CONN = _c(rf"{_CONN}|\s+and\s+")
_RX_ONWARDS = re.compile(r"\s+onwards?$", _FLAGS)
_RX_BETWEEN = re.compile(r"between\s+", _FLAGS)
_RX_QUICK = re.compile(r"\d|" + MON + "|" + SEASON + "|on-?going|continu|throughout|years?|months?|weeks?", _FLAGS)
_RX_LOOSE_DAY = _c(  # day-level shapes the grammar may not read: `10 Febuary 2025`, `Mar 4 2025`, `March the 4th, 2025`
    r"(?<!\w)\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,10}\.?,?\s+(?:19|20)\d\d(?!\d)"
    rf"|(?<![\w.]){MON}\s+(?:the\s+)?[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d(?!\d)")

_END_WORDS = {"by", "end", "until", "till", "til", "to", "than", "up"}
_START_WORDS = {"from", "since", "starting", "starts", "start", "started", "commenced", "commencing", "commences",
                "commence", "beginning", "begins"}
_STRIP_TEXT_WORDS = {"by", "in", "on", "at", "for", "as", "during", "around", "approx", "circa"}


# ------------------------------------------------------------------- atoms
@dataclass(frozen=True)
class _Atom:
    kind: str                 # day | month | season | quarter | fy | year | span
    y: int | None = None      # calendar year (start year for fy / fy-quarter)
    m: int = 1
    d: int = 1
    d2: int | None = None     # last day of a day range
    m2: int = 12              # last month of a season
    q: int = 0
    fyq: bool = False         # quarter of a financial year
    y2: int | None = None     # last year of a multi-year calendar span

    @property
    def precision(self) -> str:
        return {"fy": "fiscal_year", "span": "year"}.get(self.kind, self.kind)

    def bounds(self) -> tuple[date, date]:
        y = self.y
        if self.kind == "day":
            return date(y, self.m, self.d), date(y, self.m, self.d2 or self.d)
        if self.kind == "month":
            return date(y, self.m, 1), _month_end(y, self.m)
        if self.kind == "season":
            y_end = y + 1 if self.m2 < self.m else y
            return date(y, self.m, 1), _month_end(y_end, self.m2)
        if self.kind == "quarter":
            if self.fyq:
                m0 = (SETTINGS.fiscal_year_start_month - 1 + 3 * (self.q - 1)) % 12 + 1
                ys = y + (1 if m0 < SETTINGS.fiscal_year_start_month else 0)
            else:
                m0, ys = 3 * (self.q - 1) + 1, y
            return date(ys, m0, 1), _month_end(ys, m0 + 2)
        if self.kind == "fy":
            fm = SETTINGS.fiscal_year_start_month
            return date(y, fm, 1), date(y + 1, fm, 1) - timedelta(days=1)
        if self.kind == "span":
            return date(y, 1, 1), date(self.y2, 12, 31)
        return date(y, 1, 1), date(y, 12, 31)

    def with_year(self, y: int) -> "_Atom":
        return replace(self, y=y)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _year(text: str) -> int | None:
    t = text.strip().lstrip("'")
    if not t.isdigit():
        return None
    v = int(t)
    if len(t) == 2:
        v += SETTINGS.two_digit_century
    return v if SETTINGS.year_min <= v <= SETTINGS.year_max else None


def _month(word: str) -> int | None:
    return MONTHS.get(word.strip().rstrip(".").lower())


def _fy(text: str) -> tuple[int, int] | None:
    """(first year, last year) of `2019/20`, `2019-2020`, `23/24`; None if not a year pair."""
    m = re.fullmatch(r"\s*(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text)
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    if len(a) == 2 and len(b) == 4:
        return None
    y1 = _year(a)
    if y1 is None:
        return None
    y2 = int(b) if len(b) == 4 else (y1 // 100) * 100 + int(b)
    if len(a) == 2 and y2 != y1 + 1:
        return None
    if not (SETTINGS.year_min <= y2 <= SETTINGS.year_max) or y2 <= y1:
        return None
    return y1, y2


_RX_YEAR_TAIL = re.compile(rf"[\s,.'-]*({_Y4}|{_YY})\s*$", re.I)


def _split_year(text: str) -> tuple[str, int | None, bool]:
    """Strip a trailing year off `text`: (head, year, had_year)."""
    m = _RX_YEAR_TAIL.search(text)
    if not m:
        return text, None, False
    return text[: m.start()], _year(m.group(1)), True


def _atom(text: str) -> _Atom | None:
    """Parse one atom of the grammar; None when the shape does not hold a valid date."""
    s = text.strip()
    for kind, rx in _RX_ATOM.items():
        if not rx.fullmatch(s):
            continue
        try:
            a = _parse_kind(kind, s)
        except ValueError:
            a = None
        if a is not None:
            return a
    return None


def _parse_kind(kind: str, s: str) -> _Atom | None:
    low = s.lower()
    if kind == "iso":
        y, m, d = (int(x) for x in s.split("-"))
        date(y, m, d)
        return _Atom("day", y, m, d)
    if kind == "num":
        parts = re.split(r"[./]", s)
        d, m, y = int(parts[0]), int(parts[1]), _year(parts[2])
        if m > 12 and d <= 12:
            d, m = m, d
        if y is None:
            return None
        date(y, m, d)
        return _Atom("day", y, m, d)
    if kind in ("dayrange", "dmy"):
        head, y, had = _split_year(s)
        if had and y is None:
            return None
        head = re.sub(WEEKDAY, "", head, count=1, flags=re.I) if kind == "dmy" else head
        mm = re.search(MON, head, re.I)
        if not mm:
            return None
        days = [int(x) for x in re.findall(r"\d+", head[: mm.start()])]
        mon = _month(mm.group(0))
        if not days or mon is None:
            return None
        d1, d2 = days[0], (days[1] if kind == "dayrange" and len(days) > 1 else None)
        chk = y or 2000  # leap year for a year-less 29 February
        date(chk, mon, d1)
        if d2 is not None:
            date(chk, mon, d2)
            if d2 < d1:
                return None
        return _Atom("day", y, mon, d1, d2)
    if kind == "mdy":
        mm = re.match(MON, s, re.I)
        rest = s[mm.end():]
        d = int(re.search(r"\d+", rest).group(0))
        y = int(re.search(_Y4, rest).group(0))
        mon = _month(mm.group(0))
        date(y, mon, d)
        return _Atom("day", y, mon, d)
    if kind == "quarter":
        qm = re.search(r"(?:q|quarter\s*)([1-4])", low)
        q = int(qm.group(1))
        rest = (low[: qm.start()] + " " + low[qm.end():]).replace(",", " ").replace(" of ", " ").strip()
        if not rest:
            return _Atom("quarter", None, q=q, fyq=True)
        fy = _fy(rest)
        if fy and fy[1] == fy[0] + 1:
            return _Atom("quarter", fy[0], q=q, fyq=True)
        y = _year(rest)
        if y is None or len(rest) != 4:
            return None
        return _Atom("quarter", y, q=q, fyq=False)
    if kind == "season":
        sm = re.match(SEASON, low)
        a, b = SEASONS[sm.group(0)]
        rest = low[sm.end():].strip()
        rest = rest[3:].strip() if rest.startswith("of ") else rest
        if not rest:
            return _Atom("season", None, m=a, m2=b)
        fy = _fy(rest)
        if fy:
            # `Winter 2025/26` is the winter that starts in 2025; others take the year the season falls in
            y = fy[0] if (a >= SETTINGS.fiscal_year_start_month or b < a) else fy[1]
            return _Atom("season", y, m=a, m2=b)
        y = _year(rest)
        return None if y is None else _Atom("season", y, m=a, m2=b)
    if kind == "fy":
        fy = _fy(re.sub(r"^fy ?", "", low))
        if not fy:
            return None
        if fy[1] == fy[0] + 1:
            return _Atom("fy", fy[0])
        return _Atom("span", fy[0], y2=fy[1])
    if kind == "my":
        head, y, _ = _split_year(s)
        mon = _month(head.strip(" ,.-'"))
        if y is None or mon is None:
            return None
        return _Atom("month", y, mon)
    if kind == "month":
        mon = _month(s)
        return None if mon is None else _Atom("month", None, mon)
    if kind == "year":
        y = _year(s)
        return None if y is None else _Atom("year", y)
    return None


# --------------------------------------------------------------- matches
@dataclass
class _Found:
    start: int
    end: int
    text: tuple[int, int]      # offsets of the printed expression
    mode: str                  # plain | end | start | before | after | duration | ongoing
    a: _Atom | None = None
    b: _Atom | None = None     # second atom of a range
    conn: str = ""
    prefixed: bool = False     # any prefix word at all (licenses a bare month)

    @property
    def needs_year(self) -> bool:
        return (self.a is not None and self.a.y is None) or (self.b is not None and self.b.y is None)


def _parse_match(raw: str, start: int) -> _Found | None:
    """Turn one finder match into a _Found (range or single); None if it does not parse."""
    pm = _RX_PREFIX.match(raw)
    prefix = raw[: pm.end()] if pm else ""
    words = set(re.findall(r"[a-z]+", prefix.lower()))
    body = raw[len(prefix):]
    onwards = _RX_ONWARDS.search(body)
    if onwards:
        body = body[: onwards.start()]
    mode = "plain"
    if "before" in words:
        mode = "before"
    elif "after" in words:
        mode = "after"
    elif words & _START_WORDS or onwards:
        mode = "start"
    elif words & _END_WORDS:
        mode = "end"
    ti, tj = _display_text(raw)
    text = (start + ti, start + tj)
    if _RX_DURATION.fullmatch(body):
        return _Found(start, start + len(raw), text, "duration")
    if _RX_ONGOING.fullmatch(body):
        return _Found(start, start + len(raw), text, "ongoing")
    between = _RX_BETWEEN.match(body)
    if not between:
        single = _atom(body)
        if single is not None:  # a text that is one valid atom (`Q3 2024-2025`) is never a range
            return _Found(start, start + len(raw), text, mode, single, prefixed=bool(prefix.strip()))
    inner = body[between.end():] if between else body
    for c in _RX_CONN.finditer(inner):
        conn = c.group(0).strip().lower()
        if conn == "and" and not between:
            continue
        a, b = _atom(inner[: c.start()]), _atom(inner[c.end():])
        if a is None or b is None:
            continue
        if conn == "/" and a.y is not None and not (a.kind == "year" and b.kind == "year"):
            continue  # `March 2025 / Ongoing`-style lists are not ranges
        if mode == "start":
            mode = "plain"  # `from X to Y` is the whole range
        return _Found(start, start + len(raw), text, mode, a, b, conn, True)
    if between:
        return None
    a = _atom(body)
    if a is None:
        return None
    return _Found(start, start + len(raw), text, mode, a, prefixed=bool(prefix.strip()))


def _display_text(raw: str) -> tuple[int, int]:
    """(from, to) of the expression as printed inside `raw`: without leading `by`/`in`/`on`-type words
    and trailing punctuation."""
    i, j = 0, len(raw.rstrip(" ,.;:-\n"))
    while True:
        m = re.match(r"\s*([A-Za-z]+)[\s:]+", raw[i:j])
        if m and m.group(1).lower() in _STRIP_TEXT_WORDS and _RX_QUICK.search(raw[i + m.end():j]):
            i += m.end()
            continue
        return i + (len(raw[i:j]) - len(raw[i:j].lstrip())), j


def _scan(text: str, regions: list[tuple[int, int]]) -> list[_Found]:
    """Grammar matches that start inside a DATE span (`regions`), left to right, never overlapping."""
    out: list[_Found] = []
    pos = 0
    for lo, hi in regions:
        pos = max(pos, lo)
        while True:
            m = _RX_FIND.search(text, pos)
            if not m or m.start() >= hi:
                break
            f = _match_at(text, m)
            if f is None:
                pos = m.start() + 1
                continue
            out.append(f)
            pos = f.end
    return out


def _match_at(text: str, m: re.Match) -> _Found | None:
    """The grammar's reading of the expression found at `m`: a range only where no single atom covers the same
    text, else the single atom."""
    s = _RX_SINGLE.match(text, m.start())
    f = None
    if s is None or s.end() < m.end():
        f = _parse_match(m.group(0), m.start())
    if f is None and s is not None:
        f = _parse_match(s.group(0), m.start())
    return f


def _licensed(f: _Found, original: str) -> bool:
    """A year-less month or season alone needs a prefix word, a range partner or a capital letter."""
    if f.a is None or f.b is not None or f.a.y is not None or f.prefixed:
        return True
    if f.a.kind in ("quarter", "day"):
        return True
    body = original[f.start:f.end].strip()
    return body[:1].isupper()


# --------------------------------------------------------------- resolve
def _context_date(i: int, found: list[_Found]) -> date | None:
    """Start of the nearest expression in the cell that carries its own year."""
    best = None
    for j, g in enumerate(found):
        if j == i or g.a is None or g.needs_year:
            continue
        dist = abs(j - i)
        if best is None or dist < best[0]:
            best = (dist, g)
    if best is None:
        return None
    return best[1].a.bounds()[0]


def _fill(a: _Atom, ctx: date) -> _Atom:
    if a.y is not None:
        return a
    if a.kind == "quarter":
        fm = SETTINGS.fiscal_year_start_month
        return a.with_year(ctx.year if ctx.month >= fm else ctx.year - 1)
    return a.with_year(ctx.year)


def _resolve_range(a: _Atom, b: _Atom, conn: str, ctx: date | None) -> tuple[_Atom, _Atom] | None:
    if a.y is None and b.y is None:
        if ctx is None:
            return None
        b = _fill(b, ctx)
    if a.y is None:
        if a.kind == "quarter" and b.kind == "quarter":
            a = replace(a, y=b.y, fyq=b.fyq)
        elif b.kind in ("fy", "quarter") and b.kind != a.kind:
            a = a.with_year(b.bounds()[0].year)
        else:
            a = a.with_year(b.y)
        if a.bounds()[0] > b.bounds()[1]:
            a = a.with_year(a.y - 1)
    elif b.y is None:
        b = replace(b, y=a.y, fyq=a.fyq) if (a.kind == "quarter" and b.kind == "quarter") else b.with_year(a.y)
        if b.bounds()[1] < a.bounds()[0]:
            b = b.with_year(b.y + 1)
    if a.kind == "year" and b.kind == "year" and conn in ("-", "/") and b.y == a.y + 1:
        return _Atom("fy", a.y), _Atom("fy", a.y)
    return a, b


def _span(f: _Found, ctx: date | None) -> DateSpan | None:
    if f.mode == "duration":
        return DateSpan("", None, None, "duration")
    if f.mode == "ongoing":
        return DateSpan("", None, None, "ongoing")
    try:
        if f.b is not None:
            pair = _resolve_range(f.a, f.b, f.conn, ctx)
            if pair is None:
                return None
            a, b = pair
            start, end = a.bounds()[0], b.bounds()[1]
        else:
            if f.a.y is None and ctx is None:
                return None
            a = _fill(f.a, ctx) if f.a.y is None else f.a
            start, end = a.bounds()
    except (ValueError, TypeError, OverflowError):
        return None
    if start > end:
        return None
    prec = a.precision
    if f.mode == "end":
        return DateSpan("", None, end, prec)
    if f.mode == "before":
        return DateSpan("", None, start - timedelta(days=1), prec)
    if f.mode == "start":
        return DateSpan("", start, None, prec)
    if f.mode == "after":
        return DateSpan("", end + timedelta(days=1), None, prec)
    return DateSpan("", start, end, prec)


_QUALIFYING = {"until", "till", "to", "through", "throughout", "from", "since", "during", "in", "by"}
_CONTINUING = {"throughout", "through", "until", "till"}


def _drop_qualifying_ongoing(found: list[_Found], text: str) -> list[_Found]:
    """`ongoing until March 2026`, `Ongoing influencing role throughout 2019/20`: the ongoing qualifies the
    span it runs into and adds no row. A sentence break, line break or dash in between keeps it."""
    keep = []
    for i, f in enumerate(found):
        if f.mode == "ongoing" and i + 1 < len(found) and found[i + 1].mode != "ongoing":
            nxt = found[i + 1]
            gap = text[f.end:nxt.start]
            first = re.match(r"[a-z]+", text[nxt.start:nxt.end].lower())
            word = first.group(0) if first else ""
            if re.fullmatch(r"[ ,]*", gap) and word in _QUALIFYING:
                continue
            if word in _CONTINUING and not re.search(r"[.;:\n]|\s-\s|^\s*-", gap):
                continue
        keep.append(f)
    return keep


@lru_cache(maxsize=4096)
def _dateparser_day(text: str) -> date | None:
    """Fallback for day-level text our grammar saw but could not resolve (UK settings)."""
    import dateparser

    got = dateparser.parse(text, languages=["en"], settings={
        "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["absolute-time"]})
    return got.date() if got else None


_NOT_MONTHS = {"year", "years", "month", "months", "week", "weeks", "day", "days", "and", "to", "the", "from", "until",
               "till", "by", "of", "in"}


def _fallback_days(text: str, original: str, regions: list[tuple[int, int]]) -> list[tuple[int, int, DateSpan]]:
    """Day-month-year shapes inside DATE spans that the grammar cannot read as one atom (a month word outside
    our lexicon, month-first `Mar 4 2025`, `March the 4th, 2025`), via dateparser."""
    out = []
    for m in (m for lo, hi in regions for m in _RX_LOOSE_DAY.finditer(text, lo, hi)):
        words = {w.lower() for w in re.findall(r"[a-z]{3,10}", m.group(0), re.I)}
        if words & _NOT_MONTHS - {"the", "of"} or _atom(m.group(0)) is not None:
            continue
        d = _dateparser_day(m.group(0))
        if d is not None:
            out.append((m.start(), m.end(), DateSpan(original[m.start():m.end()], d, d, "day")))
    return out


def find_dates(text: str, reference: date | None = None) -> list[DateSpan]:
    """Every date expression in `text`, in order (see the module docstring)."""
    if not text or not _RX_QUICK.search(text):
        return []
    return list(_find_dates(str(text), reference))


@lru_cache(maxsize=SETTINGS.cell_cache_size)
def _find_dates(text: str, reference: date | None) -> tuple[DateSpan, ...]:
    folded = fold(text)
    regions = char_spans(folded, "DATE")
    if not regions:
        return ()
    extra = _fallback_days(folded, text, regions)
    found = [f for f in _scan(folded, regions) if _licensed(f, folded)
             and not any(s < f.end and f.start < e for s, e, _ in extra)]
    found = _drop_qualifying_ongoing(found, folded)
    out: list[tuple[int, DateSpan]] = []
    for i, f in enumerate(found):
        ctx = None
        if f.needs_year:
            ctx = (_context_date(i, found) if SETTINGS.context_year else None) or reference
        span = _span(f, ctx)
        if span is not None:
            out.append((f.start, replace(span, text=text[f.text[0]:f.text[1]])))
    out.extend((s, span) for s, _, span in extra)
    out.sort(key=lambda p: p[0])
    return tuple(s for _, s in out)
