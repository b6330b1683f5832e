"""Answers OpenMetadata should never give: redirects, HTML pages, broken JSON. Each is an OpenMetadataError that
names the request and what came back, and never carries the token."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError, RetryPolicy
from athena_om.openmetadata.models import CreateDatabaseServiceRequest

TOKEN = "eyJhbGciOiJSUzI1NiJ9.bad-answers.SIGNATURE"
LOGIN_PAGE = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>" + "x" * 400 + "</body></html>"


def client_answering(
    answer: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request] | None = None
) -> OpenMetadataClient:
    def record(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return answer(request)

    return OpenMetadataClient(
        "http://om.internal/api",
        TOKEN,
        retry=RetryPolicy(max_attempts=2, base_delay_s=0.0),
        transport=httpx.MockTransport(record),
    )


def test_a_redirect_is_an_error_naming_the_target_and_the_token_stays_home() -> None:
    seen: list[httpx.Request] = []
    target = "https://sso.elsewhere.example/login?next=/api/v1/system/version"
    client = client_answering(lambda _: httpx.Response(302, headers={"Location": target}), seen)
    with pytest.raises(OpenMetadataError) as error:
        client.version()
    message = str(error.value)
    assert "302" in message and target in message and "hostPort" in message
    assert TOKEN not in message
    assert [request.url.host for request in seen] == ["om.internal"]  # not followed, not retried


def test_a_redirect_on_a_write_is_an_error_too() -> None:
    client = client_answering(lambda _: httpx.Response(301, headers={"Location": "http://om.internal/v2/x"}))
    with pytest.raises(OpenMetadataError, match=r"PUT /v1/services/databaseServices: .* answered 301, redirecting"):
        client.put("services/databaseServices", CreateDatabaseServiceRequest(name="svc"))


@pytest.mark.parametrize(
    ("call", "status", "content_type", "body", "named"),
    [
        ("list", 200, "application/json", '{"data": [{"name": "a"}, {"na', "GET /v1/tables"),
        ("list", 200, "text/html; charset=utf-8", LOGIN_PAGE, "GET /v1/tables"),
        ("version", 200, "text/html", LOGIN_PAGE, "GET /v1/system/version"),
        ("get", 200, "application/json", "not json at all", "GET /v1/tables/name/s.t"),
        ("put", 200, "application/json", '{"id": "1", "fullyQualifiedName": "s', "PUT /v1/services/databaseServices"),
    ],
)
def test_an_undecodable_answer_names_method_path_status_type_and_body(
    call: str, status: int, content_type: str, body: str, named: str
) -> None:
    client = client_answering(lambda _: httpx.Response(status, headers={"Content-Type": content_type}, text=body))
    calls = {
        "list": lambda: list(client.list_all("tables")),
        "version": client.version,
        "get": lambda: client.get_by_name("tables", "s.t"),
        "put": lambda: client.put("services/databaseServices", CreateDatabaseServiceRequest(name="svc")),
    }
    with pytest.raises(OpenMetadataError) as error:
        calls[call]()
    message = str(error.value)
    assert named in message and f"answered {status}" in message and content_type in message
    assert body[:60] in message
    assert body[:201] not in message or len(body) <= 200  # only the first ~200 bytes
    assert error.value.status == status
    if "html" in content_type:
        assert "login proxy" in message


def test_json_of_the_wrong_shape_is_an_openmetadata_error() -> None:
    client = client_answering(lambda _: httpx.Response(200, json={"items": []}))
    with pytest.raises(OpenMetadataError, match=r"GET /v1/tables: .* JSON that is not a EntityList"):
        list(client.list_all("tables"))
    version = client_answering(lambda _: httpx.Response(200, json=["1.9.0"]))
    with pytest.raises(OpenMetadataError, match=r"JSON that is not a ServerVersion"):
        version.version()


def test_a_body_echoing_the_token_is_redacted() -> None:
    echo = f"<html>debug: Authorization=Bearer {TOKEN}</html>"
    client = client_answering(lambda _: httpx.Response(200, headers={"Content-Type": "text/html"}, text=echo))
    with pytest.raises(OpenMetadataError) as error:
        client.version()
    assert TOKEN not in str(error.value) and "**********" in str(error.value)


def test_an_error_status_with_an_html_body_names_the_type_and_the_start_of_the_body() -> None:
    gateway = client_answering(
        lambda _: httpx.Response(502, headers={"Content-Type": "text/html"}, text="<html>Bad Gateway" + "y" * 500)
    )
    with pytest.raises(OpenMetadataError) as error:
        list(gateway.list_all("tables"))
    message = str(error.value)
    assert "GET /v1/tables: OpenMetadata answered 502" in message and "text/html" in message
    assert "<html>Bad Gateway" in message and "y" * 184 in message and "y" * 185 not in message  # 200 bytes
