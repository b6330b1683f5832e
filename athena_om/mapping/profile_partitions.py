"""Which partitions a profile reads (pure): the newest by default, the last N days, all, or a configured filter.

The partition list comes from Glue, or, for partition projection, from the S3 folders present. A projected key of
type ``injected`` cannot be enumerated by Athena: a query needs an equality predicate on it, so such a table is
profiled only with a configured filter, and the message says exactly which setting to add.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlglot import exp

from athena_om.athena.table_data import DataPartition
from athena_om.mapping.profile_sql import (
    PartitionFilterError,
    key_at_least,
    key_in,
    parse_partition_filter,
    partition_predicate,
)

PartitionMode = Literal["newest", "lastDays", "all"]
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")


@dataclass(frozen=True)
class PartitionChoice:
    """The predicate a profile adds, the partitions it reads (for sizing) and what to tell the user."""

    predicate: exp.Expr | None = None
    partitions: tuple[DataPartition, ...] = ()
    description: str = "whole table"
    error: str | None = None


def injected_keys(parameters: Mapping[str, str], keys: Sequence[str]) -> list[str]:
    """Partition keys projected as ``injected`` (Athena needs an equality predicate on each)."""
    if parameters.get("projection.enabled", "").lower() != "true":
        return []
    return [k for k in keys if parameters.get(f"projection.{k}.type", "").lower() == "injected"]


def _as_date(value: str) -> dt.date | None:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _time_key(keys: Sequence[tuple[str, str]], partitions: Sequence[DataPartition]) -> int:
    """The key whose values are dates (the first such), else the first key."""
    for index in range(len(keys)):
        if partitions and all(_as_date(p.values[index]) for p in partitions):
            return index
    return 0


def _sort_value(value: str) -> tuple[int, Any]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def choose_partitions(
    table_name: str,
    keys: Sequence[tuple[str, str]],
    partitions: Sequence[DataPartition],
    *,
    mode: PartitionMode = "newest",
    last_days: int = 1,
    configured_filter: str | None = None,
    injected: Sequence[str] = (),
    om_partitioning: Mapping[str, Any] | None = None,
) -> PartitionChoice:
    """The partitions to profile for a table partitioned on ``keys`` ((name, Athena type) pairs)."""
    if configured_filter:
        try:
            predicate = parse_partition_filter(configured_filter)
        except PartitionFilterError as error:
            return PartitionChoice(
                error=f"athenaOm.profiler.partitionFilters[{table_name!r}] {error}; write it as an Athena "
                "predicate, e.g. \"dt = '2025-06-07'\""
            )
        return PartitionChoice(predicate, tuple(partitions), f"filter {configured_filter}")
    if injected:
        example = " AND ".join(f"{k} = '<value>'" for k in injected)
        return PartitionChoice(
            error=f"partition projection key(s) {', '.join(injected)} are of type `injected`: Athena only queries "
            f"this table with an equality predicate on them (OpenMetadata issue 14765). Add "
            f'athenaOm.profiler.partitionFilters: {{"{table_name}": "{example}"}} to the workflow file'
        )
    if not keys:
        return PartitionChoice()
    if om_partitioning and om_partitioning.get("enablePartitioning"):
        chosen = _from_openmetadata(keys, partitions, om_partitioning)
        if chosen is not None:
            return chosen
    if not partitions:
        return PartitionChoice(description="no partitions found: whole table")
    if mode == "all":
        return PartitionChoice(None, tuple(partitions), f"all {len(partitions)} partitions")
    index = _time_key(keys, partitions)
    name, type_ = keys[index]
    newest = max((p.values[index] for p in partitions), key=_sort_value)
    if mode == "lastDays" and _as_date(newest):
        newest_date = _as_date(newest) or dt.date.min
        lowest_date = newest_date - dt.timedelta(days=last_days - 1)
        in_window = [p for p in partitions if (d := _as_date(p.values[index])) is not None and d >= lowest_date]
        lowest = min((p.values[index] for p in in_window), key=_sort_value)
        return PartitionChoice(
            key_at_least(name, type_, lowest), tuple(in_window), f"{name} >= {lowest} (last {last_days} days)"
        )
    newest_only = [p for p in partitions if p.values[index] == newest]
    newest_predicate = partition_predicate([(newest,)], [keys[index]])
    return PartitionChoice(newest_predicate, tuple(newest_only), f"newest partition {name}={newest}")


def _from_openmetadata(
    keys: Sequence[tuple[str, str]], partitions: Sequence[DataPartition], config: Mapping[str, Any]
) -> PartitionChoice | None:
    """OpenMetadata's per-table ``tableProfilerConfig.partitioning`` on a partition key."""
    name = config.get("partitionColumnName")
    by_name = {k: (i, t) for i, (k, t) in enumerate(keys)}
    if name not in by_name:
        return None
    index, type_ = by_name[name]
    interval_type = str(config.get("partitionIntervalType") or "")
    values = [str(v) for v in config.get("partitionValues") or []]
    if interval_type in ("COLUMN-VALUE", "VALUE") and values:
        chosen = tuple(p for p in partitions if p.values[index] in values)
        return PartitionChoice(key_in(name, type_, values), chosen, f"{name} in {values} (OpenMetadata)")
    interval = int(config.get("partitionInterval") or 1)
    unit = str(config.get("partitionIntervalUnit") or "DAY")
    dated = [p for p in partitions if _as_date(p.values[index])]
    if interval_type in ("TIME-UNIT", "INGESTION-TIME") and unit == "DAY" and dated:
        newest = max(_as_date(p.values[index]) for p in dated)  # type: ignore[type-var]
        lowest_date = newest - dt.timedelta(days=interval - 1)  # type: ignore[operator]
        chosen = tuple(p for p in dated if _as_date(p.values[index]) >= lowest_date)  # type: ignore[operator]
        lowest = min((p.values[index] for p in chosen), key=_sort_value)
        return PartitionChoice(
            key_at_least(name, type_, lowest), chosen, f"{name} >= {lowest} (OpenMetadata: last {interval} days)"
        )
    return None
