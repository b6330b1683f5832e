"""Every body a real sync sends, recorded by the sandbox OpenMetadata server and validated against OpenMetadata's
own models: the demo lake, the hostile catalog and a synthetic catalog of a few hundred tables, through Dagster.

Query, usage, joins and lineage bodies come from materializing the query-history assets over two demo days.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from dagster import instance_for_test, materialize

from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.defs.usage.assets import athena_lineage, athena_query_log, athena_table_usage
from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_demo_lake
from athena_om.sandbox.aws.seed import seed_hostile_tables, seed_synthetic_catalog
from athena_om.sandbox.launcher import SANDBOX_TOKEN, seed_openmetadata_people
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer, RecordedBody
from athena_om_tests.conformance.om_models import ROUTE_MODELS, conformance_problem
from athena_om_tests.e2e.conftest import DEMO_NOW, write_workflow

pytestmark = [pytest.mark.conformance, pytest.mark.slow]

SERVICE = "athena_sandbox"
SYNTHETIC_TABLES = 300


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
            # The real query-history assets, over the last two days of the demo history, in one run.
            days = [(DEMO_NOW - timedelta(days=n)).date().isoformat() for n in (2, 1)]
            history = materialize(
                [athena_query_log, athena_table_usage, athena_lineage],
                instance=instance,
                resources=defs.resources,
                tags={"dagster/asset_partition_range_start": days[0], "dagster/asset_partition_range_end": days[1]},
            )
            assert history.success
        yield om.recorded_bodies()
    finally:
        om.stop()
        aws.stop()


def test_the_recording_covers_every_kind_of_write(recorded: list[RecordedBody]) -> None:
    routes = Counter(f"{b.method} {b.route}" for b in recorded)
    # Databases, schemas and tables go in bulk on a 2.x server (one PUT per entity on older ones).
    bulk = {"databases", "databaseSchemas", "tables"}
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
        written = routes[expected]
        if expected.rsplit("/", 1)[-1] in bulk:
            written += routes[expected + "/bulk"]
        assert written > 0, f"no {expected} (single or bulk) in the recording: {dict(routes)}"
    tables_written = routes["PUT /api/v1/tables"] + sum(
        len(b.body)
        for b in recorded
        if f"{b.method} {b.route}" == "PUT /api/v1/tables/bulk" and isinstance(b.body, list)
    )
    assert tables_written >= SYNTHETIC_TABLES + len(DEMO_TABLES)


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
