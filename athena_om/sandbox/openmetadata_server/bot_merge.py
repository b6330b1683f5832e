"""What OpenMetadata keeps when a bot updates an entity with PUT: the sandbox's copy of ``EntityUpdater``'s rules.

OpenMetadata's ``EntityRepository.EntityUpdater`` guards what people wrote in the UI (or with PATCH) against the
ingestion bot's PUTs, single or bulk (``BulkImportService`` runs the same updater with ``Operation.PUT``):

- a non-empty ``description`` or ``displayName`` is kept; with ``overrideMetadata=true`` (the bulk endpoint's
  query parameter) a description is replaced by a non-empty one, never blanked;
- ``owners`` cannot be removed by a PUT: one without owners keeps the stored ones, one with owners sets them
  (``updateOwner``: "For PUT operations, ownership can't be removed");
- ``tags`` are merged: the PUT's labels plus every stored label it does not carry (``EntityUtil.mergeTags``);
- columns are matched by name and get the same rules (description, displayName, tags), nested children too;
  the PUT's column list decides which columns exist.

The sandbox's token is the ingestion bot's, so every PUT is a bot's; PATCH (a person's edit) is not merged.
"""

from __future__ import annotations

from typing import Any

Content = dict[str, Any]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def merge_tags(
    updated: list[dict[str, Any]] | None, original: list[dict[str, Any]] | None
) -> list[dict[str, Any]] | None:
    """The PUT's labels, then each stored label whose tagFQN the PUT does not carry."""
    if not original:
        return updated
    merged = list(updated or [])
    carried = {label.get("tagFQN") for label in merged}
    merged += [label for label in original if label.get("tagFQN") not in carried]
    return merged


def _keep_text(new: Content, old: Content, key: str, *, override: bool) -> None:
    if _empty(old.get(key)):
        return
    if key == "description" and override and not _empty(new.get(key)):
        return
    new[key] = old[key]


def _merge_columns(new_columns: list[Content], old_columns: list[Content], *, override: bool) -> list[Content]:
    by_name = {column.get("name"): column for column in old_columns}
    merged = []
    for column in new_columns:
        old = by_name.get(column.get("name"))
        if old is None:
            merged.append(column)
            continue
        column = dict(column)
        _keep_text(column, old, "description", override=override)
        _keep_text(column, old, "displayName", override=False)
        tags = merge_tags(column.get("tags"), old.get("tags"))
        if tags:
            column["tags"] = tags
        if column.get("children") and old.get("children"):
            column["children"] = _merge_columns(column["children"], old["children"], override=override)
        merged.append(column)
    return merged


def bot_put_content(new: Content, old: Content, *, override: bool = False) -> Content:
    """The content a bot's PUT of ``new`` leaves on an entity that held ``old``."""
    merged = dict(new)
    _keep_text(merged, old, "description", override=override)
    _keep_text(merged, old, "displayName", override=False)
    if _empty(merged.get("owners")) and not _empty(old.get("owners")):
        merged["owners"] = old["owners"]
    tags = merge_tags(merged.get("tags"), old.get("tags"))
    if tags:
        merged["tags"] = tags
    if merged.get("columns") and old.get("columns"):
        merged["columns"] = _merge_columns(merged["columns"], old["columns"], override=override)
    return merged
