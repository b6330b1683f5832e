"""Fully qualified names the way OpenMetadata builds them: parts joined by ``.``, a part holding ``.`` quoted."""

from __future__ import annotations

import re

from athena_om.sandbox.openmetadata_server.errors import bad_request

_ENTITY_LINK = re.compile(r"^<#E::(\w+)::((?:[^:<>|]|:[^:<>|])+)((?:::(?:[^:<>|]|:[^:<>|])+)*)>$")


def quote_name(name: str) -> str:
    """Wrap a name holding ``.`` in double quotes, as OpenMetadata's ``FullyQualifiedName.quoteName`` does."""
    if "." in name and not (name.startswith('"') and name.endswith('"')):
        return f'"{name}"'
    return name


def child_fqn(parent_fqn: str, name: str) -> str:
    return f"{parent_fqn}.{quote_name(name)}"


def split_fqn(fqn: str) -> list[str]:
    """Split an FQN on dots outside double quotes; quotes are removed from the parts."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in fqn:
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parse_entity_link(link: str) -> tuple[str, str, str | None]:
    """``<#E::table::fqn>`` or ``<#E::table::fqn::columns::col>`` -> (entity type, entity fqn, column or None)."""
    match = _ENTITY_LINK.match(link)
    if match is None:
        raise bad_request(f"[entityLink {link!r} does not match the pattern <#E::type::fqn(::field::value)>]")
    entity_type, entity_fqn, rest = match.groups()
    fields = [part for part in rest.split("::") if part]
    if not fields:
        return entity_type, entity_fqn, None
    if len(fields) != 2 or fields[0] != "columns":
        raise bad_request(f"[entityLink {link!r}: only '::columns::<name>' is supported as a field]")
    return entity_type, entity_fqn, fields[1]
