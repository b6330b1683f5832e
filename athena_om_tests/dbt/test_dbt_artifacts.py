"""Reading dbt artifacts written by two real dbt versions, from disk, S3 and http, and refusing broken ones."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from athena_om.athena.dbt_artifacts import (
    DbtArtifactError,
    DbtArtifactPaths,
    HttpArtifacts,
    LocalArtifacts,
    S3Artifacts,
    artifact_stamps,
    http_artifact_paths,
    read_dbt_artifacts,
)


def local_paths(folder: Path) -> DbtArtifactPaths:
    return DbtArtifactPaths(
        "local",
        str(folder / "manifest.json"),
        str(folder / "catalog.json"),
        str(folder / "run_results.json"),
        str(folder / "sources.json"),
    )


def test_two_dbt_versions_give_the_same_nodes_tests_and_results(dbt_artifacts: Path, dbt17_artifacts: Path) -> None:
    new = read_dbt_artifacts(LocalArtifacts(), local_paths(dbt_artifacts))
    old = read_dbt_artifacts(LocalArtifacts(), local_paths(dbt17_artifacts))
    assert (new.manifest_schema, old.manifest_schema) == ("manifest/v12", "manifest/v11")
    assert new.dbt_version.startswith("1.11.") and old.dbt_version.startswith("1.7.")
    assert {n.unique_id for n in new.nodes} == {n.unique_id for n in old.nodes}
    assert {t.unique_id for t in new.tests} == {t.unique_id for t in old.tests}
    assert {(r.unique_id, r.status) for r in new.run_results} == {(r.unique_id, r.status) for r in old.run_results}
    for artifacts in (new, old):
        model = artifacts.node("model.athena_demo.dim_customers")
        assert model is not None
        assert (model.database, model.schema, model.identifier) == ("awsdatacatalog", "demo_sales", "customers")
        assert model.owners == ("data-platform",) and model.tags == ("customer",)
        assert model.compiled_sql and '"awsdatacatalog"."demo_raw"."raw_customers_csv"' in model.compiled_sql
        revenue = artifacts.node("model.athena_demo.daily_revenue")
        assert revenue is not None and revenue.meta_tags == ("gold",)
        singular = next(t for t in artifacts.tests if t.name == "assert_revenue_not_negative")
        assert singular.attached_node == "model.athena_demo.daily_revenue" and singular.column_name is None
        assert [f.status for f in artifacts.freshness] == ["warn"]
        assert [c.name for c in artifacts.catalog_columns["model.athena_demo.daily_revenue"]][:2] == ["dt", "region"]
        failed = [r for r in artifacts.run_results if r.status == "fail"]
        assert [(r.failures, r.completed_at is not None) for r in failed] == [(1, True)]


def test_only_the_manifest_is_required(dbt_artifacts: Path) -> None:
    artifacts = read_dbt_artifacts(LocalArtifacts(), DbtArtifactPaths("local", str(dbt_artifacts / "manifest.json")))
    assert artifacts.run_results == () and artifacts.freshness == () and artifacts.nodes


def test_a_missing_manifest_names_where_it_was_looked_for(tmp_path: Path) -> None:
    with pytest.raises(DbtArtifactError, match=r"manifest\.json at .*/nowhere/manifest\.json: does not exist"):
        read_dbt_artifacts(LocalArtifacts(), DbtArtifactPaths("local", str(tmp_path / "nowhere" / "manifest.json")))


@pytest.mark.parametrize("artifact", ["manifest", "run_results", "sources", "catalog"])
def test_a_truncated_artifact_is_named_as_corrupt(dbt_artifacts: Path, tmp_path: Path, artifact: str) -> None:
    for file in dbt_artifacts.glob("*.json"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    raw = (tmp_path / f"{artifact}.json").read_bytes()
    (tmp_path / f"{artifact}.json").write_bytes(raw[: len(raw) * 2 // 3])
    with pytest.raises(DbtArtifactError, match=rf"{artifact}\.json at .*: is not valid JSON .*truncated or corrupt"):
        read_dbt_artifacts(LocalArtifacts(), local_paths(tmp_path))


def test_a_node_that_breaks_its_schema_is_named(dbt_artifacts: Path, tmp_path: Path) -> None:
    manifest = json.loads((dbt_artifacts / "manifest.json").read_text())
    manifest["nodes"]["model.athena_demo.daily_revenue"]["columns"] = "not an object"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DbtArtifactError, match=r"node model\.athena_demo\.daily_revenue does not match its schema"):
        read_dbt_artifacts(LocalArtifacts(), DbtArtifactPaths("local", str(tmp_path / "manifest.json")))


def test_an_unknown_schema_version_says_so(dbt_artifacts: Path, tmp_path: Path) -> None:
    manifest = json.loads((dbt_artifacts / "manifest.json").read_text())
    manifest["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v99.json"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DbtArtifactError, match=r"manifest/v99\.json.*not a manifest\.json schema"):
        read_dbt_artifacts(LocalArtifacts(), DbtArtifactPaths("local", str(tmp_path / "manifest.json")))


def test_run_results_given_as_the_manifest_are_refused(dbt_artifacts: Path) -> None:
    paths = DbtArtifactPaths("local", str(dbt_artifacts / "run_results.json"))
    with pytest.raises(DbtArtifactError, match=r"run-results/v6\.json.*not a manifest\.json schema"):
        read_dbt_artifacts(LocalArtifacts(), paths)


class FakeS3:
    """get_object/head_object over a dict, answering NoSuchKey like S3 for anything else."""

    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects
        self.calls: list[str] = []

    def _missing(self, key: str) -> Exception:
        error = Exception(f"no {key}")
        error.response = {"Error": {"Code": "NoSuchKey"}}  # type: ignore[attr-defined]
        return error

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self.calls.append(f"get {Key}")
        if Key not in self.objects:
            raise self._missing(Key)
        return {"Body": io.BytesIO(self.objects[Key]), "ContentLength": len(self.objects[Key])}

    def head_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self.calls.append(f"head {Key}")
        if Key not in self.objects:
            raise self._missing(Key)
        return {"LastModified": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}


def test_an_s3_prefix_holds_the_artifacts_by_their_dbt_names(dbt_artifacts: Path) -> None:
    s3 = FakeS3(
        {
            "prod/target/manifest.json": (dbt_artifacts / "manifest.json").read_bytes(),
            "prod/target/run_results.json": (dbt_artifacts / "run_results.json").read_bytes(),
        }
    )
    paths = DbtArtifactPaths.under_s3_prefix("dbt-bucket", "/prod/target/")
    artifacts = read_dbt_artifacts(S3Artifacts(s3, "dbt-bucket"), paths)
    assert artifacts.run_results and artifacts.freshness == ()
    assert artifact_stamps(S3Artifacts(s3, "dbt-bucket"), paths) == {
        "manifest": "2026-01-02T03:04:05+00:00",
        "run_results": "2026-01-02T03:04:05+00:00",
    }
    assert paths.describe("manifest") == "s3://dbt-bucket/prod/target/manifest.json"


def test_artifacts_over_http_next_to_the_manifest(dbt_artifacts: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        file = dbt_artifacts / request.url.path.rsplit("/", 1)[-1]
        if request.url.path.endswith("catalog.json") or not file.exists():
            return httpx.Response(404)
        if request.method == "HEAD":
            return httpx.Response(200, headers={"ETag": f'"{file.name}"'})
        return httpx.Response(200, content=file.read_bytes())

    store = HttpArtifacts(httpx.Client(transport=httpx.MockTransport(answer)))
    paths = http_artifact_paths("https://dbt-docs.example.com/prod/manifest.json")
    assert paths.run_results == "https://dbt-docs.example.com/prod/run_results.json"
    artifacts = read_dbt_artifacts(store, paths)
    assert artifacts.catalog_columns == {} and artifacts.run_results
    assert artifact_stamps(store, paths)["manifest"] == '"manifest.json"'


def test_an_artifact_over_the_size_limit_is_refused(dbt_artifacts: Path) -> None:
    paths = DbtArtifactPaths("local", str(dbt_artifacts / "manifest.json"))
    with pytest.raises(DbtArtifactError, match=r"cannot be read \(is \d+ bytes, more than the 1000 allowed\)"):
        read_dbt_artifacts(LocalArtifacts(max_bytes=1000), paths)
