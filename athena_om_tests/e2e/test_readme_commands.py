"""The README's sandbox walkthrough, run as written in a fresh sandbox of its own (its own folder, ports and
Dagster instance, so a developer's running sandbox is left alone): every command succeeds and every run it
launches ends in SUCCESS."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- readme-test: sandbox -->"
RUN_WAIT_POLLS = 300  # two seconds apart


def readme_block(marker: str = MARKER) -> str:
    """The fenced bash block right after ``marker`` in the README."""
    text = (REPO_ROOT / "README.md").read_text()
    found = re.search(re.escape(marker) + r"\s*```bash\n(.*?)```", text, re.S)
    assert found, f"README.md has no ```bash block after {marker}"
    return found.group(1)


def test_the_readme_block_is_found_and_launches_the_main_jobs() -> None:
    block = readme_block()
    assert "athena-om sandbox up" in block
    assert {"athena_schemas_job", "athena_tables_job", "athena_query_history_job"} <= set(
        re.findall(r"-j (\w+)", block)
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def sandbox_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    bin_dir = Path(sys.executable).parent
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "OPENMETADATA_", "ATHENA_OM_", "DAGSTER_"))
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        ATHENA_OM_SANDBOX_DIR=str(tmp_path / "sandbox"),
        ATHENA_OM_SANDBOX_AWS_PORT=str(_free_port()),
        ATHENA_OM_SANDBOX_OM_PORT=str(_free_port()),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )
    yield env
    subprocess.run([str(bin_dir / "athena-om"), "sandbox", "down"], env=env, cwd=REPO_ROOT, timeout=60, check=False)


@pytest.mark.slow
def test_every_readme_sandbox_command_works_as_written(sandbox_env: dict[str, str]) -> None:
    # `source .venv/bin/activate` is the reader's step; the test's interpreter already is that environment.
    script = readme_block().replace("source .venv/bin/activate\n", "")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=sandbox_env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (
        f"exit {done.returncode}\nstdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    )
    assert "8 passed, 0 failed" in done.stdout, done.stdout  # test-connection: every step passed
    assert '"fullyQualifiedName":"athena_sandbox.default.demo_sales.orders"' in done.stdout.replace(" ", "")
    assert "Traceback" not in done.stderr, done.stderr[-4000:]

    from dagster import DagsterInstance, DagsterRunStatus

    with DagsterInstance.from_config(sandbox_env["DAGSTER_HOME"]) as instance:
        for _ in range(RUN_WAIT_POLLS):  # a bound on waiting, not an assertion on speed
            runs = instance.get_runs()
            if all(run.is_finished for run in runs):
                break
            time.sleep(2)
        statuses = {run.job_name + str(sorted(run.tags.items())): run.status for run in runs}
    assert len(runs) == 4, statuses
    assert all(status == DagsterRunStatus.SUCCESS for status in statuses.values()), statuses
