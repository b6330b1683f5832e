"""OpenMetadata's bulk create-or-update (``PUT /v1/{collection}/bulk``): which servers take it, how bodies are cut
into chunks, and how a ``BulkOperationResult`` is read back into one outcome per entity. Pure: no I/O.

What the server does (OpenMetadata 2.0, ``BulkImportService.bulkCreateOrUpdateEntitiesSequential``): entities it
does not hold are created; the others go through the same ``EntityUpdater`` a single PUT uses, with
``overrideMetadata`` off unless asked, so a bot's update keeps user-written descriptions, owners and tags as a PUT
does. Every success is reported with status 200 and the entity's FQN, created or updated alike, so the caller
tells the two apart by what it listed under the parent before writing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from athena_om.mapping.fqn import quote_name, split_fqn
from athena_om.openmetadata.models import OMRequest

# The first release whose entity resources answer PUT /{collection}/bulk (OpenMetadata pull request 24262,
# merged on main in November 2025, after the 1.10 branch: released in 1.11.0).
BULK_CREATE_MIN_VERSION = (1, 11)
# The first release whose bulk update path was read and found to keep a bot PUT's merge rules (2.0's
# BulkImportService: the PUT EntityUpdater, overrideMetadata off by default). Older bulk servers get updates as
# single PUTs, whose merge rules are known.
BULK_UPDATE_MIN_VERSION = (2, 0)
# What one bulk body may hold: OpenMetadata's own ingestion sink sends at most 100 entities per call.
MAX_ENTITIES = 100
MAX_BYTES = 4 * 2**20  # 4 MiB: well under the usual 10 MiB reverse-proxy body limits


@dataclass(frozen=True)
class BulkSupport:
    """Which writes go through the bulk endpoint on this server."""

    creates: bool
    updates: bool

    @classmethod
    def for_version(cls, version: tuple[int, ...]) -> BulkSupport:
        return cls(creates=version >= BULK_CREATE_MIN_VERSION, updates=version >= BULK_UPDATE_MIN_VERSION)


NO_BULK = BulkSupport(creates=False, updates=False)


class BulkResponse(BaseModel):
    """One row of a BulkOperationResult: the request (an FQN, or the body on some servers), status, message."""

    model_config = ConfigDict(extra="ignore")

    request: Any = None
    message: str | None = None
    status: int | None = None


class BulkOperationResult(BaseModel):
    """OpenMetadata's ``type/bulkOperationResult.json``, the fields athena-om reads."""

    model_config = ConfigDict(extra="ignore")

    status: str | None = None
    numberOfRowsProcessed: int = 0
    numberOfRowsPassed: int = 0
    numberOfRowsFailed: int = 0
    successRequest: list[BulkResponse] | None = Field(default=None)
    failedRequest: list[BulkResponse] | None = Field(default=None)


@dataclass(frozen=True)
class Chunk:
    """Bodies for one bulk call: their names, and the JSON array already encoded."""

    names: list[str]
    payload: bytes


def chunks(
    bodies: Iterable[OMRequest], *, max_entities: int = MAX_ENTITIES, max_bytes: int = MAX_BYTES
) -> Iterator[Chunk]:
    """Cut bodies into JSON arrays of at most ``max_entities`` entities and ``max_bytes`` bytes (a body larger
    than ``max_bytes`` goes alone). Each body is encoded once; the chunk is sent as those bytes."""
    names: list[str] = []
    parts: list[bytes] = []
    size = 1  # "[", then each part with the "," or "]" after it
    for body in bodies:
        encoded = json.dumps(body.to_body(), separators=(",", ":"), ensure_ascii=False).encode()
        if parts and (len(parts) >= max_entities or size + len(encoded) + 1 > max_bytes):
            yield Chunk(names, b"[" + b",".join(parts) + b"]")
            names, parts, size = [], [], 1
        names.append(str(getattr(body, "name", "")))
        parts.append(encoded)
        size += len(encoded) + 1
    if parts:
        yield Chunk(names, b"[" + b",".join(parts) + b"]")


# The field of a create request naming its parent, by collection: the parent's FQN.
PARENT_FIELDS = ("databaseSchema", "database", "service")


def entity_fqn(body: OMRequest) -> str | None:
    """The FQN OpenMetadata gives the entity a create request makes: its parent's FQN, then its quoted name."""
    name = getattr(body, "name", None)
    for field in PARENT_FIELDS:
        parent = getattr(body, field, None)
        if isinstance(parent, str) and parent and isinstance(name, str):
            return f"{parent}.{quote_name(name)}"
    return name if isinstance(name, str) else None


def _name_in(request: Any) -> str | None:
    """The entity name a result row is about: the last part of an FQN, or the ``name`` of an echoed body."""
    if isinstance(request, Mapping):
        name = request.get("name")
        if isinstance(name, str):
            return name
        request = request.get("fullyQualifiedName")
    if isinstance(request, str) and request:
        try:
            return split_fqn(request)[-1]
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class EntityOutcome:
    """What the bulk call did to one entity: written (True) or failed, with the server's reason."""

    name: str
    fqn: str | None
    written: bool
    error: str | None = None


def outcomes(chunk_names: list[str], result: BulkOperationResult) -> list[EntityOutcome]:
    """One outcome per name sent, in order, from the result's success and failure rows.

    A name in neither list counts as written when the server reported no failure it could not attribute, and
    as failed otherwise (never silently written).
    """
    succeeded: dict[str, str | None] = {}
    for row in result.successRequest or []:
        name = _name_in(row.request)
        if name is not None:
            succeeded[name] = row.request if isinstance(row.request, str) else None
    failed: dict[str, str] = {}
    unattributed: list[str] = []
    for row in result.failedRequest or []:
        reason = row.message or f"status {row.status}"
        name = _name_in(row.request)
        if name is None:
            unattributed.append(reason)
        else:
            failed[name] = f"{reason} (status {row.status})" if row.status else reason
    out = []
    for name in chunk_names:
        if name in failed:
            out.append(EntityOutcome(name, None, written=False, error=failed[name]))
        elif name in succeeded or not unattributed:
            out.append(EntityOutcome(name, succeeded.get(name), written=True))
        else:
            reason = "; ".join(unattributed[:3])
            out.append(
                EntityOutcome(
                    name, None, written=False, error=f"not confirmed by the bulk answer, which failed: {reason}"
                )
            )
    return out
