"""Data quality: OpenMetadata's test cases run on Athena, results to OpenMetadata and to Dagster asset checks.

``athena_data_quality`` (one partition per Glue database) runs every test case of a database's tables. With a
snapshot of the service's test cases (see ``component.py``), each database also gets a ``data_quality__<db>``
asset carrying one asset check per test case: its latest verdict, severity and measured values.
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from athena_om.athena.sql_execution import ByteBudget, PyAthenaRunner, SqlExecutor
from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.defs.quality.snapshot import QualitySnapshot, SnapshotCase, asset_name, check_name
from athena_om.mapping.quality_sql import Status
from athena_om.openmetadata.batches import PartitionedSync, SyncBatch
from athena_om.openmetadata.writer import BatchWriter
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource, report_metadata
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.quality import CheckOutcome, QualityRun, run_database_quality
from athena_om.sync.quality_options import QualityOptions, quality_options_from_workflow

GROUP = "athena_data_quality"


def quality_run(
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
    only_tables: frozenset[str] | None = None,
) -> tuple[QualityRun, QualityOptions]:
    """The run's shared pieces: the profiler's execution layer and budget, the client, the declared test cases."""
    options = quality_options_from_workflow(settings.workflow(), settings.config_path)
    execution = options.execution
    openmetadata.check_server()
    runner = PyAthenaRunner(aws.pyathena_connection)
    run = QualityRun(
        glue=aws.glue(),
        s3=aws.client("s3"),
        executor=SqlExecutor(runner, ByteBudget(execution.max_bytes_per_run), execution.thread_count),
        client=openmetadata.get_client(),
        options=execution,
        declared=options.declared,
        only_tables=only_tables,
        selected=options.selected_by_table(),
    )
    return run, options


@asset(
    group_name=GROUP,
    pool="athena",
    io_manager_key="openmetadata_io_manager",
    partitions_def=glue_database_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[AssetKey("athena_tables")],
    kinds={"athena", "openmetadata"},
)
def athena_data_quality(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> PartitionedSync:
    """Every OpenMetadata test case (and every one the workflow's TestSuite files declare) on the tables of this
    run's Glue databases: one Athena scan per table, one TestCaseResult per test case."""
    run, _ = quality_run(aws, openmetadata, settings)

    def plan(database: str) -> SyncBatch:
        return run_database_quality(run, database).batch

    return PartitionedSync(partition_keys=list(context.partition_keys), plan=plan)


def _check_result(
    case: SnapshotCase, outcome: CheckOutcome | None, options: QualityOptions, ui: str
) -> AssetCheckResult:
    name = check_name(case.fqn, case.table_fqn)
    severity = AssetCheckSeverity.WARN if options.severity_is_warn(case.fqn) else AssetCheckSeverity.ERROR
    link = MetadataValue.url(f"{ui}/table/{case.table_fqn}/profiler/data-quality")
    if outcome is None:
        return AssetCheckResult(
            check_name=name,
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description="not run: the test case is no longer in OpenMetadata or its table is gone",
            metadata={"openmetadata": link},
        )
    verdict = outcome.verdict
    metadata: dict[str, Any] = {
        "status": verdict.status.value,
        "result": verdict.result,
        "definition": case.definition,
        "openmetadata": link,
        **{f"value_{k}": v for k, v in verdict.values},
    }
    if verdict.failed_rows is not None:
        metadata["failed_rows"] = verdict.failed_rows
    return AssetCheckResult(
        check_name=name,
        passed=verdict.status is Status.SUCCESS,
        severity=severity,
        description=verdict.result[:1000],
        metadata=metadata,
    )


def database_check_asset(database: str, cases: list[SnapshotCase]) -> AssetsDefinition:
    """The data-quality asset of one Glue database, with one blocking asset check per test case."""
    key = AssetKey(asset_name(database))
    specs = [
        AssetCheckSpec(
            name=check_name(case.fqn, case.table_fqn),
            asset=key,
            blocking=True,  # a failed ERROR check fails the run; WARN does not
            description=f"{case.definition} on {case.table_fqn}",
        )
        for case in cases
    ]
    tables = frozenset(case.table_fqn for case in cases)

    @asset(
        key=key,
        group_name=GROUP,
        check_specs=specs,
        deps=[AssetKey("athena_tables")],
        kinds={"athena", "openmetadata"},
        description=f"Data-quality tests of Glue database {database}: {len(cases)} test cases on {len(tables)} tables",
    )
    def _database_quality(
        context: AssetExecutionContext,
        aws: AthenaResource,
        openmetadata: OpenMetadataResource,
        settings: AthenaOmSettingsResource,
    ) -> Iterator[MaterializeResult | AssetCheckResult]:
        run, options = quality_run(aws, openmetadata, settings, only_tables=tables)
        found = run_database_quality(run, database)
        client = run.client
        report = BatchWriter(client).write(found.batch)
        for failure in report.failures:
            context.log.warning(failure)
        by_fqn = {o.fqn: o for o in found.outcomes}
        yield MaterializeResult(metadata=report_metadata(report, found.batch, client.ui_base_url))
        for case in cases:
            yield _check_result(case, by_fqn.get(case.fqn), options, client.ui_base_url)

    return _database_quality


def check_assets(snapshot: QualitySnapshot) -> list[AssetsDefinition]:
    """One checked data-quality asset per Glue database in the snapshot."""
    return [database_check_asset(db, cases) for db, cases in sorted(snapshot.databases.items()) if cases]
