"""Which test cases a database's run takes: OpenMetadata's, and the workflow file's per forceUpdate."""

from __future__ import annotations

from typing import Any

from athena_om.mapping.quality import DeclaredTestCase, entity_link
from athena_om.sync import quality
from athena_om.sync.profile_options import ProfilerOptions
from athena_om.sync.quality import QualityRun, declared_to_write

TABLE = "svc.default.sales.orders"
OTHER_SERVICE = "other.default.sales.orders"


class StubClient:
    def __init__(self, entities: list[dict[str, Any]], definitions: list[dict[str, Any]] | None = None) -> None:
        self.entities = entities
        self.definitions = definitions or []
        self.listings = 0

    def list_all(self, collection: str, **_: Any) -> list[dict[str, Any]]:
        if collection == "dataQuality/testDefinitions":
            return self.definitions
        assert collection == "dataQuality/testCases"
        self.listings += 1
        return self.entities


def _entity(table: str, name: str, definition: str = "tableRowCountToEqual") -> dict[str, Any]:
    return {
        "name": name,
        "fullyQualifiedName": f"{table}.{name}",
        "entityLink": entity_link(table),
        "testDefinition": {"name": definition},
        "parameterValues": [{"name": "value", "value": "1"}],
    }


def _run(client: StubClient, *declared: DeclaredTestCase) -> QualityRun:
    return QualityRun(
        glue=None, s3=None, executor=None,  # type: ignore[arg-type]
        client=client,  # type: ignore[arg-type]
        options=ProfilerOptions(service_name="svc"),
        declared=declared,
    )  # fmt: skip


def test_openmetadata_cases_of_this_service_only_listed_once_per_run() -> None:
    client = StubClient(
        [_entity(TABLE, "a"), _entity(OTHER_SERVICE, "b"), {"fullyQualifiedName": "x", "entityLink": "?"}]
    )
    run = _run(client)
    assert [c.name for c in quality.test_cases_by_table(run, "sales")[TABLE]] == ["a"]
    assert quality.test_cases_by_table(run, "web") == {}
    assert client.listings == 1


def test_test_cases_of_another_platform_are_left_to_it() -> None:
    client = StubClient(
        [_entity(TABLE, "mine"), _entity(TABLE, "dbt_not_null", definition="dbt_not_null")],
        definitions=[
            {"name": "tableRowCountToEqual", "testPlatforms": ["OpenMetadata"]},
            {"name": "dbt_not_null", "testPlatforms": ["dbt"]},
        ],
    )
    assert [c.name for c in quality.test_cases_by_table(_run(client), "sales")[TABLE]] == ["mine"]


def test_declared_cases_are_created_when_new_and_replace_only_with_force_update() -> None:
    client = StubClient([_entity(TABLE, "a")])
    kept = DeclaredTestCase(TABLE, "a", "tableRowCountToEqual", parameters=(("value", "9"),))
    new = DeclaredTestCase(TABLE, "b", "tableRowCountToBeBetween", parameters=(("minValue", "1"),))
    run = _run(client, kept, new)
    assert [d.name for d in declared_to_write(run, "svc.default.sales")] == ["b"]
    by_name = {c.name: c for c in quality.test_cases_by_table(run, "sales")[TABLE]}
    assert by_name["a"].parameters == (("value", "1"),)  # OpenMetadata's version runs
    forced = DeclaredTestCase(TABLE, "a", "tableRowCountToEqual", parameters=(("value", "9"),), force_update=True)
    run = _run(client, forced)
    assert [d.name for d in declared_to_write(run, "svc.default.sales")] == ["a"]
    assert quality.test_cases_by_table(run, "sales")[TABLE][0].parameters == (("value", "9"),)


def test_a_test_suite_files_test_cases_list_runs_only_those_on_its_table() -> None:
    """OpenMetadata's TestSuitePipeline.testCases: "if null, all test cases will be executed"."""
    other_table = "svc.default.sales.returns"
    client = StubClient([_entity(TABLE, "a"), _entity(TABLE, "b"), _entity(other_table, "c")])
    run = _run(client)
    run.selected = {TABLE: frozenset({"b", "missing"})}
    by_table = quality.test_cases_by_table(run, "sales")
    assert [c.name for c in by_table[TABLE]] == ["b"]
    assert [c.name for c in by_table[other_table]] == ["c"]  # a table no file names runs all of its own
    (problem,) = run.unreadable
    assert problem.startswith(f"missing on {TABLE}: named in a TestSuite file's testCases")
    run = _run(client)
    run.selected = {TABLE: frozenset({"missing"})}
    assert TABLE not in quality.test_cases_by_table(run, "sales")
