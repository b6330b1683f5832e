"""Synthetic benchmark seeding: 10,000 tables and 10,000 queries written straight into moto's backends.

How long seeding takes is printed by benchmarks/bench_synthetic_seed.py, not asserted here. Kept apart from the
other modules because creating a sandbox resets moto's process-wide state.
"""

from __future__ import annotations

import boto3

from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog, seed_synthetic_query_history
from athena_om.sandbox.aws.query_history import records_of


def test_synthetic_catalog_and_history_seed_in_process() -> None:
    sandbox = AwsSandbox()
    sandbox.start()
    try:
        sandbox.reset_request_counts()
        names = seed_synthetic_catalog(sandbox, databases=20, tables=10_000, columns=30)
        ids = seed_synthetic_query_history(sandbox, queries=10_000, days=30)
        # Seeding is fast because it writes the backends in process: the running server saw no request at all.
        assert sandbox.request_counts() == {}
    finally:
        sandbox.stop()
    assert len(names) == 20 and len(ids) == 10_000
    assert sum(len(sandbox.glue.databases[n].tables) for n in names) == 10_000
    assert set(ids) <= set(records_of(sandbox.athena))


def test_synthetic_catalog_is_served_over_http() -> None:
    sandbox = AwsSandbox()
    seed_synthetic_catalog(sandbox, databases=2, tables=300, columns=5)
    sandbox.start()
    try:
        glue = boto3.client(
            "glue",
            endpoint_url=sandbox.endpoint_url,
            region_name=sandbox.region,
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        pages = list(glue.get_paginator("get_tables").paginate(DatabaseName="synth_db_000"))
        assert sum(len(p["TableList"]) for p in pages) == 150
    finally:
        sandbox.stop()
