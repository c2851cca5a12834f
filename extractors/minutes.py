"""Stage — records: printed minutes -> the meetings they record and their minutes.

`extract_minutes(layout)` finds every set of minutes a document prints (a
minutes file, or the previous meeting's minutes inside an agenda pack) and
returns one `Meeting` (kind `minutes`) per set and one `MinuteItem` per minute.
A chain of small pure steps on the layout's words, every tolerance a named
default of `MinutesSettings`:

words -> lines (running heads and feet removed) -> minutes sections (a
`MINUTES of (a|the) meeting ...` heading followed by the attendance block
`PRESENT`; a section ends at the next section, or where the next paper begins:
an `Agenda Item N` mark, a blank page, a report's front matter) -> the meeting
(body, date, venue, start time from the heading lines) -> minute headings
(bold blocks at the left margin: numbered in sequence, or marked by an
`(Item N)` line, or unnumbered before the first minute) -> each minute's lines
-> its decision (every RESOLVED / AGREED / DECIDED paragraph with what the
paragraph indents under it, across page breaks, up to the first paragraph that
returns to the resolution's own margin).

Conservative by design: a document without a minutes heading followed by an
attendance block gives nothing, whatever it quotes.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractors.cleantext import _join_lines, clean_inline
from extractors.committee import Meeting, MinuteItem
from extractors.layout import DocumentLayout, Word
from extractors.tables import TableSettings, furniture_keys, group_lines, is_furniture
from pipeline.normalise import find_dates


@dataclass(frozen=True)
class MinutesSettings:
    """Every tolerance of the minutes stage, named (points unless said otherwise)."""

    line_y_tolerance: float = 2.5        # words whose tops differ less share a line
    paragraph_gap_ratio: float = 0.55    # a vertical gap this many line heights starts a new paragraph
    heading_wrap_gap_ratio: float = 1.0  # a styled line this close (x line height) below a heading continues it
    max_heading_lines: int = 4           # a styled block longer than this is emphasised text, not a heading
    margin_tolerance: float = 4.0        # x difference (pt) still counted as the same margin
    block_heading_indent: float = 60.0   # a styled line starting this far right of the left margin is a block heading
    size_gain: float = 0.8               # a line this much larger (pt) than body text is styled like a heading
    superscript_ratio: float = 0.85      # an ordinal suffix this much smaller than its number is a superscript
    attendance_reach: int = 12           # lines after a minutes heading within which the attendance block must start
    head_lines_above: int = 6            # heading lines above `MINUTES of …` read for the body's name
    max_number_jump: int = 40            # a minute number may exceed the previous one by at most this
    outcome_indent_ratio: float = 0.35   # a line starting this share of the text width right of the margin is an aside
    head_zone: float = 0.45              # share of page height within which a `MINUTES of …` heading starts
    paper_start_zone: float = 0.3        # share of page height where a new paper's first marks are looked for
    capitals_share: float = 0.9          # share of letters in capitals that makes a line "set in capitals"
    capitals_min_letters: int = 4        # fewer letters than this never count as a line in capitals


# ---------------------------------------------------------------- lines

@dataclass
class MLine:
    page: int
    words: list[Word]
    top: float
    bottom: float
    text: str
    bold: bool
    size: float

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


_ORDINAL = re.compile(r"^(st|nd|rd|th)$", re.I)
_CLOSING = re.compile(r"^[.,;:!?)\]]+$")   # a stray full stop or bracket set as its own word belongs to the one before


def join_lines(parts: list[str]) -> str:
    """Wrapped lines into one paragraph (cleantext's rules), and a number range broken after its hyphen re-joined."""
    return re.sub(r"(\d)- (\d)", r"\1-\2", _join_lines(parts))


def _line_text(words: list[Word], s: MinutesSettings) -> str:
    """Words of one line as text; a superscript ordinal (`10` `th`) joins its number."""
    out = ""
    prev = None
    for w in words:
        glue = prev is not None and ((_ORDINAL.match(w.text) and prev.text[-1:].isdigit()
                                      and w.size <= prev.size * s.superscript_ratio)
                                     or _CLOSING.match(w.text))
        out = out + w.text if glue or not out else out + " " + w.text
        prev = w
    return clean_inline(out)


def document_lines(layout: DocumentLayout, s: MinutesSettings = MinutesSettings()) -> list[MLine]:
    """Every printed line of the document in reading order, running heads, feet and page numbers removed."""
    ts = TableSettings(line_y_tolerance=s.line_y_tolerance)
    page_lines = [group_lines(page.words, ts) for page in layout.pages]
    keys = furniture_keys(layout, ts, page_lines)
    out: list[MLine] = []
    for page, lines in zip(layout.pages, page_lines):
        for ln in lines:
            if is_furniture(ln, page, keys, ts):
                continue
            text = _line_text(ln.words, s)
            if not text:
                continue
            out.append(MLine(page.number, ln.words, ln.top, ln.bottom, text, ln.bold, ln.size))
    return out


def body_size(lines: list[MLine]) -> float:
    """The most common font size, weighted by characters: the size of running text."""
    c: Counter = Counter()
    for ln in lines:
        c[round(ln.size, 1)] += len(ln.text)
    return c.most_common(1)[0][0] if c else 0.0


def left_margin(lines: list[MLine]) -> float:
    """The leftmost x where at least two lines start (a stray mark further left is no margin)."""
    starts = Counter(round(ln.x0) for ln in lines)
    shared = [x for x, n in starts.items() if n >= 2]
    return float(min(shared)) if shared else min(ln.x0 for ln in lines)


# ---------------------------------------------------------------- sections

_MINUTES_HEAD = re.compile(r"^minutes\b(?!\s+for\b)", re.I)
_ATTENDANCE = re.compile(r"^(present|members present|also present|in attendance|apologies|officers( present)?|absent"
                         r"|councillors present|attendees)\b\s*[:\-–]?", re.I)
# the attendance block that opens minutes: `PRESENT:`, `Present -`, `Apologies:` (not an agenda item `Apologies for Absence`)
_ATTENDANCE_OPENS = re.compile(r"^(PRESENT\b|(present|members present|also present|in attendance|apologies|absent"
                               r"|councillors present|attendees)\s*[:\-–])", re.I)
_AGENDA_MARK = re.compile(r"^agenda item\s*:?\s*(no\.?\s*)?\d+[a-z]?\b\.?", re.I)
_BLANK_PAGE = re.compile(r"intentionally (been )?left blank", re.I)
_PAPER_START = re.compile(r"^(decision[- ]maker|report of|report to|report title|subject|from|to|by"
                          r"|date of (decision|meeting)"
                          r"|key decision|classification|wards? affected|electoral divisions?)\s*:", re.I)
_CLOSED = re.compile(r"^the meeting (closed|ended|concluded|finished|terminated|rose)\b.*\d", re.I)
_NEW_DOC = re.compile(r"^(public document pack|agenda|summons|notice of meeting)$", re.I)


@dataclass
class Section:
    head: int          # index of the `MINUTES of …` line
    attendance: int    # index of the first attendance line
    start: int         # first line of the heading block (body lines above `MINUTES`)
    end: int           # one past the last line of the minutes


def _is_minutes_head(lines: list[MLine], i: int, page_heights: dict[int, float], s: MinutesSettings) -> int | None:
    """Index of the attendance line when line i opens printed minutes, else None."""
    ln = lines[i]
    if not _MINUTES_HEAD.match(ln.text) or re.search(r"\(pages?\s+\d", ln.text, re.I):
        return None
    if ln.top > page_heights.get(ln.page, 842.0) * s.head_zone and not (ln.bold or _capitals(ln.text, s)):
        return None   # minutes open high on their page, or under a heading set as one; else it is running text
    for j in range(i + 1, min(len(lines), i + 1 + s.attendance_reach)):
        if _ATTENDANCE_OPENS.match(lines[j].text):
            return j
        if re.match(r"^\(?item\s*\d", lines[j].text, re.I):
            return None   # `Minutes of the meeting held on …` / `(Item 3)`: a minute that approves minutes
    return None


def _paper_starts(lines: list[MLine], i: int, head_page: int, page_height: dict[int, float], s: MinutesSettings) -> bool:
    """Line i begins the next paper: an agenda-item mark or a report's front matter high on its page, a blank page."""
    ln = lines[i]
    if _BLANK_PAGE.search(ln.text) or _AGENDA_MARK.fullmatch(ln.text):
        return True   # `Agenda Item 7` on a line of its own heads the next paper wherever it is printed
    if ln.page == head_page or ln.top > page_height.get(ln.page, 842.0) * s.paper_start_zone:
        return False
    return bool(_AGENDA_MARK.match(ln.text) or _PAPER_START.match(ln.text) or _NEW_DOC.match(ln.text))


def find_sections(lines: list[MLine], page_height: dict[int, float],
                  s: MinutesSettings = MinutesSettings()) -> list[Section]:
    """Every run of printed minutes in the document: from its heading to where it ends."""
    heads = []
    for i in range(len(lines)):
        a = _is_minutes_head(lines, i, page_height, s)
        if a is not None:
            heads.append((i, a))
    out: list[Section] = []
    for k, (i, a) in enumerate(heads):
        limit = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        start = _head_block_start(lines, i, s)
        end = limit
        for j in range(a + 1, limit):
            if _paper_starts(lines, j, lines[i].page, page_height, s):
                end = j
                break
            if _CLOSED.match(lines[j].text):
                end = j + 1     # `The meeting closed at 12.30 pm`: the signature block below is no minute's
                break
        if k + 1 < len(heads):
            end = min(end, _head_block_start(lines, heads[k + 1][0], s))
        out.append(Section(i, a, start, end))
    return out


def _head_block_start(lines: list[MLine], i: int, s: MinutesSettings) -> int:
    """First of the heading lines printed just above the `MINUTES` line on its page (the body's name)."""
    j = i
    while j - 1 >= 0 and i - (j - 1) <= s.head_lines_above:
        prev = lines[j - 1]
        styled = prev.bold or _capitals(prev.text, s) or prev.size >= lines[i].size + s.size_gain
        if prev.page != lines[i].page or not styled or _AGENDA_MARK.match(prev.text) or _NEW_DOC.match(prev.text):
            break
        j -= 1
    return j


# ---------------------------------------------------------------- the meeting

_AUTHORITY = re.compile(r"^([a-z&.'’ -]+ )?(county|city|borough|district|metropolitan|town|parish|london borough)?\s*"
                        r"(borough )?council$", re.I)
_BODY_IN_SENTENCE = (   # the body's name inside the minutes' own heading sentence, most specific first
    re.compile(r"\bminutes of (?:a|an|the) (?:[a-z]+ )?meeting of (?:the )?(.+?)\s+(?:held|on)\b", re.I),
    re.compile(r"\bminutes of (?:a|an|the )?(.+?)\s+(?:meeting\s+)?(?:held|on)\b", re.I),
)
_VENUE = re.compile(r"\bheld\s+(?:in|at)\s+(?:the\s+)?(.+?)(?:,?\s+on\s+(?:[a-z]+day\b|\d)|,?\s+at\s+\d|\.?$)", re.I)
_VENUE_AFTER = re.compile(r"\bheld\s+on\s+.+?\d{4}(?:,?\s+at\s+\d{1,2}(?:[.:]\d\d)?\s*[ap]\.?m\.?)?,?"
                          r"\s+(?:in|at)\s+(?:the\s+)?(.+?)\.?$", re.I)
_TIME = re.compile(r"\b(?:at|from)\s+(\d{1,2})(?:[.:](\d\d))?\s*([ap])\.?\s?m\b\.?|\b(noon|midday)\b", re.I)
_BODY_WORDS = re.compile(r"^((extraordinary|special|budget|annual|additional|reconvened|adjourned)\s+)+"
                         r"((general\s+)?meeting\s+of\s+(the\s+)?)?|\s+meeting$", re.I)
_DATE_TAIL = re.compile(r"\s*[-–—,:]?\s*$")


def _start_time(text: str) -> str:
    m = _TIME.search(text)
    if not m:
        return ""
    if m.group(4):
        return "12:00"
    h, mi = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3).lower() == "p" and h < 12:
        h += 12
    if m.group(3).lower() == "a" and h == 12:
        h = 0
    return f"{h:02d}:{mi:02d}" if h < 24 and mi < 60 else ""


def _strip_date(text: str) -> str:
    for d in find_dates(text):
        if d.precision == "day" and d.text in text:
            text = text.replace(d.text, " ")
    return _DATE_TAIL.sub("", clean_inline(text)).strip(" -–—,")


def _mixed_case(name: str, lines: list[MLine]) -> str:
    """A name printed in capitals in the heading, as the minutes print it in mixed case where they do."""
    if not name or not _capitals(name):
        return name
    pat = re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?!\w)", re.I)
    for ln in lines:
        m = pat.search(ln.text)
        if m and not _capitals(m.group(0)) and m.group(0)[:1].isupper():
            return m.group(0)
    return name


def read_meeting(lines: list[MLine], sec: Section, s: MinutesSettings = MinutesSettings()) -> Meeting:
    """Body, date, venue and start time from the heading block of one set of minutes."""
    above = lines[sec.start:sec.head]
    sentence = join_lines([ln.text for ln in lines[sec.head:sec.attendance]])
    head_text = " ".join(ln.text for ln in above) + " " + sentence
    day = next((d.start_date for d in find_dates(sentence) if d.precision == "day"), None)
    if day is None:
        day = next((d.start_date for d in find_dates(head_text) if d.precision == "day"), None)

    body = ""
    for pat in _BODY_IN_SENTENCE:
        m = pat.search(sentence)
        if (m and not re.match(r"^(a|an|the)?\s*(\w+\s+)?meeting\b", m.group(1), re.I)
                and _BODY_WORDS.sub("", m.group(1) + " ").strip()):
            body = m.group(1)
            break
    if not body and re.fullmatch(r"((printed|draft|unconfirmed|confirmed)\s+)?minutes\s*:?", lines[sec.head].text, re.I):
        # `MINUTES` set alone over the body's name: the first line below it that is not the date or the place
        for ln in lines[sec.head + 1:sec.attendance]:
            name = _strip_date(ln.text)
            if name and not re.match(r"^(held|on|at|in)\b", name, re.I):
                body = name
                break
    if not body:
        # the heading lines above `MINUTES`, nearest block first, without the issuing authority's own line
        blocks: list[list[MLine]] = []
        for ln in above:
            prev = blocks[-1][-1] if blocks else None
            if prev and ln.top - prev.bottom <= s.heading_wrap_gap_ratio * ln.height and ln.size == prev.size:
                blocks[-1].append(ln)
            else:
                blocks.append([ln])
        names = [_strip_date(join_lines([ln.text for ln in b])) for b in blocks]
        names = [n for n in names if n]
        if len(names) > 1:
            names = [n for n in names if not _AUTHORITY.match(n)] or names
        body = names[-1] if names else ""
    body = _mixed_case(_BODY_WORDS.sub("", clean_inline(body)).strip(" .,-–"), lines[sec.attendance:sec.end])

    venue = ""
    vm = _VENUE.search(sentence)
    if vm and not re.match(r"^\d", vm.group(1)):
        venue = vm.group(1)
    else:
        vm = _VENUE_AFTER.search(sentence)
        if vm:
            venue = vm.group(1)
    venue = clean_inline(venue).rstrip(".").strip()

    head = lines[sec.start:sec.attendance]
    return Meeting(body=body, meeting_date=day, kind="minutes", start_time=_start_time(sentence), venue=venue,
                   page=lines[sec.head].page, boxes=_boxes(head))


# ---------------------------------------------------------------- minute headings

_NUMBERED = re.compile(r"^(\d{1,4})[.)]?\s+(\S.*)$")
_ITEM_MARK = re.compile(r"^\(\s*(agenda\s+)?items?\s*(no\.?\s*)?\d+[a-z]?\b[^()]*\)\.?$", re.I)
_ITEM_TAIL = re.compile(r"\s*\(\s*(agenda\s+)?items?\s*(no\.?\s*)?\d+[a-z]?\b[^()]*\)\.?$", re.I)
_BLOCK_HEADING = re.compile(r"^((un)?restricted|exempt|open|confidential|public)\s+(items|business|session)\b"
                            r"|^(part\s+[a-z0-9]+)$", re.I)
_DECISION_WORD = re.compile(r"^(resolved|agreed|decided)\b", re.I)


@dataclass
class Heading:
    first: int            # index of the first line of the heading block
    last: int             # index of the last line (the `(Item N)` line where printed)
    number: str
    title: str


def _capitals(text: str, s: MinutesSettings = MinutesSettings()) -> bool:
    """Text set in capitals (a heading in a typeface without bold, a name in a heading)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= s.capitals_min_letters and sum(c.isupper() for c in letters) >= s.capitals_share * len(letters)


def _styled(ln: MLine, size: float, s: MinutesSettings, caps: bool = False) -> bool:
    """Set like a heading: bold or larger than the text; with `caps`, also a line in capitals
    (minutes whose typeface carries no bold weight)."""
    return ln.bold or ln.size >= size + s.size_gain or (caps and _capitals(ln.text, s))


def _heading_blocks(lines: list[MLine], lo: int, hi: int, size: float, left: float,
                    s: MinutesSettings, caps: bool = False) -> list[tuple[int, int]]:
    """Runs of styled lines at the left of the text (wrapped headings), as (first, last) indexes."""
    out: list[tuple[int, int]] = []
    i = lo
    while i < hi:
        ln = lines[i]
        if not _styled(ln, size, s, caps) or ln.x0 > left + s.block_heading_indent:
            i += 1
            continue
        j = i
        while (j + 1 < hi and _styled(lines[j + 1], size, s, caps)
               and (lines[j + 1].top - lines[j].bottom <= s.heading_wrap_gap_ratio * lines[j].height
                    if lines[j + 1].page == lines[j].page else lines[j + 1].page == lines[j].page + 1)
               and lines[j + 1].x0 >= ln.x0 - s.margin_tolerance
               and not _NUMBERED.match(lines[j + 1].text)):
            j += 1
        out.append((i, j))
        i = j + 1
    return out


def find_headings(lines: list[MLine], sec: Section, s: MinutesSettings = MinutesSettings()) -> list[Heading]:
    """The minutes' headings: numbered in sequence, marked `(Item N)`, or unnumbered before the first minute."""
    lo, hi = sec.attendance + 1, sec.end
    body = lines[lo:hi]
    if not body:
        return []
    size = body_size(body)
    left = left_margin(body)
    blocks = _heading_blocks(lines, lo, hi, size, left, s)
    if not any(lines[k].bold for k in range(lo, hi)):
        blocks = _heading_blocks(lines, lo, hi, size, left, s, caps=True)
    has_numbers = False
    cands = []
    for a, b in blocks:
        if b - a + 1 > s.max_heading_lines:
            continue
        text = join_lines([ln.text for ln in lines[a:b + 1]])
        if _BLOCK_HEADING.match(text) or _DECISION_WORD.match(text) or _BLANK_PAGE.search(text):
            continue
        if not re.match(r"^[\w(“‘\"']", text):
            continue   # `- The Growth …`: an emphasised bullet, not a heading
        last = b
        marked = bool(_ITEM_TAIL.search(text))
        if b + 1 < hi and _ITEM_MARK.match(lines[b + 1].text):
            marked, last = True, b + 1
        if _ATTENDANCE.match(text) and not marked:
            continue   # `PRESENT:` / `Apologies:` set in bold; `Apologies and Substitutes (Item 1)` is a minute
        m = _NUMBERED.match(text)
        number, title = (m.group(1), m.group(2)) if m else ("", text)
        title = _ITEM_TAIL.sub("", title).strip()
        if not title or _DECISION_WORD.match(title):
            continue   # `2. RESOLVED that …` set in bold is a resolution, not a heading
        has_numbers |= bool(number)
        cands.append((Heading(a, last, number, title), marked))
    any_marked = any(mk for _, mk in cands)
    out: list[Heading] = []
    prev_no: int | None = None
    style = None   # (capitals, size) of the first numbered minute: unmarked headings set otherwise are sub-headings
    for h, marked in cands:
        if h.number:
            n = int(h.number)
            in_sequence = prev_no is None or prev_no < n <= prev_no + s.max_number_jump
            if not (in_sequence or (marked and prev_no is not None and n > prev_no)):
                continue
            own = (_capitals(h.title, s), lines[h.first].size)
            if style and not marked and (own[0] != style[0] or abs(own[1] - style[1]) > s.size_gain):
                continue
            style = style or own
            prev_no = n
            out.append(h)
        elif marked or not out or (not has_numbers and not any_marked
                                   and lines[h.first].x0 <= left + s.margin_tolerance):
            out.append(h)
    return out


# ---------------------------------------------------------------- decisions

_LABEL = re.compile(r"^(\(?([0-9]{1,3}|[a-z]|[ivx]{1,5})[.)]|\([0-9]{1,3}\)|\([a-z]\)|\([ivx]{1,5}\))\s", re.I)
_PARA_NO = re.compile(r"^(\(?\d{1,3}[.)]\)?)\s+")
_RESOLUTION = re.compile(r"^(RESOLVED|AGREED|DECIDED)\b|^(Resolved|Agreed|Decided)\b\s*(that\b|to\b|:|-|–|—|,)")
_OUTCOME = re.compile(r"^((the\s+)?(substantive\s+)?(motion|amendment|recommendations?|proposal)s?\s+(as\s+amended\s+)?"
                      r"(was\s+|were\s+)?(carried|lost|agreed|fell|defeated|withdrawn|approved)"
                      r"|(agreed|carried|lost)(\s+(unanimously|without a vote|by\s+.+))?"
                      r"|(unanimously\s+)?(agreed|carried))\.?$", re.I)


def _label_style(text: str) -> str:
    """The shape of a paragraph label: `1.` -> `9.`, `(27)` -> `(9)`, `a)` -> `a)`."""
    m = _LABEL.match(text + " ")
    if not m:
        return ""
    lab = m.group(1)
    return re.sub(r"\d+", "9", re.sub(r"(?<![a-z])[a-z](?![a-z])", "a", lab.lower()))


def _new_paragraph(lines: list[MLine], k: int, s: MinutesSettings) -> bool:
    """Line k opens a paragraph: after a wide gap, at a label, or at a page's first line after a finished sentence."""
    if k == 0:
        return True
    ln, prev = lines[k], lines[k - 1]
    if _LABEL.match(ln.text + " "):
        return True
    if ln.page != prev.page:
        return bool(re.search(r"[.:;]$", prev.text)) and ln.x0 <= prev.x0 + s.margin_tolerance
    return ln.top - prev.bottom > s.paragraph_gap_ratio * prev.height


def _far_right(ln: MLine, margin: float, width: float, s: MinutesSettings) -> bool:
    """A line set apart to the right of the text (`Motion carried.`, a signature, a date)."""
    return (ln.x0 - margin) > s.outcome_indent_ratio * width


def read_decision(lines: list[MLine], s: MinutesSettings = MinutesSettings()) -> str:
    """Every resolution paragraph of one minute's lines with the paragraphs it governs; resolutions joined by `\\n`."""
    if not lines:
        return ""
    margin = min(ln.x0 for ln in lines)
    width = max(max(ln.x1 for ln in lines) - margin, 1.0)
    found: list[str] = []
    k = 0
    while k < len(lines):
        ln = lines[k]
        m = _PARA_NO.match(ln.text)
        rest = ln.text[m.end():] if m else ln.text
        if not (_new_paragraph(lines, k, s) and _RESOLUTION.match(rest)):
            k += 1
            continue
        own_x = ln.x0
        own_style = _label_style(ln.text) if m else ""
        bare = bool(_DECISION_WORD.fullmatch(rest.strip(" :-–—")))   # `RESOLVED:` on a line of its own
        items: list[list[str]] = [[rest]]
        item_x = own_x
        list_style = ""
        j = k + 1
        while j < len(lines):
            nx = lines[j]
            new = _new_paragraph(lines, j, s)
            if _OUTCOME.match(nx.text) and (new or _far_right(nx, margin, width, s)):
                j += 1              # `Motion carried.`, `Agreed unanimously.`: left out, the resolution may go on
                continue
            if _far_right(nx, margin, width, s):
                break               # a signature block or a date set to the right ends it
            back = nx.x0 <= own_x + s.margin_tolerance < lines[j - 1].x0 - s.margin_tolerance
            if (new or back) and nx.x0 <= own_x + s.margin_tolerance:
                # back at the resolution's own margin: only the list its colon opens, or the paragraph a bare
                # `RESOLVED:` heads, continues it
                style = _label_style(nx.text)
                opens = bool(re.search(r"[:\-–—]$", " ".join(items[-1]))) or bare
                if style and style != own_style and (opens or style == list_style):
                    list_style = style
                elif not (bare and len(items) == 1):
                    break
            if new or back or nx.x0 < item_x - s.margin_tolerance:
                items.append([nx.text])
                item_x = nx.x0
            else:
                items[-1].append(nx.text)
            j += 1
        found.append("\n".join(join_lines(it) for it in items))
        k = j
    return "\n".join(found)


# ---------------------------------------------------------------- assembly

def _boxes(lines: list[MLine]) -> list[tuple]:
    by_page: dict[int, list[MLine]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    return [(p, round(min(l.x0 for l in ls), 2), round(min(l.top for l in ls), 2),
             round(max(l.x1 for l in ls), 2), round(max(l.bottom for l in ls), 2)) for p, ls in sorted(by_page.items())]


def extract_minutes(layout: DocumentLayout,
                    settings: MinutesSettings = MinutesSettings()) -> tuple[list[Meeting], list[MinuteItem]]:
    """Every meeting the document records as minutes (kind `minutes`) and every minute of it."""
    s = settings
    lines = document_lines(layout, s)
    heights = {p.number: p.height for p in layout.pages}
    meetings: list[Meeting] = []
    items: list[MinuteItem] = []
    for sec in find_sections(lines, heights, s):
        meeting = read_meeting(lines, sec, s)
        heads = find_headings(lines, sec, s)
        if not heads:
            continue
        meetings.append(meeting)
        for k, h in enumerate(heads):
            end = heads[k + 1].first if k + 1 < len(heads) else sec.end
            content = lines[h.last + 1:end]
            items.append(MinuteItem(meeting_date=meeting.meeting_date, minute_number=h.number,
                                    title=join_lines([clean_inline(h.title)]),
                                    decision=read_decision(content, s), page=lines[h.first].page,
                                    boxes=_boxes(lines[h.first:end])))
    return meetings, items


def minutes_pages(layout: DocumentLayout, settings: MinutesSettings = MinutesSettings()) -> list[tuple[int, ...]]:
    """The pages of every set of minutes the document prints, one tuple per set, in page order: the pages a
    dispatcher can hand to `extract_minutes` when it splits a pack into parts (a minutes heading may sit under
    an `Agenda Item N` mark or in the middle of a page, where a page's opening lines do not announce it)."""
    s = settings
    lines = document_lines(layout, s)
    heights = {p.number: p.height for p in layout.pages}
    out = []
    for sec in find_sections(lines, heights, s):
        first, last = lines[sec.start].page, lines[max(sec.end - 1, sec.start)].page
        out.append(tuple(p.number for p in layout.pages if first <= p.number <= last))
    return out
