"""Athena functions profilers send, answered by the sandbox and checked against Python over the seeded rows."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from typing import Any

import duckdb
import pyathena
import pytest

from athena_om.sandbox.aws import AwsSandbox
from athena_om.sandbox.aws.demo_data import demo_select_sql
from athena_om.sandbox.aws.demo_lake import demo_table

Rows = list[dict[str, Any]]


def _seeded(database: str, name: str) -> Rows:
    """The rows the demo lake stores for a table, straight from its generator (not through the sandbox)."""
    relation = duckdb.sql(demo_select_sql(demo_table(database, name)))
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


@pytest.fixture(scope="module")
def orders() -> Rows:
    return _seeded("demo_sales", "orders")


@pytest.fixture(scope="module")
def customers() -> Rows:
    return _seeded("demo_sales", "customers")


@pytest.fixture(scope="module")
def cursor(sandbox: AwsSandbox) -> Any:
    connection = pyathena.connect(
        s3_staging_dir="s3://athena-om-sandbox-results/functions/", region_name=sandbox.region, work_group="primary"
    )
    return connection.cursor()


def _amounts(rows: Rows) -> list[float]:
    return [float(r["total_amount"]) for r in rows if r["total_amount"] is not None]


def _disc(values: list[Any], q: float) -> Any:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


ORDER_CASES: list[tuple[str, str, Callable[[Rows], Any]]] = [
    ("count_if", "count_if(status = 'cancelled')", lambda rows: sum(r["status"] == "cancelled" for r in rows)),
    ("approx_distinct", "approx_distinct(customer_id)", lambda rows: len({r["customer_id"] for r in rows})),
    ("stddev_samp", "stddev_samp(total_amount)", lambda rows: statistics.stdev(_amounts(rows))),
    ("stddev_pop", "stddev_pop(total_amount)", lambda rows: statistics.pstdev(_amounts(rows))),
    ("variance", "variance(total_amount)", lambda rows: statistics.variance(_amounts(rows))),
    ("length", "max(length(status))", lambda rows: max(len(r["status"]) for r in rows)),
    ("cardinality of arrays", "sum(cardinality(line_items))", lambda rows: sum(len(r["line_items"]) for r in rows)),
    ("min_by", "min_by(status, order_id)", lambda rows: min(rows, key=lambda r: r["order_id"])["status"]),
    ("max_by", "max_by(customer_id, order_id)", lambda rows: max(rows, key=lambda r: r["order_id"])["customer_id"]),
    (
        "regexp_like",
        "count_if(regexp_like(status, '^(sh|de)'))",
        lambda rows: sum(bool(re.search("^(sh|de)", r["status"])) for r in rows),
    ),
    (
        "approx_percentile",
        "approx_percentile(customer_id, 0.5)",
        lambda rows: _disc([r["customer_id"] for r in rows], 0.5),
    ),
    (
        "approx_percentile of an array",
        "approx_percentile(customer_id, ARRAY[0.25, 0.9])",
        lambda rows: [_disc([r["customer_id"] for r in rows], q) for q in (0.25, 0.9)],
    ),
    (
        "numeric_histogram, few values",
        "numeric_histogram(10, cardinality(line_items))",
        lambda rows: {float(k): float(v) for k, v in Counter(len(r["line_items"]) for r in rows).items()},
    ),
]


def _close(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float):
        return math.isclose(float(actual), expected, rel_tol=1e-9)
    if isinstance(expected, dict):
        return {float(k): float(v) for k, v in actual.items()} == expected
    if isinstance(expected, list):
        return [type(e)(a) for a, e in zip(actual, expected, strict=True)] == expected
    return type(expected)(actual) == expected


@pytest.mark.parametrize(("label", "expression", "expected"), ORDER_CASES, ids=[c[0] for c in ORDER_CASES])
def test_function_matches_python(
    cursor: Any, orders: Rows, label: str, expression: str, expected: Callable[[Rows], Any]
) -> None:
    cursor.execute(f"SELECT {expression} FROM demo_sales.orders")
    [(actual,)] = cursor.fetchall()
    if isinstance(actual, str) and actual.startswith(("{", "[")):
        actual = _parse_athena_text(actual)
    assert _close(actual, expected(orders)), f"{label}: {actual!r} != {expected(orders)!r}"


def _parse_athena_text(text: str) -> Any:
    """Athena's text form of a map {k=v, …} or array [a, b] (PyAthena hands complex values over as text)."""
    inner = text[1:-1].strip()
    if not inner:
        return {} if text.startswith("{") else []
    parts = [p.strip() for p in inner.split(",")]
    if text.startswith("{"):
        return {float(k): float(v) for k, v in (p.split("=", 1) for p in parts)}
    return parts


def test_numeric_histogram_keeps_the_total_weight_with_fewer_buckets(cursor: Any, orders: Rows) -> None:
    cursor.execute("SELECT numeric_histogram(4, customer_id) FROM demo_sales.orders")
    value = cursor.fetchall()[0][0]
    parsed = _parse_athena_text(value) if isinstance(value, str) else value
    histogram = {float(k): float(v) for k, v in parsed.items()}
    assert len(histogram) <= 4 and sum(histogram.values()) == len(orders)
    assert min(histogram) >= min(r["customer_id"] for r in orders)


def test_cardinality_of_maps(cursor: Any, customers: Rows) -> None:
    cursor.execute("SELECT sum(cardinality(attributes)) FROM demo_sales.customers")
    assert cursor.fetchall()[0][0] == sum(len(r["attributes"]) for r in customers)


def test_grouping_sets(cursor: Any, orders: Rows) -> None:
    cursor.execute("SELECT region, count(*) FROM demo_sales.orders GROUP BY GROUPING SETS ((region), ())")
    expected = Counter(r["region"] for r in orders)
    assert set(cursor.fetchall()) == {*expected.items(), (None, len(orders))}


def test_tablesample_bernoulli_and_system_run(cursor: Any, orders: Rows) -> None:
    cursor.execute("SELECT count(*) FROM demo_sales.orders TABLESAMPLE BERNOULLI (50)")
    assert 0.4 * len(orders) < cursor.fetchall()[0][0] < 0.6 * len(orders)
    cursor.execute("SELECT count(*) FROM demo_sales.orders AS o TABLESAMPLE SYSTEM (100) WHERE o.dt = '2025-06-01'")
    assert cursor.fetchall()[0][0] == sum(r["dt"] == "2025-06-01" for r in orders)
