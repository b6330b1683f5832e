"""OpenMetadata's own models for the conformance tests: downloaded once, extracted into ``.cache/``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from athena_om_tests.conformance.om_models import SKIP_ENV, ConformanceSetupError, install_models


@pytest.fixture(scope="session")
def om_models() -> Path:
    """Puts ``metadata.generated.schema`` on the path; fails (never skips silently) when it cannot."""
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: conformance against OpenMetadata's models skipped on request")
    try:
        return install_models()
    except ConformanceSetupError as exc:
        pytest.fail(str(exc), pytrace=False)
