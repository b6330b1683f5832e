"""Jobs for the profile asset, launchable with ``dagster job launch`` for any selection of databases."""

from dagster import AssetSelection, define_asset_job

from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.defs.profiles.assets import athena_table_profiles

athena_table_profiles_job = define_asset_job(
    "athena_table_profiles_job",
    selection=AssetSelection.assets(athena_table_profiles),
    partitions_def=glue_database_partitions,
    description="Profile the tables of one Glue database, or of a range of them in a single run.",
)
