"""Our request models against OpenMetadata's: every field we can send exists there, every field OpenMetadata
requires is one we must send, and every enum value we can send is one OpenMetadata knows.

This catches a misspelt or removed field even when no sync happens to populate it.
"""

from __future__ import annotations

import inspect
from enum import Enum
from pathlib import Path

import pytest

from athena_om.openmetadata import models as client_models
from athena_om.openmetadata.models import OMRequest
from athena_om.sandbox.openmetadata_server import requests as sandbox_requests
from athena_om_tests.conformance.om_models import ModelRef

pytestmark = pytest.mark.conformance

TABLE = "entity.data.table"
LINEAGE = "type.entityLineage"
# Our model -> OpenMetadata's generated model with the same role.
COUNTERPARTS: dict[str, ModelRef] = {
    "EntityReference": ModelRef("type.entityReference", "EntityReference"),
    "TagLabel": ModelRef("type.tagLabel", "TagLabel"),
    "Column": ModelRef(TABLE, "Column"),
    "PartitionColumnDetails": ModelRef(TABLE, "PartitionColumnDetails"),
    "TablePartition": ModelRef(TABLE, "TablePartition"),
    "CreateDatabaseServiceRequest": ModelRef("api.services.createDatabaseService", "CreateDatabaseServiceRequest"),
    "CreateDatabaseRequest": ModelRef("api.data.createDatabase", "CreateDatabaseRequest"),
    "CreateDatabaseSchemaRequest": ModelRef("api.data.createDatabaseSchema", "CreateDatabaseSchemaRequest"),
    "CreateTableRequest": ModelRef("api.data.createTable", "CreateTableRequest"),
    "CreateClassificationRequest": ModelRef("api.classification.createClassification", "CreateClassificationRequest"),
    "CreateTagRequest": ModelRef("api.classification.createTag", "CreateTagRequest"),
    "CreateQueryRequest": ModelRef("api.data.createQuery", "CreateQueryRequest"),
    "ColumnLineage": ModelRef(LINEAGE, "ColumnLineage"),
    "LineageDetails": ModelRef(LINEAGE, "LineageDetails"),
    "EntitiesEdge": ModelRef(LINEAGE, "EntitiesEdge"),
    "AddLineageRequest": ModelRef("api.lineage.addLineage", "AddLineageRequest"),
    "UsageRequest": ModelRef("type.usageRequest", "UsageRequest"),
    "JoinedWith": ModelRef(TABLE, "JoinedWith"),
    "ColumnJoins": ModelRef(TABLE, "ColumnJoins"),
    "TableJoins": ModelRef(TABLE, "TableJoins"),
    "TableProfile": ModelRef(TABLE, "TableProfile"),
    "ColumnProfile": ModelRef(TABLE, "ColumnProfile"),
    "CreateTableProfileRequest": ModelRef("api.data.createTableProfile", "CreateTableProfileRequest"),
    "TableData": ModelRef("entity.data.table", "TableData"),
    "CreateUserRequest": ModelRef("api.teams.createUser", "CreateUserRequest"),
    "CreateTeamRequest": ModelRef("api.teams.createTeam", "CreateTeamRequest"),
    "CreateGlossaryRequest": ModelRef("api.data.createGlossary", "CreateGlossaryRequest"),
    "CreateGlossaryTermRequest": ModelRef("api.data.createGlossaryTerm", "CreateGlossaryTermRequest"),
    "CreateTestSuiteRequest": ModelRef("api.tests.createTestSuite", "CreateTestSuiteRequest"),
    "TestCaseParameterValue": ModelRef("tests.testCase", "TestCaseParameterValue"),
    "CreateTestCaseRequest": ModelRef("api.tests.createTestCase", "CreateTestCaseRequest"),
    "TestResultValue": ModelRef("tests.basic", "TestResultValue"),
    "TestCaseResult": ModelRef("tests.basic", "TestCaseResult"),
    "BulkDeleteStaleRequest": ModelRef("type.bulkDeleteStaleRequest", "BulkDeleteStaleRequest"),
    "CustomMetricProfile": ModelRef(TABLE, "CustomMetricProfile"),
    "Histogram": ModelRef(TABLE, "Histogram"),
    "DataModel": ModelRef(TABLE, "DataModel"),
    "CreateTestDefinitionRequest": ModelRef("api.tests.createTestDefinition", "CreateTestDefinitionRequest"),
    "CreateTestCaseResult": ModelRef("api.tests.createTestCaseResult", "CreateTestCaseResult"),
}
# Bodies OpenMetadata takes in a standard shape it has no generated model for.
NOT_OPENMETADATA_SCHEMAS = {
    "JsonPatchOperation": "RFC 6902 JSON Patch (PATCH /tables/{id}), checked by the sandbox's PATCH route",
}
ENUM_COUNTERPARTS: dict[str, ModelRef] = {
    "DataType": ModelRef(TABLE, "DataType"),
    "TableType": ModelRef(TABLE, "TableType"),
    "PartitionIntervalType": ModelRef(TABLE, "PartitionIntervalTypes"),
    "FileFormat": ModelRef(TABLE, "FileFormat"),
    "TagSource": ModelRef("type.tagLabel", "TagSource"),
    "LabelType": ModelRef("type.tagLabel", "LabelType"),
    "TagState": ModelRef("type.tagLabel", "State"),
    "LineageSource": ModelRef(LINEAGE, "Source"),
}


def our_request_models() -> dict[str, type[OMRequest]]:
    found = {}
    for module in (client_models, sandbox_requests):
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, OMRequest) and value.__module__ == module.__name__:
                found[name] = value
    found.pop("OMRequest", None)
    return found


@pytest.fixture(autouse=True)
def _models(om_models: Path) -> None:
    """Every test here needs OpenMetadata's models importable."""


def test_every_request_model_has_an_openmetadata_counterpart() -> None:
    assert sorted(set(our_request_models()) - set(COUNTERPARTS) - set(NOT_OPENMETADATA_SCHEMAS)) == []


@pytest.mark.parametrize("name", sorted(COUNTERPARTS))
def test_every_field_we_can_send_exists_in_openmetadata(name: str) -> None:
    ours, theirs = our_request_models()[name], COUNTERPARTS[name].load()
    their_fields = {field.alias or key for key, field in theirs.model_fields.items()} | set(theirs.model_fields)
    our_fields = {field.alias or key for key, field in ours.model_fields.items()}
    assert sorted(our_fields - their_fields) == [], f"{name} has fields OpenMetadata's {COUNTERPARTS[name]} lacks"


@pytest.mark.parametrize("name", sorted(COUNTERPARTS))
def test_every_field_openmetadata_requires_is_required_here(name: str) -> None:
    ours, theirs = our_request_models()[name], COUNTERPARTS[name].load()
    required = {field.alias or key for key, field in theirs.model_fields.items() if field.is_required()}
    ours_required = {
        field.alias or key
        for key, field in ours.model_fields.items()
        if field.is_required() or field.default is not None or field.default_factory is not None
    }
    assert sorted(required - ours_required) == [], f"{name} may leave out fields {COUNTERPARTS[name]} requires"


@pytest.mark.parametrize("name", sorted(ENUM_COUNTERPARTS))
def test_every_enum_value_we_can_send_is_one_openmetadata_knows(name: str) -> None:
    ours: type[Enum] = getattr(client_models, name)
    theirs = ENUM_COUNTERPARTS[name].load()
    assert {m.value for m in ours} - {m.value for m in theirs} == set()
