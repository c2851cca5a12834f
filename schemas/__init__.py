"""councilx schemas: the output contract (tables, columns, types, meanings)."""
from .contract import TABLES, Table, Column  # noqa: F401
