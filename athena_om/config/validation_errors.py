"""Turn pydantic's validation errors into `ConfigProblem`s a person can act on.

Each problem names the YAML key path (union tags that pydantic inserts are dropped), says what is wrong and what
was expected, suggests the nearest allowed key for a misspelt one, and never repeats a secret value.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo

from athena_om.config.errors import ConfigProblem
from athena_om.config.interpolation import YamlPath, format_path

# Keys whose values are secrets (or may carry them): never echoed, and scrubbed from any message.
SENSITIVE_KEY = re.compile(r"secret|token|password|passwd|credential|accesskey|sslkey|certificate", re.IGNORECASE)
SENSITIVE_CONTAINERS = frozenset({"connectionArguments", "connectionOptions", "extraHeaders", "securityConfig"})
_MAX_ECHOED_VALUE = 60


def problems_from_validation_error(
    error: ValidationError,
    model: type[BaseModel],
    data: Any,
    lines: Mapping[YamlPath, tuple[int, int]],
) -> list[ConfigProblem]:
    """One problem per offending key path; errors for the alternatives of one union are merged."""
    by_path: dict[YamlPath, list[_Explained]] = {}
    for item in error.errors(include_url=False, include_input=True):
        explained = _explain(item, model, data)
        by_path.setdefault(explained.path, []).append(explained)
    secrets = sorted(collect_secret_values(data), key=len, reverse=True)
    problems = []
    for path, explanations in by_path.items():
        line, column = _nearest_position(path, lines)
        problems.append(ConfigProblem(format_path(path), scrub(_merge(explanations), secrets), line, column))
    return problems


@dataclass(frozen=True)
class _Explained:
    path: YamlPath
    message: str
    wrong_type: bool = False
    expected: str | None = None
    shown_input: str | None = None


def _merge(explanations: list[_Explained]) -> str:
    """A union reports one error per alternative; say once that the type is wrong and list what fits."""
    if len(explanations) > 1 and all(e.wrong_type for e in explanations):
        first = explanations[0]
        message = f"wrong type — expected {first.expected}" if first.expected else "wrong type"
        return f"{message} (got {first.shown_input})" if first.shown_input else message
    return "; ".join(dict.fromkeys(e.message for e in explanations))


def _explain(item: Mapping[str, Any], model: type[BaseModel], data: Any) -> _Explained:
    path = _yaml_path(item["loc"], data)
    kind = item["type"]
    ctx = item.get("ctx") or {}
    expected = _expected_at(model, item["loc"], data)
    if kind == "athena_om_field":
        extra = tuple(int(part) if part.isdigit() else part for part in ctx["field"].split("."))
        return _Explained((*path, *extra), ctx["message"])
    if kind == "missing":
        return _Explained(path, f"field required — expected {expected or 'a value'}")
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else ""
        return _Explained(path, _unknown_key_message(key, _allowed_keys(model, item["loc"][:-1], data)))
    if kind in ("value_error", "assertion_error"):
        message = re.sub(r"^(Value error|Assertion failed), ", "", item["msg"])
        shown = _echo(item.get("input"), path)
        return _Explained(path, f"{message} (got {shown})" if shown else message)
    if kind == "pipeline_type":
        return _Explained((*path, "type"), item["msg"])
    problem = _WRONG_TYPE.get(kind) or item["msg"][:1].lower() + item["msg"][1:]
    if kind == "literal_error" and "expected" in ctx:
        expected = f"one of {ctx['expected']}"
    message = f"{problem} — expected {expected}" if expected else problem
    shown = _echo(item.get("input"), path)
    if shown:
        message += f" (got {shown})"
    return _Explained(path, message, kind in _WRONG_TYPE, expected, shown)


_WRONG_TYPE = {
    "bool_parsing": "not a boolean",
    "bool_type": "not a boolean",
    "int_parsing": "not an integer",
    "int_type": "not an integer",
    "int_from_float": "not a whole number",
    "float_parsing": "not a number",
    "float_type": "not a number",
    "string_type": "not a string",
    "literal_error": "not an allowed value",
    "enum": "not an allowed value",
    "list_type": "not a list",
    "dict_type": "not a mapping",
    "model_type": "not a mapping",
    "model_attributes_type": "not a mapping",
}


def _unknown_key_message(key: str, allowed: list[str]) -> str:
    if not allowed:
        return "unknown key"
    folded = {_fold(name): name for name in allowed}
    guess = folded.get(_fold(key))
    if guess is None:
        close = difflib.get_close_matches(key.lower(), [name.lower() for name in allowed], n=1, cutoff=0.6)
        guess = next((name for name in allowed if close and name.lower() == close[0]), None)
    if guess is not None:
        return f"unknown key; did you mean {guess}?"
    return "unknown key — expected one of: " + ", ".join(sorted(allowed))


def _fold(name: str) -> str:
    return re.sub(r"[_\-\s]", "", name).lower()


def _split_loc(loc: Iterable[str | int], data: Any) -> list[tuple[str | int, bool]]:
    """Mark each part of a pydantic loc as a key of the file (True) or a union tag pydantic inserted (False).

    A part is a key when the data has it at that point, or when it names a key that is missing; anything else
    (`DatabaseMetadata`, `str`, `list[str]`, `function-after[...]`) is a tag.
    """
    parts = list(loc)
    marked: list[tuple[str | int, bool]] = []
    node = data
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        present, child = _child(node, part)
        if present:
            marked.append((part, True))
            node = child
        elif isinstance(node, dict) and isinstance(part, str) and not _looks_like_tag(part):
            marked.append((part, True))  # a missing key, or a missing parent of one
            node = None if not last else node
        else:
            marked.append((part, False))
    return marked


def _child(node: Any, part: str | int) -> tuple[bool, Any]:
    if isinstance(node, dict) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _yaml_path(loc: Iterable[str | int], data: Any) -> YamlPath:
    """The key path in the file, without the union tags pydantic puts in its locs."""
    return tuple(part for part, is_key in _split_loc(loc, data) if is_key)


_SCALAR_TAGS = frozenset({"str", "int", "float", "bool", "none"})


def _looks_like_tag(part: str) -> bool:
    """Only for keys absent from the data: our keys are camelCase, union tags are not."""
    return part[:1].isupper() or "[" in part or part in _SCALAR_TAGS


# --- walking the models along a loc ----------------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold: Annotated, Optional and unions flattened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg) if t is not type(None)]
    return [annotation]


def _candidates_at(model: type[BaseModel], loc: Iterable[str | int], data: Any) -> tuple[list[Any], FieldInfo | None]:
    """The types that may sit at `loc` (narrowed by union tags) and the field declaring the last key."""
    candidates: list[Any] = [model]
    field: FieldInfo | None = None
    for part, is_key in _split_loc(loc, data):
        expanded = [t for candidate in candidates for t in _unwrap(candidate)]
        if not is_key:
            tagged = [t for t in expanded if isinstance(t, type) and _tag_of(t) == part]
            candidates = tagged or candidates
            continue
        following: list[Any] = []
        found: FieldInfo | None = None
        for candidate in expanded:
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(part, str):
                for info in candidate.model_fields.values():
                    if info.alias == part:
                        following.append(info.annotation)
                        found = found or info
            elif origin is list and isinstance(part, int):
                following.append(typing.get_args(candidate)[0])
            elif origin is dict and isinstance(part, str):
                following.append(typing.get_args(candidate)[1])
        if following:
            candidates, field = following, found
    return candidates, field


def _tag_of(model: type) -> str | None:
    fields = getattr(model, "model_fields", {})
    default = fields["type"].default if "type" in fields else None
    return default if isinstance(default, str) and default[:1].isupper() else None


def _expected_at(model: type[BaseModel], loc: Iterable[str | int], data: Any) -> str | None:
    """What fits at `loc`: the declaring field's type and example, or the item type of a list or mapping."""
    loc = tuple(loc)
    if not loc:
        return None
    candidates, field = _candidates_at(model, loc, data)
    if field is not None:
        return _describe(field)
    kinds = [_describe_type(t) for candidate in candidates for t in _unwrap(candidate)]
    return " or ".join(dict.fromkeys(kinds)) or None


def _allowed_keys(model: type[BaseModel], parent_loc: Iterable[str | int], data: Any) -> list[str]:
    candidates, _ = _candidates_at(model, parent_loc, data)
    keys: list[str] = []
    for candidate in candidates:
        for t in _unwrap(candidate):
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys.extend(info.alias or name for name, info in t.model_fields.items())
    return sorted(set(keys))


def _describe(field: FieldInfo) -> str:
    kinds = [_describe_type(t) for t in _unwrap(field.annotation)]
    description = " or ".join(dict.fromkeys(kinds))
    if field.examples:
        example = field.examples[0]
        return f'{description} like "{example}"' if isinstance(example, str) else f"{description} like {example}"
    return description


def _describe_type(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(arg) for arg in typing.get_args(annotation))
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        required = [info.alias for info in annotation.model_fields.values() if info.is_required()]
        return "a mapping with " + ", ".join(map(str, required)) if required else "a mapping"
    return {
        str: "a string",
        SecretStr: "a string (secret)",
        bool: "true or false",
        int: "an integer",
        float: "a number",
    }.get(annotation, "a value")


# --- keeping secrets out of messages ------------------------------------------------------------


def is_sensitive_path(path: YamlPath) -> bool:
    keys = [part for part in path if isinstance(part, str)]
    return any(SENSITIVE_KEY.search(key) or key in SENSITIVE_CONTAINERS for key in keys)


def _echo(value: Any, path: YamlPath) -> str | None:
    """The offending input, quoted, when it is a short scalar under a key that cannot hold a secret."""
    if is_sensitive_path(path) or isinstance(value, dict | list) or value is None:
        return None
    if isinstance(value, str) and len(value) > _MAX_ECHOED_VALUE:
        return f"{value[: _MAX_ECHOED_VALUE - 20]!r}… ({len(value)} characters)"
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return text if len(text) <= _MAX_ECHOED_VALUE else None


def collect_secret_values(data: Any, path: YamlPath = ()) -> set[str]:
    """Every string in the data that sits under a secret-looking key (including misspelt ones)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found |= collect_secret_values(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found |= collect_secret_values(item, (*path, index))
    elif isinstance(data, str | int) and not isinstance(data, bool) and is_sensitive_path(path):
        text = str(data)
        if len(text) >= 4:
            found.add(text)
    return found


def scrub(message: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        message = message.replace(secret, "****")
    return message


def _nearest_position(path: YamlPath, lines: Mapping[YamlPath, tuple[int, int]]) -> tuple[int | None, int | None]:
    """Line and column of the deepest part of `path` present in the file (a missing key points at its parent)."""
    for end in range(len(path), -1, -1):
        position = lines.get(path[:end])
        if position is not None:
            return position
    return None, None
