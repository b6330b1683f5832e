"""The demo lake as data: databases, tables, partitions, views and LF-tags the sandbox seeds.

Tests elsewhere compare what lands in OpenMetadata against DEMO_DATABASES and DEMO_TABLES.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

BUCKET = "athena-om-demo-lake"
RESULTS_BUCKET = "athena-om-sandbox-results"
RESULTS_LOCATION = f"s3://{RESULTS_BUCKET}/"
LF_TAG_KEYS: dict[str, list[str]] = {
    "domain": ["sales", "marketing", "raw"],
    "sensitivity": ["public", "internal", "pii"],
}
PARTITION_DATES = tuple(f"2025-06-{day:02d}" for day in range(1, 8))
REGIONS = ("us", "eu", "apac")


@dataclass(frozen=True)
class ColumnSpec:
    """A Glue column: Hive type string, comment, and column Parameters (Iceberg field flags)."""

    name: str
    type: str
    comment: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatabaseSpec:
    """A Glue database and the LF-tags assigned to it."""

    name: str
    description: str
    location_uri: str
    lf_tags: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """A Glue table (or Athena view) of the demo lake, with its partitions and LF-tags."""

    database: str
    name: str
    columns: tuple[ColumnSpec, ...]
    storage: str  # parquet, orc, json, csv, opencsv, iceberg or view
    description: str
    owner: str
    partition_keys: tuple[ColumnSpec, ...] = ()
    partitions: tuple[tuple[str, ...], ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    view_sql: str | None = None
    lf_tags: dict[str, list[str]] = field(default_factory=dict)
    column_lf_tags: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def is_view(self) -> bool:
        """True for an Athena view (Glue TableType VIRTUAL_VIEW)."""
        return self.storage == "view"

    @property
    def location(self) -> str:
        """The table's S3 location."""
        return f"s3://{BUCKET}/{self.database}/{self.name}/"

    def current_columns(self) -> tuple[ColumnSpec, ...]:
        """Columns a query can see: Iceberg fields marked not current are dropped."""
        return tuple(c for c in self.columns if c.parameters.get("iceberg.field.current") != "false")


def C(name: str, type_: str, comment: str | None = None, **parameters: str) -> ColumnSpec:
    """Shorthand for a ColumnSpec."""
    return ColumnSpec(name, type_, comment, dict(parameters))


def presto_view_text(sql: str, schema: str, columns: list[tuple[str, str]]) -> str:
    """ViewOriginalText as Athena stores it in Glue: a base64 JSON view definition inside a comment."""
    payload = {
        "originalSql": sql,
        "catalog": "awsdatacatalog",
        "schema": schema,
        "columns": [{"name": n, "type": t} for n, t in columns],
    }
    return f"/* Presto View: {base64.b64encode(json.dumps(payload).encode()).decode()} */"


ADDRESS = "struct<street:string,city:string,geo:struct<lat:double,lon:double>>"
LINE_ITEMS = "array<struct<sku:string,qty:int,price:decimal(10,2)>>"
DT_REGION = (C("dt", "string", "Order date, yyyy-MM-dd"), C("region", "string", "Sales region"))

DEMO_DATABASES: tuple[DatabaseSpec, ...] = (
    DatabaseSpec(
        "demo_sales",
        "Curated sales data: orders, customers, products.",
        f"s3://{BUCKET}/demo_sales/",
        {"domain": ["sales"]},
    ),
    DatabaseSpec(
        "demo_marketing",
        "Campaigns, web sessions and ad clicks.",
        f"s3://{BUCKET}/demo_marketing/",
        {"domain": ["marketing"]},
    ),
    DatabaseSpec(
        "demo_raw",
        "Raw landing zone, as delivered by upstream systems.",
        f"s3://{BUCKET}/demo_raw/",
        {"domain": ["raw"], "sensitivity": ["internal"]},
    ),
)

DAILY_REVENUE_SQL = (
    "SELECT dt, region, count(*) AS order_count, sum(total_amount) AS revenue\n"
    "FROM demo_sales.orders\nWHERE status <> 'cancelled'\nGROUP BY dt, region"
)

DEMO_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "demo_sales",
        "orders",
        (
            C("order_id", "bigint", "Order identifier"),
            C("customer_id", "bigint", "Buyer, see customers.customer_id"),
            C("order_ts", "timestamp", "When the order was placed (UTC)"),
            C("status", "varchar(16)", "placed, shipped, delivered or cancelled"),
            C("total_amount", "decimal(12,2)", "Order total in currency"),
            C("currency", "char(3)", "ISO 4217 code"),
            C("shipping_address", ADDRESS, "Where the order ships"),
            C("line_items", LINE_ITEMS, "Products in the order"),
        ),
        "parquet",
        "One row per customer order.",
        "alice@example.com",
        partition_keys=DT_REGION,
        partitions=tuple((d, r) for d in PARTITION_DATES for r in REGIONS[:2]),
        lf_tags={"sensitivity": ["internal"]},
        column_lf_tags={"shipping_address": {"sensitivity": ["pii"]}},
    ),
    TableSpec(
        "demo_sales",
        "customers",
        (
            C("customer_id", "bigint", "Customer identifier"),
            C("email", "string", "Contact e-mail"),
            C("full_name", "string", "Name as entered at sign-up"),
            C("signup_date", "date"),
            C("country", "char(2)", "ISO 3166 country"),
            C("is_active", "boolean"),
            C("lifetime_value", "decimal(14,2)", "Sum of delivered orders"),
            C("attributes", "map<string,string>", "Free-form profile attributes"),
        ),
        "parquet",
        "Customer master data.",
        "data-platform",
        lf_tags={"sensitivity": ["internal"]},
        column_lf_tags={"email": {"sensitivity": ["pii"]}, "full_name": {"sensitivity": ["pii"]}},
    ),
    TableSpec(
        "demo_sales",
        "products",
        (
            C("sku", "string", "Stock keeping unit"),
            C("product_name", "string"),
            C("category", "string"),
            C("unit_price", "decimal(10,2)"),
            C("tags", "array<string>"),
            C("launched_on", "date"),
        ),
        "orc",
        "Product catalogue.",
        "bob@example.com",
        lf_tags={"sensitivity": ["public"]},
    ),
    TableSpec(
        "demo_sales",
        "order_events",
        (
            C("event_id", "string", "Event identifier", **{"iceberg.field.id": "1", "iceberg.field.current": "true"}),
            C("order_id", "bigint", None, **{"iceberg.field.id": "2", "iceberg.field.current": "true"}),
            C("event_type", "string", None, **{"iceberg.field.id": "3", "iceberg.field.current": "true"}),
            C("event_ts", "timestamp", None, **{"iceberg.field.id": "4", "iceberg.field.current": "true"}),
            C("payload", "string", "Raw JSON", **{"iceberg.field.id": "5", "iceberg.field.current": "true"}),
            C("legacy_flag", "boolean", "Dropped", **{"iceberg.field.id": "6", "iceberg.field.current": "false"}),
        ),
        "iceberg",
        "Order lifecycle events (Iceberg, merged hourly).",
        "alice@example.com",
        parameters={
            "table_type": "ICEBERG",
            "metadata_location": f"s3://{BUCKET}/demo_sales/order_events/metadata/00007-6f1c.metadata.json",
            "previous_metadata_location": f"s3://{BUCKET}/demo_sales/order_events/metadata/00006-2b9e.metadata.json",
        },
    ),
    TableSpec(
        "demo_sales",
        "order_items_flat",
        (
            C("order_id", "bigint"),
            C("sku", "string"),
            C("qty", "int"),
            C("unit_price", "decimal(10,2)"),
            C("category", "string"),
            C("order_dt", "string"),
        ),
        "parquet",
        "Order lines flattened for analysis, bucketed by order id.",
        "data-platform",
        partition_keys=(C("bucket", "int", "order_id % 16"),),
        parameters={
            "projection.enabled": "true",
            "projection.bucket.type": "integer",
            "projection.bucket.range": "0,15",
            "storage.location.template": f"s3://{BUCKET}/demo_sales/order_items_flat/bucket=${{bucket}}/",
        },
    ),
    TableSpec(
        "demo_sales",
        "daily_revenue",
        (
            C("dt", "string"),
            C("region", "string"),
            C("order_count", "bigint"),
            C("revenue", "decimal(38,2)"),
        ),
        "view",
        "Revenue per day and region (excludes cancelled orders).",
        "alice@example.com",
        view_sql=DAILY_REVENUE_SQL,
    ),
    TableSpec(
        "demo_marketing",
        "campaigns",
        (
            C("campaign_id", "string"),
            C("name", "string"),
            C("channel", "string", "search, social, email or display"),
            C("budget", "decimal(12,2)"),
            C("start_date", "date"),
            C("end_date", "date"),
            C("target_segments", "array<string>"),
        ),
        "json",
        "Marketing campaigns.",
        "carol@example.com",
    ),
    TableSpec(
        "demo_marketing",
        "web_sessions",
        (
            C("session_id", "string"),
            C("customer_id", "bigint"),
            C("started_at", "timestamp"),
            C("page_views", "int"),
            C("utm", "map<string,string>", "UTM parameters"),
            C("device", "struct<os:string,browser:string>"),
        ),
        "parquet",
        "Website sessions, partition projection by day and region.",
        "carol@example.com",
        partition_keys=(C("dt", "string"), C("region", "string")),
        parameters={
            "projection.enabled": "true",
            "projection.dt.type": "date",
            "projection.dt.format": "yyyy-MM-dd",
            "projection.dt.range": "2025-01-01,NOW",
            "projection.region.type": "enum",
            "projection.region.values": ",".join(REGIONS),
            "storage.location.template": f"s3://{BUCKET}/demo_marketing/web_sessions/${{dt}}/${{region}}/",
        },
        column_lf_tags={"customer_id": {"sensitivity": ["internal"]}},
    ),
    TableSpec(
        "demo_marketing",
        "ad_clicks",
        (
            C("click_id", "string"),
            C("clicked_at", "timestamp"),
            C("cost", "decimal(8,4)"),
            C("customer_id", "bigint"),
        ),
        "csv",
        "Ad clicks per campaign, projected by injected campaign id.",
        "carol@example.com",
        partition_keys=(C("campaign_id", "string"), C("hour", "int")),
        parameters={
            "projection.enabled": "true",
            "projection.campaign_id.type": "injected",
            "projection.hour.type": "integer",
            "projection.hour.range": "0,23",
            "projection.hour.digits": "2",
        },
    ),
    TableSpec(
        "demo_marketing",
        "campaign_performance",
        (
            C("campaign_id", "string"),
            C("channel", "string"),
            C("clicks", "bigint"),
            C("spend", "decimal(18,4)"),
            C("attributed_orders", "bigint"),
        ),
        "parquet",
        "Built daily by CTAS from campaigns, ad_clicks and orders.",
        "data-platform",
    ),
    TableSpec(
        "demo_raw",
        "raw_orders_json",
        (
            C("order_id", "string"),
            C("customer", "string"),
            C("payload", "string"),
            C("ingested_at", "timestamp"),
            C("items", "array<array<string>>"),
            C("scores", "map<string,array<int>>"),
        ),
        "json",
        "Orders as received from the shop API.",
        "ingest-bot",
        partition_keys=(C("dt", "string"),),
        partitions=tuple((d,) for d in PARTITION_DATES),
    ),
    TableSpec(
        "demo_raw",
        "raw_customers_csv",
        (
            C("id", "string"),
            C("email", "string"),
            C("name", "string"),
            C("created", "string", "Creation time as text"),
        ),
        "opencsv",
        "Customer export from the CRM (CSV).",
        "ingest-bot",
        column_lf_tags={"email": {"sensitivity": ["pii"]}},
    ),
    TableSpec(
        "demo_raw",
        "raw_clickstream",
        (
            C("event_id", "string"),
            C("user_agent", "string"),
            C("ip", "string"),
            C("properties", "map<string,string>"),
            C("context", "struct<page:string,referrer:string,screen:struct<w:int,h:int>>"),
        ),
        "orc",
        "Clickstream events from the web tracker.",
        "ingest-bot",
        partition_keys=DT_REGION,
        partitions=tuple((d, r) for d in PARTITION_DATES[-3:] for r in REGIONS),
    ),
)


def demo_table(database: str, name: str) -> TableSpec:
    """The demo table spec with this database and name."""
    for spec in DEMO_TABLES:
        if spec.database == database and spec.name == name:
            return spec
    raise KeyError(f"{database}.{name} is not a demo table")
