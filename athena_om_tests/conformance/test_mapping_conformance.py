"""Mapping-layer outputs, validated against OpenMetadata's own generated models (no servers involved)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from athena_om.athena.models import GlueColumn, GlueDatabase, GlueStorage, GlueTable, LFTag, QueryExecution
from athena_om.mapping.fqn import table_fqn
from athena_om.mapping.queries import query_to_create_request
from athena_om.mapping.sql_lineage import TableName
from athena_om.mapping.tables import glue_database_to_schema_request, glue_table_to_create_request
from athena_om.mapping.tags import lf_tags_to_classifications
from athena_om.mapping.types import parse_athena_type
from athena_om.mapping.usage import TableJoinCounts, table_joins_request, usage_request
from athena_om.openmetadata.models import (
    AddLineageRequest,
    ColumnLineage,
    CreateDatabaseRequest,
    CreateDatabaseServiceRequest,
    EntitiesEdge,
    EntityReference,
    LineageDetails,
    LineageSource,
)
from athena_om_tests.conformance.om_models import (
    ADD_LINEAGE,
    COLUMN,
    CREATE_CLASSIFICATION,
    CREATE_DATABASE,
    CREATE_QUERY,
    CREATE_SCHEMA,
    CREATE_SERVICE,
    CREATE_TABLE,
    CREATE_TAG,
    TABLE_JOINS,
    USAGE,
    ModelRef,
    conformance_problem,
)

pytestmark = pytest.mark.conformance

SCHEMA_FQN = "athena.default.sales"

# Every kind of type string Glue holds for Athena tables, including broken ones (they must land as UNKNOWN).
TYPE_STRINGS = [
    "tinyint",
    "smallint",
    "int",
    "integer",
    "bigint",
    "float",
    "double",
    "real",
    "decimal",
    "decimal(10)",
    "decimal(38,18)",
    "decimal(10, 2)",
    "char(1)",
    "char(255)",
    "varchar(65535)",
    "varchar",
    "string",
    "binary",
    "varbinary",
    "boolean",
    "date",
    "timestamp",
    "timestamp(3)",
    "timestamp(6) with time zone",
    "time",
    "interval day to second",
    "interval year to month",
    "json",
    "uuid",
    "ipaddress",
    "STRING",
    "BigInt",
    "array<string>",
    "array<int>",
    "array<array<int>>",
    "array<array<array<string>>>",
    "array<struct<a:int,b:string>>",
    "array<array<struct<a:int,b:array<map<string,struct<x:int>>>>>>",
    "map<string,int>",
    "map<string,array<struct<k:string,v:double>>>",
    "map<int,map<string,decimal(10,2)>>",
    "struct<a:int>",
    "struct<a:int,b:struct<c:string,d:array<int>>>",
    "struct<`weird name`:int,`dotted.name`:string>",
    "struct<a:int comment 'with comment',b:string>",
    "row(a integer, b varchar)",
    "row(a row(b array(integer)))",
    "array(row(x double, y double))",
    "map(varchar, array(integer))",
    "uniontype<int,string>",
    "struct<>",
    # Broken or unknown: must become UNKNOWN columns, never a failed request.
    "struct<a:int",
    "array<",
    "map<string>",
    "decimal(x,y)",
    "varchar(abc)",
    "geometry",
    "",
    "   ",
    "struct<a:int>>",
    "<<<>>>",
]

COLUMN_NAMES = ["id", "dotted.column", 'quo"te', "it's", "with space", "ünïcødé_表", "a::b", "x>y", "tab\there"]


@pytest.fixture(autouse=True)
def _models(om_models: Path) -> None:
    """Every test here needs OpenMetadata's models importable."""


def assert_conforms(model: ModelRef, body: Any, context: str = "") -> None:
    problem = conformance_problem(model, body)
    assert problem is None, f"OpenMetadata's {model} rejects {context or 'the body'}:\n{problem}\nbody: {body}"


@pytest.mark.parametrize("type_string", TYPE_STRINGS)
def test_every_type_string_maps_to_a_column_openmetadata_accepts(type_string: str) -> None:
    warnings: list[str] = []
    column = parse_athena_type(type_string, "c", ordinal_position=1, table_fqn=f"{SCHEMA_FQN}.t", warnings=warnings)
    assert_conforms(COLUMN, column.to_body(), f"the column for {type_string!r}")


@pytest.mark.parametrize("name", COLUMN_NAMES)
def test_awkward_column_names_map_to_columns_openmetadata_accepts(name: str) -> None:
    column = parse_athena_type("struct<inner:int>", name, ordinal_position=1, table_fqn=f"{SCHEMA_FQN}.t")
    assert_conforms(COLUMN, column.to_body(), f"the column named {name!r}")


def wide_table(name: str = "orders") -> GlueTable:
    columns = tuple(GlueColumn(f"c{i}", t, comment=f"type {t!r}") for i, t in enumerate(TYPE_STRINGS))
    return GlueTable(
        database="sales",
        name=name,
        table_type="EXTERNAL_TABLE",
        columns=columns,
        partition_keys=(GlueColumn("dt", "date"), GlueColumn("region", "string"), GlueColumn("hour", "int")),
        owner="data-platform",
        parameters={
            "classification": "parquet",
            "comment": "Every type",
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.region.type": "enum",
            "projection.hour.type": "integer",
        },
        storage=GlueStorage(location="s3://lake/sales/orders/", serde_library="ParquetHiveSerDe"),
        lf_tags=(LFTag("domain", ("sales",)), LFTag("pii level", ("high.risk",))),
    )


def owner_reference(owner: str) -> EntityReference:
    return EntityReference(id=str(uuid.uuid5(uuid.NAMESPACE_URL, owner)), type="team", name=owner)


def view_table() -> GlueTable:
    document = {
        "originalSql": "SELECT id, amount FROM sales.orders",
        "catalog": "awsdatacatalog",
        "schema": "sales",
        "columns": [{"name": "id", "type": "bigint"}, {"name": "amount", "type": "decimal(10,2)"}],
    }
    text = "/* Presto View: " + base64.b64encode(json.dumps(document).encode()).decode() + " */"
    return GlueTable(
        database="sales", name="orders_view", table_type="VIRTUAL_VIEW", view_original_text=text, view_expanded_text=""
    )


def iceberg_table() -> GlueTable:
    return GlueTable(
        database="sales",
        name="events",
        table_type="EXTERNAL_TABLE",
        columns=(
            GlueColumn("id", "bigint", parameters={"iceberg.field.current": "true"}),
            GlueColumn("old", "string", parameters={"iceberg.field.current": "false"}),
        ),
        parameters={"table_type": "ICEBERG", "format": "parquet"},
        storage=GlueStorage(location="s3://lake/sales/events/"),
    )


TABLES = {
    "wide external table": wide_table(),
    "view": view_table(),
    "iceberg": iceberg_table(),
    **{f"table named {n!r}": wide_table(n) for n in ("dotted.table.name", 'quote"d', "it's", "with space", "表")},
}


@pytest.mark.parametrize("label", list(TABLES))
def test_table_requests_are_accepted_by_openmetadata(label: str) -> None:
    result = glue_table_to_create_request(TABLES[label], schema_fqn=SCHEMA_FQN, owner_resolver=owner_reference)
    assert result.request is not None, result.error
    assert_conforms(CREATE_TABLE, result.request.to_body(), label)


def test_schema_service_and_database_requests_are_accepted_by_openmetadata() -> None:
    db = GlueDatabase(
        "sales", description="Sales", parameters={"owner": "data-platform"}, lf_tags=(LFTag("domain", ("sales",)),)
    )
    schema = glue_database_to_schema_request(db, database_fqn="athena.default", owner_resolver=owner_reference)
    assert_conforms(CREATE_SCHEMA, schema.to_body(), "the schema")
    assert_conforms(CREATE_SERVICE, CreateDatabaseServiceRequest(name="athena").to_body(), "the service")
    database = CreateDatabaseRequest(name="default", service="athena")
    assert_conforms(CREATE_DATABASE, database.to_body(), "the database")


def test_lf_tag_classifications_and_tags_are_accepted_by_openmetadata() -> None:
    tags = [LFTag("domain", ("sales", "finance")), LFTag("pii level", ("high.risk", 'we"ird', "a::b"))]
    classifications, tag_requests = lf_tags_to_classifications(tags)
    for request in classifications:
        assert_conforms(CREATE_CLASSIFICATION, request.to_body(), request.name)
    for tag in tag_requests:
        assert_conforms(CREATE_TAG, tag.to_body(), tag.name)


def test_query_usage_joins_and_lineage_bodies_are_accepted_by_openmetadata() -> None:
    submitted = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    execution = QueryExecution(
        query_id=str(uuid.uuid4()),
        query="SELECT o.id FROM sales.orders o JOIN sales.customers c ON o.customer_id = c.id",
        state="SUCCEEDED",
        statement_type="DML",
        submitted_at=submitted,
        completed_at=submitted,
        total_execution_ms=1234,
        data_scanned_bytes=10_000_000,
        workgroup="primary",
    )
    table_ref = EntityReference(id=str(uuid.uuid4()), type="table")
    query = query_to_create_request(execution, service_name="athena", used_in=[table_ref], statement_kind="select")
    assert_conforms(CREATE_QUERY, query.to_body(), "the query")
    assert_conforms(USAGE, usage_request(date(2026, 3, 14), 7).to_body(), "the usage")

    orders, customers = TableName("awsdatacatalog", "sales", "orders"), TableName("awsdatacatalog", "sales", "cust")
    counts = TableJoinCounts()
    counts.direct_table_joins[customers] += 2
    counts.column_joins["customer_id"][(customers, "id")] += 2
    joins = table_joins_request(
        date(2026, 3, 14), orders, counts, lambda t: table_fqn("athena", "default", t.database, t.table)
    )
    assert_conforms(TABLE_JOINS, joins.to_body(), "the joins")

    edge = EntitiesEdge(
        fromEntity=EntityReference(id=str(uuid.uuid4()), type="table"),
        toEntity=EntityReference(id=str(uuid.uuid4()), type="table"),
        lineageDetails=LineageDetails(
            sqlQuery=execution.query,
            source=LineageSource.QUERY_LINEAGE,
            columnsLineage=[
                ColumnLineage(fromColumns=["athena.default.sales.orders.id"], toColumn="athena.default.sales.v.id")
            ],
        ),
    )
    assert_conforms(ADD_LINEAGE, AddLineageRequest(edge=edge).to_body(), "the lineage edge")
