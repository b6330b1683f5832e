"""A believable, deterministic Athena query history over the demo lake.

Every statement references only tables and columns of DEMO_TABLES, so usage and lineage built from it can be
checked against the demo lake.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from athena_om.sandbox.aws.demo_lake import DAILY_REVENUE_SQL, RESULTS_LOCATION
from athena_om.sandbox.aws.query_history import QueryRecord

PROJECT_COMMENT = "/* athena-om */"
DBT_COMMENT = (
    '/* {"app": "dbt", "dbt_version": "1.8.7", "profile_name": "lake", "target_name": "prod", '
    '"node_id": "model.lake.campaign_performance"} */'
)
FAILURE_REASONS = (
    "Query exhausted resources at this scale factor",
    'HIVE_BAD_DATA: Error parsing field value for field 2: For input string: "n/a"',
    "GENERIC_INTERNAL_ERROR: Division by zero",
    "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)",
    "HIVE_CURSOR_ERROR: Please reduce your request rate. (Service: Amazon S3; Status Code: 503)",
)


@dataclass(frozen=True)
class QueryTemplate:
    """One recurring statement: SQL with {dt}, its workgroup, default database and typical size."""

    sql: str
    workgroup: str
    database: str
    scanned_mb: int
    engine_ms: int


ETL_DAILY = (
    QueryTemplate("DROP TABLE IF EXISTS demo_marketing.campaign_performance", "etl", "demo_marketing", 0, 400),
    QueryTemplate(
        "CREATE TABLE demo_marketing.campaign_performance\n"
        "WITH (format = 'PARQUET', external_location = "
        "'s3://athena-om-demo-lake/demo_marketing/campaign_performance/{dt}/') AS\n"
        "SELECT c.campaign_id, c.channel, count(a.click_id) AS clicks, sum(a.cost) AS spend,\n"
        "       count(DISTINCT o.order_id) AS attributed_orders\n"
        "FROM demo_marketing.campaigns c\n"
        "LEFT JOIN demo_marketing.ad_clicks a ON a.campaign_id = c.campaign_id\n"
        "LEFT JOIN demo_sales.orders o ON o.customer_id = a.customer_id AND o.dt = '{dt}'\n"
        "GROUP BY c.campaign_id, c.channel",
        "etl",
        "demo_marketing",
        850,
        14_000,
    ),
    QueryTemplate(
        "INSERT INTO demo_sales.order_items_flat\n"
        "SELECT o.order_id, li.sku, li.qty, li.price AS unit_price, p.category, o.dt AS order_dt,\n"
        "       CAST(o.order_id % 16 AS integer) AS bucket\n"
        "FROM demo_sales.orders o\n"
        "CROSS JOIN UNNEST(o.line_items) AS t (li)\n"
        "JOIN demo_sales.products p ON p.sku = li.sku\n"
        "WHERE o.dt = '{dt}'",
        "etl",
        "demo_sales",
        420,
        9_500,
    ),
    QueryTemplate(
        "MERGE INTO demo_sales.order_events t\n"
        "USING (SELECT r.order_id, r.payload, r.ingested_at FROM demo_raw.raw_orders_json r "
        "WHERE r.dt = '{dt}') s\n"
        "ON t.order_id = CAST(s.order_id AS bigint) AND t.event_ts = s.ingested_at\n"
        "WHEN MATCHED THEN UPDATE SET payload = s.payload\n"
        "WHEN NOT MATCHED THEN INSERT (event_id, order_id, event_type, event_ts, payload)\n"
        "VALUES (concat('evt-', s.order_id), CAST(s.order_id AS bigint), 'created', s.ingested_at, s.payload)",
        "etl",
        "demo_sales",
        260,
        21_000,
    ),
    QueryTemplate(
        "UNLOAD (SELECT customer_id, country, lifetime_value FROM demo_sales.customers WHERE is_active)\n"
        "TO 's3://athena-om-demo-exports/customers/dt={dt}/'\nWITH (format = 'PARQUET', compression = 'SNAPPY')",
        "etl",
        "demo_sales",
        35,
        3_800,
    ),
    QueryTemplate(
        "ALTER TABLE demo_raw.raw_orders_json ADD IF NOT EXISTS PARTITION (dt = '{dt}')",
        "etl",
        "demo_raw",
        0,
        700,
    ),
    QueryTemplate(
        DBT_COMMENT + "\ninsert into demo_marketing.campaign_performance\n"
        "select c.campaign_id, c.channel, count(a.click_id) as clicks, sum(a.cost) as spend, 0 as attributed_orders\n"
        "from demo_marketing.campaigns c join demo_marketing.ad_clicks a on a.campaign_id = c.campaign_id\n"
        "where a.hour between 0 and 23\ngroup by c.campaign_id, c.channel",
        "etl",
        "demo_marketing",
        120,
        6_200,
    ),
)

ETL_WEEKLY = (
    QueryTemplate(
        "CREATE OR REPLACE VIEW demo_sales.daily_revenue AS\n" + DAILY_REVENUE_SQL,
        "etl",
        "demo_sales",
        0,
        600,
    ),
    QueryTemplate("MSCK REPAIR TABLE demo_raw.raw_clickstream", "etl", "demo_raw", 0, 45_000),
)

ADHOC = (
    QueryTemplate("SELECT * FROM demo_sales.customers LIMIT 100", "primary", "demo_sales", 3, 900),
    QueryTemplate(
        "SELECT o.order_id, c.full_name, o.total_amount, o.status\nFROM demo_sales.orders o\n"
        "JOIN demo_sales.customers c ON o.customer_id = c.customer_id\n"
        "WHERE o.dt = '{dt}'\nORDER BY o.total_amount DESC\nLIMIT 20",
        "primary",
        "demo_sales",
        180,
        2_600,
    ),
    QueryTemplate(
        "WITH recent AS (\n  SELECT customer_id, sum(total_amount) AS spend\n  FROM demo_sales.orders\n"
        "  WHERE dt >= '{dt}'\n  GROUP BY customer_id\n)\n"
        "SELECT c.country, count(*) AS customers, avg(r.spend) AS avg_spend\nFROM recent r\n"
        "JOIN demo_sales.customers c ON c.customer_id = r.customer_id\nGROUP BY c.country\nORDER BY avg_spend DESC",
        "primary",
        "demo_sales",
        240,
        3_100,
    ),
    QueryTemplate(
        "SELECT region, status, count(*) AS orders, sum(total_amount) AS amount\n"
        "FROM demo_sales.orders\nGROUP BY region, status",
        "primary",
        "demo_sales",
        1_900,
        5_400,
    ),
    QueryTemplate("SELECT * FROM demo_sales.daily_revenue WHERE dt = '{dt}'", "primary", "demo_sales", 150, 2_100),
    QueryTemplate(
        "SELECT channel, count(*) AS campaigns, sum(budget) AS budget\nFROM demo_marketing.campaigns\nGROUP BY channel",
        "primary",
        "demo_marketing",
        1,
        700,
    ),
    QueryTemplate(
        "SELECT dt, region, count(DISTINCT session_id) AS sessions, avg(page_views) AS avg_views\n"
        "FROM demo_marketing.web_sessions\nWHERE dt >= '{dt}'\nGROUP BY dt, region",
        "primary",
        "demo_marketing",
        3_200,
        7_800,
    ),
    QueryTemplate(
        "SELECT s.device.os, count(*) AS sessions\nFROM demo_marketing.web_sessions s\n"
        "WHERE s.dt = '{dt}'\nGROUP BY s.device.os",
        "primary",
        "demo_marketing",
        900,
        2_900,
    ),
    QueryTemplate(
        "SELECT p.category, sum(i.qty * i.unit_price) AS revenue\nFROM demo_sales.order_items_flat i\n"
        "JOIN demo_sales.products p ON p.sku = i.sku\nGROUP BY p.category",
        "primary",
        "demo_sales",
        600,
        3_900,
    ),
    QueryTemplate(
        "SELECT event_type, count(*) AS events FROM demo_sales.order_events GROUP BY event_type",
        "primary",
        "demo_sales",
        80,
        1_600,
    ),
    QueryTemplate(
        "SELECT w.customer_id, count(*) AS sessions, max(o.total_amount) AS biggest_order\n"
        "FROM demo_marketing.web_sessions w\nJOIN demo_sales.orders o ON o.customer_id = w.customer_id\n"
        "WHERE w.dt = '{dt}' AND o.dt = '{dt}'\nGROUP BY w.customer_id",
        "primary",
        "demo_marketing",
        2_700,
        8_800,
    ),
    QueryTemplate(
        "SELECT id, email, created FROM demo_raw.raw_customers_csv WHERE email LIKE '%@example.com'",
        "primary",
        "demo_raw",
        12,
        1_100,
    ),
    QueryTemplate(
        "SELECT context.page, count(*) AS hits FROM demo_raw.raw_clickstream WHERE dt = '{dt}' GROUP BY context.page",
        "primary",
        "demo_raw",
        4_400,
        6_600,
    ),
    QueryTemplate("SHOW TABLES IN demo_sales", "primary", "demo_sales", 0, 300),
    QueryTemplate(
        PROJECT_COMMENT + "\nSELECT count(*) AS row_count FROM demo_sales.orders",
        "primary",
        "demo_sales",
        0,
        800,
    ),
    QueryTemplate(
        PROJECT_COMMENT + "\nSELECT count(*), count(DISTINCT customer_id), min(total_amount), max(total_amount)\n"
        "FROM demo_sales.orders",
        "primary",
        "demo_sales",
        45,
        1_400,
    ),
)


def _record(template: QueryTemplate, submitted: datetime, rng: random.Random) -> QueryRecord:
    day = (submitted - timedelta(days=1)).date().isoformat()
    engine_ms = max(50, int(template.engine_ms * rng.uniform(0.6, 1.8)))
    queue_ms = rng.randint(20, 900)
    planning_ms = rng.randint(30, 400)
    record = QueryRecord(
        query=template.sql.replace("{dt}", day),
        submitted=submitted,
        completed=submitted + timedelta(milliseconds=engine_ms + queue_ms + rng.randint(40, 300)),
        workgroup=template.workgroup,
        database=template.database,
        engine_ms=engine_ms,
        queue_ms=queue_ms,
        planning_ms=planning_ms,
        data_scanned_bytes=int(template.scanned_mb * 1024 * 1024 * rng.uniform(0.7, 1.4)),
        query_execution_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    )
    record.output_location = f"{RESULTS_LOCATION}{template.workgroup}/{record.query_execution_id}.csv"
    roll = rng.random()
    if roll < 0.07:
        record.state = "FAILED"
        record.state_change_reason = rng.choice(FAILURE_REASONS)
        record.data_scanned_bytes //= 3
    elif roll < 0.09:
        record.state = "CANCELLED"
        record.state_change_reason = "Query was cancelled by user"
        record.data_scanned_bytes //= 5
    return record


def demo_query_history(now: datetime | None = None, days: int = 35, seed: int = 7) -> list[QueryRecord]:
    """ETL runs in `etl` and ad-hoc queries in `primary`, for `days` days ending at `now`, oldest first."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(seed)
    records = []
    for back in range(days, -1, -1):
        midnight = (now - timedelta(days=back)).replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight + timedelta(hours=2)
        etl = ETL_DAILY + (ETL_WEEKLY if midnight.weekday() == 0 else ())
        for index, template in enumerate(etl):
            submitted = start + timedelta(minutes=5 * index, seconds=rng.randint(0, 50))
            records.append(_record(template, submitted, rng))
        for _ in range(rng.randint(6, 14)):
            submitted = midnight + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59))
            records.append(_record(rng.choice(ADHOC), submitted, rng))
    records = [r for r in records if r.submitted <= now]
    records.sort(key=lambda r: r.submitted)
    return records
