"""Table and column lineage from a day's writing queries and from every view's definition."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from athena_om.mapping.fqn import column_fqn
from athena_om.mapping.lineage_details import merge_lineage_details
from athena_om.mapping.sql_lineage import (
    ColumnEdge,
    ParsedQuery,
    ParseFailure,
    StatementKind,
    parse_query,
)
from athena_om.openmetadata.batches import (
    AddLineage,
    SyncBatch,
)
from athena_om.openmetadata.models import ColumnLineage, LineageDetails, LineageSource
from athena_om.sync.query_log import DEFAULT_PARSE_TIMEOUT_S, MAX_REPORTED, QueryLogDay
from athena_om.sync.snapshot import CatalogSnapshot, CatalogTable

LINEAGE_KINDS = frozenset(
    {
        StatementKind.CTAS,
        StatementKind.INSERT,
        StatementKind.MERGE,
        StatementKind.CREATE_VIEW,
        StatementKind.UPDATE,
        StatementKind.DELETE,
    }
)


@dataclass
class LineagePlan:
    """Edges by (source FQN, target FQN), merged across the day's queries, with what was skipped and why."""

    edges: dict[tuple[str, str], LineageDetails] = field(default_factory=dict)
    queries_with_lineage: int = 0
    skipped: list[str] = field(default_factory=list)
    skipped_columns: int = 0

    def add(self, from_fqn: str, to_fqn: str, details: LineageDetails) -> None:
        key = (from_fqn, to_fqn)
        self.edges[key] = merge_lineage_details(self.edges.get(key), details)


def _column_fqn_of(table: CatalogTable, column: str) -> str | None:
    fqn = column_fqn(table.fqn, *column.split("."))
    return fqn if fqn in table.column_fqns else None


def _columns_lineage(
    edges: Iterable[ColumnEdge], source: CatalogTable, target: CatalogTable, plan: LineagePlan
) -> list[ColumnLineage]:
    lineage = []
    for edge in edges:
        to_column = _column_fqn_of(target, edge.target_column)
        from_columns = sorted(
            {
                fqn
                for table, column in edge.source_columns
                if table == source.name and (fqn := _column_fqn_of(source, column)) is not None
            }
        )
        wanted = sum(1 for table, _ in edge.source_columns if table == source.name)
        if to_column is None or len(from_columns) < wanted:
            plan.skipped_columns += 1
        if to_column is not None and from_columns:
            lineage.append(ColumnLineage(fromColumns=from_columns, toColumn=to_column, function=edge.function))
    return lineage


def add_parsed_lineage(
    plan: LineagePlan,
    label: str,
    sql: str,
    parsed: ParsedQuery,
    snapshot: CatalogSnapshot,
    source: LineageSource,
) -> None:
    """Edges from every known source table to the statement's target; unknown tables are reported."""
    if parsed.target_table is None:
        return
    target = snapshot.get(parsed.target_table)
    if target is None:
        plan.skipped.append(f"{label}: target {parsed.target_table} is not in OpenMetadata")
        return
    wrote = False
    for name in sorted(parsed.source_tables):
        if name == parsed.target_table:
            continue  # an UPDATE reading its own table is not lineage
        table = snapshot.get(name)
        if table is None:
            plan.skipped.append(f"{label}: source {name} is not in OpenMetadata")
            continue
        columns = _columns_lineage(parsed.column_lineage, table, target, plan)
        plan.add(table.fqn, target.fqn, LineageDetails(sqlQuery=sql, source=source, columnsLineage=columns or None))
        wrote = True
    plan.queries_with_lineage += int(wrote)


def view_statement(view: CatalogTable) -> str | None:
    """The view's definition as a CREATE VIEW statement, so its outputs map onto the view's columns."""
    sql = (view.view_sql or "").strip().rstrip(";")
    if not sql:
        return None
    if re.match(r"(?is)^\s*create\s", sql):
        return sql
    quoted = ".".join(f'"{part}"' for part in (view.name.database, view.name.table))
    return f"CREATE OR REPLACE VIEW {quoted} AS\n{sql}"


def plan_lineage(
    log: QueryLogDay,
    snapshot: CatalogSnapshot,
    *,
    include_views: bool = True,
    timeout_s: float = DEFAULT_PARSE_TIMEOUT_S,
) -> SyncBatch:
    """Table and column lineage from the day's writing queries, plus every view's lineage from its definition."""
    plan = LineagePlan()
    unload_to_s3 = 0
    columns_given_up: list[str] = []
    for q, result in log.parsed_executions():
        if not isinstance(result, ParsedQuery):
            continue
        if result.statement_kind is StatementKind.UNLOAD:
            unload_to_s3 += 1  # writes S3 objects, not a table OpenMetadata knows
            continue
        if result.statement_kind in LINEAGE_KINDS:
            add_parsed_lineage(plan, f"query {q.query_id}", q.query, result, snapshot, LineageSource.QUERY_LINEAGE)
            if result.column_lineage_skipped:
                # Table lineage is kept; only the column edges were given up (too large, or out of time).
                columns_given_up.append(f"query {q.query_id}: column lineage skipped: {result.column_lineage_skipped}")
    view_failures: list[str] = []
    views = [t for t in snapshot.tables.values() if t.is_view] if include_views else []
    schema = snapshot.schema() if views else {}
    for view in views:
        statement = view_statement(view)
        if statement is None:
            continue
        result = parse_query(statement, view.name.database, view.name.catalog, schema, timeout_s)
        if isinstance(result, ParseFailure):
            view_failures.append(f"view {view.fqn}: {result.reason}")
            continue
        result.target_table = view.name  # a stored definition always defines this view
        add_parsed_lineage(plan, f"view {view.fqn}", statement, result, snapshot, LineageSource.VIEW_LINEAGE)

    batch = SyncBatch()
    batch.known_table_ids.update(snapshot.table_ids())
    for (from_fqn, to_fqn), details in sorted(plan.edges.items()):
        batch.add(AddLineage(from_fqn=from_fqn, to_fqn=to_fqn, details=details))
    failures = log.parse_failures()
    problems = [f"query {qid}: could not parse: {reason}" for qid, reason in failures] + view_failures
    batch.warnings += (problems + columns_given_up + plan.skipped)[:MAX_REPORTED]
    batch.metadata.update(
        {
            "queries_parsed": len(log.parsed) - len(failures),
            "queries_failed_to_parse": len(failures),
            "queries_with_lineage": plan.queries_with_lineage,
            "edges_planned": len(plan.edges),
            "column_edges_planned": sum(len(d.columnsLineage or []) for d in plan.edges.values()),
            "column_edges_skipped": plan.skipped_columns,
            "queries_column_lineage_given_up": len(columns_given_up),
            "tables_not_in_openmetadata": len(plan.skipped),
            "views_analysed": len(views),
            "views_failed_to_parse": len(view_failures),
            "unload_to_s3": unload_to_s3,
        }
    )
    return batch
