"""Throughput of ``parse_query`` with column lineage on a realistic mix of Athena statements.

Run: ``python benchmarks/bench_lineage_parse.py [--queries N] [--seed S]``. Single process, single thread.
Prints queries/second, per-query p50/p95, peak memory and the same figures for plain ``sqlglot.parse_one``
(the baseline), then one JSON line with every number.

``--large [--repeat R]`` instead times single huge statements against the per-query budget (issue 8):
``INSERT ... SELECT`` over a UNION ALL of 250 branches (the largest that still gets column lineage), 1,000 and
5,000 branches (about 200 KB; issue 8's 220 KB took 11 s), reporting the best and worst wall and CPU time of R
runs, what was given up and why, and the load average (wall time on a shared machine is mostly waiting), then
one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import sqlglot

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from athena_om.mapping.sql_lineage import ParsedQuery, ParseFailure, TableName, parse_query

DATABASES = ("sales", "marketing", "ops")
TABLES_PER_DATABASE = 12
COLUMNS_PER_TABLE = 30
TARGET_QPS = 100.0
BUDGET_S = 2.0
LARGE_UNION_BRANCHES = (250, 1_000, 5_000)


def synthetic_catalog() -> dict[TableName, list[str]]:
    catalog: dict[TableName, list[str]] = {}
    for db in DATABASES:
        for i in range(TABLES_PER_DATABASE):
            columns = ["id", "customer_id", "amount", "status", "created_at", "dt"]
            columns += [f"attr_{j}" for j in range(COLUMNS_PER_TABLE - len(columns))]
            catalog[TableName("awsdatacatalog", db, f"t{i}")] = columns
    return catalog


class QueryGenerator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def table(self) -> str:
        return f"{self.rng.choice(DATABASES)}.t{self.rng.randrange(TABLES_PER_DATABASE)}"

    def attrs(self, alias: str, k: int) -> list[str]:
        return [f"{alias}.attr_{j}" for j in self.rng.sample(range(COLUMNS_PER_TABLE - 6), k)]

    def select_with_joins(self) -> str:
        a, b, c = self.table(), self.table(), self.table()
        cols = ", ".join(self.attrs("a", 4) + self.attrs("b", 3))
        return (
            f"SELECT {cols}, c.status, sum(a.amount) AS total, count(DISTINCT b.id) AS n "
            f"FROM {a} a JOIN {b} b ON a.customer_id = b.customer_id "
            f"LEFT JOIN {c} c ON c.id = b.id WHERE a.dt >= '2024-01-01' AND c.status <> 'x' "
            f"GROUP BY {cols}, c.status"
        )

    def ctas(self) -> str:
        a, b = self.table(), self.table()
        return (
            f"CREATE TABLE analytics.out_{self.rng.randrange(10_000)} WITH (format = 'PARQUET', "
            f"partitioned_by = ARRAY['dt']) AS "
            f"WITH base AS (SELECT customer_id, amount, status, dt, {', '.join(self.attrs('x', 5))} "
            f"FROM {a} x WHERE status = 'ok'), "
            f"agg AS (SELECT customer_id, dt, sum(amount) AS revenue, max(amount) AS biggest FROM base "
            f"GROUP BY customer_id, dt) "
            f"SELECT agg.customer_id, agg.revenue, agg.biggest, y.attr_1, y.attr_2, "
            f"CASE WHEN agg.revenue > 100 THEN 'high' ELSE 'low' END AS band, agg.dt "
            f"FROM agg JOIN {b} y ON y.customer_id = agg.customer_id"
        )

    def insert(self) -> str:
        target, source = self.table(), self.table()
        return (
            f"INSERT INTO {target} SELECT s.* FROM {source} s "
            f"WHERE s.id NOT IN (SELECT id FROM {target}) AND s.dt = '2024-02-01'"
        )

    def merge(self) -> str:
        target, source = self.table(), self.table()
        return (
            f"MERGE INTO {target} t USING (SELECT id, customer_id, sum(amount) AS amount, max(status) AS status "
            f"FROM {source} GROUP BY id, customer_id) s ON t.id = s.id "
            f"WHEN MATCHED AND s.status = 'deleted' THEN DELETE "
            f"WHEN MATCHED THEN UPDATE SET amount = t.amount + s.amount, status = s.status "
            f"WHEN NOT MATCHED THEN INSERT (id, customer_id, amount, status) "
            f"VALUES (s.id, s.customer_id, s.amount, s.status)"
        )

    def view(self) -> str:
        a = self.table()
        return (
            f"CREATE OR REPLACE VIEW analytics.v_{self.rng.randrange(10_000)} AS SELECT id, customer_id, "
            f"{', '.join(self.attrs('o', 6))}, "
            f"row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) AS rn, "
            f"sum(amount) OVER (PARTITION BY customer_id ORDER BY created_at "
            f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_total FROM {a} o"
        )

    def union(self) -> str:
        a, b = self.table(), self.table()
        return (
            f"CREATE TABLE analytics.u_{self.rng.randrange(10_000)} AS "
            f"SELECT id, amount, 'a' AS src FROM {a} UNION ALL SELECT id, amount * 100, 'b' FROM {b}"
        )

    def query(self) -> str:
        kind = self.rng.choices(
            [self.select_with_joins, self.ctas, self.insert, self.merge, self.view, self.union],
            weights=[40, 20, 15, 10, 10, 5],
        )[0]
        return kind()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_each(fn, queries: list[str]) -> tuple[float, list[float]]:
    per_query: list[float] = []
    started = time.perf_counter()
    for sql in queries:
        t0 = time.perf_counter()
        fn(sql)
        per_query.append((time.perf_counter() - t0) * 1000)
    return time.perf_counter() - started, per_query


def large_union(branches: int) -> str:
    """An INSERT over a UNION ALL of ``branches`` SELECTs, about 44 characters a branch."""
    parts = (f"SELECT id, name FROM sales.t{i % TABLES_PER_DATABASE}" for i in range(branches))
    return "INSERT INTO analytics.target (id, name) " + " UNION ALL ".join(parts)


def outcome(result: ParsedQuery | ParseFailure) -> str:
    if isinstance(result, ParseFailure):
        return f"failure: {result.reason}"
    if result.column_lineage_skipped:
        return f"{len(result.source_tables)} tables, column lineage skipped: {result.column_lineage_skipped}"
    return f"{len(result.source_tables)} tables, {len(result.column_lineage)} column edges"


def timed(sql: str, timeout_s: float) -> tuple[float, float, str]:
    t0, c0 = time.perf_counter(), time.process_time()
    result = parse_query(sql, "sales", timeout_s=timeout_s)
    return time.perf_counter() - t0, time.process_time() - c0, outcome(result)


def bench_large(repeat: int) -> None:
    cases = []
    for branches in LARGE_UNION_BRANCHES:
        sql = large_union(branches)
        runs = [timed(sql, BUDGET_S) for _ in range(repeat)]
        # Without a time limit only the size bounds act: what the statement costs to analyse in full.
        unbounded_s, unbounded_cpu_s, unbounded_outcome = timed(sql, 3600.0)
        case = {
            "branches": branches,
            "kb": round(len(sql) / 1000, 1),
            "best_s": round(min(r[0] for r in runs), 3),
            "worst_s": round(max(r[0] for r in runs), 3),
            "best_cpu_s": round(min(r[1] for r in runs), 3),
            "worst_cpu_s": round(max(r[1] for r in runs), 3),
            "within_budget": max(r[0] for r in runs) <= BUDGET_S,
            "outcomes": sorted({r[2] for r in runs}),
            "no_time_limit_s": round(unbounded_s, 3),
            "no_time_limit_cpu_s": round(unbounded_cpu_s, 3),
            "no_time_limit_outcome": unbounded_outcome,
        }
        cases.append(case)
        print(
            f"UNION ALL x{branches:>5} ({case['kb']} KB), {BUDGET_S} s budget: wall {case['best_s']}-"
            f"{case['worst_s']} s, CPU {case['best_cpu_s']}-{case['worst_cpu_s']} s; " + "; ".join(case["outcomes"])
        )
        print(
            f"{'':>17} no time limit: wall {case['no_time_limit_s']} s, CPU {case['no_time_limit_cpu_s']} s; "
            f"{unbounded_outcome}"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average while measuring: {load} on {os.cpu_count()} CPUs")
    print(json.dumps({"budget_s": BUDGET_S, "repeat": repeat, "load_average": load, "cases": cases}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--large", action="store_true", help="time huge UNION ALL statements against the budget")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each huge statement (with --large)")
    args = parser.parse_args()
    if args.large:
        bench_large(args.repeat)
        return

    catalog = synthetic_catalog()
    generator = QueryGenerator(random.Random(args.seed))
    queries = [generator.query() for _ in range(args.queries)]

    def ours(sql: str) -> ParsedQuery:
        result = parse_query(sql, "sales", schema=catalog)
        if not isinstance(result, ParsedQuery):
            raise SystemExit(f"benchmark query failed to parse: {result.reason}\n{sql}")
        return result

    def baseline(sql: str) -> object:
        return sqlglot.parse_one(sql, read="athena")

    for sql in queries[:20]:  # warm sqlglot's caches so neither side pays for them
        ours(sql)
        baseline(sql)

    base_total, base_each = time_each(baseline, queries)
    ours_total, ours_each = time_each(ours, queries)
    edges = sum(len(ours(sql).column_lineage) for sql in queries[:200])

    tracemalloc.start()
    for sql in queries[:200]:
        ours(sql)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    results = {
        "queries": len(queries),
        "qps": round(len(queries) / ours_total, 1),
        "p50_ms": round(statistics.median(ours_each), 3),
        "p95_ms": round(percentile(ours_each, 0.95), 3),
        "max_ms": round(max(ours_each), 3),
        "baseline_qps": round(len(queries) / base_total, 1),
        "baseline_p50_ms": round(statistics.median(base_each), 3),
        "baseline_p95_ms": round(percentile(base_each, 0.95), 3),
        "ratio_time_ours_over_baseline": round(ours_total / base_total, 2),
        "column_edges_per_query": round(edges / min(200, len(queries)), 1),
        "tracemalloc_peak_mb_200_queries": round(traced_peak / 1e6, 1),
        "max_rss_mb": round(max_rss_mb, 1),
        "target_qps": TARGET_QPS,
        "meets_target": len(queries) / ours_total >= TARGET_QPS,
    }
    print(
        f"parse_query with column lineage: {results['qps']} queries/s, "
        f"p50 {results['p50_ms']} ms, p95 {results['p95_ms']} ms, max {results['max_ms']} ms"
    )
    print(
        f"baseline sqlglot.parse_one:      {results['baseline_qps']} queries/s, "
        f"p50 {results['baseline_p50_ms']} ms, p95 {results['baseline_p95_ms']} ms"
    )
    print(
        f"ours / baseline time: {results['ratio_time_ours_over_baseline']}x; "
        f"{results['column_edges_per_query']} column edges per query"
    )
    print(
        f"peak memory: {results['tracemalloc_peak_mb_200_queries']} MB traced over 200 queries, "
        f"max RSS {results['max_rss_mb']} MB"
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
