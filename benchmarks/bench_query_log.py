"""Benchmark: query log, usage and lineage over a synthetic Athena history, against both sandboxes in-process.

    python benchmarks/bench_query_log.py [--queries 10000] [--tables 500] [--days 30]

Seeds a synthetic catalog and query history, syncs the catalog to the OpenMetadata sandbox, then reads the whole
history once (as a single-run backfill does), writes the range's Query entities in one run (as the asset does),
then usage and lineage day by day. Reports AWS requests per 50 queries, wall time per phase, parse throughput (one
thread, column lineage on), peak RSS and the sensor's idle-tick cost, against a naive read measured in the same
run: ListQueryExecutions pages plus one GetQueryExecution per query. (OpenMetadata's own Athena usage source
already pairs each list page with a BatchGetQueryExecution, but reads ``resultLimit`` queries per workgroup
whatever the day, so it is not a naive baseline.) Also reports the OpenMetadata reads that merging each Query
entity with what OpenMetadata already holds costs: for the first backfill, then for a re-run of the last day and
of the whole range. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from athena_om.athena.lakeformation import LFTagIndex
from athena_om.athena.query_history_poll import HistoryCursor, poll_query_history
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.writer import BatchWriter
from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog, seed_synthetic_query_history
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om.sync.catalog import plan_schemas, plan_tables
from athena_om.sync.lineage import plan_lineage
from athena_om.sync.query_log import (
    QueryLogDay,
    plan_query_entities,
    query_names,
    read_query_logs,
    read_stored_queries,
)
from athena_om.sync.settings import SyncSettings
from athena_om.sync.snapshot import CatalogSnapshot, read_catalog_snapshot
from athena_om.sync.usage import plan_usage

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TOKEN = "bench-token"
NAIVE_SAMPLE = 1000  # queries read the naive way; its cost per query is linear, so a sample is enough


def history_requests(counts: dict[str, int]) -> int:
    return sum(n for key, n in counts.items() if key.startswith("athena:") and "QueryExecution" in key)


def naive_read(athena: object, workgroups: list[str], limit: int) -> tuple[int, int, float]:
    """List ids page by page and GetQueryExecution each one: (queries, requests, seconds)."""
    started, requests, read = time.perf_counter(), 0, 0
    for workgroup in workgroups:
        token = None
        while read < limit:
            page = athena.list_query_executions(
                WorkGroup=workgroup, MaxResults=50, **({"NextToken": token} if token else {})
            )
            requests += 1
            for query_id in page.get("QueryExecutionIds", [])[: limit - read]:
                athena.get_query_execution(QueryExecutionId=query_id)
                requests += 1
                read += 1
            token = page.get("NextToken")
            if not token:
                break
    return read, requests, time.perf_counter() - started


def query_reads(om: OpenMetadataSandboxServer) -> int:
    """GET /api/v1/queries requests the sandbox OpenMetadata served so far (its request log)."""
    counts = httpx.get(f"{om.base_url}/_sandbox/requests", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    return sum(n for route, n in counts["byRoute"].items() if route.startswith("GET /api/v1/queries"))


def write_query_entities(
    client: OpenMetadataClient,
    om: OpenMetadataSandboxServer,
    logs: Sequence[QueryLogDay],
    snapshot: CatalogSnapshot,
    settings: SyncSettings,
) -> dict[str, int]:
    """What the query-log asset does for one run: read the stored Query entities (a listing, or by name when the
    run's texts are fewer than its pages), merge, write."""
    reads_before = query_reads(om)
    stored = read_stored_queries(client, settings.service_name, query_names(logs))
    reads = query_reads(om) - reads_before
    batch = plan_query_entities(logs, snapshot, settings, stored)
    report = BatchWriter(client).write(batch)
    written = report.counts["queries.created"] + report.counts["queries.updated"] + report.counts["queries.unchanged"]
    return {
        "openmetadata_reads": reads,
        "query_entities_listed": len(stored),
        "query_entities_written": written,
        "query_entities_merged": batch.metadata["query_entities_merged"],
        "write_failures": len(report.failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--databases", type=int, default=5)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    timings: dict[str, float] = {}
    started = time.perf_counter()
    aws = AwsSandbox()
    databases = seed_synthetic_catalog(aws, databases=args.databases, tables=args.tables, columns=30, prefix="bench")
    seed_synthetic_query_history(aws, queries=args.queries, days=args.days, now=NOW, databases=databases)
    aws.start()
    root = Path(tempfile.mkdtemp(prefix="bench-query-log-"))
    om = OpenMetadataSandboxServer(root / "om", jwt_token=TOKEN)
    om.start()
    timings["seed_s"] = time.perf_counter() - started
    settings = SyncSettings(service_name="bench", include_tags=False, include_owners=False)
    client = OpenMetadataClient(om.api_url, TOKEN, concurrency=8)
    glue, athena = aws.client("glue"), aws.client("athena")

    phase = time.perf_counter()
    batch, _ = plan_schemas(glue, None, settings)
    BatchWriter(client).write(batch)
    for database in databases:
        batch, _ = plan_tables(glue, database, settings, LFTagIndex())
        BatchWriter(client).write(batch)
    timings["catalog_sync_s"] = time.perf_counter() - phase

    phase = time.perf_counter()
    snapshot = read_catalog_snapshot(client, settings)
    timings["catalog_snapshot_s"] = time.perf_counter() - phase

    aws.reset_request_counts()
    phase = time.perf_counter()
    days = [(NOW - timedelta(days=back)).date() for back in range(args.days, -1, -1)]
    logs = read_query_logs(athena, days, settings, snapshot.schema())
    timings["read_and_parse_s"] = time.perf_counter() - phase
    aws_counts = aws.request_counts()
    parse_s = sum(log.parse_seconds for log in logs)
    timings["read_s"] = timings["read_and_parse_s"] - parse_s
    queries_read = sum(len(log.queries) + log.self_issued + log.not_finished for log in logs)
    parsed = sum(len(log.parsed) for log in logs)
    failed_to_parse = sum(len(log.parse_failures()) for log in logs)

    phase = time.perf_counter()
    written: Counter[str] = Counter()
    failures: list[str] = []
    first_write = write_query_entities(client, om, logs, snapshot, settings)
    timings["query_entities_s"] = time.perf_counter() - phase
    for index, log in enumerate(logs):
        for batch in (
            plan_usage(log, snapshot),
            plan_lineage(log, snapshot, include_views=index == 0),
        ):
            report = BatchWriter(client).write(batch)
            written.update(report.counts)
            failures += report.failures
    timings["plan_and_write_s"] = time.perf_counter() - phase

    # Re-runs, once the Query entities exist: yesterday alone (the daily schedule), then the whole range again.
    phase = time.perf_counter()
    rerun_day = write_query_entities(client, om, logs[-1:], snapshot, settings)
    timings["rerun_day_s"] = time.perf_counter() - phase
    phase = time.perf_counter()
    rerun_range = write_query_entities(client, om, logs, snapshot, settings)
    timings["rerun_range_s"] = time.perf_counter() - phase
    merge_reads = {"first_backfill": first_write, "rerun_last_day": rerun_day, "rerun_whole_range": rerun_range}
    reads_per_100 = {
        name: {
            "per_100_written": round(run["openmetadata_reads"] / max(run["query_entities_written"], 1) * 100, 3),
            "per_100_listed": round(run["openmetadata_reads"] / max(run["query_entities_listed"], 1) * 100, 3),
        }
        for name, run in merge_reads.items()
    }

    cursor = poll_query_history(athena, HistoryCursor(), now=NOW).cursor
    aws.reset_request_counts()
    poll_query_history(athena, cursor, now=NOW + timedelta(minutes=5))
    idle_tick_requests = sum(aws.request_counts().values())

    aws.reset_request_counts()
    naive_queries, naive_requests, naive_s = naive_read(athena, ["primary", "etl"], min(NAIVE_SAMPLE, queries_read))
    om.stop()
    aws.stop()

    ours_per_50 = history_requests(aws_counts) / max(queries_read, 1) * 50
    naive_per_50 = naive_requests / max(naive_queries, 1) * 50
    read_per_query_s = timings["read_s"] / max(queries_read, 1)
    naive_per_query_s = naive_s / max(naive_queries, 1)
    result = {
        "queries_seeded": args.queries,
        "queries_read": queries_read,
        "tables": args.tables,
        "days": len(logs),
        "aws_requests": dict(aws_counts),
        "aws_requests_per_50_queries": round(ours_per_50, 3),
        "naive_aws_requests_per_50_queries": round(naive_per_50, 3),
        "aws_requests_ratio_vs_naive": round(ours_per_50 / naive_per_50, 4),
        "read_seconds_per_1000_queries": round(read_per_query_s * 1000, 3),
        "naive_read_seconds_per_1000_queries": round(naive_per_query_s * 1000, 3),
        "read_speedup_vs_naive": round(naive_per_query_s / read_per_query_s, 1) if read_per_query_s else None,
        "parsed": parsed,
        "failed_to_parse": failed_to_parse,
        "parse_queries_per_second": round(parsed / parse_s, 1) if parse_s else None,
        "query_entities_written": first_write["query_entities_written"],
        "query_entity_merge_reads": merge_reads,
        "query_entity_merge_reads_per_100": reads_per_100,
        "usage_reports_written": written["ReportUsage.written"],
        "joins_written": written["PutTableJoins.written"],
        "lineage_edges_written": written["AddLineage.written"],
        "write_failures": len(failures) + sum(run["write_failures"] for run in merge_reads.values()),
        "sensor_idle_tick_aws_requests": idle_tick_requests,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "wall_s": round(time.perf_counter() - started, 1),
        **{key: round(value, 2) for key, value in timings.items()},
    }
    print(f"queries read            {queries_read:>10,} over {len(logs)} days")
    ratio = result["aws_requests_ratio_vs_naive"]
    print(f"AWS requests / 50       {ours_per_50:>10.2f}  (naive {naive_per_50:.2f}, ratio {ratio})")
    print(f"read s / 1000 queries   {read_per_query_s * 1000:>10.3f}  (naive {naive_per_query_s * 1000:.3f})")
    print(f"parse throughput        {result['parse_queries_per_second']:>10} queries/s (one thread, column lineage)")
    edges, usage = written["AddLineage.written"], written["ReportUsage.written"]
    print(f"lineage edges written   {edges:>10,}   usage reports {usage:,}")
    print(f"write failures          {result['write_failures']:>10,}   {failures[:3]}")
    for name, run in merge_reads.items():
        per_100 = reads_per_100[name]
        print(
            f"Query merge {name:<18} {run['openmetadata_reads']:>3} OM reads for {run['query_entities_listed']:,} "
            f"listed / {run['query_entities_written']:,} written ({per_100['per_100_listed']} per 100 listed, "
            f"{per_100['per_100_written']} per 100 written)"
        )
    print(f"sensor idle tick        {idle_tick_requests:>10} AWS requests")
    print(f"peak RSS                {result['peak_rss_mb']:>10} MB   wall {result['wall_s']} s   {timings}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
