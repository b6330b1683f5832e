"""Large synthetic catalogs and query histories for benchmarks, written straight into moto's backends."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from athena_om.sandbox.aws.demo_lake import RESULTS_LOCATION, ColumnSpec, TableSpec
from athena_om.sandbox.aws.glue_tables import table_input
from athena_om.sandbox.aws.query_history import QueryRecord, add_query_executions

if TYPE_CHECKING:
    from athena_om.sandbox.aws.server import AwsSandbox

_TYPES = (
    "string",
    "bigint",
    "int",
    "double",
    "decimal(18,4)",
    "boolean",
    "date",
    "timestamp",
    "varchar(64)",
    "string",
    "array<string>",
    "map<string,string>",
    "struct<id:bigint,name:string,tags:array<string>>",
    "array<struct<k:string,v:double>>",
)
_STORAGES = ("parquet", "parquet", "orc", "json", "csv")


def _synthetic_spec(database: str, index: int, columns: int) -> TableSpec:
    name = f"table_{index:05d}"
    cols = tuple(
        ColumnSpec(f"col_{c:03d}", _TYPES[(index + c) % len(_TYPES)], f"Column {c} of {name}" if c % 3 == 0 else None)
        for c in range(columns)
    )
    if index % 50 == 49:
        sql = f"SELECT col_000, col_001 FROM {database}.table_{index - 1:05d}"
        return TableSpec(
            database, name, cols[:2], "view", f"View over table_{index - 1:05d}", "synthetic", view_sql=sql
        )
    partition_keys: tuple[ColumnSpec, ...] = ()
    if index % 10 == 0:
        partition_keys = (ColumnSpec("dt", "string"), ColumnSpec("region", "string"))
    storage = "iceberg" if index % 100 == 7 else _STORAGES[index % len(_STORAGES)]
    parameters = {"table_type": "ICEBERG", "metadata_location": "s3://synthetic/m.json"} if storage == "iceberg" else {}
    owner = ("alice@example.com", "data-platform", "bob@example.com")[index % 3]
    return TableSpec(
        database, name, cols, storage, f"Synthetic table {index}", owner, partition_keys, parameters=parameters
    )


def seed_synthetic_catalog(
    sandbox: AwsSandbox, databases: int = 20, tables: int = 10_000, columns: int = 30, prefix: str = "synth"
) -> list[str]:
    """Create `tables` Glue tables spread over `databases` databases (no data); returns database names."""
    names = [f"{prefix}_db_{d:03d}" for d in range(databases)]
    glue = sandbox.glue
    for name in names:
        glue.create_database(name, {"Name": name, "Description": f"Synthetic database {name}"})
    for index in range(tables):
        database = names[index % databases]
        spec = _synthetic_spec(database, index, columns)
        glue.create_table(database, spec.name, table_input(spec))
    return names


def _table_columns(table: Any) -> list[str]:
    descriptor = table.as_dict().get("StorageDescriptor") or {}
    return [c["Name"] for c in descriptor.get("Columns") or []]


def seed_synthetic_query_history(
    sandbox: AwsSandbox,
    queries: int = 10_000,
    days: int = 30,
    now: datetime | None = None,
    seed: int = 11,
    databases: list[str] | None = None,
) -> list[str]:
    """Add `queries` executions over the catalog's tables (SELECTs, joins, CTAS, INSERTs, some failures)."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    glue = sandbox.glue
    tables = [
        (db_name, table.name, _table_columns(table))
        for db_name, db in glue.databases.items()
        if databases is None or db_name in databases
        for table in db.tables.values()
    ]
    tables = [t for t in tables if len(t[2]) >= 2]
    if not tables:
        raise ValueError("seed_synthetic_query_history needs tables with at least two columns; seed a catalog first")
    if "etl" not in sandbox.athena.work_groups:
        sandbox.athena.create_work_group("etl", {}, "Scheduled ETL", [])
    records = []
    for _ in range(queries):
        (db, name, cols), (db2, name2, cols2) = rng.choice(tables), rng.choice(tables)
        shape = rng.random()
        workgroup = "primary"
        if shape < 0.35:
            sql = f"SELECT * FROM {db}.{name} LIMIT {rng.choice((10, 100, 1000))}"
        elif shape < 0.6:
            sql = f"SELECT {cols[0]}, count(*) AS n FROM {db}.{name} GROUP BY {cols[0]}"
        elif shape < 0.8:
            sql = (
                f"SELECT a.{cols[0]}, b.{cols2[1]} FROM {db}.{name} a "
                f"JOIN {db2}.{name2} b ON a.{cols[0]} = b.{cols2[0]}"
            )
        elif shape < 0.9:
            workgroup = "etl"
            sql = f"INSERT INTO {db2}.{name2} ({cols2[0]}) SELECT {cols[0]} FROM {db}.{name}"
        else:
            workgroup = "etl"
            suffix = uuid.UUID(int=rng.getrandbits(128)).hex[:8]
            sql = f"CREATE TABLE {db}.ctas_{suffix} AS SELECT {cols[0]} FROM {db}.{name}"
        submitted = now - timedelta(seconds=rng.randint(60, days * 86_400))
        engine_ms = rng.randint(200, 60_000)
        record = QueryRecord(
            query=sql,
            submitted=submitted,
            completed=submitted + timedelta(milliseconds=engine_ms + rng.randint(50, 2_000)),
            workgroup=workgroup,
            database=db,
            engine_ms=engine_ms,
            queue_ms=rng.randint(10, 1_500),
            planning_ms=rng.randint(20, 600),
            data_scanned_bytes=rng.randint(0, 50 * 1024**3),
            query_execution_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        record.output_location = f"{RESULTS_LOCATION}{workgroup}/{record.query_execution_id}.csv"
        roll = rng.random()
        if roll < 0.06:
            record.state, record.state_change_reason = "FAILED", "Query exhausted resources at this scale factor"
        elif roll < 0.08:
            record.state, record.state_change_reason = "CANCELLED", "Query was cancelled by user"
        records.append(record)
    return add_query_executions(records, sandbox.account_id, sandbox.region)
