"""Build Glue TableInput/PartitionInput dicts as Athena and Glue crawlers write them."""

from __future__ import annotations

import re
from typing import Any

from athena_om.sandbox.aws.demo_lake import ColumnSpec, TableSpec, presto_view_text

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

# storage -> (classification, InputFormat, OutputFormat, SerializationLibrary, SerDe parameters)
STORAGE_FORMATS: dict[str, tuple[str, str, str, str, dict[str, str]]] = {
    "parquet": (
        "parquet",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        {"serialization.format": "1"},
    ),
    "orc": (
        "orc",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        {"serialization.format": "1"},
    ),
    "json": ("json", TEXT_INPUT, TEXT_OUTPUT, "org.openx.data.jsonserde.JsonSerDe", {"paths": ""}),
    "csv": (
        "csv",
        TEXT_INPUT,
        TEXT_OUTPUT,
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        {"field.delim": ",", "serialization.format": ","},
    ),
    "opencsv": (
        "csv",
        TEXT_INPUT,
        TEXT_OUTPUT,
        "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"},
    ),
    "iceberg": (
        "iceberg",
        "org.apache.iceberg.mr.hive.HiveIcebergInputFormat",
        "org.apache.iceberg.mr.hive.HiveIcebergOutputFormat",
        "org.apache.iceberg.mr.hive.HiveIcebergSerDe",
        {},
    ),
}


def glue_column(column: ColumnSpec) -> dict[str, Any]:
    """A Glue Column structure."""
    data: dict[str, Any] = {"Name": column.name, "Type": column.type}
    if column.comment:
        data["Comment"] = column.comment
    if column.parameters:
        data["Parameters"] = dict(column.parameters)
    return data


def presto_type(hive_type: str) -> str:
    """The Presto/Trino spelling of a Hive type, as Athena writes view columns."""
    text = re.sub(r"\bstring\b", "varchar", hive_type)
    text = re.sub(r"\bstruct<", "row(", text)
    return text


def table_input(spec: TableSpec) -> dict[str, Any]:
    """The TableInput Glue receives for a demo table or view."""
    if spec.is_view:
        return _view_input(spec)
    classification, input_format, output_format, serde, serde_params = STORAGE_FORMATS[spec.storage]
    parameters = {"classification": classification, "comment": spec.description, "EXTERNAL": "TRUE"}
    if spec.storage in ("csv", "opencsv"):
        parameters["skip.header.line.count"] = "1"
    parameters.update(spec.parameters)
    return {
        "Name": spec.name,
        "Description": spec.description,
        "Owner": spec.owner,
        "TableType": "EXTERNAL_TABLE",
        "Retention": 0,
        "Parameters": parameters,
        "PartitionKeys": [glue_column(c) for c in spec.partition_keys],
        "StorageDescriptor": {
            "Columns": [glue_column(c) for c in spec.columns],
            "Location": spec.location,
            "InputFormat": input_format,
            "OutputFormat": output_format,
            "Compressed": False,
            "NumberOfBuckets": -1,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": dict(serde_params)},
            "StoredAsSubDirectories": False,
        },
    }


def _view_input(spec: TableSpec) -> dict[str, Any]:
    assert spec.view_sql is not None, f"view {spec.name} needs view_sql"
    columns = [(c.name, presto_type(c.type)) for c in spec.columns]
    return {
        "Name": spec.name,
        "Description": spec.description,
        "Owner": spec.owner,
        "TableType": "VIRTUAL_VIEW",
        "Retention": 0,
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "PartitionKeys": [],
        "ViewOriginalText": presto_view_text(spec.view_sql, spec.database, columns),
        "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {
            "Columns": [glue_column(c) for c in spec.columns],
            "Location": "",
            "SerdeInfo": {},
            "Compressed": False,
            "NumberOfBuckets": 0,
            "StoredAsSubDirectories": False,
        },
    }


def catalog_view_input(name: str, athena_sql: str, spark_sql: str | None = None) -> dict[str, Any]:
    """The TableInput of a Glue Data Catalog (multi-dialect) view: the SQL only in ``ViewDefinition``, per dialect,
    and no TableType (Glue leaves it to the caller)."""
    representations = [
        {"Dialect": "ATHENA", "DialectVersion": "3", "ViewOriginalText": athena_sql, "ViewExpandedText": athena_sql}
    ]
    if spark_sql is not None:
        representations.append(
            {"Dialect": "SPARK", "DialectVersion": "1.0", "ViewOriginalText": spark_sql, "ViewExpandedText": spark_sql}
        )
    return {
        "Name": name,
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "SerdeInfo": {}},
        "ViewDefinition": {
            "IsProtected": True,
            "Definer": "arn:aws:iam::123456789012:role/analyst",
            "SubObjects": [],
            "Representations": representations,
        },
    }


def partition_input(spec: TableSpec, values: tuple[str, ...]) -> dict[str, Any]:
    """The PartitionInput for one partition of a demo table, located under key=value folders."""
    suffix = "/".join(f"{k.name}={v}" for k, v in zip(spec.partition_keys, values, strict=True))
    descriptor = table_input(spec)["StorageDescriptor"]
    return {
        "Values": list(values),
        "StorageDescriptor": {**descriptor, "Location": f"{spec.location}{suffix}/"},
        "Parameters": {},
    }
