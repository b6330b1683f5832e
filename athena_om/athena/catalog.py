"""Read the Glue Data Catalog into typed records, one paginated call per 100 tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from athena_om.athena.models import GlueColumn, GlueDatabase, GlueStorage, GlueTable, GlueViewRepresentation

log = logging.getLogger(__name__)

ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


class CatalogReadError(Exception):
    """Reading part of the catalog failed; the message names the object and what to do."""

    def __init__(self, message: str, *, database: str | None = None, access_denied: bool = False) -> None:
        super().__init__(message)
        self.database = database
        self.access_denied = access_denied


@dataclass
class TableListing:
    """The tables of one Glue database, and whether the listing is complete (safe to delete from)."""

    database: str
    tables: list[GlueTable] = field(default_factory=list)
    complete: bool = True
    error: str | None = None


def _catalog_kwargs(catalog_id: str | None) -> dict[str, str]:
    return {"CatalogId": catalog_id} if catalog_id else {}


def _describe_client_error(exc: ClientError | BotoCoreError) -> tuple[str, bool]:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        message = exc.response.get("Error", {}).get("Message", "")
        return f"{code}: {message}".rstrip(": "), code in ACCESS_DENIED_CODES
    return type(exc).__name__, False


def read_databases(glue: Any, catalog_id: str | None = None) -> list[GlueDatabase]:
    """Every Glue database in the catalog; raises CatalogReadError when the listing cannot complete."""
    try:
        pages = glue.get_paginator("get_databases").paginate(**_catalog_kwargs(catalog_id))
        return [glue_database_from_api(item) for page in pages for item in page.get("DatabaseList", [])]
    except (ClientError, BotoCoreError) as exc:
        reason, denied = _describe_client_error(exc)
        hint = (
            "grant glue:GetDatabases on the catalog to the principal"
            if denied
            else "check the region, catalogId and network access to Glue"
        )
        raise CatalogReadError(f"Cannot list Glue databases ({reason}); {hint}.", access_denied=denied) from None


def read_tables(glue: Any, database: str, catalog_id: str | None = None) -> TableListing:
    """All tables of one database. Errors are captured in the listing (``complete=False``), never raised."""
    listing = TableListing(database=database)
    try:
        pages = glue.get_paginator("get_tables").paginate(
            DatabaseName=database, PaginationConfig={"PageSize": 100}, **_catalog_kwargs(catalog_id)
        )
        for page in pages:
            for item in page.get("TableList", []):
                listing.tables.append(glue_table_from_api(item, database))
    except (ClientError, BotoCoreError) as exc:
        reason, denied = _describe_client_error(exc)
        hint = (
            f"grant glue:GetTables on database {database!r} (and Lake Formation DESCRIBE) to the principal, "
            "or exclude it with schemaFilterPattern"
            if denied
            else "it will be retried on the next run; nothing was deleted"
        )
        listing.complete = False
        listing.error = f"Cannot list tables of Glue database {database!r} ({reason}); {hint}."
        log.warning(listing.error)
    return listing


def iter_table_update_times(
    glue: Any, database: str, catalog_id: str | None = None
) -> Iterator[tuple[str, datetime | None]]:
    """(table name, UpdateTime) pairs, for the change sensor; same paging cost as ``read_tables``."""
    pages = glue.get_paginator("get_tables").paginate(
        DatabaseName=database, PaginationConfig={"PageSize": 100}, **_catalog_kwargs(catalog_id)
    )
    for page in pages:
        for item in page.get("TableList", []):
            yield item["Name"], item.get("UpdateTime") or item.get("CreateTime")


def _columns(raw: list[dict[str, Any]] | None) -> tuple[GlueColumn, ...]:
    return tuple(
        GlueColumn(
            name=str(col.get("Name", "")),
            type=str(col.get("Type", "")),
            comment=col.get("Comment"),
            parameters=dict(col.get("Parameters") or {}),
        )
        for col in raw or []
    )


def _view_representations(view_definition: Any) -> tuple[GlueViewRepresentation, ...]:
    if not isinstance(view_definition, dict):
        return ()
    return tuple(
        GlueViewRepresentation(
            dialect=str(item.get("Dialect") or "").upper(),
            original_text=item.get("ViewOriginalText"),
            expanded_text=item.get("ViewExpandedText"),
            dialect_version=item.get("DialectVersion"),
        )
        for item in view_definition.get("Representations") or []
        if isinstance(item, dict)
    )


def glue_database_from_api(item: dict[str, Any]) -> GlueDatabase:
    return GlueDatabase(
        name=item["Name"],
        description=item.get("Description"),
        location_uri=item.get("LocationUri"),
        parameters=dict(item.get("Parameters") or {}),
        catalog_id=item.get("CatalogId"),
        create_time=item.get("CreateTime"),
    )


def glue_table_from_api(item: dict[str, Any], database: str) -> GlueTable:
    """Convert one ``TableList`` element; tolerant of the fields hostile catalogs leave out."""
    sd = item.get("StorageDescriptor") or {}
    serde = sd.get("SerdeInfo") or {}
    return GlueTable(
        database=item.get("DatabaseName") or database,
        name=item["Name"],
        table_type=item.get("TableType"),
        columns=_columns(sd.get("Columns")),
        partition_keys=_columns(item.get("PartitionKeys")),
        description=item.get("Description"),
        owner=item.get("Owner"),
        parameters=dict(item.get("Parameters") or {}),
        storage=GlueStorage(
            location=sd.get("Location"),
            input_format=sd.get("InputFormat"),
            output_format=sd.get("OutputFormat"),
            serde_library=serde.get("SerializationLibrary"),
            serde_parameters=dict(serde.get("Parameters") or {}),
        ),
        view_original_text=item.get("ViewOriginalText"),
        view_expanded_text=item.get("ViewExpandedText"),
        create_time=item.get("CreateTime"),
        update_time=item.get("UpdateTime"),
        catalog_id=item.get("CatalogId"),
        view_representations=_view_representations(item.get("ViewDefinition")),
    )
