"""Stage — normalisation: timescale and resource cells to dates and sums.

The stable interface every other stage uses:

    find_dates(text, reference=None) -> list[DateSpan]
    find_money(text) -> list[Money]
    find_times(text) -> list[TimeOfDay]; start_time(text) -> "HH:MM" or ""

`reference` is the paper's own date, used for expressions without a year.
"""
from .model import DateSpan, Money  # noqa: F401
from .dates import find_dates  # noqa: F401
from .money import find_money  # noqa: F401
from .times import TimeOfDay, find_times, start_time  # noqa: F401


def clear_caches() -> None:
    """Forget the remembered cells (find_dates / find_money cache whole cells per process)."""
    from .dates import _find_dates
    from .money import _find_money

    _find_dates.cache_clear()
    _find_money.cache_clear()
