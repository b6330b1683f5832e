"""Shape SQL results the way Athena's GetQueryResults returns them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from athena_om.sandbox.aws.sql_engine import SqlResult

# Precision Athena reports per type in ResultSetMetadata.ColumnInfo.
_PRECISION = {
    "varchar": 2147483647,
    "tinyint": 3,
    "smallint": 5,
    "integer": 10,
    "bigint": 19,
    "real": 7,
    "double": 17,
    "timestamp": 3,
}


def format_value(value: Any, nested: bool = False) -> str:
    """Render one value as Athena's text form (arrays [a, b], maps/rows {k=v})."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v, True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={format_value(v, True)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return " ".join(f"{b:02x}" for b in value)
    return str(value)


def column_info(result: SqlResult) -> list[dict[str, Any]]:
    """ResultSetMetadata.ColumnInfo for a result, with decimal precision and scale split out."""
    info = []
    for name, type_name in zip(result.column_names, result.athena_type_names, strict=True):
        base, precision, scale = type_name, _PRECISION.get(type_name, 0), 0
        if type_name.startswith("decimal("):
            base = "decimal"
            precision, scale = (int(p) for p in type_name[len("decimal(") : -1].split(","))
        info.append(
            {
                "CatalogName": "hive",
                "SchemaName": "",
                "TableName": "",
                "Name": name,
                "Label": name,
                "Type": base,
                "Precision": precision,
                "Scale": scale,
                "Nullable": "UNKNOWN",
                "CaseSensitive": base == "varchar",
            }
        )
    return info


def result_rows(result: SqlResult, with_header: bool) -> list[dict[str, Any]]:
    """All ResultSet.Rows of a result; SELECTs start with a header row of column names."""
    rows: list[dict[str, Any]] = []
    if with_header and result.column_names:
        rows.append({"Data": [{"VarCharValue": name} for name in result.column_names]})
    for row in result.rows:
        rows.append({"Data": [{} if v is None else {"VarCharValue": format_value(v)} for v in row]})
    return rows


def result_csv(result: SqlResult) -> str:
    """The CSV file Athena writes to the output location (quoted values, header first)."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        return '"' + format_value(value).replace('"', '""') + '"'

    lines = [",".join(f'"{n}"' for n in result.column_names)]
    lines += [",".join(cell(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"
