"""How a Glue table's storage settings map to what the sandbox reads: pure functions, no server."""

from __future__ import annotations

import pytest

from athena_om.sandbox.aws.glue_tables import STORAGE_FORMATS
from athena_om.sandbox.aws.lake_tables import CsvOptions, LakeFile, csv_options, data_format_of, partition_folder
from athena_om.sandbox.aws.sql_engine import system_sample


def _table(storage: str, **parameters: str) -> dict:
    _, input_format, _, serde, serde_params = STORAGE_FORMATS[storage]
    return {
        "Parameters": parameters,
        "StorageDescriptor": {
            "InputFormat": input_format,
            "SerdeInfo": {"SerializationLibrary": serde, "Parameters": dict(serde_params)},
        },
    }


@pytest.mark.parametrize(
    ("storage", "expected"),
    [("parquet", "parquet"), ("orc", "orc"), ("json", "json"), ("csv", "csv"), ("opencsv", "csv")],
)
def test_data_format_follows_the_serde(storage: str, expected: str) -> None:
    assert data_format_of(_table(storage)) == expected


def test_iceberg_tables_read_their_write_format() -> None:
    assert data_format_of(_table("iceberg", table_type="ICEBERG")) == "parquet"


def test_csv_options_of_each_serde() -> None:
    lazy = _table("csv", **{"skip.header.line.count": "1"})
    lazy["StorageDescriptor"]["SerdeInfo"]["Parameters"]["field.delim"] = "\t"
    assert csv_options(lazy) == CsvOptions(delimiter="\t", skip_header=1)
    assert csv_options(_table("opencsv")) == CsvOptions(",", '"', "\\", 0, "")


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, "dt=2025-06-01/hour=7/"),
        ({"projection.enabled": "true", "projection.hour.digits": "2"}, "dt=2025-06-01/hour=07/"),
        (
            {"projection.enabled": "true", "storage.location.template": "s3://b/t/${dt}/h${hour}/"},
            "2025-06-01/h7/",
        ),
    ],
)
def test_partition_folder(parameters: dict[str, str], expected: str) -> None:
    assert partition_folder(["dt", "hour"], ["2025-06-01", "7"], parameters, "s3://b/t/") == expected


def test_system_sample_is_a_stable_spread_share_of_the_files() -> None:
    files = [LakeFile("b", f"t/part-{i:02d}", "e", 10) for i in range(20)]
    assert [f.key for f in system_sample(files, 10)] == ["t/part-00", "t/part-10"]
    assert system_sample(files, 1) == files[:1]
    assert system_sample(files, 0) == [] and system_sample(files, 100) == files
