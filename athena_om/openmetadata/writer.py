"""Carry out a SyncBatch against OpenMetadata and account for every write."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from athena_om.mapping.lineage_details import merge_lineage_details
from athena_om.openmetadata.batches import (
    AddLineage,
    ComputePercentiles,
    Operation,
    PartitionedSync,
    PutEntities,
    PutTableJoins,
    PutTableProfile,
    ReportUsage,
    SoftDeleteMissing,
    SyncBatch,
)
from athena_om.openmetadata.bulk import NO_BULK
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError, WriteOutcome, WriteResult
from athena_om.openmetadata.dbt_operations import (
    AddTestCaseResult,
    PatchTable,
    PutDataModel,
    apply_dbt_operation,
    dbt_operation_label,
)
from athena_om.openmetadata.models import (
    EntitiesEdge,
    EntityReference,
    JsonPatchOperation,
    OMRequest,
    UsageRequest,
)

log = logging.getLogger(__name__)

PerTableOperation = ReportUsage | PutTableJoins | AddLineage | PutTableProfile


class UnsafeDeletionError(Exception):
    """Deleting what the source no longer lists looks wrong; nothing was deleted."""


@dataclass
class SyncReport:
    """Counts per collection and outcome, and the failures with their reasons."""

    counts: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Deletions refused by the safety guard: the run must fail with these explanations.
    refused_deletions: list[str] = field(default_factory=list)

    def add(self, other: SyncReport) -> None:
        """Add another report's counts and lists to this one."""
        self.counts.update(other.counts)
        self.failures += other.failures
        self.written += other.written
        self.deleted += other.deleted
        self.refused_deletions += other.refused_deletions

    def add_total(self, other: SyncReport) -> None:
        """Add what a run's total over its partitions reports: the counts and the refused deletions, not the
        per-entity lists (each partition reports its own), so a 200-database run holds no list of 100,000 FQNs."""
        self.counts.update(other.counts)
        self.refused_deletions += other.refused_deletions

    def record(self, collection: str, result: WriteResult) -> None:
        self.counts[f"{collection}.{result.outcome.value}"] += 1
        self.counts[result.outcome.value] += 1
        if result.outcome is WriteOutcome.FAILED:
            self.failures.append(f"{result.fqn or '?'}: {result.error}")
        elif result.fqn and result.outcome is not WriteOutcome.UNCHANGED:
            self.written.append(result.fqn)


class BatchWriter:
    """Writes batches with one client; caches FQN -> id lookups for usage and lineage."""

    def __init__(self, client: OpenMetadataClient) -> None:
        self.client = client
        self._ids: dict[str, str | None] = {}
        # What OpenMetadata held under a parent before this batch wrote anything, listed once and shared by the
        # skip-unchanged check and the deletion guard (a listing of a 500-table schema is megabytes of columns).
        self._listings: dict[tuple[str, str, str], list[dict[str, Any]]] = {}

    def write(self, batch: SyncBatch) -> SyncReport:
        report = SyncReport()
        self._ids.update(batch.known_table_ids)
        for failure in batch.failures:
            report.failures.append(failure)
            report.counts["failed"] += 1
        # Consecutive usage, joins and lineage operations are independent of each other, so they go out
        # concurrently; anything else (and ComputePercentiles in particular) waits for them to finish.
        per_table: list[PerTableOperation] = []
        for operation in batch.operations:
            if isinstance(operation, ReportUsage | PutTableJoins | AddLineage | PutTableProfile):
                per_table.append(operation)
                continue
            self._per_table_concurrently(per_table, report)
            per_table = []
            self._apply(operation, report)
        self._per_table_concurrently(per_table, report)
        return report

    def write_partitioned(self, sync: PartitionedSync) -> Iterator[tuple[str | None, SyncBatch, SyncReport]]:
        """Write the run's shared batch (key None), then each partition's, planned just before it is written.

        A partition whose planning fails is reported as failed and the others still go out.
        """
        yield None, sync.shared, self.write(sync.shared)
        for key in sync.partition_keys:
            # What one partition listed and learned (its parents' entities, their ids) is not the next one's:
            # dropped, memory stays one partition's however many partitions a run covers.
            self._listings.clear()
            self._ids.clear()
            try:
                batch = sync.plan(key)
            except Exception as exc:  # one unreadable database must not stop the others
                log.warning("Planning partition %s failed", key, exc_info=True)
                batch = SyncBatch(failures=[f"{key}: could not be planned: {type(exc).__name__}: {exc}"])
            yield key, batch, self.write(batch)

    def _apply(self, op: Operation, report: SyncReport) -> None:
        """Carry out one operation; a refusal or bad answer fails that operation only, never the rest of the batch."""
        try:
            self._apply_one(op, report)
        except OpenMetadataError as exc:
            report.failures.append(f"{op_label(op)}: {exc}")
            report.counts["failed"] += 1

    def _apply_one(self, op: Operation, report: SyncReport) -> None:
        if isinstance(op, PutEntities):
            self._put_entities(op, report)
        elif isinstance(op, SoftDeleteMissing):
            try:
                self._soft_delete_missing(op, report)
            except UnsafeDeletionError as exc:
                report.refused_deletions.append(str(exc))
        elif isinstance(op, ReportUsage | PutTableJoins | AddLineage | PutTableProfile):
            self._per_table(op, report)
        elif isinstance(op, PatchTable | PutDataModel | AddTestCaseResult):
            error = apply_dbt_operation(self.client, self.table_id, op)
            self._record_per_table(op, error, report, label=dbt_operation_label(op))
        elif isinstance(op, ComputePercentiles):
            self.client.request("POST", f"/v1/usage/compute.percentile/table/{op.date}")

    # -- entities --------------------------------------------------------------------------------------

    def existing(self, collection: str, parent_filter: str, parent_fqn: str) -> list[dict[str, Any]]:
        """id, name, FQN and sourceHash of the non-deleted entities OpenMetadata held under a parent."""
        key = (collection, parent_filter, parent_fqn)
        if key not in self._listings:
            self._listings[key] = [
                {k: e.get(k) for k in ("id", "name", "fullyQualifiedName", "sourceHash")}
                for e in self.client.list_all(collection, params={parent_filter: parent_fqn})
            ]
        return self._listings[key]

    def existing_hashes(self, collection: str, parent_filter: str, parent_fqn: str) -> dict[str, str | None]:
        """name -> sourceHash of the non-deleted entities OpenMetadata holds under a parent."""
        return {e["name"]: e["sourceHash"] for e in self.existing(collection, parent_filter, parent_fqn)}

    def _put_entities(self, op: PutEntities, report: SyncReport) -> None:
        if op.unchanged_names:  # read and compared by the planner (entities without a sourceHash)
            report.counts[f"{op.collection}.unchanged"] += len(op.unchanged_names)
            report.counts["unchanged"] += len(op.unchanged_names)
        requests = list(op.requests)
        # Names OpenMetadata held under the parent before this write; None when not listed (then nothing is known
        # to be new or old, and every entity goes as a single PUT, whose answer says which it was).
        listed: set[str] | None = None
        if op.skip_unchanged_under:
            try:
                known = self.existing_hashes(op.collection, *op.skip_unchanged_under)
                listed = set(known)
            except OpenMetadataError as exc:
                # PUT is create-or-update, so writing everything is still correct, only slower.
                log.warning("Writing every %s without skipping unchanged ones: %s", op.collection, exc)
                known = {}
            fresh = []
            for request in requests:
                name, digest = getattr(request, "name", None), getattr(request, "sourceHash", None)
                if digest and name in known and known[name] == digest:
                    report.counts[f"{op.collection}.unchanged"] += 1
                    report.counts["unchanged"] += 1
                else:
                    fresh.append(request)
            requests = fresh
        results = self._put(op.collection, requests, listed, override_metadata=op.override_metadata)
        if op.owned_fields:
            results = self._patch_owned_fields(op, requests, results)
        for result in results:
            report.record(op.collection, result)
            if result.entity.get("id") and result.fqn:
                self._ids[result.fqn] = result.entity["id"]

    def _patch_owned_fields(
        self, op: PutEntities, requests: list[OMRequest], results: list[WriteResult]
    ) -> list[WriteResult]:
        """PATCH each owned field an answer shows was not taken: OpenMetadata keeps a non-empty description when
        the ingestion bot PUTs another (``EntityUpdater.updateDescription``); a PATCH is how it takes one."""
        by_name = {getattr(request, "name", None): request for request in requests}
        patched: list[WriteResult] = []
        for result in results:
            request = by_name.get(result.entity.get("name"))
            entity_id = result.entity.get("id")
            operations = [
                JsonPatchOperation(
                    op="replace" if name in result.entity else "add", path=f"/{name}", value=getattr(request, name)
                )
                for name in op.owned_fields
                if request is not None
                and getattr(request, name, None) is not None
                and result.entity.get(name) != getattr(request, name)
            ]
            if result.outcome is WriteOutcome.FAILED or not entity_id or not operations:
                patched.append(result)
                continue
            try:
                entity = self.client.patch(op.collection, entity_id, operations)
                outcome = WriteOutcome.UPDATED if result.outcome is WriteOutcome.UNCHANGED else result.outcome
                patched.append(WriteResult(outcome, result.fqn, entity))
            except OpenMetadataError as exc:
                fields = ", ".join(op.owned_fields)
                error = f"written, but OpenMetadata kept its old {fields} and the PATCH that replaces it failed: {exc}"
                patched.append(WriteResult(WriteOutcome.FAILED, result.fqn, result.entity, error))
        return patched

    def _put(
        self, collection: str, requests: list[OMRequest], listed: set[str] | None, *, override_metadata: bool = False
    ) -> list[WriteResult]:
        """Write through the bulk endpoint what the server takes in bulk (new entities from 1.11, changed ones from
        2.0), the rest as single PUTs."""
        support = self.client.bulk_support() if listed is not None and requests else NO_BULK
        if not (support.creates or support.updates) or listed is None:
            return self.client.put_many(collection, requests)
        in_bulk: list[OMRequest] = []
        single: list[OMRequest] = []
        for request in requests:
            new = getattr(request, "name", None) not in listed
            (in_bulk if (support.creates if new else support.updates) else single).append(request)
        results = (
            self.client.put_bulk(collection, in_bulk, existing=listed, override_metadata=override_metadata)
            if in_bulk
            else []
        )
        return results + (self.client.put_many(collection, single) if single else [])

    def _soft_delete_missing(self, op: SoftDeleteMissing, report: SyncReport) -> None:
        existing = self.existing(op.collection, op.parent_filter, op.parent_fqn)
        missing = [e for e in existing if e["name"] not in op.present_names]
        if not missing:
            return
        if not op.listing_complete:
            raise UnsafeDeletionError(
                f"Not deleting {len(missing)} {op.collection} under {op.parent_fqn}: the source listing did not "
                f"complete ({op.listing_error or 'see the read error above'}). Fix that and run again; nothing "
                "was deleted."
            )
        if not op.present_names:
            raise UnsafeDeletionError(
                f"The source listing for {op.parent_fqn} came back empty while OpenMetadata holds "
                f"{len(existing)} {op.collection} there; refusing to delete them all (see OpenMetadata issue "
                "28928). If the database really is empty, delete it in OpenMetadata by hand."
            )
        share = len(missing) / len(existing)
        if share > op.max_deleted_share:
            raise UnsafeDeletionError(
                f"{len(missing)} of {len(existing)} {op.collection} under {op.parent_fqn} ({share:.0%}) are gone "
                f"from the source, more than the allowed {op.max_deleted_share:.0%}; nothing was deleted. If this "
                "is intended, raise athenaOm.deletionSafety.maxDeletedShare for one run."
            )
        for entity in missing:
            try:
                self.client.soft_delete(op.collection, entity["id"])
                report.counts[f"{op.collection}.deleted"] += 1
                report.counts["deleted"] += 1
                report.deleted.append(entity.get("fullyQualifiedName", entity["name"]))
            except OpenMetadataError as exc:
                report.failures.append(f"{entity.get('fullyQualifiedName')}: delete failed: {exc}")
                report.counts["failed"] += 1

    # -- usage, joins, lineage -------------------------------------------------------------------------

    def table_id(self, fqn: str) -> str | None:
        if fqn not in self._ids:
            entity = self.client.get_by_name("tables", fqn)
            self._ids[fqn] = entity["id"] if entity else None
        return self._ids[fqn]

    def _per_table_concurrently(self, ops: list[PerTableOperation], report: SyncReport) -> None:
        """Run per-table operations on the client's threads; the same lineage edge is never written twice at once."""
        groups: dict[object, list[PerTableOperation]] = {}
        for index, op in enumerate(ops):
            # Lineage is read-merge-write, so two operations on one edge must run one after the other.
            key = ("edge", op.from_fqn, op.to_fqn) if isinstance(op, AddLineage) else index
            groups.setdefault(key, []).append(op)

        def run(group: list[PerTableOperation]) -> list[tuple[PerTableOperation, str | None]]:
            return [(op, self._per_table_error(op)) for op in group]

        for outcomes in self.client.map_concurrently(run, list(groups.values())):
            for op, error in outcomes:
                self._record_per_table(op, error, report)

    def _per_table(self, op: PerTableOperation, report: SyncReport) -> None:
        self._record_per_table(op, self._per_table_error(op), report)

    @staticmethod
    def _record_per_table(op: Operation, error: str | None, report: SyncReport, label: str | None = None) -> None:
        """Count an operation addressed to one table (or test case) as ``<Kind>.written`` or ``<Kind>.failed``."""
        kind = type(op).__name__
        if error is None:
            report.counts[f"{kind}.written"] += 1
            return
        report.counts[f"{kind}.failed"] += 1
        report.counts["failed"] += 1
        label = label or f"{kind} {getattr(op, 'table_fqn', None) or op_label(op)}"
        report.failures.append(f"{label}: {error}")

    def _per_table_error(self, op: PerTableOperation) -> str | None:
        """Carry out one usage, joins or lineage operation; the error message, or None when it was written."""
        try:
            if isinstance(op, ReportUsage):
                table_id = self._require_id(op.table_fqn)
                # OpenMetadata's POST replaces the day's count (PUT adds to it): re-running a day must replace.
                self.client.request(
                    "POST", f"/v1/usage/table/{table_id}", json=UsageRequest(date=op.date, count=op.count).to_body()
                )
            elif isinstance(op, PutTableJoins):
                table_id = self._require_id(op.table_fqn)
                self.client.request("PUT", f"/v1/tables/{table_id}/joins", json=op.joins.to_body())
            elif isinstance(op, PutTableProfile):
                table_id = self._require_id(op.table_fqn)
                self.client.request("PUT", f"/v1/tables/{table_id}/tableProfile", json=op.profile.to_body())
                if op.sample_data is not None:
                    self.client.request("PUT", f"/v1/tables/{table_id}/sampleData", json=op.sample_data.to_body())
            else:
                self._add_lineage(op)
        except (OpenMetadataError, LookupError) as exc:
            return str(exc)
        return None

    def _require_id(self, fqn: str) -> str:
        table_id = self.table_id(fqn)
        if table_id is None:
            raise LookupError(f"table {fqn} is not in OpenMetadata; sync its database first")
        return table_id

    def _add_lineage(self, op: AddLineage) -> None:
        from_id, to_id = self._require_id(op.from_fqn), self._require_id(op.to_fqn)
        details = merge_lineage_details(self.client.lineage_edge(from_id, to_id), op.details)
        edge = EntitiesEdge(
            fromEntity=EntityReference(id=from_id, type="table"),
            toEntity=EntityReference(id=to_id, type="table"),
            lineageDetails=details,
        )
        self.client.request("PUT", "/v1/lineage", json={"edge": edge.to_body()})


def op_label(op: Operation) -> str:
    if isinstance(op, AddLineage):
        return f"{op.from_fqn} -> {op.to_fqn}"
    if isinstance(op, PutEntities):
        parent = f" under {op.skip_unchanged_under[1]}" if op.skip_unchanged_under else ""
        return f"{op.collection}{parent}"
    if isinstance(op, SoftDeleteMissing):
        return f"deleting missing {op.collection} under {op.parent_fqn}"
    if isinstance(op, ComputePercentiles):
        return f"usage percentiles for {op.date}"
    return type(op).__name__
