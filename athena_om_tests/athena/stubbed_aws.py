"""Real boto3 clients whose answers come from botocore's Stubber: no server, and every request and answer is
checked against the service's own model (a misspelt parameter or answer field fails the test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.stub import Stubber

# One session for every test: it loads each service model once (a new session per test costs a second each).
_SESSION = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


@contextmanager
def stubbed(service: str) -> Iterator[tuple[Any, Stubber]]:
    """A client for ``service`` with dummy credentials; the stubbed answers must all have been asked for."""
    client = _SESSION.client(service, endpoint_url="https://stubbed.invalid")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()
