"""The seeded demo lake, synthetic catalog speed and hostile cases."""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from botocore.exceptions import ClientError

from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_hostile_tables


def test_demo_lake_has_databases_tables_and_formats(sandbox: AwsSandbox) -> None:
    glue = boto3.client("glue")
    databases = {d["Name"]: d for d in glue.get_databases()["DatabaseList"]}
    assert {"demo_sales", "demo_marketing", "demo_raw"} <= set(databases)
    assert all(databases[n]["LocationUri"].startswith("s3://") for n in ("demo_sales", "demo_raw"))
    tables = [
        t for db in ("demo_sales", "demo_marketing", "demo_raw") for t in glue.get_tables(DatabaseName=db)["TableList"]
    ]
    assert len(tables) >= 12 and len(tables) == len(DEMO_TABLES)
    classifications = {t["Parameters"].get("classification") for t in tables}
    assert {"parquet", "orc", "json", "csv", "iceberg"} <= classifications
    owners = {t.get("Owner") for t in tables}
    assert {"alice@example.com", "data-platform"} <= owners


def test_view_is_stored_like_athena_stores_it(sandbox: AwsSandbox) -> None:
    view = boto3.client("glue").get_table(DatabaseName="demo_sales", Name="daily_revenue")["Table"]
    assert view["TableType"] == "VIRTUAL_VIEW"
    assert view["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert view["ViewExpandedText"] == "/* Presto View */"
    text = view["ViewOriginalText"]
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    payload = json.loads(base64.b64decode(text[len("/* Presto View: ") : -len(" */")]))
    assert payload["catalog"] == "awsdatacatalog" and payload["schema"] == "demo_sales"
    assert "demo_sales.orders" in payload["originalSql"]
    assert [c["name"] for c in payload["columns"]] == ["dt", "region", "order_count", "revenue"]


def test_iceberg_and_projection_tables(sandbox: AwsSandbox) -> None:
    glue = boto3.client("glue")
    iceberg = glue.get_table(DatabaseName="demo_sales", Name="order_events")["Table"]
    assert iceberg["Parameters"]["table_type"] == "ICEBERG" and iceberg["Parameters"]["metadata_location"]
    stale = [
        c
        for c in iceberg["StorageDescriptor"]["Columns"]
        if c.get("Parameters", {}).get("iceberg.field.current") == "false"
    ]
    assert [c["Name"] for c in stale] == ["legacy_flag"]
    sessions = glue.get_table(DatabaseName="demo_marketing", Name="web_sessions")["Table"]["Parameters"]
    assert sessions["projection.dt.type"] == "date" and sessions["projection.region.type"] == "enum"
    clicks = glue.get_table(DatabaseName="demo_marketing", Name="ad_clicks")["Table"]["Parameters"]
    assert clicks["projection.campaign_id.type"] == "injected" and clicks["projection.hour.type"] == "integer"
    orders = glue.get_table(DatabaseName="demo_sales", Name="orders")["Table"]
    types = {c["Name"]: c["Type"] for c in orders["StorageDescriptor"]["Columns"]}
    assert types["line_items"] == "array<struct<sku:string,qty:int,price:decimal(10,2)>>"


def test_demo_data_matches_partitions(sandbox: AwsSandbox) -> None:
    glue_partitions = {
        tuple(p["Values"])
        for p in boto3.client("glue").get_partitions(DatabaseName="demo_sales", TableName="orders")["Partitions"]
    }
    rows = sandbox.sql_engine.execute("SELECT DISTINCT dt, region FROM demo_sales.orders").rows
    assert set(rows) <= glue_partitions


def test_hostile_cases(sandbox: AwsSandbox) -> None:
    cases = seed_hostile_tables(sandbox)
    glue = boto3.client("glue")
    names = {t["Name"] for t in glue.get_tables(DatabaseName=cases.database)["TableList"]}
    assert set(cases.table_names) == names
    assert glue.get_tables(DatabaseName=cases.empty_database)["TableList"] == []
    with pytest.raises(ClientError) as error:
        glue.get_tables(DatabaseName=cases.forbidden_database)
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
