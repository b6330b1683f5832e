"""Combine what several queries say about one lineage edge (pure)."""

from __future__ import annotations

from athena_om.openmetadata.models import ColumnLineage, LineageDetails


def merge_lineage_details(existing: LineageDetails | None, new: LineageDetails) -> LineageDetails:
    """Union of column edges (by target column) so a new query never erases what an older one found."""
    if existing is None:
        return new
    by_target: dict[str, tuple[list[str], str | None]] = {}
    for column in (existing.columnsLineage or []) + (new.columnsLineage or []):
        sources, function = by_target.get(column.toColumn, ([], None))
        by_target[column.toColumn] = (
            sources + [s for s in column.fromColumns if s not in sources],
            column.function or function,
        )
    return LineageDetails(
        sqlQuery=new.sqlQuery or existing.sqlQuery,
        source=new.source or existing.source,
        description=new.description or existing.description,
        columnsLineage=[
            ColumnLineage(fromColumns=sources, toColumn=target, function=function)
            for target, (sources, function) in sorted(by_target.items())
        ]
        or None,
    )
