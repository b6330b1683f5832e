"""dbt artifacts from real dbt, through the dbt_metadata asset, read back from the sandbox OpenMetadata."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml
from dagster import DagsterInstance, materialize

from athena_om.defs.dbt.assets import dbt_metadata
from athena_om.mapping.fqn import table_fqn
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om_tests.e2e.conftest import Stack
from athena_om_tests.e2e.test_catalog_sync import sync_all

SERVICE = "athena_sandbox"
DAILY_REVENUE = table_fqn(SERVICE, "default", "demo_sales", "daily_revenue")
CUSTOMERS = table_fqn(SERVICE, "default", "demo_sales", "customers")
CAMPAIGN_PERFORMANCE = table_fqn(SERVICE, "default", "demo_marketing", "campaign_performance")
ORDERS = table_fqn(SERVICE, "default", "demo_sales", "orders")


def with_dbt(stack: Stack, artifacts: Path, **options: Any) -> None:
    """Point the stack's workflow file at ``artifacts`` (OpenMetadata's local dbtConfigSource)."""
    document = yaml.safe_load(stack.config_path.read_text())
    document.setdefault("athenaOm", {})["dbt"] = {
        "dbtConfigSource": {
            "dbtConfigType": "local",
            "dbtManifestFilePath": str(artifacts / "manifest.json"),
            "dbtCatalogFilePath": str(artifacts / "catalog.json"),
            "dbtRunResultsFilePath": str(artifacts / "run_results.json"),
            "dbtSourcesFilePath": str(artifacts / "sources.json"),
        },
        **options,
    }
    stack.config_path.write_text(yaml.safe_dump(document, sort_keys=False))


def run_dbt_metadata(stack: Stack, instance: DagsterInstance) -> dict[str, Any]:
    result = materialize([dbt_metadata], instance=instance, resources=stack.definitions().resources)
    assert result.success
    (event,) = result.get_asset_materialization_events()
    return {key: value.value for key, value in event.materialization.metadata.items()}


def admin(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.client().ui_base_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})


def writes(stack: Stack) -> dict[str, int]:
    by_route = admin(stack).get("/_sandbox/requests").json()["byRoute"]
    return {route: count for route, count in by_route.items() if not route.startswith("GET ")}


@pytest.fixture(scope="module")
def synced(stack: Stack, instance: DagsterInstance, dbt_artifacts: Path, tmp_path_factory: Any) -> Iterator[Path]:
    """The catalog synced, a user's own description on customers, and the artifacts configured."""
    sync_all(stack, instance)
    client = stack.client()
    customers = client.get_by_name("tables", CUSTOMERS)
    assert customers is not None
    patch = b'[{"op": "replace", "path": "/description", "value": "Written by a steward in OpenMetadata."}]'
    client.request("PATCH", f"/v1/tables/{customers['id']}", content=patch, content_type="application/json-patch+json")
    # A glossary a steward keeps in OpenMetadata; the dbt project names one of its terms and one it lacks.
    client.request("PUT", "/v1/glossaries", json={"name": "Business", "description": "Business terms."})
    term = {"glossary": "Business", "name": "Revenue", "description": "Money taken from orders."}
    client.request("PUT", "/v1/glossaryTerms", json=term)
    copy = tmp_path_factory.mktemp("dbt") / "target"
    shutil.copytree(dbt_artifacts, copy)
    with_dbt(stack, copy)
    yield copy


def test_models_land_with_sql_docs_tags_owners_lineage_and_test_results(
    stack: Stack, instance: DagsterInstance, synced: Path
) -> None:
    metadata = run_dbt_metadata(stack, instance)
    assert metadata["failed"] == 0, metadata.get("failures")
    assert metadata["manifest_schema"] == "manifest/v12"
    # The database dbt-athena calls awsdatacatalog is the connector's `default`; a customers alias matches.
    assert metadata["matched"]["model.athena_demo.daily_revenue"] == DAILY_REVENUE
    assert metadata["matched"]["model.athena_demo.dim_customers"] == CUSTOMERS
    # A model and a seed with no table are reported with the names tried.
    for unmatched in ("model.athena_demo.customer_revenue", "seed.athena_demo.channels"):
        assert "tried athena_sandbox.default." in metadata["unmatched"][unmatched]
        assert "athena_sandbox.awsdatacatalog." in metadata["unmatched"][unmatched]

    client = stack.client()
    table = client.get_by_name("tables", DAILY_REVENUE, fields=["columns", "tags", "owners", "dataModel"])
    assert table is not None
    model = table["dataModel"]
    assert model["modelType"] == "DBT" and model["resourceType"] == "model"
    assert model["path"] == "models/sales/daily_revenue.sql"
    assert "{{ source('demo_sales', 'orders') }}" in model["rawSql"]
    assert '"awsdatacatalog"."demo_sales"."orders"' in model["sql"]
    assert model["upstream"] == [ORDERS]
    assert model["description"].startswith("Revenue per day and region, cancelled orders left out.")
    # The Glue description stays (OpenMetadata already had one); undocumented columns get dbt's.
    assert table["description"] == "Revenue per day and region (excludes cancelled orders)."
    columns = {column["name"]: column for column in table["columns"]}
    assert columns["dt"]["description"] == "Order day (the partition of orders)."
    assert "dbtTags.geo" in {tag["tagFQN"] for tag in columns["region"]["tags"]}
    assert {"dbtTags.finance", "dbtTags.daily", "dbtTags.gold"} <= {tag["tagFQN"] for tag in table["tags"]}
    assert [owner["name"] for owner in table["owners"]] == ["alice"]
    glossary = [(tag["tagFQN"], tag["source"]) for tag in table["tags"] if tag["source"] == "Glossary"]
    assert glossary == [("Business.Revenue", "Glossary")]
    column_terms = [tag["tagFQN"] for tag in columns["revenue"].get("tags", []) if tag["source"] == "Glossary"]
    assert column_terms == ["Business.Revenue"]
    assert (
        "glossary term 'Business.Unknown' (meta.openmetadata.glossary of model.athena_demo.daily_revenue) is not"
        in (metadata["warnings"])
    )

    customers = client.get_by_name("tables", CUSTOMERS, fields=["columns", "owners", "dataModel"])
    assert customers is not None
    assert customers["description"] == "Written by a steward in OpenMetadata."  # never overwritten by default
    assert customers["dataModel"]["description"] == "Customers, cleaned from the CRM export."

    edge = client.request_json(
        "GET", f"/v1/lineage/getLineageEdge/{client.get_by_name('tables', ORDERS)['id']}/{table['id']}"
    )
    details = edge.get("edge", edge)
    details = details.get("lineageDetails") or details
    assert details["source"] == "DbtLineage"
    assert '"awsdatacatalog"."demo_sales"."orders"' in details["sqlQuery"]
    lineage = {c["toColumn"]: c["fromColumns"] for c in details["columnsLineage"]}
    assert lineage[f"{DAILY_REVENUE}.revenue"] == [f"{ORDERS}.total_amount"]

    failing = "accepted_values_campaign_performance_channel__search__social"
    results = client.request_json(
        "GET", f"/v1/dataQuality/testCases/testCaseResults/{CAMPAIGN_PERFORMANCE}.channel.{failing}"
    )["data"]
    assert [r["testCaseStatus"] for r in results] == ["Failed"]
    assert results[0]["failedRows"] == 1 and "Got 1 result" in results[0]["result"]
    passing = client.request_json(
        "GET", f"/v1/dataQuality/testCases/testCaseResults/{DAILY_REVENUE}.assert_revenue_not_negative"
    )["data"]
    assert [r["testCaseStatus"] for r in passing] == ["Success"]
    case = client.get_by_name(
        "dataQuality/testCases", f"{DAILY_REVENUE}.region.not_null_daily_revenue_region", fields=["testDefinition"]
    )
    assert case is not None and case["testDefinition"]["name"] == "not_null"
    definition = client.get_by_name("dataQuality/testDefinitions", "not_null")
    assert definition is not None and definition["testPlatforms"] == ["dbt"]
    freshness = client.request_json("GET", f"/v1/dataQuality/testCases/testCaseResults/{ORDERS}.dbt_source_freshness")[
        "data"
    ]
    assert [r["testCaseStatus"] for r in freshness] == ["Failed"] and "warn_after 1 day" in freshness[0]["result"]


def test_the_same_artifacts_again_write_nothing(stack: Stack, instance: DagsterInstance, synced: Path) -> None:
    run_dbt_metadata(stack, instance)
    admin(stack).post("/_sandbox/requests/reset").raise_for_status()
    metadata = run_dbt_metadata(stack, instance)
    assert writes(stack) == {}
    assert metadata.get("data_models_written", 0) == 0 and metadata["test_results_written"] == 0
    assert metadata["data_models_unchanged"] == 3 and metadata["lineage_edges_unchanged"] == 4


def test_a_truncated_manifest_fails_naming_it_and_writes_nothing(
    stack: Stack, instance: DagsterInstance, synced: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "target"
    shutil.copytree(synced, broken)
    text = (broken / "manifest.json").read_bytes()
    (broken / "manifest.json").write_bytes(text[: len(text) // 2])
    with_dbt(stack, broken)
    admin(stack).post("/_sandbox/requests/reset").raise_for_status()
    try:
        result = materialize(
            [dbt_metadata], instance=instance, resources=stack.definitions().resources, raise_on_error=False
        )
    finally:
        with_dbt(stack, synced)
    assert not result.success
    failure = result.get_asset_materialization_events() == [] and next(
        event for event in result.all_events if event.event_type_value == "STEP_FAILURE"
    )
    assert failure
    message = str(failure.event_specific_data.error)  # type: ignore[union-attr]
    assert "manifest.json" in message and "truncated or corrupt" in message
    assert writes(stack) == {}


def test_a_manifest_from_dbt_1_7_lands_the_same_tables_and_adds_its_run(
    stack: Stack, instance: DagsterInstance, synced: Path, dbt17_artifacts: Path
) -> None:
    first = run_dbt_metadata(stack, instance)
    with_dbt(stack, dbt17_artifacts)
    try:
        older = run_dbt_metadata(stack, instance)
    finally:
        with_dbt(stack, synced)
    assert older["manifest_schema"] == "manifest/v11" and older["dbt_version"].startswith("1.7.")
    assert older["failed"] == 0, older.get("failures")
    assert older["matched"] == first["matched"] and older["unmatched"] == first["unmatched"]
    # Each run's results are kept under their own time: the failing test now has both.
    failing = "accepted_values_campaign_performance_channel__search__social"
    results = stack.client().request_json(
        "GET", f"/v1/dataQuality/testCases/testCaseResults/{CAMPAIGN_PERFORMANCE}.channel.{failing}"
    )["data"]
    assert [r["testCaseStatus"] for r in results] == ["Failed", "Failed"]


def test_artifacts_under_an_s3_prefix_are_read_with_the_aws_connection(
    stack: Stack, instance: DagsterInstance, synced: Path
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")  # the sandbox's, through AWS_ENDPOINT_URL
    s3.create_bucket(Bucket="dbt-artifacts")
    for name in ("manifest.json", "run_results.json", "sources.json"):
        s3.put_object(Bucket="dbt-artifacts", Key=f"prod/target/{name}", Body=(synced / name).read_bytes())
    document = yaml.safe_load(stack.config_path.read_text())
    local = document["athenaOm"]["dbt"]
    document["athenaOm"]["dbt"] = {
        "dbtConfigSource": {
            "dbtConfigType": "s3",
            "dbtPrefixConfig": {"dbtBucketName": "dbt-artifacts", "dbtObjectPrefix": "prod/target"},
        }
    }
    stack.config_path.write_text(yaml.safe_dump(document, sort_keys=False))
    try:
        metadata = run_dbt_metadata(stack, instance)
    finally:
        document["athenaOm"]["dbt"] = local
        stack.config_path.write_text(yaml.safe_dump(document, sort_keys=False))
    assert metadata["failed"] == 0, metadata.get("failures")
    assert metadata["artifacts"]["manifest"] == "s3://dbt-artifacts/prod/target/manifest.json"
    assert metadata["matched"]["model.athena_demo.daily_revenue"] == DAILY_REVENUE


def test_dbt_update_descriptions_replaces_a_stewards_description(
    stack: Stack, instance: DagsterInstance, synced: Path
) -> None:
    with_dbt(stack, synced, dbtUpdateDescriptions=True)
    try:
        metadata = run_dbt_metadata(stack, instance)
    finally:
        with_dbt(stack, synced)
    assert metadata["failed"] == 0, metadata.get("failures")
    customers = stack.client().get_by_name("tables", CUSTOMERS)
    assert customers is not None and customers["description"] == "Customers, cleaned from the CRM export."
    revenue = stack.client().get_by_name("tables", DAILY_REVENUE)
    assert revenue is not None and revenue["description"].startswith("Revenue per day and region, cancelled orders")
