"""A plain, reviewable description of the code location's graph: assets, jobs, schedules and sensors.

`test_definitions.py` compares it with the committed `snapshots/definitions.json`, so an accidental change to the
graph shows in review. After an intended change, regenerate the file:

    ATHENA_OM_UPDATE_SNAPSHOTS=1 .venv/bin/pytest -q athena_om_tests/test_definitions.py

and commit it with the change.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.definitions.partitions.definition import (
    DynamicPartitionsDefinition,
    MultiPartitionsDefinition,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

SNAPSHOT_PATH = Path(__file__).parent / "snapshots" / "definitions.json"
UPDATE_ENV_VAR = "ATHENA_OM_UPDATE_SNAPSHOTS"
UPDATE_COMMAND = f"{UPDATE_ENV_VAR}=1 .venv/bin/pytest -q athena_om_tests/test_definitions.py"


def describe_partitions(partitions_def: PartitionsDefinition | None) -> dict[str, Any] | None:
    """The shape of a partitions definition, without values that move with the clock (a daily start date)."""
    if partitions_def is None:
        return None
    if isinstance(partitions_def, DynamicPartitionsDefinition):
        return {"type": "dynamic", "name": partitions_def.name}
    if isinstance(partitions_def, TimeWindowPartitionsDefinition):
        return {
            "type": "time_window",
            "cron_schedule": partitions_def.cron_schedule,
            "timezone": partitions_def.timezone,
            "fmt": partitions_def.fmt,
            "end_offset": partitions_def.end_offset,
        }
    if isinstance(partitions_def, StaticPartitionsDefinition):
        return {"type": "static", "keys": list(partitions_def.get_partition_keys())}
    if isinstance(partitions_def, MultiPartitionsDefinition):
        return {
            "type": "multi",
            "dimensions": {d.name: describe_partitions(d.partitions_def) for d in partitions_def.partitions_defs},
        }
    return {"type": type(partitions_def).__name__}


def describe_definitions(defs: dg.Definitions) -> dict[str, Any]:
    """Asset keys with their group, deps, kinds, partitions and policies; jobs; schedules; sensors; asset checks."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "kinds": sorted(node.kinds),
            "partitions": describe_partitions(node.partitions_def),
            "backfill_policy": str(node.backfill_policy) if node.backfill_policy else None,
            "automation_condition": node.automation_condition.get_label() if node.automation_condition else None,
            "checks": sorted(check.to_user_string() for check in node.check_keys),
        }
    jobs = {}
    for job in sorted(defs.resolve_all_job_defs(), key=lambda job: job.name):
        if job.name.startswith("__"):  # Dagster's implicit asset job, derived from the assets above
            continue
        jobs[job.name] = {
            "assets": sorted(key.to_user_string() for key in job.asset_layer.executable_asset_keys),
            "partitions": describe_partitions(job.partitions_def),
            "tags": dict(sorted(job.tags.items())),
        }
    repository = defs.get_repository_def()
    schedules = {
        schedule.name: {
            "cron_schedule": schedule.cron_schedule,
            "timezone": schedule.execution_timezone,
            "job": schedule.job_name,
            "default_status": schedule.default_status.value,
        }
        for schedule in sorted(repository.schedule_defs, key=lambda schedule: schedule.name)
    }
    sensors = {
        sensor.name: {
            "type": sensor.sensor_type.value,
            "minimum_interval_seconds": sensor.minimum_interval_seconds,
            "jobs": sorted(target.job_name for target in sensor.targets),
            "default_status": sensor.default_status.value,
        }
        for sensor in sorted(repository.sensor_defs, key=lambda sensor: sensor.name)
    }
    return {"assets": assets, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def render(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=2, sort_keys=True) + "\n"


def snapshot_diff(expected: str, actual: str) -> str:
    """A unified diff from the committed snapshot to the current graph."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{SNAPSHOT_PATH.name} (committed)",
            tofile=f"{SNAPSHOT_PATH.name} (current definitions)",
        )
    )
