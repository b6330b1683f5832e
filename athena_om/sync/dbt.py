"""Plan what dbt's artifacts put into OpenMetadata: data models, descriptions, tags, owners, lineage, tests.

Reads what OpenMetadata holds once (the tables of every schema dbt names, with columns, tags, owners and data
model; the dbt tags; each matched table's test cases with their latest result; each lineage edge) and plans
only what differs, so running the same artifacts again writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from athena_om.athena.dbt_artifacts import DbtArtifactPaths
from athena_om.athena.dbt_models import DbtArtifacts, DbtNode
from athena_om.config.workflow import DbtHttpConfig, DbtLocalConfig, DbtPipeline, DbtS3Config
from athena_om.mapping import dbt as mapping
from athena_om.mapping.dbt import DbtOptions, OMColumnState, OMTableState
from athena_om.mapping.fqn import schema_fqn, split_fqn
from athena_om.mapping.lineage_details import merge_lineage_details
from athena_om.mapping.sql_lineage import parse_query
from athena_om.mapping.tables import OwnerResolver
from athena_om.openmetadata.batches import AddLineage, PutEntities, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.dbt_operations import AddTestCaseResult, PatchTable, PutDataModel
from athena_om.openmetadata.models import (
    CreateTestCaseRequest,
    CreateTestDefinitionRequest,
    LineageDetails,
    LineageSource,
    TestEntityType,
)
from athena_om.sync.catalog import holds_request
from athena_om.sync.lineage import LineagePlan, add_parsed_lineage
from athena_om.sync.snapshot import CatalogSnapshot, CatalogTable, catalog_table_from_entity

TABLE_FIELDS = ("columns", "tags", "owners", "dataModel")


# -- settings ------------------------------------------------------------------------------------------------


def dbt_options(pipeline: DbtPipeline, service_name: str, database_name: str) -> DbtOptions:
    return DbtOptions(
        service_name=service_name,
        database_name=database_name,
        database_names=dict(pipeline.database_names),
        classification=pipeline.dbt_classification_name,
        include_tags=pipeline.include_tags,
        update_descriptions=pipeline.dbt_update_descriptions,
        update_owners=pipeline.dbt_update_owners,
        database_filter=pipeline.database_filter_pattern,
        schema_filter=pipeline.schema_filter_pattern,
        table_filter=pipeline.table_filter_pattern,
    )


def artifact_paths(pipeline: DbtPipeline) -> DbtArtifactPaths:
    """Where ``dbtConfigSource`` says the artifacts are."""
    source = pipeline.dbt_config_source
    if isinstance(source, DbtLocalConfig):
        return DbtArtifactPaths(
            "local",
            source.dbt_manifest_file_path,
            source.dbt_catalog_file_path,
            source.dbt_run_results_file_path,
            source.dbt_sources_file_path,
        )
    if isinstance(source, DbtHttpConfig):
        return DbtArtifactPaths(
            "http",
            source.dbt_manifest_http_path,
            source.dbt_catalog_http_path,
            source.dbt_run_results_http_path,
            source.dbt_sources_http_path,
        )
    assert isinstance(source, DbtS3Config)
    prefix = source.dbt_prefix_config
    return DbtArtifactPaths.under_s3_prefix(prefix.dbt_bucket_name, prefix.dbt_object_prefix)


# -- what OpenMetadata holds ---------------------------------------------------------------------------------


def table_state(entity: Mapping[str, Any]) -> OMTableState:
    def tag_fqns(value: Any) -> tuple[str, ...] | None:
        return None if value is None else tuple(str(tag.get("tagFQN")) for tag in value)

    return OMTableState(
        id=entity["id"],
        fqn=entity["fullyQualifiedName"],
        description=entity.get("description") or "",
        columns=tuple(
            OMColumnState(
                index=index,
                name=column["name"],
                data_type=str(column.get("dataType") or "UNKNOWN"),
                description=column.get("description") or "",
                tags=tag_fqns(column.get("tags")),
            )
            for index, column in enumerate(entity.get("columns") or [])
        ),
        tags=tag_fqns(entity.get("tags")),
        owner_ids=tuple(str(owner.get("id")) for owner in entity.get("owners") or []),
        data_model=entity.get("dataModel"),
    )


@dataclass
class OpenMetadataTables:
    """The tables of the schemas dbt names, by FQN, each as state for the mapping and as a catalog table."""

    entities: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    listing_errors: list[str] = field(default_factory=list)


def read_tables(client: OpenMetadataClient, schema_fqns: set[str]) -> OpenMetadataTables:
    found = OpenMetadataTables()
    for fqn in sorted(schema_fqns):
        try:
            for entity in client.list_all("tables", params={"databaseSchema": fqn}, fields=TABLE_FIELDS):
                found.entities[entity["fullyQualifiedName"]] = entity
        except OpenMetadataError as error:
            if error.status != 404:
                found.listing_errors.append(f"tables of {fqn}: {error}")
    return found


# -- the plan ------------------------------------------------------------------------------------------------


@dataclass
class DbtMatch:
    node: DbtNode
    table: OMTableState
    catalog_table: CatalogTable


@dataclass
class DbtPlanReport:
    matched: dict[str, str] = field(default_factory=dict)  # unique_id -> table FQN
    unmatched: dict[str, str] = field(default_factory=dict)  # unique_id -> why
    counts: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def plan_dbt(
    artifacts: DbtArtifacts,
    client: OpenMetadataClient,
    options: DbtOptions,
    resolve_owner: OwnerResolver,
) -> SyncBatch:
    """Every write the artifacts call for that OpenMetadata does not already hold."""
    report = DbtPlanReport()
    batch = SyncBatch()
    candidates: dict[str, list[str]] = {}
    for node in artifacts.nodes:
        why = mapping.node_filtered(node, options)
        if why:
            report.counts["filtered"] += 1
            continue
        candidates[node.unique_id] = mapping.candidate_fqns(node, options)
    schemas = {schema_fqn(*split_fqn(fqn)[:3]) for fqns in candidates.values() for fqn in fqns}
    tables = read_tables(client, schemas)
    report.warnings += tables.listing_errors
    matches: dict[str, DbtMatch] = {}
    for unique_id, fqns in candidates.items():
        found = artifacts.node(unique_id)
        assert found is not None
        fqn = next((fqn for fqn in fqns if fqn in tables.entities), None)
        if fqn is None:
            report.unmatched[unique_id] = "no table in OpenMetadata; tried " + ", ".join(fqns)
            continue
        entity = tables.entities[fqn]
        matches[unique_id] = DbtMatch(found, table_state(entity), catalog_table_from_entity(dict(entity)))
        report.matched[unique_id] = fqn
    batch.known_table_ids.update({match.table.fqn: match.table.id for match in matches.values()})

    _plan_tags(artifacts, matches, client, options, batch, report)
    terms = _known_glossary_terms(matches, client, report) if options.include_tags else set()
    _plan_tables(artifacts, matches, options, resolve_owner, batch, report, terms)
    _plan_lineage(matches, client, batch, report)
    _plan_tests(artifacts, matches, client, batch, report)
    _report(artifacts, batch, report)
    return batch


def _tag_names(matches: Mapping[str, DbtMatch]) -> set[str]:
    names: set[str] = set()
    for match in matches.values():
        names.update(mapping.node_tag_names(match.node))
        for column in match.node.columns:
            names.update(tag for tag in column.tags if mapping.valid_tag_name(tag))
    return names


def _plan_tags(
    artifacts: DbtArtifacts,
    matches: Mapping[str, DbtMatch],
    client: OpenMetadataClient,
    options: DbtOptions,
    batch: SyncBatch,
    report: DbtPlanReport,
) -> None:
    names = _tag_names(matches) if options.include_tags else set()
    if not names:
        return
    classification, tags = mapping.classification_requests(options.classification, names)
    held_classification = client.get_by_name("classifications", options.classification)
    if not holds_request(held_classification, classification):
        batch.add(PutEntities("classifications", [classification]))
    # Every tag in one listing, by FQN: a dbt tag may share its name with a tag of another classification.
    held_tags = {tag["fullyQualifiedName"]: tag for tag in client.list_all("tags")} if held_classification else {}
    fresh = [
        tag for tag in tags if not holds_request(held_tags.get(mapping.tag_fqn(options.classification, tag.name)), tag)
    ]
    if fresh:
        batch.add(PutEntities("tags", fresh))
    report.counts["dbt_tags"] = len(names)


def _known_glossary_terms(
    matches: Mapping[str, DbtMatch], client: OpenMetadataClient, report: DbtPlanReport
) -> set[str]:
    """The glossary terms the nodes name (``meta.openmetadata.glossary``) that OpenMetadata holds: one read per
    distinct term. A term it does not hold is reported (OpenMetadata's dbt ingestion does not create terms)."""

    def named(node: DbtNode) -> set[str]:
        return set(node.glossary_terms).union(*(column.glossary_terms for column in node.columns))

    wanted = sorted({term for match in matches.values() for term in named(match.node)})
    known: set[str] = set()
    for term in wanted:
        if client.get_by_name("glossaryTerms", term) is not None:
            known.add(term)
            continue
        users = sorted(m.node.unique_id for m in matches.values() if term in named(m.node))
        report.warnings.append(
            f"glossary term {term!r} (meta.openmetadata.glossary of {', '.join(users)}) is not in OpenMetadata: "
            "create it in a glossary there, or fix the term's fully qualified name (Glossary.Term)"
        )
    report.counts["glossary_terms"] = len(known)
    return known


def _plan_tables(
    artifacts: DbtArtifacts,
    matches: Mapping[str, DbtMatch],
    options: DbtOptions,
    resolve_owner: OwnerResolver,
    batch: SyncBatch,
    report: DbtPlanReport,
    glossary_terms: set[str],
) -> None:
    for match in matches.values():
        node, table = match.node, match.table
        owners, unknown = mapping.resolve_owners(node, resolve_owner)
        for owner in unknown:
            report.warnings.append(f"{node.unique_id}: owner {owner!r} is neither a user nor a team in OpenMetadata")
        patch = mapping.table_patch(node, table, owners, options, glossary_terms)
        if patch:
            batch.add(PatchTable(table.fqn, patch))
            for op in patch:
                kind = op.path.rsplit("/", 1)[-1] if not op.path.endswith("/-") else op.path.split("/")[-2]
                report.counts[f"{'column_' if op.path.startswith('/columns') else ''}{kind}_written"] += 1
        if node.resource_type == "source":
            continue  # dbt does not build a source: it has no model
        upstream = [matches[uid].table.fqn for uid in node.upstream if uid in matches]
        model = mapping.data_model(
            node, table, upstream, owners, options, artifacts.project_name, artifacts.generated_at
        )
        if mapping.data_model_unchanged(table.data_model, model):
            report.counts["data_models_unchanged"] += 1
        else:
            batch.add(PutDataModel(table.fqn, model))
            report.counts["data_models_written"] += 1


def _model_lineage(match: DbtMatch, snapshot: CatalogSnapshot, plan: LineagePlan) -> None:
    """Column lineage of one model from its compiled SQL, read as a CTAS into the model's table."""
    sql = (match.node.compiled_sql or "").strip().rstrip(";")
    if not sql:
        return
    target = match.catalog_table.name
    statement = f'CREATE TABLE "{target.catalog}"."{target.database}"."{target.table}" AS {sql}'
    parsed = parse_query(statement, target.database, target.catalog, snapshot.schema())
    if hasattr(parsed, "reason"):
        plan.skipped.append(f"{match.node.unique_id}: column lineage not parsed: {parsed.reason}")
        return
    add_parsed_lineage(plan, match.node.unique_id, sql, parsed, snapshot, LineageSource.DBT_LINEAGE)  # type: ignore[arg-type]


def _plan_lineage(
    matches: Mapping[str, DbtMatch], client: OpenMetadataClient, batch: SyncBatch, report: DbtPlanReport
) -> None:
    snapshot = CatalogSnapshot({match.catalog_table.name: match.catalog_table for match in matches.values()})
    for match in matches.values():
        if match.node.resource_type == "source":
            continue
        upstream = {matches[uid].table.fqn: matches[uid] for uid in match.node.upstream if uid in matches}
        if not upstream:
            continue
        plan = LineagePlan()
        _model_lineage(match, snapshot, plan)
        report.warnings += plan.skipped[:20]
        sql = match.node.compiled_sql
        for from_fqn, source in upstream.items():
            details = plan.edges.get((from_fqn, match.table.fqn)) or LineageDetails(sqlQuery=sql)
            details = LineageDetails(
                sqlQuery=sql or details.sqlQuery,
                source=LineageSource.DBT_LINEAGE,
                columnsLineage=details.columnsLineage,
                description=f"dbt: {match.node.unique_id} depends on {source.node.unique_id}",
            )
            try:
                existing = client.lineage_edge(source.table.id, match.table.id)
            except OpenMetadataError:
                existing = None
            if existing is not None and merge_lineage_details(existing, details).to_body() == existing.to_body():
                report.counts["lineage_edges_unchanged"] += 1
                continue
            batch.add(AddLineage(from_fqn, match.table.fqn, details))
            report.counts["lineage_edges_written"] += 1


def _existing_test_cases(client: OpenMetadataClient, table_fqn: str) -> dict[str, Mapping[str, Any]]:
    params = {"entityFQN": table_fqn, "includeAllTests": "true"}
    try:
        listed = client.list_all("dataQuality/testCases", params=params, fields=["testCaseResult", "testDefinition"])
        return {case["fullyQualifiedName"]: case for case in listed}
    except OpenMetadataError as error:
        if error.status == 404:
            return {}
        raise


def _plan_tests(
    artifacts: DbtArtifacts,
    matches: Mapping[str, DbtMatch],
    client: OpenMetadataClient,
    batch: SyncBatch,
    report: DbtPlanReport,
) -> None:
    results = mapping.results_by_id(artifacts)
    definitions: dict[str, TestEntityType] = {}
    cases: list[CreateTestCaseRequest] = []
    planned_results: list[AddTestCaseResult] = []
    existing: dict[str, dict[str, Mapping[str, Any]]] = {}

    def held_cases(table_fqn: str) -> dict[str, Mapping[str, Any]]:
        if table_fqn not in existing:
            existing[table_fqn] = _existing_test_cases(client, table_fqn)
        return existing[table_fqn]

    def plan_case(request: CreateTestCaseRequest, fqn: str, table_fqn: str, result: Any) -> None:
        held = held_cases(table_fqn).get(fqn)
        if holds_request(held, request):
            report.counts["test_cases_unchanged"] += 1
        else:
            cases.append(request)
        if result is None:
            return
        latest = (held or {}).get("testCaseResult") or {}
        if latest.get("timestamp") == result.timestamp and latest.get("testCaseStatus") == result.testCaseStatus:
            report.counts["test_results_unchanged"] += 1
            return
        planned_results.append(AddTestCaseResult(fqn, result))

    for test in artifacts.tests:
        match = matches.get(test.attached_node or "")
        if match is None:
            report.counts["tests_unmatched"] += 1
            reason = "its table is not matched" if test.attached_node else "it checks no single table"
            report.unmatched[test.unique_id] = reason
            continue
        column = None
        if test.column_name:
            held_column = match.table.column(test.column_name)
            if held_column is None:
                report.unmatched[test.unique_id] = f"column {test.column_name!r} is not in {match.table.fqn}"
                continue
            column = held_column.name
        entity_type = TestEntityType.COLUMN if column else TestEntityType.TABLE
        name = mapping.test_definition_name(test)
        if definitions.setdefault(name, entity_type) != entity_type:
            name = f"{name}_{entity_type.value.lower()}"
            definitions.setdefault(name, entity_type)
        run = results.get(test.unique_id)
        result = mapping.test_result(run, artifacts.run_results_generated_at) if run else None
        plan_case(
            mapping.test_case_request(test, match.table, column, name),
            mapping.test_case_fqn(match.table.fqn, column, test.name),
            match.table.fqn,
            result,
        )
        report.counts["tests"] += 1
    for freshness in artifacts.freshness:
        match = matches.get(freshness.unique_id)
        if match is None:
            continue
        definitions.setdefault(mapping.FRESHNESS_TEST, TestEntityType.TABLE)
        plan_case(
            mapping.freshness_test_case(match.table, match.node),
            mapping.test_case_fqn(match.table.fqn, None, mapping.FRESHNESS_TEST),
            match.table.fqn,
            mapping.freshness_result(freshness),
        )
        report.counts["freshness_checks"] += 1
    needed = [mapping.test_definition_request(name, kind) for name, kind in sorted(definitions.items())]
    fresh_definitions = [d for d in needed if not _holds_definition(client, d)]
    if fresh_definitions:
        batch.add(PutEntities("dataQuality/testDefinitions", fresh_definitions))
    if cases:
        batch.add(PutEntities("dataQuality/testCases", cases))
    batch.operations.extend(planned_results)
    report.counts["test_cases_written"] = len(cases)
    report.counts["test_results_written"] = len(planned_results)


def _holds_definition(client: OpenMetadataClient, request: CreateTestDefinitionRequest) -> bool:
    held = client.get_by_name("dataQuality/testDefinitions", request.name)
    if held is None:
        return False
    return held.get("entityType") == request.entityType and "dbt" in (held.get("testPlatforms") or [])


def _report(artifacts: DbtArtifacts, batch: SyncBatch, report: DbtPlanReport) -> None:
    batch.warnings += report.warnings
    batch.metadata.update(
        {
            "dbt_version": artifacts.dbt_version,
            "manifest_schema": artifacts.manifest_schema,
            "nodes": len(artifacts.nodes),
            "nodes_matched": len([uid for uid in report.matched]),
            "nodes_unmatched": len([uid for uid in report.unmatched if not uid.startswith("test.")]),
            "matched": dict(sorted(report.matched.items())),
            "unmatched": dict(sorted(report.unmatched.items())),
            "run_results_generated_at": artifacts.run_results_generated_at or "",
            **{key: value for key, value in sorted(report.counts.items())},
        }
    )


__all__ = [
    "artifact_paths",
    "dbt_options",
    "plan_dbt",
    "read_tables",
    "table_state",
]
