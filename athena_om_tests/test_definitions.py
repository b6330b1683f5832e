"""The code location loads without servers, every job, schedule and sensor resolves, and the graph matches its
committed snapshot. Regenerate the snapshot after an intended change:

    ATHENA_OM_UPDATE_SNAPSHOTS=1 .venv/bin/pytest -q athena_om_tests/test_definitions.py
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster.components.definitions import LazyDefinitions

import athena_om.definitions
from athena_om.config import SANDBOX_CONFIG_PATH, WorkflowConfigError
from athena_om_tests.definitions_snapshot import (
    SNAPSHOT_PATH,
    UPDATE_COMMAND,
    UPDATE_ENV_VAR,
    describe_definitions,
    render,
    snapshot_diff,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def sandbox_defs(monkeypatch: pytest.MonkeyPatch) -> dg.Definitions:
    monkeypatch.setenv("ATHENA_OM_CONFIG", str(SANDBOX_CONFIG_PATH))
    return athena_om.definitions.defs()


@pytest.fixture
def no_config_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No $ATHENA_OM_CONFIG and no ./athena_om.yaml."""
    monkeypatch.delenv("ATHENA_OM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    yield


def test_importing_the_code_location_reads_no_workflow_file(no_config_named: None) -> None:
    module = importlib.reload(athena_om.definitions)  # would raise here if defs were built at import time

    assert isinstance(module.defs, LazyDefinitions)


def test_a_missing_workflow_file_is_one_readable_config_error(no_config_named: None) -> None:
    with pytest.raises(WorkflowConfigError) as raised:
        athena_om.definitions.defs()

    assert "set ATHENA_OM_CONFIG" in str(raised.value)
    frames = [frame.filename for frame in traceback.extract_tb(raised.value.__traceback__)]
    assert not any(name.endswith(os.path.join("config", "loader.py")) for name in frames), frames
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_an_unreadable_workflow_file_fails_the_load_naming_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATHENA_OM_CONFIG", "/nonexistent/athena_om.yaml")

    with pytest.raises(WorkflowConfigError, match=r"/nonexistent/athena_om\.yaml: file not found") as raised:
        athena_om.definitions.defs()

    frames = [frame.filename for frame in traceback.extract_tb(raised.value.__traceback__)]
    assert not any(name.endswith(os.path.join("config", "loader.py")) for name in frames), frames


def test_build_definitions_takes_an_explicit_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATHENA_OM_CONFIG", "/nonexistent/athena_om.yaml")

    defs = athena_om.definitions.build_definitions(str(SANDBOX_CONFIG_PATH))

    assert defs.resolve_job_def("athena_schemas_job").name == "athena_schemas_job"


def test_every_job_schedule_and_sensor_resolves(sandbox_defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(sandbox_defs)

    jobs = {job.name for job in sandbox_defs.resolve_all_job_defs()}
    repository = sandbox_defs.get_repository_def()
    for schedule in repository.schedule_defs:
        assert sandbox_defs.resolve_schedule_def(schedule.name).job_name in jobs
    for sensor in repository.sensor_defs:
        resolved = sandbox_defs.resolve_sensor_def(sensor.name)
        assert {target.job_name for target in resolved.targets} <= jobs
    assert repository.schedule_defs and repository.sensor_defs
    assert sandbox_defs.resolve_implicit_global_asset_job_def().name.startswith("__ASSET_JOB")


def test_every_asset_has_its_resources_bound(sandbox_defs: dg.Definitions) -> None:
    resources = set(sandbox_defs.get_repository_def().get_top_level_resources())

    for asset in sandbox_defs.resolve_asset_graph().assets_defs:
        assert asset.required_resource_keys - {"io_manager"} <= resources, asset.key


def test_the_graph_matches_the_committed_snapshot(sandbox_defs: dg.Definitions) -> None:
    actual = render(describe_definitions(sandbox_defs))
    if os.environ.get(UPDATE_ENV_VAR):
        SNAPSHOT_PATH.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT_PATH.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT_PATH.read_text(encoding="utf-8") if SNAPSHOT_PATH.exists() else ""

    if actual != expected:
        pytest.fail(
            f"The asset/job graph differs from {SNAPSHOT_PATH}. If the change is intended, regenerate it with\n"
            f"  {UPDATE_COMMAND}\nand commit the file with the change.\n\n{snapshot_diff(expected, actual)}",
            pytrace=False,
        )


# --- the `dg` CLI, as a user runs it from the repository root (no servers: loading only) -------------------------


def run_dg(*args: str, config: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "ATHENA_OM_CONFIG"}
    env.update(VIRTUAL_ENV=str(VENV_BIN.parent), PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1")
    if config is not None:
        env["ATHENA_OM_CONFIG"] = config
    return subprocess.run(
        [str(VENV_BIN / "dg"), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_dg_check_defs_loads_the_project() -> None:
    result = run_dg("check", "defs", config=str(SANDBOX_CONFIG_PATH))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "All definitions loaded successfully" in result.stdout + result.stderr


@pytest.mark.slow
def test_dg_check_defs_without_a_workflow_file_says_how_to_name_one(tmp_path: Path) -> None:
    result = run_dg("check", "defs", config=str(tmp_path / "missing.yaml"))
    output = result.stdout + result.stderr

    assert result.returncode != 0
    assert f"{tmp_path / 'missing.yaml'}: file not found" in output
    assert "config/loader.py" not in output


@pytest.mark.slow
def test_dg_list_defs_lists_the_snapshot_graph() -> None:
    result = run_dg("list", "defs", "--json", config=str(SANDBOX_CONFIG_PATH))
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    snapshot = json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))

    assert sorted(asset["asset_key"] for asset in listed["assets"]) == sorted(snapshot["assets"])
    assert sorted(job["name"] for job in listed["jobs"] if not job["name"].startswith("__")) == sorted(snapshot["jobs"])
    assert sorted(schedule["name"] for schedule in listed["schedules"]) == sorted(snapshot["schedules"])
    assert sorted(sensor["name"] for sensor in listed["sensors"]) == sorted(snapshot["sensors"])
