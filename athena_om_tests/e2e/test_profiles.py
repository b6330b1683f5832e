"""E2E: profile the demo lake through Dagster; every metric equals one computed here from the sandbox's rows."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, materialize

from athena_om.definitions import build_definitions
from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.profiles.assets import athena_table_profiles
from athena_om.mapping.fqn import table_fqn
from athena_om.resources.aws import AthenaResource
from athena_om.sandbox.aws import DEMO_DATABASES
from athena_om_tests.e2e.conftest import Stack

SERVICE = "athena_sandbox"


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
        "sourceConfig": {"type": "Profiler", "includeViews": True, "threadCount": 3},
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def lake(stack: Stack, instance: DagsterInstance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProfiledLake]:
    config_path = _profiler_workflow(stack, tmp_path_factory.mktemp("profiles") / "workflow.yaml")
    resources = build_definitions(str(config_path)).resources
    assert materialize([athena_schemas], instance=instance, resources=resources).success
    metadata: dict[str, dict[str, Any]] = {}
    for database in DEMO_DATABASES:
        assert materialize([athena_tables], instance=instance, resources=resources, partition_key=database.name).success
        result = materialize(
            [athena_table_profiles], instance=instance, resources=resources, partition_key=database.name
        )
        assert result.success
        event = result.get_asset_materialization_events()[0]
        metadata[database.name] = {k: v.value for k, v in event.materialization.metadata.items()}
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
    # One profile query plus one exact-uniqueness query per table, and nothing failed.
    assert sales["athena_queries"] == 2 * sales["tables_profiled"]
    for metadata in lake.metadata.values():
        assert metadata["tables_failed"] == 0 and metadata["failed"] == 0, metadata.get("failures")
