"""The sensor's polling of the query history, the sensor itself and the daily schedule, against the AWS sandbox."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dagster import RunRequest, SensorResult, build_schedule_context, build_sensor_context, instance_for_test

from athena_om.athena.query_history_poll import LOOKBACK, HistoryCursor, poll_query_history
from athena_om.defs.usage.schedules import daily_query_history
from athena_om.defs.usage.sensors import athena_query_history_sensor
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sandbox.aws import AwsSandbox, QueryRecord, add_query_executions
from athena_om.sandbox.aws.demo_history import demo_query_history
from athena_om.sandbox.aws.query_history import records_of
from athena_om_tests.sync.conftest import DEMO_NOW

SANDBOX_CONFIG = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"


def athena(sandbox: AwsSandbox) -> object:
    return sandbox.client("athena")


def counted(sandbox: AwsSandbox, cursor: HistoryCursor, now: datetime) -> tuple[object, Counter[str]]:
    sandbox.reset_request_counts()
    poll = poll_query_history(athena(sandbox), cursor, now=now)
    return poll, Counter(sandbox.request_counts())


def add(sandbox: AwsSandbox, sql: str, submitted: datetime, state: str = "SUCCEEDED") -> QueryRecord:
    record = QueryRecord(
        query=sql, submitted=submitted, completed=submitted + timedelta(seconds=5), state=state, database="demo_sales"
    )
    add_query_executions([record], sandbox.account_id, sandbox.region)
    return record


def test_cursor_round_trips_and_bad_cursors_start_afresh() -> None:
    cursor = HistoryCursor(DEMO_NOW, {"primary": {"a": 1}}, ["primary"], DEMO_NOW)
    assert HistoryCursor.from_json(cursor.to_json()) == cursor
    assert HistoryCursor.from_json("not json") == HistoryCursor()
    assert HistoryCursor.from_json(None) == HistoryCursor()


def test_polling_finds_new_days_then_idles_at_one_request_per_workgroup(sandbox: AwsSandbox) -> None:
    # First tick: only queries submitted within the lookback of now count.
    first, requests = counted(sandbox, HistoryCursor(), DEMO_NOW)
    recent = [
        r
        for r in demo_query_history(now=DEMO_NOW)
        if r.completed >= DEMO_NOW - LOOKBACK and r.state == "SUCCEEDED" and not r.query.startswith("/*")
    ]
    assert first.days == sorted({r.submitted.date() for r in recent})
    assert first.cursor.newest_completion is not None
    assert requests["athena:ListWorkGroups"] == 1

    # Nothing new: one ListQueryExecutions per workgroup (etl and primary), workgroups cached in the cursor.
    cursor = HistoryCursor.from_json(first.cursor.to_json())
    idle, requests = counted(sandbox, cursor, DEMO_NOW + timedelta(minutes=5))
    assert idle.days == [] and idle.new_queries == 0
    assert requests == Counter({"athena:ListQueryExecutions": 2})

    # A finished query, a running one and a self-issued one arrive.
    at = DEMO_NOW + timedelta(minutes=6)
    add(sandbox, "SELECT * FROM demo_sales.orders", at)
    running = add(sandbox, "SELECT * FROM demo_sales.customers", at + timedelta(seconds=1), state="RUNNING")
    add(sandbox, "/* athena-om */ SELECT count(*) FROM demo_sales.orders", at + timedelta(seconds=2))
    busy, requests = counted(sandbox, idle.cursor, at + timedelta(minutes=1))
    assert busy.days == [at.date()] and busy.new_queries == 1
    assert requests["athena:BatchGetQueryExecution"] == 1

    # The running query finishes: noticed on the next tick, and only it.
    records_of(sandbox.athena)[running.query_execution_id].state = "SUCCEEDED"
    done, _ = counted(sandbox, busy.cursor, at + timedelta(minutes=2))
    assert done.new_queries == 1
    after, requests = counted(sandbox, done.cursor, at + timedelta(minutes=3))
    assert after.new_queries == 0 and requests == Counter({"athena:ListQueryExecutions": 2})


def resources(sandbox: AwsSandbox) -> dict[str, object]:
    return {
        "aws": AthenaResource(region_name=sandbox.region, endpoint_url=sandbox.endpoint_url),
        "settings": AthenaOmSettingsResource(config_path=str(SANDBOX_CONFIG)),
    }


def test_sensor_requests_runs_for_days_with_new_queries_and_moves_its_cursor(sandbox: AwsSandbox) -> None:
    start = poll_query_history(athena(sandbox), HistoryCursor(), now=DEMO_NOW + timedelta(hours=1)).cursor
    with instance_for_test() as instance:
        idle = athena_query_history_sensor(
            build_sensor_context(instance=instance, cursor=start.to_json(), resources=resources(sandbox))
        )
        assert isinstance(idle, SensorResult)
        assert not idle.run_requests and idle.skip_reason is not None
        assert HistoryCursor.from_json(idle.cursor).seen == start.seen

        at = DEMO_NOW + timedelta(hours=1, minutes=1)
        record = add(sandbox, "SELECT * FROM demo_marketing.campaigns", at)
        result = athena_query_history_sensor(
            build_sensor_context(instance=instance, cursor=idle.cursor, resources=resources(sandbox))
        )
        assert isinstance(result, SensorResult)
        (request,) = result.run_requests
        assert request.partition_key == at.date().isoformat()
        assert request.job_name in (None, "athena_query_history_job")
        cursor = HistoryCursor.from_json(result.cursor)
        assert record.query_execution_id in cursor.seen["primary"]
        assert cursor.newest_completion == record.completed


def test_daily_schedule_runs_yesterday() -> None:
    context = build_schedule_context(scheduled_execution_time=datetime(2026, 3, 16, 3, 0, tzinfo=UTC))
    request = daily_query_history(context)
    assert isinstance(request, RunRequest)
    assert request.partition_key == date(2026, 3, 15).isoformat()
