"""Athena query executions mapped to OpenMetadata Query requests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from athena_om.athena.models import QueryExecution
from athena_om.mapping.queries import (
    estimated_cost_usd,
    format_bytes,
    query_checksum,
    query_cost_usd,
    query_to_create_request,
)
from athena_om.openmetadata.models import EntityReference

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
        "latest query id a1b2c3d4-5678-90ab-cdef-1234567890ab",
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
    assert description.endswith("latest query id run-2")


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
    assert request.description == "1 run · est. $0.0001 at $5/TB · latest query id a1b2c3d4-5678-90ab-cdef-1234567890ab"


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
