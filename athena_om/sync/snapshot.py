"""The catalog as OpenMetadata holds it: the service's tables read back once per run, by Athena table name.

Usage and lineage only name tables OpenMetadata already has; the snapshot also gives the column lists that
expand ``SELECT *``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from athena_om.mapping.fqn import column_fqn, database_fqn, split_fqn
from athena_om.mapping.sql_lineage import (
    DEFAULT_CATALOG,
    TableName,
)
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.sync.settings import SyncSettings


class CatalogNotSyncedError(Exception):
    """The OpenMetadata service the query log refers to does not exist yet."""


@dataclass(frozen=True)
class CatalogTable:
    """One OpenMetadata table: its FQN and id, column names (struct children dotted) and view SQL."""

    name: TableName
    fqn: str
    id: str
    columns: tuple[str, ...]
    column_fqns: frozenset[str]
    is_view: bool = False
    view_sql: str | None = None


@dataclass
class CatalogSnapshot:
    """The service's tables read back from OpenMetadata once per run, by Athena table name."""

    tables: dict[TableName, CatalogTable] = field(default_factory=dict)

    def get(self, name: TableName) -> CatalogTable | None:
        return self.tables.get(name)

    def fqn_of(self, name: TableName) -> str | None:
        table = self.tables.get(name)
        return table.fqn if table else None

    def schema(self) -> dict[TableName, list[str]]:
        """Column lists in the shape ``parse_query`` takes, to expand ``SELECT *``."""
        return {name: list(table.columns) for name, table in self.tables.items()}

    def table_ids(self) -> dict[str, str]:
        return {table.fqn: table.id for table in self.tables.values()}


def _flatten_columns(columns: Iterable[dict[str, Any]], prefix: str = "") -> Iterable[tuple[str, str | None]]:
    for column in columns:
        name = f"{prefix}{column['name']}"
        yield name, column.get("fullyQualifiedName")
        yield from _flatten_columns(column.get("children") or [], f"{name}.")


def catalog_table_from_entity(entity: dict[str, Any], catalog: str = DEFAULT_CATALOG) -> CatalogTable:
    """A CatalogTable from an OpenMetadata table listed with ``fields=columns,schemaDefinition``."""
    fqn = entity["fullyQualifiedName"]
    _service, _database, schema, table = split_fqn(fqn)
    flattened = list(_flatten_columns(entity.get("columns") or []))
    column_fqns = frozenset(given or column_fqn(fqn, *name.split(".")) for name, given in flattened)
    is_view = (entity.get("tableType") or "") in ("View", "MaterializedView", "SecureView")
    return CatalogTable(
        name=TableName(catalog, schema.lower(), table.lower()),
        fqn=fqn,
        id=entity["id"],
        columns=tuple(name.lower() for name, _ in flattened),
        column_fqns=column_fqns,
        is_view=is_view,
        view_sql=entity.get("schemaDefinition") if is_view else None,
    )


def read_catalog_snapshot(client: OpenMetadataClient, settings: SyncSettings) -> CatalogSnapshot:
    """Every table of the service with its columns: one listing per schema. Raises when the catalog is not synced."""
    if client.get_by_name("services/databaseServices", settings.service_name) is None:
        raise CatalogNotSyncedError(
            f"OpenMetadata has no database service {settings.service_name!r}: materialize athena_schemas and "
            "athena_tables first (the query log, usage and lineage refer to the tables they create)."
        )
    snapshot = CatalogSnapshot()
    db_fqn = database_fqn(settings.service_name, settings.database_name)
    for schema in client.list_all("databaseSchemas", params={"database": db_fqn}):
        for entity in client.list_all(
            "tables",
            params={"databaseSchema": schema["fullyQualifiedName"]},
            fields=["columns", "schemaDefinition"],
        ):
            table = catalog_table_from_entity(entity)
            snapshot.tables[table.name] = table
    return snapshot
