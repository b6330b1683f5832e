"""Lake Formation tags -> OpenMetadata classifications, tags and tag labels.

Each LF tag key becomes a classification and each of its values a tag in it, so the LF tag ``domain=sales``
is the OpenMetadata tag ``domain.sales``. Names go through :func:`encode_entity_name` and FQNs through
:func:`build_fqn`, so a value such as ``v1.2`` becomes ``domain."v1.2"``. A key or value that is empty, or
longer than OpenMetadata's 256-character name limit once encoded, is skipped: it could not be created.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from athena_om.athena.models import LFTag
from athena_om.mapping.fqn import build_fqn, encode_entity_name
from athena_om.openmetadata.models import (
    CreateClassificationRequest,
    CreateTagRequest,
    LabelType,
    TagLabel,
    TagSource,
    TagState,
)

MAX_NAME_LENGTH = 256


def _pairs(tags: Iterable[LFTag]) -> Iterator[tuple[str, str, str, str]]:
    """``(key, value, encoded key, encoded value)`` for every usable key/value, first occurrence only."""
    seen: set[tuple[str, str]] = set()
    for tag in tags:
        key = encode_entity_name(tag.key.strip())
        if not _valid_name(key):
            continue
        for value in tag.values:
            encoded = encode_entity_name(value.strip())
            if _valid_name(encoded) and (key, encoded) not in seen:
                seen.add((key, encoded))
                yield tag.key, value, key, encoded


def _valid_name(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME_LENGTH


def lf_tags_to_classifications(
    tags: Iterable[LFTag],
) -> tuple[list[CreateClassificationRequest], list[CreateTagRequest]]:
    """One classification per LF tag key and one tag per value, in first-seen order, without duplicates."""
    classifications: dict[str, CreateClassificationRequest] = {}
    tag_requests: list[CreateTagRequest] = []
    for key, value, encoded_key, encoded_value in _pairs(tags):
        if encoded_key not in classifications:
            classifications[encoded_key] = CreateClassificationRequest(
                name=encoded_key,
                displayName=key if key != encoded_key else None,
                description=f"Lake Formation tag key `{key}`, synchronised from AWS Lake Formation.",
            )
        tag_requests.append(
            CreateTagRequest(
                name=encoded_value,
                classification=build_fqn(encoded_key),
                displayName=value if value != encoded_value else None,
                description=f"Lake Formation tag `{key}` = `{value}`.",
            )
        )
    return list(classifications.values()), tag_requests


def lf_tag_label_fqn(key: str, value: str) -> str:
    """The tag FQN an LF tag key/value maps to: ``<key>.<value>``, encoded and quoted."""
    return build_fqn(encode_entity_name(key.strip()), encode_entity_name(value.strip()))


def lf_tag_labels(lf_tags: Iterable[LFTag]) -> list[TagLabel]:
    """Tag labels (Classification source, Automated, Confirmed) for LF tags on a resource, sorted by FQN."""
    labels = {
        build_fqn(encoded_key, encoded_value): TagLabel(
            tagFQN=build_fqn(encoded_key, encoded_value),
            source=TagSource.CLASSIFICATION,
            labelType=LabelType.AUTOMATED,
            state=TagState.CONFIRMED,
        )
        for _, _, encoded_key, encoded_value in _pairs(lf_tags)
    }
    return [labels[fqn] for fqn in sorted(labels)]


def lf_tag_to_labels(lf_tag: LFTag) -> list[TagLabel]:
    """The default ``tag_resolver`` of the table and schema mappings: one LF tag -> its labels."""
    return lf_tag_labels([lf_tag])
