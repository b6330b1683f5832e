"""The README's first command: bring the sandbox up, run the jobs with ``dagster job launch``, show what landed.

Each job is launched exactly as an operator would launch it, through the Dagster instance in ``DAGSTER_HOME``,
and the demo waits for each run to finish before reading the result back from OpenMetadata.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from athena_om.config import SANDBOX_CONFIG_PATH
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.sandbox import launcher

REPO_ROOT = Path(__file__).resolve().parents[2]
SUMMARY_COLLECTIONS = {
    "databaseServices": "services/databaseServices",
    "databases": "databases",
    "databaseSchemas": "databaseSchemas",
    "tables": "tables",
    "classifications": "classifications",
    "tags": "tags",
    "queries": "queries",
}


def prepare_dagster_home(path: Path) -> Path:
    """A DAGSTER_HOME holding the project's dagster.yaml (local SQLite storage)."""
    path.mkdir(parents=True, exist_ok=True)
    if not (path / "dagster.yaml").exists():
        shutil.copy(REPO_ROOT / "dagster.yaml", path / "dagster.yaml")
    return path


def launch_and_wait(
    job: str, env: Mapping[str, str], tags: Mapping[str, str] | None = None, timeout_s: float = 600
) -> str:
    """``dagster job launch`` one run, then wait for it to end; returns its final status."""
    from dagster import DagsterInstance, DagsterRunStatus

    run_id = str(uuid.uuid4())
    command = [sys.executable, "-m", "dagster", "job", "launch", "-w", str(REPO_ROOT / "workspace.yaml"), "-j", job]
    command += ["--run-id", run_id]
    if tags:
        command += ["--tags", json.dumps(dict(tags))]
    print(f"$ dagster job launch -j {job}" + (f" --tags '{json.dumps(dict(tags))}'" if tags else ""), flush=True)
    launched = subprocess.run(command, env=dict(env), cwd=REPO_ROOT, capture_output=True, text=True)
    if launched.returncode != 0:
        print(f"  `dagster job launch` failed (exit {launched.returncode}):\n{launched.stderr[-3000:]}", flush=True)
        return "LAUNCH_FAILED"
    finished = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + timeout_s
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        while time.monotonic() < deadline:
            run = instance.get_run_by_id(run_id)
            if run is not None and run.status in finished:
                print(f"  run {run_id[:8]}: {run.status.value}", flush=True)
                return run.status.value
            time.sleep(1)
    return "TIMEOUT"


def registered_partitions(env: Mapping[str, str], name: str) -> list[str]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return list(instance.get_dynamic_partitions(name))


def print_summary(api_url: str, token: str, service: str) -> None:
    with OpenMetadataClient(api_url, token) as client:
        print("\nWhat landed in OpenMetadata:")
        for label, collection in SUMMARY_COLLECTIONS.items():
            params = {"service": service} if collection in {"databases", "queries"} else {}
            count = sum(1 for _ in client.list_all(collection, params=params))
            print(f"  {label:<17} {count}")
        tables = list(client.list_all("tables", params={"database": f"{service}.default"}, fields=["usageSummary"]))
        edges = used = 0
        for table in tables:
            lineage = client.request(
                "GET",
                f"/v1/lineage/table/name/{quote(table['fullyQualifiedName'], safe='')}",
                params={"upstreamDepth": 1, "downstreamDepth": 0},
            ).json()
            edges += len(lineage.get("upstreamEdges") or [])
            used += bool((table.get("usageSummary") or {}).get("dailyStats", {}).get("count"))
        print(f"  {'lineage edges':<17} {edges}")
        print(f"  {'tables with usage':<17} {used}")
        profiled = sum(
            1
            for table in tables
            if client.request(
                "GET",
                f"/v1/tables/{quote(table['fullyQualifiedName'], safe='')}/tableProfile/latest",
                allow_404=True,
            ).status_code
            == 200
        )
        print(f"  {'tables profiled':<17} {profiled}")
        print("A few tables:")
        for table in tables[:5]:
            print(f"  {table['fullyQualifiedName']}")


def run_demo(state_dir: Path, days: int = 3) -> int:
    """Sandbox up, catalog and profile jobs, usage and lineage for the last ``days`` days, then a summary.

    Returns an exit code."""
    print("Starting the sandbox (moto + DuckDB for AWS, a local OpenMetadata server)...", flush=True)
    info = launcher.up(
        state_dir,
        aws_port=int(os.environ.get("ATHENA_OM_SANDBOX_AWS_PORT", launcher.DEFAULT_AWS_PORT)),
        om_port=int(os.environ.get("ATHENA_OM_SANDBOX_OM_PORT", launcher.DEFAULT_OM_PORT)),
    )
    env = {**os.environ, **info.environment(), "DAGSTER_HOME": str(prepare_dagster_home(REPO_ROOT / ".dagster_home"))}
    env["ATHENA_OM_CONFIG"] = str(SANDBOX_CONFIG_PATH)
    statuses = [launch_and_wait("athena_schemas_job", env)]
    databases = registered_partitions(env, "glue_databases")
    if databases:
        every_database = {
            "dagster/asset_partition_range_start": databases[0],
            "dagster/asset_partition_range_end": databases[-1],
        }
        statuses.append(launch_and_wait("athena_tables_job", env, every_database))
        # One Athena scan per table, read from the demo lake's S3 objects.
        statuses.append(launch_and_wait("athena_table_profiles_job", env, every_database))
    if days > 0:
        # One run over the last `days` days: the history is read once for the whole range.
        today = datetime.now(UTC).date()
        last_days = {
            "dagster/asset_partition_range_start": (today - timedelta(days=days)).isoformat(),
            "dagster/asset_partition_range_end": (today - timedelta(days=1)).isoformat(),
        }
        statuses.append(launch_and_wait("athena_query_history_job", env, last_days))
    print_summary(info.openmetadata_api_url, launcher.SANDBOX_TOKEN, "athena_sandbox")
    print(
        "\nThe sandbox is still running. Look around with:\n"
        '  eval "$(athena-om sandbox env)"                 (point this shell at the sandbox)\n'
        f"  DAGSTER_HOME={env['DAGSTER_HOME']} dagster dev -w workspace.yaml   (runs and materializations)\n"
        "  athena-om sandbox status                       (endpoints and entity counts)\n"
        "  athena-om sandbox down                         (stop it; OpenMetadata's state stays in .sandbox/)"
    )
    failed = [s for s in statuses if s != "SUCCESS"]
    if failed:
        print(f"\n{len(failed)} run(s) did not succeed: open them in the Dagster UI to see why.", file=sys.stderr)
        return 1
    return 0
