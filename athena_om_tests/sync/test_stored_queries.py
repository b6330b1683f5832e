"""Reading the Query entities a run merges with: never more reads than the listing, and, once the service holds
many, one read per text written instead of a listing that grows with everything ever stored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from athena_om.mapping.queries import query_checksum
from athena_om.openmetadata.batches import PutEntities, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import CreateDatabaseServiceRequest, CreateQueryRequest
from athena_om.openmetadata.writer import BatchWriter
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om.sync import query_log
from athena_om.sync.query_log import read_stored_queries

TOKEN = "eyJhbGciOiJSUzI1NiJ9.stored-queries.SIGNATURE"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OpenMetadataSandboxServer]:
    with OpenMetadataSandboxServer(tmp_path / "om", jwt_token=TOKEN) as om:
        yield om


def store(server: OpenMetadataSandboxServer, count: int) -> list[str]:
    """``count`` stored queries of service svc; their names."""
    texts = [f"SELECT {i}" for i in range(count)]
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        BatchWriter(client).write(
            SyncBatch(
                operations=[
                    PutEntities("services/databaseServices", [CreateDatabaseServiceRequest(name="svc")]),
                    PutEntities(
                        "queries", [CreateQueryRequest(query=t, service="svc", name=query_checksum(t)) for t in texts]
                    ),
                ]
            )
        )
    return [query_checksum(t) for t in texts]


def read(server: OpenMetadataSandboxServer, names: list[str] | None) -> tuple[set[str], dict[str, int]]:
    with httpx.Client(base_url=server.base_url or "", headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        http.post("/_sandbox/requests/reset").raise_for_status()
        with OpenMetadataClient(server.api_url, TOKEN) as client:
            found = set(read_stored_queries(client, "svc", names))
        counts: dict[str, int] = http.get("/_sandbox/requests").json()["byRoute"]
    return found, counts


def test_a_few_texts_on_a_large_service_are_read_by_name(
    server: OpenMetadataSandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_log, "STORED_QUERIES_PAGE", 10)
    names = sorted(store(server, 45))  # 5 pages of 10, listed by FQN (the service's, then the name)
    wanted = [names[0], names[30], "0" * 32]  # on the first page, further on, not stored
    found, counts = read(server, wanted)
    assert found >= {names[0], names[30]} and "0" * 32 not in found
    # The first page (which holds names[0]), then the two names it did not hold, by name.
    assert counts == {"GET /api/v1/queries": 1, "GET /api/v1/queries/name/{fqn:path}": 2}


def test_as_many_texts_as_pages_left_list_them_and_no_names_lists_all(
    server: OpenMetadataSandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_log, "STORED_QUERIES_PAGE", 10)
    names = sorted(store(server, 45))
    found, counts = read(server, names[10:14])  # 4 wanted past the first page, 4 pages left: list them
    assert found == set(names) and counts == {"GET /api/v1/queries": 5}
    found, counts = read(server, None)
    assert found == set(names) and counts == {"GET /api/v1/queries": 5}


def test_one_page_is_one_read_whatever_the_names(server: OpenMetadataSandboxServer) -> None:
    names = store(server, 3)
    found, counts = read(server, ["f" * 32])
    assert found == set(names) and counts == {"GET /api/v1/queries": 1}
