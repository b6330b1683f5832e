"""The OpenMetadata resource and IO manager against the sandbox server: the token is checked up front, and one bad
answer fails one entity, not the batch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import asset, materialize

from athena_om.openmetadata.batches import PutEntities, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.models import (
    Column,
    CreateDatabaseRequest,
    CreateDatabaseSchemaRequest,
    CreateDatabaseServiceRequest,
    CreateTableRequest,
    DataType,
)
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataIOManager, OpenMetadataResource
from athena_om.sandbox.openmetadata_server import FailNextRule, FaultConfig, OpenMetadataSandboxServer
from athena_om.sandbox.openmetadata_server.app import OM_VERSION_ENV

TOKEN = "eyJhbGciOiJSUzI1NiJ9.resource-test.SIGNATURE"
WRONG = "eyJhbGciOiJSUzI1NiJ9.someone-elses.SIGNATURE"
SCHEMA = "svc.default.sales"


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenMetadataSandboxServer]:
    # A server without bulk endpoints, so each table write is a request (and an answer) of its own; the bulk
    # path's one-bad-entity case is in athena_om_tests/openmetadata/test_bulk_writes.py.
    monkeypatch.setenv(OM_VERSION_ENV, "1.10.0")
    with OpenMetadataSandboxServer(tmp_path / "om", jwt_token=TOKEN) as om:
        yield om


@pytest.mark.parametrize(("token", "sent"), [(WRONG, "refused the token"), (None, "no token")])
def test_a_refused_token_is_reported_by_the_up_front_check(
    server: OpenMetadataSandboxServer, token: str | None, sent: str
) -> None:
    resource = OpenMetadataResource(host_port=server.api_url, jwt_token=token)
    with pytest.raises(OpenMetadataError) as refused:
        resource.check_server()
    message = str(refused.value)
    assert sent in message and "securityConfig.jwtToken" in message and "answered 401" in message
    assert WRONG not in message and WRONG not in repr(resource)
    assert refused.value.status == 401


def test_the_right_token_passes_the_check(server: OpenMetadataSandboxServer) -> None:
    assert OpenMetadataResource(host_port=server.api_url, jwt_token=TOKEN).check_server()


def table(name: str) -> CreateTableRequest:
    return CreateTableRequest(name=name, databaseSchema=SCHEMA, columns=[Column(name="id", dataType=DataType.BIGINT)])


def test_one_broken_answer_fails_that_table_only_and_the_rest_are_reported(
    server: OpenMetadataSandboxServer, tmp_path: Path
) -> None:
    batch = SyncBatch(
        operations=[
            PutEntities("services/databaseServices", [CreateDatabaseServiceRequest(name="svc")]),
            PutEntities("databases", [CreateDatabaseRequest(name="default", service="svc")]),
            PutEntities("databaseSchemas", [CreateDatabaseSchemaRequest(name="sales", database="svc.default")]),
            PutEntities("tables", [table(f"t{i}") for i in range(5)], skip_unchanged_under=("databaseSchema", SCHEMA)),
        ]
    )
    # The third table write is applied, then answered 200 with a body cut short.
    broken = FailNextRule(
        path_prefix="/api/v1/tables", method="PUT", skip=2, status=200, after_apply=True, answer="broken_json"
    )
    server.app.state.faults.configure(FaultConfig(fail_next=[broken]))

    @asset(io_manager_key="openmetadata_io_manager")
    def athena_tables() -> SyncBatch:
        return batch

    resource = OpenMetadataResource(host_port=server.api_url, jwt_token=TOKEN, concurrency=1)
    io_manager = OpenMetadataIOManager(
        openmetadata=resource, aws=AthenaResource(region_name="us-east-1"), base_dir=str(tmp_path / "payloads")
    )
    result = materialize([athena_tables], resources={"openmetadata_io_manager": io_manager})

    assert result.success
    metadata = result.asset_materializations_for_node("athena_tables")[0].metadata
    assert metadata["created"].value == 3 + 4  # service, database, schema and four tables
    assert metadata["failed"].value == 1
    failures = metadata["failures"].value
    assert isinstance(failures, str)
    assert "t2: PUT /v1/tables" in failures and "not JSON" in failures and "application/json" in failures
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        names = sorted(t["name"] for t in client.list_all("tables", params={"databaseSchema": SCHEMA}))
    assert names == [f"t{i}" for i in range(5)]  # the broken answer's write was applied all the same
