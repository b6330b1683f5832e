"""The sandbox's Athena reads tables from their S3 objects and bills DataScannedInBytes as Athena does."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from athena_om.sandbox.aws import AwsSandbox
from athena_om.sandbox.aws.athena_patches import MINIMUM_BILLED_BYTES
from athena_om.sandbox.aws.demo_data import ROW_COUNTS
from athena_om.sandbox.aws.glue_tables import STORAGE_FORMATS

BYO_BUCKET = "bring-your-own"


def _query(sql: str, database: str = "demo_sales") -> tuple[list[list[str | None]], int]:
    """Run through the Athena API; (data rows as text, DataScannedInBytes)."""
    athena = boto3.client("athena")
    query_id = athena.start_query_execution(
        QueryString=sql, WorkGroup="primary", QueryExecutionContext={"Database": database}
    )["QueryExecutionId"]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"][1:]
    data = [[cell.get("VarCharValue") for cell in row["Data"]] for row in rows]
    return data, execution["Statistics"]["DataScannedInBytes"]


def _table_input(name: str, storage: str, columns: list[tuple[str, str]], location: str, **extra: Any) -> dict:
    _, input_format, output_format, serde, serde_params = STORAGE_FORMATS[storage]
    table: dict[str, Any] = {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": dict(extra.pop("parameters", {})),
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in extra.pop("partition_keys", [])],
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "Location": location,
            "InputFormat": input_format,
            "OutputFormat": output_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": {**serde_params, **extra.pop("serde", {})}},
        },
    }
    return table


@pytest.fixture(scope="module")
def byo(sandbox: AwsSandbox) -> str:
    """A database for data brought with plain boto3 calls."""
    boto3.client("s3").create_bucket(Bucket=BYO_BUCKET)
    boto3.client("glue").create_database(DatabaseInput={"Name": "byo"})
    return "byo"


def test_csv_put_with_boto3_and_a_glue_table_is_queryable(byo: str) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    body = (
        "id|name|amount|seen\n1|ana|2.50|2025-06-01 10:00:00\n2|ben|\\N|2025-06-02 11:30:00\n3|chen|7.25|not a time\n"
    )
    s3.put_object(Bucket=BYO_BUCKET, Key="people/part-0.csv", Body=body.encode())
    s3.put_object(Bucket=BYO_BUCKET, Key="people/_SUCCESS", Body=b"ignored")
    glue.create_table(
        DatabaseName=byo,
        TableInput=_table_input(
            "people",
            "csv",
            [("id", "bigint"), ("name", "string"), ("amount", "decimal(10,2)"), ("seen", "timestamp")],
            f"s3://{BYO_BUCKET}/people/",
            parameters={"skip.header.line.count": "1"},
            serde={"field.delim": "|"},
        ),
    )
    rows, _ = _query("SELECT id, name, amount, seen FROM people ORDER BY id", byo)
    assert rows == [
        ["1", "ana", "2.50", "2025-06-01 10:00:00.000"],
        ["2", "ben", None, "2025-06-02 11:30:00.000"],
        ["3", "chen", "7.25", None],
    ]
    # A new object is read by the next query, with no other step.
    s3.put_object(Bucket=BYO_BUCKET, Key="people/part-1.csv", Body=b"id|name|amount|seen\n4|dara|1.00|\n")
    assert _query("SELECT count(*) FROM people", byo)[0] == [["4"]]


def test_json_lines_in_registered_hive_partitions(byo: str) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    location = f"s3://{BYO_BUCKET}/events/"
    s3.put_object(Bucket=BYO_BUCKET, Key="events/dt=2025-06-01/a.json", Body=b'{"id": 1, "tags": ["x"]}\n{"id": 2}\n')
    s3.put_object(Bucket=BYO_BUCKET, Key="events/dt=2025-06-02/b.json", Body=b'{"id": 3, "tags": ["y", "z"]}\n')
    # A folder no Glue partition names is not read, as in Athena.
    s3.put_object(Bucket=BYO_BUCKET, Key="events/dt=2025-06-09/c.json", Body=b'{"id": 9}\n')
    glue.create_table(
        DatabaseName=byo,
        TableInput=_table_input(
            "events", "json", [("id", "int"), ("tags", "array<string>")], location, partition_keys=[("dt", "string")]
        ),
    )
    for day in ("2025-06-01", "2025-06-02"):
        glue.create_partition(
            DatabaseName=byo,
            TableName="events",
            PartitionInput={"Values": [day], "StorageDescriptor": {"Location": f"{location}dt={day}/"}},
        )
    rows, _ = _query("SELECT dt, id, cardinality(tags) FROM events ORDER BY id", byo)
    assert rows == [["2025-06-01", "1", "1"], ["2025-06-01", "2", None], ["2025-06-02", "3", "2"]]


def test_projected_partitions_follow_the_storage_template(byo: str) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    for region, hour in (("eu", 1), ("us", 2), ("mars", 3)):
        body = f"{hour}\n".encode()
        s3.put_object(Bucket=BYO_BUCKET, Key=f"clicks/{region}/{hour:02d}/x.csv", Body=body)
    glue.create_table(
        DatabaseName=byo,
        TableInput=_table_input(
            "clicks",
            "csv",
            [("n", "int")],
            f"s3://{BYO_BUCKET}/clicks/",
            partition_keys=[("region", "string"), ("hour", "int")],
            parameters={
                "projection.enabled": "true",
                "projection.region.type": "enum",
                "projection.region.values": "eu,us",
                "projection.hour.type": "integer",
                "projection.hour.range": "0,23",
                "projection.hour.digits": "2",
                "storage.location.template": f"s3://{BYO_BUCKET}/clicks/${{region}}/${{hour}}/",
            },
        ),
    )
    rows, _ = _query("SELECT region, hour, n FROM clicks ORDER BY hour", byo)
    assert rows == [["eu", "1", "1"], ["us", "2", "2"]]


def test_demo_lake_rows_live_in_s3_objects(sandbox: AwsSandbox) -> None:
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="athena-om-demo-lake")["Contents"]]
    assert any(k.startswith("demo_sales/orders/dt=2025-06-01/region=us/") and k.endswith(".parquet") for k in keys)
    assert any(k.startswith("demo_marketing/web_sessions/2025-06-01/eu/") for k in keys)
    assert any(k.startswith("demo_marketing/ad_clicks/campaign_id=CMP-01/hour=") and k.endswith(".csv") for k in keys)
    assert any(k.startswith("demo_raw/raw_orders_json/dt=") and k.endswith(".json") for k in keys)
    assert _query("SELECT count(*) FROM orders")[0] == [[str(ROW_COUNTS["orders"])]]
    assert _query("SELECT count(*) FROM web_sessions", "demo_marketing")[0] == [[str(ROW_COUNTS["web_sessions"])]]


def _scanned(sandbox: AwsSandbox, sql: str) -> int:
    """Object bytes read before Athena's 10 MB minimum, from the engine."""
    return sandbox.sql_engine.execute(sql, "demo_sales").data_scanned_bytes


def test_partition_pruning_reads_fewer_bytes(sandbox: AwsSandbox) -> None:
    whole = _scanned(sandbox, "SELECT max(total_amount) FROM orders")
    one_day = _scanned(sandbox, "SELECT max(total_amount) FROM orders WHERE dt = '2025-06-03'")
    one_day_one_region = _scanned(
        sandbox, "SELECT max(total_amount) FROM orders WHERE dt = '2025-06-03' AND region = 'us'"
    )
    days = _scanned(sandbox, "SELECT max(total_amount) FROM orders WHERE dt BETWEEN '2025-06-01' AND '2025-06-02'")
    assert 0 < one_day_one_region < one_day < days < whole
    # A predicate on a data column prunes nothing.
    assert _scanned(sandbox, "SELECT max(total_amount) FROM orders WHERE status = 'placed'") >= whole


def test_parquet_reads_only_the_columns_used(sandbox: AwsSandbox) -> None:
    one = _scanned(sandbox, "SELECT max(order_id) FROM orders")
    two = _scanned(sandbox, "SELECT max(order_id), max(status) FROM orders")
    everything = _scanned(sandbox, "SELECT * FROM orders")
    assert 0 < one < two < everything
    # Text formats are read whole whatever the columns.
    csv_one = sandbox.sql_engine.execute("SELECT max(cost) FROM ad_clicks", "demo_marketing").data_scanned_bytes
    csv_all = sandbox.sql_engine.execute("SELECT * FROM ad_clicks", "demo_marketing").data_scanned_bytes
    assert csv_one == csv_all > 0


def test_tablesample_system_reads_a_share_of_the_files(sandbox: AwsSandbox) -> None:
    whole = _scanned(sandbox, "SELECT max(total_amount) FROM orders")
    sampled = _scanned(sandbox, "SELECT max(total_amount) FROM orders TABLESAMPLE SYSTEM (25)")
    assert 0 < sampled < whole / 2
    count = sandbox.sql_engine.execute("SELECT count(*) FROM orders TABLESAMPLE SYSTEM (25)", "demo_sales").rows[0][0]
    assert 0 < count < ROW_COUNTS["orders"] / 2
    # BERNOULLI samples rows but reads every file; the sample is the same on every run.
    bernoulli = "SELECT count(*), max(total_amount) FROM orders TABLESAMPLE BERNOULLI (10)"
    first = sandbox.sql_engine.execute(bernoulli, "demo_sales")
    assert first.data_scanned_bytes == whole
    assert 0.05 * ROW_COUNTS["orders"] < first.rows[0][0] < 0.15 * ROW_COUNTS["orders"]
    assert sandbox.sql_engine.execute(bernoulli, "demo_sales").rows == first.rows


def test_views_bill_the_tables_they_read(sandbox: AwsSandbox) -> None:
    assert _scanned(sandbox, "SELECT * FROM daily_revenue") > 0


def test_small_queries_bill_the_10_mb_minimum(sandbox: AwsSandbox) -> None:
    _, scanned = _query("SELECT max(order_id) FROM orders WHERE dt = '2025-06-01'")
    assert scanned == MINIMUM_BILLED_BYTES
    assert _query("SELECT 1")[1] == 0


def _big_parquet(rows: int, seed: int) -> bytes:
    """A Parquet file with an incompressible text column (about 35 bytes a row) and a small integer column."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "big.parquet"
        duckdb.execute(
            f"COPY (SELECT md5(CAST(i * {seed} AS VARCHAR)) AS s, CAST(i % 7 AS INTEGER) AS k FROM range({rows}) t(i)) "
            f"TO '{path}' (FORMAT parquet)"
        )
        return path.read_bytes()


def test_data_scanned_beyond_the_minimum_follows_partitions_and_columns(byo: str) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    for day, seed in (("a", 3), ("b", 5)):
        s3.upload_fileobj(io.BytesIO(_big_parquet(400_000, seed)), BYO_BUCKET, f"big/day={day}/part-0.parquet")
    glue.create_table(
        DatabaseName=byo,
        TableInput=_table_input(
            "big",
            "parquet",
            [("s", "string"), ("k", "int")],
            f"s3://{BYO_BUCKET}/big/",
            partition_keys=[("day", "string")],
            parameters={"projection.enabled": "true", "projection.day.type": "enum", "projection.day.values": "a,b"},
        ),
    )
    rows, both_days = _query("SELECT count(s) FROM big", byo)
    assert rows == [["800000"]]
    _, one_day = _query("SELECT count(s) FROM big WHERE day = 'b'", byo)
    _, small_column = _query("SELECT max(k) FROM big", byo)
    assert both_days > one_day > MINIMUM_BILLED_BYTES
    assert abs(both_days - 2 * one_day) < one_day / 10
    assert small_column == MINIMUM_BILLED_BYTES
