"""Shared fixtures: paths to the real documents in ../shared and the repo's samples."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COUNCILX_SHARED", ROOT.parent / "shared"))
SAMPLES = ROOT / "samples"
SOTON = "southampton-future-of-work-action-plan.pdf"
KENT_PLAN = "24-00115 - Appendix B - KCC ICS priorities measures.pdf"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES
