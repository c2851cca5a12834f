"""Every export read back: CSV and Parquet with pandas (types checked), the workbook with openpyxl."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from pipeline.export import (DICTIONARY_SHEET, FORMULA_START, WORKBOOK, export, neutralise, parse_formats,
                             to_frames)
from planted import D1, FORMULA, planted_tables
from schemas.contract import CONTRACT_TABLES, TABLES


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    tables = planted_tables()
    tables["recommendations"][0]["lead"] = "-"          # a dash cell: neutralised too
    tables["recommendations"][1]["resource"] = "+£5k"
    tables["recommendations"][2]["timescale"] = "@risk"
    written = export(to_frames(tables), out)
    return out, written


def test_all_formats_written(exported):
    out, written = exported
    names = {p.name for p in written}
    for t in TABLES:
        assert f"{t}.csv" in names and f"{t}.parquet" in names
    assert WORKBOOK in names
    assert not list(out.glob(".*.tmp"))  # atomic writes leave nothing behind


def test_csv_is_excel_clean(exported):
    out, _ = exported
    raw = (out / "recommendations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                  # UTF-8 BOM
    text = raw.decode("utf-8-sig")
    assert "Café Nero £5k" in text
    for t in TABLES:  # missing values are empty cells, never "nan" / "<NA>" / "NaT" / "None"
        cells = pd.read_csv(out / f"{t}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).to_numpy()
        assert not {"nan", "NaN", "<NA>", "NaT", "None"} & {str(v) for v in cells.ravel()}, t
    recs = pd.read_csv(out / "recommendations.csv", encoding="utf-8-sig").set_index("record_id")
    assert list(recs.reset_index().columns) == TABLES["recommendations"].names
    assert recs.loc[f"{D1}-4", "key_actions"] == "'" + FORMULA
    assert recs.loc[f"{D1}-1", "lead"] == "'-"
    assert recs.loc[f"{D1}-2", "resource"] == "'+£5k"
    assert recs.loc[f"{D1}-3", "timescale"] == "'@risk"
    assert recs["page_start"].dtype == "int64" and recs["page_end"].dtype == "int64"
    # no cell anywhere starts like a formula
    for t in TABLES:
        df = pd.read_csv(out / f"{t}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for col in df.columns:
            if TABLES[t].column(col).dtype in ("string", "json"):
                assert not df[col].str.startswith(FORMULA_START).any(), (t, col)

    costs_raw = (out / "costs.csv").read_text(encoding="utf-8-sig")
    assert ",60000," in costs_raw and ",-5000," in costs_raw and ",20000000000," in costs_raw
    assert "e+" not in costs_raw and "60000.0" not in costs_raw
    costs = pd.read_csv(out / "costs.csv", encoding="utf-8-sig")
    assert costs["amount_gbp"].dtype == "float64" or costs["amount_gbp"].dtype == "int64"
    assert costs["amount_gbp"].tolist() == [60000, -5000, 2e10]   # numbers are never neutralised

    times = pd.read_csv(out / "timescales.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert times["start_date"].tolist() == ["2024-07-01", "2025-03-31", "1990-01-01", ""]
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", parse_dates=["doc_date"])
    assert docs["pages"].dtype == "int64"
    assert docs["doc_date"].iloc[0] == pd.Timestamp("2024-05-01") and pd.isna(docs["doc_date"].iloc[1])


def test_parquet_has_real_types(exported):
    out, _ = exported
    want = {"string": pa.string(), "json": pa.string(), "int": pa.int64(), "float": pa.float64(),
            "date": pa.date32()}
    for name, spec in TABLES.items():
        schema = pq.read_schema(out / f"{name}.parquet")
        assert schema.names == spec.names
        for col in spec.columns:
            assert schema.field(col.name).type == want[col.dtype], (name, col.name)
            assert schema.field(col.name).metadata[b"meaning"].decode() == col.meaning
    recs = pd.read_parquet(out / "recommendations.parquet")
    assert pd.api.types.is_integer_dtype(recs["page_start"]) and pd.api.types.is_integer_dtype(recs["page_end"])
    assert recs.set_index("record_id").loc[f"{D1}-4", "key_actions"] == FORMULA   # Parquet keeps the raw text
    costs = pd.read_parquet(out / "costs.parquet")
    assert costs["amount_gbp"].dtype == "float64" and costs["amount_gbp"].tolist() == [60000.0, -5000.0, 2e10]
    times = pq.read_table(out / "timescales.parquet").to_pylist()
    assert times[0]["start_date"] == date(2024, 7, 1) and times[3]["start_date"] is None
    docs = pd.read_parquet(out / "documents.parquet")
    assert pd.api.types.is_integer_dtype(docs["pages"]) and pd.api.types.is_integer_dtype(docs["records"])


def test_workbook(exported):
    out, _ = exported
    wb = load_workbook(out / WORKBOOK)
    assert wb.sheetnames == [DICTIONARY_SHEET] + list(TABLES)

    d = wb[DICTIONARY_SHEET]
    rows = list(d.iter_rows(values_only=True))
    assert rows[0][:4] == ("table", "column", "type", "meaning")
    listed = {(r[0], r[1]) for r in rows[1:]}
    for spec in CONTRACT_TABLES + (TABLES["quality_issues"],):
        for col in spec.columns:
            assert (spec.name, col.name) in listed
    assert all(r[3] for r in rows[1:])  # every column has a meaning

    for name, spec in TABLES.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == spec.names
        assert all(c.font.b for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        for i in range(1, len(spec.names) + 1):
            from openpyxl.utils import get_column_letter
            assert 8 <= ws.column_dimensions[get_column_letter(i)].width <= 60

    ts = wb["timescales"]
    hdr = [c.value for c in ts[1]]
    start = ts.cell(row=2, column=hdr.index("start_date") + 1)
    assert start.is_date and start.value == datetime(2024, 7, 1) and start.number_format == "yyyy-mm-dd"
    assert ts.cell(row=5, column=hdr.index("start_date") + 1).value is None

    cs = wb["costs"]
    hdr = [c.value for c in cs[1]]
    amounts = [cs.cell(row=r, column=hdr.index("amount_gbp") + 1) for r in range(2, 5)]
    assert [a.value for a in amounts] == [60000, -5000, 2e10]
    assert all(a.data_type == "n" and a.number_format == "£#,##0" for a in amounts)

    rs = wb["recommendations"]
    hdr = [c.value for c in rs[1]]
    ka = rs.cell(row=5, column=hdr.index("key_actions") + 1)
    assert ka.value == FORMULA and ka.data_type == "s" and ka.quotePrefix   # text, not a formula
    assert rs.cell(row=2, column=hdr.index("page_start") + 1).data_type == "n"
    # the control character the planted section holds is not allowed in XLSX: replaced, row still written
    sec = rs.cell(row=7, column=hdr.index("section") + 1).value
    assert sec.startswith("Growth (cid:12) plan") and "\x07" not in sec
    assert rs.max_row == 1 + len(planted_tables()["recommendations"])

    docs = wb["documents"]
    hdr = [c.value for c in docs[1]]
    assert docs.cell(row=2, column=hdr.index("doc_date") + 1).is_date
    assert docs.cell(row=2, column=hdr.index("pages") + 1).value == 10


def test_neutralise_and_formats():
    for lead in FORMULA_START:
        assert neutralise(lead + "x") == "'" + lead + "x"
    assert neutralise("Plain") == "Plain" and neutralise(-5.0) == -5.0 and neutralise(None) is None
    assert parse_formats("csv, XLSX") == ("csv", "xlsx")
    with pytest.raises(ValueError):
        parse_formats("csv,pdf")


def test_only_chosen_formats(tmp_path):
    written = export(to_frames(planted_tables()), tmp_path, formats=("parquet",))
    assert written and all(p.suffix == ".parquet" for p in written)
    assert not (tmp_path / WORKBOOK).exists()
