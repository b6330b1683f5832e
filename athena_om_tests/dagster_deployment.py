"""The multi-machine deployment in miniature: deploy/'s files, a code server, a daemon, queued runs.

Every Dagster process is its own OS process, as on separate machines: the code server (`dagster code-server
start`), the daemon (`dagster-daemon run`) that dequeues runs, and the run workers the code server starts. They
share only what machines would share: the PostgreSQL instance, S3 and OpenMetadata.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol
from unittest.mock import patch

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

REPO_ROOT = Path(__file__).resolve().parents[1]
DEPLOY = REPO_ROOT / "deploy"
LOCATION = "athena_om"
BIN = Path(sys.executable).parent
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


class Launch(Protocol):
    """Queues a run of ``job`` with these tags; ``in_process`` runs its steps in the run worker. The run id."""

    def __call__(self, job: str, tags: Mapping[str, str] | None = None, *, in_process: bool = False) -> str: ...


class DeploymentError(RuntimeError):
    """A Dagster process of the deployment did not start or a run did not finish; the message holds its log."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


@dataclass
class Deployment:
    """A running code server and daemon over one DAGSTER_HOME holding deploy/dagster-postgres.yaml."""

    home: Path
    env: dict[str, str]
    logs: Path
    daemon: subprocess.Popen[bytes]

    @property
    def workspace(self) -> Path:
        return self.home / "workspace.yaml"

    def instance(self) -> DagsterInstance:
        """The PostgreSQL instance as any machine sees it (needs the DAGSTER_PG_* variables in this process)."""
        return DagsterInstance.from_config(str(self.home))

    @contextmanager
    def launcher(self, instance: DagsterInstance) -> Iterator[Launch]:
        """What ``dagster job launch -w workspace.yaml`` does, in this process over one workspace connection: each
        launch creates a run from the code server's job snapshot and submits it to the queue; the daemon starts it.
        The execution plan is asked of the code server once per job (it does not depend on a run's tags)."""
        from dagster._cli.workspace.cli_target import get_workspace_from_cli_opts
        from dagster._core.definitions.selector import JobSubsetSelector
        from dagster._utils.tags import normalize_tags
        from dagster.version import __version__
        from dagster_shared.cli import WorkspaceOpts

        opts = WorkspaceOpts(workspace=[str(self.workspace)])
        with patch.dict(os.environ, self.env), get_workspace_from_cli_opts(instance, __version__, opts) as workspace:
            location = workspace.get_code_location(LOCATION)
            (repository,) = location.get_repositories().values()
            plans: dict[tuple[str, bool], Any] = {}

            def launch(job: str, tags: Mapping[str, str] | None = None, *, in_process: bool = False) -> str:
                config = {"execution": {"config": {"in_process": {}}}} if in_process else {}
                selector = JobSubsetSelector(
                    location_name=location.name, repository_name=repository.name, job_name=job, op_selection=None
                )
                remote_job = location.get_job(selector)
                if (job, in_process) not in plans:
                    plan = location.get_execution_plan(
                        remote_job, config, step_keys_to_execute=None, known_state=None, instance=instance
                    )
                    plans[(job, in_process)] = plan.execution_plan_snapshot
                plan_snapshot = plans[(job, in_process)]
                run = instance.create_run(
                    job_name=job,
                    run_id=None,
                    run_config=config,
                    resolved_op_selection=remote_job.resolved_op_selection,
                    step_keys_to_execute=plan_snapshot.step_keys_to_execute,
                    op_selection=None,
                    status=None,
                    root_run_id=None,
                    parent_run_id=None,
                    tags=normalize_tags({**remote_job.tags, **(tags or {})}),
                    job_snapshot=remote_job.job_snapshot,
                    execution_plan_snapshot=plan_snapshot,
                    parent_job_snapshot=remote_job.parent_job_snapshot,
                    remote_job_origin=remote_job.get_remote_origin(),
                    job_code_origin=remote_job.get_python_origin(),
                    asset_selection=None,
                    asset_check_selection=None,
                    asset_graph=repository.asset_graph,
                )
                return instance.submit_run(run.run_id, workspace).run_id

            yield launch

    def wait(self, instance: DagsterInstance, run_ids: list[str], timeout_s: float) -> list[DagsterRun]:
        """The runs once all have finished; fails naming each unfinished run and the daemon's log after the deadline."""
        deadline = time.monotonic() + timeout_s
        while True:
            runs = [instance.get_run_by_id(run_id) for run_id in run_ids]
            if all(run is not None and run.status in FINISHED for run in runs):
                return [run for run in runs if run is not None]
            if self.daemon.poll() is not None:
                raise DeploymentError(
                    f"dagster-daemon exited ({self.daemon.returncode}):\n{_tail(self.logs / 'daemon.log')}"
                )
            if time.monotonic() > deadline:
                states = {
                    run_id: run.status.value if run else "missing" for run_id, run in zip(run_ids, runs, strict=True)
                }
                raise DeploymentError(
                    f"runs not finished after {timeout_s:.0f} s: {states}\n"
                    f"daemon log:\n{_tail(self.logs / 'daemon.log')}\n"
                    f"code server log:\n{_tail(self.logs / 'code-server.log')}"
                )
            time.sleep(0.5)


def _wait_for_code_server(port: int, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    from dagster._grpc.client import DagsterGrpcClient

    client = DagsterGrpcClient(port=port, host="127.0.0.1")
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise DeploymentError(f"the code server exited ({process.returncode}):\n{_tail(log)}")
        try:
            client.list_repositories()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise DeploymentError(f"the code server did not load in {timeout_s:.0f} s:\n{_tail(log)}") from None
            time.sleep(0.5)


@contextmanager
def _process(command: list[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    out: IO[bytes] = log.open("wb")
    process = subprocess.Popen(command, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        # Its own session and process group: the code server's run workers and the daemon's children go with it.
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        _signal_group(process.pid, signal.SIGKILL)  # stragglers the leader left behind, and the leader if it hung
        process.wait(timeout=10)
        out.close()


def _signal_group(group: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(group, sig)


@contextmanager
def running_deployment(
    root: Path, env: Mapping[str, str], workflow: Path, *, startup_timeout_s: float = 120
) -> Iterator[Deployment]:
    """A DAGSTER_HOME with deploy/'s files, a code server for ``athena_om.definitions`` and ``dagster-daemon run``.

    ``env`` holds what every machine would set: the DAGSTER_PG_* credentials, AWS and OpenMetadata settings.
    """
    home, logs = root / "dagster_home", root / "logs"
    home.mkdir(parents=True)
    logs.mkdir()
    shutil.copy(DEPLOY / "dagster-postgres.yaml", home / "dagster.yaml")
    shutil.copy(DEPLOY / "workspace.yaml", home / "workspace.yaml")
    port = _free_port()
    full_env = {
        **env,
        "DAGSTER_HOME": str(home),
        "ATHENA_OM_CONFIG": str(workflow),
        "ATHENA_OM_CODE_SERVER_HOST": "127.0.0.1",
        "ATHENA_OM_CODE_SERVER_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    code_server = [
        str(BIN / "dagster"),
        "code-server",
        "start",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-m",
        "athena_om.definitions",
        "-a",
        "defs",
        "--location-name",
        LOCATION,
    ]
    daemon_command = [str(BIN / "dagster-daemon"), "run", "-w", str(home / "workspace.yaml")]
    with ExitStack() as stack:
        # The daemon retries the code server until it answers, so both start at once.
        server = stack.enter_context(_process(code_server, full_env, logs / "code-server.log"))
        daemon = stack.enter_context(_process(daemon_command, full_env, logs / "daemon.log"))
        _wait_for_code_server(port, server, logs / "code-server.log", startup_timeout_s)
        yield Deployment(home, full_env, logs, daemon)
