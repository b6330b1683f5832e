"""Data-quality settings, read once from the workflow file: test cases declared in TestSuite workflow files,
Dagster check severity, and the profiler's execution settings (one Athena layer, one budget)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from athena_om.config import WorkflowConfig
from athena_om.config.workflow import TestRunnerProcessor, TestSuitePipeline
from athena_om.mapping.quality import DeclaredTestCase
from athena_om.resources.settings import workflow_config_at
from athena_om.sync.profile_options import ProfilerOptions, profiler_options_from_workflow


class TestSuiteFileError(ValueError):
    """A TestSuite workflow file cannot be used: which file, which test case, what to fix."""


@dataclass(frozen=True)
class QualityOptions:
    execution: ProfilerOptions
    declared: tuple[DeclaredTestCase, ...] = ()
    warn_only: tuple[str, ...] = ()
    snapshot_file: Path = Path(".athena_om/data_quality_snapshot.json")
    schedule: str = "0 5 * * *"
    max_asset_checks: int = 2000
    problems: tuple[str, ...] = field(default_factory=tuple)
    # A TestSuite file's ``sourceConfig.config.testCases``: the only test cases of that table to run, by name.
    selected: tuple[tuple[str, frozenset[str]], ...] = ()

    def selected_by_table(self) -> dict[str, frozenset[str]]:
        """Table FQN -> the test case names to run there (tables not named run all of theirs); two files naming
        the same table run the union of their lists."""
        chosen: dict[str, frozenset[str]] = {}
        for table, names in self.selected:
            chosen[table] = chosen.get(table, frozenset()) | names
        return chosen

    def severity_is_warn(self, test_case_fqn: str) -> bool:
        return any(fnmatch.fnmatchcase(test_case_fqn, pattern) for pattern in self.warn_only)


def _parameter_text(value: object) -> str:
    """A YAML parameter value as OpenMetadata stores it: a string (``true``/``false`` for booleans)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def declared_test_cases(config: WorkflowConfig, source: str = "the workflow file") -> list[DeclaredTestCase]:
    """The ``orm-test-runner`` test cases of a TestSuite workflow, each on its table (the file's
    ``entityFullyQualifiedName`` unless the test case names its own)."""
    processor = config.processor
    if not isinstance(processor, TestRunnerProcessor):
        return []
    pipeline = config.pipeline
    default_table = pipeline.entity_fully_qualified_name if isinstance(pipeline, TestSuitePipeline) else None
    found: list[DeclaredTestCase] = []
    for index, case in enumerate(processor.config.test_cases):
        table = case.entity_fully_qualified_name or default_table
        if not table:
            raise TestSuiteFileError(
                f"{source}: processor.config.testCases[{index}] ({case.name}) names no table: set "
                "source.sourceConfig.config.entityFullyQualifiedName to the table's FQN"
            )
        found.append(
            DeclaredTestCase(
                table_fqn=table,
                name=case.name,
                definition=case.test_definition_name,
                column=case.column_name,
                parameters=tuple((p.name, _parameter_text(p.value)) for p in case.parameter_values),
                description=case.description,
                force_update=processor.config.force_update,
            )
        )
    return found


def selected_test_cases(config: WorkflowConfig, source: str = "the workflow file") -> list[tuple[str, frozenset[str]]]:
    """A TestSuite workflow's ``testCases`` list (OpenMetadata: "if null, all test cases will be executed"), on
    its ``entityFullyQualifiedName``."""
    pipeline = config.pipeline
    if not isinstance(pipeline, TestSuitePipeline) or pipeline.test_cases is None:
        return []
    if not pipeline.entity_fully_qualified_name:
        raise TestSuiteFileError(
            f"{source}: source.sourceConfig.config.testCases lists test cases to run but no table: set "
            "source.sourceConfig.config.entityFullyQualifiedName to the table's FQN"
        )
    return [(pipeline.entity_fully_qualified_name, frozenset(pipeline.test_cases))]


def quality_options_from_workflow(config: WorkflowConfig, config_path: str | None = None) -> QualityOptions:
    """Settings for a data-quality run: the main file's own test cases plus those of each ``testSuiteFiles`` file."""
    settings = config.settings.data_quality
    base = Path(config_path).parent if config_path else Path.cwd()
    declared = declared_test_cases(config)
    selected = selected_test_cases(config)
    for name in settings.test_suite_files:
        path = Path(name) if Path(name).is_absolute() else base / name
        suite = workflow_config_at(str(path))
        declared += declared_test_cases(suite, str(path))
        selected += selected_test_cases(suite, str(path))
    snapshot = Path(settings.snapshot_file)
    return QualityOptions(
        execution=profiler_options_from_workflow(config),
        declared=tuple(declared),
        selected=tuple(selected),
        warn_only=tuple(settings.warn_only),
        snapshot_file=snapshot if snapshot.is_absolute() else base / snapshot,
        schedule=settings.schedule,
        max_asset_checks=settings.max_asset_checks,
    )
