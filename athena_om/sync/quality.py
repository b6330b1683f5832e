"""Plan data-quality runs for one Glue database: read test cases, compile them per table, run, judge, map.

Test cases come from OpenMetadata (every test case whose entity link points at a table of this service) and from
the workflow file's ``orm-test-runner`` processor (created or updated under the table's basic test suite first).
Each table's tests run as one aggregate query, plus one exact-uniqueness query when it has uniqueness tests,
plus one query per custom SQL or tableDiff test, through the profiler's :class:`SqlExecutor` (same comment,
budget, concurrency and timeouts). Every test case gets exactly one ``TestCaseResult`` for the run's timestamp.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from athena_om.athena.catalog import read_tables
from athena_om.athena.models import GlueTable
from athena_om.athena.sql_execution import (
    TERABYTE,
    QueryJob,
    QueryOutcome,
    SqlExecutor,
    billed_bytes,
    render_athena_sql,
)
from athena_om.athena.table_data import list_s3_objects, read_glue_partitions
from athena_om.mapping.fqn import database_fqn, encode_entity_name, schema_fqn, split_fqn
from athena_om.mapping.profile_partitions import choose_partitions, injected_keys
from athena_om.mapping.quality import DeclaredTestCase, test_case_from_entity, test_case_request, test_case_result
from athena_om.mapping.quality_sql import (
    QualityTestCase,
    Status,
    TableLookup,
    TableShape,
    TableTestPlan,
    Verdict,
    aborted,
    compile_table_tests,
)
from athena_om.mapping.tables import is_glue_view
from athena_om.openmetadata.batches import PutEntities, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.dbt_operations import AddTestCaseResult
from athena_om.sync.profile_options import ProfilerOptions
from athena_om.sync.profiles import read_openmetadata_tables

TEST_CASE_FIELDS = ("testDefinition", "testSuite")


@dataclass(frozen=True)
class CheckOutcome:
    """One test case's verdict in this run, for Dagster's asset check and the run's summary."""

    fqn: str
    table_fqn: str
    definition: str
    verdict: Verdict


@dataclass
class QualityRun:
    """What a data-quality run shares across its databases."""

    glue: Any
    s3: Any
    executor: SqlExecutor
    client: OpenMetadataClient
    options: ProfilerOptions
    declared: Sequence[DeclaredTestCase] = ()
    clock_ms: Callable[[], int] = field(default=lambda: int(time.time() * 1000))
    only_tables: frozenset[str] | None = None  # table FQNs to test; None: every table with test cases
    # Per table FQN, the only test case names to run there (a TestSuite file's testCases); others run all theirs.
    selected: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _openmetadata_cases: dict[str, list[QualityTestCase]] | None = None
    unreadable: list[str] = field(default_factory=list)

    def openmetadata_test_cases(self) -> dict[str, list[QualityTestCase]]:
        """Every test case OpenMetadata holds on a table of this service, by table FQN (listed once per run)."""
        if self._openmetadata_cases is None:
            self._openmetadata_cases, unreadable = list_service_test_cases(self.client, self.options)
            self.unreadable += unreadable
        return self._openmetadata_cases


def list_service_test_cases(
    client: OpenMetadataClient, options: ProfilerOptions
) -> tuple[dict[str, list[QualityTestCase]], list[str]]:
    """Test cases on this service's tables by table FQN, and why others on its tables cannot be read."""
    prefix = database_fqn(options.service_name, options.database_name) + "."
    found: dict[str, list[QualityTestCase]] = {}
    unreadable: list[str] = []
    # Test cases of other platforms (dbt's, say) are run and reported by that platform, as OpenMetadata's own
    # runner leaves them: running them here would file an Aborted result on each every run.
    other_platforms = {
        str(definition.get("name"))
        for definition in client.list_all("dataQuality/testDefinitions")
        if "OpenMetadata" not in (definition.get("testPlatforms") or ["OpenMetadata"])
    }
    for entity in client.list_all("dataQuality/testCases", fields=TEST_CASE_FIELDS):
        case = test_case_from_entity(entity)
        if isinstance(case, str):
            if prefix in str(entity.get("entityLink")):
                unreadable.append(case)
            continue
        if case.definition in other_platforms:
            continue
        if case.table_fqn.startswith(prefix):
            found.setdefault(case.table_fqn, []).append(case)
    return found, unreadable


def test_cases_by_table(run: QualityRun, database: str) -> dict[str, list[QualityTestCase]]:
    """This database's test cases by table FQN: OpenMetadata's, plus the workflow file's new ones (and, with
    ``forceUpdate``, the file's version of one OpenMetadata already holds)."""
    s_fqn = schema_fqn(run.options.service_name, run.options.database_name, database)
    by_table: dict[str, dict[str, QualityTestCase]] = {}
    for t_fqn, cases in run.openmetadata_test_cases().items():
        if t_fqn.startswith(s_fqn + "."):
            by_table.setdefault(t_fqn, {}).update({c.fqn: c for c in cases})
    for declared in declared_to_write(run, s_fqn):
        by_table.setdefault(declared.table_fqn, {})[declared.fqn] = declared.as_test_case()
    for t_fqn, names in run.selected.items():
        if not t_fqn.startswith(s_fqn + "."):
            continue
        held = by_table.get(t_fqn, {})
        missing = sorted(names - {case.name for case in held.values()})
        if missing:
            run.unreadable.append(
                f"{', '.join(missing)} on {t_fqn}: named in a TestSuite file's testCases, but the table has no "
                "test case of that name; fix the name or declare it under processor.config.testCases"
            )
        by_table[t_fqn] = {fqn: case for fqn, case in held.items() if case.name in names}
    return {
        t: list(cases.values())
        for t, cases in sorted(by_table.items())
        if cases and (run.only_tables is None or t in run.only_tables)
    }


def declared_to_write(run: QualityRun, s_fqn: str) -> list[DeclaredTestCase]:
    """The workflow file's test cases of this schema that are created or updated: new ones, or all with
    ``forceUpdate`` (OpenMetadata's orm-test-runner semantics)."""
    existing = {c.fqn for cases in run.openmetadata_test_cases().values() for c in cases}
    return [
        d for d in run.declared if d.table_fqn.startswith(s_fqn + ".") and (d.force_update or d.fqn not in existing)
    ]


def _columns(table: GlueTable) -> tuple[tuple[str, str], ...]:
    return tuple(
        (c.name, c.type)
        for c in (*table.columns, *table.partition_keys)
        if c.parameters.get("iceberg.field.current") != "false"
    )


class GlueTableLookup:
    """Resolves ``tableDiff``'s ``table2`` FQN to a Glue table of this service."""

    def __init__(self, run: QualityRun, tables: Mapping[str, GlueTable]) -> None:
        self.run = run
        self.tables = tables

    def resolve(self, fqn: str) -> tuple[str, str, tuple[tuple[str, str], ...]] | str:
        try:
            parts = split_fqn(fqn)
        except ValueError as error:
            return f"table2 {fqn!r} is not a table FQN ({error})"
        if len(parts) != 4:
            return f"table2 {fqn!r} is not a table FQN (service.database.schema.table)"
        service, _, database, name = parts
        if service != self.run.options.service_name:
            return (
                f"table2 {fqn} is on service {service}, not {self.run.options.service_name}: athena-om diffs two "
                "tables of the same Athena service"
            )
        known = self.tables.get(f"{database}.{name}")
        if known is not None:
            return database, name, _columns(known)
        try:
            item = self.run.glue.get_table(DatabaseName=database, Name=name)["Table"]
        except Exception as error:
            return f"table2 {fqn} cannot be read from Glue: {error}"
        storage = item.get("StorageDescriptor") or {}
        columns = [*(storage.get("Columns") or []), *(item.get("PartitionKeys") or [])]
        return database, name, tuple((c["Name"], c.get("Type", "string")) for c in columns)


@dataclass
class _Planned:
    fqn: str
    table: GlueTable
    tests: list[QualityTestCase]
    plan: TableTestPlan
    estimate: int
    unique_columns: tuple[str, ...] = ()


def _shape(run: QualityRun, table: GlueTable, entity: Mapping[str, Any] | None) -> TableShape | str:
    """The table's columns and the rows its tests read: the whole table, or the partitions OpenMetadata's
    ``tableProfilerConfig.partitioning`` (or ``athenaOm.profiler.partitionFilters``) chooses."""
    keys = [(k.name, k.type) for k in table.partition_keys]
    config = (entity or {}).get("tableProfilerConfig") or {}
    partitioning = config.get("partitioning")
    name = f"{table.database}.{table.name}"
    configured = run.options.partition_filters.get(name)
    injected = injected_keys(table.parameters, [k for k, _ in keys])
    partitions = []
    if keys and partitioning and partitioning.get("enablePartitioning") and not configured:
        try:
            partitions = read_glue_partitions(run.glue, table.database, table.name, run.options.catalog_id)
        except Exception as error:
            return f"cannot list partitions: {error}"
    choice = choose_partitions(
        name, keys, partitions, mode="all", configured_filter=configured, injected=injected,
        om_partitioning=partitioning,
    )  # fmt: skip
    if choice.error:
        return choice.error
    return TableShape(table.database, table.name, _columns(table), choice.predicate)


def _estimate(run: QualityRun, table: GlueTable) -> int:
    if is_glue_view(table) or not table.storage.location:
        return 0
    objects = list_s3_objects(run.s3, table.storage.location)
    return sum(o.size for o in objects or [])


@dataclass
class DatabaseQuality:
    """A database's run: the writes for OpenMetadata and each test case's verdict (for Dagster's checks)."""

    batch: SyncBatch
    outcomes: list[CheckOutcome]


def plan_database_quality(run: QualityRun, database: str) -> SyncBatch:
    """Run every test case on the tables of one Glue database; the batch holds one result per test case."""
    return run_database_quality(run, database).batch


def run_database_quality(run: QualityRun, database: str) -> DatabaseQuality:
    """Run every test case on the tables of one Glue database; one result per test case."""
    options = run.options
    batch = SyncBatch()
    s_fqn = schema_fqn(options.service_name, options.database_name, database)
    batch.openmetadata_page = f"/databaseSchema/{s_fqn}"
    try:
        cases = test_cases_by_table(run, database)
    except OpenMetadataError as exc:
        batch.failures.append(f"{s_fqn}: cannot list test cases from OpenMetadata: {exc}")
        return DatabaseQuality(batch, [])
    declared = [d for d in declared_to_write(run, s_fqn) if d.table_fqn in cases]
    if declared:
        batch.add(
            PutEntities(
                "dataQuality/testCases",
                [
                    test_case_request(d.name, d.definition, d.table_fqn, d.column, d.parameters, d.description)
                    for d in declared
                ],
            )
        )
    timestamp = run.clock_ms()
    outcomes: list[CheckOutcome] = []
    if not cases:
        _report(batch, outcomes, {}, options)
        return DatabaseQuality(batch, outcomes)
    listing = read_tables(run.glue, database, options.catalog_id)
    if listing.error:
        batch.failures.append(listing.error)
    glue_tables = {f"{t.database}.{t.name}": t for t in listing.tables}
    try:
        entities = read_openmetadata_tables(run.client, s_fqn)
    except OpenMetadataError:
        entities = {}
    lookup = TableLookup(GlueTableLookup(run, glue_tables).resolve)
    now = datetime.fromtimestamp(timestamp / 1000, tz=UTC)
    planned: list[_Planned] = []
    for t_fqn, tests in cases.items():
        name = split_fqn(t_fqn)[-1]
        table = glue_tables.get(f"{database}.{name}")
        if table is None:
            reason = f"table {t_fqn} is not in Glue database {database}"
            outcomes += [CheckOutcome(t.fqn, t_fqn, t.definition, aborted(reason)) for t in tests]
            continue
        entity = entities.get(encode_entity_name(name))
        if entity is not None:
            batch.known_table_ids[t_fqn] = entity["id"]
        shape = _shape(run, table, entity)
        if isinstance(shape, str):
            outcomes += [CheckOutcome(t.fqn, t_fqn, t.definition, aborted(shape)) for t in tests]
            continue
        plan = compile_table_tests(shape, tests, now=now, lookup=lookup)
        planned.append(_Planned(t_fqn, table, tests, plan, _estimate(run, table)))
    jobs: list[QueryJob] = []
    for item in planned:
        aggregate = item.plan.aggregate_query()
        if aggregate is not None:
            jobs.append(_job(item, "tests", render_athena_sql(aggregate)))
        unique = item.plan.uniqueness_query()
        if unique is not None:
            item.unique_columns = unique[1]
            jobs.append(_job(item, "unique", render_athena_sql(unique[0])))
        for test_fqn, own in item.plan.own_queries.items():
            # Custom SQL runs as the user wrote it: Athena parses it, and its error text is kept.
            jobs.append(_job(item, f"sql:{test_fqn}", render_athena_sql(own.sql)))
    results = {o.job.key: o for o in run.executor.run_all(jobs)}
    for item in planned:
        outcomes += _judge(item, results)
    for outcome in outcomes:
        batch.add(AddTestCaseResult(outcome.fqn, test_case_result(outcome.verdict, timestamp)))
    _report(batch, outcomes, results, options)
    batch.warnings += [f"cannot run test case {reason}" for reason in run.unreadable if s_fqn + "." in reason]
    return DatabaseQuality(batch, outcomes)


def _job(item: _Planned, kind: str, sql: str) -> QueryJob:
    return QueryJob(
        key=f"{kind}:{item.fqn}", sql=sql, estimated_bytes=item.estimate, timeout_s=43200, database=item.table.database
    )


def _failure(outcome: QueryOutcome | None) -> str | None:
    if outcome is None:
        return "the query was not run"
    if outcome.skipped:
        return outcome.skipped
    if outcome.result is None:
        return outcome.error or "no result"
    return None


def _judge(item: _Planned, results: Mapping[str, QueryOutcome]) -> list[CheckOutcome]:
    plan = item.plan
    main = results.get(f"tests:{item.fqn}")
    measured = main.result.first_row() if main is not None and main.result is not None else {}
    main_error = _failure(main) if plan.aggregates else None
    exact: dict[str, tuple[int, int]] = {}
    unique = results.get(f"unique:{item.fqn}")
    unique_error = _failure(unique) if plan.unique_tests else None
    if unique is not None and unique.result is not None:
        for row in unique.result.records():
            index = int(row["set_index"])
            exact[item.unique_columns[index]] = (int(row["distinct_count"]), int(row["unique_count"]))
    found: list[CheckOutcome] = []
    for test in item.tests:
        verdict = plan.verdicts.get(test.fqn)
        if verdict is None and test.fqn in plan.own_queries:
            own = results.get(f"sql:{test.fqn}:{item.fqn}")
            error = _failure(own)
            if error is not None or own is None or own.result is None:
                line = plan.own_queries[test.fqn].user_sql_line
                note = f" (Athena's line numbers: the sqlExpression starts on line {line})" if line else ""
                verdict = aborted(f"{test.definition}: the query failed: {error}{note}")
            else:
                verdict = plan.own_queries[test.fqn].judge(own.result.records())
        elif verdict is None and test.fqn in plan.unique_tests:
            failed = main_error or unique_error
            verdict = (
                aborted(f"{test.definition}: the query failed: {failed}")
                if failed
                else plan.judge_unique(test.fqn, measured, exact)
            )
        elif verdict is None:
            judge = plan.judges.get(test.fqn)
            if judge is None:
                verdict = aborted(f"{test.definition}: nothing was compiled for this test case")
            elif main_error:
                verdict = aborted(f"{test.definition}: the query failed: {main_error}")
            else:
                verdict = judge(measured)
        found.append(CheckOutcome(test.fqn, item.fqn, test.definition, verdict))
    return found


def _report(
    batch: SyncBatch, outcomes: Sequence[CheckOutcome], results: Mapping[str, QueryOutcome], options: ProfilerOptions
) -> None:
    """Counts, bytes, cost and the failing tests, for the Dagster UI."""
    ran = [o for o in results.values() if o.skipped is None]
    scanned = sum(o.scanned_bytes for o in ran)
    billed = sum(billed_bytes(o.scanned_bytes) for o in ran)
    by_status = {status: [o for o in outcomes if o.verdict.status is status] for status in Status}
    not_passing = by_status[Status.FAILED] + by_status[Status.ABORTED]
    for outcome in by_status[Status.ABORTED]:
        batch.warnings.append(f"{outcome.fqn}: aborted: {outcome.verdict.result}")
    batch.metadata.update(
        {
            "tests_run": len(outcomes),
            "tests_passed": len(by_status[Status.SUCCESS]),
            "tests_failed": len(by_status[Status.FAILED]),
            "tests_aborted": len(by_status[Status.ABORTED]),
            "athena_queries": len(ran),
            "bytes_scanned": scanned,
            "bytes_billed": billed,
            "estimated_cost_usd": round(billed / TERABYTE * options.price_per_tb_usd, 6),
            "failing_tests": "\n".join(
                f"- `{o.fqn}` ({o.definition}): **{o.verdict.status.value}** {o.verdict.result}" for o in not_passing
            )
            or "(none)",
        }
    )
