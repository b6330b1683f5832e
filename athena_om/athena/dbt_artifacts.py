"""Read dbt's artifacts (manifest, catalog, run results, sources) from a folder, an S3 prefix or http(s).

Each artifact is validated with dbt-artifacts-parser's typed model for the schema version it declares. The
manifest is validated node by node with that version's own node and source models (not as one object), and
its macros, docs and other sections athena-om does not use are never validated, so a 50 MB manifest costs its
JSON once plus one node at a time. A missing required artifact, bad JSON or a document no schema accepts
raises ``DbtArtifactError`` naming the artifact, where it was read and what to do; nothing is written then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol, Union, get_args
from urllib.parse import urljoin

import httpx
from dbt_artifacts_parser.parsers.version_map import ArtifactTypes
from pydantic import BaseModel, TypeAdapter, ValidationError

from athena_om.athena.dbt_models import (
    TABLE_RESOURCE_TYPES,
    DbtArtifacts,
    DbtColumn,
    DbtFreshness,
    DbtNode,
    DbtRunResult,
    DbtTest,
)

ARTIFACT_NAMES = ("manifest", "catalog", "run_results", "sources")
FILE_NAMES = {name: f"{name}.json" for name in ARTIFACT_NAMES}
# Sections of the manifest athena-om never reads; they are most of a manifest's bytes (every macro's SQL).
UNUSED_MANIFEST_SECTIONS = (
    "macros",
    "docs",
    "exposures",
    "metrics",
    "groups",
    "selectors",
    "disabled",
    "semantic_models",
    "saved_queries",
    "unit_tests",
    "functions",
    "parent_map",
    "child_map",
    "group_map",
)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class DbtArtifactError(Exception):
    """An artifact could not be read or is not one dbt-artifacts-parser accepts; nothing was written."""

    def __init__(self, artifact: str, address: str, problem: str) -> None:
        super().__init__(f"dbt {FILE_NAMES.get(artifact, artifact)} at {address}: {problem}")
        self.artifact = artifact
        self.address = address


@dataclass(frozen=True)
class DbtArtifactPaths:
    """Where each artifact is: file paths, URLs or S3 keys (``bucket`` set); only the manifest is required."""

    kind: str  # "local", "http" or "s3"
    manifest: str
    catalog: str | None = None
    run_results: str | None = None
    sources: str | None = None
    bucket: str | None = None

    def address(self, artifact: str) -> str | None:
        return getattr(self, artifact)

    def describe(self, artifact: str) -> str:
        location = self.address(artifact) or "?"
        return f"s3://{self.bucket}/{location}" if self.kind == "s3" else location

    @classmethod
    def under_s3_prefix(cls, bucket: str, prefix: str) -> DbtArtifactPaths:
        """OpenMetadata's ``dbtPrefixConfig``: the four artifacts by their dbt file names under the prefix."""
        base = prefix.strip("/")
        keys = {name: f"{base}/{file}" if base else file for name, file in FILE_NAMES.items()}
        return cls("s3", keys["manifest"], keys["catalog"], keys["run_results"], keys["sources"], bucket=bucket)


class ArtifactStore(Protocol):
    """Reads one artifact's bytes (None when it does not exist) and says when it last changed."""

    def read(self, address: str) -> bytes | None: ...

    def stamp(self, address: str) -> str | None: ...


class LocalArtifacts:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def read(self, address: str) -> bytes | None:
        path = Path(address).expanduser()
        if not path.is_file():
            return None
        if path.stat().st_size > self.max_bytes:
            raise OSError(f"is {path.stat().st_size} bytes, more than the {self.max_bytes} allowed")
        return path.read_bytes()

    def stamp(self, address: str) -> str | None:
        path = Path(address).expanduser()
        return str(path.stat().st_mtime_ns) if path.is_file() else None


class HttpArtifacts:
    def __init__(self, client: httpx.Client, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.client = client
        self.max_bytes = max_bytes

    def read(self, address: str) -> bytes | None:
        with self.client.stream("GET", address) as response:
            if response.status_code == 404:
                return None
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise OSError(f"is more than the {self.max_bytes} bytes allowed")
                chunks.append(chunk)
        return b"".join(chunks)

    def stamp(self, address: str) -> str | None:
        response = self.client.head(address)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.headers.get("ETag") or response.headers.get("Last-Modified")


class S3Artifacts:
    """Objects of one bucket, through the AWS resource's S3 client."""

    def __init__(self, s3: Any, bucket: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.max_bytes = max_bytes

    def _missing(self, error: Exception) -> bool:
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        return code in ("NoSuchKey", "404", "NotFound")

    def read(self, address: str) -> bytes | None:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=address)
        except Exception as error:
            if self._missing(error):
                return None
            raise
        if answer.get("ContentLength", 0) > self.max_bytes:
            raise OSError(f"is {answer['ContentLength']} bytes, more than the {self.max_bytes} allowed")
        body: bytes = answer["Body"].read()
        return body

    def stamp(self, address: str) -> str | None:
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=address)
        except Exception as error:
            if self._missing(error):
                return None
            raise
        modified = head.get("LastModified")
        return modified.isoformat() if isinstance(modified, datetime) else str(modified or head.get("ETag"))


def http_artifact_paths(manifest_url: str) -> DbtArtifactPaths:
    """The four artifacts next to a manifest URL (dbt docs served over http)."""
    return DbtArtifactPaths(
        "http", manifest_url, *(urljoin(manifest_url, FILE_NAMES[name]) for name in ARTIFACT_NAMES[1:])
    )


# -- reading -------------------------------------------------------------------------------------------------


def read_artifact_json(store: ArtifactStore, paths: DbtArtifactPaths, artifact: str) -> dict[str, Any] | None:
    """One artifact as JSON; None when it is optional and absent."""
    address = paths.address(artifact)
    if address is None:
        return None
    try:
        raw = store.read(address)
    except (OSError, httpx.HTTPError) as error:
        raise DbtArtifactError(artifact, paths.describe(artifact), f"cannot be read ({error})") from None
    except Exception as error:  # boto3's ClientError and friends
        raise DbtArtifactError(
            artifact, paths.describe(artifact), f"cannot be read ({type(error).__name__}: {error})"
        ) from None
    if raw is None:
        if artifact == "manifest":
            raise DbtArtifactError(
                artifact,
                paths.describe(artifact),
                "does not exist; run `dbt compile` (or `dbt build`) and point "
                "athenaOm.dbt.dbtConfigSource at its target folder",
            )
        return None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DbtArtifactError(
            artifact,
            paths.describe(artifact),
            f"is not valid JSON ({error}; {len(raw)} bytes): the file is truncated or corrupt. Run dbt again to "
            "write it anew.",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        raise DbtArtifactError(artifact, paths.describe(artifact), "has no `metadata` object: it is not a dbt artifact")
    return data


def read_dbt_artifacts(store: ArtifactStore, paths: DbtArtifactPaths) -> DbtArtifacts:
    """Read and validate every artifact ``paths`` names; raises DbtArtifactError on the first bad one."""
    manifest = read_artifact_json(store, paths, "manifest")
    assert manifest is not None  # required: read_artifact_json raised otherwise
    artifacts = parse_manifest(manifest, paths.describe("manifest"))
    del manifest
    extra: dict[str, Any] = {}
    catalog = read_artifact_json(store, paths, "catalog")
    if catalog is not None:
        extra["catalog_columns"] = parse_catalog(catalog, paths.describe("catalog"))
    run_results = read_artifact_json(store, paths, "run_results")
    if run_results is not None:
        extra["run_results"], extra["run_results_generated_at"] = parse_run_results(
            run_results, paths.describe("run_results")
        )
    sources = read_artifact_json(store, paths, "sources")
    if sources is not None:
        extra["freshness"] = parse_sources(sources, paths.describe("sources"))
    return DbtArtifacts(**{**artifacts.__dict__, **extra}) if extra else artifacts


def artifact_stamps(store: ArtifactStore, paths: DbtArtifactPaths) -> dict[str, str]:
    """When each present artifact last changed (mtime, S3 LastModified, ETag): what the sensor compares."""
    stamps = {}
    for artifact in ARTIFACT_NAMES:
        address = paths.address(artifact)
        stamp = store.stamp(address) if address else None
        if stamp is not None:
            stamps[artifact] = stamp
    return stamps


# -- parsing with dbt-artifacts-parser ---------------------------------------------------------------------


@cache
def _model_class(schema_version: str) -> type[BaseModel] | None:
    for artifact_type in ArtifactTypes:
        if artifact_type.value.dbt_schema_version == schema_version:
            model: type[BaseModel] = artifact_type.value.model_class
            return model
    return None


@cache
def _field_adapter(model: type[BaseModel], field_name: str, mapping_value: bool) -> TypeAdapter[Any]:
    """A validator for one field of an artifact model (for a dict field, for one of its values)."""
    annotation: Any = model.model_fields[field_name].annotation
    if mapping_value:
        annotation = _unwrap_optional(annotation)
        annotation = get_args(annotation)[1]
    return TypeAdapter(annotation)


@cache
def _node_adapters(model: type[BaseModel]) -> dict[str, TypeAdapter[Any]]:
    """One validator per ``resource_type`` over just the node models of that type (tests have two), so a node is
    not tried against every member of the version's node union (a third of the time of a 50 MB manifest)."""
    members = get_args(_unwrap_optional(model.model_fields["nodes"].annotation))[1]
    by_type: dict[str, list[Any]] = {}
    for member in get_args(members) or (members,):
        for value in get_args(member.model_fields["resource_type"].annotation):
            by_type.setdefault(getattr(value, "value", value), []).append(member)
    adapters: dict[str, TypeAdapter[Any]] = {}
    for kind, found in by_type.items():
        annotation: Any = Union[tuple(found)] if len(found) > 1 else found[0]  # noqa: UP007
        adapters[kind] = TypeAdapter(annotation)
    return adapters


def _unwrap_optional(annotation: Any) -> Any:
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if len(args) == 1 and get_args(annotation) and type(None) in get_args(annotation):
        return args[0]
    return annotation


def _schema_of(data: Mapping[str, Any], artifact: str, address: str) -> tuple[str, type[BaseModel]]:
    schema_version = str(data["metadata"].get("dbt_schema_version") or "")
    model = _model_class(schema_version)
    if model is None or not model.__name__.lower().startswith(artifact.replace("_", "")):
        raise DbtArtifactError(
            artifact,
            address,
            f"declares schema {schema_version or '(none)'!r}, which is not a {FILE_NAMES[artifact]} schema "
            "dbt-artifacts-parser knows; upgrade dbt-artifacts-parser or produce it with a supported dbt version",
        )
    return schema_version.rsplit("/", 2)[-2] + "/" + schema_version.rsplit("/", 1)[-1].removesuffix(".json"), model


def _validate(adapter: TypeAdapter[Any], value: Any, artifact: str, address: str, what: str) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][:6])
        raise DbtArtifactError(
            artifact,
            address,
            f"{what} does not match its schema ({error.error_count()} problems; first at {where}: {first['msg']}). "
            "The file is corrupt or was edited by hand; run dbt again to write it anew.",
        ) from None


def _text(value: Any) -> str:
    value = getattr(value, "value", value)
    return "" if value is None else str(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, Iterable):
        return tuple(str(item) for item in value if item is not None and str(item).strip())
    return (str(value),)


def _meta(node: Any) -> dict[str, Any]:
    """``meta`` and ``config.meta`` together (dbt 1.10 moved meta under config)."""
    config = getattr(node, "config", None)
    merged = dict(getattr(config, "meta", None) or {})
    merged.update(getattr(node, "meta", None) or {})
    return merged


def _columns(node: Any) -> tuple[DbtColumn, ...]:
    columns = []
    for name, column in (getattr(node, "columns", None) or {}).items():
        meta = _meta(column)
        tags = _strings(getattr(column, "tags", None)) + _strings(meta.get("tags"))
        openmetadata = meta.get("openmetadata")
        columns.append(
            DbtColumn(
                name=getattr(column, "name", None) or name,
                description=getattr(column, "description", None) or "",
                tags=tuple(dict.fromkeys(tags)),
                data_type=getattr(column, "data_type", None),
                glossary_terms=_strings(openmetadata.get("glossary")) if isinstance(openmetadata, dict) else (),
            )
        )
    return tuple(columns)


def _code(node: Any, *names: str) -> str | None:
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _table_node(node: Any) -> DbtNode:
    meta = _meta(node)
    openmetadata = meta.get("openmetadata")
    openmetadata = openmetadata if isinstance(openmetadata, dict) else {}
    resource_type = _text(getattr(node, "resource_type", ""))
    identifier = getattr(node, "identifier", None) if resource_type == "source" else None
    depends_on = getattr(node, "depends_on", None)
    config = getattr(node, "config", None)
    return DbtNode(
        unique_id=node.unique_id,
        resource_type=resource_type,
        name=node.name,
        database=getattr(node, "database", None),
        schema=node.schema_,
        identifier=identifier or getattr(node, "alias", None) or node.name,
        description=getattr(node, "description", None) or "",
        columns=_columns(node),
        tags=_strings(getattr(node, "tags", None)),
        meta_tags=_strings(meta.get("tags")),
        owners=_strings(meta.get("owner")),
        glossary_terms=_strings(openmetadata.get("glossary")),
        raw_sql=_code(node, "raw_code", "raw_sql"),
        compiled_sql=_code(node, "compiled_code", "compiled_sql"),
        path=getattr(node, "original_file_path", None),
        upstream=tuple(getattr(depends_on, "nodes", None) or ()),
        materialized=_text(getattr(config, "materialized", None)) or None,
        package_name=getattr(node, "package_name", None),
    )


def _test_node(node: Any) -> DbtTest:
    metadata = getattr(node, "test_metadata", None)
    upstream = [uid for uid in (getattr(getattr(node, "depends_on", None), "nodes", None) or ())]
    attached = getattr(node, "attached_node", None)
    if attached is None:
        # A singular test (or one from dbt before 1.5) checks the one table it reads.
        tables = [uid for uid in upstream if uid.split(".", 1)[0] in TABLE_RESOURCE_TYPES]
        attached = tables[0] if len(tables) == 1 else None
    parameters: list[tuple[str, str]] = []
    if metadata is not None:
        for key, value in sorted((getattr(metadata, "kwargs", None) or {}).items()):
            if key in ("model", "column_name"):
                continue
            parameters.append((key, value if isinstance(value, str) else json.dumps(value, sort_keys=True)))
    return DbtTest(
        unique_id=node.unique_id,
        name=node.name,
        test_name=getattr(metadata, "name", None) or node.name,
        attached_node=attached,
        column_name=getattr(node, "column_name", None),
        description=getattr(node, "description", None) or "",
        parameters=tuple(parameters),
        compiled_sql=_code(node, "compiled_code", "compiled_sql"),
        path=getattr(node, "original_file_path", None),
    )


def parse_manifest(data: dict[str, Any], address: str = "manifest.json") -> DbtArtifacts:
    """The tables, tests and their SQL from a manifest of any schema version dbt-artifacts-parser knows."""
    schema, model = _schema_of(data, "manifest", address)
    metadata = _validate(_field_adapter(model, "metadata", False), data["metadata"], "manifest", address, "metadata")
    nodes: list[DbtNode] = []
    tests: list[DbtTest] = []
    node_adapters = _node_adapters(model)
    node_adapter = _field_adapter(model, "nodes", True)
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, dict):
        raise DbtArtifactError("manifest", address, "has no `nodes` object: the file is truncated or not a manifest")
    for unique_id, raw in raw_nodes.items():
        kind = unique_id.split(".", 1)[0]
        if kind not in TABLE_RESOURCE_TYPES and kind != "test":
            continue  # analyses, operations, sql operations
        kind_of = raw.get("resource_type") if isinstance(raw, dict) else None
        adapter = node_adapters.get(str(kind_of), node_adapter)
        node = _validate(adapter, raw, "manifest", address, f"node {unique_id}")
        if kind == "test":
            tests.append(_test_node(node))
        else:
            nodes.append(_table_node(node))
    source_adapter = _field_adapter(model, "sources", True)
    for unique_id, raw in (data.get("sources") or {}).items():
        nodes.append(_table_node(_validate(source_adapter, raw, "manifest", address, f"source {unique_id}")))
    return DbtArtifacts(
        manifest_schema=schema,
        dbt_version=_text(getattr(metadata, "dbt_version", "")),
        project_name=getattr(metadata, "project_name", None),
        generated_at=_text(getattr(metadata, "generated_at", None)) or None,
        nodes=tuple(nodes),
        tests=tuple(tests),
    )


def _whole(data: dict[str, Any], artifact: str, address: str) -> Any:
    _schema, model = _schema_of(data, artifact, address)
    return _validate(TypeAdapter(model), data, artifact, address, "the document")


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def parse_run_results(data: dict[str, Any], address: str = "run_results.json") -> tuple[tuple[DbtRunResult, ...], str]:
    """Each node's status in the run (tests: failures and message), and when the run finished."""
    parsed = _whole(data, "run_results", address)
    results = []
    for result in parsed.results:
        timing = {getattr(item, "name", None): item for item in getattr(result, "timing", None) or ()}
        finished = timing.get("execute") or timing.get("compile")
        results.append(
            DbtRunResult(
                unique_id=result.unique_id,
                status=_text(result.status),
                completed_at=_when(getattr(finished, "completed_at", None)),
                failures=getattr(result, "failures", None),
                message=getattr(result, "message", None),
                execution_time=getattr(result, "execution_time", None),
            )
        )
    return tuple(results), _text(getattr(parsed.metadata, "generated_at", None))


def parse_sources(data: dict[str, Any], address: str = "sources.json") -> tuple[DbtFreshness, ...]:
    """Source freshness per source table (errors included, with their message)."""
    parsed = _whole(data, "sources", address)
    found = []
    for result in parsed.results:
        criteria = getattr(result, "criteria", None)
        parts = []
        for level in ("warn_after", "error_after"):
            after = getattr(criteria, level, None)
            if after is not None and getattr(after, "count", None):
                parts.append(f"{level} {after.count} {_text(after.period)}")
        found.append(
            DbtFreshness(
                unique_id=result.unique_id,
                status=_text(result.status),
                snapshotted_at=_when(getattr(result, "snapshotted_at", None)),
                max_loaded_at=_when(getattr(result, "max_loaded_at", None)),
                age_seconds=getattr(result, "max_loaded_at_time_ago_in_s", None),
                criteria=", ".join(parts),
                error=getattr(result, "error", None),
            )
        )
    return tuple(found)


def parse_catalog(data: dict[str, Any], address: str = "catalog.json") -> dict[str, tuple[DbtColumn, ...]]:
    """Column names and types per node, from the warehouse as ``dbt docs generate`` saw it."""
    parsed = _whole(data, "catalog", address)
    columns: dict[str, tuple[DbtColumn, ...]] = {}
    for section in (parsed.nodes, parsed.sources):
        for unique_id, table in (section or {}).items():
            ordered = sorted((table.columns or {}).values(), key=lambda column: column.index)
            columns[unique_id] = tuple(DbtColumn(name=c.name, data_type=c.type) for c in ordered)
    return columns


__all__ = [
    "ARTIFACT_NAMES",
    "ArtifactStore",
    "DbtArtifactError",
    "DbtArtifactPaths",
    "HttpArtifacts",
    "LocalArtifacts",
    "S3Artifacts",
    "artifact_stamps",
    "artifact_store",
    "http_artifact_paths",
    "parse_catalog",
    "parse_manifest",
    "parse_run_results",
    "parse_sources",
    "read_artifact_json",
    "read_dbt_artifacts",
]


def artifact_store(
    paths: DbtArtifactPaths, s3_client: Any = None, http_client: httpx.Client | None = None
) -> ArtifactStore:
    """The reader for where ``paths`` points: the local disk, S3 (``s3_client``) or http(s) (``http_client``)."""
    if paths.kind == "s3":
        if s3_client is None or paths.bucket is None:
            raise ValueError("dbt artifacts in S3 need an S3 client and a bucket")
        return S3Artifacts(s3_client, paths.bucket)
    if paths.kind == "http":
        return HttpArtifacts(http_client or httpx.Client(timeout=60.0, follow_redirects=True))
    return LocalArtifacts()
