"""The sandbox keeps what people wrote when the ingestion bot PUTs an update, single or bulk, as OpenMetadata's
``EntityUpdater`` does; ``overrideMetadata=true`` on the bulk endpoint replaces descriptions, never blanks them."""

from __future__ import annotations

import json
from typing import Any

from athena_om.sandbox.openmetadata_server.bot_merge import bot_put_content
from athena_om_tests.openmetadata_server.conftest import TABLE_FQN, put_ok, seed_table, table_body

PATCH = {"Content-Type": "application/json-patch+json"}
LABEL = {"tagFQN": "PII.Sensitive", "source": "Classification", "labelType": "Manual", "state": "Confirmed"}


def person_edits(client, table_id: str) -> None:
    """What a person does in the UI: a description, a tag, a column description (a JSON Patch)."""
    put_ok(client, "classifications", {"name": "PII", "description": "Personal data"})
    put_ok(client, "tags", {"name": "Sensitive", "description": "Sensitive", "classification": "PII"})
    operations = [
        {"op": "add", "path": "/description", "value": "Curated by the data team"},
        {"op": "add", "path": "/tags", "value": [LABEL]},
        {"op": "add", "path": "/columns/0/description", "value": "Order key, curated"},
    ]
    response = client.patch(f"/api/v1/tables/{table_id}", content=json.dumps(operations), headers=PATCH)
    assert response.status_code == 200, response.text


def stored(client) -> dict[str, Any]:
    return client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "tags,columns"}).json()


def source_update() -> dict[str, Any]:
    """The bot's next PUT: Glue's own comments, no tags, and a new column."""
    body = table_body(description="Glue comment")
    body["columns"][0]["description"] = "Glue column comment"
    body["columns"].append({"name": "added", "dataType": "INT"})
    return body


def test_a_bulk_update_keeps_a_persons_description_tags_and_column_description(client) -> None:
    table = seed_table(client)
    person_edits(client, table["id"])
    answer = client.put("/api/v1/tables/bulk", params={"async": "false"}, json=[source_update()]).json()
    assert answer["numberOfRowsPassed"] == 1, answer
    after = stored(client)
    assert after["description"] == "Curated by the data team"
    assert [tag["tagFQN"] for tag in after["tags"]] == ["PII.Sensitive"]
    assert after["columns"][0]["description"] == "Order key, curated"
    assert after["columns"][-1]["name"] == "added"  # what the source changed still lands


def test_a_single_put_keeps_them_too(client) -> None:
    table = seed_table(client)
    person_edits(client, table["id"])
    put_ok(client, "tables", source_update())
    after = stored(client)
    assert (after["description"], after["columns"][0]["description"]) == (
        "Curated by the data team",
        "Order key, curated",
    )
    assert [tag["tagFQN"] for tag in after["tags"]] == ["PII.Sensitive"]


def test_override_metadata_replaces_descriptions_but_never_blanks_one(client) -> None:
    table = seed_table(client)
    person_edits(client, table["id"])
    body = source_update()
    del body["columns"][0]["description"]
    client.put("/api/v1/tables/bulk", params={"overrideMetadata": "true"}, json=[body])
    after = stored(client)
    assert after["description"] == "Glue comment"
    assert after["columns"][0]["description"] == "Order key, curated"  # the source had none: kept
    assert [tag["tagFQN"] for tag in after["tags"]] == ["PII.Sensitive"]  # tags merge either way


def test_an_empty_description_is_filled_by_the_bot() -> None:
    merged = bot_put_content({"description": "from Glue", "tags": None}, {"description": "", "tags": []})
    assert merged["description"] == "from Glue"


def test_a_query_description_is_patched_where_a_put_could_not_replace_it(client) -> None:
    seed_table(client)
    query = {"query": "SELECT 1", "service": "athena", "name": "q1", "description": "day 1", "queryUsedIn": []}
    created = put_ok(client, "queries", query)
    assert put_ok(client, "queries", {**query, "description": "day 1 and day 2"})["description"] == "day 1"
    operations = [{"op": "replace", "path": "/description", "value": "day 1 and day 2"}]
    response = client.patch(f"/api/v1/queries/{created['id']}", content=json.dumps(operations), headers=PATCH)
    assert response.status_code == 200, response.text
    assert client.get(f"/api/v1/queries/{created['id']}").json()["description"] == "day 1 and day 2"
