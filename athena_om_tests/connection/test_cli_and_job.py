"""``athena-om test-connection`` and ``test_connection_job``: the same report, exit code or run status from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import Definitions, instance_for_test

from athena_om.cli import main
from athena_om.config import load_workflow_config
from athena_om.defs.connection import jobs as connection_jobs
from athena_om.defs.connection.definitions import defs as connection_defs
from athena_om.resources.factory import resources_from_workflow
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om_tests.connection.conftest import Stack, denied


def test_cli_prints_one_line_per_step_and_exits_0_when_all_pass(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test-connection", str(stack.workflow("good"))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 9 and all(line.startswith("PASS  ") for line in lines[:8])
    assert lines[-1] == "8 passed, 0 failed, 8 steps"
    assert SANDBOX_TOKEN not in "\n".join(lines)


def test_cli_never_prints_the_aws_secret_key(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "aws-secret-key-that-must-not-show-0123456789"
    aws_config = {"awsAccessKeyId": "AKIASANDBOXEXAMPLE", "awsSecretAccessKey": secret, "awsRegion": "us-east-1"}
    with denied(stack.aws, "glue:GetTables"):
        assert main(["test-connection", str(stack.workflow("aws_secret", awsConfig=aws_config))]) == 1
    captured = capsys.readouterr()
    assert "FAIL  Glue tables" in captured.out
    assert secret not in captured.out + captured.err


def test_cli_exits_1_on_a_failed_step_and_never_prints_the_token(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "wrong-token-abcdef0123456789"
    assert main(["test-connection", str(stack.workflow("wrong_token", token=wrong))]) == 1
    out = capsys.readouterr().out
    assert "FAIL  OpenMetadata authenticated read:" in out and "securityConfig.jwtToken" in out
    assert out.splitlines()[-1] == "7 passed, 1 failed, 8 steps"
    assert wrong not in out


def test_cli_reads_the_workgroup_and_staging_dir_from_the_file(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    stack.aws.deny("s3:PutObject")
    try:
        code = main(["test-connection", str(stack.workflow("staging", s3StagingDir="s3://another-results-bucket/x/"))])
    finally:
        stack.aws.allow("s3:PutObject")
    assert code == 1
    assert "s3:PutObject on the s3StagingDir bucket another-results-bucket" in capsys.readouterr().out


def test_cli_follows_include_tags_from_the_file(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    document = yaml.safe_load(stack.workflow("tags_off").read_text())
    document["source"]["sourceConfig"]["config"]["includeTags"] = False
    path = stack.root / "tags_off.yaml"
    path.write_text(yaml.safe_dump(document))
    with denied(stack.aws, "lakeformation:ListLFTags"):
        assert main(["test-connection", str(path)]) == 0
    assert "PASS  Lake Formation tags: not needed" in capsys.readouterr().out


def test_cli_bad_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: [\n")
    assert main(["test-connection", str(bad)]) == 2
    assert capsys.readouterr().err


def _resources(path: Path) -> dict[str, Any]:
    return resources_from_workflow(load_workflow_config(path), str(path))


def test_job_succeeds_with_the_report_as_metadata(stack: Stack) -> None:
    path = stack.workflow("job_good")
    with instance_for_test() as instance:
        result = connection_jobs.test_connection_job.execute_in_process(instance=instance, resources=_resources(path))
    assert result.success
    [materialization] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    metadata = materialization.event_specific_data.metadata  # type: ignore[union-attr]
    assert metadata["passed"].value == 8 and metadata["failed"].value == 0
    assert "PASS  Athena query into s3StagingDir" in metadata["report"].value


def test_job_fails_when_a_step_fails_and_logs_each_step(stack: Stack) -> None:
    path = stack.workflow("job_denied")
    stack.aws.deny("glue:GetDatabases")
    try:
        with instance_for_test() as instance:
            result = connection_jobs.test_connection_job.execute_in_process(
                instance=instance, resources=_resources(path), raise_on_error=False
            )
            logs = [
                record.user_message
                for record in instance.all_logs(result.run_id)
                if record.user_message.startswith(("PASS  ", "FAIL  "))
            ]
    finally:
        stack.aws.allow("glue:GetDatabases")
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.event_specific_data.user_failure_data  # type: ignore[union-attr]
    assert error.metadata["failed"].value == 2
    assert "FAIL  Glue databases: access denied" in error.description
    assert len(logs) == 8 and any("glue:GetDatabases on arn:aws:glue:" in line for line in logs)


def test_the_area_loads_with_the_workflow_resources(stack: Stack) -> None:
    path = stack.workflow("defs")
    merged = Definitions.merge(connection_defs, Definitions(resources=_resources(path)))
    assert merged.get_job_def("test_connection_job").name == "test_connection_job"
