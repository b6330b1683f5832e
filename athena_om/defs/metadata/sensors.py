"""Keep catalog partitions and tables fresh: new Glue databases, and databases whose tables changed."""

import json
from datetime import datetime

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from athena_om.athena.catalog import CatalogReadError, iter_table_update_times, read_databases
from athena_om.defs.metadata.jobs import athena_schemas_job, athena_tables_job
from athena_om.defs.metadata.partitions import GLUE_DATABASES, glue_database_partitions
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.catalog import database_is_selected, selected_databases


def catalog_fingerprint(update_times: list[datetime | None]) -> str:
    """Newest UpdateTime and table count: a table added, changed or dropped changes one of them."""
    newest = max((t for t in update_times if t is not None), default=None)
    return f"{newest.isoformat() if newest else '-'}|{len(update_times)}"


@sensor(
    jobs=[athena_schemas_job, athena_tables_job],
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description="Adds a partition for each new Glue database and refreshes databases whose tables changed.",
)
def glue_catalog_sensor(
    context: SensorEvaluationContext, aws: AthenaResource, settings: AthenaOmSettingsResource
) -> SensorResult | SkipReason:
    sync = settings.sync_settings()
    if not database_is_selected(sync):
        return SkipReason(f"database {sync.database_name!r} is excluded by databaseFilterPattern")
    try:
        databases = [db.name for db in selected_databases(read_databases(aws.glue(), sync.catalog_id), sync)]
    except CatalogReadError as exc:
        return SkipReason(str(exc))
    previous: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    known = set(context.instance.get_dynamic_partitions(GLUE_DATABASES))
    new = [db for db in databases if db not in known]
    fingerprints: dict[str, str] = {}
    run_requests: list[RunRequest] = []
    for db in databases:
        try:
            fingerprints[db] = catalog_fingerprint(
                [t for _, t in iter_table_update_times(aws.glue(), db, sync.catalog_id)]
            )
        except Exception as exc:  # one unreadable database must not stop the others
            context.log.warning(f"Glue database {db!r}: cannot read table update times ({type(exc).__name__})")
            fingerprints[db] = previous.get(db, "")
            continue
        if db in new or previous.get(db) != fingerprints[db]:
            run_requests.append(
                RunRequest(job_name=athena_tables_job.name, partition_key=db, run_key=f"{db}:{fingerprints[db]}")
            )
    if new:
        run_requests.insert(0, RunRequest(job_name=athena_schemas_job.name, run_key=f"schemas:{','.join(sorted(new))}"))
    return SensorResult(
        run_requests=run_requests,
        cursor=json.dumps(fingerprints, sort_keys=True),
        dynamic_partitions_requests=[glue_database_partitions.build_add_request(new)] if new else [],
    )
