"""Compiled data-quality SQL runs in the sandbox's Athena engine; each verdict matches values computed here."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from athena_om.mapping.quality_sql import (
    QualityTestCase,
    Status,
    TableLookup,
    TableShape,
    TableTestPlan,
    Verdict,
    compile_table_tests,
    inserted_since,
)
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine

TABLE = "svc.default.dq.orders"
COLUMNS = (
    ("id", "int"),
    ("amount", "double"),
    ("name", "string"),
    ("status", "string"),
    ("created", "date"),
)
ROWS: list[tuple[Any, ...]] = [
    (1, 10.0, "alpha", "open", date(2026, 11, 29)),
    (2, 20.5, "beta", "closed", date(2026, 11, 30)),
    (3, 30.0, None, "open", date(2026, 11, 1)),
    (3, 45.0, "gamma-long", "NA", date(2026, 10, 15)),
    (5, None, "de", "open", date(2026, 11, 30)),
]
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
AMOUNTS = [r[1] for r in ROWS if r[1] is not None]
NAMES = [r[2] for r in ROWS if r[2] is not None]


@pytest.fixture(scope="module")
def engine() -> Iterator[AthenaSqlEngine]:
    engine = AthenaSqlEngine()
    engine.create_table_for_glue("dq", "orders", COLUMNS)
    engine.insert_rows("dq", "orders", ROWS)
    engine.create_table_for_glue("dq", "orders_copy", COLUMNS)
    engine.insert_rows("dq", "orders_copy", [ROWS[0], (2, 99.0, "beta", "closed", date(2026, 11, 30)), ROWS[4]])
    yield engine
    engine.close()


def _case(name: str, definition: str, column: str | None = None, **parameters: Any) -> QualityTestCase:
    entity = f"{TABLE}.{column}" if column else TABLE
    params = tuple((k, str(v)) for k, v in parameters.items())
    return QualityTestCase(f"{entity}.{name}", name, definition, TABLE, column, params)


def _lookup(fqn: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | str:
    return ("dq", fqn.split(".")[-1], COLUMNS) if fqn.startswith("svc.default.dq.") else f"unknown table {fqn}"


def run(engine: AthenaSqlEngine, cases: list[QualityTestCase]) -> tuple[dict[str, Verdict], int]:
    """Compile, run every query in the engine, judge; (verdicts by test name, number of queries)."""
    plan: TableTestPlan = compile_table_tests(
        TableShape("dq", "orders", COLUMNS), cases, now=NOW, lookup=TableLookup(_lookup)
    )
    queries = 0
    measured: dict[str, Any] = {}
    aggregate = plan.aggregate_query()
    if aggregate is not None:
        result = engine.execute(aggregate.sql(dialect="athena"))
        measured = dict(zip(result.column_names, result.rows[0], strict=True))
        queries += 1
    exact: dict[str, tuple[int, int]] = {}
    unique = plan.uniqueness_query()
    if unique is not None:
        result = engine.execute(unique[0].sql(dialect="athena"))
        queries += 1
        for row in result.rows:
            record = dict(zip(result.column_names, row, strict=True))
            exact[unique[1][int(record["set_index"])]] = (int(record["distinct_count"]), int(record["unique_count"]))
    verdicts: dict[str, Verdict] = dict(plan.verdicts)
    for fqn, judge in plan.judges.items():
        verdicts[fqn] = judge(measured)
    for fqn in plan.unique_tests:
        verdicts[fqn] = plan.judge_unique(fqn, measured, exact)
    for fqn, own in plan.own_queries.items():
        result = engine.execute(own.sql)
        queries += 1
        verdicts[fqn] = own.judge([dict(zip(result.column_names, row, strict=True)) for row in result.rows])
    return {fqn.rsplit(".", 1)[-1]: v for fqn, v in verdicts.items()}, queries


def _value(verdict: Verdict, name: str) -> str:
    return dict(verdict.values)[name]


def test_every_definition_passes_and_fails_with_independently_computed_values(engine: AthenaSqlEngine) -> None:
    n = len(ROWS)
    nulls_in_name = sum(r[2] is None for r in ROWS)
    ids = [r[0] for r in ROWS]
    unique_ids = sum(1 for i in set(ids) if ids.count(i) == 1)
    in_set = sum(r[3] in ("open", "closed") for r in ROWS)
    regex_hits = sum(bool(re.search("^[a-z]+$", v)) for v in NAMES)
    since = inserted_since(NOW, "DAY", 1)
    inserted = sum(r[4] >= since.date() for r in ROWS)
    cases = [
        _case("rows_ok", "tableRowCountToBeBetween", minValue=1, maxValue=n),
        _case("rows_bad", "tableRowCountToBeBetween", minValue=n + 1),
        _case("rows_eq_ok", "tableRowCountToEqual", value=n),
        _case("rows_eq_bad", "tableRowCountToEqual", value=n - 1),
        _case("cols_ok", "tableColumnCountToBeBetween", minColValue=5, maxColValue=5),
        _case("cols_bad", "tableColumnCountToBeBetween", maxColValue=4),
        _case("cols_eq_ok", "tableColumnCountToEqual", columnCount=5),
        _case("cols_eq_bad", "tableColumnCountToEqual", columnCount=6),
        _case("name_ok", "tableColumnNameToExist", columnName="status"),
        _case("name_bad", "tableColumnNameToExist", columnName="nope"),
        _case("set_ok", "tableColumnToMatchSet", columnNames="created,status,name,amount,id"),
        _case(
            "set_bad", "tableColumnToMatchSet", columnNames='["created","status","name","amount","id"]', ordered="true"
        ),
        _case("sql_ok", "tableCustomSQLQuery", sqlExpression='SELECT * FROM "dq"."orders" WHERE "id" > 100;'),
        _case("sql_bad", "tableCustomSQLQuery", sqlExpression='SELECT * FROM "dq"."orders" WHERE "id" = 3'),
        _case(
            "sql_count",
            "tableCustomSQLQuery",
            sqlExpression='SELECT count(*) FROM "dq"."orders"',
            strategy="COUNT",
            operator=">=",
            threshold=n,
        ),
        _case(
            "inserted_ok",
            "tableRowInsertedCountToBeBetween",
            columnName="created",
            rangeType="DAY",
            rangeInterval=1,
            min=inserted,
            max=inserted,
        ),
        _case(
            "inserted_bad",
            "tableRowInsertedCountToBeBetween",
            columnName="created",
            rangeType="DAY",
            rangeInterval=1,
            min=inserted + 1,
        ),
        _case("diff_ok", "tableDiff", table2="svc.default.dq.orders", keyColumns='["id","name"]'),
        _case(
            "diff_bad", "tableDiff", table2="svc.default.dq.orders_copy", keyColumns='["id"]', useColumns='["amount"]'
        ),
        _case("between_ok", "columnValuesToBeBetween", "amount", minValue=min(AMOUNTS), maxValue=max(AMOUNTS)),
        _case("between_bad", "columnValuesToBeBetween", "amount", maxValue=25),
        _case("notnull_ok", "columnValuesToBeNotNull", "id"),
        _case("notnull_bad", "columnValuesToBeNotNull", "name"),
        _case("unique_ok", "columnValuesToBeUnique", "name"),
        _case("unique_bad", "columnValuesToBeUnique", "id"),
        _case("regex_ok", "columnValuesToMatchRegex", "status", regex="^[a-zA-Z]+$"),
        _case("regex_bad", "columnValuesToMatchRegex", "name", regex="^[a-z]+$"),
        _case("notregex_ok", "columnValuesToNotMatchRegex", "name", forbiddenRegex="[0-9]"),
        _case("notregex_bad", "columnValuesToNotMatchRegex", "name", forbiddenRegex="-"),
        _case("inset_ok", "columnValuesToBeInSet", "status", allowedValues='["open","closed"]'),
        _case("inset_bad", "columnValuesToBeInSet", "status", allowedValues='["open","closed"]', matchEnum="true"),
        _case("notinset_ok", "columnValuesToBeNotInSet", "id", forbiddenValues='["7","8"]'),
        _case("notinset_bad", "columnValuesToBeNotInSet", "status", forbiddenValues='["NA"]'),
        _case("len_ok", "columnValueLengthsToBeBetween", "name", minLength=2, maxLength=10),
        _case("len_bad", "columnValueLengthsToBeBetween", "name", maxLength=5),
        _case("missing_ok", "columnValuesMissingCount", "status", missingCountValue=1, missingValueMatch="NA"),
        _case("missing_bad", "columnValuesMissingCount", "name", missingCountValue=0),
        _case("min_ok", "columnValueMinToBeBetween", "amount", minValueForMinInCol=min(AMOUNTS)),
        _case("min_bad", "columnValueMinToBeBetween", "amount", minValueForMinInCol=min(AMOUNTS) + 1),
        _case("max_ok", "columnValueMaxToBeBetween", "amount", maxValueForMaxInCol=max(AMOUNTS)),
        _case("max_bad", "columnValueMaxToBeBetween", "amount", maxValueForMaxInCol=max(AMOUNTS) - 1),
        _case(
            "mean_ok",
            "columnValueMeanToBeBetween",
            "amount",
            minValueForMeanInCol=statistics.mean(AMOUNTS) - 0.01,
            maxValueForMeanInCol=statistics.mean(AMOUNTS) + 0.01,
        ),
        _case("mean_bad", "columnValueMeanToBeBetween", "amount", maxValueForMeanInCol=1),
        _case(
            "median_ok",
            "columnValueMedianToBeBetween",
            "id",
            minValueForMedianInCol=statistics.median(ids),
            maxValueForMedianInCol=statistics.median(ids),
        ),
        _case("median_bad", "columnValueMedianToBeBetween", "id", minValueForMedianInCol=4),
        _case(
            "std_ok",
            "columnValueStdDevToBeBetween",
            "amount",
            maxValueForStdDevInCol=statistics.pstdev(AMOUNTS) + 0.001,
        ),
        _case("std_bad", "columnValueStdDevToBeBetween", "amount", minValueForStdDevInCol=100),
        _case(
            "sum_ok",
            "columnValuesSumToBeBetween",
            "amount",
            minValueForColSum=sum(AMOUNTS),
            maxValueForColSum=sum(AMOUNTS),
        ),
        _case("sum_bad", "columnValuesSumToBeBetween", "amount", maxValueForColSum=sum(AMOUNTS) - 1),
    ]
    verdicts, queries = run(engine, cases)
    assert queries == 2 + 5  # one aggregate, one uniqueness, five custom SQL / tableDiff queries
    for name, verdict in verdicts.items():
        assert verdict.status is (Status.SUCCESS if name.endswith(("_ok", "_count")) else Status.FAILED), (
            name,
            verdict,
        )
    assert _value(verdicts["rows_ok"], "rowCount") == str(n)
    assert _value(verdicts["notnull_bad"], "nullCount") == str(nulls_in_name)
    assert (verdicts["notnull_bad"].failed_rows, verdicts["notnull_bad"].passed_rows) == (nulls_in_name, n - 1)
    assert _value(verdicts["unique_bad"], "uniqueCount") == str(unique_ids)
    assert verdicts["unique_bad"].failed_rows == n - unique_ids
    assert _value(verdicts["inset_ok"], "allowedValueCount") == str(in_set)
    assert _value(verdicts["regex_bad"], "likeCount") == str(regex_hits)
    assert _value(verdicts["inserted_ok"], "rowCount") == str(inserted)
    assert _value(verdicts["sql_bad"], "resultRowCount") == "2"
    assert float(_value(verdicts["mean_ok"], "mean")) == pytest.approx(statistics.mean(AMOUNTS))
    assert float(_value(verdicts["std_ok"], "stddev")) == pytest.approx(statistics.pstdev(AMOUNTS), rel=1e-6)
    assert float(_value(verdicts["sum_ok"], "sum")) == pytest.approx(sum(AMOUNTS))
    assert float(_value(verdicts["between_bad"], "max")) == max(AMOUNTS)
    assert verdicts["between_bad"].failed_rows == sum(a > 25 for a in AMOUNTS)
    diff = dict(verdicts["diff_bad"].values)
    copy_ids = {1, 2, 5}
    assert int(diff["removedRows"]) == sum(1 for r in ROWS if r[0] not in copy_ids)
    assert int(diff["addedRows"]) == 0
    assert int(diff["changedRows"]) == 1  # id 2: 20.5 -> 99.0


def test_bad_input_is_aborted_with_a_named_reason(engine: AthenaSqlEngine) -> None:
    verdicts, _ = run(
        engine,
        [
            _case("unknown", "columnValuesToBeAtExpectedLocation", "id"),
            _case("missing_param", "tableRowCountToEqual"),
            _case("missing_column", "columnValuesToBeNotNull", "nope"),
            _case("bad_number", "columnValuesToBeBetween", "amount", minValue="ten"),
            _case("text_mean", "columnValueMeanToBeBetween", "name", maxValueForMeanInCol=1),
        ],
    )
    assert all(v.status is Status.ABORTED for v in verdicts.values())
    assert "is not one athena-om can run" in verdicts["unknown"].result
    assert "missing parameter value" in verdicts["missing_param"].result
    assert "column 'nope' does not exist" in verdicts["missing_column"].result
    assert "minValue='ten' is not a number" in verdicts["bad_number"].result
    assert "not numeric" in verdicts["text_mean"].result


def test_one_scan_per_table_shares_identical_aggregates() -> None:
    plan = compile_table_tests(
        TableShape("dq", "orders", COLUMNS),
        [
            _case("a", "tableRowCountToBeBetween", minValue=1),
            _case("b", "tableRowCountToEqual", value=5),
            _case("c", "columnValuesToBeNotNull", "id"),
        ],
        now=NOW,
    )
    query = plan.aggregate_query()
    assert query is not None
    sql = query.sql(dialect="athena")
    assert sql.count("COUNT(*)") == 1
    assert '"dq"."orders"' in sql


def test_inserted_window_starts_at_the_unit_boundary() -> None:
    assert inserted_since(NOW, "HOUR", 2) == datetime(2026, 11, 30, 10, 0)
    assert inserted_since(NOW, "MONTH", 1) == datetime(2026, 10, 1)
    assert inserted_since(datetime(2026, 1, 5, tzinfo=UTC), "MONTH", 1) == datetime(2025, 12, 1)
    assert inserted_since(NOW, "YEAR", 1) == datetime(2025, 1, 1)
