"""BatchWriter additions for the query-log assets: ids known from planning, concurrent per-table operations."""

from __future__ import annotations

import json
import threading

import httpx

from athena_om.openmetadata.batches import AddLineage, ComputePercentiles, ReportUsage, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import ColumnLineage, LineageDetails
from athena_om.openmetadata.writer import BatchWriter


def recording_client(calls: list[tuple[str, str, object]]) -> OpenMetadataClient:
    lock = threading.Lock()
    edges: dict[str, dict[str, object]] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        with lock:
            calls.append((request.method, request.url.path, body))
        path = request.url.path
        if path.startswith("/api/v1/lineage/getLineageEdge/"):
            key = path.rsplit("/", 2)[-2] + ">" + path.rsplit("/", 1)[-1]
            return httpx.Response(200, json={"edge": edges[key]}) if key in edges else httpx.Response(404, json={})
        if path == "/api/v1/lineage" and request.method == "PUT":
            edge = body["edge"]
            with lock:
                edges[edge["fromEntity"]["id"] + ">" + edge["toEntity"]["id"]] = edge["lineageDetails"]
        return httpx.Response(200, json={})

    return OpenMetadataClient("http://om/api", transport=httpx.MockTransport(handle), concurrency=4)


def details(to_column: str) -> LineageDetails:
    return LineageDetails(
        sqlQuery="INSERT ...",
        columnsLineage=[ColumnLineage(fromColumns=["a.t.x"], toColumn=to_column)],
    )


def test_known_ids_skip_lookups_and_usage_finishes_before_percentiles() -> None:
    calls: list[tuple[str, str, object]] = []
    batch = SyncBatch(known_table_ids={"s.d.db.a": "A", "s.d.db.b": "B"})
    batch.add(ReportUsage("s.d.db.a", "2026-03-09", 3))
    batch.add(ReportUsage("s.d.db.b", "2026-03-09", 1))
    batch.add(ComputePercentiles("2026-03-09"))
    report = BatchWriter(recording_client(calls)).write(batch)
    assert report.counts["ReportUsage.written"] == 2 and not report.failures
    assert not any(path.startswith("/api/v1/tables/name/") for _, path, _ in calls)
    assert calls[-1][1] == "/api/v1/usage/compute.percentile/table/2026-03-09"
    assert {(m, p) for m, p, _ in calls[:2]} == {("POST", "/api/v1/usage/table/A"), ("POST", "/api/v1/usage/table/B")}


def test_operations_on_one_edge_run_in_order_and_merge() -> None:
    calls: list[tuple[str, str, object]] = []
    batch = SyncBatch(known_table_ids={"a": "A", "b": "B", "c": "C"})
    batch.add(AddLineage("a", "b", details("b.x")))
    batch.add(AddLineage("c", "b", details("b.z")))
    batch.add(AddLineage("a", "b", details("b.y")))
    report = BatchWriter(recording_client(calls)).write(batch)
    assert report.counts["AddLineage.written"] == 3
    last_put = [body for method, path, body in calls if method == "PUT" and path == "/api/v1/lineage"]
    a_to_b = [b for b in last_put if b["edge"]["fromEntity"]["id"] == "A"][-1]
    assert [c["toColumn"] for c in a_to_b["edge"]["lineageDetails"]["columnsLineage"]] == ["b.x", "b.y"]


def test_unknown_tables_are_reported_not_raised() -> None:
    calls: list[tuple[str, str]] = []

    batch = SyncBatch(known_table_ids={"a": "A"})
    batch.add(ReportUsage("missing", "2026-03-09", 1))

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, request.url.path))
        return httpx.Response(404, json={"message": "not found"})

    client = OpenMetadataClient("http://om/api", transport=httpx.MockTransport(handle))
    report = BatchWriter(client).write(batch)
    assert report.counts["ReportUsage.failed"] == 1
    assert "missing" in report.failures[0]
    # The table is looked up once by name; after the 404 nothing is written for it.
    assert calls == [("GET", "/api/v1/tables/name/missing")]
