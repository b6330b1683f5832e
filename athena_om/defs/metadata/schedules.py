"""Daily full refresh of the catalog, whatever the sensor saw."""

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from athena_om.defs.metadata.jobs import athena_schemas_job, athena_tables_job
from athena_om.defs.metadata.partitions import GLUE_DATABASES


@schedule(job=athena_schemas_job, cron_schedule="0 2 * * *", execution_timezone="UTC")
def daily_schemas_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    """Service, database and schemas every night at 02:00 UTC."""
    return RunRequest(run_key=f"schemas:{context.scheduled_execution_time:%Y-%m-%d}")


@schedule(job=athena_tables_job, cron_schedule="30 2 * * *", execution_timezone="UTC")
def daily_tables_refresh(context: ScheduleEvaluationContext) -> list[RunRequest]:
    """Every Glue database's tables at 02:30 UTC, one run per database so one failure stays contained."""
    day = f"{context.scheduled_execution_time:%Y-%m-%d}"
    return [
        RunRequest(partition_key=db, run_key=f"tables:{db}:{day}")
        for db in context.instance.get_dynamic_partitions(GLUE_DATABASES)
    ]
