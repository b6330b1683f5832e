"""A day of Athena query history in, one OpenMetadata Query entity per distinct SQL text out.

Read and parse the days' queries once (``read_query_logs``); the usage and lineage planners take the same
``QueryLogDay``. Writes nothing itself (the IO manager does), so it is testable without Dagster.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from athena_om.athena.models import FINAL_STATES, QueryExecution
from athena_om.athena.query_history import list_enabled_workgroups, read_history
from athena_om.mapping.queries import query_cost_usd, query_to_create_request
from athena_om.mapping.self_issued import self_issued_patterns
from athena_om.mapping.sql_lineage import (
    DEFAULT_CATALOG,
    ParsedQuery,
    ParseFailure,
    TableName,
    is_self_issued,
    parse_query,
)
from athena_om.openmetadata.batches import (
    PutEntities,
    SyncBatch,
)
from athena_om.openmetadata.models import EntityReference
from athena_om.sync.settings import SyncSettings
from athena_om.sync.snapshot import CatalogSnapshot

DEFAULT_PARSE_TIMEOUT_S = 2.0
MAX_REPORTED = 50  # problems listed one by one in metadata; the rest are only counted


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
