"""OpenMetadata's own Athena connector (openmetadata-ingestion 2.0.7, ``metadata ingest``) run unmodified against
the sandboxes: the sandbox must answer it as OpenMetadata and Athena do.

The client lives in a virtualenv of its own (scripts/install_openmetadata_ingestion.sh, cached in .cache/); it is
never a dependency of athena-om. The first run installs it (minutes); later runs reuse it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_demo_lake
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om.sandbox.openmetadata_server.om_models import cache_dir

pytestmark = [pytest.mark.slow, pytest.mark.real_connector]

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install_openmetadata_ingestion.sh"
SERVICE = "athena_connector"
INSTALL_TIMEOUT_S = 1800
INGEST_TIMEOUT_S = 900


@pytest.fixture(scope="module")
def metadata_cli() -> Path:
    """The ``metadata`` command of OpenMetadata's client, installing it into the cache when missing."""
    venv = cache_dir() / "om-ingestion-venv"
    done = subprocess.run(
        ["bash", str(INSTALL_SCRIPT), str(venv)], capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S
    )
    if done.returncode != 0:
        pytest.fail(f"installing openmetadata-ingestion failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return venv / "bin" / "metadata"


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AwsSandbox, OpenMetadataSandboxServer]]:
    aws = AwsSandbox()
    seed_demo_lake(aws)
    aws.start()
    om = OpenMetadataSandboxServer(tmp_path_factory.mktemp("om"), jwt_token=SANDBOX_TOKEN)
    om.start()
    try:
        yield aws, om
    finally:
        om.stop()
        aws.stop()


def athena_workflow(aws: AwsSandbox, om: OpenMetadataSandboxServer) -> dict[str, Any]:
    """The Athena metadata workflow OpenMetadata's docs describe, pointed at the sandboxes."""
    return {
        "source": {
            "type": "athena",
            "serviceName": SERVICE,
            "serviceConnection": {
                "config": {
                    "type": "Athena",
                    "awsConfig": {
                        "awsAccessKeyId": "sandbox",
                        "awsSecretAccessKey": "sandbox",
                        "awsRegion": aws.region,
                        "endPointURL": aws.endpoint_url,
                    },
                    "s3StagingDir": "s3://athena-om-sandbox-results/openmetadata-ingestion/",
                    "workgroup": "primary",
                }
            },
            "sourceConfig": {"config": {"type": "DatabaseMetadata", "includeTags": False}},
        },
        "sink": {"type": "metadata-rest", "config": {}},
        "workflowConfig": {
            "loggerLevel": "INFO",
            "openMetadataServerConfig": {
                "hostPort": om.api_url,
                "authProvider": "openmetadata",
                "securityConfig": {"jwtToken": SANDBOX_TOKEN},
            },
        },
    }


def test_metadata_ingest_runs_green_and_writes_the_demo_tables(
    metadata_cli: Path, sandboxes: tuple[AwsSandbox, OpenMetadataSandboxServer], tmp_path: Path
) -> None:
    aws, om = sandboxes
    workflow = tmp_path / "athena.yaml"
    workflow.write_text(yaml.safe_dump(athena_workflow(aws, om)))
    # PyAthena builds its S3 and Glue clients without the endpoint; only AWS_ENDPOINT_URL reaches them.
    env = {**os.environ, **aws.environment()}
    done = subprocess.run(
        [str(metadata_cli), "ingest", "-c", str(workflow)],
        capture_output=True,
        text=True,
        timeout=INGEST_TIMEOUT_S,
        env=env,
    )
    assert done.returncode == 0, f"metadata ingest failed:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"

    headers = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}
    with httpx.Client(base_url=om.api_url, headers=headers, timeout=30) as client:
        listed = client.get("/v1/tables", params={"limit": 1000, "fields": "columns"}).json()["data"]
        # The connector names the database "default" when the workflow gives no databaseName.
        written = {table["fullyQualifiedName"]: table for table in listed}
        expected = {f"{SERVICE}.default.{spec.database}.{spec.name}" for spec in DEMO_TABLES}
        assert sorted(expected - set(written)) == []
        spec = next(spec for spec in DEMO_TABLES if (spec.database, spec.name) == ("demo_sales", "orders"))
        orders = written[f"{SERVICE}.default.demo_sales.orders"]
        # The connector lists partition columns first; the set of columns is what must match.
        columns = sorted(column["name"] for column in orders["columns"])
        assert columns == sorted(column.name for column in (*spec.columns, *spec.partition_keys))
