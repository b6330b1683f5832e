"""Dagster wiring, one folder per area (metadata, usage); each folder's definitions.py composes its parts."""

import warnings

from dagster import BetaWarning

# athena_tables uses a single-run backfill policy on purpose; Dagster flags the parameter as beta on every load.
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")
