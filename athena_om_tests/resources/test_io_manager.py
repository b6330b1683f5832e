"""The OpenMetadata IO manager: it writes what an asset returns, partition by partition, keeps payloads for the
assets downstream (on disk or in S3) and fails the step for a refused deletion only after everything else landed.

OpenMetadata is the in-memory fake behind httpx.MockTransport; S3 is moto's. (No ``from __future__ import
annotations`` here: Dagster reads the assets' ``context`` annotation at definition time.)"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetMaterialization,
    BackfillPolicy,
    ExecuteInProcessResult,
    StaticPartitionsDefinition,
    asset,
    materialize,
)
from moto import mock_aws

from athena_om.openmetadata.batches import PartitionedSync, PutEntities, SoftDeleteMissing, SyncBatch
from athena_om.openmetadata.client import OpenMetadataClient
from athena_om.openmetadata.models import Column, CreateTableRequest, DataType
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataIOManager, OpenMetadataResource
from athena_om.resources.payloads import LocalPayloadStore, S3PayloadStore
from athena_om_tests.openmetadata.fake_openmetadata import API, FakeOpenMetadata

DATABASES = ["hr", "ops", "sales"]
partitions = StaticPartitionsDefinition(DATABASES)
ALL_DATABASES = {
    "dagster/asset_partition_range_start": DATABASES[0],
    "dagster/asset_partition_range_end": DATABASES[-1],
}
BUCKET = "athena-om-payloads"


@pytest.fixture
def om(monkeypatch: pytest.MonkeyPatch) -> FakeOpenMetadata:
    fake = FakeOpenMetadata()
    client = fake.client()

    def fake_client(self: OpenMetadataResource) -> OpenMetadataClient:
        return client

    monkeypatch.setattr(OpenMetadataResource, "get_client", fake_client)
    return fake


def io_manager(tmp_path: Path, payload_storage: str = "") -> OpenMetadataIOManager:
    return OpenMetadataIOManager(
        openmetadata=OpenMetadataResource(host_port=API),
        aws=AthenaResource(region_name="us-east-1"),
        base_dir=str(tmp_path / "payloads"),
        payload_storage=payload_storage,
    )


def schema(database: str) -> str:
    return f"athena.awsdatacatalog.{database}"


def put_tables(database: str, *names: str) -> PutEntities:
    columns = [Column(name="id", dataType=DataType.BIGINT)]
    return PutEntities(
        "tables",
        [CreateTableRequest(name=n, databaseSchema=schema(database), columns=columns) for n in names],
        skip_unchanged_under=("databaseSchema", schema(database)),
    )


def run(tmp_path: Path, *assets: Any, payload_storage: str = "", **kwargs: Any) -> ExecuteInProcessResult:
    resources = {"openmetadata_io_manager": io_manager(tmp_path, payload_storage)}
    return materialize(list(assets), resources=resources, raise_on_error=False, **kwargs)


def by_partition(result: ExecuteInProcessResult, node: str) -> dict[str | None, AssetMaterialization]:
    return {m.partition: m for m in result.asset_materializations_for_node(node)}


def values(materialization: AssetMaterialization) -> dict[str, Any]:
    return {k: v.value for k, v in materialization.metadata.items()}


def failure_message(result: ExecuteInProcessResult) -> str:
    (failure,) = result.get_step_failure_events()
    data = failure.step_failure_data
    return (data.user_failure_data.description or "") if data.user_failure_data else str(data.error)


# -- one SyncBatch ------------------------------------------------------------------------------------------


@asset(io_manager_key="openmetadata_io_manager")
def sales_tables() -> SyncBatch:
    return SyncBatch(
        operations=[put_tables("sales", "orders", "customers")],
        warnings=["1 table skipped: bad type"],
        metadata={"aws_requests": 4},
        payloads={None: {"orders": 12}},
        openmetadata_page="/databaseSchema/athena.awsdatacatalog.sales",
    )


HANDED: list[object] = []  # what sales_usage was handed


@asset(io_manager_key="openmetadata_io_manager", ins={"tables": AssetIn("sales_tables")})
def sales_usage(tables: dict[str, int] | None) -> None:
    HANDED.append(tables)


def test_a_batch_is_written_and_its_metadata_added(om: FakeOpenMetadata, tmp_path: Path) -> None:
    result = run(tmp_path, sales_tables)

    assert result.success
    assert om.names("tables", schema("sales")) == ["customers", "orders"]
    metadata = values(by_partition(result, "sales_tables")[None])
    assert (metadata["created"], metadata["failed"], metadata["deleted"]) == (2, 0, 0)
    assert metadata["aws_requests"] == 4
    assert metadata["openmetadata_url"] == "http://om.test/databaseSchema/athena.awsdatacatalog.sales"
    assert "`athena.awsdatacatalog.sales.orders`" in metadata["written"]
    assert "bad type" in metadata["warnings"]
    assert LocalPayloadStore(tmp_path / "payloads").get(("sales_tables", "all")) == {"orders": 12}


def test_an_unpartitioned_input_is_the_payload_itself(om: FakeOpenMetadata, tmp_path: Path) -> None:
    HANDED.clear()
    assert run(tmp_path, sales_tables, sales_usage).success
    assert HANDED == [{"orders": 12}]


# -- a PartitionedSync ---------------------------------------------------------------------------------------

TABLES = {"hr": ["people"], "ops": ["alerts", "hosts"], "sales": ["orders", "customers", "returns"]}


class Planner:
    """Plans one database's batch and records how many OpenMetadata calls had been made when it was asked; the
    downstream asset records the payloads it was handed."""

    def __init__(self, om: FakeOpenMetadata, failing: str | None = None, refusing: str | None = None) -> None:
        self.om, self.failing, self.refusing = om, failing, refusing
        self.asked: list[tuple[str, int]] = []
        self.loaded: list[str] = []  # what the downstream asset was handed

    def __call__(self, database: str) -> SyncBatch:
        self.asked.append((database, len(self.om.calls)))
        if database == self.failing:
            raise RuntimeError(f"Glue database {database!r} vanished")
        batch = SyncBatch(
            operations=[put_tables(database, *TABLES[database])],
            metadata={"database": database, "tables_listed": len(TABLES[database])},
            payloads={database: f"query log of {database}"},
        )
        if database == self.refusing:  # the listing came back empty while OpenMetadata holds tables
            batch.add(SoftDeleteMissing("tables", "databaseSchema", schema(database), frozenset(), True, 0.2))
        return batch


def partitioned_assets(planner: Planner) -> list[Any]:
    @asset(
        io_manager_key="openmetadata_io_manager",
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
    )
    def athena_tables(context: AssetExecutionContext) -> PartitionedSync:
        shared = SyncBatch(warnings=["Lake Formation tags unreadable"], metadata={"aws_requests": 7})
        return PartitionedSync(partition_keys=list(context.partition_keys), plan=planner, shared=shared)

    @asset(
        io_manager_key="openmetadata_io_manager",
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
        ins={"tables": AssetIn("athena_tables")},
    )
    def query_log(tables: list[str]) -> None:
        planner.loaded = tables

    return [athena_tables, query_log]


def test_partitions_are_planned_and_written_one_by_one_with_their_own_metadata(
    om: FakeOpenMetadata, tmp_path: Path
) -> None:
    planner = Planner(om)
    result = run(tmp_path, *partitioned_assets(planner)[:1], tags=ALL_DATABASES)

    assert result.success
    # Each database was planned only after the one before it had been written.
    asked = dict(planner.asked)
    assert list(asked) == DATABASES
    assert asked["hr"] < asked["ops"] < asked["sales"]
    assert asked["ops"] - asked["hr"] >= len(TABLES["hr"]) and asked["sales"] - asked["ops"] >= len(TABLES["ops"])
    materialized = by_partition(result, "athena_tables")
    assert set(materialized) == set(DATABASES)
    for database in DATABASES:
        metadata = values(materialized[database])
        assert metadata["created"] == len(TABLES[database]) and metadata["database"] == database
        assert metadata["tables_listed"] == len(TABLES[database])
        assert "Lake Formation tags unreadable" in metadata["run_warnings"]
        assert om.names("tables", schema(database)) == sorted(TABLES[database])
    # The run's total appears once, on the last partition.
    assert [d for d in DATABASES if "run_total" in materialized[d].metadata] == ["sales"]
    total = values(materialized["sales"])["run_total"]
    assert (total["created"], total["partitions"], total["aws_requests"]) == (6, 3, 7)


def test_a_partition_whose_planning_fails_is_reported_and_the_others_land(om: FakeOpenMetadata, tmp_path: Path) -> None:
    result = run(tmp_path, *partitioned_assets(Planner(om, failing="ops"))[:1], tags=ALL_DATABASES)

    assert result.success
    materialized = by_partition(result, "athena_tables")
    ops = values(materialized["ops"])
    assert ops["failed"] == 1 and ops["created"] == 0
    assert "ops: could not be planned: RuntimeError: Glue database 'ops' vanished" in ops["failures"]
    assert om.names("tables", schema("ops")) == []
    assert om.names("tables", schema("hr")) == ["people"] and len(om.names("tables", schema("sales"))) == 3
    assert values(materialized["sales"])["run_total"]["failed"] == 1


def test_load_input_returns_one_payload_per_partition(om: FakeOpenMetadata, tmp_path: Path) -> None:
    planner = Planner(om)
    assets = partitioned_assets(planner)
    assert run(tmp_path, *assets[:1], tags=ALL_DATABASES).success
    store = LocalPayloadStore(tmp_path / "payloads")
    assert store.get(("athena_tables", "ops")) == "query log of ops"

    every = run(tmp_path, *assets, selection=[assets[1]], tags=ALL_DATABASES)
    # One payload per partition, in the order Dagster lists the input's partitions (a set: no fixed order).
    assert every.success and sorted(planner.loaded) == [f"query log of {d}" for d in DATABASES]


# -- refused deletions ----------------------------------------------------------------------------------------


def test_a_refused_deletion_fails_the_step_after_the_rest_was_written(om: FakeOpenMetadata, tmp_path: Path) -> None:
    om.seed("tables", schema("sales"), "orders", "old_orders")

    @asset(io_manager_key="openmetadata_io_manager")
    def sales_tables() -> SyncBatch:
        return SyncBatch(
            operations=[
                SoftDeleteMissing("tables", "databaseSchema", schema("sales"), frozenset(), True, 0.2),
                put_tables("sales", "orders", "customers"),
            ],
            payloads={None: "kept"},
        )

    result = run(tmp_path, sales_tables)

    assert not result.success
    message = failure_message(result)
    assert "Refused to mark tables deleted" in message and schema("sales") in message
    assert om.names("tables", schema("sales")) == ["customers", "old_orders", "orders"] and om.deletes() == []
    assert LocalPayloadStore(tmp_path / "payloads").get(("sales_tables", "all")) == "kept"


def test_a_refused_partition_fails_the_step_once_every_partition_was_written(
    om: FakeOpenMetadata, tmp_path: Path
) -> None:
    om.seed("tables", schema("hr"), "people", "contractors")
    planner = Planner(om, refusing="hr")
    result = run(tmp_path, *partitioned_assets(planner)[:1], tags=ALL_DATABASES)

    assert not result.success
    assert [d for d, _ in planner.asked] == DATABASES  # the refusal in the first partition stopped nothing
    assert om.names("tables", schema("sales")) == ["customers", "orders", "returns"] and om.deletes() == []
    message = failure_message(result)
    assert "Refused to mark tables deleted" in message and schema("hr") in message


# -- payload stores -------------------------------------------------------------------------------------------


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_payloads_round_trip_through_s3(om: FakeOpenMetadata, tmp_path: Path, s3: Any) -> None:
    planner = Planner(om)
    storage = f"s3://{BUCKET}/team/athena-om/"
    # Upstream writes its payloads and downstream reads them back, in one run (one S3 client, one model load).
    assert run(tmp_path, *partitioned_assets(planner), payload_storage=storage, tags=ALL_DATABASES).success

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == [f"team/athena-om/athena_tables/{d}.pickle" for d in DATABASES]
    assert not (tmp_path / "payloads").exists()  # nothing went to local disk
    assert sorted(planner.loaded) == [f"query log of {d}" for d in DATABASES]


def test_the_s3_store_answers_none_for_a_missing_payload_and_refuses_a_bad_uri(s3: Any) -> None:
    store = S3PayloadStore(s3, f"s3://{BUCKET}")
    store.put(("asset", "2026-03-09"), {"rows": [1, 2]})
    assert store.get(("asset", "2026-03-09")) == {"rows": [1, 2]}
    assert store.get(("asset", "2026-03-10")) is None
    assert s3.list_objects_v2(Bucket=BUCKET)["Contents"][0]["Key"] == "asset/2026-03-09.pickle"
    with pytest.raises(ValueError, match=r"athenaOm\.payloadStorage"):
        S3PayloadStore(s3, f"/{BUCKET}/prefix")


def test_the_local_store_round_trips_and_answers_none_for_a_missing_payload(tmp_path: Path) -> None:
    store = LocalPayloadStore(tmp_path)
    store.put(("a", "b", "x" * 300), [1])
    assert store.get(("a", "b", "x" * 300)) == [1]
    assert store.get(("a", "b", "y")) is None
    assert (tmp_path / "a" / "b" / f"{'x' * 150}.pickle").exists()  # long partition keys are capped
