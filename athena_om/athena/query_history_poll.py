"""Poll Athena's query history for newly finished queries, reading only pages not seen before.

The cursor keeps, per workgroup, the ids of the newest finished queries already seen. Athena lists ids newest
first, so a tick with nothing new costs one ``ListQueryExecutions`` per workgroup: its first page holds only seen
ids. The list of enabled workgroups is kept in the cursor too and refreshed every few hours, so it does not cost
a ``ListWorkGroups`` on every tick. Pure logic over an Athena client; the Dagster sensor only wraps it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from athena_om.athena.models import FINAL_STATES, QueryExecution
from athena_om.athena.query_history import (
    BATCH_SIZE,
    HistoryRead,
    batch_get,
    iter_history_batches,
    list_enabled_workgroups,
)
from athena_om.mapping.self_issued import is_self_issued, self_issued_patterns

# How far before the newest completion time paging goes: a query listed by submission time that finishes this
# long after it started is still noticed. Longer ones are picked up by the daily schedule.
LOOKBACK = timedelta(hours=2)
WORKGROUP_REFRESH = timedelta(hours=6)
# Seen ids kept per workgroup: enough to cover several pages, so a burst of new queries stops at a seen page.
SEEN_PER_WORKGROUP = 250
PENDING_FOR_AT_MOST = timedelta(days=1)


@dataclass
class HistoryCursor:
    """What the sensor remembers between ticks (stored as JSON in Dagster)."""

    newest_completion: datetime | None = None
    # workgroup -> query id -> submission time (epoch seconds) of the finished queries seen so far
    seen: dict[str, dict[str, int]] = field(default_factory=dict)
    workgroups: list[str] = field(default_factory=list)
    workgroups_listed_at: datetime | None = None
    # workgroup -> query id -> submission time of queries seen queued or running, fetched by id until they finish
    pending: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "newest_completion": self.newest_completion.isoformat() if self.newest_completion else None,
                "seen": self.seen,
                "pending": self.pending,
                "workgroups": self.workgroups,
                "workgroups_listed_at": self.workgroups_listed_at.isoformat() if self.workgroups_listed_at else None,
            },
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> HistoryCursor:
        """The cursor stored by an earlier tick; an empty or unreadable one starts afresh."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            return cls(
                newest_completion=_parse_time(data.get("newest_completion")),
                seen=_ids_by_workgroup(data.get("seen")),
                pending=_ids_by_workgroup(data.get("pending")),
                workgroups=[str(w) for w in data.get("workgroups") or []],
                workgroups_listed_at=_parse_time(data.get("workgroups_listed_at")),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()

    def seen_ids(self) -> set[str]:
        return {query_id for ids in self.seen.values() for query_id in ids}


def _ids_by_workgroup(value: Any) -> dict[str, dict[str, int]]:
    return {str(wg): {str(k): int(v) for k, v in ids.items()} for wg, ids in (value or {}).items()}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class HistoryPoll:
    """The outcome of one tick: the days with new successful queries, and the cursor to store."""

    days: list[date]
    new_queries: int
    cursor: HistoryCursor
    errors: list[str] = field(default_factory=list)


def _workgroups(athena: Any, cursor: HistoryCursor, configured: Sequence[str], now: datetime) -> list[str]:
    if configured:
        return list(configured)
    listed_at = cursor.workgroups_listed_at
    if cursor.workgroups and listed_at is not None and now - listed_at < WORKGROUP_REFRESH:
        return cursor.workgroups
    cursor.workgroups = list_enabled_workgroups(athena)
    cursor.workgroups_listed_at = now
    return cursor.workgroups


def poll_query_history(
    athena: Any,
    cursor: HistoryCursor,
    *,
    now: datetime,
    workgroups: Sequence[str] = (),
    self_issued_markers: Iterable[str] = (),
) -> HistoryPoll:
    """Read the query history pages not seen before and say which days have newly finished successful queries.

    Paging stops at the first page holding an id seen before (everything below it was listed on an earlier tick)
    or reaching before the window. Queries still running are kept in the cursor and fetched by id until they
    finish. A query counts as new when it finishes for us for the first time and at most ``LOOKBACK`` before the
    newest completion seen so far (``now`` on the first tick); older days are the daily schedule's job.
    """
    start = min(cursor.newest_completion or now, now) - LOOKBACK
    patterns = self_issued_patterns(self_issued_markers)
    result = HistoryRead()
    poll = HistoryPoll(days=[], new_queries=0, cursor=cursor)
    days: set[date] = set()

    def take(workgroup: str, batch: list[QueryExecution]) -> None:
        seen = cursor.seen.setdefault(workgroup, {})
        pending = cursor.pending.setdefault(workgroup, {})
        for q in batch:
            if q.submitted_at is None:
                continue
            if q.state not in FINAL_STATES:
                pending[q.query_id] = int(q.submitted_at.timestamp())
                continue
            pending.pop(q.query_id, None)
            seen[q.query_id] = int(q.submitted_at.timestamp())
            if q.completed_at is not None and (newest[0] is None or q.completed_at > newest[0]):
                newest[0] = q.completed_at
            # Finished before the window: its day was handled already (or is the schedule's job); it is merely
            # seen for the first time because earlier ticks did not page this far.
            if (q.completed_at or q.submitted_at) < start:
                continue
            if q.succeeded and not is_self_issued(q.query, patterns):
                poll.new_queries += 1
                days.add(q.submitted_at.astimezone(UTC).date())

    newest: list[datetime | None] = [cursor.newest_completion]
    for workgroup in _workgroups(athena, cursor, workgroups, now):
        known = set(cursor.seen.get(workgroup, {})) | set(cursor.pending.get(workgroup, {}))
        try:
            for batch in iter_history_batches(athena, workgroup, result, start=start, known=known):
                take(workgroup, batch)
            waiting = [i for i in cursor.pending.get(workgroup, {}) if i in known]
            for chunk in range(0, len(waiting), BATCH_SIZE):
                take(workgroup, batch_get(athena, waiting[chunk : chunk + BATCH_SIZE], result))
        except Exception as exc:  # one unreadable workgroup must not stop the others
            result.errors.append(f"workgroup {workgroup!r}: {type(exc).__name__}: {exc}")
        _prune(cursor, workgroup, now)
    cursor.newest_completion = newest[0]
    poll.days = sorted(days)
    poll.errors = result.errors + [f"query {i} could not be read" for i in result.unprocessed]
    return poll


def _prune(cursor: HistoryCursor, workgroup: str, now: datetime) -> None:
    seen = cursor.seen.get(workgroup, {})
    if len(seen) > SEEN_PER_WORKGROUP:
        cursor.seen[workgroup] = dict(sorted(seen.items(), key=lambda item: item[1], reverse=True)[:SEEN_PER_WORKGROUP])
    # Athena stops a query after at most a few hours; one still "running" after a day is not worth asking about.
    oldest = int((now - PENDING_FOR_AT_MOST).timestamp())
    pending = cursor.pending.get(workgroup, {})
    cursor.pending[workgroup] = {i: at for i, at in pending.items() if at >= oldest}
