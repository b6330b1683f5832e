"""Benchmark: seeding the demo lake (rows written as S3 objects) and querying it through the sandbox's engine.

    python benchmarks/bench_demo_lake.py

Prints rows and object bytes per table, the first seed (objects generated) and a second one (objects reused in
the same process), the first and a repeated query, and a final JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_demo_lake
from athena_om.sandbox.aws.demo_data import row_count
from athena_om.sandbox.aws.demo_objects import demo_objects, stored_as_objects


def main() -> None:
    started = time.perf_counter()
    seed_demo_lake(AwsSandbox())
    first_s = time.perf_counter() - started
    sandbox = AwsSandbox()
    started = time.perf_counter()
    seed_demo_lake(sandbox)
    again_s = time.perf_counter() - started
    tables = {}
    for spec in DEMO_TABLES:
        if spec.is_view:
            continue
        objects = demo_objects(spec) if stored_as_objects(spec) else ()
        tables[f"{spec.database}.{spec.name}"] = {
            "storage": spec.storage,
            "rows": row_count(spec),
            "objects": len(objects),
            "bytes": sum(len(body) for _, body in objects),
        }
        print(f"{spec.database}.{spec.name}: {spec.storage}, {row_count(spec)} rows, {len(objects)} objects")
    sql = (
        "SELECT region, count(*), approx_percentile(total_amount, 0.5) FROM orders WHERE dt >= '2025-06-03' GROUP BY 1"
    )
    started = time.perf_counter()
    sandbox.sql_engine.execute(sql, "demo_sales")
    first_query_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    sandbox.sql_engine.execute(sql, "demo_sales")
    repeat_query_ms = (time.perf_counter() - started) * 1000
    print(f"seed: {first_s:.2f} s first, {again_s:.2f} s again in the same process")
    print(f"query: {first_query_ms:.0f} ms first (objects loaded), {repeat_query_ms:.0f} ms repeated")
    summary = {
        "seed_first_s": round(first_s, 2),
        "seed_again_s": round(again_s, 2),
        "rows": sum(t["rows"] for t in tables.values()),
        "object_bytes": sum(t["bytes"] for t in tables.values()),
        "first_query_ms": round(first_query_ms),
        "repeat_query_ms": round(repeat_query_ms),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
