"""Dagster resources for OpenMetadata: the API client and the IO manager that writes SyncBatches."""

import logging
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

from athena_om.openmetadata.batches import PartitionedSync, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.writer import BatchWriter, SyncReport
from athena_om.resources.aws import AthenaResource
from athena_om.resources.payloads import LocalPayloadStore, PayloadStore, S3PayloadStore

log = logging.getLogger(__name__)

MAX_LISTED = 50  # tables listed by name in materialization metadata; more would swamp the UI
# What per-table operations are called in the headline: the count of each that OpenMetadata accepted.
PER_TABLE_HEADLINES = {
    "ReportUsage": "tables_usage_reported",
    "PutTableJoins": "tables_joins_written",
    "AddLineage": "lineage_edges_written",
    "PutTableProfile": "table_profiles_written",
}


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

    A run over several partitions hands over a ``PartitionedSync``: each partition is planned, written and
    reported on its own (its materialization shows its own counts; the run's total is logged once). Payloads
    (typed data for downstream assets, e.g. the day's parsed query log) are kept per partition, on local disk or,
    with ``payload_storage`` set, in S3 so that runs in separate containers find them.
    """

    openmetadata: OpenMetadataResource
    aws: AthenaResource
    base_dir: str = Field(default="", description="Local payload folder; default $DAGSTER_HOME/athena_om.")
    payload_storage: str = Field(
        default="", description="s3://bucket/prefix for payloads shared by runs on different machines."
    )

    def payload_store(self, context: OutputContext | InputContext) -> PayloadStore:
        if self.payload_storage:
            return S3PayloadStore(self.aws.client("s3"), self.payload_storage)
        return LocalPayloadStore(Path(self.base_dir) if self.base_dir else _dagster_home(context) / "athena_om")

    def handle_output(self, context: OutputContext, obj: SyncBatch | PartitionedSync | None) -> None:
        if obj is None:
            return
        client = self.openmetadata.get_client()
        writer = BatchWriter(client)
        store = self.payload_store(context)
        asset = _asset_path(context)
        if isinstance(obj, SyncBatch):
            report = writer.write(obj)
            self._keep_payloads(store, asset, obj)
            metadata = report_metadata(report, obj, client.ui_base_url)
            self._log_failures(context, report)
            if report.refused_deletions:
                raise _refused(report, metadata)
            context.add_output_metadata(metadata)
            return
        total = SyncReport()
        written: list[str] = []
        total_warnings: list[str] = []
        run_figures: dict[str, Any] = {}
        for key, batch, report in writer.write_partitioned(obj):
            self._keep_payloads(store, asset, batch)
            self._log_failures(context, report)
            total.add_total(report)
            if key is None:
                total_warnings = list(batch.warnings)
                run_figures = dict(batch.metadata)
                continue
            written.append(key)
            metadata = report_metadata(report, batch, client.ui_base_url)
            if total_warnings:
                metadata["run_warnings"] = MetadataValue.md("\n".join(f"- {w}" for w in total_warnings[:MAX_LISTED]))
            context.step_context.add_asset_metadata(metadata, partition_key=key)
        summary = headline_counts(total) | {"partitions": len(written)} | run_figures
        context.log.info(f"Run total over {len(written)} partitions: {summary}")
        if written:
            # Once per run: on the last partition's materialization, not repeated on each.
            context.step_context.add_asset_metadata(
                {"run_total": MetadataValue.json(summary)}, partition_key=written[-1]
            )
        if total.refused_deletions:
            raise _refused(total, {"run_total": MetadataValue.json(summary)})

    @staticmethod
    def _keep_payloads(store: PayloadStore, asset: tuple[str, ...], batch: SyncBatch) -> None:
        # One payload per partition, so a downstream run of any single partition finds its own.
        for key, value in batch.payloads.items():
            store.put((*asset, key or "all"), value)

    @staticmethod
    def _log_failures(context: OutputContext, report: SyncReport) -> None:
        for failure in report.failures[:200]:
            context.log.warning(failure)

    def load_input(self, context: InputContext) -> Any:
        upstream = context.upstream_output
        if upstream is None:
            return None
        store = self.payload_store(context)
        asset = _asset_path(upstream)
        keys: list[str | None] = list(context.asset_partition_keys) if context.has_asset_partitions else []
        payloads = [p for key in keys or [None] if (p := store.get((*asset, key or "all"))) is not None]
        if not keys:
            return payloads[0] if payloads else None
        return payloads


def _refused(report: SyncReport, metadata: dict[str, Any]) -> Failure:
    """Everything else was written; the run fails so a person looks at why the source shrank."""
    return Failure(
        description="Refused to mark tables deleted:\n" + "\n".join(report.refused_deletions), metadata=metadata
    )


def _asset_path(output: OutputContext) -> tuple[str, ...]:
    return tuple(output.asset_key.path) if output.has_asset_key else (output.name or "output",)


def _dagster_home(context: OutputContext | InputContext) -> Path:
    """The running step's instance folder (an upstream output context seen from a downstream step has none)."""
    try:
        instance = context.instance if isinstance(context, InputContext) else context.step_context.instance
        return Path(instance.root_directory)
    except Exception:  # no instance at all (direct invocation in tests)
        return Path.cwd() / ".dagster_home"


def headline_counts(report: SyncReport) -> dict[str, int]:
    """The numbers at the top of a materialization: what was written, by outcome, and per-table operations
    (usage, joins, lineage edges) by the count OpenMetadata accepted."""
    counts = report.counts
    headline = {k: counts.get(k, 0) for k in ("created", "updated", "unchanged", "deleted", "failed")}
    for kind, name in PER_TABLE_HEADLINES.items():
        if counts.get(f"{kind}.written") or counts.get(f"{kind}.failed"):
            headline[name] = counts.get(f"{kind}.written", 0)
    return headline


def report_metadata(report: SyncReport, batch: SyncBatch, ui_base_url: str) -> dict[str, Any]:
    """Materialization metadata a person reads in the Dagster UI."""
    metadata: dict[str, Any] = {
        **headline_counts(report),
        "openmetadata_url": MetadataValue.url(ui_base_url + batch.openmetadata_page),
        "counts_by_kind": MetadataValue.json(dict(sorted(report.counts.items()))),
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
