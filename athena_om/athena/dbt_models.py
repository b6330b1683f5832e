"""What athena-om takes from dbt's artifacts, the same whatever dbt schema version wrote them.

``dbt_artifacts.py`` validates each artifact with dbt-artifacts-parser's typed model for its schema version and
keeps only these records, so a 50 MB manifest is not held twice and the mapping never sees version differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The node kinds that are tables in Athena; tests and the rest are not matched to tables.
TABLE_RESOURCE_TYPES = frozenset({"model", "seed", "snapshot", "source"})


@dataclass(frozen=True)
class DbtColumn:
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()
    data_type: str | None = None
    glossary_terms: tuple[str, ...] = ()  # the column's meta.openmetadata.glossary (fully qualified terms)


@dataclass(frozen=True)
class DbtNode:
    """A model, seed, snapshot or source: one relation dbt builds or reads."""

    unique_id: str
    resource_type: str
    name: str
    database: str | None
    schema: str
    identifier: str  # a model's alias, a source's identifier: the relation's name
    description: str = ""
    columns: tuple[DbtColumn, ...] = ()
    tags: tuple[str, ...] = ()
    meta_tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    glossary_terms: tuple[str, ...] = ()
    raw_sql: str | None = None
    compiled_sql: str | None = None
    path: str | None = None
    upstream: tuple[str, ...] = ()  # unique_ids this node depends on
    materialized: str | None = None
    package_name: str | None = None


@dataclass(frozen=True)
class DbtTest:
    """A generic or singular dbt data test, and the node (and column) it checks."""

    unique_id: str
    name: str
    test_name: str  # the generic test (not_null, accepted_values...) or the singular test's own name
    attached_node: str | None
    column_name: str | None = None
    description: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    compiled_sql: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class DbtRunResult:
    unique_id: str
    status: str
    completed_at: datetime | None
    failures: int | None = None
    message: str | None = None
    execution_time: float | None = None


@dataclass(frozen=True)
class DbtFreshness:
    unique_id: str
    status: str
    snapshotted_at: datetime | None
    max_loaded_at: datetime | None = None
    age_seconds: float | None = None
    criteria: str = ""
    error: str | None = None


@dataclass(frozen=True)
class DbtArtifacts:
    """Everything read from one set of artifacts."""

    manifest_schema: str  # e.g. "manifest/v12"
    dbt_version: str
    project_name: str | None
    generated_at: str | None
    nodes: tuple[DbtNode, ...] = ()
    tests: tuple[DbtTest, ...] = ()
    run_results: tuple[DbtRunResult, ...] = ()
    run_results_generated_at: str | None = None
    freshness: tuple[DbtFreshness, ...] = ()
    # Column names and types from catalog.json, by node unique_id.
    catalog_columns: dict[str, tuple[DbtColumn, ...]] = field(default_factory=dict)

    def node(self, unique_id: str) -> DbtNode | None:
        return self._by_id.get(unique_id)

    @property
    def _by_id(self) -> dict[str, DbtNode]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {node.unique_id: node for node in self.nodes}
            object.__setattr__(self, "_index", cached)
        return cached
