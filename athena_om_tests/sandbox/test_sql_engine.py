"""The DuckDB engine and Hive type translation, without the server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from athena_om.sandbox.aws.hive_types import HiveTypeError, hive_to_duckdb_type
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine, MapValue


@pytest.mark.parametrize(
    ("hive", "duckdb"),
    [
        ("string", "VARCHAR"),
        ("int", "INTEGER"),
        ("bigint", "BIGINT"),
        ("decimal(10,2)", "DECIMAL(10,2)"),
        ("varchar(16)", "VARCHAR"),
        ("char(3)", "VARCHAR"),
        ("array<string>", "VARCHAR[]"),
        ("array<array<string>>", "VARCHAR[][]"),
        ("map<string,array<int>>", "MAP(VARCHAR, INTEGER[])"),
        (
            "struct<street:string,geo:struct<lat:double,lon:double>>",
            'STRUCT("street" VARCHAR, "geo" STRUCT("lat" DOUBLE, "lon" DOUBLE))',
        ),
    ],
)
def test_hive_to_duckdb_type(hive: str, duckdb: str) -> None:
    assert hive_to_duckdb_type(hive) == duckdb


@pytest.mark.parametrize("broken", ["struct<a:int", "array<>", "map<string>", "unknowntype"])
def test_unparseable_types_raise(broken: str) -> None:
    with pytest.raises(HiveTypeError):
        hive_to_duckdb_type(broken)


def test_engine_creates_glue_shaped_tables_and_answers_athena_sql() -> None:
    engine = AthenaSqlEngine()
    engine.create_table_for_glue(
        "db",
        "t",
        [("id", "bigint"), ("amount", "decimal(10,2)"), ("tags", "map<string,array<int>>"), ("ts", "timestamp")],
    )
    engine.insert_rows(
        "db",
        "t",
        [(1, Decimal("2.50"), MapValue({"a": [1, 2]}), dt.datetime(2025, 1, 1)), (2, None, MapValue({}), None)],
    )
    result = engine.execute(
        "SELECT count(*), sum(amount) AS total FROM t WHERE ts < timestamp '2026-01-01 00:00:00'", "db"
    )
    assert result.column_names == ["_col0", "total"]
    assert result.athena_type_names == ["bigint", "decimal(38,2)"]
    assert result.rows == [(1, Decimal("2.50"))]
    assert engine.execute("SELECT tags['a'] FROM db.t WHERE id = 1").rows == [([1, 2],)]
