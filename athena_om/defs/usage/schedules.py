"""Daily query log, usage and lineage for yesterday, whatever the sensor saw."""

from datetime import timedelta

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from athena_om.defs.usage.jobs import athena_query_history_job


@schedule(job=athena_query_history_job, cron_schedule="0 3 * * *", execution_timezone="UTC")
def daily_query_history(context: ScheduleEvaluationContext) -> RunRequest:
    """Yesterday (UTC) at 03:00 UTC, once every query of the day has finished."""
    yesterday = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
    return RunRequest(partition_key=yesterday, run_key=f"query-history:{yesterday}:daily")
