"""OpenMetadata's TestSuite workflow (orm-test-runner test cases) loads and yields the test cases to create."""

from __future__ import annotations

from pathlib import Path

import pytest

from athena_om.config import WorkflowConfigError, workflow
from athena_om.config.loader import load_workflow_config, load_workflow_config_from_text
from athena_om.sync import quality_options
from athena_om.sync.quality_options import declared_test_cases, selected_test_cases

EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "data_quality.yaml"


def test_the_documented_test_suite_workflow_loads_as_is() -> None:
    config = load_workflow_config(EXAMPLE)
    assert config.source.type == "TestSuite"
    assert isinstance(config.pipeline, workflow.TestSuitePipeline)
    assert isinstance(config.processor, workflow.TestRunnerProcessor)
    cases = declared_test_cases(config)
    assert [c.fqn for c in cases] == [
        "athena_sandbox.default.demo_marketing.campaigns.campaigns_row_count",
        "athena_sandbox.default.demo_marketing.campaigns.campaign_id.campaign_id_not_null",
        "athena_sandbox.default.demo_marketing.campaigns.campaign_id.campaign_id_length",
    ]
    assert cases[0].parameters == (("minValue", "1"), ("maxValue", "100"))


def test_a_misspelt_test_case_key_is_reported_with_its_path() -> None:
    text = EXAMPLE.read_text().replace("testDefinitionName: columnValuesToBeNotNull", "testDefinition: x")
    with pytest.raises(WorkflowConfigError) as error:
        load_workflow_config_from_text(text, "tests.yaml")
    assert "processor.config.testCases[1].testDefinition: unknown key" in str(error.value)


def test_source_type_and_pipeline_type_must_agree() -> None:
    text = EXAMPLE.read_text().replace("      type: TestSuite\n", "      type: Profiler\n")
    with pytest.raises(WorkflowConfigError) as error:
        load_workflow_config_from_text(text, "tests.yaml")
    assert "does not run with source type" in str(error.value)


def test_the_pipelines_test_cases_list_selects_on_its_table_and_needs_one() -> None:
    text = EXAMPLE.read_text().replace(
        "      entityFullyQualifiedName: athena_sandbox.default.demo_marketing.campaigns\n",
        "      entityFullyQualifiedName: athena_sandbox.default.demo_marketing.campaigns\n"
        "      testCases: [campaigns_row_count]\n",
    )
    config = load_workflow_config_from_text(text, "tests.yaml")
    assert selected_test_cases(config) == [
        ("athena_sandbox.default.demo_marketing.campaigns", frozenset({"campaigns_row_count"}))
    ]
    assert selected_test_cases(load_workflow_config(EXAMPLE)) == []  # no list: every test case runs
    nameless = text.replace("      entityFullyQualifiedName: athena_sandbox.default.demo_marketing.campaigns\n", "")
    with pytest.raises(quality_options.TestSuiteFileError, match="entityFullyQualifiedName"):
        selected_test_cases(load_workflow_config_from_text(nameless, "tests.yaml"))
