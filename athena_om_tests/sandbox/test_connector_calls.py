"""What OpenMetadata's own Athena connector asks the AWS sandbox: the lower-case catalog name PyAthena sends, and
SHOW CREATE VIEW."""

from __future__ import annotations

import boto3
import pyathena
import pytest

from athena_om.sandbox.aws import AwsSandbox
from athena_om.sandbox.aws.demo_lake import DAILY_REVENUE_SQL
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine, ViewNotFoundError


@pytest.mark.parametrize("catalog", ["AwsDataCatalog", "awsdatacatalog", "AWSDATACATALOG"])
def test_catalog_name_is_case_insensitive(sandbox: AwsSandbox, catalog: str) -> None:
    athena = boto3.client("athena", region_name=sandbox.region)
    databases = athena.list_databases(CatalogName=catalog)["DatabaseList"]
    assert "demo_sales" in {database["Name"] for database in databases}
    tables = athena.list_table_metadata(CatalogName=catalog, DatabaseName="demo_sales")["TableMetadataList"]
    assert "orders" in {table["Name"] for table in tables}
    table = athena.get_table_metadata(CatalogName=catalog, DatabaseName="demo_sales", TableName="orders")
    assert table["TableMetadata"]["Name"] == "orders"
    assert athena.get_database(CatalogName=catalog, DatabaseName="demo_sales")["Database"]["Name"] == "demo_sales"


def test_another_catalog_is_still_not_supported(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena", region_name=sandbox.region)
    with pytest.raises(athena.exceptions.InvalidRequestException, match="not supported"):
        athena.get_table_metadata(CatalogName="other", DatabaseName="demo_sales", TableName="orders")


def test_show_create_view_through_pyathena(sandbox: AwsSandbox) -> None:
    cursor = pyathena.connect(
        s3_staging_dir="s3://athena-om-sandbox-results/pyathena/", region_name=sandbox.region, work_group="primary"
    ).cursor()
    cursor.execute('SHOW CREATE VIEW "demo_sales"."daily_revenue";')
    ddl = "\n".join(row[0] for row in cursor.fetchall())
    assert ddl == f'CREATE VIEW "demo_sales"."daily_revenue" AS\n{DAILY_REVENUE_SQL}'


def test_show_create_view_in_the_engine() -> None:
    engine = AthenaSqlEngine()
    engine.create_table_for_glue("db", "t", [("a", "int")])
    engine.create_view("db", "v", "SELECT a FROM db.t")
    assert engine.execute("show create view v", database="db").rows == [
        ('CREATE VIEW "db"."v" AS',),
        ("SELECT a FROM db.t",),
    ]
    # A view made by a CREATE VIEW statement is read back from DuckDB.
    engine.execute("CREATE VIEW db.w AS SELECT a FROM db.t")
    result = engine.execute("SHOW CREATE VIEW db.w")
    assert result.column_names == ["Create View"] and result.rows[0] == ('CREATE VIEW "db"."w" AS',)
    with pytest.raises(ViewNotFoundError, match=r"db\.nope"):
        engine.execute("SHOW CREATE VIEW db.nope")
    engine.close()
