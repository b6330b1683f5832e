"""The test-connection job: every step of ``athena-om test-connection``, logged, with the report as metadata."""

from typing import Any

from dagster import Config, Failure, MetadataValue, OpExecutionContext, Output, job, op
from pydantic import Field

from athena_om.connection_check import ConnectionReport, run_connection_test
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource


class ConnectionTestConfig(Config):
    database: str | None = Field(
        default=None, description="Glue database whose tables to read (default: the first one the filter includes)."
    )
    call_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="Timeout of each AWS/HTTP call.")
    query_timeout_seconds: float = Field(default=30.0, gt=0, le=600, description="How long the test query may run.")


def report_metadata(report: ConnectionReport) -> dict[str, Any]:
    """What the Dagster UI shows: counts and the report, one line per step."""
    return {
        "passed": len(report.steps) - len(report.failed),
        "failed": len(report.failed),
        "report": MetadataValue.md("\n".join(f"- `{line}`" for line in report.lines())),
    }


@op(description="Check every AWS permission and OpenMetadata setting a sync needs; fails if any step fails.")
def check_connection(
    context: OpExecutionContext,
    config: ConnectionTestConfig,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> Output[str]:
    sync_settings = settings.sync_settings()
    report = run_connection_test(
        aws,
        openmetadata,
        database=config.database,
        database_filter=sync_settings.schema_filter,
        include_tags=sync_settings.include_tags,
        call_timeout_s=config.call_timeout_seconds,
        query_timeout_s=config.query_timeout_seconds,
    )
    for step in report.steps:
        (context.log.info if step.passed else context.log.error)(step.line())
    context.log.info(report.summary())
    metadata = report_metadata(report)
    if not report.passed:
        raise Failure(description="Test connection failed:\n" + report.text(), metadata=metadata)
    return Output(report.summary(), metadata=metadata)


@job(description="Test connection: STS, Glue, Lake Formation, Athena (history and a query), OpenMetadata.")
def test_connection_job() -> None:
    check_connection()
