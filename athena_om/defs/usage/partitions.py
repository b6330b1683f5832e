"""One partition per UTC day of Athena query history (Athena keeps 45 days of it; older days read empty)."""

from dagster import DailyPartitionsDefinition

# end_offset=1 makes today a partition too, so the sensor can refresh the day still in progress.
query_history_days = DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1, timezone="UTC")
