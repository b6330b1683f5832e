"""`${VAR}`, `${VAR:-default}` and `$VAR` references in the string values of a parsed workflow file.

Expansion runs on parsed values rather than on the raw text (as OpenMetadata's `os.path.expandvars` does), so a
variable's value can never change the YAML structure, and an unset variable is an error naming the variable and
the key it sits under. `$$` writes a literal `$`. A default may itself hold references, as in a shell:
`${A:-${B:-b}}` is A, else B, else `b`; a variable's value is used as is, never expanded again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from athena_om.config.errors import ConfigProblem

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ANY_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
MAX_DEFAULT_NESTING = 8

YamlPath = tuple[str | int, ...]


def format_path(path: YamlPath) -> str:
    """`("source", "tableFilterPattern", "includes", 2)` -> `source.tableFilterPattern.includes[2]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def referenced_variables(text: str) -> set[str]:
    """Every name a `$NAME` or `${NAME...}` in `text` could look up (a superset: comments and `$$` count too)."""
    return set(_ANY_REFERENCE.findall(text))


def expand_env_vars(data: Any, env: Mapping[str, str], problems: list[ConfigProblem], path: YamlPath = ()) -> Any:
    """Return `data` with references in string values replaced from `env`; unresolvable ones go to `problems`."""
    if isinstance(data, dict):
        return {key: expand_env_vars(value, env, problems, (*path, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [expand_env_vars(item, env, problems, (*path, index)) for index, item in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        return _Expander(env, problems, format_path(path)).expand(data, 0)
    return data


class _Malformed(Exception):
    pass


class _Expander:
    """A small scanner rather than a regex, so that a default's braces may nest."""

    def __init__(self, env: Mapping[str, str], problems: list[ConfigProblem], where: str) -> None:
        self.env = env
        self.problems = problems
        self.where = where

    def expand(self, text: str, nesting: int) -> str:
        try:
            return self._expand(text, nesting)
        except _Malformed as error:
            self.problems.append(ConfigProblem(self.where, str(error)))
            return ""

    def _expand(self, text: str, nesting: int) -> str:
        out: list[str] = []
        position = 0
        while (dollar := text.find("$", position)) >= 0:
            out.append(text[position:dollar])
            following = text[dollar + 1 : dollar + 2]
            if following == "$":
                out.append("$")
                position = dollar + 2
            elif following == "{":
                value, position = self._braced(text, dollar + 2, nesting)
                out.append(value)
            elif name := _NAME.match(text, dollar + 1):
                out.append(self._lookup(name[0], None, nesting))
                position = name.end()
            else:  # a lone `$`, as in the regex `^sales$`
                out.append("$")
                position = dollar + 1
        out.append(text[position:])
        return "".join(out)

    def _braced(self, text: str, start: int, nesting: int) -> tuple[str, int]:
        """Expand the `${...}` whose name starts at `start`; return its value and the index after its `}`."""
        name = _NAME.match(text, start)
        if name is None:
            raise _Malformed(
                "malformed environment variable reference — expected ${NAME} or ${NAME:-default} "
                "(write $$ for a literal $)"
            )
        after = name.end()
        if text.startswith("}", after):
            return self._lookup(name[0], None, nesting), after + 1
        if not text.startswith(":-", after):
            raise _Malformed(
                f"malformed environment variable reference to {name[0]} — expected ${{{name[0]}}} or "
                f"${{{name[0]}:-default}} (write $$ for a literal $)"
            )
        end = _closing_brace(text, after + 2)
        if end is None:
            raise _Malformed(f"unclosed ${{{name[0]}:-...}} — expected a closing }}")
        return self._lookup(name[0], text[after + 2 : end], nesting), end + 1

    def _lookup(self, name: str, default: str | None, nesting: int) -> str:
        if name in self.env:
            return self.env[name]
        if default is not None:
            if nesting >= MAX_DEFAULT_NESTING:
                raise _Malformed(
                    f"defaults nested more than {MAX_DEFAULT_NESTING} deep in ${{{name}:-...}} — expected fewer"
                )
            return self._expand(default, nesting + 1)
        self.problems.append(
            ConfigProblem(
                self.where,
                f"environment variable {name} is not set — expected it to be exported, "
                f"or a default such as ${{{name}:-value}}",
            )
        )
        return ""


def _closing_brace(text: str, start: int) -> int | None:
    """Index of the `}` closing a default that starts at `start`, skipping `${...}` nested inside it."""
    depth = 0
    index = start
    while index < len(text):
        if text.startswith("$$", index):
            index += 2
            continue
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return None
