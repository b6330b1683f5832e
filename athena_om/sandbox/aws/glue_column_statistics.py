"""Glue column statistics for the sandbox (moto 5.2.5 has none): UpdateColumnStatisticsForTable stores them,
GetColumnStatisticsForTable answers them with an error entry per column that has none, as Glue does."""

from __future__ import annotations

import json
from typing import Any

from moto.glue.models import GlueBackend
from moto.glue.responses import GlueResponse

from athena_om.sandbox.aws.hooks import HOOKS

MAX_COLUMNS_PER_REQUEST = 100


def _store(backend: GlueBackend) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    # Kept on the backend, so a sandbox reset (new backends) forgets them.
    store = getattr(backend, "athena_om_column_statistics", None)
    if store is None:
        store = {}
        backend.athena_om_column_statistics = store  # type: ignore[attr-defined]
    return store


def _denied(database: str) -> tuple[str, dict[str, int]] | None:
    if database in HOOKS.denied_databases:
        message = f"Insufficient Lake Formation permission(s) on {database}"
        return json.dumps({"__type": "AccessDeniedException", "Message": message}), {"status": 400}
    return None


def update_column_statistics_for_table(self: GlueResponse) -> str | tuple[str, dict[str, int]]:
    """Store each column's statistics (replacing earlier ones) on an existing table."""
    database, table = self.parameters.get("DatabaseName", ""), self.parameters.get("TableName", "")
    denied = _denied(database)
    if denied:
        return denied
    self.glue_backend.get_table(database, table)  # EntityNotFoundException for an unknown table
    stored = _store(self.glue_backend).setdefault((database.lower(), table.lower()), {})
    for item in self.parameters.get("ColumnStatisticsList") or []:
        stored[str(item["ColumnName"]).lower()] = dict(item)
    return json.dumps({"Errors": []})


def get_column_statistics_for_table(self: GlueResponse) -> str | tuple[str, dict[str, int]]:
    """The stored statistics of the named columns; columns without any are listed under Errors."""
    database, table = self.parameters.get("DatabaseName", ""), self.parameters.get("TableName", "")
    denied = _denied(database)
    if denied:
        return denied
    names = list(self.parameters.get("ColumnNames") or [])
    if len(names) > MAX_COLUMNS_PER_REQUEST:
        message = f"ColumnNames has {len(names)} names; at most {MAX_COLUMNS_PER_REQUEST} per request"
        return json.dumps({"__type": "InvalidInputException", "Message": message}), {"status": 400}
    self.glue_backend.get_table(database, table)
    stored = _store(self.glue_backend).get((database.lower(), table.lower()), {})
    found, errors = [], []
    for name in names:
        statistics = stored.get(str(name).lower())
        if statistics is None:
            errors.append(
                {
                    "ColumnName": name,
                    "Error": {"ErrorCode": "EntityNotFoundException", "ErrorMessage": "No column statistics"},
                }
            )
        else:
            found.append(statistics)
    return json.dumps({"ColumnStatisticsList": found, "Errors": errors})


def install() -> None:
    """Add the two column statistics actions to moto's Glue."""
    GlueResponse.update_column_statistics_for_table = update_column_statistics_for_table  # type: ignore[attr-defined]
    GlueResponse.get_column_statistics_for_table = get_column_statistics_for_table  # type: ignore[attr-defined]
