"""Sums of money in resource cells -> Money (simple first version).

The full spaCy-based normaliser replaces this module behind the same function.
"""
from __future__ import annotations

import re

from .model import Money

_UNITS = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_RX = re.compile(
    r"(?P<neg>[-−])?£\s?(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>million|billion|bn|k|m)?\b"
    r"(?P<per>\s*(?:pa\b|p\.a\.|per annum|per year|a year|each year))?",
    re.I,
)


def find_money(text: str) -> list[Money]:
    out = []
    for m in _RX.finditer(text or ""):
        amount = float(m.group("num").replace(",", "")) * _UNITS.get((m.group("unit") or "").lower(), 1.0)
        if m.group("neg"):
            amount = -amount
        period = "per_year" if m.group("per") else ("one_off" if re.search(r"one[- ]off", text, re.I) else "unspecified")
        out.append(Money(m.group(0).strip(), amount, period))
    return out
