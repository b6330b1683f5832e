"""SQL sent to Athena runs in DuckDB: StartQueryExecution, GetQueryResults, PyAthena end to end."""

from __future__ import annotations

import re

import boto3
import pyathena
import pytest
import sqlglot
from sqlglot import exp

from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox
from athena_om.sandbox.aws.demo_data import ROW_COUNTS
from athena_om.sandbox.aws.demo_history import demo_query_history
from athena_om.sandbox.aws.query_history import statement_type_of

from .conftest import DEMO_NOW


def _run(sql: str, database: str | None = None) -> str:
    athena = boto3.client("athena")
    kwargs = {"QueryExecutionContext": {"Database": database}} if database else {}
    return athena.start_query_execution(QueryString=sql, WorkGroup="primary", **kwargs)["QueryExecutionId"]


def test_select_runs_and_returns_athena_shaped_rows(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    query_id = _run(
        "SELECT region, count(*), sum(total_amount) AS amount FROM orders GROUP BY region ORDER BY region", "demo_sales"
    )
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["Statistics"]["DataScannedInBytes"] > 0
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-om-sandbox-results/primary/")
    results = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]
    info = results["ResultSetMetadata"]["ColumnInfo"]
    assert [(c["Name"], c["Type"]) for c in info] == [("region", "varchar"), ("_col1", "bigint"), ("amount", "decimal")]
    rows = [[d.get("VarCharValue") for d in r["Data"]] for r in results["Rows"]]
    assert rows[0] == ["region", "_col1", "amount"]
    assert [r[0] for r in rows[1:]] == ["eu", "us"] and sum(int(r[1]) for r in rows[1:]) == ROW_COUNTS["orders"]


def test_failed_sql_reports_duckdb_error(sandbox: AwsSandbox) -> None:
    query_id = _run("SELECT no_such_column FROM demo_sales.orders")
    status = boto3.client("athena").get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "FAILED"
    assert "no_such_column" in status["StateChangeReason"]


def test_results_paginate(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    query_id = _run("SELECT order_id FROM demo_sales.orders ORDER BY order_id LIMIT 40")
    pages = list(
        athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id, PaginationConfig={"PageSize": 15})
    )
    assert [len(p["ResultSet"]["Rows"]) for p in pages] == [15, 15, 11]
    values = [r["Data"][0]["VarCharValue"] for p in pages for r in p["ResultSet"]["Rows"]][1:]
    assert values == [str(1000 + i) for i in range(40)]


def test_pyathena_cursor_end_to_end(sandbox: AwsSandbox) -> None:
    connection = pyathena.connect(
        s3_staging_dir="s3://athena-om-sandbox-results/pyathena/", region_name=sandbox.region, work_group="primary"
    )
    cursor = connection.cursor()
    cursor.execute("SELECT count(*) FROM demo_sales.orders")
    assert cursor.fetchall() == [(ROW_COUNTS["orders"],)]
    cursor.execute("SELECT customer_id, lifetime_value, signup_date FROM demo_sales.customers WHERE customer_id = 1")
    [(customer_id, value, signup)] = cursor.fetchall()
    assert customer_id == 1 and value is not None and signup is not None
    assert [d[0] for d in cursor.description] == ["customer_id", "lifetime_value", "signup_date"]


def _inner_selects(sql: str) -> list[str]:
    """The SELECT parts of a statement, the part DuckDB can check against the demo tables."""
    unload = re.match(r"\s*UNLOAD \((.*)\)\s*TO", sql, re.DOTALL)
    if unload:
        return [unload.group(1)]
    tree = sqlglot.parse_one(sql, read="athena")
    if isinstance(tree, exp.Query):
        return [tree.sql(dialect="athena")]
    if isinstance(tree, exp.Insert | exp.Create):
        query = tree.expression
        return [query.sql(dialect="athena")] if isinstance(query, exp.Query) else []
    if isinstance(tree, exp.Merge):
        return [tree.args["using"].this.sql(dialect="athena")]
    return []


def test_every_history_statement_references_existing_tables_and_columns(sandbox: AwsSandbox) -> None:
    known = {(t.database, t.name) for t in DEMO_TABLES}
    for record in demo_query_history(now=DEMO_NOW, days=14):
        sql = record.query
        if statement_type_of(sql) == "UTILITY":
            continue
        statement = re.sub(r"^\s*UNLOAD \((.*)\)\s*TO.*", r"\1", sql, flags=re.DOTALL)
        for table in sqlglot.parse_one(statement, read="athena").find_all(exp.Table):
            if table.db:
                assert (table.db, table.name) in known, f"{table.db}.{table.name} in {sql}"
        for select in _inner_selects(sql):
            result = sandbox.sql_engine.execute(select, record.database)
            assert result.column_names, select


@pytest.mark.parametrize("statement_type", ["DDL", "DML"])
def test_history_statement_types(statement_type: str) -> None:
    assert statement_type in {statement_type_of(r.query) for r in demo_query_history(now=DEMO_NOW, days=3)}
