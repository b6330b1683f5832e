"""Reading Athena query history: where paging stops, the retry of unprocessed ids, unreadable workgroups, and the
[start, end) window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from athena_om.athena.query_history import HistoryRead, iter_history_batches, read_history
from athena_om_tests.athena.stubbed_aws import stubbed

START = datetime(2026, 3, 9, tzinfo=UTC)
END = START + timedelta(days=1)


def execution(query_id: str, submitted: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "QueryExecutionId": query_id,
        "Query": f"SELECT '{query_id}'",
        "Status": {"State": "SUCCEEDED", "SubmissionDateTime": submitted},
        **extra,
    }


def listed(ids: list[str], next_token: str | None = None) -> dict[str, Any]:
    return {"QueryExecutionIds": ids, **({"NextToken": next_token} if next_token else {})}


def list_params(workgroup: str = "primary", token: str | None = None) -> dict[str, Any]:
    return {"WorkGroup": workgroup, "MaxResults": 50, **({"NextToken": token} if token else {})}


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def test_paging_stops_at_the_first_page_reaching_before_start() -> None:
    result = HistoryRead()
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["q4", "q3"], "p2"), list_params())
        stub.add_response(
            "batch_get_query_execution",
            {"QueryExecutions": [execution("q4", at(5)), execution("q3", at(4))]},
            {"QueryExecutionIds": ["q4", "q3"]},
        )
        stub.add_response("list_query_executions", listed(["q2", "q1"], "p3"), list_params(token="p2"))
        stub.add_response(
            "batch_get_query_execution",
            {"QueryExecutions": [execution("q2", at(1)), execution("q1", at(-1))]},
            {"QueryExecutionIds": ["q2", "q1"]},
        )
        # No answer stubbed for page p3: asking for it fails the test.
        batches = list(iter_history_batches(athena, "primary", result, start=START))

    assert [[q.query_id for q in batch] for batch in batches] == [["q4", "q3"], ["q2", "q1"]]
    assert result.pages == 2


def test_paging_stops_at_a_page_holding_a_known_id_and_known_ids_are_not_fetched() -> None:
    result = HistoryRead()
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["q9", "q8", "q7"], "p2"), list_params("etl"))
        stub.add_response(
            "batch_get_query_execution",
            {"QueryExecutions": [execution("q9", at(9))]},
            {"QueryExecutionIds": ["q9"]},
        )
        batches = list(iter_history_batches(athena, "etl", result, start=START, known={"q8", "q7"}))

    assert [[q.query_id for q in batch] for batch in batches] == [["q9"]]
    assert result.pages == 1


def test_an_idle_tick_costs_one_list_call() -> None:
    result = HistoryRead()
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["q2", "q1"], "p2"), list_params())
        batches = list(iter_history_batches(athena, "primary", result, start=START, known={"q2", "q1"}))
    assert batches == [[]] and result.pages == 1


def test_unprocessed_ids_are_retried_once_then_reported() -> None:
    result = HistoryRead()
    unprocessed = [
        {"QueryExecutionId": "q2", "ErrorCode": "Throttled"},
        {"QueryExecutionId": "q3", "ErrorCode": "Throttled"},
    ]
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["q3", "q2", "q1"]), list_params())
        stub.add_response(
            "batch_get_query_execution",
            {"QueryExecutions": [execution("q1", at(1))], "UnprocessedQueryExecutionIds": unprocessed},
            {"QueryExecutionIds": ["q3", "q2", "q1"]},
        )
        stub.add_response(
            "batch_get_query_execution",
            {"QueryExecutions": [execution("q2", at(2))], "UnprocessedQueryExecutionIds": unprocessed[1:]},
            {"QueryExecutionIds": ["q2", "q3"]},
        )
        (batch,) = list(iter_history_batches(athena, "primary", result, start=START))

    assert sorted(q.query_id for q in batch) == ["q1", "q2"]
    assert result.unprocessed == ["q3"]


def test_the_window_is_start_inclusive_end_exclusive_and_results_are_sorted_across_workgroups() -> None:
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["late", "end", "b", "a"]), list_params("primary"))
        stub.add_response(
            "batch_get_query_execution",
            {
                "QueryExecutions": [
                    execution("late", END + timedelta(hours=1)),
                    execution("end", END),
                    execution("b", at(3)),
                    execution("a", START),
                ]
            },
        )
        stub.add_response("list_query_executions", listed(["naive", "tie", "old"]), list_params("etl"))
        stub.add_response(
            "batch_get_query_execution",
            {
                "QueryExecutions": [
                    # A time without a zone is UTC: it still falls in the window.
                    execution("naive", at(2).replace(tzinfo=None)),
                    execution("tie", at(3)),
                    execution("old", START - timedelta(seconds=1)),
                ]
            },
        )
        read = read_history(athena, ["primary", "etl"], start=START, end=END)

    assert [q.query_id for q in read.queries] == ["a", "naive", "b", "tie"]
    assert read.errors == [] and read.pages == 2
    assert all(q.submitted_at is not None and q.submitted_at.tzinfo is not None for q in read.queries)


def test_a_query_is_read_with_its_statistics_and_context() -> None:
    item = execution(
        "q1",
        at(1),
        StatementType="DML",
        SubstatementType="SELECT",
        WorkGroup="primary",
        QueryExecutionContext={"Database": "sales", "Catalog": "awsdatacatalog"},
        Statistics={"EngineExecutionTimeInMillis": 120, "TotalExecutionTimeInMillis": 150, "DataScannedInBytes": 42},
    )
    item["Status"] |= {"CompletionDateTime": at(1.01), "StateChangeReason": "done"}
    with stubbed("athena") as (athena, stub):
        stub.add_response("list_query_executions", listed(["q1"]), list_params())
        stub.add_response("batch_get_query_execution", {"QueryExecutions": [item]})
        (query,) = read_history(athena, ["primary"], start=START, end=END).queries

    assert (query.statement_type, query.substatement_type, query.state) == ("DML", "SELECT", "SUCCEEDED")
    assert (query.database, query.catalog, query.workgroup) == ("sales", "awsdatacatalog", "primary")
    assert (query.engine_execution_ms, query.total_execution_ms, query.data_scanned_bytes) == (120, 150, 42)
    assert query.completed_at == at(1.01) and query.state_change_reason == "done"


def test_an_unreadable_workgroup_is_reported_with_the_permission_and_the_others_are_read() -> None:
    with stubbed("athena") as (athena, stub):
        stub.add_client_error("list_query_executions", "AccessDeniedException", "denied", 400)
        stub.add_response("list_query_executions", listed(["q1"]), list_params("etl"))
        stub.add_response("batch_get_query_execution", {"QueryExecutions": [execution("q1", at(1))]})
        read = read_history(athena, ["locked", "etl"], start=START, end=END)

    assert [q.query_id for q in read.queries] == ["q1"]
    (error,) = read.errors
    assert "'locked'" in error and "AccessDeniedException" in error
    assert "athena:ListQueryExecutions" in error and "athena:BatchGetQueryExecution" in error
