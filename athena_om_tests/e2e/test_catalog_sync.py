"""The first sync end to end through Dagster, read back from OpenMetadata and compared with the demo lake."""

from __future__ import annotations

import httpx
from dagster import DagsterInstance, materialize

from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.metadata.partitions import glue_database_partitions
from athena_om.mapping.fqn import table_fqn
from athena_om.sandbox.aws import DEMO_DATABASES, DEMO_TABLES
from athena_om.sandbox.launcher import SANDBOX_TOKEN
from athena_om_tests.e2e.conftest import Stack

SERVICE = "athena_sandbox"


def sync_all(stack: Stack, instance: DagsterInstance) -> dict[str, dict[str, object]]:
    """Materialize the schemas, then every database's tables; the tables metadata by partition."""
    defs = stack.definitions()
    result = materialize([athena_schemas], instance=instance, resources=defs.resources)
    assert result.success
    per_database = {}
    for database in instance.get_dynamic_partitions(glue_database_partitions.name):
        run = materialize([athena_tables], instance=instance, resources=defs.resources, partition_key=database)
        assert run.success
        (event,) = run.get_asset_materialization_events()
        per_database[database] = {k: v.value for k, v in event.materialization.metadata.items()}
    return per_database


def test_code_location_loads(stack: Stack) -> None:
    defs = stack.definitions()
    defs.get_repository_def().load_all_definitions()
    assert {job.name for job in defs.get_repository_def().get_all_jobs()} >= {"athena_schemas_job", "athena_tables_job"}


def test_first_sync_lands_every_demo_table_and_a_second_sync_writes_nothing(
    stack: Stack, instance: DagsterInstance
) -> None:
    first = sync_all(stack, instance)
    assert set(first) == {db.name for db in DEMO_DATABASES}
    assert sum(m["created"] for m in first.values()) == len(DEMO_TABLES)
    assert all(m["failed"] == 0 for m in first.values())
    # Each database's materialization links to its schema's page in the OpenMetadata UI.
    assert (
        first["demo_sales"]["openmetadata_url"]
        == f"{stack.client().ui_base_url}/databaseSchema/{SERVICE}.default.demo_sales"
    )

    client = stack.client()
    for spec in DEMO_TABLES:
        table = client.get_by_name(
            "tables", table_fqn(SERVICE, "default", spec.database, spec.name), fields=["columns"]
        )
        assert table is not None, spec.name
        names = [c["name"] for c in table["columns"]]
        assert len(names) == len({n.lower() for n in names}), f"duplicate columns in {spec.name}"

    om_admin = httpx.Client(base_url=stack.client().ui_base_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"})
    om_admin.post("/_sandbox/requests/reset").raise_for_status()
    second = sync_all(stack, instance)
    assert sum(m["unchanged"] for m in second.values()) == len(DEMO_TABLES)
    assert sum(m["created"] + m["updated"] for m in second.values()) == 0
    by_route = om_admin.get("/_sandbox/requests").json()["byRoute"]
    # One listing per schema serves both the skip-unchanged check and the deletion guard; no table is written.
    assert by_route.get("GET /api/v1/tables") == len(DEMO_DATABASES)
    assert "PUT /api/v1/tables" not in by_route


def test_a_partition_without_its_schema_is_reported_not_synced(stack: Stack, instance: DagsterInstance) -> None:
    instance.add_dynamic_partitions(glue_database_partitions.name, ["ghost_db"])
    run = materialize(
        [athena_tables], instance=instance, resources=stack.definitions().resources, partition_key="ghost_db"
    )
    (event,) = run.get_asset_materialization_events()
    metadata = {k: v.value for k, v in event.materialization.metadata.items()}
    assert metadata["failed"] == 1
    assert "'ghost_db'" in metadata["failures"] and "materialize athena_schemas first" in metadata["failures"]
    assert stack.client().get_by_name("databaseSchemas", f"{SERVICE}.default.ghost_db") is None


def test_a_run_over_several_databases_reports_each_partition_on_its_own(stack: Stack) -> None:
    """A single-run backfill: each partition's materialization counts its own tables, not the run's total."""
    from dagster import AssetCheckKey, instance_for_test

    with instance_for_test() as fresh:
        defs = stack.definitions()
        assert materialize([athena_schemas], instance=fresh, resources=defs.resources).success
        databases = fresh.get_dynamic_partitions(glue_database_partitions.name)  # a range follows their order
        run = defs.resolve_job_def("athena_tables_job").execute_in_process(
            instance=fresh,
            tags={
                "dagster/asset_partition_range_start": databases[0],
                "dagster/asset_partition_range_end": databases[-1],
            },
        )
        assert run.success
        events = {
            e.materialization.partition: e.materialization.metadata for e in run.get_asset_materialization_events()
        }
        assert set(events) == set(databases)
        for database in databases:
            expected = {t.name for t in DEMO_TABLES if t.database == database}
            metadata = events[database]
            # The module's earlier tests synced the same lake, so tables are unchanged or updated, never repeated.
            outcomes = sum(metadata[k].value for k in ("created", "updated", "unchanged"))
            assert (outcomes, metadata["glue_tables"].value) == (len(expected), len(expected)), database
            assert metadata["openmetadata_url"].value.endswith(f"/databaseSchema/{SERVICE}.default.{database}")
        (check,) = run.get_asset_check_evaluations()
        assert check.asset_check_key == AssetCheckKey(athena_tables.key, "every_table_written")
        assert check.passed and check.metadata["partitions_checked"].value == len(databases)


def test_the_check_warns_and_lists_a_partition_that_failed(stack: Stack, instance: DagsterInstance) -> None:
    from dagster import AssetCheckSeverity

    from athena_om.defs.metadata.assets import every_table_written

    instance.add_dynamic_partitions(glue_database_partitions.name, ["ghost_db2"])
    run = materialize(
        [athena_tables, every_table_written],
        instance=instance,
        resources=stack.definitions().resources,
        partition_key="ghost_db2",
    )
    assert run.success  # a WARN check does not fail the run
    (check,) = run.get_asset_check_evaluations()
    assert not check.passed and check.severity is AssetCheckSeverity.WARN
    failures = check.metadata["failures"].value
    assert isinstance(failures, str) and "ghost_db2" in failures and "materialize athena_schemas first" in failures
