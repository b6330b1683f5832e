"""Writes through OpenMetadata's bulk endpoint (``PUT /v1/{collection}/bulk``): which servers get them, how bodies
are chunked, how a BulkOperationResult becomes one outcome per entity, and the fall-backs to single PUTs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from athena_om.openmetadata.batches import PartitionedSync, PutEntities, SyncBatch
from athena_om.openmetadata.bulk import (
    BulkOperationResult,
    BulkResponse,
    BulkSupport,
    chunks,
    entity_fqn,
    outcomes,
)
from athena_om.openmetadata.client import OpenMetadataClient, RetryPolicy, WriteOutcome
from athena_om.openmetadata.models import (
    Column,
    CreateDatabaseRequest,
    CreateDatabaseSchemaRequest,
    CreateDatabaseServiceRequest,
    CreateQueryRequest,
    CreateTableRequest,
    DataType,
)
from athena_om.openmetadata.writer import BatchWriter, SyncReport
from athena_om.sandbox.openmetadata_server import FailNextRule, FaultConfig, OpenMetadataSandboxServer
from athena_om.sandbox.openmetadata_server.app import OM_VERSION_ENV

TOKEN = "eyJhbGciOiJSUzI1NiJ9.bulk-writes.SIGNATURE"
SCHEMA = "svc.default.sales"
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.01)


def table(name: str, digest: str = "h1", description: str | None = None) -> CreateTableRequest:
    return CreateTableRequest(
        name=name,
        databaseSchema=SCHEMA,
        description=description,
        sourceHash=digest,
        columns=[Column(name="id", dataType=DataType.BIGINT), Column(name="v", dataType=DataType.STRING)],
    )


def tables_op(requests: list[CreateTableRequest]) -> PutEntities:
    return PutEntities("tables", requests, skip_unchanged_under=("databaseSchema", SCHEMA))


# -- pure: versions, chunks, results -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "creates", "updates"),
    [((1, 6, 2), False, False), ((1, 10, 12), False, False), ((1, 11, 0), True, False), ((2, 0, 7), True, True)],
)
def test_bulk_is_used_for_creates_from_1_11_and_for_updates_from_2_0(
    version: tuple[int, ...], creates: bool, updates: bool
) -> None:
    assert BulkSupport.for_version(version) == BulkSupport(creates=creates, updates=updates)


def test_chunks_hold_at_most_100_entities_and_the_byte_cap_and_are_json_arrays() -> None:
    bodies = [table(f"t{i:03d}") for i in range(250)]
    by_count = list(chunks(bodies))
    assert [len(c.names) for c in by_count] == [100, 100, 50]
    assert [b["name"] for c in by_count for b in json.loads(c.payload)] == [b.name for b in bodies]

    one = len(json.dumps(bodies[0].to_body(), separators=(",", ":")))
    by_bytes = list(chunks(bodies[:10], max_bytes=3 * one + 4))
    assert [len(c.names) for c in by_bytes] == [3, 3, 3, 1]
    assert all(len(c.payload) <= 3 * one + 4 for c in by_bytes)


def test_a_body_larger_than_the_byte_cap_goes_alone() -> None:
    big = table("big", description="x" * 5000)
    assert [c.names for c in chunks([table("a"), big, table("b")], max_bytes=1000)] == [["a"], ["big"], ["b"]]


def test_outcomes_attribute_rows_by_fqn_or_echoed_body_in_the_order_sent() -> None:
    result = BulkOperationResult(
        successRequest=[BulkResponse(request=f"{SCHEMA}.a", status=200), BulkResponse(request=f'{SCHEMA}."c.d"')],
        failedRequest=[BulkResponse(request={"name": "b", "columns": []}, message="name is invalid", status=400)],
    )
    got = outcomes(["a", "b", "c.d"], result)
    assert [(o.name, o.written) for o in got] == [("a", True), ("b", False), ("c.d", True)]
    assert got[0].fqn == f"{SCHEMA}.a"
    assert got[1].error == "name is invalid (status 400)"


def test_an_unattributed_failure_leaves_unconfirmed_entities_failed_not_written() -> None:
    result = BulkOperationResult(
        successRequest=[BulkResponse(request=f"{SCHEMA}.a")],
        failedRequest=[BulkResponse(request=None, message="Batch field loading failed")],
    )
    got = outcomes(["a", "b"], result)
    assert [o.written for o in got] == [True, False]
    assert "Batch field loading failed" in (got[1].error or "")


def test_entity_fqn_quotes_a_name_with_a_dot() -> None:
    assert entity_fqn(table("a.b")) == f'{SCHEMA}."a.b"'


# -- the client against a scripted server ------------------------------------------------------------------


def scripted(answer: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request]) -> OpenMetadataClient:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/system/version"):
            return httpx.Response(200, json={"version": "2.0.7"})
        return answer(request)

    return OpenMetadataClient(
        "http://om.internal/api", TOKEN, retry=FAST_RETRY, concurrency=1, transport=httpx.MockTransport(record)
    )


def echo_bulk(request: httpx.Request) -> httpx.Response:
    """A bulk endpoint that writes everything, answering as OpenMetadata 2.0 does (status 200, the FQN)."""
    if request.url.path.endswith("/bulk"):
        rows = [{"request": f"{SCHEMA}.{b['name']}", "status": 200} for b in json.loads(request.content)]
        return httpx.Response(200, json={"status": "success", "successRequest": rows, "failedRequest": []})
    body = json.loads(request.content)
    return httpx.Response(201, json={"id": "i", "fullyQualifiedName": f"{SCHEMA}.{body['name']}"})


def test_bulk_requests_ask_for_a_synchronous_answer_and_never_override_user_metadata() -> None:
    seen: list[httpx.Request] = []
    with scripted(echo_bulk, seen) as client:
        results = client.put_bulk("tables", [table(f"t{i}") for i in range(150)], existing={"t0"})
    bulk = [r for r in seen if r.url.path.endswith("/bulk")]
    assert len(bulk) == 2
    assert all(r.method == "PUT" and dict(r.url.params) == {"async": "false"} for r in bulk)
    assert all(r.headers["Content-Type"] == "application/json" for r in bulk)
    outcomes_ = [r.outcome for r in results]
    assert outcomes_[0] is WriteOutcome.UPDATED and outcomes_.count(WriteOutcome.CREATED) == 149
    assert results[5].fqn == f"{SCHEMA}.t5"


def test_a_server_without_the_bulk_endpoint_gets_single_puts_for_the_rest_of_the_run() -> None:
    seen: list[httpx.Request] = []

    def no_bulk(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/bulk"):
            return httpx.Response(405, json={"code": 405, "message": "HTTP 405 Method Not Allowed"})
        return echo_bulk(request)

    with scripted(no_bulk, seen) as client:
        results = client.put_bulk("tables", [table(f"t{i}") for i in range(150)], existing=set())
        again = client.put_bulk("tables", [table("u")], existing=set())
    assert [r.outcome for r in results + again] == [WriteOutcome.CREATED] * 151
    assert sum(r.url.path.endswith("/bulk") for r in seen) == 1  # asked once, then never again
    assert sum(r.url.path == "/api/v1/tables" for r in seen) == 151


def test_a_chunk_refused_as_a_whole_is_written_one_by_one_so_the_bad_entity_fails_alone() -> None:
    seen: list[httpx.Request] = []

    def strict(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/bulk"):
            return httpx.Response(400, json={"code": 400, "message": "[1].name must match pattern"})
        if json.loads(request.content)["name"] == "bad":
            return httpx.Response(400, json={"code": 400, "message": "name must match pattern"})
        return echo_bulk(request)

    with scripted(strict, seen) as client:
        results = client.put_bulk("tables", [table("a"), table("bad"), table("c")], existing=set())
    assert [r.outcome for r in results] == [WriteOutcome.CREATED, WriteOutcome.FAILED, WriteOutcome.CREATED]
    assert results[1].fqn == f"{SCHEMA}.bad" and "name must match pattern" in (results[1].error or "")


def test_a_bulk_answer_that_keeps_failing_fails_its_chunk_with_the_reason() -> None:
    seen: list[httpx.Request] = []
    with scripted(lambda request: httpx.Response(503, json={"message": "overloaded"}), seen) as client:
        results = client.put_bulk("tables", [table("a"), table("b")], existing=set())
    assert [r.outcome for r in results] == [WriteOutcome.FAILED] * 2
    assert all("503" in (r.error or "") and r.fqn and r.fqn.startswith(SCHEMA) for r in results)
    assert len([r for r in seen if r.url.path.endswith("/bulk")]) == FAST_RETRY.max_attempts


# -- the writer against the sandbox OpenMetadata ------------------------------------------------------------


def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str) -> OpenMetadataSandboxServer:
    monkeypatch.setenv(OM_VERSION_ENV, version)
    server = OpenMetadataSandboxServer(tmp_path / f"om-{version}", jwt_token=TOKEN)
    server.start()
    return server


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenMetadataSandboxServer]:
    om = sandbox(tmp_path, monkeypatch, "2.0.7")
    yield om
    om.stop()


def routes(server: OpenMetadataSandboxServer, reset: bool = True) -> dict[str, int]:
    with httpx.Client(base_url=server.base_url or "", headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        counts: dict[str, int] = http.get("/_sandbox/requests").json()["byRoute"]
        if reset:
            http.post("/_sandbox/requests/reset").raise_for_status()
    return counts


def write(server: OpenMetadataSandboxServer, *ops: PutEntities) -> SyncReport:
    with OpenMetadataClient(server.api_url, TOKEN, retry=FAST_RETRY, concurrency=4) as client:
        client.check_version()
        return BatchWriter(client).write(SyncBatch(operations=list(ops)))


def seed(server: OpenMetadataSandboxServer) -> None:
    write(
        server,
        PutEntities("services/databaseServices", [CreateDatabaseServiceRequest(name="svc")]),
        PutEntities("databases", [CreateDatabaseRequest(name="default", service="svc")], ("service", "svc")),
        PutEntities(
            "databaseSchemas",
            [CreateDatabaseSchemaRequest(name="sales", database="svc.default")],
            ("database", "svc.default"),
        ),
    )
    routes(server)


def test_first_sync_creates_in_bulk_rerun_writes_nothing_a_change_updates_in_bulk(
    server: OpenMetadataSandboxServer,
) -> None:
    seed(server)
    first = write(server, tables_op([table(f"t{i:03d}") for i in range(250)]))
    assert first.failures == [] and first.counts["tables.created"] == 250
    assert len(first.written) == 250 and first.written[0] == f"{SCHEMA}.t000"
    assert routes(server) == {"GET /api/v1/system/version": 1, "GET /api/v1/tables": 1, "PUT /api/v1/tables/bulk": 3}

    rerun = write(server, tables_op([table(f"t{i:03d}") for i in range(250)]))
    assert rerun.counts["tables.unchanged"] == 250 and rerun.counts["created"] + rerun.counts["updated"] == 0
    assert "PUT /api/v1/tables/bulk" not in routes(server)

    changed = [
        table(f"t{i:03d}", digest="h2" if i < 2 else "h1", description="new" if i < 2 else None) for i in range(250)
    ]
    update = write(server, tables_op(changed))
    assert update.counts["tables.updated"] == 2 and update.counts["tables.unchanged"] == 248
    assert routes(server)["PUT /api/v1/tables/bulk"] == 1
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        assert (client.get_by_name("tables", f"{SCHEMA}.t001") or {})["description"] == "new"


def test_one_refused_entity_fails_alone_named_with_the_servers_reason(server: OpenMetadataSandboxServer) -> None:
    seed(server)
    report = write(server, tables_op([table("a"), table("bad::name"), table("c")]))
    assert report.counts["tables.created"] == 2 and report.counts["tables.failed"] == 1
    (failure,) = report.failures
    assert failure.startswith(f"{SCHEMA}.bad::name: PUT /v1/tables/bulk: OpenMetadata refused it: ")
    assert routes(server)["PUT /api/v1/tables/bulk"] == 1


def test_a_lost_bulk_answer_is_retried_without_duplicates(server: OpenMetadataSandboxServer) -> None:
    seed(server)
    lost = FailNextRule(path_prefix="/api/v1/tables/bulk", method="PUT", status=502, after_apply=True)
    server.app.state.faults.configure(FaultConfig(fail_next=[lost]))
    report = write(server, tables_op([table(f"t{i}") for i in range(5)]))
    server.app.state.faults.configure(FaultConfig())
    assert report.failures == [] and report.counts["tables.created"] == 5
    assert routes(server)["PUT /api/v1/tables/bulk"] == 2
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        assert len(list(client.list_all("tables"))) == 5


def test_servers_before_1_11_get_single_puts_and_1_x_bulk_servers_get_updates_as_puts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = sandbox(tmp_path, monkeypatch, "1.10.12")
    try:
        seed(old)
        report = write(old, tables_op([table("a"), table("b")]))
        assert report.counts["tables.created"] == 2
        assert routes(old) == {"GET /api/v1/system/version": 1, "GET /api/v1/tables": 1, "PUT /api/v1/tables": 2}
    finally:
        old.stop()

    mid = sandbox(tmp_path, monkeypatch, "1.12.3")
    try:
        seed(mid)
        write(mid, tables_op([table("a"), table("b")]))
        assert routes(mid)["PUT /api/v1/tables/bulk"] == 1
        report = write(mid, tables_op([table("a", digest="h2"), table("b"), table("c")]))
        assert report.counts["tables.updated"] == 1 and report.counts["tables.created"] == 1
        counts = routes(mid)
        assert counts["PUT /api/v1/tables/bulk"] == 1 and counts["PUT /api/v1/tables"] == 1
    finally:
        mid.stop()


def test_without_a_listing_of_the_parent_every_entity_is_a_single_put(server: OpenMetadataSandboxServer) -> None:
    seed(server)
    report = write(server, PutEntities("tables", [table("a"), table("b")]))
    assert report.counts["tables.created"] == 2
    assert "PUT /api/v1/tables/bulk" not in routes(server)


# -- what people wrote survives the bot's updates -----------------------------------------------------------


def person_writes_a_description(server: OpenMetadataSandboxServer, fqn: str) -> None:
    """An edit in the UI: a JSON Patch, not the bot's PUT."""
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        entity_id = (client.get_by_name("tables", fqn) or {})["id"]
        operations = [{"op": "add", "path": "/description", "value": "Curated by a person"}]
        client.request(
            "PATCH",
            f"/v1/tables/{entity_id}",
            content=json.dumps(operations).encode(),
            content_type="application/json-patch+json",
        )


def test_a_bulk_update_from_glue_keeps_the_description_a_person_wrote(server: OpenMetadataSandboxServer) -> None:
    seed(server)
    write(server, tables_op([table("t", description="Glue comment")]))
    person_writes_a_description(server, f"{SCHEMA}.t")
    routes(server)
    changed = table("t", digest="h2", description="Glue comment, edited")
    changed.columns.append(Column(name="added", dataType=DataType.INT))
    report = write(server, tables_op([changed]))
    assert report.counts["tables.updated"] == 1 and routes(server)["PUT /api/v1/tables/bulk"] == 1
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        stored = client.get_by_name("tables", f"{SCHEMA}.t") or {}
    assert stored["description"] == "Curated by a person"
    assert [column["name"] for column in stored["columns"]] == ["id", "v", "added"]


def queries_op(description: str) -> PutEntities:
    query = CreateQueryRequest(query="SELECT 1", service="svc", name="q1", description=description)
    return PutEntities("queries", [query], owned_fields=("description",))


def test_an_owned_description_the_bots_put_could_not_replace_is_patched(server: OpenMetadataSandboxServer) -> None:
    seed(server)
    assert write(server, queries_op("day 1")).counts["queries.created"] == 1
    routes(server)
    report = write(server, queries_op("day 1, day 2"))
    assert report.failures == [] and report.counts["queries.updated"] == 1
    counts = routes(server)
    assert counts["PUT /api/v1/queries"] == 1 and counts["PATCH /api/v1/queries/{query_id}"] == 1
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        assert (client.get_by_name("queries", "svc.q1") or {})["description"] == "day 1, day 2"
    again = write(server, queries_op("day 1, day 2"))
    assert again.counts["queries.unchanged"] == 1 and "PATCH /api/v1/queries/{query_id}" not in routes(server)


def test_a_failed_patch_of_an_owned_description_fails_that_entity_with_the_reason(
    server: OpenMetadataSandboxServer,
) -> None:
    seed(server)
    write(server, queries_op("day 1"))
    refused = FailNextRule(path_prefix="/api/v1/queries/", method="PATCH", status=400, count=1)
    server.app.state.faults.configure(FaultConfig(fail_next=[refused]))
    report = write(server, queries_op("day 1, day 2"))
    server.app.state.faults.configure(FaultConfig())
    assert report.counts["queries.failed"] == 1
    (failure,) = report.failures
    assert failure.startswith("svc.q1: written, but OpenMetadata kept its old description and the PATCH that")
    assert "400" in failure


def overriding(requests: list[CreateTableRequest]) -> PutEntities:
    return PutEntities(
        "tables",
        requests,
        skip_unchanged_under=("databaseSchema", SCHEMA),
        override_metadata=True,
        owned_fields=("description",),
    )


@pytest.mark.parametrize(("version", "patches"), [("2.0.7", 0), ("1.12.3", 1)])
def test_override_metadata_lets_glue_replace_a_persons_description(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, patches: int
) -> None:
    """2.0 takes overrideMetadata=true on the bulk update; an older server's single PUT keeps the person's
    description, so the writer PATCHes it."""
    om = sandbox(tmp_path, monkeypatch, version)
    try:
        seed(om)
        write(om, tables_op([table("t", description="Glue comment")]))
        person_writes_a_description(om, f"{SCHEMA}.t")
        routes(om)
        report = write(om, overriding([table("t", digest="h2", description="Glue comment, edited")]))
        assert report.failures == [] and report.counts["tables.updated"] == 1
        assert routes(om).get("PATCH /api/v1/tables/{table_id}", 0) == patches
        with OpenMetadataClient(om.api_url, TOKEN) as client:
            assert (client.get_by_name("tables", f"{SCHEMA}.t") or {})["description"] == "Glue comment, edited"
    finally:
        om.stop()


def test_a_partitioned_write_keeps_one_partitions_listing_and_ids_at_a_time(server: OpenMetadataSandboxServer) -> None:
    """Memory of a 200-database run stays one database's: nothing listed or learned is carried to the next."""
    seed(server)
    write(server, PutEntities("databaseSchemas", [CreateDatabaseSchemaRequest(name="ops", database="svc.default")]))
    batches = {
        schema: SyncBatch(
            operations=[
                PutEntities(
                    "tables",
                    [
                        table(f"{schema}_{i}").model_copy(update={"databaseSchema": f"svc.default.{schema}"})
                        for i in range(3)
                    ],
                    skip_unchanged_under=("databaseSchema", f"svc.default.{schema}"),
                )
            ]
        )
        for schema in ("sales", "ops")
    }
    with OpenMetadataClient(server.api_url, TOKEN, retry=FAST_RETRY) as client:
        writer = BatchWriter(client)
        held: list[set[tuple[str, str, str]]] = []
        total = SyncReport()
        for _key, _batch, report in writer.write_partitioned(PartitionedSync.of(batches)):
            held.append(set(writer._listings))
            total.add_total(report)
    assert held[1:] == [
        {("tables", "databaseSchema", "svc.default.sales")},
        {("tables", "databaseSchema", "svc.default.ops")},
    ]
    assert total.counts["tables.created"] == 6 and total.written == [] and total.failures == []
