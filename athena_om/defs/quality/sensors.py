"""Run a database's tests right after athena_tables or the profiler wrote it (a table changed or was profiled)."""

from __future__ import annotations

from collections.abc import Collection

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from athena_om.defs.quality.jobs import athena_data_quality_job, data_quality_checks_job
from athena_om.defs.quality.snapshot import asset_name

WATCHED = (AssetKey("athena_tables"), AssetKey("athena_table_profiles"))
BATCH = 1000


def changed_databases(context: SensorEvaluationContext, cursor: dict[str, int]) -> tuple[set[str], dict[str, int]]:
    """Glue databases (partition keys) materialized by the watched assets since the cursor, and the new cursor."""
    databases: set[str] = set()
    moved = dict(cursor)
    for key in WATCHED:
        after = cursor.get(key.to_user_string())
        result = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, after_storage_id=after), limit=BATCH, ascending=True
        )
        for record in result.records:
            if record.partition_key:
                databases.add(record.partition_key)
            moved[key.to_user_string()] = max(moved.get(key.to_user_string(), 0), record.storage_id)
    return databases, moved


def data_quality_sensor(checked_databases: Collection[str] = ()) -> SensorDefinition:
    """The sensor; databases in ``checked_databases`` run their checked asset, the others the partitioned one."""

    @sensor(
        name="data_quality_checks_after_table_changes" if checked_databases else "data_quality_after_table_changes",
        jobs=[data_quality_checks_job] if checked_databases else [athena_data_quality_job],
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.STOPPED,
        description="Runs a Glue database's data-quality tests after athena_tables or the profiler writes it.",
    )
    def data_quality_after_table_changes(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        import json

        cursor: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        databases, moved = changed_databases(context, cursor)
        if not databases:
            return SkipReason("no Glue database was written by athena_tables or the profiler since the last tick")
        marker = "-".join(str(moved[k]) for k in sorted(moved))
        requests = []
        for database in sorted(databases):
            if database in checked_databases:
                requests.append(
                    RunRequest(
                        job_name=data_quality_checks_job.name,
                        asset_selection=[AssetKey(asset_name(database))],
                        run_key=f"checks:{database}:{marker}",
                    )
                )
            else:
                requests.append(
                    RunRequest(
                        job_name=athena_data_quality_job.name, partition_key=database, run_key=f"{database}:{marker}"
                    )
                )
        return SensorResult(run_requests=requests, cursor=json.dumps(moved, sort_keys=True))

    return data_quality_after_table_changes
