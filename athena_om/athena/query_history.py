"""Read Athena query history: ``ListQueryExecutions`` newest first, details in batches of 50.

Cost: one list call and one ``BatchGetQueryExecution`` per 50 queries. Paging stops as soon as a page reaches
queries submitted before the window, because Athena lists newest first.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from athena_om.athena.models import QueryExecution

log = logging.getLogger(__name__)

BATCH_SIZE = 50


@dataclass
class HistoryRead:
    """Queries read from one or more workgroups, with what could not be read."""

    queries: list[QueryExecution] = field(default_factory=list)
    unprocessed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: int = 0


def list_enabled_workgroups(athena: Any) -> list[str]:
    """Names of the ENABLED workgroups."""
    names: list[str] = []
    token: str | None = None
    while True:
        page = athena.list_work_groups(**({"NextToken": token} if token else {}))
        names += [wg["Name"] for wg in page.get("WorkGroups", []) if wg.get("State", "ENABLED") == "ENABLED"]
        token = page.get("NextToken")
        if not token:
            return names


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def query_execution_from_api(item: dict[str, Any]) -> QueryExecution:
    """Convert one ``QueryExecution`` structure from the Athena API."""
    status = item.get("Status") or {}
    stats = item.get("Statistics") or {}
    context = item.get("QueryExecutionContext") or {}
    return QueryExecution(
        query_id=item["QueryExecutionId"],
        query=item.get("Query") or "",
        state=status.get("State", "UNKNOWN"),
        statement_type=item.get("StatementType"),
        substatement_type=item.get("SubstatementType"),
        submitted_at=_aware(status.get("SubmissionDateTime")),
        completed_at=_aware(status.get("CompletionDateTime")),
        engine_execution_ms=stats.get("EngineExecutionTimeInMillis"),
        total_execution_ms=stats.get("TotalExecutionTimeInMillis"),
        data_scanned_bytes=stats.get("DataScannedInBytes"),
        workgroup=item.get("WorkGroup"),
        catalog=context.get("Catalog"),
        database=context.get("Database"),
        state_change_reason=status.get("StateChangeReason"),
    )


def iter_query_id_pages(athena: Any, workgroup: str) -> Iterator[list[str]]:
    """Pages of query ids, newest first."""
    token: str | None = None
    while True:
        page = athena.list_query_executions(
            WorkGroup=workgroup, MaxResults=BATCH_SIZE, **({"NextToken": token} if token else {})
        )
        yield list(page.get("QueryExecutionIds", []))
        token = page.get("NextToken")
        if not token:
            return


def batch_get(athena: Any, ids: list[str], result: HistoryRead) -> list[QueryExecution]:
    """Details for up to 50 ids; unprocessed ids are retried once, then reported."""
    if not ids:
        return []
    response = athena.batch_get_query_execution(QueryExecutionIds=ids)
    found = [query_execution_from_api(item) for item in response.get("QueryExecutions", [])]
    retry = [u["QueryExecutionId"] for u in response.get("UnprocessedQueryExecutionIds", [])]
    if retry:
        again = athena.batch_get_query_execution(QueryExecutionIds=retry)
        found += [query_execution_from_api(item) for item in again.get("QueryExecutions", [])]
        result.unprocessed += [u["QueryExecutionId"] for u in again.get("UnprocessedQueryExecutionIds", [])]
    return found


def iter_history_batches(
    athena: Any, workgroup: str, result: HistoryRead, *, start: datetime, known: Collection[str] = ()
) -> Iterator[list[QueryExecution]]:
    """Details of the ids not in ``known``, one batch per listed page, newest first.

    Paging stops at a page reaching before ``start`` (Athena lists newest first) or holding an id in ``known``
    (everything below it was read before): that is what keeps the sensor's idle tick at one list call.
    """
    for ids in iter_query_id_pages(athena, workgroup):
        result.pages += 1
        fresh = [i for i in ids if i not in known]
        batch = batch_get(athena, fresh, result)
        yield batch
        oldest = min((q.submitted_at for q in batch if q.submitted_at), default=None)
        if not ids or len(fresh) < len(ids) or (oldest is not None and oldest < start):
            return


def read_history(athena: Any, workgroups: Collection[str], *, start: datetime, end: datetime) -> HistoryRead:
    """Queries submitted in ``[start, end)`` from the given workgroups; an unreadable workgroup is reported."""
    result = HistoryRead()
    for workgroup in workgroups:
        try:
            for batch in iter_history_batches(athena, workgroup, result, start=start):
                result.queries += [q for q in batch if q.submitted_at is not None and start <= q.submitted_at < end]
        except (ClientError, BotoCoreError) as exc:
            code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else str(exc)
            message = (
                f"Cannot read the query history of Athena workgroup {workgroup!r} ({code}); grant "
                "athena:ListQueryExecutions and athena:BatchGetQueryExecution on it, or leave it out of "
                "the configured workgroups."
            )
            log.warning(message)
            result.errors.append(message)
    result.queries.sort(key=lambda q: (q.submitted_at or datetime.min.replace(tzinfo=UTC), q.query_id))
    return result
