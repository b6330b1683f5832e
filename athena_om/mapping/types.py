"""Athena / Hive / Trino type strings -> OpenMetadata columns.

:func:`parse_type_string` is a recursive-descent parser over the type grammar both dialects write into Glue:
Hive (``struct<a:int>``, ``array<string>``, ``map<string,int>``, ``uniontype<…>``) and Trino/Presto
(``row(a integer)``, ``array(varchar)``, ``map(varchar, bigint)``, ``timestamp(3) with time zone``).
Keywords are case-insensitive and whitespace is free between tokens. :func:`parse_athena_type` turns the
parsed tree into an OpenMetadata :class:`Column`; it never raises: a string it cannot read becomes an
``UNKNOWN`` column whose ``dataTypeDisplay`` keeps the text, plus a warning.

Decisions where OpenMetadata leaves a choice:

* ``varchar`` / ``char`` / ``binary`` / ``varbinary`` without a length get ``dataLength=1``: the server
  rejects these types without a length, and 1 is what OpenMetadata's own Athena connector sends, so both
  ingestions agree. ``dataTypeDisplay`` keeps the real type. ``string`` maps to ``STRING`` with no length.
* ``char`` without a length is ``char(1)`` (Hive and Trino agree); ``decimal`` without arguments is
  Hive's default ``decimal(10,0)`` (Glue type strings come from Hive DDL); ``decimal(p)`` is ``(p,0)``.
* ``timestamp … with time zone`` -> ``TIMESTAMPZ``; ``time … with time zone`` -> ``TIME``;
  ``ipaddress`` -> ``IPV6`` (Trino stores IPv4 as IPv4-mapped IPv6).
* ``map<K,V>`` -> ``MAP`` with no children: OpenMetadata has no way to describe a map's key and value,
  so ``dataTypeDisplay`` is the only record of them. ``uniontype<…>`` -> ``UNION``, likewise without children.
* ``array<T>`` -> ``ARRAY`` with ``arrayDataType`` = T's type; when T is a struct, or an array of arrays of
  a struct at any depth, the struct's fields become the array column's ``children`` (so nested arrays,
  where OpenMetadata's connector fails, still show their fields).
* A Trino row field with no name (``row(int, varchar)``) is named ``_col<i>`` (0-based, as Athena names
  unnamed result columns), so sibling FQNs stay unique.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from athena_om.mapping.fqn import column_fqn, encode_entity_name
from athena_om.openmetadata.models import Column, DataType

MAX_NESTING_DEPTH = 100
MAX_COLUMN_NAME_LENGTH = 256

DEFAULT_DECIMAL_PRECISION = 10
DEFAULT_DECIMAL_SCALE = 0
DEFAULT_DATA_LENGTH = 1

_SIMPLE_TYPES: dict[str, DataType] = {
    "tinyint": DataType.TINYINT,
    "smallint": DataType.SMALLINT,
    "int": DataType.INT,
    "integer": DataType.INT,
    "bigint": DataType.BIGINT,
    "float": DataType.FLOAT,
    "real": DataType.FLOAT,
    "string": DataType.STRING,
    "boolean": DataType.BOOLEAN,
    "date": DataType.DATE,
    "json": DataType.JSON,
    "uuid": DataType.UUID,
    "ipaddress": DataType.IPV6,
    "interval_year_month": DataType.INTERVAL,
    "interval_day_time": DataType.INTERVAL,
}
_LENGTH_TYPES: dict[str, DataType] = {
    "char": DataType.CHAR,
    "character": DataType.CHAR,
    "varchar": DataType.VARCHAR,
    "binary": DataType.BINARY,
    "varbinary": DataType.VARBINARY,
}
_INTERVAL_WORDS = frozenset({"year", "month", "day", "hour", "minute", "second", "to"})
_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IDENTIFIER = re.compile(r"\w+")
_INTEGER = re.compile(r"\d+")


class TypeParseError(ValueError):
    """A type string that does not follow the grammar; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, text: str, position: int) -> None:
        super().__init__(f"{message} at position {position} of {text!r}")
        self.reason = message
        self.text = text
        self.position = position


@dataclass(frozen=True)
class StructField:
    """One named field of a struct/row type."""

    name: str
    type: ParsedType
    comment: str | None = None


@dataclass(frozen=True)
class ParsedType:
    """A parsed type: ``text`` is the exact source text of this (sub)type, stripped of outer whitespace."""

    data_type: DataType
    text: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    fields: tuple[StructField, ...] = ()
    element: ParsedType | None = None  # array element
    key: ParsedType | None = None  # map key
    value: ParsedType | None = None  # map value
    members: tuple[ParsedType, ...] = ()  # uniontype members

    def innermost_struct(self) -> ParsedType | None:
        """The struct this type is, or the struct an array (of arrays…) holds; ``None`` otherwise."""
        current: ParsedType | None = self
        while current is not None and current.data_type is DataType.ARRAY:
            current = current.element
        return current if current is not None and current.data_type is DataType.STRUCT else None


@lru_cache(maxsize=4096)
def parse_type_string(text: str) -> ParsedType:
    """Parse one Athena/Hive/Trino type string; raises :class:`TypeParseError` if it is malformed."""
    # Memoized: a catalog repeats a few hundred type strings over many thousand columns, and ParsedType is
    # frozen, so sharing one parse is safe.
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def parse(self) -> ParsedType:
        parsed = self.type_()
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.error(f"unexpected {self.text[self.pos :]!r} after the type")
        return parsed

    # -- lexical helpers -------------------------------------------------------------------------------
    def error(self, message: str) -> TypeParseError:
        return TypeParseError(message, self.text, self.pos)

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "end of text"
            raise self.error(f"expected {char!r}, found {found}")
        self.pos += 1

    def match(self, pattern: re.Pattern[str], what: str) -> str:
        self.skip_ws()
        found = pattern.match(self.text, self.pos)
        if not found:
            raise self.error(f"expected {what}")
        self.pos = found.end()
        return found.group()

    def keyword(self) -> str:
        return self.match(_KEYWORD, "a type name").lower()

    def integer(self) -> int:
        return int(self.match(_INTEGER, "an integer"))

    def try_words(self, *words: str) -> bool:
        """Consume the keywords ``words`` in order if they all follow; otherwise consume nothing."""
        saved = self.pos
        for word in words:
            self.skip_ws()
            found = _KEYWORD.match(self.text, self.pos)
            if not found or found.group().lower() != word:
                self.pos = saved
                return False
            self.pos = found.end()
        return True

    def open_bracket(self, allowed: str) -> str:
        """Consume an opening bracket among ``allowed`` and return the closing one it needs."""
        char = self.peek()
        if not char or char not in allowed:
            raise self.error(f"expected one of {' '.join(allowed)}")
        self.pos += 1
        return ">" if char == "<" else ")"

    def optional_int_args(self, maximum: int) -> list[int]:
        if self.peek() != "(":
            return []
        self.pos += 1
        args = [self.integer()]
        while self.peek() == "," and len(args) < maximum:
            self.pos += 1
            args.append(self.integer())
        self.expect(")")
        return args

    def quoted(self, quote: str) -> str:
        """A quoted identifier or string literal; a doubled quote (or backslash-quote) is a literal quote."""
        self.expect(quote)
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text) and quote != "`":
                chars.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == quote:
                if self.text.startswith(quote * 2, self.pos):
                    chars.append(quote)
                    self.pos += 2
                else:
                    self.pos += 1
                    return "".join(chars)
            else:
                chars.append(char)
                self.pos += 1
        raise self.error(f"unterminated {quote} quote")

    # -- grammar ---------------------------------------------------------------------------------------
    def type_(self) -> ParsedType:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise self.error(f"type nested deeper than {MAX_NESTING_DEPTH} levels")
        self.skip_ws()
        start = self.pos
        parsed = self.type_body()
        self.depth -= 1
        return replace(parsed, text=self.text[start : self.pos].strip())

    def type_body(self) -> ParsedType:
        """The type at the cursor; ``text`` is filled in by :meth:`type_`."""
        keyword_start = self.pos
        name = self.keyword()
        if name in _SIMPLE_TYPES:
            return ParsedType(text="", data_type=_SIMPLE_TYPES[name])
        if name == "double":
            self.try_words("precision")
            return ParsedType(text="", data_type=DataType.DOUBLE)
        if name in ("decimal", "numeric", "dec"):
            args = self.optional_int_args(2)
            precision = args[0] if args else DEFAULT_DECIMAL_PRECISION
            scale = args[1] if len(args) > 1 else DEFAULT_DECIMAL_SCALE
            return ParsedType(text="", data_type=DataType.DECIMAL, precision=precision, scale=scale)
        if name in _LENGTH_TYPES:
            if name == "character" and self.try_words("varying"):
                name = "varchar"
            args = self.optional_int_args(1)
            return ParsedType(text="", data_type=_LENGTH_TYPES[name], length=args[0] if args else DEFAULT_DATA_LENGTH)
        if name in ("timestamp", "time"):
            self.optional_int_args(1)
            with_zone = self.try_words("with", "time", "zone") or self.try_words("with", "local", "time", "zone")
            if not with_zone:
                self.try_words("without", "time", "zone")
            if name == "time":
                return ParsedType(text="", data_type=DataType.TIME)
            return ParsedType(text="", data_type=DataType.TIMESTAMPZ if with_zone else DataType.TIMESTAMP)
        if name == "interval":
            while True:
                saved = self.pos
                self.skip_ws()
                word = _KEYWORD.match(self.text, self.pos)
                if not word or word.group().lower() not in _INTERVAL_WORDS:
                    self.pos = saved
                    break
                self.pos = word.end()
            return ParsedType(text="", data_type=DataType.INTERVAL)
        if name == "array":
            close = self.open_bracket("<(")
            element = self.type_()
            self.expect(close)
            return ParsedType(text="", data_type=DataType.ARRAY, element=element)
        if name == "map":
            close = self.open_bracket("<(")
            key = self.type_()
            self.expect(",")
            value = self.type_()
            self.expect(close)
            return ParsedType(text="", data_type=DataType.MAP, key=key, value=value)
        if name == "struct":
            close = self.open_bracket("<(")
            return ParsedType(text="", data_type=DataType.STRUCT, fields=self.fields(close, self.hive_field))
        if name == "row":
            self.expect("(")
            return ParsedType(text="", data_type=DataType.STRUCT, fields=self.fields(")", self.row_field))
        if name == "uniontype":
            close = self.open_bracket("<(")
            members = [self.type_()]
            while self.peek() == ",":
                self.pos += 1
                members.append(self.type_())
            self.expect(close)
            return ParsedType(text="", data_type=DataType.UNION, members=tuple(members))
        self.pos = keyword_start
        raise self.error(f"unknown type {name!r}")

    def fields(self, close: str, parse_field: Callable[[int], StructField]) -> tuple[StructField, ...]:
        fields: list[StructField] = []
        if self.peek() == close:  # Glue accepts struct<> for an empty struct
            self.pos += 1
            return ()
        while True:
            fields.append(parse_field(len(fields)))
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(close)
            return tuple(fields)

    def hive_field(self, index: int) -> StructField:
        """``name:type [COMMENT 'text']``; also Spark's ``name type``. Unquoted names may contain spaces."""
        char = self.peek()
        if char in ("`", '"'):
            name = self.quoted(char)
            if self.peek() == ":":
                self.pos += 1
        else:
            end = self.pos
            while end < len(self.text) and self.text[end] not in ":,<>()":
                end += 1
            if end < len(self.text) and self.text[end] == ":":
                name = self.text[self.pos : end].strip()
                self.pos = end + 1
            else:
                name = self.match(_IDENTIFIER, "a field name")
        if not name:
            raise self.error("empty struct field name")
        field_type = self.type_()
        comment = None
        if self.try_words("comment"):
            quote = self.peek()
            if quote not in ("'", '"'):
                raise self.error("expected a quoted comment")
            comment = self.quoted(quote)
        return StructField(name=name, type=field_type, comment=comment)

    def row_field(self, index: int) -> StructField:
        """``name type`` or an anonymous ``type`` (Trino allows both)."""
        start = self.pos
        char = self.peek()
        name = self.quoted(char) if char in ("`", '"') else self.match(_IDENTIFIER, "a field name")
        if self.peek() in (",", ")", "(", "<", ""):
            # What we read was a type (``row(int, decimal(5,2))``), not a field name.
            self.pos = start
            return StructField(name=f"_col{index}", type=self.type_())
        try:
            return StructField(name=name, type=self.type_())
        except TypeParseError as named_error:
            # A multi-word type with no field name: ``row(double precision)``.
            self.pos = start
            try:
                return StructField(name=f"_col{index}", type=self.type_())
            except TypeParseError:
                raise named_error from None


@dataclass
class ColumnTypeWarning:
    """Why a column came out UNKNOWN; ``str()`` gives the message a person reads."""

    column: str
    type_string: str
    reason: str

    def __str__(self) -> str:
        return f"column {self.column!r}: cannot parse type {self.type_string!r} ({self.reason}); kept as UNKNOWN"


def parse_athena_type(
    type_string: str,
    name: str,
    *,
    ordinal_position: int | None = None,
    description: str | None = None,
    table_fqn: str | None = None,
    warnings: list[str] | None = None,
) -> Column:
    """Build the OpenMetadata column for ``name`` of type ``type_string``; never raises.

    An unparseable type yields ``dataType=UNKNOWN`` with the text in ``dataTypeDisplay`` and a message
    appended to ``warnings`` (when given). ``fullyQualifiedName`` is set, down the struct children, only
    when ``table_fqn`` is given.
    """
    sink = warnings if warnings is not None else []
    try:
        parsed = parse_type_string(type_string)
    except TypeParseError as exc:
        sink.append(str(ColumnTypeWarning(column=name, type_string=type_string, reason=str(exc))))
        return Column(
            name=_column_name(name, ordinal_position, sink),
            dataType=DataType.UNKNOWN,
            dataTypeDisplay=type_string or None,
            description=description or None,
            ordinalPosition=ordinal_position,
            fullyQualifiedName=column_fqn(table_fqn, name) if table_fqn else None,
        )
    return column_from_parsed_type(
        parsed,
        name,
        ordinal_position=ordinal_position,
        description=description,
        table_fqn=table_fqn,
        display=type_string,
        warnings=sink,
    )


def column_from_parsed_type(
    parsed: ParsedType,
    name: str,
    *,
    ordinal_position: int | None = None,
    description: str | None = None,
    table_fqn: str | None = None,
    display: str | None = None,
    warnings: list[str] | None = None,
    _path: tuple[str, ...] = (),
) -> Column:
    """The OpenMetadata column for an already parsed type (see the module docstring for the mapping)."""
    sink = warnings if warnings is not None else []
    path = (*_path, name)
    struct = parsed.innermost_struct()
    children = None
    if struct is not None:
        children = [
            column_from_parsed_type(
                child.type,
                child.name,
                ordinal_position=index,
                description=child.comment,
                table_fqn=table_fqn,
                warnings=sink,
                _path=path,
            )
            for index, child in enumerate(struct.fields, start=1)
        ]
    return Column(
        name=_column_name(name, ordinal_position, sink),
        dataType=parsed.data_type,
        dataTypeDisplay=display if display is not None else parsed.text,
        dataLength=parsed.length,
        precision=parsed.precision,
        scale=parsed.scale,
        arrayDataType=parsed.element.data_type if parsed.element is not None else None,
        description=description or None,
        ordinalPosition=ordinal_position,
        fullyQualifiedName=column_fqn(table_fqn, *path) if table_fqn else None,
        children=children,
    )


def _column_name(name: str, ordinal_position: int | None, warnings: list[str]) -> str:
    """The encoded column name, made valid for OpenMetadata (1 to 256 characters)."""
    encoded = encode_entity_name(name)
    if not encoded:
        placeholder = f"_col{(ordinal_position or 1) - 1}"
        warnings.append(f"column {name!r} has an empty name once encoded; named {placeholder!r}")
        return placeholder
    if len(encoded) > MAX_COLUMN_NAME_LENGTH:
        warnings.append(
            f"column {name[:40]!r}… is longer than {MAX_COLUMN_NAME_LENGTH} characters once encoded; truncated"
        )
        return encoded[:MAX_COLUMN_NAME_LENGTH]
    return encoded
