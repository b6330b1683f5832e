"""Hostile catalog cases for tests: awkward names, a broken type string, an empty and a forbidden database, and
catalog shapes naive mappings get wrong (an empty struct, a partition key repeated among the data columns, a Glue
Data Catalog view whose SQL lives only in ``ViewDefinition``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from athena_om.sandbox.aws.demo_lake import ColumnSpec, TableSpec
from athena_om.sandbox.aws.glue_tables import catalog_view_input, table_input

if TYPE_CHECKING:
    from athena_om.sandbox.aws.server import AwsSandbox

HOSTILE_DATABASE = "demo_hostile"
EMPTY_DATABASE = "demo_empty"
FORBIDDEN_DATABASE = "demo_forbidden"
AWKWARD_TABLE_NAMES = (
    "dotted.table.name",
    'quote"d',
    "it's",
    "with space",
    "ünïcødé_表",
)
BROKEN_TYPE_TABLE = "broken_type"
BROKEN_TYPE = "struct<a:int"
EMPTY_STRUCT_TABLE = "empty_struct"
PARTITION_TWIN_TABLE = "partition_twin"  # lists its partition key ``dt`` among its data columns too
CATALOG_VIEW = "catalog_view"  # a multi-dialect Glue Data Catalog view, no TableType, no ViewOriginalText
CATALOG_VIEW_SQL = "SELECT id FROM demo_hostile.empty_struct WHERE id > 0"


@dataclass(frozen=True)
class HostileCases:
    """Names seed_hostile_tables created, for tests to look up."""

    database: str
    table_names: tuple[str, ...]
    broken_type_table: str
    empty_database: str
    forbidden_database: str
    empty_struct_table: str = EMPTY_STRUCT_TABLE
    partition_twin_table: str = PARTITION_TWIN_TABLE
    catalog_view: str = CATALOG_VIEW


def seed_hostile_tables(sandbox: AwsSandbox, deny_forbidden: bool = True) -> HostileCases:
    """Add hostile databases and tables; the forbidden one answers AccessDenied unless deny_forbidden=False."""
    glue = sandbox.glue
    for name, description in (
        (HOSTILE_DATABASE, "Tables with names that break naive quoting."),
        (EMPTY_DATABASE, "A database without tables."),
        (FORBIDDEN_DATABASE, "A database the caller may not read."),
    ):
        glue.create_database(name, {"Name": name, "Description": description})
    columns = (ColumnSpec("id", "bigint", "Identifier"), ColumnSpec("näme", "string", "Ünïcode column"))
    for table in AWKWARD_TABLE_NAMES:
        spec = TableSpec(HOSTILE_DATABASE, table, columns, "parquet", f"Awkward name {table!r}", "data-platform")
        glue.create_table(HOSTILE_DATABASE, table, table_input(spec))
    broken = TableSpec(
        HOSTILE_DATABASE,
        BROKEN_TYPE_TABLE,
        (ColumnSpec("id", "bigint"), ColumnSpec("payload", BROKEN_TYPE, "Type string Glue accepted but is broken")),
        "json",
        "A column type that does not parse.",
        "data-platform",
    )
    glue.create_table(HOSTILE_DATABASE, BROKEN_TYPE_TABLE, table_input(broken))
    empty_struct = TableSpec(
        HOSTILE_DATABASE,
        EMPTY_STRUCT_TABLE,
        (ColumnSpec("id", "bigint"), ColumnSpec("meta", "struct<>", "A struct with no fields")),
        "parquet",
        "An empty struct column.",
        "data-platform",
    )
    glue.create_table(HOSTILE_DATABASE, EMPTY_STRUCT_TABLE, table_input(empty_struct))
    twin = TableSpec(
        HOSTILE_DATABASE,
        PARTITION_TWIN_TABLE,
        (ColumnSpec("id", "bigint"), ColumnSpec("DT", "string", "The crawler's copy of the partition key")),
        "parquet",
        "A partition key listed among the data columns too.",
        "data-platform",
        partition_keys=(ColumnSpec("dt", "date"),),
    )
    glue.create_table(HOSTILE_DATABASE, PARTITION_TWIN_TABLE, table_input(twin))
    glue.create_table(HOSTILE_DATABASE, CATALOG_VIEW, catalog_view_input(CATALOG_VIEW, CATALOG_VIEW_SQL))
    secret = TableSpec(FORBIDDEN_DATABASE, "secrets", columns, "parquet", "Not for you.", "security")
    glue.create_table(FORBIDDEN_DATABASE, "secrets", table_input(secret))
    if deny_forbidden:
        sandbox.deny_access_to_database(FORBIDDEN_DATABASE)
    return HostileCases(
        HOSTILE_DATABASE,
        (*AWKWARD_TABLE_NAMES, BROKEN_TYPE_TABLE, EMPTY_STRUCT_TABLE, PARTITION_TWIN_TABLE, CATALOG_VIEW),
        BROKEN_TYPE_TABLE,
        EMPTY_DATABASE,
        FORBIDDEN_DATABASE,
    )
