"""Endpoints OpenMetadata's own 2.0.7 ingestion client calls: version, bulk writes, stale deletion, search,
test connection definitions, stored procedures and ``fields=*``."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from athena_om.sandbox.openmetadata_server import close_app, create_app
from athena_om.sandbox.openmetadata_server.app import OM_VERSION_ENV
from athena_om_tests.openmetadata_server.conftest import SCHEMA_FQN, TABLE_FQN, seed_schema, seed_table, table_body

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_the_version_defaults_to_2_0_7(client) -> None:
    assert client.get("/api/v1/system/version").json()["version"] == "2.0.7"


def test_the_version_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for version, env in (("1.9.0", None), ("2.1.0", "2.1.0")):
        if env:
            monkeypatch.setenv(OM_VERSION_ENV, env)
        app = create_app(tmp_path / version, om_version=None if env else version)
        with TestClient(app) as client:
            assert client.get("/api/v1/system/version").json()["version"] == version
        close_app(app)


def test_bulk_put_writes_each_entity_and_fails_the_invalid_one_alone(client) -> None:
    seed_schema(client)
    bad = table_body("broken")
    bad["columns"][0]["dataType"] = "NOT_A_TYPE"
    bodies = [table_body("a"), bad, table_body("b")]
    response = client.put("/api/v1/tables/bulk", params={"async": "false"}, json=bodies)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "partialSuccess"
    assert (result["numberOfRowsProcessed"], result["numberOfRowsPassed"], result["numberOfRowsFailed"]) == (3, 2, 1)
    assert [item["request"] for item in result["successRequest"]] == [f"{SCHEMA_FQN}.a", f"{SCHEMA_FQN}.b"]
    (failed,) = result["failedRequest"]
    assert failed["request"]["name"] == "broken" and failed["status"] == 400
    assert "columns[0].dataType" in failed["message"]
    assert client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.a").status_code == 200
    assert client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.broken").status_code == 404


def test_bulk_put_of_databases_and_schemas_answers_success(client) -> None:
    client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    databases = client.put("/api/v1/databases/bulk", json=[{"name": "awsdatacatalog", "service": "athena"}]).json()
    assert databases["status"] == "success" and databases["numberOfRowsPassed"] == 1
    schemas = [{"name": name, "database": "athena.awsdatacatalog"} for name in ("sales", "ops")]
    assert client.put("/api/v1/databaseSchemas/bulk", json=schemas).json()["numberOfRowsPassed"] == 2
    assert client.put("/api/v1/tables/bulk", json={"name": "x"}).status_code == 400


def test_delete_stale_soft_deletes_what_the_connector_did_not_see(client) -> None:
    for name in ("orders", "gone", "also_gone"):
        seed_table(client, name)
    body = {"scopeFqn": SCHEMA_FQN, "scopeEntityType": "databaseSchema", "seenFqns": [TABLE_FQN]}
    dry = client.request("DELETE", "/api/v1/tables/deleteStale", json=body | {"dryRun": True}).json()
    assert sorted(item["request"] for item in dry["successRequest"]) == [
        f"{SCHEMA_FQN}.also_gone",
        f"{SCHEMA_FQN}.gone",
    ]
    assert client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.gone").status_code == 200
    done = client.request("DELETE", "/api/v1/tables/deleteStale", json=body).json()
    assert done["numberOfRowsPassed"] == 2 and done["status"] == "success"
    assert client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.gone").status_code == 404
    assert client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.gone", params={"include": "deleted"}).status_code == 200
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}").status_code == 200


def test_delete_stale_over_a_service_scope_and_a_bad_body(client) -> None:
    seed_table(client)
    body = {"scopeFqn": "athena", "scopeEntityType": "service", "seenFqns": []}
    assert client.request("DELETE", "/api/v1/databaseSchemas/deleteStale", json=body).json()["numberOfRowsPassed"] == 1
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}").status_code == 404  # recursive by default
    refused = client.request("DELETE", "/api/v1/tables/deleteStale", json={"scopeFqn": "athena"})
    assert refused.status_code == 400 and "seenFqns" in refused.json()["message"]


def test_fields_star_means_every_field(client) -> None:
    seed_table(client)
    table = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "*"})
    assert table.status_code == 200, table.text
    assert "usageSummary" in table.json() and "joins" in table.json()
    assert client.get("/api/v1/databases", params={"fields": "*"}).status_code == 200
    # OpenMetadata's DatabaseService has no databases field; its client refuses an entity carrying one.
    service = client.get("/api/v1/services/databaseServices/name/athena", params={"fields": "*"}).json()
    assert "databases" not in service


def test_test_connection_definition_for_athena(client) -> None:
    definition = client.get("/api/v1/services/testConnectionDefinitions/name/Athena.testConnectionDefinition")
    assert definition.status_code == 200
    steps = [step["name"] for step in definition.json()["steps"]]
    assert steps == ["CheckAccess", "GetSchemas", "GetTables", "GetViews"]
    missing = client.get("/api/v1/services/testConnectionDefinitions/name/Nope.testConnectionDefinition")
    assert missing.status_code == 404


def test_field_query_finds_entities_by_fqn_with_wildcards(client) -> None:
    seed_table(client, "orders")
    seed_table(client, "order_lines")
    seed_table(client, "customers")
    params = {"fieldName": "fullyQualifiedName", "fieldValue": f"{SCHEMA_FQN}.order*", "index": "table_search_index"}
    hits = client.get("/api/v1/search/fieldQuery", params=params | {"deleted": "false"}).json()["hits"]
    assert hits["total"]["value"] == 2
    assert sorted(hit["_source"]["fullyQualifiedName"] for hit in hits["hits"]) == [
        f"{SCHEMA_FQN}.order_lines",
        f"{SCHEMA_FQN}.orders",
    ]
    assert client.get("/api/v1/search/fieldQuery", params=params | {"index": "nope"}).status_code == 400
    containers = client.get("/api/v1/search/fieldQuery", params=params | {"index": "container_search_index"})
    assert containers.json()["hits"]["hits"] == []


def test_stored_procedures_are_an_empty_collection(client) -> None:
    assert client.get("/api/v1/storedProcedures", params={"fields": "*"}).json() == {
        "data": [],
        "paging": {"total": 0},
    }
    assert client.get("/api/v1/storedProcedures/name/a.b.c.d").status_code == 404
