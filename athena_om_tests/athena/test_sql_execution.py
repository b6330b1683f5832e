"""The shared Athena execution layer: the byte budget, concurrency and skipping, and the per-query timeout."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from athena_om.athena.sql_execution import (
    SELF_ISSUED_COMMENT,
    ByteBudget,
    PollBackoff,
    PyAthenaRunner,
    QueryJob,
    QueryRows,
    QueryStatistics,
    QueryTimeoutError,
    SqlExecutor,
    billed_bytes,
    cost_usd,
    with_self_issued_comment,
)


class FakeRunner:
    """Answers each statement with a fixed scan; records the order and the peak concurrency."""

    def __init__(self, scanned: dict[str, int], fail: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.scanned = scanned
        self.fail = fail
        self.issued: list[str] = []
        self.running = 0
        self.peak = 0
        self.lock = threading.Lock()

    def run(self, sql: str, *, database: str | None, timeout_s: float) -> QueryRows:
        with self.lock:
            self.issued.append(sql)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            if sql in self.fail:
                raise QueryTimeoutError(f"query for {sql} ran past its timeout and was stopped")
            return QueryRows(("x",), ((1,),), QueryStatistics(f"id-{sql}", self.scanned[sql]))
        finally:
            with self.lock:
                self.running -= 1


def jobs(*specs: tuple[str, int]) -> list[QueryJob]:
    return [QueryJob(key=name, sql=name, estimated_bytes=estimate, timeout_s=60) for name, estimate in specs]


def test_the_self_issued_comment_comes_first_once() -> None:
    assert with_self_issued_comment("SELECT 1").startswith(SELF_ISSUED_COMMENT)
    assert with_self_issued_comment(with_self_issued_comment("SELECT 1")).count(SELF_ISSUED_COMMENT) == 1


def test_athena_bills_at_least_ten_megabytes() -> None:
    assert billed_bytes(1) == 10 * 1024 * 1024
    assert billed_bytes(50 * 1024**2) == 50 * 1024**2
    assert cost_usd(1024**4, 5.0) == pytest.approx(5.0)


def test_budget_reserves_estimates_and_charges_what_was_scanned() -> None:
    budget = ByteBudget(limit=100)
    assert budget.try_reserve(60)
    assert not budget.try_reserve(50)  # 60 reserved + 50 > 100
    budget.settle(60, 10)  # the query scanned far less than estimated
    assert budget.remaining == 90
    assert budget.try_reserve(50)
    budget.settle(50, 95)
    assert budget.exhausted and not budget.try_reserve(0)


def test_the_run_stops_issuing_queries_once_its_budget_is_spent() -> None:
    runner = FakeRunner({"a": 60, "b": 60, "c": 1})
    executor = SqlExecutor(runner, ByteBudget(limit=100), max_concurrent=1)
    outcomes = {o.job.key: o for o in executor.run_all(jobs(("a", 50), ("b", 30), ("c", 1)))}
    assert runner.issued == ["a", "b"]  # b's estimate fitted; after b the 100 bytes are spent
    assert outcomes["c"].skipped and "maxBytesPerRun" in outcomes["c"].skipped
    assert executor.budget.spent == 120


def test_up_to_max_concurrent_queries_run_at_once() -> None:
    runner = FakeRunner({name: 1 for name in "abcdefgh"})
    executor = SqlExecutor(runner, ByteBudget(limit=10**9), max_concurrent=3)
    outcomes = list(executor.run_all(jobs(*((name, 1) for name in "abcdefgh"))))
    assert len(outcomes) == 8 and all(o.result for o in outcomes)
    assert runner.peak <= 3


def test_a_timed_out_query_fails_its_table_only_and_is_charged_its_estimate() -> None:
    runner = FakeRunner({"a": 5, "b": 5}, fail={"a"})
    executor = SqlExecutor(runner, ByteBudget(limit=1000), max_concurrent=1)
    outcomes = {o.job.key: o for o in executor.run_all(jobs(("a", 40), ("b", 5)))}
    assert outcomes["a"].error and "timeoutSeconds" in outcomes["a"].error
    assert outcomes["b"].result is not None
    assert executor.budget.spent == 45


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _running(query_id: str) -> dict[str, Any]:
    return {"QueryExecution": {"QueryExecutionId": query_id, "Query": "SELECT 1", "Status": {"State": "RUNNING"}}}


def test_a_query_past_its_timeout_is_stopped_with_stop_query_execution() -> None:
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    stubber = Stubber(client)
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q-1"})
    for _ in range(5):  # polls at 0, 0.2, 0.6, 1.4 and 1.5 s; the deadline is 1.5 s
        stubber.add_response("get_query_execution", _running("q-1"))
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    stubber.activate()

    from pyathena import connect

    def connection() -> Any:
        conn = connect(s3_staging_dir="s3://results/", region_name="us-east-1", work_group="wg",
                       aws_access_key_id="k", aws_secret_access_key="s")  # fmt: skip
        conn._client = client
        return conn

    clock = FakeClock()
    runner = PyAthenaRunner(connection, clock=clock, sleep=clock.sleep, backoff=PollBackoff(0.2, 5.0))
    with pytest.raises(QueryTimeoutError, match="q-1"):
        runner.run("SELECT 1", database=None, timeout_s=1.5)
    stubber.assert_no_pending_responses()
    assert clock.sleeps == [0.2, 0.4, 0.8, pytest.approx(0.1)]  # backing off, never past the deadline
