"""Lineage edges, stored and served the way OpenMetadata's ``LineageRepository`` does.

A PUT for an edge that already exists replaces its ``lineageDetails`` (OpenMetadata upserts the relationship row
with the new JSON); merging column lineage is the client's job, as in OpenMetadata's own Python SDK.
"""

from __future__ import annotations

from typing import Any

from athena_om.sandbox.openmetadata_server.catalog import UPDATED_BY, Catalog, column_fqns, entity_ref, now_ms
from athena_om.sandbox.openmetadata_server.errors import ApiError, bad_request
from athena_om.sandbox.openmetadata_server.schema import BodyKind
from athena_om.sandbox.openmetadata_server.store import StoredEntity


def add_lineage(catalog: Catalog, body: Any) -> None:
    """Validate both ends and every column FQN, then upsert the edge."""
    edge = catalog.schema.check(BodyKind.LINEAGE, body)["edge"]
    source = catalog.resolve_ref(edge["fromEntity"])
    target = catalog.resolve_ref(edge["toEntity"])
    details = {key: value for key, value in (edge.get("lineageDetails") or {}).items() if value is not None}
    if edge.get("description") is not None and "description" not in details:
        details["description"] = edge["description"]
    _check_columns(source, target, details)
    existing = catalog.store.get_lineage(source.id, target.id)
    now = now_ms()
    details.setdefault("source", "Manual")
    details["createdAt"] = existing.get("createdAt", now) if existing else now
    details["createdBy"] = existing.get("createdBy", UPDATED_BY) if existing else UPDATED_BY
    details["updatedAt"] = now
    details["updatedBy"] = UPDATED_BY
    catalog.store.put_lineage(source.id, target.id, source.type, target.type, details)


def _check_columns(source: StoredEntity, target: StoredEntity, details: dict[str, Any]) -> None:
    lineage = details.get("columnsLineage") or []
    if not lineage:
        return
    source_columns = column_fqns(source.data.get("columns", []))
    target_columns = column_fqns(target.data.get("columns", []))
    for item in lineage:
        for column in item.get("fromColumns", []):
            if column not in source_columns:
                raise bad_request(f"Invalid column name {column}")
        if item.get("toColumn") not in target_columns:
            raise bad_request(f"Invalid column name {item.get('toColumn')}")


def get_edge(catalog: Catalog, from_id: str, to_id: str) -> dict[str, Any]:
    """``GET /lineage/getLineageEdge/{fromId}/{toId}``: the edge's details beside both references."""
    details = catalog.store.get_lineage(from_id, to_id)
    if details is None:
        raise ApiError(404, f"Lineage edge from {from_id} to {to_id} not found")
    source = catalog.store.get(from_id)
    target = catalog.store.get(to_id)
    edge = dict(details)
    edge["fromEntity"] = entity_ref(source) if source else {"id": from_id}
    edge["toEntity"] = entity_ref(target) if target else {"id": to_id}
    return {"edge": edge}


def delete_edge(catalog: Catalog, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
    catalog.find_id(from_type, from_id, include="all")
    catalog.find_id(to_type, to_id, include="all")
    if not catalog.store.delete_lineage(from_id, to_id):
        raise ApiError(404, f"Lineage edge from {from_type} {from_id} to {to_type} {to_id} not found")


def entity_lineage(catalog: Catalog, entity: StoredEntity, upstream_depth: int, downstream_depth: int) -> dict:
    """``{entity, nodes, upstreamEdges, downstreamEdges}`` walking each direction up to its depth."""
    nodes: dict[str, dict[str, Any]] = {}
    upstream = _walk(catalog, entity.id, upstream_depth, upstream=True, nodes=nodes)
    downstream = _walk(catalog, entity.id, downstream_depth, upstream=False, nodes=nodes)
    nodes.pop(entity.id, None)
    return {
        "entity": entity_ref(entity),
        "nodes": list(nodes.values()),
        "upstreamEdges": upstream,
        "downstreamEdges": downstream,
    }


def _walk(
    catalog: Catalog, start_id: str, depth: int, *, upstream: bool, nodes: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    seen_edges: set[tuple[str, str]] = set()
    frontier = [start_id]
    for _ in range(max(depth, 0)):
        next_frontier = []
        for entity_id in frontier:
            for from_id, to_id, details in catalog.store.lineage_edges(entity_id, upstream=upstream):
                if (from_id, to_id) in seen_edges:
                    continue
                seen_edges.add((from_id, to_id))
                other_id = from_id if upstream else to_id
                other = catalog.store.get(other_id)
                if other is None or other.deleted:
                    continue
                edges.append({"fromEntity": from_id, "toEntity": to_id, "lineageDetails": details})
                if other_id not in nodes:
                    nodes[other_id] = entity_ref(other)
                    next_frontier.append(other_id)
        frontier = next_frontier
    return edges
