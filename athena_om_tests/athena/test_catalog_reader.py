"""Reading the Glue Data Catalog: paging, the records it returns, the catalog id, and errors that name the fix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from athena_om.athena.catalog import CatalogReadError, read_databases, read_tables
from athena_om.athena.models import GlueColumn, GlueViewRepresentation
from athena_om_tests.athena.stubbed_aws import stubbed

CATALOG = "123456789012"
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def glue_table(name: str, **extra: object) -> dict[str, object]:
    return {"Name": name, "DatabaseName": "sales", **extra}


def test_databases_are_read_across_pages_with_the_catalog_id() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_response(
            "get_databases",
            {
                "DatabaseList": [
                    {
                        "Name": "sales",
                        "Description": "Orders",
                        "LocationUri": "s3://lake/sales/",
                        "Parameters": {"owner": "team-a"},
                        "CatalogId": CATALOG,
                        "CreateTime": CREATED,
                    }
                ],
                "NextToken": "page-2",
            },
            {"CatalogId": CATALOG},
        )
        stub.add_response(
            "get_databases", {"DatabaseList": [{"Name": "hr"}]}, {"CatalogId": CATALOG, "NextToken": "page-2"}
        )
        databases = read_databases(glue, CATALOG)

    assert [d.name for d in databases] == ["sales", "hr"]
    sales = databases[0]
    assert (sales.description, sales.location_uri, sales.catalog_id) == ("Orders", "s3://lake/sales/", CATALOG)
    assert sales.parameters == {"owner": "team-a"} and sales.create_time == CREATED
    assert databases[1].description is None and databases[1].parameters == {}


def test_without_a_catalog_id_none_is_sent() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_response("get_databases", {"DatabaseList": []}, {})
        assert read_databases(glue) == []


def test_a_denied_database_listing_raises_naming_the_permission() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_client_error("get_databases", "AccessDeniedException", "not authorized", 400)
        with pytest.raises(CatalogReadError) as denied:
            read_databases(glue, CATALOG)
    assert denied.value.access_denied
    assert "glue:GetDatabases" in str(denied.value) and "AccessDeniedException: not authorized" in str(denied.value)


def test_another_database_listing_error_points_at_region_and_network() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_client_error("get_databases", "InternalServiceException", "try later", 500)
        with pytest.raises(CatalogReadError) as failed:
            read_databases(glue)
    assert not failed.value.access_denied
    assert "check the region, catalogId" in str(failed.value)


def test_tables_are_read_page_by_page_into_typed_records() -> None:
    first_page = [
        glue_table(
            "orders",
            TableType="EXTERNAL_TABLE",
            Description="One row per order",
            Owner="etl",
            Parameters={"classification": "parquet"},
            StorageDescriptor={
                "Columns": [
                    {"Name": "id", "Type": "bigint", "Comment": "key"},
                    {"Name": "tags", "Type": "array<string>", "Parameters": {"pii": "no"}},
                ],
                "Location": "s3://lake/sales/orders/",
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    "Parameters": {"serialization.format": "1"},
                },
            },
            PartitionKeys=[{"Name": "dt", "Type": "string"}],
            CreateTime=CREATED,
            UpdateTime=CREATED,
            CatalogId=CATALOG,
        ),
    ]
    view = glue_table(
        "recent_orders",
        TableType="VIRTUAL_VIEW",
        ViewOriginalText="/* Presto View: e30= */",
        ViewDefinition={
            "Representations": [{"Dialect": "spark", "ViewOriginalText": "SELECT 1", "DialectVersion": "3"}]
        },
    )
    expected = {"DatabaseName": "sales", "MaxResults": 100, "CatalogId": CATALOG}
    with stubbed("glue") as (glue, stub):
        stub.add_response("get_tables", {"TableList": first_page, "NextToken": "t2"}, expected)
        stub.add_response("get_tables", {"TableList": [view]}, {**expected, "NextToken": "t2"})
        listing = read_tables(glue, "sales", CATALOG)

    assert listing.database == "sales" and listing.complete and listing.error is None
    orders, recent = listing.tables
    assert orders.name == "orders" and orders.table_type == "EXTERNAL_TABLE" and orders.owner == "etl"
    assert orders.columns == (
        GlueColumn(name="id", type="bigint", comment="key", parameters={}),
        GlueColumn(name="tags", type="array<string>", comment=None, parameters={"pii": "no"}),
    )
    assert [c.name for c in orders.partition_keys] == ["dt"]
    assert orders.storage.location == "s3://lake/sales/orders/"
    assert orders.storage.serde_parameters == {"serialization.format": "1"}
    assert orders.catalog_id == CATALOG and orders.update_time == CREATED
    assert recent.view_original_text == "/* Presto View: e30= */"
    assert recent.view_representations == (
        GlueViewRepresentation(dialect="SPARK", original_text="SELECT 1", expanded_text=None, dialect_version="3"),
    )


def test_a_table_without_storage_descriptor_is_still_listed() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_response("get_tables", {"TableList": [{"Name": "bare"}]})
        listing = read_tables(glue, "sales")
    (bare,) = listing.tables
    assert bare.database == "sales" and bare.columns == () and bare.storage.location is None
    assert listing.complete


def test_a_denied_database_is_reported_in_its_listing_and_the_next_database_is_still_read() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_client_error("get_tables", "AccessDeniedException", "no DESCRIBE", 400)
        stub.add_response("get_tables", {"TableList": [glue_table("orders")]})
        denied = read_tables(glue, "secret")
        readable = read_tables(glue, "sales")

    assert not denied.complete and denied.tables == []
    assert denied.error is not None
    assert "'secret'" in denied.error and "glue:GetTables" in denied.error and "schemaFilterPattern" in denied.error
    assert readable.complete and [t.name for t in readable.tables] == ["orders"]


def test_a_listing_that_fails_half_way_is_incomplete_so_nothing_gets_deleted_from_it() -> None:
    with stubbed("glue") as (glue, stub):
        stub.add_response("get_tables", {"TableList": [glue_table("orders")], "NextToken": "t2"})
        stub.add_client_error("get_tables", "ThrottlingException", "slow down", 400)
        listing = read_tables(glue, "sales")

    assert not listing.complete
    assert [t.name for t in listing.tables] == ["orders"]
    assert listing.error is not None
    assert "ThrottlingException" in listing.error and "nothing was deleted" in listing.error
