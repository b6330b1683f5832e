"""OpenMetadata's own generated models for the conformance tests: the sandbox's copy (``om_models``), by route.

Downloading and extracting the models lives in ``athena_om.sandbox.openmetadata_server.om_models``, which the
sandbox server validates every body with; this module only names the model of each route's body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from athena_om.sandbox.openmetadata_server.om_models import (
    ADD_LINEAGE,
    COLUMN,
    CREATE_CLASSIFICATION,
    CREATE_DATABASE,
    CREATE_QUERY,
    CREATE_SCHEMA,
    CREATE_SERVICE,
    CREATE_TABLE,
    CREATE_TABLE_PROFILE,
    CREATE_TAG,
    CREATE_TEAM,
    CREATE_TEST_CASE,
    CREATE_TEST_CASE_RESULT,
    CREATE_TEST_SUITE,
    CREATE_USER,
    OM_INGESTION_VERSION,
    TABLE_DATA,
    TABLE_JOINS,
    USAGE,
    ModelRef,
    install_models,
)
from athena_om.sandbox.openmetadata_server.om_models import OpenMetadataModelsError as ConformanceSetupError

SKIP_ENV = "ATHENA_OM_SKIP_CONFORMANCE"

_COLLECTIONS = {
    "services/databaseServices": CREATE_SERVICE,
    "databases": CREATE_DATABASE,
    "databaseSchemas": CREATE_SCHEMA,
    "tables": CREATE_TABLE,
    "classifications": CREATE_CLASSIFICATION,
    "tags": CREATE_TAG,
    "queries": CREATE_QUERY,
    "users": CREATE_USER,
    "teams": CREATE_TEAM,
    "dataQuality/testCases": CREATE_TEST_CASE,
}

# (method, route template as the sandbox server names it) -> the OpenMetadata model of the body.
ROUTE_MODELS: dict[tuple[str, str], ModelRef] = {
    **{("PUT", f"/api/v1/{path}"): model for path, model in _COLLECTIONS.items()},
    **{("POST", f"/api/v1/{path}"): model for path, model in _COLLECTIONS.items()},
    ("PUT", "/api/v1/lineage"): ADD_LINEAGE,
    ("POST", "/api/v1/usage/{entity_type}/{entity_id}"): USAGE,
    ("PUT", "/api/v1/usage/{entity_type}/{entity_id}"): USAGE,
    ("POST", "/api/v1/usage/{entity_type}/name/{fqn:path}"): USAGE,
    ("PUT", "/api/v1/usage/{entity_type}/name/{fqn:path}"): USAGE,
    ("PUT", "/api/v1/tables/{table_id}/joins"): TABLE_JOINS,
    ("PUT", "/api/v1/tables/{table_id}/tableProfile"): CREATE_TABLE_PROFILE,
    ("PUT", "/api/v1/tables/{table_id}/sampleData"): TABLE_DATA,
    ("PUT", "/api/v1/dataQuality/testSuites/basic"): CREATE_TEST_SUITE,
    ("POST", "/api/v1/dataQuality/testSuites/basic"): CREATE_TEST_SUITE,
    ("POST", "/api/v1/dataQuality/testCases/testCaseResults/{fqn:path}"): CREATE_TEST_CASE_RESULT,
    # OpenMetadata 2.x's bulk writes: a JSON list of the collection's create requests.
    **{("PUT", f"/api/v1/{path}/bulk"): _COLLECTIONS[path] for path in ("databases", "databaseSchemas", "tables")},
}


def conformance_problem(model: ModelRef, body: Any) -> str | None:
    """Why OpenMetadata's model rejects ``body`` (or an item of a bulk write's list), or None when it accepts it."""
    generated: type[BaseModel] = model.load()
    for item in body if isinstance(body, list) else [body]:
        try:
            generated.model_validate(item)
        except ValidationError as exc:
            return str(exc)
    return None


__all__ = [
    "ADD_LINEAGE",
    "COLUMN",
    "CREATE_CLASSIFICATION",
    "CREATE_DATABASE",
    "CREATE_QUERY",
    "CREATE_SCHEMA",
    "CREATE_SERVICE",
    "CREATE_TABLE",
    "CREATE_TAG",
    "OM_INGESTION_VERSION",
    "ROUTE_MODELS",
    "SKIP_ENV",
    "TABLE_JOINS",
    "USAGE",
    "ConformanceSetupError",
    "ModelRef",
    "conformance_problem",
    "install_models",
]
