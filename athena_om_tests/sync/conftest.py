"""Fixtures: one started AWS sandbox with the demo lake per test module (creating one resets moto's state)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from athena_om.sandbox.aws import AwsSandbox, seed_demo_lake

DEMO_NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[AwsSandbox]:
    aws = AwsSandbox()
    seed_demo_lake(aws, now=DEMO_NOW)
    aws.start()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in aws.environment().items():
            patch.setenv(key, value)
        yield aws
    aws.stop()
