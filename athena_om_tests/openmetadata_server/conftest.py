"""Fixtures for the sandbox OpenMetadata server tests: an app over a temporary state directory, and seed data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from athena_om.sandbox.openmetadata_server import close_app, create_app

SCHEMA_FQN = "athena.awsdatacatalog.sales"
TABLE_FQN = f"{SCHEMA_FQN}.orders"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(tmp_path)
    with TestClient(app) as test_client:
        yield test_client
    close_app(app)


def put_ok(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.put(f"/api/v1/{path}", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def seed_schema(client: TestClient) -> None:
    put_ok(client, "services/databaseServices", {"name": "athena", "serviceType": "Athena"})
    put_ok(client, "databases", {"name": "awsdatacatalog", "service": "athena"})
    put_ok(client, "databaseSchemas", {"name": "sales", "database": "athena.awsdatacatalog"})


def table_body(name: str = "orders", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "databaseSchema": SCHEMA_FQN,
        "columns": [
            {"name": "id", "dataType": "BIGINT"},
            {"name": "customer_id", "dataType": "BIGINT"},
            {"name": "status", "dataType": "VARCHAR", "dataLength": 32},
            {"name": "address", "dataType": "STRUCT", "children": [{"name": "city", "dataType": "STRING"}]},
            {"name": "dt", "dataType": "DATE"},
        ],
        **extra,
    }


def seed_table(client: TestClient, name: str = "orders", **extra: Any) -> dict[str, Any]:
    if client.get(f"/api/v1/databaseSchemas/name/{SCHEMA_FQN}").status_code == 404:
        seed_schema(client)
    return put_ok(client, "tables", table_body(name, **extra))
