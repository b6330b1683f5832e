"""A bad file raises one WorkflowConfigError naming the file, the key path, the problem and what was expected."""

from __future__ import annotations

import pytest

from athena_om.config import WorkflowConfigError, load_workflow_config_from_text


def problems_of(text: str, env: dict[str, str] | None = None) -> WorkflowConfigError:
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config_from_text(text, "wf.yaml", env=env or {})
    return raised.value


def only_problem(text: str, env: dict[str, str] | None = None) -> str:
    error = problems_of(text, env)
    assert len(error.problems) == 1, str(error)
    return error.problems[0].render(error.source_name)


def test_unknown_key_names_the_path_and_suggests_the_nearest_key(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("markDeletedTables: true", "markDeletedTabels: true"))

    assert line.startswith(
        "wf.yaml: source.sourceConfig.config.markDeletedTabels: unknown key; did you mean markDeletedTables?"
    )
    assert "(line 24, column 7)" in line


def test_snake_case_spelling_of_a_key_is_pointed_at_the_camel_case_one(workflow_text: str) -> None:
    error = problems_of(workflow_text.replace("awsRegion:", "aws_region:"))

    assert "source.serviceConnection.config.awsConfig.aws_region: unknown key; did you mean awsRegion?" in str(error)


def test_unknown_key_without_a_near_match_lists_the_allowed_keys(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("  type: metadata-rest\n", "  type: metadata-rest\n  zzz: 1\n"))

    assert "sink.zzz: unknown key — expected one of: config, type" in line


def test_wrong_type_names_the_path_the_value_and_what_fits(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("markDeletedTables: true", "markDeletedTables: maybe"))

    assert line.startswith(
        "wf.yaml: source.sourceConfig.config.markDeletedTables: not a boolean — expected true or false (got 'maybe')"
    )


def test_wrong_type_in_a_list_item_has_the_index_in_the_path(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("          - customers\n", "          - [customers]\n"))

    assert "source.sourceConfig.config.tableFilterPattern.includes[1]: not a string" in line


def test_invalid_regex_in_a_filter_pattern(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("- customers", "- '(customers'"))

    assert "source.sourceConfig.config.tableFilterPattern.includes[1]: invalid regular expression" in line


def test_missing_required_key(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("        awsRegion: eu-west-1\n", ""))

    assert line.startswith("wf.yaml: source.serviceConnection.config.awsConfig.awsRegion: field required")
    assert 'expected a string like "us-east-1"' in line


def test_missing_section(workflow_text: str) -> None:
    line = only_problem(workflow_text[: workflow_text.index("workflowConfig:")])

    assert line.startswith("wf.yaml: workflowConfig: field required — expected a mapping with openMetadataServerConfig")


def test_staging_dir_must_be_an_s3_uri(workflow_text: str) -> None:
    line = only_problem(
        workflow_text.replace("s3://analytics-athena-results/openmetadata/", "https://s3-directory-for-datasource.com")
    )

    assert "source.serviceConnection.config.s3StagingDir: must be an S3 URI" in line
    assert "s3://" in line


def test_yaml_syntax_error_reports_line_and_column(workflow_text: str) -> None:
    error = problems_of(workflow_text.replace("workgroup: analytics", "workgroup: [analytics"))

    assert len(error.problems) == 1
    assert error.problems[0].line == 17
    assert "YAML syntax error" in str(error)
    assert "line 17" in str(error)


def test_duplicate_keys_are_rejected(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("workgroup: analytics", "workgroup: analytics\n      workgroup: etl"))

    assert "duplicate key 'workgroup'" in line
    assert "line 17" in line


def test_unset_environment_variable_names_variable_and_path(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("workgroup: analytics", "workgroup: ${ATHENA_WORKGROUP}"))

    assert line.startswith(
        "wf.yaml: source.serviceConnection.config.workgroup: environment variable ATHENA_WORKGROUP is not set"
    )


def test_every_problem_is_listed_in_file_order(workflow_text: str) -> None:
    text = (
        workflow_text.replace("        awsRegion: eu-west-1\n", "")
        .replace("markDeletedTables: true", "markDeletedTables: maybe")
        .replace("authProvider: openmetadata", "authProvider: basic")
        + "athenaOm:\n  requestConcurency: 4\n"
    )
    error = problems_of(text)

    paths = [problem.path for problem in error.problems]
    assert paths == [
        "source.serviceConnection.config.awsConfig.awsRegion",
        "source.sourceConfig.config.markDeletedTables",
        "workflowConfig.openMetadataServerConfig.authProvider",
        "athenaOm.requestConcurency",
    ]
    assert str(error).splitlines()[0] == "wf.yaml: invalid athena-om workflow config (4 problems)"
    assert "did you mean requestConcurrency?" in str(error)
    assert "expected one of 'openmetadata' or 'no-auth' (got 'basic')" in str(error)


def test_source_type_must_be_athena(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("type: athena\n", "type: mysql\n"))

    expected = "expected one of 'athena', 'athena-usage', 'athena-lineage' or 'TestSuite'"
    assert f"source.type: not an allowed value — {expected}" in line


def test_pipeline_type_must_match_source_type(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("type: DatabaseMetadata", "type: DatabaseUsage"))

    assert "source.sourceConfig.config.type: DatabaseUsage does not run with source type 'athena'" in line
    assert "'athena-usage'" in line


def test_unknown_pipeline_type(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace("type: DatabaseMetadata", "type: Metadata"))

    assert "source.sourceConfig.config.type: unknown pipeline type — expected one of DatabaseMetadata" in line


def test_metadata_workflow_needs_a_connection(workflow_text: str) -> None:
    start = workflow_text.index("  serviceConnection:")
    end = workflow_text.index("  sourceConfig:")
    line = only_problem(workflow_text[:start] + workflow_text[end:])

    assert "source.serviceConnection: field required for source type 'athena'" in line


def test_jwt_auth_needs_a_token(workflow_text: str) -> None:
    start = workflow_text.index("    securityConfig:")
    end = workflow_text.index("    ## Store the service")
    line = only_problem(workflow_text[:start] + workflow_text[end:])

    assert "workflowConfig.openMetadataServerConfig.securityConfig: field required when authProvider is" in line


def test_no_auth_needs_no_token(workflow_text: str) -> None:
    start = workflow_text.index("    securityConfig:")
    end = workflow_text.index("    ## Store the service")
    text = (workflow_text[:start] + workflow_text[end:]).replace("authProvider: openmetadata", "authProvider: no-auth")

    config = load_workflow_config_from_text(text, "wf.yaml", env={})

    assert config.openmetadata.jwt_token is None


def test_host_port_must_be_the_api_url(workflow_text: str) -> None:
    line = only_problem(workflow_text.replace('"http://localhost:8585/api"', "localhost:8585"))

    assert "hostPort: must be the OpenMetadata API URL, ending in /api" in line


def test_out_of_range_value_says_what_fits(workflow_text: str) -> None:
    line = only_problem(workflow_text + "athenaOm:\n  deletionSafety: {maxDeletedShare: 2}\n")

    assert "athenaOm.deletionSafety.maxDeletedShare: input should be less than or equal to 1" in line


def test_union_alternatives_are_reported_once(workflow_text: str) -> None:
    text = workflow_text.replace(
        "includeOwners: false", "includeOwners: true\n      ownerConfig:\n        table: [a, b]"
    )

    line = only_problem(text)

    assert "ownerConfig.table: wrong type — expected a string or a mapping" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "the file is empty"), ("- a\n- b\n", "the file is a list"), ("source:\n\t type: x\n", "line 2")],
)
def test_files_that_are_not_a_mapping(text: str, expected: str) -> None:
    assert expected in str(problems_of(text))


def test_capitalised_user_keys_inside_a_mapping_keep_their_place_in_the_path(workflow_text: str) -> None:
    text = workflow_text.replace(
        "    storeServiceConnection: true\n", "    storeServiceConnection: true\n    extraHeaders:\n      X-Team: [a]\n"
    )

    line = only_problem(text)

    assert "workflowConfig.openMetadataServerConfig.extraHeaders.X-Team: not a string — expected a string" in line


def test_openmetadata_spelling_of_log_levels_is_accepted(workflow_text: str) -> None:
    text = workflow_text.replace("loggerLevel: INFO", "loggerLevel: warning")

    assert load_workflow_config_from_text(text, "wf.yaml", env={}).workflow_config.logger_level == "WARN"
