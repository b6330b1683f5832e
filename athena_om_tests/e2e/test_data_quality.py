"""E2E: OpenMetadata test cases run on the demo lake through Dagster; each status and measured value equals one
computed here from the table's rows, results are read back from OpenMetadata and from the Dagster instance."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from dagster import AssetCheckKey, AssetKey, DagsterInstance, materialize

from athena_om.definitions import build_definitions
from athena_om.defs.metadata.assets import athena_schemas, athena_tables
from athena_om.defs.quality.assets import athena_data_quality, check_assets, quality_run
from athena_om.defs.quality.component import fetch_snapshot
from athena_om.defs.quality.snapshot import asset_name, check_name
from athena_om.mapping.fqn import table_fqn
from athena_om.mapping.quality import entity_link
from athena_om.openmetadata.writer import BatchWriter
from athena_om.resources.aws import AthenaResource
from athena_om.sync.quality import run_database_quality
from athena_om_tests.e2e.conftest import Stack

SERVICE = "athena_sandbox"
TABLE = table_fqn(SERVICE, "default", "demo_sales", "customers")
CAMPAIGNS = table_fqn(SERVICE, "default", "demo_marketing", "campaigns")
EXAMPLE = Path(__file__).parents[2] / "athena_om" / "config" / "examples" / "data_quality.yaml"


@dataclass
class Case:
    name: str
    definition: str
    column: str | None
    parameters: dict[str, Any]
    expected: str  # Success, Failed or Aborted
    values: dict[str, Any]  # measured values computed here (compared approximately for floats)

    @property
    def fqn(self) -> str:
        return f"{TABLE}.{self.column}.{self.name}" if self.column else f"{TABLE}.{self.name}"


def rows_of(sql: str) -> list[dict[str, Any]]:
    aws = AthenaResource(region_name="us-east-1", s3_staging_dir="s3://athena-om-sandbox-results/")
    cursor = aws.pyathena_connection().cursor()
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _num(value: Any) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else float("nan")


def cases_from_rows(rows: list[dict[str, Any]], columns: list[str]) -> list[Case]:
    """Test cases that pass and fail on these rows, with what each must measure."""
    n = len(rows)
    emails = [r["email"] for r in rows]
    present_emails = [e for e in emails if e is not None]
    names = [r["full_name"] for r in rows if r["full_name"] is not None]
    name_counts: dict[str, int] = {}
    for name in names:
        name_counts[name] = name_counts.get(name, 0) + 1
    countries = sorted({r["country"] for r in rows if r["country"] is not None})
    values = [_num(r["lifetime_value"]) for r in rows if r["lifetime_value"] is not None]
    low, high = min(values), max(values)
    mean, median, std, total = (
        statistics.fmean(values),
        statistics.median(values),
        statistics.pstdev(values),
        sum(values),
    )
    lengths = [len(x) for x in names]
    nulls = n - len(present_emails)
    at_sign = sum("@" in e for e in present_emails)
    lower_only = sum(bool(re.search("^[a-z]+$", e)) for e in present_emails)
    dated = sum(1 for r in rows if r["signup_date"] is not None)
    subset = countries[:1]
    in_subset = sum(1 for r in rows if r["country"] in subset)
    country_count = sum(1 for r in rows if r["country"] is not None)
    ok, bad = "Success", "Failed"
    sql = 'SELECT * FROM "demo_sales"."customers"'
    return [
        Case("rows_ok", "tableRowCountToBeBetween", None, {"minValue": n, "maxValue": n}, ok, {"rowCount": n}),
        Case("rows_bad", "tableRowCountToBeBetween", None, {"minValue": n + 1}, bad, {"rowCount": n}),
        Case("rows_eq_ok", "tableRowCountToEqual", None, {"value": n}, ok, {"rowCount": n}),
        Case("rows_eq_bad", "tableRowCountToEqual", None, {"value": n - 1}, bad, {"rowCount": n}),
        Case("cols_ok", "tableColumnCountToBeBetween", None, {"minColValue": len(columns)}, ok, {}),
        Case("cols_bad", "tableColumnCountToBeBetween", None, {"maxColValue": len(columns) - 1}, bad, {}),
        Case("cols_eq_ok", "tableColumnCountToEqual", None, {"columnCount": len(columns)}, ok,
             {"columnCount": len(columns)}),
        Case("cols_eq_bad", "tableColumnCountToEqual", None, {"columnCount": 99}, bad, {}),
        Case("name_ok", "tableColumnNameToExist", None, {"columnName": "email"}, ok, {}),
        Case("name_bad", "tableColumnNameToExist", None, {"columnName": "no_such"}, bad, {}),
        Case("set_ok", "tableColumnToMatchSet", None, {"columnNames": ",".join(reversed(columns))}, ok, {}),
        Case("set_bad", "tableColumnToMatchSet", None, {"columnNames": ",".join(reversed(columns)), "ordered": True},
             bad, {}),
        Case("sql_ok", "tableCustomSQLQuery", None, {"sqlExpression": f"{sql} WHERE customer_id < 0"}, ok,
             {"resultRowCount": 0}),
        Case("sql_bad", "tableCustomSQLQuery", None, {"sqlExpression": f"{sql} WHERE email IS NULL"}, bad,
             {"resultRowCount": nulls}),
        Case("inserted_ok", "tableRowInsertedCountToBeBetween", None,
             {"columnName": "signup_date", "rangeType": "YEAR", "rangeInterval": 200, "min": dated, "max": dated},
             ok, {"rowCount": dated}),
        Case("inserted_bad", "tableRowInsertedCountToBeBetween", None,
             {"columnName": "signup_date", "rangeType": "YEAR", "rangeInterval": 200, "max": dated - 1}, bad,
             {"rowCount": dated}),
        Case("diff_ok", "tableDiff", None, {"table2": TABLE, "keyColumns": '["customer_id"]'}, ok,
             {"diffCount": 0}),
        Case("between_ok", "columnValuesToBeBetween", "lifetime_value", {"minValue": low, "maxValue": high}, ok,
             {"min": low, "max": high}),
        Case("between_bad", "columnValuesToBeBetween", "lifetime_value", {"maxValue": low}, bad,
             {"min": low, "max": high}),
        Case("notnull_ok", "columnValuesToBeNotNull", "customer_id", {}, ok, {"nullCount": 0}),
        Case("notnull_bad", "columnValuesToBeNotNull", "email", {}, bad, {"nullCount": nulls}),
        Case("unique_ok", "columnValuesToBeUnique", "customer_id", {}, ok, {"uniqueCount": n}),
        Case("unique_bad", "columnValuesToBeUnique", "full_name", {}, bad,
             {"uniqueCount": sum(1 for c in name_counts.values() if c == 1), "valueCount": len(names)}),
        Case("regex_ok", "columnValuesToMatchRegex", "country", {"regex": "^[A-Z]{2}$"}, ok, {}),
        Case("regex_bad", "columnValuesToMatchRegex", "email", {"regex": "^[a-z]+$"}, bad,
             {"likeCount": lower_only}),
        Case("notregex_ok", "columnValuesToNotMatchRegex", "email", {"forbiddenRegex": "\\s"}, ok,
             {"notLikeCount": 0}),
        Case("notregex_bad", "columnValuesToNotMatchRegex", "email", {"forbiddenRegex": "@"}, bad,
             {"notLikeCount": at_sign}),
        Case("inset_ok", "columnValuesToBeInSet", "country", {"allowedValues": countries, "matchEnum": True}, ok,
             {"allowedValueCount": country_count}),
        Case("inset_bad", "columnValuesToBeInSet", "country", {"allowedValues": subset, "matchEnum": True}, bad,
             {"allowedValueCount": in_subset}),
        Case("notinset_ok", "columnValuesToBeNotInSet", "country", {"forbiddenValues": ["ZZ"]}, ok,
             {"countForbiddenValues": 0}),
        Case("notinset_bad", "columnValuesToBeNotInSet", "country", {"forbiddenValues": subset}, bad,
             {"countForbiddenValues": in_subset}),
        Case("len_ok", "columnValueLengthsToBeBetween", "full_name",
             {"minLength": min(lengths), "maxLength": max(lengths)}, ok,
             {"minValueLength": min(lengths), "maxValueLength": max(lengths)}),
        Case("len_bad", "columnValueLengthsToBeBetween", "full_name", {"maxLength": min(lengths)}, bad, {}),
        Case("missing_ok", "columnValuesMissingCount", "email", {"missingCountValue": nulls}, ok,
             {"missingCount": nulls}),
        Case("missing_bad", "columnValuesMissingCount", "email", {"missingCountValue": 0}, bad, {}),
        Case("min_ok", "columnValueMinToBeBetween", "lifetime_value", {"minValueForMinInCol": low}, ok, {"min": low}),
        Case("min_bad", "columnValueMinToBeBetween", "lifetime_value", {"minValueForMinInCol": low + 1}, bad, {}),
        Case("max_ok", "columnValueMaxToBeBetween", "lifetime_value", {"maxValueForMaxInCol": high}, ok, {"max": high}),
        Case("max_bad", "columnValueMaxToBeBetween", "lifetime_value", {"maxValueForMaxInCol": high - 1}, bad, {}),
        Case("mean_ok", "columnValueMeanToBeBetween", "lifetime_value",
             {"minValueForMeanInCol": mean - 0.01, "maxValueForMeanInCol": mean + 0.01}, ok, {"mean": mean}),
        Case("mean_bad", "columnValueMeanToBeBetween", "lifetime_value", {"maxValueForMeanInCol": mean - 1}, bad, {}),
        Case("median_ok", "columnValueMedianToBeBetween", "lifetime_value",
             # approx_percentile: within 3% of the range of the exact median
             {"minValueForMedianInCol": median - 0.03 * (high - low),
              "maxValueForMedianInCol": median + 0.03 * (high - low)}, ok, {}),
        Case("median_bad", "columnValueMedianToBeBetween", "lifetime_value", {"minValueForMedianInCol": high + 1},
             bad, {}),
        Case("std_ok", "columnValueStdDevToBeBetween", "lifetime_value",
             {"minValueForStdDevInCol": std - 0.01, "maxValueForStdDevInCol": std + 0.01}, ok, {"stddev": std}),
        Case("std_bad", "columnValueStdDevToBeBetween", "lifetime_value", {"minValueForStdDevInCol": std + 1}, bad,
             {}),
        Case("sum_ok", "columnValuesSumToBeBetween", "lifetime_value",
             {"minValueForColSum": total - 0.01, "maxValueForColSum": total + 0.01}, ok, {"sum": total}),
        Case("sum_bad", "columnValuesSumToBeBetween", "lifetime_value", {"maxValueForColSum": total - 1}, bad, {}),
        # Bad input: named per test case, the others still run.
        Case("bad_sql", "tableCustomSQLQuery", None, {"sqlExpression": "SELEC nonsense FROM"}, "Aborted", {}),
        Case("no_param", "tableRowCountToEqual", None, {}, "Aborted", {}),
    ]  # fmt: skip


def _parameter(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        import json

        return json.dumps(value)
    return str(value)


@dataclass
class QualityRun:
    stack: Stack
    config_path: Path
    cases: list[Case]
    resources: dict[str, Any]


@pytest.fixture(scope="module")
def quality(stack: Stack, instance: DagsterInstance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QualityRun]:
    root = tmp_path_factory.mktemp("quality")
    document = yaml.safe_load(stack.config_path.read_text())
    document["athenaOm"]["dataQuality"] = {
        "testSuiteFiles": [str(EXAMPLE)],
        "warnOnly": [f"{TABLE}.*_bad", f"{TABLE}.*.*_bad"],
        "snapshotFile": str(root / "snapshot.json"),
    }
    config_path = root / "workflow.yaml"
    config_path.write_text(yaml.safe_dump(document, sort_keys=False))
    resources = build_definitions(str(config_path)).resources
    assert materialize([athena_schemas], instance=instance, resources=resources).success
    for database in ("demo_sales", "demo_marketing"):
        assert materialize([athena_tables], instance=instance, resources=resources, partition_key=database).success
    rows = rows_of('SELECT * FROM "demo_sales"."customers"')
    columns = list(rows[0])
    cases = cases_from_rows(rows, columns)
    with stack.client() as client:
        for case in cases:
            body = {
                "name": case.name,
                "testDefinition": case.definition,
                "entityLink": entity_link(TABLE, case.column),
                "parameterValues": [{"name": k, "value": _parameter(v)} for k, v in case.parameters.items()],
            }
            client.request("PUT", "/v1/dataQuality/testCases", json=body)
    yield QualityRun(stack, config_path, cases, resources)


def results_of(run: QualityRun, fqn: str) -> list[dict[str, Any]]:
    with run.stack.client() as client:
        body = client.request_json("GET", f"/v1/dataQuality/testCases/testCaseResults/{fqn}?startTs=0&endTs={2**62}")
    assert isinstance(body, dict)
    return list(body["data"])


def _check_values(case: Case, measured: dict[str, str]) -> None:
    for name, expected in case.values.items():
        assert name in measured, (case.name, name, measured)
        assert float(measured[name]) == pytest.approx(float(expected), rel=1e-6, abs=1e-6), (case.name, name)


def test_each_test_case_matches_values_computed_from_the_rows(quality: QualityRun, instance: DagsterInstance) -> None:
    result = materialize(
        [athena_data_quality], instance=instance, resources=quality.resources, partition_key="demo_sales"
    )
    assert result.success
    metadata = {k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()}
    assert metadata["tests_run"] == len(quality.cases)
    assert metadata["athena_queries"] == 2 + 4  # one scan, one uniqueness query, three custom SQL, one tableDiff
    for case in quality.cases:
        found = results_of(quality, case.fqn)
        assert len(found) == 1, case.name
        assert found[0]["testCaseStatus"] == case.expected, (case.name, found[0]["result"])
        _check_values(case, {v["name"]: v["value"] for v in found[0]["testResultValue"]})
    bad_sql = results_of(quality, f"{TABLE}.bad_sql")[0]["result"]
    # Athena's own error text is kept (here the sandbox's parser), with where the user's SQL starts.
    assert "QueryFailedError: Expecting )" in bad_sql
    assert "the sqlExpression starts on line 3" in bad_sql
    assert "missing parameter value" in results_of(quality, f"{TABLE}.no_param")[0]["result"]
    notnull = results_of(quality, f"{TABLE}.email.notnull_bad")[0]
    assert notnull["failedRows"] + notnull["passedRows"] == metadata_rows(quality)
    assert notnull["failedRowsPercentage"] == pytest.approx(100 * notnull["failedRows"] / metadata_rows(quality))


def metadata_rows(run: QualityRun) -> int:
    return next(int(c.values["rowCount"]) for c in run.cases if c.name == "rows_ok")


def test_yaml_test_cases_are_created_under_the_basic_suite_and_run(
    quality: QualityRun, instance: DagsterInstance
) -> None:
    result = materialize(
        [athena_data_quality], instance=instance, resources=quality.resources, partition_key="demo_marketing"
    )
    assert result.success
    rows = rows_of('SELECT * FROM "demo_marketing"."campaigns"')
    with quality.stack.client() as client:
        for name in ("campaigns_row_count", "campaign_id.campaign_id_not_null", "campaign_id.campaign_id_length"):
            case = client.request_json("GET", f"/v1/dataQuality/testCases/name/{CAMPAIGNS}.{name}?fields=testSuite")
            assert isinstance(case, dict)
            assert case["testSuite"]["fullyQualifiedName"] == f"{CAMPAIGNS}.testSuite"
    row_count = results_of(quality, f"{CAMPAIGNS}.campaigns_row_count")
    assert row_count[0]["testCaseStatus"] == ("Success" if 1 <= len(rows) <= 100 else "Failed")
    assert {v["name"]: v["value"] for v in row_count[0]["testResultValue"]} == {"rowCount": str(len(rows))}


def test_asset_checks_from_the_snapshot_with_severity(quality: QualityRun, instance: DagsterInstance) -> None:
    snapshot = fetch_snapshot(quality.config_path)
    assert {c.fqn for c in snapshot.databases["demo_sales"]} == {c.fqn for c in quality.cases}
    asset = next(a for a in check_assets(snapshot) if a.key == AssetKey(asset_name("demo_sales")))
    result = materialize([asset], instance=instance, resources=quality.resources, raise_on_error=False)
    # Every failing test is WARN here (warnOnly) except the aborted ones, whose ERROR fails the run.
    assert not result.success
    for case in quality.cases:
        key = AssetCheckKey(AssetKey(asset_name("demo_sales")), check_name(case.fqn, TABLE))
        record = instance.get_latest_asset_check_evaluation_record(key)
        assert record is not None and record.event is not None, case.name
        evaluation = record.event.dagster_event.event_specific_data  # type: ignore[union-attr]
        assert evaluation.passed is (case.expected == "Success"), case.name
        assert evaluation.metadata["status"].value == case.expected
        expected_severity = "WARN" if case.name.endswith("_bad") else "ERROR"
        assert evaluation.severity.value == expected_severity, case.name


def test_a_rerun_for_the_same_timestamp_replaces_its_results(quality: QualityRun) -> None:
    resources = quality.resources
    run, _ = quality_run(resources["aws"], resources["openmetadata"], resources["settings"])
    run.clock_ms = lambda: 1_700_000_000_000
    with quality.stack.client() as client:
        for _ in range(2):
            BatchWriter(client).write(run_database_quality(run, "demo_sales").batch)
            run._openmetadata_cases = None
    for case in quality.cases[:5]:
        with quality.stack.client() as client:
            body = client.request_json(
                "GET",
                f"/v1/dataQuality/testCases/testCaseResults/{case.fqn}?startTs=1700000000000&endTs=1700000000000",
            )
        assert isinstance(body, dict)
        assert len(body["data"]) == 1, case.name


def test_failures_of_warn_checks_do_not_fail_the_run(
    quality: QualityRun, instance: DagsterInstance, tmp_path: Path
) -> None:
    document = yaml.safe_load(quality.config_path.read_text())
    document["athenaOm"]["dataQuality"]["warnOnly"] = ["*"]
    config_path = tmp_path / "warn.yaml"
    config_path.write_text(yaml.safe_dump(document, sort_keys=False))
    resources = build_definitions(str(config_path)).resources
    snapshot = fetch_snapshot(config_path)
    asset = next(a for a in check_assets(snapshot) if a.key == AssetKey(asset_name("demo_sales")))
    result = materialize([asset], instance=instance, resources=resources, raise_on_error=False)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert any(not e.passed for e in evaluations)
    assert all(e.severity.value == "WARN" for e in evaluations if not e.passed)
