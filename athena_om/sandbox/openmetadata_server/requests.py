"""Request bodies the shared client models (``athena_om.openmetadata.models``) do not define yet.

They mirror OpenMetadata's generated schemas (``api/teams/createUser``, ``api/teams/createTeam``,
``api/tests/createTestSuite``, ``api/tests/createTestCase``, ``tests/basic``) for the fields athena-om sends,
and forbid unknown fields like the shared models do.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from athena_om.openmetadata.models import EntityReference, OMRequest, TagLabel

# OpenMetadata's basic.email pattern, simplified: something@domain.tld without spaces.
EMAIL_PATTERN = r"^[^\s@]+@[^\s@]+\.[^\s@]+$"


class TeamType(StrEnum):
    GROUP = "Group"
    DEPARTMENT = "Department"
    DIVISION = "Division"
    BUSINESS_UNIT = "BusinessUnit"
    ORGANIZATION = "Organization"


class CreateUserRequest(OMRequest):
    name: str
    email: str = Field(pattern=EMAIL_PATTERN, max_length=127)
    displayName: str | None = None
    description: str | None = None
    isBot: bool = False
    isAdmin: bool | None = None
    timezone: str | None = None
    teams: list[str] | None = None


class CreateTeamRequest(OMRequest):
    name: str
    teamType: TeamType = TeamType.GROUP
    displayName: str | None = None
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=127)
    description: str | None = None
    users: list[str] | None = None
    owners: list[EntityReference] | None = None


class CreateTestSuiteRequest(OMRequest):
    name: str
    displayName: str | None = None
    description: str | None = None
    owners: list[EntityReference] | None = None
    basicEntityReference: str | None = None
    tags: list[TagLabel] | None = None


class TestCaseParameterValue(OMRequest):
    name: str | None = None
    value: str | None = None


class CreateTestCaseRequest(OMRequest):
    name: str
    testDefinition: str
    entityLink: str
    description: str | None = None
    displayName: str | None = None
    parameterValues: list[TestCaseParameterValue] | None = None
    owners: list[EntityReference] | None = None
    computePassedFailedRowCount: bool | None = None
    useDynamicAssertion: bool | None = None
    tags: list[TagLabel] | None = None


class TestCaseStatus(StrEnum):
    SUCCESS = "Success"
    FAILED = "Failed"
    ABORTED = "Aborted"
    QUEUED = "Queued"


class TestResultValue(OMRequest):
    name: str | None = None
    value: str | None = None
    predictedValue: str | None = None


class TestCaseResult(OMRequest):
    timestamp: int
    testCaseStatus: TestCaseStatus | None = None
    result: str | None = None
    sampleData: str | None = None
    testResultValue: list[TestResultValue] | None = None
    passedRows: int | None = None
    failedRows: int | None = None
    passedRowsPercentage: float | None = None
    failedRowsPercentage: float | None = None
    maxBound: float | None = None
    minBound: float | None = None


class BulkDeleteStaleRequest(OMRequest):
    scopeFqn: str
    scopeEntityType: str
    seenFqns: list[str]
    dryRun: bool | None = False
    hardDelete: bool | None = False
    recursive: bool | None = True


class CreateGlossaryRequest(OMRequest):
    name: str
    displayName: str | None = None
    description: str
    owners: list[EntityReference] | None = None
    tags: list[TagLabel] | None = None
    mutuallyExclusive: bool = False


class CreateGlossaryTermRequest(OMRequest):
    glossary: str
    parent: str | None = None
    name: str
    displayName: str | None = None
    description: str
    synonyms: list[str] | None = None
    owners: list[EntityReference] | None = None
    tags: list[TagLabel] | None = None
