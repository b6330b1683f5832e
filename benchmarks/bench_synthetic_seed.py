"""Benchmark: how long seeding the sandbox's synthetic catalog and query history takes, in process.

    python benchmarks/bench_synthetic_seed.py [--tables 10000] [--databases 20] [--columns 30] [--queries 10000]

The other benchmarks start from this seed; writing moto's backends directly (not over HTTP) is what keeps them
short. Prints one line per phase and a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from athena_om.sandbox.aws import AwsSandbox, seed_synthetic_catalog, seed_synthetic_query_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--columns", type=int, default=30)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()

    sandbox = AwsSandbox()
    started = time.perf_counter()
    seed_synthetic_catalog(sandbox, databases=args.databases, tables=args.tables, columns=args.columns)
    catalog_s = time.perf_counter() - started
    started = time.perf_counter()
    seed_synthetic_query_history(sandbox, queries=args.queries, days=args.days)
    history_s = time.perf_counter() - started
    print(f"catalog: {args.tables} tables x {args.columns} columns in {args.databases} databases: {catalog_s:.2f} s")
    print(f"history: {args.queries} queries over {args.days} days: {history_s:.2f} s")
    print(f"total: {catalog_s + history_s:.2f} s")
    print(
        json.dumps(
            {
                "tables": args.tables,
                "queries": args.queries,
                "catalog_s": round(catalog_s, 3),
                "history_s": round(history_s, 3),
                "total_s": round(catalog_s + history_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
