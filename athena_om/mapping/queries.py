"""Athena query executions as OpenMetadata Query entities, with the data scanned and its estimated cost."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import UTC, datetime

from athena_om.athena.models import QueryExecution
from athena_om.openmetadata.models import CreateQueryRequest, EntityReference

DEFAULT_PRICE_PER_TB_USD = 5.0
# Athena bills data scanned rounded up to the megabyte, at least 10 MB per query; DDL and failed queries are free.
_BYTES_PER_MB = 1_000_000
_MINIMUM_BILLED_BYTES = 10 * _BYTES_PER_MB
_BYTES_PER_TB = 1e12
# OpenMetadata's ingestion names Athena's SQL dialect "athena" (its `Dialect` enum); the field is a free string.
ATHENA_DIALECT = "athena"


def estimated_cost_usd(data_scanned_bytes: int | None, price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD) -> float:
    """Athena's charge for scanning ``data_scanned_bytes``: rounded up to the MB, 10 MB minimum, per TB price."""
    scanned = max(data_scanned_bytes or 0, 0)
    billed = max(math.ceil(scanned / _BYTES_PER_MB) * _BYTES_PER_MB, _MINIMUM_BILLED_BYTES)
    return billed / _BYTES_PER_TB * price_per_tb_usd


def query_cost_usd(q: QueryExecution, price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD) -> float:
    """Estimated cost of one execution: nothing for DDL or failed queries (Athena does not bill them)."""
    if q.state == "FAILED" or (q.statement_type or "").upper() == "DDL":
        return 0.0
    return estimated_cost_usd(q.data_scanned_bytes, price_per_tb_usd)


def query_checksum(sql: str) -> str:
    """OpenMetadata's checksum of a query text (MD5, hex): it keeps it unique and names unnamed queries by it."""
    return hashlib.md5(sql.encode("utf-8")).hexdigest()


def query_to_create_request(
    runs: QueryExecution | Sequence[QueryExecution],
    *,
    service_name: str,
    used_in: list[EntityReference],
    price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD,
    statement_kind: str | None = None,
) -> CreateQueryRequest:
    """One OpenMetadata Query for one SQL text and its runs (a single execution is a run of one).

    OpenMetadata keeps query texts unique (a second query with the same text is refused with 409), so the
    Query is named by the text's checksum, as OpenMetadata itself names queries: the same SQL run every day
    updates one entity. Date and duration are the latest run's; the description totals the runs.
    ``statement_kind`` is the parsed kind (``ParsedQuery.statement_kind``); without it Athena's own
    sub-statement type is used.
    """
    executions = [runs] if isinstance(runs, QueryExecution) else list(runs)
    if not executions or len({q.query for q in executions}) != 1:
        raise ValueError("query_to_create_request needs one or more runs of the same SQL text")
    latest = max(executions, key=_run_time)
    return CreateQueryRequest(
        name=query_checksum(latest.query),
        query=latest.query,
        service=service_name,
        description=query_description(executions, price_per_tb_usd),
        query_type=statement_kind or _athena_statement_kind(latest),
        duration=_duration_ms(latest),
        dialect=ATHENA_DIALECT,
        queryDate=_epoch_ms(latest.completed_at or latest.submitted_at),
        queryUsedIn=used_in or None,
    )


def query_description(
    runs: QueryExecution | Sequence[QueryExecution], price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD
) -> str:
    """One line a user reads in OpenMetadata: runs, data scanned, estimated cost, workgroups, failures, query ids."""
    executions = sorted([runs] if isinstance(runs, QueryExecution) else list(runs), key=_run_time)
    latest = executions[-1]
    parts: list[str] = [f"{len(executions)} runs" if len(executions) > 1 else "1 run"]
    scanned = [q.data_scanned_bytes for q in executions if q.data_scanned_bytes is not None]
    if scanned:
        parts.append(f"Scanned {format_bytes(sum(scanned))}")
    cost = sum(query_cost_usd(q, price_per_tb_usd) for q in executions)
    parts.append(f"est. ${cost:.4f} at ${price_per_tb_usd:g}/TB")
    workgroups = sorted({q.workgroup for q in executions if q.workgroup})
    if workgroups:
        parts.append(f"workgroup {', '.join(workgroups)}")
    unsuccessful = [q for q in executions if not q.succeeded]
    if unsuccessful:
        last = unsuccessful[-1]
        reason = f": {last.state_change_reason.strip()[:200]}" if last.state_change_reason else ""
        parts.append(f"{len(unsuccessful)} not succeeded, last {last.state}{reason}")
    parts.append(f"latest query id {latest.query_id}")
    return " · ".join(parts)


def _run_time(q: QueryExecution) -> datetime:
    moment = q.completed_at or q.submitted_at
    return _utc(moment) if moment is not None else datetime.min.replace(tzinfo=UTC)


def format_bytes(size: int) -> str:
    """Decimal units, as Athena bills them: ``1.2 GB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} PB"


def _athena_statement_kind(q: QueryExecution) -> str | None:
    kind = q.substatement_type or q.statement_type
    return kind.lower() if kind else None


def _duration_ms(q: QueryExecution) -> float | None:
    # OpenMetadata's `duration` is "how long did the query take to run in milliseconds".
    milliseconds = q.total_execution_ms if q.total_execution_ms is not None else q.engine_execution_ms
    if milliseconds is not None:
        return float(milliseconds)
    if q.submitted_at is not None and q.completed_at is not None:
        return (_utc(q.completed_at) - _utc(q.submitted_at)).total_seconds() * 1000
    return None


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(_utc(moment).timestamp() * 1000)


def _utc(moment: datetime) -> datetime:
    # Athena reports aware datetimes; a naive one from a test or a cache is taken to be UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
