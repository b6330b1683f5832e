"""Zero-scan profile sources through the planner and the AWS sandbox: an Iceberg table's row count from its
``$files`` metadata table, and Glue column statistics when they are newer than the data (``useStatistics``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from athena_om.athena.sql_execution import ByteBudget, PyAthenaRunner, QueryRows, SqlExecutor
from athena_om.mapping.filters import FilterPattern
from athena_om.mapping.fqn import encode_entity_name, table_fqn
from athena_om.openmetadata.batches import PutTableProfile, SyncBatch
from athena_om.resources.aws import AthenaResource
from athena_om.sandbox.aws import AwsSandbox
from athena_om.sync.profile_options import ProfilerOptions
from athena_om.sync.profiles import ProfileRun, plan_database_profiles
from athena_om_tests.aws_sandbox import running_aws_sandbox

SERVICE = "athena_sandbox"
COLUMNS = ("event_id", "order_id", "event_type", "event_ts", "payload")


@pytest.fixture(scope="module")
def aws() -> Iterator[AwsSandbox]:
    with running_aws_sandbox() as sandbox:
        yield sandbox


class RecordingRunner:
    def __init__(self, inner: PyAthenaRunner) -> None:
        self.inner = inner
        self.sql: list[str] = []

    def run(self, sql: str, *, database: str | None, timeout_s: float) -> QueryRows:
        self.sql.append(sql)
        return self.inner.run(sql, database=database, timeout_s=timeout_s)


class StubOpenMetadata:
    ui_base_url = "http://openmetadata.invalid"

    def list_all(self, collection: str, params: dict[str, Any], fields: list[str]) -> list[dict[str, Any]]:
        return [
            {
                "id": str(uuid.uuid4()),
                "name": encode_entity_name("order_events"),
                "fullyQualifiedName": table_fqn(SERVICE, "default", "demo_sales", "order_events"),
                "columns": [{"name": name} for name in COLUMNS],
            }
        ]


def profile_order_events(aws: AwsSandbox, **overrides: Any) -> tuple[SyncBatch, list[str]]:
    options = ProfilerOptions(
        service_name=SERVICE, table_filter=FilterPattern(includes=["^order_events$"]), **overrides
    )
    resource = AthenaResource(region_name=aws.region, s3_staging_dir="s3://athena-om-sandbox-results/")
    runner = RecordingRunner(PyAthenaRunner(resource.pyathena_connection))
    run = ProfileRun(
        glue=aws.client("glue"),
        s3=aws.client("s3"),
        executor=SqlExecutor(runner, ByteBudget(options.max_bytes_per_run)),
        client=StubOpenMetadata(),  # type: ignore[arg-type]
        options=options,
    )
    return plan_database_profiles(run, "demo_sales"), runner.sql


def the_profile(batch: SyncBatch) -> Any:
    profiles = [op for op in batch.operations if isinstance(op, PutTableProfile)]
    assert len(profiles) == 1, batch.failures
    return profiles[0].profile


def rows_of_order_events(aws: AwsSandbox) -> int:
    return int(aws.sql_engine.execute('SELECT count(*) FROM "demo_sales"."order_events"').rows[0][0])


def test_sandbox_answers_iceberg_files_with_one_row_per_data_file(aws: AwsSandbox) -> None:
    result = aws.sql_engine.execute(
        'SELECT count(*), sum(record_count), min(file_size_in_bytes) FROM "demo_sales"."order_events$files"'
    )
    files, records, smallest = result.rows[0]
    assert files >= 1 and records == rows_of_order_events(aws) and smallest > 0
    assert result.data_scanned_bytes == 0 and result.tables_scanned == 0


def test_iceberg_row_count_comes_from_files_without_a_data_scan(aws: AwsSandbox) -> None:
    batch, sql = profile_order_events(aws, compute_column_metrics=False)
    assert len(sql) == 1 and '"order_events$files"' in sql[0]
    assert batch.metadata["bytes_scanned"] == 0 and batch.metadata["athena_queries"] == 1
    profile = the_profile(batch)
    assert profile.tableProfile.rowCount == rows_of_order_events(aws)
    assert profile.columnProfile is None


def _put_statistics(aws: AwsSandbox, analyzed: dt.datetime) -> None:
    counts = {"NumberOfNulls": 0, "NumberOfDistinctValues": 900}
    long = {"Type": "LONG", "LongColumnStatisticsData": {"MinimumValue": 3, "MaximumValue": 977, **counts}}
    lengths = {"MaximumLength": 12, "AverageLength": 7.5, "NumberOfNulls": 10, "NumberOfDistinctValues": 40}
    text = {"Type": "STRING", "StringColumnStatisticsData": lengths}
    kinds = {"order_id": long, "event_ts": {"Type": "DATE", "DateColumnStatisticsData": counts}}
    aws.client("glue").update_column_statistics_for_table(
        DatabaseName="demo_sales",
        TableName="order_events",
        ColumnStatisticsList=[
            {"ColumnName": name, "ColumnType": "x", "AnalyzedTime": analyzed, "StatisticsData": kinds.get(name, text)}
            for name in COLUMNS
        ],
    )


def test_fresh_glue_column_statistics_profile_the_columns_without_a_scan(aws: AwsSandbox) -> None:
    _put_statistics(aws, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    batch, sql = profile_order_events(aws, use_statistics=True)
    assert len(sql) == 1 and "$files" in sql[0]
    assert batch.metadata["bytes_scanned"] == 0
    profile = the_profile(batch)
    rows = rows_of_order_events(aws)
    columns = {c.name: c for c in profile.columnProfile}
    assert (columns["order_id"].min, columns["order_id"].max, columns["order_id"].distinctCount) == (3, 977, 900)
    assert columns["order_id"].valuesCount == rows
    assert (columns["payload"].nullCount, columns["payload"].valuesCount) == (10, rows - 10)
    assert columns["payload"].maxLength == 12
    assert "Glue column statistics" in batch.metadata["largest_tables"]


def test_statistics_older_than_the_data_are_not_used(aws: AwsSandbox) -> None:
    _put_statistics(aws, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    batch, sql = profile_order_events(aws, use_statistics=True)
    assert len(sql) == 1 and "$files" not in sql[0] and "APPROX_DISTINCT" in sql[0]
    assert the_profile(batch).columnProfile is not None


def test_without_use_statistics_glue_statistics_are_not_read(aws: AwsSandbox) -> None:
    _put_statistics(aws, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    _, sql = profile_order_events(aws)
    assert len(sql) == 1 and "$files" not in sql[0]
