"""Keys OpenMetadata's workflow format defines that athena-om accepts (so OpenMetadata's files load) but never reads.

`validate-config` lists them and a run logs them once, so nobody believes `includeDDL: true` or `threads: 8` is
in effect. Keep this table in step with the code: a key moves out of it when a feature starts reading it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from athena_om.config.interpolation import YamlPath, format_path
from athena_om.config.workflow import (
    AthenaConnection,
    AwsCredentials,
    DatabaseLineagePipeline,
    DatabaseMetadataPipeline,
    DatabaseUsagePipeline,
    OpenMetadataServerConfig,
    ProfilerPipeline,
    SinkSection,
    SslConfig,
    WorkflowConfig,
    WorkflowConfigSection,
)

_FILTERS = frozenset({"schemaFilterPattern", "tableFilterPattern", "databaseFilterPattern"})

IGNORED_KEYS: dict[type[BaseModel], frozenset[str]] = {
    WorkflowConfig: frozenset(
        {"processor", "stage", "bulkSink", "ingestionPipelineFQN", "pipelineRunId", "enableStreamableLogs"}
        | {"ingestionRunnerName"}
    ),
    SinkSection: frozenset({"config"}),
    WorkflowConfigSection: frozenset({"loggerLevel", "raiseOnError", "successThreshold", "config"}),
    AwsCredentials: frozenset({"enabled"}),
    # caCertificate is read (TLS to OpenMetadata); client certificates are not.
    SslConfig: frozenset({"sslCertificate", "sslKey"}),
    # The filters that count are the pipeline's (sourceConfig.config), as in OpenMetadata's own connector.
    AthenaConnection: _FILTERS
    | {"connectionOptions", "connectionArguments", "sampleDataStorageConfig", "supportsMetadataExtraction"}
    | {"supportsDBTExtraction", "supportsProfiler", "supportsQueryComment", "supportsUsageExtraction"}
    | {"supportsLineageExtraction", "supportsDataDiff"},
    DatabaseMetadataPipeline: frozenset(
        {"markDeletedStoredProcedures", "markDeletedSchemas", "markDeletedDatabases", "includeCustomProperties"}
        | {"ownerConfig", "includeStoredProcedures", "includeDDL", "queryLogDuration"}
        | {"queryParsingTimeoutLimit", "storedProcedureFilterPattern", "threads", "incremental"}
        | {"extractJsonSchema", "jsonSchemaSampleSize"}
    ),
    DatabaseUsagePipeline: frozenset(
        {"queryLogDuration", "stageFileLocation", "filterCondition", "resultLimit", "queryLogFilePath"}
        | {"processQueryCostAnalysis"}
    ),
    DatabaseLineagePipeline: frozenset(
        {"queryLogDuration", "queryLogFilePath", "resultLimit", "parsingTimeoutLimit", "queryParserConfig"}
        | {"filterCondition", "storedProcedureFilterPattern", "overrideViewLineage", "processViewLineage"}
        | {"processQueryLineage", "processStoredProcedureLineage", "threads", "processCrossDatabaseLineage"}
        | {"crossDatabaseServiceNames", "enableTempTableLineage", "incrementalLineageProcessing"}
    ),
    # The profiler reads the filters, includeViews, computeTableMetrics/computeColumnMetrics, useStatistics,
    # profileSample(Type), profileSampleConfig (static), threadCount, timeoutSeconds and generateSampleData.
    ProfilerPipeline: frozenset({"processingEngine", "classificationFilterPattern", "randomizedSample", "metrics"}),
    OpenMetadataServerConfig: _FILTERS
    | {"clusterName", "secretsManagerProvider", "secretsManagerLoader", "apiVersion"}
    | {"includeTopics", "includeTables", "includeDashboards", "includePipelines", "includeMlModels"}
    | {"includeUsers", "includeTeams", "includeGlossaryTerms", "includeTags", "includePolicy"}
    | {"includeMessagingServices", "enableVersionValidation", "includeDatabaseServices"}
    | {"includePipelineServices", "limitRecords", "forceEntityOverwriting", "storeServiceConnection"}
    | {"elasticsSearch", "supportsDataInsightExtraction", "supportsElasticSearchReindexingExtraction"}
    | {"extraHeaders"},
}


def ignored_keys(config: WorkflowConfig) -> list[str]:
    """YAML paths of the keys written in the file that athena-om accepts but does not act on."""
    return [format_path(path) for path in _ignored_in(config, ())]


def is_ignored(model: BaseModel, alias: str) -> bool:
    """Whether `alias`, a key of `model`'s section, is one athena-om does not act on."""
    return alias in IGNORED_KEYS.get(type(model), frozenset())


def _ignored_in(model: BaseModel, path: YamlPath) -> list[YamlPath]:
    found: list[YamlPath] = []
    for name, info in type(model).model_fields.items():
        if name not in model.model_fields_set:
            continue
        alias = info.alias or name
        value = getattr(model, name)
        if is_ignored(model, alias):
            if not _is_empty(value):
                found.append((*path, alias))
        elif isinstance(value, BaseModel):
            found.extend(_ignored_in(value, (*path, alias)))
    return found


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, dict | list) and not value)
