"""Data quality: the partitioned asset, its job, the daily schedule and the after-change sensor; and, from a
snapshot of the service's test cases, one checked asset per Glue database (built by ``component.py``)."""

from dagster import Definitions

from athena_om.defs.quality.assets import athena_data_quality, check_assets
from athena_om.defs.quality.jobs import athena_data_quality_job, data_quality_checks_job
from athena_om.defs.quality.schedules import DEFAULT_QUALITY_CRON, daily_quality_schedule
from athena_om.defs.quality.sensors import data_quality_sensor
from athena_om.defs.quality.snapshot import QualitySnapshot


def quality_definitions(cron: str = DEFAULT_QUALITY_CRON) -> Definitions:
    """The data-quality area: every test case of a database's tables, results to OpenMetadata."""
    return Definitions(
        assets=[athena_data_quality],
        jobs=[athena_data_quality_job],
        schedules=[daily_quality_schedule(cron)],
        sensors=[data_quality_sensor()],
    )


def quality_check_definitions(snapshot: QualitySnapshot, cron: str = DEFAULT_QUALITY_CRON) -> Definitions:
    """One asset per Glue database of ``snapshot``, with one asset check per test case, a job, a daily schedule
    and a sensor after table changes; empty when the snapshot holds no test case."""
    checked = check_assets(snapshot)
    if not checked:
        return Definitions()
    return Definitions(
        assets=checked,
        jobs=[data_quality_checks_job],
        schedules=[daily_quality_schedule(cron, checks=True)],
        sensors=[data_quality_sensor(sorted(snapshot.databases))],
    )


defs = quality_definitions()
