"""The multi-machine deployment end to end (issue 7): deploy/dagster-postgres.yaml on a real PostgreSQL server.

A code server, ``dagster-daemon run`` and each ``dagster job launch`` are separate processes that share only the
PostgreSQL instance, the sandbox's S3 (``athenaOm.payloadStorage``) and OpenMetadata, as separate machines would.
The demo lake's Glue databases sync as parallel queued runs, one per partition; the query-history job hands the
day's parsed log from ``athena_query_log`` to usage and lineage through S3, each step in its own process. What
lands in OpenMetadata must equal a single-process run's against a second, fresh OpenMetadata.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRun, DagsterRunStatus, instance_for_test

from athena_om.defs.metadata.partitions import GLUE_DATABASES
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.sandbox.aws import DEMO_DATABASES
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om_tests.aws_sandbox import running_aws_sandbox
from athena_om_tests.dagster_deployment import Deployment, running_deployment
from athena_om_tests.e2e.conftest import DEMO_NOW, Stack, write_workflow
from athena_om_tests.e2e.test_catalog_sync import SERVICE, sync_all
from athena_om_tests.e2e.test_usage_lineage import run_day
from athena_om_tests.postgres_server import running_postgres

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 9)  # a Monday of the demo history: CTAS, INSERT, MERGE and a CREATE VIEW
DATABASES = sorted(d.name for d in DEMO_DATABASES)
PAYLOAD_BUCKET = "athena-om-payloads"
PAYLOAD_STORAGE = f"s3://{PAYLOAD_BUCKET}/shared"
RUN_TIMEOUT_S = 150
OWNERS = {"alice@example.com", "data-platform", "bob@example.com"}
# What differs between two servers that hold the same catalog: ids, times, who wrote it, links to the server.
VOLATILE = {
    "id",
    "href",
    "createdAt",
    "updatedAt",
    "updatedBy",
    "changeDescription",
    "incrementalChangeDescription",
    "timestamp",
}


@dataclass
class Deployed:
    instance: DagsterInstance
    schema_run: DagsterRun
    table_runs: list[DagsterRun]
    history_run: DagsterRun
    payload_keys: list[str]
    local_payloads: list[Path]
    distributed: dict[str, Any]
    single_process: dict[str, Any]


def clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: clean(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def om_snapshot(api_url: str) -> dict[str, Any]:
    """The service's catalog as a reader sees it: entities with columns, tags, owners; lineage; the day's usage."""
    state: dict[str, Any] = {}
    with OpenMetadataClient(api_url, SANDBOX_TOKEN) as client:
        for collection, fields in (
            ("services/databaseServices", ("tags", "owners")),
            ("databases", ("tags", "owners")),
            ("databaseSchemas", ("tags", "owners")),
            ("tables", ("columns", "tags", "owners", "joins", "usageSummary")),
            ("queries", ("queryUsedIn",)),
        ):
            entities = [clean(e) for e in client.list_all(collection, params={"include": "all"}, fields=fields)]
            for entity in entities:
                if entity.get("owners"):
                    # It hashes the request body, whose owner references carry this server's own user/team ids.
                    entity.pop("sourceHash", None)
            key = "name" if collection == "queries" else "fullyQualifiedName"
            state[collection] = sorted(entities, key=lambda e: e[key])
        names = {t["id"]: t["fullyQualifiedName"] for t in client.list_all("tables")}
        edges = []
        for table_id in names:
            graph = client.request_json("GET", f"/v1/lineage/table/{table_id}", params={"upstreamDepth": 1})
            for edge in graph.get("upstreamEdges") or []:
                details = client.request_json("GET", f"/v1/lineage/getLineageEdge/{edge['fromEntity']}/{table_id}")
                edges.append((names[edge["fromEntity"]], names[table_id], clean(details["edge"])))
        state["lineage"] = sorted(edges, key=lambda e: (e[0], e[1]))
        state["usage"] = {
            fqn: clean(client.request_json("GET", f"/v1/usage/table/{table_id}", params={"date": DAY.isoformat()}))
            for table_id, fqn in sorted(names.items(), key=lambda item: item[1])
        }
    return state


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, as readable paths (entities matched by name, not by list position)."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                found.append(f"{path}/{key}: only in {'distributed' if key in left else 'single-process'}")
            else:
                found += differences(left[key], right[key], f"{path}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and all(isinstance(e, dict) for e in left + right):
        return differences(_by_name(left), _by_name(right), path)
    return [] if left == right else [f"{path}: {left!r} != {right!r}"[:400]]


def _by_name(entities: list[dict[str, Any]]) -> dict[str, Any]:
    named = {str(e.get("fullyQualifiedName") or e.get("name") or i): e for i, e in enumerate(entities)}
    return named if len(named) == len(entities) else dict(enumerate(entities))


def single_process_state(root: Path, aws: Any) -> dict[str, Any]:
    """The same work materialized in this process (in-process executor, local payloads) on a fresh server."""
    with OpenMetadataSandboxServer(root / "om-single", jwt_token=SANDBOX_TOKEN) as om, instance_for_test() as instance:
        seed_openmetadata_people(om.api_url, OWNERS)
        stack = Stack(aws, om, write_workflow(root / "single.yaml", om.api_url))
        sync_all(stack, instance)
        run_day(stack, instance)
        return om_snapshot(om.api_url)


def distributed_workflow(path: Path, api_url: str) -> Path:
    write_workflow(path, api_url)
    document = yaml.safe_load(path.read_text())
    document["athenaOm"]["payloadStorage"] = PAYLOAD_STORAGE
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def run_deployment(
    deployment: Deployment, instance: DagsterInstance
) -> tuple[DagsterRun, list[DagsterRun], DagsterRun]:
    with deployment.launcher(instance) as launch:
        (schema_run,) = deployment.wait(instance, [launch("athena_schemas_job", in_process=True)], RUN_TIMEOUT_S)
        databases = instance.get_dynamic_partitions(GLUE_DATABASES)
        # Queued together; the daemon starts each in a run worker of its own.
        table_ids = [launch("athena_tables_job", {"dagster/partition": db}, in_process=True) for db in databases]
        table_runs = deployment.wait(instance, table_ids, RUN_TIMEOUT_S)
        # The default multiprocess executor: each of the three steps in a process of its own, payloads through S3.
        history_id = launch("athena_query_history_job", {"dagster/partition": DAY.isoformat()})
        (history_run,) = deployment.wait(instance, [history_id], RUN_TIMEOUT_S)
    return schema_run, table_runs, history_run


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("deployment")
    with (
        running_aws_sandbox(DEMO_NOW) as aws,
        running_postgres() as postgres,
        OpenMetadataSandboxServer(root / "om-distributed", jwt_token=SANDBOX_TOKEN) as om,
        pytest.MonkeyPatch.context() as patch,
    ):
        seed_openmetadata_people(om.api_url, OWNERS)
        boto3.client("s3").create_bucket(Bucket=PAYLOAD_BUCKET)
        patch.setenv("OPENMETADATA_JWT_TOKEN", SANDBOX_TOKEN)
        for key, value in postgres.environment().items():
            patch.setenv(key, value)
        workflow = distributed_workflow(root / "distributed.yaml", om.api_url)
        with running_deployment(root, dict(os.environ), workflow) as deployment:
            instance = deployment.instance()
            schema_run, table_runs, history_run = run_deployment(deployment, instance)
        snapshots = {"distributed": om_snapshot(om.api_url), "single_process": single_process_state(root, aws)}
        # Kept beside the run logs, for reading a failed comparison.
        (root / "snapshots.json").write_text(json.dumps(snapshots, indent=1, sort_keys=True, default=str))
        listed = boto3.client("s3").list_objects_v2(Bucket=PAYLOAD_BUCKET).get("Contents") or []
        yield Deployed(
            instance=instance,
            schema_run=schema_run,
            table_runs=table_runs,
            history_run=history_run,
            payload_keys=sorted(obj["Key"] for obj in listed),
            local_payloads=sorted((deployment.home / "athena_om").rglob("*")),
            distributed=snapshots["distributed"],
            single_process=snapshots["single_process"],
        )
        instance.dispose()


def events(instance: DagsterInstance, run: DagsterRun, kind: DagsterEventType) -> list[Any]:
    return [r.event_log_entry for r in instance.get_records_for_run(run.run_id, of_type=kind).records]


def test_the_instance_keeps_runs_events_and_schedules_in_postgres(deployed: Deployed) -> None:
    instance = deployed.instance
    storages = {
        type(instance.run_storage).__name__,
        type(instance.event_log_storage).__name__,
        type(instance.schedule_storage).__name__,
    }
    assert storages == {"PostgresRunStorage", "PostgresEventLogStorage", "PostgresScheduleStorage"}
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().pool_config.default_pool_limit == 4
    # The daemon wrote its heartbeats where the other processes read them.
    assert instance.get_daemon_heartbeats()
    assert set(instance.get_dynamic_partitions(GLUE_DATABASES)) == set(DATABASES)


def test_each_database_syncs_as_its_own_queued_run_dequeued_by_the_daemon(deployed: Deployed) -> None:
    instance = deployed.instance
    runs = [deployed.schema_run, *deployed.table_runs, deployed.history_run]
    assert [r.status for r in runs] == [DagsterRunStatus.SUCCESS] * len(runs)
    partitions = sorted(run.tags["dagster/partition"] for run in deployed.table_runs)
    assert partitions == DATABASES
    assert len(partitions) >= 3
    for run in runs:
        assert events(instance, run, DagsterEventType.RUN_ENQUEUED), run.run_id
        # Only the daemon's run queue starts a queued run: the test submitted them and nothing else.
        assert events(instance, run, DagsterEventType.RUN_STARTING), run.run_id
    workers = {events(instance, run, DagsterEventType.RUN_START)[0].dagster_event.pid for run in deployed.table_runs}
    assert len(workers) == len(deployed.table_runs), "each run has a worker process of its own"
    for run in deployed.table_runs:
        (materialization,) = events(instance, run, DagsterEventType.ASSET_MATERIALIZATION)
        assert materialization.dagster_event.partition == run.tags["dagster/partition"]


def test_the_query_log_reaches_usage_and_lineage_through_s3_across_step_processes(deployed: Deployed) -> None:
    instance = deployed.instance
    starts = events(instance, deployed.history_run, DagsterEventType.STEP_START)
    step_pids = {entry.step_key: entry.dagster_event.pid for entry in starts}
    assert set(step_pids) == {"athena_query_log", "athena_table_usage", "athena_lineage"}
    assert len(set(step_pids.values())) == 3, f"each step in its own process: {step_pids}"
    assert f"shared/athena_query_log/{DAY.isoformat()}" in {key.rsplit(".", 1)[0] for key in deployed.payload_keys}
    assert deployed.local_payloads == [], "payloads go to S3, not to the run worker's disk"
    loaded = events(instance, deployed.history_run, DagsterEventType.LOADED_INPUT)
    assert {entry.step_key for entry in loaded} == {"athena_table_usage", "athena_lineage"}


def test_openmetadata_ends_as_after_a_single_process_run(deployed: Deployed) -> None:
    distributed, single = deployed.distributed, deployed.single_process
    tables = distributed["tables"]
    assert len(tables) >= 10
    assert all(t["columns"] for t in tables)
    assert any(t.get("tags") for t in tables) and any(t.get("owners") for t in tables)
    assert distributed["lineage"] and any(usage["usage"] for usage in distributed["usage"].values())
    assert differences(distributed, single) == []
    assert {s["name"] for s in distributed["services/databaseServices"]} == {SERVICE}
