"""Hostile or runaway workflow files fail fast with a named config error, never a hang or a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from athena_om.cli import main
from athena_om.config import WorkflowConfigError, load_workflow_config, load_workflow_config_from_text, loader
from athena_om.config.loader import MAX_CONFIG_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs" document: each level lists the previous one `width` times (9**9 values expanded)."""
    lines = ['l0: &l0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\nsource: *l9\n"


def _problems(text: str) -> str:
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config_from_text(text, "hostile.yaml", env={})
    return str(raised.value)


def test_an_alias_bomb_is_refused_while_composing() -> None:
    message = _problems(_alias_bomb())

    assert f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes" in message
    assert "aliases/anchors are limited; write the values out" in message


def test_validate_config_refuses_an_alias_bomb_with_the_config_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(_alias_bomb())

    assert main(["validate-config", str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "aliases/anchors are limited" in err
    assert "Traceback" not in err


def test_aliases_within_the_limits_still_work() -> None:
    text = """
source:
  type: athena-lineage
  serviceName: lineage
  sourceConfig:
    config:
      schemaFilterPattern: &only_sales {includes: [^sales]}
      tableFilterPattern: *only_sales
workflowConfig:
  openMetadataServerConfig: {hostPort: "http://localhost:8585/api", authProvider: no-auth}
"""
    pipeline = load_workflow_config_from_text(text, "a.yaml", env={}).pipeline

    assert pipeline.table_filter_pattern == pipeline.schema_filter_pattern  # type: ignore[union-attr]
    assert pipeline.table_filter_pattern.includes == ["^sales"]  # type: ignore[union-attr]


def test_a_cyclic_anchor_is_a_named_error() -> None:
    message = _problems("source: &loop\n  - *loop\n")

    assert "cyclic anchor" in message
    assert "*loop" in message


def test_deep_nesting_is_a_named_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("source: " + "[" * 5000 + "]" * 5000 + "\n")

    assert main(["validate-config", str(deep)]) == 2
    err = capsys.readouterr().err
    assert f"nested more than {MAX_YAML_DEPTH} levels deep" in err
    assert "Traceback" not in err and "RecursionError" not in err


def test_deep_nesting_through_a_chain_of_aliases_is_a_named_error() -> None:
    lines = ["a0: &a0 [x]"] + [f"a{n}: &a{n} [*a{n - 1}]" for n in range(1, 3 * MAX_YAML_DEPTH)]
    message = _problems("\n".join(lines) + "\n")

    assert f"more than {MAX_YAML_DEPTH} levels deep" in message


def test_a_document_with_too_many_values_is_refused_without_blaming_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_YAML_NODES", 50)  # the real limit needs a slow-to-parse document
    message = _problems("source: [" + ", ".join(["1"] * 60) + "]\n")

    assert "more than 50 YAML values" in message
    assert "alias" not in message


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))

    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config(big, env={})
    message = str(raised.value)
    assert f"{big.stat().st_size:,} bytes" in message
    assert f"the limit is {MAX_CONFIG_BYTES:,} bytes" in message


def test_oversized_text_is_refused_too() -> None:
    message = _problems("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))

    assert f"the limit is {MAX_CONFIG_BYTES:,} bytes" in message


def test_a_long_list_is_refused_where_the_limit_is_crossed_not_after_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_YAML_NODES", 50)
    with pytest.raises(WorkflowConfigError) as raised:
        load_workflow_config_from_text("source:\n" + "  - x\n" * 1000, "long.yaml", env={})

    (problem,) = raised.value.problems
    assert problem.line is not None and 40 < problem.line < 60
