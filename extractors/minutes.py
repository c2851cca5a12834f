"""Stage 4 — records of printed minutes: the meetings they record and their minutes.

Stub: the real extractor comes from issue 10 part C (branch i10c).
"""
from __future__ import annotations

from extractors.committee import Meeting, MinuteItem
from extractors.layout import DocumentLayout


def extract_minutes(layout: DocumentLayout) -> tuple[list[Meeting], list[MinuteItem]]:
    return [], []
