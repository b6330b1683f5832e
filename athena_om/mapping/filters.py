"""Include/exclude filter patterns with OpenMetadata's semantics (``metadata/utils/filters.py``).

A name is filtered out when it matches no include pattern (if there are any) or any exclude pattern:
excludes win over includes, and no includes means everything is included. Patterns are Python regular
expressions applied with ``re.match`` (anchored at the start only, so ``sales`` also matches
``sales_eu``; end a pattern with ``$`` to match exactly) and ``re.IGNORECASE``.

``useFqnForFiltering`` is the caller's choice: pass the FQN instead of the bare name (see
:func:`filter_subject`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _check_regex(pattern: str) -> str:
    try:
        _compiled(pattern)
    except re.error as error:
        raise ValueError(f"invalid regular expression ({error}) — expected a Python regex like '^sales_.*'") from None
    return pattern


RegexPattern = Annotated[str, AfterValidator(_check_regex)]


class FilterPattern(BaseModel):
    """Regex include/exclude lists (OpenMetadata `filterPattern.json`), validated when the config is loaded.

    The one filter type: the workflow file's `databaseFilterPattern`, `schemaFilterPattern` and
    `tableFilterPattern` are these, and the planners match names with them.
    """

    # As the workflow file's sections: unknown keys refused, `includes: [2024]` read as the string it means.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    includes: list[RegexPattern] = Field(default_factory=list, examples=["^sales_.*"])
    excludes: list[RegexPattern] = Field(default_factory=list, examples=["^tmp_.*"])

    @property
    def is_empty(self) -> bool:
        return not self.includes and not self.excludes


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _matches_any(name: str, patterns: list[str]) -> bool:
    return any(_compiled(pattern).match(name) for pattern in patterns)


def is_filtered(name: str | None, pattern: FilterPattern | None) -> bool:
    """True when ``name`` must be skipped. No pattern filters nothing; a pattern filters an empty name."""
    if pattern is None:
        return False
    if not name:
        return True
    if pattern.includes and not _matches_any(name, pattern.includes):
        return True
    return _matches_any(name, pattern.excludes)


def is_included(name: str | None, pattern: FilterPattern | None) -> bool:
    """The opposite of :func:`is_filtered`, for readable call sites."""
    return not is_filtered(name, pattern)


def filter_subject(name: str, fqn: str, *, use_fqn_for_filtering: bool) -> str:
    """What a pattern is matched against: the FQN when ``useFqnForFiltering`` is on, else the name."""
    return fqn if use_fqn_for_filtering else name
