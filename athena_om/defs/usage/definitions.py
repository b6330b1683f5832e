"""Query history: the query log, usage and lineage assets, their jobs, the sensor and the daily schedule."""

from dagster import Definitions

from athena_om.defs.usage.assets import athena_lineage, athena_query_log, athena_table_usage
from athena_om.defs.usage.jobs import (
    athena_lineage_job,
    athena_query_history_job,
    athena_query_log_job,
    athena_table_usage_job,
)
from athena_om.defs.usage.schedules import daily_query_history
from athena_om.defs.usage.sensors import athena_query_history_sensor

defs = Definitions(
    assets=[athena_query_log, athena_table_usage, athena_lineage],
    jobs=[athena_query_log_job, athena_table_usage_job, athena_lineage_job, athena_query_history_job],
    sensors=[athena_query_history_sensor],
    schedules=[daily_query_history],
)
