"""Issue 7: the table sync of 20 Glue databases as 20 parallel runs against one run, on the PostgreSQL deployment.

The deployment is deploy/'s: PostgreSQL instance storage (a throwaway server, as the e2e test starts), a code
server, ``dagster-daemon run`` dequeuing runs from the QueuedRunCoordinator, runs as subprocesses of the code
server (the default run launcher). The synthetic catalog (``seed_synthetic_catalog``) sits in the AWS sandbox;
the sandbox OpenMetadata answers every request after ``--latency-ms``.

For each mode, OpenMetadata starts empty (``/_sandbox/reset``), ``athena_schemas_job`` runs (not timed), then the
timed part: ``athena_tables_job``
- ``one-run``: one run over all databases (the partition-range tags of a single-run backfill);
- ``parallel``: one run per database, all queued at once; the daemon starts them within the run limits of
  deploy/dagster-postgres.yaml (4 at once, the pools' limit) and the pools.

Measured: wall time from the first launch to the last run's end; OpenMetadata requests (the sandbox's request
counts) and peak concurrent requests (from its request log: each request's start and end); the sum of the run
workers' step durations. Prints a table and a JSON line; writes ``benchmarks/results/parallel_runs.json``.

    .venv/bin/python benchmarks/bench_parallel_runs.py [--databases 20] [--tables 2000] [--columns 30] \\
        [--latency-ms 20] [--modes one-run,parallel]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from athena_om.defs.metadata.partitions import GLUE_DATABASES
from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import FaultConfig, OpenMetadataSandboxServer
from athena_om_tests.dagster_deployment import Deployment, running_deployment
from athena_om_tests.postgres_server import running_postgres

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "athena_om" / "config" / "examples" / "sandbox.yaml"
RESULTS = REPO / "benchmarks" / "results" / "parallel_runs.json"
SERVICE = "athena_bench_parallel"
OWNERS = {"alice@example.com", "data-platform", "bob@example.com"}
RUN_TIMEOUT_S = 1800


@dataclass
class ModeResult:
    mode: str
    runs: int
    wall_s: float
    om_requests: int
    om_peak_concurrent: int
    om_table_writes: int
    step_seconds_total: float
    all_succeeded: bool


def write_workflow(path: Path, api_url: str) -> Path:
    document = yaml.safe_load(EXAMPLE.read_text())
    document["source"]["serviceName"] = SERVICE
    document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = api_url
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def peak_concurrency(log: Path, start_line: int) -> tuple[int, int]:
    """Requests logged after ``start_line`` and the most that were in flight at once (start = end - duration)."""
    marks: list[tuple[float, int]] = []
    count = 0
    with log.open() as lines:
        for index, line in enumerate(lines):
            if index < start_line:
                continue
            entry = json.loads(line)
            if not entry["path"].startswith("/api/"):
                continue
            count += 1
            end = float(entry["ts"])
            marks += [(end - float(entry["ms"]) / 1000, 1), (end, -1)]
    peak = current = 0
    for _, step in sorted(marks, key=lambda mark: (mark[0], mark[1])):
        current += step
        peak = max(peak, current)
    return count, peak


def line_count(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open() as lines:
        return sum(1 for _ in lines)


def step_seconds(instance: DagsterInstance, run_id: str) -> float:
    total = 0.0
    for record in instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_SUCCESS).records:
        event = record.event_log_entry.dagster_event
        if event is not None and event.event_specific_data is not None:
            total += float(getattr(event.event_specific_data, "duration_ms", 0) or 0) / 1000
    return total


HEADERS = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


def request_counts(om: OpenMetadataSandboxServer) -> dict[str, int]:
    response = httpx.get(f"{om.base_url}/_sandbox/requests", headers=HEADERS, timeout=30)
    response.raise_for_status()
    return dict(response.json()["byRoute"])


def reset_openmetadata(om: OpenMetadataSandboxServer) -> None:
    httpx.post(f"{om.base_url}/_sandbox/reset", headers=HEADERS, timeout=60).raise_for_status()
    seed_openmetadata_people(om.api_url, OWNERS)


def run_mode(mode: str, deployment: Deployment, instance: DagsterInstance, om: OpenMetadataSandboxServer) -> ModeResult:
    reset_openmetadata(om)
    with deployment.launcher(instance) as launch:
        deployment.wait(instance, [launch("athena_schemas_job", in_process=True)], RUN_TIMEOUT_S)
        databases = sorted(instance.get_dynamic_partitions(GLUE_DATABASES))
        log = om.state_dir / "requests.jsonl"
        first_line = line_count(log)
        counts_before = request_counts(om)
        started = time.perf_counter()
        if mode == "one-run":
            tags = {
                "dagster/asset_partition_range_start": databases[0],
                "dagster/asset_partition_range_end": databases[-1],
            }
            run_ids = [launch("athena_tables_job", tags, in_process=True)]
        else:
            run_ids = [launch("athena_tables_job", {"dagster/partition": db}, in_process=True) for db in databases]
        runs = deployment.wait(instance, run_ids, RUN_TIMEOUT_S)
        wall = time.perf_counter() - started
    counts_after = request_counts(om)
    requests, peak = peak_concurrency(log, first_line)
    writes = sum(
        n - counts_before.get(route, 0)
        for route, n in counts_after.items()
        if route.split(" ")[0] in {"PUT", "PATCH"} and "/tables" in route
    )
    return ModeResult(
        mode=mode,
        runs=len(run_ids),
        wall_s=round(wall, 1),
        om_requests=requests,
        om_peak_concurrent=peak,
        om_table_writes=writes,
        step_seconds_total=round(sum(step_seconds(instance, run.run_id) for run in runs), 1),
        all_succeeded=all(run.status == DagsterRunStatus.SUCCESS for run in runs),
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-parallel-runs-"))
    aws = AwsSandbox()
    seed_synthetic_catalog(aws, databases=args.databases, tables=args.tables, columns=args.columns)
    aws.start()
    om = OpenMetadataSandboxServer(root / "om", faults=FaultConfig(latency_ms=args.latency_ms), jwt_token=SANDBOX_TOKEN)
    om.start()
    results: list[ModeResult] = []
    try:
        with running_postgres() as postgres:
            env = {**aws.environment(), **postgres.environment(), "OPENMETADATA_JWT_TOKEN": SANDBOX_TOKEN}
            with environment(env):
                workflow = write_workflow(root / "workflow.yaml", om.api_url)
                with running_deployment(root, dict(os.environ), workflow) as deployment:
                    instance = deployment.instance()
                    for mode in args.modes:
                        print(f"running {mode} ...", flush=True)
                        results.append(run_mode(mode, deployment, instance, om))
                        print(json.dumps(asdict(results[-1])), flush=True)
                    instance.dispose()
    finally:
        om.stop()
        aws.stop()
        if results and all(r.all_succeeded for r in results):
            shutil.rmtree(root, ignore_errors=True)
        else:  # the code server's and the daemon's logs say why a run failed
            print(f"kept {root} (logs/code-server.log, logs/daemon.log)", flush=True)
    return {
        "benchmark": "parallel_runs",
        "databases": args.databases,
        "tables": args.tables,
        "columns": args.columns,
        "latency_ms": args.latency_ms,
        "cpus": os.cpu_count(),
        "results": [asdict(r) for r in results],
    }


def print_table(report: dict[str, Any]) -> None:
    print(
        f"\n{report['tables']} tables in {report['databases']} Glue databases, OpenMetadata latency "
        f"{report['latency_ms']} ms, {report['cpus']} CPUs"
    )
    header = ("mode", "runs", "wall s", "OM requests", "OM peak concurrent", "table writes", "step s (sum)", "ok")
    print(" | ".join(header))
    for r in report["results"]:
        print(
            f"{r['mode']} | {r['runs']} | {r['wall_s']} | {r['om_requests']} | {r['om_peak_concurrent']} | "
            f"{r['om_table_writes']} | {r['step_seconds_total']} | {r['all_succeeded']}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--modes", type=lambda s: s.split(","), default=["one-run", "parallel"])
    args = parser.parse_args(argv)
    report = run(args)
    print_table(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
