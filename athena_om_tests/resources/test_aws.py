"""The AWS resource: secrets masked, requests counted, assume-role honoured, PyAthena wired to the same settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from athena_om.resources.aws import AthenaResource
from athena_om.sandbox.aws import AwsSandbox
from athena_om_tests.aws_sandbox import running_aws_sandbox

SECRET = "very-secret-key-77f1"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[AwsSandbox]:
    with running_aws_sandbox() as aws:
        yield aws


def resource(**overrides: object) -> AthenaResource:
    settings: dict[str, object] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIASANDBOX",
        "aws_secret_access_key": SECRET,
        "s3_staging_dir": "s3://athena-om-sandbox-results/",
    }
    settings.update(overrides)
    return AthenaResource(**settings)  # type: ignore[arg-type]


def test_repr_masks_credentials() -> None:
    text = repr(resource(aws_session_token="session-token-xyz"))
    assert SECRET not in text and "session-token-xyz" not in text and "AKIASANDBOX" not in text
    assert "us-east-1" in text


def test_requests_are_counted_by_service_and_operation(sandbox: AwsSandbox) -> None:
    aws = resource()
    aws.glue().get_databases()
    aws.athena().list_work_groups()
    assert aws.request_counts["glue:GetDatabases"] == 1
    assert aws.request_counts["athena:ListWorkGroups"] == 1


def test_assume_role_uses_the_session_name_and_source_identity(sandbox: AwsSandbox) -> None:
    aws = resource(
        assume_role_arn="arn:aws:iam::123456789012:role/athena-om-reader",
        assume_role_session_name="athena-om-test",
        assume_role_source_identity="alice",
    )
    identity = aws.sts().get_caller_identity()
    assert identity["Arn"].endswith("assumed-role/athena-om-reader/athena-om-test")
    assert aws.request_counts["sts:AssumeRole"] == 1


def test_pyathena_connection_runs_sql_through_athena(sandbox: AwsSandbox) -> None:
    cursor = resource().pyathena_connection("demo_sales").cursor()
    cursor.execute("SELECT count(*) FROM orders")
    assert cursor.fetchall()[0][0] > 0
