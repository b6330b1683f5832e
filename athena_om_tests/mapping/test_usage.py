"""Daily table usage and join counts from parsed Athena queries."""

from __future__ import annotations

from collections import Counter
from datetime import date

from athena_om.athena.models import QueryExecution
from athena_om.mapping.sql_lineage import ParsedQuery, ParseFailure, TableName, is_self_issued, parse_query
from athena_om.mapping.usage import (
    TableJoinCounts,
    daily_table_usage,
    table_joins,
    table_joins_request,
    usage_request,
)

ORDERS = TableName("awsdatacatalog", "sales", "orders")
CUSTOMERS = TableName("awsdatacatalog", "sales", "customers")
ITEMS = TableName("awsdatacatalog", "sales", "order_items")
DAILY = TableName("awsdatacatalog", "sales", "daily_revenue")


def run(sql: str, state: str = "SUCCEEDED", n: int = 0) -> tuple[QueryExecution, ParsedQuery | ParseFailure]:
    q = QueryExecution(query_id=f"q{n}-{state}", query=sql, state=state, database="sales")
    return q, parse_query(sql, q.database)


DAY = [
    run("SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id", n=1),
    run(
        "SELECT o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
        "JOIN order_items i ON i.order_id = o.order_id",
        n=2,
    ),
    # reads orders twice (self-join and subquery): one read
    run(
        "SELECT a.order_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id "
        "WHERE a.amount > (SELECT avg(amount) FROM orders)",
        n=3,
    ),
    # writes daily_revenue, reads orders
    run("INSERT INTO daily_revenue SELECT customer_id, sum(amount), dt FROM orders GROUP BY 1, 3", n=4),
    # reads and writes daily_revenue
    run("INSERT INTO daily_revenue SELECT customer_id, revenue, '2024-01-02' FROM daily_revenue", n=5),
    run("SELECT * FROM orders o JOIN customers c ON o.customer_id = c.customer_id", state="FAILED", n=6),
    run("SELECT * FROM customers", state="CANCELLED", n=7),
    run("SELECT * FROM customers", state="RUNNING", n=8),
    run("SELEC garbage", n=9),
    run("/* athena-om */ SELECT count(*) FROM customers", n=10),
]


def test_daily_usage_counts_reading_queries_once() -> None:
    assert daily_table_usage(DAY) == {ORDERS: 4, CUSTOMERS: 3, ITEMS: 1, DAILY: 1}


def test_daily_usage_can_exclude_self_issued_queries() -> None:
    usage = daily_table_usage(DAY, exclude=lambda q: is_self_issued(q.query))
    assert usage == {ORDERS: 4, CUSTOMERS: 2, ITEMS: 1, DAILY: 1}


def test_table_joins_counts_each_query_once_per_pair() -> None:
    joins = table_joins(DAY)
    assert set(joins) == {ORDERS, CUSTOMERS, ITEMS}
    assert joins[ORDERS].direct_table_joins == Counter({CUSTOMERS: 2, ITEMS: 1})
    assert joins[CUSTOMERS].direct_table_joins == Counter({ORDERS: 2})
    assert joins[ITEMS].direct_table_joins == Counter({ORDERS: 1})
    assert joins[ORDERS].column_joins == {
        "customer_id": Counter({(CUSTOMERS, "customer_id"): 2}),
        "order_id": Counter({(ITEMS, "order_id"): 1}),
    }
    assert joins[CUSTOMERS].column_joins == {"customer_id": Counter({(ORDERS, "customer_id"): 2})}


def test_self_join_counts_columns_but_not_the_table_with_itself() -> None:
    joins = table_joins([run("SELECT 1 FROM orders a JOIN orders b ON a.order_id = b.customer_id", n=20)])
    assert joins[ORDERS].direct_table_joins == Counter()
    assert joins[ORDERS].column_joins == {
        "customer_id": Counter({(ORDERS, "order_id"): 1}),
        "order_id": Counter({(ORDERS, "customer_id"): 1}),
    }


def test_usage_request() -> None:
    assert usage_request(date(2024, 5, 1), 17).to_body() == {"date": "2024-05-01", "count": 17}


def test_table_joins_request_uses_fqns_and_skips_unknown_tables() -> None:
    counts = TableJoinCounts()
    counts.direct_table_joins.update({CUSTOMERS: 2, ITEMS: 5, DAILY: 1})
    counts.column_joins["customer_id"][(CUSTOMERS, "customer_id")] += 2
    counts.column_joins["order_id"][(ITEMS, "order_id")] += 5
    counts.column_joins["order_id"][(DAILY, "order_id")] += 1
    fqns = {CUSTOMERS: "athena.default.sales.customers", ITEMS: "athena.default.sales.order_items"}

    request = table_joins_request(date(2024, 5, 1), ORDERS, counts, fqns.get)

    assert request.to_body() == {
        "startDate": "2024-05-01",
        "dayCount": 1,
        "directTableJoins": [
            {"fullyQualifiedName": "athena.default.sales.order_items", "joinCount": 5},
            {"fullyQualifiedName": "athena.default.sales.customers", "joinCount": 2},
        ],
        "columnJoins": [
            {
                "columnName": "customer_id",
                "joinedWith": [{"fullyQualifiedName": "athena.default.sales.customers.customer_id", "joinCount": 2}],
            },
            {
                "columnName": "order_id",
                "joinedWith": [{"fullyQualifiedName": "athena.default.sales.order_items.order_id", "joinCount": 5}],
            },
        ],
    }


def test_table_joins_request_without_joins_is_empty() -> None:
    request = table_joins_request(date(2024, 5, 1), ORDERS, TableJoinCounts(), lambda _: None)
    assert request.to_body() == {"startDate": "2024-05-01", "dayCount": 1}
