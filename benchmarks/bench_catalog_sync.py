"""Catalog sync at scale: a synthetic Glue catalog synced twice into the sandbox OpenMetadata (issue 3).

Run: ``.venv/bin/python benchmarks/bench_catalog_sync.py [--tables 10000 --databases 20 --columns 30
--latency-ms 20] [--mode dagster|direct] [--baseline-tables 500] [--in-process]``.

The AWS sandbox (moto, extended) and the sandbox OpenMetadata server (``--latency-ms`` injected on every API
request) run in a child process, so their CPU does not compete with the sync's for this process's GIL
(``--in-process`` runs them here). ``--mode dagster`` (default) materializes the real assets with
``dagster.materialize``: ``athena_schemas``, then ``athena_tables`` over every Glue database in one run (a
single-run backfill over the partition range). ``--mode direct`` calls the same planning and writer functions the
assets call, without Dagster.

Measured for the first sync and for a second, unchanged one: wall time, AWS requests by operation (counted by the
AWS sandbox's middleware), OpenMetadata requests by route (counted by the sandbox server), table writes, peak RSS
of this process and, with ``--tracemalloc``, the Python heap peak.

The baseline, measured in the same run, is an emulation of OpenMetadata's own Athena connector: it sends, with
boto3 and httpx against the same sandboxes and one request at a time like the connector's default
single-threaded topology runner, the requests that connector's code paths send for this catalog (each call and
where it comes from: ``ConnectorModel``). It runs the per-run part once, one schema, ``--baseline-tables`` tables
of it and 20 views; the parts are scaled to the whole catalog (by databases, tables and views).

Prints a table, then one JSON line; writes ``benchmarks/results/catalog_sync.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
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

from athena_om.athena.catalog import read_tables
from athena_om.athena.lakeformation import LFTagIndex
from athena_om.mapping.fqn import schema_fqn
from athena_om.mapping.tables import glue_table_to_create_request
from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import FaultConfig, OpenMetadataSandboxServer
from athena_om.sync.catalog import mapping_options, with_lf_tags_on_table
from athena_om.sync.settings import SyncSettings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "athena_om" / "config" / "examples" / "sandbox.yaml"
RESULTS = ROOT / "benchmarks" / "results" / "catalog_sync.json"
SERVICE = "athena_bench"
BASELINE_SERVICE = "athena_om_connector_baseline"
OWNERS = {"alice@example.com", "bob@example.com", "data-platform"}

TARGET_GLUE_LISTING_PER_TABLE = 1 / 50
TARGET_FIRST_SYNC_S = 120.0
TARGET_SECOND_SYNC_S = 20.0


# -- measuring -------------------------------------------------------------------------------------------


class PeakRss:
    """Samples this process's RSS every 50 ms; ``peak`` is the highest seen since ``start``."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.peak = 0
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.peak = self._process.memory_info().rss
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._process.memory_info().rss)

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
    scaled_from_tables: int | None = None

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
    om = OpenMetadataSandboxServer(state_dir, faults=FaultConfig(latency_ms=args.latency_ms), jwt_token=SANDBOX_TOKEN)
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

    def stop() -> None:
        parent.send("stop")
        process.join(timeout=30)

    return Sandboxes(**info, stop=stop)


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


def write_workflow(path: Path, api_url: str, concurrency: int) -> Path:
    """The sandbox example workflow, pointed at this run's OpenMetadata, under the benchmark's service name."""
    document = yaml.safe_load(EXAMPLE.read_text())
    document["source"]["serviceName"] = SERVICE
    document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = api_url
    document.setdefault("athenaOm", {})["requestConcurrency"] = concurrency
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def dagster_sync(config_path: Path, instance: Any) -> dict[str, int]:
    """Materialize athena_schemas, then athena_tables over all partitions in one run; outcome counts."""
    from dagster import materialize

    from athena_om.definitions import build_definitions
    from athena_om.defs.metadata.assets import athena_schemas, athena_tables
    from athena_om.defs.metadata.partitions import glue_database_partitions

    resources = build_definitions(str(config_path)).resources
    counts: Counter[str] = Counter()
    result = materialize([athena_schemas], instance=instance, resources=resources)
    if not result.success:
        raise RuntimeError("athena_schemas failed")
    keys = instance.get_dynamic_partitions(glue_database_partitions.name)
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    result = materialize([athena_tables], instance=instance, resources=resources, tags=tags)
    if not result.success:
        raise RuntimeError("athena_tables failed")
    # One run over all partitions writes once; Dagster repeats that output's metadata on each partition's
    # materialization, so the counts are read from one of them.
    events = result.get_asset_materialization_events()
    for key in ("created", "updated", "unchanged", "deleted", "failed"):
        value = events[0].materialization.metadata.get(key) if events else None
        counts[key] += int(value.value) if value is not None else 0
    return dict(counts)


def direct_sync(config_path: Path) -> dict[str, int]:
    """What the two assets do, without Dagster: plan schemas, write; plan each database's tables, write."""
    from athena_om.athena.lakeformation import read_lf_tags
    from athena_om.openmetadata.writer import BatchWriter
    from athena_om.resources.factory import resources_from_workflow
    from athena_om.resources.settings import workflow_config_at
    from athena_om.sync.catalog import owner_resolver_from_openmetadata, plan_schemas, plan_tables

    resources = resources_from_workflow(workflow_config_at(str(config_path)), str(config_path))
    aws, openmetadata = resources["aws"], resources["openmetadata"]
    sync = resources["settings"].sync_settings()
    client = openmetadata.get_client()
    counts: Counter[str] = Counter()
    owners = owner_resolver_from_openmetadata(client) if sync.include_owners else None
    lakeformation = aws.lakeformation() if sync.include_tags else None
    batch, databases = plan_schemas(aws.glue(), lakeformation, sync, owners)
    counts.update(BatchWriter(client).write(batch).counts)
    tags = read_lf_tags(lakeformation, sync.catalog_id) if lakeformation is not None else LFTagIndex()
    for database in databases:
        batch, _ = plan_tables(aws.glue(), database.name, sync, tags, owners)
        counts.update(BatchWriter(client).write(batch).counts)
    return {key: counts.get(key, 0) for key in ("created", "updated", "unchanged", "deleted", "failed")} | {
        "tables.created": counts.get("tables.created", 0),
        "tables.updated": counts.get("tables.updated", 0),
    }


# -- the baseline: OpenMetadata's own Athena connector ----------------------------------------------------


@dataclass
class ConnectorModel:
    """The requests OpenMetadata's Athena connector (ingestion 1.5 to 1.10, PyAthena 3) sends, and where from.

    AWS, once per run:
      - glue:GetDatabases pages .......... athena/metadata.py AthenaSource.prepare (schema descriptions)
      - athena:ListDatabases pages ....... common_db_source.py get_database_schema_names ->
                                           inspector.get_schema_names -> PyAthena _get_schemas (cached)
    AWS, per schema:
      - athena:ListTableMetadata pages ... common_db_source.py query_table_names_and_types / query_view_names_
                                           and_types -> inspector.get_table_names / get_view_names -> PyAthena
                                           _get_tables (@reflection.cache: one listing, MaxResults 50)
      - lakeformation:GetResourceLFTags .. athena/metadata.py yield_tag -> client.get_database_tags
    AWS, per table:
      - athena:GetTableMetadata x2 ....... PyAthena _get_table is @reflection.cache'd by its arguments:
                                           get_columns(table) [common_db_source.get_columns_and_constraints],
                                           get_table_comment / get_table_options [AthenaSource.
                                           get_table_description] share that entry; AthenaSource.
                                           get_table_partition_details calls get_columns(...,
                                           only_partition_columns=True), a different key: a second call
      - lakeformation:GetResourceLFTags .. athena/metadata.py yield_table_tags -> client.
                                           get_table_and_column_tags (includeTags)
    AWS, per view:
      - athena:StartQueryExecution, GetQueryExecution, GetQueryResults: athena/utils.py get_view_definition
        runs ``SHOW CREATE VIEW`` (at least one GetQueryExecution poll)
    (includeDDL adds a per-schema MetaData.reflect, sqlalchemy_utils.get_all_table_ddls, on a new inspector:
    one more GetTableMetadata per table. Left out here, in the connector's favour.)

    OpenMetadata, per run: GET service by name (topology_runner.yield_and_update_context, overwrite=False);
    PUT database + GET it by name (must_return). Per database: GET /tables?database=...&fields=sourceHash, all
    pages (topology_runner._init_cache_dict -> get_fqn_source_hash_dict -> ometa list_all_entities, page 1000
    assumed). Per schema: PUT schema + GET by name (must_return); at the end GET /tables?databaseSchema=...
    all pages (database_service.mark_tables_as_deleted). Per table: PUT /tables (metadata_rest sink
    create_or_update) unless the cached sourceHash matches, then nothing.
    """

    list_table_metadata_page: int = 50
    list_page: int = 1000


@dataclass
class Segment:
    """Requests and time of one part of the emulation, and how many times the whole catalog repeats it."""

    repeat: float
    wall_s: float
    aws: Counter[str]
    om: Counter[str]


class Segments:
    """Cuts the emulation into per-run, per-schema and per-table parts by differencing the sandbox counters."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.parts: list[Segment] = []
        self._mark()

    def _mark(self) -> None:
        aws, om = self.counters.read()
        self._aws, self._om, self._t = Counter(aws), Counter(om), time.perf_counter()

    def close(self, repeat: float) -> None:
        aws, om = self.counters.read()
        elapsed = time.perf_counter() - self._t
        self.parts.append(Segment(repeat, elapsed, Counter(aws) - self._aws, Counter(om) - self._om))
        self._mark()

    def phase(self, name: str, tables: int, sample: int) -> Phase:
        out = Phase(name, tables=tables, scaled_from_tables=sample)
        aws: Counter[str] = Counter()
        om: Counter[str] = Counter()
        for part in self.parts:
            out.wall_s += part.wall_s * part.repeat
            for key, n in part.aws.items():
                aws[key] += n * part.repeat
            for key, n in part.om.items():
                om[key] += n * part.repeat
        out.wall_s = round(out.wall_s, 1)
        out.aws = {key: round(n) for key, n in aws.items()}
        out.om = {key: round(n) for key, n in om.items()}
        out.table_writes = table_writes(out.om)
        return out


def table_bodies(sandboxes: Sandboxes, database: str, names: list[str]) -> dict[str, dict[str, Any]]:
    """PUT bodies for the emulated tables: our mapping of them (the connector's bodies are the same size)."""
    s_fqn = schema_fqn(BASELINE_SERVICE, "default", database)
    options = mapping_options(SyncSettings(service_name=BASELINE_SERVICE))
    wanted = set(names)
    bodies = {}
    for table in read_tables(sandboxes.client("glue"), database).tables:
        if table.name in wanted:
            result = glue_table_to_create_request(
                with_lf_tags_on_table(table, LFTagIndex()), schema_fqn=s_fqn, options=options
            )
            if result.request is not None:
                bodies[table.name] = result.request.to_body()
    return bodies


def views_of(sandboxes: Sandboxes) -> list[tuple[str, str]]:
    """Every view of the catalog as (database, name)."""
    glue = sandboxes.client("glue")
    views = []
    for database in sandboxes.databases:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            views += [(database, t["Name"]) for t in page["TableList"] if t.get("TableType") == "VIRTUAL_VIEW"]
    return views


def emulate_openmetadata_connector(
    sandboxes: Sandboxes,
    counters: Counters,
    *,
    sample: int,
    tables: int,
    first: bool,
    views: list[tuple[str, str]],
    view_sample: int = 20,
) -> Phase:
    """Send, one at a time, the requests the connector sends: per run, for one schema, for ``sample`` tables.

    The per-schema part is scaled by the number of databases, the per-table part by ``tables / sample`` and the
    per-view part (``SHOW CREATE VIEW`` on ``view_sample`` views) by the number of views.
    """
    model = ConnectorModel()
    database = sandboxes.databases[0]
    glue, athena = sandboxes.client("glue"), sandboxes.client("athena")
    lakeformation = sandboxes.client("lakeformation")
    om = httpx.Client(base_url=sandboxes.om_api_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}, timeout=60)
    names = sorted(
        t["Name"]
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database)
        for t in page["TableList"]
    )[:sample]
    bodies = table_bodies(sandboxes, database, names) if first else {}
    s_fqn = schema_fqn(BASELINE_SERVICE, "default", database)
    db_fqn = f"{BASELINE_SERVICE}.default"
    segments = Segments(counters)

    # Per run: service (get, create only when missing), database (put, get back), the sourceHash cache.
    # The connector's get_by_name asks fields=*, which the sandbox does not take; the gets here ask none.
    for _ in glue.get_paginator("get_databases").paginate():
        pass
    athena.list_databases(CatalogName="AwsDataCatalog", MaxResults=50)
    service = om.get(f"/v1/services/databaseServices/name/{BASELINE_SERVICE}")
    if service.status_code == 404:
        om.put("/v1/services/databaseServices", json={"name": BASELINE_SERVICE, "serviceType": "Athena"})
    om.put("/v1/databases", json={"name": "default", "service": BASELINE_SERVICE}).raise_for_status()
    om.get(f"/v1/databases/name/{db_fqn}")
    _list_all(om, "/v1/tables", {"database": db_fqn, "fields": "sourceHash"}, model.list_page)
    segments.close(repeat=1)

    # Per schema: schema (put, get back), its LF-tags, the table listing, the mark-deleted listing.
    om.put("/v1/databaseSchemas", json={"name": database, "database": db_fqn}).raise_for_status()
    om.get(f"/v1/databaseSchemas/name/{s_fqn}")
    lakeformation.get_resource_lf_tags(Resource={"Database": {"Name": database}})
    listed: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = athena.list_table_metadata(
            CatalogName="AwsDataCatalog",
            DatabaseName=database,
            MaxResults=model.list_table_metadata_page,
            **({"NextToken": token} if token else {}),
        )
        listed += page["TableMetadataList"]
        token = page.get("NextToken")
        if not token:
            break
    _list_all(om, "/v1/tables", {"databaseSchema": s_fqn}, model.list_page)
    segments.close(repeat=len(sandboxes.databases))

    # Per table.
    for name in names:
        for _ in range(2):
            athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName=database, TableName=name)
        lakeformation.get_resource_lf_tags(
            Resource={"TableWithColumns": {"DatabaseName": database, "Name": name, "ColumnWildcard": {}}}
        )
        if first and name in bodies:
            om.put("/v1/tables", json=bodies[name])
    segments.close(repeat=tables / max(1, len(names)))

    # Per view: athena/utils.py get_view_definition runs SHOW CREATE VIEW (start, one poll, results).
    for view_database, view in views[:view_sample]:
        query_id = athena.start_query_execution(
            QueryString=f'SHOW CREATE VIEW "{view_database}"."{view}"', WorkGroup="primary"
        )["QueryExecutionId"]
        athena.get_query_execution(QueryExecutionId=query_id)
        # The sandbox may not run SHOW CREATE VIEW; the request is sent all the same.
        with contextlib.suppress(Exception):
            athena.get_query_results(QueryExecutionId=query_id)
    segments.close(repeat=len(views) / max(1, min(len(views), view_sample)))
    om.close()
    return segments.phase("baseline_first_sync" if first else "baseline_second_sync", tables, len(names))


def _list_all(om: httpx.Client, path: str, params: dict[str, Any], page: int) -> None:
    query = {"limit": page, **params}
    while True:
        body = om.get(path, params=query).json()
        after = (body.get("paging") or {}).get("after")
        if not after or not body.get("data"):
            return
        query["after"] = after


# -- main -------------------------------------------------------------------------------------------------


def table_writes(om: dict[str, int]) -> int:
    return sum(n for route, n in om.items() if route in ("PUT /api/v1/tables", "PATCH /api/v1/tables/{entity_id}"))


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="bench_catalog_sync_"))
    started = time.perf_counter()
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
    config_path = write_workflow(workdir / "workflow.yaml", sandboxes.om_api_url, args.concurrency)
    counters = Counters(sandboxes.aws_endpoint, sandboxes.om_base_url)
    setup_s = time.perf_counter() - started

    sync: Callable[[], dict[str, int]]
    instance_cm: Any = None
    if args.mode == "dagster":
        from dagster import instance_for_test

        (workdir / "dagster").mkdir()
        instance_cm = instance_for_test(temp_dir=str(workdir / "dagster"))
        instance = instance_cm.__enter__()
        sync = lambda: dagster_sync(config_path, instance)  # noqa: E731
    else:
        sync = lambda: direct_sync(config_path)  # noqa: E731

    phases: dict[str, Phase] = {}
    try:
        for name in ("first_sync", "second_sync"):
            phase = Phase(name, tables=args.tables)
            with measured(phase, counters, trace=args.tracemalloc):
                phase.counts = sync()
            phase.table_writes = table_writes(phase.om)
            phases[name] = phase
        if args.baseline_tables:
            sample = min(args.baseline_tables, args.tables // args.databases or 1)
            views = views_of(sandboxes)
            for name, first in (("baseline_first_sync", True), ("baseline_second_sync", False)):
                counters.reset()
                rss = PeakRss()
                rss.start()
                phase = emulate_openmetadata_connector(
                    sandboxes, counters, sample=sample, tables=args.tables, first=first, views=views
                )
                phase.peak_rss_mb = round(rss.stop() / 2**20, 1)
                phases[name] = phase
    finally:
        if instance_cm is not None:
            instance_cm.__exit__(None, None, None)
        sandboxes.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    return report(args, phases, setup_s)


def _ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 4) if theirs else None


def report(args: argparse.Namespace, phases: dict[str, Phase], setup_s: float) -> dict[str, Any]:
    first, second = phases["first_sync"], phases["second_sync"]
    result: dict[str, Any] = {
        "benchmark": "catalog_sync",
        "params": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "setup_s": round(setup_s, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "phases": {name: phase.summary() for name, phase in phases.items()},
    }
    targets = {
        "glue_listing_per_table_max": TARGET_GLUE_LISTING_PER_TABLE,
        "glue_listing_per_table": result["phases"]["first_sync"]["glue_listing_per_table"],
        "first_sync_s_max": TARGET_FIRST_SYNC_S,
        "second_sync_s_max": TARGET_SECOND_SYNC_S,
        "second_sync_table_writes_max": 0,
    }
    targets["met"] = (
        targets["glue_listing_per_table"] <= TARGET_GLUE_LISTING_PER_TABLE
        and first.wall_s < TARGET_FIRST_SYNC_S
        and second.wall_s < TARGET_SECOND_SYNC_S
        and second.table_writes == 0
    )
    result["targets"] = targets
    ratios: dict[str, Any] = {}
    for ours_name, theirs_name in (("first_sync", "baseline_first_sync"), ("second_sync", "baseline_second_sync")):
        theirs = phases.get(theirs_name)
        if theirs is None:
            continue
        ours = phases[ours_name]
        ratios[ours_name] = {
            "aws_requests": _ratio(ours.aws_total, theirs.aws_total),
            "om_requests": _ratio(ours.om_total, theirs.om_total),
            "wall_time": _ratio(ours.wall_s, theirs.wall_s),
        }
    result["ratios_ours_over_connector"] = ratios
    print_table(phases, targets, ratios)
    return result


def print_table(phases: dict[str, Phase], targets: dict[str, Any], ratios: dict[str, Any]) -> None:
    header = f"{'phase':<22}{'tables':>8}{'wall s':>9}{'AWS req':>9}{'AWS/tbl':>9}{'OM req':>9}{'OM/tbl':>9}"
    header += f"{'tbl PUT':>9}{'peak RSS MB':>13}"
    print(header)
    print("-" * len(header))
    for name, phase in phases.items():
        note = f"  (scaled from {phase.scaled_from_tables} tables)" if phase.scaled_from_tables else ""
        print(
            f"{name:<22}{phase.tables:>8}{phase.wall_s:>9.1f}{phase.aws_total:>9}"
            f"{phase.per_table(phase.aws_total):>9.3f}{phase.om_total:>9}{phase.per_table(phase.om_total):>9.3f}"
            f"{phase.table_writes:>9}{phase.peak_rss_mb:>13.0f}{note}"
        )
    print()
    for name, phase in phases.items():
        print(f"{name}: AWS {dict(sorted(phase.aws.items()))}")
        print(f"{' ' * len(name)}  OM  {dict(sorted(_by_method(phase.om).items()))}")
    print()
    print(
        f"Glue listing requests per table: {targets['glue_listing_per_table']:.4f} "
        f"(target <= {TARGET_GLUE_LISTING_PER_TABLE:.2f})"
    )
    print(
        f"first sync {phases['first_sync'].wall_s:.1f} s (target < {TARGET_FIRST_SYNC_S:.0f}); second sync "
        f"{phases['second_sync'].wall_s:.1f} s with {phases['second_sync'].table_writes} table writes "
        f"(target < {TARGET_SECOND_SYNC_S:.0f} s, 0 writes) -> {'MET' if targets['met'] else 'NOT MET'}"
    )
    for name, ratio in ratios.items():
        print(f"{name} ours / OpenMetadata connector: {ratio}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8, help="athenaOm.requestConcurrency")
    parser.add_argument("--mode", choices=("dagster", "direct"), default="dagster")
    parser.add_argument(
        "--baseline-tables",
        type=int,
        default=500,
        help="tables of the first database the connector emulation runs on (scaled up); 0 skips it",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run both sandboxes in this process (their CPU then competes with the sync's for the GIL)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap (slows the sync)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, default=str, separators=(",", ":")))


if __name__ == "__main__":
    main()
