"""The Glue catalog sensor and the daily refresh schedules, evaluated as functions against a real instance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import DagsterInstance, SensorResult, build_schedule_context, build_sensor_context, instance_for_test

from athena_om.defs.metadata.partitions import GLUE_DATABASES
from athena_om.defs.metadata.schedules import daily_tables_refresh
from athena_om.defs.metadata.sensors import glue_catalog_sensor
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sandbox.aws import DEMO_DATABASES, AwsSandbox
from athena_om_tests.aws_sandbox import running_aws_sandbox

EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[AwsSandbox]:
    with running_aws_sandbox() as aws:
        yield aws


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as test_instance:
        yield test_instance


def evaluate(instance: DagsterInstance, cursor: str | None) -> SensorResult:
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={
            "aws": AthenaResource(region_name="us-east-1"),
            "settings": AthenaOmSettingsResource(config_path=str(EXAMPLE)),
        },
    )
    result = glue_catalog_sensor(context)
    assert isinstance(result, SensorResult)
    return result


def test_first_tick_adds_partitions_and_requests_every_database(sandbox: AwsSandbox, instance: DagsterInstance) -> None:
    result = evaluate(instance, None)
    names = {db.name for db in DEMO_DATABASES}
    (add_request,) = result.dynamic_partitions_requests
    assert set(add_request.partition_keys) == names
    partition_runs = {r.partition_key for r in result.run_requests if r.partition_key}
    assert partition_runs == names
    assert any(r.job_name == "athena_schemas_job" for r in result.run_requests)
    assert set(json.loads(result.cursor)) == names


def test_quiet_tick_requests_nothing_and_a_changed_table_refreshes_only_its_database(
    sandbox: AwsSandbox, instance: DagsterInstance
) -> None:
    first = evaluate(instance, None)
    instance.add_dynamic_partitions(GLUE_DATABASES, [db.name for db in DEMO_DATABASES])
    sandbox.reset_request_counts()
    quiet = evaluate(instance, first.cursor)
    assert quiet.run_requests == [] and quiet.dynamic_partitions_requests == []
    # One database listing, then one page of tables per database (each has under 100 tables).
    assert sandbox.request_counts() == {"glue:GetDatabases": 1, "glue:GetTables": len(DEMO_DATABASES)}

    glue = sandbox.client("glue")
    table = glue.get_table(DatabaseName="demo_marketing", Name="campaigns")["Table"]
    glue.update_table(
        DatabaseName="demo_marketing",
        TableInput={
            "Name": table["Name"],
            "Description": "changed at " + datetime.now(UTC).isoformat(),
            "StorageDescriptor": table["StorageDescriptor"],
            "TableType": table.get("TableType", "EXTERNAL_TABLE"),
        },
    )
    changed = evaluate(instance, quiet.cursor)
    assert [r.partition_key for r in changed.run_requests] == ["demo_marketing"]


def test_daily_refresh_runs_one_partition_per_database(instance: DagsterInstance) -> None:
    instance.add_dynamic_partitions(GLUE_DATABASES, ["a", "b"])
    context = build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 1, 2, 2, 30, tzinfo=UTC)
    )
    requests = daily_tables_refresh(context)
    assert [r.partition_key for r in requests] == ["a", "b"]
    assert len({r.run_key for r in requests}) == 2
