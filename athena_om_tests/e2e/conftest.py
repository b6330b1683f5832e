"""A whole sandbox stack per test module: AWS (moto, extended, demo lake), a local OpenMetadata, a workflow file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance, Definitions, instance_for_test

from athena_om.definitions import build_definitions
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om_tests.aws_sandbox import running_aws_sandbox

EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"
# A fixed "now" keeps the seeded query history identical across runs.
DEMO_NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@dataclass
class Stack:
    aws: AwsSandbox
    om: OpenMetadataSandboxServer
    config_path: Path

    def client(self) -> OpenMetadataClient:
        return OpenMetadataClient(self.om.api_url, SANDBOX_TOKEN)

    def definitions(self) -> Definitions:
        return build_definitions(str(self.config_path))


def write_workflow(path: Path, api_url: str, **overrides: object) -> Path:
    """The sandbox example workflow pointed at this stack's OpenMetadata, with ``sourceConfig`` overrides."""
    document = yaml.safe_load(EXAMPLE.read_text())
    document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = api_url
    document["source"]["sourceConfig"]["config"].update(overrides)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("stack")
    with running_aws_sandbox(DEMO_NOW) as aws, OpenMetadataSandboxServer(root / "om", jwt_token=SANDBOX_TOKEN) as om:
        seed_openmetadata_people(om.api_url, {t.owner for t in DEMO_TABLES if t.owner})
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OPENMETADATA_JWT_TOKEN", SANDBOX_TOKEN)
            yield Stack(aws, om, write_workflow(root / "workflow.yaml", om.api_url))


@pytest.fixture(scope="module")
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as test_instance:
        yield test_instance
