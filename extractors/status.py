"""Stage 4 — records of RAG status tables: one row per initiative per period.

Stub: the real extractor comes from issue 10 part B (branch i10b).
"""
from __future__ import annotations

from extractors.committee import StatusRow
from extractors.layout import DocumentLayout


def extract_status(layout: DocumentLayout) -> list[StatusRow]:
    return []
