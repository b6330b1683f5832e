"""Settings every test process shares, applied before any test module imports the Dagster definitions."""

import os

# The tests' query history is seeded around fixed days in March 2026 (a fixed clock keeps them deterministic);
# by default the daily partitions would start 45 days before today and leave those days out. The name is
# athena_om.defs.usage.partitions.START_ENV_VAR, spelled out: importing that module would build the partitions.
os.environ.setdefault("ATHENA_OM_QUERY_HISTORY_START", "2026-01-01")
