"""Stage — typed records to normalised contract rows.

Takes what the extractors found in one document (plain dataclasses) and
produces the rows of every contract table for it, with record ids assigned and
the timescale and resource cells run through the normaliser. Pure: no I/O.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from extractors.action_plan import PlanRow
from pipeline.normalise import find_dates, find_money


@dataclass
class DocRows:
    """All contract rows that one input file contributes (table name -> rows)."""

    documents: list[dict] = field(default_factory=list)
    recommendations: list[dict] = field(default_factory=list)
    timescales: list[dict] = field(default_factory=list)
    costs: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict]]:
        return {"documents": self.documents, "recommendations": self.recommendations,
                "timescales": self.timescales, "costs": self.costs, "leads": self.leads}


def bbox_json(boxes) -> str:
    """Provenance boxes as the `bbox` column: `[[page, x0, top, x1, bottom], ...]` in PDF points, page order."""
    return json.dumps([[int(b[0])] + [round(float(v), 2) for v in b[1:5]] for b in sorted(boxes, key=lambda b: b[0])])


def page_sizes_json(pages) -> str:
    """`documents.page_sizes`: `[[first_page, last_page, width, height], ...]`, one entry per run of
    consecutive pages of one size (PDF points). `pages` holds (number, width, height) in page order."""
    runs: list[list] = []
    for number, width, height in pages:
        w, h = round(float(width), 2), round(float(height), 2)
        if runs and runs[-1][1] == number - 1 and runs[-1][2:] == [w, h]:
            runs[-1][1] = number
        else:
            runs.append([int(number), int(number), w, h])
    return json.dumps(runs)


def build_rows(doc: dict, plan_rows: list[PlanRow], leads: dict[str, str], reference: date | None) -> DocRows:
    """Contract rows for one document. `doc` is its finished documents row."""
    out = DocRows(documents=[doc])
    doc_id, source = doc["doc_id"], doc["source"]
    for i, r in enumerate(plan_rows, start=1):
        rid = f"{doc_id}-{i}"
        out.recommendations.append({
            "record_id": rid, "doc_id": doc_id, "source": source, "section": r.section, "ref": r.ref,
            "recommendation": r.recommendation, "key_actions": r.key_actions, "lead": r.lead,
            "lead_name": r.lead_name, "timescale": r.timescale, "resource": r.resource,
            "extra": json.dumps(r.extra, ensure_ascii=False), "page_start": r.page_start, "page_end": r.page_end,
            "bbox": bbox_json(r.boxes),
        })
        for span in find_dates(r.timescale, reference=reference):
            out.timescales.append({"record_id": rid, "text": span.text, "start_date": span.start_date,
                                   "end_date": span.end_date, "precision": span.precision})
        for money_text in [r.resource] + list(r.cost_cells):
            for m in find_money(money_text):
                out.costs.append({"record_id": rid, "text": m.text, "amount_gbp": m.amount_gbp, "period": m.period})
    for code, name in leads.items():
        out.leads.append({"doc_id": doc_id, "code": code, "name": name})
    return out
