"""Endpoints OpenMetadata's own ingestion client (``openmetadata-ingestion`` 2.0.7) calls beyond athena-om's.

Bulk create-or-update (``PUT /{collection}/bulk``), server-side stale deletion (``DELETE
/{collection}/deleteStale``), the search ``fieldQuery``, test connection definitions and an empty stored
procedure collection: enough for ``metadata ingest`` of the Athena connector to run against the sandbox.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from athena_om.sandbox.openmetadata_server.catalog import Catalog, Collection
from athena_om.sandbox.openmetadata_server.errors import ApiError, bad_request, not_found
from athena_om.sandbox.openmetadata_server.schema import BodyKind
from athena_om.sandbox.openmetadata_server.store import StoredEntity

# The steps of OpenMetadata's Athena test connection (DatabaseStep names the connector maps to checks).
TEST_CONNECTION_STEPS: dict[str, list[tuple[str, str, bool]]] = {
    "Athena": [
        ("CheckAccess", "Check that the credentials reach Athena and run a query.", True),
        ("GetSchemas", "List the Glue databases.", True),
        ("GetTables", "List the tables of a database.", True),
        ("GetViews", "List the views of a database.", False),
    ],
}
# Search indexes (and their aliases) -> the entity type the sandbox keeps them as.
SEARCH_INDEXES = {
    "table_search_index": "table",
    "table": "table",
    "database_search_index": "database",
    "database": "database",
    "database_schema_search_index": "databaseSchema",
    "databaseSchema": "databaseSchema",
    "database_service_search_index": "databaseService",
    "databaseService": "databaseService",
    "query_search_index": "query",
    "query": "query",
    "tag_search_index": "tag",
    "tag": "tag",
}
# The scope names the ingestion client sends in a deleteStale request -> entity types.
SCOPE_TYPES = {"service": "databaseService", "databaseService": "databaseService"}
MAX_SEARCH_SIZE = 10_000


def bulk_result(successes: list[dict[str, Any]], failures: list[dict[str, Any]]) -> dict[str, Any]:
    """OpenMetadata's ``BulkOperationResult``: every row counted, each failure with its request and reason."""
    if not failures:
        status = "success"
    elif successes:
        status = "partialSuccess"
    else:
        status = "failure"
    return {
        "dryRun": False,
        "status": status,
        "numberOfRowsProcessed": len(successes) + len(failures),
        "numberOfRowsPassed": len(successes),
        "numberOfRowsFailed": len(failures),
        "successRequest": successes,
        "failedRequest": failures,
    }


def bulk_put(
    catalog: Catalog, collection: Collection, bodies: Any, *, override_metadata: bool = False
) -> dict[str, Any]:
    """Create or update each body on its own, so one invalid entity fails alone. Updates keep what people wrote
    (the PUT's bot rules), unless ``overrideMetadata=true`` asks for the source's descriptions."""
    if not isinstance(bodies, list):
        raise bad_request(f"[body must be a list of {collection.entity_type} create requests]")
    successes: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for body in bodies:
        try:
            data, change = catalog.put(collection, body, override_metadata=override_metadata)
        except ApiError as error:
            failures.append({"request": body, "message": error.message, "status": error.status})
            continue
        status = 201 if change == "created" else 200
        successes.append({"request": data["fullyQualifiedName"], "message": "Success", "status": status})
    return bulk_result(successes, failures)


def _descendants_of_type(catalog: Catalog, scope: StoredEntity, entity_type: str) -> list[StoredEntity]:
    found: list[StoredEntity] = []
    frontier = [scope]
    while frontier:
        next_frontier: list[StoredEntity] = []
        for parent in frontier:
            for child in catalog.store.children(parent.id, "non-deleted"):
                (found if child.type == entity_type else next_frontier).append(child)
        frontier = next_frontier
    return found


def delete_stale(catalog: Catalog, collection: Collection, body: Any) -> dict[str, Any]:
    """Soft-delete (or hard-delete) the collection's entities in the scope that the connector did not report."""
    request = catalog.schema.check(BodyKind.DELETE_STALE, body)
    scope_type = SCOPE_TYPES.get(request["scopeEntityType"], request["scopeEntityType"])
    scope = catalog.find(scope_type, request["scopeFqn"])
    seen = set(request["seenFqns"])
    in_scope = _descendants_of_type(catalog, scope, collection.entity_type)
    stale = [entity for entity in in_scope if entity.fqn not in seen]
    dry_run, hard = bool(request.get("dryRun")), bool(request.get("hardDelete"))
    recursive = request.get("recursive") is not False
    for entity in stale:
        if not dry_run:
            catalog.delete(entity, hard=hard, recursive=recursive)
    successes = [{"request": entity.fqn, "message": "Deleted", "status": 200} for entity in stale]
    return bulk_result(successes, []) | {"dryRun": dry_run}


def test_connection_definition(name: str) -> dict[str, Any]:
    """``<ServiceType>.testConnectionDefinition``: the steps the connector's test connection runs."""
    service_type, _, suffix = name.partition(".")
    if suffix != "testConnectionDefinition" or service_type not in TEST_CONNECTION_STEPS:
        raise not_found("testConnectionDefinition", name)
    return {
        "id": "6a7b2c1e-0d8f-4c35-9a61-5b0f3e2d7c40",
        "name": service_type,
        "fullyQualifiedName": name,
        "displayName": f"{service_type} Test Connection",
        "steps": [
            {"name": step, "description": description, "mandatory": mandatory, "shortCircuit": step == "CheckAccess"}
            for step, description, mandatory in TEST_CONNECTION_STEPS[service_type]
        ],
        "version": 0.1,
        "deleted": False,
    }


def field_query(catalog: Catalog, params: dict[str, str]) -> dict[str, Any]:
    """``GET /search/fieldQuery``: entities whose field matches the value (``*`` wildcards), in ES's hit shape."""
    index = params.get("index", "table_search_index")
    entity_type = SEARCH_INDEXES.get(index)
    if entity_type is None and index.endswith("_search_index"):
        # One of OpenMetadata's other indexes (containers, dashboards...): the sandbox holds none of those.
        return {"hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []}}
    if entity_type is None:
        raise bad_request(f"[index {index!r} is not a search index the sandbox keeps: {sorted(SEARCH_INDEXES)}]")
    field_name, pattern = params.get("fieldName", "fullyQualifiedName"), params.get("fieldValue", "*")
    start, size = int(params.get("from", "0")), min(int(params.get("size", "10")), MAX_SEARCH_SIZE)
    include = "deleted" if params.get("deleted") == "true" else "non-deleted"
    entities = catalog.store.list_page(entity_type, include=include, limit=1_000_000).entities
    matched = [
        entity
        for entity in entities
        if fnmatch.fnmatchcase(str(entity.data.get(field_name, "")).lower(), pattern.lower())
    ]
    hits = [
        {"_index": index, "_id": entity.id, "_score": 1.0, "_source": _source(entity)}
        for entity in matched[start : start + size]
    ]
    return {"hits": {"total": {"value": len(matched), "relation": "eq"}, "max_score": 1.0, "hits": hits}}


def _source(entity: StoredEntity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.data.get("name"),
        "fullyQualifiedName": entity.fqn,
        "entityType": entity.type,
        "deleted": entity.deleted,
    }


def add_connector_routes(router: APIRouter, catalog: Catalog) -> None:
    """Routes outside any one collection: test connection definitions, search, stored procedures."""

    @router.get("/services/testConnectionDefinitions/name/{name}")
    async def get_test_connection_definition(name: str) -> JSONResponse:
        return JSONResponse(test_connection_definition(name))

    @router.get("/search/fieldQuery")
    async def search_field_query(request: Request) -> JSONResponse:
        try:
            return JSONResponse(field_query(catalog, dict(request.query_params)))
        except ValueError:
            raise bad_request("[query params from and size must be integers]") from None

    @router.get("/storedProcedures")
    async def list_stored_procedures() -> JSONResponse:
        # Athena has no stored procedures; the connector lists them to mark removed ones deleted.
        return JSONResponse({"data": [], "paging": {"total": 0}})

    @router.get("/storedProcedures/name/{fqn:path}")
    async def get_stored_procedure(fqn: str) -> JSONResponse:
        raise not_found("storedProcedure", fqn)
