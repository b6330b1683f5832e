"""Query-log assets: a day's Athena query history as Query entities, then that day's usage and lineage.

They refer to the tables the catalog assets create: ``athena_query_log`` depends on every partition of
``athena_tables`` (daily partitions here, one per Glue database there), so the graph shows the order. Each asset
checks that the service is in OpenMetadata and fails with that advice when it is not.
"""

from datetime import date

from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetExecutionContext,
    BackfillPolicy,
    Failure,
    MetadataValue,
    asset,
)

from athena_om.defs.metadata.assets import athena_tables
from athena_om.defs.usage.partitions import query_history_days
from athena_om.openmetadata.batches import PartitionedSync
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.catalog import service_page
from athena_om.sync.lineage import plan_lineage
from athena_om.sync.query_log import (
    QueryLogDay,
    plan_query_log,
    query_names,
    read_query_logs,
    read_stored_queries,
)
from athena_om.sync.settings import SyncSettings
from athena_om.sync.snapshot import CatalogNotSyncedError, CatalogSnapshot, read_catalog_snapshot
from athena_om.sync.usage import plan_usage

GROUP = "athena_usage"


def _catalog(openmetadata: OpenMetadataResource, sync: SyncSettings) -> CatalogSnapshot:
    openmetadata.check_server()
    try:
        return read_catalog_snapshot(openmetadata.get_client(), sync)
    except CatalogNotSyncedError as exc:
        raise Failure(description=str(exc)) from None


def _query_logs(context: AssetExecutionContext, athena_query_log: list) -> list[QueryLogDay]:
    logs = [log for log in athena_query_log if isinstance(log, QueryLogDay)]
    missing = sorted(set(context.partition_keys) - {log.day.isoformat() for log in logs})
    if missing:
        raise Failure(
            description=f"No query log for {', '.join(missing)}: materialize athena_query_log for these days first "
            "(athena_query_history_job runs all three)."
        )
    return logs


@asset(
    group_name=GROUP,
    pool="athena",
    io_manager_key="openmetadata_io_manager",
    partitions_def=query_history_days,
    # A backfill reads the history once for its whole range: Athena lists newest first, so an old day read
    # alone pages through every newer query.
    backfill_policy=BackfillPolicy.single_run(),
    # Usage and lineage name the catalog's tables, whichever Glue database they are in.
    deps=[AssetDep(athena_tables, partition_mapping=AllPartitionMapping())],
    kinds={"athena", "openmetadata"},
)
def athena_query_log(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> PartitionedSync:
    """The day's Athena queries (every enabled workgroup, or the configured ones) as OpenMetadata Query entities.

    athena-om's and dbt's own queries are left out; failed and cancelled ones are kept with their cost but not
    used for usage or lineage. Successful queries are parsed once here for the downstream assets.
    """
    sync = settings.sync_settings()
    snapshot = _catalog(openmetadata, sync)
    days = [date.fromisoformat(key) for key in context.partition_keys]
    logs = read_query_logs(aws.athena(), days, sync, snapshot.schema())
    # What OpenMetadata holds for these Query entities: each merges with it, whatever order days run in.
    stored = read_stored_queries(openmetadata.get_client(), sync.service_name, query_names(logs))
    planned = plan_query_log(logs, snapshot, sync, stored)
    for day in planned.partition_keys:
        batch = planned.plan(day)
        batch.openmetadata_page = service_page(sync.service_name)
        if "parse_failures" in batch.metadata:
            batch.metadata["parse_failures"] = MetadataValue.md(batch.metadata["parse_failures"])
    # The history is read once for the whole range: a run figure, not a day's.
    planned.shared.metadata["aws_requests"] = dict(aws.request_counts)
    return planned


@asset(
    group_name=GROUP,
    pool="openmetadata",
    io_manager_key="openmetadata_io_manager",
    partitions_def=query_history_days,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"openmetadata"},
)
def athena_table_usage(
    context: AssetExecutionContext,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
    athena_query_log: list,
) -> PartitionedSync:
    """Per table, the number of the day's successful queries that read it; percentiles; frequently joined tables.

    The day's count is posted (OpenMetadata replaces it), so re-running a day never adds to it.
    """
    sync = settings.sync_settings()
    snapshot = _catalog(openmetadata, sync)
    batches = {}
    for log in _query_logs(context, athena_query_log):
        batch = plan_usage(log, snapshot)
        batch.openmetadata_page = service_page(sync.service_name)
        batch.metadata["top_tables"] = MetadataValue.md(batch.metadata["top_tables"])
        batches[log.day.isoformat()] = batch
    return PartitionedSync.of(batches)


@asset(
    group_name=GROUP,
    pool="openmetadata",
    io_manager_key="openmetadata_io_manager",
    partitions_def=query_history_days,
    backfill_policy=BackfillPolicy.single_run(),
    kinds={"openmetadata"},
)
def athena_lineage(
    context: AssetExecutionContext,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
    athena_query_log: list,
) -> PartitionedSync:
    """Table and column lineage from the day's CTAS, INSERT, MERGE, CREATE VIEW, UPDATE and DELETE, and views.

    Each edge is merged with what OpenMetadata already has. Unparseable queries and tables OpenMetadata does not
    have are counted and listed in the warnings with their query id.
    """
    sync = settings.sync_settings()
    snapshot = _catalog(openmetadata, sync)
    batches = {}
    for index, log in enumerate(_query_logs(context, athena_query_log)):
        # Views do not depend on the day: their lineage is planned once per run, with the first day.
        batch = plan_lineage(log, snapshot, include_views=sync.include_views and index == 0)
        batch.openmetadata_page = service_page(sync.service_name)
        batches[log.day.isoformat()] = batch
    return PartitionedSync.of(batches)
