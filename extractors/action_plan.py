"""Stage 4 — action-plan records: reconstructed tables in, typed plan rows out."""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.layout import DocumentLayout


@dataclass
class PlanRow:
    section: str = ""
    ref: str = ""
    recommendation: str = ""
    key_actions: str = ""
    lead: str = ""
    lead_name: str = ""
    timescale: str = ""
    resource: str = ""
    extra: dict = field(default_factory=dict)
    page_start: int = 0
    page_end: int = 0
    cost_cells: tuple[str, ...] = ()  # text of any extra cost column, for the money normaliser


@dataclass
class PlanExtraction:
    rows: list[PlanRow] = field(default_factory=list)
    leads: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def extract_plan(layout: DocumentLayout) -> PlanExtraction:
    """Every action-plan row in the document (first version: none)."""
    return PlanExtraction()
