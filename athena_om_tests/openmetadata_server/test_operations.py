"""Faults, auth, the request log, persistence across restarts and the threaded server."""

from __future__ import annotations

import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import httpx

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from athena_om.sandbox.openmetadata_server import (
    FailNextRule,
    FaultConfig,
    OpenMetadataSandboxServer,
    close_app,
    create_app,
)
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
    body = {"name": "athena"}
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


def test_latency(tmp_path):
    app = create_app(tmp_path, faults=FaultConfig(latency_ms=120))
    client = TestClient(app)
    started = time.perf_counter()
    assert client.get("/api/v1/system/version").status_code == 200
    assert time.perf_counter() - started >= 0.12
    close_app(app)


def test_auth_required_and_token_never_logged(tmp_path):
    app = create_app(tmp_path, jwt_token=TOKEN)
    client = TestClient(app)
    missing = client.put("/api/v1/services/databaseServices", json={"name": "athena"})
    assert missing.status_code == 401
    assert missing.json() == {"code": 401, "message": "Not Authorized! Token not present"}
    wrong = client.get("/api/v1/tables", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    good = client.put(
        "/api/v1/services/databaseServices", json={"name": "athena"}, headers={"Authorization": f"Bearer {TOKEN}"}
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


def test_table_write_is_fast(client):
    seed_schema(client)
    app = client.app
    started = time.perf_counter()
    for index in range(200):
        assert client.put("/api/v1/tables", json=table_body(f"t{index}")).status_code == 201
    per_write_ms = (time.perf_counter() - started) * 1000 / 200
    assert per_write_ms < 5, per_write_ms
    assert app is not None
