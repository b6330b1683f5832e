import random
from typing import Any

import pytest

from athena_om.mapping.types import (
    MAX_NESTING_DEPTH,
    ParsedType,
    TypeParseError,
    parse_athena_type,
    parse_type_string,
)
from athena_om.openmetadata.models import DataType

# (type string, dataType, dataLength, precision, scale)
PRIMITIVES = [
    ("tinyint", "TINYINT", None, None, None),
    ("smallint", "SMALLINT", None, None, None),
    ("int", "INT", None, None, None),
    ("INTEGER", "INT", None, None, None),
    ("bigint", "BIGINT", None, None, None),
    ("float", "FLOAT", None, None, None),
    ("real", "FLOAT", None, None, None),
    ("double", "DOUBLE", None, None, None),
    ("double precision", "DOUBLE", None, None, None),
    ("decimal", "DECIMAL", None, 10, 0),
    ("decimal(7)", "DECIMAL", None, 7, 0),
    ("decimal(38,18)", "DECIMAL", None, 38, 18),
    ("DECIMAL ( 12 , 3 )", "DECIMAL", None, 12, 3),
    ("numeric(5,2)", "DECIMAL", None, 5, 2),
    ("char", "CHAR", 1, None, None),
    ("char(10)", "CHAR", 10, None, None),
    ("varchar(255)", "VARCHAR", 255, None, None),
    ("varchar", "VARCHAR", 1, None, None),
    ("character varying(20)", "VARCHAR", 20, None, None),
    ("string", "STRING", None, None, None),
    ("binary", "BINARY", 1, None, None),
    ("varbinary", "VARBINARY", 1, None, None),
    ("boolean", "BOOLEAN", None, None, None),
    ("date", "DATE", None, None, None),
    ("timestamp", "TIMESTAMP", None, None, None),
    ("timestamp(3)", "TIMESTAMP", None, None, None),
    ("timestamp(6) without time zone", "TIMESTAMP", None, None, None),
    ("timestamp with time zone", "TIMESTAMPZ", None, None, None),
    ("TIMESTAMP(3)   WITH  TIME ZONE", "TIMESTAMPZ", None, None, None),
    ("timestamp with local time zone", "TIMESTAMPZ", None, None, None),
    ("time", "TIME", None, None, None),
    ("time(3) with time zone", "TIME", None, None, None),
    ("interval", "INTERVAL", None, None, None),
    ("interval year to month", "INTERVAL", None, None, None),
    ("interval day to second", "INTERVAL", None, None, None),
    ("interval_day_time", "INTERVAL", None, None, None),
    ("json", "JSON", None, None, None),
    ("uuid", "UUID", None, None, None),
    ("ipaddress", "IPV6", None, None, None),
    ("  bigint  ", "BIGINT", None, None, None),
    ("map<string,int>", "MAP", None, None, None),
    ("map(varchar, array(bigint))", "MAP", None, None, None),
    ("uniontype<int,string>", "UNION", None, None, None),
]


@pytest.mark.parametrize(("text", "data_type", "length", "precision", "scale"), PRIMITIVES)
def test_scalar_and_opaque_types(
    text: str, data_type: str, length: int | None, precision: int | None, scale: int | None
) -> None:
    warnings: list[str] = []
    column = parse_athena_type(text, "c", ordinal_position=3, warnings=warnings)
    assert warnings == []
    assert column.dataType == data_type
    assert column.dataLength == length
    assert (column.precision, column.scale) == (precision, scale)
    assert column.dataTypeDisplay == text  # the original text, untouched
    assert column.ordinalPosition == 3
    assert column.children is None


def _shape(column: Any) -> Any:
    """(name, dataType, arrayDataType, display, children) recursively, for compact assertions."""
    children = [_shape(child) for child in column.children] if column.children is not None else None
    return (column.name, column.dataType, column.arrayDataType, column.dataTypeDisplay, children)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "struct<a:int,b:string>",
            (
                "c",
                "STRUCT",
                None,
                "struct<a:int,b:string>",
                [
                    ("a", "INT", None, "int", None),
                    ("b", "STRING", None, "string", None),
                ],
            ),
        ),
        (
            'row(a integer, "b c" varchar(3))',
            (
                "c",
                "STRUCT",
                None,
                'row(a integer, "b c" varchar(3))',
                [
                    ("a", "INT", None, "integer", None),
                    ("b c", "VARCHAR", None, "varchar(3)", None),
                ],
            ),
        ),
        (
            "STRUCT< `weird:name` : INT , first name:string,ünï:date>",
            (
                "c",
                "STRUCT",
                None,
                "STRUCT< `weird:name` : INT , first name:string,ünï:date>",
                [
                    ("weird:name", "INT", None, "INT", None),
                    ("first name", "STRING", None, "string", None),
                    ("ünï", "DATE", None, "date", None),
                ],
            ),
        ),
        (
            "struct<`a``b`:int, x int>",  # doubled backquote; Spark's "name type" form
            (
                "c",
                "STRUCT",
                None,
                "struct<`a``b`:int, x int>",
                [
                    ("a`b", "INT", None, "int", None),
                    ("x", "INT", None, "int", None),
                ],
            ),
        ),
        (
            "struct<a::int>",  # Hive splits at the first colon: field "a", type ":int" is malformed
            None,
        ),
        ("array<int>", ("c", "ARRAY", "INT", "array<int>", None)),
        ("array(varchar)", ("c", "ARRAY", "VARCHAR", "array(varchar)", None)),
        (
            "array<struct<x:int>>",
            ("c", "ARRAY", "STRUCT", "array<struct<x:int>>", [("x", "INT", None, "int", None)]),
        ),
        (
            "array<array<struct<a:map<string,array<struct<x:int>>>>>>",
            (
                "c",
                "ARRAY",
                "ARRAY",
                "array<array<struct<a:map<string,array<struct<x:int>>>>>>",
                [
                    ("a", "MAP", None, "map<string,array<struct<x:int>>>", None),
                ],
            ),
        ),
        (
            "row(int, double precision, decimal(5,2))",
            (
                "c",
                "STRUCT",
                None,
                "row(int, double precision, decimal(5,2))",
                [
                    ("_col0", "INT", None, "int", None),
                    ("_col1", "DOUBLE", None, "double precision", None),
                    ("_col2", "DECIMAL", None, "decimal(5,2)", None),
                ],
            ),
        ),
        (
            "struct<a:struct<b:struct<c:struct<d:struct<e:struct<f:bigint>>>>>>",
            (
                "c",
                "STRUCT",
                None,
                "struct<a:struct<b:struct<c:struct<d:struct<e:struct<f:bigint>>>>>>",
                [
                    (
                        "a",
                        "STRUCT",
                        None,
                        "struct<b:struct<c:struct<d:struct<e:struct<f:bigint>>>>>",
                        [
                            (
                                "b",
                                "STRUCT",
                                None,
                                "struct<c:struct<d:struct<e:struct<f:bigint>>>>",
                                [
                                    (
                                        "c",
                                        "STRUCT",
                                        None,
                                        "struct<d:struct<e:struct<f:bigint>>>",
                                        [
                                            (
                                                "d",
                                                "STRUCT",
                                                None,
                                                "struct<e:struct<f:bigint>>",
                                                [
                                                    (
                                                        "e",
                                                        "STRUCT",
                                                        None,
                                                        "struct<f:bigint>",
                                                        [("f", "BIGINT", None, "bigint", None)],
                                                    ),
                                                ],
                                            ),
                                        ],
                                    ),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
        ),
        ("struct<>", ("c", "STRUCT", None, "struct<>", [])),
    ],
)
def test_nested_types(text: str, expected: Any) -> None:
    warnings: list[str] = []
    column = parse_athena_type(text, "c", warnings=warnings)
    if expected is None:
        assert column.dataType == "UNKNOWN"
        assert warnings
    else:
        assert warnings == []
        assert _shape(column) == expected


def test_struct_field_comment_becomes_description_and_children_are_numbered() -> None:
    column = parse_athena_type("struct<a:int comment 'the ''a''', b:string COMMENT \"bee\">", "s")
    assert column.children is not None
    assert [(c.name, c.description, c.ordinalPosition) for c in column.children] == [
        ("a", "the 'a'", 1),
        ("b", "bee", 2),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "array<int",
        "array<int>>",
        "map<string>",
        "struct<a:int",
        "struct<a int,>",
        "int junk",
        "decimal(10,",
        "decimal(a,b)",
        "varchar(",
        "geometry",
        "array",
        "struct<:int>",
        "row(a int",
        "struct<`unterminated:int>",
        "<int>",
        "array<int>)",
        "map<string,int,int>",
    ],
)
def test_unparseable_types_become_unknown_with_a_warning(text: str) -> None:
    warnings: list[str] = []
    column = parse_athena_type(text, "bad col", ordinal_position=1, warnings=warnings)
    assert column.dataType == "UNKNOWN"
    assert column.dataTypeDisplay == (text or None)
    assert column.name == "bad col"
    assert len(warnings) == 1
    assert "bad col" in warnings[0] and "UNKNOWN" in warnings[0]


def test_parse_error_reports_the_position() -> None:
    with pytest.raises(TypeParseError) as error:
        parse_type_string("map<string>")
    assert error.value.position == 10


def test_absurd_nesting_is_an_error_not_a_crash() -> None:
    text = "array<" * (MAX_NESTING_DEPTH + 5) + "int" + ">" * (MAX_NESTING_DEPTH + 5)
    warnings: list[str] = []
    assert parse_athena_type(text, "deep", warnings=warnings).dataType == "UNKNOWN"
    assert "nested deeper" in warnings[0]


def test_names_are_encoded_and_fqns_set_only_with_a_table_fqn() -> None:
    column = parse_athena_type('struct<`a::b`:int, `"q"`:string>', "col>1", description="top")
    assert column.name == "col__reserved__arrow__1"
    assert column.description == "top"
    assert column.fullyQualifiedName is None
    assert column.children is not None
    assert [c.name for c in column.children] == ["a__reserved__colon__b", "__reserved__quote__q__reserved__quote__"]

    column = parse_athena_type("array<struct<x.y:int>>", "c.d", table_fqn="svc.db.s.t")
    assert column.fullyQualifiedName == 'svc.db.s.t."c.d"'
    assert column.children is not None
    assert column.children[0].fullyQualifiedName == 'svc.db.s.t."c.d"."x.y"'


def test_empty_and_overlong_column_names_are_made_valid() -> None:
    warnings: list[str] = []
    assert parse_athena_type("int", "\x00", ordinal_position=4, warnings=warnings).name == "_col3"
    assert len(parse_athena_type("int", "x" * 300, warnings=warnings).name) == 256
    assert len(warnings) == 2


# -- property-style: random nested types survive rendering in either dialect -----------------------------

_LEAVES = [
    ("int", "INT"),
    ("bigint", "BIGINT"),
    ("string", "STRING"),
    ("decimal(9,2)", "DECIMAL"),
    ("varchar(5)", "VARCHAR"),
    ("boolean", "BOOLEAN"),
    ("timestamp", "TIMESTAMP"),
    ("date", "DATE"),
]
_NAME_CHARS = "abcxyz_019 éß:."


def _random_type(rng: random.Random, depth: int) -> Any:
    if depth == 0 or rng.random() < 0.25:
        return ("leaf", rng.choice(_LEAVES))
    kind = rng.choice(["array", "map", "struct", "struct"])
    if kind == "array":
        return ("array", _random_type(rng, depth - 1))
    if kind == "map":
        return ("map", ("leaf", rng.choice(_LEAVES)), _random_type(rng, depth - 1))
    names: set[str] = set()
    while len(names) < rng.randint(1, 4):
        names.add("".join(rng.choice(_NAME_CHARS) for _ in range(rng.randint(1, 6))).strip() or "n")
    return ("struct", [(name, _random_type(rng, depth - 1)) for name in sorted(names)])


def _ws(rng: random.Random) -> str:
    return rng.choice(["", "", " ", "  ", "\n"])


def _kw(rng: random.Random, word: str) -> str:
    return word.upper() if rng.random() < 0.3 else word


def _render(node: Any, rng: random.Random, dialect: str) -> str:
    w = _ws
    if node[0] == "leaf":
        return _kw(rng, node[1][0])
    if node[0] == "array":
        inner = _render(node[1], rng, dialect)
        return f"{_kw(rng, 'array')}<{w(rng)}{inner}{w(rng)}>" if dialect == "hive" else f"array({inner})"
    if node[0] == "map":
        key, value = _render(node[1], rng, dialect), _render(node[2], rng, dialect)
        return f"map<{key},{w(rng)}{value}>" if dialect == "hive" else f"map({key}, {value})"
    if dialect == "hive":
        fields = [f"{w(rng)}`{name}`{w(rng)}:{w(rng)}{_render(t, rng, dialect)}" for name, t in node[1]]
        return f"{_kw(rng, 'struct')}<{','.join(fields)}{w(rng)}>"
    fields = [f'"{name}" {_render(t, rng, dialect)}' for name, t in node[1]]
    return f"{_kw(rng, 'row')}({', '.join(fields)})"


def _expected(node: Any) -> Any:
    if node[0] == "leaf":
        return DataType(node[1][1])
    if node[0] == "array":
        return ("ARRAY", _expected(node[1]))
    if node[0] == "map":
        return ("MAP", _expected(node[1]), _expected(node[2]))
    return ("STRUCT", [(name, _expected(t)) for name, t in node[1]])


def _actual(parsed: ParsedType) -> Any:
    if parsed.data_type is DataType.ARRAY:
        assert parsed.element is not None
        return ("ARRAY", _actual(parsed.element))
    if parsed.data_type is DataType.MAP:
        assert parsed.key is not None and parsed.value is not None
        return ("MAP", _actual(parsed.key), _actual(parsed.value))
    if parsed.data_type is DataType.STRUCT:
        return ("STRUCT", [(f.name, _actual(f.type)) for f in parsed.fields])
    return parsed.data_type


def _count_struct_fields(node: Any) -> int | None:
    while node[0] == "array":
        node = node[1]
    return len(node[1]) if node[0] == "struct" else None


@pytest.mark.parametrize("seed", range(200))
def test_random_nested_types_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    node = _random_type(rng, depth=6)
    dialect = "hive" if seed % 2 else "trino"
    text = _render(node, rng, dialect)
    parsed = parse_type_string(text)
    assert _actual(parsed) == _expected(node), text
    # Every sub-type's text re-parses to the same structure (children keep their own type strings).
    assert _actual(parse_type_string(parsed.text)) == _expected(node)
    warnings: list[str] = []
    column = parse_athena_type(text, "c", warnings=warnings)
    assert warnings == []
    expected_children = _count_struct_fields(node)
    assert (len(column.children) if column.children is not None else None) == expected_children
