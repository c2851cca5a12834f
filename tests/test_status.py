"""RAG status reports -> status_updates rows (extractors/status.py) on real and drawn PDFs."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from extractors.layout import Shape, read_layout
from extractors.status import arrow_direction, extract_status, key_name, rag_of_color, rag_of_text
from tests.rag_pdf import TTF_FAMILIES, RagRow, RagTableSpec, Style, arrow_points, build_rag, register_ttf

SHARED = Path(__file__).resolve().parents[2] / "shared"
PLAN = SHARED / "corpus" / "rendered" / "southampton-corporate-plan-2020-21.pdf"
PLAN_GOLD = SHARED / "eval" / "gold" / "southampton-corporate-plan-2020-21.json"

LOOKALIKE_A = ("\u0391", "\u0410")  # Greek and Cyrillic capital A
MERGED = ("COVID-19 continues to affect some specific areas in relation to engagement and internal pressures. "
          "However, positive progress in areas such as the Natural Environment continues following the "
          "appointment of a new staff member to progress the Green Grid and other biodiversity work. "
          "Clarification is being sought on mechanisms for delivery of carbon reduction measures in commercial "
          "property and housing, and a review of key contracts is under way to develop work streams in waste.")


def _tokens(text: str) -> Counter:
    return Counter(re.findall(r"[a-z0-9£%]+", text.lower()))


def _bag_f1(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta and not tb:
        return 1.0
    common = sum((ta & tb).values())
    return 0.0 if not common else 2 * common / (sum(ta.values()) + sum(tb.values()))


# ---------------------------------------------------------------- the shared gold plan

@pytest.mark.skipif(not PLAN.exists(), reason="shared corpus not present")
def test_corporate_plan_matches_its_gold():
    gold = json.loads(PLAN_GOLD.read_text(encoding="utf-8"))["status_updates"]
    rows = extract_status(read_layout(PLAN))
    assert len(rows) == len(gold) == 50
    got = {(r.initiative, r.period): r for r in rows}
    for g in gold:
        r = got[(g["initiative"], g["period"])]
        assert (r.section, r.rag, r.direction, r.page) == (g["section"], g["rag"], g["direction"], g["page"]), g["initiative"]
        assert _bag_f1(r.comments, g["comments"]) >= 0.95, g["initiative"]
    # look-alike letters (Greek / Cyrillic A) read as amber; the merged comment cell given to all five rows
    assert got[("Supporting safer communities", "Q2")].rag == "amber"
    green_city = [r for r in rows if r.section == "Green City" and r.period == "Q2"]
    assert len(green_city) == 5 and len({r.comments for r in green_city}) == 1
    # two comment rows beside one initiative are joined with a newline
    assert "\n" in got[("Delivering more quality, affordable council homes", "Q2")].comments
    assert all(r.boxes and r.boxes[0][0] == r.page for r in rows)


# ---------------------------------------------------------------- drawn reports

def _themes(lookalikes: bool) -> list[RagTableSpec]:
    a1, a2 = LOOKALIKE_A if lookalikes else ("A", "a")
    homes = [
        RagRow("Supporting safer communities", [a1, "A"], "Improving",
               "We are continuing to work with partners across the city to support a safer city."),
        RagRow("Delivering more quality, affordable council homes", ["G", "Green"], "Stable",
               ["Out of the 1,000 homes planned, 274 are completed.", "We are improving the way we manage homes."]),
        RagRow("Bitterne Community Hub", ["", "N/A"], "Stable", "Options continue to be explored."),
        RagRow("City of Culture", ["fill:green", "red"], "Worsening", "The bid has built widespread support."),
    ]
    kpis = [
        RagRow("Calls answered within 20 seconds", ["G", "G"], "arrow:down", MERGED),
        RagRow("Complaints responded to in time", ["G", "amber"], "arrow:side", None),
        RagRow("Online transactions", ["", a2], "arrow:up", None),
        RagRow("Visitors satisfied with the service", ["TBC", "fill:red"], "arrow:up",
               "Partnership with partners to deliver a city-wide campaign is underway."),
    ]
    return [
        RagTableSpec(["Q2", "Q4"], homes, heading="Communities, culture & homes",
                     after="The narrative under the table goes on about the theme and its plans for the coming "
                           "year, with partners across the city, and is not a row of the table."),
        RagTableSpec(["Latest", "Previous"], kpis, first_header="Customer Services KPIs", group_header="RAG rating",
                     direction_header="DOT", heading="", count_table=True,
                     strapline="Building sustainable, agile and flexible services."),
    ]


def _expected_rag(cell: str, fills: bool) -> str:
    if cell.startswith("fill:"):
        return cell[5:] if fills else "not_rated"
    return {"a": "amber", "amber": "amber", "\u0391": "amber", "\u0410": "amber", "g": "green", "green": "green",
            "r": "red", "red": "red"}.get(cell if not cell.isascii() else cell.lower(), "not_rated")


VARIANTS = {
    "ruled-helvetica": (Style(), False),
    "unruled-serif": (Style(ruled=False, font="DejaVuSerif", bold="DejaVuSerif-Bold"), True),
    "unruled-sans-top-nofill": (Style(ruled=False, font="LiberationSans", bold="LiberationSans-Bold", valign="top",
                                      fills=False), True),
    "ruled-serif-top": (Style(font="DejaVuSerif", bold="DejaVuSerif-Bold", valign="top"), True),
    "unruled-times": (Style(ruled=False, font="Times-Roman", bold="Times-Bold", size=9.0), False),
    "unruled-centred-headers": (Style(ruled=False, centre_headers=True), False),
    "ruled-centred-headers": (Style(centre_headers=True, valign="top"), False),
    "unruled-tight-courier": (Style(ruled=False, font="Courier", bold="Courier-Bold", valign="top", row_pad=4.0), False),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_drawn_rag_reports(tmp_path, variant):
    style, lookalikes = VARIANTS[variant]
    if style.font.startswith(("DejaVu", "Liberation")) and not register_ttf(style.font, style.bold):
        pytest.skip("system TrueType typeface not installed")
    themes = _themes(lookalikes)
    rows = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", themes, style)))
    expected = []
    for page, spec in enumerate(themes, 1):
        section = spec.first_header if spec.first_header != "What are we doing?" else spec.heading or spec.strapline
        comment = ""
        for r in spec.rows:
            if r.comment is not None:
                comment = "\n".join(r.comment) if isinstance(r.comment, list) else r.comment
            direction = {"arrow:up": "Improving", "arrow:down": "Worsening", "arrow:side": "Stable"}.get(r.direction, r.direction)
            for period, cell in zip(spec.periods, r.ratings):
                expected.append((page, section, r.name, period, _expected_rag(cell, style.fills), direction, comment))
    got = [(r.page, r.section, r.initiative, r.period, r.rag, r.direction, r.comments) for r in rows]
    assert got == expected


def test_count_tables_and_colour_keys_are_not_rag_tables(tmp_path):
    rows = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", _themes(False)[1:], Style())))
    names = {r.initiative for r in rows}
    assert names == {r.name for r in _themes(False)[1].rows}
    assert not names & {"Red", "Amber", "Green", "KPI Summary", "GREEN"}
    assert {r.period for r in rows} == {"Latest", "Previous"}  # the lowest of stacked headers, not `RAG rating`


@pytest.mark.parametrize("ruled", [True, False])
@pytest.mark.parametrize("repeat_header", [True, False])
@pytest.mark.parametrize("name_rest", ["", "across the county"])
def test_a_row_cut_by_a_page_break_goes_on_overleaf(tmp_path, ruled, repeat_header, name_rest):
    text = " ".join(["Progress continues on the programme with partners across the county."] * 5)
    rows = [RagRow(f"Initiative number {i}", ["G", "A"], "Stable", text) for i in range(1, 10)]
    rows.append(RagRow(name_rest, [], "", "Carried on overleaf with the last words."))
    rows.append(RagRow("Initiative after the break", ["R", "G"], "Improving", "A new row overleaf."))
    spec = RagTableSpec(["Q1", "Q2"], rows, heading="Place shaping", break_after=9, repeat_header=repeat_header)
    got = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", [spec], Style(ruled=ruled))))
    by_name = {r.initiative: r for r in got}
    assert len(got) == 20 and {r.section for r in got} == {"Place shaping"}
    last = by_name[f"Initiative number 9 {name_rest}".strip()]
    assert last.comments.endswith("Carried on overleaf with the last words.")
    assert [b[0] for b in last.boxes] == [1, 2] and last.page == 1
    after = [r for r in got if r.initiative == "Initiative after the break"]
    assert [(r.period, r.rag, r.page) for r in after] == [("Q1", "red", 2), ("Q2", "green", 2)]


def test_arrows_are_named_by_the_documents_own_key(tmp_path):
    rows = [RagRow("Calls answered", ["G"], "arrow:up", "x"), RagRow("Complaints", ["R"], "arrow:down", "y"),
            RagRow("Web visits", ["A"], "arrow:side", "z")]
    spec = RagTableSpec(["Latest"], rows, first_header="Indicator", direction_header="DoT")
    style = Style(key_words=("Better than last quarter", "Worse than last quarter", "No change"))
    got = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", [spec], style)))
    assert [(r.initiative, r.direction) for r in got] == [("Calls answered", "Better"), ("Complaints", "Worse"),
                                                         ("Web visits", "Stable")]
    assert {r.section for r in got} == {"Green City"}  # a column label (`Indicator`) is never the section


# ---------------------------------------------------------------- small parts

def _shape(points) -> Shape:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Shape(points=tuple(points), x0=min(xs), top=min(ys), x1=max(xs), bottom=max(ys), fill=(0, 0.5, 0))


def _flip(points):  # PDF (y up) -> layout (top-left origin)
    return [(x, 800 - y) for x, y in points]


@pytest.mark.parametrize("kind", ["up", "down", "side"])
@pytest.mark.parametrize("size", [6.0, 14.0])
def test_arrow_geometry(kind, size):
    assert arrow_direction(_shape(_flip(arrow_points(kind, 100, 100, size)))) == kind


def test_other_arrow_shapes():
    assert arrow_direction(_shape([(10, 0), (20, 12), (0, 12)])) == "up"        # a triangle pointing up
    assert arrow_direction(_shape([(0, 0), (20, 0), (10, 12)])) == "down"       # pointing down
    assert arrow_direction(_shape([(0, 0), (14, 6), (0, 12)])) == "side"        # pointing right
    right = [(0, 4), (8, 4), (8, 0), (14, 6), (8, 12), (8, 8), (0, 8)]           # a right arrow with a shaft
    assert arrow_direction(_shape(right)) == "side"
    assert arrow_direction(_shape([(0, 0), (10, 0), (10, 10), (0, 10)])) == ""   # a square points nowhere


def test_ratings_from_letters_words_and_fills():
    assert [rag_of_text(t) for t in ("R", "a", "\u0391", "\u0410", "Green", "AMBER", "N/A", "TBC", "-", "97%")] == \
        ["red", "amber", "amber", "amber", "green", "amber", "not_rated", "not_rated", "not_rated", None]
    assert rag_of_color((0.88, 0, 0)) == "red" and rag_of_color((1, 0.75, 0)) == "amber"
    assert rag_of_color((1, 1, 0)) == "amber" and rag_of_color((0, 0.69, 0.31)) == "green"
    assert rag_of_color((0.85, 0.85, 0.85)) is None and rag_of_color((0, 0, 0, 0)) is None
    assert rag_of_color((1, 0, 1, 0)) == "green"  # CMYK
    # pale shades (spreadsheet good / neutral / bad) rate by hue; blue and purple rate nothing
    assert [rag_of_color(c) for c in ((0.78, 0.94, 0.81), (1, 0.92, 0.61), (1, 0.78, 0.8), (0, 0.4, 0.8), (0.5, 0, 0.5))] \
        == ["green", "amber", "red", None, None]


def test_key_labels_give_direction_words():
    assert key_name("improving (positive trend)") == "Improving"
    assert key_name("worsening (negative trend)") == "Worsening"
    assert key_name("remained stable or shows no clear trend") == "Stable"
    assert key_name("Performance has improved") == "Improving"
    assert key_name("Recovery plan required") == ""


def test_the_pdfplumber_reader_keeps_drawn_arrows_as_shapes(tmp_path):
    rows = [RagRow("Calls answered", ["G"], "arrow:up", "x")]
    path = build_rag(tmp_path / "rag.pdf", [RagTableSpec(["Latest"], rows)], Style())
    page = read_layout(path).pages[0]
    assert len(page.shapes) == 4  # three in the key, one in the table; no rect or rule is a shape
    for sh in page.shapes:
        assert len(sh.points) in (7, 10) and sh.fill and not sh.stroke  # closing point not repeated
        assert all(sh.x0 - .01 <= x <= sh.x1 + .01 and sh.top - .01 <= y <= sh.bottom + .01 for x, y in sh.points)
    assert sorted(arrow_direction(sh) for sh in page.shapes) == ["down", "side", "up", "up"]
    table_arrow = max(page.shapes, key=lambda sh: sh.top)
    assert arrow_direction(table_arrow) == "up" and table_arrow.top > page.height / 4


def test_a_coloured_column_of_figures_is_styling_not_rating(tmp_path):
    """A table styled in one colour (its label and number columns shaded red) rates nothing."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    path = tmp_path / "styled.pdf"
    c = Canvas(str(path), pagesize=A4)
    y = 760.0
    c.setFont("Helvetica-Bold", 9)
    for x, label in ((40, "Data Group"), (140, "Question Number"), (240, "Question"), (420, "Answer")):
        c.drawString(x + 3, y, label)
    for i, (group, n) in enumerate((("Basic Data", "1"), ("Basic Data", "2"), ("Special Data", "1"), ("Special Data", "2"))):
        top = y - 8 - i * 30
        c.setFillColorRGB(0.8, 0.25, 0.25)
        c.rect(40, top - 30, 100, 30, stroke=0, fill=1)  # one shaded rect per cell, as Word draws them
        c.rect(140, top - 30, 100, 30, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.drawString(43, top - 12, group)
        c.drawString(143, top - 12, n)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Helvetica", 9)
        c.drawString(243, top - 12, "Please outline which element applies")
        c.setFont("Helvetica-Bold", 9)
    c.save()
    assert extract_status(read_layout(path)) == []


@pytest.mark.parametrize("ruled", [True, False])
def test_kpi_tables_with_drawn_arrows_and_stacked_rating_headers(tmp_path, ruled):
    """A quarterly performance report's KPI table: its own title cell, `RAG rating` over `Latest` and
    `Previous` (words on shaded cells), direction arrows drawn with no text named through the printed key
    (`Performance is improving (positive trend)`), figure columns, no commentary; a count table above."""
    rows = [RagRow("CS01: Percentage of callers who rated the advisor who dealt with their call as good",
                   ["GREEN", "GREEN"], "arrow:up", "", ["97%", "85%"]),
            RagRow("CS04: Percentage of daytime calls answered", ["AMBER", "RED"], "arrow:side", "", ["80%", "75%"]),
            RagRow("CS08: Complaints responded to within timescale", ["RED", "AMBER"], "arrow:down", "", ["85%", "80%"])]
    spec = RagTableSpec(["Latest", "Previous"], rows, first_header="Customer Services KPIs", group_header="RAG rating",
                        direction_header="DoT", comment_header="", extra_headers=["Target", "Floor"],
                        heading="Customer Services", strapline="Cabinet Member: A Member", count_table=True)
    style = Style(ruled=ruled, key_words=("Performance is improving (positive trend)",
                                          "Performance is worsening (negative trend)",
                                          "Performance has remained stable or shows no clear trend"))
    got = extract_status(read_layout(build_rag(tmp_path / "qpr.pdf", [spec], style)))
    assert [(r.initiative[:4], r.period, r.rag, r.direction, r.comments) for r in got] == [
        ("CS01", "Latest", "green", "Improving", ""), ("CS01", "Previous", "green", "Improving", ""),
        ("CS04", "Latest", "amber", "Stable", ""), ("CS04", "Previous", "red", "Stable", ""),
        ("CS08", "Latest", "red", "Worsening", ""), ("CS08", "Previous", "amber", "Worsening", "")]
    assert {r.section for r in got} == {"Customer Services KPIs"}
    assert got[0].initiative == rows[0].name


def _plan_from_gold() -> list[RagTableSpec]:
    """The corporate plan's RAG tables rebuilt from its gold rows: one theme per page, amber cells
    printed with Greek and Cyrillic look-alike letters, a comment shared by consecutive rows as a
    merged cell, a comment of two paragraphs as two cells, the last theme under an empty banner."""
    gold = json.loads(PLAN_GOLD.read_text(encoding="utf-8"))["status_updates"]
    letters = {"green": "G", "red": "R", "not_rated": ""}
    themes: list[RagTableSpec] = []
    by_row: dict[tuple, dict] = {}
    for g in gold:
        by_row.setdefault((g["section"], g["initiative"]), {})[g["period"]] = g
    k = 0
    prev_comment = None
    for (section, name), per in by_row.items():
        if not themes or themes[-1].rows and (themes[-1].heading or themes[-1].strapline) != section:
            long = len(section) > 60
            themes.append(RagTableSpec(["Q2", "Q4"], [], heading="" if long else section,
                                       strapline=section if long else "A strapline that opens the theme."))
            prev_comment = None
        ratings = []
        for period in ("Q2", "Q4"):
            rag = per[period]["rag"]
            k += 1
            ratings.append(LOOKALIKE_A[k % 2] if rag == "amber" else letters[rag])
        comment = per["Q2"]["comments"]
        cell = None if comment == prev_comment else (comment.split("\n") if "\n" in comment else comment)
        prev_comment = comment
        themes[-1].rows.append(RagRow(name, ratings, per["Q2"]["direction"], cell))
    return themes


@pytest.mark.skipif(not PLAN_GOLD.exists(), reason="shared gold not present")
@pytest.mark.parametrize("style", [
    Style(ruled=False, font="DejaVuSerif", bold="DejaVuSerif-Bold", valign="top", fills=False),
    Style(ruled=False, font="LiberationSans", bold="LiberationSans-Bold", size=9.0),
    Style(ruled=False, font="Times-Roman", bold="Times-Bold", empty_banner=False),
], ids=["unruled-serif-letters-only", "unruled-sans-shaded", "unruled-times-no-banners"])
def test_the_corporate_plan_redrawn_unruled_in_another_typeface(tmp_path, style):
    if style.font in TTF_FAMILIES and not register_ttf(style.font, style.bold):
        pytest.skip("system TrueType typeface not installed")
    gold = json.loads(PLAN_GOLD.read_text(encoding="utf-8"))["status_updates"]
    themes = _plan_from_gold()
    if not style.font.startswith(("DejaVu", "Liberation")):  # a base-14 typeface has no Greek or Cyrillic
        for spec in themes:
            for r in spec.rows:
                r.ratings = ["A" if c in LOOKALIKE_A else c for c in r.ratings]
    rows = extract_status(read_layout(build_rag(tmp_path / "plan.pdf", themes, style)))
    got = {(r.initiative, r.period): r for r in rows}
    assert len(rows) == len(gold) == 50 and len(got) == 50
    exact = sum((got[(g["initiative"], g["period"])].section, got[(g["initiative"], g["period"])].rag,
                 got[(g["initiative"], g["period"])].direction, got[(g["initiative"], g["period"])].page)
                == (g["section"], g["rag"], g["direction"], g["page"]) for g in gold)
    comments = sum(_bag_f1(got[(g["initiative"], g["period"])].comments, g["comments"]) for g in gold) / len(gold)
    assert exact == 50 and comments >= 0.95


@pytest.mark.parametrize("ruled", [True, False])
def test_a_first_column_without_a_label(tmp_path, ruled):
    rows = [RagRow("Calls answered in time", ["G", "A"], "Improving", "On track."),
            RagRow("Complaints closed", ["R", "G"], "Worsening", "Behind plan.")]
    spec = RagTableSpec(["Q1", "Q2"], rows, first_header="", heading="Customer Services")
    got = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", [spec], Style(ruled=ruled))))
    assert [(r.section, r.initiative, r.period, r.rag, r.direction, r.comments) for r in got] == [
        ("Customer Services", "Calls answered in time", "Q1", "green", "Improving", "On track."),
        ("Customer Services", "Calls answered in time", "Q2", "amber", "Improving", "On track."),
        ("Customer Services", "Complaints closed", "Q1", "red", "Worsening", "Behind plan."),
        ("Customer Services", "Complaints closed", "Q2", "green", "Worsening", "Behind plan.")]


@pytest.mark.parametrize("ruled", [True, False])
def test_full_width_heading_rows_group_the_rows_under_them(tmp_path, ruled):
    rows = [RagRow("Contact and complaints handled across every channel", None, comment=""),
            RagRow("Calls answered in time", ["G", "A"], "Improving", "On track."),
            RagRow("Libraries, registration and archives services", None, comment=""),
            RagRow("Library visits", ["R", "G"], "Worsening", "Behind plan.")]
    spec = RagTableSpec(["Q1", "Q2"], rows, heading="Customer Services")
    got = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", [spec], Style(ruled=ruled))))
    assert [(r.section, r.initiative, r.period) for r in got] == [
        ("Contact and complaints handled across every channel", "Calls answered in time", "Q1"),
        ("Contact and complaints handled across every channel", "Calls answered in time", "Q2"),
        ("Libraries, registration and archives services", "Library visits", "Q1"),
        ("Libraries, registration and archives services", "Library visits", "Q2")]


def test_a_key_printed_left_of_its_arrows():
    from extractors.layout import DocumentLayout, PageLayout, Word

    def words(text, x, top):
        out = []
        for t in text.split():
            out.append(Word(t, x, x + 5 * len(t), top, top + 8, 8.0, False))
            x += 5 * len(t) + 3
        return out

    shapes, ws = [], []
    for k, (kind, label) in enumerate((("up", "Better than target"), ("down", "Worse than target"), ("side", "Level"))):
        top = 100 + 20 * k
        ws += words(label, 40, top)
        pts = [(x + 140, y + top - 96) for x, y in _flip(arrow_points(kind, 0, 700, 8))]
        shapes.append(_shape(pts))
    layout = DocumentLayout(pages=[PageLayout(1, 595, 842, words=ws, shapes=shapes)], n_pages=1)
    from extractors.status import StatusSettings, read_key
    assert read_key(layout, {}, StatusSettings()) == {"up": "Better", "down": "Worse", "side": "Stable"}


def test_rows_overleaf_that_rate_nothing_under_the_repeated_header(tmp_path):
    text = " ".join(["Progress continues on the programme with partners across the county."] * 5)
    rows = [RagRow(f"Initiative number {i}", ["G", "A"], "Stable", text) for i in range(1, 10)]
    rows.append(RagRow("Not yet started", ["", "N/A"], "", "Starts next year."))
    spec = RagTableSpec(["Q1", "Q2"], rows, heading="Place shaping", break_after=9)
    got = extract_status(read_layout(build_rag(tmp_path / "rag.pdf", [spec], Style())))
    assert [(r.initiative, r.period, r.rag, r.page, r.section) for r in got[-2:]] == [
        ("Not yet started", "Q1", "not_rated", 2, "Place shaping"), ("Not yet started", "Q2", "not_rated", 2, "Place shaping")]
    assert len(got) == 20
