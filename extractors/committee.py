"""Typed rows of the committee-paper extractors (agenda, minutes, status).

Plain dataclasses that `extractors/agenda.py`, `extractors/minutes.py` and
`extractors/status.py` hand to `pipeline/records.py`, which turns them into the
`meetings`, `agenda_items`, `minutes_items` and `status_updates` contract rows
(see ../shared/eval/CONTRACT-meetings.md). Text fields follow the contract's
text rules; `boxes` is the row's provenance: one (page, x0, top, x1, bottom)
per page the row spans, in PDF points from the page's top-left corner.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

Box = tuple  # (page, x0, top, x1, bottom)


@dataclass
class Meeting:
    body: str
    meeting_date: date | None
    kind: str                    # "agenda" (summons the meeting) or "minutes" (records it)
    start_time: str = ""         # "HH:MM", 24-hour; "" where not printed
    venue: str = ""
    page: int = 1                # page the meeting's heading is printed on
    boxes: list[Box] = field(default_factory=list)


@dataclass
class AgendaItem:
    meeting_date: date | None
    item_number: str
    title: str
    description: str = ""
    page_refs: str = ""
    page: int = 1
    boxes: list[Box] = field(default_factory=list)


@dataclass
class MinuteItem:
    meeting_date: date | None
    minute_number: str
    title: str
    decision: str = ""
    page: int = 1
    boxes: list[Box] = field(default_factory=list)


@dataclass
class StatusRow:
    section: str
    initiative: str
    period: str
    rag: str                     # red, amber, green or not_rated
    direction: str = ""
    comments: str = ""
    page: int = 1
    boxes: list[Box] = field(default_factory=list)
