"""A small run's tables with known-bad rows planted among good ones (shared by the quality and export tests)."""
from __future__ import annotations

from datetime import date

D1, D2 = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"
FORMULA = '=HYPERLINK("http://example.com","click")'
GOOD_BBOX = "[[2, 40.0, 100.0, 550.0, 160.0]]"   # inside D1's A4 pages, on the row's page


def _rec(n: int, **kw) -> dict:
    row = {"record_id": f"{D1}-{n}", "doc_id": D1, "source": "plan.pdf", "section": "Skills",
           "ref": str(n), "recommendation": f"Recommendation {n} for Café Nero £5k", "key_actions": "Do it",
           "lead": "EDT", "lead_name": "Economic Development Team", "timescale": "July 2024",
           "resource": "£60k", "extra": "{}", "page_start": 2, "page_end": 2,
           "bbox": GOOD_BBOX}
    row.update(kw)
    return row


def planted_tables() -> dict[str, list[dict]]:
    documents = [
        {"doc_id": D1, "source": "plan.pdf", "doc_type": "action_plan", "title": "Skills plan", "pages": 10,
         "status": "ok", "error": "", "path": "/in/plan.pdf", "doc_date": date(2024, 5, 1), "records": 6,
         "seconds": 0.5, "page_sizes": "[[1, 10, 595.28, 841.89]]"},
        {"doc_id": D2, "source": "memo.pdf", "doc_type": "memo", "title": "A memo", "pages": 5,
         "status": "ok", "error": "", "path": "/in/memo.pdf", "doc_date": None, "records": 0, "seconds": 0.1},
    ]
    recommendations = [
        _rec(1),                                                            # good
        _rec(2, lead="XYZ", bbox="[[2, 40.0, 100.0, 700.0, 160.0]]"),     # lead code not in the key; box off the page
        _rec(3, recommendation="<b>Improve</b> skills",                     # HTML in text
             bbox="[[4, 40.0, 100.0, 550.0, 160.0]]"),                      # box on a page outside the row's span
        _rec(4, key_actions=FORMULA, bbox=None),                            # formula-looking cell; no bbox
        _rec(5, page_start=3, page_end=2),                                  # pages out of order
        _rec(6, page_end=12, lead="EDT / HR", section="Growth (cid:12) plan\x07"),  # past the last page; artefacts
        _rec(7, lead="", bbox="[2, 40, 100]"),                              # empty lead; malformed bbox
    ]
    timescales = [
        {"record_id": f"{D1}-1", "text": "July 2024", "start_date": date(2024, 7, 1), "end_date": date(2024, 7, 31),
         "precision": "month"},
        {"record_id": f"{D1}-2", "text": "2025 to 2024", "start_date": date(2025, 3, 31),
         "end_date": date(2024, 4, 1), "precision": "year"},                # ends before it starts
        {"record_id": f"{D1}-3", "text": "1990", "start_date": date(1990, 1, 1), "end_date": date(1990, 12, 31),
         "precision": "year"},                                              # implausibly early
        {"record_id": "cccccccccccccccc-1", "text": "Ongoing", "start_date": None, "end_date": None,
         "precision": "ongoing"},                                           # orphan record_id
    ]
    costs = [
        {"record_id": f"{D1}-1", "text": "£60k", "amount_gbp": 60000.0, "period": "one_off"},
        {"record_id": f"{D1}-2", "text": "(£5k)", "amount_gbp": -5000.0, "period": "unspecified"},  # negative
        {"record_id": f"{D1}-3", "text": "£20bn", "amount_gbp": 2e10, "period": "per_year"},      # over the cap
    ]
    leads = [{"doc_id": D1, "code": "EDT", "name": "Economic Development Team"},
             {"doc_id": D1, "code": "HR", "name": "Human Resources"}]
    return {"documents": documents, "recommendations": recommendations, "timescales": timescales,
            "costs": costs, "leads": leads}
