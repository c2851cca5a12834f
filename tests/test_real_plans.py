"""Extraction on the real action plans (the rendered Southampton seed plan and
the Kent ICS appendix) checked against their hand-made gold, and a parallel run
that writes exactly what a single-worker run writes."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter

import pandas as pd
import pytest

from conftest import KENT_PLAN, SOTON
from extractors.action_plan import extract_plan
from extractors.classify import classify
from extractors.layout import read_layout
from pipeline.cli import main


def _bag(text) -> Counter:
    return Counter(re.findall(r"[a-z0-9£%]+", str(text or "").lower()))


def _f1(a, b) -> float:
    ta, tb = _bag(a), _bag(b)
    if not ta and not tb:
        return 1.0
    common = sum((ta & tb).values())
    return 0.0 if not common else 2 * common / (sum(ta.values()) + sum(tb.values()))


@pytest.mark.parametrize("name", [SOTON, KENT_PLAN])
def test_plan_matches_gold(samples, shared, name):
    gold = json.loads((shared / "eval" / "gold" / name.replace(".pdf", ".json")).read_text(encoding="utf-8"))
    layout = read_layout(samples / name)
    plan = extract_plan(layout)
    assert classify(layout, len(plan.rows)).doc_type == "action_plan"
    assert len(plan.rows) == len(gold["records"])
    assert plan.leads == {l["code"]: l["name"] for l in gold["leads"]}
    fields = ["section", "ref", "recommendation", "key_actions", "lead", "lead_name", "timescale", "resource"]
    pairs = list(zip(plan.rows, gold["records"]))  # same order as printed
    for f in fields:
        mean = sum(_f1(getattr(got, f), want[f]) for got, want in pairs) / len(pairs)
        assert mean >= 0.97, (f, mean)
    assert [(g.page_start, g.page_end) for g, _ in pairs] == [(w["page_start"], w["page_end"]) for _, w in pairs]


def test_non_plan_papers_yield_no_records(samples):
    for name in ("Agenda frontsheet 30th-Jan-2025 10.00 Cabinet.pdf", "CPP Minutes 10.12.24.pdf"):
        layout = read_layout(samples / name)
        plan = extract_plan(layout)
        assert plan.rows == []
        assert classify(layout, 0).doc_type in ("agenda", "minutes", "budget")
    minutes = read_layout(samples / "CPP Minutes 10.12.24.pdf")
    assert classify(minutes, 0).doc_type == "minutes"


def test_two_workers_write_what_one_writes(tmp_path, samples):
    inbox = tmp_path / "in"
    inbox.mkdir()
    for f in samples.glob("*.pdf"):
        shutil.copy(f, inbox / f.name)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        assert main(["run", str(inbox), "--out", str(out), "--workers", str(n), "-q"]) == 0
        outs.append(out)
    for name in ("documents", "recommendations", "timescales", "costs", "leads"):
        a = (outs[0] / f"{name}.csv").read_bytes()
        b = (outs[1] / f"{name}.csv").read_bytes()
        assert a == b, name
    recs = pd.read_csv(outs[0] / "recommendations.csv", encoding="utf-8-sig")
    assert set(recs["source"]) == {SOTON, KENT_PLAN}
