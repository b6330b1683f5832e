"""The cached snapshot of the service's test cases that Dagster builds its asset checks from at load time."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from athena_om.mapping.fqn import split_fqn
from athena_om.mapping.quality_sql import QualityTestCase


@dataclass(frozen=True)
class SnapshotCase:
    fqn: str
    name: str
    definition: str
    table_fqn: str


@dataclass(frozen=True)
class QualitySnapshot:
    """Test cases by Glue database (the schema part of their table FQN)."""

    databases: dict[str, list[SnapshotCase]] = field(default_factory=dict)

    @classmethod
    def of(cls, cases: Iterable[QualityTestCase], max_checks: int | None = None) -> QualitySnapshot:
        """A snapshot of ``cases``; past ``max_checks`` the rest are left out (they still run, unseen as checks)."""
        databases: dict[str, list[SnapshotCase]] = {}
        for count, case in enumerate(sorted(cases, key=lambda c: c.fqn)):
            if max_checks is not None and count >= max_checks:
                break
            database = split_fqn(case.table_fqn)[2]
            databases.setdefault(database, []).append(
                SnapshotCase(case.fqn, case.name, case.definition, case.table_fqn)
            )
        return cls(databases)

    def to_json(self) -> str:
        return json.dumps(
            {"databases": {db: [asdict(c) for c in cases] for db, cases in sorted(self.databases.items())}}, indent=1
        )

    @classmethod
    def from_json(cls, text: str) -> QualitySnapshot:
        data = json.loads(text)
        return cls({db: [SnapshotCase(**c) for c in cases] for db, cases in (data.get("databases") or {}).items()})

    @classmethod
    def load(cls, path: Path | None) -> QualitySnapshot:
        """The snapshot at ``path``; empty when there is none yet (no checks until it is refreshed)."""
        if path is None or not path.is_file():
            return cls()
        return cls.from_json(path.read_text())

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json())


def check_name(test_case_fqn: str, table_fqn: str) -> str:
    """A Dagster check name for a test case: its FQN below the schema, as letters, digits and underscores."""
    tail = test_case_fqn[len(table_fqn) - len(split_fqn(table_fqn)[-1]) :]
    return re.sub(r"[^A-Za-z0-9_]", "_", tail)[:200]


def asset_name(database: str) -> str:
    """The data-quality asset of one Glue database."""
    return "data_quality__" + re.sub(r"[^A-Za-z0-9_]", "_", database)
