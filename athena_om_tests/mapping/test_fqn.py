import pytest

from athena_om.mapping.fqn import (
    build_fqn,
    column_fqn,
    database_fqn,
    decode_entity_name,
    encode_entity_name,
    quote_name,
    schema_fqn,
    split_fqn,
    table_fqn,
)


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("orders", "orders"),
        ("a.b", '"a.b"'),
        ('"a.b"', '"a.b"'),
        ('"ab"', "ab"),
        ("with space", "with space"),
        ("ünïcode.ß", '"ünïcode.ß"'),
        ("...", '"..."'),
    ],
)
def test_quote_name_follows_openmetadata(name: str, quoted: str) -> None:
    assert quote_name(name) == quoted


@pytest.mark.parametrize("name", ["", 'a"b', '"a', 'a"', '""', '"a"b"'])
def test_quote_name_rejects_stray_quotes(name: str) -> None:
    with pytest.raises(ValueError, match="Invalid FQN part"):
        quote_name(name)


@pytest.mark.parametrize(
    ("parts", "fqn"),
    [
        (("svc", "db", "schema", "t"), "svc.db.schema.t"),
        (("svc", "db", "my.schema", "t.x"), 'svc.db."my.schema"."t.x"'),
        (("a",), "a"),
        (("a b", "c-d"), "a b.c-d"),
    ],
)
def test_build_and_split_are_inverse(parts: tuple[str, ...], fqn: str) -> None:
    assert build_fqn(*parts) == fqn
    assert split_fqn(fqn) == list(parts)
    assert build_fqn(*split_fqn(fqn)) == fqn


@pytest.mark.parametrize("fqn", ['a."b', 'a.b"c', "a..b", ".a", "a.", ""])
def test_split_rejects_malformed(fqn: str) -> None:
    with pytest.raises(ValueError, match="Invalid FQN"):
        split_fqn(fqn)


def test_build_needs_parts() -> None:
    with pytest.raises(ValueError):
        build_fqn()


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("plain", "plain"),
        ("a::b", "a__reserved__colon__b"),
        ("a:b", "a:b"),  # only the double colon is reserved
        ("a>b", "a__reserved__arrow__b"),
        ('say "hi"', "say __reserved__quote__hi__reserved__quote__"),
        ("l1\nl2", "l1__reserved__newline__l2"),
        ("a\rb", "a__reserved__carriage_return__b"),
        ("a\tb", "a__reserved__tab__b"),
        ("a.b", "a.b"),  # dots are handled by quoting, not encoding
        ("ünï", "ünï"),
    ],
)
def test_encode_matches_openmetadata_reserved_tokens(raw: str, encoded: str) -> None:
    assert encode_entity_name(raw) == encoded
    assert decode_entity_name(encoded) == raw


@pytest.mark.parametrize(("raw", "encoded"), [("a\x00b", "ab"), ("\x1bx\x7f", "x"), ("a\x85b", "ab")])
def test_other_control_characters_are_dropped(raw: str, encoded: str) -> None:
    assert encode_entity_name(raw) == encoded


def test_helpers_build_openmetadata_names() -> None:
    assert database_fqn("athena", "default") == "athena.default"
    assert schema_fqn("athena", "default", "sales") == "athena.default.sales"
    assert table_fqn("athena", "default", "sales", 'odd"name.v2') == (
        'athena.default.sales."odd__reserved__quote__name.v2"'
    )
    table = table_fqn("athena", "default", "sales", "orders")
    assert column_fqn(table, "address", "zip") == "athena.default.sales.orders.address.zip"
    assert column_fqn(table, "a::b", "c.d") == 'athena.default.sales.orders.a__reserved__colon__b."c.d"'
    with pytest.raises(ValueError):
        column_fqn(table)
