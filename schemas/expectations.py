"""The data-quality suites: one per contract table, declared from contract.py.

Plain data only, no Great Expectations import: `pipeline/quality.py` turns
each `Check` into the GX expectation class it names, with its keyword
arguments, and validates it on the table's frame. Cross-table checks compare a
column with a helper column that quality.py joins in first (`_doc_pages`,
`_earliest_plausible`, ...) or with a suite parameter filled per run
(`{"$PARAMETER": "record_ids"}`), so the engine does every comparison.

Severities: `critical` means the row breaks the contract (keys, referential
integrity, enumerations, page order, a span that ends before it starts) and
fails `councilx run --strict`; `warning` means the value is implausible or
unclean and worth a look (dates far from the paper's date, amounts not
positive or over the cap, lead codes missing from the key, empty leads, text
artefacts).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.contract import (BBOX, CONTRACT_TABLES, DOC_TYPES, MEETING_KINDS, PERIODS, PRECISIONS, RAGS, STATUSES,
                              TABLES, boxed_tables)

CRITICAL, WARNING = "critical", "warning"

# Helper columns pipeline/quality.py joins onto a table's frame before validating it.
DOC_ID = "_doc_id"                # timescales, costs: doc_id of the recommendation they belong to
DOC_PAGES = "_doc_pages"          # recommendations: documents.pages of its document
FIRST_DATE = "_first_date"        # timescales: start_date, else end_date
LAST_DATE = "_last_date"          # timescales: end_date, else start_date
EARLIEST = "_earliest_plausible"  # timescales: first plausible date for the document
LATEST = "_latest_plausible"      # timescales: last plausible date for the document
DOC_CODE = "_doc_code"            # lead_codes view: doc_id + "|" + one code-like lead token
ROW = "_row"                      # lead_codes and text views: index of the table row it came from
TEXT_COLUMN = "column"            # text view: the column a text cell is in
TEXT_VALUE = "value"              # text view: the cell's text
KEY = "_key"                      # meetings, agenda_items, minutes_items, status_updates: the table's key as one text
MEETING = "_meeting"              # agenda_items, minutes_items: doc_id|kind|meeting_date of the meeting it names
# The boxes view of a table with a bbox column: one row per number a box holds (its page and four edges),
# plus one row per table row for the count of pages boxed, each with the bounds it must lie within.
BOX_COORD = "coord"               # page, x0, top, x1, bottom, or "pages boxed"
BOX_VALUE = "value"
BOX_LOWER = "lower"               # page: the row's first page; x0, top: -slack; x1: x0; bottom: top
BOX_UPPER = "upper"               # page: the row's last page; x0, x1: page width + slack; top, bottom: height + slack

# Suite parameters filled per run.
P_DOC_IDS, P_RECORD_IDS, P_LEAD_KEYS = "doc_ids", "record_ids", "lead_keys"
P_MEETINGS = "meetings"           # doc_id|kind|meeting_date of every meetings row


@dataclass(frozen=True)
class Thresholds:
    """Every tolerance the suites use, as a named default."""

    years_before: int = 10          # plausible dates start this many years before the paper's date
    years_after: int = 20           # ... and end this many years after it
    broad_start: date = date(2000, 1, 1)   # window used where the paper prints no date
    broad_end: date = date(2060, 12, 31)
    max_amount_gbp: float = 10_000_000_000.0  # £10bn: no council action costs this much
    meeting_years_before: int = 2   # a meeting is at most this many years before the paper's date (minutes approved late)
    meeting_years_after: int = 1    # ... and at most this many years after it (an agenda published ahead)
    # A lead cell is code-like when it is nothing but codes (2-6 capitals) joined by / , & or "and".
    lead_code: str = r"[A-Z]{2,6}"
    lead_code_join: str = r"\s*(?:/|,|&|\band\b)\s*"
    bbox_slack_pt: float = 1.0      # a box may overhang the page edge by this much (rounding, hairline rules)
    # -- the self-check of a plan's extraction (pipeline/selfcheck.py): one document-level row per symptom --
    review_min_records: int = 3          # documents with fewer recommendations are not judged
    sentence_lead_words: int = 9         # a lead cell this many words long (codes of the key aside) reads as a sentence
    max_sentence_lead_share: float = 0.25  # ... and more than this share of them is a symptom
    empty_role_share: float = 0.9        # a headed column with this share of its cells empty came out empty
    review_min_timescales: int = 4       # timescale cells needed before judging how many give a date
    max_undated_share: float = 0.5       # more than this share of timescale cells giving no date is a symptom
    repeat_min_words: int = 4            # texts this long that stand in two columns of a record repeat
    max_repeated_share: float = 0.2      # more than this share of records repeating text is a symptom
    short_rec_words: int = 2             # a recommendation this short (or code-like) is a fragment
    max_short_rec_share: float = 0.25    # more than this share of fragments is a symptom
    max_unkeyed_code_share: float = 0.5  # more than this share of code-like leads with no key is a symptom
    max_shared_rec_share: float = 0.5    # more than this share of records repeating the one before is a symptom
    max_merged_rec_share: float = 0.1    # more than this share of recommendations holding a second one is a symptom
    # a numbered recommendation starting after a sentence inside another (`... partners. 5. Develop ...`)
    embedded_ref: str = r"[.!?”\"]\s+\(?(?:\d{1,2}(?:\.\d{1,2})?[.):]|R\d{1,3}\s*[-–:.]?)\s+[A-Z]"
    # a paper titled as a plan itself (not a report about one: `Adoption of the ... Action Plan`)
    plan_title: str = (r"^(?!.*\b(?:adoption|approval|update|progress|report|review|consultation|monitoring|"
                       r"refresh|proposed|draft)\b).*\b(?:action|delivery|improvement|implementation) plan"
                       r"(?:\s+[\d\s/–-]+)?$|^(?!.*\b(?:update|progress|report|review)\b).*statement of action$")
    extra_dates_share: float = 0.6       # an extra column with this share of its cells holding a date reads as dates
    date_like: str = (r"\b(?:19|20)\d{2}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
                      r"\b(?:spring|summer|autumn|winter)\b|\bQ[1-4]\b|\bongoing\b")
    # a header naming a role (lead, timescale, resource, key actions, recommendation)
    role_header: str = (r"\b(lead(?:s|er)?|led by|owners?|responsib\w*|time ?scales?|deadlines?|target dates?|"
                        r"by when|due dates?|resources?|costs?|budgets?|funding|key actions?|recommendations?)\b")


@dataclass(frozen=True)
class Check:
    table: str                 # the contract table whose rows it flags
    expectation: str           # Great Expectations class name (great_expectations.expectations.X)
    kwargs: tuple              # (name, value) pairs passed to that class
    severity: str              # critical | warning
    check: str                 # what it checks, in words
    column: str                # the column(s) it is about, as reported in quality_issues
    observed: tuple[str, ...] = ()  # view columns shown as the observed value (default: the unexpected value)
    view: str = "rows"         # rows: the table plus helper columns; lead_codes: one row per code-like lead token;
    #                            text: one row per non-empty text cell; review: one row per plan (its measures)
    column_from: str = ""      # a view column naming the reported column row by row (the text view)

    @property
    def kw(self) -> dict:
        return dict(self.kwargs)


_NUM = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOX = rf"\[\s*\d+(?:\s*,\s*{_NUM}){{4}}\s*\]"
BBOX_RE = rf"^\[\s*{_BOX}(?:\s*,\s*{_BOX})*\s*\]$"   # [[page, x0, top, x1, bottom], ...], at least one box

# Text artefacts no exported text may hold: (short name, regex, meaning).
HTML_RE = (r"</?[A-Za-z][A-Za-z0-9]*(?:\s+[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=]+))?)*\s*/?>"
           r"|&(?:amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9A-Fa-f]+);")
CID_RE = r"\(cid:\d+\)"
CONTROL_RE = r"[\x00-\x09\x0b-\x1f\x7f-\x9f]"  # every C0/C1 control except \n (the contract's paragraph joiner)
# = or @ first is never council prose; + and - first are (negative sums, dash bullets), so only = and @ are
# reported. The exports neutralise all of = + - @ tab CR regardless.
FORMULA_RE = r"^[=@]"
TEXT_ARTEFACTS = (
    ("html", HTML_RE, "no HTML tags or entities"),
    ("cid", CID_RE, "no (cid:NN) glyph artefacts"),
    ("control", CONTROL_RE, "no control characters (other than the newline joining paragraphs)"),
    ("formula", FORMULA_RE, "no formula-looking text (= or @ first; neutralised in the CSV and XLSX exports)"),
)


def _k(**kw) -> tuple:
    """Expectation keyword arguments; `row_condition=(column, value)` keeps the rows where column == value."""
    return tuple(kw.items())


def _param(name: str) -> dict:
    return {"$PARAMETER": name}


def checks(th: Thresholds = Thresholds()) -> list[Check]:
    """Every check, suite by suite (one suite per contract table).

    Text checks run on a long view of each table (one row per text cell) so a
    table needs three regex expectations, not three per column: GX's fixed
    cost per expectation (~40 ms) dominates on runs of a few thousand rows."""
    out: list[Check] = []
    add = out.append
    pair = "ExpectColumnPairValuesAToBeGreaterThanB"
    skip_missing = dict(ignore_row_if="either_value_is_missing")

    # documents
    add(Check("documents", "ExpectColumnValuesToNotBeNull", _k(column="doc_id"), CRITICAL, "doc_id present", "doc_id"))
    add(Check("documents", "ExpectColumnValuesToBeUnique", _k(column="doc_id", row_condition=("duplicate_of", "")),
              CRITICAL, "doc_id unique (files with the same content aside)", "doc_id"))
    add(Check("documents", "ExpectColumnValuesToBeInSet", _k(column="doc_type", value_set=list(DOC_TYPES)),
              CRITICAL, "doc_type in the allowed set", "doc_type"))
    add(Check("documents", "ExpectColumnValuesToBeInSet", _k(column="status", value_set=list(STATUSES)),
              CRITICAL, "status in the allowed set", "status"))

    # recommendations
    t = "recommendations"
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="record_id"), CRITICAL, "record_id present", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeUnique", _k(column="record_id"), CRITICAL, "record_id unique", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="doc_id", value_set=_param(P_DOC_IDS)),
              CRITICAL, "doc_id exists in documents", "doc_id"))
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="lead"), WARNING, "lead not empty", "lead"))
    add(Check(t, "ExpectColumnValuesToMatchRegex", _k(column="lead", regex=r"\S"), WARNING, "lead not empty", "lead"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column=DOC_CODE, value_set=_param(P_LEAD_KEYS)), WARNING,
              "every code-like lead is in the document's key of lead codes", "lead",
              observed=("lead", "code"), view="lead_codes"))
    for col in ("page_start", "page_end"):
        add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column=col), CRITICAL, f"{col} present", col))
    add(Check(t, "ExpectColumnValuesToBeBetween", _k(column="page_start", min_value=1), CRITICAL,
              "page_start >= 1", "page_start"))
    add(Check(t, pair, _k(column_A="page_end", column_B="page_start", or_equal=True, **skip_missing), CRITICAL,
              "page_start <= page_end", "page_start+page_end"))
    add(Check(t, pair, _k(column_A=DOC_PAGES, column_B="page_end", or_equal=True, **skip_missing), CRITICAL,
              "page_end <= the document's page count", "page_end"))

    # timescales
    t = "timescales"
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="record_id"), CRITICAL, "record_id present", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="record_id", value_set=_param(P_RECORD_IDS)),
              CRITICAL, "record_id exists in recommendations", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="precision", value_set=list(PRECISIONS)),
              CRITICAL, "precision in the allowed set", "precision"))
    add(Check(t, pair, _k(column_A="end_date", column_B="start_date", or_equal=True, **skip_missing), CRITICAL,
              "start_date <= end_date", "start_date+end_date"))
    add(Check(t, pair, _k(column_A=FIRST_DATE, column_B=EARLIEST, or_equal=True, **skip_missing), WARNING,
              f"dates no earlier than {th.years_before} years before the document's date "
              f"({th.broad_start.isoformat()} where it has none)", "start_date"))
    add(Check(t, pair, _k(column_A=LATEST, column_B=LAST_DATE, or_equal=True, **skip_missing), WARNING,
              f"dates no later than {th.years_after} years after the document's date "
              f"({th.broad_end.isoformat()} where it has none)", "end_date"))

    # costs
    t = "costs"
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="record_id"), CRITICAL, "record_id present", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="record_id", value_set=_param(P_RECORD_IDS)),
              CRITICAL, "record_id exists in recommendations", "record_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="period", value_set=list(PERIODS)),
              CRITICAL, "period in the allowed set", "period"))
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="amount_gbp"), CRITICAL, "amount_gbp present", "amount_gbp"))
    add(Check(t, "ExpectColumnValuesToBeBetween", _k(column="amount_gbp", min_value=0, strict_min=True), WARNING,
              "amount_gbp > 0 (negative sums are legitimate, accounting style, but worth a look)", "amount_gbp"))
    add(Check(t, "ExpectColumnValuesToBeBetween",
              _k(column="amount_gbp", max_value=th.max_amount_gbp, strict_max=True), WARNING,
              f"amount_gbp below £{th.max_amount_gbp / 1e9:,.0f}bn", "amount_gbp"))

    # leads
    t = "leads"
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="doc_id", value_set=_param(P_DOC_IDS)),
              CRITICAL, "doc_id exists in documents", "doc_id"))
    add(Check(t, "ExpectCompoundColumnsToBeUnique", _k(column_list=["doc_id", "code"]), CRITICAL,
              "one row per code per document", "doc_id+code"))

    # meetings
    t = "meetings"
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="doc_id", value_set=_param(P_DOC_IDS)),
              CRITICAL, "doc_id exists in documents", "doc_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="kind", value_set=list(MEETING_KINDS)),
              CRITICAL, "kind in the allowed set", "kind"))
    add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column="meeting_date"), CRITICAL, "meeting_date present",
              "meeting_date"))
    add(Check(t, "ExpectColumnValuesToMatchRegex", _k(column="start_time", regex=r"^(?:(?:[01]\d|2[0-3]):[0-5]\d)?$"),
              CRITICAL, "start_time is HH:MM (24-hour) or empty", "start_time"))
    add(Check(t, "ExpectColumnValuesToMatchRegex", _k(column="body", regex=r"\S"), WARNING, "body not empty", "body"))
    add(Check(t, pair, _k(column_A="meeting_date", column_B=EARLIEST, or_equal=True, **skip_missing), WARNING,
              f"meeting_date no earlier than {th.meeting_years_before} years before the document's date",
              "meeting_date"))
    add(Check(t, pair, _k(column_A=LATEST, column_B="meeting_date", or_equal=True, **skip_missing), WARNING,
              f"meeting_date no later than {th.meeting_years_after} year(s) after the document's date",
              "meeting_date"))

    # agenda_items, minutes_items: each names a meeting of its kind in the same document
    for t, kind in (("agenda_items", "agenda"), ("minutes_items", "minutes")):
        add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="doc_id", value_set=_param(P_DOC_IDS)),
                  CRITICAL, "doc_id exists in documents", "doc_id"))
        add(Check(t, "ExpectColumnValuesToBeInSet", _k(column=MEETING, value_set=_param(P_MEETINGS)), CRITICAL,
                  f"meeting_date names a meeting of kind {kind} in the same document", "meeting_date",
                  observed=("meeting_date",)))
        add(Check(t, "ExpectColumnValuesToMatchRegex", _k(column="title", regex=r"\S"), WARNING, "title not empty",
                  "title"))
    add(Check("agenda_items", "ExpectColumnValuesToMatchRegex", _k(column="item_number", regex=r"^\d+[a-z]?$"),
              WARNING, "item_number is a number, perhaps with a letter (7, 4a)", "item_number"))

    # status_updates
    t = "status_updates"
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="doc_id", value_set=_param(P_DOC_IDS)),
              CRITICAL, "doc_id exists in documents", "doc_id"))
    add(Check(t, "ExpectColumnValuesToBeInSet", _k(column="rag", value_set=list(RAGS)), CRITICAL,
              "rag in the allowed set", "rag"))

    # keys unique and pages inside the document, on every committee table
    for t in ("meetings", "agenda_items", "minutes_items", "status_updates"):
        add(Check(t, "ExpectColumnValuesToBeUnique", _k(column=KEY), CRITICAL,
                  "one row per " + " + ".join(TABLES[t].key), "+".join(TABLES[t].key), observed=(KEY,)))
        if t != "meetings":
            add(Check(t, "ExpectColumnValuesToBeBetween", _k(column="page", min_value=1), CRITICAL, "page >= 1", "page"))
            add(Check(t, pair, _k(column_A=DOC_PAGES, column_B="page", or_equal=True, **skip_missing), CRITICAL,
                      "page <= the document's page count", "page"))
    # provenance boxes, on every table with a bbox column (the "boxes" view)
    for table in boxed_tables():
        t = table.name
        add(Check(t, "ExpectColumnValuesToNotBeNull", _k(column=BBOX), CRITICAL, "bbox present", BBOX,
                  view="boxes"))
        add(Check(t, "ExpectColumnValuesToMatchRegex", _k(column=BBOX, regex=BBOX_RE), CRITICAL,
                  "bbox is a JSON list of [page, x0, top, x1, bottom] boxes", BBOX, view="boxes"))
        where = (f"every box inside its page (within {th.bbox_slack_pt:g} pt), on a page of the row's span, "
                 "one box per page spanned")
        shown = (BOX_COORD, BOX_VALUE, BOX_LOWER, BOX_UPPER)
        add(Check(t, pair, _k(column_A=BOX_VALUE, column_B=BOX_LOWER, or_equal=True, **skip_missing), CRITICAL,
                  where, BBOX, observed=shown, view="boxes"))
        add(Check(t, pair, _k(column_A=BOX_UPPER, column_B=BOX_VALUE, or_equal=True, **skip_missing), CRITICAL,
                  where, BBOX, observed=shown, view="boxes"))
    # the self-check of each plan's extraction (the "review" view of pipeline/selfcheck.py: one row per document
    # with enough records, one measure per column): a document over a bound gets one row per symptom
    for measure, bound, column, meaning in review_bounds(th):
        kw = _k(column=measure, min_value=bound) if measure in REVIEW_AT_LEAST else _k(column=measure, max_value=bound)
        add(Check("documents", "ExpectColumnValuesToBeBetween", kw, WARNING, meaning, column,
                  observed=(measure, REVIEW_EXAMPLES[measure]), view="review"))

    # every text cell of every contract table (the "text" view: one row per non-empty text cell)
    for table in CONTRACT_TABLES:
        for _, regex, meaning in TEXT_ARTEFACTS:
            add(Check(table.name, "ExpectColumnValuesToNotMatchRegex", _k(column=TEXT_VALUE, regex=regex),
                      WARNING, meaning, "(any text column)", view="text", column_from=TEXT_COLUMN))
    return out


# the review view's measures and the example column shown beside each (pipeline/selfcheck.py fills them)
REVIEW_EXAMPLES = {
    "lead_sentence_share": "lead_sentence_example", "empty_columns": "empty_column_names",
    "undated_share": "undated_example", "key_expanded": "key_codes", "roles_in_extra": "role_headers",
    "dates_in_extra": "dates_headers", "repeated_share": "repeated_example", "short_rec_share": "short_rec_example",
    "unkeyed_code_share": "unkeyed_code_example", "shared_rec_share": "shared_rec_example",
    "plan_records": "plan_title", "merged_rec_share": "merged_rec_example",
}


REVIEW_AT_LEAST = ("key_expanded", "plan_records")  # measures bounded below; the others are bounded above


def review_bounds(th: Thresholds = Thresholds()) -> list[tuple[str, float, str, str]]:
    """(measure, bound, column, what the check says) of every symptom of a plan's extraction gone wrong."""
    return [
        ("lead_sentence_share", th.max_sentence_lead_share, "lead",
         f"needs review: lead cells read like sentences (share of leads of {th.sentence_lead_words}+ words "
         f"besides key codes at most {th.max_sentence_lead_share:g})"),
        ("empty_columns", 0, "timescale+resource+lead+key_actions+recommendation",
         "needs review: a column headed with a role came out empty"),
        ("undated_share", th.max_undated_share, "timescale",
         f"needs review: most timescale cells give no date (share at most {th.max_undated_share:g})"),
        ("key_expanded", 1, "lead_name", "needs review: the key of lead codes expands no lead cell"),
        ("roles_in_extra", 0, "extra",
         "needs review: an extra column's header names a role whose own column is empty"),
        ("dates_in_extra", 0, "timescale+extra",
         "needs review: the timescale column is empty but an extra column reads as dates"),
        ("repeated_share", th.max_repeated_share, "recommendation+key_actions+lead+timescale+resource+extra",
         f"needs review: records repeat text across columns (share at most {th.max_repeated_share:g})"),
        ("short_rec_share", th.max_short_rec_share, "recommendation",
         f"needs review: recommendations empty, of {th.short_rec_words} words or fewer, or codes "
         f"(share at most {th.max_short_rec_share:g})"),
        ("shared_rec_share", th.max_shared_rec_share, "recommendation",
         f"needs review: records repeat the recommendation before them (share at most {th.max_shared_rec_share:g})"),
        ("merged_rec_share", th.max_merged_rec_share, "recommendation",
         f"needs review: recommendations hold a second numbered recommendation (share at most "
         f"{th.max_merged_rec_share:g})"),
        ("plan_records", 1, "records", "needs review: the paper is titled as a plan but gave no records"),
        ("unkeyed_code_share", th.max_unkeyed_code_share, "lead",
         f"needs review: leads are mostly codes and no key of lead codes was found (share at most "
         f"{th.max_unkeyed_code_share:g})"),
    ]


def suites(th: Thresholds = Thresholds()) -> dict[str, list[Check]]:
    """Checks grouped into one suite per contract table (in contract order)."""
    out: dict[str, list[Check]] = {t.name: [] for t in CONTRACT_TABLES}
    for c in checks(th):
        out.setdefault(c.table, []).append(c)
    return out
