"""The demo lake's S3 objects: each table's rows written as Athena expects them (Parquet, CSV or JSON lines),
in its partition folders, split into a few files so TABLESAMPLE SYSTEM has splits to choose from."""

from __future__ import annotations

import tempfile
import threading
import urllib.parse
from pathlib import Path

import duckdb

from athena_om.sandbox.aws.demo_data import demo_select_sql, row_count
from athena_om.sandbox.aws.demo_lake import TableSpec
from athena_om.sandbox.aws.glue_tables import table_input
from athena_om.sandbox.aws.lake_tables import csv_options, data_format_of, partition_folder, split_s3_uri

OBJECT_STORAGES = ("parquet", "csv", "opencsv", "json", "iceberg")
ROWS_PER_FILE = 500
MAX_FILES_PER_PARTITION = 4


def stored_as_objects(spec: TableSpec) -> bool:
    """Whether the sandbox keeps this table's rows as S3 objects (ORC has no writer here; it stays in DuckDB)."""
    return not spec.is_view and spec.storage in OBJECT_STORAGES


def _copy_options(spec: TableSpec) -> tuple[str, str]:
    table = table_input(spec)
    data_format = data_format_of(table)
    if data_format == "parquet":
        return "(FORMAT parquet, COMPRESSION snappy", ".snappy.parquet"
    if data_format == "json":
        return "(FORMAT json", ".json"
    options = csv_options(table)
    header = "true" if options.skip_header else "false"
    quote = options.quote or '"'
    return (
        f"(FORMAT csv, HEADER {header}, DELIMITER '{options.delimiter}', QUOTE '{quote}', "
        f"NULLSTR '{options.null_string.replace(chr(39), chr(39) * 2)}'",
        ".csv",
    )


def demo_objects(spec: TableSpec) -> tuple[tuple[str, bytes], ...]:
    """(S3 key, bytes) of every object holding the table's rows; the same bytes on every call (made once)."""
    key = repr(spec)
    if key not in _MADE:
        _MADE[key] = _objects(spec)
    return _MADE[key]


_MADE: dict[str, tuple[tuple[str, bytes], ...]] = {}
_WRITER_LOCK = threading.Lock()
_WRITERS: list[duckdb.DuckDBPyConnection] = []


def _writer() -> duckdb.DuckDBPyConnection:
    # One in-memory DuckDB writes every demo table: opening a connection per table costs more than the writes.
    if not _WRITERS:
        _WRITERS.append(duckdb.connect())
    return _WRITERS[0]


def _objects(spec: TableSpec) -> tuple[tuple[str, bytes], ...]:
    _, prefix = split_s3_uri(spec.location)
    data_prefix = prefix + ("data/" if spec.storage == "iceberg" else "")
    keys = [k.name for k in spec.partition_keys]
    copy_options, extension = _copy_options(spec)
    parameters = {k: str(v) for k, v in spec.parameters.items()}
    with tempfile.TemporaryDirectory(prefix="athena-om-demo-") as directory, _WRITER_LOCK:
        connection = _writer()
        partitions = 1
        if keys:
            distinct = ", ".join(f'"{k}"' for k in keys)
            found = connection.execute(f"SELECT count(DISTINCT ({distinct})) FROM ({demo_select_sql(spec)})")
            partitions = max(1, int(found.fetchone()[0]))  # type: ignore[index]
        files = max(1, min(MAX_FILES_PER_PARTITION, row_count(spec) // partitions // ROWS_PER_FILE))
        partition_by = ", ".join([*(f'"{k}"' for k in keys), "__file"])
        # Rows cycle through partitions, so (row // partitions) numbers a partition's rows 0, 1, 2…
        numbered = demo_select_sql(spec, with_row_number=True)
        rows = f"SELECT * EXCLUDE (__row), (__row // {partitions}) % {files} AS __file FROM ({numbered})"
        connection.execute(
            f"COPY ({rows} ORDER BY __row) TO '{directory}' {copy_options}, PARTITION_BY ({partition_by}), "
            "FILENAME_PATTERN 'data')"
        )
        objects = []
        for path in sorted(Path(directory).rglob(f"*{extension.rsplit('.', 1)[-1]}")):
            folders = dict(urllib.parse.unquote(part).split("=", 1) for part in path.relative_to(directory).parts[:-1])
            folder = partition_folder(keys, [folders[k] for k in keys], parameters, spec.location) if keys else ""
            name = f"part-{int(folders['__file']):05d}{extension}"
            objects.append((f"{data_prefix}{folder}{name}", path.read_bytes()))
    return tuple(objects)
