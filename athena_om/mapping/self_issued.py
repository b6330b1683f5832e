"""Recognise the queries athena-om and dbt issued themselves, by their leading comment, so the query log drops them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from athena_om.mapping.sql_lineage import DEFAULT_SELF_ISSUED_MARKERS, is_self_issued

__all__ = ["is_self_issued", "self_issued_patterns"]


def self_issued_patterns(markers: Iterable[str] = ()) -> list[re.Pattern[str]]:
    """The default markers plus configured ones; a marker written as a whole comment (``/* x */``) is literal."""
    patterns = [re.compile(m) for m in DEFAULT_SELF_ISSUED_MARKERS]
    for marker in markers:
        text = marker.strip()
        if text.startswith("/*") and text.endswith("*/"):
            patterns.append(re.compile("^" + re.escape(text[2:-2].strip()) + r"(?:\s|$)"))
        elif text:
            patterns.append(re.compile(text))
    return patterns
