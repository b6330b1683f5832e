"""Catalog assets: the service, database and schemas, then tables per Glue database."""

from urllib.parse import quote

from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    MetadataValue,
    asset,
)

from athena_om.athena.lakeformation import LFTagIndex, read_lf_tags
from athena_om.defs.metadata.partitions import GLUE_DATABASES, glue_database_partitions
from athena_om.mapping.fqn import database_fqn, schema_fqn
from athena_om.openmetadata.batches import SyncBatch, combine_batches
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.catalog import owner_resolver_from_openmetadata, plan_schemas, plan_tables

GROUP = "athena_metadata"


def service_page(service_name: str) -> str:
    """The service's page in the OpenMetadata UI, relative to the UI root."""
    return f"/service/databaseServices/{quote(service_name, safe='')}"


@asset(group_name=GROUP, io_manager_key="openmetadata_io_manager", kinds={"athena", "openmetadata"})
def athena_schemas(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> SyncBatch:
    """The Athena service, its database and one schema per Glue database, with LF-tag classifications.

    Also registers a ``glue_databases`` partition for every Glue database, so ``athena_tables`` can run per database.
    """
    sync = settings.sync_settings()
    openmetadata.check_server()
    owners = owner_resolver_from_openmetadata(openmetadata.get_client()) if sync.include_owners else None
    batch, databases = plan_schemas(aws.glue(), aws.lakeformation() if sync.include_tags else None, sync, owners)
    names = [db.name for db in databases]
    known = set(context.instance.get_dynamic_partitions(GLUE_DATABASES))
    new = [name for name in names if name not in known]
    if new:
        context.instance.add_dynamic_partitions(GLUE_DATABASES, new)
    batch.openmetadata_page = service_page(sync.service_name)
    batch.metadata["schemas"] = MetadataValue.md("\n".join(f"- `{name}`" for name in names) or "(none)")
    batch.metadata["new_partitions"] = len(new)
    batch.metadata["aws_requests"] = MetadataValue.json(dict(aws.request_counts))
    return batch


@asset(
    group_name=GROUP,
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
) -> SyncBatch:
    """Tables and views of the Glue databases in this run's partitions, with columns, partitions, tags, owners.

    Unchanged tables are not rewritten (``sourceHash``); tables gone from Glue are soft-deleted only from a
    complete listing that did not shrink by more than the configured share.
    """
    sync = settings.sync_settings()
    openmetadata.check_server()
    client = openmetadata.get_client()
    tags = LFTagIndex()
    if sync.include_tags:
        tags = read_lf_tags(aws.lakeformation(), sync.catalog_id)
    owners = owner_resolver_from_openmetadata(client) if sync.include_owners else None
    database_fqn_ = database_fqn(sync.service_name, sync.database_name)
    synced_schemas = {s["name"] for s in client.list_all("databaseSchemas", params={"database": database_fqn_})}
    batches = [SyncBatch(warnings=[tags.error] if tags.error else [])]
    per_database: dict[str, int] = {}
    for database in context.partition_keys:
        if database not in synced_schemas:
            message = (
                f"schema for Glue database {database!r} is not in OpenMetadata (filtered out or not yet synced); "
                "materialize athena_schemas first"
            )
            batches.append(SyncBatch(failures=[message]))
            continue
        batch, listing = plan_tables(aws.glue(), database, sync, tags, owners)
        per_database[database] = len(listing.tables)
        batches.append(batch)
    combined = combine_batches(batches)
    keys = context.partition_keys
    combined.openmetadata_page = (
        f"/databaseSchema/{quote(schema_fqn(sync.service_name, sync.database_name, keys[0]), safe='')}"
        if len(keys) == 1
        else service_page(sync.service_name)
    )
    combined.metadata["glue_tables"] = sum(per_database.values())
    combined.metadata["tables_per_database"] = MetadataValue.json(per_database)
    combined.metadata["aws_requests"] = MetadataValue.json(dict(aws.request_counts))
    return combined
