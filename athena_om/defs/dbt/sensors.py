"""Run ``dbt_metadata`` when dbt writes new artifacts (a `dbt build` from dagster-dbt, CI, a cron)."""

import hashlib
import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SensorResult, define_asset_job, sensor

from athena_om.athena.dbt_artifacts import DbtArtifactError, artifact_stamps, artifact_store, read_artifact_json
from athena_om.defs.dbt.assets import dbt_metadata
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.dbt import artifact_paths

dbt_metadata_job = define_asset_job(
    "dbt_metadata_job",
    selection=[dbt_metadata],
    description="Read the dbt artifacts and write their models, docs, tags, owners, lineage and tests.",
)


@sensor(
    job=dbt_metadata_job,
    minimum_interval_seconds=120,
    default_status=DefaultSensorStatus.STOPPED,
    description="Watches the dbt artifacts (file modification time, S3 LastModified, http ETag, and "
    "run_results.json's metadata.generated_at) and runs dbt_metadata when they change. A quiet tick costs one "
    "stat or HEAD per artifact.",
)
def dbt_artifacts_sensor(
    context: SensorEvaluationContext, aws: AthenaResource, settings: AthenaOmSettingsResource
) -> SensorResult:
    pipeline = settings.workflow().settings.dbt
    if pipeline is None:
        return SensorResult(skip_reason="athenaOm.dbt is not configured")
    paths = artifact_paths(pipeline)
    store = artifact_store(paths, s3_client=aws.client("s3") if paths.kind == "s3" else None)
    stamps = artifact_stamps(store, paths)
    if "manifest" not in stamps:
        return SensorResult(skip_reason=f"no manifest at {paths.describe('manifest')} yet", cursor=context.cursor)
    previous = json.loads(context.cursor) if context.cursor else {}
    if stamps == previous.get("stamps"):
        return SensorResult(skip_reason="the dbt artifacts have not changed", cursor=context.cursor)
    generated_at = previous.get("generated_at")
    if stamps.get("run_results") != (previous.get("stamps") or {}).get("run_results"):
        try:
            run_results = read_artifact_json(store, paths, "run_results")
        except DbtArtifactError as error:
            context.log.warning(str(error))
            run_results = None
        generated_at = (run_results or {}).get("metadata", {}).get("generated_at") or generated_at
    cursor = json.dumps({"stamps": stamps, "generated_at": generated_at}, sort_keys=True)
    digest = hashlib.sha256(cursor.encode()).hexdigest()[:16]
    return SensorResult(
        run_requests=[
            RunRequest(run_key=f"dbt:{generated_at or '-'}:{digest}", tags={"dbt/generated_at": str(generated_at)})
        ],
        cursor=cursor,
    )
