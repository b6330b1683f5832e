"""An in-memory OpenMetadata behind ``httpx.MockTransport``, answering what BatchWriter asks: the version, list
under a parent, PUT of an entity and soft DELETE. The real client talks to it, so its paging, errors and request
shapes are exercised too; unit tests use it where the sandbox server would cost seconds."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import httpx

from athena_om.openmetadata.client import OpenMetadataClient, RetryPolicy

API = "http://om.test/api"
# The field of a create request naming the entity's parent; the list endpoint filters on the same name.
PARENT_FIELD = {"databases": "service", "databaseSchemas": "database", "tables": "databaseSchema"}


class FakeOpenMetadata:
    """Entities by collection; ``failing_deletes`` holds FQNs whose DELETE is answered 500."""

    def __init__(self, version: str = "1.6.0") -> None:
        self.version = version
        self.entities: dict[str, dict[str, dict[str, Any]]] = {}  # collection -> id -> entity
        self.failing_deletes: set[str] = set()
        self.calls: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def client(self) -> OpenMetadataClient:
        # One attempt: a 500 here is the answer under test, not something to wait out.
        return OpenMetadataClient(
            API, "test-token", retry=RetryPolicy(max_attempts=1), transport=httpx.MockTransport(self.handle)
        )

    def seed(self, collection: str, parent_fqn: str, *names: str) -> None:
        """Entities already in OpenMetadata under ``parent_fqn``."""
        for name in names:
            self._store(collection, {"name": name, PARENT_FIELD[collection]: parent_fqn})

    def names(self, collection: str, parent_fqn: str, *, deleted: bool = False) -> list[str]:
        return sorted(
            e["name"]
            for e in self.entities.get(collection, {}).values()
            if e["_parent"] == parent_fqn and e["deleted"] == deleted
        )

    def deletes(self) -> list[str]:
        return [path for method, path in self.calls if method == "DELETE"]

    def _store(self, collection: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        parent = body[PARENT_FIELD[collection]]
        fqn = f"{parent}.{body['name']}"
        for entity in self.entities.setdefault(collection, {}).values():
            if entity["fullyQualifiedName"] == fqn:
                entity.update(body, deleted=False)
                return entity, False
        entity = {**body, "id": str(uuid.uuid4()), "fullyQualifiedName": fqn, "_parent": parent, "deleted": False}
        self.entities[collection][entity["id"]] = entity
        return entity, True

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/api/v1/")
        with self._lock:
            self.calls.append((request.method, path))
            if path == "system/version":
                return httpx.Response(200, json={"version": self.version})
            collection, _, entity_id = path.partition("/")
            if collection not in PARENT_FIELD:
                return httpx.Response(404, json={"message": f"no such endpoint {path}"})
            if request.method == "GET" and not entity_id:
                return self._list(collection, request.url.params)
            if request.method == "PUT" and not entity_id:
                entity, created = self._store(collection, json.loads(request.content))
                return httpx.Response(201 if created else 200, json=_public(entity))
            if request.method == "DELETE" and entity_id in self.entities.get(collection, {}):
                entity = self.entities[collection][entity_id]
                if entity["fullyQualifiedName"] in self.failing_deletes:
                    return httpx.Response(500, json={"message": "database is on fire"})
                entity["deleted"] = True
                return httpx.Response(200, json=_public(entity))
            return httpx.Response(404, json={"message": f"{request.method} {path}: not found"})

    def _list(self, collection: str, params: httpx.QueryParams) -> httpx.Response:
        parent = params.get(PARENT_FIELD[collection])
        rows = [
            _public(e)
            for e in self.entities.get(collection, {}).values()
            if not e["deleted"] and (parent is None or e["_parent"] == parent)
        ]
        # Pages of `limit`, with an `after` cursor, as the real server pages.
        limit, offset = int(params.get("limit", 10)), int(params.get("after", 0))
        page = rows[offset : offset + limit]
        after = str(offset + limit) if offset + limit < len(rows) else None
        return httpx.Response(200, json={"data": page, "paging": {"after": after, "total": len(rows)}})


def _public(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if not k.startswith("_")}
