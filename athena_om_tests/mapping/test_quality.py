"""Verdicts as OpenMetadata bodies, and test cases read back from OpenMetadata's entities."""

from __future__ import annotations

from athena_om.mapping import quality
from athena_om.mapping.quality import entity_link, parse_entity_link
from athena_om.mapping.quality_sql import QualityTestCase, Status, Verdict

TABLE = 'svc.default.sales."odd.name"'


def test_result_carries_status_sentence_values_rows_and_shares() -> None:
    verdict = Verdict(Status.FAILED, "Found nullCount=3.", (("nullCount", "3"),), passed_rows=7, failed_rows=3)
    body = quality.test_case_result(verdict, 1_700_000_000_000).to_body()
    assert body == {
        "timestamp": 1_700_000_000_000,
        "testCaseStatus": "Failed",
        "result": "Found nullCount=3.",
        "testResultValue": [{"name": "nullCount", "value": "3"}],
        "passedRows": 7,
        "failedRows": 3,
        "passedRowsPercentage": 70.0,
        "failedRowsPercentage": 30.0,
    }


def test_an_aborted_result_still_has_a_test_result_value() -> None:
    body = quality.test_case_result(Verdict(Status.ABORTED, "missing parameter value"), 1).to_body()
    assert body["testCaseStatus"] == "Aborted"
    assert body["testResultValue"] == [{"name": "result", "value": "Aborted"}]
    assert "passedRows" not in body


def test_entity_links_round_trip_for_tables_and_columns() -> None:
    assert parse_entity_link(entity_link(TABLE)) == (TABLE, None)
    assert parse_entity_link(entity_link(TABLE, "amount")) == (TABLE, "amount")
    assert parse_entity_link("<#E::topic::x>") is None


def test_test_case_from_an_openmetadata_entity() -> None:
    entity = {
        "name": "nn",
        "fullyQualifiedName": f"{TABLE}.amount.nn",
        "entityLink": entity_link(TABLE, "amount"),
        "testDefinition": {"name": "columnValuesToBeNotNull", "id": "1"},
        "parameterValues": [{"name": "x", "value": 1}],
    }
    assert quality.test_case_from_entity(entity) == QualityTestCase(
        f"{TABLE}.amount.nn", "nn", "columnValuesToBeNotNull", TABLE, "amount", (("x", "1"),)
    )
    broken = quality.test_case_from_entity({"fullyQualifiedName": "a.b", "entityLink": "<#E::dashboard::d>"})
    assert isinstance(broken, str) and broken.startswith("a.b: entityLink")
