"""Athena patches: real query executions (run in DuckDB), history, batch reads and Glue-backed metadata."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from moto.athena.models import AthenaBackend
from moto.athena.responses import AthenaResponse
from moto.glue.exceptions import DatabaseNotFoundException, TableNotFoundException
from moto.glue.models import FakeTable, GlueBackend, glue_backends
from moto.s3.models import s3_backends
from moto.s3.utils import bucket_and_name_from_url

from athena_om.sandbox.aws.athena_results import column_info, result_csv, result_rows
from athena_om.sandbox.aws.hooks import HOOKS, paginate
from athena_om.sandbox.aws.lake_tables import LakeCatalog
from athena_om.sandbox.aws.query_history import QueryRecord, records_of
from athena_om.sandbox.aws.sql_engine import SqlResult

AWS_DATA_CATALOG = "AwsDataCatalog"
# Athena bills at least 10 MB for every query that reads data.
MINIMUM_BILLED_BYTES = 10 * 1024 * 1024
_ORIGINAL: dict[str, Any] = {}


def _error(message: str, error_type: str = "InvalidRequestException") -> tuple[str, dict[str, int]]:
    return json.dumps({"__type": error_type, "Message": message}), {"status": 400}


def _page(self: AthenaResponse, items: list, default: int, maximum: int) -> tuple[list, str | None]:  # type: ignore[type-arg]
    return paginate(items, self._get_param("NextToken"), self._get_param("MaxResults"), default, maximum)


def _glue(self: AthenaResponse) -> GlueBackend:
    return glue_backends[self.current_account][self.region]


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _output_location(backend: AthenaBackend, workgroup: str, config: dict[str, Any] | None) -> str | None:
    location = (config or {}).get("OutputLocation")
    if not location and workgroup in backend.work_groups:
        wg_config = backend.work_groups[workgroup].configuration or {}
        location = (wg_config.get("ResultConfiguration") or {}).get("OutputLocation")
    return location


def _run(record: QueryRecord, backend: AthenaBackend) -> None:
    """Execute a record's SQL in DuckDB and fill in its final state, timings and results."""
    engine = HOOKS.sql_engine
    started = time.perf_counter()
    if engine is not None:
        lake = engine.lake
        if lake is None or (lake.account_id, lake.region) != (backend.account_id, backend.region_name):
            engine.attach_lake(LakeCatalog(backend.account_id, backend.region_name))
        try:
            record.result = engine.execute(record.query, record.database)
            record.state = "SUCCEEDED"
        except Exception as error:  # any engine error becomes a FAILED query, as in Athena
            record.state = "FAILED"
            record.state_change_reason = str(error).splitlines()[0][:1000]
    elapsed_ms = max(1, int((time.perf_counter() - started) * 1000))
    record.engine_ms = elapsed_ms
    record.planning_ms = elapsed_ms // 4
    record.completed = datetime.now(UTC)
    if record.result is not None:
        csv = result_csv(record.result)
        record.data_scanned_bytes = billed_bytes(record.result)
        if HOOKS.is_denied("s3:PutObject") and record.output_location:
            # Athena writes the results as the caller; without s3:PutObject the query fails, not the read.
            record.state, record.result = "FAILED", None
            record.state_change_reason = (
                f"Access denied when writing output to url: {record.output_location} . Please ensure you are "
                "allowed to access the S3 bucket."
            )
            return
        _write_result_file(record, csv, backend)


def billed_bytes(result: SqlResult) -> int:
    """DataScannedInBytes: the object bytes the statement read, at least 10 MB when it read any table."""
    if result.tables_scanned == 0:
        return result.data_scanned_bytes
    return max(MINIMUM_BILLED_BYTES, result.data_scanned_bytes)


def _write_result_file(record: QueryRecord, csv: str, backend: AthenaBackend) -> None:
    if not record.output_location:
        return
    try:
        bucket, key = bucket_and_name_from_url(record.output_location)
        s3 = s3_backends[backend.account_id][backend.partition]
        s3.put_object(bucket_name=bucket, key_name=key, value=csv.encode())  # type: ignore[arg-type]
    except Exception:
        return


def start_query_execution(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """StartQueryExecution: runs the SQL at once and records the outcome."""
    workgroup = self._get_param("WorkGroup") or "primary"
    backend = self.athena_backend
    if workgroup not in backend.work_groups:
        return _error(f"WorkGroup {workgroup} is not found.")
    context = self._get_param("QueryExecutionContext") or {}
    record = QueryRecord(
        query=self._get_param("QueryString"),
        submitted=datetime.now(UTC),
        workgroup=workgroup,
        catalog=context.get("Catalog") or AWS_DATA_CATALOG,
        database=context.get("Database"),
    )
    base = _output_location(backend, workgroup, self._get_param("ResultConfiguration"))
    if base:
        record.output_location = base.rstrip("/") + f"/{record.query_execution_id}.csv"
    records_of(backend)[record.query_execution_id] = record
    _run(record, backend)
    return json.dumps({"QueryExecutionId": record.query_execution_id})


def get_query_execution(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """GetQueryExecution from the sandbox's records."""
    exec_id = self._get_param("QueryExecutionId")
    record = records_of(self.athena_backend).get(exec_id)
    if record is None:
        return _error(f"QueryExecution {exec_id} was not found")
    return json.dumps({"QueryExecution": record.to_aws()})


def batch_get_query_execution(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """BatchGetQueryExecution: up to 50 ids; unknown ids are reported as unprocessed."""
    ids = self._get_param("QueryExecutionIds") or []
    if not 1 <= len(ids) <= 50:
        return _error("QueryExecutionIds must contain between 1 and 50 ids.")
    records = records_of(self.athena_backend)
    found, missing = [], []
    for exec_id in ids:
        if exec_id in records:
            found.append(records[exec_id].to_aws())
        else:
            missing.append(
                {
                    "QueryExecutionId": exec_id,
                    "ErrorCode": "INVALID_INPUT",
                    "ErrorMessage": f"QueryExecution {exec_id} was not found",
                }
            )
    return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing})


def list_query_executions(self: AthenaResponse) -> str:
    """ListQueryExecutions for one workgroup (default primary), newest first, 50 per page."""
    workgroup = self._get_param("WorkGroup") or "primary"
    records = [r for r in records_of(self.athena_backend).values() if r.workgroup == workgroup]
    records.sort(key=lambda r: r.submitted, reverse=True)
    page, token = _page(self, records, 50, 50)
    result: dict[str, Any] = {"QueryExecutionIds": [r.query_execution_id for r in page]}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def get_query_results(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """GetQueryResults: header row then data rows, up to 1000 per page."""
    exec_id = self._get_param("QueryExecutionId")
    record = records_of(self.athena_backend).get(exec_id)
    if record is None:
        return _error(f"QueryExecution {exec_id} was not found")
    if record.state != "SUCCEEDED":
        return _error(f"Query has not yet finished. Current state: {record.state}")
    result = record.result
    rows = result_rows(result, with_header=record.statement_type == "DML") if result else []
    page, token = _page(self, rows, 1000, 1000)
    body: dict[str, Any] = {
        "UpdateCount": 0,
        "ResultSet": {
            "Rows": page,
            "ResultSetMetadata": {"ColumnInfo": column_info(result) if result else []},
        },
    }
    if token:
        body["NextToken"] = token
    return json.dumps(body)


def stop_query_execution(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """StopQueryExecution: a query still running becomes CANCELLED."""
    exec_id = self._get_param("QueryExecutionId")
    record = records_of(self.athena_backend).get(exec_id)
    if record is None:
        return _error(f"QueryExecution {exec_id} was not found")
    if record.state in ("QUEUED", "RUNNING"):
        record.state = "CANCELLED"
        record.completed = datetime.now(UTC)
    return "{}"


def list_work_groups(self: AthenaResponse) -> str:
    """ListWorkGroups with pagination (50 per page)."""
    groups = sorted(self.athena_backend.work_groups.values(), key=lambda wg: wg.name)
    page, token = _page(self, groups, 50, 50)
    summaries = []
    for wg in page:
        created = getattr(wg, "_athena_om_created", None) or time.time()
        wg._athena_om_created = created  # keep CreationTime stable across calls
        summaries.append(
            {
                "Name": wg.name,
                "State": wg.state,
                "Description": wg.description or "",
                "CreationTime": created,
                "EngineVersion": wg.configuration.get("EngineVersion", {}),
            }
        )
    result: dict[str, Any] = {"WorkGroups": summaries}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def list_data_catalogs(self: AthenaResponse) -> str:
    """ListDataCatalogs, always starting with the account's AwsDataCatalog."""
    catalogs = [{"CatalogName": AWS_DATA_CATALOG, "Type": "GLUE"}]
    catalogs += [c for c in self.athena_backend.list_data_catalogs() if c["CatalogName"] != AWS_DATA_CATALOG]
    return json.dumps({"DataCatalogsSummary": catalogs})


def get_data_catalog(self: AthenaResponse) -> str:
    """GetDataCatalog, knowing AwsDataCatalog."""
    name = self._get_param("Name")
    if _is_aws_data_catalog(name):
        catalog = {
            "Name": AWS_DATA_CATALOG,
            "Description": "AWS Glue Data Catalog",
            "Type": "GLUE",
            "Parameters": {"catalog-id": self.current_account},
        }
        return json.dumps({"DataCatalog": catalog})
    return _ORIGINAL["get_data_catalog"](self)  # type: ignore[no-any-return]


def _is_aws_data_catalog(name: str | None) -> bool:
    # Athena matches catalog names case-insensitively; PyAthena sends "awsdatacatalog".
    return (name or "").lower() == AWS_DATA_CATALOG.lower()


def _database_summary(database: Any) -> dict[str, Any]:
    data = database.as_dict()
    return {
        "Name": data["Name"],
        "Description": data.get("Description") or "",
        "Parameters": data.get("Parameters") or {},
    }


def list_databases(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """ListDatabases; AwsDataCatalog is read from the Glue backend."""
    if not _is_aws_data_catalog(self._get_param("CatalogName")):
        return _ORIGINAL["list_databases"](self)  # type: ignore[no-any-return]
    databases = sorted(_glue(self).get_databases(), key=lambda d: d.name)
    page, token = _page(self, databases, 50, 50)
    result: dict[str, Any] = {"DatabaseList": [_database_summary(d) for d in page]}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def get_database(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """GetDatabase; AwsDataCatalog is read from the Glue backend."""
    if not _is_aws_data_catalog(self._get_param("CatalogName")):
        return _ORIGINAL["get_database"](self)  # type: ignore[no-any-return]
    name = self._get_param("DatabaseName")
    try:
        database = _glue(self).get_database(name)
    except DatabaseNotFoundException:
        return _error(f"Database {name} not found.", "MetadataException")
    return json.dumps({"Database": _database_summary(database)})


def _table_metadata(table: FakeTable) -> dict[str, Any]:
    data = table.as_dict()
    descriptor = data.get("StorageDescriptor") or {}
    serde = descriptor.get("SerdeInfo") or {}
    parameters = dict(data.get("Parameters") or {})
    # Athena folds storage details into Parameters, as its console shows them.
    for key, value in (
        ("location", descriptor.get("Location")),
        ("inputformat", descriptor.get("InputFormat")),
        ("outputformat", descriptor.get("OutputFormat")),
        ("serde.serialization.lib", serde.get("SerializationLibrary")),
    ):
        if value:
            parameters.setdefault(key, value)
    for key, value in (serde.get("Parameters") or {}).items():
        parameters.setdefault(f"serde.param.{key}", value)

    def columns(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: c[k] for k in ("Name", "Type", "Comment") if k in c} for c in items]

    metadata: dict[str, Any] = {
        "Name": table.name,
        "CreateTime": _epoch(table.created_time),
        "TableType": data.get("TableType") or "EXTERNAL_TABLE",
        "Columns": columns(descriptor.get("Columns") or []),
        "PartitionKeys": columns(data.get("PartitionKeys") or []),
        "Parameters": parameters,
    }
    if data.get("LastAccessTime"):
        metadata["LastAccessTime"] = data["LastAccessTime"]
    return metadata


def _check_access(database: str) -> tuple[str, dict[str, int]] | None:
    if database in HOOKS.denied_databases:
        return _error(f"Insufficient Lake Formation permission(s) on {database}", "AccessDeniedException")
    return None


def list_table_metadata(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """ListTableMetadata for AwsDataCatalog, backed by Glue (50 per page)."""
    if not _is_aws_data_catalog(self._get_param("CatalogName")):
        return _error(f"Catalog {self._get_param('CatalogName')} is not supported by the sandbox.")
    name = self._get_param("DatabaseName")
    if denied := _check_access(name):
        return denied
    expression = self._get_param("Expression")
    try:
        tables = _glue(self).get_tables(name, expression)
    except DatabaseNotFoundException:
        return _error(f"Database {name} not found.", "MetadataException")
    tables = sorted(tables, key=lambda t: t.name)
    page, token = _page(self, tables, 50, 50)
    result: dict[str, Any] = {"TableMetadataList": [_table_metadata(t) for t in page]}
    if token:
        result["NextToken"] = token
    return json.dumps(result)


def get_table_metadata(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    """GetTableMetadata for AwsDataCatalog, backed by Glue."""
    if not _is_aws_data_catalog(self._get_param("CatalogName")):
        return _error(f"Catalog {self._get_param('CatalogName')} is not supported by the sandbox.")
    database, name = self._get_param("DatabaseName"), self._get_param("TableName")
    if denied := _check_access(database):
        return denied
    try:
        table = _glue(self).get_table(database, name)
    except (DatabaseNotFoundException, TableNotFoundException):
        return _error(f"Table {database}.{name} not found.", "MetadataException")
    return json.dumps({"TableMetadata": _table_metadata(table)})


_PATCHES = {
    "start_query_execution": start_query_execution,
    "get_query_execution": get_query_execution,
    "batch_get_query_execution": batch_get_query_execution,
    "list_query_executions": list_query_executions,
    "get_query_results": get_query_results,
    "stop_query_execution": stop_query_execution,
    "list_work_groups": list_work_groups,
    "list_data_catalogs": list_data_catalogs,
    "get_data_catalog": get_data_catalog,
    "list_databases": list_databases,
    "get_database": get_database,
    "list_table_metadata": list_table_metadata,
    "get_table_metadata": get_table_metadata,
}


def install() -> None:
    """Replace or add moto's Athena handlers."""
    for name, handler in _PATCHES.items():
        if hasattr(AthenaResponse, name):
            _ORIGINAL.setdefault(name, getattr(AthenaResponse, name))
        setattr(AthenaResponse, name, handler)
