"""The rules a request body must follow before the sandbox looks at it: OpenMetadata's own generated models.

Each kind of body (a table create request, a lineage edge, a profile...) is checked against the model
OpenMetadata generates from its JSON schemas, fetched into the cache the first time the sandbox starts. The
server-side rules OpenMetadata enforces beyond the schema live in ``rules.py``.

``ATHENA_OM_SANDBOX_SCHEMA=client`` is the explicit opt-out for a machine without PyPI: the sandbox then checks
bodies with athena-om's own client models, which agree with the client by construction and so catch no client
bug. It says so loudly in the log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from pydantic import BaseModel

from athena_om.openmetadata import models as client_models
from athena_om.sandbox.openmetadata_server import om_models
from athena_om.sandbox.openmetadata_server import requests as sandbox_requests
from athena_om.sandbox.openmetadata_server.rules import validate_body

SCHEMA_ENV = "ATHENA_OM_SANDBOX_SCHEMA"
LOG = logging.getLogger(__name__)


class BodyKind(StrEnum):
    """What a request body is, named after the entity or record it writes."""

    DATABASE_SERVICE = "databaseService"
    DATABASE = "database"
    DATABASE_SCHEMA = "databaseSchema"
    TABLE = "table"
    CLASSIFICATION = "classification"
    TAG = "tag"
    QUERY = "query"
    USER = "user"
    TEAM = "team"
    TEST_SUITE = "testSuite"
    TEST_CASE = "testCase"
    LINEAGE = "lineage"
    USAGE = "usage"
    TABLE_JOINS = "tableJoins"
    TABLE_PROFILE = "tableProfile"
    TABLE_DATA = "tableData"
    TEST_CASE_RESULT = "testCaseResult"
    DELETE_STALE = "deleteStale"
    DATA_MODEL = "dataModel"
    TEST_DEFINITION = "testDefinition"
    TAG_LABEL = "tagLabel"
    GLOSSARY = "glossary"
    GLOSSARY_TERM = "glossaryTerm"


OPENMETADATA_MODELS: Mapping[BodyKind, om_models.ModelRef] = {
    BodyKind.DATABASE_SERVICE: om_models.CREATE_SERVICE,
    BodyKind.DATABASE: om_models.CREATE_DATABASE,
    BodyKind.DATABASE_SCHEMA: om_models.CREATE_SCHEMA,
    BodyKind.TABLE: om_models.CREATE_TABLE,
    BodyKind.CLASSIFICATION: om_models.CREATE_CLASSIFICATION,
    BodyKind.TAG: om_models.CREATE_TAG,
    BodyKind.QUERY: om_models.CREATE_QUERY,
    BodyKind.USER: om_models.CREATE_USER,
    BodyKind.TEAM: om_models.CREATE_TEAM,
    BodyKind.TEST_SUITE: om_models.CREATE_TEST_SUITE,
    BodyKind.TEST_CASE: om_models.CREATE_TEST_CASE,
    BodyKind.LINEAGE: om_models.ADD_LINEAGE,
    BodyKind.USAGE: om_models.USAGE,
    BodyKind.TABLE_JOINS: om_models.TABLE_JOINS,
    BodyKind.TABLE_PROFILE: om_models.CREATE_TABLE_PROFILE,
    BodyKind.TABLE_DATA: om_models.TABLE_DATA,
    BodyKind.TEST_CASE_RESULT: om_models.CREATE_TEST_CASE_RESULT,
    BodyKind.DELETE_STALE: om_models.BULK_DELETE_STALE,
    BodyKind.DATA_MODEL: om_models.DATA_MODEL,
    BodyKind.TEST_DEFINITION: om_models.CREATE_TEST_DEFINITION,
    BodyKind.TAG_LABEL: om_models.TAG_LABEL,
    BodyKind.GLOSSARY: om_models.CREATE_GLOSSARY,
    BodyKind.GLOSSARY_TERM: om_models.CREATE_GLOSSARY_TERM,
}

# Only for the opt-out: the models athena-om's client sends, plus the sandbox's mirrors of the rest.
CLIENT_MODELS: Mapping[BodyKind, type[BaseModel]] = {
    BodyKind.DATABASE_SERVICE: client_models.CreateDatabaseServiceRequest,
    BodyKind.DATABASE: client_models.CreateDatabaseRequest,
    BodyKind.DATABASE_SCHEMA: client_models.CreateDatabaseSchemaRequest,
    BodyKind.TABLE: client_models.CreateTableRequest,
    BodyKind.CLASSIFICATION: client_models.CreateClassificationRequest,
    BodyKind.TAG: client_models.CreateTagRequest,
    BodyKind.QUERY: client_models.CreateQueryRequest,
    BodyKind.USER: sandbox_requests.CreateUserRequest,
    BodyKind.TEAM: sandbox_requests.CreateTeamRequest,
    BodyKind.TEST_SUITE: sandbox_requests.CreateTestSuiteRequest,
    BodyKind.TEST_CASE: sandbox_requests.CreateTestCaseRequest,
    BodyKind.LINEAGE: client_models.AddLineageRequest,
    BodyKind.USAGE: client_models.UsageRequest,
    BodyKind.TABLE_JOINS: client_models.TableJoins,
    BodyKind.TABLE_PROFILE: client_models.CreateTableProfileRequest,
    BodyKind.TABLE_DATA: client_models.TableData,
    BodyKind.TEST_CASE_RESULT: sandbox_requests.TestCaseResult,
    BodyKind.DELETE_STALE: sandbox_requests.BulkDeleteStaleRequest,
    BodyKind.DATA_MODEL: client_models.DataModel,
    BodyKind.TEST_DEFINITION: client_models.CreateTestDefinitionRequest,
    BodyKind.TAG_LABEL: client_models.TagLabel,
    BodyKind.GLOSSARY: sandbox_requests.CreateGlossaryRequest,
    BodyKind.GLOSSARY_TERM: sandbox_requests.CreateGlossaryTermRequest,
}


class SandboxSchemaError(RuntimeError):
    """The sandbox cannot get the models it validates bodies with; the message says what to do."""


@dataclass(frozen=True)
class RequestSchema:
    """Checks each kind of body against one model per kind; answers the body as the sandbox should read it."""

    source: str
    models: Mapping[BodyKind, type[BaseModel]]
    normalise: bool = False

    def check(self, kind: BodyKind, body: Any) -> dict[str, Any]:
        """The body when its model accepts it; a 400 naming each bad field otherwise."""
        parsed = validate_body(self.models[kind], body)
        if self.normalise:
            # The client models fill defaults (a tag label's source, state...) OpenMetadata's require the sender
            # to give; read the body as the client would have sent it.
            return parsed.model_dump(mode="json", exclude_none=True, by_alias=True)
        if not isinstance(body, dict):  # every model here is an object, so validation already refused this
            raise TypeError(f"{kind} body is not an object")
        return body


@cache
def openmetadata_schema() -> RequestSchema:
    """OpenMetadata's generated models for every kind of body, fetched into the cache on first use."""
    try:
        om_models.install_models()
        models = {kind: ref.load() for kind, ref in OPENMETADATA_MODELS.items()}
    except (om_models.OpenMetadataModelsError, ImportError, AttributeError) as error:
        raise SandboxSchemaError(
            f"The sandbox OpenMetadata server validates request bodies with OpenMetadata's own models "
            f"(openmetadata-ingestion=={om_models.OM_INGESTION_VERSION}) and could not load them: {error} "
            f"To run without them anyway, set {SCHEMA_ENV}=client: bodies are then checked with athena-om's own "
            f"client models, which cannot catch a bug in those models."
        ) from None
    return RequestSchema(f"openmetadata-ingestion {om_models.OM_INGESTION_VERSION}", models)


def client_schema() -> RequestSchema:
    """athena-om's own client models: the explicit fallback, blind to client-model bugs."""
    return RequestSchema("athena-om client models", CLIENT_MODELS, normalise=True)


def load_request_schema() -> RequestSchema:
    """The schema the sandbox starts with: OpenMetadata's models, or the client's when ``SCHEMA_ENV=client``."""
    choice = os.environ.get(SCHEMA_ENV, "openmetadata").strip().lower()
    if choice == "client":
        LOG.warning(
            "%s=client: the sandbox OpenMetadata server checks request bodies with athena-om's OWN client models, "
            "not OpenMetadata's. A body OpenMetadata would refuse can pass here. Unset %s to validate against "
            "OpenMetadata's models.",
            SCHEMA_ENV,
            SCHEMA_ENV,
        )
        return client_schema()
    if choice != "openmetadata":
        raise SandboxSchemaError(f"{SCHEMA_ENV}={choice!r} is not a schema: use 'openmetadata' (default) or 'client'")
    return openmetadata_schema()
