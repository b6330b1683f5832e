"""What a statement reads from each table it references: columns, partition predicates and sampling.

Athena bills the bytes it reads; those depend on which columns a query uses (Parquet), which partitions its WHERE
keeps, and TABLESAMPLE SYSTEM. This module works that out from the SQL alone (sqlglot), with no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

# {database: {table: {column: type}}}, lower case, as sqlglot's MappingSchema takes it.
Schema = dict[str, dict[str, dict[str, str]]]


@dataclass(frozen=True)
class Sample:
    """A TABLESAMPLE clause: SYSTEM (splits of the table) or BERNOULLI (rows), in percent."""

    method: str
    percent: float


@dataclass(frozen=True)
class TableScan:
    """One read of a table: the columns used (None: all), a predicate on partition keys only, and sampling."""

    database: str
    name: str
    columns: frozenset[str] | None
    partition_filter: exp.Expression | None = None
    sample: Sample | None = None


def table_sample(table: exp.Table) -> Sample | None:
    """The TABLESAMPLE of a table reference, if any."""
    sample = table.args.get("sample")
    if not isinstance(sample, exp.TableSample):
        return None
    method = (str(sample.args.get("method") or "SYSTEM")).upper()
    size = sample.args.get("percent") or sample.args.get("size")
    try:
        percent = float(size.name) if isinstance(size, exp.Literal) else float(size.sql()) if size else 100.0
    except ValueError:
        percent = 100.0
    return Sample("BERNOULLI" if "BERNOULLI" in method else "SYSTEM", max(0.0, min(100.0, percent)))


def referenced_tables(tree: exp.Expression, default_database: str) -> list[tuple[str, str]]:
    """(database, table) of every table a statement names, CTE names excluded, lower case, in order."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    found: list[tuple[str, str]] = []
    for table in tree.find_all(exp.Table):
        if not table.name or (not table.db and table.name.lower() in ctes):
            continue
        key = ((table.db or default_database).lower(), table.name.lower())
        if key not in found:
            found.append(key)
    return found


def _conjuncts(where: exp.Expression | None) -> list[exp.Expression]:
    if where is None:
        return []
    condition = where.this if isinstance(where, exp.Where) else where
    if isinstance(condition, exp.And):
        return [part for part in condition.flatten() if isinstance(part, exp.Expression)]
    return [condition]


def _partition_filter(where: exp.Expression | None, alias: str, partition_keys: set[str]) -> exp.Expression | None:
    """The WHERE conjuncts that only test this source's partition keys, unqualified."""
    kept = []
    for conjunct in _conjuncts(where):
        columns = list(conjunct.find_all(exp.Column))
        if not columns or conjunct.find(exp.Query):
            continue
        if all(c.table.lower() == alias.lower() and c.name.lower() in partition_keys for c in columns):
            copy = conjunct.copy()
            for column in copy.find_all(exp.Column):
                column.set("table", None)
            kept.append(copy)
    return exp.and_(*kept) if kept else None  # type: ignore[return-value]


def plan_scans(
    tree: exp.Expression, default_database: str, schema: Schema, partition_keys: dict[tuple[str, str], set[str]]
) -> list[TableScan]:
    """The table reads of one statement; any table sqlglot cannot analyse counts as read whole."""
    try:
        qualified = qualify(
            tree.copy(),
            schema=dict(schema),
            db=default_database,
            dialect="athena",
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
        pushdown_projections(qualified)
    except Exception:
        return _whole_tables(tree, default_database)
    scans = []
    for scope in traverse_scope(qualified):
        for alias, (_, source) in scope.selected_sources.items():
            if not isinstance(source, exp.Table) or not source.name:
                continue
            key = ((source.db or default_database).lower(), source.name.lower())
            if key[0] not in schema or key[1] not in schema[key[0]]:
                scans.append(TableScan(*key, None, None, table_sample(source)))
                continue
            used = frozenset(c.name.lower() for c in scope.columns if c.table.lower() == alias.lower())
            if any(
                isinstance(s, exp.Star)
                for s in scope.expression.expressions
                if isinstance(scope.expression, exp.Select)
            ):
                used = frozenset(schema[key[0]][key[1]])
            keys = partition_keys.get(key, set())
            where = scope.expression.args.get("where") if isinstance(scope.expression, exp.Select) else None
            scans.append(TableScan(*key, used, _partition_filter(where, alias, keys), table_sample(source)))
    return scans


def _whole_tables(tree: exp.Expression, default_database: str) -> list[TableScan]:
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    scans = []
    for table in tree.find_all(exp.Table):
        if table.name and not (not table.db and table.name.lower() in ctes):
            scans.append(
                TableScan((table.db or default_database).lower(), table.name.lower(), None, None, table_sample(table))
            )
    return scans
