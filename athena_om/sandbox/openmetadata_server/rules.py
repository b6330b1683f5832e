"""Server-side rules a real OpenMetadata enforces beyond the JSON schema, each failing with a 400 naming the field.

The sandbox is stricter than OpenMetadata in a few places on purpose (types needing lengths, timestamps in
milliseconds) so that mistakes the real server would store silently, or reject later, show up in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from athena_om.openmetadata.models import Column, TablePartition
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


def _location(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validate_body(model: type[ModelT], body: Any) -> ModelT:
    """Validate a JSON body against a request model; errors become one 400 listing each field path."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = [f"{_location(item['loc'])} {item['msg']}" for item in error.errors()]
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


def check_columns(columns: Sequence[Column], path: str = "columns") -> None:
    """Names, case-insensitive uniqueness at each nesting level, and the type details each data type needs."""
    seen: dict[str, str] = {}
    for index, column in enumerate(columns):
        where = f"{path}[{index}]"
        check_name(column.name, f"{where}.name")
        key = column.name.lower()
        if key in seen:
            raise bad_request(f"[{where}.name duplicate column name {column.name!r} (already {seen[key]!r})]")
        seen[key] = column.name
        data_type = str(column.dataType)
        if data_type in TYPES_NEEDING_LENGTH and column.dataLength is None:
            raise bad_request(f"[{where}.dataLength is required for dataType {data_type}]")
        if data_type == "ARRAY" and column.arrayDataType is None:
            raise bad_request(f"[{where}.arrayDataType is required for dataType ARRAY]")
        if data_type == "STRUCT" and not column.children:
            raise bad_request(f"[{where}.children are required for dataType STRUCT]")
        if column.children:
            check_columns(column.children, f"{where}.children")


def check_partition(partition: TablePartition | None, columns: Sequence[Column]) -> None:
    """Every partition column must be one of the table's top-level columns."""
    if partition is None:
        return
    names = {column.name for column in columns}
    for index, detail in enumerate(partition.columns):
        if detail.columnName not in names:
            raise bad_request(
                f"[tablePartition.columns[{index}].columnName {detail.columnName!r} is not a column of the table]"
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
