"""A readable summary of a loaded workflow config, shown by `athena-om validate-config FILE`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, SecretStr

from athena_om.config.workflow import FilterPattern, WorkflowConfig

NOT_SET = "(not set)"
_FILTER_KEYS = ("databaseFilterPattern", "schemaFilterPattern", "tableFilterPattern", "storedProcedureFilterPattern")


def summarize(config: WorkflowConfig, source_name: str | None = None) -> str:
    """Multi-line summary of what the config will do; secrets appear only as `****` or `(not set)`."""
    lines: list[str] = [f"athena-om workflow config{f': {source_name}' if source_name else ''}"]
    pipeline = config.pipeline

    def section(title: str, rows: list[tuple[str, Any]]) -> None:
        lines.append("")
        lines.append(title)
        width = max(len(label) for label, _ in rows)
        lines.extend(f"  {label.ljust(width)}  {_show(value)}" for label, value in rows)

    section(
        "Workflow",
        [
            ("source type", config.source.type),
            ("pipeline", pipeline.type),
            ("service name", config.service_name),
            ("logger level", config.workflow_config.logger_level),
        ],
    )

    connection = config.connection
    if connection is None:
        section("Athena connection", [("serviceConnection", "(not set: boto3 default credentials and region)")])
    else:
        aws = connection.aws_config
        section(
            "Athena connection",
            [
                ("region", aws.aws_region),
                ("workgroup", connection.workgroup),
                ("S3 staging dir", connection.s3_staging_dir),
                ("OpenMetadata database", connection.database_name),
                ("catalog id", connection.catalog_id or "(caller's account)"),
                ("endpoint URL", aws.end_point_url or "(AWS default; AWS_ENDPOINT_URL if exported)"),
                ("access key id", aws.aws_access_key_id),
                ("secret access key", aws.aws_secret_access_key),
                ("session token", aws.aws_session_token),
                ("profile", aws.profile_name),
                ("assume role", aws.assume_role_arn),
                ("connection options", sorted(connection.connection_options) or NOT_SET),
                ("connection arguments", sorted(connection.connection_arguments) or NOT_SET),
            ],
        )

    server = config.openmetadata
    section(
        "OpenMetadata",
        [
            ("host", server.host_port),
            ("auth provider", server.auth_provider),
            ("JWT token", server.jwt_token),
            ("verify SSL", server.verify_ssl),
            ("extra headers", sorted(server.extra_headers or {}) or NOT_SET),
        ],
    )

    filters = [
        (key.removesuffix("FilterPattern"), _show_filter(getattr(pipeline, attribute)))
        for key in _FILTER_KEYS
        if (attribute := _attribute(pipeline, key)) is not None
    ]
    if filters:
        section("Filters", filters)

    options = [
        (info.alias or name, getattr(pipeline, name))
        for name, info in type(pipeline).model_fields.items()
        if name != "type" and isinstance(getattr(pipeline, name), bool | int | float | str)
    ]
    section(f"{pipeline.type} options", options)

    settings = config.settings
    section(
        "athena-om settings",
        [
            ("deletion safety", f"stop if more than {settings.deletion_safety.max_deleted_share:.0%} disappear"),
            ("owner table parameter", settings.owner_table_parameter),
            ("owner LF-tag key", settings.owner_lf_tag_key),
            ("query price per TB", f"${settings.query_price_per_tb_usd:g}"),
            ("usage workgroups", settings.usage_workgroups or "(every ENABLED workgroup)"),
            ("request concurrency", settings.request_concurrency),
            ("request timeout", f"{settings.request_timeout_seconds:g}s"),
        ],
    )
    return "\n".join(lines)


def _attribute(model: BaseModel, alias: str) -> str | None:
    return next((name for name, info in type(model).model_fields.items() if info.alias == alias), None)


def _show_filter(pattern: FilterPattern | None) -> str:
    if pattern is None or pattern.is_empty:
        return "(all)"
    parts = []
    if pattern.includes:
        parts.append("include " + ", ".join(pattern.includes))
    if pattern.excludes:
        parts.append("exclude " + ", ".join(pattern.excludes))
    return "; ".join(parts)


def _show(value: Any) -> str:
    if isinstance(value, SecretStr):
        return "****"
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
