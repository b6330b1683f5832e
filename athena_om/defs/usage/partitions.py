"""One partition per UTC day of Athena query history.

Athena keeps 45 days of query history, so the partitions start 45 days before the code location loads: older
days could only ever read empty. ``$ATHENA_OM_QUERY_HISTORY_START`` (an ISO date) sets another first day, for
example to keep older materialized days visible in the UI.
"""

import os
from datetime import UTC, date, datetime, timedelta

from dagster import DailyPartitionsDefinition

HISTORY_RETENTION = timedelta(days=45)
START_ENV_VAR = "ATHENA_OM_QUERY_HISTORY_START"


def query_history_start(env: dict[str, str] | None = None, today: date | None = None) -> date:
    """The first daily partition: ``$ATHENA_OM_QUERY_HISTORY_START``, else as far back as Athena keeps history."""
    value = (os.environ if env is None else env).get(START_ENV_VAR, "").strip()
    if value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{START_ENV_VAR}={value!r} is not an ISO date (YYYY-MM-DD); set it to the first day of query "
                "history to show, or unset it to start 45 days ago"
            ) from None
    return (today or datetime.now(UTC).date()) - HISTORY_RETENTION


# end_offset=1 makes today a partition too, so the sensor can refresh the day still in progress.
query_history_days = DailyPartitionsDefinition(
    start_date=query_history_start().isoformat(), end_offset=1, timezone="UTC"
)
