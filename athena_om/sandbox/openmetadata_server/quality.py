"""Test case results: a time series per test case, keyed by timestamp like OpenMetadata's."""

from __future__ import annotations

import uuid
from typing import Any

from athena_om.sandbox.openmetadata_server import rules
from athena_om.sandbox.openmetadata_server.catalog import Catalog, entity_ref
from athena_om.sandbox.openmetadata_server.schema import BodyKind


def add_result(catalog: Catalog, test_case_fqn: str, body: Any) -> dict[str, Any]:
    test_case = catalog.find("testCase", test_case_fqn)
    result = catalog.schema.check(BodyKind.TEST_CASE_RESULT, body)
    rules.check_timestamp_ms(result["timestamp"], "timestamp")
    record = {key: value for key, value in result.items() if value is not None} | {
        "id": str(uuid.uuid4()),
        "testCaseFQN": test_case.fqn,
        "testCase": entity_ref(test_case),
        "testDefinition": test_case.data.get("testDefinition"),
    }
    catalog.store.put_test_result(test_case.fqn, result["timestamp"], record)
    return record


def results_between(catalog: Catalog, test_case_fqn: str, start_ts: int, end_ts: int) -> list[dict[str, Any]]:
    test_case = catalog.find("testCase", test_case_fqn, include="all")
    return catalog.store.test_results(test_case.fqn, start_ts, end_ts)
