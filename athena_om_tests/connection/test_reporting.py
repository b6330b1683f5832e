"""The pure parts of the test connection: what each kind of failure tells the user to fix, deadlines, the report."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError
from botocore.stub import Stubber

from athena_om.connection_check import (
    ConnectionReport,
    ConnectionTest,
    StepFailed,
    StepResult,
    bucket_of,
    describe_aws_error,
    makes_aws_unusable,
    query_failure_fix,
    run_step,
)
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.resources.aws import AthenaResource


def client_error(code: str, operation: str = "GetDatabases", message: str = "nope") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (client_error("AccessDeniedException"), "access denied (AccessDeniedException): grant glue:GetDatabases on X."),
        (client_error("InvalidClientTokenId"), "awsConfig.awsAccessKeyId and awsSecretAccessKey"),
        (client_error("ExpiredToken"), "plus awsSessionToken for temporary keys"),
        (NoCredentialsError(), "no usable AWS credentials were found; set source.serviceConnection.config.awsConfig"),
        (EndpointConnectionError(endpoint_url="https://glue.x"), "check source.serviceConnection.config.awsConfig.aws"),
        (client_error("ThrottlingException"), "run the test again"),
        (NoRegionError(), "no AWS region is set: set source.serviceConnection.config.awsConfig.awsRegion"),
        (client_error("EntityNotFoundException"), "GetDatabases failed (EntityNotFoundException); it needs glue"),
    ],
)
def test_aws_failures_name_what_to_fix(error: BaseException, expected: str) -> None:
    assert expected in describe_aws_error(error, "glue:GetDatabases on X")


def test_assume_role_failure_names_the_role_and_stops_the_other_aws_steps() -> None:
    error = client_error("AccessDenied", "AssumeRole")
    role = "arn:aws:iam::123456789012:role/r"
    assert f"allow sts:AssumeRole on {role} for the caller" in describe_aws_error(error, "x", assume_role_arn=role)
    assert makes_aws_unusable(error) and makes_aws_unusable(NoCredentialsError())
    assert not makes_aws_unusable(client_error("AccessDeniedException"))


def test_long_aws_messages_are_cut() -> None:
    fix = describe_aws_error(client_error("AccessDenied", message="x" * 5000), "p")
    assert len(fix) < 400 and fix.endswith("…")


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("Access denied when writing output to url: s3://b/k.csv", "grant s3:PutObject on the s3StagingDir bucket b"),
        ("Unable to verify/create output bucket b", "bucket b does not exist or is in another region: fix source"),
        ("SYNTAX_ERROR: line 1:8", "the test query failed: SYNTAX_ERROR"),
    ],
)
def test_query_failures_name_what_to_fix(reason: str, expected: str) -> None:
    assert expected in query_failure_fix(reason, "s3://b/prefix/", "primary")


def test_bucket_of() -> None:
    assert bucket_of("s3://results/athena/") == "results"
    assert bucket_of("s3://results") == "results"
    assert bucket_of(None) is None and bucket_of("/tmp/x") is None


def test_a_step_that_never_answers_fails_at_its_deadline() -> None:
    release = threading.Event()
    try:
        result = run_step("stuck", lambda: "ok" if release.wait(30) else "late", timeout_s=0.05)
    finally:
        release.set()
    assert result == StepResult("stuck", False, "no answer within 0.05 s; check the network path to the service")


def test_a_probe_bug_is_a_failed_step_not_a_crash() -> None:
    def broken() -> str:
        raise KeyError("QueryExecutionId")

    assert run_step("broken", broken, 5) == StepResult("broken", False, "KeyError: 'QueryExecutionId'")

    def refused() -> str:
        raise StepFailed("grant x")

    assert run_step("refused", refused, 5) == StepResult("refused", False, "grant x")


def test_report_lines_and_counts() -> None:
    report = ConnectionReport((StepResult("a", True, "fine"), StepResult("b", False, "grant x")))
    assert report.lines() == ["PASS  a: fine", "FAIL  b: grant x", "1 passed, 1 failed, 2 steps"]
    assert not report.passed and [s.name for s in report.failed] == ["b"]


@pytest.fixture
def stubbed_athena() -> Iterator[tuple[ConnectionTest, Stubber]]:
    athena = boto3.client("athena", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    test = ConnectionTest(AthenaResource(region_name="us-east-1"), OpenMetadataClient("http://om.invalid/api"))
    test._clients["athena"] = athena
    with Stubber(athena) as stubber:
        yield test, stubber
        stubber.assert_no_pending_responses()


def test_no_result_location_names_s3_staging_dir(stubbed_athena: tuple[ConnectionTest, Stubber]) -> None:
    test, stubber = stubbed_athena
    stubber.add_client_error(
        "start_query_execution",
        service_error_code="InvalidRequestException",
        service_message="No output location provided. An output location is required either through the Workgroup "
        "result configuration setting or as an API input.",
    )
    with pytest.raises(StepFailed, match=r"set source\.serviceConnection\.config\.s3StagingDir"):
        test.staging_query()


def test_a_query_past_its_deadline_is_stopped(stubbed_athena: tuple[ConnectionTest, Stubber]) -> None:
    test, stubber = stubbed_athena
    test.query_timeout_s = 0
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q1"})
    stubber.add_response("get_query_execution", {"QueryExecution": {"Status": {"State": "RUNNING"}}})
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "q1"})
    with pytest.raises(StepFailed, match="did not finish within 0 s in workgroup primary"):
        test.staging_query()
