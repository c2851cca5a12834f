"""Date expressions in timescale cells -> DateSpan (simple first version).

Handles month-year, seasons, financial years and bare years. The full
spaCy + dateparser normaliser replaces this module behind the same function.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from .model import DateSpan

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "winter": (12, 2)}

_RX = re.compile(
    r"\b(?:(?P<season>spring|summer|autumn|winter)|(?P<month>"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?)\s+(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?P<fy1>(?:19|20)\d\d)[/-](?P<fy2>\d\d(?:\d\d)?)\b"
    r"|\b(?P<ongoing>ongoing)\b"
    r"|\b(?P<bare>(?:19|20)\d\d)\b",
    re.I,
)


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def find_dates(text: str, reference: date | None = None) -> list[DateSpan]:
    out: list[DateSpan] = []
    for m in _RX.finditer(text or ""):
        if m.group("season"):
            y = int(m.group("year"))
            a, b = _SEASONS[m.group("season").lower()]
            end_y = y + 1 if b < a else y
            out.append(DateSpan(m.group(0), date(y, a, 1), _month_end(end_y, b), "season"))
        elif m.group("month"):
            y, mo = int(m.group("year")), _MONTHS[m.group("month").lower()]
            out.append(DateSpan(m.group(0), date(y, mo, 1), _month_end(y, mo), "month"))
        elif m.group("fy1"):
            y1 = int(m.group("fy1"))
            y2s = m.group("fy2")
            y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s)
            if y2 == y1 + 1:
                out.append(DateSpan(m.group(0), date(y1, 4, 1), date(y2, 3, 31), "fiscal_year"))
            elif y2 > y1:
                out.append(DateSpan(m.group(0), date(y1, 1, 1), date(y2, 12, 31), "year"))
        elif m.group("ongoing"):
            out.append(DateSpan(m.group(0), None, None, "ongoing"))
        elif m.group("bare"):
            y = int(m.group("bare"))
            out.append(DateSpan(m.group(0), date(y, 1, 1), date(y, 12, 31), "year"))
    return out
