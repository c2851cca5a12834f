"""Refs and keys of lead codes in the forms councils print them, on PDFs the tests draw (tests/key_pdf.py)
and in the parsers on their own."""
from __future__ import annotations

import pytest

from extractors.action_plan import clean_ref, extract_plan, split_ref
from extractors.layout import read_layout
from extractors.lead_key import code_key, expand_lead, parse_entries
from key_pdf import REF_STYLES, KeyedPlan, build_keyed_plan, ref_value

KEY = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager",
       "ADF": "Assistant Director, Finance", "HOD": "Head of Organisational Development"}
ROWS = [
    {"rec": "Develop a skills strategy for the city with partners", "lead": "SSM", "timescale": "Summer 2025",
     "resource": "£60k one-off"},
    {"rec": "Launch an apprenticeship pledge with local employers", "lead": "EDT", "timescale": "by March 2026",
     "resource": "Existing resources"},
    {"rec": "2025 targets for adult learning are published and reviewed each year", "lead": "ADF",
     "timescale": "2025/26", "resource": "£5k pa"},
    {"rec": "Review the library computer offer", "lead": "HOD", "timescale": "Q3 2025-26", "resource": "£12,000"},
    {"rec": "Run a digital inclusion programme across the city", "lead": "EDT / SSM", "timescale": "Ongoing",
     "resource": "£1.2m"},
]
RECS = [r["rec"] for r in ROWS]


def _extract(tmp_path, **kw):
    spec = KeyedPlan(rows=kw.pop("rows", ROWS), **kw)
    return extract_plan(read_layout(build_keyed_plan(tmp_path / "plan.pdf", spec)))


# ---------------------------------------------------------------- refs

@pytest.mark.parametrize("style", sorted(REF_STYLES))
@pytest.mark.parametrize("in_column", [False, True], ids=["in-cell", "own-column"])
def test_ref_styles(tmp_path, style, in_column):
    plan = _extract(tmp_path, ref_style=style, ref_column=in_column)
    assert [r.ref for r in plan.rows] == [ref_value(style, n) for n in range(1, 6)]
    assert [r.recommendation for r in plan.rows] == RECS  # the ref is stripped; "2025 targets" is not a ref


@pytest.mark.parametrize("text, ref, rest", [
    ("1 Develop a plan", "1", "Develop a plan"), ("1. develop a plan", "1", "develop a plan"),
    ("1) Develop", "1", "Develop"), ("(1) Develop", "1", "Develop"), ("R1 Develop", "R1", "Develop"),
    ("R17 - Use the council's", "R17", "Use the council's"), ("R17 – Use", "R17", "Use"),
    ("Rec 3: Make", "3", "Make"), ("Recommendation 4: Make", "4", "Make"), ("3.2 Do it", "3.2", "Do it"),
    ("1.2. Do it", "1.2", "Do it"), ("A1 Do it", "A1", "Do it"), ("(a) do it", "a", "do it"),
    ("iv. do it", "iv", "do it"), ("(iv) do it", "iv", "do it"), ("3a Do it", "3a", "Do it"),
    ("1.\nDevelop", "1", "Develop"),
])
def test_split_ref_forms(text, ref, rest):
    assert split_ref(text) == (ref, rest)


@pytest.mark.parametrize("text", [
    "2025 targets are published", "3 new hubs will open", "1.5 million trees", "CO2 emissions fall",
    "a new hub opens", "I will report", "Develop a plan", "10 per cent more apprentices",
])
def test_split_ref_leaves_text_that_is_no_ref(text):
    assert split_ref(text) == ("", text)


@pytest.mark.parametrize("cell, ref", [("1.", "1"), ("(a)", "a"), ("Rec 3:", "3"), ("R17 -", "R17"),
                                       ("iv.", "iv"), ("3.2", "3.2"), ("A1", "A1"), ("1)", "1"), ("12", "12")])
def test_clean_ref_column_cells(cell, ref):
    assert clean_ref(cell) == ref


# ---------------------------------------------------------------- keys on drawn plans

def _check_key(plan, key=KEY):
    assert {code_key(k): v for k, v in plan.leads.items()} == {code_key(k): v for k, v in key.items()}
    assert [r.lead for r in plan.rows] == [r["lead"] for r in ROWS]
    assert [r.lead_name for r in plan.rows] == [
        "Strategic Skills Manager", "Economic Development Team", "Assistant Director, Finance",
        "Head of Organisational Development", "Economic Development Team / Strategic Skills Manager"]
    assert [r.recommendation for r in plan.rows] == RECS  # the key never leaks into the table


@pytest.mark.parametrize("title", ["Key", "Key:", "Key to lead officers", "Abbreviations", "Glossary",
                                   "Lead roles", None])
@pytest.mark.parametrize("at", ["before", "after"])
def test_key_titles_and_placements(tmp_path, title, at):
    _check_key(_extract(tmp_path, key=KEY, key_title=title, key_at=at, key_form="dash"))


@pytest.mark.parametrize("form", ["dash", "equals", "colon", "paren", "code_paren"])
@pytest.mark.parametrize("layout", ["lines", "run_semicolon", "run_comma", "columns"])
def test_key_forms_and_layouts(tmp_path, form, layout):
    _check_key(_extract(tmp_path, key=KEY, key_form=form, key_layout=layout, key_title="Key", key_at="after"))


@pytest.mark.parametrize("title, header", [("Lead roles", False), (None, True), (None, False), ("Key", True)])
def test_key_as_a_two_column_table(tmp_path, title, header):
    _check_key(_extract(tmp_path, key=KEY, key_layout="table", table_header=header, key_title=title,
                        key_at="before"))


def test_key_at_the_page_foot_untitled_run_on(tmp_path):
    _check_key(_extract(tmp_path, key=KEY, key_at="foot", key_title=None, key_form="endash"))


def test_codes_differing_in_case_and_punctuation(tmp_path):
    printed = {"EDT": "E.D.T.", "SSM": "S.S.M.", "ADF": "A.D.F.", "HOD": "HoD"}
    plan = _extract(tmp_path, key=KEY, key_codes_printed=printed, key_at="after", key_title="Abbreviations")
    _check_key(plan)
    assert list(plan.leads) == ["E.D.T.", "S.S.M.", "A.D.F.", "HoD"]  # the leads table keeps the codes as printed


def test_a_glossary_of_other_terms_does_not_count_or_override(tmp_path):
    glossary = {"SEND": "Special Educational Needs and Disabilities", "EHCP": "Education, Health and Care Plan",
                "HOD": "Head of Department"}  # a clash: the lead key's HOD wins
    _check_key(_extract(tmp_path, key=KEY, key_at="before", key_title="Key to lead officers", glossary=glossary))
    only = _extract(tmp_path, key={}, glossary={k: v for k, v in glossary.items() if k != "HOD"})
    assert only.leads == {} and [r.lead_name for r in only.rows] == [r["lead"] for r in ROWS]


def test_prose_with_colons_and_dashes_is_no_key(tmp_path):
    intro = ("Note: this plan responds to the inquiry - each recommendation has a lead. EDT: the team will "
             "report every six months to the panel - as agreed in 2024.")
    plan = _extract(tmp_path, key={}, intro=intro)
    assert plan.leads == {} and [r.lead_name for r in plan.rows] == [r["lead"] for r in ROWS]


# ---------------------------------------------------------------- the parsers on their own

@pytest.mark.parametrize("text", [
    "EDT – Economic Development Team; SSM – Strategic Skills Manager; ADF – Assistant Director, Finance",
    "EDT: Economic Development Team\nSSM: Strategic Skills Manager\nADF: Assistant Director, Finance",
    "EDT - Economic Development Team, SSM - Strategic Skills Manager, ADF - Assistant Director, Finance",
    "Economic Development Team (EDT), Strategic Skills Manager (SSM), Assistant Director, Finance (ADF)",
    "Economic Development Team (EDT); Strategic Skills Manager (SSM); and Assistant Director, Finance (ADF)",
    "EDT (Economic Development Team), SSM (Strategic Skills Manager), ADF (Assistant Director, Finance)",
])
def test_parse_entries_forms(text):
    want = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager", "ADF": "Assistant Director, Finance"}
    assert parse_entries(text) == want
    assert parse_entries(text, strict=True) == want


@pytest.mark.parametrize("text", [
    "The Economic Development Team (EDT) will lead on this work with partners",
    "Note: this plan will be reviewed - every year",
    "EDT - will report progress to the panel; SSM - to follow",
])
def test_strict_parse_rejects_prose(text):
    assert parse_entries(text, strict=True) == {}


@pytest.mark.parametrize("lead, name", [
    ("EDT", "Economic Development Team"), ("E.D.T.", "Economic Development Team"), ("edt", "Economic Development Team"),
    ("EDT / SSM", "Economic Development Team / Strategic Skills Manager"),
    ("EDT/SSM", "Economic Development Team / Strategic Skills Manager"),
    ("EDT and SSM", "Economic Development Team and Strategic Skills Manager"),
    ("EDT, SSM", "Economic Development Team, Strategic Skills Manager"),
    ("EDT & SSM", "Economic Development Team & Strategic Skills Manager"),
    ("EDT SSM", "Economic Development Team Strategic Skills Manager"),
    ("EDT / Partners", "Economic Development Team / Partners"),
    ("Head of EDT", "Head of EDT"), ("Chief Executive", "Chief Executive"),
])
def test_expand_lead_in_place(lead, name):
    assert expand_lead(lead, KEY) == name


@pytest.mark.parametrize("layout", ["run_semicolon", "run_comma"])
def test_untitled_run_on_key_right_under_a_ruled_table(tmp_path, layout):
    """The table takes the paragraph in as a full-width row: the key is still read, and is no section."""
    _check_key(_extract(tmp_path, key=KEY, key_title=None, key_form="colon", key_layout=layout, key_at="after"))


def test_title_and_entries_with_colons_on_one_line():
    from extractors.lead_key import key_in_text
    assert key_in_text("Key: EDT: Economic Development Team; SSM: Strategic Skills Manager") == {
        "EDT": "Economic Development Team", "SSM": "Strategic Skills Manager"}
    assert key_in_text("Skills and employment") == {}
