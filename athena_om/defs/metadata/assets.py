"""Catalog assets: the service, database and schemas, then tables per Glue database."""

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    BackfillPolicy,
    DagsterEventType,
    MetadataValue,
    asset,
    asset_check,
)

from athena_om.defs.metadata.partitions import GLUE_DATABASES, glue_database_partitions
from athena_om.openmetadata.batches import PartitionedSync, SyncBatch
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.catalog import AwsCatalogClients, plan_schemas_sync, plan_tables_sync

GROUP = "athena_metadata"


def _catalog_clients(aws: AthenaResource, include_tags: bool) -> AwsCatalogClients:
    return AwsCatalogClients(glue=aws.glue(), lakeformation=aws.lakeformation() if include_tags else None)


@asset(
    group_name=GROUP,
    pool="openmetadata",
    io_manager_key="openmetadata_io_manager",
    kinds={"athena", "openmetadata"},
)
def athena_schemas(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> SyncBatch:
    """The Athena service, its database and one schema per Glue database, with LF-tag classifications.

    Also registers a ``glue_databases`` partition for every Glue database, so ``athena_tables`` can run per database.
    """
    settings.warn_ignored_keys(context.log)
    sync = settings.sync_settings()
    openmetadata.check_server()
    planned = plan_schemas_sync(_catalog_clients(aws, sync.include_tags), openmetadata.get_client(), sync)
    known = set(context.instance.get_dynamic_partitions(GLUE_DATABASES))
    new = [name for name in planned.database_names if name not in known]
    if new:
        context.instance.add_dynamic_partitions(GLUE_DATABASES, new)
    batch = planned.batch
    batch.metadata["schemas"] = MetadataValue.md("\n".join(f"- `{n}`" for n in planned.database_names) or "(none)")
    batch.metadata["new_partitions"] = len(new)
    batch.metadata["aws_requests"] = MetadataValue.json(dict(aws.request_counts))
    return batch


@asset(
    group_name=GROUP,
    pool="openmetadata",
    io_manager_key="openmetadata_io_manager",
    partitions_def=glue_database_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[athena_schemas],
    kinds={"athena", "openmetadata"},
)
def athena_tables(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> PartitionedSync:
    """Tables and views of the Glue databases in this run's partitions, with columns, partitions, tags, owners.

    Each database is planned and written in turn and reports its own counts. Unchanged tables are not rewritten
    (``sourceHash``); tables gone from Glue are soft-deleted only from a complete listing that did not shrink by
    more than the configured share.
    """
    settings.warn_ignored_keys(context.log)
    sync = settings.sync_settings()
    openmetadata.check_server()
    planned = plan_tables_sync(
        _catalog_clients(aws, sync.include_tags), openmetadata.get_client(), sync, context.partition_keys
    )
    plan = planned.plan

    def plan_counting_aws_requests(database: str) -> SyncBatch:
        before = aws.request_counts.copy()
        batch = plan(database)
        batch.metadata["aws_requests"] = MetadataValue.json(dict(aws.request_counts - before))
        return batch

    planned.plan = plan_counting_aws_requests
    return planned


@asset_check(
    asset=athena_tables,
    name="every_table_written",
    description="Every Glue table of the run's databases was mapped and written to OpenMetadata (WARN lists those "
    "that were not, with the reason).",
)
def every_table_written(context: AssetCheckExecutionContext) -> AssetCheckResult:
    """Reads the materializations this run recorded for ``athena_tables`` and lists each failure they report."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
    ).records
    mine = [r for r in records if r.asset_key == athena_tables.key and r.asset_materialization]
    failed, failures, partitions = 0, [], []
    for record in mine:
        materialization = record.asset_materialization
        assert materialization is not None
        metadata = materialization.metadata
        partitions.append(materialization.partition or "")
        failed += int(getattr(metadata.get("failed"), "value", 0) or 0)
        listed = getattr(metadata.get("failures"), "value", None)
        if isinstance(listed, str) and listed:
            failures.append(f"**{materialization.partition}**\n{listed}")
    return AssetCheckResult(
        passed=failed == 0,
        severity=AssetCheckSeverity.WARN,
        description=f"{failed} table(s) or operation(s) failed" if failed else "every table was written",
        metadata={
            "failed": failed,
            "partitions_checked": len(partitions),
            "failures": MetadataValue.md("\n\n".join(failures) or "(none)"),
        },
    )
