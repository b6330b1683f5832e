from __future__ import annotations

from pathlib import Path

from athena_om.config import SANDBOX_CONFIG_PATH, load_workflow_config, load_workflow_config_from_text, summarize


def test_summary_of_the_documented_workflow(workflow_path: Path) -> None:
    summary = summarize(load_workflow_config(workflow_path, env={}), "athena_workflow.yaml")

    assert summary.splitlines()[0] == "athena-om workflow config: athena_workflow.yaml"
    for expected in (
        "service name  analytics_athena",
        "region                 eu-west-1",
        "workgroup              analytics",
        "S3 staging dir         s3://analytics-athena-results/openmetadata/",
        "host           http://localhost:8585/api",
        "auth provider  openmetadata",
        "session token          (not set)",
        "schema    include ^sales.*, ^marketing$; exclude ^tmp_.*, information_schema",
        "markDeletedTables   true",
        "deletion safety        stop if more than 20% disappear",
    ):
        assert expected in summary, expected


def test_summary_lists_ignored_keys_apart_and_never_as_settings(workflow_path: Path) -> None:
    summary = summarize(load_workflow_config(workflow_path, env={}), "athena_workflow.yaml")
    settings, _, ignored = summary.partition("\nIgnored (")

    for key in ("includeDDL", "threads", "storedProcedure", "logger level", "connection options", "extra headers"):
        assert key not in settings, key
    for path in (
        "source.sourceConfig.config.includeDDL",
        "source.sourceConfig.config.threads",
        "source.serviceConnection.config.connectionOptions",
        "workflowConfig.loggerLevel",
    ):
        assert f"\n  {path}" in ignored, path


def test_summary_of_a_usage_workflow_without_connection_or_filters() -> None:
    text = """
source:
  type: athena-usage
  serviceName: u
  sourceConfig: {config: {type: DatabaseUsage}}
workflowConfig:
  openMetadataServerConfig: {hostPort: "http://localhost:8585/api", authProvider: no-auth}
"""
    summary = summarize(load_workflow_config_from_text(text, "u.yaml", env={}))

    assert "boto3 default credentials" in summary
    assert "Filters" not in summary
    assert "JWT token      (not set)" in summary
    assert "DatabaseUsage options" not in summary  # athena-om reads none of them
    assert "Ignored" not in summary


def test_summary_of_the_sandbox() -> None:
    summary = summarize(load_workflow_config(SANDBOX_CONFIG_PATH, env={}))

    assert "athena_sandbox" in summary
    assert "sandbox-token" not in summary
