"""A local OpenMetadata server speaking the REST API subset athena-om uses, for the sandbox and tests."""

from athena_om.sandbox.openmetadata_server.app import OM_VERSION, close_app, create_app
from athena_om.sandbox.openmetadata_server.faults import FailNextRule, FaultConfig
from athena_om.sandbox.openmetadata_server.middleware import RecordedBody
from athena_om.sandbox.openmetadata_server.server import OpenMetadataSandboxServer, main

__all__ = [
    "OM_VERSION",
    "FailNextRule",
    "FaultConfig",
    "OpenMetadataSandboxServer",
    "RecordedBody",
    "close_app",
    "create_app",
    "main",
]
