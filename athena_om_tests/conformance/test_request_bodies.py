"""Every body a real sync sends, recorded by the sandbox OpenMetadata server and validated against OpenMetadata's
own models: the demo lake, the hostile catalog and a synthetic catalog of a few hundred tables, through Dagster.

Query, usage, joins and lineage bodies are produced from the demo query history through the mapping layer and
the batch writer; once their assets exist, materializing them here adds their bodies to the same check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from dagster import instance_for_test, materialize

from athena_om.athena.query_history import read_history
from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.mapping.fqn import column_fqn, table_fqn
from athena_om.mapping.queries import query_to_create_request
from athena_om.mapping.sql_lineage import ParsedQuery, TableName, parse_query
from athena_om.mapping.usage import daily_table_usage, table_joins, table_joins_request
from athena_om.openmetadata.batches import AddLineage, PutTableJoins, ReportUsage, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import ColumnLineage, EntityReference, LineageDetails, LineageSource
from athena_om.openmetadata.writer import BatchWriter
from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_demo_lake
from athena_om.sandbox.aws.seed import seed_hostile_tables, seed_synthetic_catalog
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer, RecordedBody
from athena_om_tests.conformance.om_models import ROUTE_MODELS, conformance_problem
from athena_om_tests.e2e.conftest import DEMO_NOW, write_workflow

pytestmark = [pytest.mark.conformance, pytest.mark.slow]

SERVICE = "athena_sandbox"
SYNTHETIC_TABLES = 300


def fqn_of(table: TableName) -> str:
    return table_fqn(SERVICE, "default", table.database, table.table)


def write_history_bodies(aws: AwsSandbox, client: OpenMetadataClient) -> None:
    """Queries, one day's usage and joins, and lineage from the demo history, written like the assets will."""
    end = DEMO_NOW
    history = read_history(aws.client("athena"), ["primary", "etl"], start=end - timedelta(days=2), end=end)
    parsed = [(q, parse_query(q.query, q.database)) for q in history.queries]
    assert parsed, "the demo history has no queries in the last two days"
    ids: dict[str, str | None] = {}

    def table_ref(table: TableName) -> EntityReference | None:
        fqn = fqn_of(table)
        if fqn not in ids:
            entity = client.get_by_name("tables", fqn)
            ids[fqn] = entity["id"] if entity else None
        return EntityReference(id=ids[fqn], type="table") if ids[fqn] else None

    for execution, result in parsed[:60]:
        tables = sorted(result.source_tables) if isinstance(result, ParsedQuery) else []
        used_in = [ref for ref in map(table_ref, tables) if ref is not None]
        kind = result.statement_kind.value if isinstance(result, ParsedQuery) else None
        client.put(
            "queries", query_to_create_request(execution, service_name=SERVICE, used_in=used_in, statement_kind=kind)
        )

    day = (end - timedelta(days=1)).date()
    batch = SyncBatch()
    for table, count in daily_table_usage(parsed).items():
        if table_ref(table) is not None:
            batch.add(ReportUsage(fqn_of(table), day.isoformat(), count))
    for table, counts in table_joins(parsed).items():
        if table_ref(table) is not None:
            joins = table_joins_request(day, table, counts, lambda t: fqn_of(t) if table_ref(t) else None)
            batch.add(PutTableJoins(fqn_of(table), joins))
    for execution, result in parsed:
        if not isinstance(result, ParsedQuery) or result.target_table is None or table_ref(result.target_table) is None:
            continue
        target = fqn_of(result.target_table)
        for source in result.source_tables:
            if table_ref(source) is None or source == result.target_table:
                continue
            columns = [
                ColumnLineage(
                    fromColumns=sorted(column_fqn(fqn_of(t), *c.split(".")) for t, c in edge.source_columns),
                    toColumn=column_fqn(target, *edge.target_column.split(".")),
                    function=edge.function,
                )
                for edge in result.column_lineage
                if any(t == source for t, _ in edge.source_columns)
            ]
            details = LineageDetails(
                sqlQuery=execution.query, source=LineageSource.QUERY_LINEAGE, columnsLineage=columns or None
            )
            batch.add(AddLineage(fqn_of(source), target, details))
    report = BatchWriter(client).write(batch)
    assert not report.failures, report.failures[:10]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory, om_models: Path) -> Iterator[list[RecordedBody]]:
    """Bodies of a full sync of demo, hostile and synthetic catalogs, plus history-derived writes."""
    root = tmp_path_factory.mktemp("conformance")
    aws = AwsSandbox()
    seed_demo_lake(aws, now=DEMO_NOW)
    seed_hostile_tables(aws)
    seed_synthetic_catalog(aws, databases=3, tables=SYNTHETIC_TABLES, columns=12, prefix="conf")
    aws.start()
    om = OpenMetadataSandboxServer(root / "openmetadata", jwt_token=SANDBOX_TOKEN, record_bodies=True)
    om.start()
    try:
        seed_openmetadata_people(om.api_url, {t.owner for t in DEMO_TABLES if t.owner})
        with pytest.MonkeyPatch.context() as patch, instance_for_test() as instance:
            for key, value in aws.environment().items():
                patch.setenv(key, value)
            patch.setenv("OPENMETADATA_JWT_TOKEN", SANDBOX_TOKEN)
            from athena_om.definitions import build_definitions

            defs = build_definitions(str(write_workflow(root / "workflow.yaml", om.api_url)))
            assert materialize([athena_schemas], instance=instance, resources=defs.resources).success
            for database in instance.get_dynamic_partitions(glue_database_partitions.name):
                # The forbidden database fails its run by design; its bodies (none) still count.
                materialize(
                    [athena_tables],
                    instance=instance,
                    resources=defs.resources,
                    partition_key=database,
                    raise_on_error=False,
                )
            with OpenMetadataClient(om.api_url, SANDBOX_TOKEN) as client:
                write_history_bodies(aws, client)
        yield om.recorded_bodies()
    finally:
        om.stop()
        aws.stop()


def test_the_recording_covers_every_kind_of_write(recorded: list[RecordedBody]) -> None:
    routes = Counter(f"{b.method} {b.route}" for b in recorded)
    for expected in (
        "PUT /api/v1/services/databaseServices",
        "PUT /api/v1/databases",
        "PUT /api/v1/databaseSchemas",
        "PUT /api/v1/tables",
        "PUT /api/v1/classifications",
        "PUT /api/v1/tags",
        "PUT /api/v1/queries",
        "PUT /api/v1/lineage",
        "POST /api/v1/usage/{entity_type}/{entity_id}",
        "PUT /api/v1/tables/{table_id}/joins",
    ):
        assert routes[expected] > 0, f"no {expected} in the recording: {dict(routes)}"
    assert routes["PUT /api/v1/tables"] >= SYNTHETIC_TABLES + len(DEMO_TABLES)


def test_every_recorded_body_has_a_known_openmetadata_model(recorded: list[RecordedBody]) -> None:
    unmapped = sorted({f"{b.method} {b.route}" for b in recorded if (b.method, b.route) not in ROUTE_MODELS})
    assert not unmapped, f"add these routes to ROUTE_MODELS with OpenMetadata's model of their body: {unmapped}"


def test_every_recorded_body_is_accepted_by_openmetadata_models(recorded: list[RecordedBody]) -> None:
    rejected = []
    for body in recorded:
        model = ROUTE_MODELS.get((body.method, body.route))
        if model is None:
            continue
        problem = conformance_problem(model, body.body)
        if problem is not None:
            rejected.append(f"{body.method} {body.path} ({model}):\n{problem}\nbody: {str(body.body)[:600]}")
    assert not rejected, f"{len(rejected)} bodies rejected by OpenMetadata's models; first ones:\n" + "\n\n".join(
        rejected[:5]
    )


def test_the_sandbox_accepted_every_recorded_body(recorded: list[RecordedBody]) -> None:
    refused = [f"{b.status} {b.method} {b.path}" for b in recorded if b.status >= 400]
    assert not refused, refused[:10]
