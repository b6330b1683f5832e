"""Zero-scan facts about a table's data: Glue partitions, the S3 objects under its location, Glue column statistics.

Used before any query is issued, to choose partitions and to estimate what a scan would cost.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DataPartition:
    """One partition: its values in partition-key order, its S3 prefix and (when listed) the bytes under it."""

    values: tuple[str, ...]
    location: str | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    last_modified: dt.datetime | None = None


@dataclass(frozen=True)
class GlueColumnStatistics:
    """One column's statistics from Glue (``GetColumnStatisticsForTable``), whatever its type."""

    name: str
    analyzed_at: dt.datetime | None
    kind: str  # Glue's StatisticsData.Type: LONG, DOUBLE, DECIMAL, STRING, BOOLEAN, DATE, BINARY
    nulls: int | None = None
    distinct: int | None = None
    minimum: float | str | None = None
    maximum: float | str | None = None
    max_length: int | None = None
    mean_length: float | None = None


MAX_STATISTICS_COLUMNS = 100


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix)."""
    rest = uri.split("://", 1)[-1]
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix


def list_s3_objects(s3: Any, uri: str) -> list[S3Object] | None:
    """Every object under ``uri`` with its size; None when S3 cannot be listed (no estimate then)."""
    bucket, prefix = split_s3_uri(uri)
    if not bucket:
        return None
    try:
        found: list[S3Object] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(
                S3Object(item["Key"], int(item.get("Size", 0)), item.get("LastModified"))
                for item in page.get("Contents", [])
            )
        return found
    except (ClientError, BotoCoreError) as exc:
        log.warning("Cannot list %s to estimate its size: %s", uri, exc)
        return None


def read_glue_partitions(glue: Any, database: str, table: str, catalog_id: str | None = None) -> list[DataPartition]:
    """Partitions Glue lists for a table (values and location; sizes come from S3)."""
    kwargs: dict[str, Any] = {"DatabaseName": database, "TableName": table}
    if catalog_id:
        kwargs["CatalogId"] = catalog_id
    found: list[DataPartition] = []
    for page in glue.get_paginator("get_partitions").paginate(**kwargs):
        for item in page.get("Partitions", []):
            location = (item.get("StorageDescriptor") or {}).get("Location")
            found.append(DataPartition(tuple(item.get("Values") or ()), location))
    return found


def partitions_from_objects(
    objects: Sequence[S3Object], bucket_prefix: str, keys: Sequence[str], template: str | None
) -> list[DataPartition]:
    """Partitions present in S3 for a table whose partitions Glue does not list (partition projection).

    Object keys are matched against ``storage.location.template`` (``…/${dt}/${region}/``) when set, else
    against Hive-style ``key=value/`` folders; each distinct value tuple is one partition with its byte total.
    """
    bucket, prefix = split_s3_uri(bucket_prefix)
    if template:
        _, template_prefix = split_s3_uri(template)
        pattern_text, groups = "", 0
        for part in re.split(r"(\$\{[^}]+\})", template_prefix):
            if part.startswith("${") and part.endswith("}"):
                pattern_text += f"(?P<k{groups}>[^/]+)"
                groups += 1
            else:
                pattern_text += re.escape(part)
        names = re.findall(r"\$\{([^}]+)\}", template_prefix)
        pattern = re.compile(pattern_text)
    else:
        names = list(keys)
        folders = "".join(f"{re.escape(k)}=(?P<k{i}>[^/]+)/" for i, k in enumerate(keys))
        pattern = re.compile(re.escape(prefix if prefix.endswith("/") else prefix + "/") + folders)
    if set(names) != set(keys):
        return []
    sizes: dict[tuple[str, ...], int] = {}
    locations: dict[tuple[str, ...], str] = {}
    for obj in objects:
        match = pattern.match(obj.key)
        if not match:
            continue
        by_name = {name: unquote(match.group(f"k{i}")) for i, name in enumerate(names)}
        values = tuple(by_name[k] for k in keys)
        sizes[values] = sizes.get(values, 0) + obj.size
        locations.setdefault(values, f"s3://{bucket}/{match.group(0)}")
    return [DataPartition(v, locations[v], sizes[v]) for v in sorted(sizes)]


def bytes_under(objects: Sequence[S3Object], location: str) -> int:
    """Bytes of the listed objects under ``location``."""
    _, prefix = split_s3_uri(location)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return sum(obj.size for obj in objects if obj.key.startswith(prefix))


def _decimal(value: object) -> float | None:
    """Glue's DecimalNumber (UnscaledValue bytes, big-endian two's complement, and Scale) as a float."""
    if not isinstance(value, dict) or "UnscaledValue" not in value:
        return None
    raw = value["UnscaledValue"]
    unscaled = int.from_bytes(raw, "big", signed=True) if isinstance(raw, bytes | bytearray) else int(raw)
    return unscaled / 10 ** int(value.get("Scale", 0))


def _statistics(item: dict[str, Any]) -> GlueColumnStatistics:
    data = item.get("StatisticsData") or {}
    kind = str(data.get("Type") or "")
    body: dict[str, Any] = next((v for k, v in data.items() if k.endswith("ColumnStatisticsData")), {}) or {}
    minimum: float | str | None = body.get("MinimumValue")
    maximum: float | str | None = body.get("MaximumValue")
    if kind == "DECIMAL":
        minimum, maximum = _decimal(minimum), _decimal(maximum)
    elif kind == "DATE":
        minimum = minimum.date().isoformat() if isinstance(minimum, dt.datetime) else minimum
        maximum = maximum.date().isoformat() if isinstance(maximum, dt.datetime) else maximum
    return GlueColumnStatistics(
        name=str(item.get("ColumnName")),
        analyzed_at=item.get("AnalyzedTime"),
        kind=kind,
        nulls=body.get("NumberOfNulls"),
        distinct=body.get("NumberOfDistinctValues"),
        minimum=minimum,
        maximum=maximum,
        max_length=body.get("MaximumLength"),
        mean_length=body.get("AverageLength"),
    )


def read_glue_column_statistics(
    glue: Any, database: str, table: str, columns: Sequence[str], catalog_id: str | None = None
) -> dict[str, GlueColumnStatistics]:
    """Glue's statistics of the named columns (100 per request), by column name; columns without any, and a
    table Glue cannot answer for, are simply absent (the profile then scans)."""
    found: dict[str, GlueColumnStatistics] = {}
    for start in range(0, len(columns), MAX_STATISTICS_COLUMNS):
        kwargs: dict[str, Any] = {
            "DatabaseName": database,
            "TableName": table,
            "ColumnNames": list(columns[start : start + MAX_STATISTICS_COLUMNS]),
        }
        if catalog_id:
            kwargs["CatalogId"] = catalog_id
        try:
            response = glue.get_column_statistics_for_table(**kwargs)
        except (ClientError, BotoCoreError) as exc:
            log.info("No Glue column statistics for %s.%s: %s", database, table, exc)
            return {}
        for item in response.get("ColumnStatisticsList") or []:
            statistics = _statistics(item)
            found[statistics.name] = statistics
    return found
