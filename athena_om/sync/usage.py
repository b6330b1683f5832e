"""A day's table usage: read counts per table, percentiles, and frequently joined tables and columns."""

from __future__ import annotations

from athena_om.mapping.sql_lineage import (
    ParsedQuery,
)
from athena_om.mapping.usage import TableJoinCounts, daily_table_usage, table_joins, table_joins_request
from athena_om.openmetadata.batches import (
    ComputePercentiles,
    PutTableJoins,
    ReportUsage,
    SyncBatch,
)
from athena_om.sync.query_log import QueryLogDay
from athena_om.sync.snapshot import CatalogSnapshot, CatalogTable


def _known_joins(joins: TableJoinCounts, table: CatalogTable, snapshot: CatalogSnapshot) -> TableJoinCounts:
    """Join counts without columns OpenMetadata does not have (it rejects the whole body otherwise)."""
    kept = TableJoinCounts(direct_table_joins=joins.direct_table_joins)
    for column, others in joins.column_joins.items():
        if column not in table.columns:
            continue
        for (other_table, other_column), count in others.items():
            other = snapshot.get(other_table)
            if other is not None and other_column in other.columns:
                kept.column_joins[column][(other_table, other_column)] = count
    return kept


def plan_usage(log: QueryLogDay, snapshot: CatalogSnapshot) -> SyncBatch:
    """The day's read count per table (POST: re-running replaces), percentiles, then frequently-joined tables."""
    batch = SyncBatch()
    batch.known_table_ids.update(snapshot.table_ids())
    day = log.day.isoformat()
    parsed = log.parsed_executions()
    counts = daily_table_usage(parsed)
    known = {name: n for name, n in counts.items() if snapshot.get(name) is not None}
    unknown = sorted(str(name) for name in counts if name not in known)
    for name, count in sorted(known.items()):
        batch.add(ReportUsage(table_fqn=snapshot.tables[name].fqn, date=day, count=count))
    if known:
        batch.add(ComputePercentiles(date=day))
    for name, joins in sorted(table_joins(parsed).items()):
        table = snapshot.get(name)
        if table is None:
            continue
        body = table_joins_request(log.day, name, _known_joins(joins, table, snapshot), snapshot.fqn_of)
        if body.columnJoins or body.directTableJoins:
            batch.add(PutTableJoins(table_fqn=table.fqn, joins=body))
    if unknown:
        batch.warnings.append(
            f"usage of {len(unknown)} tables not in OpenMetadata was not reported: {', '.join(unknown[:20])}"
        )
    top = sorted(known.items(), key=lambda item: (-item[1], str(item[0])))[:10]
    batch.metadata.update(
        {
            "tables_with_usage": len(known),
            "tables_not_in_openmetadata": len(unknown),
            "queries_counted": sum(1 for q, r in parsed if isinstance(r, ParsedQuery)),
            "table_joins_written": sum(1 for op in batch.operations if isinstance(op, PutTableJoins)),
            "top_tables": "| table | queries |\n|---|---|\n"
            + "\n".join(f"| `{snapshot.tables[name].fqn}` | {n} |" for name, n in top),
        }
    )
    return batch
