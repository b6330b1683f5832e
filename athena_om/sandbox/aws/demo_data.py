"""Deterministic rows for the demo lake's tables, consistent with their Glue schemas and partitions.

Each table's rows are one DuckDB SELECT over range(n): tens of thousands of rows are generated in milliseconds,
and the same SELECT is what tests read back when they compute expected values in Python.
"""

from __future__ import annotations

from typing import Any

import duckdb

from athena_om.sandbox.aws.demo_lake import PARTITION_DATES, REGIONS, TableSpec
from athena_om.sandbox.aws.hive_types import HiveType, parse_hive_type

# Rows per table: a few tables hold tens of thousands so profiles mean something; the rest stay small.
ROW_COUNTS = {
    "orders": 20_000,
    "order_items_flat": 30_000,
    "web_sessions": 20_000,
    "raw_orders_json": 10_000,
    "ad_clicks": 10_000,
    "order_events": 5_000,
    "customers": 2_000,
    "raw_customers_csv": 2_000,
    "products": 20,
    "campaigns": 8,
}
DEFAULT_ROWS = 40
CUSTOMERS = ROW_COUNTS["customers"]
# Columns left NULL on every n-th row (row i with i % n == n - 1), so null counts in profiles are not all zero.
NULL_EVERY = {"total_amount": 97, "shipping_address": 53, "email": 89, "page_views": 31, "cost": 41, "payload": 23}

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
_DEFAULT_DAY = "DATE '2025-06-01'"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pick(values: tuple[str, ...], i: str) -> str:
    return f"[{', '.join(_literal(v) for v in values)}][({i}) % {len(values)} + 1]"


def _name_sql(i: str) -> str:
    first = f"[{', '.join(_literal(f.title()) for f in _FIRST)}][({i}) % {len(_FIRST)} + 1]"
    last = f"[{', '.join(_literal(n.title()) for n in _LAST)}][({i}) % {len(_LAST)} + 1]"
    return f"({first} || ' ' || {last})"


def _hint_sql(name: str, i: str) -> str | None:
    """SQL for a believable value of a well-known column name; None when the name has no hint."""
    hints = {
        "order_id": f"(1000 + {i})",
        "qty": f"(1 + ({i}) % 5)",
        "customer_id": f"(1 + (({i}) * 7) % {CUSTOMERS})",
        "sku": f"format('SKU-{{:03d}}', ({i}) % 20 + 1)",
        "campaign_id": f"format('CMP-{{:02d}}', ({i}) % 8 + 1)",
        "email": (
            f"([{', '.join(_literal(f) for f in _FIRST)}][({i}) % {len(_FIRST)} + 1] || '.' || "
            f"[{', '.join(_literal(n) for n in _LAST)}][({i}) % {len(_LAST)} + 1] || ({i}) || '@example.com')"
        ),
        "full_name": _name_sql(i),
        "customer": _name_sql(i),
        "product_name": f"('Product ' || (({i}) + 1))",
        "street": f"((10 + {i}) || ' Market Street')",
        "ip": f"('10.0.' || (({i}) % 7) || '.' || (({i}) + 1))",
        "user_agent": "'Mozilla/5.0 (sandbox)'",
        "event_id": f"format('evt-{{:05d}}', {i})",
        "session_id": f"format('sess-{{:05d}}', {i})",
        "click_id": f"format('clk-{{:05d}}', {i})",
        "payload": '\'{"source": "shop-api", "version": 2}\'',
    }
    if name in hints:
        return hints[name]
    if name in _PICKS:
        return _pick(_PICKS[name], i)
    return None


_INT_HINTS = {"order_id", "qty", "customer_id"}


def _decimal_sql(type_: HiveType, i: str) -> str:
    precision, scale = (int(a) for a in type_.args) if type_.args else (10, 0)
    whole = f"((({i}) * 137 + 11) % {10 ** min(precision - scale, 4)})"
    if not scale:
        return f"CAST({whole} AS DECIMAL({precision},0))"
    fraction = f"lpad(CAST((({i}) * 29) % {10**scale} AS VARCHAR), {scale}, '0')"
    return f"CAST(CAST({whole} AS VARCHAR) || '.' || {fraction} AS DECIMAL({precision},{scale}))"


def value_sql(name: str, type_: HiveType, i: str, day: str, depth: int = 0) -> str:
    """A DuckDB expression giving the deterministic value of column `name` of `type_` for row expression `i`."""
    k = f"k{depth}"
    if type_.name == "array":
        item = value_sql(name, type_.children[0], f"{i} + {k}", day, depth + 1)
        return f"list_transform(range(1 + ({i}) % 3), lambda {k}: {item})"
    if type_.name == "map":
        value = value_sql(name, type_.children[1], f"{i} + {k}", day, depth + 1)
        entry = f"{{'key': 'k' || {k}, 'value': {value}}}"
        return f"map_from_entries(list_transform(range(1 + ({i}) % 2), lambda {k}: {entry}))"
    if type_.name == "struct":
        fields = ", ".join(
            f'"{field}" := {value_sql(field, child, i, day, depth)}'
            for field, child in zip(type_.field_names, type_.children, strict=True)
        )
        return f"struct_pack({fields})"
    hinted = _hint_sql(name, i)
    if hinted is not None and type_.name in ("string", "varchar", "char"):
        return f"CAST({hinted} AS VARCHAR)"
    if hinted is not None and type_.name in ("int", "integer", "bigint") and name in _INT_HINTS:
        return f"CAST({hinted} AS {type_.to_duckdb()})"
    if type_.name == "decimal":
        return _decimal_sql(type_, i)
    scalars = {
        "int": f"(({i}) * 3) % 24" if name == "hour" else f"(({i}) * 13) % 97 + 1",
        "integer": f"(({i}) * 13) % 97 + 1",
        "tinyint": f"({i}) % 100",
        "smallint": f"({i}) % 1000",
        "bigint": f"100000 + ({i}) * 1001",
        "double": f"38.7 + (({i}) % 10) * 1.25" if name == "lat" else f"-9.1 + (({i}) % 10) * 2.5",
        "float": f"round((({i}) % 1000) * 0.5, 1)",
        "boolean": f"({i}) % 3 <> 0",
        "date": f"DATE '2025-01-01' + CAST((({i}) * 3) % 3650 AS INTEGER)",
        "timestamp": f"CAST({day} AS TIMESTAMP) + to_hours((({i}) * 5) % 24) + to_minutes((({i}) * 17) % 60)",
        "string": f"'{name}-' || ({i})",
        "varchar": f"'{name}-' || ({i})",
        "char": f"'{name[:1]}' || (({i}) % 10)",
    }
    expression = scalars.get(type_.name, f"'{name}-' || ({i})")
    return f"CAST({expression} AS {type_.to_duckdb()})"


def _partition_sql(spec: TableSpec) -> list[str]:
    """One SQL expression per partition key, in Glue order."""
    if spec.partitions:
        return [
            _pick(tuple(values[index] for values in spec.partitions), "i")
            for index, _ in enumerate(spec.partition_keys)
        ]
    expressions = []
    for key in spec.partition_keys:
        if key.name == "dt":
            expressions.append(_pick(PARTITION_DATES, "i"))
        elif key.name == "region":
            expressions.append(_pick(REGIONS, "i"))
        elif key.name == "bucket":
            expressions.append("CAST((1000 + i) % 16 AS INTEGER)")
        elif key.name == "hour":
            expressions.append("CAST((i * 7) % 24 AS INTEGER)")
        else:
            expressions.append(_hint_sql(key.name, "i") or f"'{key.name}-' || (i % 4)")
    return expressions


def row_count(spec: TableSpec) -> int:
    """How many rows the demo lake holds for this table."""
    return ROW_COUNTS.get(spec.name, DEFAULT_ROWS)


def demo_select_sql(spec: TableSpec, with_row_number: bool = False) -> str:
    """A DuckDB SELECT of the table's rows: current columns then partition keys, in Glue order."""
    keys = [k.name for k in spec.partition_keys]
    partitions = _partition_sql(spec)
    day = f"CAST({partitions[keys.index('dt')]} AS DATE)" if "dt" in keys else _DEFAULT_DAY
    selected = []
    for column in spec.current_columns():
        value = value_sql(column.name, parse_hive_type(column.type), "i", day)
        every = NULL_EVERY.get(column.name)
        if every is not None:
            value = f"CASE WHEN i % {every} = {every - 1} THEN NULL ELSE {value} END"
        selected.append(f'{value} AS "{column.name}"')
    for key, expression in zip(spec.partition_keys, partitions, strict=True):
        selected.append(f'CAST({expression} AS {parse_hive_type(key.type).to_duckdb()}) AS "{key.name}"')
    if with_row_number:
        selected.append("i AS __row")
    return f"SELECT {', '.join(selected)} FROM range({row_count(spec)}) AS r(i)"


def demo_rows(spec: TableSpec) -> list[tuple[Any, ...]]:
    """Rows for a demo table as Python values: current columns then partition keys, in Glue order."""
    connection = duckdb.connect()
    try:
        return connection.execute(demo_select_sql(spec) + " ORDER BY i").fetchall()
    finally:
        connection.close()
