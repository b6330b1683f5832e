"""ASGI middleware for the sandbox server: bearer auth, fault injection and the request log.

Written as plain ASGI (not ``BaseHTTPMiddleware``) to keep a request's overhead in microseconds.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from athena_om.sandbox.openmetadata_server.faults import Fault, FaultInjector

REQUEST_LOG_FILE = "requests.jsonl"
# Paths OpenMetadata serves without a token.
UNAUTHENTICATED_PATHS = frozenset({"/api/v1/system/version"})


class RequestLog:
    """Counts requests by method and route template, and appends one JSON line per request to a file.

    Only method, path, query, route, status and duration are written; headers (and so tokens) never are.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._file = path.open("a", encoding="utf-8")

    def record(self, method: str, path: str, query: str, route: str, status: int, ms: float) -> None:
        line = json.dumps(
            {
                "ts": round(time.time(), 3),
                "method": method,
                "path": path,
                "query": query,
                "route": route,
                "status": status,
                "ms": round(ms, 3),
            }
        )
        with self._lock:
            if path.startswith("/api/"):
                self._counts[f"{method} {route}"] += 1
            self._file.write(line + "\n")
            self._file.flush()

    def counts(self) -> dict[str, Any]:
        with self._lock:
            return {"total": sum(self._counts.values()), "byRoute": dict(sorted(self._counts.items()))}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def close(self) -> None:
        with self._lock:
            self._file.close()


@dataclass(frozen=True)
class RecordedBody:
    """One request body the server received: what conformance tests validate against OpenMetadata's models."""

    method: str
    path: str
    route: str
    status: int
    body: Any


class BodyRecorder:
    """Keeps every JSON request body that reached the API, in memory (opt-in: tests only, never tokens)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bodies: list[RecordedBody] = []

    def record(self, method: str, path: str, route: str, status: int, raw: bytes) -> None:
        if not raw:
            return
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = raw.decode("utf-8", errors="replace")
        with self._lock:
            self._bodies.append(RecordedBody(method, path, route, status, body))

    def bodies(self) -> list[RecordedBody]:
        with self._lock:
            return list(self._bodies)

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()


async def _send_json(send: Any, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(key.lower().encode(), value.encode()) for key, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


class InjectedDisconnect(Exception):
    """Raised mid-answer so the ASGI server drops the connection, as a crashed proxy or server would."""


async def _send_fault(send: Any, fault: Fault) -> None:
    """Answer with the failure ``fault`` describes (anything but ``hang``, which sends the app's own answer)."""
    status = fault.status or 500
    if fault.answer == "error":
        retry = {"Retry-After": str(fault.retry_after_seconds)} if fault.retry_after_seconds is not None else {}
        await _send_json(send, status, {"code": status, "message": f"Injected fault: HTTP {status}"}, retry)
        return
    if fault.answer == "html":
        payload = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Injected fault</body></html>"
        content_type = b"text/html; charset=utf-8"
    else:  # broken_json and disconnect: a JSON answer cut short
        payload = b'{"id": "injected-fault", "name": "cut sh'
        content_type = b"application/json"
    declared = len(payload) * (2 if fault.answer == "disconnect" else 1)
    headers = [(b"content-type", content_type), (b"content-length", str(declared).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    if fault.answer == "disconnect":
        await send({"type": "http.response.body", "body": payload, "more_body": True})
        raise InjectedDisconnect("injected fault: connection dropped mid-answer")
    await send({"type": "http.response.body", "body": payload})


class SandboxMiddleware:
    """Auth first, then injected faults, then the app; every request ends in the log."""

    # How injected latency waits; tests replace it to see the delays without a clock.
    sleep = staticmethod(asyncio.sleep)

    def __init__(
        self,
        app: Any,
        *,
        jwt_token: str | None,
        faults: FaultInjector,
        request_log: RequestLog,
        body_recorder: BodyRecorder | None = None,
    ) -> None:
        self.app = app
        self._expected_auth = f"Bearer {jwt_token}".encode() if jwt_token else None
        self.faults = faults
        self.request_log = request_log
        self.body_recorder = body_recorder

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        status = 500
        received: list[bytes] = []

        async def receive_and_capture() -> Any:
            message = await receive()
            if message["type"] == "http.request":
                received.append(message.get("body", b""))
            return message

        async def send_and_capture(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self._expected_auth is not None and path not in UNAUTHENTICATED_PATHS:
                supplied = dict(scope["headers"]).get(b"authorization")
                if supplied != self._expected_auth:
                    message = "Not Authorized! Token not present" if supplied is None else "Not Authorized!"
                    await _send_json(send_and_capture, 401, {"code": 401, "message": message})
                    return
            fault = Fault(0.0) if path.startswith("/_sandbox") else self.faults.decide(method, path)
            if fault.delay_seconds:
                await self.sleep(fault.delay_seconds)
            if fault.status is not None and not fault.after_apply:
                if fault.answer != "hang":
                    await _send_fault(send_and_capture, fault)
                    return
                # Held in a queue past the client's patience, then applied anyway.
                await self.sleep(fault.hang_seconds)
            recording = self.body_recorder is not None and path.startswith("/api/")
            app_receive = receive_and_capture if recording else receive
            if fault.status is None or not fault.after_apply:
                await self.app(scope, app_receive, send_and_capture)
                return
            # Apply the request, then lose its answer.
            held: list[Any] = []

            async def hold(message: Any) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                held.append(message)

            await self.app(scope, app_receive, hold)
            if fault.answer == "hang":
                await self.sleep(fault.hang_seconds)
                for message in held:
                    await send(message)
                return
            await _send_fault(send_and_capture, fault)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or path
            if self.body_recorder is not None and received:
                self.body_recorder.record(method, path, template, status, b"".join(received))
            query = scope.get("query_string", b"").decode("latin-1")
            self.request_log.record(method, path, query, template, status, (time.perf_counter() - started) * 1000)
