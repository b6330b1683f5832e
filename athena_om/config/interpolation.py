"""`${VAR}`, `${VAR:-default}` and `$VAR` references in the string values of a parsed workflow file.

Expansion runs on parsed values rather than on the raw text (as OpenMetadata's `os.path.expandvars` does), so a
variable's value can never change the YAML structure, and an unset variable is an error naming the variable and
the key it sits under. `$$` writes a literal `$`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from athena_om.config.errors import ConfigProblem

_REFERENCE = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<invalid>\{[^}]*\}?))"
)

YamlPath = tuple[str | int, ...]


def format_path(path: YamlPath) -> str:
    """`("source", "tableFilterPattern", "includes", 2)` -> `source.tableFilterPattern.includes[2]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def expand_env_vars(data: Any, env: Mapping[str, str], problems: list[ConfigProblem], path: YamlPath = ()) -> Any:
    """Return `data` with references in string values replaced from `env`; unresolvable ones go to `problems`."""
    if isinstance(data, dict):
        return {key: expand_env_vars(value, env, problems, (*path, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [expand_env_vars(item, env, problems, (*path, index)) for index, item in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        return _expand_string(data, env, problems, path)
    return data


def _expand_string(text: str, env: Mapping[str, str], problems: list[ConfigProblem], path: YamlPath) -> str:
    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        if match["invalid"] is not None:
            problems.append(
                ConfigProblem(
                    format_path(path),
                    "malformed environment variable reference — expected ${NAME} or ${NAME:-default} "
                    "(write $$ for a literal $)",
                )
            )
            return ""
        name = match["braced"] or match["bare"]
        if name in env:
            return env[name]
        if match["default"] is not None:
            return match["default"]
        problems.append(
            ConfigProblem(
                format_path(path),
                f"environment variable {name} is not set — expected it to be exported, "
                f"or a default such as ${{{name}:-value}}",
            )
        )
        return ""

    return _REFERENCE.sub(replace, text)
