"""One column OpenMetadata would refuse never costs its table: it is kept as UNKNOWN with a warning."""

from __future__ import annotations

import pytest

from athena_om.athena.models import GlueColumn, GlueTable
from athena_om.mapping.column_guard import column_rule_broken, safe_column
from athena_om.mapping.tables import glue_table_to_create_request
from athena_om.openmetadata.models import Column, DataType

SCHEMA = "athena.default.odd"


def table_with(*columns: GlueColumn) -> GlueTable:
    return GlueTable(
        database="odd", name="events", table_type="EXTERNAL_TABLE", columns=(GlueColumn("id", "int"), *columns)
    )


def test_empty_struct_is_a_struct_with_no_children() -> None:
    # OpenMetadata's validateStructColumn refuses only null children; an empty list is a valid STRUCT.
    result = glue_table_to_create_request(table_with(GlueColumn("meta", "struct<>")), schema_fqn=SCHEMA)
    assert result.request is not None and result.warnings == []
    meta = result.request.to_body()["columns"][1]
    assert (meta["dataType"], meta["children"], meta["dataTypeDisplay"]) == ("STRUCT", [], "struct<>")


def test_repeated_struct_fields_keep_the_first() -> None:
    result = glue_table_to_create_request(
        table_with(GlueColumn("payload", "struct<a:int,A:string,b:struct<x:int,X:int>>")), schema_fqn=SCHEMA
    )
    assert result.request is not None
    payload = result.request.columns[1]
    assert payload.dataType == "STRUCT" and payload.children is not None
    assert [c.name for c in payload.children] == ["a", "b"]
    assert [c.name for c in payload.children[1].children or []] == ["x"]
    assert result.warnings == [
        "struct field payload.A appears more than once (case-insensitively); kept the first",
        "struct field payload.b.X appears more than once (case-insensitively); kept the first",
    ]


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        (Column(name="s", dataType=DataType.STRUCT), "s is STRUCT without children"),
        (Column(name="a", dataType=DataType.ARRAY), "a is ARRAY without an element type"),
        (Column(name="v", dataType=DataType.VARCHAR), "v is VARCHAR without a length"),
        (Column(name="d", dataType=DataType.DECIMAL, precision=2, scale=5), "d has scale 5 but precision 2"),
        (
            Column(name="p", dataType=DataType.STRUCT, children=[Column(name="q", dataType=DataType.CHAR)]),
            "p.q is CHAR without a length",
        ),
        (Column(name="s", dataType=DataType.STRUCT, children=[]), None),
        (Column(name="v", dataType=DataType.VARCHAR, dataLength=3), None),
    ],
)
def test_column_rules(column: Column, problem: str | None) -> None:
    assert column_rule_broken(column) == problem


def test_a_column_breaking_a_rule_becomes_unknown_with_its_glue_type() -> None:
    warnings: list[str] = []
    broken = Column(name="d", dataType=DataType.DECIMAL, precision=2, scale=5, ordinalPosition=4, description="x")
    column = safe_column(lambda: broken, name="d", type_string="decimal(2,5)", warnings=warnings)
    assert column.to_body() == {
        "name": "d",
        "dataType": "UNKNOWN",
        "dataTypeDisplay": "decimal(2,5)",
        "ordinalPosition": 4,
        "description": "x",
    }
    assert warnings == [
        "column 'd': d has scale 5 but precision 2, which OpenMetadata would refuse with the whole table; "
        "kept as UNKNOWN with its Glue type 'decimal(2,5)'"
    ]


def test_a_column_the_mapping_cannot_build_becomes_unknown() -> None:
    def explode() -> Column:
        raise RecursionError("type nested too deep")

    warnings: list[str] = []
    column = safe_column(explode, name="deep", type_string="array<" * 3, warnings=warnings)
    assert (column.name, column.dataType, column.dataTypeDisplay) == ("deep", "UNKNOWN", "array<array<array<")
    assert len(warnings) == 1 and "could not be mapped" in warnings[0] and "'deep'" in warnings[0]


def test_decimal_with_scale_above_precision_keeps_the_table() -> None:
    result = glue_table_to_create_request(table_with(GlueColumn("amount", "decimal(2,5)")), schema_fqn=SCHEMA)
    assert result.ok and result.request is not None
    amount = result.request.columns[1]
    assert (amount.dataType, amount.dataTypeDisplay, amount.ordinalPosition) == ("UNKNOWN", "decimal(2,5)", 2)
    assert any("'amount'" in w and "UNKNOWN" in w for w in result.warnings)
