"""The profile SQL builder: quoting, per-type metrics, one query per table, GROUPING SETS uniqueness."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlglot
from sqlglot import exp

from athena_om.mapping.profile_sql import (
    ColumnKind,
    Sample,
    parse_partition_filter,
    partition_predicate,
    profile_query,
    profiled_columns,
    sample_rows_query,
    uniqueness_query,
)
from athena_om.mapping.profiles import (
    ProfileContext,
    centroid_histogram,
    sample_table_data,
    table_profile_request,
    uniqueness_from_rows,
)
from athena_om.sandbox.aws.sql_engine import AthenaSqlEngine, MapValue

HOSTILE = ['we"ird', "semi;colon", "drop table x--", "dotted.name", "Ünïcode tablé", "select"]


def test_every_identifier_is_quoted_even_hostile_ones() -> None:
    for name in HOSTILE:
        query = profile_query(name, name, profiled_columns([(name, "bigint")]))
        sql = query.sql()
        quoted = '"' + name.replace('"', '""') + '"'
        assert f"{quoted}.{quoted}" in sql
        # The statement parses back to one SELECT reading exactly that table: nothing leaked out of its quotes.
        tree = sqlglot.parse_one(sql, read="athena")
        assert isinstance(tree, exp.Select)
        tables = list(tree.find_all(exp.Table))
        assert [(t.db, t.name) for t in tables] == [(name, name)]


@pytest.mark.parametrize(
    ("type_", "kind", "metrics"),
    [
        ("bigint", ColumnKind.NUMERIC, {"valuesCount", "nullCount", "distinctCount", "min", "max", "mean", "sum",
                                         "stddev", "quantiles", "histogram"}),
        ("decimal(12,2)", ColumnKind.NUMERIC, {"valuesCount", "nullCount", "distinctCount", "min", "max", "mean",
                                               "sum", "stddev", "quantiles", "histogram"}),
        ("varchar(16)", ColumnKind.STRING, {"valuesCount", "nullCount", "distinctCount", "minLength", "maxLength"}),
        ("timestamp", ColumnKind.TEMPORAL, {"valuesCount", "nullCount", "distinctCount", "min", "max"}),
        ("boolean", ColumnKind.BOOLEAN, {"valuesCount", "nullCount", "distinctCount"}),
        ("array<string>", ColumnKind.COLLECTION, {"valuesCount", "nullCount", "minLength", "maxLength",
                                                  "meanCardinality"}),
        ("map<string,int>", ColumnKind.COLLECTION, {"valuesCount", "nullCount", "minLength", "maxLength",
                                                    "meanCardinality"}),
        ("binary", ColumnKind.COUNT_ONLY, {"valuesCount", "nullCount"}),
        ("json", ColumnKind.COUNT_ONLY, {"valuesCount", "nullCount"}),
    ],
)  # fmt: skip
def test_metrics_per_type(type_: str, kind: ColumnKind, metrics: set[str]) -> None:
    columns = profiled_columns([("c", type_)])
    assert [c.kind for c in columns] == [kind]
    query = profile_query("db", "t", columns)
    assert {ref.metric for ref in query.metrics.values() if ref.column == "c"} == metrics
    assert [ref.metric for ref in query.metrics.values() if ref.column is None] == ["rowCount"]


def test_struct_leaves_are_profiled_under_dotted_names() -> None:
    columns = profiled_columns([("addr", "struct<city:string,geo:struct<lat:double,lon:double>>")])
    assert [c.name for c in columns] == ["addr.city", "addr.geo.lat", "addr.geo.lon"]
    sql = profile_query("db", "t", columns).sql()
    assert '"__athena_om_t"."addr"."geo"."lat"' in sql


def test_one_query_for_every_metric_and_sampling_and_partitions() -> None:
    columns = profiled_columns([("a", "int"), ("b", "string")])
    where = partition_predicate([("2025-06-07",)], [("dt", "string")])
    sql = profile_query("db", "t", columns, where=where, sample=Sample(percent=12.5)).sql()
    assert sql.count("SELECT") == 1
    assert "TABLESAMPLE SYSTEM (12.5)" in sql
    assert """WHERE "__athena_om_t"."dt" = '2025-06-07'""" in sql
    assert 'SUM(CAST("__athena_om_t"."a" AS DECIMAL(38, 0)))' in sql  # no bigint overflow on big tables
    limited = profile_query("db", "t", columns, where=where, sample=Sample(rows=100)).sql()
    assert "LIMIT 100" in limited and limited.count("WHERE") == 1


def test_partition_literals_follow_the_key_type() -> None:
    predicate = partition_predicate([("7", "2025-06-07")], [("bucket", "int"), ("day", "date")])
    assert predicate is not None
    assert predicate.sql("athena") == (
        '"__athena_om_t"."bucket" = 7 AND "__athena_om_t"."day" = CAST(\'2025-06-07\' AS DATE)'
    )


def test_a_configured_filter_is_qualified_and_quoted() -> None:
    condition = parse_partition_filter("campaign_id = 'CMP-01' AND hour IN (1, 2)")
    assert condition.sql("athena") == (
        '"__athena_om_t"."campaign_id" = \'CMP-01\' AND "__athena_om_t"."hour" IN (1, 2)'
    )


def _engine() -> AthenaSqlEngine:
    engine = AthenaSqlEngine()
    spec = [("n", "bigint"), ("s", "varchar(8)"), ("addr", "struct<city:string>"), ("xs", "array<int>"),
            ("m", "map<string,string>"), ("d", "decimal(6,2)")]  # fmt: skip
    engine.create_table_for_glue("d b", 't"x', spec)
    rows = [
        (i if i % 5 else None, "v" * (i % 4), {"city": f"c{i % 3}"}, [1] * (i % 3), MapValue({"a": "b"}),
         Decimal(i) / 4)
        for i in range(40)
    ]  # fmt: skip
    engine.insert_rows("d b", 't"x', rows)
    return engine


def test_the_profile_query_runs_and_maps_to_exact_values() -> None:
    engine = _engine()
    columns = profiled_columns(
        [("n", "bigint"), ("s", "varchar(8)"), ("addr", "struct<city:string>"), ("xs", "array<int>"),
         ("m", "map<string,string>"), ("d", "decimal(6,2)")]
    )  # fmt: skip
    query = profile_query("d b", 't"x', columns)
    result = engine.execute(query.sql())
    row = dict(zip(result.column_names, result.rows[0], strict=True))
    unique = uniqueness_query("d b", 't"x', columns)
    assert unique is not None
    urows = engine.execute(unique.sql())
    exact = uniqueness_from_rows([dict(zip(urows.column_names, r, strict=True)) for r in urows.rows], unique.columns)
    mapped = table_profile_request(row, query.metrics, ProfileContext(1_700_000_000_000, 6), exact=exact)
    profile = {c.name: c for c in mapped.request.columnProfile or []}
    values = [i for i in range(40) if i % 5]
    assert mapped.request.tableProfile.rowCount == 40
    n = profile["n"]
    assert (n.valuesCount, n.nullCount, n.min, n.max) == (32, 8, 1, 39)
    assert n.sum == sum(values) and n.mean == pytest.approx(sum(values) / 32)
    assert n.distinctCount == 32 and n.uniqueCount == 32 and n.duplicateCount == 0
    assert n.nullProportion == pytest.approx(8 / 40)
    s = profile["s"]
    assert (s.minLength, s.maxLength, s.distinctCount, s.uniqueCount) == (0, 3, 4, 0)
    assert profile["addr.city"].distinctCount == 3
    assert (profile["xs"].minLength, profile["xs"].maxLength) == (0, 2)
    assert (profile["m"].minLength, profile["m"].maxLength) == (1, 1)
    assert profile["d"].max == 9.75


def test_approximate_metrics_are_labelled() -> None:
    columns = profiled_columns([("n", "bigint")])
    query = profile_query("db", "t", columns)
    row = {alias: None for alias in query.metrics}
    aliases = {ref.metric: alias for alias, ref in query.metrics.items()}
    row |= {aliases["rowCount"]: 10, aliases["valuesCount"]: 10, aliases["distinctCount"]: 11,
            aliases["min"]: 0, aliases["max"]: 9, aliases["mean"]: 4.5, aliases["stddev"]: 2.87,
            aliases["quantiles"]: [2.25, 4.5, 6.75]}  # fmt: skip
    column = table_profile_request(row, query.metrics, ProfileContext(1, 1)).request.columnProfile[0]  # type: ignore[index]
    assert column.distinctCount == 10  # an approximate count never exceeds the values counted
    assert column.median == 4.5 and column.interQuartileRange == pytest.approx(4.5)
    assert {m.name for m in column.customMetrics or []} == {
        "distinctCount (approximate)", "median (approximate)", "firstQuartile (approximate)",
        "thirdQuartile (approximate)",
    }  # fmt: skip


def test_the_histogram_bins_numeric_histogram_centroids_between_min_and_max() -> None:
    histogram = centroid_histogram(0.0, 10.0, [(1.0, 5.0), (5.0, 3.0), (9.0, 2.0)])
    assert histogram is not None
    assert histogram.boundaries == ["0.000 to 3.000", "3.000 to 7.000", "7.000 to 10.000"]
    assert histogram.frequencies == [5, 3, 2]
    assert centroid_histogram(0.0, 1.0, []) is None


def test_the_histogram_comes_from_numeric_histogram_with_its_text_map() -> None:
    columns = profiled_columns([("n", "double")])
    query = profile_query("db", "t", columns)
    assert "NUMERIC_HISTOGRAM(10, CAST(" in query.sql()
    aliases = {ref.metric: alias for alias, ref in query.metrics.items()}
    # PyAthena hands a map(double, double) over as text keys and values, in no particular order.
    row = {aliases["rowCount"]: 6, aliases["valuesCount"]: 6, aliases["min"]: 1, aliases["max"]: 3,
           aliases["histogram"]: {"3.0": "1.0", "1.0": "3.0", "2.0": "2.0"}}  # fmt: skip
    column = table_profile_request(row, query.metrics, ProfileContext(1, 1)).request.columnProfile[0]  # type: ignore[index]
    assert column.histogram is not None
    assert column.histogram.boundaries == ["1.000 to 1.500", "1.500 to 2.500", "2.500 to 3.000"]
    assert column.histogram.frequencies == [3, 2, 1]


def test_dates_and_times_map_to_iso_text() -> None:
    columns = profiled_columns([("t", "timestamp")])
    query = profile_query("db", "t", columns)
    aliases = {ref.metric: alias for alias, ref in query.metrics.items()}
    row = {aliases["rowCount"]: 1, aliases["min"]: dt.datetime(2025, 1, 1, 2), aliases["max"]: dt.date(2025, 2, 1)}
    column = table_profile_request(row, query.metrics, ProfileContext(1, 1)).request.columnProfile[0]  # type: ignore[index]
    assert (column.min, column.max) == ("2025-01-01T02:00:00", "2025-02-01")


def test_sample_rows_are_quoted_limited_and_sent_as_json_values() -> None:
    where = partition_predicate([("2025-06-07",)], [("dt", "string")])
    sql = sample_rows_query('d"b', "t x", ["it's", "dt"], where=where, limit=50).sql("athena")
    assert sql == (
        'SELECT "__athena_om_t"."it\'s", "__athena_om_t"."dt" FROM "d""b"."t x" AS "__athena_om_t" '
        'WHERE "__athena_om_t"."dt" = \'2025-06-07\' LIMIT 50'
    )
    data = sample_table_data(
        ["n", "d", "when", "raw", "xs", "nan"],
        [(1, Decimal("2.50"), dt.date(2025, 6, 7), b"\x01\xff", [dt.datetime(2025, 1, 1)], float("nan"))],
    )
    assert data.to_body() == {
        "columns": ["n", "d", "when", "raw", "xs", "nan"],
        "rows": [[1, "2.50", "2025-06-07", "01ff", ["2025-01-01T00:00:00"], None]],
    }
