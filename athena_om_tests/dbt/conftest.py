from __future__ import annotations

from pathlib import Path

import pytest

from athena_om_tests.dbt.artifacts import real_dbt_artifacts

# The sandbox stack (e2e) and the sandbox OpenMetadata app (server tests), shared with those suites.
from athena_om_tests.e2e.conftest import instance, stack  # noqa: F401
from athena_om_tests.openmetadata_server.conftest import client  # noqa: F401


@pytest.fixture(scope="session")
def dbt_artifacts() -> Path:
    """Artifacts from dbt 1.11 (manifest v12)."""
    return real_dbt_artifacts("v12")


@pytest.fixture(scope="session")
def dbt17_artifacts() -> Path:
    """Artifacts from dbt 1.7 (manifest v11)."""
    return real_dbt_artifacts("v11")
