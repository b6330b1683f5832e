"""Profile query results -> OpenMetadata's ``CreateTableProfileRequest`` (pure, never raises on odd values).

Metrics the query computes approximately (``approx_distinct``, ``approx_percentile``) are also sent as column
custom metrics named ``<metric> (approximate)``, which OpenMetadata's UI lists by name beside the others.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from athena_om.mapping.profile_sql import QUANTILES, MetricRef
from athena_om.openmetadata.models import (
    ColumnProfile,
    CreateTableProfileRequest,
    CustomMetricProfile,
    Histogram,
    TableData,
    TableProfile,
)

APPROXIMATE_SUFFIX = " (approximate)"


@dataclass(frozen=True)
class ProfileContext:
    """What the profile says about how it was taken, beside the query's numbers."""

    timestamp_ms: int
    column_count: int
    size_in_bytes: int | None = None
    created_at: dt.datetime | None = None
    sample_percent: float | None = None
    sample_rows: int | None = None
    compute_table_metrics: bool = True
    compute_column_metrics: bool = True


@dataclass(frozen=True)
class ExactUniqueness:
    """Exact distinct and unique value counts per column (from the GROUPING SETS query)."""

    distinct: Mapping[str, int] = field(default_factory=dict)
    unique: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MappedProfile:
    request: CreateTableProfileRequest
    # Profiled columns OpenMetadata has no column for (e.g. struct leaves on a server that only takes top-level
    # names): computed, not sent.
    dropped_columns: tuple[str, ...] = ()


def uniqueness_from_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> ExactUniqueness:
    """The uniqueness query's rows (``set_index``, ``distinct_count``, ``unique_count``) by column name."""
    distinct: dict[str, int] = {name: 0 for name in columns}
    unique: dict[str, int] = {name: 0 for name in columns}
    for row in rows:
        index = _as_int(row.get("set_index"))
        if index is None or not 0 <= index < len(columns):
            continue
        distinct[columns[index]] = _as_int(row.get("distinct_count")) or 0
        unique[columns[index]] = _as_int(row.get("unique_count")) or 0
    return ExactUniqueness(distinct, unique)


def _as_int(value: Any) -> int | None:
    number = _as_float(value)
    return None if number is None else int(number)


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _bound(value: Any) -> float | int | str | None:
    """A min/max as OpenMetadata takes it: a number, or ISO text for dates and times."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = _as_float(value)
    if number is not None:
        return number
    return str(value) if value is not None else None


def _quantiles(value: Any) -> dict[float, float]:
    if not isinstance(value, list | tuple) or len(value) != len(QUANTILES):
        return {}
    found = {q: _as_float(v) for q, v in zip(QUANTILES, value, strict=True)}
    return {q: v for q, v in found.items() if v is not None}


def _centroids(value: Any) -> list[tuple[float, float]]:
    """``numeric_histogram``'s map (centroid -> weight; PyAthena gives text keys and values) as sorted pairs."""
    if not isinstance(value, Mapping):
        return []
    pairs = [(_as_float(k), _as_float(v)) for k, v in value.items()]
    return sorted((k, v) for k, v in pairs if k is not None and v is not None and v > 0)


def centroid_histogram(
    low: float | None, high: float | None, centroids: Sequence[tuple[float, float]]
) -> Histogram | None:
    """Bins between ``low`` and ``high`` from ``numeric_histogram`` centroids: each bin spans from the midpoint
    with the previous centroid to the midpoint with the next one, and counts its centroid's weight."""
    if low is None or high is None or not centroids:
        return None
    means = [c for c, _ in centroids]
    edges = [low, *((a + b) / 2 for a, b in itertools.pairwise(means)), high]
    edges = [max(low, min(high, e)) for e in edges]
    boundaries = [f"{start:.3f} to {end:.3f}" for start, end in itertools.pairwise(edges)]
    return Histogram(boundaries=boundaries, frequencies=[round(weight) for _, weight in centroids])


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def column_profile(
    name: str,
    metrics: Mapping[str, Any],
    row_count: float | None,
    timestamp_ms: int,
    exact: ExactUniqueness | None,
) -> ColumnProfile:
    """One column's profile from its metric values (by metric name)."""
    values = _as_float(metrics.get("valuesCount"))
    nulls = _as_float(metrics.get("nullCount"))
    approximate: dict[str, float] = {}
    distinct = _as_float(metrics.get("distinctCount"))
    unique = duplicate = None
    if exact is not None and name in exact.distinct:
        distinct = float(exact.distinct[name])
        unique = float(exact.unique[name])
        duplicate = (values - distinct) if values is not None else None
    elif distinct is not None:
        if values is not None:
            distinct = min(distinct, values)  # HyperLogLog can overshoot by a little
        approximate["distinctCount"] = distinct
    quantiles = _quantiles(metrics.get("quantiles"))
    mean = _as_float(metrics.get("mean"))
    stddev = _as_float(metrics.get("stddev"))
    median, q1, q3 = quantiles.get(0.5), quantiles.get(0.25), quantiles.get(0.75)
    for metric, value in (("median", median), ("firstQuartile", q1), ("thirdQuartile", q3)):
        if value is not None:
            approximate[metric] = value
    low, high = _bound(metrics.get("min")), _bound(metrics.get("max"))
    histogram = None
    centroids = _centroids(metrics.get("histogram"))
    if centroids and isinstance(low, int | float) and isinstance(high, int | float):
        histogram = centroid_histogram(float(low), float(high), centroids)
    skew = (mean - median) / stddev if mean is not None and median is not None and stddev else None
    if "meanCardinality" in metrics and metrics.get("meanCardinality") is not None:
        approximate_free = _as_float(metrics.get("meanCardinality"))
        if approximate_free is not None:
            mean = approximate_free
    custom = [CustomMetricProfile(name=f"{metric}{APPROXIMATE_SUFFIX}", value=v) for metric, v in approximate.items()]
    return ColumnProfile(
        name=name,
        timestamp=timestamp_ms,
        valuesCount=values,
        nullCount=nulls,
        nullProportion=_ratio(nulls, row_count),
        distinctCount=distinct,
        distinctProportion=_ratio(distinct, values),
        uniqueCount=unique,
        uniqueProportion=_ratio(unique, values),
        duplicateCount=duplicate,
        min=low,
        max=high,
        mean=mean,
        sum=_as_float(metrics.get("sum")),
        stddev=stddev,
        median=median,
        firstQuartile=q1,
        thirdQuartile=q3,
        interQuartileRange=(q3 - q1) if q1 is not None and q3 is not None else None,
        nonParametricSkew=skew,
        minLength=_as_float(metrics.get("minLength")),
        maxLength=_as_float(metrics.get("maxLength")),
        histogram=histogram,
        customMetrics=custom or None,
    )


def metrics_by_column(
    row: Mapping[str, Any], metrics: Mapping[str, MetricRef]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The profile query's single row split into table metrics and per-column metrics."""
    table: dict[str, Any] = {}
    columns: dict[str, dict[str, Any]] = {}
    for alias, ref in metrics.items():
        value = row.get(alias)
        if ref.column is None:
            table[ref.metric] = value
        else:
            columns.setdefault(ref.column, {})[ref.metric] = value
    return table, columns


def table_profile_request(
    row: Mapping[str, Any],
    metrics: Mapping[str, MetricRef],
    context: ProfileContext,
    *,
    accepted_columns: frozenset[str] | None = None,
    exact: ExactUniqueness | None = None,
) -> MappedProfile:
    """The request for ``PUT /tables/{id}/tableProfile``; columns OpenMetadata does not hold are left out."""
    table_metrics, by_column = metrics_by_column(row, metrics)
    row_count = _as_float(table_metrics.get("rowCount"))
    created = context.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    sample_type = "ROWS" if context.sample_rows is not None else "PERCENTAGE" if context.sample_percent else None
    sample_size = context.sample_rows if context.sample_rows is not None else context.sample_percent
    table = TableProfile(
        timestamp=context.timestamp_ms,
        rowCount=row_count if context.compute_table_metrics else None,
        columnCount=float(context.column_count) if context.compute_table_metrics else None,
        sizeInByte=float(context.size_in_bytes) if context.size_in_bytes is not None else None,
        createDateTime=created.isoformat() if created else None,
        profileSample=float(sample_size) if sample_type and sample_size is not None else None,
        profileSampleType=sample_type,
    )
    columns: list[ColumnProfile] = []
    dropped: list[str] = []
    if context.compute_column_metrics:
        for name, values in by_column.items():
            if accepted_columns is not None and name not in accepted_columns:
                dropped.append(name)
                continue
            columns.append(column_profile(name, values, row_count, context.timestamp_ms, exact))
    request = CreateTableProfileRequest(tableProfile=table, columnProfile=columns or None)
    return MappedProfile(request, tuple(dropped))


def _json_value(value: Any) -> Any:
    """A sample value as JSON: numbers and text as they are, dates ISO, decimals and binary as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return str(value)


def sample_table_data(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> TableData:
    """Sample rows as OpenMetadata's ``TableData``."""
    return TableData(columns=list(columns), rows=[[_json_value(v) for v in row] for row in rows])
