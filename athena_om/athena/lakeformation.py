"""Read Lake Formation LF-tags for a whole catalog in a handful of calls.

Asking ``GetResourceLFTags`` per table costs one call per table. Instead we list the tag keys once and run one
``SearchTablesByLFTags`` / ``SearchDatabasesByLFTags`` per key: every match comes back with *all* of its tags
(database, table and column level), so the number of calls grows with tag keys and pages, not with tables.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from athena_om.athena.models import LFTag

log = logging.getLogger(__name__)


@dataclass
class LFTagIndex:
    """LF-tags keyed by resource: databases, tables ``(db, table)`` and columns ``(db, table, column)``."""

    tag_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    databases: dict[str, tuple[LFTag, ...]] = field(default_factory=dict)
    tables: dict[tuple[str, str], tuple[LFTag, ...]] = field(default_factory=dict)
    columns: dict[tuple[str, str, str], tuple[LFTag, ...]] = field(default_factory=dict)
    tables_with_column_tags: set[tuple[str, str]] = field(default_factory=set)
    error: str | None = None

    def for_database(self, database: str) -> tuple[LFTag, ...]:
        return self.databases.get(database.lower(), ())

    def for_table(self, database: str, table: str) -> tuple[LFTag, ...]:
        return self.tables.get((database.lower(), table.lower()), ())

    def has_column_tags(self, database: str, table: str) -> bool:
        return (database.lower(), table.lower()) in self.tables_with_column_tags

    def for_column(self, database: str, table: str, column: str) -> tuple[LFTag, ...]:
        return self.columns.get((database.lower(), table.lower(), column.lower()), ())


def _tags(raw: Iterable[dict[str, Any]] | None) -> tuple[LFTag, ...]:
    return tuple(
        sorted(
            (LFTag(key=t["TagKey"], values=tuple(t.get("TagValues") or ())) for t in raw or ()),
            key=lambda t: t.key,
        )
    )


def _paged(call: Any, result_key: str, **kwargs: Any) -> Iterable[dict[str, Any]]:
    token: str | None = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        yield from page.get(result_key, [])
        token = page.get("NextToken")
        if not token:
            return


def read_lf_tags(lakeformation: Any, catalog_id: str | None = None) -> LFTagIndex:
    """All LF-tag assignments of the catalog. Failures are recorded in ``error``; tags are then skipped."""
    index = LFTagIndex()
    catalog = {"CatalogId": catalog_id} if catalog_id else {}
    try:
        for tag in _paged(lakeformation.list_lf_tags, "LFTags", ResourceShareType="ALL", **catalog):
            index.tag_keys[tag["TagKey"]] = tuple(tag.get("TagValues") or ())
        for key, values in index.tag_keys.items():
            expression = [{"TagKey": key, "TagValues": list(values)}]
            for db in _paged(
                lakeformation.search_databases_by_lf_tags, "DatabaseList", Expression=expression, **catalog
            ):
                name = db["Database"]["Name"].lower()
                index.databases[name] = _tags(db.get("LFTags"))
            for item in _paged(lakeformation.search_tables_by_lf_tags, "TableList", Expression=expression, **catalog):
                _index_table(index, item)
    except (ClientError, BotoCoreError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else type(exc).__name__
        index.error = (
            f"Cannot read Lake Formation tags ({code}); tags are left as they are in OpenMetadata. "
            "Grant lakeformation:ListLFTags and lakeformation:SearchTablesByLFTags/SearchDatabasesByLFTags, "
            "or set includeTags: false."
        )
        log.warning(index.error)
    return index


def _index_table(index: LFTagIndex, item: dict[str, Any]) -> None:
    table = item.get("Table") or {}
    db, name = str(table.get("DatabaseName", "")).lower(), str(table.get("Name", "")).lower()
    if not db or not name:
        return
    if item.get("LFTagOnDatabase"):
        index.databases.setdefault(db, _tags(item.get("LFTagOnDatabase")))
    index.tables[(db, name)] = _tags(item.get("LFTagsOnTable"))
    for column in item.get("LFTagsOnColumns") or ():
        index.columns[(db, name, str(column.get("Name", "")).lower())] = _tags(column.get("LFTags"))
        index.tables_with_column_tags.add((db, name))
