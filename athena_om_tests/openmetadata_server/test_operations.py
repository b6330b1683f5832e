"""Faults, auth, the request log, persistence across restarts and the threaded server."""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from pydantic import ValidationError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from athena_om.openmetadata.client import TOKEN_CHECK_PATH
from athena_om.sandbox.openmetadata_server import (
    FailNextRule,
    FaultConfig,
    OpenMetadataSandboxServer,
    close_app,
    create_app,
)
from athena_om.sandbox.openmetadata_server.middleware import SandboxMiddleware
from athena_om_tests.openmetadata_server.conftest import TABLE_FQN, seed_schema, seed_table, table_body

TOKEN = "sandbox-secret-token-value"


def test_injected_429_carries_retry_after(tmp_path):
    app = create_app(tmp_path, faults=FaultConfig(rate_429=1.0, retry_after_seconds=3))
    client = TestClient(app)
    response = client.get("/api/v1/system/version")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["code"] == 429
    close_app(app)


def test_random_faults_are_deterministic_for_a_seed(tmp_path):
    def statuses(directory):
        app = create_app(directory, faults=FaultConfig(rate_503=0.5, seed=7))
        client = TestClient(app)
        codes = [client.get("/api/v1/system/version").status_code for _ in range(20)]
        close_app(app)
        return codes

    first, second = statuses(tmp_path / "a"), statuses(tmp_path / "b")
    assert first == second
    assert {200, 503} == set(first)


def test_fail_next_then_recover_and_runtime_configuration(client):
    rule = FailNextRule(path_prefix="/api/v1/services", count=2, status=500)
    client.post("/_sandbox/faults", json=FaultConfig(fail_next=[rule]).model_dump())
    body = {"name": "athena", "serviceType": "Athena"}
    assert client.put("/api/v1/services/databaseServices", json=body).status_code == 500
    assert client.put("/api/v1/services/databaseServices", json=body).status_code == 500
    assert client.get("/api/v1/system/version").status_code == 200
    assert client.put("/api/v1/services/databaseServices", json=body).status_code == 201
    client.post("/_sandbox/faults", json={"rate_503": 1.0})
    response = client.get("/api/v1/system/version")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    client.post("/_sandbox/faults", json={})
    assert client.get("/api/v1/system/version").status_code == 200


def test_latency(tmp_path, monkeypatch):
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(SandboxMiddleware, "sleep", staticmethod(record_sleep))
    app = create_app(tmp_path, faults=FaultConfig(latency_ms=120))
    client = TestClient(app)
    assert client.get("/api/v1/system/version").status_code == 200
    assert client.get("/_sandbox/faults").status_code == 200  # the sandbox's own routes are never delayed
    assert slept == [0.12]
    close_app(app)


def test_auth_required_and_token_never_logged(tmp_path):
    app = create_app(tmp_path, jwt_token=TOKEN)
    client = TestClient(app)
    missing = client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    assert missing.status_code == 401
    assert missing.json() == {"code": 401, "message": "Not Authorized! Token not present"}
    wrong = client.get("/api/v1/tables", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    good = client.put(
        "/api/v1/services/databaseServices",
        json={"name": "athena", "serviceType": "Athena"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert good.status_code == 201
    assert client.get("/api/v1/system/version").status_code == 200
    close_app(app)
    log = (tmp_path / "requests.jsonl").read_text()
    assert TOKEN not in log
    assert "Authorization" not in log and "authorization" not in log
    assert log.count("\n") == 4
    assert '"status": 401' in log


def test_state_survives_restart(tmp_path):
    app = create_app(tmp_path)
    client = TestClient(app)
    table = seed_table(client)
    client.put(f"/api/v1/usage/table/{table['id']}", json={"date": "2024-05-01", "count": 2})
    close_app(app)

    app = create_app(tmp_path)
    client = TestClient(app)
    again = client.get(f"/api/v1/tables/name/{TABLE_FQN}").json()
    assert again["id"] == table["id"]
    assert again["version"] == 0.1
    usage = client.get(f"/api/v1/usage/table/{table['id']}", params={"date": "2024-05-01"}).json()
    assert usage["usage"][0]["dailyStats"]["count"] == 2
    close_app(app)


def test_threaded_server_with_concurrent_clients(tmp_path):
    with OpenMetadataSandboxServer(tmp_path, jwt_token=TOKEN) as server:
        assert server.base_url is not None
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=server.base_url, headers=headers) as http:
            seed_schema(http)

            def write(index: int) -> int:
                with httpx.Client(base_url=server.base_url, headers=headers) as worker:
                    return worker.put("/api/v1/tables", json=table_body(f"t{index}")).status_code

            with ThreadPoolExecutor(max_workers=8) as pool:
                assert set(pool.map(write, range(80))) == {201}
            assert http.get("/api/v1/tables", params={"limit": 1}).json()["paging"]["total"] == 80
            counts = http.get("/_sandbox/requests").json()
            assert counts["byRoute"]["PUT /api/v1/tables"] == 80


def test_a_table_write_costs_the_same_statements_however_many_tables_exist(client):
    """What "a write is fast" meant, without a clock: the SQL a write runs does not grow with the catalog (no scans
    per write). The wall-clock figure lives in benchmarks/bench_sandbox_om_writes.py."""
    seed_schema(client)
    statements: list[str] = []
    client.app.state.store._conn.set_trace_callback(statements.append)

    def statements_for_write(name: str) -> list[str]:
        statements.clear()
        assert client.put("/api/v1/tables", json=table_body(name)).status_code == 201
        return list(statements)

    first = statements_for_write("t0")
    for index in range(1, 200):
        assert client.put("/api/v1/tables", json=table_body(f"t{index}")).status_code == 201
    later = statements_for_write("t200")
    client.app.state.store._conn.set_trace_callback(None)
    assert len(later) == len(first), (first, later)
    assert len(first) <= 10, first  # 6 when written


def test_scheduled_faults_skip_then_fail_and_count_per_rule(tmp_path):
    rules = [
        FailNextRule(path_prefix="/api/v1/system", skip=1, count=2, status=503),
        FailNextRule(path_prefix="/api/v1/system", skip=2, count=1, status=500),
    ]
    app = create_app(tmp_path, faults=FaultConfig(fail_next=rules, retry_after_seconds=0))
    client = TestClient(app)
    codes = [client.get("/api/v1/system/version").status_code for _ in range(6)]
    # Rule 1 fails requests 2 and 3; rule 2 wanted request 3 too, so it fails the next one it sees.
    assert codes == [200, 503, 503, 500, 200, 200]
    close_app(app)


def test_a_fault_after_apply_loses_the_answer_but_keeps_the_write(tmp_path):
    lost = FailNextRule(path_prefix="/api/v1/services", method="PUT", status=502, after_apply=True)
    refused = FailNextRule(path_prefix="/api/v1/databases", method="PUT", status=200, answer="html")
    app = create_app(tmp_path, faults=FaultConfig(fail_next=[lost, refused]))
    client = TestClient(app)
    answer = client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    assert answer.status_code == 502 and answer.json()["message"] == "Injected fault: HTTP 502"
    assert client.get("/api/v1/services/databaseServices/name/athena").status_code == 200
    page = client.put("/api/v1/databases", json={"name": "awsdatacatalog", "service": "athena"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get("/api/v1/databases/name/athena.awsdatacatalog").status_code == 404  # refused before applying
    close_app(app)


def test_a_broken_json_answer_after_apply(tmp_path):
    broken = FailNextRule(path_prefix="/api/v1/services", status=200, after_apply=True, answer="broken_json")
    app = create_app(tmp_path, faults=FaultConfig(fail_next=[broken]))
    client = TestClient(app)
    answer = client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        answer.json()
    assert client.get("/api/v1/services/databaseServices/name/athena").status_code == 200
    close_app(app)


def test_an_error_answer_needs_an_error_status():
    with pytest.raises(ValidationError, match="needs a status of 400 or more"):
        FailNextRule(status=200)


def test_the_token_check_endpoint_needs_the_token(tmp_path):
    app = create_app(tmp_path, jwt_token=TOKEN)
    client = TestClient(app)
    path = "/api" + TOKEN_CHECK_PATH
    assert client.get(path, params={"limit": 1}).status_code == 401
    good = client.get(path, params={"limit": 1}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert good.status_code == 200 and good.json()["data"] == []
    close_app(app)


def test_a_hang_before_apply_holds_the_request_then_applies_it(tmp_path, monkeypatch):
    slept: list[float] = []

    async def record_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(SandboxMiddleware, "sleep", staticmethod(record_sleep))
    queued = FailNextRule(path_prefix="/api/v1/services", answer="hang", hang_seconds=2.5)
    app = create_app(tmp_path, faults=FaultConfig(fail_next=[queued]))
    client = TestClient(app)
    answer = client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
    assert answer.status_code == 201 and slept == [2.5]
    close_app(app)
