"""What assets hand to the OpenMetadata IO manager: typed, ordered write operations.

An asset decides *what* should be in OpenMetadata; the IO manager decides *how* to write it (concurrency,
skip-unchanged, safe deletion, id resolution) and reports what it did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from athena_om.openmetadata.dbt_operations import DbtOperation
from athena_om.openmetadata.models import CreateTableProfileRequest, LineageDetails, OMRequest, TableData, TableJoins


@dataclass
class PutEntities:
    """Create-or-update entities of one collection (``tables``, ``databaseSchemas``, …).

    With ``skip_unchanged_under`` (a ``(list filter, parent FQN)`` pair) the IO manager lists what OpenMetadata
    already holds under that parent and skips every request whose ``sourceHash`` matches.
    """

    collection: str
    requests: Sequence[OMRequest]
    skip_unchanged_under: tuple[str, str] | None = None
    # Names the planner already read from OpenMetadata and found unchanged: not sent, counted as unchanged.
    unchanged_names: tuple[str, ...] = ()
    # Top-level text fields athena-om owns on these entities (a Query's per-day description). OpenMetadata keeps
    # a non-empty one when the ingestion bot PUTs another, so the writer PATCHes any the answer did not take.
    owned_fields: tuple[str, ...] = ()
    # The workflow's ``overrideMetadata``: the source's descriptions replace what people wrote
    # (``overrideMetadata=true`` on bulk writes; single PUTs get their ``owned_fields`` PATCHed instead).
    override_metadata: bool = False


@dataclass
class SoftDeleteMissing:
    """Soft-delete entities under a parent that the source no longer has, guarded against bad listings."""

    collection: str
    parent_filter: str
    parent_fqn: str
    present_names: frozenset[str]
    listing_complete: bool
    max_deleted_share: float  # athenaOm.deletionSafety.maxDeletedShare, as configured
    listing_error: str | None = None  # why the listing is incomplete, repeated in the refusal


@dataclass
class ReportUsage:
    table_fqn: str
    date: str
    count: int


@dataclass
class ComputePercentiles:
    date: str


@dataclass
class PutTableJoins:
    table_fqn: str
    joins: TableJoins


@dataclass
class AddLineage:
    """A lineage edge between two tables by FQN; merged with the edge OpenMetadata already has."""

    from_fqn: str
    to_fqn: str
    details: LineageDetails


@dataclass
class PutTableProfile:
    """A table's profile (table and column metrics), written with ``PUT /tables/{id}/tableProfile``; with sample
    rows (generateSampleData), those too, with ``PUT /tables/{id}/sampleData``."""

    table_fqn: str
    profile: CreateTableProfileRequest
    sample_data: TableData | None = None


Operation = (
    PutEntities
    | SoftDeleteMissing
    | ReportUsage
    | ComputePercentiles
    | PutTableJoins
    | AddLineage
    | PutTableProfile
    | DbtOperation
)


@dataclass
class SyncBatch:
    """An asset's output: operations in order, plus what the asset itself wants shown in Dagster."""

    operations: list[Operation] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # Typed values for downstream assets, by partition key (None when unpartitioned); kept by the IO manager.
    payloads: dict[str | None, Any] = field(default_factory=dict)
    # Table FQN -> id the planner already read from OpenMetadata; the writer uses them instead of looking up.
    known_table_ids: dict[str, str] = field(default_factory=dict)
    # The OpenMetadata UI page the materialization links to (e.g. "/service/databaseServices/athena").
    openmetadata_page: str = ""

    def add(self, operation: Operation) -> None:
        self.operations.append(operation)


@dataclass
class PartitionedSync:
    """What an asset run over several partitions hands the IO manager: one SyncBatch per partition.

    ``plan`` is called for one partition at a time, just before that partition is written, so a run over 200
    Glue databases holds one database's requests in memory, and each partition's materialization reports its
    own counts. ``shared`` holds what belongs to the run rather than a partition (e.g. a Lake Formation read
    error); it is written first.
    """

    partition_keys: Sequence[str]
    plan: Callable[[str], SyncBatch]
    shared: SyncBatch = field(default_factory=SyncBatch)

    @classmethod
    def of(cls, batches: dict[str, SyncBatch], shared: SyncBatch | None = None) -> PartitionedSync:
        """Batches already planned, by partition key."""
        return cls(partition_keys=list(batches), plan=batches.__getitem__, shared=shared or SyncBatch())


def combine_batches(batches: Iterable[SyncBatch]) -> SyncBatch:
    """One batch doing what each of ``batches`` does, in order (a run over several partitions); numbers in the
    metadata are summed over the batches, anything else is taken from the first that has it."""
    combined = SyncBatch()
    for batch in batches:
        combined.operations += batch.operations
        combined.failures += batch.failures
        combined.warnings += batch.warnings
        combined.payloads.update(batch.payloads)
        combined.known_table_ids.update(batch.known_table_ids)
        for key, value in batch.metadata.items():
            summable = isinstance(value, int | float) and not isinstance(value, bool)
            if summable and not key.endswith("_per_second"):
                combined.metadata[key] = combined.metadata.get(key, 0) + value
            else:
                combined.metadata.setdefault(key, value)
    return combined
