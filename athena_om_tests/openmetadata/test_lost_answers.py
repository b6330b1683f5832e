"""Writes whose answer is lost after OpenMetadata applied them (5xx, dropped connection, timeout, broken body):
the run reports what it could not confirm, and a clean re-run converges on what a clean run writes, without
duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from athena_om.openmetadata.batches import (
    AddLineage,
    ComputePercentiles,
    PutEntities,
    PutTableJoins,
    ReportUsage,
    SyncBatch,
)
from athena_om.openmetadata.client import OpenMetadataClient, RetryPolicy
from athena_om.openmetadata.models import (
    Column,
    ColumnLineage,
    CreateDatabaseRequest,
    CreateDatabaseSchemaRequest,
    CreateDatabaseServiceRequest,
    CreateTableRequest,
    DataType,
    JoinedWith,
    LineageDetails,
    LineageSource,
    TableJoins,
)
from athena_om.openmetadata.writer import BatchWriter, SyncReport
from athena_om.sandbox.openmetadata_server import FailNextRule, FaultConfig, OpenMetadataSandboxServer
from athena_om.sandbox.openmetadata_server.app import OM_VERSION_ENV

TOKEN = "eyJhbGciOiJSUzI1NiJ9.lost-answers.SIGNATURE"
SCHEMA = "svc.default.sales"
DAY = "2024-05-01"
TABLES = [f"t{i}" for i in range(6)]
CLIENT_TIMEOUT_S = 0.5
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.02)

# Every fault happens after the server applied the request. Table writes go out one at a time, so the schedule
# picks known requests: t0's first write, t1's, t2's and t3's (each earlier table's retry is one more request).
LOST_ANSWERS = FaultConfig(
    fail_next=[
        FailNextRule(path_prefix="/api/v1/databaseSchemas", method="PUT", status=503, after_apply=True),
        FailNextRule(path_prefix="/api/v1/tables", method="PUT", skip=0, status=502, after_apply=True),
        FailNextRule(path_prefix="/api/v1/tables", method="PUT", skip=2, after_apply=True, answer="disconnect"),
        FailNextRule(
            path_prefix="/api/v1/tables", method="PUT", skip=4, after_apply=True, answer="hang", hang_seconds=1.5
        ),
        FailNextRule(
            path_prefix="/api/v1/tables", method="PUT", skip=6, status=200, after_apply=True, answer="broken_json"
        ),
        FailNextRule(path_prefix="/api/v1/lineage", method="PUT", status=500, after_apply=True),
        FailNextRule(path_prefix="/api/v1/usage/table", method="POST", after_apply=True, answer="disconnect"),
        FailNextRule(path_prefix="/api/v1/usage/compute.percentile", after_apply=True, answer="hang", hang_seconds=1.5),
    ]
)


def catalog_batch() -> SyncBatch:
    """What a catalog sync, then a usage and lineage sync, hand the writer for one small schema."""
    tables = [
        CreateTableRequest(
            name=name,
            databaseSchema=SCHEMA,
            description=f"table {name}",
            columns=[Column(name="id", dataType=DataType.BIGINT), Column(name="v", dataType=DataType.STRING)],
        )
        for name in TABLES
    ]
    edge = LineageDetails(
        sqlQuery="insert into t1 select id, v from t0",
        source=LineageSource.QUERY_LINEAGE,
        columnsLineage=[ColumnLineage(fromColumns=[f"{SCHEMA}.t0.id"], toColumn=f"{SCHEMA}.t1.id")],
    )
    return SyncBatch(
        operations=[
            PutEntities("services/databaseServices", [CreateDatabaseServiceRequest(name="svc")]),
            PutEntities("databases", [CreateDatabaseRequest(name="default", service="svc")]),
            PutEntities("databaseSchemas", [CreateDatabaseSchemaRequest(name="sales", database="svc.default")]),
            PutEntities("tables", tables, skip_unchanged_under=("databaseSchema", SCHEMA)),
            ReportUsage(f"{SCHEMA}.t0", DAY, 7),
            ReportUsage(f"{SCHEMA}.t1", DAY, 3),
            PutTableJoins(
                f"{SCHEMA}.t0",
                TableJoins(
                    startDate=DAY, directTableJoins=[JoinedWith(fullyQualifiedName=f"{SCHEMA}.t1", joinCount=2)]
                ),
            ),
            AddLineage(f"{SCHEMA}.t0", f"{SCHEMA}.t1", edge),
            ComputePercentiles(DAY),
        ]
    )


def write(server: OpenMetadataSandboxServer) -> SyncReport:
    client = OpenMetadataClient(server.api_url, TOKEN, timeout_s=CLIENT_TIMEOUT_S, concurrency=1, retry=FAST_RETRY)
    with client:
        return BatchWriter(client).write(catalog_batch())


VOLATILE = {"id", "href", "createdAt", "updatedAt", "updatedBy", "changeDescription", "incrementalChangeDescription"}


def snapshot(server: OpenMetadataSandboxServer) -> dict[str, Any]:
    """Everything the batch wrote, without ids and timestamps, so two servers can be compared."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in sorted(value.items()) if k not in VOLATILE}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    state: dict[str, Any] = {}
    with OpenMetadataClient(server.api_url, TOKEN) as client:
        for collection in ("services/databaseServices", "databases", "databaseSchemas", "tables"):
            fields = ("columns", "joins") if collection == "tables" else ()
            entities = list(client.list_all(collection, params={"include": "all"}, fields=fields))
            state[collection] = sorted((clean(e) for e in entities), key=lambda e: e["fullyQualifiedName"])
        ids = {t["name"]: t["id"] for t in client.list_all("tables")}
        edge = client.request_json("GET", f"/v1/lineage/getLineageEdge/{ids['t0']}/{ids['t1']}")
        state["lineage"] = clean(edge)["edge"]
        state["usage"] = {
            name: clean(client.request_json("GET", f"/v1/usage/table/{ids[name]}", params={"date": DAY}))
            for name in ("t0", "t1")
        }
    state["counts"] = httpx.get(f"{server.base_url}/_sandbox/summary", headers=auth()).json()
    return state


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[OpenMetadataSandboxServer, OpenMetadataSandboxServer]]:
    # A server without bulk endpoints, so each table is a request of its own (bulk: test_bulk_writes.py).
    monkeypatch.setenv(OM_VERSION_ENV, "1.10.0")
    with (
        OpenMetadataSandboxServer(tmp_path / "faulty", jwt_token=TOKEN) as faulty,
        OpenMetadataSandboxServer(tmp_path / "clean", jwt_token=TOKEN) as clean,
    ):
        yield faulty, clean


def test_lost_answers_then_a_clean_rerun_converge_on_a_clean_run_without_duplicates(
    servers: tuple[OpenMetadataSandboxServer, OpenMetadataSandboxServer],
) -> None:
    faulty, clean = servers
    faulty.app.state.faults.configure(LOST_ANSWERS)

    first = write(faulty)

    # Retried answers (5xx, dropped connection, timeout) were written all the same; the one broken answer is a
    # failure of its own table only, with the reason.
    assert len(first.failures) == 1, first.failures
    assert first.failures[0].startswith(f"{SCHEMA}.t3: PUT /v1/tables")
    assert "not JSON" in first.failures[0]
    assert first.counts["ReportUsage.written"] == 2 and first.counts["AddLineage.written"] == 1
    remaining = faulty.app.state.faults.config.fail_next
    assert [rule.count for rule in remaining] == [0] * len(LOST_ANSWERS.fail_next)  # every fault really fired

    faulty.app.state.faults.configure(FaultConfig())
    rerun = write(faulty)
    assert rerun.failures == []
    assert rerun.counts["created"] == 0

    assert write(clean).failures == []
    assert snapshot(faulty) == snapshot(clean)
