"""Keys of lead codes in the forms councils print them, and how leads expand through them."""
from __future__ import annotations

import pytest

from extractors.lead_key import expand_lead, parse_entries

KEY = {"EDT": "Economic Development Team", "SSM": "Strategic Skills Manager"}


@pytest.mark.parametrize("text", [
    "EDT – Economic Development Team; SSM – Strategic Skills Manager",
    "EDT = Economic Development Team\nSSM = Strategic Skills Manager",
    "EDT - Economic Development Team;\nSSM - Strategic Skills Manager.",
    "EDT (Economic Development Team), SSM (Strategic Skills Manager)",
])
def test_key_forms(text):
    assert parse_entries(text) == KEY


def test_key_entry_wrapped_over_two_lines():
    assert parse_entries("EDT = Economic Development Team; SSM = Strategic Skills\nManager") == KEY


def test_prose_is_not_a_key():
    assert parse_entries("The council will work with partners - and residents - to deliver") == {}


def test_expand_lead():
    assert expand_lead("EDT", KEY) == "Economic Development Team"
    assert expand_lead("EDT/SSM", KEY) == "Economic Development Team / Strategic Skills Manager"
    assert expand_lead("Head of Housing", KEY) == "Head of Housing"
    assert expand_lead("EDT", {}) == "EDT"
