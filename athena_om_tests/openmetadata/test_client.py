"""The OpenMetadata client against the local OpenMetadata server, with injected 429s, 503s and latency."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError, RetryPolicy, WriteOutcome
from athena_om.openmetadata.models import (
    Column,
    CreateDatabaseRequest,
    CreateDatabaseSchemaRequest,
    CreateDatabaseServiceRequest,
    CreateTableRequest,
    DataType,
)
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om.sandbox.openmetadata_server.faults import FailNextRule

TOKEN = "client-test-token-8f2c"
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay_s=0.01, max_delay_s=0.05)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OpenMetadataSandboxServer]:
    om = OpenMetadataSandboxServer(tmp_path / "om", jwt_token=TOKEN)
    om.start()
    yield om
    om.stop()


def set_faults(server: OpenMetadataSandboxServer, **config: object) -> None:
    base = server.api_url.removesuffix("/api")
    response = httpx.post(f"{base}/_sandbox/faults", json=config, headers={"Authorization": f"Bearer {TOKEN}"})
    response.raise_for_status()


def seed_schema(client: OpenMetadataClient) -> str:
    client.put("services/databaseServices", CreateDatabaseServiceRequest(name="svc"))
    client.put("databases", CreateDatabaseRequest(name="default", service="svc"))
    client.put("databaseSchemas", CreateDatabaseSchemaRequest(name="sales", database="svc.default"))
    return "svc.default.sales"


def table(name: str, schema: str, description: str | None = None) -> CreateTableRequest:
    return CreateTableRequest(
        name=name,
        databaseSchema=schema,
        description=description,
        columns=[Column(name="id", dataType=DataType.BIGINT), Column(name="v", dataType=DataType.STRING)],
    )


def test_put_reports_created_updated_unchanged(server: OpenMetadataSandboxServer) -> None:
    with OpenMetadataClient(server.api_url, TOKEN, retry=FAST_RETRY) as client:
        schema = seed_schema(client)
        assert client.put("tables", table("t", schema)).outcome is WriteOutcome.CREATED
        assert client.put("tables", table("t", schema)).outcome is WriteOutcome.UNCHANGED
        assert client.put("tables", table("t", schema, "now described")).outcome is WriteOutcome.UPDATED
        assert client.get_by_name("tables", f"{schema}.t")["description"] == "now described"
        assert client.get_by_name("tables", f"{schema}.missing") is None


def test_writes_complete_without_duplicates_under_429_503_and_latency(server: OpenMetadataSandboxServer) -> None:
    # An explicit schedule: seven failed writes spread over the run (fewer than the eight attempts a write gets,
    # so no interleaving of the six threads can exhaust one write's retries), each retried exactly once.
    schedule = [
        FailNextRule(path_prefix="/api/v1/tables", method="PUT", skip=skip, count=1, status=status)
        for skip, status in [(0, 429), (10, 503), (11, 503), (40, 429), (75, 503), (76, 429), (110, 503)]
    ]
    with OpenMetadataClient(server.api_url, TOKEN, retry=FAST_RETRY, concurrency=6) as client:
        schema = seed_schema(client)
        set_faults(server, latency_ms=5, retry_after_seconds=0, fail_next=[r.model_dump() for r in schedule])
        results = client.put_many("tables", [table(f"t{i:03d}", schema) for i in range(120)])
        set_faults(server)  # back to normal for reading
        assert [r.outcome for r in results].count(WriteOutcome.FAILED) == 0
        assert [r.outcome for r in results].count(WriteOutcome.CREATED) == 120
        assert client.request_counts["PUT"] == 3 + 120 + len(schedule)  # every fault forced exactly one retry
        listed = list(client.list_all("tables", params={"databaseSchema": schema}, page_size=25))
        names = [t["name"] for t in listed]
        assert sorted(names) == [f"t{i:03d}" for i in range(120)]
        assert len(set(names)) == len(names)


def test_retry_after_is_honoured_and_persistent_failure_is_reported(server: OpenMetadataSandboxServer) -> None:
    with OpenMetadataClient(server.api_url, TOKEN, retry=RetryPolicy(max_attempts=3, base_delay_s=0.01)) as client:
        schema = seed_schema(client)
        set_faults(server, fail_next=[FailNextRule(path_prefix="/api/v1/tables", count=10, status=503).model_dump()])
        results = client.put_many("tables", [table("doomed", schema)])
        assert results[0].outcome is WriteOutcome.FAILED
        assert "503" in (results[0].error or "") and "PUT /v1/tables" in (results[0].error or "")


def test_bad_token_gives_readable_error_without_the_token(server: OpenMetadataSandboxServer) -> None:
    client = OpenMetadataClient(server.api_url, "wrong-token-value", retry=FAST_RETRY)
    with client, pytest.raises(OpenMetadataError) as error:
        client.put("services/databaseServices", CreateDatabaseServiceRequest(name="svc"))
    assert "401" in str(error.value)
    assert "wrong-token-value" not in str(error.value)
    assert "wrong-token-value" not in repr(client)


def test_unreachable_server_names_the_host() -> None:
    client = OpenMetadataClient("http://127.0.0.1:9/api", TOKEN, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01))
    with client, pytest.raises(OpenMetadataError, match=r"cannot reach OpenMetadata at http://127\.0\.0\.1:9/api"):
        client.version()


def test_retry_policy_never_waits_less_than_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=0.01, max_delay_s=1)
    assert all(policy.delay(attempt, 2.0) >= 2.0 for attempt in range(1, 6))
    assert all(0 <= policy.delay(attempt, None) <= 1 for attempt in range(1, 10))


def _server_reporting(version: str) -> OpenMetadataClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"version": version, "revision": "x"})

    return OpenMetadataClient("http://om.invalid/api", TOKEN, transport=httpx.MockTransport(answer))


@pytest.mark.parametrize("version", ["1.6.0", "1.9.12", "1.10.0-SNAPSHOT", "2.0.7"])
def test_supported_server_versions_pass_the_check(version: str) -> None:
    assert _server_reporting(version).check_version() == version


@pytest.mark.parametrize("version", ["1.5.15", "1.4.0", "0.13.1"])
def test_servers_older_than_1_6_are_refused_with_the_reason(version: str) -> None:
    with pytest.raises(OpenMetadataError, match=r"needs 1\.6 or newer"):
        _server_reporting(version).check_version()
