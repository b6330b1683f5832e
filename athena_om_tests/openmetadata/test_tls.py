"""TLS to OpenMetadata is verified unless the workflow says `verifySSL: ignore`; the token never reaches an
unverified server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from athena_om.config import load_workflow_config
from athena_om.openmetadata.client import OpenMetadataClient, OpenMetadataError
from athena_om.resources.factory import resources_from_workflow
from athena_om.resources.openmetadata import OpenMetadataResource
from athena_om_tests.openmetadata.tls_server import SeenRequests, TlsFiles, https_openmetadata, make_certificates

TOKEN = "eyJhbGciOiJSUzI1NiJ9.tls-test.SIGNATURE"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def impostor(tls_files: TlsFiles) -> Iterator[tuple[str, SeenRequests]]:
    with https_openmetadata(tls_files) as served:
        yield served


def openmetadata_from_workflow(tmp_path: Path, host_port: str, extra: str = "") -> OpenMetadataResource:
    """The OpenMetadata resource a workflow file with this server section produces."""
    path = tmp_path / "workflow.yaml"
    path.write_text(
        f"""
source:
  type: athena
  serviceName: tls
  serviceConnection:
    config:
      awsConfig:
        awsRegion: us-east-1
      s3StagingDir: s3://results-bucket/
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: metadata-rest
workflowConfig:
  openMetadataServerConfig:
    hostPort: {host_port}
    authProvider: openmetadata
    securityConfig:
      jwtToken: "{TOKEN}"
{extra}"""
    )
    resource = resources_from_workflow(load_workflow_config(path), str(path))["openmetadata"]
    assert isinstance(resource, OpenMetadataResource)
    return resource


def test_a_default_workflow_refuses_a_self_signed_server_before_sending_the_token(
    tmp_path: Path, impostor: tuple[str, SeenRequests]
) -> None:
    host_port, seen = impostor
    resource = openmetadata_from_workflow(tmp_path, host_port)  # no verifySSL, no sslConfig
    with pytest.raises(OpenMetadataError) as refused:
        resource.check_server()
    message = str(refused.value)
    assert "TLS certificate" in message and "not trusted" in message and "caCertificate" in message
    assert TOKEN not in message
    assert seen.headers == []  # the handshake failed: no request, so no Authorization header, ever reached it


def test_the_configured_ca_certificate_is_trusted(
    tmp_path: Path, tls_files: TlsFiles, impostor: tuple[str, SeenRequests]
) -> None:
    host_port, seen = impostor
    extra = f"    verifySSL: validate\n    sslConfig:\n      caCertificate: {tls_files.ca_certificate}\n"
    resource = openmetadata_from_workflow(tmp_path, host_port, extra)
    assert resource.check_server() == "1.9.0"
    assert seen.authorization_headers()[-1] == f"Bearer {TOKEN}"


def test_the_ca_certificate_is_honoured_without_verify_ssl_validate(
    tmp_path: Path, tls_files: TlsFiles, impostor: tuple[str, SeenRequests]
) -> None:
    host_port, _ = impostor
    extra = f"    sslConfig:\n      caCertificate: {tls_files.ca_certificate}\n"
    assert openmetadata_from_workflow(tmp_path, host_port, extra).check_server() == "1.9.0"


def test_verify_ssl_ignore_connects_and_warns_every_run(
    tmp_path: Path, impostor: tuple[str, SeenRequests], caplog: pytest.LogCaptureFixture
) -> None:
    host_port, _ = impostor
    caplog.set_level(logging.WARNING, logger="athena_om.openmetadata.client")
    for _run in range(2):
        resource = openmetadata_from_workflow(tmp_path, host_port, "    verifySSL: ignore\n")
        assert resource.check_server() == "1.9.0"
    warnings = [r.getMessage() for r in caplog.records if "verifySSL: ignore" in r.getMessage()]
    assert len(warnings) == 2
    assert all(host_port in w and TOKEN not in w for w in warnings)


def test_pem_text_as_ca_certificate(tls_files: TlsFiles, impostor: tuple[str, SeenRequests]) -> None:
    host_port, _ = impostor
    pem = tls_files.ca_certificate.read_text()
    with OpenMetadataClient(host_port, TOKEN, ca_certificate=pem) as client:
        assert client.check_version() == "1.9.0"


def test_a_missing_ca_certificate_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(OpenMetadataError, match=r"sslConfig\.caCertificate .*nowhere\.pem.* is not a readable file"):
        OpenMetadataClient("https://om.example.com/api", TOKEN, ca_certificate=str(tmp_path / "nowhere.pem"))
