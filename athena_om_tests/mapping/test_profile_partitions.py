"""Partition choice for profiles: newest by default, last N days, OpenMetadata's partitioning, injected keys."""

from __future__ import annotations

from athena_om.athena.table_data import DataPartition, S3Object, partitions_from_objects
from athena_om.mapping.profile_partitions import choose_partitions, injected_keys

KEYS = [("dt", "string"), ("region", "string")]
PARTS = [DataPartition((f"2025-06-0{d}", r), size_bytes=100) for d in range(1, 8) for r in ("eu", "us")]


def test_the_newest_day_is_chosen_across_every_other_key() -> None:
    choice = choose_partitions("db.t", KEYS, PARTS)
    assert choice.predicate is not None
    assert choice.predicate.sql("athena") == '"__athena_om_t"."dt" = \'2025-06-07\''
    assert {p.values for p in choice.partitions} == {("2025-06-07", "eu"), ("2025-06-07", "us")}


def test_last_days_window_and_all() -> None:
    choice = choose_partitions("db.t", KEYS, PARTS, mode="lastDays", last_days=3)
    assert choice.predicate is not None and choice.predicate.sql("athena").endswith(">= '2025-06-05'")
    assert len(choice.partitions) == 6
    every = choose_partitions("db.t", KEYS, PARTS, mode="all")
    assert every.predicate is None and len(every.partitions) == 14


def test_numeric_keys_sort_as_numbers() -> None:
    parts = [DataPartition((str(b),)) for b in (2, 10, 9)]
    choice = choose_partitions("db.t", [("bucket", "int")], parts)
    assert choice.predicate is not None and choice.predicate.sql("athena") == '"__athena_om_t"."bucket" = 10'


def test_injected_projection_says_exactly_what_to_configure() -> None:
    parameters = {"projection.enabled": "true", "projection.campaign_id.type": "injected"}
    injected = injected_keys(parameters, ["campaign_id", "hour"])
    choice = choose_partitions("db.ad_clicks", [("campaign_id", "string"), ("hour", "int")], [], injected=injected)
    assert choice.error is not None
    assert "athenaOm.profiler.partitionFilters" in choice.error and '"db.ad_clicks"' in choice.error
    assert "campaign_id = '<value>'" in choice.error
    configured = choose_partitions(
        "db.ad_clicks", [("campaign_id", "string")], [], injected=injected, configured_filter="campaign_id = 'x'"
    )
    assert configured.error is None and configured.predicate is not None


def test_a_bad_configured_filter_is_a_readable_error() -> None:
    choice = choose_partitions("db.t", KEYS, PARTS, configured_filter="dt = = '")
    assert choice.error is not None and "partitionFilters['db.t']" in choice.error


def test_openmetadata_partitioning_values_win_over_the_default() -> None:
    config = {"enablePartitioning": True, "partitionColumnName": "region", "partitionIntervalType": "COLUMN-VALUE",
              "partitionValues": ["eu"]}  # fmt: skip
    choice = choose_partitions("db.t", KEYS, PARTS, om_partitioning=config)
    assert choice.predicate is not None and choice.predicate.sql("athena") == '"__athena_om_t"."region" IN (\'eu\')'
    assert len(choice.partitions) == 7


def test_projected_partitions_are_read_from_s3_folders_with_their_sizes() -> None:
    objects = [
        S3Object("t/2025-06-01/us/a.parquet", 10),
        S3Object("t/2025-06-01/us/b.parquet", 5),
        S3Object("t/2025-06-02/eu/a.parquet", 7),
        S3Object("t/_SUCCESS", 1),
    ]
    found = partitions_from_objects(objects, "s3://b/t/", ["dt", "region"], "s3://b/t/${dt}/${region}/")
    assert [(p.values, p.size_bytes) for p in found] == [(("2025-06-01", "us"), 15), (("2025-06-02", "eu"), 7)]
    hive = partitions_from_objects([S3Object("t/dt=2025-06-03/x", 3)], "s3://b/t", ["dt"], None)
    assert [(p.values, p.size_bytes) for p in hive] == [(("2025-06-03",), 3)]
