"""Files written for OpenMetadata's Athena connector load, with OpenMetadata's defaults filled in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from athena_om.config import (
    CONFIG_PATH_ENV_VAR,
    SANDBOX_CONFIG_PATH,
    DatabaseLineagePipeline,
    DatabaseMetadataPipeline,
    DatabaseUsagePipeline,
    ProfilerPipeline,
    WorkflowConfigError,
    load_workflow_config,
    load_workflow_config_cached,
    load_workflow_config_from_text,
    resolve_config_path,
)
from athena_om.config.loader import EXAMPLES_DIR

OM_SERVER = """
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: a.b.c
"""


def test_documented_metadata_workflow_loads(workflow_path: Path) -> None:
    config = load_workflow_config(workflow_path, env={})

    assert config.source.type == "athena"
    assert config.service_name == "analytics_athena"
    connection = config.connection
    assert connection is not None
    assert connection.aws_config.aws_region == "eu-west-1"
    assert connection.aws_config.aws_access_key_id is not None
    assert connection.aws_config.aws_secret_access_key is not None
    assert connection.aws_config.aws_secret_access_key.get_secret_value() == (
        "fixture/Secret+Access+Key/0123456789abcd"
    )
    assert connection.aws_config.assume_role_session_name == "OpenMetadataSession"
    assert connection.s3_staging_dir == "s3://analytics-athena-results/openmetadata/"
    assert connection.workgroup == "analytics"
    assert connection.database_name == "awsdatacatalog"
    assert connection.connection_options == {"poll_interval": "2"}
    assert connection.connection_arguments == {"kill_on_interrupt": True}

    pipeline = config.pipeline
    assert isinstance(pipeline, DatabaseMetadataPipeline)
    assert pipeline.include_ddl is True
    assert pipeline.threads == 4
    assert pipeline.incremental is not None and pipeline.incremental.lookback_days == 7
    assert pipeline.schema_filter_pattern is not None
    assert pipeline.schema_filter_pattern.includes == ["^sales.*", "^marketing$"]
    assert pipeline.table_filter_pattern is not None
    assert pipeline.table_filter_pattern.includes[2] == r"^events_\d{4}$"
    assert pipeline.table_filter_pattern.excludes == [".*_backup$"]

    server = config.openmetadata
    assert server.host_port == "http://localhost:8585/api"
    assert server.auth_provider == "openmetadata"
    assert server.jwt_token is not None and server.jwt_token.get_secret_value().startswith("eyJ")
    assert server.store_service_connection is True
    assert config.sink is not None and config.sink.type == "metadata-rest"


def test_openmetadata_defaults_apply_to_a_minimal_file() -> None:
    text = (
        """
source:
  type: Athena
  serviceName: minimal
  serviceConnection:
    config:
      awsConfig: {awsRegion: us-east-2}
      s3StagingDir: s3://results-bucket
  sourceConfig:
    config: {}
"""
        + OM_SERVER
    )
    config = load_workflow_config_from_text(text, "minimal.yaml", env={})

    assert config.source.type == "athena"
    connection = config.connection
    assert connection is not None
    assert connection.type == "Athena"
    assert connection.scheme == "awsathena+rest"
    assert connection.workgroup == "primary"
    assert connection.database_name == "default"
    assert connection.catalog_id is None
    assert connection.aws_config.aws_access_key_id is None
    pipeline = config.pipeline
    assert isinstance(pipeline, DatabaseMetadataPipeline)
    assert pipeline.mark_deleted_tables is True
    assert pipeline.include_owners is False
    assert pipeline.include_ddl is False
    assert pipeline.use_fqn_for_filtering is False
    assert pipeline.table_filter_pattern is None
    assert config.workflow_config.logger_level == "INFO"
    assert config.workflow_config.success_threshold == 90
    assert config.openmetadata.verify_ssl == "no-ssl"
    assert config.settings.deletion_safety.max_deleted_share == 0.2
    assert config.settings.query_price_per_tb_usd == 5.0
    assert config.settings.request_concurrency == 8
    assert config.settings.request_timeout_seconds == 30
    assert config.settings.usage_workgroups is None


def test_usage_workflow_as_openmetadata_documents_it_loads_without_a_connection() -> None:
    text = (
        """
source:
  type: athena-usage
  serviceName: analytics_athena
  sourceConfig:
    config:
      type: DatabaseUsage
      queryLogDuration: 1
      resultLimit: 1000
processor:
  type: query-parser
  config: {}
stage:
  type: table-usage
  config:
    filename: /tmp/athena_usage
bulkSink:
  type: metadata-usage
  config:
    filename: /tmp/athena_usage
"""
        + OM_SERVER
    )
    config = load_workflow_config_from_text(text, "usage.yaml", env={})

    assert config.connection is None
    assert isinstance(config.pipeline, DatabaseUsagePipeline)
    assert config.pipeline.stage_file_location == "/tmp/query_log"
    assert config.pipeline.process_query_cost_analysis is True
    assert config.bulk_sink is not None and config.bulk_sink.config == {"filename": "/tmp/athena_usage"}


def test_lineage_workflow_loads_and_pipeline_type_is_inferred_from_source_type() -> None:
    text = (
        """
source:
  type: athena-lineage
  serviceName: analytics_athena
  sourceConfig:
    config:
      queryLogDuration: 2
      resultLimit: 10000
      tableFilterPattern: {excludes: [^tmp_]}
sink: {type: metadata-rest, config: {}}
"""
        + OM_SERVER
    )
    config = load_workflow_config_from_text(text, "lineage.yaml", env={})

    assert isinstance(config.pipeline, DatabaseLineagePipeline)
    assert config.pipeline.query_log_duration == 2
    assert config.pipeline.result_limit == 10000
    assert config.pipeline.parsing_timeout_limit == 300
    assert config.pipeline.process_view_lineage is True


def test_profiler_workflow_loads(workflow_text: str) -> None:
    start = workflow_text.index("  sourceConfig:")
    end = workflow_text.index("sink:")
    text = (
        workflow_text[:start]
        + "  sourceConfig:\n    config:\n      type: Profiler\n      includeViews: true\n"
        + "      profileSampleConfig:\n        sampleConfigType: STATIC\n"
        + "        config: {profileSample: 10, profileSampleType: PERCENTAGE}\n"
        + "processor:\n  type: orm-profiler\n  config: {}\n"
        + workflow_text[end:]
    )
    config = load_workflow_config_from_text(text, "profiler.yaml", env={})

    assert isinstance(config.pipeline, ProfilerPipeline)
    assert config.pipeline.include_views is True
    assert config.pipeline.timeout_seconds == 43200
    assert "rowCount" in config.pipeline.metrics


def test_athena_om_section_is_read() -> None:
    text = Path(SANDBOX_CONFIG_PATH).read_text().split("athenaOm:")[0] + (
        "athenaOm:\n"
        "  deletionSafety: {maxDeletedShare: 0.05}\n"
        "  ownerTableParameter: owner\n"
        "  ownerLfTagKey: data_owner\n"
        "  queryPricePerTbUsd: 6.25\n"
        "  usageWorkgroups: [primary, etl]\n"
        "  requestConcurrency: 16\n"
        "  requestTimeoutSeconds: 12.5\n"
    )
    settings = load_workflow_config_from_text(text, "ours.yaml", env={}).settings

    assert settings.deletion_safety.max_deleted_share == 0.05
    assert settings.owner_table_parameter == "owner"
    assert settings.owner_lf_tag_key == "data_owner"
    assert settings.query_price_per_tb_usd == 6.25
    assert settings.usage_workgroups == ["primary", "etl"]
    assert settings.request_concurrency == 16
    assert settings.request_timeout_seconds == 12.5


def test_sandbox_example_points_at_the_sandbox() -> None:
    config = load_workflow_config(SANDBOX_CONFIG_PATH, env={})

    assert config.service_name == "athena_sandbox"
    connection = config.connection
    assert connection is not None
    assert connection.aws_config.end_point_url is None  # reached through AWS_ENDPOINT_URL
    assert connection.aws_config.aws_region == "us-east-1"
    assert connection.s3_staging_dir == "s3://athena-om-sandbox-results/"
    assert connection.workgroup == "primary"
    assert config.openmetadata.host_port == "http://127.0.0.1:8585/api"
    assert config.openmetadata.jwt_token is not None
    assert config.openmetadata.jwt_token.get_secret_value() == "sandbox-token"


def test_sandbox_example_follows_the_environment() -> None:
    env = {
        "AWS_REGION": "eu-central-1",
        "OPENMETADATA_HOST_PORT": "http://127.0.0.1:9999/api",
        "OPENMETADATA_JWT_TOKEN": "from-env",
    }
    config = load_workflow_config(SANDBOX_CONFIG_PATH, env=env)

    assert config.connection is not None and config.connection.aws_config.aws_region == "eu-central-1"
    assert config.openmetadata.host_port == "http://127.0.0.1:9999/api"
    assert config.openmetadata.jwt_token is not None
    assert config.openmetadata.jwt_token.get_secret_value() == "from-env"


def test_production_template_loads_once_its_placeholders_are_filled() -> None:
    text = (
        (EXAMPLES_DIR / "production.yaml")
        .read_text()
        .replace("<athena_prod>", "athena_prod")
        .replace("<us-east-1>", "us-east-1")
        .replace("<query-results-bucket>", "acme-athena-results")
        .replace("<openmetadata.example.com>", "openmetadata.acme.com")
    )
    config = load_workflow_config_from_text(text, "production.yaml", env={"OPENMETADATA_JWT_TOKEN": "t.o.k"})

    assert config.openmetadata.host_port == "https://openmetadata.acme.com/api"


def test_production_template_as_shipped_names_what_to_fill_in() -> None:
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config(EXAMPLES_DIR / "production.yaml", env={})

    message = str(raised.value)
    assert "awsConfig.awsRegion" in message
    assert "s3StagingDir" in message
    assert "OPENMETADATA_JWT_TOKEN" in message


def test_config_path_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_config_path("given.yaml", env={}) == Path("given.yaml")
    assert resolve_config_path(None, env={CONFIG_PATH_ENV_VAR: "/etc/athena-om.yaml"}) == Path("/etc/athena-om.yaml")
    (tmp_path / "athena_om.yaml").write_text("")
    assert resolve_config_path(None, env={}) == Path("athena_om.yaml")


def test_no_config_anywhere_is_an_error_not_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkflowConfigError) as raised:
        resolve_config_path(None, env={})

    message = str(raised.value)
    assert CONFIG_PATH_ENV_VAR in message
    assert "./athena_om.yaml" in message
    assert "athena_om/config/examples/production.yaml" in message
    with pytest.raises(WorkflowConfigError, match=CONFIG_PATH_ENV_VAR):
        load_workflow_config(None, env={})


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(WorkflowConfigError, match="file not found"):
        load_workflow_config(tmp_path / "nope.yaml", env={})


def test_cached_loader_parses_a_file_once_until_it_or_its_variables_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from athena_om.config import loader

    parsed: list[str] = []
    real_parse = loader._parse_yaml

    def counting_parse(text: str, source_name: str) -> Any:
        parsed.append(source_name)
        return real_parse(text, source_name)

    monkeypatch.setattr(loader, "_parse_yaml", counting_parse)
    path = tmp_path / "wf.yaml"
    path.write_text(SANDBOX_CONFIG_PATH.read_text())
    env = {"OPENMETADATA_JWT_TOKEN": "one", "UNRELATED": "x"}

    first = load_workflow_config_cached(path, env=env)
    assert load_workflow_config_cached(str(path), env={**env, "UNRELATED": "y"}) is first
    assert len(parsed) == 1

    second = load_workflow_config_cached(path, env={**env, "OPENMETADATA_JWT_TOKEN": "two"})
    assert second.openmetadata.jwt_token is not None
    assert second.openmetadata.jwt_token.get_secret_value() == "two"
    assert len(parsed) == 2

    path.write_text(path.read_text().replace("athena_sandbox", "athena_edited"))
    assert load_workflow_config_cached(path, env=env).service_name == "athena_edited"
    assert len(parsed) == 3


def test_cached_loader_reports_errors_every_time(tmp_path: Path) -> None:
    for _ in range(2):
        with pytest.raises(WorkflowConfigError, match="file not found"):
            load_workflow_config_cached(tmp_path / "missing.yaml", env={})
