"""Typed records read from AWS (Glue, Lake Formation, Athena). No OpenMetadata knowledge lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Athena query states after which a query never changes again.
FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


@dataclass(frozen=True)
class LFTag:
    """One Lake Formation tag assignment: a key with the values assigned on a resource."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class GlueColumn:
    """A Glue column as the catalog stores it; ``type`` is the raw Hive/Athena type string."""

    name: str
    type: str
    comment: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    lf_tags: tuple[LFTag, ...] = ()


@dataclass(frozen=True)
class GlueDatabase:
    name: str
    description: str | None = None
    location_uri: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    catalog_id: str | None = None
    create_time: datetime | None = None
    lf_tags: tuple[LFTag, ...] = ()


@dataclass(frozen=True)
class GlueStorage:
    location: str | None = None
    input_format: str | None = None
    output_format: str | None = None
    serde_library: str | None = None
    serde_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GlueViewRepresentation:
    """One dialect's SQL of a Glue Data Catalog view (``ViewDefinition.Representations``)."""

    dialect: str  # ATHENA, SPARK, REDSHIFT
    original_text: str | None = None
    expanded_text: str | None = None
    dialect_version: str | None = None


@dataclass(frozen=True)
class GlueTable:
    """A Glue table (or view) with everything the mapping needs."""

    database: str
    name: str
    table_type: str | None = None  # EXTERNAL_TABLE, VIRTUAL_VIEW, MANAGED_TABLE, GOVERNED, ...
    columns: tuple[GlueColumn, ...] = ()
    partition_keys: tuple[GlueColumn, ...] = ()
    description: str | None = None
    owner: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    storage: GlueStorage = field(default_factory=GlueStorage)
    view_original_text: str | None = None
    view_expanded_text: str | None = None
    create_time: datetime | None = None
    update_time: datetime | None = None
    catalog_id: str | None = None
    lf_tags: tuple[LFTag, ...] = ()
    # A Glue Data Catalog (multi-dialect) view's SQL per dialect; empty for Hive/Presto-style views and tables.
    view_representations: tuple[GlueViewRepresentation, ...] = ()


@dataclass(frozen=True)
class QueryExecution:
    """One Athena query execution from the query history."""

    query_id: str
    query: str
    state: str  # SUCCEEDED, FAILED, CANCELLED, RUNNING, QUEUED
    statement_type: str | None = None  # DDL, DML, UTILITY
    submitted_at: datetime | None = None
    completed_at: datetime | None = None
    engine_execution_ms: int | None = None
    total_execution_ms: int | None = None
    data_scanned_bytes: int | None = None
    workgroup: str | None = None
    catalog: str | None = None
    database: str | None = None
    state_change_reason: str | None = None
    substatement_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.state == "SUCCEEDED"
