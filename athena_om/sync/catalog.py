"""Plan the catalog part of a sync: Glue databases and tables in, OpenMetadata write operations out.

Reads through the source layer, maps through the pure mapping layer, and returns SyncBatches; it writes
nothing itself (the IO manager does), which keeps it testable without Dagster.

Each asset calls one entry point, :func:`plan_schemas_sync` or :func:`plan_tables_sync`, which does all the
reading (Glue, Lake Formation, what OpenMetadata already holds) and planning for it. An unchanged re-sync plans
no write at all: schemas, tables and the database carry a ``sourceHash`` the writer compares with one listing;
the service, classifications and tags have none, so they are read once here and compared on the fields we set.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from athena_om.athena.catalog import TableListing, read_databases, read_tables
from athena_om.athena.lakeformation import LFTagIndex, read_lf_tags
from athena_om.athena.models import GlueColumn, GlueDatabase, GlueTable, LFTag
from athena_om.mapping.filters import filter_subject, is_filtered
from athena_om.mapping.fqn import database_fqn, encode_entity_name, quote_name, schema_fqn, table_fqn
from athena_om.mapping.tables import (
    TableMappingOptions,
    compute_source_hash,
    glue_database_to_schema_request,
    glue_table_to_create_request,
    is_glue_view,
)
from athena_om.mapping.tags import lf_tags_to_classifications
from athena_om.openmetadata.batches import PartitionedSync, PutEntities, SoftDeleteMissing, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import (
    CreateDatabaseRequest,
    CreateDatabaseServiceRequest,
    EntityReference,
    OMRequest,
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


@dataclass(frozen=True)
class AwsCatalogClients:
    """The boto3 clients the catalog planners read through; ``lakeformation`` may be None when tags are off."""

    glue: Any
    lakeformation: Any | None = None


@dataclass
class SchemasSync:
    """What ``athena_schemas`` writes, and the selected Glue databases (one ``athena_tables`` partition each)."""

    batch: SyncBatch
    database_names: list[str] = field(default_factory=list)


def plan_schemas_sync(aws: AwsCatalogClients, client: OpenMetadataClient, settings: SyncSettings) -> SchemasSync:
    """The one call ``athena_schemas`` makes: reads Glue, LF tags, owners and what OpenMetadata holds, and plans
    the service, database, classifications, tags and schemas (unchanged ones are not rewritten)."""
    owners = owner_resolver_from_openmetadata(client) if settings.include_owners else None
    lakeformation = aws.lakeformation if settings.include_tags else None
    batch, databases = plan_schemas(aws.glue, lakeformation, settings, owners, client=client)
    return SchemasSync(batch=batch, database_names=[db.name for db in databases])


def plan_tables_sync(
    aws: AwsCatalogClients, client: OpenMetadataClient, settings: SyncSettings, databases: Sequence[str]
) -> PartitionedSync:
    """The one call ``athena_tables`` makes for its partitions (Glue database names): reads LF tags, owners and the
    synced schemas once; each database's tables, views and deletions are planned when that database is written."""
    tags = LFTagIndex()
    if settings.include_tags and aws.lakeformation is not None:
        tags = read_lf_tags(aws.lakeformation, settings.catalog_id)
    owners = owner_resolver_from_openmetadata(client) if settings.include_owners else None
    db_fqn = database_fqn(settings.service_name, settings.database_name)
    synced_schemas = {entity["name"] for entity in client.list_all("databaseSchemas", params={"database": db_fqn})}

    def plan_database(database: str) -> SyncBatch:
        page = f"/databaseSchema/{quote(schema_fqn(settings.service_name, settings.database_name, database), safe='')}"
        if database not in synced_schemas:
            message = (
                f"schema for Glue database {database!r} is not in OpenMetadata (filtered out or not yet synced); "
                "materialize athena_schemas first"
            )
            return SyncBatch(failures=[message], openmetadata_page=service_page(settings.service_name))
        batch, listing = plan_tables(aws.glue, database, settings, tags, owners)
        batch.openmetadata_page = page
        batch.metadata["glue_tables"] = len(listing.tables)
        return batch

    shared = SyncBatch(
        warnings=[tags.error] if tags.error else [], openmetadata_page=service_page(settings.service_name)
    )
    return PartitionedSync(partition_keys=list(databases), plan=plan_database, shared=shared)


def service_page(service_name: str) -> str:
    """The service's page in the OpenMetadata UI, relative to the UI root."""
    return f"/service/databaseServices/{quote(service_name, safe='')}"


def plan_schemas(
    glue: Any,
    lakeformation: Any | None,
    settings: SyncSettings,
    owner_resolver: OwnerResolver | None = None,
    *,
    client: OpenMetadataClient | None = None,
) -> tuple[SyncBatch, list[GlueDatabase]]:
    """Service, database, tag classifications and one schema per selected Glue database.

    With ``client``, the service, classifications and tags OpenMetadata already holds unchanged are not rewritten.
    """
    batch = SyncBatch()
    service = CreateDatabaseServiceRequest(name=settings.service_name)
    batch.add(_put_changed("services/databaseServices", [service], _existing_services(client, service)))
    batch.openmetadata_page = service_page(settings.service_name)
    if not database_is_selected(settings):
        batch.warnings.append(f"database {settings.database_name!r} is excluded by databaseFilterPattern")
        return batch, []
    db_fqn = database_fqn(settings.service_name, settings.database_name)
    database = CreateDatabaseRequest(name=settings.database_name, service=settings.service_name)
    database.sourceHash = compute_source_hash(database)
    batch.add(
        PutEntities(
            "databases",
            [database],
            skip_unchanged_under=("service", quote_name(settings.service_name)),
            **overrides(settings),
        )
    )
    tags = LFTagIndex()
    if settings.include_tags and lakeformation is not None:
        tags = read_lf_tags(lakeformation, settings.catalog_id)
        if tags.error:
            batch.warnings.append(tags.error)
        all_tags = [LFTag(key, values) for key, values in tags.tag_keys.items()]
        classifications, tag_requests = lf_tags_to_classifications(all_tags)
        if classifications:
            batch.add(_put_changed("classifications", classifications, _existing_by_fqn(client, "classifications")))
        if tag_requests:
            batch.add(_put_changed("tags", tag_requests, _existing_by_fqn(client, "tags")))
    databases = selected_databases(read_databases(glue, settings.catalog_id), settings)
    options = mapping_options(settings)
    schema_requests = [
        glue_database_to_schema_request(
            with_lf_tags_on_database(db, tags), database_fqn=db_fqn, owner_resolver=owner_resolver, options=options
        )
        for db in databases
    ]
    batch.add(
        PutEntities(
            "databaseSchemas", schema_requests, skip_unchanged_under=("database", db_fqn), **overrides(settings)
        )
    )
    batch.metadata["glue_databases"] = len(databases)
    return batch, databases


def overrides(settings: SyncSettings) -> dict[str, Any]:
    """With ``overrideMetadata``, Glue's descriptions replace what people wrote: asked of bulk writes, PATCHed
    after single PUTs (which OpenMetadata's rules would otherwise keep)."""
    if not settings.override_metadata:
        return {}
    return {"override_metadata": True, "owned_fields": ("description",)}


def mapping_options(settings: SyncSettings) -> TableMappingOptions:
    return TableMappingOptions(
        owner_parameter=settings.owner_table_parameter,
        owner_lf_tag_key=settings.owner_lf_tag_key,
        include_tags=settings.include_tags,
    )


def table_selected(table: GlueTable, settings: SyncSettings) -> bool:
    is_view = is_glue_view(table)
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
    batch.add(PutEntities("tables", requests, skip_unchanged_under=("databaseSchema", s_fqn), **overrides(settings)))
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


# -- what OpenMetadata holds, for entities without a sourceHash -------------------------------------------


def _existing_services(client: OpenMetadataClient | None, service: CreateDatabaseServiceRequest) -> dict[str, Any]:
    if client is None:
        return {}
    entity = client.get_by_name("services/databaseServices", quote_name(service.name))
    return {quote_name(service.name): entity} if entity else {}


def _existing_by_fqn(client: OpenMetadataClient | None, collection: str) -> dict[str, Any]:
    """Every non-deleted entity of ``collection`` by FQN, from one listing (tags: all classifications at once)."""
    if client is None:
        return {}
    return {entity["fullyQualifiedName"]: entity for entity in client.list_all(collection)}


def _fqn_of(request: OMRequest) -> str:
    name = str(getattr(request, "name", ""))
    parent = getattr(request, "classification", None)
    return f"{parent}.{quote_name(name)}" if parent else quote_name(name)


def holds_request(entity: Mapping[str, Any] | None, request: OMRequest) -> bool:
    """Whether ``entity`` already has every field ``request`` would set (a reference counts by its FQN or name)."""
    if entity is None or entity.get("deleted"):
        return False
    for key, value in request.to_body().items():
        held = entity.get(key)
        if isinstance(held, Mapping) and isinstance(value, str):
            if value not in (held.get("fullyQualifiedName"), held.get("name")):
                return False
        elif held != value:
            return False
    return True


def _put_changed(collection: str, requests: Sequence[OMRequest], existing: Mapping[str, Any]) -> PutEntities:
    """A PutEntities writing only the requests OpenMetadata does not already hold; the rest counted unchanged."""
    changed: list[OMRequest] = []
    unchanged: list[str] = []
    for request in requests:
        if holds_request(existing.get(_fqn_of(request)), request):
            unchanged.append(str(getattr(request, "name", "")))
        else:
            changed.append(request)
    return PutEntities(collection, changed, unchanged_names=tuple(unchanged))
