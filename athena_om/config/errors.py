"""The one error a bad workflow file raises, listing every problem found in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the file: where (YAML key path, line) and what, including what was expected."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def render(self, source_name: str) -> str:
        where = f"{source_name}: {self.path}: " if self.path else f"{source_name}: "
        position = ""
        if self.line is not None:
            position = f" (line {self.line}" + (f", column {self.column})" if self.column is not None else ")")
        return f"{where}{self.message}{position}"


class WorkflowConfigError(Exception):
    """A workflow file could not be loaded. `str(error)` is meant to be shown to the user as is."""

    def __init__(self, source_name: str, problems: Iterable[ConfigProblem]) -> None:
        self.source_name = source_name
        self.problems: tuple[ConfigProblem, ...] = tuple(
            sorted(problems, key=lambda p: (p.line if p.line is not None else 1 << 30, p.path))
        )
        super().__init__(self._render())

    def _render(self) -> str:
        count = len(self.problems)
        header = f"{self.source_name}: invalid athena-om workflow config ({count} problem{'s' * (count != 1)})"
        return "\n".join([header, *(f"  {problem.render(self.source_name)}" for problem in self.problems)])
