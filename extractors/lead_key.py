"""A document's key of lead codes (EDT – Economic Development Team), wherever it is printed.

The key is read from the text outside the plan tables, before or after the plan:
- under a title (`Key`, `Key to lead officers`, `KEY FOR LEAD ROLE:`, `Lead roles`, `Abbreviations`,
  `Glossary`, ...), on the title's line or on the lines below it;
- as a small two-column table (`Code | Lead role`, `Abbreviation | Meaning`, or no header at all);
- with no title at all: a run of lines that holds nothing but three or more entries.

An entry is `CODE – Name` (also `-`, `=`, `:`), `CODE (Name)` or `Name (CODE)`; entries stand one per
line or run on in a paragraph separated by `;` or `,`. Codes are matched to lead cells whatever their
case and punctuation (`E.D.T.` is `EDT`). A found key counts only if some of its codes appear in the
lead column: a glossary of other terms is not a key of lead codes and never overrides one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.cleantext import clean_inline
from extractors.tables import Line, PageTables, is_key_anchor

_CODE = r"(?:(?:[A-Z]\.){2,6}|[A-Z][A-Za-z0-9&]{0,2}[A-Z0-9&]{0,7})"
_SEP = r"\s*(?:–|—|-|=|:)\s*"
_ENTRY = re.compile(rf"^\s*(?:and\s+)?({_CODE}){_SEP}(\S.*?)\s*\.?\s*$", re.S)
_SPLIT = re.compile(rf";|\n(?=\s*{_CODE}{_SEP}\S)|,(?=\s*(?:and\s+)?{_CODE}{_SEP}\S)|"
                    r"\s(?=(?:[A-Z]\.){2,6}\s*[–—=:-]\s+[A-Z]|[A-Z][A-Z0-9&]{1,7}\s*[–—=:]\s+[A-Z]|[A-Z][A-Z0-9&]{1,7}\s+-\s+[A-Z])")
_CODE_PAREN = re.compile(rf"\b({_CODE})\s*\(([^()]{{3,80}})\)")       # EDT (Economic Development Team)
_PAREN_CODE = re.compile(rf"\(\s*({_CODE})\s*\)")                     # Economic Development Team (EDT)
_TITLE = re.compile(
    r"^\s*(?:key(?:\s+(?:for|to)\s+(?:the\s+)?(?:lead|abbreviations?|codes|acronyms|officers?|roles?)\w*"
    r"(?:\s+(?:roles?|officers?|codes))?)?|lead\s+(?:roles?|officers?(?:\s+codes)?|codes)(?:\s+key)?|"
    r"(?:list\s+of\s+)?(?:abbreviations|acronyms)(?:\s+used)?|glossary(?:\s+of\s+terms)?)"
    r"(?![\w-])[\s:\-–—]*", re.I)
_KEY_HEAD_LEFT = re.compile(r"^(code|codes|abbreviation|abbreviations|abbrev\.?|acronym|acronyms|key|initials|"
                            r"lead)$", re.I)
_KEY_HEAD_RIGHT = re.compile(r"^(lead role|lead roles|role|roles|name|names|meaning|officer|lead|description|title|"
                             r"job title|post|lead officer|lead officers|full title|stands for|service|team)$", re.I)
_LEAD_SEP = re.compile(r"(\s*(?:/|,|&|\+|;|\n|\band\b)\s*)", re.I)


@dataclass(frozen=True)
class KeySettings:
    max_key_lines: int = 20        # lines read after a title
    max_code_len: int = 8          # letters and digits of a code (dots aside)
    min_bare_entries: int = 3      # entries an untitled run of lines needs to count as a key
    cell_gap_ratio: float = 0.9    # a gap this many font sizes wide separates code and name in a key table
    max_name_words: int = 12       # a longer "name" is prose, not a lead role
    title_gap_ratio: float = 3.0   # a key's lines follow each other within this many line heights
    prose_words: int = 12          # a continuation line longer than this with no separator is prose
    min_used_share: float = 0.5    # a second key counts if this share of its codes stand in the lead column


def code_key(code: str) -> str:
    """A code as matched: capitals and digits only (`E.D.T.`, `Edt` and `EDT` are one code)."""
    return re.sub(r"[^A-Za-z0-9&]", "", code).upper()


def _is_code(code: str, s: KeySettings) -> bool:
    bare = code.replace(".", "")
    return 2 <= len(bare) <= s.max_code_len and sum(ch.isupper() for ch in bare) >= 2 and not bare.isdigit()


def _name_ok(name: str, s: KeySettings, strict: bool) -> bool:
    if not name or re.fullmatch(r"[\d\W]+", name) or len(name.split()) > s.max_name_words:
        return False
    return not strict or name[:1].isupper()


# ---------------------------------------------------------------- entries in a run of text

def _sep_entries(text: str, s: KeySettings, strict: bool) -> dict[str, str]:
    """`EDT – Economic Development Team; HOD – …` (or one per line, or separated by commas)."""
    out: dict[str, str] = {}
    for chunk in _SPLIT.split(text):
        flat = chunk.replace("\n", " ").strip().lstrip(":;,.-–— ")
        if not flat:
            continue
        m = _ENTRY.match(flat)
        name = clean_inline(m.group(2)).rstrip(";,. ") if m else ""
        if m and _is_code(m.group(1), s) and _name_ok(name, s, strict):
            out.setdefault(m.group(1), name)
        elif strict:
            return {}
    return out


def _code_paren_entries(text: str, s: KeySettings, strict: bool) -> dict[str, str]:
    """`EDT (Economic Development Team), HOD (…)`."""
    out: dict[str, str] = {}
    flat, pos = text.replace("\n", " "), 0
    for m in _CODE_PAREN.finditer(flat):
        name = clean_inline(m.group(2))
        if not _is_code(m.group(1), s) or _is_code(name, s) or not _name_ok(name, s, strict):
            continue
        if strict and flat[pos:m.start()].strip(" ,;.") not in ("", "and"):
            return {}
        out.setdefault(m.group(1), name)
        pos = m.end()
    if strict and flat[pos:].strip(" ,;.") != "":
        return {}
    return out


def _paren_code_entries(text: str, s: KeySettings, strict: bool) -> dict[str, str]:
    """`Economic Development Team (EDT), Head of Organisational Development (HOD)`: the name is all the
    text since the previous entry (a name may hold a comma: `Assistant Director, Finance (ADF)`)."""
    out: dict[str, str] = {}
    flat, pos = text.replace("\n", " "), 0
    for m in _PAREN_CODE.finditer(flat):
        if not _is_code(m.group(1), s):
            continue
        name = clean_inline(re.sub(r"^[\s,;.]*(?:and\s+)?", "", flat[pos:m.start()])).rstrip(" -–:")
        if not _name_ok(name, s, strict):
            if strict:
                return {}
            continue
        out.setdefault(m.group(1), name)
        pos = m.end()
    if strict and flat[pos:].strip(" ,;.") != "":
        return {}
    return out


def parse_entries(text: str, s: KeySettings = KeySettings(), strict: bool = False) -> dict[str, str]:
    """The entries of a key's text, {code: name} in printed order. `strict`: the text must be nothing but
    entries, each name capitalised (an untitled key), else {}."""
    best: dict[str, str] = {}
    for parser in (_sep_entries, _code_paren_entries, _paren_code_entries):
        found = parser(text, s, strict)
        if len(found) > len(best):
            best = found
    return best


# ---------------------------------------------------------------- where a key is printed

def _two_cells(ln: Line, s: KeySettings) -> tuple[str, str] | None:
    ws = ln.words
    for k in range(1, len(ws)):
        if ws[k].x0 - ws[k - 1].x1 >= s.cell_gap_ratio * max(ws[k].size, 1.0):
            return " ".join(w.text for w in ws[:k]), " ".join(w.text for w in ws[k:])
    return None


def _key_text(ln: Line, s: KeySettings) -> str:
    """A line's text, with a two-column key row (`EDT    Economic Development Team`, or the name first)
    written as the entry it is (`EDT – Economic Development Team`)."""
    cells = _two_cells(ln, s)
    if cells:
        a, b = cells
        if _is_code(a, s) and not _is_code(b, s) and len(b.split()) <= s.max_name_words:
            return f"{a} – {b}"
        if _is_code(b, s) and not _is_code(a, s) and len(a.split()) <= s.max_name_words:
            return f"{b} – {a}"
    return ln.text


def _title_rest(text: str, s: KeySettings) -> str | None:
    """The text after a key's title on its line ('' for a title alone); None if the line is no title."""
    m = _TITLE.match(text)
    if m:
        rest = text[m.end():].strip()
        if not rest or parse_entries(rest, s) or _key_header(rest):
            return rest
    if is_key_anchor(text):
        return _TITLE.sub("", text, count=1).strip() if m else re.sub(r"^[^:–-]*[:–-]\s*", "", text).strip()
    return None


def _key_header(t: str) -> bool:
    """`Code  Lead role`, `Abbreviation  Meaning`: a key table's column header."""
    parts = t.split()
    return 2 <= len(parts) <= 4 and bool(_KEY_HEAD_LEFT.match(parts[0])) \
        and bool(_KEY_HEAD_RIGHT.match(" ".join(parts[1:])))


def _looks_like_prose(t: str, s: KeySettings) -> bool:
    return len(t.split()) > s.prose_words and not re.search(_SEP, t)


def _gap_ok(prev: Line, nxt: Line, s: KeySettings) -> bool:
    h = max(prev.bottom - prev.top, 4.0)
    return -h < nxt.top - prev.bottom <= s.title_gap_ratio * h


def _titled(lines: list[Line], s: KeySettings) -> list[dict[str, str]]:
    """Keys under a title, on the title's line and the lines below it."""
    out = []
    for i, ln in enumerate(lines):
        rest = _title_rest(ln.text, s)
        if rest is None:
            continue
        kept: list[str] = [rest] if rest and not _key_header(rest) else []
        last = ln
        for nxt in lines[i + 1:i + 1 + s.max_key_lines]:
            t = _key_text(nxt, s)
            if _title_rest(nxt.text, s) is not None or not _gap_ok(last, nxt, s):
                break
            if parse_entries(t, s) or (kept and not _looks_like_prose(t, s)):
                kept.append(t)
            elif not kept and _key_header(t):
                pass
            else:
                break
            last = nxt
        found = parse_entries("\n".join(kept), s)
        if found:
            out.append(found)
    return out


def _key_tables(lines: list[Line], s: KeySettings) -> list[dict[str, str]]:
    """A `Code | Lead role` table with no title: the header, then one code and its name per line."""
    out = []
    for i, ln in enumerate(lines):
        cells = _two_cells(ln, s)
        if not cells or not (_KEY_HEAD_LEFT.match(cells[0]) and _KEY_HEAD_RIGHT.match(cells[1])):
            continue
        found: dict[str, str] = {}
        code_x = ln.words[0].x0
        for nxt in lines[i + 1:i + 1 + 40]:
            c = _two_cells(nxt, s)
            if not c or abs(nxt.words[0].x0 - code_x) > 6 or not _is_code(c[0], s):
                break
            found.setdefault(c[0], clean_inline(c[1]))
        if found:
            out.append(found)
    return out


def _bare_runs(lines: list[Line], s: KeySettings) -> list[dict[str, str]]:
    """Untitled keys: consecutive lines holding nothing but entries, three or more in all."""
    out = []
    run: list[str] = []
    last: Line | None = None
    for ln in lines + [None]:
        if ln is not None:
            t = _key_text(ln, s)
            starts = bool(parse_entries(t, s, strict=True)) or bool(_ENTRY.match(t) and run)
            cont = bool(run) and last is not None and _gap_ok(last, ln, s) and not _looks_like_prose(t, s) \
                and not re.search(r"[.;]$", run[-1]) and len(t.split()) <= s.prose_words
            if (starts and (not run or _gap_ok(last, ln, s))) or cont:
                run.append(t)
                last = ln
                continue
        if run:
            found = parse_entries("\n".join(run), s, strict=True)
            if len(found) >= s.min_bare_entries:
                out.append(found)
        run, last = [], None
        if ln is not None:
            t = _key_text(ln, s)
            if parse_entries(t, s, strict=True):
                run, last = [t], ln
    return out


def key_in_text(text: str, s: KeySettings = KeySettings()) -> dict[str, str]:
    """The key a block of text holds on its own (a title and entries, or three or more untitled entries and
    nothing else), else {}: for a key a table took in as a full-width row."""
    text = " ".join(text.split())
    rest = _title_rest(text, s)
    if rest:
        return parse_entries(rest, s)
    found = parse_entries(text, s, strict=True)
    return found if len(found) >= s.min_bare_entries else {}


def _in_tables(pt: PageTables, s: KeySettings) -> list[dict[str, str]]:
    return [k for t in pt.tables for r in t.rows if r.kind == "section" and (k := key_in_text(r.section_text, s))]


def _lead_tokens(leads: list[str]) -> set[str]:
    return {code_key(t) for lead in leads for t in re.split(r"[\s/,&;+()]+|\band\b", lead or "") if t}


def _relevant(groups: list[dict[str, str]], leads: list[str], s: KeySettings) -> list[dict[str, str]]:
    """Keys whose codes stand in the lead column: the one with most codes there, and any other with at
    least `min_used_share` of its codes there (a glossary of other terms is not a key of lead codes)."""
    tokens = _lead_tokens(leads)
    hits = [sum(code_key(c) in tokens for c in g) for g in groups]
    best = max(hits, default=0)
    return [g for g, h in zip(groups, hits) if h and (h == best or h >= s.min_used_share * len(g))]


def find_lead_key(pages: list[PageTables], s: KeySettings = KeySettings(),
                  leads: list[str] | None = None) -> dict[str, str]:
    """The document's key of lead codes, {code: name} in first-printed order ({} if none).

    With `leads` (the lead cells of the plan), only keys whose codes appear there count (see _relevant);
    where two keys give one code different names, the key with more codes in the lead column wins."""
    groups: list[dict[str, str]] = []
    for pt in pages:
        for finder in (_titled, _key_tables, _bare_runs):
            groups.extend(g for g in finder(pt.free_lines, s) if g)
        groups.extend(_in_tables(pt, s))
    if leads is not None:
        groups = _relevant(groups, leads, s)
        tokens = _lead_tokens(leads)
        rank = sorted(range(len(groups)), key=lambda i: -sum(code_key(c) in tokens for c in groups[i]))
    else:
        rank = list(range(len(groups)))
    names: dict[str, str] = {}
    for i in rank:
        for k, v in groups[i].items():
            names.setdefault(code_key(k), v)
    key: dict[str, str] = {}
    seen: set[str] = set()
    for g in groups:
        for k in g:
            if code_key(k) not in seen:
                seen.add(code_key(k))
                key[k] = names[code_key(k)]
    return key


def _expand_part(part: str, norm: dict[str, str], s: KeySettings) -> str | None:
    p = part.strip()
    if not p or " " in p or len(code_key(p)) > s.max_code_len:
        return None
    return norm.get(code_key(p))


def expand_lead(lead: str, key: dict[str, str], s: KeySettings = KeySettings()) -> str:
    """`EDT` -> its name; `EDT / SSM`, `EDT and SSM`, `E.D.T., SSM` -> each code's name in its place,
    separators kept; anything not in the key stays as printed."""
    if not key or not lead:
        return lead
    norm = {code_key(k): v for k, v in key.items()}
    pieces = _LEAD_SEP.split(lead.strip())
    names = [_expand_part(p, norm, s) if i % 2 == 0 else None for i, p in enumerate(pieces)]
    if not any(names):
        words = lead.split()
        if len(words) > 1 and all(_expand_part(w, norm, s) for w in words):
            return " ".join(_expand_part(w, norm, s) for w in words)  # `EDT SSM`: codes on two lines
        return lead
    out = []
    for i, (p, name) in enumerate(zip(pieces, names)):
        if i % 2:
            sep = p.strip() or " "
            out.append(f"{sep} " if sep in ",;" else f" {sep} " if sep != " " else " ")
        else:
            out.append(name if name else p.strip())
    return "".join(out)
