"""The daily data-quality run: every Glue database's test cases in one run (one bytes budget for all)."""

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, SkipReason, schedule

from athena_om.defs.metadata.partitions import GLUE_DATABASES
from athena_om.defs.quality.jobs import athena_data_quality_job, data_quality_checks_job

DEFAULT_QUALITY_CRON = "0 5 * * *"  # daily 05:00 UTC


def daily_quality_schedule(cron: str = DEFAULT_QUALITY_CRON, checks: bool = False) -> ScheduleDefinition:
    """The daily schedule on ``cron``; with ``checks`` it runs the checked per-database assets instead."""
    if checks:
        return ScheduleDefinition(
            name="daily_data_quality_checks",
            job=data_quality_checks_job,
            cron_schedule=cron,
            execution_timezone="UTC",
        )

    @schedule(name="daily_data_quality", job=athena_data_quality_job, cron_schedule=cron, execution_timezone="UTC")
    def daily_data_quality(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        """Every Glue database's test cases, as one run over the whole partition range."""
        databases = context.instance.get_dynamic_partitions(GLUE_DATABASES)
        if not databases:
            return SkipReason("no Glue database partitions yet: materialize athena_schemas first")
        return RunRequest(
            run_key=f"data-quality:{context.scheduled_execution_time:%Y-%m-%d}",
            tags={
                "dagster/asset_partition_range_start": databases[0],
                "dagster/asset_partition_range_end": databases[-1],
            },
        )

    return daily_data_quality
