"""Table-driven tests for Athena SQL lineage: every construct with hand-written expected tables and columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from athena_om.mapping.sql_lineage import (
    ColumnEdge,
    ParsedQuery,
    ParseFailure,
    StatementKind,
    TableName,
    is_self_issued,
    parse_query,
    strip_sql,
)

CATALOG = "awsdatacatalog"


def t(name: str) -> TableName:
    """``db.table`` or ``catalog.db.table``."""
    parts = name.split(".")
    if len(parts) == 2:
        parts.insert(0, CATALOG)
    return TableName(*parts)


def c(ref: str) -> tuple[TableName, str]:
    """``db.table:column`` (column may be a dotted struct path)."""
    table, column = ref.split(":")
    return t(table), column


SCHEMA: dict[TableName, list[str]] = {
    t("sales.orders"): [
        "order_id",
        "customer_id",
        "amount",
        "status",
        "order_ts",
        "shipping",
        "shipping.city",
        "shipping.geo",
        "shipping.geo.lat",
        "items",
        "dt",
    ],
    t("sales.customers"): ["customer_id", "name", "email", "segment", "created_at"],
    t("sales.daily_revenue"): ["customer_id", "revenue", "dt"],
    t("sales.products"): ["product_id", "name", "price", "category"],
    t("sales.order_items"): ["order_id", "product_id", "qty"],
    t("raw.events"): ["event_id", "user_id", "event_type", "payload", "tags", "ts", "dt"],
    t("analytics.customer_360"): ["customer_id", "name", "lifetime_value", "last_order_ts"],
    # hits: array(row(page, ms, ok)); attrs: map(varchar, bigint); tags, pages: array(varchar)
    t("raw.sessions"): ["session_id", "user_id", "hits", "attrs", "tags", "pages"],
    t("raw.attr_totals"): ["k", "v"],
}

FN = object()
"""Expected function: some transformation, text not asserted."""


@dataclass
class Case:
    id: str
    sql: str
    kind: StatementKind
    sources: set[str]
    target: str | None = None
    lineage: dict[str, tuple[set[str], object]] | None = None  # target column -> (sources, function)
    joins: set[tuple[str, str]] = field(default_factory=set)
    location: str | None = None
    warning: str | None = None  # a substring expected in one warning
    database: str = "sales"


CASES = [
    # --- SELECT ------------------------------------------------------------------------------------------
    Case(
        "select-simple",
        "SELECT order_id, amount FROM orders WHERE dt = '2024-01-01'",
        StatementKind.SELECT,
        {"sales.orders"},
    ),
    Case(
        "select-qualified-3-part", 'SELECT * FROM "awsdatacatalog"."raw"."events"', StatementKind.SELECT, {"raw.events"}
    ),
    Case(
        "select-other-catalog",
        "SELECT * FROM dynamo_cat.ddb.sessions",
        StatementKind.SELECT,
        {"dynamo_cat.ddb.sessions"},
    ),
    Case("select-upper-case-names", "SELECT ORDER_ID FROM Sales.ORDERS", StatementKind.SELECT, {"sales.orders"}),
    Case(
        "select-join",
        "SELECT o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id",
        StatementKind.SELECT,
        {"sales.orders", "sales.customers"},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "select-join-using",
        "SELECT order_id, name FROM orders JOIN customers USING (customer_id)",
        StatementKind.SELECT,
        {"sales.orders", "sales.customers"},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "select-implicit-join",
        "SELECT o.order_id FROM orders o, order_items i, products p "
        "WHERE o.order_id = i.order_id AND i.product_id = p.product_id AND p.price > 10",
        StatementKind.SELECT,
        {"sales.orders", "sales.order_items", "sales.products"},
        joins={
            ("sales.order_items:order_id", "sales.orders:order_id"),
            ("sales.order_items:product_id", "sales.products:product_id"),
        },
    ),
    Case(
        "select-cte-not-a-table",
        "WITH recent AS (SELECT * FROM orders WHERE dt > '2024') SELECT count(*) FROM recent",
        StatementKind.SELECT,
        {"sales.orders"},
    ),
    Case(
        "select-cte-chain-join",
        "WITH a AS (SELECT customer_id, amount FROM orders), b AS (SELECT customer_id, name FROM customers) "
        "SELECT b.name, sum(a.amount) FROM a JOIN b ON a.customer_id = b.customer_id GROUP BY b.name",
        StatementKind.SELECT,
        {"sales.orders", "sales.customers"},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "select-subquery-in-where",
        "SELECT * FROM customers WHERE customer_id IN (SELECT customer_id FROM orders WHERE amount > 100)",
        StatementKind.SELECT,
        {"sales.customers", "sales.orders"},
    ),
    Case(
        "select-union",
        "SELECT user_id FROM raw.events UNION SELECT customer_id FROM customers",
        StatementKind.SELECT,
        {"raw.events", "sales.customers"},
    ),
    Case(
        "select-left-join-subquery",
        "SELECT c.name, x.n FROM customers c LEFT JOIN (SELECT customer_id, count(*) n FROM orders GROUP BY 1) x "
        "ON x.customer_id = c.customer_id",
        StatementKind.SELECT,
        {"sales.orders", "sales.customers"},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "select-self-join",
        "SELECT a.order_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.order_id <> b.order_id",
        StatementKind.SELECT,
        {"sales.orders"},
    ),
    Case(
        "select-unnest",
        "SELECT e.event_id, tag FROM raw.events e CROSS JOIN UNNEST(e.tags) AS t(tag)",
        StatementKind.SELECT,
        {"raw.events"},
    ),
    Case("select-default-db-other", "SELECT * FROM events", StatementKind.SELECT, {"raw.events"}, database="raw"),
    # --- CTAS ----------------------------------------------------------------------------------------------
    Case(
        "ctas-join-aggregate",
        "CREATE TABLE analytics.revenue_by_segment WITH (format = 'PARQUET', "
        "external_location = 's3://lake/analytics/revenue_by_segment/') AS "
        "SELECT c.segment, sum(o.amount) AS revenue, count(DISTINCT o.order_id) AS orders "
        "FROM orders o JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.segment",
        StatementKind.CTAS,
        {"sales.orders", "sales.customers"},
        "analytics.revenue_by_segment",
        {
            "segment": ({"sales.customers:segment"}, None),
            "revenue": ({"sales.orders:amount"}, "SUM(o.amount)"),
            "orders": ({"sales.orders:order_id"}, FN),
        },
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "ctas-star-expanded",
        "CREATE TABLE sales.customers_copy AS SELECT * FROM customers",
        StatementKind.CTAS,
        {"sales.customers"},
        "sales.customers_copy",
        {col: ({f"sales.customers:{col}"}, None) for col in ["customer_id", "name", "email", "segment", "created_at"]},
    ),
    Case(
        "ctas-qualified-star-join",
        "CREATE TABLE sales.enriched AS SELECT o.*, c.name AS customer_name "
        "FROM sales.daily_revenue o JOIN customers c ON o.customer_id = c.customer_id",
        StatementKind.CTAS,
        {"sales.daily_revenue", "sales.customers"},
        "sales.enriched",
        {
            "customer_id": ({"sales.daily_revenue:customer_id"}, None),
            "revenue": ({"sales.daily_revenue:revenue"}, None),
            "dt": ({"sales.daily_revenue:dt"}, None),
            "customer_name": ({"sales.customers:name"}, None),
        },
        joins={("sales.customers:customer_id", "sales.daily_revenue:customer_id")},
    ),
    Case(
        "ctas-unknown-star",
        "CREATE TABLE sales.legacy_copy AS SELECT * FROM legacy.old_orders",
        StatementKind.CTAS,
        {"legacy.old_orders"},
        "sales.legacy_copy",
        {},
        warning="awsdatacatalog.legacy.old_orders",
    ),
    Case(
        "ctas-with-cte",
        "CREATE TABLE sales.top_customers AS WITH totals AS ("
        "SELECT customer_id, sum(amount) AS total FROM orders GROUP BY customer_id) "
        "SELECT c.name, t.total FROM totals t JOIN customers c ON c.customer_id = t.customer_id "
        "WHERE t.total > 1000",
        StatementKind.CTAS,
        {"sales.orders", "sales.customers"},
        "sales.top_customers",
        {"name": ({"sales.customers:name"}, None), "total": ({"sales.orders:amount"}, "SUM(orders.amount)")},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "ctas-window",
        "CREATE TABLE sales.ranked AS SELECT order_id, "
        "rank() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rnk FROM orders",
        StatementKind.CTAS,
        {"sales.orders"},
        "sales.ranked",
        {
            "order_id": ({"sales.orders:order_id"}, None),
            "rnk": ({"sales.orders:customer_id", "sales.orders:amount"}, FN),
        },
    ),
    Case(
        "ctas-union-all",
        "CREATE TABLE sales.people AS SELECT customer_id AS id, name FROM customers "
        "UNION ALL SELECT user_id, event_type FROM raw.events",
        StatementKind.CTAS,
        {"sales.customers", "raw.events"},
        "sales.people",
        {
            "id": ({"sales.customers:customer_id", "raw.events:user_id"}, None),
            "name": ({"sales.customers:name", "raw.events:event_type"}, None),
        },
    ),
    Case(
        "ctas-unnest",
        "CREATE TABLE raw.event_tags AS SELECT e.event_id, tag FROM raw.events e CROSS JOIN UNNEST(e.tags) AS t(tag)",
        StatementKind.CTAS,
        {"raw.events"},
        "raw.event_tags",
        {"event_id": ({"raw.events:event_id"}, None), "tag": ({"raw.events:tags"}, "UNNEST(e.tags)")},
    ),
    Case(
        "ctas-struct-known-child",
        "CREATE TABLE sales.ship AS SELECT order_id, shipping.city AS city, o.shipping.geo.lat AS lat, "
        "o.shipping.zip AS zip FROM orders o",
        StatementKind.CTAS,
        {"sales.orders"},
        "sales.ship",
        {
            "order_id": ({"sales.orders:order_id"}, None),
            "city": ({"sales.orders:shipping.city"}, None),
            "lat": ({"sales.orders:shipping.geo.lat"}, None),
            "zip": ({"sales.orders:shipping"}, None),
        },
    ),
    Case(
        "ctas-struct-through-cte",
        "CREATE TABLE sales.cities AS WITH x AS (SELECT order_id, shipping FROM orders) SELECT x.shipping.city FROM x",
        StatementKind.CTAS,
        {"sales.orders"},
        "sales.cities",
        {"city": ({"sales.orders:shipping.city"}, None)},
    ),
    Case(
        "ctas-lambda",
        "CREATE TABLE sales.item_counts AS SELECT order_id, "
        "transform(items, x -> x.qty * 2) AS doubled, filter(items, i -> i.qty > amount) AS big FROM orders",
        StatementKind.CTAS,
        {"sales.orders"},
        "sales.item_counts",
        {
            "order_id": ({"sales.orders:order_id"}, None),
            "doubled": ({"sales.orders:items"}, FN),
            "big": ({"sales.orders:items", "sales.orders:amount"}, FN),
        },
    ),
    Case(
        "ctas-scalar-subquery",
        "CREATE TABLE sales.share AS SELECT customer_id, "
        "amount / (SELECT sum(amount) FROM orders) AS share FROM orders",
        StatementKind.CTAS,
        {"sales.orders"},
        "sales.share",
        {"customer_id": ({"sales.orders:customer_id"}, None), "share": ({"sales.orders:amount"}, FN)},
    ),
    Case(
        "ctas-case-coalesce",
        "CREATE TABLE sales.labels AS SELECT customer_id, CASE WHEN segment = 'vip' THEN name "
        "ELSE coalesce(email, 'n/a') END AS label FROM customers",
        StatementKind.CTAS,
        {"sales.customers"},
        "sales.labels",
        {
            "customer_id": ({"sales.customers:customer_id"}, None),
            "label": ({"sales.customers:segment", "sales.customers:name", "sales.customers:email"}, FN),
        },
    ),
    Case(
        "ctas-derived-table-rename",
        "CREATE TABLE sales.renamed AS SELECT s.cid AS id FROM (SELECT customer_id AS cid FROM customers) s",
        StatementKind.CTAS,
        {"sales.customers"},
        "sales.renamed",
        {"id": ({"sales.customers:customer_id"}, None)},
    ),
    # --- INSERT --------------------------------------------------------------------------------------------
    Case(
        "insert-no-column-list-uses-catalog-order",
        "INSERT INTO daily_revenue SELECT customer_id, sum(amount) AS total, dt FROM orders GROUP BY customer_id, dt",
        StatementKind.INSERT,
        {"sales.orders"},
        "sales.daily_revenue",
        {
            "customer_id": ({"sales.orders:customer_id"}, None),
            "revenue": ({"sales.orders:amount"}, "SUM(orders.amount)"),
            "dt": ({"sales.orders:dt"}, None),
        },
    ),
    Case(
        "insert-column-list-positional",
        "INSERT INTO sales.daily_revenue (dt, customer_id, revenue) "
        "SELECT o.dt, o.customer_id, o.amount * 1.2 FROM orders o",
        StatementKind.INSERT,
        {"sales.orders"},
        "sales.daily_revenue",
        {
            "dt": ({"sales.orders:dt"}, None),
            "customer_id": ({"sales.orders:customer_id"}, None),
            "revenue": ({"sales.orders:amount"}, "o.amount * 1.2"),
        },
    ),
    Case(
        "insert-values",
        "INSERT INTO sales.products VALUES (1, 'pen', 1.5, 'office')",
        StatementKind.INSERT,
        set(),
        "sales.products",
        {},
    ),
    Case(
        "insert-self-read",
        "INSERT INTO daily_revenue SELECT customer_id, revenue * 2, '2024-02-01' FROM daily_revenue "
        "WHERE dt = '2024-01-01'",
        StatementKind.INSERT,
        {"sales.daily_revenue"},
        "sales.daily_revenue",
        {"customer_id": ({"sales.daily_revenue:customer_id"}, None), "revenue": ({"sales.daily_revenue:revenue"}, FN)},
    ),
    Case(
        "insert-with-cte-and-join",
        "INSERT INTO analytics.customer_360 WITH last AS (SELECT customer_id, max(order_ts) AS ts, "
        "sum(amount) AS ltv FROM orders GROUP BY 1) "
        "SELECT c.customer_id, c.name, l.ltv, l.ts FROM customers c LEFT JOIN last l "
        "ON c.customer_id = l.customer_id",
        StatementKind.INSERT,
        {"sales.orders", "sales.customers"},
        "analytics.customer_360",
        {
            "customer_id": ({"sales.customers:customer_id"}, None),
            "name": ({"sales.customers:name"}, None),
            "lifetime_value": ({"sales.orders:amount"}, FN),
            "last_order_ts": ({"sales.orders:order_ts"}, FN),
        },
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "insert-with-leading-cte",
        "WITH last AS (SELECT customer_id, max(order_ts) AS ts, sum(amount) AS ltv FROM orders GROUP BY 1) "
        "INSERT INTO analytics.customer_360 SELECT c.customer_id, c.name, l.ltv, l.ts FROM customers c "
        "JOIN last l ON c.customer_id = l.customer_id",
        StatementKind.INSERT,
        {"sales.orders", "sales.customers"},
        "analytics.customer_360",
        {
            "customer_id": ({"sales.customers:customer_id"}, None),
            "name": ({"sales.customers:name"}, None),
            "lifetime_value": ({"sales.orders:amount"}, FN),
            "last_order_ts": ({"sales.orders:order_ts"}, FN),
        },
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "insert-unknown-target-falls-back-to-names",
        "INSERT INTO sales.unknown_target SELECT customer_id, name FROM customers",
        StatementKind.INSERT,
        {"sales.customers"},
        "sales.unknown_target",
        {"customer_id": ({"sales.customers:customer_id"}, None), "name": ({"sales.customers:name"}, None)},
        warning="columns of awsdatacatalog.sales.unknown_target unknown",
    ),
    # --- MERGE ---------------------------------------------------------------------------------------------
    Case(
        "merge-upsert",
        "MERGE INTO daily_revenue d USING (SELECT customer_id, sum(amount) AS amt, dt FROM orders "
        "GROUP BY customer_id, dt) s ON d.customer_id = s.customer_id AND d.dt = s.dt "
        "WHEN MATCHED THEN UPDATE SET revenue = d.revenue + s.amt "
        "WHEN NOT MATCHED THEN INSERT (customer_id, revenue, dt) VALUES (s.customer_id, s.amt, s.dt)",
        StatementKind.MERGE,
        {"sales.orders"},
        "sales.daily_revenue",
        {
            "revenue": ({"sales.daily_revenue:revenue", "sales.orders:amount"}, FN),
            "customer_id": ({"sales.orders:customer_id"}, None),
            "dt": ({"sales.orders:dt"}, None),
        },
        joins={
            ("sales.daily_revenue:customer_id", "sales.orders:customer_id"),
            ("sales.daily_revenue:dt", "sales.orders:dt"),
        },
    ),
    Case(
        "merge-table-source-delete-branch",
        "MERGE INTO analytics.customer_360 AS t USING sales.customers AS s ON t.customer_id = s.customer_id "
        "WHEN MATCHED AND s.segment = 'deleted' THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET name = s.name "
        "WHEN NOT MATCHED THEN INSERT VALUES (s.customer_id, s.name, 0, NULL)",
        StatementKind.MERGE,
        {"sales.customers"},
        "analytics.customer_360",
        {"name": ({"sales.customers:name"}, None), "customer_id": ({"sales.customers:customer_id"}, None)},
        joins={("analytics.customer_360:customer_id", "sales.customers:customer_id")},
    ),
    # --- VIEWS ---------------------------------------------------------------------------------------------
    Case(
        "view-create-or-replace",
        "CREATE OR REPLACE VIEW sales.v_orders AS SELECT o.order_id, c.email FROM orders o "
        "JOIN customers c ON o.customer_id = c.customer_id",
        StatementKind.CREATE_VIEW,
        {"sales.orders", "sales.customers"},
        "sales.v_orders",
        {"order_id": ({"sales.orders:order_id"}, None), "email": ({"sales.customers:email"}, None)},
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
    ),
    Case(
        "view-column-list",
        "CREATE VIEW v_rev (cust, rev) AS SELECT customer_id, revenue FROM daily_revenue",
        StatementKind.CREATE_VIEW,
        {"sales.daily_revenue"},
        "sales.v_rev",
        {"cust": ({"sales.daily_revenue:customer_id"}, None), "rev": ({"sales.daily_revenue:revenue"}, None)},
    ),
    Case(
        "view-window-lag",
        "CREATE VIEW sales.v_gaps AS SELECT customer_id, order_ts - lag(order_ts) OVER "
        "(PARTITION BY customer_id ORDER BY order_ts) AS gap FROM orders",
        StatementKind.CREATE_VIEW,
        {"sales.orders"},
        "sales.v_gaps",
        {
            "customer_id": ({"sales.orders:customer_id"}, None),
            "gap": ({"sales.orders:order_ts", "sales.orders:customer_id"}, FN),
        },
    ),
    # --- UPDATE / DELETE (Iceberg) -----------------------------------------------------------------------
    Case(
        "update-literal",
        "UPDATE orders SET status = 'closed' WHERE order_ts < date '2020-01-01'",
        StatementKind.UPDATE,
        set(),
        "sales.orders",
        {},
    ),
    Case(
        "update-subquery",
        "UPDATE analytics.customer_360 SET lifetime_value = (SELECT sum(o.amount) FROM sales.orders o "
        "WHERE o.customer_id = customer_360.customer_id) "
        "WHERE customer_id IN (SELECT customer_id FROM sales.customers WHERE segment = 'vip')",
        StatementKind.UPDATE,
        {"sales.orders", "sales.customers"},
        "analytics.customer_360",
        {"lifetime_value": ({"sales.orders:amount"}, "SUM(o.amount)")},
    ),
    Case(
        "update-from-own-columns",
        "UPDATE sales.products SET price = price * 1.1, name = upper(name)",
        StatementKind.UPDATE,
        set(),
        "sales.products",
        {"price": ({"sales.products:price"}, FN), "name": ({"sales.products:name"}, FN)},
    ),
    Case(
        "delete-in-subquery",
        "DELETE FROM sales.orders WHERE customer_id IN (SELECT customer_id FROM customers "
        "WHERE segment = 'gdpr_erased')",
        StatementKind.DELETE,
        {"sales.customers"},
        "sales.orders",
    ),
    Case(
        "delete-exists-join",
        "DELETE FROM sales.order_items WHERE EXISTS (SELECT 1 FROM orders o JOIN customers c "
        "ON o.customer_id = c.customer_id WHERE o.order_id = order_items.order_id AND c.segment = 'x')",
        StatementKind.DELETE,
        {"sales.orders", "sales.customers"},
        "sales.order_items",
        joins={
            ("sales.customers:customer_id", "sales.orders:customer_id"),
            ("sales.order_items:order_id", "sales.orders:order_id"),
        },
    ),
    Case("delete-simple", "DELETE FROM raw.events WHERE dt < '2023-01-01'", StatementKind.DELETE, set(), "raw.events"),
    # --- UNLOAD --------------------------------------------------------------------------------------------
    Case(
        "unload",
        "UNLOAD (SELECT o.order_id, c.email FROM orders o JOIN customers c ON o.customer_id = c.customer_id "
        "WHERE o.status = 'open') TO 's3://exports/open_orders/' WITH (format = 'PARQUET', "
        "compression = 'SNAPPY')",
        StatementKind.UNLOAD,
        {"sales.orders", "sales.customers"},
        None,
        joins={("sales.customers:customer_id", "sales.orders:customer_id")},
        location="s3://exports/open_orders/",
    ),
    Case(
        "unload-nested-parens",
        "UNLOAD (SELECT (amount * (1 + 0.2)) AS gross, ')' AS p FROM orders WHERE status IN ('a', 'b')) "
        "TO 's3://b/x/' WITH (format = 'JSON')",
        StatementKind.UNLOAD,
        {"sales.orders"},
        None,
        location="s3://b/x/",
    ),
    # --- DDL and others ------------------------------------------------------------------------------------
    Case(
        "ddl-create-external",
        "CREATE EXTERNAL TABLE IF NOT EXISTS raw.clicks (id bigint, url string) "
        "PARTITIONED BY (dt string) STORED AS PARQUET LOCATION 's3://lake/raw/clicks/'",
        StatementKind.DDL,
        set(),
        "raw.clicks",
    ),
    Case("ddl-drop", "DROP TABLE IF EXISTS sales.tmp_x", StatementKind.DDL, set(), "sales.tmp_x"),
    Case(
        "ddl-alter-add-partition",
        "ALTER TABLE raw.events ADD IF NOT EXISTS PARTITION (dt = '2024-01-01')",
        StatementKind.DDL,
        set(),
        "raw.events",
    ),
    Case("ddl-msck", "MSCK REPAIR TABLE raw.events", StatementKind.DDL, set(), "raw.events"),
    Case("ddl-create-database", "CREATE DATABASE IF NOT EXISTS staging", StatementKind.DDL, set(), None),
    Case("other-show", "SHOW PARTITIONS raw.events", StatementKind.OTHER, set()),
    Case("other-describe", "DESCRIBE sales.orders", StatementKind.OTHER, set()),
    Case(
        "comments-and-semicolons",
        "-- daily report\n/* owner: bi */\nSELECT order_id FROM orders;;\n",
        StatementKind.SELECT,
        {"sales.orders"},
    ),
]

SESSIONS = "raw.sessions"
UNNEST_CASES = [
    # Every alias of an UNNEST traces to the argument it unpacks (issue 8).
    Case(
        "unnest-array-of-row-three-aliases",
        "CREATE TABLE raw.hits AS SELECT s.session_id, page, ms, ok "
        "FROM raw.sessions s CROSS JOIN UNNEST(s.hits) AS h(page, ms, ok)",
        StatementKind.CTAS,
        {SESSIONS},
        "raw.hits",
        {
            "session_id": ({"raw.sessions:session_id"}, None),
            "page": ({"raw.sessions:hits"}, "UNNEST(s.hits)"),
            "ms": ({"raw.sessions:hits"}, "UNNEST(s.hits)"),
            "ok": ({"raw.sessions:hits"}, "UNNEST(s.hits)"),
        },
    ),
    Case(
        "unnest-map-key-and-value",
        "CREATE TABLE raw.attrs AS SELECT session_id, k, v FROM raw.sessions CROSS JOIN UNNEST(attrs) AS a(k, v)",
        StatementKind.CTAS,
        {SESSIONS},
        "raw.attrs",
        {
            "session_id": ({"raw.sessions:session_id"}, None),
            "k": ({"raw.sessions:attrs"}, FN),
            "v": ({"raw.sessions:attrs"}, FN),
        },
    ),
    Case(
        "unnest-multiple-arguments",
        "CREATE TABLE raw.tag_pages AS SELECT tag, page "
        "FROM raw.sessions s CROSS JOIN UNNEST(s.tags, s.pages) AS u(tag, page)",
        StatementKind.CTAS,
        {SESSIONS},
        "raw.tag_pages",
        {
            "tag": ({"raw.sessions:tags"}, "UNNEST(s.tags)"),
            "page": ({"raw.sessions:pages"}, "UNNEST(s.pages)"),
        },
    ),
    Case(
        "unnest-with-ordinality",
        "CREATE TABLE raw.hit_order AS SELECT page, ms, n "
        "FROM raw.sessions s CROSS JOIN UNNEST(s.hits) WITH ORDINALITY AS h(page, ms, n)",
        StatementKind.CTAS,
        {SESSIONS},
        "raw.hit_order",
        # The ordinality column is a counter: no source column, so no edge.
        {"page": ({"raw.sessions:hits"}, "UNNEST(s.hits)"), "ms": ({"raw.sessions:hits"}, "UNNEST(s.hits)")},
    ),
    Case(
        "unnest-through-cte",
        "CREATE TABLE raw.attr_pairs AS WITH pairs AS "
        "(SELECT session_id, k, v FROM raw.sessions CROSS JOIN UNNEST(attrs) AS a(k, v)) SELECT k, v FROM pairs",
        StatementKind.CTAS,
        {SESSIONS},
        "raw.attr_pairs",
        {"k": ({"raw.sessions:attrs"}, FN), "v": ({"raw.sessions:attrs"}, FN)},
    ),
    Case(
        "unnest-through-aggregate",
        "INSERT INTO raw.attr_totals SELECT k, sum(v) FROM "
        "(SELECT a AS k, b AS v FROM raw.sessions CROSS JOIN UNNEST(attrs) AS u(a, b)) GROUP BY k",
        StatementKind.INSERT,
        {SESSIONS},
        "raw.attr_totals",
        {"k": ({"raw.sessions:attrs"}, FN), "v": ({"raw.sessions:attrs"}, FN)},
    ),
]
CASES += UNNEST_CASES


def _expected_edges(case: Case) -> dict[str, tuple[set[tuple[TableName, str]], object]]:
    return {target: ({c(s) for s in sources}, fn) for target, (sources, fn) in (case.lineage or {}).items()}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_parse_query(case: Case) -> None:
    result = parse_query(case.sql, case.database, schema=SCHEMA)

    assert isinstance(result, ParsedQuery), result
    assert result.statement_kind == case.kind
    assert result.source_tables == {t(s) for s in case.sources}
    assert result.target_table == (t(case.target) if case.target else None)
    assert result.target_location == case.location
    assert set(result.joins) == {(c(a), c(b)) for a, b in case.joins}
    if case.lineage is not None:
        actual = {edge.target_column: edge for edge in result.column_lineage}
        expected = _expected_edges(case)
        assert set(actual) == set(expected)
        for target, (sources, function) in expected.items():
            assert set(actual[target].source_columns) == sources, target
            if function is FN:
                assert actual[target].function, target
            else:
                assert actual[target].function == function, target
    if case.warning:
        assert any(case.warning in w for w in result.warnings), result.warnings
    else:
        assert result.warnings == []


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert {case.kind for case in CASES} == set(StatementKind)


def test_column_edges_keep_target_order_and_types() -> None:
    result = parse_query("CREATE TABLE x AS SELECT name, customer_id FROM customers", "sales", schema=SCHEMA)
    assert isinstance(result, ParsedQuery)
    assert result.column_lineage == [
        ColumnEdge("name", frozenset({c("sales.customers:name")})),
        ColumnEdge("customer_id", frozenset({c("sales.customers:customer_id")})),
    ]


def test_without_schema_single_source_columns_still_resolve() -> None:
    result = parse_query("CREATE TABLE x AS SELECT a, b + 1 AS b2 FROM db.t", "db")
    assert isinstance(result, ParsedQuery)
    assert {e.target_column: set(e.source_columns) for e in result.column_lineage} == {
        "a": {c("db.t:a")},
        "b2": {c("db.t:b")},
    }


def test_without_schema_ambiguous_column_is_warned_not_guessed() -> None:
    result = parse_query("CREATE TABLE x AS SELECT a.id, name FROM db.t1 a JOIN db.t2 b ON a.id = b.id", "db")
    assert isinstance(result, ParsedQuery)
    assert {e.target_column for e in result.column_lineage} == {"id"}
    assert any("name" in w for w in result.warnings)
    assert result.joins == [(c("db.t1:id"), c("db.t2:id"))]


def test_column_lineage_can_be_switched_off() -> None:
    result = parse_query("CREATE TABLE x AS SELECT * FROM customers", "sales", schema=SCHEMA, column_lineage=False)
    assert isinstance(result, ParsedQuery)
    assert result.source_tables == {t("sales.customers")}
    assert result.column_lineage == []


def test_missing_default_database_uses_default() -> None:
    result = parse_query("SELECT 1 FROM t", None)
    assert isinstance(result, ParsedQuery)
    assert result.source_tables == {TableName(CATALOG, "default", "t")}


def test_default_catalog_applies_to_unqualified_names() -> None:
    result = parse_query("SELECT 1 FROM t JOIN other.u ON t.a = u.a", "db", default_catalog="MyCat")
    assert isinstance(result, ParsedQuery)
    assert result.source_tables == {TableName("mycat", "db", "t"), TableName("mycat", "other", "u")}


# --- failures -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    ["SELEC * FORM orders", "SELECT FROM WHERE (", "CREATE TABLE AS", "UNLOAD (SELECT 1 TO 's3://x'"],
)
def test_garbage_sql_is_a_failure(sql: str) -> None:
    result = parse_query(sql, "sales")
    assert isinstance(result, ParseFailure)
    assert result.reason


@pytest.mark.parametrize("sql", ["", "   ", ";", "-- only a comment\n", "/* c */ ;"])
def test_empty_statement_is_a_failure(sql: str) -> None:
    result = parse_query(sql, "sales")
    assert isinstance(result, ParseFailure)
    assert "empty" in result.reason


def test_two_megabyte_query_hits_the_size_limit_quickly() -> None:
    sql = "SELECT " + ", ".join(f"col_{i} + {i} AS c{i}" for i in range(120_000)) + " FROM sales.orders"
    assert len(sql) > 2_000_000
    result = parse_query(sql, "sales")
    assert isinstance(result, ParseFailure)
    assert "character limit" in result.reason


def test_token_limit() -> None:
    sql = "SELECT " + " + ".join("1" for _ in range(2_000)) + " FROM t"
    result = parse_query(sql, "db", max_tokens=1_000)
    assert isinstance(result, ParseFailure)
    assert "token limit" in result.reason


def test_time_limit_gives_a_clear_reason() -> None:
    branches = " UNION ALL ".join(f"SELECT a{i} FROM t{i}" for i in range(400))
    result = parse_query(branches, "db", timeout_s=0.0)
    assert isinstance(result, ParseFailure)
    assert "gave up" in result.reason and "time limit" in result.reason


def test_multiple_statements_are_a_failure() -> None:
    result = parse_query("SELECT 1 FROM a; SELECT 2 FROM b", "db")
    assert isinstance(result, ParseFailure)
    assert "2 statements" in result.reason


# --- text helpers ---------------------------------------------------------------------------------------


def test_strip_sql() -> None:
    assert strip_sql("  -- a\n/* b */ /* c */\nSELECT 1 ; ;\n") == "SELECT 1"
    assert strip_sql("SELECT '--x' FROM t;") == "SELECT '--x' FROM t"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("/* athena-om */ SELECT count(*) FROM t", True),
        ("-- run\n/* athena-om profile table=t */\nSELECT 1", True),
        ('/* {"app": "dbt", "dbt_version": "1.8.2", "node_id": "model.x.y"} */\ncreate table x as select 1', True),
        ("SELECT 1 /* athena-om */", False),
        ("/* athena-omx */ SELECT 1", False),
        ("/* someone else */ SELECT 1", False),
        ("SELECT 1", False),
    ],
)
def test_is_self_issued(sql: str, expected: bool) -> None:
    assert is_self_issued(sql) is expected


def test_is_self_issued_with_custom_markers() -> None:
    assert is_self_issued("/* airflow dag=x */ SELECT 1", markers=[r"^airflow\b"])
    assert not is_self_issued("/* athena-om */ SELECT 1", markers=[r"^airflow\b"])


def test_column_missing_from_a_stale_schema_keeps_the_rest_of_the_lineage() -> None:
    result = parse_query("CREATE TABLE x AS SELECT o.order_id, o.added_yesterday FROM orders o", "sales", schema=SCHEMA)
    assert isinstance(result, ParsedQuery)
    assert {e.target_column: set(e.source_columns) for e in result.column_lineage} == {
        "order_id": {c("sales.orders:order_id")},
        "added_yesterday": {c("sales.orders:added_yesterday")},
    }


def test_long_function_text_is_truncated() -> None:
    expression = " + ".join(f"amount * {i}" for i in range(100))
    result = parse_query(f"CREATE TABLE x AS SELECT {expression} AS big FROM orders", "sales", schema=SCHEMA)
    assert isinstance(result, ParsedQuery)
    (edge,) = result.column_lineage
    assert edge.function is not None and len(edge.function) == 200 and edge.function.endswith("…")
