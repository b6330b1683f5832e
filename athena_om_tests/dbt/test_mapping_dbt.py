"""The pure dbt mapping: matching names, patches that never overwrite by default, data models, test results."""

from __future__ import annotations

from datetime import UTC, datetime

from athena_om.athena.dbt_models import DbtColumn, DbtFreshness, DbtNode, DbtRunResult
from athena_om.mapping import dbt as mapping
from athena_om.mapping.dbt import DbtOptions, OMColumnState, OMTableState
from athena_om.mapping.filters import FilterPattern
from athena_om.openmetadata.models import EntityReference
from athena_om.openmetadata.models import TestCaseStatus as Status

OPTIONS = DbtOptions(service_name="athena")
NODE = DbtNode(
    unique_id="model.p.orders_clean",
    resource_type="model",
    name="orders_clean",
    database="awsdatacatalog",
    schema="Sales",
    identifier="Orders",
    description="Clean orders.",
    columns=(DbtColumn("ID", "Order id.", ("pk",)), DbtColumn("ghost", "Not in the table.")),
    tags=("finance",),
    meta_tags=("gold", "finance"),
    owners=("alice@example.com",),
    raw_sql="select 1",
    compiled_sql="select 1",
    path="models/orders_clean.sql",
)
TABLE = OMTableState(
    id="t1",
    fqn="athena.default.sales.orders",
    description="",
    columns=(
        OMColumnState(0, "id", "BIGINT", "", None),
        OMColumnState(1, "amount", "DECIMAL", "Amount.", ("PII.Sensitive",)),
    ),
    tags=("PII.Sensitive",),
    owner_ids=(),
    data_model=None,
)
ALICE = EntityReference(id="u1", type="user", name="alice")


def test_awsdatacatalog_is_the_connectors_database_then_dbts_own_names_then_lower_case() -> None:
    assert mapping.candidate_fqns(NODE, OPTIONS) == [
        "athena.default.Sales.Orders",
        "athena.default.sales.orders",
        "athena.awsdatacatalog.Sales.Orders",
        "athena.awsdatacatalog.sales.orders",
    ]
    configured = DbtOptions(service_name="athena", database_name="prod", database_names={"AwsDataCatalog": "lake"})
    assert mapping.candidate_fqns(NODE, configured)[:2] == ["athena.lake.Sales.Orders", "athena.lake.sales.orders"]
    other = DbtNode("source.p.s.t", "source", "t", "federated", "s", "t")
    assert mapping.candidate_fqns(other, OPTIONS) == ["athena.federated.s.t"]


def test_filter_patterns_leave_nodes_out_with_the_reason() -> None:
    options = DbtOptions(service_name="athena", schema_filter=FilterPattern(excludes=["^sales$"]))
    assert mapping.node_filtered(NODE, options) == "left out by schemaFilterPattern (Sales)"
    assert mapping.node_filtered(NODE, OPTIONS) is None


def test_the_patch_fills_only_what_openmetadata_lacks_by_default() -> None:
    held = TABLE.__class__(**{**TABLE.__dict__, "description": "A steward's words."})
    ops = [op.to_body() for op in mapping.table_patch(NODE, held, [ALICE], OPTIONS)]
    assert {"op": "add", "path": "/columns/0/description", "value": "Order id."} in ops
    assert not any(op["path"] == "/description" for op in ops)
    assert {"op": "add", "path": "/columns/0/tags", "value": [tag("pk")]} in ops
    assert [op["value"]["tagFQN"] for op in ops if op["path"] == "/tags/-"] == ["dbtTags.finance", "dbtTags.gold"]
    assert {"op": "add", "path": "/owners", "value": [{"id": "u1", "type": "user"}]} in ops


def tag(name: str) -> dict[str, str]:
    return {"tagFQN": f"dbtTags.{name}", "source": "Classification", "labelType": "Automated", "state": "Confirmed"}


def test_dbt_update_descriptions_and_owners_replace_what_is_there() -> None:
    held = OMTableState(**{**TABLE.__dict__, "description": "Old.", "owner_ids": ("u9",)})
    options = DbtOptions(service_name="athena", update_descriptions=True, update_owners=True, include_tags=False)
    ops = [op.to_body() for op in mapping.table_patch(NODE, held, [ALICE], options)]
    assert ops == [
        {"op": "replace", "path": "/description", "value": "Clean orders."},
        {"op": "add", "path": "/columns/0/description", "value": "Order id."},
        {"op": "replace", "path": "/owners", "value": [{"id": "u1", "type": "user"}]},
    ]
    assert mapping.table_patch(NODE, held, [ALICE], DbtOptions(service_name="athena", include_tags=False)) == [
        mapping.table_patch(NODE, held, [ALICE], options)[1]
    ]


def test_a_table_already_holding_everything_gets_no_patch() -> None:
    held = OMTableState(
        id="t1",
        fqn="athena.default.sales.orders",
        description="Clean orders.",
        columns=(OMColumnState(0, "id", "BIGINT", "Order id.", ("dbtTags.pk",)),),
        tags=("dbtTags.finance", "dbtTags.gold"),
        owner_ids=("u1",),
        data_model=None,
    )
    assert mapping.table_patch(NODE, held, [ALICE], OPTIONS) == []


def test_the_data_model_documents_only_columns_the_table_has_and_compares_without_generated_at() -> None:
    model = mapping.data_model(NODE, TABLE, ["athena.default.raw.orders"], [ALICE], OPTIONS, "p", "2026-01-01")
    body = model.to_body()
    assert body["modelType"] == "DBT" and body["upstream"] == ["athena.default.raw.orders"]
    assert [(c["name"], c["dataType"], c["description"]) for c in body["columns"]] == [("id", "BIGINT", "Order id.")]
    assert [t["tagFQN"] for t in body["tags"]] == ["dbtTags.finance", "dbtTags.gold"]
    stored = body | {"generatedAt": "2026-02-02", "owners": [{"id": "u1", "type": "user", "name": "alice"}]}
    assert mapping.data_model_unchanged(stored, model)
    assert not mapping.data_model_unchanged(stored | {"sql": "select 2"}, model)
    assert not mapping.data_model_unchanged(None, model)


def test_run_results_become_test_case_results_failed_ones_included() -> None:
    finished = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    failed = mapping.test_result(DbtRunResult("test.p.t", "fail", finished, 3, "Got 3 results"), None)
    assert failed is not None
    assert failed.testCaseStatus == Status.FAILED and failed.failedRows == 3
    assert failed.timestamp == int(finished.timestamp() * 1000)
    assert failed.result == "Got 3 results (dbt status fail)"
    errored = mapping.test_result(DbtRunResult("test.p.t", "error", None, None, "compile error"), "2026-01-01T00:00Z")
    assert errored is not None and errored.testCaseStatus == Status.FAILED
    skipped = mapping.test_result(DbtRunResult("test.p.t", "skipped", finished), None)
    assert skipped is not None and skipped.testCaseStatus == Status.ABORTED
    assert mapping.test_result(DbtRunResult("test.p.t", "pass", None), None) is None


def test_source_freshness_becomes_a_result_saying_how_old_the_data_is() -> None:
    result = mapping.freshness_result(
        DbtFreshness(
            "source.p.s.t",
            "warn",
            datetime(2026, 1, 2, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=UTC),
            86400.0,
            "warn_after 1 day",
        )
    )
    assert result is not None and result.testCaseStatus == Status.FAILED
    assert result.result == "warn: last loaded 2026-01-01T00:00:00+00:00 (24.0 h ago); warn_after 1 day"


def test_test_case_names_and_links() -> None:
    assert mapping.entity_link("a.b.c.d", "x") == "<#E::table::a.b.c.d::columns::x>"
    assert mapping.test_case_fqn("a.b.c.d", "x", "not_null_d_x") == "a.b.c.d.x.not_null_d_x"
    assert mapping.test_case_fqn("a.b.c.d", None, "t.1") == 'a.b.c.d."t.1"'


def test_glossary_terms_join_the_tags_as_glossary_labels_once() -> None:
    node = DbtNode(**{**NODE.__dict__, "glossary_terms": ("Business.Revenue",)})
    ops = [op.to_body() for op in mapping.table_patch(node, TABLE, [], OPTIONS, ["Business.Revenue"])]
    labels = [op["value"] for op in ops if op["path"] == "/tags/-"]
    assert {
        "tagFQN": "Business.Revenue",
        "source": "Glossary",
        "labelType": "Automated",
        "state": "Confirmed",
    } in labels
    held = OMTableState(
        **{**TABLE.__dict__, "tags": ("PII.Sensitive", "dbtTags.finance", "dbtTags.gold", "Business.Revenue")}
    )
    assert not any(
        op.path.startswith("/tags") for op in mapping.table_patch(node, held, [], OPTIONS, ["Business.Revenue"])
    )


def test_a_columns_glossary_terms_join_that_columns_tags() -> None:
    id_column = DbtColumn("ID", "Order id.", (), glossary_terms=("Business.OrderKey", "Business.Unknown"))
    node = DbtNode(**{**NODE.__dict__, "columns": (id_column,)})
    ops = [op.to_body() for op in mapping.table_patch(node, TABLE, [], OPTIONS, ["Business.OrderKey"])]
    (column_tags,) = [op["value"] for op in ops if op["path"] == "/columns/0/tags"]
    assert [(label["tagFQN"], label["source"]) for label in column_tags] == [("Business.OrderKey", "Glossary")]
    assert not any("Business.Unknown" in str(op) for op in ops)  # not in OpenMetadata: left out (and reported)
