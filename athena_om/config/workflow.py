"""Typed models for the OpenMetadata Athena workflow YAML, plus athena-om's own `athenaOm:` section.

The keys, nesting and defaults follow OpenMetadata's ingestion workflow schema (`workflow.json`,
`athenaConnection.json`, `awsCredentials.json`, the database service pipelines, `openMetadataConnection.json`),
so a file written for OpenMetadata's Athena connector loads unchanged. Every model forbids unknown keys, so a
misspelt key is an error rather than a silently ignored setting. Python attributes are snake_case; the YAML keys
are OpenMetadata's camelCase aliases.

Deliberate differences from OpenMetadata (each one rejects a file that could not work with athena-om):
- `s3StagingDir` must be an `s3://` URI.
- `authProvider` is `openmetadata` (JWT bot token, the default here) or `no-auth`.
- `sink` may only be `metadata-rest`; the profiler's processing engine may only be `Native`.
- `serviceConnection` is required for `athena` (metadata/profiler) workflows; usage and lineage files may omit
  it, as OpenMetadata's own examples do, and then AWS settings come from boto3's default chain.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from athena_om.mapping.filters import FilterPattern

__all__ = [
    "AthenaConnection",
    "AthenaOmSettings",
    "AwsCredentials",
    "ComponentSection",
    "DataQualitySettings",
    "DatabaseLineagePipeline",
    "DatabaseMetadataPipeline",
    "DatabaseUsagePipeline",
    "DbtPipeline",
    "DeletionSafety",
    "FilterPattern",
    "OpenMetadataServerConfig",
    "PipelineConfig",
    "ProfilerPipeline",
    "ProfilerSettings",
    "ServiceConnection",
    "SinkSection",
    "SourceConfig",
    "SourceSection",
    "TestRunnerProcessor",
    "TestSuitePipeline",
    "WorkflowConfig",
    "WorkflowConfigSection",
    "field_problem",
]


def field_problem(field: str, message: str) -> PydanticCustomError:
    """An error raised by a model validator but reported at `field` (a dotted key path below the model)."""
    return PydanticCustomError("athena_om_field", "{message}", {"message": message, "field": field})


class ConfigModel(BaseModel):
    """Base for every section: camelCase keys as in OpenMetadata's YAML, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        # `catalogId: 123456789012` unquoted in YAML is an int; it is still clearly meant as a string.
        coerce_numbers_to_str=True,
    )


def _case_insensitive(*allowed: str) -> BeforeValidator:
    """Accept any capitalisation of the allowed words and normalise to the canonical spelling."""
    by_lower = {word.lower(): word for word in allowed}

    def normalise(value: Any) -> Any:
        if isinstance(value, str):
            return by_lower.get(value.strip().lower(), value)
        return value

    return BeforeValidator(normalise)


def _check_s3_uri(value: str) -> str:
    if not re.fullmatch(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?", value):
        raise ValueError('must be an S3 URI — expected something like "s3://my-athena-results/prefix/"')
    return value


def _check_http_url(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise ValueError('must be an http(s) URL — expected something like "https://athena.us-east-1.amazonaws.com"')
    return value


def _check_om_api_url(value: str) -> str:
    value = value.rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?/api", value):
        raise ValueError(
            'must be the OpenMetadata API URL, ending in /api — expected something like "http://localhost:8585/api"'
        )
    return value


def _check_aws_region(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", value):
        raise ValueError('is not an AWS region name — expected a string like "us-east-1"')
    return value


def _check_role_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z\-]*:iam::\d{12}:role/\S+", value):
        raise ValueError('is not an IAM role ARN — expected "arn:aws:iam::123456789012:role/RoleName"')
    return value


# OpenMetadata's `entityName` (type/basic.json): 1 to 256 characters, never `::`. Newer servers also refuse `>`,
# `"` and control characters; `/` cannot travel in the by-name URL paths the client reads entities back with.
MAX_ENTITY_NAME_LENGTH = 256
_ENTITY_NAME_FORBIDDEN = re.compile(r'::|[>"/\x00-\x1f\x7f]')


def _check_entity_name(value: str) -> str:
    if not value or len(value) > MAX_ENTITY_NAME_LENGTH:
        raise ValueError(f"must be 1 to {MAX_ENTITY_NAME_LENGTH} characters long (has {len(value)})")
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    found = _ENTITY_NAME_FORBIDDEN.search(value)
    if found:
        raise ValueError(
            f"contains {found[0]!r}, which an OpenMetadata entity name may not hold — expected a name without "
            "'::', '>', '\"', '/', newlines or other control characters, like \"athena_prod\""
        )
    return value


EntityName = Annotated[str, AfterValidator(_check_entity_name)]
NonEmptyStr = Annotated[str, Field(min_length=1)]


# --- source.serviceConnection ----------------------------------------------------------------------


class AwsCredentials(ConfigModel):
    """`awsConfig`: how to reach AWS. Unset keys fall back to boto3's default credential chain."""

    enabled: bool = False
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    aws_region: Annotated[str, AfterValidator(_check_aws_region)] = Field(examples=["us-east-1"])
    end_point_url: Annotated[str, AfterValidator(_check_http_url)] | None = Field(
        default=None, alias="endPointURL", examples=["https://athena.us-east-1.amazonaws.com"]
    )
    profile_name: str | None = Field(default=None, examples=["analytics"])
    assume_role_arn: Annotated[str, AfterValidator(_check_role_arn)] | None = Field(
        default=None, examples=["arn:aws:iam::123456789012:role/OpenMetadataIngestion"]
    )
    assume_role_session_name: str = Field(default="OpenMetadataSession", min_length=2, max_length=64)
    assume_role_source_identity: str | None = None

    @model_validator(mode="after")
    def _keys_come_in_pairs(self) -> AwsCredentials:
        if self.aws_access_key_id is not None and self.aws_secret_access_key is None:
            raise field_problem(
                "awsSecretAccessKey", "field required when awsAccessKeyId is set — expected the matching secret key"
            )
        if self.aws_secret_access_key is not None and self.aws_access_key_id is None:
            raise field_problem(
                "awsAccessKeyId", "field required when awsSecretAccessKey is set — expected the matching key id"
            )
        return self


class DataStorageConfig(ConfigModel):
    bucket_name: str = ""
    prefix: str = ""
    file_path_pattern: str = "{service_name}/{database_name}/{database_schema_name}/{table_name}/sample_data.parquet"
    overwrite_data: bool = True
    storage_config: AwsCredentials | None = None


class SampleDataStorageConfig(ConfigModel):
    config: DataStorageConfig | None = None


class AthenaConnection(ConfigModel):
    """`serviceConnection.config` for Athena (OpenMetadata `athenaConnection.json`)."""

    type: Annotated[Literal["Athena"], _case_insensitive("Athena")] = "Athena"
    scheme: Literal["awsathena+rest"] = "awsathena+rest"
    aws_config: AwsCredentials
    s3_staging_dir: Annotated[str, AfterValidator(_check_s3_uri)] = Field(
        alias="s3StagingDir", examples=["s3://my-athena-results/openmetadata/"]
    )
    workgroup: NonEmptyStr = Field(default="primary", examples=["primary"])
    catalog_id: str | None = Field(default=None, examples=["123456789012"])
    # OpenMetadata names the single database of an Athena service "default" unless this is set.
    database_name: EntityName = Field(default="default", examples=["awsdatacatalog"])
    # Free-form driver settings may hold credentials: kept out of repr (the summary shows only their keys).
    connection_options: dict[str, str] = Field(default_factory=dict, repr=False)
    connection_arguments: dict[str, Any] = Field(default_factory=dict, repr=False)
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    database_filter_pattern: FilterPattern | None = None
    supports_metadata_extraction: bool = True
    supports_dbt_extraction: bool = Field(default=True, alias="supportsDBTExtraction")
    supports_profiler: bool = True
    supports_query_comment: bool = True
    supports_usage_extraction: bool = True
    supports_lineage_extraction: bool = True
    supports_data_diff: bool = True
    sample_data_storage_config: SampleDataStorageConfig | None = None


class ServiceConnection(ConfigModel):
    config: AthenaConnection


# --- source.sourceConfig -------------------------------------------------------------------------


class Incremental(ConfigModel):
    enabled: bool
    lookback_days: int = Field(default=7, ge=0)
    safety_margin_days: int = Field(default=1, ge=0)


OwnerValue = str | Annotated[list[str], Field(min_length=1)]


class OwnerConfiguration(ConfigModel):
    default: str | None = None
    service: str | None = None
    database: str | dict[str, OwnerValue] | None = None
    database_schema: str | dict[str, OwnerValue] | None = None
    table: str | dict[str, OwnerValue] | None = None
    enable_inheritance: bool = True


class DatabaseMetadataPipeline(ConfigModel):
    """`sourceConfig.config` of a metadata workflow (OpenMetadata `databaseServiceMetadataPipeline.json`)."""

    type: Annotated[Literal["DatabaseMetadata"], _case_insensitive("DatabaseMetadata")] = "DatabaseMetadata"
    mark_deleted_tables: bool = True
    mark_deleted_stored_procedures: bool = True
    mark_deleted_schemas: bool = False
    mark_deleted_databases: bool = False
    include_tables: bool = True
    include_views: bool = True
    include_tags: bool = True
    include_custom_properties: bool = False
    include_owners: bool = False
    owner_config: OwnerConfiguration | None = None
    include_stored_procedures: bool = True
    include_ddl: bool = Field(default=False, alias="includeDDL")
    override_metadata: bool = False
    query_log_duration: int = Field(default=1, ge=0)
    query_parsing_timeout_limit: int = Field(default=300, ge=1)
    use_fqn_for_filtering: bool = False
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    database_filter_pattern: FilterPattern | None = None
    stored_procedure_filter_pattern: FilterPattern | None = None
    threads: int = Field(default=1, ge=1)
    incremental: Incremental | None = None
    extract_json_schema: bool = False
    json_schema_sample_size: int = Field(default=10, ge=1, le=1000)


class DatabaseUsagePipeline(ConfigModel):
    """`sourceConfig.config` of a usage workflow (OpenMetadata `databaseServiceQueryUsagePipeline.json`)."""

    type: Annotated[Literal["DatabaseUsage"], _case_insensitive("DatabaseUsage")] = "DatabaseUsage"
    query_log_duration: int = Field(default=1, ge=0)
    stage_file_location: str = "/tmp/query_log"
    filter_condition: str | None = None
    result_limit: int = Field(default=1000, ge=1)
    query_log_file_path: str | None = None
    process_query_cost_analysis: bool = True


class QueryParserConfig(ConfigModel):
    type: Literal["Auto", "SqlGlot", "SqlFluff"] = "Auto"


class DatabaseLineagePipeline(ConfigModel):
    """`sourceConfig.config` of a lineage workflow (OpenMetadata `databaseServiceQueryLineagePipeline.json`)."""

    type: Annotated[Literal["DatabaseLineage"], _case_insensitive("DatabaseLineage")] = "DatabaseLineage"
    query_log_duration: int = Field(default=1, ge=0)
    query_log_file_path: str | None = None
    result_limit: int = Field(default=1000, ge=1)
    parsing_timeout_limit: int = Field(default=300, ge=1)
    query_parser_config: QueryParserConfig | None = None
    filter_condition: str | None = None
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    database_filter_pattern: FilterPattern | None = None
    stored_procedure_filter_pattern: FilterPattern | None = None
    override_view_lineage: bool = False
    process_view_lineage: bool = True
    process_query_lineage: bool = True
    process_stored_procedure_lineage: bool = True
    threads: int = Field(default=1, ge=1)
    process_cross_database_lineage: bool = False
    cross_database_service_names: list[str] | None = None
    enable_temp_table_lineage: bool = False
    incremental_lineage_processing: bool = True


class ProcessingEngine(ConfigModel):
    type: Literal["Native"] = "Native"


SampleType = Literal["PERCENTAGE", "ROWS"]
SamplingMethod = Literal["BERNOULLI", "SYSTEM"]


class StaticSamplingConfig(ConfigModel):
    profile_sample: float | None = Field(default=None, ge=0)
    profile_sample_type: SampleType = "PERCENTAGE"
    sampling_method_type: SamplingMethod | None = None


class SamplingThreshold(ConfigModel):
    row_count_threshold: int = Field(ge=1)
    profile_sample: float = Field(ge=0)
    profile_sample_type: SampleType = "PERCENTAGE"
    sampling_method_type: SamplingMethod | None = None


class DynamicSamplingConfig(ConfigModel):
    smart_sampling: bool = True
    thresholds: list[SamplingThreshold] | None = None


class ProfileSampleConfig(ConfigModel):
    sample_config_type: Literal["STATIC", "DYNAMIC"] = "DYNAMIC"
    config: StaticSamplingConfig | DynamicSamplingConfig | None = None


ProfilerMetric = Literal[
    "mean", "valuesCount", "countInSet", "columnCount", "distinctCount", "distinctProportion", "iLikeCount",
    "likeCount", "notLikeCount", "regexCount", "notRegexCount", "max", "maxLength", "min", "minLength",
    "nullCount", "rowCount", "stddev", "sum", "uniqueCount", "uniqueProportion", "columnNames",
    "duplicateCount", "iLikeRatio", "likeRatio", "nullProportion", "interQuartileRange", "nonParametricSkew",
    "median", "firstQuartile", "thirdQuartile", "system", "histogram", "cardinalityDistribution", "valueRank",
    "nullMissingCount",
]  # fmt: skip

DEFAULT_PROFILER_METRICS: tuple[ProfilerMetric, ...] = (
    "mean", "valuesCount", "columnCount", "distinctCount", "distinctProportion", "max", "min", "nullCount",
    "rowCount", "stddev", "sum", "uniqueCount", "uniqueProportion", "columnNames", "nullProportion", "median",
    "firstQuartile", "thirdQuartile", "interQuartileRange", "nonParametricSkew",
)  # fmt: skip


class ProfilerPipeline(ConfigModel):
    """`sourceConfig.config` of a profiler workflow (OpenMetadata `databaseServiceProfilerPipeline.json`)."""

    type: Annotated[Literal["Profiler"], _case_insensitive("Profiler")] = "Profiler"
    processing_engine: ProcessingEngine = Field(default_factory=ProcessingEngine)
    classification_filter_pattern: FilterPattern | None = None
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    database_filter_pattern: FilterPattern | None = None
    include_views: bool = False
    use_fqn_for_filtering: bool = False
    compute_table_metrics: bool = True
    compute_column_metrics: bool = True
    use_statistics: bool = False
    profile_sample_config: ProfileSampleConfig | None = None
    randomized_sample: bool = False
    thread_count: int | None = Field(default=None, ge=1)
    timeout_seconds: int = Field(default=43200, ge=1)
    metrics: list[ProfilerMetric] = Field(default_factory=lambda: list(DEFAULT_PROFILER_METRICS))
    # The older flat sampling keys OpenMetadata still accepts (profileSampleConfig is the newer form).
    profile_sample: float | None = Field(default=None, ge=0)
    profile_sample_type: SampleType = "PERCENTAGE"
    # Off here by default: sample rows are copies of possibly personal data.
    generate_sample_data: bool = False


class TestSuitePipeline(ConfigModel):
    """`sourceConfig.config` of a data-quality workflow (OpenMetadata `testSuitePipeline.json`): the table whose
    test cases run (the processor's `testCases` are created or updated on it first)."""

    type: Annotated[Literal["TestSuite"], _case_insensitive("TestSuite")] = "TestSuite"
    entity_fully_qualified_name: NonEmptyStr | None = Field(default=None, examples=["my_athena.default.sales.orders"])
    # Names of the test cases to run; None runs all of the table's.
    test_cases: list[NonEmptyStr] | None = None
    service_connections: list[dict[str, Any]] | None = None
    profile_sample: float | None = Field(default=None, ge=0)
    profile_sample_type: SampleType = "PERCENTAGE"
    sampling_method_type: SamplingMethod | None = None


PIPELINE_TYPES = ("DatabaseMetadata", "DatabaseUsage", "DatabaseLineage", "Profiler", "TestSuite")
_PIPELINE_TYPE_BY_LOWER = {name.lower(): name for name in PIPELINE_TYPES}


def _pipeline_type(value: Any) -> str | None:
    if isinstance(value, dict):
        declared = value.get("type", "DatabaseMetadata")
        return _PIPELINE_TYPE_BY_LOWER.get(declared.lower(), declared) if isinstance(declared, str) else None
    return getattr(value, "type", None)


PipelineConfig = Annotated[
    Annotated[DatabaseMetadataPipeline, Tag("DatabaseMetadata")]
    | Annotated[DatabaseUsagePipeline, Tag("DatabaseUsage")]
    | Annotated[DatabaseLineagePipeline, Tag("DatabaseLineage")]
    | Annotated[ProfilerPipeline, Tag("Profiler")]
    | Annotated[TestSuitePipeline, Tag("TestSuite")],
    Discriminator(
        _pipeline_type,
        custom_error_type="pipeline_type",
        custom_error_message="unknown pipeline type — expected one of " + ", ".join(PIPELINE_TYPES),
    ),
]


class SourceConfig(ConfigModel):
    config: PipelineConfig = Field(default_factory=DatabaseMetadataPipeline)


# --- source ------------------------------------------------------------------------------------

SourceType = Literal["athena", "athena-usage", "athena-lineage", "TestSuite"]
# Which `sourceConfig.config.type` each `source.type` runs, as in OpenMetadata's workflows.
PIPELINES_BY_SOURCE_TYPE: dict[str, tuple[str, ...]] = {
    "athena": ("DatabaseMetadata", "Profiler"),
    "athena-usage": ("DatabaseUsage",),
    "athena-lineage": ("DatabaseLineage",),
    "TestSuite": ("TestSuite",),
}
_PIPELINES_BY_LOWER_SOURCE_TYPE = {name.lower(): pipelines for name, pipelines in PIPELINES_BY_SOURCE_TYPE.items()}
_SOURCE_TYPE_BY_PIPELINE = {
    pipeline: source_type for source_type, pipelines in PIPELINES_BY_SOURCE_TYPE.items() for pipeline in pipelines
}


class SourceSection(ConfigModel):
    """`source`: which Athena service to read and what to do with it."""

    type: Annotated[SourceType, _case_insensitive(*PIPELINES_BY_SOURCE_TYPE)] = Field(examples=["athena"])
    service_name: EntityName = Field(examples=["my_athena"])
    service_connection: ServiceConnection | None = None
    source_config: SourceConfig = Field(default_factory=SourceConfig)

    @model_validator(mode="before")
    @classmethod
    def _pipeline_type_from_source_type(cls, data: Any) -> Any:
        """Infer `sourceConfig.config.type` from `source.type` when left out (as OpenMetadata does), and reject
        a mismatch before the pipeline's keys are checked, so the user sees the one real mistake."""
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            return data
        pipelines = _PIPELINES_BY_LOWER_SOURCE_TYPE.get(data["type"].strip().lower())
        source_config = data.get("sourceConfig")
        if not pipelines or not isinstance(source_config, dict) or not isinstance(source_config.get("config"), dict):
            return data
        config = source_config["config"]
        declared = config.get("type")
        if declared is None:
            return {**data, "sourceConfig": {**source_config, "config": {**config, "type": pipelines[0]}}}
        canonical = _PIPELINE_TYPE_BY_LOWER.get(declared.lower()) if isinstance(declared, str) else None
        if canonical is not None and canonical not in pipelines:
            raise field_problem(
                "sourceConfig.config.type",
                f"{canonical} does not run with source type {data['type']!r} — expected "
                + " or ".join(pipelines)
                + f" (or source type {_SOURCE_TYPE_BY_PIPELINE[canonical]!r})",
            )
        return data

    @model_validator(mode="after")
    def _connection_for_metadata(self) -> SourceSection:
        if self.type == "athena" and self.service_connection is None:
            raise field_problem(
                "serviceConnection",
                "field required for source type 'athena' — expected serviceConnection.config with awsConfig, "
                "s3StagingDir and workgroup",
            )
        return self

    @property
    def connection(self) -> AthenaConnection | None:
        return self.service_connection.config if self.service_connection else None

    @property
    def pipeline(self) -> PipelineConfig:
        return self.source_config.config


# --- sink, processor, stage, bulkSink ------------------------------------------------------------


class ComponentSection(ConfigModel):
    """`processor`, `stage` or `bulkSink`: accepted so OpenMetadata's usage files load; athena-om ignores them."""

    type: NonEmptyStr
    config: dict[str, Any] = Field(default_factory=dict)


class TestCaseParameter(ConfigModel):
    name: NonEmptyStr
    value: Any = None


class DeclaredTestCaseConfig(ConfigModel):
    """One test case of the `orm-test-runner` processor (OpenMetadata `testSuitePipeline` test case definition)."""

    name: EntityName
    test_definition_name: NonEmptyStr = Field(examples=["columnValuesToBeNotNull"])
    column_name: NonEmptyStr | None = None
    parameter_values: list[TestCaseParameter] = Field(default_factory=list)
    description: str | None = None
    display_name: str | None = None
    compute_passed_failed_row_count: bool | None = None
    # Athena-om's own key: the table the test case is on, when the file's entityFullyQualifiedName is not it.
    entity_fully_qualified_name: NonEmptyStr | None = None


class TestRunnerConfig(ConfigModel):
    test_cases: list[DeclaredTestCaseConfig] = Field(default_factory=list)
    force_update: bool = False


class TestRunnerProcessor(ConfigModel):
    """`processor` of a data-quality workflow: `orm-test-runner` with the test cases to create and run."""

    type: Literal["orm-test-runner"] = "orm-test-runner"
    config: TestRunnerConfig = Field(default_factory=TestRunnerConfig)


def _processor_type(value: Any) -> str:
    declared = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    # Union tags start upper-case, so config errors drop them from the YAML path they report.
    return "TestRunner" if declared == "orm-test-runner" else "Component"


ProcessorSection = Annotated[
    Annotated[TestRunnerProcessor, Tag("TestRunner")] | Annotated[ComponentSection, Tag("Component")],
    Discriminator(_processor_type),
]


class SinkSection(ConfigModel):
    type: Literal["metadata-rest"] = "metadata-rest"
    config: dict[str, Any] = Field(default_factory=dict)


# --- workflowConfig ------------------------------------------------------------------------------


class JwtSecurityConfig(ConfigModel):
    jwt_token: SecretStr = Field(examples=["<the ingestion-bot JWT from OpenMetadata settings>"])


class SslConfig(ConfigModel):
    ca_certificate: SecretStr | None = None
    ssl_certificate: SecretStr | None = None
    ssl_key: SecretStr | None = None


class ElasticSearchSection(ConfigModel):
    type: str
    config: dict[str, Any] = Field(default_factory=dict)


class OpenMetadataServerConfig(ConfigModel):
    """`workflowConfig.openMetadataServerConfig` (OpenMetadata `openMetadataConnection.json`)."""

    cluster_name: str = "openmetadata"
    type: Literal["OpenMetadata"] = "OpenMetadata"
    host_port: Annotated[str, AfterValidator(_check_om_api_url)] = Field(examples=["http://localhost:8585/api"])
    auth_provider: Annotated[Literal["openmetadata", "no-auth"], _case_insensitive("openmetadata", "no-auth")] = (
        "openmetadata"
    )
    verify_ssl: Literal["no-ssl", "ignore", "validate"] = Field(default="no-ssl", alias="verifySSL")
    ssl_config: SslConfig | None = None
    security_config: JwtSecurityConfig | None = None
    secrets_manager_provider: Literal[
        "db", "managed-aws", "aws", "managed-aws-ssm", "aws-ssm", "managed-azure-kv", "azure-kv", "in-memory",
        "gcp", "kubernetes",
    ] = "db"  # fmt: skip
    secrets_manager_loader: Literal["noop", "airflow", "env"] = "noop"
    api_version: str = "v1"
    include_topics: bool = True
    include_tables: bool = True
    include_dashboards: bool = True
    include_pipelines: bool = True
    include_ml_models: bool = True
    include_users: bool = True
    include_teams: bool = True
    include_glossary_terms: bool = True
    include_tags: bool = True
    include_policy: bool = True
    include_messaging_services: bool = True
    enable_version_validation: bool = True
    include_database_services: bool = True
    include_pipeline_services: bool = True
    limit_records: int = Field(default=1000, ge=1)
    force_entity_overwriting: bool = False
    store_service_connection: bool = True
    elastics_search: ElasticSearchSection | None = Field(default=None, alias="elasticsSearch")
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    database_filter_pattern: FilterPattern | None = None
    supports_data_insight_extraction: bool = True
    supports_elastic_search_reindexing_extraction: bool = True
    # Headers often carry credentials, so their values are secrets (plain strings in OpenMetadata).
    extra_headers: dict[str, SecretStr] | None = None

    @model_validator(mode="after")
    def _token_for_jwt_auth(self) -> OpenMetadataServerConfig:
        if self.auth_provider == "openmetadata" and self.security_config is None:
            raise field_problem(
                "securityConfig",
                "field required when authProvider is openmetadata — expected securityConfig: {jwtToken: <bot JWT>}",
            )
        return self

    @property
    def jwt_token(self) -> SecretStr | None:
        return self.security_config.jwt_token if self.security_config else None


def _normalise_log_level(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        return "WARN" if value == "WARNING" else value
    return value


class WorkflowConfigSection(ConfigModel):
    """`workflowConfig`: logging and the OpenMetadata server to write to."""

    logger_level: Annotated[Literal["DEBUG", "INFO", "WARN", "ERROR"], BeforeValidator(_normalise_log_level)] = "INFO"
    raise_on_error: bool = True
    success_threshold: int = Field(default=90, ge=0, le=100)
    open_metadata_server_config: OpenMetadataServerConfig
    config: dict[str, Any] | None = None


# --- athenaOm.dbt: OpenMetadata's dbt workflow (`dbtPipeline.json`) ----------------------------------


class DbtLocalConfig(ConfigModel):
    """Artifacts on the local disk (OpenMetadata `dbtLocalConfig.json`)."""

    dbt_config_type: Literal["local"] = "local"
    dbt_manifest_file_path: NonEmptyStr = Field(examples=["/dbt/target/manifest.json"])
    dbt_catalog_file_path: str | None = None
    dbt_run_results_file_path: str | None = None
    dbt_sources_file_path: str | None = None


class DbtHttpConfig(ConfigModel):
    """Artifacts served over http(s) (OpenMetadata `dbtHttpConfig.json`)."""

    dbt_config_type: Literal["http"] = "http"
    dbt_manifest_http_path: Annotated[str, AfterValidator(_check_http_url)] = Field(
        examples=["https://dbt-docs.example.com/manifest.json"]
    )
    dbt_catalog_http_path: Annotated[str, AfterValidator(_check_http_url)] | None = None
    dbt_run_results_http_path: Annotated[str, AfterValidator(_check_http_url)] | None = None
    dbt_sources_http_path: Annotated[str, AfterValidator(_check_http_url)] | None = None


class DbtPrefixConfig(ConfigModel):
    dbt_bucket_name: NonEmptyStr = Field(examples=["my-dbt-artifacts"])
    dbt_object_prefix: str = Field(default="", examples=["prod/target/"])


class DbtS3Config(ConfigModel):
    """Artifacts under an S3 prefix (OpenMetadata `dbtS3Config.json`), read with the workflow's AWS connection.

    `dbtSecurityConfig` is accepted for OpenMetadata compatibility; athena-om reads with the AWS resource."""

    dbt_config_type: Literal["s3"] = "s3"
    dbt_security_config: AwsCredentials | None = None
    dbt_prefix_config: DbtPrefixConfig


DBT_CONFIG_TYPES = ("local", "http", "s3")


def _dbt_config_type(value: Any) -> str | None:
    if isinstance(value, dict):
        declared = value.get("dbtConfigType")
        return declared.strip().lower() if isinstance(declared, str) else None
    return getattr(value, "dbt_config_type", None)


DbtConfigSource = Annotated[
    Annotated[DbtLocalConfig, Tag("local")] | Annotated[DbtHttpConfig, Tag("http")] | Annotated[DbtS3Config, Tag("s3")],
    Discriminator(
        _dbt_config_type,
        custom_error_type="dbt_config_type",
        custom_error_message="dbtConfigType must be one of local, http, s3 (dbt Cloud, GCS and Azure are not read "
        "by athena-om: copy the artifacts to S3 or serve them over http)",
    ),
]


class DbtPipeline(ConfigModel):
    """OpenMetadata's dbt workflow options (`sourceConfig.config` with `type: DBT`), under `athenaOm.dbt`."""

    type: Annotated[Literal["DBT"], _case_insensitive("DBT")] = "DBT"
    dbt_config_source: DbtConfigSource
    dbt_update_descriptions: bool = False
    dbt_update_owners: bool = False
    include_tags: bool = True
    dbt_classification_name: EntityName = "dbtTags"
    database_filter_pattern: FilterPattern | None = None
    schema_filter_pattern: FilterPattern | None = None
    table_filter_pattern: FilterPattern | None = None
    parsing_timeout_limit: int = Field(default=300, ge=1)
    search_across_databases: bool = False
    # athena-om's: the OpenMetadata database each dbt database maps to. dbt-athena names the catalog
    # `awsdatacatalog`, the connector `databaseName` (default `default`): that pair is mapped without this
    # (OpenMetadata issue 14819); anything else is tried by its own name.
    database_names: dict[str, NonEmptyStr] = Field(default_factory=dict, examples=[{"awsdatacatalog": "default"}])


# --- athenaOm (ours) -----------------------------------------------------------------------------


# The one default for the deletion guard: the sync settings take it from here, and every deletion is planned
# with the configured value.
DEFAULT_MAX_DELETED_SHARE = 0.2


class DeletionSafety(ConfigModel):
    """Refuse to mark tables deleted when too large a share of a database would disappear in one run."""

    max_deleted_share: float = Field(default=DEFAULT_MAX_DELETED_SHARE, ge=0, le=1, examples=[0.2])


class ProfilerSettings(ConfigModel):
    """`athenaOm.profiler`: cost control and partition choice for `athena_table_profiles`."""

    # A table estimated above this is sampled down with TABLESAMPLE SYSTEM, or skipped when even a 1% sample is.
    max_bytes_per_table: int = Field(default=10 * 1024**3, ge=1, examples=[10737418240])
    # Once the run's queries have scanned this much, no further profile query is issued.
    max_bytes_per_run: int = Field(default=200 * 1024**3, ge=1, examples=[214748364800])
    # Which partitions of a partitioned table are profiled: the newest, the last N days, or every partition.
    partitions: Literal["newest", "lastDays", "all"] = "newest"
    last_days: int = Field(default=1, ge=1, le=3660)
    # Per table ("glue_database.table"): an Athena predicate used instead of the partition choice above; the way
    # to profile a table with an `injected` projected partition key.
    partition_filters: dict[NonEmptyStr, NonEmptyStr] = Field(
        default_factory=dict, examples=[{"demo_marketing.ad_clicks": "campaign_id = 'CMP-01'"}]
    )
    # uniqueCount and duplicateCount need an exact GROUP BY: one more scan per table.
    exact_uniqueness: bool = False
    # The profiler options when the workflow file's own sourceConfig is another pipeline (e.g. DatabaseMetadata).
    source_config: ProfilerPipeline | None = None
    schedule: NonEmptyStr = Field(default="0 4 * * 0", examples=["0 4 * * 0"])


class DataQualitySettings(ConfigModel):
    """`athenaOm.dataQuality`: where test cases come from and how their Dagster checks behave."""

    # TestSuite workflow files (OpenMetadata's format) whose `orm-test-runner` test cases are created and run.
    test_suite_files: list[NonEmptyStr] = Field(default_factory=list, examples=[["tests/orders.yaml"]])
    schedule: NonEmptyStr = Field(default="0 5 * * *", examples=["0 5 * * *"])
    # Test case FQN patterns (fnmatch) whose failure only warns in Dagster; every other failure fails the run.
    warn_only: list[NonEmptyStr] = Field(default_factory=list, examples=[["*.orders.*row_count*"]])
    # The snapshot of test cases Dagster builds its asset checks from (refreshed by a job); relative to the file.
    snapshot_file: NonEmptyStr = ".athena_om/data_quality_snapshot.json"
    # At most this many asset checks are shown in Dagster (the rest still run and report to OpenMetadata).
    max_asset_checks: int = Field(default=2000, ge=0)


class AthenaOmSettings(ConfigModel):
    """`athenaOm`: athena-om settings that OpenMetadata's workflow file has no place for."""

    deletion_safety: DeletionSafety = Field(default_factory=DeletionSafety)
    profiler: ProfilerSettings = Field(default_factory=ProfilerSettings)
    # Glue table parameter holding the owner's email or team name, e.g. "owner".
    owner_table_parameter: str | None = Field(default=None, examples=["owner"])
    # Lake Formation tag key whose value names the owner, e.g. "data_owner".
    owner_lf_tag_key: str | None = Field(default=None, examples=["data_owner"])
    query_price_per_tb_usd: float = Field(default=5.0, ge=0, examples=[5.0])
    # Workgroups whose query history feeds usage and lineage; None means every ENABLED workgroup.
    usage_workgroups: Annotated[list[NonEmptyStr], Field(min_length=1)] | None = Field(
        default=None, examples=[["primary"]]
    )
    request_concurrency: int = Field(default=8, ge=1, le=64)
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Where payloads handed from one asset to the next (a day's parsed query log) are kept when runs do not share
    # a disk (one container per run): an S3 prefix read and written with the AWS connection. Default: local disk.
    payload_storage: Annotated[str, AfterValidator(_check_s3_uri)] | None = Field(
        default=None, examples=["s3://my-bucket/athena-om/payloads/"]
    )
    # Where the dbt artifacts are and what to take from them (OpenMetadata's dbt workflow keys); None: no dbt.
    dbt: DbtPipeline | None = None
    data_quality: DataQualitySettings = Field(default_factory=DataQualitySettings)


# --- the whole file ------------------------------------------------------------------------------


class WorkflowConfig(ConfigModel):
    """A whole workflow file: OpenMetadata's Athena workflow keys plus the optional `athenaOm` section."""

    source: SourceSection
    processor: ProcessorSection | None = None
    sink: SinkSection | None = None
    stage: ComponentSection | None = None
    bulk_sink: ComponentSection | None = None
    workflow_config: WorkflowConfigSection
    athena_om: AthenaOmSettings = Field(default_factory=AthenaOmSettings)
    # Set by OpenMetadata when it runs a pipeline itself; accepted and ignored.
    ingestion_pipeline_fqn: str | None = Field(default=None, alias="ingestionPipelineFQN")
    pipeline_run_id: str | None = None
    enable_streamable_logs: bool = False
    ingestion_runner_name: str | None = None

    @property
    def service_name(self) -> str:
        return self.source.service_name

    @property
    def connection(self) -> AthenaConnection | None:
        """The Athena connection, or None for usage/lineage files that leave it to boto3's defaults."""
        return self.source.connection

    @property
    def pipeline(self) -> PipelineConfig:
        return self.source.pipeline

    @property
    def openmetadata(self) -> OpenMetadataServerConfig:
        return self.workflow_config.open_metadata_server_config

    @property
    def settings(self) -> AthenaOmSettings:
        return self.athena_om
