"""Glue tables and databases -> OpenMetadata create requests.

:func:`glue_table_to_create_request` never raises for bad catalog data: an unreadable column type becomes
an ``UNKNOWN`` column and a warning, and a table that cannot be mapped at all comes back as a
:class:`TableMappingError` on the result.

Decisions where the mapping has a choice:

* Columns are the Glue columns then the partition keys (Athena's order). Names are compared
  case-insensitively, as Athena and OpenMetadata do: a partition key wins over a data column of the same
  name (so ``tablePartition`` survives, as in OpenMetadata's own connector), otherwise the first is kept;
  each drop is a warning. ``ordinalPosition`` is the 1-based position in that final list.
* A column OpenMetadata would refuse (see :mod:`athena_om.mapping.column_guard`) is sent as ``UNKNOWN``
  with its Glue type in ``dataTypeDisplay``, with a warning: one column never costs the whole table.
* Views are ``VIRTUAL_VIEW`` tables and Glue Data Catalog (multi-dialect) views, which carry
  ``ViewDefinition.Representations`` whatever their table type. ``schemaDefinition`` is the ATHENA
  representation's SQL, else the Presto/Hive ``ViewOriginalText``, else the SPARK representation's SQL
  (with a warning saying so).
* ``fileFormat`` only uses values OpenMetadata has: parquet, avro, json, csv, tsv (and ``.gz`` variants
  when Glue says ``compressionType=gzip``). ORC, Ion, regex/grok text and unknown formats are left out.
  Hive JSON SerDes read one record per line; we still say ``json`` (what Glue's ``classification`` says).
* A database's ``LocationUri`` is not sent: an OpenMetadata schema has no location field, its description
  is curated by people (a generated one would fight their edits), and ``extension`` needs a custom property
  defined on the server first.
* ``sourceHash`` is the MD5 of the request body's canonical JSON (sorted keys, no ``sourceHash``): the same
  Glue table always gives the same hash, and any change to what we send changes it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from athena_om.athena.models import GlueColumn, GlueDatabase, GlueTable, GlueViewRepresentation, LFTag
from athena_om.mapping.column_guard import safe_column
from athena_om.mapping.fqn import encode_entity_name
from athena_om.mapping.tags import lf_tag_to_labels
from athena_om.mapping.types import (
    MAX_COLUMN_NAME_LENGTH,
    TypeParseError,
    parse_athena_type,
    parse_type_string,
)
from athena_om.openmetadata.models import (
    Column,
    CreateDatabaseSchemaRequest,
    CreateTableRequest,
    DataType,
    EntityReference,
    FileFormat,
    OMRequest,
    PartitionColumnDetails,
    PartitionIntervalType,
    TablePartition,
    TableType,
    TagLabel,
)

TagResolver = Callable[[LFTag], list[TagLabel]]
OwnerResolver = Callable[[str], EntityReference | None]

_VIEW_TABLE_TYPE = "VIRTUAL_VIEW"
_ATHENA_VIEW_COMMENT = "presto view"
_ENCODED_VIEW = re.compile(r"^\s*/\*\s*(?P<engine>\w+) View:\s*(?P<payload>.*?)\s*\*/\s*$", re.DOTALL)
_INTEGER_TYPES = {DataType.TINYINT, DataType.SMALLINT, DataType.INT, DataType.BIGINT}
_TIME_TYPES = {DataType.DATE, DataType.TIMESTAMP, DataType.TIMESTAMPZ, DataType.DATETIME}
_PROJECTION_INTERVAL_TYPES = {
    "enum": PartitionIntervalType.COLUMN_VALUE,
    "integer": PartitionIntervalType.INTEGER_RANGE,
    "date": PartitionIntervalType.TIME_UNIT,
    "injected": PartitionIntervalType.INJECTED,
}
# Finest unit present in a java.time date format -> OpenMetadata interval (checked in this order).
_FORMAT_UNITS = (("s", "SECOND"), ("m", "MINUTE"), ("H", "HOUR"), ("h", "HOUR"), ("d", "DAY"), ("M", "MONTH"))


@dataclass(frozen=True)
class TableMappingOptions:
    """Choices a deployment makes about how Glue tables map.

    ``owner_parameter`` / ``owner_lf_tag_key`` name the table parameter or LF tag key whose value is the
    owner, in preference to Glue's ``Owner`` (which Athena sets to ``hadoop`` or an IAM principal); Glue's
    ``Owner`` is the fallback when they are absent. ``include_tags=False`` sends no tags at all.
    """

    owner_parameter: str | None = None
    owner_lf_tag_key: str | None = None
    include_tags: bool = True


@dataclass(frozen=True)
class TableMappingError:
    """A table that could not be mapped: which one and why."""

    database: str
    table: str
    reason: str

    def __str__(self) -> str:
        return f"cannot map Glue table {self.database}.{self.table}: {self.reason}"


@dataclass
class TableMappingResult:
    """The create request (``None`` when ``error`` is set) and what a person should know about it."""

    request: CreateTableRequest | None
    warnings: list[str] = field(default_factory=list)
    error: TableMappingError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ViewDefinition:
    """What a Glue view's ``ViewOriginalText`` holds, decoded."""

    sql: str | None
    columns: tuple[GlueColumn, ...] = ()


def compute_source_hash(request: OMRequest) -> str:
    """MD5 hex (32 characters) of the request's canonical JSON body, ``sourceHash`` excluded."""
    body = request.to_body()
    body.pop("sourceHash", None)
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.md5(canonical.encode("utf-8"), usedforsecurity=False).hexdigest()


def decode_view_text(original_text: str | None) -> tuple[ViewDefinition, list[str]]:
    """Decode Glue's ``ViewOriginalText``: Athena/Trino ``/* Presto View: <base64 JSON> */`` or plain SQL."""
    if not original_text or not original_text.strip():
        return ViewDefinition(sql=None), []
    match = _ENCODED_VIEW.match(original_text)
    if not match:
        return ViewDefinition(sql=original_text.strip()), []  # Hive and Spark views store the SQL itself
    engine = match.group("engine")
    payload = re.sub(r"\s+", "", match.group("payload"))
    if not re.fullmatch(r"[A-Za-z0-9+/=_\-]*", payload):
        return ViewDefinition(sql=None), [f"{engine} view text is not base64 (damaged ViewOriginalText); no SQL kept"]
    try:
        raw = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_" if "-" in payload else None)
        document = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError) as exc:
        return ViewDefinition(sql=None), [f"{engine} view text is not valid base64 JSON ({exc}); no SQL kept"]
    if not isinstance(document, dict):
        return ViewDefinition(sql=None), [f"{engine} view text decodes to {type(document).__name__}, not an object"]
    original_sql = document.get("originalSql")
    sql = original_sql.strip() if isinstance(original_sql, str) and original_sql.strip() else None
    warnings = [] if sql else [f"{engine} view text has no originalSql"]
    columns = tuple(
        GlueColumn(name=str(column["name"]), type=str(column["type"]), comment=column.get("comment"))
        for column in document.get("columns") or []
        if isinstance(column, dict) and column.get("name") and column.get("type")
    )
    return ViewDefinition(sql=sql, columns=columns), warnings


def glue_table_to_create_request(
    table: GlueTable,
    *,
    schema_fqn: str,
    tag_resolver: TagResolver | None = None,
    owner_resolver: OwnerResolver | None = None,
    options: TableMappingOptions = TableMappingOptions(),
) -> TableMappingResult:
    """Map one Glue table or view to an OpenMetadata ``CreateTableRequest``; never raises for catalog data.

    ``tag_resolver`` turns an LF tag into labels (default: :func:`~athena_om.mapping.tags.lf_tag_to_labels`,
    so the classifications must exist on the server); ``owner_resolver`` turns an owner string into a user
    or team reference (no owners without it).
    """
    warnings: list[str] = []
    name = encode_entity_name(table.name)
    if not name or len(name) > MAX_COLUMN_NAME_LENGTH:
        return _failed(table, warnings, f"name {table.name!r} is empty or too long for OpenMetadata")

    parameters = _CaseInsensitive(table.parameters)
    is_view = is_glue_view(table)
    is_iceberg = not is_view and parameters.get("table_type", "").upper() == "ICEBERG"

    view_sql = None
    glue_columns = table.columns
    if is_view:
        view_sql, view_columns = _view_sql(table, warnings)
        if not glue_columns:
            glue_columns = view_columns
    elif is_iceberg:
        glue_columns = tuple(
            column
            for column in glue_columns
            if _CaseInsensitive(column.parameters).get("iceberg.field.current", "true").lower() != "false"
        )

    resolve_tags = _resolver(tag_resolver, options, warnings)
    columns, partition_sources = _columns(table, glue_columns, resolve_tags, warnings)
    if not columns and not is_view:
        return _failed(table, warnings, "it has no columns and is not a view")
    if not columns:
        warnings.append("view has no columns in Glue nor in its definition")

    try:
        request = CreateTableRequest(
            name=name,
            databaseSchema=schema_fqn,
            columns=columns,
            description=_table_description(table, is_view),
            tableType=_table_type(table, is_view=is_view, is_iceberg=is_iceberg),
            tablePartition=_table_partition(partition_sources, parameters, warnings),
            owners=_owners(table, owner_resolver, options, warnings),
            tags=resolve_tags(table.lf_tags) or None,
            schemaDefinition=view_sql if is_view else None,
            locationPath=None if is_view else (table.storage.location or None),
            fileFormat=None if is_view else _file_format(table, parameters),
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        return _failed(table, warnings, f"the request is not valid for OpenMetadata: {exc}")
    request.sourceHash = compute_source_hash(request)
    return TableMappingResult(request=request, warnings=warnings)


def glue_database_to_schema_request(
    db: GlueDatabase,
    *,
    database_fqn: str,
    tag_resolver: TagResolver | None = None,
    owner_resolver: OwnerResolver | None = None,
    options: TableMappingOptions = TableMappingOptions(),
) -> CreateDatabaseSchemaRequest:
    """Map a Glue database to an OpenMetadata ``CreateDatabaseSchemaRequest`` (location not sent, see above).

    Glue databases have no owner field, so an owner comes only from ``options.owner_parameter`` or
    ``options.owner_lf_tag_key``.
    """
    warnings: list[str] = []
    resolve_tags = _resolver(tag_resolver, options, warnings)
    owner = _owner_string(None, db.parameters, db.lf_tags, options)
    owners = _resolve_owner(owner, owner_resolver, warnings)
    request = CreateDatabaseSchemaRequest(
        name=db.name,
        database=database_fqn,
        description=db.description or _CaseInsensitive(db.parameters).get("comment") or None,
        tags=resolve_tags(db.lf_tags) or None,
        owners=owners,
    )
    request.sourceHash = compute_source_hash(request)
    return request


def is_glue_view(table: GlueTable) -> bool:
    """A Hive/Presto view (``VIRTUAL_VIEW``) or a Glue Data Catalog view (``ViewDefinition``, any table type)."""
    return (table.table_type or "").upper() == _VIEW_TABLE_TYPE or bool(table.view_representations)


# -- helpers ---------------------------------------------------------------------------------------------


def _view_sql(table: GlueTable, warnings: list[str]) -> tuple[str | None, tuple[GlueColumn, ...]]:
    """The view's SQL (ATHENA representation, legacy text, SPARK representation) and the columns its legacy
    text declares."""
    legacy, legacy_warnings = decode_view_text(table.view_original_text)
    legacy_sql = legacy.sql
    if legacy_sql is None and not legacy_warnings and table.view_expanded_text:
        legacy_sql = table.view_expanded_text.strip() or None
    athena_sql = _representation_sql(table.view_representations, "ATHENA", warnings)
    if athena_sql is not None:
        return athena_sql, legacy.columns
    warnings.extend(legacy_warnings)
    if legacy_sql is not None:
        return legacy_sql, legacy.columns
    spark_sql = _representation_sql(table.view_representations, "SPARK", warnings)
    if spark_sql is not None:
        warnings.append("view has no Athena SQL in Glue; schemaDefinition holds its SPARK dialect SQL")
        return spark_sql, legacy.columns
    if table.view_representations:
        dialects = ", ".join(sorted({r.dialect or "?" for r in table.view_representations}))
        warnings.append(
            f"view has no ATHENA or SPARK SQL in its Glue ViewDefinition (dialects: {dialects}); no SQL kept"
        )
    return None, legacy.columns


def _representation_sql(
    representations: tuple[GlueViewRepresentation, ...], dialect: str, warnings: list[str]
) -> str | None:
    for representation in representations:
        if representation.dialect.upper() != dialect:
            continue
        decoded, decode_warnings = decode_view_text(representation.original_text)
        if decoded.sql is not None:
            return decoded.sql
        expanded = (representation.expanded_text or "").strip()
        if expanded:
            return expanded
        warnings.extend(f"{dialect} representation: {w}" for w in decode_warnings)
    return None


class _CaseInsensitive:
    """Read-only lookup of Glue parameters by key, exact match first, then case-insensitive."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values
        self._folded = {key.lower(): value for key, value in values.items()}

    def get(self, key: str, default: str = "") -> str:
        if key in self._values:
            return self._values[key]
        return self._folded.get(key.lower(), default)


def _failed(table: GlueTable, warnings: list[str], reason: str) -> TableMappingResult:
    error = TableMappingError(database=table.database, table=table.name, reason=reason)
    return TableMappingResult(request=None, warnings=warnings, error=error)


def _resolver(
    tag_resolver: TagResolver | None, options: TableMappingOptions, warnings: list[str]
) -> Callable[[Iterable[LFTag]], list[TagLabel]]:
    """Labels for a set of LF tags: deduplicated, sorted by FQN (stable hash), resolver errors as warnings."""
    resolver = tag_resolver or lf_tag_to_labels

    def resolve(lf_tags: Iterable[LFTag]) -> list[TagLabel]:
        if not options.include_tags:
            return []
        labels: dict[str, TagLabel] = {}
        for lf_tag in lf_tags:
            try:
                resolved = resolver(lf_tag)
            except Exception as exc:  # a user-supplied callback must not fail the whole table
                warnings.append(f"tag resolver failed for LF tag {lf_tag.key!r}: {exc!r}")
                continue
            for label in resolved:
                labels.setdefault(label.tagFQN, label)
        return [labels[fqn] for fqn in sorted(labels)]

    return resolve


def _columns(
    table: GlueTable,
    glue_columns: tuple[GlueColumn, ...],
    resolve_tags: Callable[[Iterable[LFTag]], list[TagLabel]],
    warnings: list[str],
) -> tuple[list[Column], list[tuple[GlueColumn, Column]]]:
    """Columns then partition keys, each name once (a partition key wins); also the partition keys with their
    mapped column."""
    columns: list[Column] = []
    partitions: list[tuple[GlueColumn, Column]] = []
    partition_names = {encode_entity_name(c.name).casefold() for c in table.partition_keys}
    seen: set[str] = set()
    for source, is_partition in [(c, False) for c in glue_columns] + [(c, True) for c in table.partition_keys]:
        key = encode_entity_name(source.name).casefold()
        if not is_partition and key in partition_names:
            warnings.append(f"column {source.name!r} is also a partition key; kept the partition key")
            continue
        if key in seen:
            warnings.append(f"column {source.name!r} appears more than once (case-insensitively); kept the first")
            continue
        seen.add(key)
        position = len(columns) + 1
        column = safe_column(
            functools.partial(
                parse_athena_type,
                source.type,
                source.name,
                ordinal_position=position,
                description=source.comment,
                warnings=warnings,
            ),
            name=encode_entity_name(source.name)[:MAX_COLUMN_NAME_LENGTH] or f"_col{position - 1}",
            type_string=source.type,
            warnings=warnings,
        )
        tags = resolve_tags(source.lf_tags)
        if tags:
            column.tags = tags
        columns.append(column)
        if is_partition:
            partitions.append((source, column))
    return columns, partitions


def _table_type(table: GlueTable, *, is_view: bool, is_iceberg: bool) -> TableType:
    if is_view:
        return TableType.VIEW
    if is_iceberg:
        return TableType.ICEBERG
    kind = (table.table_type or "").upper()
    if kind == "EXTERNAL_TABLE" or _CaseInsensitive(table.parameters).get("EXTERNAL").upper() == "TRUE":
        return TableType.EXTERNAL
    if kind == "MANAGED_TABLE":
        return TableType.REGULAR
    return TableType.EXTERNAL


def _table_description(table: GlueTable, is_view: bool) -> str | None:
    if table.description and table.description.strip():
        return table.description
    comment = _CaseInsensitive(table.parameters).get("comment").strip()
    if not comment or (is_view and comment.lower() == _ATHENA_VIEW_COMMENT):
        return None
    return comment


def _table_partition(
    partitions: list[tuple[GlueColumn, Column]], parameters: _CaseInsensitive, warnings: list[str]
) -> TablePartition | None:
    if not partitions:
        return None
    projected = parameters.get("projection.enabled").lower() == "true"
    details = []
    for source, column in partitions:
        interval_type, interval = _column_interval(source)
        if projected:
            prefix = f"projection.{source.name}"
            projection_type = parameters.get(f"{prefix}.type").lower()
            if projection_type in _PROJECTION_INTERVAL_TYPES:
                interval_type = _PROJECTION_INTERVAL_TYPES[projection_type]
                interval = _projection_interval(projection_type, prefix, parameters)
            elif projection_type:
                warnings.append(
                    f"partition {source.name!r}: unknown projection type {projection_type!r}; "
                    "interval taken from the column type"
                )
        details.append(PartitionColumnDetails(columnName=column.name, intervalType=interval_type, interval=interval))
    return TablePartition(columns=details)


def _column_interval(source: GlueColumn) -> tuple[PartitionIntervalType, str | None]:
    try:
        data_type = parse_type_string(source.type).data_type
    except TypeParseError:
        return PartitionIntervalType.COLUMN_VALUE, None
    if data_type in _TIME_TYPES:
        return PartitionIntervalType.TIME_UNIT, None
    if data_type in _INTEGER_TYPES:
        return PartitionIntervalType.INTEGER_RANGE, None
    return PartitionIntervalType.COLUMN_VALUE, None


def _projection_interval(projection_type: str, prefix: str, parameters: _CaseInsensitive) -> str | None:
    if projection_type == "integer":
        return parameters.get(f"{prefix}.interval") or None
    if projection_type != "date":
        return None
    unit = parameters.get(f"{prefix}.interval.unit").strip().upper()
    if unit:
        return unit.removesuffix("S")  # Athena says DAYS, HOURS…; OpenMetadata uses DAY, HOUR…
    date_format = parameters.get(f"{prefix}.format")
    if not date_format:
        return None
    return next((unit for letter, unit in _FORMAT_UNITS if letter in date_format), "YEAR")


def _file_format(table: GlueTable, parameters: _CaseInsensitive) -> FileFormat | None:
    storage = table.storage
    hints = " ".join(
        value.lower()
        for value in (
            parameters.get("classification"),
            parameters.get("format"),
            parameters.get("write.format.default"),
            storage.serde_library or "",
            storage.input_format or "",
        )
        if value
    )
    gzip = parameters.get("compressionType").lower() == "gzip"
    serde = storage.serde_parameters
    delimiter = serde.get("field.delim") or serde.get("separatorChar") or serde.get("serialization.format")
    if "parquet" in hints:
        return FileFormat.PARQUET
    if "avro" in hints:
        return FileFormat.AVRO
    if "orc" in hints.split() or "orc." in hints or "ion" in hints.split():
        return None
    if "json" in hints:
        return FileFormat.JSON_GZ if gzip else FileFormat.JSON
    if "tsv" in hints or ("csv" in hints and delimiter == "\t"):
        return FileFormat.TSV
    if "csv" in hints:
        return FileFormat.CSV_GZ if gzip else FileFormat.CSV
    if "lazysimpleserde" in hints:
        if delimiter == "\t":
            return FileFormat.TSV
        if delimiter == ",":
            return FileFormat.CSV_GZ if gzip else FileFormat.CSV
    return None


def _owner_string(
    glue_owner: str | None, parameters: Mapping[str, str], lf_tags: Iterable[LFTag], options: TableMappingOptions
) -> str | None:
    if options.owner_parameter:
        value = _CaseInsensitive(parameters).get(options.owner_parameter).strip()
        if value:
            return value
    if options.owner_lf_tag_key:
        for lf_tag in lf_tags:
            if lf_tag.key.lower() == options.owner_lf_tag_key.lower() and lf_tag.values:
                return lf_tag.values[0]
    return glue_owner.strip() if glue_owner and glue_owner.strip() else None


def _resolve_owner(
    owner: str | None, owner_resolver: OwnerResolver | None, warnings: list[str]
) -> list[EntityReference] | None:
    if owner is None or owner_resolver is None:
        return None
    try:
        reference = owner_resolver(owner)
    except Exception as exc:  # a user-supplied callback must not fail the whole table
        warnings.append(f"owner resolver failed for {owner!r}: {exc!r}")
        return None
    return [reference] if reference is not None else None


def _owners(
    table: GlueTable, owner_resolver: OwnerResolver | None, options: TableMappingOptions, warnings: list[str]
) -> list[EntityReference] | None:
    owner = _owner_string(table.owner, table.parameters, table.lf_tags, options)
    return _resolve_owner(owner, owner_resolver, warnings)
