"""Fixtures: one started AWS sandbox with the demo lake per test module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from athena_om.sandbox.aws import AwsSandbox
from athena_om_tests.aws_sandbox import running_aws_sandbox

# A fixed "now" keeps the seeded history identical across runs.
DEMO_NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[AwsSandbox]:
    """A started sandbox seeded with the demo lake, with AWS_ENDPOINT_URL and dummy credentials exported."""
    with running_aws_sandbox(DEMO_NOW) as aws:
        yield aws
