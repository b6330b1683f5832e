"""Athena query executions as OpenMetadata Query entities, with the data scanned and its estimated cost.

A Query entity is one per SQL text but is written one day at a time, in any order (backfills). Its description
keeps a per-day table that a re-run of a day replaces, so totals add up and never count a day twice.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

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


@dataclass(frozen=True)
class QueryDay:
    """One day's runs of a SQL text, as the Query's description keeps them so that later runs can merge."""

    day: date
    runs: int
    not_succeeded: int
    scanned_bytes: int
    cost_usd: float  # rounded to 6 decimals, as stored
    latest_at_ms: int | None
    latest_duration_ms: float | None
    latest_query_id: str
    workgroups: tuple[str, ...] = ()
    last_failure: str = ""  # "FAILED: reason" of the day's latest unsuccessful run


@dataclass(frozen=True)
class StoredQuery:
    """What OpenMetadata already holds for one Query entity: the part a later day must keep."""

    name: str
    query_type: str | None
    used_in_ids: frozenset[str]
    days: dict[date, QueryDay]


def run_day(q: QueryExecution) -> date:
    """The daily partition a run belongs to: the UTC day it was submitted on."""
    moment = q.submitted_at or q.completed_at
    return _utc(moment).date() if moment is not None else date.min


def query_day(
    day: date, runs: Sequence[QueryExecution], price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD
) -> QueryDay:
    """Totals of one day's runs of one SQL text."""
    executions = sorted(runs, key=_run_time)
    latest = executions[-1]
    unsuccessful = [q for q in executions if not q.succeeded]
    failure = ""
    if unsuccessful:
        last = unsuccessful[-1]
        reason = f": {last.state_change_reason.strip()[:200]}" if last.state_change_reason else ""
        failure = _cell(f"{last.state}{reason}")
    return QueryDay(
        day=day,
        runs=len(executions),
        not_succeeded=len(unsuccessful),
        scanned_bytes=sum(q.data_scanned_bytes or 0 for q in executions),
        cost_usd=round(sum(query_cost_usd(q, price_per_tb_usd) for q in executions), 6),
        latest_at_ms=_epoch_ms(latest.completed_at or latest.submitted_at),
        latest_duration_ms=_duration_ms(latest),
        latest_query_id=latest.query_id,
        workgroups=tuple(sorted({q.workgroup for q in executions if q.workgroup})),
        last_failure=failure,
    )


def merge_query_days(
    earlier: Mapping[date, QueryDay], runs: Sequence[QueryExecution], price_per_tb_usd: float
) -> dict[date, QueryDay]:
    """``earlier`` with each day ``runs`` cover replaced by those runs' totals: re-running a day never adds to it."""
    by_day: dict[date, list[QueryExecution]] = {}
    for q in runs:
        by_day.setdefault(run_day(q), []).append(q)
    days = dict(earlier)
    days.update({day: query_day(day, day_runs, price_per_tb_usd) for day, day_runs in by_day.items()})
    return dict(sorted(days.items()))


def query_to_create_request(
    runs: QueryExecution | Sequence[QueryExecution],
    *,
    service_name: str,
    used_in: list[EntityReference],
    price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD,
    statement_kind: str | None = None,
    earlier_days: Mapping[date, QueryDay] | None = None,
) -> CreateQueryRequest:
    """One OpenMetadata Query for one SQL text and its runs (a single execution is a run of one).

    OpenMetadata keeps query texts unique (a second query with the same text is refused with 409), so the
    Query is named by the text's checksum, as OpenMetadata itself names queries: the same SQL run every day
    updates one entity. ``earlier_days`` are the per-day totals OpenMetadata already holds; the runs' days
    replace theirs, so the result is the same whatever order days are written in. Date and duration are the
    latest run's over all days. ``statement_kind`` is the parsed kind (``ParsedQuery.statement_kind``); without
    it Athena's own sub-statement type is used.
    """
    executions = [runs] if isinstance(runs, QueryExecution) else list(runs)
    if not executions or len({q.query for q in executions}) != 1:
        raise ValueError("query_to_create_request needs one or more runs of the same SQL text")
    days = merge_query_days(earlier_days or {}, executions, price_per_tb_usd)
    latest = _latest_day(days)
    sql = executions[0].query
    return CreateQueryRequest(
        name=query_checksum(sql),
        query=sql,
        service=service_name,
        description=query_description(days, price_per_tb_usd),
        query_type=statement_kind or _athena_statement_kind(max(executions, key=_run_time)),
        duration=latest.latest_duration_ms,
        dialect=ATHENA_DIALECT,
        queryDate=latest.latest_at_ms,
        queryUsedIn=used_in or None,
    )


def _latest_day(days: Mapping[date, QueryDay]) -> QueryDay:
    return max(days.values(), key=lambda d: (d.latest_at_ms if d.latest_at_ms is not None else -1, d.day))


DAYS_HEADER = (
    "| day | runs | not succeeded | scanned bytes | est. cost USD | latest run (UTC) | latest duration ms "
    "| latest query id | workgroups | last failure |"
)
_DAYS_RULE = "|---|---:|---:|---:|---:|---|---:|---|---|---|"
_DAY_ROW = re.compile(r"^\|\s*(\d{4}-\d{2}-\d{2})\s*\|")


def query_description(days: Mapping[date, QueryDay], price_per_tb_usd: float = DEFAULT_PRICE_PER_TB_USD) -> str:
    """A summary line a user reads in OpenMetadata, then the per-day table that later runs merge with.

    Summary: runs (over how many days), data scanned, estimated cost, workgroups, failures, latest query id.
    """
    rows = [days[day] for day in sorted(days)]
    latest = _latest_day(days)
    runs = sum(d.runs for d in rows)
    parts: list[str] = [f"{runs} runs" if runs != 1 else "1 run"]
    if len(rows) > 1:
        parts[0] += f" over {len(rows)} days"
    scanned = sum(d.scanned_bytes for d in rows)
    if scanned:
        parts.append(f"Scanned {format_bytes(scanned)}")
    parts.append(f"est. ${sum(d.cost_usd for d in rows):.4f} at ${price_per_tb_usd:g}/TB")
    workgroups = sorted({w for d in rows for w in d.workgroups})
    if workgroups:
        parts.append(f"workgroup {', '.join(workgroups)}")
    failing = [d for d in rows if d.not_succeeded]
    if failing:
        last = max(failing, key=lambda d: (d.latest_at_ms or -1, d.day))
        parts.append(f"{sum(d.not_succeeded for d in failing)} not succeeded, last {last.last_failure}")
    parts.append(f"latest query id {latest.latest_query_id}")
    table = "\n".join([DAYS_HEADER, _DAYS_RULE, *(_day_row(d) for d in rows)])
    return " · ".join(parts) + "\n\n" + table


def _day_row(d: QueryDay) -> str:
    cells = [
        d.day.isoformat(),
        str(d.runs),
        str(d.not_succeeded),
        str(d.scanned_bytes),
        f"{d.cost_usd:.6f}",
        _iso_ms(d.latest_at_ms),
        _number(d.latest_duration_ms),
        d.latest_query_id,
        ", ".join(d.workgroups),
        d.last_failure,
    ]
    return "| " + " | ".join(cells) + " |"


def parse_query_days(description: str | None) -> dict[date, QueryDay]:
    """The per-day table of a description ``query_description`` wrote; rows it cannot read are left out."""
    text = description or ""
    if DAYS_HEADER not in text:
        return {}
    days: dict[date, QueryDay] = {}
    for line in text.split(DAYS_HEADER, 1)[1].splitlines():
        if not _DAY_ROW.match(line):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 10:
            continue
        try:
            day = QueryDay(
                day=date.fromisoformat(cells[0]),
                runs=int(cells[1]),
                not_succeeded=int(cells[2]),
                scanned_bytes=int(cells[3]),
                cost_usd=round(float(cells[4]), 6),
                latest_at_ms=_from_iso_ms(cells[5]),
                latest_duration_ms=float(cells[6]) if cells[6] else None,
                latest_query_id=cells[7],
                workgroups=tuple(w.strip() for w in cells[8].split(",") if w.strip()),
                last_failure=cells[9],
            )
        except ValueError:
            continue
        days[day.day] = day
    return days


def stored_query_from_entity(entity: Mapping[str, Any]) -> StoredQuery:
    """A Query as OpenMetadata lists it (``fields=queryUsedIn``) reduced to what a merge needs."""
    used_in = entity.get("queryUsedIn") or []
    return StoredQuery(
        name=str(entity.get("name") or ""),
        query_type=entity.get("query_type") or entity.get("queryType"),
        used_in_ids=frozenset(str(ref["id"]) for ref in used_in if isinstance(ref, Mapping) and ref.get("id")),
        days=parse_query_days(entity.get("description")),
    )


def _cell(text: str) -> str:
    # A table cell: no pipes or line breaks, which would end the cell or the row.
    return " ".join(text.replace("|", "/").split())


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _iso_ms(epoch_ms: int | None) -> str:
    if epoch_ms is None:
        return ""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def _from_iso_ms(text: str) -> int | None:
    if not text:
        return None
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return int(moment.replace(microsecond=0).timestamp()) * 1000 + moment.microsecond // 1000


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
