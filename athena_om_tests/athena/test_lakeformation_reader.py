"""Reading Lake Formation LF-tags: one search per tag key (never one call per table), paging, untagged resources,
and a read error kept on the index instead of raised."""

from __future__ import annotations

from typing import Any

from athena_om.athena.lakeformation import read_lf_tags
from athena_om.athena.models import LFTag
from athena_om_tests.athena.stubbed_aws import stubbed

CATALOG = "123456789012"


def pair(key: str, *values: str) -> dict[str, Any]:
    return {"TagKey": key, "TagValues": list(values)}


def expression(key: str, *values: str) -> list[dict[str, Any]]:
    return [pair(key, *values)]


def tagged_table(db: str, name: str, **tags: Any) -> dict[str, Any]:
    return {"Table": {"DatabaseName": db, "Name": name}, **tags}


def test_one_search_per_tag_key_indexes_databases_tables_and_columns() -> None:
    orders = tagged_table(
        "Sales",
        "Orders",
        LFTagOnDatabase=[pair("domain", "sales")],
        LFTagsOnTable=[pair("tier", "gold"), pair("domain", "sales")],
        LFTagsOnColumns=[{"Name": "Email", "LFTags": [pair("pii", "yes")]}],
    )
    catalog = {"CatalogId": CATALOG}
    with stubbed("lakeformation") as (lf, stub):
        stub.add_response(
            "list_lf_tags",
            {"LFTags": [pair("domain", "sales", "hr")], "NextToken": "k2"},
            {"ResourceShareType": "ALL", **catalog},
        )
        stub.add_response(
            "list_lf_tags",
            {"LFTags": [pair("tier", "gold")]},
            {"ResourceShareType": "ALL", "NextToken": "k2", **catalog},
        )
        # Key "domain": one database search and one table search, whatever the number of tables.
        stub.add_response(
            "search_databases_by_lf_tags",
            {"DatabaseList": [{"Database": {"Name": "Sales"}, "LFTags": [pair("domain", "sales")]}]},
            {"Expression": expression("domain", "sales", "hr"), **catalog},
        )
        stub.add_response(
            "search_tables_by_lf_tags",
            {"TableList": [orders]},
            {"Expression": expression("domain", "sales", "hr"), **catalog},
        )
        # Key "tier": no database carries it; the same table comes back again with all of its tags.
        stub.add_response(
            "search_databases_by_lf_tags", {"DatabaseList": []}, {"Expression": expression("tier", "gold"), **catalog}
        )
        stub.add_response(
            "search_tables_by_lf_tags", {"TableList": [orders]}, {"Expression": expression("tier", "gold"), **catalog}
        )
        index = read_lf_tags(lf, CATALOG)

    assert index.error is None
    assert index.tag_keys == {"domain": ("sales", "hr"), "tier": ("gold",)}
    assert index.for_database("SALES") == (LFTag("domain", ("sales",)),)
    # Sorted by key, so the same tags always compare equal.
    assert index.for_table("sales", "orders") == (LFTag("domain", ("sales",)), LFTag("tier", ("gold",)))
    assert index.has_column_tags("Sales", "Orders")
    assert index.for_column("sales", "orders", "EMAIL") == (LFTag("pii", ("yes",)),)
    assert index.for_column("sales", "orders", "id") == ()


def test_search_results_are_followed_across_pages() -> None:
    with stubbed("lakeformation") as (lf, stub):
        stub.add_response("list_lf_tags", {"LFTags": [pair("domain", "sales")]})
        stub.add_response("search_databases_by_lf_tags", {"DatabaseList": [], "NextToken": "d2"})
        stub.add_response(
            "search_databases_by_lf_tags",
            {"DatabaseList": [{"Database": {"Name": "sales"}, "LFTags": [pair("domain", "sales")]}]},
            {"Expression": expression("domain", "sales"), "NextToken": "d2"},
        )
        stub.add_response(
            "search_tables_by_lf_tags",
            {"TableList": [tagged_table("sales", "a", LFTagsOnTable=[pair("domain", "sales")])], "NextToken": "t2"},
        )
        stub.add_response(
            "search_tables_by_lf_tags",
            {"TableList": [tagged_table("sales", "b", LFTagsOnTable=[pair("domain", "sales")])]},
            {"Expression": expression("domain", "sales"), "NextToken": "t2"},
        )
        index = read_lf_tags(lf)

    assert index.error is None
    assert set(index.tables) == {("sales", "a"), ("sales", "b")}
    assert index.for_database("sales") == (LFTag("domain", ("sales",)),)


def test_untagged_resources_have_no_tags_and_no_key_means_no_search() -> None:
    with stubbed("lakeformation") as (lf, stub):
        stub.add_response("list_lf_tags", {})  # an account without LF-tags
        index = read_lf_tags(lf)  # a search here would find no stubbed answer and fail the test

    assert index.error is None and index.tag_keys == {}
    assert index.for_database("sales") == ()
    assert index.for_table("sales", "orders") == ()
    assert not index.has_column_tags("sales", "orders")
    assert index.for_column("sales", "orders", "id") == ()


def test_a_table_tagged_only_through_its_database_keeps_no_table_tags() -> None:
    with stubbed("lakeformation") as (lf, stub):
        stub.add_response("list_lf_tags", {"LFTags": [pair("domain", "hr")]})
        stub.add_response("search_databases_by_lf_tags", {"DatabaseList": []})
        stub.add_response(
            "search_tables_by_lf_tags",
            {"TableList": [tagged_table("hr", "people", LFTagOnDatabase=[pair("domain", "hr")])]},
        )
        index = read_lf_tags(lf)

    assert index.for_table("hr", "people") == ()
    assert index.for_database("hr") == (LFTag("domain", ("hr",)),)
    assert not index.has_column_tags("hr", "people")


def test_a_denied_search_is_kept_on_the_index_with_the_permissions_to_grant() -> None:
    with stubbed("lakeformation") as (lf, stub):
        stub.add_response("list_lf_tags", {"LFTags": [pair("domain", "sales")]})
        stub.add_response(
            "search_databases_by_lf_tags",
            {"DatabaseList": [{"Database": {"Name": "sales"}, "LFTags": [pair("domain", "sales")]}]},
        )
        stub.add_client_error("search_tables_by_lf_tags", "AccessDeniedException", "no", 400)
        index = read_lf_tags(lf)

    assert index.error is not None
    assert "AccessDeniedException" in index.error
    assert "lakeformation:SearchTablesByLFTags" in index.error and "includeTags: false" in index.error
    assert index.tag_keys == {"domain": ("sales",)}  # what was read before the error stays


def test_a_denied_tag_listing_searches_nothing() -> None:
    with stubbed("lakeformation") as (lf, stub):
        stub.add_client_error("list_lf_tags", "AccessDeniedException", "no", 400)
        index = read_lf_tags(lf)
    assert index.error is not None and "lakeformation:ListLFTags" in index.error
    assert index.tag_keys == {} and index.tables == {}
