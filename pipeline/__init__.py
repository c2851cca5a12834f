"""councilx pipeline: batch running, normalisation, quality checks, export, ingestion."""
import os

# Great Expectations sends usage analytics unless told not to; councilx never phones home.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

__version__ = "0.1.0"
