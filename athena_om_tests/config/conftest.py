from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def workflow_path() -> Path:
    return FIXTURES / "athena_workflow.yaml"


@pytest.fixture
def workflow_text(workflow_path: Path) -> str:
    return workflow_path.read_text()
