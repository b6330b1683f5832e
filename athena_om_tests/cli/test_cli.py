"""`athena-om validate-config`: a readable summary with secrets masked, and path-named errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from athena_om.cli import main

FIXTURE = Path(__file__).parents[1] / "config" / "fixtures" / "athena_workflow.yaml"
SECRET = "fixture/Secret+Access+Key/0123456789abcd"
JWT_SIGNATURE = "fixture-signature"


def test_validate_config_prints_summary_without_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "eu-west-1" in out
    assert SECRET not in out and JWT_SIGNATURE not in out
    assert "****" in out


def test_validate_config_reports_the_yaml_path_and_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(FIXTURE.read_text().replace("markDeletedTables: true", "markDeletedTables: maybe"))
    assert main(["validate-config", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "source.sourceConfig.config.markDeletedTables" in err
    assert SECRET not in err


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_sandbox_env_when_nothing_runs_says_how_to_start_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "env", "--state-dir", str(tmp_path)]) == 1
    assert "athena-om sandbox up" in capsys.readouterr().err


def test_validate_config_lists_ignored_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "\nIgnored (" in out
    assert "  source.sourceConfig.config.includeDDL" in out.split("\nIgnored (")[1]
