"""Stage 4 — action-plan records: reconstructed tables in, typed plan rows out.

Reads the tables of `extractors.tables` in page order and keeps the state a
reader keeps: the current section (a full-width heading row, else the page
title above the table), the previous row (for a row a page break cut in two,
and for a second lead on the same recommendation), and the document's key of
lead codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layout import DocumentLayout
from extractors.lead_key import expand_lead, find_lead_key, key_in_text
from extractors.tables import PageTables, Row, Table, TableSettings, reconstruct

# A printed reference: a label word (`Rec 3:`, `Recommendation 4:`), then the reference itself: a number
# with sub-numbers and a letter (`3`, `3.2`, `3a`), a short code of capitals and digits (`R17`, `A1`), a
# roman numeral or a lone letter; bracketed (`(1)`) or followed by `.` `)` `:` or a dash (`R17 -`).
_REF_LABEL = r"(?:(?:rec(?:ommendation)?|action|ref(?:erence)?|no)\.?\s*)"
_REF_NUM = r"\d{1,2}(?:\.\d{1,2}){0,2}[a-z]?"
_REF_CODE = r"[A-Z]{1,2}\d{1,3}(?:\.\d{1,2}){0,2}[a-z]?"
_REF_ROMAN = r"(?=[ivx]+\b)x{0,2}(?:ix|iv|v?i{0,3})"
_REF_CORE = rf"(?P<ref>{_REF_NUM}|{_REF_CODE}|{_REF_ROMAN}|[a-z])"
_REF = re.compile(
    rf"^\s*(?P<label>{_REF_LABEL})?(?P<open>\()?{_REF_CORE}(?(open)\)|(?P<punct>[.):]|\s*[-–—](?=\s))?)"
    r"(?P<rest>\s+(?P<next>\S).*)?$", re.S | re.I)
_COST_HEADER = re.compile(r"\b(cost|budget|funding|financ|£)", re.I)


@dataclass
class PlanRow:
    section: str = ""
    ref: str = ""
    recommendation: str = ""
    key_actions: str = ""
    lead: str = ""
    lead_name: str = ""
    timescale: str = ""
    resource: str = ""
    extra: dict = field(default_factory=dict)
    page_start: int = 0
    page_end: int = 0
    cost_cells: tuple[str, ...] = ()  # text of any extra cost column, for the money normaliser
    boxes: list[tuple] = field(default_factory=list)  # provenance: (page, x0, top, x1, bottom) per page spanned


@dataclass
class PlanExtraction:
    rows: list[PlanRow] = field(default_factory=list)
    leads: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    tables: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # printed header -> role ("" for extra), all tables


@dataclass(frozen=True)
class PlanSettings:
    tables: TableSettings = TableSettings()
    max_section_words: int = 120   # longer full-width rows are notes, not headings
    max_unnamed_share: float = 0.5  # a plan whose rows mostly lack a recommendation is no plan


def _join(a: str, b: str) -> str:
    if not a:
        return b
    if not b:
        return a
    # a sentence cut by the page break runs on; a finished one starts a new paragraph
    if re.search(r"[.!?:;”\"’)]$", a) or b[:1] in "•-–":
        return a + "\n" + b
    return a + " " + b


def _ref_match(text: str) -> re.Match | None:
    """The reference printed at the start of `text`, if it is one (see _REF); never a year or a quantity."""
    m = _REF.match(text)
    if not m or not m.group("ref"):
        return None
    ref, marked = m.group("ref"), bool(m.group("open") or m.group("punct") or m.group("label"))
    if re.fullmatch(_REF_CODE, ref) and not ref[:1].isupper():
        return None  # codes are printed in capitals (r17 is not one)
    if re.fullmatch(r"[a-z]|" + _REF_ROMAN, ref, re.I) and not marked:
        return None  # a lone letter or numeral (`a`, `I`) is a ref only when bracketed or punctuated
    nxt = m.group("next") or ""
    if not marked and nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "“\"'‘("):
        return None  # `3 new hubs`, `1.5 million trees`, `CO2 emissions`: a quantity, not a number
    return m


def split_ref(text: str) -> tuple[str, str]:
    """`1. Develop a …` -> ("1", "Develop a …"); `R17 - Use …` -> ("R17", "Use …"); `Rec 3: …` -> ("3", …);
    no printed reference -> ("", text)."""
    m = _ref_match(text)
    if not m or not m.group("rest"):
        return "", text
    return m.group("ref"), m.group("rest").lstrip()


def clean_ref(cell: str) -> str:
    """A ref column's cell as the contract writes it: `1.` -> `1`, `(a)` -> `a`, `Rec 3:` -> `3`."""
    cell = " ".join(cell.split())
    m = _REF.match(cell)
    if m and m.group("ref") and not m.group("rest"):
        return m.group("ref")
    return cell.rstrip(".:;)-–— ").lstrip("(")


def _cell(row: Row, roles: dict[str, int], role: str) -> str:
    i = roles.get(role)
    return row.cells[i] if i is not None else ""


def _is_heading_row(row: Row, table: Table, roles: dict[str, int]) -> bool:
    """A row with text in the first column only, set in bold: a section heading inside the table."""
    filled = [i for i, c in enumerate(row.cells) if c]
    if len(filled) != 1 or not row.bold:
        return False
    return filled[0] in (0, roles.get("recommendation", 0), roles.get("ref", 0))


def row_box(table: Table, row: Row) -> tuple:
    """The row's box on its page: the table's width, the row's band (PDF points, top-left origin)."""
    return (table.page, table.columns[0].x0, row.top, table.columns[-1].x1, row.bottom)


def add_box(boxes: list[tuple], box: tuple) -> None:
    """One box per page: a box on a page already boxed widens that box, else it is appended."""
    for i, b in enumerate(boxes):
        if b[0] == box[0]:
            boxes[i] = (b[0], min(b[1], box[1]), min(b[2], box[2]), max(b[3], box[3]), max(b[4], box[4]))
            return
    boxes.append(box)


def _new_row(table: Table, row: Row, roles: dict[str, int], section: str) -> PlanRow:
    rec = _cell(row, roles, "recommendation")
    ref = clean_ref(_cell(row, roles, "ref"))
    if not ref:
        ref, rec = split_ref(rec)
    extra, costs = {}, []
    for i, col in enumerate(table.columns):
        if not col.role:
            extra[col.header] = row.cells[i]
            if _COST_HEADER.search(col.header):
                costs.append(row.cells[i])
    return PlanRow(section=section, ref=ref, recommendation=rec, key_actions=_cell(row, roles, "key_actions"),
                   lead=_cell(row, roles, "lead").replace("\n", " "), timescale=_cell(row, roles, "timescale"),
                   resource=_cell(row, roles, "resource"), extra=extra, page_start=table.page,
                   page_end=table.page, cost_cells=tuple(costs), boxes=[row_box(table, row)])


def _merge_into(prev: PlanRow, table: Table, row: Row, roles: dict[str, int]) -> None:
    prev.recommendation = _join(prev.recommendation, _cell(row, roles, "recommendation"))
    prev.key_actions = _join(prev.key_actions, _cell(row, roles, "key_actions"))
    prev.timescale = _join(prev.timescale, _cell(row, roles, "timescale"))
    prev.resource = _join(prev.resource, _cell(row, roles, "resource"))
    prev.lead = _join(prev.lead, _cell(row, roles, "lead")).replace("\n", " ")
    for i, col in enumerate(table.columns):
        if not col.role and row.cells[i]:
            prev.extra[col.header] = _join(prev.extra.get(col.header, ""), row.cells[i])
    prev.page_end = max(prev.page_end, table.page)
    add_box(prev.boxes, row_box(table, row))


def rows_from_tables(pages: list[PageTables], s: PlanSettings = PlanSettings()) -> list[PlanRow]:
    out: list[PlanRow] = []
    section = ""
    cut_open = False  # the previous page's table ended in a row the page break cut
    for pt in pages:
        for t_index, table in enumerate(pt.tables):
            roles = table.roles()
            if table.header_on_page and table.title:
                section = table.title  # a titled page starts afresh; a heading row below overrides
            for r_index, row in enumerate(table.rows):
                cells_filled = any(row.cells)
                if row.kind == "section" or (cells_filled and _is_heading_row(row, table, roles)):
                    text = row.section_text or next(c for c in row.cells if c)
                    if text and len(text.split()) <= s.max_section_words and not key_in_text(text):
                        section = text.replace("\n", " ")
                    continue
                if not cells_filled:
                    continue
                lead = _cell(row, roles, "lead")
                rec = _cell(row, roles, "recommendation")
                ref = _cell(row, roles, "ref")
                prev = out[-1] if out else None
                page_top = t_index == 0 and r_index == 0
                own = any(_cell(row, roles, r) for r in ("timescale", "key_actions", "resource"))
                if prev is not None and page_top and cut_open and not ref and not _starts_row(rec) \
                        and not (table.header_on_page and lead):
                    _merge_into(prev, table, row, roles)  # the rest of a ruled row, lead cell included
                    continue
                if prev is not None and not lead and not ref and (page_top or not rec or not own):
                    # the rest of a row a page break cut, or sub-rows under a lead cell that spans them
                    _merge_into(prev, table, row, roles)
                    continue
                new = _new_row(table, row, roles, section)
                if prev is not None and lead and not rec and not ref and not new.ref:
                    new.ref, new.recommendation, new.section = prev.ref, prev.recommendation, prev.section
                out.append(new)
        cut_open = bool(pt.tables) and pt.tables[-1].open_end
    return out


def _starts_row(rec: str) -> bool:
    """Text that opens a numbered recommendation, not the rest of a cut one."""
    return bool(split_ref(rec)[0])


def extract_plan(layout: DocumentLayout, s: PlanSettings = PlanSettings()) -> PlanExtraction:
    """Every action-plan row in the document, with the key of lead codes applied."""
    pages = reconstruct(layout, s.tables)
    # a row that names no recommendation and no action (only a lead, a date or a yes/no) is no record:
    # a form's answer column read under a lead-like header is not an action plan
    rows = [r for r in rows_from_tables(pages, s) if r.recommendation.strip() or r.key_actions.strip()]
    if sum(not r.recommendation.strip() for r in rows) > s.max_unnamed_share * len(rows):
        rows = []  # most rows recommend nothing: prose or a form read under plan-like headers, not a plan
    key = find_lead_key(pages, leads=[r.lead for r in rows]) if rows else {}
    for r in rows:
        r.lead_name = expand_lead(r.lead, key)
    columns = {c.header: c.role for p in pages for t in p.tables if t.header_on_page for c in t.columns} \
        if rows else {}
    return PlanExtraction(rows=rows, leads=key, tables=sum(len(p.tables) for p in pages), columns=columns)
