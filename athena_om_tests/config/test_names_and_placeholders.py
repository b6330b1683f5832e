"""Names athena-om creates in OpenMetadata follow its entity-name rules; template placeholders are not values."""

from __future__ import annotations

import pytest

from athena_om.config import SANDBOX_CONFIG_PATH, WorkflowConfigError, load_workflow_config_from_text
from athena_om.config.loader import EXAMPLES_DIR

SANDBOX = SANDBOX_CONFIG_PATH.read_text()


def _error(text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config_from_text(text, "wf.yaml", env=env or {})
    return str(raised.value)


def _with_service_name(yaml_value: str) -> str:
    assert "serviceName: athena_sandbox" in SANDBOX
    return SANDBOX.replace("serviceName: athena_sandbox", f"serviceName: {yaml_value}")


@pytest.mark.parametrize(
    ("yaml_value", "shown"),
    [
        ('"a.b/../c"', "'/'"),
        ('"line\\nbreak"', "'\\n'"),
        ('"tab\\there"', "'\\t'"),
        ('"two::colons"', "'::'"),
        ('"quote\\"d"', "'\"'"),
        ('"arrow>"', "'>'"),
    ],
)
def test_service_names_openmetadata_cannot_hold_are_refused(yaml_value: str, shown: str) -> None:
    message = _error(_with_service_name(yaml_value))

    assert "source.serviceName: contains " + shown in message
    assert "OpenMetadata entity name" in message
    assert "(got '" in message  # the offending value is echoed


def test_a_service_name_longer_than_256_characters_is_refused_and_echoed_shortened() -> None:
    message = _error(_with_service_name("s" * 300))

    assert "source.serviceName: must be 1 to 256 characters long (has 300)" in message
    assert "(300 characters)" in message


def test_a_database_name_follows_the_same_rules() -> None:
    text = SANDBOX.replace("      workgroup:", '      databaseName: "x\\ny"\n      workgroup:', 1)
    message = _error(text)

    assert "source.serviceConnection.config.databaseName: contains '\\n'" in message
    assert "(got 'x\\ny')" in message


def test_ordinary_names_with_dots_and_spaces_load() -> None:
    config = load_workflow_config_from_text(_with_service_name('"Athena prod.eu"'), "wf.yaml", env={})
    assert config.service_name == "Athena prod.eu"


def test_a_validator_error_echoes_the_value() -> None:
    text = SANDBOX.replace("s3://athena-om-sandbox-results/", "http://not-s3/")
    assert "(got 'http://not-s3/')" in _error(text)


@pytest.mark.parametrize(
    ("find", "replace", "path", "shown"),
    [
        ("serviceName: athena_sandbox", "serviceName: <athena_prod>", "source.serviceName", "<athena_prod>"),
        (
            "s3://athena-om-sandbox-results/",
            "s3://<your-bucket>/athena-om/",
            "source.serviceConnection.config.s3StagingDir",
            "<your-bucket>",
        ),
        (
            "${OPENMETADATA_HOST_PORT:-http://127.0.0.1:8585/api}",
            "https://<openmetadata.example.com>/api",  # a well-formed URL, so only this check catches it
            "workflowConfig.openMetadataServerConfig.hostPort",
            "<openmetadata.example.com>",
        ),
    ],
)
def test_template_placeholders_are_errors_naming_the_path(find: str, replace: str, path: str, shown: str) -> None:
    assert find in SANDBOX
    message = _error(SANDBOX.replace(find, replace))

    assert f"{path}: looks like a template placeholder ({shown}); replace it" in message
    assert message.count(f"{path}:") == 1  # not also reported as a malformed value


def test_a_placeholder_in_a_secret_is_reported_without_echoing_it() -> None:
    text = SANDBOX.replace("${OPENMETADATA_JWT_TOKEN:-sandbox-token}", '"<bot JWT from Settings>"')
    message = _error(text)

    assert "securityConfig.jwtToken: looks like a template placeholder; replace it" in message
    assert "bot JWT from" not in message


def test_named_groups_in_filter_regexes_are_not_placeholders() -> None:
    text = SANDBOX.replace("- ^information_schema$", "- ^(?P<name>tmp)_.*")
    assert load_workflow_config_from_text(text, "wf.yaml", env={}) is not None


def test_the_production_template_names_every_placeholder() -> None:
    message = _error((EXAMPLES_DIR / "production.yaml").read_text(), env={"OPENMETADATA_JWT_TOKEN": "t"})

    for path in (
        "source.serviceName",
        "awsConfig.awsRegion",
        "serviceConnection.config.s3StagingDir",
        "openMetadataServerConfig.hostPort",
    ):
        assert f"{path}: looks like a template placeholder" in message, path
