"""Shared vocabulary and text folding for the normaliser (dates and money).

Everything here is data: word lists, the regex fragments built from them, and
`fold`, which maps typographic variants (curly quotes, en/em dashes, minus,
non-breaking space) to their ASCII forms one character for one character, so
offsets into the folded text are offsets into the original text too.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " ",
})


def fold(text: str) -> str:
    """Same length as `text`; typographic variants folded to ASCII."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class NormaliseSettings:
    """Named defaults of the normaliser (UK local-government conventions)."""

    fiscal_year_start_month: int = 4      # UK public-sector financial year starts 1 April
    two_digit_century: int = 2000         # `Sept 24` is 2024
    year_min: int = 1950                  # a four-digit number outside [year_min, year_max] is not a year
    year_max: int = 2099
    context_year: bool = True             # a year-less expression may borrow the year of another date in its cell
    cell_cache_size: int = 8192           # whole cells remembered per process (find_dates / find_money)


SETTINGS = NormaliseSettings()

MONTHS: dict[str, int] = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9

# month names, longest alternatives first so `sept` wins over `sep`
MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])"
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
SEASON = r"(?:spring|summer|autumn|fall|winter)(?![a-z])"
WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)"
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30,
    "a few": 3, "few": 3, "several": 3, "a couple of": 2,
}
