"""Cost of one table write in the sandbox OpenMetadata server, in process (no HTTP socket).

Run: ``.venv/bin/python benchmarks/bench_sandbox_om_writes.py [--tables 200]``. Prints milliseconds per write
(mean, p50, p95), SQL statements per write for the first and the last table, then one JSON line. A test used to
assert < 5 ms per write; it flaked on busy machines, so the test now checks the statement count and the time is
reported here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from athena_om.sandbox.openmetadata_server import close_app, create_app

SCHEMA_FQN = "athena.awsdatacatalog.sales"


def table_body(name: str) -> dict[str, object]:
    columns = [{"name": f"c{i}", "dataType": "BIGINT"} for i in range(10)]
    return {"name": name, "databaseSchema": SCHEMA_FQN, "columns": columns}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as state:
        app = create_app(Path(state))
        client = TestClient(app)
        client.put("/api/v1/services/databaseServices", json={"name": "athena", "serviceType": "Athena"})
        client.put("/api/v1/databases", json={"name": "awsdatacatalog", "service": "athena"})
        client.put("/api/v1/databaseSchemas", json={"name": "sales", "database": "athena.awsdatacatalog"})
        statements: list[str] = []
        app.state.store._conn.set_trace_callback(statements.append)
        per_write_ms, per_write_statements = [], []
        for index in range(args.tables):
            statements.clear()
            started = time.perf_counter()
            response = client.put("/api/v1/tables", json=table_body(f"t{index}"))
            per_write_ms.append((time.perf_counter() - started) * 1000)
            per_write_statements.append(len(statements))
            response.raise_for_status()
        app.state.store._conn.set_trace_callback(None)
        close_app(app)
    quantiles = statistics.quantiles(per_write_ms, n=20)
    result = {
        "tables": args.tables,
        "ms_per_write_mean": round(statistics.fmean(per_write_ms), 3),
        "ms_per_write_p50": round(statistics.median(per_write_ms), 3),
        "ms_per_write_p95": round(quantiles[18], 3),
        "statements_first_write": per_write_statements[0],
        "statements_last_write": per_write_statements[-1],
    }
    print(f"{'table writes':<28}{args.tables}")
    for key in ("ms_per_write_mean", "ms_per_write_p50", "ms_per_write_p95"):
        print(f"{key:<28}{result[key]:.3f}")
    print(f"{'SQL statements per write':<28}{result['statements_first_write']} (first), "
          f"{result['statements_last_write']} (last)")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
