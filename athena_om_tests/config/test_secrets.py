"""Secret values never leave the config object: not in repr, str, dumps, error messages or the summary."""

from __future__ import annotations

import pytest

from athena_om.config import WorkflowConfigError, load_workflow_config_from_text, summarize

ACCESS_KEY_ID = "AKIASECRETKEYID77777"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN9999"
JWT_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QifQ.SECRETSIGNATURE"
SSL_KEY = "-----BEGIN PRIVATE KEY-----SECRETPEM"
HEADER_VALUE = "Bearer HEADERSECRET123"
SECRETS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, JWT_TOKEN, SSL_KEY, HEADER_VALUE)

TEXT = f"""
source:
  type: athena
  serviceName: secretive
  serviceConnection:
    config:
      awsConfig:
        awsAccessKeyId: {ACCESS_KEY_ID}
        awsSecretAccessKey: {SECRET_ACCESS_KEY}
        awsSessionToken: {SESSION_TOKEN}
        awsRegion: us-east-1
      s3StagingDir: s3://results-bucket/
  sourceConfig:
    config:
      type: DatabaseMetadata
sink:
  type: metadata-rest
workflowConfig:
  openMetadataServerConfig:
    hostPort: https://om.example.com/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: "{JWT_TOKEN}"
    verifySSL: validate
    sslConfig:
      sslKey: "{SSL_KEY}"
    extraHeaders:
      Authorization: "{HEADER_VALUE}"
"""


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_secrets_are_readable_only_on_purpose() -> None:
    config = load_workflow_config_from_text(TEXT, "s.yaml", env={})
    aws = config.connection.aws_config  # type: ignore[union-attr]

    assert aws.aws_access_key_id is not None and aws.aws_access_key_id.get_secret_value() == ACCESS_KEY_ID
    assert aws.aws_secret_access_key is not None
    assert aws.aws_secret_access_key.get_secret_value() == SECRET_ACCESS_KEY
    assert aws.aws_session_token is not None and aws.aws_session_token.get_secret_value() == SESSION_TOKEN
    assert config.openmetadata.jwt_token is not None
    assert config.openmetadata.jwt_token.get_secret_value() == JWT_TOKEN


def test_secrets_absent_from_repr_str_and_dumps() -> None:
    config = load_workflow_config_from_text(TEXT, "s.yaml", env={})

    assert_no_secret(repr(config))
    assert_no_secret(str(config))
    assert_no_secret(config.model_dump_json())
    assert_no_secret(str(config.model_dump()))
    assert_no_secret(repr(config.connection))
    assert_no_secret(summarize(config, "s.yaml"))


def test_summary_shows_which_secrets_are_set() -> None:
    summary = summarize(load_workflow_config_from_text(TEXT, "s.yaml", env={}))

    assert "secret access key      ****" in summary
    assert "JWT token" in summary and "****" in summary


def test_secrets_from_the_environment_stay_hidden() -> None:
    text = TEXT.replace(SECRET_ACCESS_KEY, "${AWS_SECRET_ACCESS_KEY}")
    config = load_workflow_config_from_text(text, "s.yaml", env={"AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY})

    assert_no_secret(repr(config) + config.model_dump_json() + summarize(config))


@pytest.mark.parametrize(
    "broken",
    [
        # a misspelt secret key: the value sits under an unknown key
        TEXT.replace("awsSecretAccessKey:", "awsSecretAcessKey:"),
        # a secret of the wrong type
        TEXT.replace(f"awsSessionToken: {SESSION_TOKEN}", f"awsSessionToken: [{SESSION_TOKEN}]"),
        # a YAML error on the line holding a secret
        TEXT.replace(f'jwtToken: "{JWT_TOKEN}"', f'jwtToken: "{JWT_TOKEN}'),
        TEXT.replace(f'jwtToken: "{JWT_TOKEN}"', f"jwtToken: {JWT_TOKEN}: oops"),
        # a secret pasted where a plain value goes, next to a wrong value
        TEXT.replace("workflowConfig:", f"athenaOm:\n  requestConcurrency: {JWT_TOKEN}\nworkflowConfig:"),
        # a secret in a header map of the wrong type
        TEXT.replace(f'Authorization: "{HEADER_VALUE}"', f'Authorization: ["{HEADER_VALUE}"]'),
        # a secret under a key that does not exist
        TEXT.replace("authProvider: openmetadata", f"password: {SECRET_ACCESS_KEY}\n    authProvider: openmetadata"),
        # a wrong type elsewhere while secrets are present
        TEXT.replace("authProvider: openmetadata", "authProvider: basic"),
    ],
)
def test_secrets_absent_from_error_messages(broken: str) -> None:
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config_from_text(broken, "s.yaml", env={})

    error = raised.value
    assert_no_secret(str(error))
    assert_no_secret(repr(error))
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
