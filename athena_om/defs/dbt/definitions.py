"""dbt: the dbt_metadata asset, its job and the sensor watching the artifacts."""

from dagster import Definitions

from athena_om.defs.dbt.assets import dbt_metadata
from athena_om.defs.dbt.sensors import dbt_artifacts_sensor, dbt_metadata_job

defs = Definitions(assets=[dbt_metadata], jobs=[dbt_metadata_job], sensors=[dbt_artifacts_sensor])
