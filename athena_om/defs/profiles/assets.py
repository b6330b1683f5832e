"""Table profiles: one Athena scan per table, per Glue database, written with OpenMetadata's table-profile API."""

from dagster import AssetExecutionContext, AssetKey, BackfillPolicy, MetadataValue, asset

from athena_om.athena.sql_execution import ByteBudget, PyAthenaRunner, SqlExecutor
from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.openmetadata.batches import PartitionedSync, SyncBatch
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.profile_options import profiler_options_from_workflow
from athena_om.sync.profiles import ProfileRun, plan_database_profiles

GROUP = "athena_profiles"


@asset(
    group_name=GROUP,
    pool="athena",
    io_manager_key="openmetadata_io_manager",
    partitions_def=glue_database_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[AssetKey("athena_tables")],
    kinds={"athena", "openmetadata"},
)
def athena_table_profiles(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> PartitionedSync:
    """Row counts and column metrics of the tables (and, with includeViews, views) of this run's Glue databases.

    Partitioned tables are read on their newest partition(s); each table's scan is estimated first and sampled
    or skipped when over ``athenaOm.profiler.maxBytesPerTable``; the run stops issuing queries at
    ``maxBytesPerRun``. Each database is profiled, written and reported on its own.
    """
    settings.warn_ignored_keys(context.log)
    options = profiler_options_from_workflow(settings.workflow())
    openmetadata.check_server()
    runner = PyAthenaRunner(aws.pyathena_connection)
    run = ProfileRun(
        glue=aws.glue(),
        s3=aws.client("s3"),
        executor=SqlExecutor(runner, ByteBudget(options.max_bytes_per_run), options.thread_count),
        client=openmetadata.get_client(),
        options=options,
    )

    def plan(database: str) -> SyncBatch:
        before = aws.request_counts.copy()
        batch = plan_database_profiles(run, database)
        batch.metadata["aws_requests"] = MetadataValue.json(dict(aws.request_counts - before))
        batch.metadata["run_bytes_scanned_so_far"] = run.executor.budget.spent
        return batch

    return PartitionedSync(partition_keys=list(context.partition_keys), plan=plan)
