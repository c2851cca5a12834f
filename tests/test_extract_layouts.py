"""Action-plan extraction on PDFs the tests draw themselves, one per layout case.

Each case is a real PDF (reportlab) read back through the real layout, table
and record stages: ruled, rules-only, unruled and zebra tables; a header
wrapped onto two lines; headers repeated on every page or printed once;
full-width section rows; a row cut by a page break; a recommendation owned by
two leads; bulleted, multi-paragraph cells; keys of lead codes at each page
foot, once at the end, or in a table; an extra column kept in `extra`.
"""
from __future__ import annotations

import pytest

from extractors.action_plan import extract_plan
from extractors.layout import read_layout
from plan_pdf import PlanSpec, build_plan

KEY = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager", "HC": "Head of Communications"}
HEADERS = ["Recommendation", "Lead", "Key actions", "Timescale / Outcome", "Resource", "Status"]
WIDTHS = [210, 45, 190, 90, 130, 60]
LONG_ACTIONS = "\n".join(f"Action step {i} of the long programme is delivered with partners." for i in range(1, 31))

ROWS = [
    ("section", "SKILLS AND EMPLOYMENT"),
    {"Recommendation": "1. Develop a skills strategy for the city", "Lead": "SSM",
     "Key actions": "Draft the strategy.\nConsult partners.", "Timescale / Outcome": "Summer 2025",
     "Resource": "£60k one-off", "Status": "On track"},
    {"Recommendation": "2. Launch an apprenticeship pledge with employers", "Lead": "EDT",
     "Key actions": "Recruit ten employers.", "Timescale / Outcome": "by March 2026",
     "Resource": "Existing resources", "Status": "Not started"},
    {"Lead": "HC", "Key actions": "Publicise the pledge.", "Timescale / Outcome": "2025/26",
     "Resource": "£5k pa", "Status": "Ongoing"},
    ("section", "DIGITAL INCLUSION"),
    {"Recommendation": "3. Run a long digital inclusion programme across the city", "Lead": "EDT",
     "Key actions": LONG_ACTIONS, "Timescale / Outcome": "Ongoing", "Resource": "£1.2m", "Status": "Ongoing"},
    {"Recommendation": "4. Review the library computer offer", "Lead": "SSM",
     "Key actions": "Audit the computers.", "Timescale / Outcome": "Q3 2025-26",
     "Resource": "£12,000", "Status": "Complete"},
]


def _plan(tmp_path, **kw):
    spec = PlanSpec(headers=HEADERS, widths=WIDTHS, rows=ROWS, key=KEY, **kw)
    pdf = build_plan(tmp_path / "plan.pdf", spec)
    return extract_plan(read_layout(pdf))


def _check(plan):
    rows = plan.rows
    assert [r.ref for r in rows] == ["1", "2", "2", "3", "4"]
    assert [r.lead for r in rows] == ["SSM", "EDT", "HC", "EDT", "SSM"]
    assert [r.section for r in rows] == ["SKILLS AND EMPLOYMENT"] * 3 + ["DIGITAL INCLUSION"] * 2
    assert rows[0].recommendation == "Develop a skills strategy for the city"
    assert rows[0].key_actions == "Draft the strategy.\nConsult partners."
    assert rows[0].timescale == "Summer 2025" and rows[0].resource == "£60k one-off"
    assert rows[0].extra == {"Status": "On track"}
    # a second lead on the same recommendation repeats it
    assert rows[2].recommendation == rows[1].recommendation == "Launch an apprenticeship pledge with employers"
    assert rows[2].timescale == "2025/26"
    # a row cut by page breaks is one record over several pages, its actions joined in order
    long = rows[3]
    assert long.page_start < long.page_end
    steps = [ln for ln in long.key_actions.split("\n") if ln]
    assert len(steps) == 30 and steps[0].startswith("Action step 1 ") and steps[-1].startswith("Action step 30 ")
    assert rows[4].page_start == long.page_end
    # the key of codes fills lead_name and the leads table
    assert plan.leads == KEY
    assert [r.lead_name for r in rows] == [KEY[r.lead] for r in rows]


@pytest.mark.parametrize("style", ["ruled", "rules", "unruled", "zebra"])
def test_table_styles_with_key_at_each_page_foot(tmp_path, style):
    _check(_plan(tmp_path, style=style, key_at="foot", page_height=420))


@pytest.mark.parametrize("key_at", ["end", "table"])
def test_key_once_at_the_end_or_in_a_table(tmp_path, key_at):
    _check(_plan(tmp_path, style="ruled", key_at=key_at, page_height=420))


@pytest.mark.parametrize("style", ["ruled", "unruled"])
def test_header_printed_once(tmp_path, style):
    _check(_plan(tmp_path, style=style, key_at="end", repeat_header=False, page_height=420))


def test_no_key_means_lead_name_is_lead(tmp_path):
    spec = PlanSpec(headers=HEADERS, widths=WIDTHS, rows=ROWS[:4], style="ruled")
    plan = extract_plan(read_layout(build_plan(tmp_path / "p.pdf", spec)))
    assert plan.leads == {}
    assert [r.lead_name for r in plan.rows] == [r.lead for r in plan.rows] == ["SSM", "EDT", "HC"]


def test_other_vocabulary_and_column_order(tmp_path):
    headers = ["What we will do", "Actions", "Owner", "By when", "Funding"]
    rows = [{"What we will do": "We will plant 500 trees", "Actions": "Agree sites.", "Owner": "Parks Manager",
             "By when": "Winter 2025", "Funding": "£20k"},
            {"What we will do": "We will cut idling", "Actions": "Train wardens.", "Owner": "Air Quality Officer",
             "By when": "2026", "Funding": "Officer time"}]
    spec = PlanSpec(headers=headers, widths=[220, 200, 110, 90, 120], rows=rows, style="rules")
    plan = extract_plan(read_layout(build_plan(tmp_path / "p.pdf", spec)))
    assert [(r.recommendation, r.key_actions, r.lead, r.timescale, r.resource) for r in plan.rows] == [
        ("We will plant 500 trees", "Agree sites.", "Parks Manager", "Winter 2025", "£20k"),
        ("We will cut idling", "Train wardens.", "Air Quality Officer", "2026", "Officer time")]
    assert all(r.section == "Test Council – Action Plan" for r in plan.rows)  # the page title


def test_a_table_without_lead_column_is_not_a_plan(tmp_path):
    headers = ["Objectively Verifiable Indicators", "Timescale", "Progress"]
    rows = [{"Objectively Verifiable Indicators": "Fewer smokers", "Timescale": "2028", "Progress": ""}]
    spec = PlanSpec(headers=headers, widths=[300, 100, 100], rows=rows, style="ruled")
    assert extract_plan(read_layout(build_plan(tmp_path / "p.pdf", spec))).rows == []
