"""Data-quality wiring: the snapshot, checked assets built from it, the after-change sensor, the schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    AssetKey,
    AssetMaterialization,
    RunRequest,
    SensorResult,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)

from athena_om.defs.quality.assets import check_assets
from athena_om.defs.quality.definitions import quality_check_definitions
from athena_om.defs.quality.schedules import daily_quality_schedule
from athena_om.defs.quality.sensors import data_quality_sensor
from athena_om.defs.quality.snapshot import QualitySnapshot, asset_name, check_name
from athena_om.mapping.quality_sql import QualityTestCase

TABLE = "svc.default.sales.orders"


def _cases() -> list[QualityTestCase]:
    return [
        QualityTestCase(f"{TABLE}.rows", "rows", "tableRowCountToBeBetween", TABLE),
        QualityTestCase(f"{TABLE}.id.not_null", "not_null", "columnValuesToBeNotNull", TABLE, "id"),
        QualityTestCase("svc.default.web.visits.rows", "rows", "tableRowCountToEqual", "svc.default.web.visits"),
    ]


def test_snapshot_round_trips_and_groups_by_glue_database(tmp_path: Path) -> None:
    snapshot = QualitySnapshot.of(_cases())
    snapshot.save(tmp_path / "s.json")
    loaded = QualitySnapshot.load(tmp_path / "s.json")
    assert loaded == snapshot
    assert sorted(loaded.databases) == ["sales", "web"]
    assert QualitySnapshot.load(tmp_path / "missing.json") == QualitySnapshot()
    assert sum(len(c) for c in QualitySnapshot.of(_cases(), max_checks=2).databases.values()) == 2


def test_check_names_are_unique_per_table_and_column() -> None:
    assert check_name(f"{TABLE}.rows", TABLE) == "orders_rows"
    assert check_name(f"{TABLE}.id.not_null", TABLE) == "orders_id_not_null"


def test_each_test_case_is_a_blocking_check_on_its_database_asset() -> None:
    assets = check_assets(QualitySnapshot.of(_cases()))
    by_key = {a.key: a for a in assets}
    sales = by_key[AssetKey(asset_name("sales"))]
    specs = {spec.name: spec for spec in sales.check_specs}
    assert set(specs) == {"orders_rows", "orders_id_not_null"}
    assert all(spec.blocking for spec in specs.values())
    assert quality_check_definitions(QualitySnapshot()).assets in (None, [], ())


def test_sensor_requests_a_run_per_database_written_since_its_cursor() -> None:
    sensor = data_quality_sensor()
    with instance_for_test() as instance:
        context = build_sensor_context(instance=instance)
        assert isinstance(sensor(context), SkipReason)
        instance.report_runless_asset_event(AssetMaterialization(asset_key="athena_tables", partition="sales"))
        instance.report_runless_asset_event(AssetMaterialization(asset_key="athena_table_profiles", partition="web"))
        result = sensor(build_sensor_context(instance=instance))
        assert isinstance(result, SensorResult)
        requests = [r for r in result.run_requests or [] if isinstance(r, RunRequest)]
        assert sorted(r.partition_key or "" for r in requests) == ["sales", "web"]
        again = sensor(build_sensor_context(instance=instance, cursor=result.cursor))
        assert isinstance(again, SkipReason)


def test_checked_sensor_selects_the_database_asset() -> None:
    sensor = data_quality_sensor(["sales"])
    with instance_for_test() as instance:
        instance.report_runless_asset_event(AssetMaterialization(asset_key="athena_tables", partition="sales"))
        result = sensor(build_sensor_context(instance=instance))
        assert isinstance(result, SensorResult)
        (request,) = result.run_requests or []
        assert request.asset_selection == [AssetKey(asset_name("sales"))]


def test_schedule_waits_for_glue_database_partitions() -> None:
    schedule = daily_quality_schedule()
    with instance_for_test() as instance:
        assert isinstance(schedule(build_schedule_context(instance=instance)), SkipReason)
        instance.add_dynamic_partitions("glue_databases", ["sales", "web"])
        when = datetime(2026, 11, 30, 5, tzinfo=UTC)
        request = schedule(build_schedule_context(instance=instance, scheduled_execution_time=when))
        assert isinstance(request, RunRequest)
        assert request.tags["dagster/asset_partition_range_end"] == "web"
        assert request.run_key == "data-quality:2026-11-30"


def test_state_backed_component_builds_checks_from_its_stored_state(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from athena_om.defs.quality.component import AthenaDataQuality

    workflow = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "sandbox.yaml"
    QualitySnapshot.of(_cases()).save(tmp_path / "state.json")
    component = AthenaDataQuality(workflow_file=str(workflow))
    assert component.defs_state_config.key == "AthenaDataQuality"
    context = SimpleNamespace(path=tmp_path)
    defs = component.build_defs_from_state(context, tmp_path / "state.json")  # type: ignore[arg-type]
    keys = {a.key for a in defs.assets or []}  # type: ignore[union-attr]
    assert keys == {AssetKey(asset_name("sales")), AssetKey(asset_name("web"))}
    empty = component.build_defs_from_state(context, None)  # type: ignore[arg-type]
    assert not empty.assets
