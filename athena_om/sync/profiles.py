"""Plan table profiles for one Glue database: choose partitions, size the scan, query once per table, map.

For each table in scope the planner reads only zero-scan facts first (Glue partitions, S3 object sizes, the
table's ``tableProfilerConfig`` in OpenMetadata), decides what to read (partitions; a TABLESAMPLE when the
estimate is over ``maxBytesPerTable``; a skip when even a 1% sample is), then runs one profile query per table
(two with exact uniqueness) through the shared :class:`SqlExecutor`, and returns one ``PutTableProfile`` per
profiled table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot import exp

from athena_om.athena.catalog import read_tables
from athena_om.athena.models import GlueTable
from athena_om.athena.sql_execution import (
    TERABYTE,
    QueryJob,
    QueryOutcome,
    SqlExecutor,
    billed_bytes,
    cost_usd,
    render_athena_sql,
)
from athena_om.athena.table_data import (
    DataPartition,
    GlueColumnStatistics,
    S3Object,
    bytes_under,
    list_s3_objects,
    partitions_from_objects,
    read_glue_column_statistics,
    read_glue_partitions,
)
from athena_om.mapping.filters import filter_subject, is_filtered
from athena_om.mapping.fqn import encode_entity_name, schema_fqn, table_fqn
from athena_om.mapping.profile_partitions import PartitionChoice, choose_partitions, injected_keys
from athena_om.mapping.profile_sql import (
    ICEBERG_ROW_COUNT,
    ProfiledColumn,
    ProfileQuery,
    Sample,
    UniquenessQuery,
    iceberg_files_query,
    profile_query,
    profiled_columns,
    sample_rows_query,
    uniqueness_query,
)
from athena_om.mapping.profile_statistics import statistics_are_fresh, statistics_profile_request
from athena_om.mapping.profiles import ProfileContext, sample_table_data, table_profile_request, uniqueness_from_rows
from athena_om.mapping.tables import is_glue_view
from athena_om.mapping.types import DataType, TypeParseError, parse_type_string
from athena_om.openmetadata.batches import PutTableProfile, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.sync.profile_options import ProfilerOptions

COLUMNAR = ("parquet", "orc")
MIN_SAMPLE_PERCENT = 1.0
LARGEST_LISTED = 10


@dataclass(frozen=True)
class TablePlan:
    """What will be read for one table, and why."""

    table: GlueTable
    fqn: str
    columns: tuple[ProfiledColumn, ...]
    choice: PartitionChoice
    estimated_bytes: int | None
    sample: Sample | None
    sampled_for_budget: bool
    profile: ProfileQuery | None  # None: taken from zero-scan sources only
    uniqueness: UniquenessQuery | None
    accepted_columns: frozenset[str]
    # Zero-scan sources: Glue column statistics (by lower-case name), an Iceberg "$files" row count query, or a
    # row count Glue keeps (numRows).
    statistics: Mapping[str, GlueColumnStatistics] | None = None
    files_query: exp.Select | None = None
    known_row_count: int | None = None
    zero_scan_reason: str = ""
    sample_rows: exp.Select | None = None  # generateSampleData: a LIMIT query for the Sample Data tab
    # How many rows that query takes: the table's tableProfilerConfig.sampleDataCount, else the default (50).
    sample_data_count: int | None = None


@dataclass
class TableOutcome:
    fqn: str
    status: str  # profiled, sampled, skipped, failed
    reason: str = ""
    scanned_bytes: int = 0
    queries: int = 0
    estimated_bytes: int | None = None
    billed_bytes: int = 0


@dataclass
class ProfileRun:
    """What the asset needs from AWS and OpenMetadata for a run, shared by its databases."""

    glue: Any
    s3: Any
    executor: SqlExecutor
    client: OpenMetadataClient
    options: ProfilerOptions
    clock_ms: Callable[[], int] = field(default=lambda: int(time.time() * 1000))


def table_in_scope(table: GlueTable, options: ProfilerOptions) -> bool:
    if is_glue_view(table) and not options.include_views:
        return False
    fqn = table_fqn(options.service_name, options.database_name, table.database, table.name)
    subject = filter_subject(table.name, fqn, use_fqn_for_filtering=options.use_fqn_for_filtering)
    return not is_filtered(subject, options.table_filter)


def schema_in_scope(database: str, options: ProfilerOptions) -> bool:
    if is_filtered(options.database_name, options.database_filter):
        return False
    fqn = schema_fqn(options.service_name, options.database_name, database)
    subject = filter_subject(database, fqn, use_fqn_for_filtering=options.use_fqn_for_filtering)
    return not is_filtered(subject, options.schema_filter)


def _storage_format(table: GlueTable) -> str:
    text = " ".join(
        filter(None, [table.storage.input_format, table.storage.serde_library, table.parameters.get("classification")])
    ).lower()
    if table.parameters.get("table_type", "").upper() == "ICEBERG" or "parquet" in text:
        return "parquet"
    if "orc" in text:
        return "orc"
    return "row"


def _all_columns(table: GlueTable) -> list[tuple[str, str]]:
    """Columns a query can read: Iceberg fields Glue keeps but marks not current are left out."""
    return [
        (c.name, c.type)
        for c in (*table.columns, *table.partition_keys)
        if c.parameters.get("iceberg.field.current") != "false"
    ]


def unreadable_column(table: GlueTable) -> str | None:
    """Why Athena cannot read the table at all, if a column's Glue type does not parse or is an empty struct
    (Athena rejects the table's metadata whichever columns a query names)."""
    for name, type_text in _all_columns(table):
        try:
            parsed = parse_type_string(type_text)
        except TypeParseError as error:
            return f"column {name!r} has the type {type_text!r}, which does not parse ({error}); fix it in Glue"
        if parsed.data_type is DataType.STRUCT and not parsed.fields:
            return f"column {name!r} is a struct with no fields ({type_text!r}); give it fields in Glue"
    return None


def _selected_columns(columns: list[ProfiledColumn], config: Mapping[str, Any] | None) -> list[ProfiledColumn]:
    """OpenMetadata's per-table includeColumns / excludeColumns (matched on the top-level or dotted name)."""
    if not config:
        return columns
    excluded = set(config.get("excludeColumns") or [])
    included = {c.get("columnName") for c in config.get("includeColumns") or [] if c.get("columnName")}
    kept = [c for c in columns if c.name not in excluded and c.path[0] not in excluded]
    if included:
        kept = [c for c in kept if c.name in included or c.path[0] in included]
    return kept


def _om_sample(config: Mapping[str, Any] | None) -> Sample | None:
    """A per-table static sample from ``tableProfilerConfig.profileSampleConfig`` (or the older flat keys)."""
    if not config:
        return None
    sample_config = config.get("profileSampleConfig") or {}
    inner = sample_config.get("config") or {}
    value = inner.get("profileSample", config.get("profileSample"))
    kind = inner.get("profileSampleType", config.get("profileSampleType")) or "PERCENTAGE"
    method = inner.get("samplingMethodType") or "SYSTEM"
    if value is None:
        return None
    if kind == "ROWS":
        return Sample(rows=int(value))
    return Sample(percent=float(value), method=method) if float(value) < 100 else None


def _partitions_for(run: ProfileRun, table: GlueTable, objects: list[Any] | None) -> list[DataPartition]:
    keys = [k.name for k in table.partition_keys]
    projected = table.parameters.get("projection.enabled", "").lower() == "true"
    if projected:
        root = table.storage.location or ""
        template = table.parameters.get("storage.location.template")
        return partitions_from_objects(objects or [], root, keys, template)
    listed = read_glue_partitions(run.glue, table.database, table.name, run.options.catalog_id)
    if objects is None:
        return listed
    return [replace(p, size_bytes=bytes_under(objects, p.location)) if p.location else p for p in listed]


def _estimate(
    table: GlueTable, objects: list[Any] | None, choice: PartitionChoice, columns: int, all_columns: int
) -> int | None:
    """Bytes a scan would read: the chosen partitions' (or the table's) objects; columnar formats only read the
    referenced columns, so their share is scaled by the column fraction."""
    if is_glue_view(table):
        return None
    if choice.partitions and all(p.size_bytes is not None for p in choice.partitions):
        total = sum(p.size_bytes or 0 for p in choice.partitions)
    elif objects is not None:
        total = sum(o.size for o in objects)
    elif table.parameters.get("totalSize", "").isdigit():
        total = int(table.parameters["totalSize"])
    else:
        return None
    if _storage_format(table) in COLUMNAR and all_columns:
        total = int(total * min(1.0, columns / all_columns))
    return total


def _is_iceberg(table: GlueTable) -> bool:
    return table.parameters.get("table_type", "").upper() == "ICEBERG"


def _zero_scan_plan(
    run: ProfileRun,
    table: GlueTable,
    fqn: str,
    columns: list[ProfiledColumn],
    objects: list[S3Object] | None,
    choice: PartitionChoice,
    accepted: frozenset[str],
) -> TablePlan | None:
    """A plan that reads no data, when zero-scan sources give the whole profile; else None.

    An Iceberg table's row count comes from its ``$files`` metadata table; another's from Glue's ``numRows``.
    Column metrics come from Glue column statistics (``useStatistics``) when they cover every profiled column
    and were analyzed after the newest object was written; with ``computeColumnMetrics`` off none are needed.
    """
    options = run.options
    if choice.predicate is not None or _configured_sample(options) is not None:
        return None
    files = iceberg_files_query(table.database, table.name) if _is_iceberg(table) else None
    num_rows = table.parameters.get("numRows", "")
    known_rows = int(num_rows) if files is None and num_rows.isdigit() else None
    if files is None and known_rows is None:
        return None
    statistics: dict[str, GlueColumnStatistics] = {}
    reason = "row count from the Iceberg $files metadata table" if files is not None else "row count from Glue numRows"
    if options.compute_column_metrics:
        if not options.use_statistics or any(len(c.path) > 1 for c in columns):
            return None
        names = [c.name for c in columns]
        found = read_glue_column_statistics(run.glue, table.database, table.name, names, options.catalog_id)
        statistics = {name.lower(): value for name, value in found.items()}
        newest = max((o.last_modified for o in objects or [] if o.last_modified), default=None)
        if {n.lower() for n in names} - set(statistics) or not statistics_are_fresh(statistics, newest):
            return None
        reason += "; column metrics from Glue column statistics newer than the data"
    return TablePlan(
        table, fqn, tuple(columns), choice, 0, None, False, None, None, accepted,
        statistics=statistics, files_query=files, known_row_count=known_rows, zero_scan_reason=reason,
    )  # fmt: skip


def plan_table(run: ProfileRun, table: GlueTable, entity: Mapping[str, Any]) -> TablePlan | TableOutcome:
    """The plan for one table, or the outcome that says why it is skipped."""
    options = run.options
    fqn = entity.get("fullyQualifiedName") or table_fqn(
        options.service_name, options.database_name, table.database, table.name
    )
    config = entity.get("tableProfilerConfig") or None
    view = is_glue_view(table)
    unreadable = None if view else unreadable_column(table)
    if unreadable:
        return TableOutcome(fqn, "skipped", f"not queried: {unreadable}")
    columns = _selected_columns(profiled_columns(_all_columns(table)), config)
    objects = None if view or not table.storage.location else list_s3_objects(run.s3, table.storage.location)
    keys = [(k.name, k.type) for k in table.partition_keys]
    if view or not keys:
        choice = PartitionChoice()
    else:
        try:
            partitions = _partitions_for(run, table, objects)
        except Exception as exc:  # an unreadable partition listing only costs the partition choice
            return TableOutcome(fqn, "failed", f"cannot list partitions: {exc}")
        choice = choose_partitions(
            f"{table.database}.{table.name}",
            keys,
            partitions,
            mode=options.partitions,  # type: ignore[arg-type]
            last_days=options.last_days,
            configured_filter=options.partition_filters.get(f"{table.database}.{table.name}"),
            injected=injected_keys(table.parameters, [k for k, _ in keys]),
            om_partitioning=(config or {}).get("partitioning"),
        )
    if choice.error:
        return TableOutcome(fqn, "skipped", choice.error)
    if not view:
        zero_scan = _zero_scan_plan(
            run, table, fqn, columns, objects, choice, frozenset(_accepted_column_names(entity))
        )
        if zero_scan is not None:
            return zero_scan
    estimate = _estimate(table, objects, choice, len(columns), len(_all_columns(table)))
    sample = _om_sample(config) or _configured_sample(options)
    sampled_for_budget = False
    if estimate is not None and estimate > options.max_bytes_per_table and not view:
        percent = 100.0 * options.max_bytes_per_table / estimate
        if percent < MIN_SAMPLE_PERCENT:
            return TableOutcome(
                fqn,
                "skipped",
                f"estimated {estimate:,} bytes; even a {MIN_SAMPLE_PERCENT:g}% sample is over "
                f"athenaOm.profiler.maxBytesPerTable ({options.max_bytes_per_table:,}); raise it or choose fewer "
                "partitions",
                estimated_bytes=estimate,
            )
        if sample is None or sample.percent is None or sample.percent > percent:
            sample = Sample(percent=percent, method="SYSTEM")
            sampled_for_budget = True
    if sample is not None and sample.percent is not None and estimate is not None and sample.method == "SYSTEM":
        estimate = int(estimate * sample.percent / 100)
    if view and sample is not None and sample.percent is not None:
        # TABLESAMPLE applies to tables only; a view's sample is its first rows instead.
        sample = None
    accepted = frozenset(_accepted_column_names(entity))
    query = profile_query(table.database, table.name, columns, where=choice.predicate, sample=sample)
    uniqueness = (
        uniqueness_query(table.database, table.name, columns, where=choice.predicate, sample=sample)
        if options.exact_uniqueness and options.compute_column_metrics
        else None
    )
    return TablePlan(
        table, fqn, tuple(columns), choice, estimate, sample, sampled_for_budget, query, uniqueness, accepted,
        sample_data_count=_sample_data_count(config),
    )  # fmt: skip


def _sample_data_count(config: Mapping[str, Any] | None) -> int | None:
    """OpenMetadata's per-table ``tableProfilerConfig.sampleDataCount`` (rows for the Sample Data tab), if set."""
    count = (config or {}).get("sampleDataCount")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else None


def _configured_sample(options: ProfilerOptions) -> Sample | None:
    if options.sample_rows is not None:
        return Sample(rows=options.sample_rows)
    if options.sample_percent is not None:
        return Sample(percent=options.sample_percent, method=options.sampling_method)
    return None


def _accepted_column_names(entity: Mapping[str, Any]) -> list[str]:
    """Names OpenMetadata takes a column profile for: the table's top-level columns (OpenMetadata 2.0's
    ``tableProfile`` answers 400 "Invalid column name" for a struct child's dotted name)."""
    return [str(column.get("name")) for column in entity.get("columns") or []]


def _job(plan: TablePlan, kind: str, sql_expression: exp.Expr, timeout_s: float) -> QueryJob:
    estimate = plan.estimated_bytes or 0
    return QueryJob(
        key=f"{kind}:{plan.fqn}",
        sql=render_athena_sql(sql_expression),
        estimated_bytes=estimate,
        timeout_s=timeout_s,
        database=plan.table.database,
    )


def read_openmetadata_tables(client: OpenMetadataClient, s_fqn: str) -> dict[str, dict[str, Any]]:
    """The schema's tables in OpenMetadata by (encoded) name, with columns and tableProfilerConfig."""
    return {
        entity["name"]: entity
        for entity in client.list_all(
            "tables", params={"databaseSchema": s_fqn}, fields=["columns", "tableProfilerConfig"]
        )
    }


def plan_database_profiles(run: ProfileRun, database: str) -> SyncBatch:
    """Profile every in-scope table of one Glue database and return the profiles to write."""
    options = run.options
    batch = SyncBatch()
    s_fqn = schema_fqn(options.service_name, options.database_name, database)
    batch.openmetadata_page = f"/databaseSchema/{s_fqn}"
    if not schema_in_scope(database, options):
        batch.metadata["tables_in_scope"] = 0
        return batch
    listing = read_tables(run.glue, database, options.catalog_id)
    if listing.error:
        batch.failures.append(listing.error)
    try:
        entities = read_openmetadata_tables(run.client, s_fqn)
    except OpenMetadataError as exc:
        batch.failures.append(f"{s_fqn}: cannot read its tables from OpenMetadata: {exc}")
        return batch
    outcomes: list[TableOutcome] = []
    plans: dict[str, TablePlan] = {}
    for table in listing.tables:
        if not table_in_scope(table, options):
            continue
        entity = entities.get(encode_entity_name(table.name))
        fqn = table_fqn(options.service_name, options.database_name, database, table.name)
        if entity is None:
            outcomes.append(TableOutcome(fqn, "skipped", "not in OpenMetadata; materialize athena_tables first"))
            continue
        batch.known_table_ids[entity["fullyQualifiedName"]] = entity["id"]
        planned = plan_table(run, table, entity)
        if isinstance(planned, TableOutcome):
            outcomes.append(planned)
        else:
            if options.generate_sample_data:
                planned = replace(planned, sample_rows=_sample_rows(planned, options))
            plans[planned.fqn] = planned
    jobs = []
    for plan in plans.values():
        if plan.files_query is not None:
            jobs.append(_job(plan, "files", plan.files_query, options.timeout_seconds))
        if plan.sample_rows is not None:
            jobs.append(replace(_job(plan, "sample", plan.sample_rows, options.timeout_seconds), estimated_bytes=0))
        if plan.profile is None:
            continue
        jobs.append(_job(plan, "profile", plan.profile.select, options.timeout_seconds))
        if plan.uniqueness is not None:
            jobs.append(_job(plan, "uniqueness", plan.uniqueness.select, options.timeout_seconds))
    results: dict[str, QueryOutcome] = {o.job.key: o for o in run.executor.run_all(jobs)}
    timestamp = run.clock_ms()
    for plan in plans.values():
        outcome, operation = _table_result(plan, results, timestamp, options)
        _add_sample_data(plan, results, outcome, operation)
        outcomes.append(outcome)
        if operation is not None:
            batch.add(operation)
    _report(batch, outcomes, options, run.client.ui_base_url)
    batch.metadata["queries"] = _query_table(results.values(), options.price_per_tb_usd)
    return batch


def _sample_rows(plan: TablePlan, options: ProfilerOptions) -> exp.Select:
    """Up to ``sampleDataCount`` rows (the table's, else ``sample_data_rows``) of the table's top-level columns
    OpenMetadata holds, in the partitions read."""
    readable = {name for name, _ in _all_columns(plan.table)}
    names = [name for name in sorted(plan.accepted_columns) if name in readable]
    ordered = [name for name, _ in _all_columns(plan.table) if name in names]
    return sample_rows_query(
        plan.table.database,
        plan.table.name,
        ordered,
        where=plan.choice.predicate,
        limit=plan.sample_data_count or options.sample_data_rows,
    )


def _add_sample_data(
    plan: TablePlan, results: Mapping[str, QueryOutcome], outcome: TableOutcome, operation: PutTableProfile | None
) -> None:
    """Attach the sample rows to the table's profile write, and count their query."""
    found = results.get(f"sample:{plan.fqn}")
    if found is None or found.skipped:
        return
    outcome.queries += 1
    outcome.scanned_bytes += found.scanned_bytes
    outcome.billed_bytes += billed_bytes(found.scanned_bytes)
    if found.result is None:
        outcome.reason += f"; sample data not read: {found.error}"
    elif operation is not None:
        operation.sample_data = sample_table_data(found.result.columns, found.result.rows)


def _query_table(outcomes: Any, price_per_tb_usd: float) -> str:
    """Each query's id, data scanned and estimated cost (Athena bills at least 10 MB a query)."""
    lines = ["| query | Athena id | scanned bytes | est. cost (USD) |", "|---|---|---|---|"]
    for outcome in outcomes:
        if outcome.result is None:
            continue
        statistics = outcome.result.statistics
        cost = cost_usd(statistics.data_scanned_bytes, price_per_tb_usd)
        lines.append(
            f"| `{outcome.job.key}` | {statistics.query_id} | {statistics.data_scanned_bytes:,} | {cost:.6f} |"
        )
    return "\n".join(lines)


def _context(plan: TablePlan, timestamp_ms: int, options: ProfilerOptions) -> ProfileContext:
    return ProfileContext(
        timestamp_ms=timestamp_ms,
        column_count=len(plan.table.columns) + len(plan.table.partition_keys),
        size_in_bytes=sum(p.size_bytes or 0 for p in plan.choice.partitions) or None,
        created_at=plan.table.create_time,
        sample_percent=plan.sample.percent if plan.sample else None,
        sample_rows=plan.sample.rows if plan.sample else None,
        compute_table_metrics=options.compute_table_metrics,
        compute_column_metrics=options.compute_column_metrics,
    )


def _zero_scan_result(
    plan: TablePlan, results: Mapping[str, QueryOutcome], timestamp_ms: int, options: ProfilerOptions
) -> tuple[TableOutcome, PutTableProfile | None]:
    files = results.get(f"files:{plan.fqn}")
    outcome = TableOutcome(plan.fqn, "profiled", plan.zero_scan_reason, estimated_bytes=0)
    row_count = plan.known_row_count
    if files is not None:
        outcome.queries = 0 if files.skipped else 1
        outcome.scanned_bytes = files.scanned_bytes
        outcome.billed_bytes = files.scanned_bytes
        if files.result is None:
            outcome.status = "skipped" if files.skipped else "failed"
            outcome.reason = f"Iceberg $files row count: {files.skipped or files.error}"
            return outcome, None
        value = files.result.first_row().get(ICEBERG_ROW_COUNT)
        row_count = int(value) if value not in (None, "") else 0
    request = statistics_profile_request(
        plan.statistics or {}, row_count, _context(plan, timestamp_ms, options), accepted_columns=plan.accepted_columns
    )
    return outcome, PutTableProfile(plan.fqn, request)


def _table_result(
    plan: TablePlan, results: Mapping[str, QueryOutcome], timestamp_ms: int, options: ProfilerOptions
) -> tuple[TableOutcome, PutTableProfile | None]:
    if plan.profile is None:
        return _zero_scan_result(plan, results, timestamp_ms, options)
    main = results[f"profile:{plan.fqn}"]
    extra = results.get(f"uniqueness:{plan.fqn}")
    scanned = main.scanned_bytes + (extra.scanned_bytes if extra else 0)
    queries = sum(1 for o in (main, extra) if o is not None and o.skipped is None)
    billed = sum(billed_bytes(o.scanned_bytes) for o in (main, extra) if o is not None and o.skipped is None)
    base = TableOutcome(
        plan.fqn,
        "failed",
        scanned_bytes=scanned,
        queries=queries,
        estimated_bytes=plan.estimated_bytes,
        billed_bytes=billed,
    )
    if main.skipped:
        base.status, base.reason = "skipped", main.skipped
        return base, None
    if main.result is None:
        base.reason = main.error or "no result"
        return base, None
    exact = None
    if extra is not None and extra.result is not None and plan.uniqueness is not None:
        exact = uniqueness_from_rows(extra.result.records(), plan.uniqueness.columns)
    context = _context(plan, timestamp_ms, options)
    mapped = table_profile_request(
        main.result.first_row(), plan.profile.metrics, context, accepted_columns=plan.accepted_columns, exact=exact
    )
    base.status = "sampled" if plan.sample is not None else "profiled"
    notes = [plan.choice.description]
    if plan.sampled_for_budget and plan.sample is not None:
        notes.append(f"TABLESAMPLE SYSTEM ({plan.sample.percent:.2f}%) to stay within maxBytesPerTable")
    if extra is not None and extra.result is None:
        notes.append(f"exact uniqueness not computed: {extra.error or extra.skipped}")
    if mapped.dropped_columns:
        notes.append(f"{len(mapped.dropped_columns)} struct leaves profiled but not taken by OpenMetadata")
    base.reason = "; ".join(notes)
    return base, PutTableProfile(plan.fqn, mapped.request)


def _report(batch: SyncBatch, outcomes: list[TableOutcome], options: ProfilerOptions, ui: str) -> None:
    """Counts, bytes, cost and the largest tables, for the Dagster UI."""
    by_status: dict[str, list[TableOutcome]] = {}
    for outcome in outcomes:
        by_status.setdefault(outcome.status, []).append(outcome)
    scanned = sum(o.scanned_bytes for o in outcomes)
    queries = sum(o.queries for o in outcomes)
    billed = sum(o.billed_bytes for o in outcomes)
    for outcome in by_status.get("skipped", []):
        batch.warnings.append(f"{outcome.fqn}: skipped: {outcome.reason}")
    for outcome in by_status.get("failed", []):
        batch.failures.append(f"{outcome.fqn}: profile failed: {outcome.reason}")
    largest = sorted(
        (o for o in outcomes if o.status in ("profiled", "sampled")),
        key=lambda o: (-(o.scanned_bytes or 0), o.fqn),
    )[:LARGEST_LISTED]
    batch.metadata.update(
        {
            "tables_profiled": len(by_status.get("profiled", [])) + len(by_status.get("sampled", [])),
            "tables_sampled": len(by_status.get("sampled", [])),
            "tables_skipped": len(by_status.get("skipped", [])),
            "tables_failed": len(by_status.get("failed", [])),
            "athena_queries": queries,
            "bytes_scanned": scanned,
            "bytes_billed": billed,
            "estimated_cost_usd": round(billed / TERABYTE * options.price_per_tb_usd, 6),
            "largest_tables": "| table | scanned bytes | read |\n|---|---|---|\n"
            + "\n".join(
                f"| [{o.fqn}]({ui}/table/{o.fqn}/profiler) | {o.scanned_bytes:,} | {o.reason} |" for o in largest
            ),
            "skipped": "\n".join(f"- `{o.fqn}`: {o.reason}" for o in by_status.get("skipped", [])) or "(none)",
        }
    )
