"""WSGI middleware in front of moto: counts requests per operation and injects throttling."""

from __future__ import annotations

import io
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from athena_om.sandbox.aws.hooks import SandboxHooks

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_REST_OPERATION = re.compile(r"^/([A-Z][A-Za-z]+)$")
REQUESTS_PATH = "/_sandbox/requests"


def operation_of(environ: dict[str, Any]) -> str:
    """The "service:Operation" a request calls, from its signature, target header, path or Action."""
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else "unknown"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    path = environ.get("PATH_INFO", "")
    rest = _REST_OPERATION.match(path)
    if rest and service != "s3":
        return f"{service}:{rest.group(1)}"
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if action:
        return f"{service}:{action[0]}"
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        body = _read_body(environ)
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return f"{service}:{action[0]}"
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')}"


def _read_body(environ: dict[str, Any]) -> bytes:
    # Reading wsgi.input consumes it, so put an equivalent stream back for moto.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class SandboxMiddleware:
    """Counts every AWS request by operation, serves the counts, and fails calls chosen for throttling."""

    def __init__(self, app: WsgiApp, hooks: SandboxHooks) -> None:
        self.app = app
        self.hooks = hooks
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def counts(self) -> dict[str, int]:
        """A snapshot of request counts keyed "service:Operation"."""
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        """Forget all counted requests."""
        with self._lock:
            self._counts.clear()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == REQUESTS_PATH and environ.get("REQUEST_METHOD") == "GET":
            return self._json(start_response, self.counts())
        if path == REQUESTS_PATH + "/reset" and environ.get("REQUEST_METHOD") == "POST":
            self.reset()
            return self._json(start_response, {})
        operation = operation_of(environ)
        with self._lock:
            self._counts[operation] += 1
        if self.hooks.is_denied(operation):
            return _access_denied(start_response, operation)
        if self.hooks.take_throttle(operation) or self.hooks.take_throttle(operation.split(":", 1)[1]):
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
            start_response(
                "400 Bad Request",
                [
                    ("Content-Type", "application/x-amz-json-1.1"),
                    ("x-amzn-ErrorType", "ThrottlingException"),
                    ("Content-Length", str(len(body))),
                ],
            )
            return [body]
        return self.app(environ, start_response)

    @staticmethod
    def _json(start_response: Callable[..., Any], payload: object) -> Iterable[bytes]:
        body = json.dumps(payload, sort_keys=True).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _access_denied(start_response: Callable[..., Any], operation: str) -> Iterable[bytes]:
    """AccessDenied as AWS words it, in the error shape of the service's protocol (XML for STS and S3)."""
    service, _, name = operation.partition(":")
    message = f"User: arn:aws:iam::123456789012:user/sandbox is not authorized to perform: {service}:{name}"
    if service in ("sts", "s3", "iam"):
        body = (
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            f"<Message>{message}</Message></Error><RequestId>sandbox</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    else:
        body = json.dumps({"__type": "AccessDeniedException", "message": message, "Message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "AccessDeniedException")]
    start_response("403 Forbidden", [*headers, ("Content-Length", str(len(body)))])
    return [body]
