"""Write operations dbt adds to a SyncBatch, and how the writer carries them out.

A table patch and a data model are addressed by table FQN (the writer resolves ids once), a test case result
by its test case's FQN. Each one that fails is reported with the table or test case it was for; the others
still go out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from athena_om.openmetadata.client import OpenMetadataError
from athena_om.openmetadata.models import CreateTestCaseResult, DataModel, JsonPatchOperation

if TYPE_CHECKING:
    from athena_om.openmetadata.writer import BatchWriter, SyncReport

JSON_PATCH = "application/json-patch+json"


@dataclass
class PatchTable:
    """A JSON Patch of one table (descriptions, tags, owners), by FQN."""

    table_fqn: str
    operations: list[JsonPatchOperation]


@dataclass
class PutDataModel:
    """The model a table is built from (dbt), by table FQN."""

    table_fqn: str
    data_model: DataModel


@dataclass
class AddTestCaseResult:
    """One result of a test case, filed under its timestamp (the same timestamp again replaces it)."""

    test_case_fqn: str
    result: CreateTestCaseResult


DbtOperation = PatchTable | PutDataModel | AddTestCaseResult


def dbt_operation_label(op: DbtOperation) -> str:
    if isinstance(op, AddTestCaseResult):
        return f"test case result {op.test_case_fqn}"
    return f"{type(op).__name__} {op.table_fqn}"


def apply_dbt_operation(writer: BatchWriter, op: DbtOperation, report: SyncReport) -> None:
    """Carry out one dbt operation, counting it as ``<Kind>.written`` or ``<Kind>.failed`` with the reason."""
    kind = type(op).__name__
    try:
        if isinstance(op, AddTestCaseResult):
            path = f"/v1/dataQuality/testCases/testCaseResults/{quote(op.test_case_fqn, safe='')}"
            writer.client.request("POST", path, json=op.result.to_body())
        else:
            table_id = writer.table_id(op.table_fqn)
            if table_id is None:
                raise LookupError(f"table {op.table_fqn} is not in OpenMetadata; sync its database first")
            if isinstance(op, PatchTable):
                body = json.dumps([operation.to_body() for operation in op.operations]).encode()
                writer.client.request("PATCH", f"/v1/tables/{table_id}", content=body, content_type=JSON_PATCH)
            else:
                writer.client.request("PUT", f"/v1/tables/{table_id}/dataModel", json=op.data_model.to_body())
    except (OpenMetadataError, LookupError) as error:
        report.counts[f"{kind}.failed"] += 1
        report.counts["failed"] += 1
        report.failures.append(f"{dbt_operation_label(op)}: {error}")
        return
    report.counts[f"{kind}.written"] += 1
