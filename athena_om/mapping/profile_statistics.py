"""Profiles from zero-scan sources (pure): Glue column statistics and an Iceberg ``$files`` row count.

Like OpenMetadata's ``useStatistics``: when Glue's statistics cover every profiled column and are newer than the
data, the profile is taken from them and no data is scanned. They give counts, distinct values, min/max and
string lengths; quartiles and histograms need a scan and are left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from athena_om.athena.table_data import GlueColumnStatistics
from athena_om.mapping.profiles import APPROXIMATE_SUFFIX, ProfileContext
from athena_om.openmetadata.models import ColumnProfile, CreateTableProfileRequest, CustomMetricProfile, TableProfile


def statistics_are_fresh(statistics: Mapping[str, GlueColumnStatistics], newest_data: dt.datetime | None) -> bool:
    """Every column's statistics were analyzed after the newest data object was written."""
    if newest_data is None or not statistics:
        return False
    times = [s.analyzed_at for s in statistics.values()]
    if any(t is None for t in times):
        return False
    return all(_utc(t) >= _utc(newest_data) for t in times if t is not None)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _ratio(part: float | None, whole: float | None) -> float | None:
    return part / whole if part is not None and whole else None


def column_profile_from_statistics(
    name: str, statistics: GlueColumnStatistics, row_count: int | None, timestamp_ms: int
) -> ColumnProfile:
    nulls = float(statistics.nulls) if statistics.nulls is not None else None
    values = float(row_count) - nulls if row_count is not None and nulls is not None else None
    distinct = float(statistics.distinct) if statistics.distinct is not None else None
    if distinct is not None and values is not None:
        distinct = min(distinct, values)
    numeric = statistics.kind in ("LONG", "DOUBLE", "DECIMAL")
    low = statistics.minimum if numeric or statistics.kind == "DATE" else None
    high = statistics.maximum if numeric or statistics.kind == "DATE" else None
    custom = [CustomMetricProfile(name=f"distinctCount{APPROXIMATE_SUFFIX}", value=distinct)] if distinct else None
    return ColumnProfile(
        name=name,
        timestamp=timestamp_ms,
        valuesCount=values,
        nullCount=nulls,
        nullProportion=_ratio(nulls, row_count),
        distinctCount=distinct,
        distinctProportion=_ratio(distinct, values),
        min=low,
        max=high,
        maxLength=float(statistics.max_length) if statistics.max_length is not None else None,
        customMetrics=custom,
    )


def statistics_profile_request(
    statistics: Mapping[str, GlueColumnStatistics],
    row_count: int | None,
    context: ProfileContext,
    *,
    accepted_columns: frozenset[str] | None = None,
) -> CreateTableProfileRequest:
    """The table profile from Glue statistics (by lower-case column name) and a row count, with no scan."""
    created = context.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    table = TableProfile(
        timestamp=context.timestamp_ms,
        rowCount=float(row_count) if row_count is not None and context.compute_table_metrics else None,
        columnCount=float(context.column_count) if context.compute_table_metrics else None,
        sizeInByte=float(context.size_in_bytes) if context.size_in_bytes is not None else None,
        createDateTime=created.isoformat() if created else None,
    )
    columns = []
    if context.compute_column_metrics:
        for name in sorted(accepted_columns or ()):
            found = statistics.get(name.lower())
            if found is not None:
                columns.append(column_profile_from_statistics(name, found, row_count, context.timestamp_ms))
    return CreateTableProfileRequest(tableProfile=table, columnProfile=columns or None)
