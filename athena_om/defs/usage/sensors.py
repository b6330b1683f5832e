"""Notice newly finished Athena queries and refresh the query log, usage and lineage of their days."""

from datetime import UTC, date, datetime

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, sensor

from athena_om.athena.query_history_poll import HistoryCursor, poll_query_history
from athena_om.defs.usage.jobs import athena_query_history_job
from athena_om.defs.usage.partitions import query_history_days
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource


def _partition_exists(day: date, now: datetime) -> bool:
    return day.isoformat() in set(query_history_days.get_partition_keys(current_time=now))


@sensor(
    job=athena_query_history_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description="Polls the Athena query history (only unseen pages) and runs the query log, usage and lineage "
    "of each day with newly finished successful queries. An idle tick costs one request per workgroup.",
)
def athena_query_history_sensor(
    context: SensorEvaluationContext, aws: AthenaResource, settings: AthenaOmSettingsResource
) -> SensorResult:
    sync = settings.sync_settings()
    now = datetime.now(UTC)
    cursor = HistoryCursor.from_json(context.cursor)
    poll = poll_query_history(
        aws.athena(),
        cursor,
        now=now,
        workgroups=sync.usage_workgroups,
        self_issued_markers=sync.self_issued_markers,
    )
    for error in poll.errors:
        context.log.warning(f"Athena query history: {error}")
    stamp = poll.cursor.newest_completion.isoformat() if poll.cursor.newest_completion else "-"
    days = [day for day in poll.days if _partition_exists(day, now)]
    if not days:
        # The cursor still moves: failed queries and queries of other days are now seen.
        return SensorResult(
            skip_reason=f"no newly finished successful queries (newest completion {stamp})",
            cursor=poll.cursor.to_json(),
        )
    return SensorResult(
        run_requests=[
            RunRequest(partition_key=day.isoformat(), run_key=f"query-history:{day.isoformat()}:{stamp}")
            for day in days
        ],
        cursor=poll.cursor.to_json(),
    )
