"""The artifact sensor as a function over a real instance; the dbt workflow keys; the code location with dbt."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import DagsterInstance, Definitions, SensorResult, build_sensor_context, instance_for_test

from athena_om.component import athena_om_definitions
from athena_om.config import WorkflowConfigError
from athena_om.config.loader import load_workflow_config
from athena_om.defs.dbt.definitions import defs as dbt_defs
from athena_om.defs.dbt.sensors import dbt_artifacts_sensor
from athena_om.resources.aws import AthenaResource
from athena_om.resources.settings import AthenaOmSettingsResource
from athena_om.sync.dbt import artifact_paths

EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"


def workflow(path: Path, dbt: dict[str, Any] | None) -> Path:
    document = yaml.safe_load(EXAMPLE.read_text())
    if dbt is not None:
        document["athenaOm"]["dbt"] = dbt
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def local_source(folder: Path) -> dict[str, Any]:
    return {
        "dbtConfigSource": {
            "dbtConfigType": "local",
            "dbtManifestFilePath": str(folder / "manifest.json"),
            "dbtRunResultsFilePath": str(folder / "run_results.json"),
        }
    }


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with instance_for_test() as test_instance:
        yield test_instance


def tick(instance: DagsterInstance, config: Path, cursor: str | None) -> SensorResult:
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={
            "aws": AthenaResource(region_name="us-east-1"),
            "settings": AthenaOmSettingsResource(config_path=str(config)),
        },
    )
    result = dbt_artifacts_sensor(context)
    assert isinstance(result, SensorResult)
    return result


def test_the_sensor_runs_once_per_new_set_of_artifacts(
    instance: DagsterInstance, dbt_artifacts: Path, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    config = workflow(tmp_path / "workflow.yaml", local_source(target))
    waiting = tick(instance, config, None)
    assert waiting.skip_reason is not None
    assert not waiting.run_requests and "no manifest" in str(waiting.skip_reason.skip_message)

    for name in ("manifest.json", "run_results.json"):
        shutil.copy(dbt_artifacts / name, target / name)
    first = tick(instance, config, waiting.cursor)
    generated_at = json.loads((target / "run_results.json").read_text())["metadata"]["generated_at"]
    (request,) = first.run_requests
    assert request.run_key is not None and request.run_key.startswith(f"dbt:{generated_at}:")

    quiet = tick(instance, config, first.cursor)
    assert quiet.skip_reason is not None
    assert not quiet.run_requests and str(quiet.skip_reason.skip_message) == "the dbt artifacts have not changed"

    # The next `dbt build` rewrites run_results.json with a new generated_at (and a later mtime).
    results = json.loads((target / "run_results.json").read_text())
    results["metadata"]["generated_at"] = "2027-01-01T00:00:00Z"
    (target / "run_results.json").write_text(json.dumps(results))
    stat = (target / "run_results.json").stat()
    os.utime(target / "run_results.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    (rerun,) = tick(instance, config, quiet.cursor).run_requests
    assert rerun.run_key is not None and rerun.run_key.startswith("dbt:2027-01-01T00:00:00Z:")


def test_the_sensor_skips_without_dbt_configured(instance: DagsterInstance, tmp_path: Path) -> None:
    result = tick(instance, workflow(tmp_path / "workflow.yaml", None), None)
    assert result.skip_reason is not None and result.skip_reason.skip_message == "athenaOm.dbt is not configured"


def test_openmetadatas_dbt_keys_load_and_s3_reads_the_prefix(tmp_path: Path) -> None:
    dbt = {
        "dbtConfigSource": {
            "dbtConfigType": "s3",
            "dbtSecurityConfig": {"awsRegion": "us-east-1"},
            "dbtPrefixConfig": {"dbtBucketName": "dbt-artifacts", "dbtObjectPrefix": "prod/target"},
        },
        "dbtUpdateDescriptions": True,
        "dbtUpdateOwners": False,
        "includeTags": True,
        "dbtClassificationName": "dbt",
        "schemaFilterPattern": {"includes": ["^demo_"]},
        "databaseNames": {"awsdatacatalog": "prod"},
    }
    config = load_workflow_config(str(workflow(tmp_path / "workflow.yaml", dbt)))
    pipeline = config.settings.dbt
    assert pipeline is not None and pipeline.dbt_update_descriptions and pipeline.dbt_classification_name == "dbt"
    paths = artifact_paths(pipeline)
    assert (paths.kind, paths.bucket, paths.manifest, paths.sources) == (
        "s3",
        "dbt-artifacts",
        "prod/target/manifest.json",
        "prod/target/sources.json",
    )


def test_dbt_cloud_is_refused_naming_what_works(tmp_path: Path) -> None:
    dbt = {"dbtConfigSource": {"dbtConfigType": "cloud", "dbtCloudAccountId": "1"}}
    with pytest.raises(WorkflowConfigError, match=r"athenaOm\.dbt\.dbtConfigSource.*one of local, http, s3"):
        load_workflow_config(str(workflow(tmp_path / "workflow.yaml", dbt)))


def test_the_code_location_loads_with_the_dbt_area(tmp_path: Path) -> None:
    """What the component does once dbt's defs are among its AREAS."""
    defs = Definitions.merge(athena_om_definitions(workflow(tmp_path / "workflow.yaml", None)), dbt_defs)
    repository = defs.get_repository_def()
    repository.load_all_definitions()
    assert "dbt_metadata_job" in {job.name for job in repository.get_all_jobs()}
    assert "dbt_artifacts_sensor" in {sensor.name for sensor in repository.sensor_defs}
    graph = repository.asset_graph
    (dbt_key,) = [key for key in graph.get_all_asset_keys() if key.to_user_string() == "dbt_metadata"]
    assert {key.to_user_string() for key in graph.get(dbt_key).parent_keys} == {"athena_tables"}
