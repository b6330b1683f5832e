"""The workflow config: OpenMetadata's Athena workflow YAML (plus an `athenaOm:` section), typed and validated."""

from athena_om.config.errors import ConfigProblem, WorkflowConfigError
from athena_om.config.ignored import ignored_keys
from athena_om.config.loader import (
    CONFIG_PATH_ENV_VAR,
    DEFAULT_CONFIG_PATH,
    SANDBOX_CONFIG_PATH,
    load_workflow_config,
    load_workflow_config_cached,
    load_workflow_config_from_text,
    resolve_config_path,
)
from athena_om.config.summary import summarize
from athena_om.config.workflow import (
    AthenaConnection,
    AthenaOmSettings,
    AwsCredentials,
    DatabaseLineagePipeline,
    DatabaseMetadataPipeline,
    DatabaseUsagePipeline,
    DeletionSafety,
    FilterPattern,
    OpenMetadataServerConfig,
    PipelineConfig,
    ProfilerPipeline,
    WorkflowConfig,
)

__all__ = [
    "CONFIG_PATH_ENV_VAR",
    "DEFAULT_CONFIG_PATH",
    "SANDBOX_CONFIG_PATH",
    "AthenaConnection",
    "AthenaOmSettings",
    "AwsCredentials",
    "ConfigProblem",
    "DatabaseLineagePipeline",
    "DatabaseMetadataPipeline",
    "DatabaseUsagePipeline",
    "DeletionSafety",
    "FilterPattern",
    "OpenMetadataServerConfig",
    "PipelineConfig",
    "ProfilerPipeline",
    "WorkflowConfig",
    "WorkflowConfigError",
    "ignored_keys",
    "load_workflow_config",
    "load_workflow_config_cached",
    "load_workflow_config_from_text",
    "resolve_config_path",
    "summarize",
]
