"""dbt nodes to OpenMetadata: table matching, data models, description/tag/owner patches, test cases (pure).

A node (model, seed, snapshot or source) names a relation ``database.schema.identifier``. dbt-athena calls the
Glue catalog ``awsdatacatalog`` where OpenMetadata's Athena connector uses ``databaseName`` (default
``default``), so that database maps to the connector's (OpenMetadata issue 14819); ``databaseNames`` maps any
other, and a database mapped nowhere is tried by its own name. A node no candidate FQN finds is reported with
every name tried.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from athena_om.athena.dbt_models import DbtArtifacts, DbtFreshness, DbtNode, DbtRunResult, DbtTest
from athena_om.mapping.filters import FilterPattern, is_filtered
from athena_om.mapping.fqn import build_fqn, column_fqn, quote_name, table_fqn
from athena_om.mapping.sql_lineage import DEFAULT_CATALOG
from athena_om.mapping.tables import OwnerResolver
from athena_om.mapping.tags import MAX_NAME_LENGTH
from athena_om.openmetadata.models import (
    Column,
    CreateClassificationRequest,
    CreateTagRequest,
    CreateTestCaseRequest,
    CreateTestCaseResult,
    CreateTestDefinitionRequest,
    DataModel,
    DataType,
    EntityReference,
    JsonPatchOperation,
    LabelType,
    ModelType,
    TagLabel,
    TagSource,
    TestCaseParameterValue,
    TestCaseStatus,
    TestEntityType,
    TestPlatform,
    TestResultValue,
)

FRESHNESS_TEST = "dbt_source_freshness"
TEST_STATUS = {
    "pass": TestCaseStatus.SUCCESS,
    "success": TestCaseStatus.SUCCESS,
    "fail": TestCaseStatus.FAILED,
    "warn": TestCaseStatus.FAILED,
    "error": TestCaseStatus.FAILED,
    "runtime error": TestCaseStatus.FAILED,
    "skipped": TestCaseStatus.ABORTED,
}


@dataclass(frozen=True)
class DbtOptions:
    """The dbt workflow settings the mapping needs (OpenMetadata's keys, flattened)."""

    service_name: str
    database_name: str = "default"
    database_names: Mapping[str, str] = field(default_factory=dict)
    classification: str = "dbtTags"
    include_tags: bool = True
    update_descriptions: bool = False
    update_owners: bool = False
    database_filter: FilterPattern | None = None
    schema_filter: FilterPattern | None = None
    table_filter: FilterPattern | None = None


@dataclass(frozen=True)
class OMColumnState:
    index: int
    name: str
    data_type: str
    description: str
    tags: tuple[str, ...] | None  # None: the column has no tags list at all


@dataclass(frozen=True)
class OMTableState:
    """What OpenMetadata holds for a table, as far as dbt writes to it."""

    id: str
    fqn: str
    description: str
    columns: tuple[OMColumnState, ...]
    tags: tuple[str, ...] | None
    owner_ids: tuple[str, ...]
    data_model: Mapping[str, object] | None

    def column(self, name: str) -> OMColumnState | None:
        lowered = name.lower()
        return next((column for column in self.columns if column.name.lower() == lowered), None)


# -- matching -------------------------------------------------------------------------------------------------


def om_database_names(node: DbtNode, options: DbtOptions) -> list[str]:
    """The OpenMetadata databases a node's dbt database may be, most likely first."""
    database = node.database or DEFAULT_CATALOG
    configured = {key.lower(): value for key, value in options.database_names.items()}
    names = []
    if database.lower() in configured:
        names.append(configured[database.lower()])
    elif database.lower() == DEFAULT_CATALOG:
        names.append(options.database_name)
    names.append(database)
    return list(dict.fromkeys(names))


def candidate_fqns(node: DbtNode, options: DbtOptions) -> list[str]:
    """Every table FQN that may be the node's, in order: mapped database first, then names as dbt spells them
    and lower-cased (Glue lower-cases database and table names)."""
    candidates = []
    for database in om_database_names(node, options):
        for schema, table in ((node.schema, node.identifier), (node.schema.lower(), node.identifier.lower())):
            candidates.append(table_fqn(options.service_name, database, schema, table))
    return list(dict.fromkeys(candidates))


def node_filtered(node: DbtNode, options: DbtOptions) -> str | None:
    """Why the workflow's filter patterns leave the node out, or None when they keep it."""
    for what, name, pattern in (
        ("databaseFilterPattern", om_database_names(node, options)[0], options.database_filter),
        ("schemaFilterPattern", node.schema, options.schema_filter),
        ("tableFilterPattern", node.identifier, options.table_filter),
    ):
        if is_filtered(name, pattern):
            return f"left out by {what} ({name})"
    return None


# -- tags and owners ------------------------------------------------------------------------------------------


def valid_tag_name(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME_LENGTH and "::" not in name and '"' not in name


def tag_fqn(classification: str, name: str) -> str:
    return build_fqn(classification, name)


def node_tag_names(node: DbtNode) -> list[str]:
    return [tag for tag in dict.fromkeys(node.tags + node.meta_tags) if valid_tag_name(tag)]


def tag_labels(classification: str, names: Iterable[str]) -> list[TagLabel]:
    return [TagLabel(tagFQN=tag_fqn(classification, name), labelType=LabelType.AUTOMATED) for name in names]


def glossary_labels(term_fqns: Iterable[str]) -> list[TagLabel]:
    """Glossary terms (``meta.openmetadata.glossary``) as OpenMetadata applies them: tag labels from the Glossary."""
    return [TagLabel(tagFQN=fqn, source=TagSource.GLOSSARY, labelType=LabelType.AUTOMATED) for fqn in term_fqns]


def classification_requests(
    classification: str, names: Iterable[str]
) -> tuple[CreateClassificationRequest, list[CreateTagRequest]]:
    """The dbt tags classification and one tag per dbt tag name."""
    return (
        CreateClassificationRequest(name=classification, description="Tags from dbt models, sources and columns."),
        [
            CreateTagRequest(name=name, description=f"dbt tag `{name}`.", classification=classification)
            for name in sorted(set(names))
        ],
    )


def resolve_owners(node: DbtNode, resolver: OwnerResolver) -> tuple[list[EntityReference], list[str]]:
    """The node's ``meta.owner`` as users or teams, and the owners OpenMetadata does not know."""
    found: list[EntityReference] = []
    unknown: list[str] = []
    for owner in node.owners:
        ref = resolver(owner)
        if ref is None:
            unknown.append(owner)
        elif ref.id not in {r.id for r in found}:
            found.append(ref)
    return found, unknown


# -- the data model and the table patch -------------------------------------------------------------------------


def data_model(
    node: DbtNode,
    table: OMTableState,
    upstream_fqns: list[str],
    owners: list[EntityReference],
    options: DbtOptions,
    project: str | None,
    generated_at: str | None,
) -> DataModel:
    """The table's data model: SQL, path, descriptions, tags, owners and upstream tables, as dbt describes it."""
    columns = []
    for dbt_column in node.columns:
        held = table.column(dbt_column.name)
        if held is None:
            continue  # a documented column the table does not have: nothing to attach it to
        tags = [t for t in dbt_column.tags if valid_tag_name(t)] if options.include_tags else []
        columns.append(
            Column(
                name=held.name,
                dataType=DataType(held.data_type) if held.data_type in DataType.__members__ else DataType.UNKNOWN,
                description=dbt_column.description or None,
                tags=tag_labels(options.classification, tags) or None,
            )
        )
    tags = node_tag_names(node) if options.include_tags else []
    return DataModel(
        modelType=ModelType.DBT,
        resourceType=node.resource_type,
        dbtSourceProject=project,
        description=node.description or None,
        path=node.path,
        rawSql=node.raw_sql,
        sql=node.compiled_sql,
        upstream=upstream_fqns or None,
        owners=owners or None,
        tags=tag_labels(options.classification, tags) or None,
        columns=columns or None,
        generatedAt=generated_at,
    )


def _model_digest(model: Mapping[str, object] | None) -> object:
    """What decides whether a stored data model is ours: every field we set, references by id or FQN."""
    if not model:
        return None

    def tag_fqns(value: object) -> list[str]:
        return sorted(str(tag.get("tagFQN")) for tag in value or [] if isinstance(tag, dict))  # type: ignore[attr-defined]

    columns = [
        (c.get("name"), c.get("description") or None, tag_fqns(c.get("tags")))
        for c in model.get("columns") or []  # type: ignore[attr-defined]
        if isinstance(c, dict)
    ]
    return (
        model.get("modelType"),
        model.get("resourceType"),
        model.get("description") or None,
        model.get("path"),
        model.get("rawSql"),
        model.get("sql"),
        sorted(model.get("upstream") or []),  # type: ignore[call-overload]
        sorted(str(o.get("id")) for o in model.get("owners") or [] if isinstance(o, dict)),  # type: ignore[attr-defined]
        tag_fqns(model.get("tags")),
        columns,
    )


def data_model_unchanged(stored: Mapping[str, object] | None, model: DataModel) -> bool:
    """Whether OpenMetadata already holds this data model (``generatedAt`` aside, which changes every dbt run)."""
    return stored is not None and _model_digest(stored) == _model_digest(model.to_body())


def table_patch(
    node: DbtNode,
    table: OMTableState,
    owners: list[EntityReference],
    options: DbtOptions,
    glossary_terms: Iterable[str] = (),
) -> list[JsonPatchOperation]:
    """JSON Patch setting dbt's descriptions (only where OpenMetadata has none, unless ``dbtUpdateDescriptions``),
    adding dbt tags and the node's and its columns' glossary terms (those among ``glossary_terms``, the terms
    OpenMetadata holds), and setting owners (only where there are none, unless ``dbtUpdateOwners``)."""
    ops: list[JsonPatchOperation] = []
    known_terms = set(glossary_terms)

    def description(path: str, held: str, wanted: str) -> None:
        if wanted and held != wanted and (not held or options.update_descriptions):
            ops.append(JsonPatchOperation(op="add" if not held else "replace", path=path, value=wanted))

    def tags(path: str, held: tuple[str, ...] | None, names: Iterable[str], terms: Iterable[str] = ()) -> None:
        labels = tag_labels(options.classification, names) + glossary_labels(terms)
        missing = [label for label in labels if label.tagFQN not in (held or ())]
        if not missing:
            return
        if held is None:
            ops.append(JsonPatchOperation(op="add", path=path, value=[label.to_body() for label in missing]))
        else:
            ops.extend(JsonPatchOperation(op="add", path=f"{path}/-", value=label.to_body()) for label in missing)

    description("/description", table.description, node.description)
    for dbt_column in node.columns:
        held = table.column(dbt_column.name)
        if held is None:
            continue
        description(f"/columns/{held.index}/description", held.description, dbt_column.description)
        if options.include_tags:
            terms = [term for term in dbt_column.glossary_terms if term in known_terms]
            tags(f"/columns/{held.index}/tags", held.tags, [t for t in dbt_column.tags if valid_tag_name(t)], terms)
    if options.include_tags:
        tags("/tags", table.tags, node_tag_names(node), [term for term in node.glossary_terms if term in known_terms])
    owner_ids = tuple(ref.id for ref in owners)
    if owners and set(owner_ids) != set(table.owner_ids) and (not table.owner_ids or options.update_owners):
        refs = [{"id": ref.id, "type": ref.type} for ref in owners]
        ops.append(JsonPatchOperation(op="add" if not table.owner_ids else "replace", path="/owners", value=refs))
    return ops


# -- tests ----------------------------------------------------------------------------------------------------


def entity_link(table_fqn_: str, column: str | None) -> str:
    return f"<#E::table::{table_fqn_}::columns::{column}>" if column else f"<#E::table::{table_fqn_}>"


def test_case_fqn(table_fqn_: str, column: str | None, name: str) -> str:
    parent = column_fqn(table_fqn_, column) if column else table_fqn_
    return f"{parent}.{quote_name(name)}"


def test_definition_name(test: DbtTest) -> str:
    return test.test_name


def test_definition_request(name: str, entity_type: TestEntityType) -> CreateTestDefinitionRequest:
    return CreateTestDefinitionRequest(
        name=name,
        description=f"dbt test `{name}`: its result comes from dbt's run_results.json.",
        entityType=entity_type,
        testPlatforms=[TestPlatform.DBT],
    )


def test_case_request(test: DbtTest, table: OMTableState, column: str | None, definition: str) -> CreateTestCaseRequest:
    return CreateTestCaseRequest(
        name=test.name,
        testDefinition=definition,
        entityLink=entity_link(table.fqn, column),
        description=test.description or None,
        parameterValues=[TestCaseParameterValue(name=key, value=value) for key, value in test.parameters] or None,
    )


def _millis(moment: datetime | None, fallback: str | None) -> int | None:
    if moment is None and fallback:
        try:
            moment = datetime.fromisoformat(fallback.replace("Z", "+00:00"))
        except ValueError:
            return None
    return int(moment.timestamp() * 1000) if moment is not None else None


def test_result(result: DbtRunResult, run_generated_at: str | None) -> CreateTestCaseResult | None:
    """A test case result from one dbt run result; None when it has no time to file it under."""
    timestamp = _millis(result.completed_at, run_generated_at)
    if timestamp is None:
        return None
    status = TEST_STATUS.get(result.status.lower(), TestCaseStatus.ABORTED)
    failures = result.failures if result.failures is not None else None
    values = [TestResultValue(name="failures", value=str(failures))] if failures is not None else []
    message = result.message or f"dbt test status {result.status}"
    return CreateTestCaseResult(
        timestamp=timestamp,
        testCaseStatus=status,
        result=f"{message} (dbt status {result.status})" if result.message else message,
        testResultValue=values,
        failedRows=failures if failures and status is TestCaseStatus.FAILED else None,
    )


def freshness_test_case(table: OMTableState, source: DbtNode) -> CreateTestCaseRequest:
    return CreateTestCaseRequest(
        name=FRESHNESS_TEST,
        testDefinition=FRESHNESS_TEST,
        entityLink=entity_link(table.fqn, None),
        description=f"Source freshness of {source.unique_id} (`dbt source freshness`).",
    )


def freshness_result(freshness: DbtFreshness) -> CreateTestCaseResult | None:
    timestamp = _millis(freshness.snapshotted_at, None)
    if timestamp is None:
        return None
    if freshness.error:
        text = f"dbt source freshness {freshness.status}: {freshness.error}"
    else:
        loaded = freshness.max_loaded_at.isoformat() if freshness.max_loaded_at else "never"
        age = f"{freshness.age_seconds / 3600:.1f} h ago" if freshness.age_seconds is not None else "age unknown"
        text = f"{freshness.status}: last loaded {loaded} ({age}); {freshness.criteria or 'no criteria'}"
    values = [TestResultValue(name="ageSeconds", value=f"{freshness.age_seconds:.0f}")] if freshness.age_seconds else []
    return CreateTestCaseResult(
        timestamp=timestamp,
        testCaseStatus=TEST_STATUS.get(freshness.status.lower(), TestCaseStatus.ABORTED),
        result=text,
        testResultValue=values,
    )


def results_by_id(artifacts: DbtArtifacts) -> dict[str, DbtRunResult]:
    return {result.unique_id: result for result in artifacts.run_results}
