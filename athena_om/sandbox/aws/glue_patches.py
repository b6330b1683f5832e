"""Glue patches: NextToken/MaxResults pagination, injected AccessDenied per database, and the multi-dialect view flag.

Listing pages are written as JSON directly: moto's model-driven serializer spends ~80 ms on a page of 100
30-column tables, which made the sandbox, not the client, the bottleneck of a 10,000-table sync.
"""

from __future__ import annotations

import calendar
import json
from datetime import datetime
from typing import Any

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.glue.exceptions import InvalidInputException
from moto.glue.responses import GlueResponse

from athena_om.sandbox.aws.hooks import HOOKS, paginate

# AWS caps GetTables and GetDatabases at 100 per page; GetPartitions pages are bounded by size, ~1000.
TABLES_PAGE_MAX = 100
DATABASES_PAGE_MAX = 100
PARTITIONS_PAGE_MAX = 1000


class GlueAccessDenied(JsonRESTError):
    """AccessDeniedException as Glue returns it when Lake Formation or IAM denies a database."""

    code = 400

    def __init__(self, database: str, operation: str) -> None:
        super().__init__(
            "AccessDeniedException",
            f"Insufficient Lake Formation permission(s) on {database} (operation {operation})",
        )


def _check_access(database: str | None, operation: str) -> None:
    if database is not None and database in HOOKS.denied_databases:
        raise GlueAccessDenied(database, operation)


def _page(response: GlueResponse, items: list, default: int, maximum: int) -> tuple[list, str | None]:  # type: ignore[type-arg]
    try:
        return paginate(
            items, response.parameters.get("NextToken"), response.parameters.get("MaxResults"), default, maximum
        )
    except ValueError as error:
        raise InvalidInputException("GetTables", str(error)) from error


def _without_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nones(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nones(item) for item in value]
    return value


def _epoch_seconds(value: object) -> float:
    # As moto's serializer writes Glue timestamps: a naive datetime is UTC, millisecond precision.
    if not isinstance(value, datetime):
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return calendar.timegm(value.utctimetuple()) + (value.microsecond // 1000) / 1000.0


def _json_page(result: dict[str, object]) -> str:
    return json.dumps(_without_nones(result), default=_epoch_seconds)


def _table_dict(table: Any) -> dict[str, Any]:
    """A table as Glue answers it: moto keeps ``ViewDefinition`` as given, but Glue also flags such a view."""
    data: dict[str, Any] = table.as_dict()
    if data.get("ViewDefinition"):
        data["IsMultiDialectView"] = True
    return data


def get_databases(self: GlueResponse) -> str:
    """GetDatabases with pagination."""
    databases = self.glue_backend.get_databases()
    page, token = _page(self, databases, DATABASES_PAGE_MAX, DATABASES_PAGE_MAX)
    result: dict[str, object] = {"DatabaseList": [d.as_dict() for d in page]}
    if token:
        result["NextToken"] = token
    return _json_page(result)


def get_tables(self: GlueResponse) -> str:
    """GetTables with pagination, sorted by name like AWS."""
    database = self.parameters.get("DatabaseName")
    _check_access(database, "GetTables")
    tables = self.glue_backend.get_tables(database, self.parameters.get("Expression"))  # type: ignore[arg-type]
    tables = sorted(tables, key=lambda t: t.name)
    page, token = _page(self, tables, TABLES_PAGE_MAX, TABLES_PAGE_MAX)
    result: dict[str, object] = {"TableList": [_table_dict(t) for t in page]}
    if token:
        result["NextToken"] = token
    return _json_page(result)


def get_table(self: GlueResponse) -> ActionResult:
    """GetTable, honouring injected AccessDenied."""
    database = self.parameters.get("DatabaseName")
    _check_access(database, "GetTable")
    table = self.glue_backend.get_table(database, self.parameters.get("Name"))  # type: ignore[arg-type]
    return ActionResult({"Table": _table_dict(table)})


def get_partitions(self: GlueResponse) -> ActionResult:
    """GetPartitions with pagination."""
    database = self.parameters.get("DatabaseName")
    _check_access(database, "GetPartitions")
    partitions = self.glue_backend.get_partitions(
        database,  # type: ignore[arg-type]
        self.parameters.get("TableName"),  # type: ignore[arg-type]
        self.parameters.get("Expression"),  # type: ignore[arg-type]
    )
    page, token = _page(self, partitions, PARTITIONS_PAGE_MAX, PARTITIONS_PAGE_MAX)
    result: dict[str, object] = {"Partitions": [p.as_dict() for p in page]}
    if token:
        result["NextToken"] = token
    return ActionResult(result)


def install() -> None:
    """Replace moto's Glue handlers with the paginated ones."""
    GlueResponse.get_databases = get_databases  # type: ignore[method-assign,assignment]
    GlueResponse.get_tables = get_tables  # type: ignore[method-assign,assignment]
    GlueResponse.get_table = get_table  # type: ignore[method-assign]
    GlueResponse.get_partitions = get_partitions  # type: ignore[method-assign]
