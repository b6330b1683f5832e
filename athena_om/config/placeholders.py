"""Template placeholders such as `<your-bucket>` left in a workflow file: reported by key path, not accepted.

The production template marks what to fill in as `<...>`; a value still holding one would otherwise pass some
checks (`https://<openmetadata.example.com>/api` is a well-formed URL) and fail only at run time.
"""

from __future__ import annotations

import re
from typing import Any

from athena_om.config.errors import ConfigProblem
from athena_om.config.interpolation import YamlPath, format_path
from athena_om.config.validation_errors import is_sensitive_path

# `<word>` with no spaces inside a value (`s3://<bucket>/x`), or a whole value in angle brackets (`<bot JWT>`).
_EMBEDDED = re.compile(r"<[A-Za-z][A-Za-z0-9_.:\-]*>")
_WHOLE = re.compile(r"<[^<>\n]+>")
# Keys whose values are regexes or SQL, where `<name>` (a named group) or `a<b>c` is meaningful text.
_NOT_CHECKED = frozenset({"includes", "excludes", "filterCondition"})


def placeholder_problems(data: Any, path: YamlPath = ()) -> list[ConfigProblem]:
    """One problem per string value that still holds a template placeholder."""
    if isinstance(data, dict):
        return [
            problem
            for key, value in data.items()
            if key not in _NOT_CHECKED
            for problem in placeholder_problems(value, (*path, key))
        ]
    if isinstance(data, list):
        return [problem for index, item in enumerate(data) for problem in placeholder_problems(item, (*path, index))]
    if isinstance(data, str) and "<" in data:
        found = _WHOLE.fullmatch(data.strip()) or _EMBEDDED.search(data)
        if found:
            shown = "" if is_sensitive_path(path) else f" ({found[0]})"
            return [ConfigProblem(format_path(path), f"looks like a template placeholder{shown}; replace it")]
    return []
