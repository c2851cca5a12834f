"""Printed minutes -> meetings (kind minutes) and minutes_items, on PDFs drawn here and on the shared gold."""
from __future__ import annotations

from datetime import date

import pytest

from extractors.layout import read_layout
from extractors.minutes import MinutesSettings, extract_minutes, minutes_pages
from minutes_pdf import LEFT, Para, draw

FILLER = ("Members discussed the report at length and asked about the timetable, the evidence base, the "
          "consultation with residents and the cost of the work to the council over the next two years.")


def _minutes(tmp_path, name, paras, **kw):
    pdf = draw(tmp_path / name, paras, **kw)
    return extract_minutes(read_layout(pdf))


# ---------------------------------------------------------------- numbered minutes, Kent-like

def numbered_paras() -> list[Para]:
    return [
        Para("BRAMBLEFORD DISTRICT COUNCIL", bold=True, size=12, align="center"),
        Para("PLANNING COMMITTEE", bold=True, size=14, align="center", space=2),
        Para("MINUTES of a meeting of the Planning Committee held in the Council Chamber, Town Hall, "
             "Brambleford on Tuesday, 4 March 2025.", space=2),
        Para("PRESENT: Cllr A Ashdown (Chair), Cllr B Birch, Cllr C Cedar, Cllr D Dunmore and Cllr E Elm"),
        Para("IN ATTENDANCE: Ms F Fern (Head of Planning)"),
        Para("OPEN ITEMS", bold=True, align="center"),
        Para("12. Apologies", bold=True),
        Para("(Item 1)", space=0),
        Para("Apologies were received from Cllr G Gorse."),
        Para("13. Minutes of the meeting held on 4 February 2025", bold=True),
        Para("(Item 2)", space=0),
        Para("RESOLVED that the minutes of the meeting held on 4 February 2025 be approved as a correct record."),
        Para("14. Local Plan Review and the Housing Delivery Test Action Plan for the District of Brambleford "
             "2025 to 2030", bold=True),
        Para("(Item 3)", space=0),
        Para("1. The Head of Planning introduced the report. " + FILLER, x=LEFT, wrap_x=LEFT + 18),
        Para("2. " + FILLER + " " + FILLER, x=LEFT, wrap_x=LEFT + 18),
        Para("3. Cllr Birch proposed and Cllr Cedar seconded the motion that the recommendations in the "
             "report be agreed.", x=LEFT, wrap_x=LEFT + 18),
        Para("For (7)", x=LEFT),
        Para("Cllr Ashdown, Cllr Birch, Cllr Cedar, Cllr Dunmore, Cllr Elm, Cllr Fir, Cllr Gale", x=LEFT),
        Para("Against (2)", x=LEFT),
        Para("Cllr Hazel, Cllr Ivy", x=LEFT),
        Para("Motion carried.", align="right"),
        Para("4. RESOLVED that the Committee:", x=LEFT, wrap_x=LEFT + 18),
        Para("(a) approves the Local Plan Review timetable set out in Appendix A to the report;",
             x=LEFT + 18, wrap_x=LEFT + 40),
        Para("(b) notes the Housing Delivery Test Action Plan and the measures it proposes to speed up the "
             "delivery of homes with planning permission; and", x=LEFT + 18, wrap_x=LEFT + 40),
        Para("(c) delegates to the Head of Planning, in consultation with the Chair, the final editing of "
             "the documents before publication.", x=LEFT + 18, wrap_x=LEFT + 40, page_break=True),
        Para("Agreed unanimously.", align="right"),
        Para("5. In accordance with paragraph 16.31 of the Constitution, Cllr Hazel asked for it to be "
             "recorded that she voted against the recommendations.", x=LEFT, wrap_x=LEFT + 18),
        Para("15. Economic Growth Inquiry", bold=True),
        Para("(Item 4)", space=0),
        Para("The Committee received evidence from invited guests.", x=LEFT),
        Para("1. Skills and training", bold=True),
        Para(FILLER, x=LEFT + 20),
        Para("2. Digital connectivity", bold=True),
        Para(FILLER, x=LEFT + 20),
        Para("RESOLVED that the evidence be noted and used in the inquiry's final report.", x=LEFT),
        Para("16. Any Other Business", bold=True),
        Para("(Item 5)", space=0),
        Para("It was agreed that the next meeting be held in May. The Chair thanked officers."),
        Para("The meeting closed at 12.15 pm."),
        Para("Chair", space=3),
        Para("Date: 1 April 2025"),
    ]


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    return _minutes(tmp_path_factory.mktemp("numbered"), "numbered.pdf", numbered_paras())


def test_numbered_meeting(numbered):
    meetings, _ = numbered
    assert len(meetings) == 1
    m = meetings[0]
    assert (m.body, m.meeting_date, m.kind, m.start_time) == ("Planning Committee", date(2025, 3, 4), "minutes", "")
    assert m.venue == "Council Chamber, Town Hall, Brambleford"


def test_numbered_headings(numbered):
    _, items = numbered
    assert [i.minute_number for i in items] == ["12", "13", "14", "15", "16"]   # sub-headings 1., 2. are not minutes
    assert items[0].title == "Apologies"
    assert items[2].title == ("Local Plan Review and the Housing Delivery Test Action Plan for the District of "
                              "Brambleford 2025 to 2030")
    assert all(i.meeting_date == date(2025, 3, 4) for i in items)
    assert items[0].decision == ""
    assert items[4].decision == ""        # "It was agreed that …" is not a resolution
    last = items[4].boxes[-1]
    assert last[4] - last[2] < 80          # its box stops at `The meeting closed …`, above the signature block


def test_resolution_across_a_page_break_without_motion_tally_or_note(numbered):
    _, items = numbered
    d = items[2].decision
    assert d.split("\n") == [
        "RESOLVED that the Committee:",
        "(a) approves the Local Plan Review timetable set out in Appendix A to the report;",
        "(b) notes the Housing Delivery Test Action Plan and the measures it proposes to speed up the delivery of "
        "homes with planning permission; and",
        "(c) delegates to the Head of Planning, in consultation with the Chair, the final editing of the documents "
        "before publication.",
    ]
    pages = [b[0] for b in items[2].boxes]
    assert len(pages) >= 2 and pages == list(range(pages[0], pages[0] + len(pages)))  # one box per page it spans
    assert items[1].decision.startswith("RESOLVED that the minutes of the meeting held on 4 February 2025")
    assert items[3].decision == "RESOLVED that the evidence be noted and used in the inquiry's final report."


def test_boxes_cover_the_minute(numbered):
    _, items = numbered
    for it in items:
        assert it.boxes and it.boxes[0][0] == it.page
        for page, x0, top, x1, bottom in it.boxes:
            assert 0 <= x0 < x1 <= 600 and 0 <= top < bottom <= 842


# ---------------------------------------------------------------- unnumbered minutes, another typeface

def unnumbered_paras() -> list[Para]:
    return [
        Para("LICENSING PANEL – 5th November 2024", bold=True, size=12, align="center"),
        Para("MINUTES of the meeting held in the Committee Room, Civic Offices, Ashdown.", bold=True),
        Para("PRESENT: Cllr J Juniper (Chair), Cllr K Kale and Cllr L Larch", space=2),
        Para("Apologies and Substitutes", bold=True, space=2),
        Para("(Item 1)"),
        Para("There were no apologies."),
        Para("Premises Licence Review – The Old Mill,", bold=True, space=2),
        Para("Mill Lane", bold=True, space=0),
        Para("(Item 2)"),
        Para("Representations from residents", bold=True),
        Para(FILLER, x=LEFT + 18),
        Para("(1) The Licensing Officer presented the application.", x=LEFT, wrap_x=LEFT + 18),
        Para("(2) RESOLVED – to revoke the premises licence with effect from 1 December 2024.", x=LEFT,
             wrap_x=LEFT + 18),
        Para("(3) AGREED that the Panel's reasons be sent to the applicant within five working days.", x=LEFT,
             wrap_x=LEFT + 18),
        Para("(4) The Chair thanked the residents for attending.", x=LEFT, wrap_x=LEFT + 18),
        Para("Work Programme", bold=True, space=2),
        Para("(Item 3)"),
        Para("RESOLVED that the work programme be noted."),
    ]


def test_unnumbered_minutes_with_item_lines(tmp_path):
    meetings, items = _minutes(tmp_path, "unnumbered.pdf", unnumbered_paras(), font="Times-Roman", bold_font="Times-Bold")
    assert [(m.body, m.meeting_date, m.venue) for m in meetings] == [
        ("LICENSING PANEL", date(2024, 11, 5), "Committee Room, Civic Offices, Ashdown")]
    assert [(i.minute_number, i.title) for i in items] == [
        ("", "Apologies and Substitutes"),
        ("", "Premises Licence Review – The Old Mill, Mill Lane"),
        ("", "Work Programme"),
    ]
    assert items[1].decision == ("RESOLVED – to revoke the premises licence with effect from 1 December 2024.\n"
                                 "AGREED that the Panel's reasons be sent to the applicant within five working days.")
    assert items[2].decision == "RESOLVED that the work programme be noted."


# ---------------------------------------------------------------- an agenda pack with the minutes in the middle

def pack_paras() -> list[Para]:
    return [
        Para("Public Document Pack", size=9),
        Para("CABINET", bold=True, size=16, space=2),
        Para("Thursday, 6 March 2025 at 10.00 am", bold=True),
        Para("Council Chamber, Civic Centre, Oakhollow"),
        Para("AGENDA", bold=True, align="center", space=2),
        Para("1 Apologies", bold=True),
        Para("2 Minutes of the meeting held on 6 February 2025 (Pages 3 - 4)", bold=True),
        Para("RESOLVED that the minutes be approved.", x=LEFT + 30),
        Para("3 Budget Monitoring Report (Pages 5 - 6)", bold=True),
        Para("This page is intentionally left blank", bold=True, align="center", page_break=True, space=20),
        Para("Agenda Item 2", bold=True, align="right", page_break=True),
        Para("CABINET", bold=True, size=14, align="center"),
        Para("MINUTES OF THE MEETING HELD ON 6 FEBRUARY 2025", bold=True, size=14, align="center"),
        Para("Present: Councillors Oak (Chair), Pine, Rowan and Spruce"),
        Para("Apologies: Councillor Teak"),
        Para("21. APOLOGIES", bold=True, space=2),
        Para("The apologies of Councillor Teak were noted."),
        Para("22. BUDGET UPDATE", bold=True),
        Para(FILLER),
        Para("RESOLVED that the budget update be noted."),
        Para("CHAIR", align="right", space=3),
        Para("Agenda Item 3", bold=True, align="right", page_break=True),
        Para("DECISION-MAKER: CABINET"),
        Para("SUBJECT: BUDGET MONITORING REPORT"),
        Para("RECOMMENDATIONS:", bold=True),
        Para("RESOLVED that Cabinet notes the forecast outturn for 2024-25."),
        Para(FILLER),
    ]


def test_pack_minutes_in_the_middle(tmp_path):
    meetings, items = _minutes(tmp_path, "pack.pdf", pack_paras())
    assert [(m.body.casefold(), m.meeting_date, m.start_time, m.venue) for m in meetings] == [
        ("cabinet", date(2025, 2, 6), "", "")]   # the agenda's own meeting is not a minutes meeting
    assert [(i.minute_number, i.title, i.page) for i in items] == [("21", "APOLOGIES", 3), ("22", "BUDGET UPDATE", 3)]
    assert items[0].decision == ""
    assert items[1].decision == "RESOLVED that the budget update be noted."   # the report's RESOLVED stays out
    assert all(b[0] == 3 for i in items for b in i.boxes)
    assert minutes_pages(read_layout(tmp_path / "pack.pdf")) == [(3,)]   # for a dispatcher that splits packs


def test_no_minutes_in_a_report_or_agenda(tmp_path):
    paras = [
        Para("CABINET", bold=True, size=16),
        Para("AGENDA", bold=True, align="center", space=2),
        Para("1 Minutes of the meeting held on 9 January 2025 (Pages 1 - 6)", bold=True),
        Para("Report of the Director of Finance", bold=True, page_break=True),
        Para("Minutes of the last meeting record that the committee RESOLVED to review the budget."),
        Para("RESOLVED that Cabinet notes the report.", x=LEFT),
        Para("1. Background", bold=True),
        Para(FILLER),
    ]
    assert _minutes(tmp_path, "report.pdf", paras) == ([], [])
    agenda = [   # an agenda of unnumbered items: its minutes item is followed by an apologies item, not `PRESENT:`
        Para("CORPORATE PARENTING PANEL", bold=True, size=14),
        Para("AGENDA", bold=True),
        Para("Minutes of the meeting held on 29 October 2024", bold=True, space=2),
        Para("To agree the minutes as a correct record."),
        Para("Apologies and Substitutes", bold=True),
        Para("To receive apologies for absence and notification of any substitutes."),
        Para("Work Programme", bold=True),
        Para("RESOLVED that the work programme be noted."),
    ]
    assert _minutes(tmp_path, "agenda.pdf", agenda) == ([], [])


def test_settings_are_named():
    s = MinutesSettings()
    assert s.paragraph_gap_ratio > 0 and s.margin_tolerance > 0 and s.max_number_jump > 0


# ---------------------------------------------------------------- the shared gold documents

@pytest.fixture(scope="module")
def gold_report(shared):
    import minutes_gold
    return minutes_gold.run()


def test_gold_minutes_items(gold_report):
    o = gold_report["overall"]
    assert o["minutes_items"]["score"] >= 0.95
    assert o["minutes_items"]["precision"] == 1.0        # nothing from agendas and reports
    for name, r in gold_report["per_doc"].items():
        if r.get("minutes_items"):
            assert r["minutes_items"]["score"] >= 0.9, name


def test_gold_minutes_meetings(gold_report):
    m = gold_report["overall"]["meetings"]
    assert m["f1"] == 1.0
    assert min(m["fields"].values()) >= 0.95


def test_pack_in_a_typeface_without_bold(tmp_path):
    """The same pack set in one weight of Courier: headings are known by their capitals."""
    meetings, items = _minutes(tmp_path, "plain.pdf", pack_paras(), font="Courier", bold_font="Courier")
    assert [(m.body.casefold(), m.meeting_date) for m in meetings] == [("cabinet", date(2025, 2, 6))]
    assert [(i.minute_number, i.title) for i in items] == [("21", "APOLOGIES"), ("22", "BUDGET UPDATE")]
    assert items[1].decision == "RESOLVED that the budget update be noted."


# ---------------------------------------------------------------- the seed pack, set again in another typeface

def seed_pack_paras(seed_text: str, blank_pages: bool) -> list[Para]:
    """The scrutiny pack's text from its seed (agenda, minutes, report), flowed in plain paragraphs: headings the
    seed marks `**bold**` in bold, `- ` items indented, no rules; blank pages kept or dropped."""
    lines = seed_text.splitlines()
    start = next(i for i, t in enumerate(lines) if t.strip() == "AGENDA")
    paras: list[Para] = []
    for t in lines[start:start + 220]:
        t = " ".join(t.replace("\t", " ").split())
        if not t:
            continue
        bold = "**" in t or t == "AGENDA"
        t = t.replace("**", "")
        if "intentionally left blank" in t:
            if blank_pages:
                paras.append(Para(t, align="center", page_break=True, space=20))
            continue
        if t.startswith("- "):
            paras.append(Para(t[2:], x=LEFT + 20, size=10))
        elif t.startswith("Agenda Item"):
            paras.append(Para(t, bold=True, align="right", page_break=blank_pages))
        elif t.isupper() and len(t) > 30 and not t[0].isdigit():
            paras.append(Para(t, size=13, align="center", page_break=t.startswith("SCRUTINY") and blank_pages))
        else:
            paras.append(Para(t, bold=bold, size=10))
    return paras


@pytest.mark.parametrize("blank_pages", [True, False])
def test_seed_pack_in_another_typeface(shared, tmp_path, blank_pages):
    import json
    seed = next((shared / "seeds").glob("002_*.txt")).read_text(encoding="utf-8")
    gold = json.loads((shared / "eval" / "gold" / "southampton-scrutiny-panel-2019-02-07.json").read_text(encoding="utf-8"))
    meetings, items = _minutes(tmp_path, "seed.pdf", seed_pack_paras(seed, blank_pages),
                               font="Times-Roman", bold_font="Times-Bold")
    want = [m for m in gold["meetings"] if m["kind"] == "minutes"][0]
    assert [(m.body.casefold(), m.meeting_date.isoformat(), m.venue) for m in meetings] == [
        (want["body"].casefold(), want["meeting_date"], want["venue"])]
    assert [(i.minute_number, i.title, i.decision) for i in items] == [
        (g["minute_number"], g["title"], g["decision"]) for g in gold["minutes_items"]]


# ---------------------------------------------------------------- the ways a resolution is printed

def test_resolution_forms(tmp_path):
    paras = [
        Para("AUDIT COMMITTEE", bold=True, size=14),
        Para("MINUTES of the meeting of the Audit Committee held at Riverside House on 12 June 2024 at 2.00 pm"),
        Para("Present: Cllr M Maple (Chair), Cllr N Nettle"),
        Para("1. External Audit Plan", bold=True, space=2),
        Para("RESOLVED:"),
        Para("(a) that the plan be approved; and"),
        Para("(b) that the fee be noted."),
        Para("The Chair thanked the auditors."),
        Para("2. Treasury Management", bold=True, space=2),
        Para("RESOLVED:"),
        Para("That the annual treasury report be noted."),
        Para("Members asked for a briefing in the autumn."),
        Para("3. Risk Register", bold=True, space=2),
        Para("Resolved – that the risk register be noted, and"),
        Para("that the risk owners attend the next meeting.", space=0),
        Para("4. Internal Audit Charter", bold=True, space=2),
        Para("(1) RESOLVED that the Committee:"),
        Para("(a) adopts the charter; and", x=LEFT + 20),
        Para("(b) reviews it every year.", x=LEFT + 20),
        Para("The Chair thanked the Head of Internal Audit.", space=0),   # back at the margin with no gap
        Para("5. Annual Governance Statement", bold=True, space=2),
        Para("DECIDED: to adopt the charter.", x=LEFT + 20),
        Para("Agreed unanimously.", x=LEFT + 20),
        Para("It was AGREED that officers circulate the final charter.", x=LEFT + 20),
    ]
    meetings, items = _minutes(tmp_path, "forms.pdf", paras)
    assert [(m.body, m.meeting_date, m.start_time, m.venue) for m in meetings] == [
        ("Audit Committee", date(2024, 6, 12), "14:00", "Riverside House")]
    assert [i.decision for i in items] == [
        "RESOLVED:\n(a) that the plan be approved; and\n(b) that the fee be noted.",
        "RESOLVED:\nThat the annual treasury report be noted.",
        "Resolved – that the risk register be noted, and that the risk owners attend the next meeting.",
        "RESOLVED that the Committee:\n(a) adopts the charter; and\n(b) reviews it every year.",
        "DECIDED: to adopt the charter.",
    ]


def test_numbered_sub_headings_in_sequence_are_told_by_their_style(tmp_path):
    """Minutes numbered from 1 in capitals; bold mixed-case sub-headings inside minute 2 happen to number on."""
    paras = [
        Para("SKILLS SCRUTINY PANEL", bold=True, size=13),
        Para("MINUTES OF THE MEETING HELD ON 3 OCTOBER 2024", bold=True, size=13),
        Para("Present: Councillors Reed (Chair), Sedge and Thistle"),
        Para("1. MINUTES OF THE LAST MEETING", bold=True, space=2),
        Para("RESOLVED that the minutes of the meeting held on 5 September 2024 be approved."),
        Para("2. SKILLS INQUIRY – EVIDENCE FROM EMPLOYERS", bold=True, space=2),
        Para("The Panel heard from three employers."),
        Para("3. Employer views on apprenticeships", bold=True),
        Para(FILLER, x=LEFT + 20),
        Para("4. Further education colleges", bold=True),
        Para(FILLER, x=LEFT + 20),
        Para("RESOLVED that the evidence be noted."),
        Para("3. WORK PROGRAMME", bold=True, space=2),
        Para("The Panel noted the work programme."),
    ]
    _, items = _minutes(tmp_path, "restart.pdf", paras)
    assert [(i.minute_number, i.title) for i in items] == [
        ("1", "MINUTES OF THE LAST MEETING"), ("2", "SKILLS INQUIRY – EVIDENCE FROM EMPLOYERS"), ("3", "WORK PROGRAMME")]
    assert items[1].decision == "RESOLVED that the evidence be noted."


@pytest.mark.parametrize("heading, body", [
    (["MINUTES of the Cabinet meeting held on 6 February 2025"], "Cabinet"),
    (["Minutes of Licensing Committee held on Tuesday, 6 February 2025"], "Licensing Committee"),
    (["MINUTES", "Health Scrutiny Board", "held on 6 February 2025"], "Health Scrutiny Board"),
    (["EXTRAORDINARY CABINET", "Minutes of the Extraordinary meeting held on 6 February 2025"], "CABINET"),
])
def test_body_from_the_ways_a_heading_names_it(tmp_path, heading, body):
    paras = [Para(t, bold=True, size=13) for t in heading] + [
        Para("Present: Cllr U Upas (Chair) and Cllr V Vetch"),
        Para("1. APOLOGIES", bold=True, space=2),
        Para("There were none."),
    ]
    meetings, items = _minutes(tmp_path, "body.pdf", paras)
    assert [(m.body, m.meeting_date) for m in meetings] == [(body, date(2025, 2, 6))]
    assert [i.title for i in items] == ["APOLOGIES"]
