"""The output contract: every table, its columns, their types and meanings.

This module is the single source of truth for the column lists, the Parquet
types, the data dictionary sheet and the data-quality suites. Nothing else in
the project spells out a column list.
"""
from __future__ import annotations

from dataclasses import dataclass

DOC_TYPES = (
    "action_plan", "agenda", "minutes", "report", "performance_report",
    "risk_register", "budget", "other",
)
STATUSES = ("ok", "partial", "failed")
PRECISIONS = ("day", "month", "quarter", "season", "year", "fiscal_year", "duration", "ongoing")
PERIODS = ("one_off", "per_year", "unspecified")
MEETING_KINDS = ("agenda", "minutes")
RAGS = ("red", "amber", "green", "not_rated")
SEVERITIES = ("critical", "warning")


BBOX = "bbox"  # the provenance column: every table that has it is checked against page sizes and reviewed
BBOX_MEANING = ("Where the row is printed: JSON list of [page, x0, top, x1, bottom], one box per page the row "
                "spans, covering its cells on that page, in PDF points from the page's top-left corner (as "
                "pdfplumber measures).")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # one of: string, int, float, date, json
    meaning: str
    contract: bool = True  # False for columns councilx adds beyond CONTRACT.md


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    contract: bool = True  # False for tables councilx adds beyond CONTRACT.md

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, dtype: str, meaning: str, contract: bool = True) -> Column:
    return Column(name, dtype, meaning, contract)


DOCUMENTS = Table(
    "documents",
    "One row per input file, whatever happened to it.",
    (
        _c("doc_id", "string", "Stable id: first 16 hex digits of the file's SHA-256."),
        _c("source", "string", "File name as given (no folder)."),
        _c("doc_type", "string", "One of: " + ", ".join(DOC_TYPES) + "."),
        _c("title", "string", "The document's own title, as printed."),
        _c("pages", "int", "Page count."),
        _c("status", "string", "ok, partial (some pages or tables failed) or failed."),
        _c("error", "string", "Why, where status is not ok; empty otherwise."),
        _c("path", "string", "Path of the file as read in this run.", False),
        _c("doc_date", "date", "The paper's own date (meeting or publication), when it prints one.", False),
        _c("records", "int", "Number of recommendation rows extracted.", False),
        _c("duplicate_of", "string", "Path of an earlier file in the run with the same content (its records "
           "are not repeated); empty otherwise.", False),
        _c("page_sizes", "json", "JSON list of [first_page, last_page, width, height]: the size of every page in "
           "PDF points, one entry per run of consecutive pages of one size (what bbox is checked against).", False),
        _c("plan_columns", "json", "JSON object of the plan tables' printed column headers, each with the role it "
           "was read as (recommendation, key_actions, lead, timescale, resource, ref; empty: kept in extra); {} "
           "where the document has no plan.", False),
    ),
    key=("doc_id",),
)

RECOMMENDATIONS = Table(
    "recommendations",
    "One row per action-plan row: a recommendation or commitment and the lead who owns it.",
    (
        _c("record_id", "string", "doc_id + '-' + running number in document order from 1."),
        _c("doc_id", "string", "As in documents."),
        _c("source", "string", "As in documents."),
        _c("section", "string", "The heading that groups the row (a full-width heading row, else the table's page title)."),
        _c("ref", "string", "The number or reference printed before the recommendation; empty if none."),
        _c("recommendation", "string", "The recommendation or commitment text, without ref."),
        _c("key_actions", "string", "The actions column, where the table has one."),
        _c("lead", "string", "The lead / owner / 'led by' cell as printed."),
        _c("lead_name", "string", "lead expanded through the document's key of codes; same as lead where there is no key."),
        _c("timescale", "string", "The timescale / deadline / 'by when' cell as printed."),
        _c("resource", "string", "The resource / cost / budget / funding cell as printed."),
        _c("extra", "json", "JSON object of every other column, keyed by its printed header."),
        _c("page_start", "int", "1-based page where the row starts."),
        _c("page_end", "int", "1-based page where the row ends."),
        _c(BBOX, "json", BBOX_MEANING, False),
    ),
    key=("record_id",),
)

TIMESCALES = Table(
    "timescales",
    "One row per date expression found in a timescale cell.",
    (
        _c("record_id", "string", "The recommendations row it belongs to."),
        _c("text", "string", "The expression as printed (Summer 2019, 2019/20, end Dec 2019)."),
        _c("start_date", "date", "ISO date the span starts; empty where open."),
        _c("end_date", "date", "ISO date the span ends; empty where open."),
        _c("precision", "string", "One of: " + ", ".join(PRECISIONS) + "."),
    ),
)

COSTS = Table(
    "costs",
    "One row per sum of money found in a resource cell (or a cost column).",
    (
        _c("record_id", "string", "The recommendations row it belongs to."),
        _c("text", "string", "The sum as printed (£60k, £55k pa, £1.3m)."),
        _c("amount_gbp", "float", "The number of pounds (£1.3m = 1300000); ranges give the lower bound."),
        _c("period", "string", "one_off, per_year or unspecified."),
    ),
)

LEADS = Table(
    "leads",
    "One row per code in a document's key of lead roles.",
    (
        _c("doc_id", "string", "As in documents."),
        _c("code", "string", "The code as printed (EDT)."),
        _c("name", "string", "What the key says it stands for (Economic Development Team)."),
    ),
    key=("doc_id", "code"),
)

_BBOX = ("JSON list of [page, x0, top, x1, bottom], one box per page the row spans, in PDF points from the "
         "page's top-left corner.")

MEETINGS = Table(
    "meetings",
    "One row per meeting a document describes: the meeting an agenda summons, the meeting minutes record.",
    (
        _c("doc_id", "string", "As in documents."),
        _c("source", "string", "As in documents."),
        _c("body", "string", "The committee, panel or council as printed, without the issuing authority or the "
           "words around it (Agenda, Minutes of a meeting of the)."),
        _c("meeting_date", "date", "ISO date of the meeting (never the date the paper was published or signed)."),
        _c("start_time", "string", "HH:MM, 24-hour; empty where not printed."),
        _c("venue", "string", "The place as printed, without the words that introduce it; empty where not printed."),
        _c("kind", "string", "One of: " + ", ".join(MEETING_KINDS) + " (the document lists the meeting's "
           "business, or records it)."),
        _c("bbox", "json", _BBOX, False),
    ),
    key=("doc_id", "kind", "meeting_date"),
)

AGENDA_ITEMS = Table(
    "agenda_items",
    "One row per numbered agenda item (a lettered sub-item is a row of its own).",
    (
        _c("doc_id", "string", "As in documents."),
        _c("source", "string", "As in documents."),
        _c("meeting_date", "date", "The meeting (of kind agenda) the item belongs to."),
        _c("item_number", "string", "As printed, without a trailing . or ) (7, 4a)."),
        _c("title", "string", "The item's heading, wrapped lines joined, without number and page reference."),
        _c("description", "string", "The explanatory text set apart from the title (by style or as its own "
           "paragraph); empty if none."),
        _c("page_refs", "string", "The page reference as printed, without brackets (Pages 7 - 12); empty if none."),
        _c("page", "int", "1-based page of the PDF the item number is printed on."),
        _c("bbox", "json", _BBOX, False),
    ),
    key=("doc_id", "meeting_date", "item_number"),
)

MINUTES_ITEMS = Table(
    "minutes_items",
    "One row per minute of a meeting's printed minutes.",
    (
        _c("doc_id", "string", "As in documents."),
        _c("source", "string", "As in documents."),
        _c("meeting_date", "date", "The meeting (of kind minutes) the minute belongs to."),
        _c("minute_number", "string", "As printed, without a trailing . (9, 285); empty where none is printed."),
        _c("title", "string", "The minute's heading, wrapped lines joined, without number and (Item N)."),
        _c("decision", "string", "Every RESOLVED / AGREED / DECIDED paragraph with its sub-paragraphs; empty if none."),
        _c("page", "int", "1-based page of the PDF the minute's heading is printed on."),
        _c("bbox", "json", _BBOX, False),
    ),
    key=("doc_id", "meeting_date", "minute_number", "title"),
)

STATUS_UPDATES = Table(
    "status_updates",
    "One row per initiative per reporting period of a red / amber / green (RAG) table.",
    (
        _c("doc_id", "string", "As in documents."),
        _c("source", "string", "As in documents."),
        _c("section", "string", "The heading that groups the table's rows."),
        _c("initiative", "string", "The row's name (first column) as printed."),
        _c("period", "string", "The period's column header as printed (Q2, Latest)."),
        _c("rag", "string", "One of: " + ", ".join(RAGS) + "."),
        _c("direction", "string", "The direction of travel (Improving, Stable, Worsening); empty if the table has none."),
        _c("comments", "string", "The row's commentary cell as printed; empty if the table has none."),
        _c("page", "int", "1-based page the row starts on."),
        _c("bbox", "json", _BBOX, False),
    ),
    key=("doc_id", "section", "initiative", "period"),
)

QUALITY_ISSUES = Table(
    "quality_issues",
    "One row per row (or table) that failed a data-quality expectation. Failing rows stay in their tables.",
    (
        _c("table", "string", "The table holding the failing row."),
        _c("row", "int", "1-based position of the failing row in that table's export; empty for a table-level failure."),
        _c("record_id", "string", "record_id of the failing row, where its table has one."),
        _c("doc_id", "string", "doc_id of the document the failing row comes from, where known."),
        _c("column", "string", "The column (or columns, joined with +) the expectation looks at."),
        _c("expectation", "string", "The Great Expectations expectation that failed (expect_...)."),
        _c("check", "string", "What the expectation checks, in words."),
        _c("observed", "string", "The value(s) that failed, as text."),
        _c("severity", "string", "critical (the row breaks the contract; fails --strict) or warning (implausible, worth a look)."),
    ),
    contract=False,
)

CONTRACT_TABLES: tuple[Table, ...] = (DOCUMENTS, RECOMMENDATIONS, TIMESCALES, COSTS, LEADS,
                                       MEETINGS, AGENDA_ITEMS, MINUTES_ITEMS, STATUS_UPDATES)

TABLES: dict[str, Table] = {t.name: t for t in CONTRACT_TABLES + (QUALITY_ISSUES,)}


def boxed_tables() -> list[Table]:
    """Every table with a `bbox` provenance column (in contract order)."""
    return [t for t in TABLES.values() if BBOX in t.names]


def dictionary_markdown() -> str:
    """The data dictionary as Markdown (the README's section is this text; a test keeps them equal)."""
    out = []
    for t in TABLES.values():
        extra = "" if t.contract else " (councilx addition)"
        out.append(f"### `{t.name}`{extra}\n\n{t.meaning}\n\n| column | type | meaning |\n|---|---|---|")
        for c in t.columns:
            mark = "" if c.contract else " *(councilx)*"
            out.append(f"| `{c.name}` | {c.dtype} | {c.meaning.replace('|', '/')}{mark} |")
        out.append("")
    return "\n".join(out).strip() + "\n"

