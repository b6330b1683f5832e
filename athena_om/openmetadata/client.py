"""A small, typed OpenMetadata REST client: bearer JWT, retries with backoff, bounded concurrency.

Every write is a PUT (create-or-update, one entity or a bulk chunk), which OpenMetadata treats as idempotent, so a
retried request after a timeout or a 5xx cannot create a duplicate.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import logging
import random
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from athena_om.openmetadata.bulk import (
    NO_BULK,
    BulkOperationResult,
    BulkSupport,
    Chunk,
    chunks,
    entity_fqn,
    outcomes,
)
from athena_om.openmetadata.models import (
    ColumnLineage,
    EntityList,
    JsonPatchOperation,
    LineageDetails,
    OMRequest,
    ServerVersion,
)

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# A bulk answer with one of these means the server has no bulk endpoint: PUT one by one from then on.
NO_BULK_ENDPOINT_STATUS = frozenset({404, 405})
# A bulk answer with one of these refused the whole chunk (one bad body, or too big): its bodies go one by one,
# so each fails or succeeds alone.
CHUNK_REFUSED_STATUS = frozenset({400, 413, 422})
# OpenMetadata reports what a PUT did in this header (RestUtil.CHANGE_CUSTOM_HEADER).
CHANGE_HEADER = "X-OpenMetadata-Change"

# The first release whose create requests take an `owners` list (1.6 replaced the single `owner`).
MIN_SERVER_VERSION = (1, 6)

# An authenticated call every bot may make, cheap on any server size: proves the token before real work starts.
TOKEN_CHECK_PATH = "/v1/services/databaseServices"
BODY_EXCERPT_BYTES = 200

JSON_PATCH = "application/json-patch+json"
T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)


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
        ca_certificate: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.host_port = host_port.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.has_token = bool(jwt_token)
        headers = {"Accept": "application/json", "User-Agent": "athena-om"}
        if jwt_token:
            headers["Authorization"] = f"Bearer {jwt_token}"
        self._secret = jwt_token or None
        self._http = httpx.Client(
            base_url=self.host_port,
            headers=headers,
            timeout=timeout_s,
            verify=tls_verification(self.host_port, verify_ssl, ca_certificate),
            # A redirect would carry the token to wherever the Location points; it is reported, never followed.
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=self.concurrency * 2, max_keepalive_connections=self.concurrency),
        )
        self._lock = threading.Lock()
        self.request_counts: Counter[str] = Counter()
        self._bulk: BulkSupport | None = None  # decided once per client, from the server's version

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
        content: bytes | None = None,
        content_type: str = "application/json",
    ) -> httpx.Response:
        """Send one request, retrying 429/5xx/connection errors with backoff; raise OpenMetadataError.

        ``content`` is a JSON body already encoded (a bulk chunk), sent as is, as ``content_type`` (a JSON Patch
        is ``application/json-patch+json``)."""
        headers = {"Content-Type": content_type} if content is not None else None
        attempt = 0
        while True:
            attempt += 1
            with self._lock:
                self.request_counts[method] += 1
            try:
                response = self._http.request(method, path, json=json, params=params, content=content, headers=headers)
            except httpx.DecodingError as exc:
                raise OpenMetadataError(
                    f"{method} {path}: the answer of OpenMetadata at {self.host_port} could not be decoded "
                    f"({type(exc).__name__}: {exc}).",
                    path=path,
                ) from None
            except httpx.TransportError as exc:
                if _is_certificate_error(exc):
                    raise OpenMetadataError(
                        f"{method} {path}: the TLS certificate of {self.host_port} is not trusted ({exc}); nothing "
                        "was sent to it, not even the token. If the server is yours, set workflowConfig."
                        "openMetadataServerConfig.sslConfig.caCertificate to the CA certificate that signed it "
                        "(`verifySSL: ignore` turns verification off, which lets anyone on the path read the token).",
                        path=path,
                    ) from None
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
            if response.is_redirect or 300 <= response.status_code < 400:
                location = response.headers.get("Location") or "(no Location header)"
                raise OpenMetadataError(
                    f"{method} {path}: OpenMetadata at {self.host_port} answered {response.status_code}, redirecting "
                    f"to {location}. athena-om does not follow redirects (the token would go along); set "
                    "workflowConfig.openMetadataServerConfig.hostPort to the address that serves the API itself.",
                    status=response.status_code,
                    path=path,
                )
            if response.status_code >= 400:
                raise OpenMetadataError(
                    f"{method} {path}: OpenMetadata answered {response.status_code}: "
                    f"{self._redact(_error_message(response))}",
                    status=response.status_code,
                    path=path,
                )
            return response

    def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        allow_404: bool = False,
    ) -> Any:
        """``request`` and decode the answer's JSON (None for an allowed 404); an undecodable answer is an
        OpenMetadataError naming the request, the status, the content type and the start of the body."""
        response = self.request(method, path, json=json, params=params, allow_404=allow_404)
        if response.status_code == 404 and allow_404:
            return None
        return self.decode(response, method, path)

    def decode(self, response: httpx.Response, method: str, path: str) -> Any:
        """The JSON of an answer; an OpenMetadataError (not a JSONDecodeError) when it is not JSON."""
        try:
            return response.json()
        except ValueError:
            raise self._bad_answer(response, method, path, "a body that is not JSON") from None

    def _parse(self, model: type[M], response: httpx.Response, method: str, path: str) -> M:
        payload = self.decode(response, method, path)
        try:
            return model.model_validate(payload)
        except ValidationError:
            raise self._bad_answer(response, method, path, f"JSON that is not a {model.__name__}") from None

    def _object(self, response: httpx.Response, method: str, path: str) -> dict[str, Any]:
        payload = self.decode(response, method, path)
        if not isinstance(payload, dict):
            raise self._bad_answer(response, method, path, "JSON that is not an entity object")
        return payload

    def _bad_answer(self, response: httpx.Response, method: str, path: str, what: str) -> OpenMetadataError:
        content_type = response.headers.get("Content-Type") or "none"
        excerpt = self._redact(response.content[:BODY_EXCERPT_BYTES].decode("utf-8", errors="replace"))
        hint = (
            " An HTML page usually means hostPort points at a web page or a login proxy, not OpenMetadata's API."
            if "html" in content_type.lower() or excerpt.lstrip().startswith("<")
            else ""
        )
        return OpenMetadataError(
            f"{method} {path}: OpenMetadata at {self.host_port} answered {response.status_code} with {what} "
            f"(content type {content_type}): {excerpt!r}.{hint}",
            status=response.status_code,
            path=path,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "**********") if self._secret else text

    # -- reads -----------------------------------------------------------------------------------------

    def version(self) -> ServerVersion:
        path = "/v1/system/version"
        return self._parse(ServerVersion, self.request("GET", path), "GET", path)

    def check_version(self) -> str:
        """The server's version, refusing servers older than the request bodies athena-om sends."""
        version = self.version().version
        self._bulk = BulkSupport.for_version(parse_version(version))
        if parse_version(version) < MIN_SERVER_VERSION:
            minimum = ".".join(map(str, MIN_SERVER_VERSION))
            raise OpenMetadataError(
                f"OpenMetadata at {self.host_port} is version {version}; athena-om needs {minimum} or newer "
                "(it sends `owners` lists and `sourceHash`, which older servers reject). Upgrade the server."
            )
        return version

    def check_token(self) -> None:
        """Prove the token with one cheap authenticated call; a refusal names `securityConfig.jwtToken`."""
        try:
            self.request("GET", TOKEN_CHECK_PATH, params={"limit": 1})
        except OpenMetadataError as exc:
            if exc.status not in (401, 403):
                raise
            sent = "the token" if self.has_token else "no token (securityConfig.jwtToken is empty)"
            refusal = "refused" if exc.status == 401 else "does not allow listing database services with"
            raise OpenMetadataError(
                f"OpenMetadata at {self.host_port} {refusal} {sent}: GET {TOKEN_CHECK_PATH} answered {exc.status}. "
                "Set workflowConfig.openMetadataServerConfig.securityConfig.jwtToken to the ingestion-bot's JWT "
                "(OpenMetadata: Settings > Bots > ingestion-bot).",
                status=exc.status,
                path=TOKEN_CHECK_PATH,
            ) from None

    def get_by_name(
        self, collection: str, fqn: str, *, fields: Sequence[str] = (), include: str = "non-deleted"
    ) -> dict[str, Any] | None:
        """The entity with this FQN, or None when OpenMetadata has none."""
        params: dict[str, Any] = {"include": include}
        if fields:
            params["fields"] = ",".join(fields)
        path = f"/v1/{collection}/name/{quote(fqn, safe='')}"
        response = self.request("GET", path, params=params, allow_404=True)
        return None if response.status_code == 404 else self._object(response, "GET", path)

    def list_all(
        self,
        collection: str,
        *,
        params: dict[str, Any] | None = None,
        fields: Sequence[str] = (),
        page_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Every entity of a list endpoint, following the ``after`` cursor."""
        after: str | None = None
        while True:
            page = self.list_page(collection, params=params, fields=fields, page_size=page_size, after=after)
            yield from page.data
            if not page.paging.after or not page.data:
                return
            after = page.paging.after

    def list_page(
        self,
        collection: str,
        *,
        params: dict[str, Any] | None = None,
        fields: Sequence[str] = (),
        page_size: int = 1000,
        after: str | None = None,
    ) -> EntityList:
        """One page of a list endpoint, with its paging (``total``, the ``after`` cursor)."""
        query: dict[str, Any] = {"limit": page_size, **(params or {})}
        if fields:
            query["fields"] = ",".join(fields)
        if after:
            query["after"] = after
        path = f"/v1/{collection}"
        return self._parse(EntityList, self.request("GET", path, params=query), "GET", path)

    def lineage_edge(self, from_id: str, to_id: str) -> LineageDetails | None:
        """The lineage details OpenMetadata holds on one edge, or None when there is no edge."""
        body = self.request_json("GET", f"/v1/lineage/getLineageEdge/{quote(from_id)}/{quote(to_id)}", allow_404=True)
        edge = body.get("edge", body) if isinstance(body, dict) else None
        # getLineageEdge answers {"edge": {..., "columnsLineage", "sqlQuery", "source"}} (details inline).
        raw = (edge.get("lineageDetails") or edge) if isinstance(edge, dict) else None
        if not raw or not isinstance(raw, dict):
            return None
        return LineageDetails(
            sqlQuery=raw.get("sqlQuery"),
            source=raw.get("source"),
            description=raw.get("description"),
            columnsLineage=[
                ColumnLineage(
                    fromColumns=list(c.get("fromColumns") or []), toColumn=c["toColumn"], function=c.get("function")
                )
                for c in raw.get("columnsLineage") or []
                if c.get("toColumn")
            ]
            or None,
        )

    # -- writes ----------------------------------------------------------------------------------------

    def patch(self, collection: str, entity_id: str, operations: Sequence[JsonPatchOperation]) -> dict[str, Any]:
        """Apply an RFC 6902 JSON Patch to one entity (a person's kind of edit: OpenMetadata takes it as sent);
        the entity as it now stands."""
        path = f"/v1/{collection}/{entity_id}"
        body = json.dumps([operation.to_body() for operation in operations]).encode()
        return self._object(self.request("PATCH", path, content=body, content_type=JSON_PATCH), "PATCH", path)

    def put(self, collection: str, body: OMRequest) -> WriteResult:
        """Create or update one entity."""
        path = f"/v1/{collection}"
        response = self.request("PUT", path, json=body.to_body())
        entity = self._object(response, "PUT", path)
        return WriteResult(_outcome_of(response), entity.get("fullyQualifiedName"), entity)

    def put_many(self, collection: str, bodies: Iterable[OMRequest], *, concurrently: bool = True) -> list[WriteResult]:
        """PUT many entities with bounded concurrency; a failed one is reported, never stops the rest."""

        def write(body: OMRequest) -> WriteResult:
            try:
                return self.put(collection, body)
            except OpenMetadataError as exc:
                return WriteResult(WriteOutcome.FAILED, entity_fqn(body), error=str(exc))

        if not concurrently:  # already on one of the client's threads
            return [write(body) for body in bodies]
        return self.map_concurrently(write, bodies)

    def bulk_support(self) -> BulkSupport:
        """Which writes go through ``PUT /{collection}/bulk``: decided by the server's version, read once (or
        taken from ``check_version``); a server whose version cannot be read gets single PUTs."""
        if self._bulk is None:
            try:
                self._bulk = BulkSupport.for_version(parse_version(self.version().version))
            except OpenMetadataError as exc:
                log.warning("Writing one entity per request: the OpenMetadata version could not be read (%s)", exc)
                self._bulk = NO_BULK
        return self._bulk

    def put_bulk(
        self, collection: str, bodies: Sequence[OMRequest], *, existing: set[str], override_metadata: bool = False
    ) -> list[WriteResult]:
        """Create or update entities of one parent in bulk chunks (``existing``: the names OpenMetadata held
        there before, which tells created from updated); one result per body, in order. A failed entity fails
        alone; a server without the endpoint, or refusing a whole chunk, gets that chunk as single PUTs.

        ``override_metadata`` (the workflow's ``overrideMetadata``) asks OpenMetadata to let the source's
        descriptions replace what people wrote; by default its PUT rules keep them."""

        by_name = {str(getattr(body, "name", "")): body for body in bodies}

        def write(chunk: Chunk) -> list[WriteResult]:
            return self._put_chunk(
                collection, chunk, [by_name[name] for name in chunk.names], existing, override_metadata
            )

        results: list[WriteResult] = []
        # At most `concurrency` encoded chunks in memory at once, however many entities the parent has.
        pending = chunks(bodies)
        while window := list(itertools.islice(pending, self.concurrency)):
            results += [result for group in self.map_concurrently(write, window) for result in group]
        return results

    def _put_chunk(
        self, collection: str, chunk: Chunk, bodies: list[OMRequest], existing: set[str], override_metadata: bool
    ) -> list[WriteResult]:
        if not self.bulk_support().creates:  # turned off by an earlier chunk's 404
            return self.put_many(collection, bodies, concurrently=False)
        path = f"/v1/{collection}/bulk"
        try:
            params = {"async": "false"} | ({"overrideMetadata": "true"} if override_metadata else {})
            response = self.request("PUT", path, params=params, content=chunk.payload)
            result = self._parse(BulkOperationResult, response, "PUT", path)
        except OpenMetadataError as exc:
            if exc.status in NO_BULK_ENDPOINT_STATUS:
                log.warning("OpenMetadata has no %s; writing one entity per request from now on", path)
                self._bulk = NO_BULK
                return self.put_many(collection, bodies, concurrently=False)
            if exc.status in CHUNK_REFUSED_STATUS:
                log.warning(
                    "OpenMetadata refused a bulk chunk of %d %s; writing them one by one", len(bodies), collection
                )
                return self.put_many(collection, bodies, concurrently=False)
            return [WriteResult(WriteOutcome.FAILED, entity_fqn(body), error=str(exc)) for body in bodies]
        results = []
        for body, outcome in zip(bodies, outcomes(chunk.names, result), strict=True):
            fqn = outcome.fqn or entity_fqn(body)
            if not outcome.written:
                error = f"PUT {path}: OpenMetadata refused it: {self._redact(outcome.error or 'no reason given')}"
                results.append(WriteResult(WriteOutcome.FAILED, fqn, error=error))
            else:
                created = outcome.name not in existing
                results.append(WriteResult(WriteOutcome.CREATED if created else WriteOutcome.UPDATED, fqn))
        return results

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


def tls_verification(host_port: str, verify_ssl: bool, ca_certificate: str | None) -> ssl.SSLContext | bool:
    """What httpx verifies the server with: the configured CA (a file path or PEM text), the system's trust
    store, or nothing (with a warning, since the token then goes to whoever answers)."""
    if not verify_ssl:
        if host_port.lower().startswith("https:"):
            log.warning(
                "TLS verification of OpenMetadata at %s is off (verifySSL: ignore): anyone on the network path can "
                "impersonate the server and read the bot token. Set sslConfig.caCertificate instead.",
                host_port,
            )
        return False
    if not ca_certificate:
        return True
    if ca_certificate.lstrip().startswith("-----BEGIN"):
        return ssl.create_default_context(cadata=ca_certificate)
    path = Path(ca_certificate).expanduser()
    if not path.is_file():
        raise OpenMetadataError(
            f"sslConfig.caCertificate {str(path)!r} is not a readable file; give the path of the PEM CA certificate "
            "that signed OpenMetadata's TLS certificate."
        )
    return ssl.create_default_context(cafile=str(path))


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _error_message(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        content_type = response.headers.get("Content-Type") or "none"
        excerpt = response.content[:BODY_EXCERPT_BYTES].decode("utf-8", errors="replace")
        return f"a body that is not JSON (content type {content_type}): {excerpt!r}"
    if isinstance(payload, dict):
        return str(payload.get("message") or payload.get("detail") or payload)[:1000]
    return str(payload)[:1000]
