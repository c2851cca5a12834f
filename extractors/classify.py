"""Stage 3 — document classification: doc_type, title and the paper's date, from content."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from extractors.layout import DocumentLayout


@dataclass(frozen=True)
class Classification:
    doc_type: str
    title: str
    doc_date: date | None


def classify(layout: DocumentLayout, n_plan_rows: int = 0) -> Classification:
    title = ""
    if layout.pages:
        words = sorted(layout.pages[0].words, key=lambda w: (-w.size, w.top, w.x0))
        if words:
            big = words[0].size
            line = [w for w in layout.pages[0].words if abs(w.size - big) < 0.5]
            title = " ".join(w.text for w in sorted(line, key=lambda w: (round(w.top), w.x0)))[:300]
    return Classification("action_plan" if n_plan_rows else "other", title, None)
