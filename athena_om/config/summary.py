"""A readable summary of a loaded workflow config, shown by `athena-om validate-config FILE`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, SecretStr

from athena_om.config.ignored import ignored_keys, is_ignored
from athena_om.config.workflow import FilterPattern, WorkflowConfig

NOT_SET = "(not set)"
_FILTER_KEYS = ("databaseFilterPattern", "schemaFilterPattern", "tableFilterPattern", "storedProcedureFilterPattern")


def summarize(config: WorkflowConfig, source_name: str | None = None) -> str:
    """Multi-line summary of what the config will do; secrets appear only as `****` or `(not set)`.

    Keys athena-om accepts but does not act on are not shown as settings; they are listed under "Ignored".
    """
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
        ],
    )

    filters = [
        (key.removesuffix("FilterPattern"), _show_filter(getattr(pipeline, attribute)))
        for key in _FILTER_KEYS
        if (attribute := _attribute(pipeline, key)) is not None and not is_ignored(pipeline, key)
    ]
    if filters:
        section("Filters", filters)

    options = [
        (info.alias or name, getattr(pipeline, name))
        for name, info in type(pipeline).model_fields.items()
        if name != "type"
        and not is_ignored(pipeline, info.alias or name)
        and isinstance(getattr(pipeline, name), bool | int | float | str)
    ]
    if options:
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

    ignored = ignored_keys(config)
    if ignored:
        lines.append("")
        lines.append("Ignored (accepted for OpenMetadata compatibility; athena-om does not act on them)")
        lines.extend(f"  {path}" for path in ignored)
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
