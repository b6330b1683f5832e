"""Registers the ``real_connector`` marker: tests running OpenMetadata's own ingestion client (select with
``-m real_connector``, leave out with ``-m "not real_connector"``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_connector: runs OpenMetadata's own ingestion client (openmetadata-ingestion) in its own venv"
    )
