"""Each step of the test connection against the sandbox: all pass, then a failure injected into each one."""

from __future__ import annotations

import socket

from athena_om_tests.connection.conftest import Stack, denied, failed_names, step

ACCOUNT = "123456789012"
CATALOG_ARN = f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"
WORKGROUP_ARN = f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary"
STEPS = [
    "AWS identity (STS)",
    "Glue databases",
    "Glue tables",
    "Lake Formation tags",
    "Athena workgroups and query history",
    "Athena query into s3StagingDir",
    "OpenMetadata version",
    "OpenMetadata authenticated read",
]


def unused_port() -> int:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return int(unused.getsockname()[1])


def test_every_step_passes_against_the_sandbox(stack: Stack) -> None:
    report = stack.run()
    assert [s.name for s in report.steps] == STEPS
    assert report.passed, report.text()
    assert report.lines()[-1] == "8 passed, 0 failed, 8 steps"
    assert f"account {ACCOUNT}" in step(report, "AWS identity (STS)").detail
    assert "demo_sales" in step(report, "Glue tables").detail
    assert "s3://athena-om-sandbox-results/" in step(report, "Athena query into s3StagingDir").detail


def test_sts_identity_denied(stack: Stack) -> None:
    with denied(stack.aws, "sts:GetCallerIdentity"):
        report = stack.run()
    assert failed_names(report) == ["AWS identity (STS)"]
    assert "grant sts:GetCallerIdentity" in step(report, "AWS identity (STS)").detail


def test_role_that_cannot_be_assumed_fails_identity_and_skips_the_other_aws_steps(stack: Stack) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/athena-om-reader"
    with denied(stack.aws, "sts:AssumeRole"):
        report = stack.run(stack.athena(assume_role_arn=role))
    assert failed_names(report) == STEPS[:6]
    assert f"allow sts:AssumeRole on {role}" in step(report, "AWS identity (STS)").detail
    assert step(report, "Glue databases").detail.startswith("not tried:")


def test_unreachable_aws_fails_identity_and_skips_the_other_aws_steps(stack: Stack) -> None:
    report = stack.run(stack.athena(endpoint_url=f"http://127.0.0.1:{unused_port()}"))
    assert failed_names(report) == STEPS[:6]
    assert "cannot reach AWS" in step(report, "AWS identity (STS)").detail
    assert "awsConfig.awsRegion and endPointURL" in step(report, "AWS identity (STS)").detail
    assert step(report, "Athena query into s3StagingDir").detail.startswith("not tried:")


def test_glue_databases_denied(stack: Stack) -> None:
    with denied(stack.aws, "glue:GetDatabases"):
        report = stack.run()
    assert failed_names(report) == ["Glue databases", "Glue tables"]
    assert f"grant glue:GetDatabases on {CATALOG_ARN}." in step(report, "Glue databases").detail
    assert step(report, "Glue tables").detail.startswith("not tried:")


def test_glue_tables_of_a_denied_database(stack: Stack) -> None:
    stack.aws.deny_access_to_database("demo_raw")
    try:
        report = stack.run(database="demo_raw")
    finally:
        stack.aws.allow_access_to_database("demo_raw")
    assert failed_names(report) == ["Glue tables"]
    detail = step(report, "Glue tables").detail
    assert f"glue:GetTables on {CATALOG_ARN}, arn:aws:glue:us-east-1:{ACCOUNT}:database/demo_raw" in detail


def test_lake_formation_tags_denied(stack: Stack) -> None:
    with denied(stack.aws, "lakeformation:ListLFTags"):
        report = stack.run()
    assert failed_names(report) == ["Lake Formation tags"]
    assert "grant lakeformation:ListLFTags" in step(report, "Lake Formation tags").detail
    with denied(stack.aws, "lakeformation:SearchTablesByLFTags"):
        report = stack.run()
    assert "grant lakeformation:SearchTablesByLFTags" in step(report, "Lake Formation tags").detail


def test_lake_formation_is_not_needed_without_tags(stack: Stack) -> None:
    with denied(stack.aws, "lakeformation:ListLFTags"):
        report = stack.run(include_tags=False)
    assert report.passed
    assert step(report, "Lake Formation tags").detail.startswith("not needed: includeTags is false")


def test_athena_workgroups_and_history_denied(stack: Stack) -> None:
    with denied(stack.aws, "athena:ListWorkGroups"):
        report = stack.run()
    assert failed_names(report) == ["Athena workgroups and query history"]
    assert "grant athena:ListWorkGroups." in step(report, "Athena workgroups and query history").detail
    with denied(stack.aws, "athena:ListQueryExecutions"):
        report = stack.run()
    assert failed_names(report) == ["Athena workgroups and query history"]
    detail = step(report, "Athena workgroups and query history").detail
    assert f"grant athena:ListQueryExecutions on {WORKGROUP_ARN}." in detail


def test_unknown_workgroup_names_the_setting(stack: Stack) -> None:
    report = stack.run(stack.athena(workgroup="nightly"))
    assert failed_names(report) == ["Athena workgroups and query history", "Athena query into s3StagingDir"]
    detail = step(report, "Athena workgroups and query history").detail
    assert "set source.serviceConnection.config.workgroup to one of" in detail and "primary" in detail


def test_query_start_denied(stack: Stack) -> None:
    with denied(stack.aws, "athena:StartQueryExecution"):
        report = stack.run()
    assert failed_names(report) == ["Athena query into s3StagingDir"]
    assert f"grant athena:StartQueryExecution on {WORKGROUP_ARN}." in step(report, STEPS[5]).detail


def test_query_results_refused_by_the_staging_bucket(stack: Stack) -> None:
    with denied(stack.aws, "s3:PutObject"):
        report = stack.run()
    assert failed_names(report) == ["Athena query into s3StagingDir"]
    detail = step(report, STEPS[5]).detail
    assert "grant s3:PutObject on the s3StagingDir bucket athena-om-sandbox-results" in detail


def test_openmetadata_version_failing(stack: Stack) -> None:
    # Two 500s: the test's client makes one retry, so both attempts fail.
    stack.set_faults(fail_next=[{"path_prefix": "/api/v1/system/version", "count": 2, "status": 500}])
    try:
        report = stack.run()
    finally:
        stack.set_faults()
    assert failed_names(report) == ["OpenMetadata version"]
    assert "workflowConfig.openMetadataServerConfig.hostPort" in step(report, "OpenMetadata version").detail


def test_openmetadata_unreachable_skips_the_authenticated_read(stack: Stack) -> None:
    report = stack.run(om=stack.openmetadata(host_port=f"http://127.0.0.1:{unused_port()}/api"))
    assert failed_names(report) == ["OpenMetadata version", "OpenMetadata authenticated read"]
    assert "workflowConfig.openMetadataServerConfig.hostPort" in step(report, "OpenMetadata version").detail
    assert step(report, "OpenMetadata authenticated read").detail.startswith("not tried:")


def test_openmetadata_that_does_not_answer_in_time_fails_instead_of_hanging(stack: Stack) -> None:
    stack.set_faults(latency_ms=3000)
    try:
        report = stack.run(om=stack.openmetadata(timeout_s=0.3))
    finally:
        stack.set_faults()
    assert failed_names(report) == ["OpenMetadata version", "OpenMetadata authenticated read"]
    assert "Timeout" in step(report, "OpenMetadata version").detail


def test_wrong_token_names_the_setting_and_is_never_shown(stack: Stack) -> None:
    wrong = "not-the-bot-token-0123456789"
    report = stack.run(om=stack.openmetadata(jwt_token=wrong))
    assert failed_names(report) == ["OpenMetadata authenticated read"]
    detail = step(report, "OpenMetadata authenticated read").detail
    assert "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken" in detail and "401" in detail
    assert wrong not in report.text()
