"""How ``parse_query`` bounds its work and what it keeps when it gives up (issue 8).

No test here reads the wall clock: time is a fake clock that advances only where a test says so, and size limits
are asserted through the structure of the result. Wall-time figures live in benchmarks/bench_lineage_parse.py.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import pytest

from athena_om.mapping import sql_lineage
from athena_om.mapping.sql_lineage import ParsedQuery, ParseFailure, TableName, parse_query

FROZEN: Callable[[], float] = lambda: 0.0  # noqa: E731  # a budget that never runs out


def t(database: str, table: str) -> TableName:
    return TableName("awsdatacatalog", database, table)


def union_insert(branches: int, tables: int = 50) -> str:
    return "INSERT INTO db.target (id, name) " + " UNION ALL ".join(
        f"SELECT id, name FROM db.t{i % tables}" for i in range(branches)
    )


class FakeClock:
    """Seconds that pass only when ``advance`` is called, or by ``step`` at every reading."""

    def __init__(self, step: float = 0.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


JOIN_INSERT = (
    "INSERT INTO db.target (id, name) SELECT a.id, b.name FROM db.a a JOIN db.b b ON a.id = b.id "
    "WHERE a.id IN (SELECT c.id FROM db.c c)"
)


def assert_tables_kept_without_columns(result: ParsedQuery | ParseFailure, reason: str) -> ParsedQuery:
    assert isinstance(result, ParsedQuery), result
    assert result.source_tables == {t("db", "a"), t("db", "b"), t("db", "c")}
    assert result.target_table == t("db", "target")
    assert result.column_lineage == []
    assert result.joins == []
    assert result.column_lineage_skipped is not None and reason in result.column_lineage_skipped
    assert any(w.startswith("column lineage skipped: ") and reason in w for w in result.warnings), result.warnings
    return result


def test_the_same_statement_has_column_lineage_when_nothing_gives_up() -> None:
    result = parse_query(JOIN_INSERT, "db", clock=FROZEN)
    assert isinstance(result, ParsedQuery)
    assert result.column_lineage_skipped is None
    assert {e.target_column for e in result.column_lineage} == {"id", "name"}
    assert result.joins == [((t("db", "a"), "id"), (t("db", "b"), "id"))]


# --- size bounds -----------------------------------------------------------------------------------------


def test_a_union_of_1500_branches_keeps_its_tables_and_gives_up_column_lineage() -> None:
    result = parse_query(union_insert(1_500), "db", clock=FROZEN)

    assert isinstance(result, ParsedQuery), result
    assert result.source_tables == {t("db", f"t{i}") for i in range(50)}
    assert result.target_table == t("db", "target")
    assert result.column_lineage == []
    assert result.column_lineage_skipped == (
        "the statement has 2,999 query blocks (SELECTs, set operations and joins), over the limit of 500; "
        "tables were read without scope analysis"
    )
    assert f"column lineage skipped: {result.column_lineage_skipped}" in result.warnings


def test_a_union_at_the_block_limit_still_gets_column_lineage() -> None:
    result = parse_query(union_insert(250), "db", clock=FROZEN)  # 250 SELECTs + 249 UNION ALL = 499 blocks
    assert isinstance(result, ParsedQuery), result
    assert result.column_lineage_skipped is None
    by_target = {e.target_column: e.source_columns for e in result.column_lineage}
    assert by_target["id"] == {(t("db", f"t{i}"), "id") for i in range(50)}


def test_too_many_syntax_nodes_gives_up_column_lineage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_lineage, "MAX_LINEAGE_NODES", 20)
    result = assert_tables_kept_without_columns(parse_query(JOIN_INSERT, "db", clock=FROZEN), "syntax nodes")
    assert "over the limit of 20" in (result.column_lineage_skipped or "")


def test_tables_read_without_scope_analysis_skip_cte_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_lineage, "MAX_LINEAGE_BLOCKS", 1)
    sql = (
        "INSERT INTO db.target WITH recent AS (SELECT id FROM db.orders), other AS (SELECT id FROM recent) "
        "SELECT r.id FROM recent r JOIN other o ON r.id = o.id JOIN db.recent x ON x.id = r.id"
    )
    result = parse_query(sql, "db", clock=FROZEN)
    assert isinstance(result, ParsedQuery), result
    # `recent` and `other` are CTEs; `db.recent` is qualified, so it is the table.
    assert result.source_tables == {t("db", "orders"), t("db", "recent")}
    assert result.column_lineage_skipped is not None and "query blocks" in result.column_lineage_skipped


# --- RecursionError ----------------------------------------------------------------------------------------


def test_recursion_error_in_column_tracing_keeps_table_lineage(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(sql_lineage._ColumnTracer, "_trace_output", too_deep)
    assert_tables_kept_without_columns(parse_query(JOIN_INSERT, "db", clock=FROZEN), "nested too deeply")


def test_recursion_error_in_table_qualification_reads_tables_by_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(sql_lineage, "qualify_tables", too_deep)
    result = assert_tables_kept_without_columns(parse_query(JOIN_INSERT, "db", clock=FROZEN), "nested too deeply")
    assert "qualify its tables" in (result.column_lineage_skipped or "")


def test_union_branches_are_traced_without_recursing_once_per_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A UNION ALL of n SELECTs is n - 1 nested set operations; tracing must not need a frame per level."""
    trace = sql_lineage._ColumnTracer._column_edges

    def with_a_short_stack(self: Any, *args: Any) -> Any:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(len(inspect.stack()) + 100)
        try:
            return trace(self, *args)
        finally:
            sys.setrecursionlimit(limit)

    monkeypatch.setattr(sql_lineage._ColumnTracer, "_column_edges", with_a_short_stack)
    result = parse_query(union_insert(150, tables=150), "db", clock=FROZEN)
    assert isinstance(result, ParsedQuery), result
    assert result.column_lineage_skipped is None
    by_target = {e.target_column: e.source_columns for e in result.column_lineage}
    assert by_target["name"] == {(t("db", f"t{i}"), "name") for i in range(150)}


# --- time budget -------------------------------------------------------------------------------------------


def test_running_out_of_time_while_qualifying_columns_keeps_table_lineage(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    qualify = sql_lineage.qualify_columns

    def slow_qualify(*args: Any, **kwargs: Any) -> Any:
        clock.advance(5.0)
        return qualify(*args, **kwargs)

    monkeypatch.setattr(sql_lineage, "qualify_columns", slow_qualify)
    result = assert_tables_kept_without_columns(
        parse_query(JOIN_INSERT, "db", timeout_s=2.0, clock=clock), "ran out of time while qualifying columns"
    )
    assert result.column_lineage_skipped == "ran out of time while qualifying columns (limit 2.0s)"


def test_running_out_of_time_after_resolving_tables_keeps_them(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    resolve = sql_lineage._qualified_tables

    def slow_resolve(*args: Any, **kwargs: Any) -> Any:
        clock.advance(5.0)
        return resolve(*args, **kwargs)

    monkeypatch.setattr(sql_lineage, "_qualified_tables", slow_resolve)
    assert_tables_kept_without_columns(
        parse_query(JOIN_INSERT, "db", timeout_s=2.0, clock=clock), "ran out of time while resolving tables"
    )


def test_running_out_of_time_before_the_tables_are_known_is_a_failure() -> None:
    clock = FakeClock(step=1.0)  # every reading is a second later: the first check, after tokenizing, fails
    result = parse_query(JOIN_INSERT, "db", timeout_s=0.5, clock=clock)
    assert result == ParseFailure(
        "gave up after 2.00s while tokenizing (limit 0.5s); "
        "the statement is too complex to analyse within the time limit"
    )


def test_running_out_of_time_while_normalizing_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    normalize = sql_lineage.normalize_identifiers

    def slow_normalize(*args: Any, **kwargs: Any) -> Any:
        clock.advance(5.0)
        return normalize(*args, **kwargs)

    monkeypatch.setattr(sql_lineage, "normalize_identifiers", slow_normalize)
    result = parse_query(JOIN_INSERT, "db", timeout_s=2.0, clock=clock)
    assert isinstance(result, ParseFailure)
    assert "while normalizing identifiers" in result.reason


def test_the_budget_is_checked_while_parsing_not_only_after() -> None:
    # A second passes at every reading. Checked only after tokenizing, parsing and later phases, this statement
    # (too big for scope analysis, so nothing more is checked) would finish in 3 readings, under the 5 s limit;
    # its 10,000-odd tokens give the parser about ten checks, and the fifth gives up.
    clock = FakeClock(step=1.0)
    result = parse_query(union_insert(1_000), "db", timeout_s=5.0, clock=clock)
    assert isinstance(result, ParseFailure), result
    assert "while parsing (limit 5.0s)" in result.reason
