"""The catalog planners' entry points through both sandboxes: Glue fidelity cases read back from OpenMetadata, and a
re-sync of an unchanged catalog that writes nothing at all (service and database included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from athena_om.mapping.fqn import table_fqn
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.writer import BatchWriter, SyncReport
from athena_om.sandbox.aws import DEMO_DATABASES, DEMO_TABLES, AwsSandbox
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om.sync.catalog import AwsCatalogClients, plan_schemas_sync, plan_tables_sync
from athena_om.sync.settings import SyncSettings

SERVICE = "athena_fidelity"
FIDELITY = "fidelity"
ATHENA_SQL = "SELECT id FROM fidelity.events WHERE id > 10"
SPARK_SQL = "SELECT id FROM spark_catalog.fidelity.events WHERE id > 10"
SETTINGS = SyncSettings(service_name=SERVICE)


def _table(name: str, columns: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in columns],
            "Location": f"s3://lake/{FIDELITY}/{name}/",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
        **extra,
    }


def _catalog_view(name: str, table_type: str | None, *representations: tuple[str, str]) -> dict[str, Any]:
    view: dict[str, Any] = {
        "Name": name,
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "SerdeInfo": {}},
        "ViewDefinition": {
            "IsProtected": True,
            "Definer": "arn:aws:iam::123456789012:role/analyst",
            "SubObjects": [f"arn:aws:glue:us-east-1:123456789012:table/{FIDELITY}/events"],
            "Representations": [
                {"Dialect": d, "DialectVersion": "3", "ViewOriginalText": sql, "ViewExpandedText": sql}
                for d, sql in representations
            ],
        },
    }
    if table_type:
        view["TableType"] = table_type
    return view


def seed_fidelity_tables(aws: AwsSandbox) -> None:
    aws.glue.create_database(FIDELITY, {"Name": FIDELITY})
    tables = [
        # A crawler listed the partition key among the data columns too.
        _table("events", [("id", "bigint"), ("DT", "string")], PartitionKeys=[{"Name": "dt", "Type": "date"}]),
        _table("repeated_fields", [("id", "bigint"), ("payload", "struct<a:int,A:string>")]),
        _table("odd_decimal", [("id", "bigint"), ("amount", "decimal(2,5)")]),
        _catalog_view("athena_view", "VIRTUAL_VIEW", ("SPARK", SPARK_SQL), ("ATHENA", ATHENA_SQL)),
        _catalog_view("spark_only_view", None, ("SPARK", SPARK_SQL)),
    ]
    for table in tables:
        aws.glue.create_table(FIDELITY, table["Name"], table)


@pytest.fixture(scope="module")
def om(sandbox: AwsSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenMetadataSandboxServer]:
    seed_fidelity_tables(sandbox)
    with OpenMetadataSandboxServer(Path(tmp_path_factory.mktemp("om")), jwt_token=SANDBOX_TOKEN) as server:
        yield server


def aws_clients() -> AwsCatalogClients:
    return AwsCatalogClients(glue=boto3.client("glue"), lakeformation=boto3.client("lakeformation"))


def sync(client: OpenMetadataClient) -> tuple[SyncReport, SyncReport, list[str]]:
    schemas = plan_schemas_sync(aws_clients(), client, SETTINGS)
    schemas_report = BatchWriter(client).write(schemas.batch)
    tables = plan_tables_sync(aws_clients(), client, SETTINGS, schemas.database_names)
    tables_report, warnings = SyncReport(), []
    for _key, batch, report in BatchWriter(client).write_partitioned(tables):
        tables_report.add(report)
        warnings += batch.warnings
    return schemas_report, tables_report, warnings


@pytest.fixture(scope="module")
def first_sync(om: OpenMetadataSandboxServer) -> tuple[SyncReport, SyncReport, list[str]]:
    with OpenMetadataClient(om.api_url, SANDBOX_TOKEN) as client:
        return sync(client)


def get_table(om: OpenMetadataSandboxServer, name: str) -> dict[str, Any]:
    with OpenMetadataClient(om.api_url, SANDBOX_TOKEN) as client:
        table = client.get_by_name(
            "tables", table_fqn(SERVICE, "default", FIDELITY, name), fields=["columns", "tablePartition"]
        )
    assert table is not None, f"{name} did not land"
    return table


def test_first_sync_lands_every_table(first_sync: tuple[SyncReport, SyncReport, list[str]]) -> None:
    schemas_report, tables_report, _ = first_sync
    assert schemas_report.failures == [] and tables_report.failures == []
    assert tables_report.counts["tables.created"] == len(DEMO_TABLES) + 5


def test_partition_key_wins_over_a_same_named_column(
    om: OpenMetadataSandboxServer, first_sync: tuple[SyncReport, SyncReport, list[str]]
) -> None:
    table = get_table(om, "events")
    assert [(c["name"], c["dataType"]) for c in table["columns"]] == [("id", "BIGINT"), ("dt", "DATE")]
    assert [p["columnName"] for p in table["tablePartition"]["columns"]] == ["dt"]
    assert f"{FIDELITY}.events: column 'DT' is also a partition key; kept the partition key" in first_sync[2]


def test_glue_catalog_views_land_with_their_sql(
    om: OpenMetadataSandboxServer, first_sync: tuple[SyncReport, SyncReport, list[str]]
) -> None:
    athena_view = get_table(om, "athena_view")
    assert (athena_view["tableType"], athena_view["schemaDefinition"]) == ("View", ATHENA_SQL)
    spark_view = get_table(om, "spark_only_view")
    assert (spark_view["tableType"], spark_view["schemaDefinition"]) == ("View", SPARK_SQL)
    assert any(w.startswith(f"{FIDELITY}.spark_only_view: view has no Athena SQL") for w in first_sync[2])


def test_columns_openmetadata_would_refuse_do_not_lose_their_table(
    om: OpenMetadataSandboxServer, first_sync: tuple[SyncReport, SyncReport, list[str]]
) -> None:
    payload = get_table(om, "repeated_fields")["columns"][1]
    assert [c["name"] for c in payload["children"]] == ["a"]
    amount = get_table(om, "odd_decimal")["columns"][1]
    assert (amount["dataType"], amount["dataTypeDisplay"]) == ("UNKNOWN", "decimal(2,5)")
    assert any(w.startswith(f"{FIDELITY}.odd_decimal: column 'amount'") and "UNKNOWN" in w for w in first_sync[2])


def test_unchanged_resync_writes_nothing(
    om: OpenMetadataSandboxServer, first_sync: tuple[SyncReport, SyncReport, list[str]]
) -> None:
    admin = httpx.Client(base_url=om.api_url.removesuffix("/api"), headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})
    admin.post("/_sandbox/requests/reset").raise_for_status()
    with OpenMetadataClient(om.api_url, SANDBOX_TOKEN) as client:
        schemas_report, tables_report, _ = sync(client)
    by_route = admin.get("/_sandbox/requests").json()["byRoute"]
    writes = {route: n for route, n in by_route.items() if route.split()[0] in ("PUT", "PATCH", "POST", "DELETE")}
    assert writes == {}
    # Service, database and schemas are accounted as unchanged, read with one request each (schemas: one listing).
    assert schemas_report.counts["services/databaseServices.unchanged"] == 1
    assert schemas_report.counts["databases.unchanged"] == 1
    assert schemas_report.counts["databaseSchemas.unchanged"] == len(DEMO_DATABASES) + 1
    assert schemas_report.counts["created"] + schemas_report.counts["updated"] == 0
    assert tables_report.counts["unchanged"] == len(DEMO_TABLES) + 5
    assert by_route["GET /api/v1/services/databaseServices/name/{fqn:path}"] == 1
    assert by_route["GET /api/v1/databases"] == 1
