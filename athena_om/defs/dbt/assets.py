"""The dbt asset: a dbt project's models, docs, tags, owners, lineage and test results into OpenMetadata.

It names the tables ``athena_tables`` writes (every Glue database partition), so it runs after them.
"""

from dagster import AllPartitionMapping, AssetDep, AssetExecutionContext, Failure, MetadataValue, asset

from athena_om.athena.dbt_artifacts import DbtArtifactError, artifact_store, read_dbt_artifacts
from athena_om.config.workflow import DbtPipeline
from athena_om.defs.metadata.assets import athena_tables
from athena_om.openmetadata.batches import SyncBatch
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.catalog import owner_resolver_from_openmetadata, service_page
from athena_om.sync.dbt import artifact_paths, dbt_options, plan_dbt

GROUP = "dbt"


def dbt_pipeline(settings: AthenaOmSettingsResource) -> DbtPipeline:
    """The workflow's ``athenaOm.dbt`` section; a Failure saying how to add it when there is none."""
    pipeline = settings.workflow().settings.dbt
    if pipeline is None:
        raise Failure(
            description="No dbt artifacts configured: add `athenaOm.dbt.dbtConfigSource` to the workflow file "
            "(OpenMetadata's dbt keys, e.g. {dbtConfigType: local, dbtManifestFilePath: target/manifest.json})."
        )
    return pipeline


@asset(
    group_name=GROUP,
    pool="openmetadata",
    io_manager_key="openmetadata_io_manager",
    deps=[AssetDep(athena_tables, partition_mapping=AllPartitionMapping())],
    kinds={"dbt", "openmetadata"},
)
def dbt_metadata(
    context: AssetExecutionContext,
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    settings: AthenaOmSettingsResource,
) -> SyncBatch:
    """dbt's data models, descriptions, tags, owners, lineage, tests and test results for the Athena tables.

    Descriptions are set only where OpenMetadata has none (unless dbtUpdateDescriptions); nodes without a table
    are listed with the names tried. Artifacts already written leave nothing to write.
    """
    pipeline = dbt_pipeline(settings)
    sync = settings.sync_settings()
    paths = artifact_paths(pipeline)
    store = artifact_store(paths, s3_client=aws.client("s3") if paths.kind == "s3" else None)
    try:
        artifacts = read_dbt_artifacts(store, paths)
    except DbtArtifactError as error:
        raise Failure(description=str(error)) from None
    openmetadata.check_server()
    client = openmetadata.get_client()
    options = dbt_options(pipeline, sync.service_name, sync.database_name)
    batch = plan_dbt(artifacts, client, options, owner_resolver_from_openmetadata(client))
    batch.openmetadata_page = service_page(sync.service_name)
    for key in ("matched", "unmatched"):
        batch.metadata[key] = MetadataValue.json(batch.metadata[key])
    batch.metadata["artifacts"] = MetadataValue.json(
        {
            name: paths.describe(name)
            for name in ("manifest", "catalog", "run_results", "sources")
            if paths.address(name)
        }
    )
    context.log.info(
        f"dbt {artifacts.dbt_version} ({artifacts.manifest_schema}): {batch.metadata['nodes_matched']} nodes matched, "
        f"{batch.metadata['nodes_unmatched']} unmatched"
    )
    return batch
