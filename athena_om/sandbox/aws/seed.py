"""Seed the sandbox in-process: the demo lake, large synthetic catalogs and histories, hostile cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from athena_om.sandbox.aws.demo_data import demo_select_sql, row_count
from athena_om.sandbox.aws.demo_history import demo_query_history
from athena_om.sandbox.aws.demo_lake import (
    BUCKET,
    DEMO_DATABASES,
    DEMO_TABLES,
    LF_TAG_KEYS,
    RESULTS_BUCKET,
    RESULTS_LOCATION,
    TableSpec,
)
from athena_om.sandbox.aws.demo_objects import demo_objects, stored_as_objects
from athena_om.sandbox.aws.glue_tables import partition_input, table_input
from athena_om.sandbox.aws.hostile import seed_hostile_tables
from athena_om.sandbox.aws.lake_tables import LakeCatalog
from athena_om.sandbox.aws.query_history import add_query_executions
from athena_om.sandbox.aws.synthetic import seed_synthetic_catalog, seed_synthetic_query_history

if TYPE_CHECKING:
    from athena_om.sandbox.aws.server import AwsSandbox

__all__ = [
    "DemoLakeSummary",
    "ensure_bucket",
    "ensure_lf_tag",
    "seed_demo_lake",
    "seed_hostile_tables",
    "seed_synthetic_catalog",
    "seed_synthetic_query_history",
]

EXPORTS_BUCKET = "athena-om-demo-exports"


@dataclass(frozen=True)
class DemoLakeSummary:
    """What seed_demo_lake created."""

    databases: int
    tables: int
    partitions: int
    rows: int
    queries: int


def ensure_bucket(sandbox: AwsSandbox, name: str) -> None:
    """Create an S3 bucket in the sandbox unless it exists."""
    if name not in sandbox.s3.buckets:
        sandbox.s3.create_bucket(name, sandbox.region)


def ensure_lf_tag(sandbox: AwsSandbox, key: str, values: list[str]) -> None:
    """Define an LF-tag key with its allowed values."""
    sandbox.lakeformation.create_lf_tag(sandbox.account_id, key, values)


def lf_tags(sandbox: AwsSandbox, tags: dict[str, list[str]]) -> list[dict[str, Any]]:
    """LFTag structures for a {key: values} mapping."""
    return [{"CatalogId": sandbox.account_id, "TagKey": k, "TagValues": v} for k, v in tags.items()]


def _assign(sandbox: AwsSandbox, resource: dict[str, Any], tags: dict[str, list[str]]) -> None:
    if tags:
        failures = sandbox.lakeformation.add_lf_tags_to_resource(sandbox.account_id, resource, lf_tags(sandbox, tags))
        if failures:
            raise ValueError(f"LF-tag assignment failed for {resource}: {failures}")


def _seed_workgroups(sandbox: AwsSandbox) -> None:
    athena = sandbox.athena
    athena.work_groups["primary"].configuration["ResultConfiguration"] = {
        "OutputLocation": f"{RESULTS_LOCATION}primary/"
    }
    athena.create_work_group(
        name="etl",
        configuration={"ResultConfiguration": {"OutputLocation": f"{RESULTS_LOCATION}etl/"}},
        description="Scheduled ETL: CTAS, INSERT, MERGE and UNLOAD jobs",
        tags=[],
    )


def _seed_table(sandbox: AwsSandbox, spec: TableSpec) -> tuple[int, int]:
    """Create one demo table in Glue, its rows in S3 objects (ORC's in DuckDB); returns (partitions, rows)."""
    sandbox.glue.create_table(spec.database, spec.name, table_input(spec))
    if spec.partitions:
        sandbox.glue.batch_create_partition(
            spec.database, spec.name, [partition_input(spec, values) for values in spec.partitions]
        )
    _assign(sandbox, {"Table": {"DatabaseName": spec.database, "Name": spec.name}}, spec.lf_tags)
    for column, tags in spec.column_lf_tags.items():
        resource = {"TableWithColumns": {"DatabaseName": spec.database, "Name": spec.name, "ColumnNames": [column]}}
        _assign(sandbox, resource, tags)
    if spec.is_view:
        return 0, 0
    if stored_as_objects(spec):
        for key, body in demo_objects(spec):
            sandbox.s3.put_object(BUCKET, key, body)
    else:
        # The sandbox has no ORC writer: these rows live in DuckDB, where queries find them by name.
        sandbox.sql_engine.create_table_as(spec.database, spec.name, demo_select_sql(spec))
    return len(spec.partitions), row_count(spec)


def seed_demo_lake(
    sandbox: AwsSandbox, now: datetime | None = None, history_days: int = 35, seed: int = 7
) -> DemoLakeSummary:
    """Seed the demo lake (Glue, LF-tags, rows in S3 objects, workgroups, S3 buckets, query history) once."""
    sandbox.sql_engine.attach_lake(LakeCatalog(sandbox.account_id, sandbox.region))
    for bucket in (BUCKET, RESULTS_BUCKET, EXPORTS_BUCKET):
        ensure_bucket(sandbox, bucket)
    _seed_workgroups(sandbox)
    for key, values in LF_TAG_KEYS.items():
        ensure_lf_tag(sandbox, key, values)
    for db in DEMO_DATABASES:
        sandbox.glue.create_database(
            db.name, {"Name": db.name, "Description": db.description, "LocationUri": db.location_uri}
        )
        _assign(sandbox, {"Database": {"Name": db.name}}, db.lf_tags)
    partitions = rows = 0
    for spec in DEMO_TABLES:
        added_partitions, added_rows = _seed_table(sandbox, spec)
        partitions += added_partitions
        rows += added_rows
    for spec in DEMO_TABLES:
        if spec.is_view and spec.view_sql:
            # Views are created after their base tables exist.
            sandbox.sql_engine.create_view(spec.database, spec.name, spec.view_sql)
    history = demo_query_history(now=now, days=history_days, seed=seed)
    add_query_executions(history, sandbox.account_id, sandbox.region)
    return DemoLakeSummary(len(DEMO_DATABASES), len(DEMO_TABLES), partitions, rows, len(history))
