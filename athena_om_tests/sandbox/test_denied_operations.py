"""Denied operations: AccessDenied in each protocol's error shape, and Athena results refused by S3."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from athena_om.sandbox.aws import AwsSandbox


@pytest.mark.parametrize(
    ("operation", "service", "call", "code"),
    [
        ("sts:GetCallerIdentity", "sts", lambda c: c.get_caller_identity(), "AccessDenied"),
        ("glue:GetDatabases", "glue", lambda c: c.get_databases(), "AccessDeniedException"),
        ("lakeformation:ListLFTags", "lakeformation", lambda c: c.list_lf_tags(), "AccessDeniedException"),
        ("athena:ListWorkGroups", "athena", lambda c: c.list_work_groups(), "AccessDeniedException"),
    ],
)
def test_denied_operation_answers_access_denied_until_allowed(
    sandbox: AwsSandbox, operation: str, service: str, call: object, code: str
) -> None:
    client = boto3.client(service)  # type: ignore[call-overload]
    sandbox.deny(operation)
    try:
        with pytest.raises(ClientError) as error:
            call(client)  # type: ignore[operator]
        assert error.value.response["Error"]["Code"] == code
        assert operation in error.value.response["Error"]["Message"]
    finally:
        sandbox.allow(operation)
    call(client)  # type: ignore[operator]


def test_denied_s3_put_fails_the_query_as_athena_does(sandbox: AwsSandbox) -> None:
    athena = boto3.client("athena")
    output = {"OutputLocation": "s3://athena-om-sandbox-results/check/"}
    sandbox.deny("s3:PutObject")
    try:
        query_id = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration=output)["QueryExecutionId"]
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    finally:
        sandbox.allow("s3:PutObject")
    assert status["State"] == "FAILED"
    assert (
        "Access denied when writing output to url: s3://athena-om-sandbox-results/check/"
        in (status["StateChangeReason"])
    )
    query_id = athena.start_query_execution(QueryString="SELECT 1", ResultConfiguration=output)["QueryExecutionId"]
    assert athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] == "SUCCEEDED"
