"""Run Athena SQL for the sandbox in DuckDB, one DuckDB schema per Glue database."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import sqlglot
from sqlglot import exp

from athena_om.sandbox.aws.hive_types import duckdb_to_athena_type, hive_to_duckdb_type


class SqlResult(NamedTuple):
    """Column names, Athena type names (e.g. "decimal(10,2)", "array") and rows of one statement."""

    column_names: list[str]
    athena_type_names: list[str]
    rows: list[tuple[Any, ...]]


_SHOW_CREATE_VIEW = re.compile(r"^\s*SHOW\s+CREATE\s+VIEW\s+(?P<name>.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
SHOW_CREATE_VIEW_COLUMN = "Create View"


class ViewNotFoundError(LookupError):
    """SHOW CREATE VIEW named a view the engine does not have."""


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

    def close(self) -> None:
        """Close the DuckDB connection."""
        with self._lock:
            self._connection.close()

    @staticmethod
    def translate(sql: str) -> list[str]:
        """Translate Athena SQL into DuckDB statements, naming unnamed result columns _col0, _col1… as Athena does."""
        statements = []
        # Statements DuckDB answers natively (SHOW CREATE VIEW…) parse as commands; sqlglot warns on each.
        logging.getLogger("sqlglot").setLevel(logging.ERROR)
        for tree in sqlglot.parse(sql, read="athena"):
            if tree is None:
                continue
            if isinstance(tree, exp.Query):
                _name_anonymous_columns(tree)
            statements.append(tree.sql(dialect="duckdb"))
        return statements

    def execute(self, sql: str, database: str | None = None) -> SqlResult:
        """Run one Athena statement; `database` is the default schema, as in QueryExecutionContext."""
        show_create_view = _SHOW_CREATE_VIEW.match(sql)
        if show_create_view:
            return self._show_create_view(show_create_view.group("name"), database)
        statements = self.translate(sql)
        with self._lock:
            cursor = self._connection.cursor()
            try:
                if database:
                    self._ensure_schema(cursor, database)
                    cursor.execute(f"SET schema = '{database.replace(chr(39), chr(39) * 2)}'")
                result = SqlResult([], [], [])
                for statement in statements:
                    cursor.execute(statement)
                    if cursor.description is None:
                        result = SqlResult([], [], [])
                        continue
                    names = [d[0] for d in cursor.description]
                    types = [duckdb_to_athena_type(str(d[1])) for d in cursor.description]
                    result = SqlResult(names, types, cursor.fetchall())
                return result
            finally:
                cursor.close()

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

    def create_view(self, database: str, view: str, athena_sql: str) -> None:
        """Create a DuckDB view from an Athena SELECT statement."""
        select = self.translate(athena_sql)[0]
        with self._lock:
            cursor = self._connection.cursor()
            try:
                self._ensure_schema(cursor, database)
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
