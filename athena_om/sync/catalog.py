"""Plan the catalog part of a sync: Glue databases and tables in, OpenMetadata write operations out.

Reads through the source layer, maps through the pure mapping layer, and returns SyncBatches; it writes
nothing itself (the IO manager does), which keeps it testable without Dagster.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any

from athena_om.athena.catalog import TableListing, read_databases, read_tables
from athena_om.athena.lakeformation import LFTagIndex, read_lf_tags
from athena_om.athena.models import GlueColumn, GlueDatabase, GlueTable, LFTag
from athena_om.mapping.filters import filter_subject, is_filtered
from athena_om.mapping.fqn import database_fqn, encode_entity_name, schema_fqn, table_fqn
from athena_om.mapping.tables import (
    TableMappingOptions,
    glue_database_to_schema_request,
    glue_table_to_create_request,
)
from athena_om.mapping.tags import lf_tags_to_classifications
from athena_om.openmetadata.batches import PutEntities, SoftDeleteMissing, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import (
    CreateDatabaseRequest,
    CreateDatabaseServiceRequest,
    EntityReference,
)
from athena_om.sync.settings import SyncSettings

log = logging.getLogger(__name__)

OwnerResolver = Callable[[str], EntityReference | None]


def selected_databases(databases: Iterable[GlueDatabase], settings: SyncSettings) -> list[GlueDatabase]:
    """Glue databases kept by ``schemaFilterPattern`` (a Glue database is an OpenMetadata schema)."""
    return [
        db
        for db in databases
        if not is_filtered(
            filter_subject(
                db.name,
                schema_fqn(settings.service_name, settings.database_name, db.name),
                use_fqn_for_filtering=settings.use_fqn_for_filtering,
            ),
            settings.schema_filter,
        )
    ]


def database_is_selected(settings: SyncSettings) -> bool:
    return not is_filtered(settings.database_name, settings.database_filter)


def with_lf_tags_on_database(db: GlueDatabase, tags: LFTagIndex) -> GlueDatabase:
    return dataclasses.replace(db, lf_tags=tags.for_database(db.name))


def with_lf_tags_on_table(table: GlueTable, tags: LFTagIndex) -> GlueTable:
    """Attach LF-tags; a column keeps only tags that differ from its table's, since Lake Formation reports
    inherited tags on every column and repeating them on each column would only be noise."""
    table_tags = tags.for_table(table.database, table.name)
    if not table_tags and not tags.has_column_tags(table.database, table.name):
        return table  # most tables carry no tags: no copying of their columns

    def tagged(columns: tuple[GlueColumn, ...]) -> tuple[GlueColumn, ...]:
        return tuple(
            dataclasses.replace(
                c, lf_tags=tuple(t for t in tags.for_column(table.database, table.name, c.name) if t not in table_tags)
            )
            for c in columns
        )

    return dataclasses.replace(
        table, lf_tags=table_tags, columns=tagged(table.columns), partition_keys=tagged(table.partition_keys)
    )


def plan_schemas(
    glue: Any, lakeformation: Any | None, settings: SyncSettings, owner_resolver: OwnerResolver | None = None
) -> tuple[SyncBatch, list[GlueDatabase]]:
    """Service, database, tag classifications and one schema per selected Glue database."""
    batch = SyncBatch()
    batch.add(PutEntities("services/databaseServices", [CreateDatabaseServiceRequest(name=settings.service_name)]))
    if not database_is_selected(settings):
        batch.warnings.append(f"database {settings.database_name!r} is excluded by databaseFilterPattern")
        return batch, []
    db_fqn = database_fqn(settings.service_name, settings.database_name)
    batch.add(
        PutEntities("databases", [CreateDatabaseRequest(name=settings.database_name, service=settings.service_name)])
    )
    tags = LFTagIndex()
    if settings.include_tags and lakeformation is not None:
        tags = read_lf_tags(lakeformation, settings.catalog_id)
        if tags.error:
            batch.warnings.append(tags.error)
        all_tags = [LFTag(key, values) for key, values in tags.tag_keys.items()]
        classifications, tag_requests = lf_tags_to_classifications(all_tags)
        batch.add(PutEntities("classifications", classifications))
        batch.add(PutEntities("tags", tag_requests))
    databases = selected_databases(read_databases(glue, settings.catalog_id), settings)
    options = mapping_options(settings)
    schema_requests = [
        glue_database_to_schema_request(
            with_lf_tags_on_database(db, tags), database_fqn=db_fqn, owner_resolver=owner_resolver, options=options
        )
        for db in databases
    ]
    batch.add(PutEntities("databaseSchemas", schema_requests, skip_unchanged_under=("database", db_fqn)))
    batch.metadata["glue_databases"] = len(databases)
    return batch, databases


def mapping_options(settings: SyncSettings) -> TableMappingOptions:
    return TableMappingOptions(
        owner_parameter=settings.owner_table_parameter,
        owner_lf_tag_key=settings.owner_lf_tag_key,
        include_tags=settings.include_tags,
    )


def table_selected(table: GlueTable, settings: SyncSettings) -> bool:
    is_view = (table.table_type or "").upper() == "VIRTUAL_VIEW"
    if is_view and not settings.include_views:
        return False
    if not is_view and not settings.include_tables:
        return False
    fqn = table_fqn(settings.service_name, settings.database_name, table.database, table.name)
    subject = filter_subject(table.name, fqn, use_fqn_for_filtering=settings.use_fqn_for_filtering)
    return not is_filtered(subject, settings.table_filter)


def plan_tables(
    glue: Any,
    database: str,
    settings: SyncSettings,
    tags: LFTagIndex,
    owner_resolver: OwnerResolver | None = None,
) -> tuple[SyncBatch, TableListing]:
    """Tables of one Glue database: create/update (unchanged ones skipped), then guarded soft-deletes."""
    batch = SyncBatch()
    listing = read_tables(glue, database, settings.catalog_id)
    if listing.error:
        batch.failures.append(listing.error)
    s_fqn = schema_fqn(settings.service_name, settings.database_name, database)
    options = mapping_options(settings)
    requests = []
    present: set[str] = set()
    for table in listing.tables:
        if not table_selected(table, settings):
            continue
        result = glue_table_to_create_request(
            with_lf_tags_on_table(table, tags), schema_fqn=s_fqn, owner_resolver=owner_resolver, options=options
        )
        batch.warnings += [f"{database}.{table.name}: {w}" for w in result.warnings]
        if result.request is None:
            batch.failures.append(str(result.error))
            # A table we could not map still exists in Glue: never delete it from OpenMetadata, where it is
            # stored under its encoded name.
            present.add(encode_entity_name(table.name))
            continue
        present.add(result.request.name)
        requests.append(result.request)
    batch.add(PutEntities("tables", requests, skip_unchanged_under=("databaseSchema", s_fqn)))
    if settings.mark_deleted_tables:
        batch.add(
            SoftDeleteMissing(
                collection="tables",
                parent_filter="databaseSchema",
                parent_fqn=s_fqn,
                present_names=frozenset(present),
                listing_complete=listing.complete,
                max_deleted_share=settings.max_deleted_share,
                listing_error=listing.error,
            )
        )
    batch.metadata["glue_tables"] = len(listing.tables)
    batch.metadata["tables_selected"] = len(requests)
    return batch, listing


def owner_resolver_from_openmetadata(client: OpenMetadataClient) -> OwnerResolver:
    """Resolve owner strings to OpenMetadata users or teams by name or email, from one listing of each."""
    index: dict[str, EntityReference] = {}
    for kind, collection in (("team", "teams"), ("user", "users")):
        for entity in client.list_all(collection):
            ref = EntityReference(id=entity["id"], type=kind, name=entity.get("name"))
            for key in (entity.get("name"), entity.get("email"), entity.get("displayName")):
                if key:
                    index[str(key).lower()] = ref

    def resolve(owner: str) -> EntityReference | None:
        owner = owner.strip().lower()
        return index.get(owner) or index.get(owner.split("@", 1)[0]) if owner else None

    return resolve
