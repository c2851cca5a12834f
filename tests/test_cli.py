"""The command line on real PDFs: a folder in, contract tables out, bad files recorded."""
from __future__ import annotations

import shutil

import pandas as pd

from pipeline.cli import main
from schemas.contract import TABLES
from conftest import SOTON


def test_run_folder_with_a_corrupt_file(tmp_path, samples):
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir(parents=True)
    shutil.copy(samples / SOTON, inbox / "sub" / SOTON)
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf")
    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out), "-q"]) == 0
    for name, spec in TABLES.items():
        df = pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig")
        assert list(df.columns) == spec.names
        assert (out / f"{name}.parquet").exists()
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig").set_index("source")
    assert len(docs) == 2
    assert docs.loc["broken.pdf", "status"] == "failed"
    assert isinstance(docs.loc["broken.pdf", "error"], str) and docs.loc["broken.pdf", "error"]
    assert docs.loc[SOTON, "status"] == "ok"
    assert docs.loc[SOTON, "pages"] == 14


def test_same_content_twice_in_one_run(tmp_path, samples):
    inbox = tmp_path / "in"
    (inbox / "a").mkdir(parents=True)
    (inbox / "b").mkdir()
    for sub in ("a", "b"):
        shutil.copy(samples / SOTON, inbox / sub / SOTON)
    out = tmp_path / "out"
    assert main(["run", str(inbox), "--out", str(out), "-q", "--strict"]) == 0
    docs = pd.read_csv(out / "documents.csv", encoding="utf-8-sig", keep_default_na=False)
    assert len(docs) == 2 and docs["doc_id"].nunique() == 1
    assert docs["duplicate_of"].tolist() == ["", str(inbox / "a" / SOTON)]
    recs = pd.read_csv(out / "recommendations.csv", encoding="utf-8-sig")
    assert recs["record_id"].is_unique and len(recs) == 24
