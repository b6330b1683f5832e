"""Query entities accumulate across days, end to end: days run in order, in reverse with a re-run, or as one
backfill run read back identical from OpenMetadata (issue 13).

Three days of the demo history, as the demo's ``athena_query_history_job`` covers them, chosen so that a
``SELECT … FROM demo_raw.raw_customers_csv`` run on earlier days only fails on the last one. Between orders every
Query entity is hard-deleted, so each order starts from an empty OpenMetadata.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dagster import DagsterInstance, materialize

from athena_om.defs.usage.assets import athena_query_log
from athena_om.mapping.queries import parse_query_days, query_checksum
from athena_om.sandbox.aws.demo_history import DBT_COMMENT, PROJECT_COMMENT, demo_query_history
from athena_om_tests.e2e.conftest import DEMO_NOW, Stack
from athena_om_tests.e2e.test_catalog_sync import SERVICE, sync_all

DAYS = [date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18)]
RAW_CUSTOMERS = f"{SERVICE}.default.demo_raw.raw_customers_csv"


def run_query_log(stack: Stack, instance: DagsterInstance, *days: date) -> dict[str, dict[str, Any]]:
    """One run of ``athena_query_log`` over ``days`` (a single-run backfill when several)."""
    keys = sorted(day.isoformat() for day in days)
    if len(keys) == 1:
        result = materialize(
            [athena_query_log], instance=instance, resources=stack.definitions().resources, partition_key=keys[0]
        )
    else:
        result = materialize(
            [athena_query_log],
            instance=instance,
            resources=stack.definitions().resources,
            tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]},
        )
    assert result.success
    return {
        str(event.materialization.partition): {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


def read_back(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every Query of the service as a reader sees it, without what differs between two creations (ids, times)."""
    client = stack.client()
    entities = client.list_all("queries", params={"service": SERVICE}, fields=["queryUsedIn"])
    return {
        entity["name"]: {
            "query": entity["query"],
            "query_type": entity.get("query_type"),
            "description": entity.get("description"),
            "duration": entity.get("duration"),
            "queryDate": entity.get("queryDate"),
            "queryUsedIn": sorted(ref["fullyQualifiedName"] for ref in entity.get("queryUsedIn") or []),
        }
        for entity in entities
    }


def wipe_queries(stack: Stack) -> None:
    client = stack.client()
    for entity in list(client.list_all("queries", params={"service": SERVICE})):
        client.request("DELETE", f"/v1/queries/{entity['id']}", params={"hardDelete": "true"})
    assert read_back(stack) == {}


@pytest.fixture(scope="module")
def in_order(stack: Stack, instance: DagsterInstance) -> dict[str, dict[str, Any]]:
    sync_all(stack, instance)
    for day in DAYS:
        run_query_log(stack, instance, day)
    return read_back(stack)


def test_days_in_reverse_with_a_rerun_or_as_one_run_read_back_identical(
    stack: Stack, instance: DagsterInstance, in_order: dict[str, dict[str, Any]]
) -> None:
    wipe_queries(stack)
    for day in (DAYS[2], DAYS[1], DAYS[0], DAYS[1]):
        run_query_log(stack, instance, day)
    assert read_back(stack) == in_order

    wipe_queries(stack)
    run_query_log(stack, instance, *DAYS)
    assert read_back(stack) == in_order


def test_each_query_counts_every_day_it_ran_once(in_order: dict[str, dict[str, Any]]) -> None:
    runs: dict[str, dict[date, int]] = {}
    for record in demo_query_history(now=DEMO_NOW):
        day = record.submitted.date()
        if day in DAYS and not record.query.startswith((PROJECT_COMMENT, DBT_COMMENT)):
            per_day = runs.setdefault(query_checksum(record.query), {})
            per_day[day] = per_day.get(day, 0) + 1
    assert set(in_order) == set(runs)
    for name, entity in in_order.items():
        days = parse_query_days(entity["description"])
        assert {day: row.runs for day, row in days.items()} == runs[name], entity["query"]


def test_a_text_whose_last_day_failed_keeps_its_tables_and_type(in_order: dict[str, dict[str, Any]]) -> None:
    reads = [e for e in in_order.values() if "FROM demo_raw.raw_customers_csv" in e["query"]]
    assert reads
    for entity in reads:
        assert RAW_CUSTOMERS in entity["queryUsedIn"], entity["query"]
        assert entity["query_type"] == "select"
    failed_last = [
        e
        for e in in_order.values()
        if (rows := parse_query_days(e["description"])) and rows[max(rows)].runs == rows[max(rows)].not_succeeded
    ]
    # The SELECT: its only run on the last day failed; it still names its table.
    assert any("FROM demo_raw.raw_customers_csv" in e["query"] for e in failed_last)
    for entity in failed_last:
        if entity["query"].lstrip().upper().startswith(("SELECT", "WITH")):
            assert entity["queryUsedIn"], entity["query"]
            assert entity["query_type"] == "select"


def test_a_run_over_several_days_reports_each_days_entities_and_the_run_total_once(
    stack: Stack, instance: DagsterInstance, in_order: dict[str, dict[str, Any]]
) -> None:
    per_day = run_query_log(stack, instance, *DAYS)
    assert sorted(per_day) == [day.isoformat() for day in DAYS]
    # Each text is written once, with the day of its latest run.
    latest_day: dict[str, str] = {}
    for record in sorted(demo_query_history(now=DEMO_NOW), key=lambda r: r.submitted):
        if record.submitted.date() in DAYS and not record.query.startswith((PROJECT_COMMENT, DBT_COMMENT)):
            latest_day[record.query] = record.submitted.date().isoformat()
    for day, metadata in per_day.items():
        expected = sum(1 for d in latest_day.values() if d == day)
        assert metadata["query_entities_written"] == expected, day
        assert metadata["created"] + metadata["updated"] + metadata["unchanged"] == expected, day
    assert [day for day, metadata in per_day.items() if "run_total" in metadata] == [DAYS[-1].isoformat()]
    assert per_day[DAYS[-1].isoformat()]["run_total"]["partitions"] == len(DAYS)
