"""Catalog sync: assets, jobs, sensor and schedules for Glue databases and tables."""

from dagster import Definitions

from athena_om.defs.metadata.assets import athena_schemas, athena_tables, every_table_written
from athena_om.defs.metadata.jobs import athena_schemas_job, athena_tables_job
from athena_om.defs.metadata.schedules import daily_schemas_refresh, daily_tables_refresh
from athena_om.defs.metadata.sensors import glue_catalog_sensor

defs = Definitions(
    assets=[athena_schemas, athena_tables],
    asset_checks=[every_table_written],
    jobs=[athena_schemas_job, athena_tables_job],
    sensors=[glue_catalog_sensor],
    schedules=[daily_schemas_refresh, daily_tables_refresh],
)
