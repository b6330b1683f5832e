"""The deletion guard: tables the source no longer lists are soft-deleted only when the listing can be trusted.

A listing that did not complete, an empty listing over a schema OpenMetadata fills, or a share of deletions above
``athenaOm.deletionSafety.maxDeletedShare`` is refused whole: nothing is deleted and the run is told why.
"""

from __future__ import annotations

import pytest

from athena_om.openmetadata.batches import PutEntities, SoftDeleteMissing, SyncBatch
from athena_om.openmetadata.models import Column, CreateTableRequest, DataType
from athena_om.openmetadata.writer import BatchWriter, SyncReport
from athena_om_tests.openmetadata.fake_openmetadata import FakeOpenMetadata

SCHEMA = "athena.awsdatacatalog.sales"
TEN = [f"t{i}" for i in range(10)]


@pytest.fixture
def om() -> FakeOpenMetadata:
    fake = FakeOpenMetadata()
    fake.seed("tables", SCHEMA, *TEN)
    fake.seed("tables", "athena.awsdatacatalog.hr", "people")  # another schema: never listed, never touched
    return fake


def delete_missing(
    present: list[str], *, complete: bool = True, share: float = 0.2, error: str | None = None
) -> SoftDeleteMissing:
    return SoftDeleteMissing(
        collection="tables",
        parent_filter="databaseSchema",
        parent_fqn=SCHEMA,
        present_names=frozenset(present),
        listing_complete=complete,
        max_deleted_share=share,
        listing_error=error,
    )


def write(om: FakeOpenMetadata, *operations: SoftDeleteMissing | PutEntities) -> SyncReport:
    return BatchWriter(om.client()).write(SyncBatch(operations=list(operations)))


def test_only_what_a_complete_listing_misses_is_soft_deleted(om: FakeOpenMetadata) -> None:
    report = write(om, delete_missing(TEN[:8]))

    assert report.deleted == [f"{SCHEMA}.t8", f"{SCHEMA}.t9"]  # 2 of 10: exactly the allowed 20%
    assert report.counts["tables.deleted"] == 2 and report.counts["deleted"] == 2
    assert not report.refused_deletions and not report.failures
    assert om.names("tables", SCHEMA, deleted=True) == ["t8", "t9"]
    assert om.names("tables", "athena.awsdatacatalog.hr") == ["people"]
    assert len(om.deletes()) == 2


def test_nothing_missing_means_no_delete_call(om: FakeOpenMetadata) -> None:
    report = write(om, delete_missing([*TEN, "brand_new"]))
    assert report.deleted == [] and not report.refused_deletions
    assert om.deletes() == []


def test_an_incomplete_listing_deletes_nothing_and_says_why(om: FakeOpenMetadata) -> None:
    reason = "Cannot list tables of Glue database 'sales' (ThrottlingException)"
    report = write(om, delete_missing(TEN[:9], complete=False, error=reason))

    assert om.deletes() == [] and report.deleted == []
    (refusal,) = report.refused_deletions
    assert SCHEMA in refusal and reason in refusal and "nothing was deleted" in refusal


def test_an_empty_listing_over_a_full_schema_deletes_nothing(om: FakeOpenMetadata) -> None:
    report = write(om, delete_missing([], share=1.0))  # even with every table allowed to go

    assert om.deletes() == [] and report.deleted == []
    (refusal,) = report.refused_deletions
    assert SCHEMA in refusal and "came back empty" in refusal and "10 tables" in refusal


def test_more_than_the_allowed_share_deletes_nothing_and_names_the_setting(om: FakeOpenMetadata) -> None:
    report = write(om, delete_missing(TEN[:7]))  # 3 of 10 gone, 20% allowed

    assert om.deletes() == [] and report.deleted == []
    assert om.names("tables", SCHEMA) == TEN
    (refusal,) = report.refused_deletions
    assert SCHEMA in refusal and "3 of 10" in refusal and "30%" in refusal
    assert "athenaOm.deletionSafety.maxDeletedShare" in refusal


def test_a_raised_share_lets_the_same_deletion_through(om: FakeOpenMetadata) -> None:
    report = write(om, delete_missing(TEN[:7], share=0.5))
    assert om.names("tables", SCHEMA, deleted=True) == ["t7", "t8", "t9"] and not report.refused_deletions


def test_one_failed_delete_fails_that_table_only(om: FakeOpenMetadata) -> None:
    om.failing_deletes.add(f"{SCHEMA}.t8")
    report = write(om, delete_missing(TEN[:8]))

    assert report.deleted == [f"{SCHEMA}.t9"]
    (failure,) = report.failures
    assert failure.startswith(f"{SCHEMA}.t8: delete failed:") and "500" in failure
    assert report.counts["failed"] == 1 and report.counts["deleted"] == 1
    assert om.names("tables", SCHEMA, deleted=True) == ["t9"]


def test_a_refusal_does_not_stop_the_rest_of_the_batch(om: FakeOpenMetadata) -> None:
    put = PutEntities(
        "tables",
        [CreateTableRequest(name="t0", databaseSchema=SCHEMA, columns=[Column(name="id", dataType=DataType.INT)])],
    )
    report = write(om, delete_missing(TEN[:1]), put)

    assert len(report.refused_deletions) == 1 and om.deletes() == []
    assert report.counts["tables.updated"] == 1 and report.written == [f"{SCHEMA}.t0"]
