"""Table profiles, joins, test suites, test cases and their results."""

from __future__ import annotations

from athena_om_tests.openmetadata_server.conftest import TABLE_FQN, seed_table

TS = 1_714_600_000_000


def test_profiles_latest_and_range(client):
    table = seed_table(client)
    for offset, rows in ((0, 10), (1000, 20)):
        body = {
            "tableProfile": {"timestamp": TS + offset, "rowCount": rows, "columnCount": 5},
            "columnProfile": [{"name": "id", "timestamp": TS + offset, "nullCount": 0, "uniqueCount": rows}],
        }
        assert client.put(f"/api/v1/tables/{table['id']}/tableProfile", json=body).status_code == 200
    latest = client.get(f"/api/v1/tables/{TABLE_FQN}/tableProfile/latest").json()
    assert latest["profile"]["rowCount"] == 20
    assert latest["columns"][0]["profile"]["uniqueCount"] == 20
    page = client.get(f"/api/v1/tables/{TABLE_FQN}/tableProfile", params={"startTs": TS, "endTs": TS + 10}).json()
    assert [item["rowCount"] for item in page["data"]] == [10]


def test_profile_rejects_seconds_and_unknown_columns(client):
    table = seed_table(client)
    seconds = client.put(
        f"/api/v1/tables/{table['id']}/tableProfile", json={"tableProfile": {"timestamp": 1_714_600_000}}
    )
    assert seconds.status_code == 400
    assert "tableProfile.timestamp" in seconds.json()["message"]
    unknown = client.put(
        f"/api/v1/tables/{table['id']}/tableProfile",
        json={"tableProfile": {"timestamp": TS}, "columnProfile": [{"name": "nope", "timestamp": TS}]},
    )
    assert unknown.status_code == 400


def test_joins_stored_and_shown(client):
    table = seed_table(client)
    other = seed_table(client, "customers")
    body = {
        "startDate": "2024-05-01",
        "dayCount": 1,
        "columnJoins": [
            {
                "columnName": "customer_id",
                "joinedWith": [{"fullyQualifiedName": f"{other['fullyQualifiedName']}.id", "joinCount": 3}],
            }
        ],
        "directTableJoins": [{"fullyQualifiedName": other["fullyQualifiedName"], "joinCount": 3}],
    }
    assert client.put(f"/api/v1/tables/{table['id']}/joins", json=body).status_code == 200
    joins = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "joins"}).json()["joins"]
    assert joins["columnJoins"][0]["joinedWith"][0]["joinCount"] == 3
    assert joins["directTableJoins"][0]["fullyQualifiedName"] == other["fullyQualifiedName"]


def test_test_suite_cases_and_results(client):
    seed_table(client)
    suite = client.post("/api/v1/dataQuality/testSuites/basic", json={"name": "s", "basicEntityReference": TABLE_FQN})
    assert suite.status_code == 201
    assert suite.json()["fullyQualifiedName"] == f"{TABLE_FQN}.testSuite"
    table_case = client.put(
        "/api/v1/dataQuality/testCases",
        json={
            "name": "row_count",
            "testDefinition": "tableRowCountToBeBetween",
            "entityLink": f"<#E::table::{TABLE_FQN}>",
            "parameterValues": [{"name": "minValue", "value": "1"}],
        },
    )
    assert table_case.status_code == 201
    assert table_case.json()["testSuite"]["fullyQualifiedName"] == f"{TABLE_FQN}.testSuite"
    column_case = client.put(
        "/api/v1/dataQuality/testCases",
        json={
            "name": "id_not_null",
            "testDefinition": "columnValuesToBeNotNull",
            "entityLink": f"<#E::table::{TABLE_FQN}::columns::id>",
        },
    )
    assert column_case.status_code == 201
    case_fqn = column_case.json()["fullyQualifiedName"]
    assert case_fqn == f"{TABLE_FQN}.id.id_not_null"

    for offset, status in ((0, "Success"), (1000, "Failed")):
        result = {"timestamp": TS + offset, "testCaseStatus": status, "result": "checked", "testResultValue": []}
        assert client.post(f"/api/v1/dataQuality/testCases/testCaseResults/{case_fqn}", json=result).status_code == 201
    results = client.get(f"/api/v1/dataQuality/testCases/testCaseResults/{case_fqn}", params={"startTs": TS}).json()
    assert [item["testCaseStatus"] for item in results["data"]] == ["Failed", "Success"]
    with_result = client.get(
        f"/api/v1/dataQuality/testCases/name/{case_fqn}", params={"fields": "testCaseResult"}
    ).json()
    assert with_result["testCaseResult"]["testCaseStatus"] == "Failed"


def test_test_case_validation(client):
    seed_table(client)
    unknown_column = client.put(
        "/api/v1/dataQuality/testCases",
        json={
            "name": "x",
            "testDefinition": "columnValuesToBeUnique",
            "entityLink": f"<#E::table::{TABLE_FQN}::columns::nope>",
        },
    )
    assert unknown_column.status_code == 400
    unknown_table = client.put(
        "/api/v1/dataQuality/testCases",
        json={"name": "x", "testDefinition": "tableRowCountToEqual", "entityLink": "<#E::table::a.b.c.d>"},
    )
    assert unknown_table.status_code == 404
    unknown_definition = client.put(
        "/api/v1/dataQuality/testCases",
        json={"name": "x", "testDefinition": "madeUp", "entityLink": f"<#E::table::{TABLE_FQN}>"},
    )
    assert unknown_definition.status_code == 404
    bad_status = client.put(
        "/api/v1/dataQuality/testCases",
        json={"name": "rc", "testDefinition": "tableRowCountToEqual", "entityLink": f"<#E::table::{TABLE_FQN}>"},
    )
    fqn = bad_status.json()["fullyQualifiedName"]
    response = client.post(
        f"/api/v1/dataQuality/testCases/testCaseResults/{fqn}", json={"timestamp": TS, "testCaseStatus": "Maybe"}
    )
    assert response.status_code == 400
    seconds = client.post(f"/api/v1/dataQuality/testCases/testCaseResults/{fqn}", json={"timestamp": 1_714_600_000})
    assert seconds.status_code == 400
