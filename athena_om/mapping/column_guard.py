"""Keep one bad column from losing its whole table.

OpenMetadata rejects a whole ``CreateTableRequest`` when one column breaks its rules, so a single odd Glue
type would cost the table. :func:`safe_column` checks a mapped column against the rules OpenMetadata applies
(``DatabaseUtil.validateColumn``: STRUCT needs ``children`` (an empty list is fine), ARRAY needs
``arrayDataType``, CHAR/VARCHAR/BINARY/VARBINARY need ``dataLength``, a ``scale`` needs a ``precision`` no
smaller than it) and, when one is broken, keeps the column as ``UNKNOWN`` with the Glue type in
``dataTypeDisplay``. Struct fields repeated case-insensitively keep the first, as top-level columns do.
"""

from __future__ import annotations

from collections.abc import Callable

from athena_om.openmetadata.models import Column, DataType

_NEEDS_LENGTH = frozenset({DataType.CHAR, DataType.VARCHAR, DataType.BINARY, DataType.VARBINARY})


def safe_column(build: Callable[[], Column], *, name: str, type_string: str, warnings: list[str]) -> Column:
    """The column ``build`` makes, or an ``UNKNOWN`` one keeping ``type_string`` when it fails or breaks a rule."""
    try:
        column = build()
    except Exception as exc:  # a parser bug must cost one column, never the table
        return _unknown(name, type_string, f"it could not be mapped ({exc!r})", warnings, None)
    column = _without_repeated_children(column, warnings)
    problem = column_rule_broken(column)
    if problem is None:
        return column
    return _unknown(column.name, type_string, problem, warnings, column)


def column_rule_broken(column: Column, path: str = "") -> str | None:
    """Which OpenMetadata column rule ``column`` (or a struct field under it) breaks, or None."""
    where = f"{path}{column.name}"
    data_type = DataType(column.dataType)
    if data_type == DataType.STRUCT and column.children is None:
        return f"{where} is STRUCT without children"
    if data_type == DataType.ARRAY and column.arrayDataType is None:
        return f"{where} is ARRAY without an element type"
    if data_type in _NEEDS_LENGTH and column.dataLength is None:
        return f"{where} is {data_type.value} without a length"
    if column.scale is not None and (column.precision is None or column.scale > column.precision):
        return f"{where} has scale {column.scale} but precision {column.precision}"
    for child in column.children or []:
        problem = column_rule_broken(child, f"{where}.")
        if problem is not None:
            return problem
    return None


def _without_repeated_children(column: Column, warnings: list[str], path: str = "") -> Column:
    if not column.children:
        return column
    where = f"{path}{column.name}"
    kept: list[Column] = []
    seen: set[str] = set()
    for child in column.children:
        key = child.name.casefold()
        if key in seen:
            warnings.append(
                f"struct field {where}.{child.name} appears more than once (case-insensitively); kept the first"
            )
            continue
        seen.add(key)
        kept.append(_without_repeated_children(child, warnings, f"{where}."))
    if len(kept) == len(column.children) and all(a is b for a, b in zip(kept, column.children, strict=True)):
        return column
    return column.model_copy(update={"children": kept})


def _unknown(name: str, type_string: str, problem: str, warnings: list[str], column: Column | None) -> Column:
    warnings.append(
        f"column {name!r}: {problem}, which OpenMetadata would refuse with the whole table; "
        f"kept as UNKNOWN with its Glue type {type_string!r}"
    )
    return Column(
        name=column.name if column is not None else name,
        dataType=DataType.UNKNOWN,
        dataTypeDisplay=type_string or None,
        description=column.description if column is not None else None,
        ordinalPosition=column.ordinalPosition if column is not None else None,
        fullyQualifiedName=column.fullyQualifiedName if column is not None else None,
        tags=column.tags if column is not None else None,
    )
