"""Hostile catalog cases for tests: awkward names, a broken type string, an empty and a forbidden database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from athena_om.sandbox.aws.demo_lake import ColumnSpec, TableSpec
from athena_om.sandbox.aws.glue_tables import table_input

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


@dataclass(frozen=True)
class HostileCases:
    """Names seed_hostile_tables created, for tests to look up."""

    database: str
    table_names: tuple[str, ...]
    broken_type_table: str
    empty_database: str
    forbidden_database: str


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
    secret = TableSpec(FORBIDDEN_DATABASE, "secrets", columns, "parquet", "Not for you.", "security")
    glue.create_table(FORBIDDEN_DATABASE, "secrets", table_input(secret))
    if deny_forbidden:
        sandbox.deny_access_to_database(FORBIDDEN_DATABASE)
    return HostileCases(
        HOSTILE_DATABASE,
        (*AWKWARD_TABLE_NAMES, BROKEN_TYPE_TABLE),
        BROKEN_TYPE_TABLE,
        EMPTY_DATABASE,
        FORBIDDEN_DATABASE,
    )
