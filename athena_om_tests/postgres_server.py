"""A throwaway PostgreSQL server for tests: initdb and pg_ctl in a temporary folder, on a port of its own.

PostgreSQL refuses to run as root, so under root the server runs as the ``postgres`` system user (``runuser``),
with a data folder that user owns. Anything that stops the server from starting fails with the reason and the
fix; nothing is skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"  # the system user the server runs as when the tests run as root
START_TIMEOUT_S = 60
INSTALL_HINT = "install the PostgreSQL server (Debian/Ubuntu: apt-get install -y postgresql; .ci/run does this)"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL could not be found or started; the message says why and what to do."""


@dataclass(frozen=True)
class PostgresServer:
    """Where a running test server listens, and the credentials of its one database."""

    host: str
    port: int
    username: str
    password: str
    db_name: str

    def environment(self) -> dict[str, str]:
        """The variables ``deploy/dagster-postgres.yaml`` reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.username,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.db_name,
        }


def postgres_bin_dir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, else Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    if candidates:
        return Path(candidates[-1]).parent
    raise PostgresUnavailableError(f"PostgreSQL's initdb is neither on PATH nor in /usr/lib/postgresql: {INSTALL_HINT}")


def _version_key(path: str) -> tuple[int, ...]:
    version = Path(path).parents[1].name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailableError(
            f"tests run as root and PostgreSQL refuses root, but there is no {SERVER_USER!r} user to run it as: "
            f"{INSTALL_HINT} (it creates that user), or run the tests as a normal user"
        ) from None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    _server_user()
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailableError("tests run as root and `runuser` (util-linux) is missing to drop to postgres")
    return [runuser, "-u", SERVER_USER, "--", *command]


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=START_TIMEOUT_S)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        if log is not None and log.exists():
            detail += "\n--- server log ---\n" + log.read_text(errors="replace")[-2000:]
        raise PostgresUnavailableError(f"{what} failed (exit {result.returncode}): {detail}")


@contextmanager
def running_postgres(db_name: str = "dagster", username: str = "dagster") -> Iterator[PostgresServer]:
    """A fresh PostgreSQL cluster on 127.0.0.1 with password authentication, removed afterwards."""
    bin_dir = postgres_bin_dir()
    # Under /tmp rather than pytest's tmp_path: root's pytest folders are closed to the postgres user.
    root = Path(tempfile.mkdtemp(prefix="athena-om-pg-"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    sockets.mkdir()
    password = secrets.token_urlsafe(16)
    password_file = root / "password"
    password_file.write_text(password)
    if os.geteuid() == 0:
        entry = _server_user()
        for path in (root, sockets, password_file):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    started = False
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                username,
                "--pwfile",
                str(password_file),
                "--auth",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--no-sync",
            ],
            "initdb",
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off -c max_connections=200"
        _run(
            [str(bin_dir / "pg_ctl"), "start", "--pgdata", str(data), "--log", str(log), "--wait", "-o", options],
            f"pg_ctl start on port {port}",
            log,
        )
        started = True
        server = PostgresServer("127.0.0.1", port, username, password, db_name)
        _create_database(server)
        yield server
    finally:
        if started:
            _run([str(bin_dir / "pg_ctl"), "stop", "--pgdata", str(data), "--mode", "immediate"], "pg_ctl stop")
        shutil.rmtree(root, ignore_errors=True)


def _create_database(server: PostgresServer) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host=server.host, port=server.port, user=server.username, password=server.password, dbname="postgres"
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{server.db_name}"')
    finally:
        connection.close()
