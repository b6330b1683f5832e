"""Write operations dbt adds to a SyncBatch, and how the writer carries them out.

A table patch and a data model are addressed by table FQN (the writer resolves ids once), a test case result
by its test case's FQN. Each one that fails is reported with the table or test case it was for; the others
still go out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.openmetadata.models import CreateTestCaseResult, DataModel, JsonPatchOperation


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


def apply_dbt_operation(
    client: OpenMetadataClient, table_id: Callable[[str], str | None], op: DbtOperation
) -> str | None:
    """Carry out one dbt operation; the reason it failed, or None when OpenMetadata took it."""
    try:
        if isinstance(op, AddTestCaseResult):
            path = f"/v1/dataQuality/testCases/testCaseResults/{quote(op.test_case_fqn, safe='')}"
            client.request("POST", path, json=op.result.to_body())
            return None
        found = table_id(op.table_fqn)
        if found is None:
            raise LookupError(f"table {op.table_fqn} is not in OpenMetadata; sync its database first")
        if isinstance(op, PatchTable):
            client.patch("tables", found, op.operations)
        else:
            client.request("PUT", f"/v1/tables/{found}/dataModel", json=op.data_model.to_body())
    except (OpenMetadataError, LookupError) as error:
        return str(error)
    return None
