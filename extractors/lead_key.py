"""A document's key of lead codes (EDT – Economic Development Team), wherever it is printed.

Three forms are read from the text outside the plan tables:
- an anchored list: `KEY FOR LEAD ROLE: EDT – …; HOD – …` at a page foot, or
  `Key:` followed by one `CODE = Name` per line, once at the end;
- a small key table: a `Code | Lead role` (Abbreviation | Role, …) header with
  one code and its name per line;
- three or more consecutive lines that are each nothing but `CODE – Name`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.cleantext import clean_inline
from extractors.tables import Line, PageTables, is_key_anchor

_CODE = r"[A-Z][A-Za-z0-9&]{0,2}[A-Z0-9&]{0,7}"
_SEP = r"\s*(?:–|—|-|=|:)\s*"
_ENTRY = re.compile(rf"^\s*({_CODE}){_SEP}(\S.*?)\s*\.?\s*$")
_SPLIT = re.compile(rf";|\n(?=\s*{_CODE}{_SEP}\S)")
_ANCHOR_PREFIX = re.compile(
    r"^\s*(key( for lead( role)?s?| to (lead|abbreviations|codes))?|lead (officer )?codes|abbreviations( used)?|glossary)\s*[:\-–]?\s*",
    re.I)
_KEY_HEAD_LEFT = re.compile(r"^(code|codes|abbreviation|abbrev\.?|acronym|key|initials)$", re.I)
_KEY_HEAD_RIGHT = re.compile(r"^(lead role|role|roles|name|meaning|officer|lead|description|title|job title|post|lead officer)$", re.I)


@dataclass(frozen=True)
class KeySettings:
    max_key_lines: int = 20        # lines read after an anchor
    max_code_len: int = 8
    min_bare_entries: int = 3      # unanchored runs of CODE – Name lines needed to count as a key
    cell_gap_ratio: float = 0.9    # a gap this many font sizes wide separates code and name in a key table


def _is_code(code: str, s: KeySettings) -> bool:
    return 2 <= len(code) <= s.max_code_len and sum(ch.isupper() for ch in code) >= 2 and not code.isdigit()


_PAREN = re.compile(rf"\b({_CODE})\s*\(([^()]{{3,80}})\)")


def parse_entries(text: str, s: KeySettings = KeySettings()) -> dict[str, str]:
    """`EDT – Economic Development Team; HOD – Head of …` (or one per line, or
    `EDT (Economic Development Team), HOD (…)`) -> {code: name}."""
    out: dict[str, str] = {}
    if not _ENTRY.match(text.split("\n")[0].split(";")[0]):
        for m in _PAREN.finditer(text.replace("\n", " ")):
            if _is_code(m.group(1), s):
                out.setdefault(m.group(1), clean_inline(m.group(2)))
        if out:
            return out
    for chunk in _SPLIT.split(text):
        m = _ENTRY.match(chunk.replace("\n", " "))
        if m and _is_code(m.group(1), s):
            name = clean_inline(m.group(2)).rstrip(";,. ")
            if name and not re.fullmatch(r"[\d\W]+", name):
                out.setdefault(m.group(1), name)
    return out


def _anchored(lines: list[Line], s: KeySettings) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, ln in enumerate(lines):
        if not is_key_anchor(ln.text):
            continue
        rest = _ANCHOR_PREFIX.sub("", ln.text, count=1)
        buf = [rest] if rest else []
        for nxt in lines[i + 1:i + 1 + s.max_key_lines]:
            t = nxt.text
            if is_key_anchor(t) or nxt.top - ln.bottom > 40 * (1 + len(buf)):
                break
            buf.append(t)
        found = _leading_entries(buf, s)
        for k, v in found.items():
            out.setdefault(k, v)
    return out


def _leading_entries(buf: list[str], s: KeySettings) -> dict[str, str]:
    """Entries from the lines after an anchor, stopping at the first line that is not part of the key."""
    kept: list[str] = []
    for t in buf:
        if _ENTRY.match(t) or ";" in t or (kept and not _looks_like_prose(t)):
            kept.append(t)
        elif not kept and _key_header(t):
            continue
        else:
            break
    return parse_entries("\n".join(kept), s)


def _looks_like_prose(t: str) -> bool:
    return len(t.split()) > 12 and not re.search(_SEP, t)


def _key_header(t: str) -> bool:
    parts = t.split()
    return len(parts) <= 4 and bool(_KEY_HEAD_LEFT.match(parts[0])) if parts else False


def _key_tables(lines: list[Line], s: KeySettings) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, ln in enumerate(lines):
        cells = _two_cells(ln, s)
        if not cells or not (_KEY_HEAD_LEFT.match(cells[0]) and _KEY_HEAD_RIGHT.match(cells[1])):
            continue
        code_x = ln.words[0].x0
        for nxt in lines[i + 1:i + 1 + 40]:
            c = _two_cells(nxt, s)
            if not c or abs(nxt.words[0].x0 - code_x) > 6 or not _is_code(c[0], s):
                break
            out.setdefault(c[0], clean_inline(c[1]))
    return out


def _two_cells(ln: Line, s: KeySettings) -> tuple[str, str] | None:
    ws = ln.words
    for k in range(1, len(ws)):
        if ws[k].x0 - ws[k - 1].x1 >= s.cell_gap_ratio * max(ws[k].size, 1.0):
            return " ".join(w.text for w in ws[:k]), " ".join(w.text for w in ws[k:])
    return None


def _bare_runs(lines: list[Line], s: KeySettings) -> dict[str, str]:
    out: dict[str, str] = {}
    run: list[str] = []
    for ln in lines + [None]:
        if ln is not None and _ENTRY.match(ln.text) and _is_code(_ENTRY.match(ln.text).group(1), s) \
                and len(ln.text.split()) <= 10:
            run.append(ln.text)
            continue
        if len(run) >= s.min_bare_entries:
            for k, v in parse_entries("\n".join(run), s).items():
                out.setdefault(k, v)
        run = []
    return out


def find_lead_key(pages: list[PageTables], s: KeySettings = KeySettings()) -> dict[str, str]:
    """The document's key of lead codes, {code: name} in first-printed order ({} if none)."""
    key: dict[str, str] = {}
    for pt in pages:
        lines = pt.free_lines
        for found in (_anchored(lines, s), _key_tables(lines, s), _bare_runs(lines, s)):
            for k, v in found.items():
                key.setdefault(k, v)
    return key


def expand_lead(lead: str, key: dict[str, str]) -> str:
    """`EDT` -> its name; `EDT/SSM` -> both names; anything not in the key stays as printed."""
    if not key or not lead:
        return lead
    if lead in key:
        return key[lead]
    parts = [p for p in re.split(r"\s*(?:/|,|&|\band\b|\n)\s*", lead) if p]
    if len(parts) > 1 and all(p in key for p in parts):
        return " / ".join(key[p] for p in parts)
    return lead
