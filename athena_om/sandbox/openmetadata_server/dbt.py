"""What dbt ingestion needs from the sandbox: a table's data model, a JSON Patch of a table, test definitions.

- ``PUT /tables/{id}/dataModel`` stores the model (checked with OpenMetadata's ``DataModel``) and, like
  OpenMetadata's ``TableRepository.addDataModel``, carries its description, owners and tags, and its columns'
  descriptions, into the table where the table has none.
- ``PATCH /tables/{id}`` (and ``/queries/{id}``: description, displayName, tags, owners) applies an RFC 6902
  patch (``application/json-patch+json``, else 415 like
  OpenMetadata) to the fields a client may edit: description, displayName, tags, owners and each column's
  description, displayName and tags. Tags and owners are resolved (404 when unknown), each tag label checked
  with OpenMetadata's ``TagLabel``.
- ``PUT``/``POST /dataQuality/testDefinitions`` store user test definitions (dbt's), checked with
  OpenMetadata's ``CreateTestDefinitionRequest``; reads answer them beside the built-in ones.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from athena_om.sandbox.openmetadata_server import rules
from athena_om.sandbox.openmetadata_server.catalog import (
    COLUMN_TEST_DEFINITIONS,
    META_KEYS,
    TABLE_TEST_DEFINITIONS,
    Catalog,
    Draft,
    test_definition,
)
from athena_om.sandbox.openmetadata_server.errors import ApiError, bad_request, not_found
from athena_om.sandbox.openmetadata_server.fqn import quote_name
from athena_om.sandbox.openmetadata_server.schema import BodyKind
from athena_om.sandbox.openmetadata_server.store import StoredEntity

JSON_PATCH = "application/json-patch+json"
TABLE_PATCHABLE = frozenset({"description", "displayName", "tags", "owners", "columns"})
COLUMN_PATCHABLE = frozenset({"description", "displayName", "tags"})
QUERY_PATCHABLE = frozenset({"description", "displayName", "tags", "owners"})
BUILT_IN_DEFINITIONS = frozenset((*TABLE_TEST_DEFINITIONS, *COLUMN_TEST_DEFINITIONS))


class PatchOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["add", "remove", "replace", "test"]
    path: str
    value: Any = None


# -- helpers -------------------------------------------------------------------------------------------------


def _content(entity: StoredEntity) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in entity.data.items() if key not in META_KEYS}


def _save(catalog: Catalog, entity: StoredEntity, content: dict[str, Any]) -> dict[str, Any]:
    parent = catalog.store.get(entity.parent_id) if entity.parent_id else None
    draft = Draft(entity.data["name"], entity.fqn, content, parent=parent)
    with catalog.store.transaction():
        data, _change = catalog._apply(entity.type, draft, entity)
    return data


def _labels(catalog: Catalog, labels: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(labels, list):
        raise bad_request(f"[{path} must be a list of tag labels]")
    checked = [catalog.schema.check(BodyKind.TAG_LABEL, label) for label in labels]
    return catalog.resolve_tags(checked, path) or []


# -- data model ----------------------------------------------------------------------------------------------


def put_data_model(catalog: Catalog, table: StoredEntity, body: Any) -> dict[str, Any]:
    model = catalog.schema.check(BodyKind.DATA_MODEL, body)
    model = {key: value for key, value in model.items() if value is not None}
    if model.get("tags") is not None:
        model["tags"] = catalog.resolve_tags(model["tags"], "tags")
    if model.get("owners") is not None:
        model["owners"] = catalog.resolve_owners(model["owners"])
    for index, column in enumerate(model.get("columns") or []):
        if column.get("tags") is not None:
            column["tags"] = catalog.resolve_tags(column["tags"], f"columns[{index}].tags")
    content = _content(table)
    content["dataModel"] = model
    # OpenMetadata's addDataModel carries the model's description, owners and tags into an empty table, and each
    # column's description into an undocumented column; it never overwrites what the table has.
    if not content.get("description") and model.get("description"):
        content["description"] = model["description"]
    if not content.get("owners") and model.get("owners"):
        content["owners"] = model["owners"]
    if not content.get("tags") and model.get("tags"):
        content["tags"] = model["tags"]
    by_name = {column["name"].lower(): column for column in model.get("columns") or []}
    for column in content.get("columns") or []:
        documented = by_name.get(column["name"].lower())
        if documented and documented.get("description") and not column.get("description"):
            column["description"] = documented["description"]
    return _save(catalog, table, content)


# -- JSON Patch ----------------------------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise bad_request(f"[JSON Patch path {path!r} must start with '/']")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _check_path(parts: list[str], path: str, patchable: frozenset[str] = TABLE_PATCHABLE) -> None:
    if parts[0] not in patchable:
        raise bad_request(f"[JSON Patch path {path!r}: the sandbox patches only {sorted(patchable)}]")
    if parts[0] == "columns" and (len(parts) < 3 or parts[2] not in COLUMN_PATCHABLE):
        raise bad_request(f"[JSON Patch path {path!r}: a column's {sorted(COLUMN_PATCHABLE)} only]")


def _apply_operation(document: dict[str, Any], op: PatchOperation, patchable: frozenset[str] = TABLE_PATCHABLE) -> None:
    parts = _pointer(op.path)
    _check_path(parts, op.path, patchable)
    parent: Any = document
    for part in parts[:-1]:
        try:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        except (KeyError, IndexError, ValueError):
            raise bad_request(f"[JSON Patch path {op.path!r} does not exist]") from None
    last = parts[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last) if last.isdigit() else -1
        if not 0 <= index <= len(parent) or (op.op != "add" and index == len(parent)):
            raise bad_request(f"[JSON Patch path {op.path!r}: no such list index]")
        if op.op == "add":
            parent.insert(index, op.value)
        elif op.op == "replace":
            parent[index] = op.value
        elif op.op == "remove":
            parent.pop(index)
        elif parent[index] != op.value:
            raise ApiError(422, f"JSON Patch test failed at {op.path}")
        return
    if not isinstance(parent, dict):
        raise bad_request(f"[JSON Patch path {op.path!r} does not exist]")
    if op.op in ("replace", "remove", "test") and last not in parent:
        raise bad_request(f"[JSON Patch path {op.path!r} does not exist]")
    if op.op in ("add", "replace"):
        parent[last] = op.value
    elif op.op == "remove":
        parent.pop(last)
    elif parent[last] != op.value:
        raise ApiError(422, f"JSON Patch test failed at {op.path}")


def patch_entity(catalog: Catalog, entity: StoredEntity, body: Any, patchable: frozenset[str]) -> dict[str, Any]:
    """A person's edit: applied as sent (no bot merge), to the ``patchable`` fields only."""
    if not isinstance(body, list):
        raise bad_request("[a JSON Patch body is a list of operations]")
    operations = [rules.validate_body(PatchOperation, item) for item in body]
    content = _content(entity)
    columns: list[dict[str, Any]] = content.get("columns") or []
    editable: dict[str, Any] = {key: content.get(key) for key in patchable if key != "columns"}
    if "columns" in patchable:
        editable["columns"] = columns
    for operation in operations:
        _apply_operation(editable, operation, patchable)
    if len(editable.get("columns") or []) != len(columns if "columns" in patchable else []):
        raise bad_request("[JSON Patch may not add or remove columns]")
    for key in ("description", "displayName"):
        if editable.get(key) is not None and not isinstance(editable[key], str):
            raise bad_request(f"[{key} must be a string]")
    if editable.get("tags") is not None:
        editable["tags"] = _labels(catalog, editable["tags"], "tags")
    if editable.get("owners") is not None:
        owners = editable["owners"]
        if not isinstance(owners, list) or not all(isinstance(o, dict) and "id" in o and "type" in o for o in owners):
            raise bad_request("[owners must be a list of entity references with id and type]")
        editable["owners"] = catalog.resolve_owners(owners)
    for index, column in enumerate(editable.get("columns") or []):
        if column.get("tags") is not None:
            column["tags"] = _labels(catalog, column["tags"], f"columns[{index}].tags")
        if column.get("description") is not None and not isinstance(column["description"], str):
            raise bad_request(f"[columns[{index}].description must be a string]")
    content.update({key: value for key, value in editable.items()})
    return _save(catalog, entity, {key: value for key, value in content.items() if value is not None})


# -- test definitions ----------------------------------------------------------------------------------------


def stored_test_definition(catalog: Catalog, name: str) -> dict[str, Any]:
    """A user (dbt) test definition, else the built-in one; 404 when neither exists."""
    stored = catalog.store.get_by_fqn("testDefinition", quote_name(name))
    if stored is not None and not stored.deleted:
        return stored.data | {"id": stored.id, "type": "testDefinition"}
    return test_definition(name)


def put_test_definition(catalog: Catalog, body: Any, *, create_only: bool) -> tuple[dict[str, Any], str]:
    request = catalog.schema.check(BodyKind.TEST_DEFINITION, body)
    name = request["name"]
    rules.check_name(name)
    if name in BUILT_IN_DEFINITIONS:
        raise ApiError(409 if create_only else 400, f"testDefinition {name} is a system test definition")
    fqn = quote_name(name)
    existing = catalog.store.get_by_fqn("testDefinition", fqn)
    if existing is not None and create_only and not existing.deleted:
        raise ApiError(409, f"Entity already exists: testDefinition {fqn}")
    content = {
        "name": name,
        "fullyQualifiedName": fqn,
        "displayName": request.get("displayName"),
        "description": request.get("description"),
        "entityType": request["entityType"],
        "testPlatforms": request["testPlatforms"],
        "supportedDataTypes": request.get("supportedDataTypes"),
        "parameterDefinition": request.get("parameterDefinition"),
        "provider": request.get("provider") or "user",
    }
    with catalog.store.transaction():
        return catalog._apply("testDefinition", Draft(name, fqn, content), existing)


def add_dbt_routes(router: APIRouter, catalog: Catalog) -> None:
    """The routes above; added before the generic ones so they answer first."""

    @router.put("/tables/{table_id}/dataModel")
    async def put_model(request: Request, table_id: str) -> JSONResponse:
        table = catalog.find_id("table", table_id)
        return JSONResponse(put_data_model(catalog, table, await _json(request)))

    async def patch(request: Request, entity_type: str, entity_id: str, patchable: frozenset[str]) -> JSONResponse:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON_PATCH:
            raise ApiError(415, f"HTTP 415 Unsupported Media Type: PATCH needs {JSON_PATCH}, not {content_type!r}")
        entity = catalog.find_id(entity_type, entity_id)
        return JSONResponse(patch_entity(catalog, entity, await _json(request), patchable))

    @router.patch("/tables/{table_id}")
    async def patch_table_route(request: Request, table_id: str) -> JSONResponse:
        return await patch(request, "table", table_id, TABLE_PATCHABLE)

    @router.patch("/queries/{query_id}")
    async def patch_query_route(request: Request, query_id: str) -> JSONResponse:
        return await patch(request, "query", query_id, QUERY_PATCHABLE)

    async def write_definition(request: Request, create_only: bool) -> JSONResponse:
        data, change = put_test_definition(catalog, await _json(request), create_only=create_only)
        return JSONResponse(data | {"id": data["id"]}, status_code=201 if change == "created" else 200)

    @router.put("/dataQuality/testDefinitions")
    async def put_definition(request: Request) -> JSONResponse:
        return await write_definition(request, create_only=False)

    @router.post("/dataQuality/testDefinitions")
    async def post_definition(request: Request) -> JSONResponse:
        return await write_definition(request, create_only=True)

    @router.get("/dataQuality/testDefinitions")
    async def list_definitions() -> JSONResponse:
        data = [test_definition(name) for name in (*TABLE_TEST_DEFINITIONS, *COLUMN_TEST_DEFINITIONS)]
        page = catalog.store.list_page(
            "testDefinition", include="non-deleted", parent_fqn=None, linked_to=None, limit=1_000_000
        )
        data += [entity.data | {"id": entity.id} for entity in page.entities]
        return JSONResponse({"data": data, "paging": {"total": len(data)}})

    @router.get("/dataQuality/testDefinitions/name/{name:path}")
    async def get_definition(name: str) -> JSONResponse:
        return JSONResponse(stored_test_definition(catalog, name))


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise bad_request(f"Unable to process JSON: {error}") from None


__all__ = ["add_dbt_routes", "not_found", "patch_entity", "put_data_model", "put_test_definition"]
