"""Layout invariance: the same plan content drawn in many layouts gives the same records.

One plan (sections, refs, a recommendation owned by two leads, multi-line and
bulleted cells, a key of lead codes) is drawn with reportlab in each variant
of `VARIANTS` — type family, header alignment / wraps / case / weight / shading,
cell alignment, column gaps down to about one space, column widths, table
style (ruled, rules only, unruled, zebra), ref style, header vocabulary, key
placement — and every variant must give the records the plain drawing gives,
which must be the content drawn. Only key and ref forms parsed today are used
here (plain `CODE – Name` / `CODE = Name` keys, refs `1` and `1.`); the forms
of the key and ref readers are their own tests.
"""
from __future__ import annotations

import pytest

from extractors.action_plan import extract_plan
from extractors.layout import read_layout
from plan_pdf import PlanSpec, build_plan

KEY = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager", "HOL": "Head of Legal Services"}
ROLES = ["ref", "recommendation", "lead", "key_actions", "timescale", "resource"]

CONTENT = [
    ("section", "SKILLS AND EMPLOYMENT"),
    dict(ref="1", recommendation="Develop a skills strategy for the city with partners and employers", lead="SSM",
         key_actions="Draft the strategy for consultation.\nConsult partners and publish the final strategy.",
         timescale="Summer 2025", resource="£60k one-off"),
    dict(ref="2", recommendation="Launch an apprenticeship pledge with local employers", lead="EDT",
         key_actions="Recruit ten employers to the pledge.", timescale="by March 2026",
         resource="Existing resources"),
    dict(ref="", recommendation="", lead="HOL", key_actions="Agree the legal terms of the pledge.",
         timescale="2025/26", resource="£5k pa"),
    ("section", "DIGITAL INCLUSION"),
    dict(ref="3", recommendation="Run a digital inclusion programme across the libraries of the city", lead="EDT",
         key_actions="Train volunteers as digital champions.\nLend devices to residents without them.\n"
                     "Report take-up to the panel each quarter.", timescale="Ongoing",
         resource="£1.2m over three years"),
    dict(ref="4", recommendation="Review the library computer offer", lead="SSM",
         key_actions="Audit the public computers.", timescale="Q3 2025-26", resource="£12,000"),
]
EXPECTED = [  # (section, ref, recommendation, lead, lead_name, key_actions, timescale, resource)
    ("SKILLS AND EMPLOYMENT", "1", CONTENT[1]["recommendation"], "SSM", KEY["SSM"], CONTENT[1]["key_actions"],
     "Summer 2025", "£60k one-off"),
    ("SKILLS AND EMPLOYMENT", "2", CONTENT[2]["recommendation"], "EDT", KEY["EDT"], CONTENT[2]["key_actions"],
     "by March 2026", "Existing resources"),
    ("SKILLS AND EMPLOYMENT", "2", CONTENT[2]["recommendation"], "HOL", KEY["HOL"], CONTENT[3]["key_actions"],
     "2025/26", "£5k pa"),
    ("DIGITAL INCLUSION", "3", CONTENT[5]["recommendation"], "EDT", KEY["EDT"], CONTENT[5]["key_actions"],
     "Ongoing", "£1.2m over three years"),
    ("DIGITAL INCLUSION", "4", CONTENT[6]["recommendation"], "SSM", KEY["SSM"], CONTENT[6]["key_actions"],
     "Q3 2025-26", "£12,000"),
]

HEADERS = {  # vocabulary sets, by role
    "plain": dict(ref="Ref", recommendation="Recommendation", lead="Lead", key_actions="Key actions",
                  timescale="Timescale", resource="Resource"),
    "caps": dict(ref="NO.", recommendation="RECOMMENDATION", lead="LEAD", key_actions="KEY ACTIONS",
                 timescale="TIMESCALE /\nOUTCOME", resource="RESOURCE"),
    "officer": dict(ref="#", recommendation="Commitment", lead="Responsible officer", key_actions="Actions to be taken",
                    timescale="Target date", resource="Financial implications"),
    "owner": dict(ref="Ref", recommendation="Objective", lead="Owner", key_actions="How",
                  timescale="Completion date", resource="Resources required"),
    "who": dict(ref="No.", recommendation="What we will do", lead="Who", key_actions="Action(s) to be taken",
                timescale="When", resource="Budget"),
    "service": dict(ref="Ref", recommendation="Priority", lead="Service area", key_actions="Key activities",
                    timescale="Milestone", resource="Cost"),
    "portfolio": dict(ref="Ref", recommendation="Recommendation", lead="Portfolio holder", key_actions="Actions",
                      timescale="Due", resource="Funding"),
    "wraps": dict(ref="Ref", recommendation="Recommendation", lead="Lead\nofficer", key_actions="Key actions",
                  timescale="Target\ncompletion\ndate", resource="Resources\nrequired"),
    "accountable": dict(ref="Ref", recommendation="Objective", lead="Accountable", key_actions="Key tasks",
                        timescale="Deadline", resource="Resource implications"),
}
WIDTHS = dict(ref=30, recommendation=200, lead=70, key_actions=210, timescale=90, resource=130)
NARROW_LEAD = dict(WIDTHS, lead=30, key_actions=250)


def spec(headers="plain", ref_col=True, widths=WIDTHS, align=None, order=None, **kw) -> PlanSpec:
    roles = order or (ROLES if ref_col else ROLES[1:])
    rows = []
    for item in CONTENT:
        if isinstance(item, tuple):
            rows.append(item)
            continue
        row = dict(item)
        if not ref_col and row["ref"]:
            row["recommendation"] = f"{row['ref']}. {row['recommendation']}"
        rows.append(row)
    vocab = HEADERS[headers]
    return PlanSpec(headers=[vocab[r] for r in roles], widths=[widths[r] for r in roles], rows=rows, keys=list(roles),
                    key=KEY, align=[(align or {}).get(r, "left") for r in roles], **kw)


VARIANTS = {
    "plain ruled": dict(),
    "rules only": dict(style="rules"),
    "unruled": dict(style="unruled"),
    "zebra": dict(style="zebra"),
    "serif ruled": dict(family="times"),
    "serif unruled": dict(family="times", style="unruled"),
    "header bottom-aligned, wrapped": dict(headers="caps", header_align="bottom", style="unruled"),
    "header middle-aligned, wrapped": dict(headers="caps", header_align="middle", style="rules"),
    "header plain weight, officer vocabulary": dict(headers="officer", header_bold=False, style="rules"),
    "header shaded, owner vocabulary": dict(headers="owner", header_fill=True, style="unruled"),
    "who/when vocabulary, bottom-aligned": dict(headers="who", header_align="bottom"),
    "service/milestone vocabulary": dict(headers="service", style="zebra"),
    "portfolio/due vocabulary, serif": dict(headers="portfolio", family="times", style="rules"),
    "accountable/deadline vocabulary": dict(headers="accountable", style="unruled", header_align="middle"),
    "headers wrapped 1-3 lines, middle-aligned, plain": dict(headers="wraps", header_align="middle",
                                                             header_bold=False, style="unruled"),
    "headers wrapped 1-3 lines, bottom-aligned, bold": dict(headers="wraps", header_align="bottom", style="rules"),
    "headers wrapped 1-3 lines, top-aligned, shaded": dict(headers="wraps", header_fill=True, style="unruled"),
    "ref in recommendation cell": dict(ref_col=False),
    "ref in cell, unruled serif": dict(ref_col=False, style="unruled", family="times"),
    "narrow lead column, narrow gap": dict(widths=NARROW_LEAD, pad=1.2, style="unruled", headers="caps"),
    "narrow lead, gap one space, serif": dict(widths=NARROW_LEAD, pad=1.0, style="unruled", family="times",
                                              headers="caps", header_align="bottom"),
    "narrow gaps, ruled": dict(pad=1.2),
    "lead centred": dict(align={"lead": "center", "ref": "center"}, style="unruled"),
    "lead and ref right-aligned": dict(align={"lead": "right", "ref": "right", "resource": "right"}, style="rules"),
    "all cells centred": dict(align={r: "center" for r in ROLES}, style="ruled"),
    "tight unruled rows": dict(style="unruled", row_gap=3.0),
    "other column order": dict(order=["ref", "recommendation", "key_actions", "lead", "timescale", "resource"]),
    "key once at the end": dict(key_at="end"),
    "key table before the plan": dict(key_at="table", style="unruled"),
    "larger type": dict(size=9.5, widths={k: v * 1.05 for k, v in WIDTHS.items()}),
    "courier": dict(family="courier", widths={k: v * 1.05 for k, v in WIDTHS.items()}, style="rules"),
    "headers centred over left-aligned cells": dict(header_halign="center", style="unruled"),
    "headers centred, narrow lead column, serif": dict(header_halign="center", widths=NARROW_LEAD, pad=1.5,
                                                       family="times", style="rules", headers="caps"),
    "headers right-aligned": dict(header_halign="right", style="zebra"),
    "tight unruled rows, small padding": dict(style="unruled", row_pad=3.0, row_gap=0.0),
    "inside an agenda pack": dict(before=[["Agenda Item 7", "Report of the Director. The committee is asked to "
                                           "note the action plan and its timescales."]] * 3,
                                  after=[["Appendix 2", "Equality impact assessment summary."]]),
}


# a second plan: full names as leads, no key; one lead cell holds two names on two lines in a one-line
# row, and the last row's lead cell is empty
NAMES = [
    dict(recommendation="Publish the tenancy strategy", lead="Head of Housing", key_actions="Consult tenants.",
         timescale="June 2025", resource="Officer time"),
    dict(recommendation="Review the licensing policy", lead="Head of Legal Services\rChief Executive",
         key_actions="Draft the policy.", timescale="July 2025", resource="Nil"),
    dict(recommendation="Set up a landlord forum", lead="Chief Executive", key_actions="Invite landlords.",
         timescale="2025/26", resource="£2k"),
    dict(recommendation="Audit empty homes", lead="Head of Housing", key_actions="Survey the stock.",
         timescale="Autumn 2025", resource="£8,000"),
    dict(recommendation="Publish a newsletter for landlords", lead="", key_actions="Write the first issue.",
         timescale="Winter 2025", resource="£500"),  # a row whose lead cell is empty
]
NAMES_EXPECTED = [(r["recommendation"], r["lead"].replace("\r", " "), r["lead"].replace("\r", " "), r["key_actions"],
                   r["timescale"], r["resource"]) for r in NAMES]
NAMES_WIDTHS = [200, 100, 200, 90, 120]
NAMES_VARIANTS = {
    "ruled": dict(),
    "unruled": dict(style="unruled"),
    "unruled, tight rows": dict(style="unruled", row_pad=3.0, row_gap=0.0),
    "unruled serif, tight rows": dict(style="unruled", family="times", row_pad=3.0, row_gap=0.0),
    "rules only, tight rows": dict(style="rules", row_pad=3.0),
    "zebra, centred headers": dict(style="zebra", header_halign="center"),
    "unruled, centred headers, plain weight": dict(style="unruled", header_halign="center", header_bold=False),
}


def _names_records(tmp_path, kw):
    roles = ["recommendation", "lead", "key_actions", "timescale", "resource"]
    sp = PlanSpec(headers=["Recommendation", "Lead officer", "Actions", "Timescale", "Resource"], widths=NAMES_WIDTHS,
                  rows=NAMES, keys=roles, **kw)
    plan = extract_plan(read_layout(build_plan(tmp_path / "names.pdf", sp)))
    return [(r.recommendation, r.lead, r.lead_name, r.key_actions, r.timescale, r.resource) for r in plan.rows]


@pytest.mark.parametrize("name", list(NAMES_VARIANTS))
def test_two_names_in_one_lead_cell_are_one_row(tmp_path, name):
    assert _names_records(tmp_path, NAMES_VARIANTS[name]) == NAMES_EXPECTED


def _records(tmp_path, name, kw):
    pdf = build_plan(tmp_path / f"{abs(hash(name))}.pdf", spec(**kw))
    plan = extract_plan(read_layout(pdf))
    return [(r.section, r.ref, r.recommendation, r.lead, r.lead_name, r.key_actions, r.timescale, r.resource)
            for r in plan.rows]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return _records(tmp_path_factory.mktemp("plain"), "plain ruled", {})


def test_plain_drawing_gives_the_content(plain):
    assert plain == EXPECTED


@pytest.mark.parametrize("name", [n for n in VARIANTS if n != "plain ruled"])
def test_variant_gives_the_plain_records(tmp_path, plain, name):
    assert _records(tmp_path, name, VARIANTS[name]) == plain


@pytest.mark.parametrize("lines, text", [
    (["Programme delivery June 2026", "- June 2027"], "Programme delivery June 2026 - June 2027"),
    (["Actions:", "- Develop a strategy for", "the city", "- Consult partners"],
     "Actions:\nDevelop a strategy for the city\nConsult partners"),
    (["- Draft the plan", "- Consult partners"], "Draft the plan\nConsult partners"),
])
def test_a_dash_wrapped_to_a_line_start_continues_a_range(tmp_path, lines, text):
    from reportlab.pdfgen.canvas import Canvas

    from extractors.cleantext import cell_text
    c = Canvas(str(tmp_path / "cell.pdf"))
    for j, t in enumerate(lines):
        c.setFont("Times-Roman", 8)
        c.drawString(72, 700 - j * 10.8, t)
    c.save()
    assert cell_text(read_layout(tmp_path / "cell.pdf").pages[0].words) == text
