"""Athena query executions as OpenMetadata Query entities, with the data scanned and its estimated cost."""

from __future__ import annotations

import math
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


def query_to_create_request(
    q: QueryExecution,
    *,
    service_name: str,
    used_in: list[EntityReference],
    price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD,
    statement_kind: str | None = None,
) -> CreateQueryRequest:
    """The OpenMetadata Query for one execution, named by its Athena query id so re-runs update, not duplicate.

    ``statement_kind`` is the parsed kind (``ParsedQuery.statement_kind``); without it Athena's own
    sub-statement type is used.
    """
    return CreateQueryRequest(
        name=q.query_id,
        query=q.query,
        service=service_name,
        description=query_description(q, price_per_tb_usd),
        query_type=statement_kind or _athena_statement_kind(q),
        duration=_duration_ms(q),
        dialect=ATHENA_DIALECT,
        queryDate=_epoch_ms(q.completed_at or q.submitted_at),
        queryUsedIn=used_in or None,
    )


def query_description(q: QueryExecution, price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD) -> str:
    """One line a user reads in OpenMetadata: data scanned, estimated cost, workgroup, state, query id."""
    parts: list[str] = []
    if q.data_scanned_bytes is not None:
        parts.append(f"Scanned {format_bytes(q.data_scanned_bytes)}")
    parts.append(f"est. ${query_cost_usd(q, price_per_tb_usd):.4f} at ${price_per_tb_usd:g}/TB")
    if q.workgroup:
        parts.append(f"workgroup {q.workgroup}")
    if not q.succeeded:
        reason = f": {q.state_change_reason.strip()[:200]}" if q.state_change_reason else ""
        parts.append(f"{q.state}{reason}")
    parts.append(f"query id {q.query_id}")
    return " · ".join(parts)


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
