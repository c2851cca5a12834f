"""Stage 4 — agenda records: the meeting an agenda summons and its numbered items.

Reads the pages of an agenda (a frontsheet, or the agenda part of a pack; see
`extractors/classify.py::split_parts`) as printed lines, in small pure steps:

1. lines: words -> printed lines (running page numbers dropped), each with its
   style (size, bold) and box;
2. meeting: the meeting date is the first full date that a start time follows
   (else the first in the heading type, else the first); the start time is read
   after it; the body is the heading printed above it (in the largest type, the
   issuing authority and the words around the name dropped); the venue is the
   place a sentence names (`will be held in the X on <date>`, `Venue: X`), else
   the lines below the date that name a place (`Chamber`, `Room`, `Hall` ...);
3. items: item numbers are the first word of a line at one left edge, in
   sequence (`1`, `2`, `3` ...; `4a` or `(a)` under `4` are sub-items); an item
   runs until the next item, a line set left of its text, a centred heading or a
   wide vertical gap;
4. title and description: the title is the first line and every line that
   continues it (same style, no paragraph gap, and its first word would not
   have fitted on the line before: the line wrapped); the rest, from the first
   line set apart (another style, a gap, a dash or bullet, or a line that
   follows a short one), is description, paragraphs joined with a newline;
5. page references (`(Pages 7 - 12)`, `Page 5`, or a bare range in a
   right-hand column) are taken out of the item's words wherever they sit.

Dates and times go through the normaliser (`pipeline.normalise`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extractors.cleantext import clean_inline, line_groups, mostly
from extractors.committee import AgendaItem, Meeting
from extractors.layout import DocumentLayout, PageLayout, Word
from pipeline.normalise import find_dates, find_times


@dataclass(frozen=True)
class AgendaSettings:
    line_tolerance: float = 2.5        # word tops within this (pt) are one printed line
    segment_gap: float = 14.0          # a horizontal gap wider than this (pt) starts a new segment of a line
    margin_band: float = 0.07          # top / bottom share of the page where running page numbers sit
    running_band: float = 0.05         # top / bottom share where running heads and feet sit (skipped inside items)
    number_x_tolerance: float = 4.0    # item numbers of one agenda start within this (pt) of one another
    max_number_gap: float = 60.0       # an item number stands at most this far (pt) left of its title
    outdent_tolerance: float = 4.0     # a line starting further left than the item's text (pt) ends the item
    centre_tolerance: float = 25.0     # a line whose centre is this close to the page's centre may be a heading
    max_item_gap_lines: float = 3.2    # a vertical gap of more line heights than this ends an item
    paragraph_gap_ratio: float = 0.55  # a gap above a line wider than this share of its height starts a paragraph
    fit_slack: float = 2.0             # (pt) the next line's first word fitted on the line before within this
    space_ratio: float = 0.25          # a space is this share of the font size
    size_tolerance: float = 0.6        # font sizes within this are one style
    heading_pages: int = 3             # the meeting is read from the first pages with text
    time_window: int = 140             # characters after the meeting date searched for its start time
    venue_lines: int = 6               # lines after the date line searched for the venue
    right_column_share: float = 0.62   # a bare page range right of this share of the page is a page-ref column
    max_item_page_gap: int = 2         # the next item is printed at most this many pages after the one before
    max_candidates: int = 400          # numbered lines looked at for the item sequence


# ---------------------------------------------------------------- 1. lines

@dataclass
class Line:
    page: int
    words: list[Word]
    text: str = ""

    def __post_init__(self):
        self.words.sort(key=lambda w: w.x0)
        self.text = clean_inline(" ".join(w.text for w in self.words))

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        letters = [w for w in self.words if any(c.isalpha() for c in w.text)] or self.words
        return mostly(letters, "bold")


_PAGE_NO = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)


def page_lines(page: PageLayout, s: AgendaSettings = AgendaSettings()) -> list[Line]:
    """Printed lines of a page, top to bottom; running page numbers in the margins dropped."""
    out = []
    for ws in line_groups(page.words, s.line_tolerance):
        ln = Line(page.number, ws)
        if not ln.text:
            continue
        in_margin = ln.top < page.height * s.margin_band or ln.bottom > page.height * (1 - s.margin_band)
        if in_margin and _PAGE_NO.match(ln.text):
            continue
        out.append(ln)
    return out


def segments(line: Line, s: AgendaSettings = AgendaSettings()) -> list[list[Word]]:
    """A line cut where a horizontal gap is wider than `segment_gap` (columns of a heading block)."""
    out = [[line.words[0]]]
    for w in line.words[1:]:
        if w.x0 - out[-1][-1].x1 > s.segment_gap:
            out.append([w])
        else:
            out[-1].append(w)
    return out


def _text(words: list[Word]) -> str:
    return clean_inline(" ".join(w.text for w in words))


def _boxes(words: list[Word], page_of) -> list[tuple]:
    by_page: dict[int, list[Word]] = {}
    for w in words:
        by_page.setdefault(page_of(w), []).append(w)
    return [(p, min(w.x0 for w in ws), min(w.top for w in ws), max(w.x1 for w in ws), max(w.bottom for w in ws))
            for p, ws in sorted(by_page.items())]


# ---------------------------------------------------------------- 2. the meeting

_NOISE_LINE = re.compile(r"^(?:a\s?g\s?e\s?n\s?d\s?a|public document pack|summons|notice of (?:the )?meeting|"
                         r"supplementary agenda|this meeting is open to the public|please note.*|members|membership)$",
                         re.I)
_COUNCIL_KINDS = {"county", "city", "borough", "district", "town", "parish", "metropolitan", "unitary", "the", "royal",
                  "london", "of", "and", "council", "full", "community"}


def _is_authority(name: str) -> bool:
    """`Kent County Council`, `Southampton City Council`, `London Borough of Barnet`, `City of York Council`:
    a place with the council's kind. Not `County Council` or `Full Council` (the meeting of the whole council)."""
    words = re.findall(r"[A-Za-z']+", name)
    if re.match(r"^(?:the\s+)?(?:(?:london|royal)\s+borough|city|county|borough|district)\s+of\s+[A-Z]", name, re.I):
        return True
    return (len(words) >= 2 and words[-1].lower() == "council"
            and any(w.lower() not in _COUNCIL_KINDS for w in words[:-1]))

_LEAD_WORDS = {"summons", "to", "and", "agenda", "for", "of", "notice", "minutes", "a", "an", "the", "extraordinary",
               "special", "budget", "annual", "reconvened", "additional", "meeting", "on", "supplementary", "public"}
_TAIL_WORDS = {"meeting", "on", "of", "held", "agenda", "summons", "at", "to", "be", "will", "the"}
_BODY_SENTENCE = re.compile(r"\bmeeting\s+of\s+(?:the\s+)?(?P<b>[A-Z][^.;:]{2,100}?)\s+(?:will|is\s+to|to|shall)\s+be\s+held",
                            re.I)
_VENUE_WORDS = re.compile(r"\b(?:chamber|room|rooms|hall|centre|center|house|offices?|building|suite|library|"
                          r"guildhall|civic|online|virtual|remote|teams|zoom|hub|pavilion|court|lodge|theatre|"
                          r"church|school|college|hotel|venue)\b", re.I)
_VENUE_SENTENCE = re.compile(
    r"\b(?:held|take\s+place|meet|convened)\s+(?:in|at)\s+(?:the\s+)?(?P<v>.+?)\s*,?\s+(?:on|at)\s+"
    r"(?=(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d)", re.I)
_VENUE_LABEL = re.compile(r"\b(?:venue|place|location|where)\s*:\s*(?P<v>.+)$", re.I)
_VENUE_LABEL_ONLY = re.compile(r"^(?:venue|place|location|where)\s*:?$", re.I)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")


@dataclass
class _Heading:
    """The meeting as the opening pages print it."""

    date_line: int = -1          # index into the lines of the date's line
    date_words: int = 0          # words of the date line printed before the date
    meeting_date: date | None = None
    start_time: str = ""
    time_line: int = -1


def _joined(lines: list[Line]) -> tuple[str, list[int]]:
    """Lines joined with spaces, and the line index of every character."""
    text, owner = "", []
    for i, ln in enumerate(lines):
        piece = ln.text + " "
        text += piece
        owner += [i] * len(piece)
    return text, owner


def _find_heading(lines: list[Line], reference_size: float) -> _Heading:
    text, owner = _joined(lines)
    cands = []
    for span in find_dates(text):
        if span.precision != "day" or span.start_date is None:
            continue
        at = text.find(span.text)
        if at < 0:
            continue
        i = owner[at]
        after = text[at + len(span.text): at + len(span.text) + AgendaSettings.time_window]
        # the time must follow this date before any other date does
        nxt = [d for d in find_dates(after) if d.precision == "day"]
        if nxt:
            after = after[: max(0, after.find(nxt[0].text))]
        times = [t for t in find_times(after) if not t.end]
        big = lines[i].size > reference_size + 0.5 or lines[i].bold
        rank = (0 if times else 1 if big else 2, i)
        time_line = owner[at + len(span.text) + times[0].start] if times else -1
        before = len(text[owner.index(i): at].split())
        cands.append((rank, i, span.start_date, times[0].hhmm if times else "", time_line, before))
    if not cands:
        return _Heading()
    _, i, d, t, tl, before = min(cands)
    return _Heading(i, before, d, t, tl)


def _clean_body(text: str) -> str:
    """The body's name without the words printed around it (`Summons to and Agenda for the Budget`, `Meeting on`)."""
    words = re.sub(r"\s+", " ", text).strip(" -–—:,").split(" ")
    while words and words[0].lower().strip(",:") in _LEAD_WORDS:
        words.pop(0)
    while words and words[-1].lower().strip(",:") in _TAIL_WORDS:
        words.pop()
    return " ".join(words).strip(" -–—:,")


def _body(lines: list[Line], h: _Heading, s: AgendaSettings) -> tuple[str, list[Word]]:
    """The body's name: the heading above the date in the largest type, words around it dropped."""
    date_line = lines[h.date_line]
    above = [ln for ln in lines[: h.date_line] if ln.page == date_line.page]
    if h.date_words:  # the name may run into the date on its line (`CORPORATE PARENTING PANEL – 10th December 2024`)
        above.append(Line(date_line.page, date_line.words[: h.date_words]))
    body_size = _body_size(lines)
    heads = [ln for ln in above if (ln.bold or ln.size > body_size + s.size_tolerance)]
    cands: list[tuple[float, str, list[Word]]] = []
    block: list[Line] = []

    def flush():
        if not block:
            return
        words = [w for ln in block for w in ln.words]
        raw = " ".join(ln.text for ln in block)
        # the block may run into the date itself (`Meeting on Thursday, 13th February, 2025`)
        dates = [d for d in find_dates(raw) if d.precision == "day"]
        if dates:
            raw = raw[: raw.find(dates[0].text)]
        name = _clean_body(raw)
        if name and not _NOISE_LINE.match(name) and not find_times(name):
            cands.append((block[0].size, name, words))
        block.clear()

    for ln in heads:
        if _NOISE_LINE.match(ln.text):
            flush()
            continue
        if block and (abs(ln.size - block[-1].size) > s.size_tolerance or ln.bold != block[-1].bold
                      or ln.top - block[-1].bottom > 1.2 * ln.height):
            flush()
        block.append(ln)
    flush()
    if not cands:  # no name in the heading: the sentence that summons (`A meeting of the County Council will be held`)
        for ln_i, ln in enumerate(lines):
            m = _BODY_SENTENCE.search(ln.text + " " + (lines[ln_i + 1].text if ln_i + 1 < len(lines) else ""))
            if m:
                return _clean_body(m["b"]), ln.words
        return "", []
    if len(cands) > 1:  # the issuing authority printed as its own heading is not the body
        named = [c for c in cands if not _is_authority(c[1])]
        cands = named or cands
    top = max(c[0] for c in cands)
    size, name, words = next(c for c in cands if c[0] >= top - s.size_tolerance)
    return name, words


def _body_size(lines: list[Line]) -> float:
    sizes: dict[float, int] = {}
    for ln in lines:
        for w in ln.words:
            sizes[round(w.size, 1)] = sizes.get(round(w.size, 1), 0) + len(w.text)
    return max(sizes, key=sizes.get) if sizes else 10.0


def _venue(lines: list[Line], h: _Heading, s: AgendaSettings) -> tuple[str, list[Word]]:
    text, owner = _joined(lines)
    m = _VENUE_SENTENCE.search(text)
    if m and _VENUE_WORDS.search(m["v"]) and len(m["v"]) < 160:
        v = m["v"]
        at = m.start("v")
        idx = sorted(set(owner[at: at + len(v)]))
        return _tidy_venue(v), [w for i in idx for w in lines[i].words]
    for ln in lines[: h.date_line + s.venue_lines + 1]:
        segs = segments(ln, s)
        for k, seg in enumerate(segs):  # `Venue: X`, up to a second column; the label may stand in its own
            text = _text(seg)
            if _VENUE_LABEL_ONLY.match(text) and k + 1 < len(segs):
                return _tidy_venue(_text(segs[k + 1])), seg + segs[k + 1]
            lm = _VENUE_LABEL.search(text)
            if lm and len(lm["v"]) > 2:
                return _tidy_venue(lm["v"]), seg
    # lines below the date (and time) in the date's column that name a place
    date_line = lines[h.date_line]
    col = segments(date_line)[0][0].x0
    start = max(h.date_line, h.time_line) + 1
    found: list[list[Word]] = []
    for ln in lines[start: start + s.venue_lines]:
        if ln.page != date_line.page:
            break
        seg = [w for w in ln.words if w.x0 >= col - s.number_x_tolerance]
        if not seg or abs(seg[0].x0 - col) > s.number_x_tolerance:
            if found:
                break
            continue
        seg = _left_column(seg, lines, start, col, s)
        words_text = _text(seg)
        if found:
            prev = found[-1]
            near = min(w.top for w in seg) - max(w.bottom for w in prev) <= 0.8 * (prev[0].bottom - prev[0].top)
            if near and (_text(prev).endswith(",") or _VENUE_WORDS.search(words_text) or _POSTCODE.search(words_text)
                         or _titled(words_text)):
                found.append(seg)
                continue
            break
        if _VENUE_WORDS.search(words_text) and not re.search(r"\b(meeting|public|note|please)\b", words_text, re.I):
            found.append(seg)
    if not found:
        return "", []
    return _tidy_venue(" ".join(_text(g) for g in found)), [w for g in found for w in g]


def _left_column(seg: list[Word], lines: list[Line], start: int, col: float, s: AgendaSettings) -> list[Word]:
    """Cut a heading-block segment where a second column starts: an x where words start on other lines too."""
    starts = [g[0].x0 for ln in lines[max(0, start - 3): start + s.venue_lines] for g in segments(ln)
              if g[0].x0 > col + 40]
    for k, w in enumerate(seg[1:], start=1):
        if sum(1 for x in starts if abs(x - w.x0) <= 2.0) >= 2 or (w.text.endswith(":") and w.x0 - seg[k - 1].x1 > 3):
            return seg[:k]
    return seg


def _titled(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'&-]*", text)]
    small = {"and", "of", "the", "on", "in", "at", "de", "upon", "le", "by"}
    return bool(words) and all(w[0].isupper() or w.lower() in small for w in words)


def _tidy_venue(v: str) -> str:
    v = clean_inline(v).strip(" ,;:-")
    v = re.sub(r"^(?:held\s+)?(?:in|at)\s+(?:the\s+)?", "", v, flags=re.I)
    return v.rstrip(".").strip()


def _mixed_case(name: str, lines: list[Line]) -> str:
    """A body printed in capitals (`CABINET`), in the mixed case the paper also prints it in (`Cabinet`)."""
    if not name.isupper():
        return name
    pat = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b", re.I)
    for ln in lines:
        for m in pat.finditer(ln.text):
            if not m.group().isupper() and m.group()[:1].isupper():
                return re.sub(r"\s+", " ", m.group())
    return name


def read_meeting(lines: list[Line], s: AgendaSettings = AgendaSettings()) -> tuple[Meeting | None, int]:
    """The meeting an agenda's opening lines summon, and the index of its date line."""
    if not lines:
        return None, -1
    h = _find_heading(lines, _body_size(lines))
    if h.date_line < 0:
        return None, -1
    body, body_words = _body(lines, h, s)
    body = _mixed_case(body, lines)
    venue, venue_words = _venue(lines, h, s)
    words = body_words + lines[h.date_line].words + (lines[h.time_line].words if h.time_line >= 0 else []) + venue_words
    page_of = {id(w): ln.page for ln in lines for w in ln.words}
    return Meeting(body=body, meeting_date=h.meeting_date, kind="agenda", start_time=h.start_time, venue=venue,
                   page=lines[h.date_line].page, boxes=_boxes(words, lambda w: page_of[id(w)])), h.date_line


# ---------------------------------------------------------------- 3. items

_NUM = re.compile(r"^(?:item\s+)?(?P<n>\d{1,2})(?:\s*\(?(?P<l>[a-z])\)?)?[.):]?$", re.I)
_LETTER = re.compile(r"^\(?(?P<l>[a-z])[.)]$|^\((?P<l2>[a-z])\)$", re.I)
_GLUED = re.compile(r"^(?P<n>\d{1,2})(?:\((?P<l>[a-z])\))?[.)](?P<rest>[A-Za-z].*)$")
_AGENDA_HEADING = re.compile(r"^(?:a\s?g\s?e\s?n\s?d\s?a|agenda items?|business|order of business)$", re.I)


@dataclass
class _Start:
    line: int          # index into the lines
    number: int
    letter: str
    x0: float          # where the number starts
    text_x0: float     # where the title starts
    num_words: int     # words that make up the number (dropped from the title)


def _item_start(ln: Line, s: AgendaSettings) -> _Start | None:
    ws = ln.words
    first = ws[0].text
    m = _NUM.match(first)
    k = 1
    if m and len(ws) > 1 and ws[0].text.lower() == "item":
        return None
    if m is None and len(ws) > 2 and ws[0].text.lower() == "item" and _NUM.match(ws[1].text):
        m, k = _NUM.match(ws[1].text), 2
    if m is not None:
        if len(ws) <= k:
            return None
        letter = (m["l"] or "").lower()
        if not letter and len(ws) > k + 1 and _LETTER.match(ws[k].text) and ws[k].x1 < ws[k + 1].x0:
            lm = _LETTER.match(ws[k].text)
            letter, k = (lm["l"] or lm["l2"]).lower(), k + 1
        gap = ws[k].x0 - ws[k - 1].x1
        if gap > s.max_number_gap or gap < 0.5:
            return None
        return _Start(-1, int(m["n"]), letter, ws[0].x0, ws[k].x0, k)
    lm = _LETTER.match(first)
    if lm and len(ws) > 1 and 0.5 < ws[1].x0 - ws[0].x1 <= s.max_number_gap:
        return _Start(-1, 0, (lm["l"] or lm["l2"]).lower(), ws[0].x0, ws[1].x0, 1)
    return None


def _chain(starts: list[_Start], pages_of: dict[int, int], s: AgendaSettings) -> list[_Start]:
    """The first run of two or more item numbers in sequence at one left edge (`4a` folded in), pages close together;
    else the longest run."""
    runs: list[list[_Start]] = []
    numbered = [st for st in starts if st.number][: s.max_candidates]
    for i, first in enumerate(numbered):
        if first.letter:
            continue
        chain = [first]
        for st in numbered[i + 1:]:
            last = chain[-1]
            if abs(st.x0 - first.x0) > s.number_x_tolerance:
                continue
            if pages_of[st.line] - pages_of[last.line] > s.max_item_page_gap:
                break
            if (st.number == last.number + 1 and st.letter in ("", "a")) or (
                    st.number == last.number and st.letter and st.letter == _next_letter(last.letter)):
                chain.append(st)
        runs.append(chain)
    long = [r for r in runs if len(r) >= 2]
    best = long[0] if long else max(runs, key=len, default=[])
    if not best:
        return []
    # lettered lines `(a)` under an item, at or right of its number, are its sub-items
    out: list[_Start] = []
    main_x = best[0].x0
    chain_lines = {st.line for st in best}
    for st in starts:
        if st.line in chain_lines:
            out.append(st)
            continue
        if st.number or not out or st.line < best[0].line or st.line > best[-1].line + 200:
            continue
        parent = out[-1]
        if st.x0 >= main_x - s.number_x_tolerance and st.letter == _next_letter(parent.letter):
            out.append(_Start(st.line, parent.number, st.letter, st.x0, st.text_x0, st.num_words))
    return out


def _next_letter(letter: str) -> str:
    return "a" if not letter else chr(ord(letter) + 1)


_REF = re.compile(r"\(?\s*(?P<r>(?:pages?|pp?\.)\s*\d+(?:\s*(?:-|–|—|to|and|&)\s*\d+)?)\s*\)?", re.I)
_BARE_RANGE = re.compile(r"^\(?\s*(?P<r>\d{1,4}(?:\s*(?:-|–|—|to)\s*\d{1,4})?)\s*\)?$")


def _split_refs(words: list[Word], page_width: float, s: AgendaSettings) -> tuple[list[Word], list[str]]:
    """An item line's words without its page references, and the references as printed (no brackets)."""
    text_words = list(words)
    refs: list[str] = []
    joined = " ".join(w.text for w in text_words)
    for m in _REF.finditer(joined):
        refs.append(clean_inline(m["r"]))
    if refs:
        # drop the words the matches cover (by character offsets)
        keep, pos = [], 0
        spans = [m.span() for m in _REF.finditer(joined)]
        for w in text_words:
            a, b = pos, pos + len(w.text)
            pos = b + 1
            if not any(a < y and x < b for x, y in spans):
                keep.append(w)
        return keep, refs
    # a bare page range alone in a right-hand column
    segs = []
    for w in words:
        if segs and w.x0 - segs[-1][-1].x1 <= s.segment_gap:
            segs[-1].append(w)
        else:
            segs.append([w])
    if len(segs) > 1 and segs[-1][0].x0 > page_width * s.right_column_share:
        m = _BARE_RANGE.match(_text(segs[-1]))
        if m:
            return [w for g in segs[:-1] for w in g], [clean_inline(m["r"])]
    return text_words, refs


_REF_START = re.compile(r"^\(?(?:pages?|pp?\.?)$", re.I)
_REF_MORE = re.compile(r"^(?:\d+\)?|[-–—]|to|and|&|\)|\d+[-–—]\d+\)?)$", re.I)


def _column_ref(words: list[Word], owner: dict, s: AgendaSettings) -> tuple[list[Word], list[str]]:
    """A page reference in a right-hand column that wraps inside its column (`(Pages 1 -` level with the
    title's first line, `26)` under it while the title runs on at the left): its words out, its text."""
    for k, w in enumerate(words):
        if not _REF_START.match(w.text):
            continue
        line = owner[id(w)]
        ref = [w] + [x for x in words[k + 1:] if owner[id(x)] is line]
        if ref[-1].text.endswith(")") or not all(_REF_MORE.match(x.text) for x in ref[1:]):
            return words, []
        later = [x for x in words if owner[id(x)] is not line and x.x0 >= w.x0 - s.outdent_tolerance
                 and owner[id(x)].top > line.top]
        more = []
        for x in later:
            if not _REF_MORE.match(x.text):
                break
            more.append(x)
            if x.text.endswith(")"):
                break
        # only a column wrap: the line below carries title words on the left as well
        if not more or not any(owner[id(x)] is owner[id(more[0])] and x.x1 < w.x0 - s.segment_gap for x in words):
            return words, []
        taken = {id(x) for x in ref + more}
        text = clean_inline(" ".join(x.text for x in ref + more)).strip("() ")
        return [x for x in words if id(x) not in taken], [re.sub(r"\s+", " ", text)]
    return words, []


_DASH_LEAD = re.compile(r"^[-–—•●▪■◦‣∙·]\s*")


def _item_rows(lines: list[Line], chain: list[_Start], pages: dict[int, PageLayout],
               meeting_date: date | None, s: AgendaSettings) -> list[AgendaItem]:
    out = []
    for k, st in enumerate(chain):
        end = chain[k + 1].line if k + 1 < len(chain) else len(lines)
        body = [lines[st.line]]
        for ln in lines[st.line + 1: end]:
            prev = body[-1]
            page = pages[ln.page]
            if ln.top < page.height * s.running_band or ln.bottom > page.height * (1 - s.running_band):
                continue  # a running head or foot; the item may go on over the page
            if ln.page == prev.page:
                gap = ln.top - prev.bottom
                if gap > s.max_item_gap_lines * prev.height:
                    break
            if ln.x0 < st.text_x0 - s.outdent_tolerance:
                break
            centre = (ln.x0 + ln.x1) / 2
            if (abs(centre - page.width / 2) < s.centre_tolerance and ln.x0 > st.text_x0 + 3 * s.centre_tolerance
                    and (ln.bold or ln.text.isupper() or ln.text.startswith("("))):
                break
            body.append(ln)
        out.append(_item_parts(body, st, pages, s))
    # the text column's right edge, page by page: the furthest any item's text (references aside) reaches
    right: dict[int, float] = {}
    for parts, _refs, _owner, _words in out:
        for ln, ws in parts:
            right[ln.page] = max(right.get(ln.page, 0.0), max(w.x1 for w in ws))
    return [_item(parts, refs, owner, words, st, right, meeting_date, s)
            for (parts, refs, owner, words), st in zip(out, chain)]


def _item_parts(body: list[Line], st: _Start, pages: dict[int, PageLayout], s: AgendaSettings):
    """An item's lines without its number and page references: ([(line, words)], refs, owner, all words)."""
    first_words = body[0].words[st.num_words:]
    parts: list[tuple[Line, list[Word]]] = []
    refs: list[str] = []
    # page references may wrap over two lines (`(Pages 1 -` / `6)`): read them on the item's joined words
    all_words = first_words + [w for ln in body[1:] for w in ln.words]
    owner = {id(w): ln for ln in body for w in ln.words}
    all_words, refs = _column_ref(all_words, owner, s)
    kept, inline = _split_refs(all_words, pages[body[0].page].width, s)
    refs += inline
    kept_ids = {id(w) for w in kept}
    for ln in body:
        ws = [w for w in (first_words if ln is body[0] else ln.words) if id(w) in kept_ids]
        if ws:
            parts.append((ln, ws))
    if not refs:  # a bare range in a right-hand column, level with any line of the item
        for i, (ln, ws) in enumerate(parts):
            ws2, r = _split_refs(ws, pages[ln.page].width, s)
            if r:
                refs = r
                parts[i] = (ln, ws2)
                break
        parts = [(ln, ws) for ln, ws in parts if ws]
    words = [w for ln in body for w in (first_words if ln is body[0] else ln.words)] + body[0].words[: st.num_words]
    return parts, refs, owner, words


def _item(parts, refs: list[str], owner: dict, words: list[Word], st: _Start, right: dict[int, float],
          meeting_date: date | None, s: AgendaSettings) -> AgendaItem:
    """Title (the first line and the lines that continue it) and description (the rest) of one item."""
    title: list[str] = []
    desc: list[list[str]] = []
    t_style = None
    prev_ln, prev_ws = None, None
    for ln, ws in parts:
        text = _text(ws)
        style = (round(max(w.size for w in ws) / s.size_tolerance), _bold(ws), _italic(ws))
        if prev_ln is None:
            title.append(text)
            t_style = style
        else:
            gap = ln.top - prev_ln.bottom if ln.page == prev_ln.page else 0.0
            new_para = gap > s.paragraph_gap_ratio * ln.height
            dash = bool(_DASH_LEAD.match(text))
            space = s.space_ratio * ws[0].size
            fitted = (max(w.x1 for w in prev_ws) + space + (ws[0].x1 - ws[0].x0)
                      <= right.get(prev_ln.page, 0.0) - s.fit_slack)
            if not desc and style == t_style and not new_para and not dash and not fitted:
                title.append(text)
            else:
                text = _DASH_LEAD.sub("", text)
                if not text:
                    pass
                elif not desc or new_para or dash:
                    desc.append([text])
                else:
                    desc[-1].append(text)
        prev_ln, prev_ws = ln, ws
    number = (str(st.number) if st.number else "") + st.letter
    return AgendaItem(meeting_date=meeting_date, item_number=number, title=_join(title),
                      description="\n".join(_join(p) for p in desc),
                      page_refs="; ".join(dict.fromkeys(refs)), page=owner[id(words[-1])].page,
                      boxes=_boxes(words, lambda w: owner[id(w)].page))


def _italic(ws: list[Word]) -> bool:
    return mostly(ws, "italic")


def _bold(ws: list[Word]) -> bool:
    return mostly(ws, "bold")


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if out and re.search(r"[A-Za-z]-$", out) and p[:1].islower():
            out += p
        else:
            out = f"{out} {p}" if out else p
    return clean_inline(out)


# ---------------------------------------------------------------- the extractor

def extract_agenda(layout: DocumentLayout, s: AgendaSettings = AgendaSettings()) -> tuple[list[Meeting], list[AgendaItem]]:
    """The meeting an agenda summons (kind `agenda`) and its numbered items, in page order.

    No items, no meeting: a paper that lists no business does not summon one."""
    pages = {p.number: p for p in layout.pages}
    lines = [ln for p in layout.pages for ln in page_lines(p, s)]
    if not lines:
        return [], []
    with_text = [p.number for p in layout.pages if p.words][: s.heading_pages]
    head = [ln for ln in lines if ln.page in with_text]
    meeting, date_idx = read_meeting(head, s)
    meeting_date = meeting.meeting_date if meeting else None
    # items follow an `AGENDA` heading where one is printed after the meeting's date, else the date itself
    begin = max(date_idx, 0)
    for i, ln in enumerate(lines):
        if i > begin and _AGENDA_HEADING.match(ln.text):
            begin = i
            break
    starts = []
    for i, ln in enumerate(lines[begin:], start=begin):
        st = _item_start(ln, s)
        if st:
            st.line = i
            starts.append(st)
    chain = _chain(starts, {i: ln.page for i, ln in enumerate(lines)}, s)
    items = _item_rows(lines, chain, pages, meeting_date, s) if chain else []
    # a paper that lists no business (a supplement, a record of decision) summons no meeting of its own
    return ([meeting] if meeting and items else []), items
