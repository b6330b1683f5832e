"""DuckDB SQL that reads a lake table's objects, copied once per ETag into a local cache directory."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from athena_om.sandbox.aws.hive_types import hive_to_duckdb_type
from athena_om.sandbox.aws.lake_tables import READABLE_FORMATS, LakeFile, LakeReadError, LakeTable

_FILE_COLUMN = "__athena_om_file"
_EXTENSIONS = {"parquet": ".parquet", "csv": ".csv", "json": ".json"}


def quote(identifier: str) -> str:
    """A DuckDB quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A DuckDB string literal."""
    return "'" + value.replace("'", "''") + "'"


class LakeFileCache:
    """Local copies of S3 objects, one per (URI, ETag), so DuckDB reads them as files; removed on close."""

    def __init__(self, root: Path | None = None) -> None:
        self._owned = root is None
        self.root = root or Path(tempfile.mkdtemp(prefix="athena-om-lake-"))
        if self._owned:
            # Sandboxes are rarely closed explicitly; the copies go when the engine does.
            weakref.finalize(self, shutil.rmtree, self.root, True)
        self._lock = threading.Lock()
        # Parquet column chunk sizes by cached path: {top-level column (lower case): compressed bytes}.
        self._chunk_sizes: dict[Path, dict[str, int]] = {}

    def path(self, table: LakeTable, file: LakeFile, read: Callable[[LakeFile], bytes]) -> Path:
        """The local copy of `file`, written on first use."""
        name = hashlib.sha1(file.uri.encode()).hexdigest()[:16] + "-" + file.etag
        path = self.root / (name + _EXTENSIONS.get(table.data_format, ""))
        with self._lock:
            if not path.exists():
                partial = path.with_suffix(".partial")
                partial.write_bytes(read(file))
                partial.replace(path)
        return path

    def column_chunk_sizes(self, connection: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
        """Compressed bytes per top-level column of a Parquet file, summed over its row groups (from the footer)."""
        with self._lock:
            known = self._chunk_sizes.get(path)
        if known is not None:
            return known
        sizes: dict[str, int] = {}
        rows = connection.execute(
            "SELECT path_in_schema, total_compressed_size FROM parquet_metadata(?)", [str(path)]
        ).fetchall()
        for column_path, size in rows:
            top = str(column_path).split(",")[0].strip().lower()
            sizes[top] = sizes.get(top, 0) + int(size or 0)
        with self._lock:
            self._chunk_sizes[path] = sizes
        return sizes

    def close(self) -> None:
        """Remove the cache directory if this cache created it."""
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)


def _typed_nulls(table: LakeTable) -> str:
    columns = [*table.columns, *table.partition_keys]
    return ", ".join(f"CAST(NULL AS {hive_to_duckdb_type(t)}) AS {quote(n)}" for n, t in columns)


def _reader(table: LakeTable, paths: Sequence[Path], file_columns: set[str]) -> tuple[str, list[str]]:
    """The table function reading `paths` and the select list of the table's columns from it."""
    files = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
    if table.data_format == "parquet":
        # Athena matches Parquet columns by name; a column no file has reads as NULL.
        selected = [
            f"CAST(f.{quote(n)} AS {hive_to_duckdb_type(t)}) AS {quote(n)}"
            if n.lower() in file_columns
            else f"CAST(NULL AS {hive_to_duckdb_type(t)}) AS {quote(n)}"
            for n, t in table.columns
        ]
        return f"read_parquet({files}, filename={literal(_FILE_COLUMN)}, union_by_name=true)", selected
    if table.data_format == "json":
        types = ", ".join(f"{literal(n)}: {literal(hive_to_duckdb_type(t))}" for n, t in table.columns)
        reader = (
            f"read_json({files}, format='newline_delimited', columns={{{types}}}, "
            f"filename={literal(_FILE_COLUMN)}, ignore_errors=true)"
        )
        return reader, [f"f.{quote(n)}" for n, _ in table.columns]
    options = table.csv
    assert options is not None
    # Text SerDes split fields by position; values that do not parse as the column's type read as NULL.
    fields = ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(table.columns)))
    reader = (
        f"read_csv({files}, columns={{{fields}}}, delim={literal(options.delimiter)}, "
        f"quote={literal(options.quote)}, escape={literal(options.escape)}, header=false, "
        f"skip={options.skip_header}, nullstr={literal(options.null_string)}, null_padding=true, "
        f"auto_detect=false, strict_mode=false, filename={literal(_FILE_COLUMN)})"
    )
    selected = [
        f"f.c{i} AS {quote(n)}"
        if hive_to_duckdb_type(t) == "VARCHAR"
        else f"TRY_CAST(nullif(f.c{i}, '') AS {hive_to_duckdb_type(t)}) AS {quote(n)}"
        for i, (n, t) in enumerate(table.columns)
    ]
    return reader, selected


def table_select_sql(
    connection: duckdb.DuckDBPyConnection, table: LakeTable, files: Sequence[LakeFile], paths: Sequence[Path]
) -> str:
    """A SELECT of the table's columns then partition keys over the given files (local copies in `paths`)."""
    if not files:
        return f"SELECT {_typed_nulls(table)} WHERE false"
    if table.data_format not in READABLE_FORMATS:
        raise LakeReadError(
            f"Table {table.database}.{table.name} is stored as {table.data_format}; the sandbox reads Parquet, "
            "CSV and JSON objects. Store its data in one of those formats."
        )
    file_columns: set[str] = set()
    if table.data_format == "parquet":
        files_list = "[" + ", ".join(literal(str(p)) for p in paths) + "]"
        described = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({files_list}, union_by_name=true)")
        file_columns = {str(row[0]).lower() for row in described.fetchall()}
    reader, selected = _reader(table, paths, file_columns)
    if not table.partition_keys:
        return f"SELECT {', '.join(selected)} FROM {reader} AS f"
    # Partition values come from the object's folder, not the file: join them on the local file name.
    values = ", ".join(
        "(" + ", ".join([literal(str(path)), *(literal(v) for v in file.partition)]) + ")"
        for file, path in zip(files, paths, strict=True)
    )
    names = ", ".join([_FILE_COLUMN, *(quote(k) for k, _ in table.partition_keys)])
    partition_columns = [
        f"TRY_CAST(p.{quote(k)} AS {hive_to_duckdb_type(t)}) AS {quote(k)}" for k, t in table.partition_keys
    ]
    return (
        f"SELECT {', '.join([*selected, *partition_columns])} FROM {reader} AS f "
        f"JOIN (VALUES {values}) AS p({names}) ON f.{_FILE_COLUMN} = p.{_FILE_COLUMN}"
    )
