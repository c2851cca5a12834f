"""Stage 3 — document classification: doc_type, title and the paper's own date, from content.

Never from the file name. The doc_type is the best-scoring of a small set of
weighted cues read from the opening pages (the title counts double), unless the
first page opens with an agenda or minutes heading; a document with action-plan
rows is an action plan whatever else it says. Agendas and minutes (packs) are
split into parts (`split_parts`) so each part runs only the extractors of its kind
(`EXTRACTORS`).
"""
from __future__ import annotations

import calendar
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from re._parser import parse as _sre_parse

from extractors.cleantext import clean_inline, line_groups
from extractors.tables import literal_starts
from extractors.layout import DocumentLayout, PageLayout

# doc_type -> (pattern, weight); searched case-insensitively in the opening pages' text
CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "minutes": ((r"\bminutes of (a|the) meeting\b", 4), (r"\bminutes\b", 1.5), (r"\bpresent\s*:", 2),
                (r"\bresolved\s*(that|:)", 2), (r"\bapologies for absence\b", 1), (r"\bin attendance\b", 1),
                (r"\bheld (at|on|in)\b", 1)),
    "agenda": ((r"\bagenda\b", 4), (r"\bnotice of (the )?meeting\b", 2), (r"\bmembership\b", 1),
               (r"\bitem\s+no\b", 1), (r"\bdeclarations? of interests?\b", 1), (r"\bwebcast\b", 1),
               (r"\bsummons\b", 2)),
    "risk_register": ((r"\brisks? register\b", 5), (r"\blikelihood\b", 1.5), (r"\bresidual risk\b", 2),
                      (r"\binherent risk\b", 2), (r"\brisk owner\b", 2), (r"\bmitigat", 0.5)),
    "budget": ((r"\bbudget\b", 1.5), (r"\bmedium term financial (plan|strategy)\b", 2), (r"\bmtfp?s?\b", 2),
               (r"\bcapital programme\b", 2), (r"\brevenue budget\b", 2), (r"\b(treasury management|minimum revenue provision|mrp)\b", 2),
               (r"£\s?\d[\d,.]*\s?m\b", 0.2), (r"\breserves?\b", 0.5), (r"\bcouncil tax\b", 1)),
    "performance_report": ((r"\bperformance (report|monitoring|dashboard)\b", 4), (r"\bkpis?\b", 1.5),
                           (r"\bkey performance indicators?\b", 2), (r"\brag\b", 1.5),
                           (r"\b(quarterly|half[- ]year|annual) (performance )?report\b", 2),
                           (r"\bon track\b", 0.5), (r"\btargets?\b", 0.3),
                           (r"\b(end of year|quarter \d|q[1-4]|mid[- ]year) (update|report)\b", 2),
                           (r"\bcorporate plan\b", 1), (r"\b(green|amber|red)\b", 0.4)),
    "report": ((r"\bto\s*:", 1), (r"\bfrom\s*:", 1), (r"\bsubject\s*:", 2), (r"\brecommendations?\s*:", 1.5),
               (r"\bdecision no\b", 2), (r"\bsummary\s*:", 1), (r"\breport\b", 1), (r"\bexecutive summary\b", 1),
               (r"\bappendix\b", 0.3), (r"\bequality impact assessment\b", 3), (r"\beq(ia|ia submission)\b", 3)),
}
MIN_SCORE = 2.5  # below this nothing is sure enough: `other`


@dataclass(frozen=True)
class Classification:
    doc_type: str
    title: str
    doc_date: date | None


@dataclass(frozen=True)
class ClassifySettings:
    pages_read: int = 3          # opening pages whose text counts
    title_weight: float = 2.0    # a cue in the title counts this many times
    max_title_chars: int = 200
    cue_cap: int = 3             # a cue counts at most this many times


def page_text(page: PageLayout) -> str:
    return " ".join(w.text for w in page.words)


def find_title(page: PageLayout, s: ClassifySettings = ClassifySettings()) -> str:
    """The largest text near the top of the first page with text: the title as printed."""
    if not page.words:
        return ""
    sizes = Counter(w.size for w in page.words)
    body = sizes.most_common(1)[0][0]
    top_half = [w for w in page.words if w.top < page.height * 0.6]
    big = max((w.size for w in top_half), default=body)
    if big < body + 0.5:
        # no larger type: the first bold line, else the first line
        bold = [w for w in page.words if w.bold]
        line_top = min(w.top for w in (bold or page.words))
        words = [w for w in (bold or page.words) if abs(w.top - line_top) < 2.5]
    else:
        heads = sorted((w for w in page.words if abs(w.size - big) < 0.6), key=lambda w: (w.top, w.x0))
        words, last = [], None
        for w in heads:  # the first block of the largest type, lines close together
            if last is not None and w.top - last.bottom > 1.2 * big:
                break
            words.append(w)
            last = w
    words.sort(key=lambda w: (round(w.top / 3), w.x0))
    return clean_inline(" ".join(w.text for w in words))[: s.max_title_chars]


_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_FULL_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?,?[\s\-]+((?:19|20)\d\d)\b", re.I)
_DATE_CONTEXT = re.compile(r"\b(meeting|held on|date\s*:|dated|to\s*:|cabinet|council|committee|published)\b", re.I)


def find_doc_date(layout: DocumentLayout, s: ClassifySettings = ClassifySettings()) -> date | None:
    """The paper's own date: a full date on the opening pages, preferring one beside a meeting cue."""
    best: tuple[int, int, date] | None = None
    for p in layout.pages[: s.pages_read]:
        text = page_text(p)
        for m in _FULL_DATE.finditer(text):
            try:
                d = date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
            except ValueError:
                continue
            window = text[max(0, m.start() - 80): m.start()]
            rank = (0 if _DATE_CONTEXT.search(window) else 1, p.number)
            if best is None or rank < best[:2]:
                best = (rank[0], rank[1], d)
    return best[2] if best else None


def score_types(text: str, title: str, s: ClassifySettings = ClassifySettings()) -> dict[str, float]:
    scores = {}
    folded, folded_title = text.translate(_CASE_FOLD), title.translate(_CASE_FOLD)
    for kind, cues in _CUES_RX.items():
        total = 0.0
        for rx, starts, weight in cues:
            if any(t in folded for t in starts):  # else the cue cannot match (`cue_starts`)
                n = sum(1 for _ in itertools.islice(rx.finditer(text), s.cue_cap))  # counted up to the cap
                total += weight * n
            if any(t in folded_title for t in starts) and rx.search(title):
                total += weight * s.title_weight
        scores[kind] = total
    return scores


# what re.IGNORECASE takes for a lower-case ASCII letter: its capital, and `İ` `ı` (i), `ſ` (s), `K` (Kelvin sign: k)
_CASE_FOLD = str.maketrans({**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
                            "İ": "i", "ı": "i", "ſ": "s", "K": "k"})


def cue_starts(pattern: str) -> tuple[str, ...]:
    """Texts one of which every case-insensitive match of a cue holds, once `_CASE_FOLD`ed: the
    pattern's literal starts (`literal_starts`), lower-cased. A text whose folded form holds none of
    them has no match, so its scan is skipped."""
    return tuple(sorted({t.translate(_CASE_FOLD) for t in literal_starts(_sre_parse(pattern, re.I))}))


_CUES_RX = {kind: tuple((re.compile(pat, re.I), cue_starts(pat), weight) for pat, weight in cues)
            for kind, cues in CUES.items()}


def classify(layout: DocumentLayout, n_plan_rows: int = 0, s: ClassifySettings = ClassifySettings()) -> Classification:
    first = next((p for p in layout.pages if p.words), None)
    title = find_title(first, s) if first else ""
    doc_date = find_doc_date(layout, s)
    if n_plan_rows:
        return Classification("action_plan", title, doc_date)
    opening = page_start(first) if first else ""
    if not opening and first and any(re.fullmatch(AGENDA_HEADING, t, re.I) for t in _opening_lines(first, PartSettings(
            opening_lines=10_000))):
        opening = "agenda"  # the first page prints an `AGENDA` heading of its own, under the meeting's details
    if opening in COMMITTEE_TYPES:  # the first page opens an agenda (`AGENDA`, `Summons to`) or minutes
        return Classification(opening, title, doc_date)
    text = " ".join(page_text(p) for p in layout.pages[: s.pages_read])
    scores = score_types(text, title, s)
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return Classification(kind if best >= MIN_SCORE else "other", title, doc_date)


# ---------------------------------------------------------------- parts of a committee pack

# Where a committee paper is a pack, its pages fall into parts: the agenda (frontsheet and list of
# business), printed minutes, and the reports and appendices of the items. A part starts on a page
# whose opening lines say so; a page that says nothing continues the part before it.
AGENDA_HEADING = r"a\s?g\s?e\s?n\s?d\s?a"
PART_STARTS: tuple[tuple[str, str], ...] = (
    ("agenda", r"^(?:a\s?g\s?e\s?n\s?d\s?a|agenda\s+(?:for|of)\b.*|summons\b.*|notice\s+of\s+(?:the\s+)?meeting\b.*)$"),
    ("minutes", r"^(?:(?:printed|draft|unconfirmed|confirmed)\s+)?minutes\b.*|^(?!\(?\d|item\b).*\bminutes\s+of\s+"
                r"(?:a|an|the)\s+(?:\w+\s+)?(?:meeting|proceedings)\b.*"),
    ("report", r"^(?:agenda\s+item\s+\d+\w*|(?:decision[- ]maker|subject|report\s+(?:of|by|to|title|author)|"
               r"title\s+of\s+report|decision\s+no\.?|key\s+decision|from|by)\s*:.*|appendix\b.*|annex\b.*|"
               r"report\s+(?:of|by|to)\b.*|equality\s+impact\s+assessment\b.*)$"),
)
# doc_type -> the extractors its pages run (pipeline/chain.py holds the functions under these names)
# RAG status tables are looked for in performance reports and in any report or paper not typed more
# closely (a quarterly report may not say "performance" on its opening pages); never in agendas,
# minutes, budgets or risk registers.
EXTRACTORS: dict[str, tuple[str, ...]] = {
    "agenda": ("agenda",),
    "minutes": ("minutes",),
    "performance_report": ("status", "plan"),
    "report": ("status", "plan"),
    "other": ("status", "plan"),
}
DEFAULT_EXTRACTORS: tuple[str, ...] = ("plan",)
COMMITTEE_TYPES = ("agenda", "minutes")  # document types whose pages are split into parts


@dataclass(frozen=True)
class Part:
    kind: str                 # a doc_type: agenda, minutes, or a report's own type
    pages: tuple[int, ...]    # 1-based page numbers, in order


@dataclass(frozen=True)
class PartSettings:
    opening_lines: int = 3    # a part's start is read from this many opening lines of a page ...
    minutes_lines: int = 6    # ... a minutes heading from this many (it may sit under `Agenda Item 3` and the
    #                           authority's and the body's names)
    line_tolerance: float = 2.5


def _opening_lines(page: PageLayout, s: PartSettings) -> list[str]:
    out = []
    for r in line_groups(page.words, s.line_tolerance):
        text = clean_inline(" ".join(w.text for w in r))
        if text and not re.fullmatch(r"(?:page\s*)?\d{1,4}", text, re.I):
            out.append(text)
        if len(out) >= s.opening_lines:
            break
    return out


def page_start(page: PageLayout, s: PartSettings = PartSettings()) -> str:
    """The kind of part this page opens (`agenda`, `minutes`, `report`), or "" when it continues one.

    An agenda heading in the opening lines wins; then a minutes heading a little further down (under an
    `Agenda Item 3` mark); then a report's marks."""
    lines = _opening_lines(page, PartSettings(opening_lines=max(s.opening_lines, s.minutes_lines)))
    for kind, pat in PART_STARTS:
        n = s.minutes_lines if kind == "minutes" else s.opening_lines
        if any(re.match(pat, text, re.I) for text in lines[:n]):
            return kind
    return ""


def sub_layout(layout: DocumentLayout, pages) -> DocumentLayout:
    """The same document restricted to some of its pages (page numbers kept)."""
    keep = set(pages)
    return DocumentLayout(pages=[p for p in layout.pages if p.number in keep], n_pages=layout.n_pages,
                          metadata=layout.metadata, page_errors={})


def split_parts(layout: DocumentLayout, doc_type: str, s: PartSettings = PartSettings()) -> list[Part]:
    """The parts of a document, in page order. Only agendas and minutes (packs) are split; any other
    document is one part of its own type. Report parts are typed by the cues of their own pages."""
    numbers = [p.number for p in layout.pages]
    if doc_type not in COMMITTEE_TYPES or not numbers:
        return [Part(doc_type, tuple(numbers))] if numbers else []
    runs: list[tuple[str, list[int]]] = []
    opens: set[int] = set()   # pages whose opening lines start an agenda or a report
    for p in layout.pages:
        kind = page_start(p, s) if p.words else ""
        if kind in ("agenda", "report"):
            opens.add(p.number)
        if not runs:
            runs.append((kind or doc_type, [p.number]))
        elif kind and kind != runs[-1][0] or kind == "report":
            runs.append((kind, [p.number]))
        else:
            runs[-1][1].append(p.number)
    runs = _minutes_sets(layout, runs, opens)
    merged: list[Part] = []
    for kind, pages in runs:
        if kind == "report":
            kind = report_type(sub_layout(layout, pages))
        if merged and merged[-1].kind == kind and kind not in COMMITTEE_TYPES:
            merged[-1] = Part(kind, merged[-1].pages + tuple(pages))
        else:
            merged.append(Part(kind, tuple(pages)))
    return merged


def _minutes_sets(layout: DocumentLayout, runs: list[tuple[str, list[int]]],
                  opens: set[int]) -> list[tuple[str, list[int]]]:
    """Printed minutes bound their own pages (`extractors.minutes.minutes_pages`): a minutes heading may
    sit in the middle of a page or under other opening lines, where page openings cannot see it. Every
    set of minutes becomes a minutes part of exactly its pages (up to a page whose opening lines start
    another paper); the pages leave the parts around them,
    except a set's first page, which the part before keeps too (the page is shared where the minutes
    start part-way down it)."""
    from extractors.minutes import minutes_pages

    sets = []
    for pages in minutes_pages(layout):
        cut = [p for i, p in enumerate(pages) if i == 0 or p not in opens]  # a page opening a paper ends them
        cut = cut[:next((i for i, p in enumerate(cut) if i and cut[i - 1] + 1 != p), len(cut))]
        if cut:
            sets.append(cut)
    if not sets:
        return runs
    taken = {p for pages in sets for p in pages}
    firsts = {pages[0] for pages in sets}
    out: list[tuple[str, list[int]]] = []
    for kind, pages in runs:
        if kind == "minutes":
            pages = [p for p in pages if p not in taken]
            kind = "report"
        else:
            pages = [p for p in pages if p not in taken or p in firsts]
        if pages:
            out.append((kind, pages))
    out.extend(("minutes", pages) for pages in sets)
    out.sort(key=lambda r: (r[1][0], r[0] == "minutes"))
    return out


def report_type(layout: DocumentLayout, s: ClassifySettings = ClassifySettings()) -> str:
    """The type of a report part of a pack, by the same cues as a whole document (never agenda or minutes)."""
    text = " ".join(page_text(p) for p in layout.pages[: s.pages_read])
    scores = {k: v for k, v in score_types(text, "", s).items() if k not in COMMITTEE_TYPES}
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return kind if best >= MIN_SCORE else "report"
