"""The AWS half of the sandbox: moto extended for Glue, Athena and Lake Formation, with SQL run in DuckDB."""

from athena_om.sandbox.aws.demo_lake import DEMO_DATABASES, DEMO_TABLES, ColumnSpec, DatabaseSpec, TableSpec
from athena_om.sandbox.aws.query_history import QueryRecord, add_query_executions
from athena_om.sandbox.aws.seed import (
    DemoLakeSummary,
    seed_demo_lake,
    seed_hostile_tables,
    seed_synthetic_catalog,
    seed_synthetic_query_history,
)
from athena_om.sandbox.aws.server import AwsSandbox
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine, SqlResult

__all__ = [
    "DEMO_DATABASES",
    "DEMO_TABLES",
    "AthenaSqlEngine",
    "AwsSandbox",
    "ColumnSpec",
    "DatabaseSpec",
    "DemoLakeSummary",
    "QueryRecord",
    "SqlResult",
    "TableSpec",
    "add_query_executions",
    "seed_demo_lake",
    "seed_hostile_tables",
    "seed_synthetic_catalog",
    "seed_synthetic_query_history",
]
