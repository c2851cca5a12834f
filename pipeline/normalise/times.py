"""Times of day in meeting headings -> "HH:MM", 24-hour (CONTRACT-meetings.md, meetings.start_time).

What is read, in text order:

- a clock time with its meridiem: `6.00 pm`, `9.30am`, `2pm`, `10:00 a.m.`;
- noon and midnight in words: `noon`, `12 noon`, `midday`, `12 midday`, `midnight`;
- a time in words: `ten o'clock`, `half past six`, `quarter to eleven`, optionally
  `in the morning / afternoon / evening` or a meridiem;
- a bare clock time (`10.00`, `14:30`, `10.00 hrs`) only with context: introduced by
  `at`, `from`, `time:`, `start(s)`, `commencing`, `begins` ..., or followed by `hrs` /
  `hours` / `h`. Without context `10.00` is as likely a sum, a paragraph or a version.

A time without a meridiem whose hour is below `TimeSettings.pm_below` is read as
afternoon (`at 2.00` = 14:00): councils do not meet before dawn.

`start_time` takes the first time that is not an end time. An end time is one
introduced by `end`, `finish`, `close` or `conclude` (in the same clause), or
straight after `until`, `till`, `to`, `and` or a dash, closer than the previous time (`10.00 am - 12.30 pm`: the second; `The
meeting is scheduled to end by 4.30 pm`). Qualifiers after the time are ignored
(`3.00 pm (or on the rising of Full Council, whichever is the later)` = 15:00).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import NUMBER_WORDS, fold


@dataclass(frozen=True)
class TimeSettings:
    pm_below: int = 8            # a meridiem-less hour 1..pm_below-1 is afternoon (`at 2.00` = 14:00)
    end_window: int = 40         # characters before a time searched for the words that make it an end time


@dataclass(frozen=True)
class TimeOfDay:
    text: str      # the expression as printed
    hhmm: str      # "HH:MM", 24-hour
    end: bool      # an end time (`to end by 4.30 pm`)
    start: int     # offset in the text

    def as_json(self) -> dict:
        return {"text": self.text, "time": self.hhmm, "end": self.end}


_HOUR_WORDS = {w: n for w, n in NUMBER_WORDS.items() if 1 <= n <= 12 and " " not in w and "-" not in w}
_HW = "|".join(sorted(_HOUR_WORDS, key=len, reverse=True))
_HN = rf"(?:{_HW}|1[0-2]|0?[1-9])"
_MER = r"(?P<mer>[ap])\.?\s?m\b\.?"
_PART_OF_DAY = r"(?:\s+in\s+the\s+(?P<pod>morning|afternoon|evening))"

_PATTERNS = (
    ("noon", re.compile(r"\b(?:12(?:[.:]00)?\s*)?(?:noon|mid-?day)\b", re.I)),
    ("midnight", re.compile(r"\b(?:12(?:[.:]00)?\s*)?midnight\b", re.I)),
    ("meridiem", re.compile(rf"(?<![\d.:£$])\b(?P<h>1[0-2]|0?[1-9])(?:[.:](?P<m>[0-5]\d))?\s*{_MER}", re.I)),
    ("words", re.compile(
        rf"\b(?:(?P<frac>half|(?:a\s+)?quarter)\s+(?P<rel>past|to)\s+(?P<wh>{_HN})|(?P<oh>{_HN})\s+o'?\s?clock)"
        rf"(?:{_PART_OF_DAY}|\s*{_MER})?", re.I)),
    ("bare", re.compile(
        r"(?:(?P<ctx>\b(?:at|from|time\s*:|times?|start(?:s|ing)?(?:\s+at)?|commenc\w*(?:\s+at)?|begin\w*(?:\s+at)?)\s+)"
        r"(?P<h>[01]?\d|2[0-3])[.:](?P<m>[0-5]\d)(?![\d.,:%])|(?<![\d.,:£$])\b(?P<h2>[01]?\d|2[0-3])[.:](?P<m2>[0-5]\d)"
        r"\s*(?:hrs|hours|h)\b)", re.I)),
)
_END = re.compile(r"\b(?:end(?:s|ing)?|finish(?:es|ing)?|clos(?:e|es|ing)|conclu\w*)\b[^.;:\d()]*$"
                  r"|(?:\b(?:until|till|to|and)|[-–—])\s*(?:about|around|approx\w*|c\.|circa)?\s*$", re.I)


def _word_hour(s: str) -> int:
    s = s.lower()
    return _HOUR_WORDS[s] if s in _HOUR_WORDS else int(s)


def _clock(h: int, m: int, mer: str | None, pod: str | None, s: TimeSettings) -> str | None:
    if mer:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if mer.lower() == "p" else 0)
    elif pod:
        if pod.lower() in ("afternoon", "evening") and h < 12:
            h += 12
    elif 1 <= h < s.pm_below:
        h += 12
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return f"{h:02d}:{m:02d}"


def _read(kind: str, m: re.Match, s: TimeSettings) -> str | None:
    if kind == "noon":
        return "12:00"
    if kind == "midnight":
        return "00:00"
    if kind == "meridiem":
        return _clock(int(m["h"]), int(m["m"] or 0), m["mer"], None, s)
    if kind == "words":
        mer, pod = m["mer"], m["pod"]
        if m["oh"]:
            return _clock(_word_hour(m["oh"]), 0, mer, pod, s)
        h = _word_hour(m["wh"])
        frac = 30 if m["frac"].lower() == "half" else 15
        if m["rel"].lower() == "to":
            h, minute = (h - 1) or 12, 60 - frac
        else:
            minute = frac
        return _clock(h, minute, mer, pod, s)
    h, mm = (m["h"], m["m"]) if m["h"] is not None else (m["h2"], m["m2"])
    return _clock(int(h), int(mm), None, None, s)


def find_times(text: str, s: TimeSettings = TimeSettings()) -> list[TimeOfDay]:
    """Every time of day in `text`, in text order, marked start or end."""
    if not text:
        return []
    t = fold(text)
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pat in _PATTERNS:
        for m in pat.finditer(t):
            a, b = m.span()
            if kind == "bare" and m["ctx"]:
                a = m.start("h")
            if any(a < y and x < b for x, y in taken):
                continue
            hhmm = _read(kind, m, s)
            if hhmm:
                found.append((a, b, hhmm))
                taken.append((a, b))
    found.sort()
    out, prev_end = [], 0
    for a, b, hhmm in found:
        window = t[max(prev_end, a - s.end_window): a]
        out.append(TimeOfDay(text=text[a:b].strip(), hhmm=hhmm, end=bool(_END.search(window)), start=a))
        prev_end = b
    return out


def start_time(text: str, s: TimeSettings = TimeSettings()) -> str:
    """The first time in `text` that is not an end time, as "HH:MM"; "" where none."""
    return next((x.hhmm for x in find_times(text, s) if not x.end), "")
