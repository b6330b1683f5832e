"""Hostile catalogs and faults, end to end through Dagster: awkward names, a broken type, an empty and a forbidden
database, Glue throttling, OpenMetadata 429/503, deletions and the deletion guard, and secrets kept out of logs.

Every test reads the outcome back from OpenMetadata and from the materialization (or failure) Dagster recorded.
Tests run in file order and share one stack; each uses its own Glue database where state would otherwise leak.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from dagster import DagsterInstance, materialize, serialize_value

from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.mapping.fqn import decode_entity_name, schema_fqn, split_fqn, table_fqn
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.sandbox.aws import AwsSandbox, seed_demo_lake
from athena_om.sandbox.aws.demo_lake import ColumnSpec, TableSpec
from athena_om.sandbox.aws.glue_tables import table_input
from athena_om.sandbox.aws.hostile import AWKWARD_TABLE_NAMES, BROKEN_TYPE, CATALOG_VIEW_SQL, HostileCases
from athena_om.sandbox.aws.seed import seed_hostile_tables
from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer
from athena_om_tests.e2e.conftest import DEMO_NOW, EXAMPLE

pytestmark = pytest.mark.slow

SERVICE = "athena_sandbox"
# Distinctive secrets written literally into the workflow file: none may show up anywhere in Dagster's records.
AWS_SECRET = "hostileAwsSecret+9f3c1e7b2d4a6f8e0c1b3d5f7a9e2c4b"
JWT_SECRET = "eyJhbGciOiJIUzI1NiJ9.hostile-jwt-7d2e9a4c1b8f.c2lnbmF0dXJlLW5vdC1yZWFs"
CHURN_DATABASE = "hostile_churn"  # ten tables: drop one, then too many, then all
FAULTS_DATABASE = "hostile_faults"  # written while OpenMetadata answers 429/503
THROTTLED_DATABASE = "hostile_throttled"  # read while Glue throttles
# Fourteen double quotes encode to 267 characters: longer than OpenMetadata's 256, so this table cannot land.
UNMAPPABLE_TABLE = '"' * 14 + "x"
HOSTILE_RUNS: dict[str, TablesRun] = {}


@dataclass
class HostileStack:
    aws: AwsSandbox
    om: OpenMetadataSandboxServer
    config_path: Path
    cases: HostileCases
    run_ids: list[str] = field(default_factory=list)

    def client(self) -> OpenMetadataClient:
        return OpenMetadataClient(self.om.api_url, JWT_SECRET)

    def definitions(self) -> Any:
        from athena_om.definitions import build_definitions

        return build_definitions(str(self.config_path))


@dataclass
class TablesRun:
    success: bool
    metadata: dict[str, Any]
    failure: str


def add_database(aws: AwsSandbox, database: str, tables: int) -> None:
    aws.glue.create_database(database, {"Name": database, "Description": f"{database} for hostile tests"})
    columns = (ColumnSpec("id", "bigint"), ColumnSpec("value", "string"))
    for index in range(tables):
        spec = TableSpec(database, f"t{index:02d}", columns, "parquet", f"table {index}", "data-platform")
        aws.glue.create_table(database, spec.name, table_input(spec))


def hostile_workflow(path: Path, api_url: str) -> Path:
    document = yaml.safe_load(EXAMPLE.read_text())
    document["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = api_url
    document["workflowConfig"]["openMetadataServerConfig"]["securityConfig"]["jwtToken"] = JWT_SECRET
    aws_config = document["source"]["serviceConnection"]["config"]["awsConfig"]
    aws_config["awsAccessKeyId"] = "AKIAHOSTILETESTKEY01"
    aws_config["awsSecretAccessKey"] = AWS_SECRET
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileStack]:
    root = tmp_path_factory.mktemp("hostile")
    aws = AwsSandbox()
    seed_demo_lake(aws, now=DEMO_NOW)
    cases = seed_hostile_tables(aws)
    spec = TableSpec(cases.database, UNMAPPABLE_TABLE, (ColumnSpec("id", "bigint"),), "parquet", "too long", "x")
    aws.glue.create_table(cases.database, UNMAPPABLE_TABLE, table_input(spec))
    add_database(aws, CHURN_DATABASE, 10)
    add_database(aws, FAULTS_DATABASE, 40)
    add_database(aws, THROTTLED_DATABASE, 5)
    aws.start()
    om = OpenMetadataSandboxServer(root / "openmetadata", jwt_token=JWT_SECRET)
    om.start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in aws.environment().items():
            patch.setenv(key, value)
        # The workflow's own values win; make sure no sandbox default could stand in for them.
        patch.delenv("AWS_SECRET_ACCESS_KEY")
        patch.delenv("AWS_ACCESS_KEY_ID")
        patch.delenv("OPENMETADATA_JWT_TOKEN", raising=False)
        yield HostileStack(aws, om, hostile_workflow(root / "workflow.yaml", om.api_url), cases)
    om.stop()
    aws.stop()


def sync_schemas(stack: HostileStack, instance: DagsterInstance) -> None:
    result = materialize([athena_schemas], instance=instance, resources=stack.definitions().resources)
    stack.run_ids.append(result.run_id)
    assert result.success


def sync_tables(stack: HostileStack, instance: DagsterInstance, database: str) -> TablesRun:
    result = materialize(
        [athena_tables],
        instance=instance,
        resources=stack.definitions().resources,
        partition_key=database,
        raise_on_error=False,
    )
    stack.run_ids.append(result.run_id)
    events = result.get_asset_materialization_events()
    metadata = {k: v.value for k, v in events[0].materialization.metadata.items()} if events else {}
    failure = ""
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        failure += (data.error.message if data.error else "") + (
            data.user_failure_data.description or "" if data.user_failure_data else ""
        )
    return TablesRun(result.success, metadata, failure)


def tables_in_openmetadata(stack: HostileStack, database: str, include: str = "non-deleted") -> list[dict[str, Any]]:
    with stack.client() as client:
        return list(
            client.list_all(
                "tables",
                params={"databaseSchema": schema_fqn(SERVICE, "default", database), "include": include},
            )
        )


def test_schemas_sync_registers_every_database_including_empty_and_forbidden(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    sync_schemas(stack, instance)
    with stack.client() as client:
        for database in (stack.cases.database, stack.cases.empty_database, stack.cases.forbidden_database):
            assert client.get_by_name("databaseSchemas", schema_fqn(SERVICE, "default", database)) is not None


def test_every_awkward_table_lands_with_a_decodable_fqn(stack: HostileStack, instance: DagsterInstance) -> None:
    run = sync_tables(stack, instance, stack.cases.database)
    HOSTILE_RUNS["tables"] = run
    assert run.success, run.failure
    # The one table OpenMetadata cannot hold is a per-table failure naming it; the rest all land.
    assert run.metadata["failed"] == 1
    assert f"cannot map Glue table {stack.cases.database}.{UNMAPPABLE_TABLE}" in run.metadata["failures"]
    assert run.metadata["created"] == len(stack.cases.table_names)
    with stack.client() as client:
        for name in stack.cases.table_names:
            fqn = table_fqn(SERVICE, "default", stack.cases.database, name)
            table = client.get_by_name("tables", fqn, fields=["columns"])
            assert table is not None, f"{name!r} not found at {fqn!r}"
            assert table["fullyQualifiedName"] == fqn
            parts = split_fqn(table["fullyQualifiedName"])
            assert parts[:3] == [SERVICE, "default", stack.cases.database]
            assert decode_entity_name(parts[3]) == name
    assert {decode_entity_name(t["name"]) for t in tables_in_openmetadata(stack, stack.cases.database)} == set(
        stack.cases.table_names
    )
    assert set(AWKWARD_TABLE_NAMES) <= set(stack.cases.table_names)


def test_the_broken_type_lands_as_unknown_with_its_text_and_a_warning(stack: HostileStack) -> None:
    fqn = table_fqn(SERVICE, "default", stack.cases.database, stack.cases.broken_type_table)
    with stack.client() as client:
        table = client.get_by_name("tables", fqn, fields=["columns"])
    assert table is not None
    payload = next(c for c in table["columns"] if c["name"] == "payload")
    assert payload["dataType"] == "UNKNOWN"
    assert payload["dataTypeDisplay"] == BROKEN_TYPE
    assert [c["dataType"] for c in table["columns"] if c["name"] == "id"] == ["BIGINT"]
    # The warning is on the materialization that created it, naming the table, column and type.
    warnings = HOSTILE_RUNS["tables"].metadata["warnings"]
    assert f"{stack.cases.database}.{stack.cases.broken_type_table}: column 'payload'" in warnings
    assert f"cannot parse type '{BROKEN_TYPE}'" in warnings and "UNKNOWN" in warnings


def test_catalog_shapes_naive_mappings_lose_land_faithfully(stack: HostileStack) -> None:
    def table(name: str) -> dict[str, Any]:
        fqn = table_fqn(SERVICE, "default", stack.cases.database, name)
        with stack.client() as client:
            entity = client.get_by_name("tables", fqn, fields=["columns", "tablePartition", "schemaDefinition"])
        assert entity is not None, f"{name} did not land"
        return entity

    # An empty struct is a STRUCT with no children, not a reason to lose the table.
    meta = table(stack.cases.empty_struct_table)["columns"][1]
    assert (meta["name"], meta["dataType"], meta.get("children")) == ("meta", "STRUCT", [])
    # The partition key wins over the data column of the same name, so the table stays partitioned.
    twin = table(stack.cases.partition_twin_table)
    assert [(c["name"], c["dataType"]) for c in twin["columns"]] == [("id", "BIGINT"), ("dt", "DATE")]
    assert [p["columnName"] for p in twin["tablePartition"]["columns"]] == ["dt"]
    warnings = HOSTILE_RUNS["tables"].metadata["warnings"]
    assert f"{stack.cases.database}.{stack.cases.partition_twin_table}: column 'DT' is also a partition key" in warnings
    # A Glue Data Catalog view (SQL only in ViewDefinition, no TableType) is a view with its Athena SQL.
    view = table(stack.cases.catalog_view)
    assert (view["tableType"], view["schemaDefinition"]) == ("View", CATALOG_VIEW_SQL)


def test_an_awkward_table_that_stops_mapping_is_reported_and_not_deleted(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    # Its columns vanish in Glue, so it cannot be mapped any more; it still exists, so it must stay in OpenMetadata.
    name = 'quote"d'
    stack.aws.glue.delete_table(stack.cases.database, name)
    spec = TableSpec(stack.cases.database, name, (), "parquet", "columns lost", "data-platform")
    stack.aws.glue.create_table(stack.cases.database, name, table_input(spec))
    run = sync_tables(stack, instance, stack.cases.database)
    assert run.success, run.failure
    assert run.metadata["deleted"] == 0
    assert f"cannot map Glue table {stack.cases.database}.{name}: it has no columns" in run.metadata["failures"]
    live = {decode_entity_name(t["name"]) for t in tables_in_openmetadata(stack, stack.cases.database)}
    assert live == set(stack.cases.table_names)


def test_the_empty_database_syncs_with_zero_tables(stack: HostileStack, instance: DagsterInstance) -> None:
    run = sync_tables(stack, instance, stack.cases.empty_database)
    assert run.success, run.failure
    assert run.metadata["glue_tables"] == 0
    assert run.metadata["failed"] == 0
    assert tables_in_openmetadata(stack, stack.cases.empty_database) == []


def test_the_forbidden_database_is_reported_and_nothing_of_it_is_deleted(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    forbidden = stack.cases.forbidden_database
    # Nothing of it in OpenMetadata yet: the run reports the database and what to grant, and goes on.
    first = sync_tables(stack, instance, forbidden)
    assert first.success, first.failure
    assert first.metadata["failed"] == 1
    assert f"grant glue:GetTables on database '{forbidden}'" in first.metadata["failures"]
    assert "AccessDenied" in first.metadata["failures"]
    # Then readable, so OpenMetadata holds its table; then access is taken away.
    stack.aws.allow_access_to_database(forbidden)
    assert sync_tables(stack, instance, forbidden).success
    assert [t["name"] for t in tables_in_openmetadata(stack, forbidden)] == ["secrets"]
    stack.aws.deny_access_to_database(forbidden)

    run = sync_tables(stack, instance, forbidden)
    assert not run.success
    assert forbidden in run.failure
    assert "listing did not complete" in run.failure
    # The refusal itself says what to grant, not only the warning logs.
    assert f"grant glue:GetTables on database '{forbidden}'" in run.failure
    logs = " ".join(serialize_value(e) for e in instance.all_logs(stack.run_ids[-1]))
    assert f"grant glue:GetTables on database '{forbidden}'" in logs
    assert [t["name"] for t in tables_in_openmetadata(stack, forbidden)] == ["secrets"]


def test_glue_throttling_is_retried_and_the_sync_completes(stack: HostileStack, instance: DagsterInstance) -> None:
    stack.aws.reset_request_counts()
    stack.aws.throttle("glue:GetTables", 3)
    run = sync_tables(stack, instance, THROTTLED_DATABASE)
    assert run.success, run.failure
    assert run.metadata["failed"] == 0
    assert len(tables_in_openmetadata(stack, THROTTLED_DATABASE)) == 5
    # Three throttled answers, then the one that listed the tables.
    assert stack.aws.request_counts()["glue:GetTables"] == 4


def test_openmetadata_429_and_503_during_a_sync_end_complete_without_duplicates(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    faults = {
        "retry_after_seconds": 0,
        # An explicit schedule, not a random rate: the same requests fail on every run, however threads interleave.
        "fail_next": [
            {"path_prefix": "/api/v1/tables", "method": "PUT", "count": 3, "status": 429},
            {"path_prefix": "/api/v1/tables", "method": "PUT", "count": 2, "status": 503},
            {"path_prefix": "/api/v1/tables", "method": "GET", "count": 1, "status": 503},
            {"path_prefix": "/api/v1/tables", "method": "PUT", "skip": 10, "count": 2, "status": 503},
            {"path_prefix": "/api/v1/tables", "method": "PUT", "skip": 20, "count": 2, "status": 429},
        ],
    }
    headers = {"Authorization": f"Bearer {JWT_SECRET}"}
    base = stack.om.base_url
    httpx.post(f"{base}/_sandbox/faults", json=faults, headers=headers, timeout=10).raise_for_status()
    try:
        run = sync_tables(stack, instance, FAULTS_DATABASE)
    finally:
        httpx.post(f"{base}/_sandbox/faults", json={}, headers=headers, timeout=10).raise_for_status()
    assert run.success, run.failure
    assert run.metadata["failed"] == 0
    assert run.metadata["created"] == 40
    names = [t["name"] for t in tables_in_openmetadata(stack, FAULTS_DATABASE, include="all")]
    assert sorted(names) == [f"t{i:02d}" for i in range(40)]
    again = sync_tables(stack, instance, FAULTS_DATABASE)
    assert again.success and again.metadata["unchanged"] == 40 and again.metadata["created"] == 0


def test_a_table_dropped_from_glue_is_soft_deleted_on_the_next_sync(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    assert sync_tables(stack, instance, CHURN_DATABASE).success
    assert len(tables_in_openmetadata(stack, CHURN_DATABASE)) == 10
    stack.aws.glue.delete_table(CHURN_DATABASE, "t00")
    run = sync_tables(stack, instance, CHURN_DATABASE)
    assert run.success, run.failure
    assert run.metadata["deleted"] == 1
    assert table_fqn(SERVICE, "default", CHURN_DATABASE, "t00") in run.metadata["soft_deleted"]
    live = {t["name"] for t in tables_in_openmetadata(stack, CHURN_DATABASE)}
    assert live == {f"t{i:02d}" for i in range(1, 10)}
    deleted = [t for t in tables_in_openmetadata(stack, CHURN_DATABASE, include="deleted")]
    assert [t["name"] for t in deleted] == ["t00"] and deleted[0]["deleted"] is True


def test_dropping_more_than_a_fifth_of_a_database_fails_the_run_and_deletes_nothing(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    for name in ("t01", "t02", "t03"):  # 3 of the 9 left: 33%
        stack.aws.glue.delete_table(CHURN_DATABASE, name)
    run = sync_tables(stack, instance, CHURN_DATABASE)
    assert not run.success
    assert "3 of 9 tables" in run.failure and "nothing was deleted" in run.failure
    assert "maxDeletedShare" in run.failure
    assert len(tables_in_openmetadata(stack, CHURN_DATABASE)) == 9


def test_an_empty_listing_while_openmetadata_holds_tables_is_refused(
    stack: HostileStack, instance: DagsterInstance
) -> None:
    for index in range(4, 10):
        stack.aws.glue.delete_table(CHURN_DATABASE, f"t{index:02d}")
    run = sync_tables(stack, instance, CHURN_DATABASE)
    assert not run.success
    assert "came back empty" in run.failure and "28928" in run.failure
    assert len(tables_in_openmetadata(stack, CHURN_DATABASE)) == 9


def test_secrets_never_reach_dagster_logs_metadata_or_errors(stack: HostileStack, instance: DagsterInstance) -> None:
    assert stack.run_ids, "runs above must have happened"
    text = "\n".join(serialize_value(e) for run_id in stack.run_ids for e in instance.all_logs(run_id))
    assert text, "no Dagster events recorded"
    for secret in (AWS_SECRET, JWT_SECRET):
        assert secret not in text
        assert secret[8:-8] not in text  # nor a fragment of it
    # Nor in the resources' representation shown in the UI.
    assert AWS_SECRET not in repr(stack.definitions().resources)
    assert JWT_SECRET not in repr(stack.definitions().resources)
