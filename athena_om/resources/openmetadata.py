"""Dagster resources for OpenMetadata: the API client and the IO manager that writes SyncBatches."""

import logging
import pickle
from pathlib import Path
from typing import Any

from dagster import (
    ConfigurableIOManager,
    ConfigurableResource,
    Failure,
    InputContext,
    MetadataValue,
    OutputContext,
)
from pydantic import Field, PrivateAttr

from athena_om.openmetadata.batches import SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.writer import BatchWriter, SyncReport

log = logging.getLogger(__name__)

MAX_LISTED = 50  # tables listed by name in materialization metadata; more would swamp the UI


class OpenMetadataResource(ConfigurableResource):
    """Connection settings for one OpenMetadata server; hands out a shared client."""

    host_port: str = Field(description="API root, e.g. http://localhost:8585/api")
    jwt_token: str | None = Field(default=None, description="Bot JWT; use EnvVar so it is never stored.")
    token_from_workflow: str | None = Field(
        default=None,
        description="Workflow YAML to read securityConfig.jwtToken from at run time (keeps it out of the UI).",
    )
    timeout_s: float = 30.0
    concurrency: int = 8
    verify_ssl: bool = Field(
        default=True, description="Verify an https server's certificate; off only for `verifySSL: ignore`."
    )
    ca_certificate: str | None = Field(
        default=None, description="PEM CA certificate (path or text) that signed the server's TLS certificate."
    )

    _client: OpenMetadataClient | None = PrivateAttr(default=None)

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, ("**********" if name == "jwt_token" and value else value)

    def get_client(self) -> OpenMetadataClient:
        if self._client is None:
            self._client = OpenMetadataClient(
                self.host_port,
                self._token(),
                timeout_s=self.timeout_s,
                concurrency=self.concurrency,
                verify_ssl=self.verify_ssl,
                ca_certificate=self.ca_certificate,
            )
        return self._client

    def _token(self) -> str | None:
        if self.jwt_token or not self.token_from_workflow:
            return self.jwt_token
        from athena_om.resources.settings import workflow_config_at

        secret = workflow_config_at(self.token_from_workflow).openmetadata.jwt_token
        return secret.get_secret_value() if secret is not None else None

    def check_server(self) -> str:
        """The server's version; fails with a readable message when the server is unreachable, untrusted, refuses
        the token or is too old for the bodies athena-om sends."""
        try:
            client = self.get_client()
            version = client.check_version()
            # /system/version needs no token, so a wrong one would otherwise surface mid-run on some other call.
            client.check_token()
            return version
        except OpenMetadataError as exc:
            where = "" if self.host_port.rstrip("/") in str(exc) else f" at {self.host_port}"
            raise OpenMetadataError(
                f"OpenMetadata{where} is not usable: {exc}", status=exc.status, path=exc.path
            ) from None


class OpenMetadataIOManager(ConfigurableIOManager):
    """Writes assets' SyncBatches into OpenMetadata and records what happened as materialization metadata.

    The batch's ``payloads`` (typed data for downstream assets, e.g. the day's parsed query log) is kept on local
    disk under ``base_dir`` so downstream assets load exactly what upstream read, partition by partition.
    """

    openmetadata: OpenMetadataResource
    base_dir: str = Field(default="", description="Where payloads are kept; default $DAGSTER_HOME/athena_om.")

    def handle_output(self, context: OutputContext, obj: SyncBatch | None) -> None:
        if obj is None:
            return
        client = self.openmetadata.get_client()
        report = BatchWriter(client).write(obj)
        # One payload per partition, so a downstream run of any single partition finds its own.
        for key, value in obj.payloads.items():
            path = _payload_path(self, context, context, key)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(value))
        metadata = report_metadata(report, obj, client.ui_base_url)
        for failure in report.failures[:200]:
            context.log.warning(failure)
        if report.refused_deletions:
            # Everything else was written; the run fails so a person looks at why the source shrank.
            raise Failure(
                description="Refused to mark tables deleted:\n" + "\n".join(report.refused_deletions),
                metadata=metadata,
            )
        context.add_output_metadata(metadata)

    def load_input(self, context: InputContext) -> Any:
        upstream = context.upstream_output
        if upstream is None:
            return None
        payloads = []
        keys: list[str | None] = list(context.asset_partition_keys) if context.has_asset_partitions else []
        for key in keys or [None]:
            path = _payload_path(self, context, upstream, key)
            if path.exists():
                payloads.append(pickle.loads(path.read_bytes()))
        if not keys:
            return payloads[0] if payloads else None
        return payloads


def _payload_path(
    manager: OpenMetadataIOManager, current: OutputContext | InputContext, output: OutputContext, key: str | None
) -> Path:
    """Where ``output``'s payload for one partition lives; the instance comes from the running step (``current``),
    because an upstream output context seen from a downstream step has none."""
    root = Path(manager.base_dir) if manager.base_dir else _dagster_home(current) / "athena_om"
    parts = list(output.asset_key.path) if output.has_asset_key else [output.name or "output"]
    return root.joinpath(*parts, f"{(key or 'all')[:150]}.pickle")


def _dagster_home(context: OutputContext | InputContext) -> Path:
    try:
        instance = context.instance if isinstance(context, InputContext) else context.step_context.instance
        return Path(instance.root_directory)
    except Exception:  # no instance at all (direct invocation in tests)
        return Path.cwd() / ".dagster_home"


def report_metadata(report: SyncReport, batch: SyncBatch, ui_base_url: str) -> dict[str, Any]:
    """Materialization metadata a person reads in the Dagster UI."""
    counts = report.counts
    metadata: dict[str, Any] = {
        "created": counts.get("created", 0),
        "updated": counts.get("updated", 0),
        "unchanged": counts.get("unchanged", 0),
        "deleted": counts.get("deleted", 0),
        "failed": counts.get("failed", 0),
        "openmetadata_url": MetadataValue.url(ui_base_url + batch.openmetadata_page),
        "counts_by_kind": MetadataValue.json(dict(sorted(counts.items()))),
    }
    if report.written and len(report.written) <= MAX_LISTED:
        metadata["written"] = MetadataValue.md("\n".join(f"- `{fqn}`" for fqn in report.written))
    if report.deleted:
        metadata["soft_deleted"] = MetadataValue.md("\n".join(f"- `{fqn}`" for fqn in report.deleted[:MAX_LISTED]))
    if report.failures:
        metadata["failures"] = MetadataValue.md("\n".join(f"- {f}" for f in report.failures[:MAX_LISTED]))
    if batch.warnings:
        metadata["warnings"] = MetadataValue.md("\n".join(f"- {w}" for w in batch.warnings[:MAX_LISTED]))
    for key, value in batch.metadata.items():
        metadata[key] = value
    return metadata
