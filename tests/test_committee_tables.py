"""The four committee tables (meetings, agenda_items, minutes_items, status_updates): times in the
normaliser, contract rows from the typed extractor rows, quality checks firing on planted bad rows, and the
exports read back (Parquet types, XLSX sheets)."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from extractors.committee import AgendaItem, Meeting, MinuteItem, StatusRow
from pipeline.cli import check_and_export
from pipeline.export import WORKBOOK
from pipeline.normalise import find_times, start_time
from pipeline.records import CommitteeRows, build_rows
from planted import D1, planted_tables


@pytest.mark.parametrize("text, want", [
    ("Thursday, 7th February, 2019 at 6.00 pm", "18:00"),
    ("at 9.30 am", "09:30"),
    ("9.30am", "09:30"),
    ("12 noon", "12:00"),
    ("noon", "12:00"),
    ("midday", "12:00"),
    ("Time: 10.00", "10:00"),
    ("to be held at 14:30", "14:30"),
    ("10.00 hrs", "10:00"),
    ("3.00 pm (or on the rising of Full Council, whichever is the later)", "15:00"),
    ("at 10.00 am to deal with the following business. The meeting is scheduled to end by 5.00 pm.", "10:00"),
    ("2pm - 4.30pm", "14:00"),
    ("half past six in the evening", "18:30"),
    ("ten o'clock", "10:00"),
    ("quarter to eleven in the morning", "10:45"),
    ("2.30 p.m.", "14:30"),
    ("The meeting is scheduled to end at 4.30pm (if not before)", ""),  # only an end time
    ("10.00", ""),                                                      # no context: a sum, a paragraph ...
    ("£10.00 per head", ""),
    ("paragraph 16.31 of the Constitution", ""),
])
def test_start_times(text, want):
    assert start_time(text) == want


def test_end_times_are_marked():
    got = [(t.hhmm, t.end) for t in find_times("10am - 12.30pm; the meeting will close by 1 pm")]
    assert got == [("10:00", False), ("12:30", True), ("13:00", True)]


def test_contract_rows_from_typed_rows():
    doc = {"doc_id": D1, "source": "pack.pdf"}
    c = CommitteeRows(
        meetings=[Meeting("Cabinet", date(2025, 3, 4), "agenda", "10:00", "Council Chamber", 1,
                          [(1, 78.04, 251.2, 295.0, 263.2)])],
        agenda_items=[AgendaItem(date(2025, 3, 4), "3", "Minutes", "", "Pages 1 - 18", 1,
                                 [(1, 54, 445, 418, 457), (2, 54, 60, 300, 80)])],
        minutes_items=[MinuteItem(date(2025, 1, 30), "", "Election of Chair", "", 3)],
        status_rows=[StatusRow("Green City", "Trees", "Q2", "amber", "Improving", "", 4)])
    rows = build_rows(doc, [], {}, None, c)
    m = rows.meetings[0]
    assert m["meeting_date"] == date(2025, 3, 4) and m["kind"] == "agenda" and m["source"] == "pack.pdf"
    assert json.loads(m["bbox"]) == [[1, 78.04, 251.2, 295.0, 263.2]]
    assert json.loads(rows.agenda_items[0]["bbox"])[1] == [2, 54.0, 60.0, 300.0, 80.0]
    assert rows.minutes_items[0]["minute_number"] == "" and rows.minutes_items[0]["bbox"] == "[]"
    assert rows.status_updates[0]["rag"] == "amber"
    assert set(rows.tables()) >= {"meetings", "agenda_items", "minutes_items", "status_updates"}


def _m(**kw):
    row = {"doc_id": D1, "source": "plan.pdf", "body": "Cabinet", "meeting_date": date(2024, 5, 20),
           "start_time": "18:00", "venue": "Civic Centre", "kind": "agenda", "bbox": "[[1, 50, 60, 300, 90]]"}
    row.update(kw)
    return row


def _a(n: str, **kw):
    row = {"doc_id": D1, "source": "plan.pdf", "meeting_date": date(2024, 5, 20), "item_number": n,
           "title": f"Item {n}", "description": "", "page_refs": "", "page": 1, "bbox": "[]"}
    row.update(kw)
    return row


def planted_committee() -> dict[str, list[dict]]:
    tables = planted_tables()
    tables["meetings"] = [
        _m(),                                                          # good (document dated 2024-05-01)
        _m(kind="minutes", meeting_date=date(2024, 4, 11), start_time=""),  # good: the previous meeting
        _m(body="Cabinet again"),                                      # same kind and date twice
        _m(kind="minutes", meeting_date=date(2030, 1, 1), start_time="25:00"),  # bad time; implausible date
        _m(kind="summons", meeting_date=date(2024, 6, 1)),             # kind outside the set
    ]
    tables["agenda_items"] = [
        _a("1"),                                                       # good
        _a("1", title="Item 1 again"),                                 # duplicate key
        _a("2", meeting_date=date(2024, 4, 11)),                       # names a minutes meeting, not an agenda one
        _a("3", page=12),                                              # past the document's last page
    ]
    tables["minutes_items"] = [
        {"doc_id": D1, "source": "plan.pdf", "meeting_date": date(2024, 4, 11), "minute_number": "9",
         "title": "Apologies", "decision": "", "page": 2, "bbox": "[]"},          # good
        {"doc_id": D1, "source": "plan.pdf", "meeting_date": date(2024, 5, 20), "minute_number": "10",
         "title": "Minutes", "decision": "RESOLVED that ...", "page": 2, "bbox": "[]"},  # no such minutes meeting
    ]
    tables["status_updates"] = [
        {"doc_id": D1, "source": "plan.pdf", "section": "Green City", "initiative": "Trees", "period": "Q2",
         "rag": "amber", "direction": "", "comments": "", "page": 3, "bbox": "[]"},     # good
        {"doc_id": D1, "source": "plan.pdf", "section": "Green City", "initiative": "Parks", "period": "Q2",
         "rag": "purple", "direction": "", "comments": "", "page": 3, "bbox": "[]"},    # rag outside the set
    ]
    for name in ("meetings", "agenda_items", "minutes_items", "status_updates"):
        for row in tables[name]:  # a valid box on the row's page: only the planted faults above are reported
            if row["bbox"] == "[]":
                row["bbox"] = json.dumps([[row.get("page", 1), 50.0, 50.0, 300.0, 70.0]])
    return tables


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("committee")
    return check_and_export(planted_committee(), out), out


def test_planted_committee_rows_are_reported(planted_run):
    q, _ = planted_run
    got = {(i["table"], i["row"], i["column"], i["severity"]) for i in q.issues
           if i["table"] in ("meetings", "agenda_items", "minutes_items", "status_updates")}
    want = {
        ("meetings", 1, "doc_id+kind+meeting_date", "critical"),   # GX flags every copy of a duplicate
        ("meetings", 3, "doc_id+kind+meeting_date", "critical"),
        ("meetings", 4, "start_time", "critical"),
        ("meetings", 4, "meeting_date", "warning"),
        ("meetings", 5, "kind", "critical"),
        ("agenda_items", 1, "doc_id+meeting_date+item_number", "critical"),
        ("agenda_items", 2, "doc_id+meeting_date+item_number", "critical"),
        ("agenda_items", 3, "meeting_date", "critical"),
        ("agenda_items", 4, "page", "critical"),
        ("agenda_items", 4, "bbox", "critical"),     # its box is on a page past the last one too
        ("minutes_items", 2, "meeting_date", "critical"),
        ("status_updates", 2, "rag", "critical"),
    }
    assert got == want


def test_committee_tables_exported_and_read_back(planted_run):
    _, out = planted_run
    meetings = pd.read_parquet(out / "meetings.parquet")
    assert list(meetings.columns) == ["doc_id", "source", "body", "meeting_date", "start_time", "venue", "kind", "bbox"]
    assert meetings["meeting_date"].iloc[0] == date(2024, 5, 20)   # a real date, not text
    assert json.loads(meetings["bbox"].iloc[0]) == [[1, 50, 60, 300, 90]]
    items = pd.read_parquet(out / "agenda_items.parquet")
    assert str(items["page"].dtype) == "int64" and len(items) == 4
    csv = pd.read_csv(out / "agenda_items.csv", encoding="utf-8-sig")
    assert csv["meeting_date"].iloc[0] == "2024-05-20"
    wb = load_workbook(out / WORKBOOK, read_only=True)
    for sheet in ("meetings", "agenda_items", "minutes_items", "status_updates"):
        assert sheet in wb.sheetnames
    rows = list(wb["status_updates"].iter_rows(values_only=True))
    assert rows[0][:4] == ("doc_id", "source", "section", "initiative") and rows[1][5] == "amber"
    wb.close()


def test_ingest_stores_the_committee_tables(tmp_path):
    """A drawn agenda through `councilx ingest`: its meeting and items in the catalogue and the current/ snapshot."""
    import duckdb

    from agenda_pdf import AgendaSpec, Item, build_agenda
    from pipeline.ingest import ingest
    from pipeline.store import CATALOGUE, CURRENT_DIR

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    build_agenda(inbox / "agenda.pdf", AgendaSpec(items=[Item("1.", "Apologies"), Item("2.", "Minutes",
                                                                                        refs="Pages 1 - 4")]))
    store = tmp_path / "store"
    report = ingest(inbox, store)
    assert report.files_failed == 0
    items = pd.read_parquet(store / CURRENT_DIR / "agenda_items.parquet")
    assert items["item_number"].tolist() == ["1", "2"] and items["page_refs"].tolist() == ["", "Pages 1 - 4"]
    meetings = pd.read_parquet(store / CURRENT_DIR / "meetings.parquet")
    assert meetings["meeting_date"].tolist() == [date(2025, 6, 3)] and meetings["start_time"].tolist() == ["14:00"]
    con = duckdb.connect(str(store / CATALOGUE), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM agenda_items WHERE superseded_at IS NULL").fetchone()[0] == 2
        assert con.execute("SELECT kind, body FROM meetings").fetchall() == [("agenda", "Environment Scrutiny Committee")]
        assert con.execute("SELECT count(*) FROM minutes_items").fetchone()[0] == 0
    finally:
        con.close()
