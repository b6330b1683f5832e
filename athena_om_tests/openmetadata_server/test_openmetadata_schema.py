"""The sandbox checks bodies with OpenMetadata's own generated models, not athena-om's client models.

Each refused body below is one athena-om's client models accept, built by hand: a client-model bug of that shape
would pass a sandbox sharing the client's models and fail on a real OpenMetadata.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from athena_om.openmetadata import models as client_models
from athena_om.sandbox.openmetadata_server import om_models, schema
from athena_om.sandbox.openmetadata_server import requests as sandbox_requests
from athena_om.sandbox.openmetadata_server.schema import (
    SCHEMA_ENV,
    SandboxSchemaError,
    load_request_schema,
    openmetadata_schema,
)
from athena_om_tests.openmetadata_server.conftest import SCHEMA_FQN, put_ok, seed_schema, table_body

PACKAGE = Path(__file__).resolve().parents[2] / "athena_om"


def _tag_without_source() -> dict[str, Any]:
    # The client's TagLabel fills source, labelType and state with defaults; OpenMetadata requires all three.
    return table_body(tags=[{"tagFQN": "PII.Sensitive"}])


def _team_without_type() -> dict[str, Any]:
    # The sandbox's own team model defaulted teamType to Group; OpenMetadata 2.0.7 requires it.
    return {"name": "data"}


def _result_without_values() -> dict[str, Any]:
    return {"timestamp": 1714600000000, "testCaseStatus": "Success"}


@pytest.mark.parametrize(
    ("path", "client_model", "body", "field"),
    [
        ("tables", client_models.CreateTableRequest, _tag_without_source(), "tags[0].source"),
        ("teams", sandbox_requests.CreateTeamRequest, _team_without_type(), "teamType"),
    ],
)
def test_a_body_the_client_models_accept_but_openmetadata_refuses_gets_400(
    client, path: str, client_model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    client_model.model_validate(body)  # the client's model is fine with it...
    seed_schema(client)
    refused = client.put(f"/api/v1/{path}", json=body)  # ...OpenMetadata's is not
    assert refused.status_code == 400, refused.text
    assert field in refused.json()["message"]


def test_a_misspelt_field_is_named_in_the_400(client) -> None:
    seed_schema(client)
    body = table_body()
    body["columns"][0]["dataTypeDisplayName"] = "bigint"  # OpenMetadata's field is dataTypeDisplay
    refused = client.put("/api/v1/tables", json=body)
    assert refused.status_code == 400
    assert "columns[0].dataTypeDisplayName Extra inputs are not permitted" in refused.json()["message"]


def test_a_test_case_result_needs_its_result_values() -> None:
    sandbox_requests.TestCaseResult.model_validate(_result_without_values())
    checked = openmetadata_schema()
    with pytest.raises(Exception, match="testResultValue"):
        checked.check(schema.BodyKind.TEST_CASE_RESULT, _result_without_values())


def test_fields_openmetadata_accepts_are_accepted_and_kept(client) -> None:
    connection = {
        "config": {
            "type": "Athena",
            "awsConfig": {"awsRegion": "us-east-1"},
            "workgroup": "primary",
            "s3StagingDir": "s3://q/",
        }
    }
    service = put_ok(client, "services/databaseServices", {"name": "athena", "serviceType": "Athena", "connection": {}})
    assert "connection" not in service
    put_ok(client, "services/databaseServices", {"name": "athena", "serviceType": "Athena", "connection": connection})
    put_ok(client, "databases", {"name": "awsdatacatalog", "service": "athena"})
    put_ok(client, "databaseSchemas", {"name": "sales", "database": "athena.awsdatacatalog"})
    body = table_body(tableConstraints=[{"constraintType": "PRIMARY_KEY", "columns": ["id"]}])
    body["columns"][0]["constraint"] = "NOT_NULL"
    put_ok(client, "tables", body)
    table = client.get(f"/api/v1/tables/name/{SCHEMA_FQN}.orders", params={"fields": "columns,tableConstraints"})
    assert table.json()["columns"][0]["constraint"] == "NOT_NULL"
    assert table.json()["tableConstraints"] == [{"constraintType": "PRIMARY_KEY", "columns": ["id"]}]


def test_a_union_failure_names_each_member_briefly(client) -> None:
    body = {"name": "athena", "serviceType": "Athena", "connection": {"config": {"type": "Athena"}}}
    refused = client.put("/api/v1/services/databaseServices", json=body)
    assert refused.status_code == 400
    message = refused.json()["message"]
    assert "connection.config.<AthenaConnection>.awsConfig Field required" in message
    assert "BigQuery" not in message


def test_a_table_constraint_on_an_unknown_column_is_refused(client) -> None:
    seed_schema(client)
    body = table_body(tableConstraints=[{"constraintType": "UNIQUE", "columns": ["nope"]}])
    refused = client.put("/api/v1/tables", json=body)
    assert refused.status_code == 400
    assert "tableConstraints[0].columns 'nope'" in refused.json()["message"]


def test_an_empty_struct_is_a_struct_with_no_children(client) -> None:
    seed_schema(client)
    body = table_body()
    body["columns"][3] = {"name": "address", "dataType": "STRUCT", "dataTypeDisplay": "struct<>", "children": []}
    put_ok(client, "tables", body)
    body["columns"][3] = {"name": "address", "dataType": "STRUCT"}
    refused = client.put("/api/v1/tables", json=body)
    assert refused.status_code == 400
    assert "columns[3].children are required" in refused.json()["message"]


def test_the_client_models_are_an_explicit_loud_opt_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(SCHEMA_ENV, "client")
    with caplog.at_level(logging.WARNING):
        fallback = load_request_schema()
    assert fallback.source == "athena-om client models"
    assert "OWN client models" in caplog.text
    monkeypatch.setenv(SCHEMA_ENV, "clients")
    with pytest.raises(SandboxSchemaError, match="'clients' is not a schema"):
        load_request_schema()
    monkeypatch.delenv(SCHEMA_ENV)
    assert load_request_schema().source.startswith("openmetadata-ingestion")


def test_the_sandbox_refuses_to_start_without_openmetadata_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unreachable() -> Path:
        raise om_models.OpenMetadataModelsError("Cannot download openmetadata-ingestion==2.0.7.0 from PyPI")

    from athena_om.sandbox.openmetadata_server import create_app

    monkeypatch.setattr(om_models, "install_models", unreachable)
    openmetadata_schema.cache_clear()
    try:
        with pytest.raises(SandboxSchemaError) as refused:
            create_app(tmp_path)
    finally:
        openmetadata_schema.cache_clear()
    message = str(refused.value)
    assert "Cannot download openmetadata-ingestion==2.0.7.0" in message
    assert f"{SCHEMA_ENV}=client" in message


def test_the_cache_folder_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(om_models.CACHE_ENV, str(tmp_path))
    assert om_models.cache_dir() == tmp_path


def test_no_production_module_imports_openmetadata_models() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "sandbox" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path}: {name}" for name in names if name.split(".")[0] == "metadata"]
            offenders += [f"{path}: {name}" for name in names if "openmetadata_server" in name]
    assert offenders == []
