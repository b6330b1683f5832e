"""Jobs for the catalog assets, launchable with ``dagster job launch``."""

from dagster import AssetSelection, define_asset_job

from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.metadata.partitions import glue_database_partitions

athena_schemas_job = define_asset_job(
    "athena_schemas_job",
    selection=AssetSelection.assets(athena_schemas),
    description="Sync the Athena service, database and schemas (one per Glue database) and register partitions.",
)

athena_tables_job = define_asset_job(
    "athena_tables_job",
    selection=AssetSelection.assets(athena_tables),
    partitions_def=glue_database_partitions,
    description="Sync tables of one Glue database (or a range of them in a single run).",
)
