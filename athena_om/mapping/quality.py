"""Data-quality verdicts as OpenMetadata bodies: ``CreateTestCaseResult`` and ``CreateTestCaseRequest``.

Pure: no I/O. A verdict carries the measured values by OpenMetadata's names (``rowCount``, ``nullCount``,
``min``/``max`` …); the result is filed under the run's timestamp, so a re-run for the same timestamp replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from athena_om.mapping.quality_sql import QualityTestCase, Verdict
from athena_om.openmetadata.models import (
    CreateTestCaseRequest,
    CreateTestCaseResult,
    TestCaseParameterValue,
    TestCaseStatus,
    TestResultValue,
)


@dataclass(frozen=True)
class DeclaredTestCase:
    """A test case from the workflow file's ``orm-test-runner`` processor, for one table."""

    table_fqn: str
    name: str
    definition: str
    column: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()
    description: str | None = None
    # The processor's forceUpdate: replace a test case OpenMetadata already holds (else only create new ones).
    force_update: bool = False

    @property
    def fqn(self) -> str:
        # OpenMetadata files a test case under its entity: the table, or the table's column.
        entity = f"{self.table_fqn}.{self.column}" if self.column else self.table_fqn
        return f"{entity}.{self.name}"

    def as_test_case(self) -> QualityTestCase:
        return QualityTestCase(self.fqn, self.name, self.definition, self.table_fqn, self.column, self.parameters)


def test_case_result(verdict: Verdict, timestamp_ms: int) -> CreateTestCaseResult:
    """The result body of one test case for one run: status, sentence, measured values, row counts and shares."""
    total = verdict.total_rows
    passed_share = failed_share = None
    if total:
        passed_share = round(100.0 * (verdict.passed_rows or 0) / total, 4)
        failed_share = round(100.0 * (verdict.failed_rows or 0) / total, 4)
    values = list(verdict.values) or [("result", verdict.status.value)]
    return CreateTestCaseResult(
        timestamp=timestamp_ms,
        testCaseStatus=TestCaseStatus(verdict.status.value),
        result=verdict.result,
        # OpenMetadata 2.0.7 requires testResultValue; an aborted test still says what it measured (or nothing).
        testResultValue=[TestResultValue(name=name, value=value) for name, value in values],
        passedRows=verdict.passed_rows,
        failedRows=verdict.failed_rows,
        passedRowsPercentage=passed_share,
        failedRowsPercentage=failed_share,
    )


def entity_link(table_fqn: str, column: str | None = None) -> str:
    """OpenMetadata's entity link of a table (``<#E::table::fqn>``) or one of its columns."""
    if column is None:
        return f"<#E::table::{table_fqn}>"
    return f"<#E::table::{table_fqn}::columns::{column}>"


def parse_entity_link(link: str) -> tuple[str, str | None] | None:
    """(table FQN, column or None) of a table entity link; None for a link to anything else."""
    text = link.strip()
    if not (text.startswith("<#E::") and text.endswith(">")):
        return None
    parts = text[len("<#E::") : -1].split("::")
    if len(parts) < 2 or parts[0] != "table":
        return None
    table_fqn = parts[1]
    if len(parts) >= 4 and parts[2] == "columns":
        return table_fqn, "::".join(parts[3:])
    return table_fqn, None


def test_case_request(
    name: str,
    definition: str,
    table_fqn: str,
    column: str | None,
    parameters: Sequence[tuple[str, str]],
    description: str | None = None,
) -> CreateTestCaseRequest:
    """Create-or-update body of a test case declared in the workflow file (OpenMetadata files it under the
    table's basic test suite)."""
    return CreateTestCaseRequest(
        name=name,
        testDefinition=definition,
        entityLink=entity_link(table_fqn, column),
        description=description,
        parameterValues=[TestCaseParameterValue(name=key, value=value) for key, value in parameters] or None,
    )


def test_case_from_entity(entity: Mapping[str, Any]) -> QualityTestCase | str:
    """A test case read from OpenMetadata, or why it cannot be run (the message names the test case)."""
    fqn = str(entity.get("fullyQualifiedName") or entity.get("name") or "?")
    link = parse_entity_link(str(entity.get("entityLink") or ""))
    if link is None:
        return f"{fqn}: entityLink {entity.get('entityLink')!r} does not point at a table or column"
    definition = entity.get("testDefinition")
    definition_name = (
        (definition.get("name") or definition.get("fullyQualifiedName")) if isinstance(definition, dict) else definition
    )
    if not definition_name:
        return f"{fqn}: the test case names no testDefinition"
    table_fqn, column = link
    parameters = tuple(
        (str(p.get("name")), "" if p.get("value") is None else str(p.get("value")))
        for p in entity.get("parameterValues") or []
        if p.get("name")
    )
    return QualityTestCase(
        fqn=fqn,
        name=str(entity.get("name") or fqn),
        definition=str(definition_name),
        table_fqn=table_fqn,
        column=column,
        parameters=parameters,
    )


__all__ = [
    "DeclaredTestCase",
    "entity_link",
    "parse_entity_link",
    "test_case_from_entity",
    "test_case_request",
    "test_case_result",
]
