"""Plain result types of the normaliser (shared by dates and money)."""
from __future__ import annotations

from dataclasses import dataclass, asdict
from datetime import date


@dataclass(frozen=True)
class DateSpan:
    text: str
    start_date: date | None
    end_date: date | None
    precision: str

    def as_json(self) -> dict:
        d = asdict(self)
        d["start_date"] = self.start_date.isoformat() if self.start_date else None
        d["end_date"] = self.end_date.isoformat() if self.end_date else None
        return d


@dataclass(frozen=True)
class Money:
    text: str
    amount_gbp: float
    period: str  # one_off | per_year | unspecified

    def as_json(self) -> dict:
        return asdict(self)
