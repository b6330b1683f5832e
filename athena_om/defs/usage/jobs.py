"""Jobs for the query-log assets, launchable with ``dagster job launch``."""

from dagster import AssetSelection, define_asset_job

from athena_om.defs.usage.assets import athena_lineage, athena_query_log, athena_table_usage
from athena_om.defs.usage.partitions import query_history_days

athena_query_log_job = define_asset_job(
    "athena_query_log_job",
    selection=AssetSelection.assets(athena_query_log),
    partitions_def=query_history_days,
    description="Read one day of Athena query history and write it to OpenMetadata as Query entities.",
)

athena_table_usage_job = define_asset_job(
    "athena_table_usage_job",
    selection=AssetSelection.assets(athena_table_usage),
    partitions_def=query_history_days,
    description="Report a day's table usage and joins from the day's materialized query log.",
)

athena_lineage_job = define_asset_job(
    "athena_lineage_job",
    selection=AssetSelection.assets(athena_lineage),
    partitions_def=query_history_days,
    description="Write a day's table and column lineage from the day's materialized query log and the views.",
)

athena_query_history_job = define_asset_job(
    "athena_query_history_job",
    selection=AssetSelection.assets(athena_query_log, athena_table_usage, athena_lineage),
    partitions_def=query_history_days,
    description="Query log, then usage and lineage, for one day: what the sensor and the daily schedule run.",
)
