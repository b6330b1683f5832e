"""AwsSandbox: moto's server in-process, extended for Athena, Glue and Lake Formation, with SQL in DuckDB."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any

import boto3
from moto.athena.models import AthenaBackend, athena_backends
from moto.glue.models import GlueBackend, glue_backends
from moto.lakeformation.models import LakeFormationBackend, lakeformation_backends
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.s3.models import S3Backend, s3_backends
from werkzeug.serving import make_server

from athena_om.sandbox.aws.extensions import install_extensions
from athena_om.sandbox.aws.hooks import HOOKS
from athena_om.sandbox.aws.middleware import SandboxMiddleware
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


class _QuietRequestHandler(MotoRequestHandler):
    """Werkzeug's handler without a log line per request (tests make thousands)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class _MiddlewareMotoServer(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app sits behind the sandbox middleware."""

    def __init__(self, middleware_factory: Any, ip_address: str, port: int) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self._middleware_factory = middleware_factory
        self.middleware: SandboxMiddleware | None = None

    def _server_entry(self) -> None:
        self.middleware = self._middleware_factory(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, self.middleware, True, request_handler=_QuietRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class AwsSandbox:
    """A local AWS (Glue, Athena, Lake Formation, S3, STS) reachable by plain boto3 clients.

    moto's state is process-wide, so creating a sandbox resets it: run one sandbox per process at a time.
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        sql_engine: AthenaSqlEngine | None = None,
        reset_state: bool = True,
    ) -> None:
        install_extensions()
        if reset_state:
            moto_api_backend.reset()
        self._region = region
        self._engine = sql_engine or AthenaSqlEngine()
        self._server: _MiddlewareMotoServer | None = None
        self._endpoint_url: str | None = None
        HOOKS.sql_engine = self._engine
        HOOKS.denied_databases.clear()
        HOOKS.throttles.clear()
        HOOKS.denied_operations.clear()

    # Lifecycle -------------------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start the HTTP server (port 0 picks a free port) and return its endpoint URL."""
        if self._server is not None:
            return self.endpoint_url
        server = _MiddlewareMotoServer(lambda app: SandboxMiddleware(app, HOOKS), host, port)
        server.start()
        bound_host, bound_port = server.get_host_and_port()
        self._server = server
        self._endpoint_url = f"http://{bound_host}:{bound_port}"
        return self._endpoint_url

    def stop(self) -> None:
        """Stop the HTTP server; the in-process AWS state stays until the next sandbox is created."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> AwsSandbox:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # Settings clients use ----------------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        """The server's URL, e.g. http://127.0.0.1:54321."""
        if self._endpoint_url is None:
            raise RuntimeError("The AWS sandbox is not started; call AwsSandbox.start() first.")
        return self._endpoint_url

    @property
    def region(self) -> str:
        """The AWS region the sandbox's resources live in."""
        return self._region

    @property
    def account_id(self) -> str:
        """moto's account id."""
        return DEFAULT_ACCOUNT_ID

    def environment(self) -> dict[str, str]:
        """Environment variables that point boto3 and PyAthena at the sandbox (dummy credentials)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def apply_environment(self) -> None:
        """Export environment() into os.environ, for code that only reads settings from there."""
        os.environ.update(self.environment())

    def client(self, service: str) -> Any:
        """A boto3 client for `service` pointed at the sandbox."""
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id="sandbox",
            aws_secret_access_key="sandbox",
        )

    # In-process state ----------------------------------------------------------------------------------
    @property
    def sql_engine(self) -> AthenaSqlEngine:
        """The DuckDB engine that runs SQL sent to Athena."""
        return self._engine

    @property
    def glue(self) -> GlueBackend:
        """moto's Glue backend for this account and region (for fast in-process seeding)."""
        return glue_backends[self.account_id][self.region]

    @property
    def athena(self) -> AthenaBackend:
        """moto's Athena backend for this account and region."""
        return athena_backends[self.account_id][self.region]

    @property
    def lakeformation(self) -> LakeFormationBackend:
        """moto's Lake Formation backend for this account and region."""
        return lakeformation_backends[self.account_id][self.region]

    @property
    def s3(self) -> S3Backend:
        """moto's S3 backend (global across regions)."""
        return s3_backends[self.account_id]["aws"]

    # Observability and fault injection ---------------------------------------------------------------
    def request_counts(self) -> dict[str, int]:
        """Requests received so far, keyed "service:Operation" (e.g. "glue:GetTables")."""
        if self._server is None or self._server.middleware is None:
            return {}
        return self._server.middleware.counts()

    def reset_request_counts(self) -> None:
        """Start counting requests from zero."""
        if self._server is not None and self._server.middleware is not None:
            self._server.middleware.reset()

    def deny_access_to_database(self, name: str) -> None:
        """Make Glue table reads (GetTables, GetTable, GetPartitions) on `name` fail with AccessDenied."""
        HOOKS.denied_databases.add(name)

    def allow_access_to_database(self, name: str) -> None:
        """Undo deny_access_to_database."""
        HOOKS.denied_databases.discard(name)

    def throttle(self, operation: str, times: int) -> None:
        """Fail the next `times` calls of `operation` ("glue:GetTables" or "GetTables") with ThrottlingException."""
        with HOOKS.lock:
            HOOKS.throttles[operation] = times

    def deny(self, operation: str) -> None:
        """Answer every call of `operation` ("athena:StartQueryExecution") with AccessDenied until allowed.

        "s3:PutObject" denies Athena writing query results, which then fail as on AWS.
        """
        with HOOKS.lock:
            HOOKS.denied_operations.add(operation)

    def allow(self, operation: str) -> None:
        """Undo deny."""
        with HOOKS.lock:
            HOOKS.denied_operations.discard(operation)
