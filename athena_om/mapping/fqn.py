"""Fully qualified names and entity-name encoding, the way OpenMetadata builds and reads them.

An FQN is its parts joined by ``.``; a part that itself contains ``.`` is wrapped in double quotes
(OpenMetadata's ``FullyQualifiedName.quoteName``). Table and column names are first passed through
:func:`encode_entity_name`, which is what OpenMetadata's own Python client does to them before sending, so the
FQNs built here match the ones OpenMetadata's Athena connector produces.
"""

from __future__ import annotations

import re

FQN_SEPARATOR = "."

# Order matters: it is the order OpenMetadata's client applies them (``replace_separators``).
_RESERVED_TOKENS: tuple[tuple[str, str], ...] = (
    ("::", "__reserved__colon__"),
    (">", "__reserved__arrow__"),
    ('"', "__reserved__quote__"),
    ("\n", "__reserved__newline__"),
    ("\r", "__reserved__carriage_return__"),
    ("\t", "__reserved__tab__"),
)

# C0 and C1 control characters other than \n, \r, \t (those have reserved tokens above). OpenMetadata has no
# encoding for them; they are invisible in every UI and break JSON-unaware tools, so they are dropped.
_OTHER_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def encode_entity_name(name: str) -> str:
    """Encode a table or column name the way OpenMetadata's client does before a create request.

    ``::``, ``>``, ``"``, newline, carriage return and tab become ``__reserved__…__`` tokens. Other control
    characters have no OpenMetadata encoding and are dropped (lossy: :func:`decode_entity_name` cannot restore
    them).
    """
    for raw, token in _RESERVED_TOKENS:
        name = name.replace(raw, token)
    return _OTHER_CONTROL_CHARACTERS.sub("", name)


def decode_entity_name(name: str) -> str:
    """Reverse :func:`encode_entity_name` (OpenMetadata's ``revert_separators``)."""
    for raw, token in _RESERVED_TOKENS:
        name = name.replace(token, raw)
    return name


def quote_name(name: str) -> str:
    """Quote one FQN part as OpenMetadata does: ``a.b`` -> ``"a.b"``; ``"ab"`` -> ``ab``; ``ab`` -> ``ab``.

    Raises ``ValueError`` for an empty name or one with a double quote anywhere but around the whole name;
    table and column names never have one once encoded with :func:`encode_entity_name`.
    """
    if len(name) >= 3 and name[0] == '"' and name[-1] == '"' and '"' not in name[1:-1]:
        inner = name[1:-1]
        return name if FQN_SEPARATOR in inner else inner
    if not name or '"' in name:
        raise ValueError(
            f"Invalid FQN part {name!r}: it is empty or has a double quote that does not wrap the whole name "
            "(encode table and column names with encode_entity_name first)"
        )
    return f'"{name}"' if FQN_SEPARATOR in name else name


def build_fqn(*parts: str) -> str:
    """Join parts into an FQN, quoting each as needed."""
    if not parts:
        raise ValueError("An FQN needs at least one part")
    return FQN_SEPARATOR.join(quote_name(part) for part in parts)


def split_fqn(fqn: str) -> list[str]:
    """Split an FQN into its unquoted parts; the inverse of :func:`build_fqn`.

    Unlike OpenMetadata's ``fqn.split`` (which keeps the quotes), parts come back unquoted, so
    ``split_fqn(build_fqn(*parts)) == parts``. Raises ``ValueError`` on unbalanced quotes or empty parts.
    """
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in fqn:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif char == FQN_SEPARATOR and not quoted:
            parts.append(_unquote_part("".join(current), fqn))
            current = []
        else:
            current.append(char)
    if quoted:
        raise ValueError(f"Invalid FQN {fqn!r}: unbalanced double quote")
    parts.append(_unquote_part("".join(current), fqn))
    return parts


def _unquote_part(part: str, fqn: str) -> str:
    if len(part) >= 2 and part[0] == '"' and part[-1] == '"' and '"' not in part[1:-1]:
        part = part[1:-1]
    elif '"' in part:
        raise ValueError(f"Invalid FQN {fqn!r}: a double quote must wrap a whole part, found {part!r}")
    if not part:
        raise ValueError(f"Invalid FQN {fqn!r}: empty part")
    return part


def database_fqn(service: str, database: str) -> str:
    """``<service>.<database>``."""
    return build_fqn(service, database)


def schema_fqn(service: str, database: str, schema: str) -> str:
    """``<service>.<database>.<schema>``; for Athena the schema is the Glue database."""
    return build_fqn(service, database, schema)


def table_fqn(service: str, database: str, schema: str, table: str) -> str:
    """``<service>.<database>.<schema>.<table>`` with the table name encoded as OpenMetadata stores it."""
    return build_fqn(service, database, schema, encode_entity_name(table))


def column_fqn(table_fqn: str, *path: str) -> str:
    """A column's FQN: the table FQN, then the encoded column name and any struct child names below it."""
    if not path:
        raise ValueError("column_fqn needs at least one column name")
    return FQN_SEPARATOR.join([table_fqn, build_fqn(*(encode_entity_name(part) for part in path))])
