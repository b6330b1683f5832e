"""Jobs: every test case of a range of Glue databases, and the checked per-database assets."""

from dagster import AssetSelection, define_asset_job

from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.defs.quality.assets import GROUP, athena_data_quality

athena_data_quality_job = define_asset_job(
    "athena_data_quality_job",
    selection=AssetSelection.assets(athena_data_quality),
    partitions_def=glue_database_partitions,
    description="Run the data-quality tests of one Glue database's tables, or of a range of databases in one run.",
)

data_quality_checks_job = define_asset_job(
    "data_quality_checks_job",
    selection=AssetSelection.groups(GROUP) - AssetSelection.assets(athena_data_quality),
    description="Run the test cases of the snapshot's databases and report each as a Dagster asset check.",
)
