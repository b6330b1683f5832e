"""A day of Athena query history in, one OpenMetadata Query entity per distinct SQL text out.

Read and parse the days' queries once (``read_query_logs``); the usage and lineage planners take the same
``QueryLogDay``. Writes nothing itself (the IO manager does), so it is testable without Dagster.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from athena_om.athena.models import FINAL_STATES, QueryExecution
from athena_om.athena.query_history import list_enabled_workgroups, read_history
from athena_om.mapping.fqn import quote_name
from athena_om.mapping.queries import (
    StoredQuery,
    query_checksum,
    query_cost_usd,
    query_to_create_request,
    stored_query_from_entity,
)
from athena_om.mapping.self_issued import self_issued_patterns
from athena_om.mapping.sql_lineage import (
    DEFAULT_CATALOG,
    ParsedQuery,
    ParseFailure,
    TableName,
    is_self_issued,
    parse_query,
)
from athena_om.openmetadata.batches import PartitionedSync, PutEntities, SyncBatch, combine_batches
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import CreateQueryRequest, EntityReference
from athena_om.sync.settings import SyncSettings
from athena_om.sync.snapshot import CatalogSnapshot

DEFAULT_PARSE_TIMEOUT_S = 2.0
MAX_REPORTED = 50  # problems listed one by one in metadata; the rest are only counted
# Query entities per listing page: 200 keeps the merge within one read per 100 entities even with the last,
# partial page (ceil(n / 200) <= n / 100 from 100 on), and pages small though each description has a row per day.
STORED_QUERIES_PAGE = 200
# A Query's description is athena-om's per-day table of runs: OpenMetadata keeps the old one on the ingestion bot's
# PUT, so the writer PATCHes it when the answer shows it was not taken.
QUERY_OWNED_FIELDS = ("description",)


@dataclass
class QueryLogDay:
    """A day of query history as the downstream assets need it: picklable, no clients, no SQL trees."""

    day: date
    queries: list[QueryExecution] = field(default_factory=list)
    # Parse result of every successful query, by query id: what usage and lineage count.
    parsed: dict[str, ParsedQuery | ParseFailure] = field(default_factory=dict)
    # Parse result of every failed or cancelled query: only its Query entity uses it (tables named, statement type).
    parsed_unsuccessful: dict[str, ParsedQuery | ParseFailure] = field(default_factory=dict)
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
    succeeded: bool = True,
) -> dict[str, ParsedQuery | ParseFailure]:
    """Parse every successful query (or, with ``succeeded=False``, every other one) with column lineage; never
    raises (failures are values)."""
    return {
        q.query_id: parse_query(q.query, q.database, q.catalog or DEFAULT_CATALOG, schema, timeout_s)
        for q in queries
        if q.succeeded == succeeded
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
    ones are kept and parsed apart (``parsed_unsuccessful``): their text still names tables, but usage and lineage
    never count them.
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
        parse_log(log, schema, timeout_s=timeout_s)
    return list(logs.values())


def parse_log(
    log: QueryLogDay, schema: dict[TableName, list[str]], *, timeout_s: float = DEFAULT_PARSE_TIMEOUT_S
) -> None:
    """Parse the day's successful queries (for usage and lineage) and, apart, its failed and cancelled ones."""
    started = time.perf_counter()
    log.parsed = parse_executions(log.queries, schema, timeout_s=timeout_s)
    log.parsed_unsuccessful = parse_executions(log.queries, schema, timeout_s=timeout_s, succeeded=False)
    log.parse_seconds = time.perf_counter() - started


def tables_used(result: ParsedQuery | ParseFailure | None) -> set[TableName]:
    if not isinstance(result, ParsedQuery):
        return set()
    return set(result.source_tables) | ({result.target_table} if result.target_table else set())


def read_stored_queries(
    client: OpenMetadataClient, service_name: str, names: Collection[str] | None = None
) -> dict[str, StoredQuery]:
    """The service's Query entities OpenMetadata already holds, by name (the text's checksum).

    A paged listing (``GET /v1/queries?service=…&fields=queryUsedIn``, as OpenMetadata 1.x/2.x serve it) costs one
    read per ``STORED_QUERIES_PAGE`` stored entities, so it grows with everything the service ever ran. With
    ``names`` (the texts this run writes), the first page's ``paging.total`` decides: when fewer names are left
    than pages, each is read by name instead (one read each, concurrently), so a day's run reads at most
    1 + min(its texts, the listing's pages).
    """
    params = {"service": service_name}
    first = client.list_page("queries", params=params, fields=["queryUsedIn"], page_size=STORED_QUERIES_PAGE)
    found = _stored_by_name(first.data)
    after = first.paging.after if first.data else None
    if after and names is not None:
        wanted = sorted(set(names) - set(found))
        total = first.paging.total
        pages_left = math.ceil(max(total - len(first.data), 0) / STORED_QUERIES_PAGE) if total is not None else None
        if pages_left is not None and len(wanted) < pages_left:
            service_fqn = quote_name(service_name)

            def by_name(name: str) -> dict[str, Any] | None:
                return client.get_by_name("queries", f"{service_fqn}.{name}", fields=["queryUsedIn"])

            return found | _stored_by_name(e for e in client.map_concurrently(by_name, wanted) if e is not None)
    while after:
        page = client.list_page(
            "queries", params=params, fields=["queryUsedIn"], page_size=STORED_QUERIES_PAGE, after=after
        )
        found |= _stored_by_name(page.data)
        after = page.paging.after if page.data else None
    return found


def _stored_by_name(entities: Iterable[Mapping[str, Any]]) -> dict[str, StoredQuery]:
    stored = (stored_query_from_entity(entity) for entity in entities)
    return {query.name: query for query in stored if query.name}


def query_names(logs: Iterable[QueryLogDay]) -> set[str]:
    """The Query entity names (text checksums) the days' queries are written under."""
    return {query_checksum(q.query) for log in logs for q in log.queries}


def plan_query_entities(
    logs: QueryLogDay | Sequence[QueryLogDay],
    snapshot: CatalogSnapshot,
    settings: SyncSettings,
    stored: Mapping[str, StoredQuery] | None = None,
) -> SyncBatch:
    """One OpenMetadata Query per distinct SQL text of the days, in one batch (see ``plan_query_log``)."""
    planned = plan_query_log(logs, snapshot, settings, stored)
    combined = combine_batches([planned.shared, *(planned.plan(day) for day in planned.partition_keys)])
    puts = [op for op in combined.operations if isinstance(op, PutEntities)]
    others = [op for op in combined.operations if not isinstance(op, PutEntities)]
    combined.operations = [
        *others,
        PutEntities("queries", [request for put in puts for request in put.requests], owned_fields=QUERY_OWNED_FIELDS),
    ]
    return combined


def plan_query_log(
    logs: QueryLogDay | Sequence[QueryLogDay],
    snapshot: CatalogSnapshot,
    settings: SyncSettings,
    stored: Mapping[str, StoredQuery] | None = None,
) -> PartitionedSync:
    """One OpenMetadata Query per distinct SQL text of the days (OpenMetadata keeps query texts unique), merged
    with what OpenMetadata already holds for it (``stored``, from ``read_stored_queries``) so that days written
    in any order, or re-run, give the same entity. Each text is written with the day of its latest run, so
    each day's partition reports the entities it wrote.

    - tables used: the union over every day seen (tables no longer in OpenMetadata are dropped), from the
      parsed text of every run, failed ones included;
    - statement type: from the parsed text, not from a day's runs;
    - date and duration: the latest run's, over every day;
    - runs, failures, data scanned and cost: per-day rows in the description, a re-run replacing its day's.
    """
    days = [logs] if isinstance(logs, QueryLogDay) else list(logs)
    known = {table.id: table for table in snapshot.tables.values()}
    runs_by_text: dict[str, list[tuple[date, QueryExecution]]] = {}
    results_by_text: dict[str, list[ParsedQuery | ParseFailure | None]] = {}
    for log in days:
        for q in log.queries:
            runs_by_text.setdefault(q.query, []).append((log.day, q))
            result = log.parsed.get(q.query_id) or log.parsed_unsuccessful.get(q.query_id)
            results_by_text.setdefault(q.query, []).append(result)
    requests: dict[date, list[CreateQueryRequest]] = {log.day: [] for log in days}
    unknown: Counter[str] = Counter()
    merged = 0
    for sql, dated_runs in runs_by_text.items():
        runs = [q for _, q in dated_runs]
        results = results_by_text[sql]
        previous = (stored or {}).get(query_checksum(sql))
        merged += previous is not None
        tables = {known[i] for i in previous.used_in_ids if i in known} if previous else set()
        for name in sorted(set().union(*(tables_used(result) for result in results))):
            table = snapshot.get(name)
            if table is None:
                unknown[str(name)] += 1
                continue
            tables.add(table)
        used_in = [
            EntityReference(id=table.id, type="table", fullyQualifiedName=table.fqn)
            for table in sorted(tables, key=lambda t: t.fqn)
        ]
        kinds = sorted({result.statement_kind.value for result in results if isinstance(result, ParsedQuery)})
        requests[max(day for day, _ in dated_runs)].append(
            query_to_create_request(
                runs,
                service_name=settings.service_name,
                used_in=used_in,
                price_per_tb_usd=settings.price_per_tb_usd,
                # A text parses to one kind; a parse that timed out keeps what OpenMetadata has.
                statement_kind=kinds[0] if kinds else (previous.query_type if previous else None),
                earlier_days=previous.days if previous else None,
            )
        )
    batches = {}
    for log in days:
        batch = day_batch(log, settings)
        batch.known_table_ids.update(snapshot.table_ids())
        batch.add(PutEntities("queries", requests[log.day], owned_fields=QUERY_OWNED_FIELDS))
        batch.metadata["query_entities_written"] = len(requests[log.day])
        batches[log.day.isoformat()] = batch
    shared = SyncBatch()
    if unknown:
        shared.warnings.append(
            f"{len(unknown)} tables named by the day's queries are not in OpenMetadata (not synced, filtered "
            f"out, or dropped): {', '.join(sorted(unknown)[:20])}"
        )
    shared.metadata["tables_not_in_openmetadata"] = len(unknown)
    shared.metadata["query_entities_merged"] = merged
    return PartitionedSync.of(batches, shared)


def day_batch(log: QueryLogDay, settings: SyncSettings) -> SyncBatch:
    """A day's payload, read warnings and counts, without writes."""
    batch = SyncBatch(payloads={log.day.isoformat(): log})
    batch.warnings += log.read_errors
    if log.unprocessed_ids:
        batch.warnings.append(
            f"{len(log.unprocessed_ids)} queries could not be read (BatchGetQueryExecution left them "
            f"unprocessed twice): {', '.join(log.unprocessed_ids[:10])}"
        )
    batch.metadata.update(query_log_metadata(log, settings.price_per_tb_usd))
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
