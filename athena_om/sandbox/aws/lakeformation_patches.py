"""Lake Formation patches: merging LF-tag assignment, inherited tags, tag search and paginated tag lists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from moto.glue.models import FakeTable, glue_backends
from moto.lakeformation import urls
from moto.lakeformation.exceptions import InvalidInput
from moto.lakeformation.models import LakeFormationBackend
from moto.lakeformation.responses import LakeFormationResponse

from athena_om.sandbox.aws.hooks import paginate

Tag = dict[str, Any]


def _merge(base: list[Tag], override: list[Tag]) -> list[Tag]:
    """Tags of `base` with those of `override` replacing the same keys (inheritance and assignment)."""
    merged = {t["TagKey"]: dict(t) for t in base}
    for tag in override:
        merged[tag["TagKey"]] = dict(tag)
    return list(merged.values())


def _resource_keys(backend: LakeFormationBackend, resource: dict[str, Any]) -> Iterator[tuple[dict, tuple]]:  # type: ignore[type-arg]
    """(tag store, key) for each object a Lake Formation Resource names."""
    if "Database" in resource:
        db = resource["Database"]
        yield backend.lf_database_tags, (db.get("CatalogId", backend.account_id), db["Name"])
    if "Table" in resource:
        tb = resource["Table"]
        yield backend.lf_table_tags, (tb.get("CatalogId", backend.account_id), tb["DatabaseName"], tb["Name"])
    if "TableWithColumns" in resource:
        tc = resource["TableWithColumns"]
        catalog = tc.get("CatalogId", backend.account_id)
        for column in tc.get("ColumnNames") or []:
            yield backend.lf_columns_tags, (catalog, tc["DatabaseName"], tc["Name"], column)


def add_lf_tags_to_resource(
    self: LakeFormationBackend, catalog_id: str, resource: dict[str, Any], tags: list[Tag]
) -> list[dict[str, Any]]:
    """Assign LF-tags, merging with those already on the resource (same key replaces its values)."""
    defined = self.list_lf_tags(catalog_id)
    failures = []
    for tag in tags:
        tag.setdefault("CatalogId", catalog_id)
        allowed = defined.get(tag["TagKey"])
        if allowed is None or not set(tag["TagValues"]) <= set(allowed):  # type: ignore[arg-type]
            failures.append(
                {
                    "LFTag": tag,
                    "Error": {
                        "ErrorCode": "EntityNotFoundException",
                        "ErrorMessage": "Tag or tag value does not exist.",
                    },
                }
            )
    if failures:
        return failures
    for store, key in _resource_keys(self, resource):
        store[key] = _merge(store.get(key, []), tags)
    return []


def remove_lf_tags_from_resource(
    self: LakeFormationBackend, catalog_id: str, resource: dict[str, Any], tags: list[Tag]
) -> None:
    """Remove LF-tags by key from a resource; absent tags are ignored."""
    keys = {t["TagKey"] for t in tags}
    for store, key in _resource_keys(self, resource):
        store[key] = [t for t in store.get(key, []) if t["TagKey"] not in keys]


class _TagView:
    """Assigned and inherited LF-tags of Glue objects for one account and region."""

    def __init__(self, backend: LakeFormationBackend, catalog_id: str) -> None:
        self.backend = backend
        self.catalog_id = catalog_id
        self.glue = glue_backends[backend.account_id][backend.region_name]

    def database(self, name: str) -> list[Tag]:
        return list(self.backend.lf_database_tags.get((self.catalog_id, name), []))

    def table(self, db: str, table: str, assigned_only: bool) -> list[Tag]:
        own = list(self.backend.lf_table_tags.get((self.catalog_id, db, table), []))
        return own if assigned_only else _merge(self.database(db), own)

    def columns(self, db: str, table: str, names: list[str], assigned_only: bool) -> list[dict[str, Any]]:
        inherited = [] if assigned_only else self.table(db, table, assigned_only=False)
        result = []
        for name in names:
            own = self.backend.lf_columns_tags.get((self.catalog_id, db, table, name), [])
            tags = _merge(inherited, own)
            if tags:
                result.append({"Name": name, "LFTags": tags})
        return result

    def column_names(self, db: str, table: str) -> list[str]:
        try:
            data = self.glue.get_table(db, table).as_dict()
        except Exception:
            return []
        columns = (data.get("StorageDescriptor") or {}).get("Columns") or []
        return [c["Name"] for c in columns + (data.get("PartitionKeys") or [])]


def _get_resource_lf_tags(self: LakeFormationResponse) -> str:
    """GetResourceLFTags: empty lists for untagged resources, inherited tags unless ShowAssignedLFTags."""
    catalog_id = self._get_param("CatalogId") or self.current_account
    resource = self._get_param("Resource") or {}
    assigned_only = bool(self._get_param("ShowAssignedLFTags"))
    view = _TagView(self.lakeformation_backend, catalog_id)
    response: dict[str, Any] = {}
    if "Database" in resource:
        response["LFTagOnDatabase"] = view.database(resource["Database"]["Name"])
    if "Table" in resource:
        db, name = resource["Table"]["DatabaseName"], resource["Table"]["Name"]
        response["LFTagOnDatabase"] = view.database(db)
        response["LFTagsOnTable"] = view.table(db, name, assigned_only)
        response["LFTagsOnColumns"] = view.columns(db, name, view.column_names(db, name), assigned_only)
    if "TableWithColumns" in resource:
        tc = resource["TableWithColumns"]
        names = tc.get("ColumnNames") or view.column_names(tc["DatabaseName"], tc["Name"])
        response["LFTagsOnColumns"] = view.columns(tc["DatabaseName"], tc["Name"], names, assigned_only)
    return json.dumps(response)


def _matches(tags: list[Tag], expression: list[Tag]) -> bool:
    values = {t["TagKey"]: set(t["TagValues"]) for t in tags}
    return all(values.get(cond["TagKey"], set()) & set(cond["TagValues"]) for cond in expression)


def _page_response(self: LakeFormationResponse, items: list, key: str) -> str:  # type: ignore[type-arg]
    try:
        page, token = paginate(items, self._get_param("NextToken"), self._get_param("MaxResults"), 100, 1000)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    body: dict[str, Any] = {key: page}
    if token:
        body["NextToken"] = token
    return json.dumps(body)


def _search_tables_by_lf_tags(self: LakeFormationResponse) -> str:
    """SearchTablesByLFTags: tables whose own or column tags (inherited included) satisfy the expression."""
    catalog_id = self._get_param("CatalogId") or self.current_account
    expression = self._get_param("Expression") or []
    view = _TagView(self.lakeformation_backend, catalog_id)
    matches = []
    for db_name in sorted(view.glue.databases):
        tables: dict[str, FakeTable] = view.glue.databases[db_name].tables
        for table_name in sorted(tables):
            table_tags = view.table(db_name, table_name, assigned_only=False)
            columns = view.columns(db_name, table_name, view.column_names(db_name, table_name), False)
            if not (_matches(table_tags, expression) or any(_matches(c["LFTags"], expression) for c in columns)):
                continue
            matches.append(
                {
                    "Table": {"CatalogId": catalog_id, "DatabaseName": db_name, "Name": table_name},
                    "LFTagOnDatabase": view.database(db_name),
                    "LFTagsOnTable": table_tags,
                    "LFTagsOnColumns": columns,
                }
            )
    return _page_response(self, matches, "TableList")


def _search_databases_by_lf_tags(self: LakeFormationResponse) -> str:
    """SearchDatabasesByLFTags: databases whose tags satisfy the expression."""
    catalog_id = self._get_param("CatalogId") or self.current_account
    expression = self._get_param("Expression") or []
    view = _TagView(self.lakeformation_backend, catalog_id)
    matches = [
        {"Database": {"CatalogId": catalog_id, "Name": name}, "LFTags": view.database(name)}
        for name in sorted(view.glue.databases)
        if _matches(view.database(name), expression)
    ]
    return _page_response(self, matches, "DatabaseList")


def _list_lf_tags(self: LakeFormationResponse) -> str:
    """ListLFTags with pagination."""
    catalog_id = self._get_param("CatalogId") or self.current_account
    tags = self.lakeformation_backend.list_lf_tags(catalog_id)
    items = [{"CatalogId": catalog_id, "TagKey": k, "TagValues": v} for k, v in sorted(tags.items())]
    return _page_response(self, items, "LFTags")


def install() -> None:
    """Replace moto's Lake Formation handlers and route the search operations."""
    LakeFormationBackend.add_lf_tags_to_resource = add_lf_tags_to_resource  # type: ignore[method-assign]
    LakeFormationBackend.remove_lf_tags_from_resource = remove_lf_tags_from_resource  # type: ignore[method-assign]
    LakeFormationResponse.get_resource_lf_tags = _get_resource_lf_tags  # type: ignore[method-assign]
    LakeFormationResponse.list_lf_tags = _list_lf_tags  # type: ignore[method-assign]
    LakeFormationResponse.search_tables_by_lf_tags = _search_tables_by_lf_tags  # type: ignore[attr-defined]
    LakeFormationResponse.search_databases_by_lf_tags = _search_databases_by_lf_tags  # type: ignore[attr-defined]
    # Routes are read when the server builds its Lake Formation app, so they must be added before start.
    for operation in ("SearchTablesByLFTags", "SearchDatabasesByLFTags"):
        urls.url_paths["{0}/" + operation + "$"] = urls.response.dispatch
