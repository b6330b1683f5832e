"""Load a workflow YAML file into a `WorkflowConfig`, or raise one `WorkflowConfigError` listing every problem.

Which file: an explicit path, else `$ATHENA_OM_CONFIG`, else `./athena_om.yaml` if it exists, else the bundled
sandbox example (`athena_om/config/examples/sandbox.yaml`), which points at local demo servers only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from athena_om.config.errors import ConfigProblem, WorkflowConfigError
from athena_om.config.interpolation import YamlPath, expand_env_vars, format_path
from athena_om.config.validation_errors import problems_from_validation_error
from athena_om.config.workflow import WorkflowConfig

logger = logging.getLogger(__name__)

CONFIG_PATH_ENV_VAR = "ATHENA_OM_CONFIG"
DEFAULT_CONFIG_PATH = Path("athena_om.yaml")
EXAMPLES_DIR = Path(__file__).parent / "examples"
SANDBOX_CONFIG_PATH = EXAMPLES_DIR / "sandbox.yaml"


def resolve_config_path(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The file `load_workflow_config` reads: `path`, `$ATHENA_OM_CONFIG`, `./athena_om.yaml`, or the sandbox."""
    env = os.environ if env is None else env
    if path is not None:
        return Path(path)
    if env.get(CONFIG_PATH_ENV_VAR):
        return Path(env[CONFIG_PATH_ENV_VAR])
    if DEFAULT_CONFIG_PATH.is_file():
        return DEFAULT_CONFIG_PATH
    logger.warning(
        "No workflow config given (set %s or create %s); using the sandbox example %s",
        CONFIG_PATH_ENV_VAR,
        DEFAULT_CONFIG_PATH,
        SANDBOX_CONFIG_PATH,
    )
    return SANDBOX_CONFIG_PATH


def load_workflow_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> WorkflowConfig:
    """Read, expand and validate a workflow file (see `resolve_config_path` for which one)."""
    resolved = resolve_config_path(path, env)
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _single(
            str(resolved), f"file not found — pass a workflow YAML path or set {CONFIG_PATH_ENV_VAR}"
        ) from None
    except UnicodeDecodeError as error:
        raise _single(str(resolved), f"not UTF-8 text (byte {error.start}) — expected a YAML file") from None
    except OSError as error:
        raise _single(str(resolved), f"cannot read the file: {error.strerror}") from None
    return load_workflow_config_from_text(text, str(resolved), env)


def load_workflow_config_from_text(
    text: str, source_name: str = "<workflow config>", env: Mapping[str, str] | None = None
) -> WorkflowConfig:
    """Validate workflow YAML given as text; `source_name` prefixes every error line."""
    env = os.environ if env is None else env
    data, lines = _parse_yaml(text, source_name)
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a {type(data).__name__}"
        raise _single(source_name, f"the file is {found} — expected a mapping with source and workflowConfig")

    problems: list[ConfigProblem] = []
    expanded = expand_env_vars(data, env, problems)
    positions = {format_path(path): position for path, position in lines.items()}
    problems = [_with_position(problem, positions) for problem in problems]
    try:
        config = WorkflowConfig.model_validate(expanded)
    except ValidationError as error:
        # An unset variable was already reported; the empty string left in its place would only add noise.
        reported = {problem.path for problem in problems}
        problems.extend(
            problem
            for problem in problems_from_validation_error(error, WorkflowConfig, expanded, lines)
            if problem.path not in reported
        )
        raise WorkflowConfigError(source_name, problems) from None
    if problems:
        raise WorkflowConfigError(source_name, problems)
    return config


def _single(source_name: str, message: str) -> WorkflowConfigError:
    return WorkflowConfigError(source_name, [ConfigProblem("", message)])


# --- YAML ---------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} — each key may appear once per mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _parse_yaml(text: str, source_name: str) -> tuple[Any, dict[YamlPath, tuple[int, int]]]:
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
        root = yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as error:
        # str(error) would quote the offending line, which may hold a secret: report only the position.
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            problem = f"{error.context}: {error.problem}"
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise WorkflowConfigError(
            source_name, [ConfigProblem("", f"YAML syntax error: {problem}", line, column)]
        ) from None
    except yaml.YAMLError as error:
        raise _single(source_name, f"YAML error: {type(error).__name__}") from None
    lines: dict[YamlPath, tuple[int, int]] = {}
    if root is not None:
        _record_positions(root, (), lines, depth=0)
    return data, lines


def _record_positions(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, tuple[int, int]], depth: int) -> None:
    if depth > 64:  # aliases can make the node graph deep or cyclic
        return
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_path = (*path, key_node.value)
                lines.setdefault(key_path, (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                _record_positions(value_node, key_path, lines, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            lines.setdefault(item_path, (item.start_mark.line + 1, item.start_mark.column + 1))
            _record_positions(item, item_path, lines, depth + 1)


def _with_position(problem: ConfigProblem, positions: Mapping[str, tuple[int, int]]) -> ConfigProblem:
    position = positions.get(problem.path)
    return ConfigProblem(problem.path, problem.message, *position) if position else problem
