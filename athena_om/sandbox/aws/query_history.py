"""Athena query executions as the sandbox stores them, with real times, states and statistics."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.athena.models import AthenaBackend, athena_backends

from athena_om.sandbox.aws.sql_engine import SqlResult

_DDL_PREFIXES = ("ALTER", "CREATE", "DROP", "MSCK")
_UTILITY_PREFIXES = ("SHOW", "EXPLAIN", "DESCRIBE", "USE")
_LEADING_COMMENTS = re.compile(r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*", re.DOTALL)


def statement_type_of(sql: str) -> str:
    """Classify a statement as Athena does: DDL, DML or UTILITY."""
    head = _LEADING_COMMENTS.sub("", sql).lstrip("( \n\t").upper()
    # CTAS and CREATE VIEW are DDL in Athena; UNLOAD, INSERT, MERGE and SELECT are DML.
    if head.startswith(_DDL_PREFIXES):
        return "DDL"
    if head.startswith(_UTILITY_PREFIXES):
        return "UTILITY"
    return "DML"


@dataclass
class QueryRecord:
    """One Athena query execution with the fields GetQueryExecution returns."""

    query: str
    submitted: datetime
    completed: datetime | None = None
    state: str = "SUCCEEDED"
    state_change_reason: str | None = None
    workgroup: str = "primary"
    catalog: str = "AwsDataCatalog"
    database: str | None = None
    output_location: str | None = None
    statement_type: str | None = None
    engine_ms: int = 0
    queue_ms: int = 0
    planning_ms: int = 0
    data_scanned_bytes: int = 0
    query_execution_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    error_category: int | None = None
    error_type: int | None = None
    result: SqlResult | None = None

    def __post_init__(self) -> None:
        if self.statement_type is None:
            self.statement_type = statement_type_of(self.query)
        if self.submitted.tzinfo is None:
            self.submitted = self.submitted.replace(tzinfo=UTC)
        if self.completed is not None and self.completed.tzinfo is None:
            self.completed = self.completed.replace(tzinfo=UTC)

    @property
    def total_ms(self) -> int:
        """Wall time from submission to completion."""
        if self.completed is None:
            return 0
        return max(0, int((self.completed - self.submitted).total_seconds() * 1000))

    def to_aws(self) -> dict[str, Any]:
        """The QueryExecution structure as Athena's JSON API returns it (epoch-second timestamps)."""
        status: dict[str, Any] = {
            "State": self.state,
            "SubmissionDateTime": self.submitted.timestamp(),
        }
        if self.completed is not None:
            status["CompletionDateTime"] = self.completed.timestamp()
        if self.state_change_reason:
            status["StateChangeReason"] = self.state_change_reason
        if self.state == "FAILED":
            status["AthenaError"] = {
                "ErrorCategory": self.error_category or 2,
                "ErrorType": self.error_type or 1006,
                "Retryable": False,
                "ErrorMessage": self.state_change_reason or "",
            }
        context: dict[str, str] = {"Catalog": self.catalog}
        if self.database:
            context["Database"] = self.database
        total = self.total_ms
        service_ms = max(0, total - self.engine_ms - self.queue_ms)
        execution: dict[str, Any] = {
            "QueryExecutionId": self.query_execution_id,
            "Query": self.query,
            "StatementType": self.statement_type,
            "ResultConfiguration": ({"OutputLocation": self.output_location} if self.output_location else {}),
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": context,
            "Status": status,
            "Statistics": {
                "EngineExecutionTimeInMillis": self.engine_ms,
                "DataScannedInBytes": self.data_scanned_bytes,
                "TotalExecutionTimeInMillis": total,
                "QueryQueueTimeInMillis": self.queue_ms,
                "ServicePreProcessingTimeInMillis": service_ms // 2,
                "QueryPlanningTimeInMillis": self.planning_ms,
                "ServiceProcessingTimeInMillis": service_ms - service_ms // 2,
                "ResultReuseInformation": {"ReusedPreviousResult": False},
            },
            "WorkGroup": self.workgroup,
            "EngineVersion": {
                "SelectedEngineVersion": "AUTO",
                "EffectiveEngineVersion": "Athena engine version 3",
            },
        }
        return execution


def records_of(backend: AthenaBackend) -> dict[str, QueryRecord]:
    """The sandbox's query executions for one Athena backend (account and region), in insertion order."""
    records: dict[str, QueryRecord] | None = getattr(backend, "_athena_om_records", None)
    if records is None:
        records = {}
        # Stored on the backend so moto's reset (which replaces backends) also clears the history.
        backend._athena_om_records = records  # type: ignore[attr-defined]
    return records


def add_query_executions(
    records: Iterable[QueryRecord],
    account_id: str = "123456789012",
    region: str = "us-east-1",
) -> list[str]:
    """Insert historical query executions into the in-process Athena backend; returns their ids."""
    backend = athena_backends[account_id][region]
    store = records_of(backend)
    ids = []
    for record in records:
        store[record.query_execution_id] = record
        ids.append(record.query_execution_id)
    return ids
