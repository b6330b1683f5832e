"""Query log, usage and lineage for one day of the demo history, end to end through Dagster.

The expected usage is computed here from the seeded history with a hand-written list of what each demo
statement reads, not with athena-om's parser, so the test checks the parser and the whole write path together.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from dagster import DagsterInstance, materialize

from athena_om.defs.usage.assets import athena_lineage, athena_query_log, athena_table_usage
from athena_om.mapping.fqn import column_fqn, table_fqn
from athena_om.mapping.queries import query_checksum
from athena_om.sandbox.aws.demo_history import DBT_COMMENT, PROJECT_COMMENT, demo_query_history
from athena_om_tests.e2e.conftest import DEMO_NOW, Stack
from athena_om_tests.e2e.test_catalog_sync import SERVICE, sync_all

DAY = date(2026, 3, 9)  # a Monday: the weekly CREATE OR REPLACE VIEW runs too

# What each demo statement reads, by a phrase only that statement has.
READS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("CREATE TABLE demo_marketing.campaign_performance", ("m.campaigns", "m.ad_clicks", "s.orders")),
    ("INSERT INTO demo_sales.order_items_flat", ("s.orders", "s.products")),
    ("MERGE INTO demo_sales.order_events", ("r.raw_orders_json",)),
    ("UNLOAD (SELECT customer_id, country", ("s.customers",)),
    ("CREATE OR REPLACE VIEW demo_sales.daily_revenue", ("s.orders",)),
    ("SELECT * FROM demo_sales.customers LIMIT 100", ("s.customers",)),
    ("SELECT o.order_id, c.full_name", ("s.orders", "s.customers")),
    ("WITH recent AS", ("s.orders", "s.customers")),
    ("SELECT region, status, count(*)", ("s.orders",)),
    ("SELECT * FROM demo_sales.daily_revenue", ("s.daily_revenue",)),
    ("SELECT channel, count(*) AS campaigns", ("m.campaigns",)),
    ("SELECT dt, region, count(DISTINCT session_id)", ("m.web_sessions",)),
    ("SELECT s.device.os", ("m.web_sessions",)),
    ("SELECT p.category, sum(i.qty", ("s.order_items_flat", "s.products")),
    ("SELECT event_type, count(*)", ("s.order_events",)),
    ("SELECT w.customer_id", ("m.web_sessions", "s.orders")),
    ("SELECT id, email, created", ("r.raw_customers_csv",)),
    ("SELECT context.page", ("r.raw_clickstream",)),
    ("DROP TABLE", ()),
    ("ALTER TABLE", ()),
    ("MSCK REPAIR", ()),
    ("SHOW TABLES", ()),
)
DATABASES = {"s": "demo_sales", "m": "demo_marketing", "r": "demo_raw"}


def fqn(short: str) -> str:
    prefix, table = short.split(".")
    return table_fqn(SERVICE, "default", DATABASES[prefix], table)


def expected_usage() -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in demo_query_history(now=DEMO_NOW):
        if record.submitted.date() != DAY or record.state != "SUCCEEDED":
            continue
        if record.query.startswith((PROJECT_COMMENT, DBT_COMMENT)):
            continue
        (reads,) = [reads for phrase, reads in READS if phrase in record.query]
        counts.update(fqn(short) for short in reads)
    return counts


def day_queries() -> list[Any]:
    return [r for r in demo_query_history(now=DEMO_NOW) if r.submitted.date() == DAY]


def run_day(stack: Stack, instance: DagsterInstance) -> dict[str, dict[str, Any]]:
    result = materialize(
        [athena_query_log, athena_table_usage, athena_lineage],
        instance=instance,
        resources=stack.definitions().resources,
        partition_key=DAY.isoformat(),
    )
    assert result.success
    return {
        event.asset_key.to_user_string(): {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


@pytest.fixture(scope="module")
def first_run(stack: Stack, instance: DagsterInstance) -> dict[str, dict[str, Any]]:
    sync_all(stack, instance)
    return run_day(stack, instance)


def test_query_log_writes_every_query_but_self_issued_ones(stack: Stack, first_run: dict[str, Any]) -> None:
    records = day_queries()
    own = [r for r in records if r.query.startswith((PROJECT_COMMENT, DBT_COMMENT))]
    meta = first_run["athena_query_log"]
    assert meta["queries_read"] == len(records) - len(own)
    assert meta["queries_self_issued_excluded"] == len(own)
    assert meta["queries_failed_to_parse"] == 0
    assert meta["failed"] == 0
    assert meta["estimated_cost_usd"] > 0

    client = stack.client()
    kept = [r for r in records if r not in own]
    # One Query per distinct SQL text, named by its checksum; the latest run gives the duration.
    latest_run = {r.query: r for r in sorted(kept, key=lambda r: r.completed or r.submitted)}
    for sql, record in latest_run.items():
        query = client.get_by_name("queries", f"{SERVICE}.{query_checksum(sql)}", fields=["queryUsedIn"])
        assert query is not None, sql
        assert query["dialect"] == "athena"
        assert query["duration"] == record.total_ms
        assert "est. $" in query["description"]
        assert query["description"].splitlines()[0].endswith(f"latest query id {record.query_execution_id}")
    ctas = next(r for r in kept if r.state == "SUCCEEDED" and "CREATE TABLE demo_marketing" in r.query)
    query = client.get_by_name("queries", f"{SERVICE}.{query_checksum(ctas.query)}", fields=["queryUsedIn"])
    assert {ref["fullyQualifiedName"] for ref in query["queryUsedIn"]} == {
        fqn("m.campaigns"),
        fqn("m.ad_clicks"),
        fqn("s.orders"),
        fqn("m.campaign_performance"),
    }
    for record in own:
        assert client.get_by_name("queries", f"{SERVICE}.{query_checksum(record.query)}") is None


def daily_counts(stack: Stack) -> dict[str, int]:
    client = stack.client()
    counts = {}
    for table in {fqn(f"{p}.{t}") for p, t in [s.split(".") for _, reads in READS for s in reads]}:
        body = client.request("GET", f"/v1/usage/table/name/{table}", params={"date": DAY.isoformat()}).json()
        days = [u for u in body["usage"] if u["date"] == DAY.isoformat()]
        if days:
            counts[table] = days[0]["dailyStats"]["count"]
    return counts


def test_usage_counts_match_the_seeded_history(stack: Stack, first_run: dict[str, Any]) -> None:
    expected = expected_usage()
    assert daily_counts(stack) == dict(expected)
    assert first_run["athena_table_usage"]["tables_with_usage"] == len(expected)
    assert first_run["athena_table_usage"]["failed"] == 0
    orders = stack.client().get_by_name("tables", fqn("s.orders"), fields=["joins"])
    joined = {j["fullyQualifiedName"] for j in orders["joins"]["directTableJoins"]}
    assert fqn("s.customers") in joined


def edge(stack: Stack, source: str, target: str) -> dict[str, Any]:
    client = stack.client()
    from_id = client.get_by_name("tables", fqn(source))["id"]
    to_id = client.get_by_name("tables", fqn(target))["id"]
    return client.request("GET", f"/v1/lineage/getLineageEdge/{from_id}/{to_id}").json()["edge"]


def test_lineage_edges_for_ctas_insert_merge_and_view(stack: Stack, first_run: dict[str, Any]) -> None:
    meta = first_run["athena_lineage"]
    assert meta["failed"] == 0
    ctas = edge(stack, "m.campaigns", "m.campaign_performance")
    assert ctas["source"] == "QueryLineage"
    assert "CREATE TABLE demo_marketing.campaign_performance" in ctas["sqlQuery"]
    target = fqn("m.campaign_performance")
    channel = next(c for c in ctas["columnsLineage"] if c["toColumn"] == column_fqn(target, "channel"))
    assert channel["fromColumns"] == [column_fqn(fqn("m.campaigns"), "channel")]

    insert = edge(stack, "s.products", "s.order_items_flat")
    category = next(c for c in insert["columnsLineage"] if c["toColumn"].endswith(".category"))
    assert category["fromColumns"] == [column_fqn(fqn("s.products"), "category")]
    assert edge(stack, "s.orders", "s.order_items_flat")["source"] == "QueryLineage"
    assert edge(stack, "r.raw_orders_json", "s.order_events")["source"] == "QueryLineage"

    view = edge(stack, "s.orders", "s.daily_revenue")
    revenue = next(c for c in view["columnsLineage"] if c["toColumn"].endswith(".revenue"))
    assert revenue["fromColumns"] == [column_fqn(fqn("s.orders"), "total_amount")]


def test_rerunning_the_day_replaces_usage_and_keeps_lineage(
    stack: Stack, instance: DagsterInstance, first_run: dict[str, Any]
) -> None:
    before = daily_counts(stack)
    lineage_before = edge(stack, "m.campaigns", "m.campaign_performance")["columnsLineage"]
    second = run_day(stack, instance)
    assert daily_counts(stack) == before
    assert second["athena_query_log"]["created"] == 0
    assert edge(stack, "m.campaigns", "m.campaign_performance")["columnsLineage"] == lineage_before
