"""Stage — normalisation: timescale and resource cells to dates and sums.

The stable interface every other stage uses:

    find_dates(text, reference=None) -> list[DateSpan]
    find_money(text) -> list[Money]

`reference` is the paper's own date, used for expressions without a year.
"""
from .model import DateSpan, Money  # noqa: F401
from .dates import find_dates  # noqa: F401
from .money import find_money  # noqa: F401
