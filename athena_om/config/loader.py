"""Load a workflow YAML file into a `WorkflowConfig`, or raise one `WorkflowConfigError` listing every problem.

Which file: an explicit path, else `$ATHENA_OM_CONFIG`, else `./athena_om.yaml`. There is no fallback: the
bundled sandbox example (`SANDBOX_CONFIG_PATH`) is used only when named explicitly, so a production process
never talks to the demo servers by accident.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from athena_om.config.errors import ConfigProblem, WorkflowConfigError
from athena_om.config.interpolation import YamlPath, expand_env_vars, format_path, referenced_variables
from athena_om.config.placeholders import placeholder_problems
from athena_om.config.validation_errors import problems_from_validation_error
from athena_om.config.workflow import WorkflowConfig

CONFIG_PATH_ENV_VAR = "ATHENA_OM_CONFIG"
DEFAULT_CONFIG_PATH = Path("athena_om.yaml")
EXAMPLES_DIR = Path(__file__).parent / "examples"
SANDBOX_CONFIG_PATH = EXAMPLES_DIR / "sandbox.yaml"
PRODUCTION_TEMPLATE_PATH = EXAMPLES_DIR / "production.yaml"
# A workflow file is a few kilobytes; a larger one is a mistake (or an attack) and would take seconds to parse.
MAX_CONFIG_BYTES = 64_000  # pure-Python YAML parsing: the worst 64 KB file still validates in about a second


def resolve_config_path(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The file `load_workflow_config` reads: `path`, else `$ATHENA_OM_CONFIG`, else `./athena_om.yaml`."""
    env = os.environ if env is None else env
    if path is not None:
        return Path(path)
    if env.get(CONFIG_PATH_ENV_VAR):
        return Path(env[CONFIG_PATH_ENV_VAR])
    if DEFAULT_CONFIG_PATH.is_file():
        return DEFAULT_CONFIG_PATH
    raise _single(
        "athena-om",
        f"no workflow config given — set {CONFIG_PATH_ENV_VAR} to a workflow YAML, or create ./{DEFAULT_CONFIG_PATH} "
        f"(start from athena_om/config/examples/{PRODUCTION_TEMPLATE_PATH.name}; the local sandbox's file is "
        f"athena_om/config/examples/{SANDBOX_CONFIG_PATH.name})",
    )


def load_workflow_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> WorkflowConfig:
    """Read, expand and validate a workflow file (see `resolve_config_path` for which one)."""
    resolved = resolve_config_path(path, env)
    try:
        size = resolved.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise _too_large(str(resolved), size)
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


def load_workflow_config_cached(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> WorkflowConfig:
    """`load_workflow_config`, parsed once per process for the same file contents and environment.

    The key is the file's absolute path, modification time and size, and the values of the environment variables
    the file references, so an edited file or a changed variable is read again. Errors are not cached.
    """
    env = os.environ if env is None else env
    resolved = resolve_config_path(path, env).absolute()
    try:
        stat = resolved.stat()
    except OSError:
        return load_workflow_config(resolved, env)  # reports the missing or unreadable file
    names = _variables_of(str(resolved), stat.st_mtime_ns, stat.st_size)
    values = tuple((name, env.get(name)) for name in names)
    return _load_cached(str(resolved), stat.st_mtime_ns, stat.st_size, values)


@lru_cache(maxsize=16)
def _variables_of(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """Names of the environment variables the file references (mtime and size are part of the key only)."""
    if size > MAX_CONFIG_BYTES:
        return ()
    try:
        return tuple(sorted(referenced_variables(Path(path).read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError):
        return ()


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int, size: int, variables: tuple[tuple[str, str | None], ...]) -> WorkflowConfig:
    env = {name: value for name, value in variables if value is not None}
    return load_workflow_config(path, env)


def load_workflow_config_from_text(
    text: str, source_name: str = "<workflow config>", env: Mapping[str, str] | None = None
) -> WorkflowConfig:
    """Validate workflow YAML given as text; `source_name` prefixes every error line."""
    env = os.environ if env is None else env
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_CONFIG_BYTES:
        raise _too_large(source_name, size)
    data, lines = _parse_yaml(text, source_name)
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a {type(data).__name__}"
        raise _single(source_name, f"the file is {found} — expected a mapping with source and workflowConfig")

    problems: list[ConfigProblem] = []
    expanded = expand_env_vars(data, env, problems)
    problems.extend(placeholder_problems(expanded))
    positions = {format_path(path): position for path, position in lines.items()}
    problems = [_with_position(problem, positions) for problem in problems]
    try:
        config = WorkflowConfig.model_validate(expanded)
    except ValidationError as error:
        # An unset variable or a placeholder was already reported; more about the same value would only add noise.
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


def _too_large(source_name: str, size: int) -> WorkflowConfigError:
    return _single(
        source_name,
        f"the file is {size:,} bytes — the limit is {MAX_CONFIG_BYTES:,} bytes (a workflow file is a few kilobytes)",
    )


def _single(source_name: str, message: str) -> WorkflowConfigError:
    return WorkflowConfigError(source_name, [ConfigProblem("", message)])


# --- YAML ---------------------------------------------------------------------------------------

# A workflow file has a few hundred nodes nested about eight deep; these limits leave ample room for that while
# refusing documents built to exhaust memory, time or the stack (alias bombs, cyclic anchors, deep nesting).
MAX_YAML_NODES = 5_000
MAX_YAML_DEPTH = 100


class _YamlLimitError(yaml.MarkedYAMLError):
    """The document is too large, too deep or cyclic once its aliases are expanded."""


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, and documents too large or deep once aliases are expanded.

    While composing, each finished node records how many nodes and how many levels it stands for with every alias
    written out; an alias to a node that is not finished yet refers to one of its own parents (a cycle).
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes, depth) with aliases expanded
        self._depth = 0
        self._composed = 0  # nodes written in the file, aliases not expanded
        self._has_alias = False

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._has_alias = True
            if id(node) not in self._expanded:
                raise _YamlLimitError(
                    None,
                    None,
                    f"the alias *{event.anchor} refers to a node that contains it (a cyclic anchor) — "
                    "aliases may only repeat a finished value; write the values out",
                    mark,
                )
            return node
        self._composed += 1
        if self._composed > MAX_YAML_NODES:  # stop early: a long list is only counted when it ends
            raise _YamlLimitError(None, None, self._too_many_message(), mark)
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _YamlLimitError(
                None,
                None,
                f"values nested more than {MAX_YAML_DEPTH} levels deep — a workflow file needs about ten",
                mark,
            )
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is not None:
            self._record_expansion(node, mark)
        return node

    def _too_many_message(self) -> str:
        if self._has_alias:
            return (
                f"YAML aliases expand to more than {MAX_YAML_NODES:,} nodes — aliases/anchors are limited; "
                "write the values out"
            )
        return f"more than {MAX_YAML_NODES:,} YAML values — a workflow file has a few hundred"

    def _record_expansion(self, node: yaml.Node, mark: Any) -> None:
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        sizes = [self._expanded[id(child)] for child in children]
        nodes = 1 + sum(size for size, _ in sizes)
        depth = 1 + max((level for _, level in sizes), default=0)
        if nodes > MAX_YAML_NODES:
            raise _YamlLimitError(None, None, self._too_many_message(), mark)
        if depth > MAX_YAML_DEPTH:
            raise _YamlLimitError(
                None,
                None,
                f"YAML aliases nest values more than {MAX_YAML_DEPTH} levels deep — aliases/anchors are limited; "
                "write the values out",
                mark,
            )
        self._expanded[id(node)] = (nodes, depth)

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
    loader = _StrictLoader(text)  # a SafeLoader subclass
    try:
        # Compose once (the limits apply there), then build the values from the same node graph.
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _YamlLimitError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise WorkflowConfigError(source_name, [ConfigProblem("", str(error.problem), line, column)]) from None
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
    finally:
        loader.dispose()
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
