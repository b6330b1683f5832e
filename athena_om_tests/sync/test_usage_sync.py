"""Planning the query log, usage and lineage from parsed queries and a catalog snapshot (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from athena_om.athena.models import QueryExecution
from athena_om.mapping.fqn import column_fqn, table_fqn
from athena_om.mapping.queries import StoredQuery, query_checksum, stored_query_from_entity
from athena_om.mapping.self_issued import self_issued_patterns
from athena_om.mapping.sql_lineage import ParseFailure, TableName, parse_query
from athena_om.openmetadata.batches import AddLineage, ComputePercentiles, PutEntities, PutTableJoins, ReportUsage
from athena_om.openmetadata.models import LineageSource
from athena_om.sync.lineage import plan_lineage, view_statement
from athena_om.sync.query_log import QueryLogDay, day_bounds, parse_log, plan_query_entities
from athena_om.sync.settings import SyncSettings
from athena_om.sync.snapshot import CatalogSnapshot, CatalogTable, catalog_table_from_entity
from athena_om.sync.usage import plan_usage

SETTINGS = SyncSettings(service_name="svc", price_per_tb_usd=5.0)
DAY = date(2026, 3, 9)


def table(database: str, name: str, columns: list[str], *, view_sql: str | None = None) -> CatalogTable:
    fqn = table_fqn("svc", "default", database, name)
    return CatalogTable(
        name=TableName("awsdatacatalog", database, name),
        fqn=fqn,
        id=f"id-{database}-{name}",
        columns=tuple(columns),
        column_fqns=frozenset(column_fqn(fqn, *c.split(".")) for c in columns),
        is_view=view_sql is not None,
        view_sql=view_sql,
    )


SNAPSHOT = CatalogSnapshot(
    {
        t.name: t
        for t in (
            table("sales", "orders", ["order_id", "customer_id", "amount", "address", "address.city"]),
            table("sales", "customers", ["customer_id", "name", "country"]),
            table("sales", "order_summary", ["customer_id", "total"]),
            table("sales", "big_orders", ["order_id", "customer_id", "amount", "address"]),
            table(
                "sales",
                "by_country",
                ["country", "n"],
                view_sql="SELECT country, count(*) AS n FROM customers GROUP BY country",
            ),
        )
    }
)


def execution(n: int, sql: str, state: str = "SUCCEEDED", scanned: int = 10**9) -> QueryExecution:
    at = datetime(2026, 3, 9, 10, n, tzinfo=UTC)
    return QueryExecution(
        query_id=f"q{n}",
        query=sql,
        state=state,
        submitted_at=at,
        completed_at=at,
        total_execution_ms=1000 + n,
        data_scanned_bytes=scanned,
        workgroup="primary",
        catalog="AwsDataCatalog",
        database="sales",
    )


def day_log(*queries: QueryExecution) -> QueryLogDay:
    log = QueryLogDay(day=DAY, queries=list(queries), workgroups=["primary"])
    parse_log(log, SNAPSHOT.schema())
    return log


LOG = day_log(
    execution(1, "SELECT o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id"),
    execution(2, "SELECT * FROM orders"),
    execution(3, "INSERT INTO order_summary SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id"),
    execution(4, "CREATE TABLE big_orders AS SELECT * FROM orders WHERE amount > 100"),
    execution(5, "SELECT * FROM customers", state="FAILED"),
    execution(6, "SELECT * FROM nowhere.ghost"),
    execution(7, "INSERT INTO nowhere.ghost SELECT customer_id FROM customers"),
    execution(8, "SELEC nonsense FORM"),
    execution(9, "UNLOAD (SELECT name FROM customers) TO 's3://bucket/x/'"),
)


def test_day_bounds_are_utc_midnights() -> None:
    assert day_bounds(DAY) == (datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))


def test_self_issued_markers_accept_whole_comments_and_patterns() -> None:
    patterns = self_issued_patterns(["/* athena-om */", r"^airflow\b"])
    from athena_om.mapping.sql_lineage import is_self_issued

    assert is_self_issued("/* athena-om */ SELECT 1", patterns)
    assert is_self_issued("/* airflow dag=x */ SELECT 1", patterns)
    assert is_self_issued('/* {"app": "dbt"} */ SELECT 1', patterns)
    assert not is_self_issued("/* athena-omnibus */ SELECT 1", patterns)
    assert not is_self_issued("SELECT 1 /* athena-om */", patterns)


def test_only_successful_queries_are_parsed() -> None:
    assert "q5" not in LOG.parsed
    assert [qid for qid, _ in LOG.parse_failures()] == ["q8"]


def test_query_entities_name_tables_used_and_cost() -> None:
    batch = plan_query_entities(LOG, SNAPSHOT, SETTINGS)
    (put,) = batch.operations
    assert isinstance(put, PutEntities) and put.collection == "queries"
    # Nine distinct SQL texts, each named by its checksum as OpenMetadata names queries.
    assert {r.name for r in put.requests} == {query_checksum(q.query) for q in LOG.queries}
    by_sql = {r.query: r for r in put.requests}
    by_name = {q.query_id: by_sql[q.query] for q in LOG.queries}
    used = {ref.fullyQualifiedName for ref in by_name["q3"].queryUsedIn}
    assert used == {SNAPSHOT.fqn_of(TableName("awsdatacatalog", "sales", n)) for n in ("orders", "order_summary")}
    assert by_name["q6"].queryUsedIn is None  # the only table is unknown to OpenMetadata
    # A failed run's text still names its table (but never counts as usage).
    assert [ref.id for ref in by_name["q5"].queryUsedIn or []] == ["id-sales-customers"]
    assert by_name["q1"].duration == 1001.0
    assert by_name["q1"].dialect == "athena"
    assert "FAILED" in by_name["q5"].description
    assert batch.metadata["queries_read"] == 9
    assert batch.metadata["queries_failed_or_cancelled"] == 1
    assert batch.metadata["queries_failed_to_parse"] == 1
    assert "q8" in batch.metadata["parse_failures"]
    assert batch.metadata["tables_not_in_openmetadata"] == 1
    # 8 billed queries at 1 GB each and one failed (free), at $5/TB
    assert batch.metadata["estimated_cost_usd"] == round(8 * 0.005, 4)
    assert batch.payloads == {"2026-03-09": LOG}
    assert (
        batch.known_table_ids[SNAPSHOT.tables[TableName("awsdatacatalog", "sales", "orders")].fqn] == "id-sales-orders"
    )


def test_runs_of_the_same_sql_become_one_query_entity() -> None:
    sql = "SELECT * FROM orders"
    log = day_log(execution(1, sql), execution(2, "SELECT 1"), execution(3, sql, state="FAILED"))
    (put,) = plan_query_entities(log, SNAPSHOT, SETTINGS).operations
    assert isinstance(put, PutEntities)
    assert sorted(r.query for r in put.requests) == ["SELECT * FROM orders", "SELECT 1"]
    (orders,) = [r for r in put.requests if r.query == sql]
    assert orders.description is not None and orders.description.startswith("2 runs")
    assert orders.description.splitlines()[0].endswith("latest query id q3")
    assert [ref.fullyQualifiedName for ref in orders.queryUsedIn or []] == [
        SNAPSHOT.fqn_of(TableName("awsdatacatalog", "sales", "orders"))
    ]


def test_usage_counts_successful_reads_of_known_tables_then_percentiles_then_joins() -> None:
    batch = plan_usage(LOG, SNAPSHOT)
    usage = {op.table_fqn.rsplit(".", 1)[1]: op.count for op in batch.operations if isinstance(op, ReportUsage)}
    # orders: q1, q2, q3, q4; customers: q1, q7, q9 (q5 failed, q8 unparseable); ghost is unknown
    assert usage == {"orders": 4, "customers": 3}
    kinds = [type(op).__name__ for op in batch.operations]
    assert kinds.index("ComputePercentiles") == len(usage)
    assert isinstance(batch.operations[len(usage)], ComputePercentiles)
    joins = {op.table_fqn.rsplit(".", 1)[1]: op.joins for op in batch.operations if isinstance(op, PutTableJoins)}
    assert set(joins) == {"orders", "customers"}
    (column,) = joins["orders"].columnJoins
    assert column.columnName == "customer_id"
    assert column.joinedWith[0].fullyQualifiedName.endswith("sales.customers.customer_id")
    assert batch.metadata["tables_with_usage"] == 2
    assert batch.metadata["tables_not_in_openmetadata"] == 1
    assert "sales.orders` | 4 |" in batch.metadata["top_tables"]


def test_lineage_from_insert_ctas_and_views_with_column_edges() -> None:
    batch = plan_lineage(LOG, SNAPSHOT)
    edges = {(op.from_fqn.rsplit(".", 1)[1], op.to_fqn.rsplit(".", 1)[1]): op.details for op in batch.operations}
    assert isinstance(batch.operations[0], AddLineage)
    assert set(edges) == {("orders", "order_summary"), ("orders", "big_orders"), ("customers", "by_country")}
    summary = edges[("orders", "order_summary")]
    assert summary.source == LineageSource.QUERY_LINEAGE
    assert summary.sqlQuery.startswith("INSERT INTO order_summary")
    to_total = next(c for c in summary.columnsLineage if c.toColumn.endswith(".total"))
    assert to_total.fromColumns == [
        column_fqn(SNAPSHOT.fqn_of(TableName("awsdatacatalog", "sales", "orders")), "amount")
    ]
    # SELECT * expanded with the catalog's columns: every column of big_orders comes from orders
    ctas = edges[("orders", "big_orders")]
    assert sorted(c.toColumn.rsplit(".", 1)[1] for c in ctas.columnsLineage) == [
        "address",
        "amount",
        "customer_id",
        "order_id",
    ]
    view = edges[("customers", "by_country")]
    assert view.source == LineageSource.VIEW_LINEAGE
    assert [c.toColumn.rsplit(".", 1)[1] for c in view.columnsLineage] == ["country"]
    assert batch.metadata["unload_to_s3"] == 1
    assert batch.metadata["queries_failed_to_parse"] == 1
    assert any("q7" in w and "nowhere.ghost" in w for w in batch.warnings)
    assert any("q8" in w for w in batch.warnings)


def test_lineage_merges_queries_writing_the_same_edge_and_skips_self_edges() -> None:
    log = day_log(
        execution(1, "INSERT INTO order_summary (customer_id) SELECT customer_id FROM orders"),
        execution(2, "INSERT INTO order_summary (total) SELECT amount FROM orders"),
        execution(3, "INSERT INTO orders SELECT * FROM orders"),
    )
    batch = plan_lineage(log, SNAPSHOT, include_views=False)
    (op,) = batch.operations
    assert [c.toColumn.rsplit(".", 1)[1] for c in op.details.columnsLineage] == ["customer_id", "total"]
    assert op.details.sqlQuery.endswith("SELECT amount FROM orders")


def test_column_edges_to_columns_openmetadata_lacks_are_dropped_and_counted() -> None:
    log = day_log(execution(1, "INSERT INTO order_summary (customer_id, total) SELECT customer_id, bogus FROM orders"))
    batch = plan_lineage(log, SNAPSHOT, include_views=False)
    (op,) = batch.operations
    assert [c.toColumn.rsplit(".", 1)[1] for c in op.details.columnsLineage] == ["customer_id"]
    assert batch.metadata["column_edges_skipped"] == 1


def test_view_statement_wraps_a_bare_select() -> None:
    view = SNAPSHOT.tables[TableName("awsdatacatalog", "sales", "by_country")]
    assert view_statement(view).startswith('CREATE OR REPLACE VIEW "sales"."by_country" AS\nSELECT country')


def test_catalog_table_from_an_openmetadata_entity_flattens_struct_columns() -> None:
    fqn = "svc.default.sales.orders"
    entity = {
        "id": "t1",
        "fullyQualifiedName": fqn,
        "tableType": "Regular",
        "columns": [
            {"name": "order_id", "fullyQualifiedName": f"{fqn}.order_id"},
            {"name": "address", "children": [{"name": "city"}]},
        ],
    }
    parsed = catalog_table_from_entity(entity)
    assert parsed.name == TableName("awsdatacatalog", "sales", "orders")
    assert parsed.columns == ("order_id", "address", "address.city")
    assert f"{fqn}.address.city" in parsed.column_fqns
    assert not parsed.is_view


def test_unknown_columns_are_left_out_of_joins() -> None:
    log = day_log(execution(1, "SELECT 1 FROM orders o JOIN customers c ON o.bogus = c.customer_id"))
    joins = [op for op in plan_usage(log, SNAPSHOT).operations if isinstance(op, PutTableJoins)]
    assert all(not op.joins.columnJoins for op in joins)
    assert parse_query("SELECT 1", "sales") is not None


# -- Query entities accumulate across days --------------------------------------------------------------

CUSTOMERS_SQL = "SELECT name, country FROM customers WHERE country = 'FR'"
DROP_SQL = "DROP TABLE IF EXISTS sales.big_orders"


def run_of(day: int, minute: int, sql: str, state: str = "SUCCEEDED") -> QueryExecution:
    at = datetime(2026, 3, day, 10, minute, tzinfo=UTC)
    return QueryExecution(
        query_id=f"d{day}-m{minute}",
        query=sql,
        state=state,
        state_change_reason="GENERIC_INTERNAL_ERROR: Division by zero" if state == "FAILED" else None,
        statement_type="DML" if sql.startswith("SELECT") else "DDL",
        submitted_at=at,
        completed_at=at,
        total_execution_ms=100 * day + minute,
        data_scanned_bytes=10**6 * day,
        workgroup="primary",
        catalog="AwsDataCatalog",
        database="sales",
    )


def log_of(day: int, *queries: QueryExecution) -> QueryLogDay:
    log = QueryLogDay(day=date(2026, 3, day), queries=list(queries), workgroups=["primary"])
    parse_log(log, SNAPSHOT.schema())
    return log


# Three days as in the demo: on the last, both texts' only runs fail.
DAYS = {
    7: log_of(7, run_of(7, 1, CUSTOMERS_SQL), run_of(7, 2, DROP_SQL), run_of(7, 3, "SELECT * FROM orders")),
    8: log_of(8, run_of(8, 1, CUSTOMERS_SQL), run_of(8, 5, CUSTOMERS_SQL, "FAILED"), run_of(8, 2, DROP_SQL)),
    9: log_of(9, run_of(9, 1, CUSTOMERS_SQL, "FAILED"), run_of(9, 2, DROP_SQL, "FAILED")),
}


class FakeQueryStore:
    """Query entities as OpenMetadata keeps them: a PUT replaces the entity, queryUsedIn included."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Any]] = {}

    def stored(self) -> dict[str, StoredQuery]:
        return {name: stored_query_from_entity(entity) for name, entity in self.entities.items()}

    def run(self, *days: int) -> None:
        batch = plan_query_entities([DAYS[d] for d in days], SNAPSHOT, SETTINGS, self.stored())
        (put,) = batch.operations
        assert isinstance(put, PutEntities)
        for request in put.requests:
            self.entities[request.name or ""] = request.to_body()


def store_after(*runs: tuple[int, ...]) -> dict[str, dict[str, Any]]:
    store = FakeQueryStore()
    for days in runs:
        store.run(*days)
    return store.entities


def test_failed_runs_are_parsed_apart_and_never_counted_as_usage() -> None:
    assert set(LOG.parsed_unsuccessful) == {"q5"}
    assert "q5" not in LOG.parsed
    assert [q.query_id for q, _ in LOG.parsed_executions()] == [q.query_id for q in LOG.succeeded()]


def test_a_day_whose_runs_all_failed_still_links_the_tables_its_text_names() -> None:
    entities = store_after((9,))
    customers = entities[query_checksum(CUSTOMERS_SQL)]
    assert [ref["fullyQualifiedName"] for ref in customers["queryUsedIn"]] == [
        SNAPSHOT.fqn_of(TableName("awsdatacatalog", "sales", "customers"))
    ]
    assert customers["query_type"] == "select"  # from the text, not Athena's DML of the failed run
    assert entities[query_checksum(DROP_SQL)]["queryUsedIn"] == [
        {"id": "id-sales-big_orders", "type": "table", "fullyQualifiedName": SNAPSHOT.fqn_of(BIG_ORDERS)}
    ]


BIG_ORDERS = TableName("awsdatacatalog", "sales", "big_orders")


def test_query_entities_read_back_the_same_whatever_order_days_ran_in() -> None:
    in_order = store_after((7,), (8,), (9,))
    assert store_after((9,), (8,), (7,)) == in_order
    assert store_after((7,), (9,), (8,), (8,)) == in_order  # a re-run of day 8, after day 9
    assert store_after((7, 8, 9)) == in_order  # one backfill run over the range
    assert store_after((9,), (7, 8), (9,), (7,)) == in_order
    customers = in_order[query_checksum(CUSTOMERS_SQL)]
    assert customers["queryDate"] == int(datetime(2026, 3, 9, 10, 1, tzinfo=UTC).timestamp() * 1000)
    assert customers["duration"] == 901.0
    assert customers["description"].startswith("4 runs over 3 days")
    assert "2 not succeeded, last FAILED: GENERIC_INTERNAL_ERROR: Division by zero" in customers["description"]


def test_tables_linked_on_an_earlier_day_are_kept_unless_gone_from_openmetadata() -> None:
    store = FakeQueryStore()
    store.run(7)
    name = query_checksum(CUSTOMERS_SQL)
    store.entities[name]["queryUsedIn"] += [{"id": "id-sales-orders", "type": "table"}, {"id": "gone", "type": "t"}]
    store.run(9)
    assert [ref["id"] for ref in store.entities[name]["queryUsedIn"]] == ["id-sales-customers", "id-sales-orders"]


def test_an_unparseable_text_keeps_the_statement_type_openmetadata_has() -> None:
    store = FakeQueryStore()
    store.run(7)
    name = query_checksum(CUSTOMERS_SQL)
    log = DAYS[8]
    broken = QueryLogDay(day=log.day, queries=log.queries, workgroups=log.workgroups)
    broken.parsed = {qid: ParseFailure("timed out") for qid in log.parsed}
    broken.parsed_unsuccessful = {qid: ParseFailure("timed out") for qid in log.parsed_unsuccessful}
    batch = plan_query_entities(broken, SNAPSHOT, SETTINGS, store.stored())
    (put,) = batch.operations
    assert isinstance(put, PutEntities)
    (customers,) = [r for r in put.requests if r.name == name]
    assert customers.query_type == "select"
    assert batch.metadata["query_entities_merged"] == 2


def test_a_query_too_large_for_column_lineage_keeps_its_table_edge_and_says_why() -> None:
    # Past the size bound (500 query blocks), column analysis is skipped whatever the clock says; the generous
    # time budget keeps a busy machine from turning this into a timeout instead.
    branches = " UNION ALL ".join(f"SELECT customer_id, amount FROM orders WHERE amount > {i}" for i in range(600))
    log = QueryLogDay(day=DAY, queries=[execution(1, f"INSERT INTO order_summary {branches}")], workgroups=["primary"])
    parse_log(log, SNAPSHOT.schema(), timeout_s=600)
    batch = plan_lineage(log, SNAPSHOT, include_views=False)
    (op,) = batch.operations
    assert (op.from_fqn.rsplit(".", 1)[1], op.to_fqn.rsplit(".", 1)[1]) == ("orders", "order_summary")
    assert not op.details.columnsLineage
    assert batch.metadata["queries_column_lineage_given_up"] == 1
    assert any(w.startswith("query q1: column lineage skipped:") for w in batch.warnings)
