"""Glue through boto3: pagination, injected AccessDenied and throttling."""

from __future__ import annotations

import json
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from athena_om.sandbox.aws import AwsSandbox
from athena_om.sandbox.aws.glue_tables import catalog_view_input


def _seed_tables(sandbox: AwsSandbox, database: str, count: int) -> None:
    sandbox.glue.create_database(database, {"Name": database})
    for i in range(count):
        name = f"t_{i:04d}"
        sandbox.glue.create_table(database, name, {"Name": name, "StorageDescriptor": {"Columns": []}})


def test_get_tables_pages_by_100_with_next_token(sandbox: AwsSandbox) -> None:
    _seed_tables(sandbox, "paged_db", 250)
    glue = boto3.client("glue")
    pages = list(glue.get_paginator("get_tables").paginate(DatabaseName="paged_db"))
    names = [t["Name"] for page in pages for t in page["TableList"]]
    assert [len(p["TableList"]) for p in pages] == [100, 100, 50]
    assert names == sorted(names) and len(set(names)) == 250
    first = glue.get_tables(DatabaseName="paged_db", MaxResults=7)
    assert len(first["TableList"]) == 7 and first["NextToken"]
    second = glue.get_tables(DatabaseName="paged_db", MaxResults=7, NextToken=first["NextToken"])
    assert second["TableList"][0]["Name"] == "t_0007"


def test_get_databases_and_partitions_paginate(sandbox: AwsSandbox) -> None:
    glue = boto3.client("glue")
    first = glue.get_databases(MaxResults=2)
    assert len(first["DatabaseList"]) == 2 and "NextToken" in first
    all_dbs = [d["Name"] for p in glue.get_paginator("get_databases").paginate() for d in p["DatabaseList"]]
    assert {"demo_sales", "demo_marketing", "demo_raw"} <= set(all_dbs)
    page = glue.get_partitions(DatabaseName="demo_sales", TableName="orders", MaxResults=5)
    assert len(page["Partitions"]) == 5 and page["NextToken"]
    partitions = [
        p["Values"]
        for page in glue.get_paginator("get_partitions").paginate(DatabaseName="demo_sales", TableName="orders")
        for p in page["Partitions"]
    ]
    assert len(partitions) == 14 and ["2025-06-01", "us"] in partitions


def test_denied_database_raises_access_denied(sandbox: AwsSandbox) -> None:
    glue = boto3.client("glue")
    sandbox.deny_access_to_database("demo_raw")
    try:
        with pytest.raises(ClientError) as error:
            glue.get_tables(DatabaseName="demo_raw")
        assert error.value.response["Error"]["Code"] == "AccessDeniedException"
        assert glue.get_database(Name="demo_raw")["Database"]["Name"] == "demo_raw"
    finally:
        sandbox.allow_access_to_database("demo_raw")
    assert glue.get_tables(DatabaseName="demo_raw")["TableList"]


def test_throttle_fails_the_next_calls_then_recovers(sandbox: AwsSandbox) -> None:
    glue = boto3.client("glue", config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    sandbox.throttle("glue:GetDatabases", 2)
    for _ in range(2):
        with pytest.raises(ClientError) as error:
            glue.get_databases()
        assert error.value.response["Error"]["Code"] == "ThrottlingException"
    assert glue.get_databases()["DatabaseList"]


def test_request_counts_by_operation(sandbox: AwsSandbox) -> None:
    sandbox.reset_request_counts()
    glue = boto3.client("glue")
    glue.get_tables(DatabaseName="demo_sales")
    glue.get_tables(DatabaseName="demo_marketing")
    assert sandbox.request_counts() == {"glue:GetTables": 2}


def test_request_counts_over_http(sandbox: AwsSandbox) -> None:
    boto3.client("glue").get_databases()
    with urllib.request.urlopen(f"{sandbox.endpoint_url}/_sandbox/requests") as response:
        counts = json.loads(response.read())
    assert counts["glue:GetDatabases"] >= 1
    reset = urllib.request.Request(f"{sandbox.endpoint_url}/_sandbox/requests/reset", method="POST")
    urllib.request.urlopen(reset).close()
    assert sandbox.request_counts() == {}


def test_glue_catalog_view_keeps_its_view_definition(sandbox: AwsSandbox) -> None:
    sandbox.glue.create_database("views_db", {"Name": "views_db"})
    sandbox.glue.create_table("views_db", "v", catalog_view_input("v", "SELECT 1 AS id", "SELECT 1 AS id"))
    sandbox.glue.create_table("views_db", "plain", {"Name": "plain", "StorageDescriptor": {"Columns": []}})
    glue = boto3.client("glue")
    got = glue.get_table(DatabaseName="views_db", Name="v")["Table"]
    (listed,) = [t for t in glue.get_tables(DatabaseName="views_db")["TableList"] if t["Name"] == "v"]
    for table in (got, listed):
        assert table["IsMultiDialectView"] is True and "TableType" not in table
        assert [(r["Dialect"], r["ViewOriginalText"]) for r in table["ViewDefinition"]["Representations"]] == [
            ("ATHENA", "SELECT 1 AS id"),
            ("SPARK", "SELECT 1 AS id"),
        ]
    assert "IsMultiDialectView" not in glue.get_table(DatabaseName="views_db", Name="plain")["Table"]
