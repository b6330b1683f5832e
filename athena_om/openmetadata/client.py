"""A small, typed OpenMetadata REST client: bearer JWT, retries with backoff, bounded concurrency.

Every write is a PUT (create-or-update), which OpenMetadata treats as idempotent, so a retried request after a
timeout or a 5xx cannot create a duplicate.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from athena_om.openmetadata.models import EntityList, OMRequest, ServerVersion

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# OpenMetadata reports what a PUT did in this header (RestUtil.CHANGE_CUSTOM_HEADER).
CHANGE_HEADER = "X-OpenMetadata-Change"

# The first release whose create requests take an `owners` list (1.6 replaced the single `owner`).
MIN_SERVER_VERSION = (1, 6)

T = TypeVar("T")
R = TypeVar("R")


class OpenMetadataError(Exception):
    """A request OpenMetadata refused or that kept failing after retries; the message is safe to show."""

    def __init__(self, message: str, *, status: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.path = path


class WriteOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    FAILED = "failed"


@dataclass
class WriteResult:
    """What one write did, for materialization metadata."""

    outcome: WriteOutcome
    fqn: str | None
    entity: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay_s: float = 0.25
    max_delay_s: float = 20.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Full-jitter exponential backoff, never shorter than the server's Retry-After."""
        backoff = random.uniform(0, min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1))))
        if retry_after is not None:
            return min(max(retry_after, backoff), self.max_delay_s * 3)
        return backoff


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _outcome_of(response: httpx.Response) -> WriteOutcome:
    change = response.headers.get(CHANGE_HEADER, "")
    if change == "entityNoChange":
        return WriteOutcome.UNCHANGED
    if change == "entityCreated" or response.status_code == 201:
        return WriteOutcome.CREATED
    return WriteOutcome.UPDATED


class OpenMetadataClient:
    """Talks to one OpenMetadata server; ``host_port`` is the API root, e.g. ``http://localhost:8585/api``."""

    def __init__(
        self,
        host_port: str,
        jwt_token: str | None = None,
        *,
        timeout_s: float = 30.0,
        concurrency: int = 8,
        retry: RetryPolicy | None = None,
        verify_ssl: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.host_port = host_port.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        headers = {"Accept": "application/json", "User-Agent": "athena-om"}
        if jwt_token:
            headers["Authorization"] = f"Bearer {jwt_token}"
        self._http = httpx.Client(
            base_url=self.host_port,
            headers=headers,
            timeout=timeout_s,
            verify=verify_ssl,
            transport=transport,
            limits=httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=self.concurrency),
        )
        self._lock = threading.Lock()
        self.request_counts: Counter[str] = Counter()

    def __repr__(self) -> str:  # never show the token
        return f"OpenMetadataClient(host_port={self.host_port!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OpenMetadataClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def ui_base_url(self) -> str:
        """The web UI root (the API root without its trailing ``/api``)."""
        return self.host_port.removesuffix("/api")

    # -- transport -------------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        allow_404: bool = False,
    ) -> httpx.Response:
        """Send one request, retrying 429/5xx/connection errors with backoff; raise OpenMetadataError."""
        attempt = 0
        while True:
            attempt += 1
            with self._lock:
                self.request_counts[method] += 1
            try:
                response = self._http.request(method, path, json=json, params=params)
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_attempts:
                    raise OpenMetadataError(
                        f"{method} {path}: cannot reach OpenMetadata at {self.host_port} after {attempt} "
                        f"attempts ({type(exc).__name__}). Check hostPort and that the server is up.",
                        path=path,
                    ) from None
                time.sleep(self.retry.delay(attempt, None))
                continue
            if response.status_code in RETRYABLE_STATUS and attempt < self.retry.max_attempts:
                delay = self.retry.delay(attempt, _retry_after_seconds(response.headers.get("Retry-After")))
                log.debug("%s %s -> %s, retrying in %.2fs", method, path, response.status_code, delay)
                time.sleep(delay)
                continue
            if response.status_code == 404 and allow_404:
                return response
            if response.status_code >= 400:
                raise OpenMetadataError(
                    f"{method} {path}: OpenMetadata answered {response.status_code}: {_error_message(response)}",
                    status=response.status_code,
                    path=path,
                )
            return response

    # -- reads -----------------------------------------------------------------------------------------

    def version(self) -> ServerVersion:
        return ServerVersion.model_validate(self.request("GET", "/v1/system/version").json())

    def check_version(self) -> str:
        """The server's version, refusing servers older than the request bodies athena-om sends."""
        version = self.version().version
        if parse_version(version) < MIN_SERVER_VERSION:
            minimum = ".".join(map(str, MIN_SERVER_VERSION))
            raise OpenMetadataError(
                f"OpenMetadata at {self.host_port} is version {version}; athena-om needs {minimum} or newer "
                "(it sends `owners` lists and `sourceHash`, which older servers reject). Upgrade the server."
            )
        return version

    def get_by_name(
        self, collection: str, fqn: str, *, fields: Sequence[str] = (), include: str = "non-deleted"
    ) -> dict[str, Any] | None:
        """The entity with this FQN, or None when OpenMetadata has none."""
        params: dict[str, Any] = {"include": include}
        if fields:
            params["fields"] = ",".join(fields)
        response = self.request("GET", f"/v1/{collection}/name/{quote(fqn, safe='')}", params=params, allow_404=True)
        return None if response.status_code == 404 else response.json()

    def list_all(
        self,
        collection: str,
        *,
        params: dict[str, Any] | None = None,
        fields: Sequence[str] = (),
        page_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Every entity of a list endpoint, following the ``after`` cursor."""
        query: dict[str, Any] = {"limit": page_size, **(params or {})}
        if fields:
            query["fields"] = ",".join(fields)
        while True:
            page = EntityList.model_validate(self.request("GET", f"/v1/{collection}", params=query).json())
            yield from page.data
            if not page.paging.after or not page.data:
                return
            query["after"] = page.paging.after

    # -- writes ----------------------------------------------------------------------------------------

    def put(self, collection: str, body: OMRequest) -> WriteResult:
        """Create or update one entity."""
        response = self.request("PUT", f"/v1/{collection}", json=body.to_body())
        entity = response.json()
        return WriteResult(_outcome_of(response), entity.get("fullyQualifiedName"), entity)

    def put_many(self, collection: str, bodies: Iterable[OMRequest]) -> list[WriteResult]:
        """PUT many entities with bounded concurrency; a failed one is reported, never stops the rest."""

        def write(body: OMRequest) -> WriteResult:
            try:
                return self.put(collection, body)
            except OpenMetadataError as exc:
                return WriteResult(WriteOutcome.FAILED, _name_of(body), error=str(exc))

        return self.map_concurrently(write, bodies)

    def soft_delete(self, collection: str, entity_id: str) -> None:
        self.request("DELETE", f"/v1/{collection}/{entity_id}", params={"hardDelete": "false"})

    def map_concurrently(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Apply ``fn`` to items on at most ``concurrency`` threads, keeping order."""
        items = list(items)
        if len(items) <= 1 or self.concurrency == 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="om-write") as pool:
            return list(pool.map(fn, items))


def parse_version(text: str) -> tuple[int, ...]:
    """(major, minor, …) of a version string like ``1.9.0`` or ``1.10.2-SNAPSHOT``; unparsable parts count as 0."""
    parts = []
    for piece in text.split("-", 1)[0].split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _name_of(body: OMRequest) -> str | None:
    return getattr(body, "name", None)


def _error_message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(payload, dict):
        return str(payload.get("message") or payload.get("detail") or payload)[:1000]
    return str(payload)[:1000]
