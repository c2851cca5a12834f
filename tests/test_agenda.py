"""Agendas: the meeting an agenda summons and its numbered items, on PDFs drawn here and on the shared gold."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from agenda_pdf import AgendaSpec, Item, build_agenda
from extractors.agenda import extract_agenda
from extractors.classify import classify, split_parts
from extractors.layout import read_layout
from pipeline.chain import RunSettings, process_file
from plan_pdf import PlanSpec, build_plan

LONG = ("Flood Risk Management Strategy: annual review of the county's programme of works and the "
        "partnership funding secured from the Environment Agency")
COLUMN_ITEMS = [
    Item("1.", "Apologies for Absence", "To receive any apologies for absence."),
    Item("2.", "Declarations of Interest"),
    Item("3.", "Minutes of the meeting held on 6 May 2025", refs="Pages 1 - 8"),
    Item("4.", LONG, "Report of the Director of Environment.", refs="Pages 9 - 40"),
    Item("(a)", "Highways drainage", refs="Pages 41 - 44", indent=12),
    Item("(b)", "Coastal defences", indent=12),
    Item("5.", "Work Programme", refs="45 - 50"),
]


def _agenda(tmp_path: Path, **kw):
    pdf = build_agenda(tmp_path / "agenda.pdf", AgendaSpec(**kw))
    return extract_agenda(read_layout(pdf))


def test_right_hand_page_ref_column_bold_titles_and_lettered_sub_items(tmp_path):
    meetings, items = _agenda(tmp_path, items=COLUMN_ITEMS)
    assert len(meetings) == 1
    m = meetings[0]
    assert (m.body, m.meeting_date, m.start_time, m.kind) == (
        "Environment Scrutiny Committee", date(2025, 6, 3), "14:00", "agenda")
    assert m.venue == "Committee Room 2, Shire Hall, Dorchester"       # the contact column is not venue
    got = [(a.item_number, a.title, a.description, a.page_refs) for a in items]
    assert got == [
        ("1", "Apologies for Absence", "To receive any apologies for absence.", ""),
        ("2", "Declarations of Interest", "", ""),
        ("3", "Minutes of the meeting held on 6 May 2025", "", "Pages 1 - 8"),
        ("4", LONG, "Report of the Director of Environment.", "Pages 9 - 40"),
        ("4a", "Highways drainage", "", "Pages 41 - 44"),
        ("4b", "Coastal defences", "", ""),
        ("5", "Work Programme", "", "45 - 50"),
    ]
    assert all(a.meeting_date == date(2025, 6, 3) and a.page == 1 for a in items)
    # provenance: one box per page, covering the item's words
    four = items[3]
    assert len(four.boxes) == 1 and four.boxes[0][0] == 1
    _, x0, top, x1, bottom = four.boxes[0]
    assert x0 < 70 and x1 > 400 and bottom - top > 3 * 11


def test_a_page_ref_wrapped_inside_its_column(tmp_path):
    _, items = _agenda(tmp_path, items=[Item("1.", "Apologies"), Item("2.", LONG, refs="Pages 101 -\n104")])
    assert [(a.title, a.page_refs) for a in items] == [("Apologies", ""), (LONG, "Pages 101 - 104")]


def test_page_refs_at_title_end_one_style_paragraph_descriptions_and_notes(tmp_path):
    items = [
        Item("1.", "Apologies"),
        Item("2.", "Minutes of the last meeting held on 11 June 2025 and, if in order, to be approved as a "
                   "correct record", refs="Pages 1 - 6"),
        Item("3.", "Budget Monitoring Report", "- To follow"),
        Item("4a.", "Public Questions", "To receive questions from members of the public.\n"
                                        "Questions must reach the clerk three working days before the meeting."),
        Item("4b.", "Petitions"),
        Item("5.", "Any Other Business"),
    ]
    meetings, got = _agenda(tmp_path, items=items, refs_at="end", title_bold=False,
                            when="Wednesday 9 July 2025, 12 noon", venue=["Venue: Council Chamber, Guildhall"],
                            body="Licensing Sub-Committee")
    m = meetings[0]
    assert (m.body, m.meeting_date, m.start_time, m.venue) == (
        "Licensing Sub-Committee", date(2025, 7, 9), "12:00", "Council Chamber, Guildhall")
    assert [(a.item_number, a.title, a.description, a.page_refs) for a in got] == [
        ("1", "Apologies", "", ""),
        ("2", "Minutes of the last meeting held on 11 June 2025 and, if in order, to be approved as a correct "
              "record", "", "Pages 1 - 6"),
        ("3", "Budget Monitoring Report", "To follow", ""),
        ("4a", "Public Questions", "To receive questions from members of the public.\nQuestions must reach the "
                                   "clerk three working days before the meeting.", ""),
        ("4b", "Petitions", "", ""),
        ("5", "Any Other Business", "", ""),
    ]


def test_times_in_words_another_typeface_and_the_publication_date_is_not_the_meeting(tmp_path):
    meetings, items = _agenda(tmp_path, items=COLUMN_ITEMS[:3], font="Times-Roman", bold="Times-Bold",
                              when="Thursday, 4th September, 2025 at half past six in the evening",
                              published="Wednesday, 27 August 2025")
    m = meetings[0]
    assert (m.meeting_date, m.start_time) == (date(2025, 9, 4), "18:30")
    assert [a.title for a in items] == ["Apologies for Absence", "Declarations of Interest",
                                        "Minutes of the meeting held on 6 May 2025"]


def _pack(tmp_path: Path) -> Path:
    """An agenda pack: agenda, the previous meeting's printed minutes, an action plan as an appendix."""
    minutes = [("Helvetica", "Agenda Item 3"),                        # the pack's mark over the minutes
               ("Helvetica-Bold", "WESSEX COUNTY COUNCIL"),
               ("Helvetica-Bold", "ENVIRONMENT SCRUTINY COMMITTEE"),
               ("Helvetica-Bold", "MINUTES OF THE MEETING HELD ON 6 MAY 2025"),
               ("Helvetica", "Present: Councillors Ash (Chair), Birch and Cedar"),
               ("Helvetica-Bold", "1. Apologies"),
               ("Helvetica", "RESOLVED that the apologies of Councillor Elm be noted."),
               ("Helvetica-Bold", "2. Recommendation Lead Timescale"),
               ("Helvetica", "3. Review the tree planting programme Parks Team March 2026")]
    agenda = build_agenda(tmp_path / "a.pdf", AgendaSpec(items=COLUMN_ITEMS, extra_pages=[minutes]))
    plan = build_plan(tmp_path / "p.pdf", PlanSpec(
        headers=["Recommendation", "Lead", "Timescale"], widths=[300, 120, 120], title="Appendix A - Tree Action Plan",
        rows=[{"Recommendation": "1. Plant 1,000 street trees", "Lead": "Parks Team", "Timescale": "March 2026"},
              {"Recommendation": "2. Survey ancient woodland", "Lead": "Ecology Officer", "Timescale": "2025/26"}]))
    w = PdfWriter()
    for src in (agenda, plan):
        for page in PdfReader(src).pages:
            w.add_page(page)
    out = tmp_path / "pack.pdf"
    with open(out, "wb") as fh:
        w.write(fh)
    return out


def test_a_pack_is_split_and_each_part_runs_only_its_own_extractors(tmp_path):
    pdf = _pack(tmp_path)
    layout = read_layout(pdf)
    cls = classify(layout)
    assert cls.doc_type == "agenda"
    assert [(p.kind, p.pages) for p in split_parts(layout, cls.doc_type)][:2] == [("agenda", (1,)), ("minutes", (2,))]
    rows = process_file(pdf, RunSettings(isolate=False))
    doc = rows.documents[0]
    assert doc["doc_type"] == "agenda" and doc["status"] == "ok"
    # the appendix's plan comes out; the minutes page's table-like lines and the agenda give no records
    assert [r["recommendation"] for r in rows.recommendations] == ["Plant 1,000 street trees",
                                                                   "Survey ancient woodland"]
    assert {r["page_start"] for r in rows.recommendations} == {3}
    assert [a["item_number"] for a in rows.agenda_items] == ["1", "2", "3", "4", "4a", "4b", "5"]
    assert all(a["page"] == 1 for a in rows.agenda_items)  # nothing from the minutes page
    assert [(m["kind"], m["meeting_date"]) for m in rows.meetings if m["kind"] == "agenda"] == [
        ("agenda", date(2025, 6, 3))]
    assert json.loads(rows.agenda_items[0]["bbox"])[0][0] == 1


# ---------------------------------------------------------------- the shared gold agendas

def _gold_agendas(shared: Path):
    out = []
    for g in sorted((shared / "eval" / "gold").glob("*.json")):
        gold = json.loads(g.read_text(encoding="utf-8"))
        if gold.get("agenda_items"):
            out.append(gold)
    return out


def _find(shared: Path, source: str) -> Path:
    hits = sorted(shared.joinpath("corpus").rglob(source))
    assert hits, source
    return hits[0]


def test_shared_gold_agendas_meetings_and_items(shared):
    golds = _gold_agendas(shared)
    assert len(golds) >= 6
    for gold in golds:
        pdf = _find(shared, gold["source"])
        meetings, items = extract_agenda(read_layout(pdf, ))
        want_m = [m for m in gold["meetings"] if m["kind"] == "agenda"]
        assert [(m.kind, m.meeting_date.isoformat(), m.start_time) for m in meetings] == [
            (m["kind"], m["meeting_date"], m["start_time"]) for m in want_m], gold["source"]
        assert meetings[0].body.casefold() == want_m[0]["body"].casefold(), gold["source"]
        assert meetings[0].venue == want_m[0]["venue"], gold["source"]
        got = [(a.meeting_date.isoformat(), a.item_number, a.title, a.description, a.page_refs, a.page) for a in items]
        want = [(a["meeting_date"], a["item_number"], a["title"], a["description"], a["page_refs"], a["page"])
                for a in gold["agenda_items"]]
        assert got == want, gold["source"]


def test_each_extractor_sees_only_the_pages_of_its_kind(tmp_path, monkeypatch):
    import pipeline.chain as chain

    seen: dict[str, list[tuple[int, ...]]] = {}
    for name, step in dict(chain.STEPS).items():
        def spy(layout, out, _name=name, _step=step):
            seen.setdefault(_name, []).append(tuple(p.number for p in layout.pages))
            return _step(layout, out)
        monkeypatch.setitem(chain.STEPS, name, spy)
    found = chain.run_extractors(read_layout(_pack(tmp_path)), "agenda")
    assert seen["agenda"] == [(1,)]
    assert seen["minutes"] == [(2,)]
    assert (1,) not in seen["plan"] and all(1 not in pages for pages in seen["plan"])
    assert found.parts == [("agenda", (1,)), ("minutes", (2,)), ("report", (3,))]
    assert seen["status"] == [(3,)]    # RAG tables are looked for in the appendix only


def test_labelled_heading_authority_above_the_body_and_a_page_column_with_a_header(tmp_path):
    """`Date:` / `Time:` / `Venue:` labels, the authority in larger type than the committee, a table of items
    with an `Item | Title | Page` header and bare page ranges, a publication date that is not the meeting's."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    pdf = tmp_path / "labelled.pdf"
    c = Canvas(str(pdf), pagesize=A4)
    y = [780.0]

    def put(x, s, font="Helvetica", size=11, down=0.0):
        c.setFont(font, size)
        c.drawString(x, y[0], s)
        y[0] -= down

    put(56, "LONDON BOROUGH OF WESTFIELD", "Helvetica-Bold", 20, 28)
    put(56, "Notice of Meeting", size=14, down=24)
    put(56, "PLANNING COMMITTEE", "Helvetica-Bold", 16, 30)
    for label, value in (("Date:", "Monday, 10 March 2025"), ("Time:", "7.30 pm"),
                         ("Venue:", "Council Chamber, Town Hall, Westfield")):
        put(56, label)
        put(130, value, down=16)
    y[0] -= 30
    put(56, "Agenda", "Helvetica-Bold", 14, 24)
    put(56, "Item", "Helvetica-Bold")
    put(100, "Title", "Helvetica-Bold")
    put(480, "Page", "Helvetica-Bold", down=20)
    rows = [("1", ["Apologies for absence"], ""), ("2", ["Declarations of interest"], ""),
            ("3", ["24/0123/FUL Land at Mill Lane, Westfield: erection of 24 dwellings", "with access and landscaping"],
             "7 - 30")]
    for n, lines, pages in rows:
        put(56, n)
        for k, ln in enumerate(lines):
            put(100, ln)
            if k == 0 and pages:
                put(480, pages)
            y[0] -= 14
        y[0] -= 10
    put(56, "Published: Friday, 28 February 2025", "Helvetica-Bold")
    c.save()
    meetings, items = extract_agenda(read_layout(pdf))
    m = meetings[0]
    assert (m.body.casefold(), m.meeting_date, m.start_time, m.venue) == (
        "planning committee", date(2025, 3, 10), "19:30", "Council Chamber, Town Hall, Westfield")
    assert [(a.item_number, a.title, a.page_refs) for a in items] == [
        ("1", "Apologies for absence", ""), ("2", "Declarations of interest", ""),
        ("3", "24/0123/FUL Land at Mill Lane, Westfield: erection of 24 dwellings with access and landscaping",
         "7 - 30")]
