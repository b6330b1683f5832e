"""Table usage as OpenMetadata's ``UsageRepository`` keeps it.

OpenMetadata's semantics, from its ``UsageRepository`` and ``CollectionDAO.UsageDAO``: ``POST`` (create) replaces
the day's count (``insertOrReplaceCount``); ``PUT`` (createOrUpdate) adds to it (``insertOrUpdateCount``). Table
usage also adds to the schema's and database's counts for the day, whichever the method. Weekly and monthly counts
are the sums over the 7 and 30 days ending on the date; percentile ranks are ``100 * (rows with a smaller count) /
rows that day``, rounded to 2 places, computed by ``POST /usage/compute.percentile/{entity}/{date}``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from athena_om.sandbox.openmetadata_server import rules
from athena_om.sandbox.openmetadata_server.catalog import Catalog, entity_ref
from athena_om.sandbox.openmetadata_server.errors import bad_request
from athena_om.sandbox.openmetadata_server.schema import BodyKind
from athena_om.sandbox.openmetadata_server.store import StoredEntity

SUPPORTED_TYPES = ("table",)


def _window_start(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days - 1)).isoformat()


def report_usage(catalog: Catalog, entity: StoredEntity, body: Any, *, replace: bool) -> dict[str, Any]:
    """Record one day's count for a table and roll it up to its schema and database."""
    request = catalog.schema.check(BodyKind.USAGE, body)
    day, count = request["date"], request["count"]
    rules.check_iso_date(day, "date")
    with catalog.store.transaction():
        catalog.store.add_usage(entity.id, entity.type, day, count, replace=replace)
        for parent_field, parent_type in (("databaseSchema", "databaseSchema"), ("database", "database")):
            parent = entity.data.get(parent_field)
            if parent:
                catalog.store.add_usage(parent["id"], parent_type, day, count, replace=False)
    return {"entity": entity_ref(entity), "usage": entity_usage(catalog, entity, day, 1)["usage"]}


def _details(catalog: Catalog, entity_id: str, row: Any) -> dict[str, Any]:
    day = row["date"]
    return {
        "date": day,
        "dailyStats": {"count": row["count"], "percentileRank": row["percentile1"]},
        "weeklyStats": {
            "count": catalog.store.usage_sum(entity_id, _window_start(day, 7), day),
            "percentileRank": row["percentile7"],
        },
        "monthlyStats": {
            "count": catalog.store.usage_sum(entity_id, _window_start(day, 30), day),
            "percentileRank": row["percentile30"],
        },
    }


def entity_usage(catalog: Catalog, entity: StoredEntity, day: str | None, days: int) -> dict[str, Any]:
    """``{entity, usage: [...]}`` for the ``days`` days ending on ``day`` (today by default), newest first."""
    day = day or date.today().isoformat()
    rules.check_iso_date(day, "date")
    if not 1 <= days <= 30:
        raise bad_request("[query param days must be between 1 and 30]")
    rows = catalog.store.usage_rows(entity.id, _window_start(day, days), day)
    return {"entity": entity_ref(entity), "usage": [_details(catalog, entity.id, row) for row in rows]}


def usage_summary(catalog: Catalog, entity_id: str) -> dict[str, Any]:
    """The latest day's usage, zeros when none was reported (OpenMetadata's ``usageSummary`` field)."""
    row = catalog.store.latest_usage(entity_id)
    if row is None:
        zero = {"count": 0, "percentileRank": 0.0}
        return {"dailyStats": zero, "weeklyStats": zero, "monthlyStats": zero}
    return _details(catalog, entity_id, row)


def compute_percentiles(catalog: Catalog, entity_type: str, day: str) -> dict[str, Any]:
    rules.check_iso_date(day, "date")
    if entity_type not in SUPPORTED_TYPES:
        raise bad_request(f"Entity type {entity_type} is not supported for usage")
    rows = catalog.store.usage_on(entity_type, day)
    stats = [
        (
            row["entity_id"],
            row["count"],
            catalog.store.usage_sum(row["entity_id"], _window_start(day, 7), day),
            catalog.store.usage_sum(row["entity_id"], _window_start(day, 30), day),
        )
        for row in rows
    ]
    total = len(stats)
    with catalog.store.transaction():
        for entity_id, daily, weekly, monthly in stats:
            ranks = [
                round(100 * sum(1 for other in stats if other[index] < value) / total, 2)
                for index, value in ((1, daily), (2, weekly), (3, monthly))
            ]
            catalog.store.set_percentiles(entity_id, day, *ranks)
    return {"entityType": entity_type, "date": day, "entities": total}
