"""One test per server-side validation rule: each answers 4xx with a message naming the field."""

from __future__ import annotations

import pytest

from athena_om_tests.openmetadata_server.conftest import SCHEMA_FQN, seed_schema, seed_table, table_body


def assert_error(response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


@pytest.fixture
def with_schema(client):
    seed_schema(client)
    return client


def test_unknown_field_rejected(with_schema):
    response = with_schema.put("/api/v1/tables", json=table_body(colour="red"))
    assert_error(response, 400, "colour", "Extra inputs are not permitted")


def test_wrong_type_rejected_with_path(with_schema):
    body = table_body()
    body["columns"][1]["dataType"] = "NOT_A_TYPE"
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[1].dataType")


def test_missing_parent_schema(with_schema):
    body = {**table_body(), "databaseSchema": "athena.awsdatacatalog.nope"}
    assert_error(
        with_schema.put("/api/v1/tables", json=body),
        404,
        "databaseSchema instance for athena.awsdatacatalog.nope not found",
    )


def test_missing_parent_service(client):
    response = client.put("/api/v1/databases", json={"name": "db", "service": "nope"})
    assert_error(response, 404, "databaseService instance for nope not found")


def test_missing_classification(client):
    response = client.put("/api/v1/tags", json={"name": "t", "description": "d", "classification": "nope"})
    assert_error(response, 404, "classification instance for nope not found")


def test_duplicate_column_names_case_insensitive(with_schema):
    body = table_body()
    body["columns"].append({"name": "ID", "dataType": "INT"})
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[5].name", "duplicate column name")


def test_duplicate_nested_column_names(with_schema):
    body = table_body()
    body["columns"][3]["children"].append({"name": "City", "dataType": "STRING"})
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[3].children[1].name", "duplicate")


@pytest.mark.parametrize("data_type", ["VARCHAR", "CHAR", "BINARY", "VARBINARY"])
def test_length_required(with_schema, data_type):
    body = table_body()
    body["columns"][0] = {"name": "id", "dataType": data_type}
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[0].dataLength", data_type)


def test_array_needs_array_data_type(with_schema):
    body = table_body()
    body["columns"][0] = {"name": "id", "dataType": "ARRAY"}
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[0].arrayDataType")


def test_struct_needs_children(with_schema):
    body = table_body()
    body["columns"][0] = {"name": "id", "dataType": "STRUCT"}
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[0].children")


def test_partition_column_must_be_a_column(with_schema):
    body = table_body(tablePartition={"columns": [{"columnName": "day", "intervalType": "COLUMN-VALUE"}]})
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "tablePartition.columns[0].columnName", "day")


def test_partition_on_existing_column_accepted(with_schema):
    body = table_body(tablePartition={"columns": [{"columnName": "dt", "intervalType": "COLUMN-VALUE"}]})
    assert with_schema.put("/api/v1/tables", json=body).status_code == 201


@pytest.mark.parametrize("timestamp", [1_700_000_000, 1_700_000_000_000_000])
def test_query_date_must_be_milliseconds(client, timestamp):
    seed_table(client)
    response = client.put("/api/v1/queries", json={"query": "select 1", "service": "athena", "queryDate": timestamp})
    assert_error(response, 400, "queryDate", "milliseconds")


@pytest.mark.parametrize("name", ["a::b", "a>b", 'a"b', "a\nb", "a\tb"])
def test_reserved_characters_in_entity_names(with_schema, name):
    assert_error(with_schema.put("/api/v1/tables", json=table_body(name)), 400, "name", "__reserved__")


def test_reserved_characters_in_column_names(with_schema):
    body = table_body()
    body["columns"][0]["name"] = "a::b"
    assert_error(with_schema.put("/api/v1/tables", json=body), 400, "columns[0].name", "__reserved__colon__")


def test_encoded_reserved_name_accepted(with_schema):
    assert with_schema.put("/api/v1/tables", json=table_body("a__reserved__colon__b")).status_code == 201


def test_empty_name(with_schema):
    assert_error(with_schema.put("/api/v1/tables", json=table_body("")), 400, "name", "at least 1 character")


def test_name_too_long(with_schema):
    assert_error(with_schema.put("/api/v1/tables", json=table_body("x" * 257)), 400, "name", "256")


def test_unknown_tag(with_schema):
    body = table_body(
        tags=[{"tagFQN": "PII.Nope", "source": "Classification", "labelType": "Manual", "state": "Confirmed"}]
    )
    assert_error(with_schema.put("/api/v1/tables", json=body), 404, "tag instance for PII.Nope not found")


def test_unknown_column_tag(with_schema):
    body = table_body()
    body["columns"][0]["tags"] = [
        {"tagFQN": "PII.Nope", "source": "Classification", "labelType": "Manual", "state": "Confirmed"}
    ]
    assert_error(with_schema.put("/api/v1/tables", json=body), 404, "PII.Nope")


def test_unknown_owner(with_schema):
    owners = [{"id": "00000000-0000-0000-0000-000000000001", "type": "user"}]
    response = with_schema.put("/api/v1/tables", json=table_body(owners=owners))
    assert_error(response, 404, "user instance for 00000000-0000-0000-0000-000000000001 not found")


def test_owner_of_wrong_type(with_schema):
    owners = [{"id": "00000000-0000-0000-0000-000000000001", "type": "table"}]
    assert_error(with_schema.put("/api/v1/tables", json=table_body(owners=owners)), 400, "owners[0].type")


def test_invalid_json(client):
    response = client.put(
        "/api/v1/services/databaseServices", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "Unable to process JSON")


def test_unknown_schema_list_filter_gives_empty_page(client):
    seed_table(client)
    page = client.get("/api/v1/tables", params={"databaseSchema": f"{SCHEMA_FQN}x"}).json()
    assert page["data"] == [] and page["paging"]["total"] == 0
