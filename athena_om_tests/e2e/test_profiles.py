"""E2E: profile the demo lake through Dagster; every metric equals one computed here from the sandbox's rows."""

from __future__ import annotations

import math
import re
import statistics
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from dagster import DagsterInstance, materialize

from athena_om.definitions import build_definitions
from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.profiles.assets import athena_table_profiles
from athena_om.mapping.fqn import table_fqn
from athena_om.mapping.profile_sql import Sample, partition_predicate, profile_query, profiled_columns
from athena_om.resources.aws import AthenaResource
from athena_om.sandbox.aws import DEMO_DATABASES, AwsSandbox, seed_hostile_tables
from athena_om.sandbox.aws.demo_lake import BUCKET
from athena_om.sandbox.aws.hostile import AWKWARD_TABLE_NAMES, HOSTILE_DATABASE
from athena_om_tests.e2e.conftest import Stack

SERVICE = "athena_sandbox"
HOSTILE_ROWS = 7


@dataclass
class ProfiledLake:
    stack: Stack
    config_path: Path
    metadata: dict[str, dict[str, Any]]


def _profiler_workflow(stack: Stack, path: Path) -> Path:
    document = yaml.safe_load(stack.config_path.read_text())
    document["athenaOm"]["profiler"] = {
        "exactUniqueness": True,
        "partitionFilters": {"demo_marketing.ad_clicks": "campaign_id = 'CMP-01'"},
        "sourceConfig": {"type": "Profiler", "includeViews": True, "threadCount": 3, "generateSampleData": True},
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _seed_hostile_rows(aws: AwsSandbox) -> None:
    """The hostile tables with awkward names, each holding HOSTILE_ROWS rows in a Parquet object."""
    seed_hostile_tables(aws, deny_forbidden=False)
    with tempfile.TemporaryDirectory() as directory:
        path = f"{directory}/rows.parquet"
        rows = f"SELECT i::BIGINT AS id, 'n' || i AS \"näme\" FROM range({HOSTILE_ROWS}) t(i)"
        duckdb.execute(f"COPY ({rows}) TO '{path}' (FORMAT parquet)")
        body = Path(path).read_bytes()
    for name in AWKWARD_TABLE_NAMES:
        aws.s3.put_object(BUCKET, f"{HOSTILE_DATABASE}/{name}/part-00000.parquet", body)


@pytest.fixture(scope="module")
def lake(stack: Stack, instance: DagsterInstance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProfiledLake]:
    config_path = _profiler_workflow(stack, tmp_path_factory.mktemp("profiles") / "workflow.yaml")
    _seed_hostile_rows(stack.aws)
    resources = build_definitions(str(config_path)).resources
    assert materialize([athena_schemas], instance=instance, resources=resources).success
    metadata: dict[str, dict[str, Any]] = {}
    for database in [d.name for d in DEMO_DATABASES] + [HOSTILE_DATABASE]:
        assert materialize([athena_tables], instance=instance, resources=resources, partition_key=database).success
        result = materialize([athena_table_profiles], instance=instance, resources=resources, partition_key=database)
        assert result.success
        event = result.get_asset_materialization_events()[0]
        metadata[database] = {k: v.value for k, v in event.materialization.metadata.items()}
    yield ProfiledLake(stack, config_path, metadata)


def latest_profile(lake: ProfiledLake, database: str, table: str) -> dict[str, Any]:
    with lake.stack.client() as client:
        body = client.request_json(
            "GET", f"/v1/tables/{table_fqn(SERVICE, 'default', database, table)}/tableProfile/latest"
        )
    assert isinstance(body, dict)
    return body


def rows_of(lake: ProfiledLake, sql: str) -> list[dict[str, Any]]:
    aws = AthenaResource(region_name="us-east-1", s3_staging_dir="s3://athena-om-sandbox-results/")
    cursor = aws.pyathena_connection().cursor()
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _number(value: Any) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else math.nan


def _check_column(profile: dict[str, Any], values: list[Any], row_count: int, numeric: bool) -> None:
    present = [v for v in values if v is not None]
    assert profile["valuesCount"] == len(present)
    assert profile.get("nullCount", 0) == row_count - len(present)
    distinct = len(set(present))
    assert profile["distinctCount"] == distinct  # exact uniqueness is on: exact
    counts: dict[Any, int] = {}
    for value in present:
        counts[value] = counts.get(value, 0) + 1
    assert profile["uniqueCount"] == sum(1 for n in counts.values() if n == 1)
    assert profile["duplicateCount"] == len(present) - distinct
    if numeric and present:
        numbers = [_number(v) for v in present]
        assert profile["min"] == pytest.approx(min(numbers))
        assert profile["max"] == pytest.approx(max(numbers))
        assert profile["sum"] == pytest.approx(sum(numbers))
        assert profile["mean"] == pytest.approx(statistics.fmean(numbers))
        assert profile["stddev"] == pytest.approx(statistics.pstdev(numbers))
        spread = max(numbers) - min(numbers) or 1
        # A sketch's median of an even count is either middle value; approximate within 3% of the range.
        tolerance = 0.03 * spread
        assert statistics.median_low(numbers) - tolerance <= profile["median"]
        assert profile["median"] <= statistics.median_high(numbers) + tolerance
        # numeric_histogram's buckets hold every value, in ranges between min and max.
        histogram = profile["histogram"]
        assert sum(histogram["frequencies"]) == len(present)
        assert histogram["boundaries"][0].startswith(f"{min(numbers):.3f} to ")
    if not numeric and present and isinstance(present[0], str):
        assert profile["minLength"] == min(len(v) for v in present)
        assert profile["maxLength"] == max(len(v) for v in present)


@pytest.mark.parametrize(
    ("database", "table", "where", "numeric", "text"),
    [
        ("demo_sales", "orders", "dt = '2025-06-07'", ["order_id", "customer_id", "total_amount"], ["status"]),
        ("demo_sales", "customers", None, ["customer_id", "lifetime_value"], ["email", "full_name"]),
        ("demo_marketing", "campaigns", None, ["budget"], ["campaign_id", "channel"]),
        ("demo_raw", "raw_customers_csv", None, [], ["id", "email", "name"]),
        ("demo_marketing", "ad_clicks", "campaign_id = 'CMP-01'", ["cost", "customer_id"], ["click_id"]),
    ],
)
def test_each_metric_equals_the_one_computed_from_the_rows(
    lake: ProfiledLake, database: str, table: str, where: str | None, numeric: list[str], text: list[str]
) -> None:
    rows = rows_of(lake, f'SELECT * FROM "{database}"."{table}"' + (f" WHERE {where}" if where else ""))
    profile = latest_profile(lake, database, table)
    assert profile["profile"]["rowCount"] == len(rows)
    by_column = {c["name"]: c.get("profile") for c in profile["columns"]}
    for name in numeric + text:
        assert by_column[name] is not None, name
        _check_column(by_column[name], [r[name] for r in rows], len(rows), name in numeric)


def test_views_iceberg_and_projected_tables_are_profiled_in_one_query_each(lake: ProfiledLake) -> None:
    for database, table in [("demo_sales", "daily_revenue"), ("demo_sales", "order_events"),
                            ("demo_marketing", "web_sessions"), ("demo_sales", "order_items_flat")]:  # fmt: skip
        assert latest_profile(lake, database, table)["profile"]["rowCount"] >= 0
    sales = lake.metadata["demo_sales"]
    # One profile query, one exact-uniqueness query and one sample-rows query per table, and nothing failed.
    assert sales["athena_queries"] == 3 * sales["tables_profiled"]
    for database in DEMO_DATABASES:
        metadata = lake.metadata[database.name]
        assert metadata["tables_failed"] == 0 and metadata["failed"] == 0, metadata.get("failures")


def test_bytes_scanned_are_what_athena_reports_for_each_query(lake: ProfiledLake) -> None:
    athena = lake.stack.aws.client("athena")
    for database in DEMO_DATABASES:
        metadata = lake.metadata[database.name]
        listed = re.findall(r"^\| `[^`]+` \| (\S+) \| ([\d,]+) \|", metadata["queries"], re.MULTILINE)
        assert len(listed) == metadata["athena_queries"]
        for query_id, scanned in listed:
            statistics_ = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Statistics"]
            assert statistics_["DataScannedInBytes"] == int(scanned.replace(",", ""))
        assert metadata["bytes_scanned"] == sum(int(s.replace(",", "")) for _, s in listed)


def test_tablesample_system_reads_fewer_bytes(lake: ProfiledLake) -> None:
    engine = lake.stack.aws.sql_engine
    columns = profiled_columns([("order_id", "bigint"), ("total_amount", "decimal(12,2)"), ("status", "string")])
    where = partition_predicate([("2025-06-07",)], [("dt", "string")])
    whole = engine.execute(profile_query("demo_sales", "orders", columns, where=where).sql(), "demo_sales")
    sampled = engine.execute(
        profile_query("demo_sales", "orders", columns, where=where, sample=Sample(percent=25)).sql(), "demo_sales"
    )
    assert 0 < sampled.data_scanned_bytes < whole.data_scanned_bytes
    assert sampled.rows[0][0] < whole.rows[0][0]


def test_tables_with_hostile_names_are_profiled(lake: ProfiledLake) -> None:
    hostile = lake.metadata[HOSTILE_DATABASE]
    for name in AWKWARD_TABLE_NAMES:
        profile = latest_profile(lake, HOSTILE_DATABASE, name)
        assert profile["profile"]["rowCount"] == HOSTILE_ROWS, name
        by_column = {c["name"]: c.get("profile") for c in profile["columns"]}
        assert by_column["id"]["max"] == HOSTILE_ROWS - 1
        assert by_column["näme"]["distinctCount"] == HOSTILE_ROWS
    assert hostile["tables_profiled"] >= len(AWKWARD_TABLE_NAMES), hostile.get("failures")
    # Tables whose Glue types Athena cannot read are skipped before any scan, saying which column to fix.
    assert "`athena_sandbox.default.demo_hostile.broken_type`: not queried: column 'payload'" in hostile["skipped"]
    assert "`athena_sandbox.default.demo_hostile.empty_struct`: not queried: column 'meta'" in hostile["skipped"]
    # The sandbox's engine only knows views created through it, not a Glue Data Catalog view's ViewDefinition:
    # that one view fails, and the failure names it.
    assert hostile["tables_failed"] == 1 and "demo_hostile.catalog_view" in hostile["failures"]


def test_sample_rows_are_written_from_the_partitions_profiled(lake: ProfiledLake) -> None:
    fqn = table_fqn(SERVICE, "default", "demo_sales", "orders")
    with lake.stack.client() as client:
        table = client.request_json("GET", f"/v1/tables/name/{fqn}")
        assert isinstance(table, dict)
        body = client.request_json("GET", f"/v1/tables/{table['id']}/sampleData")
    assert isinstance(body, dict)
    sample = body["sampleData"]
    assert sample["columns"][:2] == ["order_id", "customer_id"] and "dt" in sample["columns"]
    assert 0 < len(sample["rows"]) <= 50
    dt_index = sample["columns"].index("dt")
    assert {row[dt_index] for row in sample["rows"]} == {"2025-06-07"}  # the newest partition, as profiled
    order_ids = {r["order_id"] for r in rows_of(lake, "SELECT order_id FROM demo_sales.orders WHERE dt = '2025-06-07'")}
    assert {row[0] for row in sample["rows"]} <= order_ids
