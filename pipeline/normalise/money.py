"""Sums of money in resource cells -> Money (CONTRACT.md, costs).

spaCy proposes MONEY spans (`spans.py`: `£`/`GBP` + number + unit + period
words, signs, brackets, ranges); the rules below read the sums that start
inside them, looking at the whole cell for the period words around a sum.
Whole cells are cached.

A sum is `£` (or `GBP`) + number + optional unit (`k`, `m`, `bn`, `million`,
`billion`, `thousand`), or number + unit + `pounds`. Rules:

- sign: a leading `-`/`−` makes it negative, `+` positive; a cell holding
  nothing but one bracketed sum, `(£2.1m)`, is negative (accounting style);
  a bracketed sum inside a sentence is an aside and stays positive.
- ranges (`£12m-17m`, `£250k - £450k`, `£0.159bn to £0.166bn`,
  `between £130k and £180k`) are one row: the lower bound, the whole text;
  a lower bound without a unit takes the upper bound's (`£12-17m`).
  `from £X to £Y` is two sums.
- period: `pa`, `p.a.`, `per annum`, `per year`, `a year`, `each year`,
  `annual(ly)` right after the sum, or `annual`/`one-off` earlier in the same
  clause (since the previous sum, on the same line), make it per_year /
  one_off; `one-off` right after the sum makes it one_off; weekly, monthly
  and hourly rates, and everything else, are unspecified.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from .lexicon import SETTINGS, fold
from .model import Money
from .spans import char_spans

_UNITS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "b": 1e9, "billion": 1e9}
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = r"(?:million|billion|thousand|bn|mn|[kmb])(?![a-z])"
_SUM = rf"(?:£|gbp\s?)\s?(?:{_NUM})(?:\s?{_UNIT})?|(?:{_NUM})\s?(?:{_UNIT}\s)?(?:pounds|gbp)(?![a-z])"
_RANGE_TAIL = rf"(?:\s*-\s*|\s+to\s+)(?:£\s?)?(?:{_NUM})(?:\s?{_UNIT})?"

_RX_SUM = re.compile(
    rf"(?P<sign>[-+])?(?P<open>\(\s*)?(?P<sum>{_SUM})(?P<tail>{_RANGE_TAIL})?", re.I)
_RX_BETWEEN = re.compile(rf"between\s+(?P<a>{_SUM})\s+and\s+(?P<b>(?:£\s?)?(?:{_NUM})(?:\s?{_UNIT})?)", re.I)
_RX_PARTS = re.compile(rf"(?P<num>{_NUM})\s?(?P<unit>{_UNIT})?", re.I)
_RX_PER_YEAR_AFTER = re.compile(
    r"\s*\)?\s*\(?\s*(?:pa(?![a-z])|p\.\s?a\.?|per\s+annum|per\s+year|a\s+year|each\s+year|every\s+year|annual(?:ly)?"
    r"|/\s?(?:yr|year|annum)(?![a-z])|per\s+yr)", re.I)
_RX_ONE_OFF_AFTER = re.compile(r"\s*\)?\s*\(?\s*one[\s-]?off(?![a-z])", re.I)
_RX_ONE_OFF = re.compile(r"one[\s-]?off(?![a-z])", re.I)
_RX_ANNUAL = re.compile(r"(?<![a-z])(?:annual(?:ly)?|per\s+annum|each\s+year|every\s+year)(?![a-z])", re.I)
_RX_QUICK = re.compile(r"£|gbp|pounds", re.I)


def _value(text: str, unit_default: str | None = None) -> tuple[float, str | None] | None:
    m = _RX_PARTS.search(text)
    if not m:
        return None
    unit = (m.group("unit") or "").lower() or None
    v = float(m.group("num").replace(",", "")) * _UNITS.get(unit or unit_default or "", 1.0)
    return (v, unit) if math.isfinite(v) else None


def _period(text: str, start: int, end: int, prev_end: int) -> str:
    after = text[end:end + 40]
    if _RX_PER_YEAR_AFTER.match(after):
        return "per_year"
    if _RX_ONE_OFF_AFTER.match(after):
        return "one_off"
    # the same clause before the sum: since the previous sum, on the same line, within the same sentence
    lo = max(prev_end, text.rfind("\n", 0, start) + 1)
    before = text[lo:start]
    if prev_end and lo == prev_end:  # a marker right after the previous sum belongs to that sum
        marker = _RX_ONE_OFF_AFTER.match(before) or _RX_PER_YEAR_AFTER.match(before)
        before = before[marker.end():] if marker else before
    cut = max(before.rfind(". "), before.rfind("; "))
    if cut >= 0:
        before = before[cut + 2:]
    if _RX_ONE_OFF.search(before):
        return "one_off"
    if _RX_ANNUAL.search(before):
        return "per_year"
    return "unspecified"


def _in_spans(rx: re.Pattern, t: str, regions: list[tuple[int, int]], group: str | int = 0):
    """Matches of `rx` in `t` (whole-text semantics) whose `group` starts inside a MONEY span, without overlap."""
    pos = 0
    for lo, hi in regions:
        pos = max(pos, lo)
        while True:
            m = rx.search(t, pos)
            if not m or m.start(group) >= hi:
                break
            if m.start(group) >= lo:
                yield m
            pos = max(m.end(), m.start() + 1)


def find_money(text: str) -> list[Money]:
    """Every sum of money in `text`, in order (see the module docstring)."""
    if not text or not _RX_QUICK.search(text):
        return []
    return list(_find_money(str(text)))


@lru_cache(maxsize=SETTINGS.cell_cache_size)
def _find_money(original: str) -> tuple[Money, ...]:
    t = fold(original)
    regions = char_spans(t, "MONEY")
    if not regions:
        return ()
    found: list[tuple[int, int, float, int]] = []   # (start, end, amount, end of the sum proper)
    taken: list[tuple[int, int]] = []
    for m in _in_spans(_RX_BETWEEN, t, regions):
        lo, hi = _value(m.group("a")), _value(m.group("b"))
        if lo is None or hi is None:
            continue
        amount = lo[0] if lo[1] or not hi[1] else _value(m.group("a"), hi[1])[0]
        found.append((m.start(), m.end(), amount, m.end()))
        taken.append((m.start(), m.end()))
    for m in _in_spans(_RX_SUM, t, regions, "sum"):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        lo = _value(m.group("sum"))
        if lo is None:
            continue
        amount, end = lo[0], m.end()
        tail = m.group("tail")
        preceded_by_from = re.search(r"(?<![a-z])from\s*$", t[max(0, m.start() - 12):m.start()], re.I)
        if tail and not preceded_by_from:
            hi = _value(tail)
            if hi is not None and hi[0] > 0 and lo[1] is None and hi[1]:
                amount = _value(m.group("sum"), hi[1])[0]
        elif tail:  # `from £X to £Y`: two sums
            end = m.start("tail")
            second = re.search(rf"£?\s?(?:{_NUM})", t[end:m.end()])
            hi = _value(tail)
            if second and hi is not None:
                found.append((end + second.start(), m.end(), hi[0], m.end()))
        start = m.start("open") if m.group("open") else m.start("sum")
        if m.group("sign") == "-":
            amount = -amount
            start = m.start()
        elif m.group("sign") == "+":
            start = m.start()
        if m.group("open") and _only_bracketed(t, m):
            amount = -abs(amount)
        found.append((start, end, amount, end))
    found.sort()
    out, prev_end = [], 0
    for start, end, amount, _ in found:
        s = start + 1 if t[start] == "(" else start
        period = _period(t, s, end, prev_end)
        marker = _RX_PER_YEAR_AFTER.match(t, end) if period == "per_year" else None
        if marker and not set("()") & set(marker.group(0)):
            end = marker.end()  # `£55k pa` is printed with its period
        out.append(Money(original[s:end].strip(), round(amount, 2), period))
        prev_end = end
    return tuple(out)


def _only_bracketed(t: str, m: re.Match) -> bool:
    """True when the whole text is one bracketed sum, `(£2.1m)` (optionally with a period after it)."""
    rest = t[m.end():]
    close = re.match(r"\s*\)", rest)
    if not close:
        return False
    outside = (t[:m.start()] + rest[close.end():]).strip()
    return not outside or bool(_RX_PER_YEAR_AFTER.fullmatch(" " + outside))
