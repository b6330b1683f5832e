"""Athena query history through boto3: real times, states and statistics; batch reads; listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from athena_om.sandbox.aws import AwsSandbox, QueryRecord, add_query_executions

from .conftest import DEMO_NOW


def test_inserted_history_is_returned_faithfully(sandbox: AwsSandbox) -> None:
    submitted = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    failed = QueryRecord(
        query="SELECT * FROM demo_sales.orders",
        submitted=submitted,
        completed=submitted + timedelta(seconds=12),
        state="FAILED",
        state_change_reason="Query exhausted resources at this scale factor",
        workgroup="etl",
        database="demo_sales",
        engine_ms=11_000,
        queue_ms=300,
        data_scanned_bytes=123_456_789,
        output_location="s3://athena-om-sandbox-results/etl/q-failed.csv",
        query_execution_id="q-failed",
    )
    add_query_executions([failed])
    execution = boto3.client("athena").get_query_execution(QueryExecutionId="q-failed")["QueryExecution"]
    assert execution["Status"]["State"] == "FAILED"
    assert execution["Status"]["StateChangeReason"] == "Query exhausted resources at this scale factor"
    assert execution["Status"]["SubmissionDateTime"] == submitted
    assert execution["Status"]["CompletionDateTime"] == submitted + timedelta(seconds=12)
    assert execution["Statistics"]["DataScannedInBytes"] == 123_456_789
    assert execution["Statistics"]["EngineExecutionTimeInMillis"] == 11_000
    assert execution["Statistics"]["TotalExecutionTimeInMillis"] == 12_000
    assert execution["Statistics"]["QueryQueueTimeInMillis"] == 300
    assert execution["StatementType"] == "DML"
    assert execution["WorkGroup"] == "etl"
    assert execution["QueryExecutionContext"] == {"Catalog": "AwsDataCatalog", "Database": "demo_sales"}
    assert execution["ResultConfiguration"]["OutputLocation"].endswith("q-failed.csv")


def test_batch_get_reports_unknown_ids(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    known = athena.list_query_executions(WorkGroup="primary", MaxResults=3)["QueryExecutionIds"]
    response = athena.batch_get_query_execution(QueryExecutionIds=[*known, "does-not-exist"])
    assert [e["QueryExecutionId"] for e in response["QueryExecutions"]] == known
    [unprocessed] = response["UnprocessedQueryExecutionIds"]
    assert unprocessed["QueryExecutionId"] == "does-not-exist"
    assert unprocessed["ErrorCode"] and unprocessed["ErrorMessage"]


def test_list_query_executions_is_newest_first_per_workgroup(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    first = athena.list_query_executions(WorkGroup="etl")
    assert len(first["QueryExecutionIds"]) == 50 and first["NextToken"]
    ids = [
        i
        for p in athena.get_paginator("list_query_executions").paginate(WorkGroup="etl")
        for i in p["QueryExecutionIds"]
    ]
    executions = []
    for start in range(0, len(ids), 50):
        executions += athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])["QueryExecutions"]
    times = [e["Status"]["SubmissionDateTime"] for e in executions]
    assert times == sorted(times, reverse=True)
    assert {e["WorkGroup"] for e in executions} == {"etl"}
    default = athena.list_query_executions()["QueryExecutionIds"]
    assert default == athena.list_query_executions(WorkGroup="primary")["QueryExecutionIds"]


def test_demo_history_covers_30_days_with_failures_and_comments(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    executions = []
    for workgroup in ("primary", "etl"):
        pages = athena.get_paginator("list_query_executions").paginate(WorkGroup=workgroup)
        ids = [i for p in pages for i in p["QueryExecutionIds"]]
        for start in range(0, len(ids), 50):
            executions += athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])["QueryExecutions"]
    demo = [e for e in executions if e["QueryExecutionId"] != "q-failed"]
    times = [e["Status"]["SubmissionDateTime"] for e in demo]
    assert max(times) <= DEMO_NOW and max(times) - min(times) >= timedelta(days=30)
    states = [e["Status"]["State"] for e in demo]
    assert 0.04 <= states.count("FAILED") / len(states) <= 0.12
    assert states.count("CANCELLED") >= 2
    assert all(e["Status"].get("StateChangeReason") for e in demo if e["Status"]["State"] == "FAILED")
    queries = [e["Query"] for e in demo]
    assert any(q.startswith("/* athena-om */") for q in queries)
    assert any(q.startswith('/* {"app": "dbt"') for q in queries)
    for keyword in ("CREATE TABLE", "INSERT INTO", "MERGE INTO", "CREATE OR REPLACE VIEW", "UNLOAD ("):
        assert any(keyword in q for q in queries), keyword
    assert {e["StatementType"] for e in demo} == {"DDL", "DML", "UTILITY"}
    assert all(e["Statistics"]["TotalExecutionTimeInMillis"] > 0 for e in demo)


def test_metadata_apis_read_glue(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    catalogs = athena.list_data_catalogs()["DataCatalogsSummary"]
    assert catalogs[0] == {"CatalogName": "AwsDataCatalog", "Type": "GLUE"}
    databases = [d["Name"] for d in athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]]
    assert {"demo_sales", "demo_marketing", "demo_raw"} <= set(databases)
    assert athena.get_database(CatalogName="AwsDataCatalog", DatabaseName="demo_sales")["Database"]["Description"]
    page = athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="demo_sales", MaxResults=2)
    assert len(page["TableMetadataList"]) == 2 and page["NextToken"]
    orders = athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="demo_sales", TableName="orders")
    metadata = orders["TableMetadata"]
    assert [c["Name"] for c in metadata["PartitionKeys"]] == ["dt", "region"]
    assert metadata["Parameters"]["classification"] == "parquet"
    assert isinstance(metadata["CreateTime"], datetime)
    groups = {g["Name"] for g in athena.list_work_groups()["WorkGroups"]}
    assert groups == {"primary", "etl"}
