"""Compile OpenMetadata test cases into Athena SQL, with the profiler's quoted sqlglot builder.

A table's test cases become at most:

- one aggregate query (``count(*)``, ``count_if`` of each test's failing rows, ``min``/``max``/``avg``/
  ``stddev_pop``/``sum``/``approx_percentile`` for the between-tests), partition predicate applied;
- one exact-uniqueness query for every ``columnValuesToBeUnique`` of the table (the profiler's
  ``GROUP BY GROUPING SETS``);
- one query per ``tableCustomSQLQuery`` and per ``tableDiff``.

Column-count and column-name tests need no scan: they are judged from the Glue columns. A test case that
cannot run (unknown definition, missing or bad parameter, unknown column, wrong column type) compiles to an
``Aborted`` verdict with the reason, so it is reported, never skipped.

Parameter names and pass rules are OpenMetadata 2.0.7's (inclusive bounds, ``allowedValues`` + ``matchEnum``,
``sqlExpression`` + ``strategy``/``operator``/``threshold``, ``rangeType``/``rangeInterval`` …).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlglot import exp

from athena_om.mapping.profile_sql import (
    TABLE_ALIAS,
    ColumnKind,
    ProfiledColumn,
    column_reference,
    identifier,
    profiled_columns,
    table_reference,
    uniqueness_query,
)


class Status(StrEnum):
    SUCCESS = "Success"
    FAILED = "Failed"
    ABORTED = "Aborted"


@dataclass(frozen=True)
class QualityTestCase:
    """One OpenMetadata test case to run: its FQN, definition, target column and parameters (as strings)."""

    fqn: str
    name: str
    definition: str
    table_fqn: str
    column: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()

    def parameter(self, name: str) -> str | None:
        for key, value in self.parameters:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Verdict:
    """A test case's outcome: status, a sentence, measured values and (where they apply) row counts."""

    status: Status
    result: str
    values: tuple[tuple[str, str], ...] = ()
    passed_rows: int | None = None
    failed_rows: int | None = None

    @property
    def total_rows(self) -> int | None:
        if self.passed_rows is None or self.failed_rows is None:
            return None
        return self.passed_rows + self.failed_rows


def aborted(reason: str, *values: tuple[str, str]) -> Verdict:
    return Verdict(Status.ABORTED, reason, tuple(values))


@dataclass(frozen=True)
class TableShape:
    """The table under test: Glue database and name, its columns (name, Athena type) and the rows to read."""

    database: str
    table: str
    columns: tuple[tuple[str, str], ...]
    where: exp.Expr | None = None


@dataclass(frozen=True)
class OwnQuery:
    """A test that needs its own statement (custom SQL, tableDiff): SQL text and how to judge its rows."""

    sql: str
    judge: Callable[[Sequence[Mapping[str, Any]]], Verdict]
    # Where the user's own SQL starts in the statement sent (after the self-issued comment and any wrapper), so
    # Athena's "line N" in an error can be read against the sqlExpression.
    user_sql_line: int | None = None


@dataclass
class TableTestPlan:
    """What to run for one table and how to turn the answers into a verdict per test case."""

    shape: TableShape
    aggregates: dict[str, exp.Expr] = field(default_factory=dict)  # alias -> aggregate
    judges: dict[str, Callable[[Mapping[str, Any]], Verdict]] = field(default_factory=dict)  # fqn -> judge
    unique_tests: dict[str, str] = field(default_factory=dict)  # fqn -> column name
    own_queries: dict[str, OwnQuery] = field(default_factory=dict)  # fqn -> query
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # decided without a scan (or aborted)
    aliases: dict[tuple[str, str], str] = field(default_factory=dict)  # (fqn, metric) -> alias
    _alias_by_sql: dict[str, str] = field(default_factory=dict, repr=False)

    def aggregate_query(self) -> exp.Select | None:
        """One ``SELECT count(*), count_if(…), …`` over the table, or None when no test needs it."""
        if not self.aggregates:
            return None
        projections = [exp.alias_(expression, alias, quoted=True) for alias, expression in self.aggregates.items()]
        select = exp.select(*projections).from_(table_reference(self.shape.database, self.shape.table))
        if self.shape.where is not None:
            select = select.where(self.shape.where.copy())
        return select

    def uniqueness_query(self) -> tuple[exp.Select, tuple[str, ...]] | None:
        """The exact-uniqueness query over every column a ``columnValuesToBeUnique`` names, or None."""
        if not self.unique_tests:
            return None
        wanted = set(self.unique_tests.values())
        columns = [c for c in profiled_columns(self.shape.columns) if c.name in wanted]
        query = uniqueness_query(self.shape.database, self.shape.table, columns, where=self.shape.where)
        return (query.select, query.columns) if query is not None else None

    def judge_unique(self, fqn: str, measured: Mapping[str, Any], exact: Mapping[str, tuple[int, int]]) -> Verdict:
        """``columnValuesToBeUnique``: valueCount (non-null values) == uniqueCount (values seen exactly once)."""
        column = self.unique_tests[fqn]
        values_count = _int(measured.get(_alias_for(self, fqn, "valueCount")))
        unique = exact.get(column, (0, 0))[1] if column in exact else None
        if unique is None:
            return aborted(f"exact uniqueness of column {column} was not computed")
        failed = values_count - unique
        status = Status.SUCCESS if failed == 0 else Status.FAILED
        return Verdict(
            status,
            f"Found valueCount={values_count} vs. uniqueCount={unique}. "
            "Both counts should be equal for column values to be unique.",
            (("valueCount", str(values_count)), ("uniqueCount", str(unique))),
            passed_rows=unique,
            failed_rows=failed,
        )


# -- helpers ---------------------------------------------------------------------------------------------

ROW_COUNT = "row_count"


def _alias_for(plan: TableTestPlan, fqn: str, metric: str) -> str:
    return plan.aliases.get((fqn, metric), "")


def _add(plan: TableTestPlan, fqn: str, metric: str, expression: exp.Expr) -> str:
    """Add one aggregate for a test (identical expressions are computed once) and return its alias."""
    key = expression.sql(dialect="athena")
    alias = plan._alias_by_sql.get(key)
    if alias is None:
        alias = f"q{len(plan.aggregates)}"
        plan.aggregates[alias] = expression
        plan._alias_by_sql[key] = alias
    plan.aliases[(fqn, metric)] = alias
    return alias


def _int(value: Any) -> int:
    return int(value or 0)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _show(value: Any) -> str:
    if value is None:
        return "None"
    number = _number(value)
    if number is not None and number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    if number is not None:
        return repr(round(number, 6))
    return str(value)


class ParameterError(ValueError):
    """A test case parameter is missing or not what its definition expects."""


def _float_param(test: QualityTestCase, name: str, *, required: bool = False) -> float | None:
    raw = test.parameter(name)
    if raw is None or str(raw).strip() == "":
        if required:
            raise ParameterError(f"missing parameter {name}")
        return None
    try:
        return float(raw)
    except ValueError:
        raise ParameterError(f"parameter {name}={raw!r} is not a number") from None


def _int_param(test: QualityTestCase, name: str, *, required: bool = False, default: int | None = None) -> int | None:
    value = _float_param(test, name, required=required)
    if value is None:
        return default
    if not value.is_integer():
        raise ParameterError(f"parameter {name}={test.parameter(name)!r} is not a whole number")
    return int(value)


def _bool_param(test: QualityTestCase, name: str) -> bool:
    return str(test.parameter(name) or "false").strip().lower() == "true"


def _list_param(test: QualityTestCase, name: str, *, required: bool = True) -> list[str]:
    """A list parameter: OpenMetadata sends a JSON array string (``["a","b"]``); a comma list is accepted too."""
    raw = test.parameter(name)
    if raw is None or not str(raw).strip():
        if required:
            raise ParameterError(f"missing parameter {name}")
        return []
    text = str(raw).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise ParameterError(f"parameter {name}={raw!r} is not a JSON array") from None
        return [str(item) for item in parsed]
    return [part.strip() for part in text.split(",") if part.strip()]


def _text_param(test: QualityTestCase, name: str, *, default: str | None = None) -> str:
    raw = test.parameter(name)
    if raw is None or not str(raw).strip():
        if default is not None:
            return default
        raise ParameterError(f"missing parameter {name}")
    return str(raw)


def _bounds_text(low: float | None, high: float | None) -> str:
    return f"[{_show(low) if low is not None else '-inf'}, {_show(high) if high is not None else '+inf'}]"


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


# -- compilation -----------------------------------------------------------------------------------------

TABLE_DEFINITIONS = (
    "tableRowCountToBeBetween",
    "tableRowCountToEqual",
    "tableColumnCountToBeBetween",
    "tableColumnCountToEqual",
    "tableColumnNameToExist",
    "tableColumnToMatchSet",
    "tableCustomSQLQuery",
    "tableRowInsertedCountToBeBetween",
    "tableDiff",
)
COLUMN_DEFINITIONS = (
    "columnValuesToBeBetween",
    "columnValuesToBeNotNull",
    "columnValuesToBeUnique",
    "columnValuesToMatchRegex",
    "columnValuesToNotMatchRegex",
    "columnValuesToBeInSet",
    "columnValuesToBeNotInSet",
    "columnValueLengthsToBeBetween",
    "columnValuesMissingCount",
    "columnValueMinToBeBetween",
    "columnValueMaxToBeBetween",
    "columnValueMeanToBeBetween",
    "columnValueMedianToBeBetween",
    "columnValueStdDevToBeBetween",
    "columnValuesSumToBeBetween",
)
SUPPORTED_DEFINITIONS = frozenset(TABLE_DEFINITIONS + COLUMN_DEFINITIONS)

# Column statistic tests: (aggregate kind, result value name, min parameter, max parameter).
_STATISTIC_TESTS: dict[str, tuple[str, str, str, str]] = {
    "columnValueMinToBeBetween": ("min", "min", "minValueForMinInCol", "maxValueForMinInCol"),
    "columnValueMaxToBeBetween": ("max", "max", "minValueForMaxInCol", "maxValueForMaxInCol"),
    "columnValueMeanToBeBetween": ("mean", "mean", "minValueForMeanInCol", "maxValueForMeanInCol"),
    "columnValueMedianToBeBetween": ("median", "median", "minValueForMedianInCol", "maxValueForMedianInCol"),
    "columnValueStdDevToBeBetween": ("stddev", "stddev", "minValueForStdDevInCol", "maxValueForStdDevInCol"),
    "columnValuesSumToBeBetween": ("sum", "sum", "minValueForColSum", "maxValueForColSum"),
}


@dataclass(frozen=True)
class TableLookup:
    """How a ``tableDiff``'s ``table2`` (an OpenMetadata FQN) maps to a Glue table and its columns."""

    resolve: Callable[[str], tuple[str, str, tuple[tuple[str, str], ...]] | str]


def compile_table_tests(
    shape: TableShape,
    tests: Sequence[QualityTestCase],
    *,
    now: datetime,
    lookup: TableLookup | None = None,
) -> TableTestPlan:
    """Every test case of one table compiled into the plan's queries, or into an immediate verdict."""
    plan = TableTestPlan(shape)
    columns = {c.name: c for c in profiled_columns(shape.columns)}
    for test in tests:
        try:
            _compile_one(plan, test, columns, now, lookup)
        except ParameterError as error:
            plan.verdicts[test.fqn] = aborted(f"{test.definition}: {error}")
    return plan


def _compile_one(
    plan: TableTestPlan,
    test: QualityTestCase,
    columns: Mapping[str, ProfiledColumn],
    now: datetime,
    lookup: TableLookup | None,
) -> None:
    definition = test.definition
    if definition not in SUPPORTED_DEFINITIONS:
        plan.verdicts[test.fqn] = aborted(
            f"test definition {definition!r} is not one athena-om can run on Athena; supported: "
            + ", ".join(sorted(SUPPORTED_DEFINITIONS))
        )
        return
    if definition in TABLE_DEFINITIONS:
        _compile_table_test(plan, test, now, lookup)
        return
    if not test.column:
        raise ParameterError("is a column test but the test case names no column (entityLink ::columns::<name>)")
    column = columns.get(test.column)
    if column is None:
        plan.verdicts[test.fqn] = aborted(
            f"{definition}: column {test.column!r} does not exist in {plan.shape.database}.{plan.shape.table} "
            f"(columns: {', '.join(name for name, _ in plan.shape.columns)})"
        )
        return
    _compile_column_test(plan, test, column)


def _row_count(plan: TableTestPlan, fqn: str) -> str:
    return _add(plan, fqn, ROW_COUNT, exp.func("count", exp.Star()))


def _compile_table_test(plan: TableTestPlan, test: QualityTestCase, now: datetime, lookup: TableLookup | None) -> None:
    fqn, definition = test.fqn, test.definition
    names = [name for name, _ in plan.shape.columns]
    if definition == "tableRowCountToBeBetween":
        low, high = _float_param(test, "minValue"), _float_param(test, "maxValue")
        if low is None and high is None:
            raise ParameterError("missing parameter minValue or maxValue (at least one bound is needed)")
        alias = _row_count(plan, fqn)

        def judge_between(m: Mapping[str, Any]) -> Verdict:
            count = _int(m.get(alias))
            ok = _within(count, low, high)
            return Verdict(
                Status.SUCCESS if ok else Status.FAILED,
                f"Found {count} rows vs. the expected range {_bounds_text(low, high)}.",
                (("rowCount", str(count)),),
            )

        plan.judges[fqn] = judge_between
    elif definition == "tableRowCountToEqual":
        expected = _int_param(test, "value", required=True)
        alias = _row_count(plan, fqn)

        def judge_equal(m: Mapping[str, Any]) -> Verdict:
            count = _int(m.get(alias))
            return Verdict(
                Status.SUCCESS if count == expected else Status.FAILED,
                f"Found {count} rows vs. the expected {expected}.",
                (("rowCount", str(count)),),
            )

        plan.judges[fqn] = judge_equal
    elif definition == "tableColumnCountToBeBetween":
        low, high = _float_param(test, "minColValue"), _float_param(test, "maxColValue")
        if low is None and high is None:
            raise ParameterError("missing parameter minColValue or maxColValue (at least one bound is needed)")
        ok = _within(len(names), low, high)
        plan.verdicts[fqn] = Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found {len(names)} columns vs. the expected range {_bounds_text(low, high)}.",
            (("columnCount", str(len(names))),),
        )
    elif definition == "tableColumnCountToEqual":
        expected = _int_param(test, "columnCount", required=True)
        plan.verdicts[fqn] = Verdict(
            Status.SUCCESS if len(names) == expected else Status.FAILED,
            f"Found {len(names)} columns vs. the expected {expected}.",
            (("columnCount", str(len(names))),),
        )
    elif definition == "tableColumnNameToExist":
        wanted = _text_param(test, "columnName")
        found = wanted in names
        plan.verdicts[fqn] = Verdict(
            Status.SUCCESS if found else Status.FAILED,
            f"Column {wanted} {'exists' if found else 'does not exist'} in the table.",
            (("columnNameExits", str(found)),),
        )
    elif definition == "tableColumnToMatchSet":
        wanted_names = _list_param(test, "columnNames")
        ordered = _bool_param(test, "ordered")
        ok = names == wanted_names if ordered else sorted(names) == sorted(wanted_names)
        plan.verdicts[fqn] = Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found columns {names} vs. the expected {wanted_names}{' in order' if ordered else ''}.",
            (("columnNames", ", ".join(names)),),
        )
    elif definition == "tableRowInsertedCountToBeBetween":
        _compile_inserted(plan, test, now)
    elif definition == "tableCustomSQLQuery":
        _compile_custom_sql(plan, test)
    elif definition == "tableDiff":
        _compile_table_diff(plan, test, lookup)


_RANGE_STEPS = {"HOUR", "DAY", "MONTH", "YEAR"}


def inserted_since(now: datetime, range_type: str, interval: int) -> datetime:
    """The start of ``tableRowInsertedCountToBeBetween``'s window: ``interval`` ``range_type`` units before the
    start of the current one (``DAY``, 1 -> yesterday 00:00 UTC)."""
    now = now.astimezone(UTC).replace(tzinfo=None)
    if range_type == "HOUR":
        return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=interval)
    if range_type == "DAY":
        return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=interval)
    if range_type == "MONTH":
        months = now.year * 12 + now.month - 1 - interval
        return datetime(months // 12, months % 12 + 1, 1)
    return datetime(now.year - interval, 1, 1)


def _compile_inserted(plan: TableTestPlan, test: QualityTestCase, now: datetime) -> None:
    column_name = _text_param(test, "columnName")
    range_type = _text_param(test, "rangeType", default="DAY").upper()
    if range_type not in _RANGE_STEPS:
        raise ParameterError(f"parameter rangeType={range_type!r} must be one of HOUR, DAY, MONTH, YEAR")
    interval = _int_param(test, "rangeInterval", default=1) or 1
    low, high = _float_param(test, "min"), _float_param(test, "max")
    column = next((c for c in profiled_columns(plan.shape.columns) if c.name == column_name), None)
    if column is None:
        plan.verdicts[test.fqn] = aborted(f"{test.definition}: column {column_name!r} does not exist in the table")
        return
    since = inserted_since(now, range_type, interval)
    ref = column_reference(column.path)
    if column.kind is not ColumnKind.TEMPORAL:
        plan.verdicts[test.fqn] = aborted(
            f"{test.definition}: column {column_name} is {column.data_type.value}, not a date or timestamp"
        )
        return
    if column.data_type.value == "DATE":
        bound: exp.Expr = exp.cast(exp.Literal.string(since.date().isoformat()), exp.DataType.build("DATE"))
    else:
        bound = exp.cast(exp.Literal.string(since.strftime("%Y-%m-%d %H:%M:%S")), exp.DataType.build("TIMESTAMP"))
    alias = _add(plan, test.fqn, "inserted", exp.func("count_if", exp.GTE(this=ref, expression=bound)))

    def judge(m: Mapping[str, Any]) -> Verdict:
        count = _int(m.get(alias))
        ok = _within(count, low, high)
        return Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found {count} rows with {column_name} >= {since:%Y-%m-%d %H:%M:%S} vs. the expected range "
            f"{_bounds_text(low, high)}.",
            (("rowCount", str(count)),),
        )

    plan.judges[test.fqn] = judge


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _compile_custom_sql(plan: TableTestPlan, test: QualityTestCase) -> None:
    sql = _text_param(test, "sqlExpression").strip().rstrip(";").strip()
    strategy = _text_param(test, "strategy", default="ROWS").upper()
    if strategy not in ("ROWS", "COUNT"):
        raise ParameterError(f"parameter strategy={strategy!r} must be ROWS or COUNT")
    operator = _text_param(test, "operator", default="<=").strip()
    if operator not in _OPERATORS:
        raise ParameterError(f"parameter operator={operator!r} must be one of {', '.join(_OPERATORS)}")
    threshold = _float_param(test, "threshold") or 0.0
    # ROWS counts the rows the statement returns, so Athena counts them and hands back one row, not all of them.
    text = f'SELECT count(*) AS "result_rows" FROM (\n{sql}\n) AS "custom_sql"' if strategy == "ROWS" else sql

    def judge(rows: Sequence[Mapping[str, Any]]) -> Verdict:
        if strategy == "ROWS":
            found = _int(rows[0].get("result_rows")) if rows else 0
        else:
            first = next(iter(rows[0].values()), None) if rows else None
            number = _number(first)
            if number is None:
                return aborted(f"tableCustomSQLQuery (COUNT): the query's first value {first!r} is not a number")
            found = int(number)
        ok = _OPERATORS[operator](found, threshold)
        failed = 0 if ok else found
        return Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found {found} row(s). Test query is expected to return {operator} {_show(threshold)} row(s).",
            (("resultRowCount", str(found)),),
            failed_rows=failed if strategy == "ROWS" else None,
            passed_rows=None,
        )

    # Line 1 of what Athena sees is the self-issued comment; ROWS adds the wrapper's first line.
    plan.own_queries[test.fqn] = OwnQuery(text, judge, user_sql_line=3 if strategy == "ROWS" else 2)


def _compile_table_diff(plan: TableTestPlan, test: QualityTestCase, lookup: TableLookup | None) -> None:
    table2 = _text_param(test, "table2")
    if lookup is None:
        plan.verdicts[test.fqn] = aborted("tableDiff: no catalog to resolve table2 with")
        return
    resolved = lookup.resolve(table2)
    if isinstance(resolved, str):
        plan.verdicts[test.fqn] = aborted(f"tableDiff: {resolved}")
        return
    database2, name2, columns2 = resolved
    keys = _list_param(test, "keyColumns", required=False)
    left_names = [name for name, _ in plan.shape.columns]
    right_names = [name for name, _ in columns2]
    if not keys:
        raise ParameterError("missing parameter keyColumns (athena-om reads no primary keys from Glue)")
    use = _list_param(test, "useColumns", required=False) or [
        n for n in left_names if n in right_names and n not in keys
    ]
    for name in (*keys, *use):
        if name not in left_names or name not in right_names:
            plan.verdicts[test.fqn] = aborted(f"tableDiff: column {name!r} is not in both tables")
            return
    where_text = test.parameter("where")
    threshold = _int_param(test, "threshold", default=0) or 0

    def side(database: str, table: str, alias: str) -> exp.Subquery:
        inner = exp.select(
            *(exp.Column(this=identifier(n)) for n in dict.fromkeys([*keys, *use])),
            exp.alias_(exp.Literal.number(1), "__present", quoted=True),
        ).from_(table_reference(database, table, alias=None))
        if where_text:
            import sqlglot

            inner = inner.where(sqlglot.parse_one(where_text, read="athena"))
        return exp.Subquery(this=inner, alias=exp.TableAlias(this=identifier(alias)))

    def col(alias: str, name: str) -> exp.Column:
        return exp.Column(this=identifier(name), table=identifier(alias))

    # Null keys match each other, as two copies of one table must diff to nothing.
    on = exp.and_(*(exp.NullSafeEQ(this=col("a", k), expression=col("b", k)) for k in keys))
    both = exp.and_(
        exp.Not(this=exp.Is(this=col("a", "__present"), expression=exp.Null())),
        exp.Not(this=exp.Is(this=col("b", "__present"), expression=exp.Null())),
    )
    same = [exp.NullSafeEQ(this=col("a", n), expression=col("b", n)) for n in use]
    changed = exp.and_(both, exp.Not(this=exp.and_(*same))) if same else exp.false()
    select = exp.select(
        exp.alias_(exp.func("count_if", exp.Is(this=col("b", "__present"), expression=exp.Null())), "removed",
                   quoted=True),
        exp.alias_(exp.func("count_if", exp.Is(this=col("a", "__present"), expression=exp.Null())), "added",
                   quoted=True),
        exp.alias_(exp.func("count_if", changed), "changed", quoted=True),
        exp.alias_(exp.func("count", exp.Star()), "total", quoted=True),
    ).from_(side(plan.shape.database, plan.shape.table, "a")).join(
        side(database2, name2, "b"), on=on, join_type="FULL OUTER"
    )  # fmt: skip

    def judge(rows: Sequence[Mapping[str, Any]]) -> Verdict:
        row = rows[0] if rows else {}
        removed, added, changed_rows = _int(row.get("removed")), _int(row.get("added")), _int(row.get("changed"))
        total = _int(row.get("total"))
        diff = removed + added + changed_rows
        ok = diff <= threshold
        return Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found {diff} different rows against {table2} ({removed} removed, {added} added, {changed_rows} "
            f"changed on {', '.join(use) or 'keys only'}); the threshold is {threshold}.",
            (
                ("removedRows", str(removed)),
                ("addedRows", str(added)),
                ("changedRows", str(changed_rows)),
                ("diffCount", str(diff)),
            ),
            passed_rows=total - diff,
            failed_rows=diff,
        )

    plan.own_queries[test.fqn] = OwnQuery(select.sql(dialect="athena"), judge)


def _as_double(ref: exp.Expr) -> exp.Expr:
    return exp.cast(ref, exp.DataType.build("DOUBLE"))


def _literal(column: ProfiledColumn, value: str) -> exp.Expr:
    """A set member as the literal the column compares with (numbers unquoted, anything else as a string)."""
    if column.kind is ColumnKind.NUMERIC:
        try:
            float(value)
        except ValueError:
            raise ParameterError(f"value {value!r} is not a number but column {column.name} is numeric") from None
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def _as_text(column: ProfiledColumn, ref: exp.Expr) -> exp.Expr:
    return ref if column.kind is ColumnKind.STRING else exp.cast(ref, exp.DataType.build("VARCHAR"))


def _compile_column_test(plan: TableTestPlan, test: QualityTestCase, column: ProfiledColumn) -> None:
    fqn, definition = test.fqn, test.definition
    ref = column_reference(column.path)
    row_count = _row_count(plan, fqn)
    values = _add(plan, fqn, "valueCount", exp.func("count", ref.copy()))

    def failing(condition: exp.Expr) -> str:
        return _add(plan, fqn, "failed", exp.func("count_if", condition))

    def rows_verdict(ok: bool, sentence: str, measured: tuple[tuple[str, str], ...], total: int, bad: int) -> Verdict:
        return Verdict(
            Status.SUCCESS if ok else Status.FAILED, sentence, measured, passed_rows=total - bad, failed_rows=bad
        )

    if definition == "columnValuesToBeNotNull":
        nulls = failing(exp.Is(this=ref.copy(), expression=exp.Null()))

        def judge_not_null(m: Mapping[str, Any]) -> Verdict:
            count, total = _int(m.get(nulls)), _int(m.get(row_count))
            return rows_verdict(
                count == 0, f"Found nullCount={count}. It should be 0", (("nullCount", str(count)),), total, count
            )

        plan.judges[fqn] = judge_not_null
    elif definition == "columnValuesToBeUnique":
        if column.kind not in (ColumnKind.NUMERIC, ColumnKind.STRING, ColumnKind.TEMPORAL, ColumnKind.BOOLEAN):
            plan.verdicts[fqn] = aborted(f"{definition}: column {column.name} ({column.data_type.value}) cannot be "
                                         "grouped for an exact uniqueness count")  # fmt: skip
            return
        plan.unique_tests[fqn] = column.name
    elif definition == "columnValuesToBeBetween":
        if column.kind is not ColumnKind.NUMERIC:
            plan.verdicts[fqn] = aborted(
                f"{definition}: column {column.name} is {column.data_type.value}; athena-om compares numeric columns"
            )
            return
        low, high = _float_param(test, "minValue"), _float_param(test, "maxValue")
        low_alias = _add(plan, fqn, "min", exp.func("min", ref.copy()))
        high_alias = _add(plan, fqn, "max", exp.func("max", ref.copy()))
        outside: list[exp.Expr] = []
        if low is not None:
            outside.append(exp.LT(this=ref.copy(), expression=exp.Literal.number(low)))
        if high is not None:
            outside.append(exp.GT(this=ref.copy(), expression=exp.Literal.number(high)))
        bad_alias = failing(exp.or_(*outside)) if outside else None

        def judge_between(m: Mapping[str, Any]) -> Verdict:
            lowest, highest = _number(m.get(low_alias)), _number(m.get(high_alias))
            bad = _int(m.get(bad_alias)) if bad_alias else 0
            ok = lowest is None or (_within(lowest, low, high) and _within(highest, low, high))
            return rows_verdict(
                ok,
                f"Found min={_show(lowest)}, max={_show(highest)} vs. the expected min={_show(low)}, "
                f"max={_show(high)}.",
                (("min", _show(lowest)), ("max", _show(highest))),
                _int(m.get(row_count)),
                bad,
            )

        plan.judges[fqn] = judge_between
    elif definition in ("columnValuesToMatchRegex", "columnValuesToNotMatchRegex"):
        matching = definition == "columnValuesToMatchRegex"
        pattern = _text_param(test, "regex" if matching else "forbiddenRegex")
        like = exp.func("regexp_like", _as_text(column, ref.copy()), exp.Literal.string(pattern))
        like_alias = _add(plan, fqn, "like", exp.func("count_if", like))

        def judge_regex(m: Mapping[str, Any]) -> Verdict:
            count, value_count, total = _int(m.get(like_alias)), _int(m.get(values)), _int(m.get(row_count))
            if matching:
                bad = value_count - count
                return rows_verdict(
                    bad == 0,
                    f"Found likeCount={count} & valueCount={value_count} vs. {pattern}. They should be equal.",
                    (("likeCount", str(count)),),
                    total,
                    bad,
                )
            return rows_verdict(
                count == 0,
                f"Found {count} value(s) matching the forbidden regex {pattern}. It should be 0.",
                (("notLikeCount", str(count)),),
                total,
                count,
            )

        plan.judges[fqn] = judge_regex
    elif definition in ("columnValuesToBeInSet", "columnValuesToBeNotInSet"):
        allowed = definition == "columnValuesToBeInSet"
        members = _list_param(test, "allowedValues" if allowed else "forbiddenValues")
        match_enum = allowed and _bool_param(test, "matchEnum")
        in_set = exp.In(this=ref.copy(), expressions=[_literal(column, v) for v in members])
        in_alias = _add(plan, fqn, "inSet", exp.func("count_if", in_set))

        def judge_set(m: Mapping[str, Any]) -> Verdict:
            count, value_count, total = _int(m.get(in_alias)), _int(m.get(values)), _int(m.get(row_count))
            if not allowed:
                return rows_verdict(
                    count == 0,
                    f"Found countInSet={count}. It should be 0",
                    (("countForbiddenValues", str(count)),),
                    total,
                    count,
                )
            if match_enum:
                bad = value_count - count
                return rows_verdict(
                    bad == 0,
                    f"Found {bad} value(s) of {value_count} outside the allowed values {members} (matchEnum).",
                    (("allowedValueCount", str(count)),),
                    total,
                    bad,
                )
            return Verdict(
                Status.SUCCESS if count > 0 else Status.FAILED,
                f"Found countInSet={count} of the allowed values {members}.",
                (("allowedValueCount", str(count)),),
                passed_rows=count,
                failed_rows=total - count,
            )

        plan.judges[fqn] = judge_set
    elif definition == "columnValueLengthsToBeBetween":
        if column.kind not in (ColumnKind.STRING, ColumnKind.COLLECTION):
            plan.verdicts[fqn] = aborted(f"{definition}: column {column.name} is {column.data_type.value}, "
                                         "not a string")  # fmt: skip
            return
        low, high = _float_param(test, "minLength"), _float_param(test, "maxLength")
        length = exp.func("length", ref.copy())
        min_alias = _add(plan, fqn, "minLength", exp.func("min", length))
        max_alias = _add(plan, fqn, "maxLength", exp.func("max", length.copy()))
        outside = []
        if low is not None:
            outside.append(exp.LT(this=length.copy(), expression=exp.Literal.number(low)))
        if high is not None:
            outside.append(exp.GT(this=length.copy(), expression=exp.Literal.number(high)))
        bad_alias = failing(exp.or_(*outside)) if outside else None

        def judge_lengths(m: Mapping[str, Any]) -> Verdict:
            shortest, longest = _number(m.get(min_alias)), _number(m.get(max_alias))
            ok = shortest is None or (_within(shortest, low, high) and _within(longest, low, high))
            return rows_verdict(
                ok,
                f"Found minLength={_show(shortest)}, maxLength={_show(longest)} vs. the expected "
                f"minLength={_show(low)}, maxLength={_show(high)}.",
                (("minValueLength", _show(shortest)), ("maxValueLength", _show(longest))),
                _int(m.get(row_count)),
                _int(m.get(bad_alias)) if bad_alias else 0,
            )

        plan.judges[fqn] = judge_lengths
    elif definition == "columnValuesMissingCount":
        expected = _int_param(test, "missingCountValue", required=True)
        markers = _list_param(test, "missingValueMatch", required=False)
        condition: exp.Expr = exp.Is(this=ref.copy(), expression=exp.Null())
        if markers:
            condition = exp.or_(condition, exp.In(this=_as_text(column, ref.copy()),
                                                  expressions=[exp.Literal.string(v) for v in markers]))  # fmt: skip
        missing_alias = _add(plan, fqn, "missing", exp.func("count_if", condition))

        def judge_missing(m: Mapping[str, Any]) -> Verdict:
            count = _int(m.get(missing_alias))
            return Verdict(
                Status.SUCCESS if count == expected else Status.FAILED,
                f"Found missingCount={count}. It should be {expected}.",
                (("missingCount", str(count)),),
            )

        plan.judges[fqn] = judge_missing
    elif definition in _STATISTIC_TESTS:
        _compile_statistic(plan, test, column, ref)


def _compile_statistic(plan: TableTestPlan, test: QualityTestCase, column: ProfiledColumn, ref: exp.Expr) -> None:
    kind, value_name, low_name, high_name = _STATISTIC_TESTS[test.definition]
    temporal_ok = kind in ("min", "max") and column.kind is ColumnKind.TEMPORAL
    if column.kind is not ColumnKind.NUMERIC and not temporal_ok:
        plan.verdicts[test.fqn] = aborted(
            f"{test.definition}: column {column.name} is {column.data_type.value}, not numeric"
        )
        return
    if temporal_ok:
        plan.verdicts[test.fqn] = aborted(
            f"{test.definition}: column {column.name} is {column.data_type.value}; athena-om compares numeric bounds"
        )
        return
    low, high = _float_param(test, low_name), _float_param(test, high_name)
    aggregate = {
        "min": lambda: exp.func("min", ref.copy()),
        "max": lambda: exp.func("max", ref.copy()),
        "mean": lambda: exp.func("avg", _as_double(ref.copy())),
        "median": lambda: exp.func("approx_percentile", _as_double(ref.copy()), exp.Literal.number(0.5)),
        "stddev": lambda: exp.func("stddev_pop", _as_double(ref.copy())),
        "sum": lambda: exp.func("sum", _as_double(ref.copy())),
    }[kind]()
    alias = _add(plan, test.fqn, kind, aggregate)

    def judge(m: Mapping[str, Any]) -> Verdict:
        value = _number(m.get(alias))
        ok = _within(value, low, high)
        return Verdict(
            Status.SUCCESS if ok else Status.FAILED,
            f"Found {value_name}={_show(value)} vs. the expected {low_name}={_show(low)}, {high_name}={_show(high)}.",
            ((value_name, _show(value)),),
        )

    plan.judges[test.fqn] = judge


__all__ = [
    "COLUMN_DEFINITIONS",
    "SUPPORTED_DEFINITIONS",
    "TABLE_ALIAS",
    "TABLE_DEFINITIONS",
    "OwnQuery",
    "QualityTestCase",
    "Status",
    "TableLookup",
    "TableShape",
    "TableTestPlan",
    "Verdict",
    "compile_table_tests",
    "inserted_since",
]
