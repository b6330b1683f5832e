"""Lineage edges and table usage."""

from __future__ import annotations

from athena_om_tests.openmetadata_server.conftest import TABLE_FQN, seed_table


def edge(source, target, columns=None, sql=None):
    details = {}
    if columns is not None:
        details["columnsLineage"] = columns
    if sql is not None:
        details["sqlQuery"] = sql
    return {
        "edge": {
            "fromEntity": {"id": source["id"], "type": "table"},
            "toEntity": {"id": target["id"], "type": "table"},
            "lineageDetails": details,
        }
    }


def test_lineage_put_get_and_replace(client):
    orders = seed_table(client)
    summary = seed_table(client, "summary")
    orders_fqn, summary_fqn = orders["fullyQualifiedName"], summary["fullyQualifiedName"]
    first = [{"fromColumns": [f"{orders_fqn}.id"], "toColumn": f"{summary_fqn}.id"}]
    assert client.put("/api/v1/lineage", json=edge(orders, summary, first, "insert 1")).status_code == 200

    graph = client.get(f"/api/v1/lineage/table/name/{summary_fqn}", params={"upstreamDepth": 1}).json()
    assert graph["entity"]["id"] == summary["id"]
    assert graph["nodes"][0]["id"] == orders["id"]
    assert graph["upstreamEdges"][0]["fromEntity"] == orders["id"]
    assert graph["upstreamEdges"][0]["lineageDetails"]["sqlQuery"] == "insert 1"
    assert graph["downstreamEdges"] == []

    # A second PUT replaces lineageDetails, like OpenMetadata's LineageRepository (clients merge).
    second = [{"fromColumns": [f"{orders_fqn}.address.city"], "toColumn": f"{summary_fqn}.status"}]
    assert client.put("/api/v1/lineage", json=edge(orders, summary, second)).status_code == 200
    stored = client.get(f"/api/v1/lineage/getLineageEdge/{orders['id']}/{summary['id']}").json()["edge"]
    assert stored["columnsLineage"] == second
    assert "sqlQuery" not in stored

    down = client.get(f"/api/v1/lineage/table/name/{orders_fqn}", params={"downstreamDepth": 1}).json()
    assert down["downstreamEdges"][0]["toEntity"] == summary["id"]

    assert client.delete(f"/api/v1/lineage/table/{orders['id']}/table/{summary['id']}").status_code == 200
    assert client.get(f"/api/v1/lineage/getLineageEdge/{orders['id']}/{summary['id']}").status_code == 404


def test_lineage_rejects_unknown_columns_and_entities(client):
    orders = seed_table(client)
    summary = seed_table(client, "summary")
    bad = [{"fromColumns": [f"{orders['fullyQualifiedName']}.nope"], "toColumn": f"{summary['fullyQualifiedName']}.id"}]
    response = client.put("/api/v1/lineage", json=edge(orders, summary, bad))
    assert response.status_code == 400
    assert "Invalid column name" in response.json()["message"]
    ghost = {"id": "00000000-0000-0000-0000-000000000000"}
    assert client.put("/api/v1/lineage", json=edge(orders, ghost)).status_code == 404


def test_usage_put_adds_post_replaces_and_percentiles(client):
    orders = seed_table(client)
    other = seed_table(client, "other")
    day = "2024-05-02"
    client.put(f"/api/v1/usage/table/{orders['id']}", json={"date": day, "count": 3})
    client.put(f"/api/v1/usage/table/{orders['id']}", json={"date": day, "count": 4})
    usage = client.get(f"/api/v1/usage/table/{orders['id']}", params={"date": day}).json()
    assert usage["usage"][0]["dailyStats"]["count"] == 7  # PUT adds, as in OpenMetadata
    client.post(f"/api/v1/usage/table/{orders['id']}", json={"date": day, "count": 5})
    usage = client.get(f"/api/v1/usage/table/name/{TABLE_FQN}", params={"date": day}).json()
    assert usage["usage"][0]["dailyStats"]["count"] == 5  # POST replaces
    client.post(f"/api/v1/usage/table/{orders['id']}", json={"date": "2024-05-01", "count": 10})
    client.post(f"/api/v1/usage/table/{other['id']}", json={"date": day, "count": 1})

    assert client.post(f"/api/v1/usage/compute.percentile/table/{day}").status_code == 201
    usage = client.get(f"/api/v1/usage/table/{orders['id']}", params={"date": day, "days": 2}).json()["usage"]
    assert [item["date"] for item in usage] == [day, "2024-05-01"]
    assert usage[0]["dailyStats"] == {"count": 5, "percentileRank": 50.0}
    assert usage[0]["weeklyStats"]["count"] == 15
    assert usage[0]["monthlyStats"]["count"] == 15
    low = client.get(f"/api/v1/usage/table/{other['id']}", params={"date": day}).json()["usage"][0]
    assert low["dailyStats"]["percentileRank"] == 0.0

    table = client.get(f"/api/v1/tables/name/{TABLE_FQN}", params={"fields": "usageSummary"}).json()
    assert table["usageSummary"]["date"] == day
    assert table["usageSummary"]["dailyStats"]["count"] == 5


def test_usage_rejects_bad_date(client):
    orders = seed_table(client)
    response = client.put(f"/api/v1/usage/table/{orders['id']}", json={"date": "02/05/2024", "count": 1})
    assert response.status_code == 400
    assert "date" in response.json()["message"]
