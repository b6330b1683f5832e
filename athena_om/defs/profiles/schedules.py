"""Weekly profiles of every Glue database, in one run so that athenaOm.profiler.maxBytesPerRun bounds them all."""

from dagster import RunRequest, ScheduleDefinition, ScheduleEvaluationContext, SkipReason, schedule

from athena_om.defs.metadata.partitions import GLUE_DATABASES
from athena_om.defs.profiles.jobs import athena_table_profiles_job

DEFAULT_PROFILE_CRON = "0 4 * * 0"  # Sundays 04:00 UTC


def weekly_profiles_schedule(cron: str = DEFAULT_PROFILE_CRON) -> ScheduleDefinition:
    """The profile schedule on ``cron`` (``athenaOm.profiler.schedule``)."""

    @schedule(
        name="weekly_table_profiles",
        job=athena_table_profiles_job,
        cron_schedule=cron,
        execution_timezone="UTC",
    )
    def weekly_table_profiles(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
        """Every Glue database's tables, as one run over the whole partition range."""
        databases = context.instance.get_dynamic_partitions(GLUE_DATABASES)
        if not databases:
            return SkipReason("no Glue database partitions yet: materialize athena_schemas first")
        return RunRequest(
            run_key=f"profiles:{context.scheduled_execution_time:%Y-%m-%d}",
            tags={
                "dagster/asset_partition_range_start": databases[0],
                "dagster/asset_partition_range_end": databases[-1],
            },
        )

    return weekly_table_profiles


weekly_table_profiles = weekly_profiles_schedule()
