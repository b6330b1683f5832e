"""Daily table usage and "frequently joined" counts from a day's parsed Athena queries. Pure code.

OpenMetadata computes usage percentiles on the server, so only raw daily counts are produced here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from athena_om.athena.models import QueryExecution
from athena_om.mapping.sql_lineage import ParsedQuery, ParseFailure, SourceColumn, TableName
from athena_om.openmetadata.models import ColumnJoins, JoinedWith, TableJoins, UsageRequest

ParsedExecution = tuple[QueryExecution, ParsedQuery | ParseFailure]


@dataclass
class TableJoinCounts:
    """How often one table was joined with others in a day: whole tables, and column by column."""

    direct_table_joins: Counter[TableName] = field(default_factory=Counter)
    # column of this table -> (other table, other column) -> number of queries joining them
    column_joins: dict[str, Counter[SourceColumn]] = field(default_factory=lambda: defaultdict(Counter))


def _counted(
    parsed: Iterable[ParsedExecution], exclude: Callable[[QueryExecution], bool] | None
) -> Iterable[tuple[QueryExecution, ParsedQuery]]:
    for execution, result in parsed:
        if not execution.succeeded or not isinstance(result, ParsedQuery):
            continue
        if exclude is not None and exclude(execution):
            continue
        yield execution, result


def daily_table_usage(
    parsed: Iterable[ParsedExecution], *, exclude: Callable[[QueryExecution], bool] | None = None
) -> dict[TableName, int]:
    """Number of successful queries that read each table (once per query; writes alone are not reads).

    ``exclude`` drops queries such as athena-om's own (``lambda q: is_self_issued(q.query)``).
    """
    counts: Counter[TableName] = Counter()
    for _, result in _counted(parsed, exclude):
        counts.update(result.source_tables)
    return dict(counts)


def table_joins(
    parsed: Iterable[ParsedExecution], *, exclude: Callable[[QueryExecution], bool] | None = None
) -> dict[TableName, TableJoinCounts]:
    """Per table, how many successful queries joined it with each other table and column."""
    joins: dict[TableName, TableJoinCounts] = defaultdict(TableJoinCounts)
    for _, result in _counted(parsed, exclude):
        table_pairs: set[tuple[TableName, TableName]] = set()
        column_pairs: set[tuple[SourceColumn, SourceColumn]] = set()
        for left, right in result.joins:
            column_pairs.add((left, right))
            column_pairs.add((right, left))
            if left[0] != right[0]:
                table_pairs.add((left[0], right[0]))
                table_pairs.add((right[0], left[0]))
        for (table, column), other in column_pairs:
            joins[table].column_joins[column][other] += 1
        for table, other_table in table_pairs:
            joins[table].direct_table_joins[other_table] += 1
    return dict(joins)


def usage_request(day: date, count: int) -> UsageRequest:
    """One table's usage count for one day, as ``PUT /api/v1/usage/table/{id}`` expects it."""
    return UsageRequest(date=day.isoformat(), count=count)


def table_joins_request(
    start_date: date,
    table: TableName,
    joins: TableJoinCounts,
    fqn_of: Callable[[TableName], str | None],
) -> TableJoins:
    """The ``TableJoins`` body for ``table``; joins with tables ``fqn_of`` cannot name are left out."""
    direct = [
        JoinedWith(fullyQualifiedName=fqn, joinCount=count)
        for other, count in joins.direct_table_joins.items()
        if other != table and (fqn := fqn_of(other)) is not None
    ]
    column_joins: list[ColumnJoins] = []
    for column in sorted(joins.column_joins):
        joined = [
            JoinedWith(fullyQualifiedName=f"{fqn}.{other_column}", joinCount=count)
            for (other_table, other_column), count in joins.column_joins[column].items()
            if (fqn := fqn_of(other_table)) is not None
        ]
        if joined:
            column_joins.append(ColumnJoins(columnName=column, joinedWith=_by_count(joined)))
    return TableJoins(
        startDate=start_date.isoformat(),
        dayCount=1,
        columnJoins=column_joins or None,
        directTableJoins=_by_count(direct) or None,
    )


def _by_count(joined: list[JoinedWith]) -> list[JoinedWith]:
    return sorted(joined, key=lambda j: (-j.joinCount, j.fullyQualifiedName))
