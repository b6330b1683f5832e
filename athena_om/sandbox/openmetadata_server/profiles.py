"""Table profiles and table joins, kept beside the table entity as OpenMetadata does."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from athena_om.sandbox.openmetadata_server import rules
from athena_om.sandbox.openmetadata_server.catalog import Catalog, column_fqns
from athena_om.sandbox.openmetadata_server.errors import bad_request
from athena_om.sandbox.openmetadata_server.fqn import split_fqn
from athena_om.sandbox.openmetadata_server.schema import BodyKind
from athena_om.sandbox.openmetadata_server.store import StoredEntity


def _column_names(table: StoredEntity) -> set[str]:
    return {column["name"] for column in table.data.get("columns", [])}


def add_profile(catalog: Catalog, table: StoredEntity, body: Any) -> None:
    """Store a table profile and its column profiles under the profile's timestamp."""
    request = catalog.schema.check(BodyKind.TABLE_PROFILE, body)
    timestamp = request["tableProfile"]["timestamp"]
    rules.check_timestamp_ms(timestamp, "tableProfile.timestamp")
    names = _column_names(table)
    for index, column in enumerate(request.get("columnProfile") or []):
        rules.check_timestamp_ms(column["timestamp"], f"columnProfile[{index}].timestamp")
        if column["name"] not in names:
            raise bad_request(f"Invalid column name {column['name']}")
    catalog.store.put_profile(table.id, timestamp, _without_nulls(request))


def _without_nulls(value: Any) -> Any:
    """The body as OpenMetadata stores it: fields sent as null are left out."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def latest_profile(catalog: Catalog, table: StoredEntity) -> dict[str, Any] | None:
    return catalog.store.latest_profile(table.id)


def table_with_profile(table_data: dict[str, Any], profile: dict[str, Any] | None) -> dict[str, Any]:
    """The table with ``profile`` set on it and on each profiled column, like ``tableProfile/latest``."""
    if profile is None:
        return table_data
    by_column = {column["name"]: column for column in profile.get("columnProfile", [])}
    columns = []
    for column in table_data.get("columns", []):
        column = dict(column)
        if column["name"] in by_column:
            column["profile"] = by_column[column["name"]]
        columns.append(column)
    return table_data | {"profile": profile["tableProfile"], "columns": columns}


def profiles_between(catalog: Catalog, table: StoredEntity, start_ts: int, end_ts: int) -> list[dict[str, Any]]:
    return [record["tableProfile"] for record in catalog.store.profiles(table.id, start_ts, end_ts)]


def column_profiles_between(
    catalog: Catalog, table: StoredEntity, column: str, start_ts: int, end_ts: int
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for record in catalog.store.profiles(table.id, start_ts, end_ts):
        found.extend(item for item in record.get("columnProfile", []) if item["name"] == column)
    return found


def add_joins(catalog: Catalog, table: StoredEntity, body: Any) -> None:
    """Store a day's joins; each column must be the table's and each joined column must exist."""
    request = catalog.schema.check(BodyKind.TABLE_JOINS, body)
    rules.check_iso_date(request["startDate"], "startDate")
    names = _column_names(table)
    for column_join in request.get("columnJoins") or []:
        if column_join["columnName"] not in names:
            raise bad_request(f"Invalid column name {column_join['columnName']}")
        for joined in column_join["joinedWith"]:
            _check_joined_column(catalog, joined["fullyQualifiedName"])
    for joined in request.get("directTableJoins") or []:
        catalog.find("table", joined["fullyQualifiedName"])
    catalog.store.put_joins(table.id, request["startDate"], {"dayCount": 1} | _without_nulls(request))


def _check_joined_column(catalog: Catalog, column_fqn: str) -> None:
    parts = split_fqn(column_fqn)
    for split_at in range(len(parts) - 1, 0, -1):
        table_fqn = ".".join(f'"{part}"' if "." in part else part for part in parts[:split_at])
        table = catalog.store.get_by_fqn("table", table_fqn)
        if table is not None and not table.deleted:
            if column_fqn not in column_fqns(table.data.get("columns", [])):
                raise bad_request(f"Invalid column name {column_fqn}")
            return
    raise bad_request(f"Invalid column name {column_fqn}: no table found for it")


def joins_summary(catalog: Catalog, table: StoredEntity) -> dict[str, Any]:
    """All stored days summed per joined column/table, over the span they cover."""
    records = catalog.store.joins(table.id)
    if not records:
        return {"startDate": date.today().isoformat(), "dayCount": 0, "columnJoins": [], "directTableJoins": []}
    first = date.fromisoformat(records[0]["startDate"])
    last = max(
        date.fromisoformat(record["startDate"]) + timedelta(days=record.get("dayCount", 1) - 1) for record in records
    )
    column_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    table_counts: dict[str, int] = defaultdict(int)
    for record in records:
        for column_join in record.get("columnJoins", []):
            for joined in column_join["joinedWith"]:
                column_counts[column_join["columnName"]][joined["fullyQualifiedName"]] += joined["joinCount"]
        for joined in record.get("directTableJoins", []):
            table_counts[joined["fullyQualifiedName"]] += joined["joinCount"]
    return {
        "startDate": first.isoformat(),
        "dayCount": (last - first).days + 1,
        "columnJoins": [
            {
                "columnName": name,
                "joinedWith": [{"fullyQualifiedName": fqn, "joinCount": count} for fqn, count in joined.items()],
            }
            for name, joined in column_counts.items()
        ],
        "directTableJoins": [{"fullyQualifiedName": fqn, "joinCount": count} for fqn, count in table_counts.items()],
    }


def put_sample_data(catalog: Catalog, table: StoredEntity, body: Any) -> dict[str, Any]:
    """Store a table's sample rows (OpenMetadata's TableData); every column must be one of the table's."""
    data = catalog.schema.check(BodyKind.TABLE_DATA, body)
    names = _column_names(table)
    for name in data.get("columns") or []:
        if name not in names:
            raise bad_request(f"Invalid column name {name}")
    width = len(data.get("columns") or [])
    for index, row in enumerate(data.get("rows") or []):
        if len(row) != width:
            raise bad_request(f"rows[{index}] has {len(row)} values for {width} columns")
    catalog.store.put_sample_data(table.id, data)
    return data
