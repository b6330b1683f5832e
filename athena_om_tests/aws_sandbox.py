"""One way to run the AWS sandbox in tests: started, seeded, and reachable through the ordinary AWS settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest

from athena_om.sandbox.aws import AwsSandbox, seed_demo_lake


@contextmanager
def running_aws_sandbox(
    now: datetime | None = None, *, extra_seed: Callable[[AwsSandbox], object] | None = None
) -> Iterator[AwsSandbox]:
    """A started sandbox with the demo lake (history ending at ``now``), ``AWS_ENDPOINT_URL`` and dummy keys set.

    Creating an AwsSandbox resets moto's in-process state, so use one per test module.
    """
    aws = AwsSandbox()
    seed_demo_lake(aws, now=now)
    if extra_seed is not None:
        extra_seed(aws)
    aws.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in aws.environment().items():
                patch.setenv(key, value)
            yield aws
    finally:
        aws.stop()
