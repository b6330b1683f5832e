"""Run Athena SQL for the sandbox in DuckDB, one DuckDB schema per Glue database.

With a lake attached (attach_lake), a Glue table is read from the S3 objects under its location at query time,
and each result carries the bytes Athena would have scanned for it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import sqlglot
from sqlglot import exp

from athena_om.sandbox.aws.athena_functions import install_functions, to_duckdb_functions
from athena_om.sandbox.aws.hive_types import duckdb_to_athena_type, hive_to_duckdb_type
from athena_om.sandbox.aws.iceberg_metadata import create_files_table, files_rows, metadata_table_base
from athena_om.sandbox.aws.lake_tables import LakeCatalog, LakeFile, LakeTable
from athena_om.sandbox.aws.lake_views import LakeFileCache, table_select_sql
from athena_om.sandbox.aws.scan_plan import Sample, Schema, TableScan, plan_scans, referenced_tables, table_sample


class SqlResult(NamedTuple):
    """Column names, Athena type names (e.g. "decimal(10,2)", "array") and rows of one statement.

    data_scanned_bytes counts the object bytes read from lake tables (before Athena's per-query minimum);
    tables_scanned how many table reads the statement made.
    """

    column_names: list[str]
    athena_type_names: list[str]
    rows: list[tuple[Any, ...]]
    data_scanned_bytes: int = 0
    tables_scanned: int = 0


_SHOW_CREATE_VIEW = re.compile(r"^\s*SHOW\s+CREATE\s+VIEW\s+(?P<name>.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
SHOW_CREATE_VIEW_COLUMN = "Create View"


class ViewNotFoundError(LookupError):
    """SHOW CREATE VIEW named a view the engine does not have."""


# Where lake tables' rows are loaded; each Glue table is a view over its loaded copy.
_LOADED_SCHEMA = "__athena_om_lake"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class AthenaSqlEngine:
    """A DuckDB database that answers SQL written for Athena (Trino dialect)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self._connection = duckdb.connect(str(path) if path else ":memory:")
        # One lock keeps statements and their schema switch atomic; DuckDB work here is small.
        self._lock = threading.Lock()
        # The Athena SQL each view was created from, by (database, view) in lower case: SHOW CREATE VIEW answers
        # it as Athena does, not DuckDB's translation.
        self._view_sql: dict[tuple[str, str], str] = {}
        self._lake: LakeCatalog | None = None
        self._cache = LakeFileCache()
        # Lake tables registered as DuckDB views, by (database, table), with the fingerprint they were built from.
        self._lake_tables: dict[tuple[str, str], tuple[str, LakeTable, list[Path]]] = {}
        # Iceberg "t$files" metadata tables, by (database, "t$files"), with their table's fingerprint.
        self._files_tables: dict[tuple[str, str], str] = {}
        install_functions(self._connection)

    def attach_lake(self, lake: LakeCatalog) -> None:
        """Read Glue tables from their S3 objects through `lake` from now on."""
        with self._lock:
            self._lake = lake

    @property
    def lake(self) -> LakeCatalog | None:
        """The attached lake, if any."""
        return self._lake

    def close(self) -> None:
        """Close the DuckDB connection."""
        with self._lock:
            self._connection.close()
            self._cache.close()

    @staticmethod
    def parse(sql: str) -> list[exp.Expression]:
        """Parse Athena SQL into statements."""
        # Statements DuckDB answers natively (SHOW CREATE VIEW…) parse as commands; sqlglot warns on each.
        logging.getLogger("sqlglot").setLevel(logging.ERROR)
        return [tree for tree in sqlglot.parse(sql, read="athena") if isinstance(tree, exp.Expression)]

    @staticmethod
    def to_duckdb(tree: exp.Expression) -> str:
        """One parsed Athena statement as DuckDB SQL, naming unnamed result columns _col0, _col1… as Athena does."""
        tree = to_duckdb_functions(tree.copy())
        if isinstance(tree, exp.Query):
            _name_anonymous_columns(tree)
        return tree.sql(dialect="duckdb")

    @classmethod
    def translate(cls, sql: str) -> list[str]:
        """Translate Athena SQL into DuckDB statements."""
        return [cls.to_duckdb(tree) for tree in cls.parse(sql)]

    def execute(self, sql: str, database: str | None = None) -> SqlResult:
        """Run one Athena statement; `database` is the default schema, as in QueryExecutionContext."""
        show_create_view = _SHOW_CREATE_VIEW.match(sql)
        if show_create_view:
            return self._show_create_view(show_create_view.group("name"), database)
        trees = self.parse(sql)
        default = (database or "default").lower()
        with self._lock:
            cursor = self._connection.cursor()
            try:
                if database:
                    self._ensure_schema(cursor, database)
                    cursor.execute(f"SET schema = '{database.replace(chr(39), chr(39) * 2)}'")
                result = SqlResult([], [], [])
                for tree in trees:
                    scanned, scans = 0, 0
                    if self._lake is not None:
                        self._register_lake_tables(cursor, tree, default, depth=0)
                        table_scans = self._table_scans(cursor, tree, default, depth=0)
                        scanned, scans = sum(self._scan_bytes(cursor, s) for s in table_scans), len(table_scans)
                        tree = self._sampled(cursor, tree, default)
                    cursor.execute(self.to_duckdb(tree))
                    if cursor.description is None:
                        result = SqlResult([], [], [], scanned, scans)
                        continue
                    names = [d[0] for d in cursor.description]
                    types = [duckdb_to_athena_type(str(d[1])) for d in cursor.description]
                    result = SqlResult(names, types, cursor.fetchall(), scanned, scans)
                return result
            finally:
                cursor.close()

    # Lake tables ---------------------------------------------------------------------------------------------
    def _register_lake_tables(
        self, cursor: duckdb.DuckDBPyConnection, tree: exp.Expression, default: str, depth: int
    ) -> None:
        """Make every Glue table the statement reads (through views too) a DuckDB view over its current objects."""
        assert self._lake is not None
        for database, name in referenced_tables(tree, default):
            base = metadata_table_base(name)
            if base is not None:
                self._register_files_table(cursor, database, name, base)
                continue
            view_sql = self._view_sql.get((database, name))
            if view_sql is not None and depth < 8:
                for view_tree in self.parse(view_sql):
                    self._register_lake_tables(cursor, view_tree, database, depth + 1)
                continue
            known = self._lake_tables.get((database, name))
            if known is None and _is_native_table(cursor, database, name):
                continue
            table = self._lake.resolve(database, name)
            loaded = f"{_quote(_LOADED_SCHEMA)}.{_quote(f'{database}.{name}')}"
            if table is None:
                if known is not None:
                    cursor.execute(f"DROP VIEW IF EXISTS {_quote(database)}.{_quote(name)}")
                    cursor.execute(f"DROP TABLE IF EXISTS {loaded}")
                    del self._lake_tables[(database, name)]
                continue
            fingerprint = table.fingerprint()
            if known is not None and known[0] == fingerprint:
                continue
            paths = [self._cache.path(table, file, self._lake.read) for file in table.files]
            select = table_select_sql(cursor, table, table.files, paths)
            self._ensure_schema(cursor, database)
            # The objects' rows are loaded once per change (by ETag), so repeated queries do not re-read files.
            self._ensure_schema(cursor, _LOADED_SCHEMA)
            cursor.execute(f"CREATE OR REPLACE TABLE {loaded} AS {select}")
            cursor.execute(f"CREATE OR REPLACE VIEW {_quote(database)}.{_quote(name)} AS SELECT * FROM {loaded}")
            self._lake_tables[(database, name)] = (fingerprint, table, paths)

    def _register_files_table(self, cursor: duckdb.DuckDBPyConnection, database: str, name: str, base: str) -> None:
        """Answer an Iceberg table's "t$files" from its data files (Athena reads manifests, not data: no bytes)."""
        assert self._lake is not None
        table = self._lake.resolve(database, base)
        if table is None or not table.iceberg:
            return
        fingerprint = table.fingerprint()
        if self._files_tables.get((database, name)) == fingerprint:
            return
        lake = self._lake
        rows = files_rows(cursor, table, lambda file: self._cache.path(table, file, lake.read))
        self._ensure_schema(cursor, database)
        create_files_table(cursor, f"{_quote(database)}.{_quote(name)}", rows)
        self._files_tables[(database, name)] = fingerprint

    def _table_scans(
        self, cursor: duckdb.DuckDBPyConnection, tree: exp.Expression, default: str, depth: int
    ) -> list[TableScan]:
        """The lake table reads of a statement, with a view's reads counted as those of its SQL."""
        tables = referenced_tables(tree, default)
        schema: Schema = {}
        partition_keys: dict[tuple[str, str], set[str]] = {}
        for database, name in tables:
            known = self._lake_tables.get((database, name))
            if known is not None:
                lake_table = known[1]
                names = [c for c, _ in (*lake_table.columns, *lake_table.partition_keys)]
                partition_keys[(database, name)] = {k.lower() for k, _ in lake_table.partition_keys}
            else:
                found = cursor.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE lower(schema_name) = ? AND lower(table_name) = ?",
                    [database, name],
                )
                names = [str(c) for (c,) in found.fetchall()]
            if names:
                schema.setdefault(database, {})[name] = {c.lower(): "varchar" for c in names}
        scans: list[TableScan] = []
        for scan in plan_scans(tree, default, schema, partition_keys):
            view_sql = self._view_sql.get((scan.database, scan.name))
            if view_sql is not None and depth < 8:
                for view_tree in self.parse(view_sql):
                    scans += self._table_scans(cursor, view_tree, scan.database, depth + 1)
            elif (scan.database, scan.name) in self._lake_tables:
                scans.append(scan)
        return scans

    def _scan_bytes(self, cursor: duckdb.DuckDBPyConnection, scan: TableScan) -> int:
        """Object bytes one table read costs: kept partitions, sampled splits, and for Parquet the used columns."""
        _, table, paths = self._lake_tables[(scan.database, scan.name)]
        by_file = dict(zip(table.files, paths, strict=True))
        files = list(table.files)
        if scan.sample is not None and scan.sample.method == "SYSTEM":
            files = system_sample(files, scan.sample.percent)
        if scan.partition_filter is not None:
            files = _prune(cursor, table, files, scan.partition_filter)
        if table.data_format != "parquet":
            return sum(f.size for f in files)
        keys = {k.lower() for k, _ in table.partition_keys}
        wanted = {c.lower() for c, _ in table.columns} if scan.columns is None else set(scan.columns)
        wanted -= keys
        total = 0
        for file in files:
            sizes = self._cache.column_chunk_sizes(cursor, by_file[file])
            total += sum(size for column, size in sizes.items() if column in wanted)
        return total

    def _sampled(self, cursor: duckdb.DuckDBPyConnection, tree: exp.Expression, default: str) -> exp.Expression:
        """Replace each TABLESAMPLE by a view of the sample, deterministic from run to run."""
        tree = tree.copy()
        for table in list(tree.find_all(exp.Table)):
            sample = table_sample(table)
            if sample is None:
                continue
            database, name = (table.db or default).lower(), table.name.lower()
            view = _sample_view_name(name, sample)
            known = self._lake_tables.get((database, name))
            if sample.method == "SYSTEM" and known is not None:
                _, lake_table, paths = known
                by_file = dict(zip(lake_table.files, paths, strict=True))
                files = system_sample(list(lake_table.files), sample.percent)
                select = table_select_sql(cursor, lake_table, files, [by_file[f] for f in files])
            else:
                # BERNOULLI keeps each row with the given chance; a hash of the row makes the choice repeatable.
                threshold = int(sample.percent * 10_000)
                select = f"SELECT * FROM {_quote(database)}.{_quote(name)} AS r WHERE hash(r) % 1000000 < {threshold}"
            cursor.execute(f"CREATE OR REPLACE VIEW {_quote(database)}.{_quote(view)} AS {select}")
            alias = table.alias or table.name
            table.set("sample", None)
            replacement = exp.table_(view, db=database, alias=alias, quoted=True)
            table.replace(replacement)
        return tree

    def _show_create_view(self, name: str, database: str | None) -> SqlResult:
        """Athena answers SHOW CREATE VIEW with the view's DDL, one line per row; DuckDB has no such statement."""
        table = exp.to_table(name, dialect="athena")
        schema, view = table.db or database or "default", table.name
        athena_sql = self._view_sql.get((schema.lower(), view.lower()))
        if athena_sql is None:
            with self._lock:
                found = self._connection.execute(
                    "SELECT sql FROM duckdb_views() WHERE lower(schema_name) = ? AND lower(view_name) = ?",
                    [schema.lower(), view.lower()],
                ).fetchone()
            if found is None:
                raise ViewNotFoundError(f"line 1:1: View '{schema}.{view}' does not exist")
            athena_sql = str(found[0]).split(" AS ", 1)[-1].rstrip(";")
        ddl = f'CREATE VIEW "{schema}"."{view}" AS\n{athena_sql.strip()}'
        return SqlResult([SHOW_CREATE_VIEW_COLUMN], ["varchar"], [(line,) for line in ddl.splitlines()])

    def _ensure_schema(self, cursor: duckdb.DuckDBPyConnection, database: str) -> None:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(database)}")

    def create_table_for_glue(
        self, database: str, table: str, columns: Sequence[tuple[str, str]], replace: bool = True
    ) -> None:
        """Create a DuckDB table whose columns match a Glue schema given as (name, hive type) pairs."""
        column_sql = ", ".join(f"{_quote(name)} {hive_to_duckdb_type(type_)}" for name, type_ in columns)
        verb = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        with self._lock:
            cursor = self._connection.cursor()
            try:
                self._ensure_schema(cursor, database)
                cursor.execute(f"{verb} {_quote(database)}.{_quote(table)} ({column_sql})")
            finally:
                cursor.close()

    def create_table_as(self, database: str, table: str, duckdb_select: str) -> None:
        """Create (or replace) a DuckDB table from a DuckDB SELECT: data the lake does not hold as objects."""
        with self._lock:
            cursor = self._connection.cursor()
            try:
                self._ensure_schema(cursor, database)
                cursor.execute(f"CREATE OR REPLACE TABLE {_quote(database)}.{_quote(table)} AS {duckdb_select}")
            finally:
                cursor.close()

    def create_view(self, database: str, view: str, athena_sql: str) -> None:
        """Create a DuckDB view from an Athena SELECT statement."""
        tree = self.parse(athena_sql)[0]
        select = self.to_duckdb(tree)
        with self._lock:
            cursor = self._connection.cursor()
            try:
                self._ensure_schema(cursor, database)
                if self._lake is not None:
                    self._register_lake_tables(cursor, tree, database.lower(), depth=0)
                cursor.execute(f"SET schema = '{database}'")
                cursor.execute(f"CREATE OR REPLACE VIEW {_quote(database)}.{_quote(view)} AS {select}")
            finally:
                cursor.close()
            self._view_sql[(database.lower(), view.lower())] = athena_sql

    def insert_rows(self, database: str, table: str, rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows (positional, in column order); maps are given as Python dicts."""
        prepared = [[_to_duckdb_value(value) for value in row] for row in rows]
        if not prepared:
            return 0
        placeholders = ", ".join("?" for _ in prepared[0])
        with self._lock:
            cursor = self._connection.cursor()
            try:
                cursor.executemany(f"INSERT INTO {_quote(database)}.{_quote(table)} VALUES ({placeholders})", prepared)
            finally:
                cursor.close()
        return len(prepared)


def system_sample(files: Sequence[LakeFile], percent: float) -> list[LakeFile]:
    """TABLESAMPLE SYSTEM: `percent` of a table's objects (at least one above 0), evenly spread, always the same."""
    ordered = sorted(files, key=lambda f: f.uri)
    if percent <= 0 or not ordered:
        return []
    count = min(len(ordered), math.ceil(len(ordered) * percent / 100))
    return [ordered[index * len(ordered) // count] for index in range(count)]


def _prune(
    cursor: duckdb.DuckDBPyConnection, table: LakeTable, files: list[LakeFile], predicate: exp.Expression
) -> list[LakeFile]:
    """The files whose partition satisfies `predicate` (partition keys only), evaluated by DuckDB."""
    partitions = sorted({f.partition for f in files})
    if not partitions:
        return files
    rows = ", ".join(
        "("
        + ", ".join(
            [str(index), *(_typed_literal(v, t) for v, (_, t) in zip(values, table.partition_keys, strict=True))]
        )
        + ")"
        for index, values in enumerate(partitions)
    )
    names = ", ".join(["__partition", *(_quote(k.lower()) for k, _ in table.partition_keys)])
    try:
        kept = cursor.execute(
            f"SELECT __partition FROM (VALUES {rows}) AS p({names}) WHERE {predicate.sql(dialect='duckdb')}"
        ).fetchall()
    except duckdb.Error:
        return files  # a predicate DuckDB cannot evaluate alone prunes nothing, as a dynamic filter would
    keep = {partitions[index] for (index,) in kept}
    return [f for f in files if f.partition in keep]


def _typed_literal(value: str, hive_type: str) -> str:
    return f"TRY_CAST('{value.replace(chr(39), chr(39) * 2)}' AS {hive_to_duckdb_type(hive_type)})"


def _sample_view_name(name: str, sample: Sample) -> str:
    digest = hashlib.sha1(f"{sample.method}:{sample.percent}".encode()).hexdigest()[:8]
    return f"{name}$sample${sample.method.lower()}${digest}"


def _is_native_table(cursor: duckdb.DuckDBPyConnection, database: str, name: str) -> bool:
    found = cursor.execute(
        "SELECT 1 FROM duckdb_tables() WHERE lower(schema_name) = ? AND lower(table_name) = ?", [database, name]
    ).fetchone()
    return found is not None


def _name_anonymous_columns(query: exp.Query) -> None:
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    if select is None:
        return
    for index, projection in enumerate(select.expressions):
        if not isinstance(projection, exp.Alias | exp.Column | exp.Star):
            projection.replace(exp.alias_(projection.copy(), f"_col{index}"))


class MapValue(dict):  # type: ignore[type-arg]
    """A dict meant for a DuckDB MAP column (plain dicts become STRUCTs)."""


def _to_duckdb_value(value: Any) -> Any:
    # DuckDB binds a Python dict as a STRUCT; a MAP needs the {"key": [...], "value": [...]} form.
    if isinstance(value, MapValue):
        return {
            "key": list(value.keys()),
            "value": [_to_duckdb_value(v) for v in value.values()],
        }
    if isinstance(value, dict):
        return {k: _to_duckdb_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_duckdb_value(v) for v in value]
    return value
