"""Entities without a sourceHash (service, classifications, tags) count as unchanged only when OpenMetadata already
holds every field the planner would send."""

from __future__ import annotations

from typing import Any

import pytest

from athena_om.openmetadata.models import CreateDatabaseServiceRequest, CreateTagRequest
from athena_om.sync.catalog import holds_request

SERVICE = CreateDatabaseServiceRequest(name="athena")
TAG = CreateTagRequest(
    name="pii", classification="sensitivity", description="Lake Formation tag `sensitivity` = `pii`."
)
TAG_ENTITY = {
    "name": "pii",
    "fullyQualifiedName": "sensitivity.pii",
    "description": "Lake Formation tag `sensitivity` = `pii`.",
    "classification": {"id": "1", "type": "classification", "name": "sensitivity", "fullyQualifiedName": "sensitivity"},
    "version": 0.1,
}


@pytest.mark.parametrize(
    ("entity", "held"),
    [
        ({"name": "athena", "serviceType": "Athena", "description": "edited by a person", "version": 0.3}, True),
        ({"name": "athena", "serviceType": "Glue"}, False),
        ({"name": "athena", "serviceType": "Athena", "deleted": True}, False),
        (None, False),
    ],
)
def test_service(entity: dict[str, Any] | None, held: bool) -> None:
    assert holds_request(entity, SERVICE) is held


def test_tag_compares_its_classification_reference_by_fqn() -> None:
    assert holds_request(TAG_ENTITY, TAG)
    assert not holds_request({**TAG_ENTITY, "description": "old text"}, TAG)
    other = {**TAG_ENTITY, "classification": {"name": "other", "fullyQualifiedName": "other"}}
    assert not holds_request(other, TAG)
