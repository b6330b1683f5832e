from __future__ import annotations

import pytest

from athena_om.config import load_workflow_config_from_text
from athena_om.config.errors import ConfigProblem
from athena_om.config.interpolation import expand_env_vars, format_path


@pytest.mark.parametrize(
    ("value", "env", "expected"),
    [
        ("${REGION}", {"REGION": "eu-west-1"}, "eu-west-1"),
        ("$REGION", {"REGION": "eu-west-1"}, "eu-west-1"),
        ("${REGION:-us-east-1}", {}, "us-east-1"),
        ("${REGION:-us-east-1}", {"REGION": "ap-south-1"}, "ap-south-1"),
        ("${EMPTY:-}", {}, ""),
        ("s3://${BUCKET}/${PREFIX:-athena}/", {"BUCKET": "b"}, "s3://b/athena/"),
        ("http://${HOST:-localhost}:${PORT:-8585}/api", {}, "http://localhost:8585/api"),
        ("cost$$", {}, "cost$"),
        ("^sales$", {}, "^sales$"),
        ("no references", {}, "no references"),
        ("${A:-${B}}", {"B": "b"}, "b"),
        ("${A:-${B}}", {"A": "a", "B": "b"}, "a"),
        ("${A:-${B:-c}}", {}, "c"),
        ("${A:-x-${B:-y}-z}!", {}, "x-y-z!"),
        ("${A:-${B:-${C:-deep}}}", {"C": "c"}, "c"),
        ("${A:-{x}}", {}, "{x}"),  # as in a shell: the first } closes, the second is text
        ("${A:-$$}", {}, "$"),
        ("${A}", {"A": "${B}"}, "${B}"),
        ("a $ b", {}, "a $ b"),
    ],
)
def test_expansion(value: str, env: dict[str, str], expected: str) -> None:
    problems: list[ConfigProblem] = []
    assert expand_env_vars({"key": value}, env, problems) == {"key": expected}
    assert problems == []


def test_expansion_reaches_nested_values_and_leaves_other_types_alone() -> None:
    data = {"a": [{"b": "${X}"}, 3, True, None], "c": {"d": "$X"}}
    assert expand_env_vars(data, {"X": "x"}, []) == {"a": [{"b": "x"}, 3, True, None], "c": {"d": "x"}}


def test_unset_variable_is_reported_with_its_path() -> None:
    problems: list[ConfigProblem] = []
    expand_env_vars({"a": {"b": ["ok", "${MISSING}"]}}, {}, problems)

    assert [(p.path, "MISSING" in p.message) for p in problems] == [("a.b[1]", True)]


def test_malformed_reference_is_reported() -> None:
    problems: list[ConfigProblem] = []
    expand_env_vars({"a": "${1BAD}"}, {}, problems)

    assert problems and "malformed environment variable reference" in problems[0].message


def test_format_path() -> None:
    assert format_path(("source", "tableFilterPattern", "includes", 2)) == "source.tableFilterPattern.includes[2]"
    assert format_path(()) == ""


def test_expanded_values_are_validated_as_their_field_types(workflow_text: str) -> None:
    text = workflow_text.replace("markDeletedTables: true", "markDeletedTables: ${MARK_DELETED:-false}").replace(
        "threads: 4", "threads: ${THREADS}"
    )
    config = load_workflow_config_from_text(text, "wf.yaml", env={"THREADS": "8"})

    assert config.pipeline.mark_deleted_tables is False  # type: ignore[union-attr]
    assert config.pipeline.threads == 8  # type: ignore[union-attr]


def test_a_variable_cannot_change_the_yaml_structure(workflow_text: str) -> None:
    text = workflow_text.replace("workgroup: analytics", "workgroup: ${WG}")
    config = load_workflow_config_from_text(text, "wf.yaml", env={"WG": "a\nextra: key"})

    assert config.connection is not None and config.connection.workgroup == "a\nextra: key"


def test_an_unset_variable_inside_a_used_default_is_reported() -> None:
    problems: list[ConfigProblem] = []
    assert expand_env_vars({"a": "${A:-${B}}"}, {}, problems) == {"a": ""}

    assert len(problems) == 1 and "environment variable B is not set" in problems[0].message


def test_an_unused_default_is_not_expanded() -> None:
    problems: list[ConfigProblem] = []
    assert expand_env_vars({"a": "${A:-${B}}"}, {"A": "a"}, problems) == {"a": "a"}
    assert problems == []


@pytest.mark.parametrize("value", ["${A:-${B}", "${A:-", "${A:x}", "${}"])
def test_unclosed_or_malformed_references_are_reported(value: str) -> None:
    problems: list[ConfigProblem] = []
    expand_env_vars({"a": value}, {}, problems)

    assert len(problems) == 1 and problems[0].path == "a"
    assert "expected" in problems[0].message


def test_defaults_nested_too_deep_are_reported() -> None:
    problems: list[ConfigProblem] = []
    expand_env_vars({"a": "${A:-" * 50 + "x" + "}" * 50}, {}, problems)

    assert len(problems) == 1 and "nested more than" in problems[0].message
