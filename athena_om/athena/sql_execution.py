"""Run SQL that athena-om writes (profiles, data-quality checks) on Athena: budgeted, bounded, stoppable.

One generic layer for every use case that scans table data:

- each statement starts with the self-issued comment, so the query-log sync drops it;
- it runs through PyAthena in the configured workgroup and ``s3StagingDir``; PyAthena retries Athena's
  throttling errors with exponential backoff, and status polls back off from 0.2 s to 5 s;
- a per-query deadline calls ``StopQueryExecution`` and reports a timeout, never a hung run;
- up to ``max_concurrent`` queries run at once;
- a :class:`ByteBudget` shared by the run: a query is only issued when its estimate fits what is left, and the
  bytes Athena reports (``DataScannedInBytes``) are charged when it finishes, so the run stops issuing queries
  once the budget is spent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlglot import exp

SELF_ISSUED_COMMENT = "/* athena-om */"
# Athena bills at least 10 MB per query, whatever it scans.
ATHENA_MIN_BILLED_BYTES = 10 * 1024 * 1024
TERABYTE = 1024**4


def with_self_issued_comment(sql: str) -> str:
    """``sql`` with the self-issued comment first, so the query-log sync recognises and drops it."""
    return sql if sql.lstrip().startswith(SELF_ISSUED_COMMENT) else f"{SELF_ISSUED_COMMENT}\n{sql}"


def render_athena_sql(query: exp.Expr | str) -> str:
    """Athena SQL for a sqlglot expression (identifiers quoted as built), with the self-issued comment."""
    text = query if isinstance(query, str) else query.sql(dialect="athena")
    return with_self_issued_comment(text)


def billed_bytes(scanned: int) -> int:
    """What Athena bills for a query that scanned ``scanned`` bytes (10 MB minimum)."""
    return max(scanned, ATHENA_MIN_BILLED_BYTES)


def cost_usd(scanned: int, price_per_tb_usd: float) -> float:
    """The estimated cost of one query (Athena's per-TB price, 10 MB minimum)."""
    return billed_bytes(scanned) / TERABYTE * price_per_tb_usd


class QueryTimeoutError(Exception):
    """A query ran past its deadline; ``StopQueryExecution`` was sent."""


class QueryFailedError(Exception):
    """Athena answered FAILED or CANCELLED for a query."""


@dataclass(frozen=True)
class QueryStatistics:
    """What Athena reports for one finished query."""

    query_id: str | None
    data_scanned_bytes: int = 0
    engine_execution_ms: int | None = None


@dataclass(frozen=True)
class QueryRows:
    """A finished query's column names, rows and statistics."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    statistics: QueryStatistics

    def first_row(self) -> dict[str, Any]:
        """The first row by column name (aggregate queries answer one row)."""
        return dict(zip(self.columns, self.rows[0], strict=True)) if self.rows else {}

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class SqlRunner(Protocol):
    """Runs one Athena statement to completion (or its deadline) and returns rows and statistics."""

    def run(self, sql: str, *, database: str | None, timeout_s: float) -> QueryRows: ...


# -- the PyAthena runner -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollBackoff:
    """Status polls: ``first_s`` then doubling up to ``max_s``."""

    first_s: float = 0.2
    max_s: float = 5.0

    def delays(self) -> Iterator[float]:
        delay = self.first_s
        while True:
            yield delay
            delay = min(delay * 2, self.max_s)


def _deadline_cursor_class(base: type) -> type:
    """A PyAthena cursor class whose status polls back off and which stops its query past a deadline."""

    class DeadlineCursor(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.athena_om_deadline: float | None = None
            self.athena_om_clock: Callable[[], float] = time.monotonic
            self.athena_om_sleep: Callable[[float], None] = time.sleep
            self.athena_om_delays: Iterator[float] = PollBackoff().delays()
            self.athena_om_query_id: str | None = None

        def _wait_poll_interval(self) -> None:
            # PyAthena's hook between two status requests: here the poll backs off, and a query past its
            # deadline is stopped (StopQueryExecution) instead of being waited for.
            now = self.athena_om_clock()
            if self.athena_om_deadline is not None and now >= self.athena_om_deadline:
                query_id = self.athena_om_query_id
                if query_id:
                    self._cancel(query_id)
                raise QueryTimeoutError(f"query {query_id} ran past its timeout and was stopped")
            delay = next(self.athena_om_delays)
            if self.athena_om_deadline is not None:
                delay = max(0.0, min(delay, self.athena_om_deadline - now))
            self.athena_om_sleep(delay)

    return DeadlineCursor


class PyAthenaRunner:
    """Runs statements through a PyAthena connection (workgroup and staging dir come from the connection)."""

    def __init__(
        self,
        connect: Callable[[], Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        backoff: PollBackoff = PollBackoff(),
    ) -> None:
        self._connect = connect
        self._connection: Any = None
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep
        self._backoff = backoff

    def _shared_connection(self) -> Any:
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            return self._connection

    def run(self, sql: str, *, database: str | None, timeout_s: float) -> QueryRows:
        from pyathena.cursor import Cursor
        from pyathena.error import OperationalError

        connection = self._shared_connection()
        cursor = connection.cursor(_deadline_cursor_class(Cursor))
        cursor.athena_om_clock = self._clock
        cursor.athena_om_sleep = self._sleep
        cursor.athena_om_delays = self._backoff.delays()
        cursor.athena_om_deadline = self._clock() + timeout_s

        def remember(query_id: str) -> None:
            cursor.athena_om_query_id = query_id

        try:
            cursor.execute(with_self_issued_comment(sql), on_start_query_execution=remember, **_schema_kwargs(database))
            rows = tuple(tuple(row) for row in cursor.fetchall())
            columns = tuple(d[0] for d in cursor.description or ())
            statistics = QueryStatistics(
                query_id=cursor.query_id,
                data_scanned_bytes=int(cursor.data_scanned_in_bytes or 0),
                engine_execution_ms=cursor.engine_execution_time_in_millis,
            )
            return QueryRows(columns, rows, statistics)
        except OperationalError as error:
            raise QueryFailedError(str(error)) from None
        finally:
            cursor.close()


def _schema_kwargs(database: str | None) -> dict[str, Any]:
    # Statements name their tables fully qualified; the schema only matters to unqualified names.
    del database
    return {}


# -- the bytes budget ----------------------------------------------------------------------------------


@dataclass
class ByteBudget:
    """Bytes a run may scan. Estimates are reserved before a query is issued; actual bytes are charged after."""

    limit: int
    spent: int = 0
    reserved: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def remaining(self) -> int:
        with self._lock:
            return max(0, self.limit - self.spent - self.reserved)

    @property
    def exhausted(self) -> bool:
        with self._lock:
            return self.spent >= self.limit

    def try_reserve(self, estimate: int) -> bool:
        """Reserve ``estimate`` bytes if they fit what is neither spent nor reserved; False otherwise."""
        with self._lock:
            if self.spent >= self.limit or self.spent + self.reserved + estimate > self.limit:
                return False
            self.reserved += estimate
            return True

    def settle(self, reserved: int, scanned: int) -> None:
        """Release a reservation and charge what the query really scanned."""
        with self._lock:
            self.reserved = max(0, self.reserved - reserved)
            self.spent += scanned


# -- running many queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """One statement to run for one table: its key (the table), SQL, estimated bytes and deadline."""

    key: str
    sql: str
    estimated_bytes: int
    timeout_s: float
    database: str | None = None


@dataclass(frozen=True)
class QueryOutcome:
    """What became of a job: rows, or an error, or a skip (the run's budget was spent before it was issued)."""

    job: QueryJob
    result: QueryRows | None = None
    error: str | None = None
    skipped: str | None = None

    @property
    def scanned_bytes(self) -> int:
        return self.result.statistics.data_scanned_bytes if self.result else 0


class SqlExecutor:
    """Runs query jobs ``max_concurrent`` at a time within a shared :class:`ByteBudget`.

    Jobs are issued in the order given. A job whose estimate does not fit what is left of the budget waits for
    running queries to settle; once nothing runs and it still does not fit, it and every later job are skipped.
    """

    def __init__(self, runner: SqlRunner, budget: ByteBudget, max_concurrent: int = 1) -> None:
        self.runner = runner
        self.budget = budget
        self.max_concurrent = max(1, max_concurrent)

    def run_one(self, job: QueryJob) -> QueryOutcome:
        return next(iter(self.run_all([job])))

    def run_all(self, jobs: Iterable[QueryJob]) -> Iterator[QueryOutcome]:
        """Outcomes as queries finish (not in job order)."""
        pending = list(jobs)
        pending.reverse()
        running: dict[Future[QueryRows], QueryJob] = {}
        with ThreadPoolExecutor(max_workers=self.max_concurrent, thread_name_prefix="athena-sql") as pool:
            while pending or running:
                while pending and len(running) < self.max_concurrent:
                    job = pending[-1]
                    if not self.budget.try_reserve(job.estimated_bytes):
                        break
                    pending.pop()
                    running[pool.submit(self._run, job)] = job
                if not running:
                    # Nothing runs and the next job does not fit: the budget is spent for this run.
                    reason = self._skip_reason()
                    for job in reversed(pending):
                        yield QueryOutcome(job, skipped=reason)
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    yield self._settled(job, future)

    def _skip_reason(self) -> str:
        return (
            f"the run's bytes budget ({self.budget.limit:,} bytes) is spent ({self.budget.spent:,} scanned); "
            "raise athenaOm.profiler.maxBytesPerRun or profile fewer tables per run"
        )

    def _run(self, job: QueryJob) -> QueryRows:
        return self.runner.run(job.sql, database=job.database, timeout_s=job.timeout_s)

    def _settled(self, job: QueryJob, future: Future[QueryRows]) -> QueryOutcome:
        try:
            result = future.result()
        except QueryTimeoutError as error:
            self.budget.settle(job.estimated_bytes, job.estimated_bytes)
            return QueryOutcome(job, error=f"{error} (timeout {job.timeout_s:g} s; raise timeoutSeconds)")
        except Exception as error:  # one table's failure must not stop the others
            self.budget.settle(job.estimated_bytes, 0)
            return QueryOutcome(job, error=f"{type(error).__name__}: {str(error).splitlines()[0][:500]}")
        self.budget.settle(job.estimated_bytes, result.statistics.data_scanned_bytes)
        return QueryOutcome(job, result=result)


def run_in_order(executor: SqlExecutor, jobs: Sequence[QueryJob]) -> dict[str, QueryOutcome]:
    """Every job's outcome by key."""
    return {outcome.job.key: outcome for outcome in executor.run_all(jobs)}
