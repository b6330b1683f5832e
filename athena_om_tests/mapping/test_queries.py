"""Athena query executions mapped to OpenMetadata Query requests."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from athena_om.athena.models import QueryExecution
from athena_om.mapping.queries import (
    DAYS_HEADER,
    QueryDay,
    StoredQuery,
    estimated_cost_usd,
    format_bytes,
    merge_query_days,
    parse_query_days,
    query_checksum,
    query_cost_usd,
    query_description,
    query_to_create_request,
    stored_query_from_entity,
)
from athena_om.openmetadata.models import CreateQueryRequest, EntityReference

TABLE_REF = EntityReference(id="6f1c2b1e-0000-4000-8000-000000000001", type="table")


def execution(**overrides: object) -> QueryExecution:
    fields: dict[str, object] = {
        "query_id": "a1b2c3d4-5678-90ab-cdef-1234567890ab",
        "query": "SELECT * FROM sales.orders WHERE dt = '2024-05-01'",
        "state": "SUCCEEDED",
        "statement_type": "DML",
        "substatement_type": "SELECT",
        "submitted_at": datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC),
        "completed_at": datetime(2024, 5, 1, 12, 0, 3, 250_000, tzinfo=UTC),
        "engine_execution_ms": 3000,
        "total_execution_ms": 3250,
        "data_scanned_bytes": 1_234_567_890,
        "workgroup": "etl",
    }
    fields.update(overrides)
    return QueryExecution(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scanned", "expected"),
    [
        (None, 10e6 / 1e12 * 5),
        (0, 10e6 / 1e12 * 5),
        (1, 10e6 / 1e12 * 5),
        (10_000_000, 10e6 / 1e12 * 5),
        (10_000_001, 11e6 / 1e12 * 5),  # rounded up to the next megabyte
        (1_000_000_000_000, 5.0),
        (2_500_000_000_000, 12.5),
    ],
)
def test_estimated_cost(scanned: int | None, expected: float) -> None:
    assert estimated_cost_usd(scanned) == pytest.approx(expected)


def test_estimated_cost_uses_the_given_price() -> None:
    assert estimated_cost_usd(3_000_000_000_000, price_per_tb_usd=6.75) == pytest.approx(20.25)


def test_ddl_and_failed_queries_cost_nothing() -> None:
    assert query_cost_usd(execution(statement_type="DDL")) == 0.0
    assert query_cost_usd(execution(state="FAILED")) == 0.0
    assert query_cost_usd(execution(state="CANCELLED")) == pytest.approx(1235e6 / 1e12 * 5)


def test_create_request_fields() -> None:
    request = query_to_create_request(
        execution(), service_name="athena_prod", used_in=[TABLE_REF], statement_kind="select"
    )
    body = request.to_body()
    assert body == {
        # OpenMetadata's own checksum of the text: md5 of the SQL, hex.
        "name": hashlib.md5(b"SELECT * FROM sales.orders WHERE dt = '2024-05-01'").hexdigest(),
        "query": "SELECT * FROM sales.orders WHERE dt = '2024-05-01'",
        "service": "athena_prod",
        "description": "1 run · Scanned 1.2 GB · est. $0.0062 at $5/TB · workgroup etl · "
        "latest query id a1b2c3d4-5678-90ab-cdef-1234567890ab\n\n"
        f"{DAYS_HEADER}\n"
        "|---|---:|---:|---:|---:|---|---:|---|---|---|\n"
        "| 2024-05-01 | 1 | 0 | 1234567890 | 0.006175 | 2024-05-01T12:00:03.250Z | 3250 "
        "| a1b2c3d4-5678-90ab-cdef-1234567890ab | etl |  |",
        "query_type": "select",
        "duration": 3250.0,
        "dialect": "athena",
        "queryDate": 1714564803250,
        "queryUsedIn": [{"id": "6f1c2b1e-0000-4000-8000-000000000001", "type": "table"}],
    }


def test_the_same_sql_is_one_query_whatever_the_execution() -> None:
    # OpenMetadata refuses a second query with the same text (unique checksum), so runs share one entity.
    first = query_to_create_request(execution(), service_name="s", used_in=[])
    later = query_to_create_request(execution(query_id="another-run"), service_name="s", used_in=[])
    other_sql = query_to_create_request(execution(query="SELECT 1"), service_name="s", used_in=[])
    assert first.name == later.name == query_checksum(first.query)
    assert other_sql.name != first.name


def test_runs_of_one_sql_text_are_totalled_and_the_latest_run_dates_the_query() -> None:
    early = execution(
        query_id="run-1",
        submitted_at=datetime(2024, 5, 1, 9, 0, tzinfo=UTC),
        completed_at=datetime(2024, 5, 1, 9, 0, 2, tzinfo=UTC),
        total_execution_ms=2000,
        data_scanned_bytes=1_000_000_000,
    )
    late = execution(
        query_id="run-2",
        submitted_at=datetime(2024, 5, 1, 18, 0, tzinfo=UTC),
        completed_at=datetime(2024, 5, 1, 18, 0, 5, tzinfo=UTC),
        total_execution_ms=5000,
        data_scanned_bytes=3_000_000_000,
        state="FAILED",
        state_change_reason="HIVE_CURSOR_ERROR: boom",
    )
    request = query_to_create_request([late, early], service_name="s", used_in=[])
    assert request.queryDate == int(datetime(2024, 5, 1, 18, 0, 5, tzinfo=UTC).timestamp() * 1000)
    assert request.duration == 5000.0
    description = request.description or ""
    assert description.startswith("2 runs · Scanned 4.0 GB")
    assert "1 not succeeded, last FAILED: HIVE_CURSOR_ERROR: boom" in description
    assert description.splitlines()[0].endswith("latest query id run-2")


def test_runs_of_different_sql_are_refused() -> None:
    with pytest.raises(ValueError, match="same SQL text"):
        query_to_create_request([execution(), execution(query="SELECT 2")], service_name="s", used_in=[])


def test_fallbacks_when_athena_omits_fields() -> None:
    q = execution(
        completed_at=None,
        total_execution_ms=None,
        engine_execution_ms=None,
        submitted_at=datetime(2024, 5, 1, 0, 0, 0),  # naive: taken as UTC
        data_scanned_bytes=None,
        workgroup=None,
        substatement_type=None,
        statement_type="UTILITY",
    )
    request = query_to_create_request(q, service_name="s", used_in=[])
    assert request.queryDate == 1714521600000
    assert request.duration is None
    assert request.query_type == "utility"
    assert request.queryUsedIn is None
    assert (request.description or "").splitlines()[0] == (
        "1 run · est. $0.0001 at $5/TB · latest query id a1b2c3d4-5678-90ab-cdef-1234567890ab"
    )


def test_duration_from_timestamps_when_statistics_missing() -> None:
    q = execution(total_execution_ms=None, engine_execution_ms=None)
    assert query_to_create_request(q, service_name="s", used_in=[]).duration == pytest.approx(3250.0)


def test_failed_query_description_says_why() -> None:
    q = execution(state="FAILED", state_change_reason="TABLE_NOT_FOUND: line 1:15: Table x does not exist")
    description = query_to_create_request(q, service_name="s", used_in=[]).description
    assert description is not None
    assert "est. $0.0000" in description
    assert "last FAILED: TABLE_NOT_FOUND: line 1:15: Table x does not exist" in description


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (999, "999 B"), (1_500, "1.5 KB"), (1_234_567_890, "1.2 GB"), (3 * 10**15, "3.0 PB")],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


# -- accumulating days -----------------------------------------------------------------------------------


def run_on(day: int, hour: int, **overrides: object) -> QueryExecution:
    at = datetime(2024, 5, day, hour, 0, tzinfo=UTC)
    fields: dict[str, object] = {
        "query_id": f"run-{day}-{hour}",
        "submitted_at": at,
        "completed_at": at + timedelta(seconds=hour),
        "total_execution_ms": 1000 * hour,
    }
    fields.update(overrides)
    return execution(**fields)


DAY_RUNS: dict[int, list[QueryExecution]] = {
    1: [run_on(1, 9), run_on(1, 17, workgroup="primary", data_scanned_bytes=50_000_001)],
    2: [run_on(2, 8, statement_type="DML", substatement_type=None, data_scanned_bytes=None)],
    3: [
        run_on(
            3,
            6,
            state="FAILED",
            state_change_reason="GENERIC_INTERNAL_ERROR: Division by zero | line\n2",
            data_scanned_bytes=0,
        )
    ],
}


def write_days(order: list[int]) -> CreateQueryRequest:
    """Write one day at a time, each merged with what the previous write left, as OpenMetadata would hold it."""
    request = None
    for day in order:
        earlier = parse_query_days(request.description) if request else None
        request = query_to_create_request(
            DAY_RUNS[day], service_name="s", used_in=[], statement_kind="select", earlier_days=earlier
        )
    assert request is not None
    return request


def test_days_written_in_any_order_or_rerun_give_the_same_query() -> None:
    in_order = write_days([1, 2, 3])
    assert write_days([3, 2, 1]) == in_order
    assert write_days([2, 3, 1, 2]) == in_order
    assert write_days([1, 2, 3, 3, 1]) == in_order
    all_at_once = query_to_create_request(
        [run for runs in DAY_RUNS.values() for run in runs], service_name="s", used_in=[], statement_kind="select"
    )
    assert all_at_once == in_order


def test_accumulated_query_totals_every_day_once_and_dates_by_the_latest_run() -> None:
    request = write_days([2, 3, 1, 1])  # day 1 (oldest) written last, twice
    latest = DAY_RUNS[3][0]
    assert request.queryDate == int((latest.completed_at or latest.submitted_at).timestamp() * 1000)  # type: ignore[union-attr]
    assert request.duration == 6000.0
    summary = (request.description or "").splitlines()[0]
    assert summary.startswith("4 runs over 3 days · Scanned 1.3 GB")
    assert "workgroup etl, primary" in summary
    assert "1 not succeeded, last FAILED: GENERIC_INTERNAL_ERROR: Division by zero / line 2" in summary
    assert summary.endswith("latest query id run-3-6")
    days = parse_query_days(request.description)
    assert [(d.day.day, d.runs, d.not_succeeded) for d in days.values()] == [(1, 2, 0), (2, 1, 0), (3, 1, 1)]
    expected_cost = sum(query_cost_usd(run) for runs in DAY_RUNS.values() for run in runs)
    assert sum(d.cost_usd for d in days.values()) == pytest.approx(expected_cost, abs=1e-5)


def test_day_rows_read_back_exactly() -> None:
    days = merge_query_days(
        {}, [run_on(1, 9, total_execution_ms=None, engine_execution_ms=None), *DAY_RUNS[2], *DAY_RUNS[3]], 6.75
    )
    assert days[date(2024, 5, 1)].latest_duration_ms == 9000.0
    odd = QueryDay(date(2024, 5, 4), 1, 0, 7, 0.000123, None, 12.345, "q", (), "")
    days[odd.day] = odd
    assert parse_query_days(query_description(days, 6.75)) == days


def test_a_description_without_the_day_table_has_no_days() -> None:
    assert parse_query_days(None) == {}
    assert parse_query_days("Written by hand | 2024-05-01 | 1 |") == {}
    broken = f"{DAYS_HEADER}\n|---|\n| 2024-05-01 | one | 0 | 0 | 0 |  |  | q |  |  |\n| 2024-05-02 | 1 |"
    assert parse_query_days(broken) == {}


def test_stored_query_keeps_what_a_merge_needs() -> None:
    request = write_days([1])
    entity = {
        "id": "x",
        "name": request.name,
        "query_type": "select",
        "description": request.description,
        "queryUsedIn": [{"id": "t1", "type": "table"}, {"id": "t2", "type": "table"}],
    }
    stored = stored_query_from_entity(entity)
    assert stored.name == request.name
    assert stored.query_type == "select"
    assert stored.used_in_ids == {"t1", "t2"}
    assert list(stored.days) == [date(2024, 5, 1)]
    assert stored_query_from_entity({"name": "n"}) == StoredQuery("n", None, frozenset(), {})
