"""Plan the query-log part of a sync: a day of Athena query history in, OpenMetadata write operations out.

Three steps, one per asset: read and parse the days' queries (``read_query_logs``), then plan Query entities
(``plan_query_entities``), daily usage with joins (``plan_usage``) and table/column lineage (``plan_lineage``).
Like ``catalog_sync`` it writes nothing itself (the IO manager does), so it is testable without Dagster.

Lineage and usage only name tables OpenMetadata already has: the catalog is read back from OpenMetadata once per
run (``read_catalog_snapshot``), which also gives the column lists that expand ``SELECT *``.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from athena_om.athena.models import QueryExecution
from athena_om.athena.query_history import list_enabled_workgroups, read_history
from athena_om.mapping.fqn import column_fqn, database_fqn, split_fqn
from athena_om.mapping.lineage_details import merge_lineage_details
from athena_om.mapping.queries import query_cost_usd, query_to_create_request
from athena_om.mapping.sql_lineage import (
    DEFAULT_CATALOG,
    DEFAULT_SELF_ISSUED_MARKERS,
    ColumnEdge,
    ParsedQuery,
    ParseFailure,
    StatementKind,
    TableName,
    is_self_issued,
    parse_query,
)
from athena_om.mapping.usage import TableJoinCounts, daily_table_usage, table_joins, table_joins_request
from athena_om.openmetadata.batches import (
    AddLineage,
    ComputePercentiles,
    PutEntities,
    PutTableJoins,
    ReportUsage,
    SyncBatch,
)
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import ColumnLineage, EntityReference, LineageDetails, LineageSource
from athena_om.settings import SyncSettings

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
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
DEFAULT_PARSE_TIMEOUT_S = 2.0
MAX_REPORTED = 50  # problems listed one by one in metadata; the rest are only counted


class CatalogNotSyncedError(Exception):
    """The OpenMetadata service the query log refers to does not exist yet."""


# ---------------------------------------------------------------------------------------------------------
# The catalog as OpenMetadata holds it
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogTable:
    """One OpenMetadata table: its FQN and id, column names (struct children dotted) and view SQL."""

    name: TableName
    fqn: str
    id: str
    columns: tuple[str, ...]
    column_fqns: frozenset[str]
    is_view: bool = False
    view_sql: str | None = None


@dataclass
class CatalogSnapshot:
    """The service's tables read back from OpenMetadata once per run, by Athena table name."""

    tables: dict[TableName, CatalogTable] = field(default_factory=dict)

    def get(self, name: TableName) -> CatalogTable | None:
        return self.tables.get(name)

    def fqn_of(self, name: TableName) -> str | None:
        table = self.tables.get(name)
        return table.fqn if table else None

    def schema(self) -> dict[TableName, list[str]]:
        """Column lists in the shape ``parse_query`` takes, to expand ``SELECT *``."""
        return {name: list(table.columns) for name, table in self.tables.items()}

    def table_ids(self) -> dict[str, str]:
        return {table.fqn: table.id for table in self.tables.values()}


def _flatten_columns(columns: Iterable[dict[str, Any]], prefix: str = "") -> Iterable[tuple[str, str | None]]:
    for column in columns:
        name = f"{prefix}{column['name']}"
        yield name, column.get("fullyQualifiedName")
        yield from _flatten_columns(column.get("children") or [], f"{name}.")


def catalog_table_from_entity(entity: dict[str, Any], catalog: str = DEFAULT_CATALOG) -> CatalogTable:
    """A CatalogTable from an OpenMetadata table listed with ``fields=columns,schemaDefinition``."""
    fqn = entity["fullyQualifiedName"]
    _service, _database, schema, table = split_fqn(fqn)
    flattened = list(_flatten_columns(entity.get("columns") or []))
    column_fqns = frozenset(given or column_fqn(fqn, *name.split(".")) for name, given in flattened)
    is_view = (entity.get("tableType") or "") in ("View", "MaterializedView", "SecureView")
    return CatalogTable(
        name=TableName(catalog, schema.lower(), table.lower()),
        fqn=fqn,
        id=entity["id"],
        columns=tuple(name.lower() for name, _ in flattened),
        column_fqns=column_fqns,
        is_view=is_view,
        view_sql=entity.get("schemaDefinition") if is_view else None,
    )


def read_catalog_snapshot(client: OpenMetadataClient, settings: SyncSettings) -> CatalogSnapshot:
    """Every table of the service with its columns: one listing per schema. Raises when the catalog is not synced."""
    if client.get_by_name("services/databaseServices", settings.service_name) is None:
        raise CatalogNotSyncedError(
            f"OpenMetadata has no database service {settings.service_name!r}: materialize athena_schemas and "
            "athena_tables first (the query log, usage and lineage refer to the tables they create)."
        )
    snapshot = CatalogSnapshot()
    db_fqn = database_fqn(settings.service_name, settings.database_name)
    for schema in client.list_all("databaseSchemas", params={"database": db_fqn}):
        for entity in client.list_all(
            "tables",
            params={"databaseSchema": schema["fullyQualifiedName"]},
            fields=["columns", "schemaDefinition"],
        ):
            table = catalog_table_from_entity(entity)
            snapshot.tables[table.name] = table
    return snapshot


# ---------------------------------------------------------------------------------------------------------
# A day's query log
# ---------------------------------------------------------------------------------------------------------


@dataclass
class QueryLogDay:
    """A day of query history as the downstream assets need it: picklable, no clients, no SQL trees."""

    day: date
    queries: list[QueryExecution] = field(default_factory=list)
    # Parse result of every successful query, by query id.
    parsed: dict[str, ParsedQuery | ParseFailure] = field(default_factory=dict)
    self_issued: int = 0
    not_finished: int = 0
    workgroups: list[str] = field(default_factory=list)
    read_errors: list[str] = field(default_factory=list)
    unprocessed_ids: list[str] = field(default_factory=list)
    parse_seconds: float = 0.0

    def succeeded(self) -> list[QueryExecution]:
        return [q for q in self.queries if q.succeeded]

    def parsed_executions(self) -> list[tuple[QueryExecution, ParsedQuery | ParseFailure]]:
        """(execution, parse result) of each successful query, the input of the usage mapping."""
        return [(q, self.parsed[q.query_id]) for q in self.queries if q.query_id in self.parsed]

    def parse_failures(self) -> list[tuple[str, str]]:
        """(query id, reason) of each successful query that could not be parsed."""
        return [(qid, r.reason) for qid, r in self.parsed.items() if isinstance(r, ParseFailure)]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """``[midnight, next midnight)`` in UTC; a day partition holds the queries submitted in it."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def self_issued_patterns(markers: Iterable[str] = ()) -> list[re.Pattern[str]]:
    """The default markers plus configured ones; a marker written as a whole comment (``/* x */``) is literal."""
    patterns = [re.compile(m) for m in DEFAULT_SELF_ISSUED_MARKERS]
    for marker in markers:
        text = marker.strip()
        if text.startswith("/*") and text.endswith("*/"):
            patterns.append(re.compile("^" + re.escape(text[2:-2].strip()) + r"(?:\s|$)"))
        elif text:
            patterns.append(re.compile(text))
    return patterns


def parse_executions(
    queries: Sequence[QueryExecution],
    schema: dict[TableName, list[str]],
    *,
    timeout_s: float = DEFAULT_PARSE_TIMEOUT_S,
) -> dict[str, ParsedQuery | ParseFailure]:
    """Parse every successful query with column lineage; never raises (failures are values)."""
    return {
        q.query_id: parse_query(q.query, q.database, q.catalog or DEFAULT_CATALOG, schema, timeout_s)
        for q in queries
        if q.succeeded
    }


def read_query_logs(
    athena: Any,
    days: Sequence[date],
    settings: SyncSettings,
    schema: dict[TableName, list[str]],
    *,
    workgroups: Sequence[str] | None = None,
    timeout_s: float = DEFAULT_PARSE_TIMEOUT_S,
) -> list[QueryLogDay]:
    """The queries submitted on each of ``days`` in the configured (or every enabled) workgroup, parsed.

    The history is read once for the whole range (Athena lists newest first, so reading an old day alone pages
    through every newer query). Self-issued queries (athena-om's and dbt's, by their leading comment) are
    dropped; queries still running are counted and dropped (a later run picks them up); FAILED and CANCELLED
    ones are kept but never parsed.
    """
    names = list(workgroups or settings.usage_workgroups or list_enabled_workgroups(athena))
    ordered = sorted(set(days))
    if not ordered:
        return []
    history = read_history(athena, names, start=day_bounds(ordered[0])[0], end=day_bounds(ordered[-1])[1])
    patterns = self_issued_patterns(settings.self_issued_markers)
    logs = {
        day: QueryLogDay(day=day, workgroups=names, read_errors=history.errors, unprocessed_ids=history.unprocessed)
        for day in ordered
    }
    for q in history.queries:
        log = logs.get(q.submitted_at.astimezone(UTC).date()) if q.submitted_at else None
        if log is None:
            continue
        if is_self_issued(q.query, patterns):
            log.self_issued += 1
        elif q.state not in FINAL_STATES:
            log.not_finished += 1
        else:
            log.queries.append(q)
    for log in logs.values():
        started = time.perf_counter()
        log.parsed = parse_executions(log.queries, schema, timeout_s=timeout_s)
        log.parse_seconds = time.perf_counter() - started
    return list(logs.values())


# ---------------------------------------------------------------------------------------------------------
# Query entities
# ---------------------------------------------------------------------------------------------------------


def tables_used(result: ParsedQuery | ParseFailure | None) -> set[TableName]:
    if not isinstance(result, ParsedQuery):
        return set()
    return set(result.source_tables) | ({result.target_table} if result.target_table else set())


def plan_query_entities(log: QueryLogDay, snapshot: CatalogSnapshot, settings: SyncSettings) -> SyncBatch:
    """One OpenMetadata Query per distinct SQL text of the day (OpenMetadata keeps query texts unique), with the
    tables its runs used, the latest run's duration and date, and the runs' data scanned and cost."""
    batch = SyncBatch(payloads={log.day.isoformat(): log})
    batch.known_table_ids.update(snapshot.table_ids())
    runs_by_text: dict[str, list[QueryExecution]] = {}
    for q in log.queries:
        runs_by_text.setdefault(q.query, []).append(q)
    requests = []
    unknown: Counter[str] = Counter()
    for runs in runs_by_text.values():
        results = [log.parsed.get(q.query_id) for q in runs]
        used_in = []
        for name in sorted(set().union(*(tables_used(result) for result in results))):
            table = snapshot.get(name)
            if table is None:
                unknown[str(name)] += 1
                continue
            used_in.append(EntityReference(id=table.id, type="table", fullyQualifiedName=table.fqn))
        parsed = [result for result in results if isinstance(result, ParsedQuery)]
        requests.append(
            query_to_create_request(
                runs,
                service_name=settings.service_name,
                used_in=used_in,
                price_per_tb_usd=settings.price_per_tb_usd,
                statement_kind=parsed[-1].statement_kind.value if parsed else None,
            )
        )
    batch.add(PutEntities("queries", requests))
    batch.warnings += log.read_errors
    if log.unprocessed_ids:
        batch.warnings.append(
            f"{len(log.unprocessed_ids)} queries could not be read (BatchGetQueryExecution left them "
            f"unprocessed twice): {', '.join(log.unprocessed_ids[:10])}"
        )
    if unknown:
        batch.warnings.append(
            f"{len(unknown)} tables named by the day's queries are not in OpenMetadata (not synced, filtered "
            f"out, or dropped): {', '.join(sorted(unknown)[:20])}"
        )
    batch.metadata.update(query_log_metadata(log, settings.price_per_tb_usd))
    batch.metadata["tables_not_in_openmetadata"] = len(unknown)
    return batch


def query_log_metadata(log: QueryLogDay, price_per_tb_usd: float) -> dict[str, Any]:
    """Counts a person reads in the Dagster UI for a day's query log (plain values)."""
    failures = log.parse_failures()
    parsed = sum(1 for r in log.parsed.values() if isinstance(r, ParsedQuery))
    scanned = sum(q.data_scanned_bytes or 0 for q in log.queries)
    metadata: dict[str, Any] = {
        "queries_read": len(log.queries),
        "queries_succeeded": len(log.succeeded()),
        "queries_failed_or_cancelled": sum(1 for q in log.queries if q.state in ("FAILED", "CANCELLED")),
        "queries_self_issued_excluded": log.self_issued,
        "queries_still_running": log.not_finished,
        "queries_parsed": parsed,
        "queries_failed_to_parse": len(failures),
        "parse_queries_per_second": round(len(log.parsed) / log.parse_seconds, 1) if log.parse_seconds else None,
        "data_scanned_bytes": scanned,
        "estimated_cost_usd": round(sum(query_cost_usd(q, price_per_tb_usd) for q in log.queries), 4),
        "workgroups": ", ".join(log.workgroups),
    }
    if failures:
        metadata["parse_failures"] = "\n".join(f"- `{qid}`: {reason}" for qid, reason in failures[:MAX_REPORTED])
    return metadata


# ---------------------------------------------------------------------------------------------------------
# Usage
# ---------------------------------------------------------------------------------------------------------


def _known_joins(joins: TableJoinCounts, table: CatalogTable, snapshot: CatalogSnapshot) -> TableJoinCounts:
    """Join counts without columns OpenMetadata does not have (it rejects the whole body otherwise)."""
    kept = TableJoinCounts(direct_table_joins=joins.direct_table_joins)
    for column, others in joins.column_joins.items():
        if column not in table.columns:
            continue
        for (other_table, other_column), count in others.items():
            other = snapshot.get(other_table)
            if other is not None and other_column in other.columns:
                kept.column_joins[column][(other_table, other_column)] = count
    return kept


def plan_usage(log: QueryLogDay, snapshot: CatalogSnapshot) -> SyncBatch:
    """The day's read count per table (POST: re-running replaces), percentiles, then frequently-joined tables."""
    batch = SyncBatch()
    batch.known_table_ids.update(snapshot.table_ids())
    day = log.day.isoformat()
    parsed = log.parsed_executions()
    counts = daily_table_usage(parsed)
    known = {name: n for name, n in counts.items() if snapshot.get(name) is not None}
    unknown = sorted(str(name) for name in counts if name not in known)
    for name, count in sorted(known.items()):
        batch.add(ReportUsage(table_fqn=snapshot.tables[name].fqn, date=day, count=count))
    if known:
        batch.add(ComputePercentiles(date=day))
    for name, joins in sorted(table_joins(parsed).items()):
        table = snapshot.get(name)
        if table is None:
            continue
        body = table_joins_request(log.day, name, _known_joins(joins, table, snapshot), snapshot.fqn_of)
        if body.columnJoins or body.directTableJoins:
            batch.add(PutTableJoins(table_fqn=table.fqn, joins=body))
    if unknown:
        batch.warnings.append(
            f"usage of {len(unknown)} tables not in OpenMetadata was not reported: {', '.join(unknown[:20])}"
        )
    top = sorted(known.items(), key=lambda item: (-item[1], str(item[0])))[:10]
    batch.metadata.update(
        {
            "tables_with_usage": len(known),
            "tables_not_in_openmetadata": len(unknown),
            "queries_counted": sum(1 for q, r in parsed if isinstance(r, ParsedQuery)),
            "table_joins_written": sum(1 for op in batch.operations if isinstance(op, PutTableJoins)),
            "top_tables": "| table | queries |\n|---|---|\n"
            + "\n".join(f"| `{snapshot.tables[name].fqn}` | {n} |" for name, n in top),
        }
    )
    return batch


# ---------------------------------------------------------------------------------------------------------
# Lineage
# ---------------------------------------------------------------------------------------------------------


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
    for q, result in log.parsed_executions():
        if not isinstance(result, ParsedQuery):
            continue
        if result.statement_kind is StatementKind.UNLOAD:
            unload_to_s3 += 1  # writes S3 objects, not a table OpenMetadata knows
            continue
        if result.statement_kind in LINEAGE_KINDS:
            add_parsed_lineage(plan, f"query {q.query_id}", q.query, result, snapshot, LineageSource.QUERY_LINEAGE)
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
    batch.warnings += (problems + plan.skipped)[:MAX_REPORTED]
    batch.metadata.update(
        {
            "queries_parsed": len(log.parsed) - len(failures),
            "queries_failed_to_parse": len(failures),
            "queries_with_lineage": plan.queries_with_lineage,
            "edges_planned": len(plan.edges),
            "column_edges_planned": sum(len(d.columnsLineage or []) for d in plan.edges.values()),
            "column_edges_skipped": plan.skipped_columns,
            "tables_not_in_openmetadata": len(plan.skipped),
            "views_analysed": len(views),
            "views_failed_to_parse": len(view_failures),
            "unload_to_s3": unload_to_s3,
        }
    )
    return batch
