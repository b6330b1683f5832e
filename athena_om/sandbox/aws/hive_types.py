"""Translate Hive/Glue column type strings into DuckDB type strings."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*|\d+|[<>(),:])")

_SCALARS = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "real": "FLOAT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "binary": "BLOB",
    "varbinary": "BLOB",
    "decimal": "DECIMAL(10,0)",
}


class HiveTypeError(ValueError):
    """Raised when a Glue column type string cannot be parsed."""


def _tokenize(type_string: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = type_string.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise HiveTypeError(f"unexpected character at {pos} in type {type_string!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


@dataclass(frozen=True)
class HiveType:
    """A parsed Hive type: name ("array", "map", "struct" or a scalar), arguments and children."""

    name: str
    args: tuple[str, ...] = ()
    children: tuple[HiveType, ...] = ()
    field_names: tuple[str, ...] = ()

    def to_duckdb(self) -> str:
        """The DuckDB spelling of this type."""
        if self.name == "array":
            return f"{self.children[0].to_duckdb()}[]"
        if self.name == "map":
            return f"MAP({self.children[0].to_duckdb()}, {self.children[1].to_duckdb()})"
        if self.name == "struct":
            fields = ", ".join(f'"{n}" {c.to_duckdb()}' for n, c in zip(self.field_names, self.children, strict=True))
            return f"STRUCT({fields})"
        if self.name == "decimal" and self.args:
            return f"DECIMAL({','.join(self.args)})"
        # varchar(n)/char(n) lengths are not enforced: Athena pads char, DuckDB would not.
        return _SCALARS[self.name]


class _Parser:
    def __init__(self, type_string: str) -> None:
        self.source = type_string
        self.tokens = _tokenize(type_string)
        self.pos = 0

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._peek()
        if token is None or (expected is not None and token != expected):
            raise HiveTypeError(f"expected {expected or 'a token'} in type {self.source!r}")
        self.pos += 1
        return token

    def parse(self) -> HiveType:
        result = self._type()
        if self._peek() is not None:
            raise HiveTypeError(f"trailing text in type {self.source!r}")
        return result

    def _type(self) -> HiveType:
        name = self._take().lower()
        if name == "array":
            self._take("<")
            inner = self._type()
            self._take(">")
            return HiveType("array", children=(inner,))
        if name == "map":
            self._take("<")
            key = self._type()
            self._take(",")
            value = self._type()
            self._take(">")
            return HiveType("map", children=(key, value))
        if name == "struct":
            self._take("<")
            names, children = [], []
            while True:
                names.append(self._take())
                self._take(":")
                children.append(self._type())
                if self._peek() == ",":
                    self._take(",")
                    continue
                self._take(">")
                break
            return HiveType("struct", children=tuple(children), field_names=tuple(names))
        if name not in _SCALARS:
            raise HiveTypeError(f"unknown type {name!r} in {self.source!r}")
        args = self._args() if self._peek() == "(" else []
        return HiveType(name, args=tuple(args))

    def _args(self) -> list[str]:
        self._take("(")
        args = [self._take()]
        while self._peek() == ",":
            self._take(",")
            args.append(self._take())
        self._take(")")
        return args


def parse_hive_type(type_string: str) -> HiveType:
    """Parse a Glue/Hive type string such as map<string,array<int>>; raises HiveTypeError."""
    return _Parser(type_string).parse()


def hive_to_duckdb_type(type_string: str) -> str:
    """Return the DuckDB type for a Glue/Hive type string, e.g. array<int> -> INTEGER[]."""
    return parse_hive_type(type_string).to_duckdb()


def duckdb_to_athena_type(duckdb_type: str) -> str:
    """Return the Athena (Trino) type name for a DuckDB result column type."""
    text = duckdb_type.strip().upper()
    if text.endswith("]"):
        return "array"
    if text.startswith("MAP("):
        return "map"
    if text.startswith("STRUCT("):
        return "row"
    if text.startswith("DECIMAL"):
        return text.lower().replace(" ", "")
    simple = {
        "VARCHAR": "varchar",
        "TINYINT": "tinyint",
        "SMALLINT": "smallint",
        "INTEGER": "integer",
        "BIGINT": "bigint",
        "HUGEINT": "bigint",
        "UBIGINT": "bigint",
        "UINTEGER": "bigint",
        "FLOAT": "real",
        "DOUBLE": "double",
        "BOOLEAN": "boolean",
        "DATE": "date",
        "TIME": "time",
        "TIMESTAMP": "timestamp",
        "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
        "BLOB": "varbinary",
        "UUID": "uuid",
        "JSON": "json",
        "INTERVAL": "interval day to second",
    }
    return simple.get(text, "varchar")
