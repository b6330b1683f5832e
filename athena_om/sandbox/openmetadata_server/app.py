"""The sandbox OpenMetadata server: a FastAPI app speaking the subset of OpenMetadata's REST API athena-om uses.

State lives in ``<state_dir>/openmetadata.sqlite``; every request is appended to ``<state_dir>/requests.jsonl``.
Sandbox-only admin endpoints live under ``/_sandbox`` (request counts, faults, summary, reset).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from athena_om.sandbox.openmetadata_server import connector_routes, dbt, lineage, profiles, quality, rules, usage
from athena_om.sandbox.openmetadata_server.catalog import (
    COLLECTIONS,
    COLUMN_TEST_DEFINITIONS,
    TABLE_TEST_DEFINITIONS,
    Catalog,
    Collection,
    test_definition,
)
from athena_om.sandbox.openmetadata_server.errors import ApiError, bad_request
from athena_om.sandbox.openmetadata_server.faults import FaultConfig, FaultInjector
from athena_om.sandbox.openmetadata_server.middleware import (
    REQUEST_LOG_FILE,
    BodyRecorder,
    RequestLog,
    SandboxMiddleware,
)
from athena_om.sandbox.openmetadata_server.schema import RequestSchema, load_request_schema
from athena_om.sandbox.openmetadata_server.store import Store, StoredEntity

# The 2.0.7 ingestion client refuses a server of another major.minor; athena-om's own client takes 1.6 and newer.
OM_VERSION = "2.0.7"
OM_VERSION_ENV = "ATHENA_OM_SANDBOX_OM_VERSION"
API_PREFIX = "/api/v1"


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise bad_request(f"Unable to process JSON: {error}") from None


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"[query param {name} must be an integer]") from None


def _bool_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _include(request: Request) -> str:
    include = request.query_params.get("include", "non-deleted")
    if include not in ("all", "deleted", "non-deleted"):
        raise bad_request(f"[query param include must be one of all, deleted, non-deleted, not {include!r}]")
    return include


CHANGE_EVENT_TYPES = {"created": "entityCreated", "updated": "entityUpdated", "unchanged": "entityNoChange"}


class SandboxApi:
    """Route handlers bound to one store."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def render(self, request: Request, collection: Collection, entity: StoredEntity, fields: set[str]) -> dict:
        data = self.catalog.render(entity, fields, str(request.base_url), collection.path)
        if "usageSummary" in fields and entity.type in ("table", "databaseSchema", "database"):
            data["usageSummary"] = usage.usage_summary(self.catalog, entity.id)
        if entity.type == "table":
            if "joins" in fields:
                data["joins"] = profiles.joins_summary(self.catalog, entity)
            if "profile" in fields:
                latest = profiles.latest_profile(self.catalog, entity)
                if latest is not None:
                    data["profile"] = latest["tableProfile"]
        if entity.type == "testCase" and "testCaseResult" in fields:
            latest_result = self.catalog.store.latest_test_result(entity.fqn)
            if latest_result is not None:
                data["testCaseResult"] = latest_result
        return data

    def entity_response(
        self, request: Request, collection: Collection, data: dict[str, Any], status: int = 200, change: str = ""
    ) -> JSONResponse:
        entity = self.catalog.store.get(data["id"])
        body = self.render(request, collection, entity, {"owners", "tags"}) if entity else data
        # OpenMetadata reports what a PUT did in this header (RestUtil.CHANGE_CUSTOM_HEADER).
        headers = {"X-OpenMetadata-Change": CHANGE_EVENT_TYPES[change]} if change else None
        return JSONResponse(body, status_code=status, headers=headers)

    def add_collection_routes(self, router: APIRouter, collection: Collection) -> None:
        base = f"/{collection.path}"

        async def create_or_update(request: Request) -> JSONResponse:
            data, change = self.catalog.put(collection, await _json_body(request))
            return self.entity_response(request, collection, data, 201 if change == "created" else 200, change)

        async def create(request: Request) -> JSONResponse:
            data, change = self.catalog.put(collection, await _json_body(request), create_only=True)
            return self.entity_response(request, collection, data, 201, change)

        async def list_entities(request: Request) -> JSONResponse:
            fields = self.catalog.check_fields(collection.entity_type, request.query_params.get("fields"))
            page = self.catalog.list_page(collection, dict(request.query_params))
            paging: dict[str, Any] = {"total": page.total}
            if page.after:
                paging["after"] = page.after
            if page.before:
                paging["before"] = page.before
            data = [self.render(request, collection, entity, fields) for entity in page.entities]
            return JSONResponse({"data": data, "paging": paging})

        async def get_by_name(request: Request, fqn: str) -> JSONResponse:
            fields = self.catalog.check_fields(collection.entity_type, request.query_params.get("fields"))
            entity = self.catalog.find(collection.entity_type, fqn, _include(request))
            return JSONResponse(self.render(request, collection, entity, fields))

        async def get_by_id(request: Request, entity_id: str) -> JSONResponse:
            fields = self.catalog.check_fields(collection.entity_type, request.query_params.get("fields"))
            entity = self.catalog.find_id(collection.entity_type, entity_id, _include(request))
            return JSONResponse(self.render(request, collection, entity, fields))

        async def delete(request: Request, entity: StoredEntity) -> JSONResponse:
            hard = _bool_param(request, "hardDelete")
            data = self.catalog.delete(entity, hard=hard, recursive=_bool_param(request, "recursive"))
            body = dict(data)
            body["href"] = f"{request.base_url}api/v1/{collection.path}/{entity.id}"
            return JSONResponse(body)

        async def delete_by_name(request: Request, fqn: str) -> JSONResponse:
            include = "all" if _bool_param(request, "hardDelete") else "non-deleted"
            return await delete(request, self.catalog.find(collection.entity_type, fqn, include))

        async def delete_by_id(request: Request, entity_id: str) -> JSONResponse:
            include = "all" if _bool_param(request, "hardDelete") else "non-deleted"
            return await delete(request, self.catalog.find_id(collection.entity_type, entity_id, include))

        async def bulk_create_or_update(request: Request) -> JSONResponse:
            # ``async=true`` asks OpenMetadata to work in the background; the sandbox is quick enough to answer.
            override = _bool_param(request, "overrideMetadata")
            body = await _json_body(request)
            return JSONResponse(connector_routes.bulk_put(self.catalog, collection, body, override_metadata=override))

        async def delete_stale(request: Request) -> JSONResponse:
            return JSONResponse(connector_routes.delete_stale(self.catalog, collection, await _json_body(request)))

        router.add_api_route(base + "/bulk", bulk_create_or_update, methods=["PUT"])
        router.add_api_route(base + "/deleteStale", delete_stale, methods=["DELETE"])
        router.add_api_route(base, create_or_update, methods=["PUT"])
        router.add_api_route(base, create, methods=["POST"])
        router.add_api_route(base, list_entities, methods=["GET"])
        router.add_api_route(base + "/name/{fqn:path}", get_by_name, methods=["GET"])
        router.add_api_route(base + "/name/{fqn:path}", delete_by_name, methods=["DELETE"])
        router.add_api_route(base + "/{entity_id}", get_by_id, methods=["GET"])
        router.add_api_route(base + "/{entity_id}", delete_by_id, methods=["DELETE"])


def _collection(path: str) -> Collection:
    return next(collection for collection in COLLECTIONS if collection.path == path)


def _add_table_routes(router: APIRouter, api: SandboxApi) -> None:
    catalog = api.catalog
    tables = _collection("tables")

    @router.put("/tables/{table_id}/tableProfile")
    async def put_table_profile(request: Request, table_id: str) -> JSONResponse:
        table = catalog.find_id("table", table_id)
        profiles.add_profile(catalog, table, await _json_body(request))
        data = api.render(request, tables, table, set())
        return JSONResponse(profiles.table_with_profile(data, profiles.latest_profile(catalog, table)))

    @router.put("/tables/{table_id}/sampleData")
    async def put_sample_data(request: Request, table_id: str) -> JSONResponse:
        table = catalog.find_id("table", table_id)
        data = profiles.put_sample_data(catalog, table, await _json_body(request))
        return JSONResponse(api.render(request, tables, table, set()) | {"sampleData": data})

    @router.get("/tables/{table_id}/sampleData")
    async def get_sample_data(request: Request, table_id: str) -> JSONResponse:
        table = catalog.find_id("table", table_id)
        data = api.render(request, tables, table, set())
        return JSONResponse(data | {"sampleData": catalog.store.sample_data(table.id)})

    @router.get("/tables/{fqn:path}/tableProfile/latest")
    async def get_latest_profile(request: Request, fqn: str) -> JSONResponse:
        table = catalog.find("table", fqn)
        data = api.render(request, tables, table, set())
        return JSONResponse(profiles.table_with_profile(data, profiles.latest_profile(catalog, table)))

    @router.get("/tables/{fqn:path}/tableProfile")
    async def get_table_profiles(request: Request, fqn: str) -> JSONResponse:
        table = catalog.find("table", fqn)
        start, end = _int_param(request, "startTs", 0), _int_param(request, "endTs", 2**62)
        data = profiles.profiles_between(catalog, table, start, end)
        return JSONResponse({"data": data, "paging": {"total": len(data)}})

    @router.get("/tables/{fqn:path}/columnProfile")
    async def get_column_profiles(request: Request, fqn: str) -> JSONResponse:
        table_fqn, _, column = fqn.rpartition(".")
        table = catalog.find("table", table_fqn)
        start, end = _int_param(request, "startTs", 0), _int_param(request, "endTs", 2**62)
        data = profiles.column_profiles_between(catalog, table, column, start, end)
        return JSONResponse({"data": data, "paging": {"total": len(data)}})

    @router.put("/tables/{table_id}/joins")
    async def put_joins(request: Request, table_id: str) -> JSONResponse:
        table = catalog.find_id("table", table_id)
        profiles.add_joins(catalog, table, await _json_body(request))
        return JSONResponse(api.render(request, tables, table, {"joins"}))


def _add_lineage_routes(router: APIRouter, api: SandboxApi) -> None:
    catalog = api.catalog

    @router.put("/lineage")
    async def put_lineage(request: Request) -> JSONResponse:
        lineage.add_lineage(catalog, await _json_body(request))
        return JSONResponse({}, status_code=200)

    @router.get("/lineage/getLineageEdge/{from_id}/{to_id}")
    async def get_lineage_edge(from_id: str, to_id: str) -> JSONResponse:
        return JSONResponse(lineage.get_edge(catalog, from_id, to_id))

    @router.delete("/lineage/{from_type}/{from_id}/{to_type}/{to_id}")
    async def delete_lineage(from_type: str, from_id: str, to_type: str, to_id: str) -> JSONResponse:
        lineage.delete_edge(catalog, from_type, from_id, to_type, to_id)
        return JSONResponse({})

    @router.get("/lineage/{entity_type}/name/{fqn:path}")
    async def get_lineage_by_name(request: Request, entity_type: str, fqn: str) -> JSONResponse:
        entity = catalog.find(entity_type, fqn)
        upstream, downstream = _int_param(request, "upstreamDepth", 1), _int_param(request, "downstreamDepth", 1)
        return JSONResponse(lineage.entity_lineage(catalog, entity, upstream, downstream))

    @router.get("/lineage/{entity_type}/{entity_id}")
    async def get_lineage_by_id(request: Request, entity_type: str, entity_id: str) -> JSONResponse:
        entity = catalog.find_id(entity_type, entity_id)
        upstream, downstream = _int_param(request, "upstreamDepth", 1), _int_param(request, "downstreamDepth", 1)
        return JSONResponse(lineage.entity_lineage(catalog, entity, upstream, downstream))


def _add_usage_routes(router: APIRouter, api: SandboxApi) -> None:
    catalog = api.catalog

    def _check_type(entity_type: str) -> None:
        if entity_type not in usage.SUPPORTED_TYPES:
            raise bad_request(f"Entity type {entity_type} is not supported for usage")

    @router.post("/usage/compute.percentile/{entity_type}/{date}")
    async def compute_percentile(entity_type: str, date: str) -> JSONResponse:
        return JSONResponse(usage.compute_percentiles(catalog, entity_type, date), status_code=201)

    async def report(request: Request, entity: StoredEntity, replace: bool) -> JSONResponse:
        body = usage.report_usage(catalog, entity, await _json_body(request), replace=replace)
        return JSONResponse(body, status_code=201)

    @router.put("/usage/{entity_type}/name/{fqn:path}")
    async def put_usage_by_name(request: Request, entity_type: str, fqn: str) -> JSONResponse:
        _check_type(entity_type)
        return await report(request, catalog.find(entity_type, fqn), replace=False)

    @router.post("/usage/{entity_type}/name/{fqn:path}")
    async def post_usage_by_name(request: Request, entity_type: str, fqn: str) -> JSONResponse:
        _check_type(entity_type)
        return await report(request, catalog.find(entity_type, fqn), replace=True)

    @router.get("/usage/{entity_type}/name/{fqn:path}")
    async def get_usage_by_name(request: Request, entity_type: str, fqn: str) -> JSONResponse:
        _check_type(entity_type)
        entity = catalog.find(entity_type, fqn)
        day, days = request.query_params.get("date"), _int_param(request, "days", 1)
        return JSONResponse(usage.entity_usage(catalog, entity, day, days))

    @router.put("/usage/{entity_type}/{entity_id}")
    async def put_usage(request: Request, entity_type: str, entity_id: str) -> JSONResponse:
        _check_type(entity_type)
        return await report(request, catalog.find_id(entity_type, entity_id), replace=False)

    @router.post("/usage/{entity_type}/{entity_id}")
    async def post_usage(request: Request, entity_type: str, entity_id: str) -> JSONResponse:
        _check_type(entity_type)
        return await report(request, catalog.find_id(entity_type, entity_id), replace=True)

    @router.get("/usage/{entity_type}/{entity_id}")
    async def get_usage(request: Request, entity_type: str, entity_id: str) -> JSONResponse:
        _check_type(entity_type)
        entity = catalog.find_id(entity_type, entity_id)
        day, days = request.query_params.get("date"), _int_param(request, "days", 1)
        return JSONResponse(usage.entity_usage(catalog, entity, day, days))


def _add_quality_routes(router: APIRouter, api: SandboxApi) -> None:
    catalog = api.catalog
    suites = _collection("dataQuality/testSuites")

    async def create_basic_suite(request: Request, create_only: bool) -> JSONResponse:
        data, change = catalog.put(suites, await _json_body(request), create_only=create_only)
        status = 201 if change == "created" else 200
        return api.entity_response(request, suites, data, status, change)

    @router.post("/dataQuality/testSuites/basic")
    async def post_basic_suite(request: Request) -> JSONResponse:
        return await create_basic_suite(request, create_only=True)

    @router.put("/dataQuality/testSuites/basic")
    async def put_basic_suite(request: Request) -> JSONResponse:
        return await create_basic_suite(request, create_only=False)

    @router.post("/dataQuality/testCases/testCaseResults/{fqn:path}")
    async def post_result(request: Request, fqn: str) -> JSONResponse:
        return JSONResponse(quality.add_result(catalog, fqn, await _json_body(request)), status_code=201)

    @router.get("/dataQuality/testCases/testCaseResults/{fqn:path}")
    async def get_results(request: Request, fqn: str) -> JSONResponse:
        start, end = _int_param(request, "startTs", 0), _int_param(request, "endTs", 2**62)
        data = quality.results_between(catalog, fqn, start, end)
        return JSONResponse({"data": data, "paging": {"total": len(data)}})

    @router.get("/dataQuality/testDefinitions")
    async def list_test_definitions() -> JSONResponse:
        data = [test_definition(name) for name in (*TABLE_TEST_DEFINITIONS, *COLUMN_TEST_DEFINITIONS)]
        return JSONResponse({"data": data, "paging": {"total": len(data)}})

    @router.get("/dataQuality/testDefinitions/name/{name}")
    async def get_test_definition(name: str) -> JSONResponse:
        return JSONResponse(test_definition(name))


def _add_sandbox_routes(app: FastAPI, store: Store, faults: FaultInjector, request_log: RequestLog) -> None:
    @app.get("/_sandbox/requests")
    async def request_counts() -> JSONResponse:
        return JSONResponse(request_log.counts())

    @app.post("/_sandbox/requests/reset")
    async def reset_request_counts() -> JSONResponse:
        request_log.reset()
        return JSONResponse(request_log.counts())

    @app.get("/_sandbox/faults")
    async def get_faults() -> JSONResponse:
        return JSONResponse(faults.config.model_dump())

    @app.post("/_sandbox/faults")
    async def set_faults(request: Request) -> JSONResponse:
        config = rules.validate_body(FaultConfig, await _json_body(request))
        faults.configure(config)
        return JSONResponse(faults.config.model_dump())

    @app.get("/_sandbox/summary")
    async def summary() -> JSONResponse:
        return JSONResponse({"entities": store.count_by_type(), **store.counts()})

    @app.post("/_sandbox/reset")
    async def reset() -> JSONResponse:
        store.wipe()
        request_log.reset()
        return JSONResponse({"entities": store.count_by_type()})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(part) for part in item['loc'])} {item['msg']}" for item in error.errors()]
        return JSONResponse({"code": 400, "message": "[" + ", ".join(problems) + "]"}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        message = f"HTTP {error.status_code} {error.detail}"
        return JSONResponse({"code": error.status_code, "message": message}, status_code=error.status_code)


def create_app(
    state_dir: Path,
    faults: FaultConfig | None = None,
    jwt_token: str | None = None,
    record_bodies: bool = False,
    schema: RequestSchema | None = None,
    om_version: str | None = None,
) -> FastAPI:
    """Build the sandbox server over ``state_dir``; with ``jwt_token`` every API call needs that bearer token.

    Request bodies are checked with ``schema``, by default OpenMetadata's own models (``load_request_schema``,
    which fetches them into the cache on first use and raises ``SandboxSchemaError`` when it cannot). With
    ``record_bodies`` every JSON body sent to the API is kept in memory (``app.state.body_recorder``).
    ``om_version`` is the version ``/system/version`` reports: ``$ATHENA_OM_SANDBOX_OM_VERSION``, else 2.0.7.
    """
    state_dir = Path(state_dir)
    om_version = om_version or os.environ.get(OM_VERSION_ENV) or OM_VERSION
    schema = schema if schema is not None else load_request_schema()
    store = Store(state_dir)
    catalog = Catalog(store, schema)
    injector = FaultInjector(faults)
    request_log = RequestLog(state_dir / REQUEST_LOG_FILE)
    app = FastAPI(title="athena-om sandbox OpenMetadata", version=om_version, openapi_url=None, docs_url=None)
    app.state.store = store
    app.state.schema = schema
    app.state.faults = injector
    app.state.request_log = request_log
    app.state.body_recorder = BodyRecorder() if record_bodies else None
    api = SandboxApi(catalog)

    router = APIRouter(prefix=API_PREFIX)

    @router.get("/system/version")
    async def version() -> JSONResponse:
        return JSONResponse({"version": om_version, "revision": "sandbox", "timestamp": int(time.time() * 1000)})

    dbt.add_dbt_routes(router, catalog)  # first: its test definition reads also answer dbt's own
    _add_table_routes(router, api)
    _add_lineage_routes(router, api)
    _add_usage_routes(router, api)
    _add_quality_routes(router, api)
    connector_routes.add_connector_routes(router, catalog)
    for collection in COLLECTIONS:
        api.add_collection_routes(router, collection)
    app.include_router(router)
    _add_sandbox_routes(app, store, injector, request_log)
    _install_error_handlers(app)
    app.add_middleware(
        SandboxMiddleware,
        jwt_token=jwt_token,
        faults=injector,
        request_log=request_log,
        body_recorder=app.state.body_recorder,
    )
    return app


def close_app(app: FastAPI) -> None:
    """Close the app's database connection and request log (the server calls this on stop)."""
    app.state.request_log.close()
    app.state.store.close()


__all__ = ["OM_VERSION", "OM_VERSION_ENV", "close_app", "create_app"]
