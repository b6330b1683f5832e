"""Keys OpenMetadata defines but athena-om never reads are named, so nobody believes they are in effect."""

from __future__ import annotations

from pathlib import Path

from athena_om.config import SANDBOX_CONFIG_PATH, load_workflow_config, load_workflow_config_from_text
from athena_om.config.ignored import IGNORED_KEYS, ignored_keys


def test_ignored_keys_of_the_documented_workflow(workflow_path: Path) -> None:
    ignored = ignored_keys(load_workflow_config(workflow_path, env={}))

    assert "source.sourceConfig.config.includeDDL" in ignored
    assert "source.sourceConfig.config.threads" in ignored
    assert "workflowConfig.loggerLevel" in ignored
    assert "workflowConfig.openMetadataServerConfig.storeServiceConnection" in ignored
    # keys athena-om acts on are never listed
    assert not [path for path in ignored if path.endswith(("markDeletedTables", "includeTags", "hostPort"))]


def test_keys_left_out_or_left_empty_are_not_listed() -> None:
    text = """
source:
  type: athena-usage
  serviceName: u
  sourceConfig: {config: {type: DatabaseUsage, resultLimit: 50}}
sink: {type: metadata-rest, config: {}}
processor: {type: query-parser, config: {}}
workflowConfig:
  openMetadataServerConfig: {hostPort: "http://localhost:8585/api", authProvider: no-auth}
"""
    assert ignored_keys(load_workflow_config_from_text(text, "u.yaml", env={})) == [
        "source.sourceConfig.config.resultLimit",
        "processor",
    ]


def test_the_shipped_sandbox_example_sets_nothing_that_is_ignored() -> None:
    assert ignored_keys(load_workflow_config(SANDBOX_CONFIG_PATH, env={})) == []


def test_every_ignored_key_is_a_key_of_its_section() -> None:
    for model, keys in IGNORED_KEYS.items():
        aliases = {info.alias or name for name, info in model.model_fields.items()}
        assert keys <= aliases, (model.__name__, sorted(keys - aliases))


def test_the_ca_certificate_is_read_but_client_certificates_are_not() -> None:
    text = SANDBOX_CONFIG_PATH.read_text().replace(
        "    authProvider: openmetadata\n",
        "    authProvider: openmetadata\n    sslConfig: {caCertificate: /etc/ca.pem, sslKey: /etc/key.pem}\n",
    )
    assert ignored_keys(load_workflow_config_from_text(text, "wf.yaml", env={})) == [
        "workflowConfig.openMetadataServerConfig.sslConfig.sslKey"
    ]
