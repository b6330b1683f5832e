"""Athena SQL for table profiles, built as sqlglot expressions: every identifier quoted, no name concatenation.

One query per table computes every table and column metric (``count``, ``count_if``, ``approx_distinct``,
``min``/``max``, ``avg``, ``sum``, ``stddev_pop``, per numeric column one ``approx_percentile`` sketch for the
median and quartiles and one ``numeric_histogram``, string lengths, collection cardinalities). Exact
``uniqueCount`` / ``duplicateCount`` take one more query per table: every column in one ``GROUP BY GROUPING SETS``.

The result columns are named by generated aliases (``m0``, ``m1`` …) mapped back to (column, metric), so no
table or column name ever appears outside a quoted identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlglot import exp

from athena_om.mapping.types import DataType, ParsedType, TypeParseError, parse_type_string

TABLE_ALIAS = "__athena_om_t"
# approx_percentile points: the quartiles and the median.
QUANTILES: tuple[float, ...] = (0.25, 0.5, 0.75)
# numeric_histogram buckets: counts per value range, the shape OpenMetadata's histogram shows (its own is
# equal-width bins; deciles would give ten bins of equal count, which shows no shape at all).
HISTOGRAM_BUCKETS = 10


class ColumnKind(StrEnum):
    """Which metrics a column gets."""

    NUMERIC = "numeric"  # counts, distinct, min/max, mean, sum, stddev, quantiles, histogram
    STRING = "string"  # counts, distinct, min/max length
    TEMPORAL = "temporal"  # counts, distinct, min/max
    BOOLEAN = "boolean"  # counts, distinct
    COLLECTION = "collection"  # arrays and maps: counts and cardinality min/max/mean
    COUNT_ONLY = "count_only"  # binary, JSON, anything unknown: counts only


_NUMERIC = {
    DataType.TINYINT, DataType.SMALLINT, DataType.INT, DataType.BIGINT, DataType.FLOAT, DataType.DOUBLE,
    DataType.DECIMAL, DataType.NUMERIC,
}  # fmt: skip
_INTEGER = {DataType.TINYINT, DataType.SMALLINT, DataType.INT, DataType.BIGINT}
_STRING = {DataType.STRING, DataType.VARCHAR, DataType.CHAR, DataType.TEXT}
_TEMPORAL = {DataType.DATE, DataType.TIMESTAMP, DataType.TIMESTAMPZ, DataType.DATETIME, DataType.TIME}


@dataclass(frozen=True)
class ProfiledColumn:
    """A column (or struct leaf, ``path`` of several parts) to profile; ``name`` is its dotted name."""

    path: tuple[str, ...]
    kind: ColumnKind
    data_type: DataType
    integer: bool = False

    @property
    def name(self) -> str:
        return ".".join(self.path)


def column_kind(parsed: ParsedType) -> ColumnKind:
    if parsed.data_type in _NUMERIC:
        return ColumnKind.NUMERIC
    if parsed.data_type in _STRING:
        return ColumnKind.STRING
    if parsed.data_type in _TEMPORAL:
        return ColumnKind.TEMPORAL
    if parsed.data_type is DataType.BOOLEAN:
        return ColumnKind.BOOLEAN
    if parsed.data_type in (DataType.ARRAY, DataType.MAP):
        return ColumnKind.COLLECTION
    return ColumnKind.COUNT_ONLY


def profiled_columns(columns: Sequence[tuple[str, str]]) -> list[ProfiledColumn]:
    """Columns to profile from (name, Athena type) pairs; structs expand to their leaves under dotted names."""
    found: list[ProfiledColumn] = []

    def add(path: tuple[str, ...], parsed: ParsedType) -> None:
        if parsed.data_type is DataType.STRUCT:
            for child in parsed.fields:
                add((*path, child.name), child.type)
            return
        kind = column_kind(parsed)
        found.append(ProfiledColumn(path, kind, parsed.data_type, parsed.data_type in _INTEGER))

    for name, type_text in columns:
        try:
            parsed = parse_type_string(type_text)
        except TypeParseError:
            found.append(ProfiledColumn((name,), ColumnKind.COUNT_ONLY, DataType.UNKNOWN))
            continue
        add((name,), parsed)
    return found


@dataclass(frozen=True)
class MetricRef:
    """What one result column of a profile query holds."""

    column: str | None  # None for table metrics
    metric: str


@dataclass(frozen=True)
class Sample:
    """How much of the table a query reads: a TABLESAMPLE percentage, or the first ``rows`` rows."""

    percent: float | None = None
    method: str = "SYSTEM"  # SYSTEM reads fewer bytes; BERNOULLI samples rows evenly but reads everything
    rows: int | None = None


@dataclass(frozen=True)
class ProfileQuery:
    """A profile query and what each of its result columns means."""

    select: exp.Select
    metrics: dict[str, MetricRef]

    def sql(self) -> str:
        return self.select.sql(dialect="athena")


def identifier(name: str) -> exp.Identifier:
    """A quoted identifier: any name, however hostile, is safe inside it."""
    return exp.to_identifier(name, quoted=True)


def table_reference(database: str, table: str, alias: str | None = TABLE_ALIAS) -> exp.Table:
    return exp.Table(
        this=identifier(table),
        db=identifier(database),
        alias=exp.TableAlias(this=identifier(alias)) if alias else None,
    )


def column_reference(path: Sequence[str]) -> exp.Expr:
    """``"alias"."column"."field"…``: qualified by the table alias so a struct field is never read as a table."""
    column: exp.Expr = exp.Column(this=identifier(path[0]), table=identifier(TABLE_ALIAS))
    if len(path) == 1:
        return column
    return exp.Dot.build([column, *(identifier(part) for part in path[1:])])


def _as_double(expression: exp.Expr) -> exp.Expr:
    return exp.cast(expression, exp.DataType.build("DOUBLE"))


def _sum(column: ProfiledColumn, ref: exp.Expr) -> exp.Expr:
    # Athena's sum(bigint) overflows on a large table; decimal(38,0) does not and stays exact.
    if column.integer:
        return exp.func("sum", exp.cast(ref, exp.DataType.build("DECIMAL(38,0)")))
    return exp.func("sum", ref)


def _quantile_array() -> exp.Array:
    return exp.Array(expressions=[exp.Literal.number(q) for q in QUANTILES])


def column_metrics(column: ProfiledColumn) -> list[tuple[str, exp.Expr]]:
    """(metric, aggregate) pairs for one column."""
    ref = column_reference(column.path)
    metrics: list[tuple[str, exp.Expr]] = [
        ("valuesCount", exp.func("count", ref.copy())),
        ("nullCount", exp.func("count_if", exp.Is(this=ref.copy(), expression=exp.Null()))),
    ]
    if column.kind in (ColumnKind.NUMERIC, ColumnKind.STRING, ColumnKind.TEMPORAL, ColumnKind.BOOLEAN):
        metrics.append(("distinctCount", exp.func("approx_distinct", ref.copy())))
    if column.kind in (ColumnKind.NUMERIC, ColumnKind.TEMPORAL):
        metrics += [("min", exp.func("min", ref.copy())), ("max", exp.func("max", ref.copy()))]
    if column.kind is ColumnKind.NUMERIC:
        metrics += [
            ("mean", exp.func("avg", _as_double(ref.copy()))),
            ("sum", _sum(column, ref.copy())),
            ("stddev", exp.func("stddev_pop", _as_double(ref.copy()))),
            ("quantiles", exp.func("approx_percentile", _as_double(ref.copy()), _quantile_array())),
            ("histogram", exp.func("numeric_histogram", exp.Literal.number(HISTOGRAM_BUCKETS), _as_double(ref.copy()))),
        ]
    if column.kind is ColumnKind.STRING:
        length = exp.func("length", ref.copy())
        metrics += [("minLength", exp.func("min", length)), ("maxLength", exp.func("max", length.copy()))]
    if column.kind is ColumnKind.COLLECTION:
        # cardinality(map_keys(m)) equals cardinality(m) on Athena and also runs in the sandbox, whose DuckDB
        # translation has no cardinality() for maps.
        counted = exp.func("map_keys", ref.copy()) if column.data_type is DataType.MAP else ref.copy()
        size = exp.func("cardinality", counted)
        metrics += [
            ("minLength", exp.func("min", size)),
            ("maxLength", exp.func("max", size.copy())),
            ("meanCardinality", exp.func("avg", _as_double(size.copy()))),
        ]
    return metrics


def source_relation(
    database: str,
    table: str,
    columns: Sequence[ProfiledColumn],
    where: exp.Expr | None,
    sample: Sample | None,
) -> tuple[exp.Expr, exp.Expr | None]:
    """The FROM relation (the table, sampled, or a row-limited subquery) and the WHERE left for the outer query."""
    if sample is not None and sample.rows is not None:
        top_level = list(dict.fromkeys(c.path[0] for c in columns))
        inner = exp.select(*(exp.Column(this=identifier(name)) for name in top_level))
        inner = inner.from_(table_reference(database, table))
        if where is not None:
            inner = inner.where(where.copy())
        inner = inner.limit(sample.rows)
        return exp.Subquery(this=inner, alias=exp.TableAlias(this=identifier(TABLE_ALIAS))), None
    relation = table_reference(database, table)
    if sample is not None and sample.percent is not None:
        relation.set(
            "sample",
            exp.TableSample(method=exp.var(sample.method), percent=exp.Literal.number(round(sample.percent, 4))),
        )
    return relation, where


def profile_query(
    database: str,
    table: str,
    columns: Sequence[ProfiledColumn],
    *,
    where: exp.Expr | None = None,
    sample: Sample | None = None,
) -> ProfileQuery:
    """One query computing the row count and every column's metrics."""
    projections: list[exp.Expr] = [exp.alias_(exp.func("count", exp.Star()), "m0", quoted=True)]
    metrics = {"m0": MetricRef(None, "rowCount")}
    for column in columns:
        for metric, aggregate in column_metrics(column):
            alias = f"m{len(metrics)}"
            metrics[alias] = MetricRef(column.name, metric)
            projections.append(exp.alias_(aggregate, alias, quoted=True))
    relation, outer_where = source_relation(database, table, columns, where, sample)
    select = exp.select(*projections).from_(relation)
    if outer_where is not None:
        select = select.where(outer_where.copy())
    return ProfileQuery(select, metrics)


# -- exact uniqueness ------------------------------------------------------------------------------------

UNIQUENESS_KINDS = (ColumnKind.NUMERIC, ColumnKind.STRING, ColumnKind.TEMPORAL, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class UniquenessQuery:
    """Exact distinct and unique counts for many columns in one scan; ``set_index`` rows name the column."""

    select: exp.Select
    columns: tuple[str, ...]  # by set index

    def sql(self) -> str:
        return self.select.sql(dialect="athena")


def uniqueness_query(
    database: str,
    table: str,
    columns: Sequence[ProfiledColumn],
    *,
    where: exp.Expr | None = None,
    sample: Sample | None = None,
) -> UniquenessQuery | None:
    """``GROUP BY GROUPING SETS ((c1), (c2), …)`` counting each value's rows, then per column: distinct values
    (``distinct_count``) and values seen exactly once (``unique_count``). None when no column can be grouped."""
    grouped = [c for c in columns if c.kind in UNIQUENESS_KINDS]
    if not grouped:
        return None
    refs = [column_reference(c.path) for c in grouped]
    set_index = exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=exp.func("grouping", ref.copy()), expression=exp.Literal.number(0)),
                   true=exp.Literal.number(i))
            for i, ref in enumerate(refs)
        ]
    )  # fmt: skip
    present = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=exp.func("grouping", ref.copy()), expression=exp.Literal.number(0)),
                true=exp.Not(this=exp.Is(this=ref.copy(), expression=exp.Null())),
            )
            for ref in refs
        ]
    )
    relation, outer_where = source_relation(database, table, grouped, where, sample)
    inner = exp.select(
        exp.alias_(set_index, "set_index", quoted=True),
        exp.alias_(present, "present", quoted=True),
        exp.alias_(exp.func("count", exp.Star()), "n", quoted=True),
    ).from_(relation)
    if outer_where is not None:
        inner = inner.where(outer_where.copy())
    inner = inner.group_by(exp.GroupingSets(expressions=[exp.Tuple(expressions=[ref.copy()]) for ref in refs]))
    n = exp.column("n", table="g", quoted=True)
    outer = (
        exp.select(
            exp.column("set_index", table="g", quoted=True),
            exp.alias_(exp.func("count", exp.Star()), "distinct_count", quoted=True),
            exp.alias_(exp.func("count_if", exp.EQ(this=n, expression=exp.Literal.number(1))), "unique_count",
                       quoted=True),
        )
        .from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=identifier("g"))))
        .where(exp.column("present", table="g", quoted=True))
        .group_by(exp.column("set_index", table="g", quoted=True))
    )  # fmt: skip
    return UniquenessQuery(outer, tuple(c.name for c in grouped))


# -- partitions ----------------------------------------------------------------------------------------


def partition_value_literal(value: str, athena_type: str) -> exp.Expr:
    """A partition value as the literal its key's type compares with (numbers unquoted, others as strings)."""
    try:
        data_type = parse_type_string(athena_type).data_type
    except TypeParseError:
        data_type = DataType.STRING
    if data_type in _NUMERIC:
        return exp.Literal.number(value)
    if data_type is DataType.DATE:
        return exp.cast(exp.Literal.string(value), exp.DataType.build("DATE"))
    return exp.Literal.string(value)


def partition_predicate(partitions: Sequence[Sequence[str]], keys: Sequence[tuple[str, str]]) -> exp.Expr | None:
    """``(k1 = v1 AND k2 = v2) OR …`` for the chosen partitions, keys given as (name, Athena type) pairs."""
    conditions: list[exp.Expr] = []
    for values in partitions:
        equalities = [
            exp.EQ(this=column_reference((name,)), expression=partition_value_literal(value, type_))
            for (name, type_), value in zip(keys, values, strict=True)
        ]
        if equalities:
            conditions.append(exp.and_(*equalities))
    if not conditions:
        return None
    return exp.or_(*conditions) if len(conditions) > 1 else conditions[0]


def key_at_least(name: str, athena_type: str, lowest: str) -> exp.Expr:
    """``key >= lowest`` (a last-N-days window on a date-like partition key)."""
    return exp.GTE(this=column_reference((name,)), expression=partition_value_literal(lowest, athena_type))


def key_in(name: str, athena_type: str, values: Sequence[str]) -> exp.Expr:
    """``key IN (…)``."""
    return exp.In(this=column_reference((name,)), expressions=[partition_value_literal(v, athena_type) for v in values])


class PartitionFilterError(ValueError):
    """A configured partition filter is not a valid Athena predicate."""


def parse_partition_filter(text: str) -> exp.Expr:
    """A user's partition filter (an Athena predicate from config), qualified with the profile's table alias."""
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    try:
        condition = sqlglot.parse_one(text, read="athena", into=exp.Condition)
    except (ParseError, TokenError) as error:
        raise PartitionFilterError(f"is not an Athena predicate ({str(error).splitlines()[0]})") from None
    for column in list(condition.find_all(exp.Column)):
        column.set("this", identifier(column.name))
        column.set("table", identifier(TABLE_ALIAS))
    return condition


# -- zero-scan row counts --------------------------------------------------------------------------------

ICEBERG_ROW_COUNT = "row_count"


def iceberg_files_query(database: str, table: str) -> exp.Select:
    """``SELECT sum(record_count) FROM "db"."t$files"``: an Iceberg table's rows from its manifests, no data read."""
    files = table_reference(database, f"{table}$files", alias=None)
    count = exp.func("sum", exp.column("record_count", quoted=True))
    return exp.select(exp.alias_(count, ICEBERG_ROW_COUNT, quoted=True)).from_(files)


def sample_rows_query(
    database: str, table: str, columns: Sequence[str], *, where: exp.Expr | None = None, limit: int = 50
) -> exp.Select:
    """``SELECT <columns> FROM t [WHERE <partitions>] LIMIT n``: sample rows for OpenMetadata's Sample Data tab."""
    select = exp.select(*(column_reference((name,)) for name in columns)).from_(table_reference(database, table))
    if where is not None:
        select = select.where(where.copy())
    return select.limit(limit)
