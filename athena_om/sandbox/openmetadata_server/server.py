"""Run the sandbox OpenMetadata server: in a background thread for tests and demos, or in the foreground."""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from athena_om.sandbox.openmetadata_server.app import close_app, create_app
from athena_om.sandbox.openmetadata_server.faults import FaultConfig
from athena_om.sandbox.openmetadata_server.middleware import RecordedBody
from athena_om.sandbox.openmetadata_server.schema import SandboxSchemaError

TOKEN_ENV = "ATHENA_OM_SANDBOX_OM_TOKEN"


class OpenMetadataSandboxServer:
    """The sandbox OpenMetadata server on a local port, served by uvicorn in a daemon thread."""

    def __init__(
        self,
        state_dir: Path,
        faults: FaultConfig | None = None,
        jwt_token: str | None = None,
        record_bodies: bool = False,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.app = create_app(self.state_dir, faults=faults, jwt_token=jwt_token, record_bodies=record_bodies)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.base_url: str | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0) -> str:
        """Start serving and return the base URL (``http://host:port``; the API is under ``/api/v1``)."""
        if self._server is not None:
            raise RuntimeError("the sandbox OpenMetadata server is already running")
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="openmetadata-sandbox", daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise RuntimeError(f"the sandbox OpenMetadata server did not start on {host}:{port}")
            time.sleep(0.01)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        self.base_url = f"http://{host}:{bound_port}"
        return self.base_url

    @property
    def api_url(self) -> str:
        """The URL OpenMetadata clients take as their host (``.../api``)."""
        if self.base_url is None:
            raise RuntimeError("the sandbox OpenMetadata server is not running")
        return f"{self.base_url}/api"

    def recorded_bodies(self) -> list[RecordedBody]:
        """Every JSON body the API received so far (needs ``record_bodies=True``)."""
        recorder = self.app.state.body_recorder
        if recorder is None:
            raise RuntimeError("body recording is off; create the server with record_bodies=True")
        return recorder.bodies()

    def stop(self) -> None:
        """Stop serving and close the database; safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._server = self._thread = None
            self.base_url = None
        if not getattr(self.app.state, "closed", False):
            close_app(self.app)
            self.app.state.closed = True

    def __enter__(self) -> OpenMetadataSandboxServer:
        if self.base_url is None:
            self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m athena_om.sandbox.openmetadata_server --state-dir DIR --port 8585``."""
    parser = argparse.ArgumentParser(description="Run the athena-om sandbox OpenMetadata server.")
    parser.add_argument("--state-dir", type=Path, required=True, help="directory for the SQLite state and logs")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8585)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency added to every API request")
    parser.add_argument("--rate-429", type=float, default=0.0, help="probability of answering 429")
    parser.add_argument("--rate-503", type=float, default=0.0, help="probability of answering 503")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    # The token comes from the environment only, so it never shows in a process listing.
    token = os.environ.get(TOKEN_ENV) or None
    faults = FaultConfig(latency_ms=args.latency_ms, rate_429=args.rate_429, rate_503=args.rate_503, seed=args.seed)
    try:
        app = create_app(args.state_dir, faults=faults, jwt_token=token)
    except SandboxSchemaError as error:
        raise SystemExit(str(error)) from None
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)
    finally:
        close_app(app)
