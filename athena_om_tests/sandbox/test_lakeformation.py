"""Lake Formation LF-tags through boto3: untagged resources, merging, inheritance, search, listing."""

from __future__ import annotations

import boto3

from athena_om.sandbox.aws import AwsSandbox


def _tags(items: list[dict]) -> dict[str, list[str]]:
    return {t["TagKey"]: t["TagValues"] for t in items}


def test_untagged_resource_returns_empty_lists(sandbox: AwsSandbox) -> None:
    lf = boto3.client("lakeformation")
    response = lf.get_resource_lf_tags(
        Resource={"Table": {"DatabaseName": "demo_marketing", "Name": "campaigns"}}, ShowAssignedLFTags=True
    )
    assert response["LFTagsOnTable"] == [] and response["LFTagsOnColumns"] == []


def test_assigned_and_inherited_tags(sandbox: AwsSandbox) -> None:
    lf = boto3.client("lakeformation")
    resource = {"Table": {"DatabaseName": "demo_sales", "Name": "customers"}}
    assigned = lf.get_resource_lf_tags(Resource=resource, ShowAssignedLFTags=True)
    assert _tags(assigned["LFTagOnDatabase"]) == {"domain": ["sales"]}
    assert _tags(assigned["LFTagsOnTable"]) == {"sensitivity": ["internal"]}
    columns = {c["Name"]: _tags(c["LFTags"]) for c in assigned["LFTagsOnColumns"]}
    assert columns == {"email": {"sensitivity": ["pii"]}, "full_name": {"sensitivity": ["pii"]}}
    effective = lf.get_resource_lf_tags(Resource=resource)
    assert _tags(effective["LFTagsOnTable"]) == {"domain": ["sales"], "sensitivity": ["internal"]}
    effective_columns = {c["Name"]: _tags(c["LFTags"]) for c in effective["LFTagsOnColumns"]}
    assert effective_columns["email"] == {"domain": ["sales"], "sensitivity": ["pii"]}
    assert effective_columns["country"] == {"domain": ["sales"], "sensitivity": ["internal"]}


def test_add_merges_instead_of_replacing(sandbox: AwsSandbox) -> None:
    lf = boto3.client("lakeformation")
    lf.create_lf_tag(TagKey="tier", TagValues=["gold", "silver"])
    resource = {"Table": {"DatabaseName": "demo_marketing", "Name": "ad_clicks"}}
    lf.add_lf_tags_to_resource(Resource=resource, LFTags=[{"TagKey": "tier", "TagValues": ["gold"]}])
    lf.add_lf_tags_to_resource(Resource=resource, LFTags=[{"TagKey": "sensitivity", "TagValues": ["public"]}])
    lf.add_lf_tags_to_resource(Resource=resource, LFTags=[{"TagKey": "tier", "TagValues": ["silver"]}])
    assigned = lf.get_resource_lf_tags(Resource=resource, ShowAssignedLFTags=True)["LFTagsOnTable"]
    assert _tags(assigned) == {"tier": ["silver"], "sensitivity": ["public"]}
    failures = lf.add_lf_tags_to_resource(Resource=resource, LFTags=[{"TagKey": "tier", "TagValues": ["bronze"]}])
    assert failures["Failures"]


def test_search_tables_and_databases_by_lf_tags(sandbox: AwsSandbox) -> None:
    lf = boto3.client("lakeformation")
    pii = lf.search_tables_by_lf_tags(Expression=[{"TagKey": "sensitivity", "TagValues": ["pii"]}])["TableList"]
    names = {(t["Table"]["DatabaseName"], t["Table"]["Name"]) for t in pii}
    assert {("demo_sales", "customers"), ("demo_sales", "orders"), ("demo_raw", "raw_customers_csv")} <= names
    assert ("demo_sales", "products") not in names
    customers = next(t for t in pii if t["Table"]["Name"] == "customers")
    assert _tags(customers["LFTagOnDatabase"]) == {"domain": ["sales"]}
    sales = [{"TagKey": "domain", "TagValues": ["sales"]}]
    first = lf.search_tables_by_lf_tags(Expression=sales, MaxResults=2)
    assert len(first["TableList"]) == 2 and first["NextToken"]
    all_sales = [
        t for p in lf.get_paginator("search_tables_by_lf_tags").paginate(Expression=sales) for t in p["TableList"]
    ]
    assert len(all_sales) == 6
    databases = lf.search_databases_by_lf_tags(Expression=[{"TagKey": "domain", "TagValues": ["raw", "marketing"]}])
    assert [d["Database"]["Name"] for d in databases["DatabaseList"]] == ["demo_marketing", "demo_raw"]


def test_list_lf_tags_paginates(sandbox: AwsSandbox) -> None:
    lf = boto3.client("lakeformation")
    first = lf.list_lf_tags(MaxResults=1)
    assert len(first["LFTags"]) == 1 and first["NextToken"]
    keys = {t["TagKey"] for p in lf.get_paginator("list_lf_tags").paginate() for t in p["LFTags"]}
    assert {"domain", "sensitivity"} <= keys
