"""The README stays true: its data dictionary is the contract's, and it names every CLI command."""
from __future__ import annotations

from conftest import ROOT
from pipeline.cli import build_parser
from schemas.contract import dictionary_markdown


def test_readme_data_dictionary_is_the_contract():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert dictionary_markdown() in readme, "regenerate with: python -m schemas.contract"


def test_readme_names_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"councilx {name}" in readme, name
