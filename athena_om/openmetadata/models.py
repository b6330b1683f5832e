"""Request and response models for the OpenMetadata REST API subset athena-om uses.

They follow OpenMetadata's 1.6+/2.x JSON schemas (``openmetadata-spec``): camelCase field names, ``owners`` as a
list of entity references, ``schemaDefinition``, ``sourceHash``. Request models forbid unknown fields, like the
server does, so a misspelt field fails here and not on a production server.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OMRequest(BaseModel):
    """Base of every body sent to OpenMetadata: unknown fields rejected, ``None`` fields left out on dump."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)

    def to_body(self) -> dict[str, Any]:
        """The JSON body as OpenMetadata expects it (no nulls)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class DataType(StrEnum):
    """The subset of OpenMetadata's ``DataType`` enum that Athena types map to."""

    TINYINT = "TINYINT"
    SMALLINT = "SMALLINT"
    INT = "INT"
    BIGINT = "BIGINT"
    FLOAT = "FLOAT"
    DOUBLE = "DOUBLE"
    DECIMAL = "DECIMAL"
    NUMERIC = "NUMERIC"
    TIMESTAMP = "TIMESTAMP"
    TIMESTAMPZ = "TIMESTAMPZ"
    TIME = "TIME"
    DATE = "DATE"
    DATETIME = "DATETIME"
    INTERVAL = "INTERVAL"
    STRING = "STRING"
    TEXT = "TEXT"
    CHAR = "CHAR"
    VARCHAR = "VARCHAR"
    BOOLEAN = "BOOLEAN"
    BINARY = "BINARY"
    VARBINARY = "VARBINARY"
    ARRAY = "ARRAY"
    MAP = "MAP"
    STRUCT = "STRUCT"
    UNION = "UNION"
    JSON = "JSON"
    UUID = "UUID"
    GEOGRAPHY = "GEOGRAPHY"
    IPV4 = "IPV4"
    IPV6 = "IPV6"
    UNKNOWN = "UNKNOWN"


class TableType(StrEnum):
    REGULAR = "Regular"
    EXTERNAL = "External"
    VIEW = "View"
    MATERIALIZED_VIEW = "MaterializedView"
    ICEBERG = "Iceberg"
    PARTITIONED = "Partitioned"


class PartitionIntervalType(StrEnum):
    TIME_UNIT = "TIME-UNIT"
    INTEGER_RANGE = "INTEGER-RANGE"
    INGESTION_TIME = "INGESTION-TIME"
    COLUMN_VALUE = "COLUMN-VALUE"
    INJECTED = "INJECTED"
    ENUM = "ENUM"
    OTHER = "OTHER"


class FileFormat(StrEnum):
    CSV = "csv"
    CSV_GZ = "csv.gz"
    TSV = "tsv"
    AVRO = "avro"
    PARQUET = "parquet"
    JSON = "json"
    JSON_GZ = "json.gz"
    JSONL = "jsonl"


class TagSource(StrEnum):
    CLASSIFICATION = "Classification"
    GLOSSARY = "Glossary"


class LabelType(StrEnum):
    MANUAL = "Manual"
    PROPAGATED = "Propagated"
    AUTOMATED = "Automated"
    DERIVED = "Derived"


class TagState(StrEnum):
    SUGGESTED = "Suggested"
    CONFIRMED = "Confirmed"


class LineageSource(StrEnum):
    MANUAL = "Manual"
    VIEW_LINEAGE = "ViewLineage"
    QUERY_LINEAGE = "QueryLineage"
    DBT_LINEAGE = "DbtLineage"


class EntityReference(OMRequest):
    """A pointer to another entity: ``id`` and ``type`` are what OpenMetadata needs."""

    id: str
    type: str
    name: str | None = None
    fullyQualifiedName: str | None = None
    displayName: str | None = None


class TagLabel(OMRequest):
    tagFQN: str
    source: TagSource = TagSource.CLASSIFICATION
    labelType: LabelType = LabelType.AUTOMATED
    state: TagState = TagState.CONFIRMED
    name: str | None = None
    description: str | None = None


class Column(OMRequest):
    """One column of a table, recursively for struct children."""

    name: str = Field(min_length=1, max_length=256)
    dataType: DataType
    displayName: str | None = None
    arrayDataType: DataType | None = None
    dataLength: int | None = None
    precision: int | None = None
    scale: int | None = None
    dataTypeDisplay: str | None = None
    description: str | None = None
    fullyQualifiedName: str | None = None
    tags: list[TagLabel] | None = None
    ordinalPosition: int | None = None
    jsonSchema: str | None = None
    children: list[Column] | None = None


class PartitionColumnDetails(OMRequest):
    columnName: str
    intervalType: PartitionIntervalType
    interval: str | None = None


class TablePartition(OMRequest):
    columns: list[PartitionColumnDetails]


class CreateDatabaseServiceRequest(OMRequest):
    name: str
    serviceType: str = "Athena"
    displayName: str | None = None
    description: str | None = None
    tags: list[TagLabel] | None = None
    owners: list[EntityReference] | None = None


class CreateDatabaseRequest(OMRequest):
    name: str
    service: str
    displayName: str | None = None
    description: str | None = None
    tags: list[TagLabel] | None = None
    owners: list[EntityReference] | None = None
    sourceUrl: str | None = None
    sourceHash: str | None = None


class CreateDatabaseSchemaRequest(OMRequest):
    name: str
    database: str
    displayName: str | None = None
    description: str | None = None
    tags: list[TagLabel] | None = None
    owners: list[EntityReference] | None = None
    sourceUrl: str | None = None
    sourceHash: str | None = None


class CreateTableRequest(OMRequest):
    name: str
    databaseSchema: str
    columns: list[Column]
    displayName: str | None = None
    description: str | None = None
    tableType: TableType | None = None
    tablePartition: TablePartition | None = None
    owners: list[EntityReference] | None = None
    tags: list[TagLabel] | None = None
    schemaDefinition: str | None = None
    locationPath: str | None = None
    fileFormat: FileFormat | None = None
    sourceUrl: str | None = None
    sourceHash: str | None = Field(default=None, max_length=32)


class CreateClassificationRequest(OMRequest):
    name: str
    description: str
    displayName: str | None = None
    mutuallyExclusive: bool | None = None


class CreateTagRequest(OMRequest):
    name: str
    description: str
    classification: str
    displayName: str | None = None


class CreateQueryRequest(OMRequest):
    query: str
    service: str
    name: str | None = None
    displayName: str | None = None
    description: str | None = None
    query_type: str | None = None
    duration: float | None = None
    users: list[str] | None = None
    usedBy: list[str] | None = None
    dialect: str | None = None
    queryDate: int | None = None
    queryUsedIn: list[EntityReference] | None = None
    tags: list[TagLabel] | None = None


class ColumnLineage(OMRequest):
    fromColumns: list[str]
    toColumn: str
    function: str | None = None


class LineageDetails(OMRequest):
    sqlQuery: str | None = None
    columnsLineage: list[ColumnLineage] | None = None
    description: str | None = None
    source: LineageSource | None = None


class EntitiesEdge(OMRequest):
    fromEntity: EntityReference
    toEntity: EntityReference
    description: str | None = None
    lineageDetails: LineageDetails | None = None


class AddLineageRequest(OMRequest):
    edge: EntitiesEdge


class UsageRequest(OMRequest):
    """One day's usage count for one entity (``PUT /api/v1/usage/table/{id}``)."""

    date: str
    count: int = Field(ge=0)


class JoinedWith(OMRequest):
    fullyQualifiedName: str
    joinCount: int = Field(ge=0)


class ColumnJoins(OMRequest):
    columnName: str
    joinedWith: list[JoinedWith]


class TableJoins(OMRequest):
    startDate: str
    dayCount: int = 1
    columnJoins: list[ColumnJoins] | None = None
    directTableJoins: list[JoinedWith] | None = None


class CustomMetricProfile(OMRequest):
    name: str | None = None
    value: float | None = None


class Histogram(OMRequest):
    boundaries: list[str] | None = None
    frequencies: list[float] | None = None


class TableProfile(OMRequest):
    timestamp: int
    columnCount: float | None = None
    rowCount: float | None = None
    sizeInByte: float | None = None
    createDateTime: str | None = None  # ISO 8601 with a zone
    profileSample: float | None = None
    profileSampleType: str | None = None  # PERCENTAGE or ROWS
    customMetrics: list[CustomMetricProfile] | None = None


class ColumnProfile(OMRequest):
    name: str
    timestamp: int
    valuesCount: float | None = None
    nullCount: float | None = None
    nullProportion: float | None = None
    uniqueCount: float | None = None
    uniqueProportion: float | None = None
    distinctCount: float | None = None
    distinctProportion: float | None = None
    duplicateCount: float | None = None
    min: float | int | str | None = None
    max: float | int | str | None = None
    mean: float | None = None
    sum: float | None = None
    stddev: float | None = None
    median: float | None = None
    firstQuartile: float | None = None
    thirdQuartile: float | None = None
    interQuartileRange: float | None = None
    nonParametricSkew: float | None = None
    minLength: float | None = None
    maxLength: float | None = None
    histogram: Histogram | None = None
    customMetrics: list[CustomMetricProfile] | None = None


class CreateTableProfileRequest(OMRequest):
    tableProfile: TableProfile
    columnProfile: list[ColumnProfile] | None = None


class TableData(OMRequest):
    """Sample rows of a table (``PUT /tables/{id}/sampleData``): column names and rows in that order."""

    columns: list[str]
    rows: list[list[Any]]


class Paging(BaseModel):
    model_config = ConfigDict(extra="ignore")

    after: str | None = None
    before: str | None = None
    total: int | None = None


class EntityList(BaseModel):
    """A page of a list endpoint: ``{"data": [...], "paging": {...}}``."""

    model_config = ConfigDict(extra="ignore")

    data: list[dict[str, Any]]
    paging: Paging = Paging()


class ServerVersion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: str
    revision: str | None = None


# -- dbt: a table's data model, test definitions and results, JSON Patch --------------------------------------


class ModelType(StrEnum):
    DBT = "DBT"
    DDL = "DDL"


class DataModel(OMRequest):
    """The model a table is built from (``PUT /api/v1/tables/{id}/dataModel``), as OpenMetadata's ``DataModel``."""

    modelType: ModelType
    resourceType: str | None = None
    dbtSourceProject: str | None = None
    description: str | None = None
    path: str | None = None
    rawSql: str | None = None
    sql: str | None = None
    upstream: list[str] | None = None
    owners: list[EntityReference] | None = None
    tags: list[TagLabel] | None = None
    columns: list[Column] | None = None
    generatedAt: str | None = None


class TestPlatform(StrEnum):
    OPENMETADATA = "OpenMetadata"
    DBT = "dbt"


class TestEntityType(StrEnum):
    TABLE = "TABLE"
    COLUMN = "COLUMN"


class CreateTestDefinitionRequest(OMRequest):
    name: str = Field(min_length=1, max_length=256)
    description: str
    entityType: TestEntityType
    testPlatforms: list[TestPlatform]
    displayName: str | None = None


class TestCaseParameterValue(OMRequest):
    name: str
    value: str


class CreateTestCaseRequest(OMRequest):
    name: str = Field(min_length=1, max_length=256)
    testDefinition: str
    entityLink: str
    description: str | None = None
    displayName: str | None = None
    parameterValues: list[TestCaseParameterValue] | None = None


class TestCaseStatus(StrEnum):
    SUCCESS = "Success"
    FAILED = "Failed"
    ABORTED = "Aborted"
    QUEUED = "Queued"


class TestResultValue(OMRequest):
    name: str
    value: str


class CreateTestCaseResult(OMRequest):
    timestamp: int
    testCaseStatus: TestCaseStatus
    result: str | None = None
    testResultValue: list[TestResultValue] = Field(default_factory=list)
    failedRows: int | None = None
    # Data quality (athena-om's own runs): rows that passed, and both shares in percent of the rows tested.
    passedRows: int | None = None
    passedRowsPercentage: float | None = None
    failedRowsPercentage: float | None = None


class JsonPatchOperation(OMRequest):
    """One RFC 6902 operation of a ``PATCH`` (``application/json-patch+json``)."""

    op: str
    path: str
    value: Any = None

    def to_body(self) -> dict[str, Any]:
        body = {"op": self.op, "path": self.path}
        if self.op != "remove":
            body["value"] = self.value
        return body
