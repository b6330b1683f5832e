"""The sandbox OpenMetadata's dbt routes: data models, JSON Patch of a table, dbt test definitions."""

from __future__ import annotations

from typing import Any

from athena_om_tests.openmetadata_server.conftest import TABLE_FQN, put_ok, seed_table

PATCH = {"Content-Type": "application/json-patch+json"}


def seed_tags(client: Any) -> None:
    put_ok(client, "classifications", {"name": "dbtTags", "description": "dbt"})
    put_ok(client, "tags", {"name": "finance", "description": "f", "classification": "dbtTags"})


def label(name: str) -> dict[str, str]:
    return {"tagFQN": f"dbtTags.{name}", "source": "Classification", "labelType": "Automated", "state": "Confirmed"}


def test_a_data_model_fills_only_what_the_table_lacks(client: Any) -> None:
    seed_tags(client)
    table = seed_table(client, description="Glue's words.")
    columns = [
        {"name": "id", "dataType": "BIGINT", "description": "Order id."},
        {"name": "status", "dataType": "VARCHAR", "description": "dbt's status."},
    ]
    model = {"modelType": "DBT", "description": "dbt's words.", "sql": "select 1", "columns": columns}
    model["tags"] = [label("finance")]
    response = client.put(f"/api/v1/tables/{table['id']}/dataModel", json=model)
    assert response.status_code == 200, response.text
    stored = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "dataModel,columns,tags"}).json()
    assert stored["description"] == "Glue's words."
    assert stored["dataModel"]["sql"] == "select 1"
    assert {c["name"]: c.get("description") for c in stored["columns"]}["id"] == "Order id."
    assert [t["tagFQN"] for t in stored["tags"]] == ["dbtTags.finance"]


def test_a_data_model_is_checked_with_openmetadatas_model(client: Any) -> None:
    table = seed_table(client)
    response = client.put(f"/api/v1/tables/{table['id']}/dataModel", json={"modelType": "dbt", "sql": "x"})
    assert response.status_code == 400 and "modelType" in response.text
    unknown_tag = {"modelType": "DBT", "tags": [label("nope")]}
    assert client.put(f"/api/v1/tables/{table['id']}/dataModel", json=unknown_tag).status_code == 404


def test_a_json_patch_edits_descriptions_tags_and_owners(client: Any) -> None:
    seed_tags(client)
    table = seed_table(client)
    user = put_ok(client, "users", {"name": "alice", "email": "alice@example.com"})
    ops = [
        {"op": "add", "path": "/description", "value": "From dbt."},
        {"op": "add", "path": "/columns/0/description", "value": "Order id."},
        {"op": "add", "path": "/tags", "value": [label("finance")]},
        {"op": "add", "path": "/owners", "value": [{"id": user["id"], "type": "user"}]},
    ]
    response = client.patch(f"/api/v1/tables/{table['id']}", json=ops, headers=PATCH)
    assert response.status_code == 200, response.text
    stored = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "owners,tags,columns"}).json()
    assert stored["description"] == "From dbt." and stored["columns"][0]["description"] == "Order id."
    assert [t["tagFQN"] for t in stored["tags"]] == ["dbtTags.finance"]
    assert [o["name"] for o in stored["owners"]] == ["alice"]
    assert stored["version"] == 0.2


def test_a_patch_needs_json_patch_and_known_paths_and_tags(client: Any) -> None:
    table = seed_table(client)
    path = f"/api/v1/tables/{table['id']}"
    assert client.patch(path, json=[]).status_code == 415
    bad_path = [{"op": "add", "path": "/name", "value": "x"}]
    assert client.patch(path, json=bad_path, headers=PATCH).status_code == 400
    unknown = [{"op": "add", "path": "/tags", "value": [label("nope")]}]
    assert client.patch(path, json=unknown, headers=PATCH).status_code == 404
    new_column = [{"op": "add", "path": "/columns/-", "value": {"name": "x", "dataType": "INT"}}]
    assert client.patch(path, json=new_column, headers=PATCH).status_code == 400
    assert client.get(f"/api/v1/tables/{table['id']}").json()["version"] == 0.1


def test_dbt_test_definitions_carry_test_cases(client: Any) -> None:
    seed_table(client)
    definition = {"name": "not_null", "description": "dbt", "entityType": "COLUMN", "testPlatforms": ["dbt"]}
    assert client.put("/api/v1/dataQuality/testDefinitions", json=definition).status_code == 201
    assert client.put("/api/v1/dataQuality/testDefinitions", json=definition).status_code == 200
    assert client.get("/api/v1/dataQuality/testDefinitions/name/not_null").json()["testPlatforms"] == ["dbt"]
    built_in = client.get("/api/v1/dataQuality/testDefinitions/name/columnValuesToBeNotNull")
    assert built_in.status_code == 200
    system = definition | {"name": "columnValuesToBeNotNull"}
    assert client.put("/api/v1/dataQuality/testDefinitions", json=system).status_code == 400
    case = {
        "name": "not_null_orders_id",
        "testDefinition": "not_null",
        "entityLink": f"<#E::table::{TABLE_FQN}::columns::id>",
    }
    created = put_ok(client, "dataQuality/testCases", case)
    assert created["fullyQualifiedName"] == f"{TABLE_FQN}.id.not_null_orders_id"
    table_level = case | {"entityLink": f"<#E::table::{TABLE_FQN}>"}
    assert client.put("/api/v1/dataQuality/testCases", json=table_level).status_code == 400


def test_a_glossary_term_is_applied_as_a_glossary_tag_label(client: Any) -> None:
    table = seed_table(client)
    glossary = {"name": "Business", "description": "Business terms."}
    put_ok(client, "glossaries", glossary)
    term = put_ok(client, "glossaryTerms", {"glossary": "Business", "name": "Revenue", "description": "Money in."})
    assert term["fullyQualifiedName"] == "Business.Revenue"
    revenue = {"tagFQN": "Business.Revenue", "source": "Glossary", "labelType": "Automated", "state": "Confirmed"}
    ops = [{"op": "add", "path": "/tags", "value": [revenue]}]
    assert client.patch(f"/api/v1/tables/{table['id']}", json=ops, headers=PATCH).status_code == 200
    stored = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "tags"}).json()
    assert [(t["tagFQN"], t["source"]) for t in stored["tags"]] == [("Business.Revenue", "Glossary")]
    unknown = [{"op": "add", "path": "/tags/-", "value": {**revenue, "tagFQN": "Business.Nope"}}]
    assert client.patch(f"/api/v1/tables/{table['id']}", json=unknown, headers=PATCH).status_code == 404
