"""Benchmark (issue 11): athena-om's data-quality run against running each test as its own query, same tables.

    .venv/bin/python benchmarks/bench_data_quality.py [--tables 100] [--columns 10] [--rows 20000]
        [--partitions 30] [--threads 5]

What runs, in this process: the sandbox's AWS (moto + DuckDB over S3 objects), seeded as in bench_profiler.py
(``put_object`` of Parquet / CSV / JSON objects, Glue ``CreateTable``; Parquet partitioned by day, Iceberg), views
left out. Each table gets the same 10 test cases, no custom SQL:

    tableRowCountToBeBetween, columnValuesToBeNotNull, columnValuesToBeBetween, columnValueMeanToBeBetween,
    columnValuesSumToBeBetween, columnValueLengthsToBeBetween, columnValuesToMatchRegex,
    columnValuesToBeNotInSet, columnValueMaxToBeBetween, columnValuesToBeUnique

Ours: ``run_database_quality`` (the asset's planner; OpenMetadata's listings stubbed, nothing written) through the
PyAthena runner: one aggregate query per table plus one exact-uniqueness query.

Each test as its own query (how OpenMetadata's runner issues them): every test case compiled alone and its
queries run one by one through the same runner, so the two sides differ only in how tests are grouped.

Bytes are each query's ``DataScannedInBytes`` from the sandbox's Athena (Parquet: the column chunks read; row
formats: whole objects); billed bytes apply Athena's 10 MB minimum per query. Writes
benchmarks/results/data_quality.json and ends with a JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_profiler import DATABASE, RESULTS, SERVICE, RecordingRunner, Tally, _q, bench_tables, seed

from athena_om.athena.sql_execution import (
    ByteBudget,
    PyAthenaRunner,
    QueryJob,
    SqlExecutor,
    billed_bytes,
    render_athena_sql,
)
from athena_om.mapping.fqn import encode_entity_name, table_fqn
from athena_om.mapping.quality_sql import QualityTestCase, TableShape, compile_table_tests
from athena_om.sandbox.aws import AwsSandbox
from athena_om.sync.profile_options import ProfilerOptions
from athena_om.sync.quality import QualityRun, run_database_quality

NOW = datetime(2025, 6, 8, tzinfo=UTC)


def tests_for(fqn: str, columns: list[tuple[str, str]]) -> list[QualityTestCase]:
    """The 10 test cases of one table, on the first column of each needed type."""

    def first(prefix: str, skip: int = 0) -> str:
        return [name for name, type_ in columns if type_.startswith(prefix)][skip]

    def case(name: str, definition: str, column: str | None, **parameters: str) -> QualityTestCase:
        entity = f"{fqn}.{column}" if column else fqn
        return QualityTestCase(f"{entity}.{name}", name, definition, fqn, column, tuple(parameters.items()))

    return [
        case("rows", "tableRowCountToBeBetween", None, minValue="1"),
        case("not_null", "columnValuesToBeNotNull", first("bigint")),
        case("between", "columnValuesToBeBetween", first("double"), minValue="-1e12", maxValue="1e12"),
        case("mean", "columnValueMeanToBeBetween", first("decimal"), minValueForMeanInCol="-1e12"),
        case("sum", "columnValuesSumToBeBetween", first("int"), minValueForColSum="-1e15"),
        case("lengths", "columnValueLengthsToBeBetween", first("string"), minLength="0", maxLength="1000"),
        case("regex", "columnValuesToMatchRegex", first("string", 1), regex=".*"),
        case("not_in_set", "columnValuesToBeNotInSet", first("string", 2), forbiddenValues='["forbidden"]'),
        case("max", "columnValueMaxToBeBetween", first("bigint"), maxValueForMaxInCol="1e15"),
        case("unique", "columnValuesToBeUnique", first("bigint")),
    ]


class RawBytesRunner(RecordingRunner):
    """Also charges the bytes the sandbox's engine read before Athena's 10 MB minimum (the statement is run a
    second time, in the engine directly, only to measure)."""

    def __init__(self, inner: PyAthenaRunner, names: list[str], tally: Tally, sandbox: AwsSandbox, raw: Tally):
        super().__init__(inner, names, tally)
        self.sandbox, self.raw = sandbox, raw

    def run(self, sql: str, *, database: str | None, timeout_s: float) -> Any:
        result = super().run(sql, database=database, timeout_s=timeout_s)
        found = self.pattern.search(sql)
        table = found.group(0).strip('"') if found else "?"
        scanned = self.sandbox.sql_engine.execute(sql, database).data_scanned_bytes
        with self.raw.lock:
            self.raw.scanned[table] += scanned
        return result


class StubOpenMetadata:
    """Answers the planner's two OpenMetadata reads (test cases, the schema's tables); nothing is written."""

    ui_base_url = "http://openmetadata.invalid"

    def __init__(self, tables: list[Any], cases: dict[str, list[QualityTestCase]]) -> None:
        self.tables, self.cases = tables, cases

    def list_all(self, collection: str, params: Any = None, fields: Any = ()) -> list[dict[str, Any]]:
        del params, fields
        if collection == "dataQuality/testCases":
            return [
                {
                    "name": c.name,
                    "fullyQualifiedName": c.fqn,
                    "entityLink": f"<#E::table::{c.table_fqn}" + (f"::columns::{c.column}>" if c.column else ">"),
                    "testDefinition": {"name": c.definition},
                    "parameterValues": [{"name": k, "value": v} for k, v in c.parameters],
                }
                for cases in self.cases.values()
                for c in cases
            ]
        return [
            {"id": str(uuid.uuid4()), "name": encode_entity_name(t.name),
             "fullyQualifiedName": table_fqn(SERVICE, "default", DATABASE, t.name)}
            for t in self.tables
        ]  # fmt: skip


def one_query_per_test(executor: SqlExecutor, tables: list[Any], cases: dict[str, list[QualityTestCase]]) -> None:
    jobs: list[QueryJob] = []
    for table in tables:
        columns = tuple(table.columns) + ((("dt", "date"),) if table.kind == "partitioned" else ())
        shape = TableShape(DATABASE, table.name, columns)
        for test in cases[table_fqn(SERVICE, "default", DATABASE, table.name)]:
            plan = compile_table_tests(shape, [test], now=NOW)
            statements = [plan.aggregate_query(), (plan.uniqueness_query() or (None,))[0]]
            for index, statement in enumerate(s for s in statements if s is not None):
                jobs.append(QueryJob(f"{test.fqn}:{index}", render_athena_sql(statement), 0, 3600, DATABASE))
    for outcome in executor.run_all(jobs):
        if outcome.error:
            raise SystemExit(f"{outcome.job.key}: {outcome.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--rows", type=int, default=20_000, help="rows of an unpartitioned table")
    parser.add_argument("--partitions", type=int, default=30, help="daily partitions of a partitioned table")
    parser.add_argument("--partition-rows", type=int, default=100)
    parser.add_argument("--threads", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/data_quality.json")
    args = parser.parse_args()

    tables = [t for t in bench_tables(args.tables + args.tables // 9 + 2, args.columns) if t.kind != "view"]
    tables = tables[: args.tables]
    sandbox = AwsSandbox()
    sandbox.start()
    sandbox.apply_environment()
    started = time.perf_counter()
    object_bytes = seed(sandbox, tables, args.rows, args.partition_rows, args.partitions)
    seed_s = time.perf_counter() - started
    for table in tables:  # load every table's objects once, so neither side pays the first read
        sandbox.sql_engine.execute(f"SELECT count(*) FROM {_q(table.name)}", DATABASE)
    cases = {
        table_fqn(SERVICE, "default", DATABASE, t.name): tests_for(table_fqn(SERVICE, "default", DATABASE, t.name),
                                                                    list(t.columns))
        for t in tables
    }  # fmt: skip
    names = [t.name for t in tables]

    def runner(tally: Tally, raw: Tally) -> RecordingRunner:
        from athena_om.resources.aws import AthenaResource

        aws = AthenaResource(region_name=sandbox.region, s3_staging_dir=RESULTS)
        return RawBytesRunner(PyAthenaRunner(aws.pyathena_connection), names, tally, sandbox, raw)

    ours, theirs, ours_raw, theirs_raw = Tally(), Tally(), Tally(), Tally()
    options = ProfilerOptions(service_name=SERVICE, thread_count=args.threads)
    run = QualityRun(
        glue=sandbox.client("glue"),
        s3=sandbox.client("s3"),
        executor=SqlExecutor(runner(ours, ours_raw), ByteBudget(options.max_bytes_per_run), args.threads),
        client=StubOpenMetadata(tables, cases),  # type: ignore[arg-type]
        options=options,
        clock_ms=lambda: int(NOW.timestamp() * 1000),
    )
    started = time.perf_counter()
    found = run_database_quality(run, DATABASE)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    one_query_per_test(SqlExecutor(runner(theirs, theirs_raw), ByteBudget(1 << 62), args.threads), tables, cases)
    theirs_s = time.perf_counter() - started

    statuses: dict[str, int] = {}
    failing: dict[str, int] = {}
    for outcome in found.outcomes:
        statuses[outcome.verdict.status.value] = statuses.get(outcome.verdict.status.value, 0) + 1
        if outcome.verdict.status.value != "Success":
            name = outcome.fqn.rsplit(".", 1)[-1]
            failing[name] = failing.get(name, 0) + 1
    by_category: dict[str, dict[str, float]] = {}
    for category in ("columnar", "row", "partitioned"):
        chosen = [t.name for t in tables if t.category == category]
        if not chosen:
            continue
        n = len(chosen)

        def billed(tally: Tally, chosen: list[str] = chosen) -> float:
            # Per query: scanned bytes / queries is the mean; billing is per query, so bill the mean query.
            return sum(tally.queries[c] * billed_bytes(tally.scanned[c] // max(1, tally.queries[c])) for c in chosen)

        row = {
            "tables": n,
            "ours_queries_per_table": sum(ours.queries[c] for c in chosen) / n,
            "per_test_queries_per_table": sum(theirs.queries[c] for c in chosen) / n,
            "ours_mb_scanned_per_table": sum(ours.scanned[c] for c in chosen) / n / 2**20,
            "per_test_mb_scanned_per_table": sum(theirs.scanned[c] for c in chosen) / n / 2**20,
            "ours_mb_billed_per_table": billed(ours) / n / 2**20,
            "per_test_mb_billed_per_table": billed(theirs) / n / 2**20,
        }
        row["ours_raw_mb_per_table"] = sum(ours_raw.scanned[c] for c in chosen) / n / 2**20
        row["per_test_raw_mb_per_table"] = sum(theirs_raw.scanned[c] for c in chosen) / n / 2**20
        row["raw_ratio"] = row["per_test_raw_mb_per_table"] / max(row["ours_raw_mb_per_table"], 1e-9)
        row["scanned_ratio"] = row["per_test_mb_scanned_per_table"] / max(row["ours_mb_scanned_per_table"], 1e-9)
        row["billed_ratio"] = row["per_test_mb_billed_per_table"] / max(row["ours_mb_billed_per_table"], 1e-9)
        by_category[category] = row
    total_ours = sum(ours.scanned.values())
    total_theirs = sum(theirs.scanned.values())
    met = {
        "queries_per_table_le_2": all(r["ours_queries_per_table"] <= 2 for r in by_category.values()),
        "bytes_scanned_ge_5x": total_theirs >= 5 * total_ours,
        "bytes_billed_ge_5x": all(r["billed_ratio"] >= 5 for r in by_category.values()),
    }
    print(f"{len(tables)} tables x 10 tests; {object_bytes / 2**20:.1f} MB of objects; seed {seed_s:.1f} s")
    print("| tables | n | queries/table ours | per test | MB scanned/table ours | per test | scanned x "
          "| MB read before 10 MB minimum ours | per test | read x |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for category, r in by_category.items():
        print(f"| {category} | {r['tables']:.0f} | {r['ours_queries_per_table']:.2f} | "
              f"{r['per_test_queries_per_table']:.1f} | {r['ours_mb_scanned_per_table']:.2f} | "
              f"{r['per_test_mb_scanned_per_table']:.2f} | {r['scanned_ratio']:.1f} | "
              f"{r['ours_raw_mb_per_table']:.3f} | {r['per_test_raw_mb_per_table']:.3f} | "
              f"{r['raw_ratio']:.1f} |")  # fmt: skip
    print(f"verdicts: {statuses}; wall time ours {ours_s:.1f} s, per test {theirs_s:.1f} s; "
          f"total scanned ours {total_ours / 2**20:.1f} MB, per test {total_theirs / 2**20:.1f} MB")  # fmt: skip
    summary = {
        "tables": len(tables),
        "tests_per_table": 10,
        "object_mb": round(object_bytes / 2**20, 1),
        "ours_s": round(ours_s, 1),
        "per_test_s": round(theirs_s, 1),
        "total_scanned_mb_ours": round(total_ours / 2**20, 2),
        "total_scanned_mb_per_test": round(total_theirs / 2**20, 2),
        "verdicts": statuses,
        "not_passing_by_test": failing,
        "by_category": by_category,
        "targets_met": met,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
