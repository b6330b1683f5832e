"""Deterministic rows for the demo lake's tables, consistent with their Glue schemas and partitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from athena_om.sandbox.aws.demo_lake import PARTITION_DATES, REGIONS, TableSpec
from athena_om.sandbox.aws.hive_types import HiveType, parse_hive_type
from athena_om.sandbox.aws.sql_engine import MapValue

ROW_COUNTS = {"products": 20, "campaigns": 8}
DEFAULT_ROWS = 40
CUSTOMERS = 40

_FIRST = ("ana", "ben", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jun")
_LAST = ("silva", "ng", "okafor", "meyer", "rossi", "kim", "haddad", "novak")
_PICKS: dict[str, tuple[str, ...]] = {
    "status": ("placed", "shipped", "delivered", "cancelled"),
    "currency": ("USD", "EUR"),
    "country": ("US", "DE", "FR", "GB", "JP"),
    "channel": ("search", "social", "email", "display"),
    "event_type": ("created", "paid", "shipped", "delivered"),
    "category": ("books", "garden", "toys", "kitchen"),
    "os": ("ios", "android", "windows", "macos"),
    "browser": ("safari", "chrome", "firefox"),
    "city": ("Lisbon", "Berlin", "Osaka", "Austin", "Lyon"),
    "page": ("/", "/cart", "/checkout", "/product"),
    "referrer": ("google", "newsletter", "direct"),
}


def _name(i: int) -> str:
    return f"{_FIRST[i % len(_FIRST)].title()} {_LAST[i % len(_LAST)].title()}"


def _hinted(name: str, i: int) -> Any:
    """Believable values for well-known column names; None when the name has no hint."""
    hints: dict[str, Any] = {
        "order_id": 1000 + i,
        "qty": 1 + i % 5,
        "customer_id": 1 + (i * 7) % CUSTOMERS,
        "sku": f"SKU-{i % 20 + 1:03d}",
        "campaign_id": f"CMP-{i % 8 + 1:02d}",
        "email": f"{_FIRST[i % len(_FIRST)]}.{_LAST[i % len(_LAST)]}{i}@example.com",
        "full_name": _name(i),
        "customer": _name(i),
        "product_name": f"Product {i + 1}",
        "street": f"{10 + i} Market Street",
        "ip": f"10.0.{i % 7}.{i + 1}",
        "user_agent": "Mozilla/5.0 (sandbox)",
        "event_id": f"evt-{i:05d}",
        "session_id": f"sess-{i:05d}",
        "click_id": f"clk-{i:05d}",
        "payload": '{"source": "shop-api", "version": 2}',
    }
    if name in hints:
        return hints[name]
    if name in _PICKS:
        return _PICKS[name][i % len(_PICKS[name])]
    return None


def _decimal(type_: HiveType, i: int) -> Decimal:
    precision, scale = (int(a) for a in type_.args) if type_.args else (10, 0)
    whole = (i * 137 + 11) % (10 ** min(precision - scale, 4))
    fraction = Decimal((i * 29) % (10**scale)) / (10**scale) if scale else Decimal(0)
    return (Decimal(whole) + fraction).quantize(Decimal(1).scaleb(-scale))


def value_for(name: str, type_: HiveType, i: int, day: dt.date) -> Any:
    """A deterministic value of `type_` for row `i` of a column called `name`."""
    if type_.name == "array":
        return [value_for(name, type_.children[0], i + k, day) for k in range(1 + i % 3)]
    if type_.name == "map":
        return MapValue({f"k{k}": value_for(name, type_.children[1], i + k, day) for k in range(1 + i % 2)})
    if type_.name == "struct":
        return {
            field: value_for(field, child, i, day)
            for field, child in zip(type_.field_names, type_.children, strict=True)
        }
    hinted = _hinted(name, i)
    if hinted is not None and type_.name in ("string", "varchar", "char"):
        return str(hinted)
    if hinted is not None and type_.name in ("int", "integer", "bigint") and isinstance(hinted, int):
        return hinted
    scalar: dict[str, Any] = {
        "int": (i * 3) % 24 if name == "hour" else (i * 13) % 97 + 1,
        "integer": (i * 13) % 97 + 1,
        "tinyint": i % 100,
        "smallint": i % 1000,
        "bigint": 100_000 + i * 1_001,
        "double": 38.7 + (i % 10) * 1.25 if name == "lat" else -9.1 + (i % 10) * 2.5,
        "float": round(i * 0.5, 1),
        "boolean": i % 3 != 0,
        "date": dt.date(2025, 1, 1) + dt.timedelta(days=i * 3),
        "timestamp": dt.datetime.combine(day, dt.time(hour=(i * 5) % 24, minute=(i * 17) % 60)),
        "string": f"{name}-{i}",
        "varchar": f"{name}-{i}",
        "char": f"{name[:1]}{i % 10}",
    }
    if type_.name == "decimal":
        return _decimal(type_, i)
    return scalar.get(type_.name, f"{name}-{i}")


def _partition_values(spec: TableSpec, i: int, row: dict[str, Any]) -> tuple[Any, ...]:
    if spec.partitions:
        return spec.partitions[i % len(spec.partitions)]
    values: list[Any] = []
    for key in spec.partition_keys:
        if key.name == "dt":
            values.append(PARTITION_DATES[i % len(PARTITION_DATES)])
        elif key.name == "region":
            values.append(REGIONS[i % len(REGIONS)])
        elif key.name == "bucket":
            values.append(int(row.get("order_id", i)) % 16)
        elif key.name == "hour":
            values.append((i * 7) % 24)
        else:
            values.append(_hinted(key.name, i) or f"{key.name}-{i % 4}")
    return tuple(values)


def demo_rows(spec: TableSpec) -> list[tuple[Any, ...]]:
    """Rows for a demo table: current columns then partition keys, in Glue order."""
    count = ROW_COUNTS.get(spec.name, DEFAULT_ROWS)
    columns = [(c.name, parse_hive_type(c.type)) for c in spec.current_columns()]
    rows = []
    for i in range(count):
        row = {"order_id": 1000 + i}
        partition = _partition_values(spec, i, row)
        keys = [k.name for k in spec.partition_keys]
        day = dt.date.fromisoformat(partition[keys.index("dt")]) if "dt" in keys else dt.date(2025, 6, 1)
        values = [value_for(name, type_, i, day) for name, type_ in columns]
        typed_partition = [
            int(v) if k.type == "int" else v for k, v in zip(spec.partition_keys, partition, strict=True)
        ]
        rows.append((*values, *typed_partition))
    return rows
