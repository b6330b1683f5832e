"""The instance files: dagster.yaml for a laptop, deploy/ for more than one machine (issue 7).

Validated with Dagster's own instance schema, without a database: the end-to-end run on PostgreSQL is
``e2e/test_postgres_deployment.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config

from athena_om_tests import postgres_server
from athena_om_tests.postgres_server import PostgresUnavailableError, postgres_bin_dir

REPO = Path(__file__).resolve().parents[1]
PG_ENV = {
    "DAGSTER_PG_HOST": "db.internal",
    "DAGSTER_PG_PORT": "6543",
    "DAGSTER_PG_USERNAME": "dagster",
    "DAGSTER_PG_PASSWORD": "not-in-the-file",
    "DAGSTER_PG_DB": "dagster",
}


def validated(source: Path, home: Path) -> dict[str, Any]:
    """The file as Dagster's instance loader validates it in a DAGSTER_HOME."""
    home.mkdir(exist_ok=True)
    shutil.copy(source, home / "dagster.yaml")
    config, _ = dagster_instance_config(str(home))
    return config


def test_the_postgres_instance_takes_every_credential_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in PG_ENV.items():
        monkeypatch.setenv(key, value)
    config = validated(REPO / "deploy" / "dagster-postgres.yaml", tmp_path / "home")
    database = config["storage"]["postgres"]["postgres_db"]
    for field, variable in {
        "hostname": "DAGSTER_PG_HOST",
        "port": "DAGSTER_PG_PORT",
        "username": "DAGSTER_PG_USERNAME",
        "password": "DAGSTER_PG_PASSWORD",
        "db_name": "DAGSTER_PG_DB",
    }.items():
        assert database[field] == {"env": variable}
    # SQLAlchemy 2.1 would pick psycopg 3 for a plain "postgresql" URL; dagster-postgres brings psycopg2.
    assert database["scheme"] == "postgresql+psycopg2"
    assert "not-in-the-file" not in (REPO / "deploy" / "dagster-postgres.yaml").read_text()


def test_the_postgres_instance_queues_runs_with_partition_and_pool_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in PG_ENV.items():
        monkeypatch.setenv(key, value)
    config = validated(REPO / "deploy" / "dagster-postgres.yaml", tmp_path / "home")
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    runs = config["concurrency"]["runs"]
    # More runs than pool slots would only wait for a slot, loading the code server with their launches.
    assert runs["max_concurrent_runs"] <= config["concurrency"]["pools"]["default_limit"]
    limits = {limit["key"]: limit for limit in runs["tag_concurrency_limits"]}
    assert limits["dagster/partition"] == {
        "key": "dagster/partition",
        "value": {"applyLimitPerUniqueValue": True},
        "limit": 1,
    }
    assert config["concurrency"]["pools"]["default_limit"] == 4


def test_the_laptop_instance_stays_on_sqlite_with_the_same_pools_and_points_at_the_other_file(tmp_path: Path) -> None:
    config = validated(REPO / "dagster.yaml", tmp_path / "home")
    assert "storage" not in config  # SQLite under $DAGSTER_HOME
    assert config["run_coordinator"]["class"] == "DefaultRunCoordinator"
    postgres = yaml.safe_load((REPO / "deploy" / "dagster-postgres.yaml").read_text())
    assert config["concurrency"]["pools"] == {"default_limit": postgres["concurrency"]["pools"]["default_limit"]}
    assert "deploy/dagster-postgres.yaml" in (REPO / "dagster.yaml").read_text()


def test_the_deploy_workspace_reaches_a_code_server_named_by_the_environment() -> None:
    workspace = yaml.safe_load((REPO / "deploy" / "workspace.yaml").read_text())
    (entry,) = workspace["load_from"]
    assert entry["grpc_server"] == {
        "host": {"env": "ATHENA_OM_CODE_SERVER_HOST"},
        "port": {"env": "ATHENA_OM_CODE_SERVER_PORT"},
        "location_name": "athena_om",
    }


def test_missing_postgresql_binaries_fail_with_how_to_install_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres_server.shutil, "which", lambda name: None)
    monkeypatch.setattr(postgres_server.glob, "glob", lambda pattern: [])
    with pytest.raises(PostgresUnavailableError, match="apt-get install -y postgresql"):
        postgres_bin_dir()


def test_the_newest_debian_postgresql_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres_server.shutil, "which", lambda name: None)
    found = [
        "/usr/lib/postgresql/9.6/bin/initdb",
        "/usr/lib/postgresql/16/bin/initdb",
        "/usr/lib/postgresql/15/bin/initdb",
    ]
    monkeypatch.setattr(postgres_server.glob, "glob", lambda pattern: found)
    assert postgres_bin_dir() == Path("/usr/lib/postgresql/16/bin")
