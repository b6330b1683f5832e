"""Server-side rules a real OpenMetadata enforces beyond the JSON schema, each failing with a 400 naming the field.

The sandbox is stricter than OpenMetadata in a few places on purpose (types needing lengths, timestamps in
milliseconds) so that mistakes the real server would store silently, or reject later, show up in tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from athena_om.sandbox.openmetadata_server.errors import bad_request

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_NAME_LENGTH = 256
# OpenMetadata clients replace these with __reserved__colon__ and friends before sending a name.
RESERVED_SEQUENCES = {
    "::": "__reserved__colon__",
    ">": "__reserved__arrow__",
    '"': "__reserved__quote__",
    "\n": "__reserved__newline__",
    "\t": "__reserved__tab__",
}
TYPES_NEEDING_LENGTH = frozenset({"VARCHAR", "CHAR", "BINARY", "VARBINARY"})
MIN_TIMESTAMP_MS = 10**12
MAX_TIMESTAMP_MS = 10**14


# A body checked against a union (a service connection has one member per database type) fails once per member.
MAX_PROBLEMS = 10
# pydantic names a union member after its validator: ``function-after[parse_name(), AthenaConnection]``.
_UNION_MEMBER = re.compile(r"^function-\w+\[.*?, (\w+)\]$")


def _location(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, str):
            member = _UNION_MEMBER.match(part)
            part = f"<{member.group(1)}>" if member else part
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _relevant(errors: list[Any]) -> list[Any]:
    """Leave out the union members whose ``type`` differs from the body's: they were never what it meant."""
    mismatched = {
        tuple(item["loc"][:-1])
        for item in errors
        if item["loc"] and item["loc"][-1] == "type" and item["type"] in ("enum", "literal_error")
    }
    kept = [item for item in errors if not any(tuple(item["loc"][: len(prefix)]) == prefix for prefix in mismatched)]
    return kept or errors


def validate_body(model: type[ModelT], body: Any) -> ModelT:
    """Validate a JSON body against a request model; errors become one 400 listing each field path."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [f"{_location(item['loc'])} {item['msg']}" for item in _relevant(error.errors())]
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS} more"]
        raise bad_request("[" + ", ".join(problems) + "]") from None


def check_name(name: str, field: str = "name") -> None:
    """Entity and column names: not empty, at most 256 characters, no raw reserved sequences."""
    if not name or not name.strip():
        raise bad_request(f"[{field} must not be empty]")
    if len(name) > MAX_NAME_LENGTH:
        raise bad_request(f"[{field} size must be between 1 and {MAX_NAME_LENGTH}]")
    for sequence, replacement in RESERVED_SEQUENCES.items():
        if sequence in name:
            raise bad_request(
                f"[{field} {name!r} contains the reserved sequence {sequence!r}; encode it as {replacement}]"
            )


def check_columns(columns: Sequence[dict[str, Any]], path: str = "columns") -> None:
    """Names, case-insensitive uniqueness at each nesting level, and the type details each data type needs."""
    seen: dict[str, str] = {}
    for index, column in enumerate(columns):
        where = f"{path}[{index}]"
        name = column["name"]
        check_name(name, f"{where}.name")
        key = name.lower()
        if key in seen:
            raise bad_request(f"[{where}.name duplicate column name {name!r} (already {seen[key]!r})]")
        seen[key] = name
        data_type = column["dataType"]
        if data_type in TYPES_NEEDING_LENGTH and column.get("dataLength") is None:
            raise bad_request(f"[{where}.dataLength is required for dataType {data_type}]")
        if data_type == "ARRAY" and column.get("arrayDataType") is None:
            raise bad_request(f"[{where}.arrayDataType is required for dataType ARRAY]")
        # OpenMetadata (DatabaseUtil.validateStructColumn) refuses a struct without children, but an empty list
        # is a struct<> with no fields, which it stores.
        if data_type == "STRUCT" and column.get("children") is None:
            raise bad_request(f"[{where}.children are required for dataType STRUCT]")
        if column.get("children"):
            check_columns(column["children"], f"{where}.children")


def check_partition(partition: dict[str, Any] | None, columns: Sequence[dict[str, Any]]) -> None:
    """Every partition column must be one of the table's top-level columns."""
    if partition is None:
        return
    names = {column["name"] for column in columns}
    for index, detail in enumerate(partition.get("columns") or []):
        name = detail.get("columnName")
        if name not in names:
            raise bad_request(f"[tablePartition.columns[{index}].columnName {name!r} is not a column of the table]")


def check_table_constraints(constraints: Sequence[dict[str, Any]] | None, columns: Sequence[dict[str, Any]]) -> None:
    """Every column a table constraint names must be one of the table's columns (TableRepository's check)."""
    names = {column["name"] for column in columns}
    for index, constraint in enumerate(constraints or []):
        for column in constraint.get("columns") or []:
            if column not in names:
                raise bad_request(
                    f"[tableConstraints[{index}].columns {column!r} is not a column of the table:"
                    " Invalid column name found in table constraint]"
                )


def check_timestamp_ms(value: int | None, field: str) -> None:
    """OpenMetadata timestamps are epoch milliseconds; seconds or microseconds are rejected."""
    if value is None:
        return
    if not MIN_TIMESTAMP_MS <= value <= MAX_TIMESTAMP_MS:
        raise bad_request(
            f"[{field} {value} is not a timestamp in epoch milliseconds"
            f" (expected between {MIN_TIMESTAMP_MS} and {MAX_TIMESTAMP_MS})]"
        )


def check_iso_date(value: str, field: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"[{field} {value!r} is not a date in YYYY-MM-DD format]") from None
