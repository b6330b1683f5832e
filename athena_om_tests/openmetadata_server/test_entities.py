"""Create-or-update, reads, paging and deletes of entities."""

from __future__ import annotations

from urllib.parse import quote

from athena_om_tests.openmetadata_server.conftest import (
    SCHEMA_FQN,
    TABLE_FQN,
    put_ok,
    seed_schema,
    seed_table,
    table_body,
)


def test_version_endpoint(client):
    body = client.get("/api/v1/system/version").json()
    assert body["version"] == "2.0.7"
    assert body["revision"] == "sandbox"


def test_service_database_schema_table_chain(client):
    seed_schema(client)
    table = seed_table(client)
    assert table["fullyQualifiedName"] == TABLE_FQN
    assert table["version"] == 0.1
    assert table["databaseSchema"]["fullyQualifiedName"] == SCHEMA_FQN
    assert table["database"]["type"] == "database"
    assert table["service"]["name"] == "athena"
    assert table["href"].endswith(f"/api/v1/tables/{table['id']}")
    assert table["columns"][3]["children"][0]["fullyQualifiedName"] == f"{TABLE_FQN}.address.city"

    by_name = client.get(f"/api/v1/tables/name/{quote(TABLE_FQN)}").json()
    assert by_name["id"] == table["id"]
    by_id = client.get(f"/api/v1/tables/{table['id']}").json()
    assert by_id["fullyQualifiedName"] == TABLE_FQN


def test_put_reports_created_unchanged_and_updated(client):
    seed_schema(client)
    first = client.put("/api/v1/tables", json=table_body())
    assert first.status_code == 201
    assert first.headers["X-OpenMetadata-Change"] == "entityCreated"
    same = client.put("/api/v1/tables", json=table_body())
    assert same.status_code == 200
    assert same.headers["X-OpenMetadata-Change"] == "entityNoChange"
    assert same.json()["version"] == 0.1
    changed = client.put("/api/v1/tables", json=table_body(description="Orders placed"))
    assert changed.status_code == 200
    assert changed.headers["X-OpenMetadata-Change"] == "entityUpdated"
    body = changed.json()
    assert body["version"] == 0.2
    assert body["id"] == first.json()["id"]
    assert body["changeDescription"]["fieldsAdded"] == [{"name": "description", "newValue": "Orders placed"}]
    assert body["changeDescription"]["previousVersion"] == 0.1


def test_post_conflicts_when_entity_exists(client):
    assert (
        client.post("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"}).status_code
        == 201
    )
    response = client.post("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    assert response.status_code == 409
    assert response.json()["code"] == 409


def test_quoted_names_for_dots(client):
    seed_schema(client)
    schema = put_ok(client, "databaseSchemas", {"name": "raw.events", "database": "athena.awsdatacatalog"})
    assert schema["fullyQualifiedName"] == 'athena.awsdatacatalog."raw.events"'
    table = put_ok(
        client,
        "tables",
        {
            "name": "t",
            "databaseSchema": schema["fullyQualifiedName"],
            "columns": [{"name": "a.b", "dataType": "INT"}],
        },
    )
    assert table["fullyQualifiedName"] == 'athena.awsdatacatalog."raw.events".t'
    assert table["columns"][0]["fullyQualifiedName"] == 'athena.awsdatacatalog."raw.events".t."a.b"'
    fqn = quote(table["fullyQualifiedName"], safe="")
    assert client.get(f"/api/v1/tables/name/{fqn}").status_code == 200


def test_list_paging_with_cursors_and_filter(client):
    seed_schema(client)
    for index in range(25):
        put_ok(client, "tables", table_body(f"t{index:02d}"))
    put_ok(client, "databaseSchemas", {"name": "other", "database": "athena.awsdatacatalog"})
    put_ok(client, "tables", {**table_body("elsewhere"), "databaseSchema": "athena.awsdatacatalog.other"})

    seen = []
    page = client.get("/api/v1/tables", params={"databaseSchema": SCHEMA_FQN, "limit": 10}).json()
    assert page["paging"]["total"] == 25
    seen += [table["name"] for table in page["data"]]
    while "after" in page["paging"]:
        page = client.get(
            "/api/v1/tables", params={"databaseSchema": SCHEMA_FQN, "limit": 10, "after": page["paging"]["after"]}
        ).json()
        seen += [table["name"] for table in page["data"]]
    assert seen == [f"t{index:02d}" for index in range(25)]
    back = client.get(
        "/api/v1/tables", params={"databaseSchema": SCHEMA_FQN, "limit": 10, "before": page["paging"]["before"]}
    ).json()
    assert [table["name"] for table in back["data"]] == [f"t{index:02d}" for index in range(10, 20)]
    assert client.get("/api/v1/tables", params={"limit": 1000}).json()["paging"]["total"] == 26


def test_soft_delete_hides_and_put_restores(client):
    table = seed_table(client)
    deleted = client.delete(f"/api/v1/tables/{table['id']}")
    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True
    assert deleted.json()["version"] == 0.2
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}").status_code == 404
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"include": "deleted"}).json()["deleted"]
    assert client.get("/api/v1/tables").json()["paging"]["total"] == 0
    assert client.get("/api/v1/tables", params={"include": "all"}).json()["paging"]["total"] == 1

    restored = client.put("/api/v1/tables", json=table_body())
    assert restored.status_code == 200
    assert restored.headers["X-OpenMetadata-Change"] == "entityUpdated"
    assert restored.json()["deleted"] is False
    assert restored.json()["version"] == 0.3
    assert restored.json()["id"] == table["id"]


def test_hard_delete_by_name(client):
    seed_table(client)
    assert client.delete(f"/api/v1/tables/name/{TABLE_FQN}", params={"hardDelete": "true"}).status_code == 200
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"include": "all"}).status_code == 404


def test_delete_schema_with_children_needs_recursive(client):
    seed_table(client)
    schema = client.get(f"/api/v1/databaseSchemas/name/{SCHEMA_FQN}").json()
    refused = client.delete(f"/api/v1/databaseSchemas/{schema['id']}", params={"hardDelete": "true"})
    assert refused.status_code == 400
    assert "not empty" in refused.json()["message"]
    done = client.delete(f"/api/v1/databaseSchemas/{schema['id']}", params={"hardDelete": "true", "recursive": "true"})
    assert done.status_code == 200
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"include": "all"}).status_code == 404


def test_soft_delete_recursive_marks_children(client):
    seed_table(client)
    schema = client.get(f"/api/v1/databaseSchemas/name/{SCHEMA_FQN}").json()
    client.delete(f"/api/v1/databaseSchemas/{schema['id']}", params={"recursive": "true"})
    table = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"include": "all"}).json()
    assert table["deleted"] is True


def test_tags_owners_and_fields(client):
    seed_schema(client)
    put_ok(client, "classifications", {"name": "PII", "description": "Personal data"})
    tag = put_ok(client, "tags", {"name": "Sensitive", "description": "Sensitive", "classification": "PII"})
    assert tag["fullyQualifiedName"] == "PII.Sensitive"
    user = put_ok(client, "users", {"name": "alice", "email": "alice@example.com"})
    assert user["isBot"] is False
    team = put_ok(client, "teams", {"name": "data", "displayName": "Data", "teamType": "Group"})
    assert team["teamType"] == "Group"
    owners = [{"id": user["id"], "type": "user"}, {"id": team["id"], "type": "team"}]
    label = {"tagFQN": "PII.Sensitive", "source": "Classification", "labelType": "Automated", "state": "Confirmed"}
    body = table_body(tags=[label], owners=owners)
    body["columns"][0]["tags"] = [label]
    put_ok(client, "tables", body)

    plain = client.get(f"/api/v1/tables/name/{TABLE_FQN}").json()
    assert "tags" not in plain and "owners" not in plain
    assert "tags" not in plain["columns"][0]
    full = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "tags,owners"}).json()
    assert full["tags"][0]["tagFQN"] == "PII.Sensitive"
    assert full["columns"][0]["tags"][0]["tagFQN"] == "PII.Sensitive"
    assert {owner["name"] for owner in full["owners"]} == {"alice", "data"}
    assert client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "nope"}).status_code == 400


def test_queries_named_by_checksum_and_listed_by_table(client):
    table = seed_table(client)
    query = put_ok(
        client,
        "queries",
        {
            "query": "select * from orders",
            "service": "athena",
            "queryDate": 1_700_000_000_000,
            "queryUsedIn": [{"id": table["id"], "type": "table"}],
        },
    )
    assert len(query["name"]) == 32
    assert query["fullyQualifiedName"] == f"athena.{query['name']}"
    assert query["checksum"] == query["name"]
    listed = client.get("/api/v1/queries", params={"entityId": table["id"]}).json()
    assert [item["id"] for item in listed["data"]] == [query["id"]]
    missing = client.put(
        "/api/v1/queries",
        json={
            "query": "select 1",
            "service": "athena",
            "queryUsedIn": [{"id": "00000000-0000-0000-0000-000000000000", "type": "table"}],
        },
    )
    assert missing.status_code == 404


def test_the_same_query_text_under_another_name_is_a_conflict(client):
    # OpenMetadata's query_entity has UNIQUE (checksum): one entity per SQL text, whatever the name.
    seed_table(client)
    body = {"query": "select * from orders", "service": "athena", "queryDate": 1_700_000_000_000}
    put_ok(client, "queries", {**body, "name": "run-1"})
    again = client.put("/api/v1/queries", json={**body, "name": "run-2"})
    assert again.status_code == 409
    assert client.put("/api/v1/queries", json={**body, "name": "run-1", "duration": 5.0}).status_code == 200
    assert client.put("/api/v1/queries", json={**body, "query": "select 2", "name": "run-2"}).status_code == 201


def test_admin_summary_and_reset(client):
    seed_table(client)
    summary = client.get("/_sandbox/summary").json()
    assert summary["entities"] == {"databaseService": 1, "database": 1, "databaseSchema": 1, "table": 1}
    counts = client.get("/_sandbox/requests").json()
    assert counts["byRoute"]["PUT /api/v1/tables"] == 1
    assert counts["total"] >= 4
    client.post("/_sandbox/requests/reset")
    assert client.get("/_sandbox/requests").json()["total"] == 0
    client.post("/_sandbox/reset")
    assert client.get("/_sandbox/summary").json()["entities"] == {}
