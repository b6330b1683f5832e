"""One sandbox stack per test module: AWS (moto, extended, demo lake), a local OpenMetadata, a workflow file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from athena_om.connection_check import ConnectionReport, StepResult, run_connection_test
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.sandbox.aws import AwsSandbox
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om_tests.aws_sandbox import running_aws_sandbox

EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"
STAGING = "s3://athena-om-sandbox-results/"


@dataclass
class Stack:
    aws: AwsSandbox
    om: OpenMetadataSandboxServer
    root: Path

    def athena(self, **overrides: Any) -> AthenaResource:
        settings: dict[str, Any] = {"region_name": self.aws.region, "workgroup": "primary", "s3_staging_dir": STAGING}
        return AthenaResource(**{**settings, **overrides})

    def openmetadata(self, **overrides: Any) -> OpenMetadataResource:
        return OpenMetadataResource(**{"host_port": self.om.api_url, "jwt_token": SANDBOX_TOKEN, **overrides})

    def run(self, aws: AthenaResource | None = None, om: OpenMetadataResource | None = None, **kw: Any) -> Any:
        return run_connection_test(aws or self.athena(), om or self.openmetadata(), **kw)

    def set_faults(self, **config: object) -> None:
        response = httpx.post(
            f"{self.om.api_url.removesuffix('/api')}/_sandbox/faults",
            json=config,
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        )
        response.raise_for_status()

    def workflow(self, name: str, *, token: str = SANDBOX_TOKEN, **connection: Any) -> Path:
        """The sandbox example pointed at this stack, with ``serviceConnection.config`` overrides."""
        document = yaml.safe_load(EXAMPLE.read_text())
        document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = self.om.api_url
        document["workflowConfig"]["openMetadataServerConfig"]["securityConfig"]["jwtToken"] = token
        document["source"]["serviceConnection"]["config"].update(connection)
        path = self.root / f"{name}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("connection")
    with running_aws_sandbox() as aws, OpenMetadataSandboxServer(root / "om", jwt_token=SANDBOX_TOKEN) as om:
        yield Stack(aws, om, root)


def step(report: ConnectionReport, name: str) -> StepResult:
    return next(s for s in report.steps if s.name == name)


def failed_names(report: ConnectionReport) -> list[str]:
    return [s.name for s in report.failed]


@contextmanager
def denied(sandbox: AwsSandbox, operation: str) -> Iterator[None]:
    """AccessDenied on ``operation`` inside the block."""
    sandbox.deny(operation)
    try:
        yield
    finally:
        sandbox.allow(operation)
