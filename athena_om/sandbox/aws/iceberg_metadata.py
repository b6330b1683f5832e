"""Iceberg metadata tables for the sandbox's Athena: ``"table$files"``, one row per data file.

Athena answers ``SELECT … FROM "db"."t$files"`` from an Iceberg table's manifests, without reading its data. The
sandbox keeps no manifests; the data files under ``data/`` stand for the current snapshot, and each row gives the
file's path, format, row count (from the Parquet footer, or the rows it holds) and size, as Athena's columns do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from athena_om.sandbox.aws.lake_tables import LakeFile, LakeTable

FILES_SUFFIX = "$files"
# Athena's "$files" columns the sandbox fills, in its order (others, like column bounds, are left out).
FILES_COLUMNS = (
    ("content", "INTEGER"),
    ("file_path", "VARCHAR"),
    ("file_format", "VARCHAR"),
    ("record_count", "BIGINT"),
    ("file_size_in_bytes", "BIGINT"),
)


def metadata_table_base(name: str) -> str | None:
    """The table a ``t$files`` name stands for (lower case), or None for any other name."""
    lowered = name.lower()
    if lowered.endswith(FILES_SUFFIX) and len(lowered) > len(FILES_SUFFIX):
        return lowered[: -len(FILES_SUFFIX)]
    return None


def _record_count(connection: duckdb.DuckDBPyConnection, table: LakeTable, path: Path) -> int:
    if table.data_format == "parquet":
        found = connection.execute("SELECT num_rows FROM parquet_file_metadata(?)", [str(path)]).fetchone()
    elif table.data_format == "json":
        found = connection.execute("SELECT count(*) FROM read_json_auto(?)", [str(path)]).fetchone()
    else:
        found = connection.execute("SELECT count(*) FROM read_csv(?, header = false)", [str(path)]).fetchone()
    return int(found[0]) if found else 0


def files_rows(
    connection: duckdb.DuckDBPyConnection,
    table: LakeTable,
    local_path: Callable[[LakeFile], Path],
) -> list[tuple[int, str, str, int, int]]:
    """The ``$files`` rows of an Iceberg table: (content 0 = data, path, format, record_count, size)."""
    rows = []
    for file in table.files:
        count = _record_count(connection, table, local_path(file))
        rows.append((0, file.uri, table.data_format.upper(), count, file.size))
    return rows


def create_files_table(
    connection: duckdb.DuckDBPyConnection, qualified_name: str, rows: Sequence[tuple[int, str, str, int, int]]
) -> None:
    """(Re)create the DuckDB table that answers ``t$files``."""
    columns = ", ".join(f'"{name}" {type_}' for name, type_ in FILES_COLUMNS)
    connection.execute(f"CREATE OR REPLACE TABLE {qualified_name} ({columns})")
    if rows:
        placeholders = ", ".join("?" for _ in FILES_COLUMNS)
        connection.executemany(f"INSERT INTO {qualified_name} VALUES ({placeholders})", [list(r) for r in rows])
