"""Catalog sync at scale, side by side with OpenMetadata's own Athena connector (issues 3 and 9).

Run: ``.venv/bin/python benchmarks/bench_catalog_sync.py [--tables 10000 --databases 20 --columns 30]
[--latencies 20,100] [--connector-tables 100] [--mode dagster|direct] [--in-process]``.

A synthetic Glue catalog is seeded into the AWS sandbox (moto, extended) and synced into the sandbox OpenMetadata
server, which answers every API request after the injected latency. Both run in a child process, so their CPU
does not compete with the sync's for this process's GIL (``--in-process`` runs them here). For each latency in
``--latencies``, under service names of their own (so each first sync is a real first sync):

- **ours**: ``--mode dagster`` (default) materializes the real assets with ``dagster.materialize``
  (``athena_schemas``, then ``athena_tables`` over every Glue database as one single-run backfill, whose IO
  manager writes a ``PartitionedSync`` one database at a time); ``--mode direct`` runs the same code path without
  Dagster: ``plan_schemas_sync``, then ``plan_tables_sync`` and ``BatchWriter.write_partitioned``.
- **the real connector**: OpenMetadata's ``metadata ingest -c <file>`` (openmetadata-ingestion 2.0.7, installed
  in a virtualenv of its own by scripts/install_openmetadata_ingestion.sh) on the same sandboxes and catalog,
  restricted with ``schemaFilterPattern``/``tableFilterPattern`` to the first ``--connector-tables`` tables of the
  first database: it takes over a second per table, so per-table figures compare the two.

Each side runs a first sync and a second, unchanged one. Measured per sync: wall time, AWS requests by operation
(the AWS sandbox's middleware), OpenMetadata requests by route (the sandbox server), table writes, peak RSS (ours:
this process, sampled every 50 ms; the connector: its process tree).

Prints a table per latency, then one JSON line; writes ``benchmarks/results/catalog_sync.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import psutil
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import FaultConfig, OpenMetadataSandboxServer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "athena_om" / "config" / "examples" / "sandbox.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "catalog_sync.json"
SERVICE = "athena_bench"
CONNECTOR_SERVICE = "athena_connector"
OWNERS = {"alice@example.com", "bob@example.com", "data-platform"}
CONNECTOR_VENV = ROOT / ".cache" / "om-ingestion-venv"
INSTALL_SCRIPT = ROOT / "scripts" / "install_openmetadata_ingestion.sh"

# Issue 9's targets, per latency, ours measured beside the real connector.
TARGET_OM_PER_TABLE = 0.05
TARGET_AWS_PER_TABLE = 0.02
TARGET_FIRST_TIME_RATIO = 1 / 10  # ours per table / the connector's per table
TARGET_SECOND_TIME_RATIO = 1 / 20
TARGET_PEAK_RSS_MB = 500.0


# -- measuring -------------------------------------------------------------------------------------------


class PeakRss:
    """Samples the RSS of a process (this one by default; with ``tree``, summed over its descendants too) every
    50 ms; ``peak`` is the highest seen since ``start``."""

    def __init__(self, process: psutil.Process | None = None, *, tree: bool = False) -> None:
        self._process = process or psutil.Process()
        self._tree = tree
        self._stop = threading.Event()
        self.peak = 0
        self._thread: threading.Thread | None = None

    def _rss(self) -> int:
        processes = [self._process, *(self._process.children(recursive=True) if self._tree else [])]
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def start(self) -> None:
        self.peak = self._rss()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def stop(self) -> int:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.peak


@dataclass
class Phase:
    name: str
    wall_s: float = 0.0
    aws: dict[str, int] = field(default_factory=dict)
    om: dict[str, int] = field(default_factory=dict)
    table_writes: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    rss_before_mb: float = 0.0
    tracemalloc_peak_mb: float | None = None
    tables: int = 0

    @property
    def aws_total(self) -> int:
        return sum(self.aws.values())

    @property
    def om_total(self) -> int:
        return sum(self.om.values())

    def per_table(self, value: float) -> float:
        return value / self.tables if self.tables else 0.0

    def summary(self) -> dict[str, Any]:
        glue_listing = sum(v for k, v in self.aws.items() if k in ("glue:GetTables", "glue:GetDatabases"))
        data = asdict(self)
        data.update(
            aws_total=self.aws_total,
            om_total=self.om_total,
            aws_per_table=round(self.per_table(self.aws_total), 4),
            om_per_table=round(self.per_table(self.om_total), 4),
            glue_listing_per_table=round(self.per_table(glue_listing), 5),
            om_by_method=dict(_by_method(self.om)),
        )
        return data


def _by_method(om: dict[str, int]) -> Counter[str]:
    methods: Counter[str] = Counter()
    for route, n in om.items():
        methods[route.split(" ", 1)[0]] += n
    return methods


class Counters:
    """Request counters of both sandboxes (read over HTTP), reset before each phase."""

    def __init__(self, aws_endpoint: str, om_base_url: str) -> None:
        self.aws = httpx.Client(base_url=aws_endpoint)
        self.om = httpx.Client(base_url=om_base_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})

    def reset(self) -> None:
        self.aws.post("/_sandbox/requests/reset").raise_for_status()
        self.om.post("/_sandbox/requests/reset").raise_for_status()

    def read(self) -> tuple[dict[str, int], dict[str, int]]:
        aws = self.aws.get("/_sandbox/requests").json()
        om = self.om.get("/_sandbox/requests").json()["byRoute"]
        return dict(aws), dict(om)


# -- the sandboxes ----------------------------------------------------------------------------------------


@dataclass
class Sandboxes:
    """Where the two sandboxes answer, and how to stop them."""

    aws_endpoint: str
    region: str
    om_base_url: str
    databases: list[str]
    stop: Callable[[], None]

    @property
    def om_api_url(self) -> str:
        return f"{self.om_base_url}/api"

    def client(self, service: str) -> Any:
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.aws_endpoint,
            region_name=self.region,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )


def _start_sandboxes(args: argparse.Namespace, state_dir: Path) -> tuple[dict[str, Any], Callable[[], None]]:
    aws = AwsSandbox()
    databases = seed_synthetic_catalog(aws, databases=args.databases, tables=args.tables, columns=args.columns)
    aws.start()
    om = OpenMetadataSandboxServer(state_dir, faults=FaultConfig(latency_ms=args.latencies[0]), jwt_token=SANDBOX_TOKEN)
    om.start()
    seed_openmetadata_people(om.api_url, OWNERS)

    def stop() -> None:
        om.stop()
        aws.stop()

    info = {"aws_endpoint": aws.endpoint_url, "region": aws.region, "om_base_url": om.base_url, "databases": databases}
    return info, stop


def _serve_sandboxes(connection: Any, args: argparse.Namespace, state_dir: Path) -> None:
    """Child process: start and seed both sandboxes, report where they are, serve until told to stop."""
    info, stop = _start_sandboxes(args, state_dir)
    connection.send(info)
    connection.recv()
    stop()


def start_sandboxes(args: argparse.Namespace, state_dir: Path) -> Sandboxes:
    """Both sandboxes, in a child process (default: their CPU is not the sync's) or in this one."""
    if args.in_process:
        info, stop = _start_sandboxes(args, state_dir)
        return Sandboxes(**info, stop=stop)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_sandboxes, args=(child, args, state_dir), daemon=True)
    process.start()
    info = parent.recv()

    def stop_child() -> None:
        parent.send("stop")
        process.join(timeout=30)

    return Sandboxes(**info, stop=stop_child)


@contextmanager
def measured(phase: Phase, counters: Counters, *, trace: bool) -> Iterator[None]:
    counters.reset()
    rss = PeakRss()
    phase.rss_before_mb = round(psutil.Process().memory_info().rss / 2**20, 1)
    rss.start()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        phase.wall_s = round(time.perf_counter() - started, 2)
        if trace:
            phase.tracemalloc_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        phase.peak_rss_mb = round(rss.stop() / 2**20, 1)
        phase.aws, phase.om = counters.read()


# -- our sync ---------------------------------------------------------------------------------------------


def write_workflow(path: Path, api_url: str, concurrency: int, service: str) -> Path:
    """The sandbox example workflow, pointed at this run's OpenMetadata, under the given service name."""
    document = yaml.safe_load(EXAMPLE.read_text())
    document["source"]["serviceName"] = service
    document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = api_url
    document.setdefault("athenaOm", {})["requestConcurrency"] = concurrency
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


OUTCOMES = ("created", "updated", "unchanged", "deleted", "failed")


def dagster_sync(config_path: Path, instance: Any) -> dict[str, int]:
    """Materialize athena_schemas, then athena_tables over all partitions in one run; outcome counts."""
    from dagster import materialize

    from athena_om.definitions import build_definitions
    from athena_om.defs.metadata.assets import athena_schemas, athena_tables
    from athena_om.defs.metadata.partitions import glue_database_partitions

    resources = build_definitions(str(config_path)).resources
    counts: Counter[str] = Counter()
    for assets, tags in (([athena_schemas], None), ([athena_tables], "range")):
        if tags == "range":
            keys = instance.get_dynamic_partitions(glue_database_partitions.name)
            run_tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
        else:
            run_tags = {}
        result = materialize(assets, instance=instance, resources=resources, tags=run_tags)
        if not result.success:
            raise RuntimeError(f"{assets[0].key.to_user_string()} failed")
        # Each partition's materialization reports its own counts (the IO manager writes one database at a time).
        for event in result.get_asset_materialization_events():
            for key in OUTCOMES:
                value = event.materialization.metadata.get(key)
                counts[key] += int(value.value) if value is not None else 0  # type: ignore[arg-type]
    return dict(counts)


def direct_sync(config_path: Path) -> dict[str, int]:
    """The assets' code path without Dagster: plan and write the schemas, then a PartitionedSync of every
    database's tables through BatchWriter.write_partitioned (one database planned and written at a time)."""
    from athena_om.openmetadata.writer import BatchWriter
    from athena_om.resources.factory import resources_from_workflow
    from athena_om.resources.settings import workflow_config_at
    from athena_om.sync.catalog import AwsCatalogClients, plan_schemas_sync, plan_tables_sync

    resources = resources_from_workflow(workflow_config_at(str(config_path)), str(config_path))
    aws, openmetadata = resources["aws"], resources["openmetadata"]
    sync = resources["settings"].sync_settings()
    openmetadata.check_server()
    client = openmetadata.get_client()
    clients = AwsCatalogClients(glue=aws.glue(), lakeformation=aws.lakeformation() if sync.include_tags else None)
    counts: Counter[str] = Counter()
    schemas = plan_schemas_sync(clients, client, sync)
    counts.update(BatchWriter(client).write(schemas.batch).counts)
    planned = plan_tables_sync(clients, client, sync, schemas.database_names)
    for _, _, report in BatchWriter(client).write_partitioned(planned):
        counts.update(report.counts)
    return {key: counts.get(key, 0) for key in OUTCOMES}


# -- the real connector: OpenMetadata's own `metadata ingest` --------------------------------------------


def metadata_cli() -> Path:
    """The ``metadata`` command of openmetadata-ingestion 2.0.7, installed into .cache/ when missing (minutes)."""
    done = subprocess.run(["bash", str(INSTALL_SCRIPT), str(CONNECTOR_VENV)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"installing openmetadata-ingestion failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return CONNECTOR_VENV / "bin" / "metadata"


def connector_workflow(sandboxes: Sandboxes, service: str, database: str, tables: list[str]) -> dict[str, Any]:
    """The Athena metadata workflow OpenMetadata documents, as our sandbox example configures ours (tables,
    views, LF tags, mark deleted), limited to ``tables`` of one database."""
    return {
        "source": {
            "type": "athena",
            "serviceName": service,
            "serviceConnection": {
                "config": {
                    "type": "Athena",
                    "awsConfig": {
                        "awsAccessKeyId": "sandbox",
                        "awsSecretAccessKey": "sandbox",
                        "awsRegion": sandboxes.region,
                        "endPointURL": sandboxes.aws_endpoint,
                    },
                    "s3StagingDir": "s3://athena-om-sandbox-results/openmetadata-ingestion/",
                    "workgroup": "primary",
                }
            },
            "sourceConfig": {
                "config": {
                    "type": "DatabaseMetadata",
                    "markDeletedTables": True,
                    "includeTables": True,
                    "includeViews": True,
                    "includeTags": True,
                    "schemaFilterPattern": {"includes": [f"^{database}$"]},
                    "tableFilterPattern": {"includes": [f"^{re.escape(name)}$" for name in tables]},
                }
            },
        },
        "sink": {"type": "metadata-rest", "config": {}},
        "workflowConfig": {
            "loggerLevel": "WARN",
            "openMetadataServerConfig": {
                "hostPort": sandboxes.om_api_url,
                "authProvider": "openmetadata",
                "securityConfig": {"jwtToken": SANDBOX_TOKEN},
            },
        },
    }


def connector_sync(
    cli: Path, workflow: Path, counters: Counters, phase: Phase, log_path: Path, timeout_s: float
) -> None:
    """Run ``metadata ingest -c workflow`` once, measuring it like ours (its RSS: the whole process tree)."""
    counters.reset()
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen([str(cli), "ingest", "-c", str(workflow)], stdout=log, stderr=subprocess.STDOUT)
        rss = PeakRss(psutil.Process(process.pid), tree=True)
        rss.start()
        try:
            code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = -9
        phase.peak_rss_mb = round(rss.stop() / 2**20, 1)
    phase.wall_s = round(time.perf_counter() - started, 2)
    phase.aws, phase.om = counters.read()
    phase.counts = {"exit_code": code}
    if code != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        print(f"metadata ingest exited {code} (log {log_path}):\n{tail}", file=sys.stderr)


# -- main -------------------------------------------------------------------------------------------------


def table_writes(om: dict[str, int]) -> int:
    """Requests that wrote tables: single PUTs, PATCHes and bulk chunks."""
    routes = ("PUT /api/v1/tables", "PATCH /api/v1/tables/{entity_id}", "PUT /api/v1/tables/bulk")
    return sum(n for route, n in om.items() if route in routes)


def set_latency(sandboxes: Sandboxes, latency_ms: float) -> None:
    with httpx.Client(base_url=sandboxes.om_base_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}) as http:
        http.post("/_sandbox/faults", json={"latency_ms": latency_ms}).raise_for_status()


def first_tables(sandboxes: Sandboxes, database: str, count: int) -> list[str]:
    """The first ``count`` table names of a Glue database, by name."""
    glue = sandboxes.client("glue")
    pages = glue.get_paginator("get_tables").paginate(DatabaseName=database)
    return sorted(table["Name"] for page in pages for table in page["TableList"])[:count]


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench_catalog_sync_"))
    started = time.perf_counter()
    cli = metadata_cli() if args.connector_tables else None
    sandboxes = start_sandboxes(args, workdir / "openmetadata")
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": sandboxes.aws_endpoint,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_DEFAULT_REGION": sandboxes.region,
            "AWS_REGION": sandboxes.region,
            "OPENMETADATA_JWT_TOKEN": SANDBOX_TOKEN,
        }
    )
    counters = Counters(sandboxes.aws_endpoint, sandboxes.om_base_url)
    connector_database = sandboxes.databases[0]
    connector_tables = first_tables(sandboxes, connector_database, args.connector_tables)
    setup_s = time.perf_counter() - started

    instance_cm: Any = None
    instance: Any = None
    if args.mode == "dagster":
        from dagster import instance_for_test

        (workdir / "dagster").mkdir()
        instance_cm = instance_for_test(temp_dir=str(workdir / "dagster"))
        instance = instance_cm.__enter__()

    variants: dict[str, dict[str, Phase]] = {}
    try:
        for latency in args.latencies:
            set_latency(sandboxes, latency)
            label = f"{latency:g}ms"
            phases: dict[str, Phase] = {}
            service = f"{SERVICE}_{label}"
            config = write_workflow(workdir / f"workflow_{label}.yaml", sandboxes.om_api_url, args.concurrency, service)
            for name in ("first_sync", "second_sync"):
                phase = Phase(name, tables=args.tables)
                with measured(phase, counters, trace=args.tracemalloc):
                    phase.counts = dagster_sync(config, instance) if instance is not None else direct_sync(config)
                phase.table_writes = table_writes(phase.om)
                phases[name] = phase
                print(f"[{label}] ours {name}: {phase.wall_s:.1f} s", file=sys.stderr, flush=True)
            if cli is not None:
                # The small run (--connector-small-tables) measures the connector's fixed cost (start-up, test
                # connection, listings), so its marginal cost per table can be told apart from it.
                runs = [("", connector_tables)]
                if 0 < args.connector_small_tables < len(connector_tables):
                    runs.append(("_small", connector_tables[: args.connector_small_tables]))
                for suffix, selected in runs:
                    workflow = workdir / f"connector{suffix}_{label}.yaml"
                    service = f"{CONNECTOR_SERVICE}{suffix}_{label}"
                    document = connector_workflow(sandboxes, service, connector_database, selected)
                    workflow.write_text(yaml.safe_dump(document))
                    for name in (f"connector_first_sync{suffix}", f"connector_second_sync{suffix}"):
                        phase = Phase(name, tables=len(selected))
                        log_path = workdir / f"{name}_{label}.log"
                        connector_sync(cli, workflow, counters, phase, log_path, args.connector_timeout)
                        phase.table_writes = table_writes(phase.om)
                        phases[name] = phase
                        print(f"[{label}] connector {name}: {phase.wall_s:.1f} s", file=sys.stderr, flush=True)
            variants[label] = phases
    finally:
        if instance_cm is not None:
            instance_cm.__exit__(None, None, None)
        sandboxes.stop()
        if not args.keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    return report(args, variants, setup_s)


def _ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 4) if theirs else None


def targets_of(phases: dict[str, Phase]) -> dict[str, Any]:
    """Issue 9's targets for one latency: requests per table, time per table against the connector's, RSS."""
    first, second = phases["first_sync"], phases["second_sync"]
    out: dict[str, Any] = {
        "om_per_table_first": round(first.per_table(first.om_total), 4),
        "aws_per_table_first": round(first.per_table(first.aws_total), 4),
        "second_sync_table_writes": second.table_writes,
        "peak_rss_mb": max(first.peak_rss_mb, second.peak_rss_mb),
    }
    met = [
        out["om_per_table_first"] <= TARGET_OM_PER_TABLE,
        out["aws_per_table_first"] <= TARGET_AWS_PER_TABLE,
        second.table_writes == 0,
        out["peak_rss_mb"] <= TARGET_PEAK_RSS_MB,
    ]
    theirs_first, theirs_second = phases.get("connector_first_sync"), phases.get("connector_second_sync")
    if theirs_first is not None and theirs_second is not None:
        out["first_time_per_table_ratio"] = _ratio(
            first.per_table(first.wall_s), theirs_first.per_table(theirs_first.wall_s)
        )
        out["second_time_per_table_ratio"] = _ratio(
            second.per_table(second.wall_s), theirs_second.per_table(theirs_second.wall_s)
        )
        judged = {"first": "first_time_per_table_ratio", "second": "second_time_per_table_ratio"}
        small = {sync: phases.get(f"connector_{sync}_sync_small") for sync in ("first", "second")}
        if all(small.values()):
            # The stricter comparison: all of our time per table against only the connector's marginal time per
            # table (its fixed cost taken out by the small run).
            for sync, ours, theirs in (("first", first, theirs_first), ("second", second, theirs_second)):
                little = small[sync]
                assert little is not None
                marginal = (theirs.wall_s - little.wall_s) / max(theirs.tables - little.tables, 1)
                out[f"connector_{sync}_fixed_s"] = round(little.wall_s - marginal * little.tables, 1)
                out[f"connector_{sync}_marginal_s_per_table"] = round(marginal, 4)
                ratio = _ratio(ours.per_table(ours.wall_s), marginal) if marginal > 0 else None
                out[f"{sync}_time_per_marginal_table_ratio"] = ratio
                judged[sync] = f"{sync}_time_per_marginal_table_ratio"
        met.append((out[judged["first"]] or 1) <= TARGET_FIRST_TIME_RATIO)
        met.append((out[judged["second"]] or 1) <= TARGET_SECOND_TIME_RATIO)
        met.append(all(phase.counts.get("exit_code") == 0 for name, phase in phases.items() if "connector" in name))
    out["met"] = all(met)
    return out


def report(args: argparse.Namespace, variants: dict[str, dict[str, Phase]], setup_s: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "catalog_sync",
        "params": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "setup_s": round(setup_s, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": {
            "om_per_table_first_max": TARGET_OM_PER_TABLE,
            "aws_per_table_first_max": TARGET_AWS_PER_TABLE,
            "first_time_per_table_ratio_max": TARGET_FIRST_TIME_RATIO,
            "second_time_per_table_ratio_max": TARGET_SECOND_TIME_RATIO,
            "second_sync_table_writes_max": 0,
            "peak_rss_mb_max": TARGET_PEAK_RSS_MB,
        },
        "latencies": {},
    }
    for label, phases in variants.items():
        targets = targets_of(phases)
        result["latencies"][label] = {
            "phases": {name: phase.summary() for name, phase in phases.items()},
            "targets": targets,
        }
        print_table(label, phases, targets)
    return result


def print_table(label: str, phases: dict[str, Phase], targets: dict[str, Any]) -> None:
    print(f"\nOpenMetadata latency {label}")
    header = f"{'phase':<30}{'tables':>8}{'wall s':>9}{'s/1k tbl':>10}{'AWS req':>9}{'AWS/tbl':>9}{'OM req':>9}"
    header += f"{'OM/tbl':>9}{'tbl wr':>8}{'peak RSS MB':>13}"
    print(header)
    print("-" * len(header))
    for name, phase in phases.items():
        print(
            f"{name:<30}{phase.tables:>8}{phase.wall_s:>9.1f}{1000 * phase.per_table(phase.wall_s):>10.2f}"
            f"{phase.aws_total:>9}{phase.per_table(phase.aws_total):>9.3f}{phase.om_total:>9}"
            f"{phase.per_table(phase.om_total):>9.3f}{phase.table_writes:>8}{phase.peak_rss_mb:>13.0f}"
        )
    for name, phase in phases.items():
        print(f"{name}: AWS {dict(sorted(phase.aws.items()))}")
        print(f"{' ' * len(name)}  OM  {dict(sorted(phase.om.items()))}")
    print(f"targets: {targets} -> {'MET' if targets['met'] else 'NOT MET'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument(
        "--latencies",
        type=lambda text: [float(part) for part in text.split(",") if part],
        default=[20.0, 100.0],
        help="OpenMetadata latencies in ms, comma-separated; each is a variant with first and second syncs",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="athenaOm.requestConcurrency")
    parser.add_argument("--mode", choices=("dagster", "direct"), default="dagster")
    parser.add_argument(
        "--connector-tables",
        type=int,
        default=100,
        help="tables the real connector syncs (the first ones of the first database, by tableFilterPattern); "
        "0 skips it",
    )
    parser.add_argument(
        "--connector-small-tables",
        type=int,
        default=0,
        help="also run the connector on this many of those tables, to take its fixed cost out of its time per "
        "table (the targets are then judged on the marginal time); 0 skips it",
    )
    parser.add_argument("--connector-timeout", type=float, default=3600.0, help="seconds per `metadata ingest`")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run both sandboxes in this process (their CPU then competes with the sync's for the GIL)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap (slows the sync)")
    parser.add_argument("--keep-workdir", action="store_true", help="keep workflows and connector logs")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, default=str, separators=(",", ":")))


if __name__ == "__main__":
    main()
