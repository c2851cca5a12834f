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
from extractors.committee import AgendaItem, Box, Meeting, MinuteItem, StatusRow
from pipeline.normalise import find_dates, find_money


@dataclass
class DocRows:
    """All contract rows that one input file contributes (table name -> rows)."""

    documents: list[dict] = field(default_factory=list)
    recommendations: list[dict] = field(default_factory=list)
    timescales: list[dict] = field(default_factory=list)
    costs: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    agenda_items: list[dict] = field(default_factory=list)
    minutes_items: list[dict] = field(default_factory=list)
    status_updates: list[dict] = field(default_factory=list)

    def tables(self) -> dict[str, list[dict]]:
        return {"documents": self.documents, "recommendations": self.recommendations,
                "timescales": self.timescales, "costs": self.costs, "leads": self.leads,
                "meetings": self.meetings, "agenda_items": self.agenda_items,
                "minutes_items": self.minutes_items, "status_updates": self.status_updates}


@dataclass
class CommitteeRows:
    """What the committee extractors (agenda, minutes, status) found in one document."""

    meetings: list[Meeting] = field(default_factory=list)
    agenda_items: list[AgendaItem] = field(default_factory=list)
    minutes_items: list[MinuteItem] = field(default_factory=list)
    status_rows: list[StatusRow] = field(default_factory=list)


def _iso(d: date | None) -> date | None:
    return d if isinstance(d, date) else None


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


def build_rows(doc: dict, plan_rows: list[PlanRow], leads: dict[str, str], reference: date | None,
               committee: CommitteeRows | None = None) -> DocRows:
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
    if committee is not None:
        _committee_rows(out, doc_id, source, committee)
    return out


def _committee_rows(out: DocRows, doc_id: str, source: str, c: CommitteeRows) -> None:
    ids = {"doc_id": doc_id, "source": source}
    for m in c.meetings:
        out.meetings.append({**ids, "body": m.body, "meeting_date": _iso(m.meeting_date), "start_time": m.start_time,
                             "venue": m.venue, "kind": m.kind, "bbox": bbox_json(m.boxes)})
    for a in c.agenda_items:
        out.agenda_items.append({**ids, "meeting_date": _iso(a.meeting_date), "item_number": a.item_number,
                                 "title": a.title, "description": a.description, "page_refs": a.page_refs,
                                 "page": a.page, "bbox": bbox_json(a.boxes)})
    for n in c.minutes_items:
        out.minutes_items.append({**ids, "meeting_date": _iso(n.meeting_date), "minute_number": n.minute_number,
                                  "title": n.title, "decision": n.decision, "page": n.page,
                                  "bbox": bbox_json(n.boxes)})
    for r in c.status_rows:
        out.status_updates.append({**ids, "section": r.section, "initiative": r.initiative, "period": r.period,
                                   "rag": r.rag, "direction": r.direction, "comments": r.comments, "page": r.page,
                                   "bbox": bbox_json(r.boxes)})
