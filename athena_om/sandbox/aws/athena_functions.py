"""Athena (Trino) functions DuckDB lacks or spells differently, as sqlglot rewrites and DuckDB Python UDFs.

Approximate aggregates run exactly (approx_distinct as count(DISTINCT), approx_percentile as quantile_disc): the
answers stay within Athena's error bounds and do not change from run to run.
"""

from __future__ import annotations

import duckdb
from sqlglot import exp

NUMERIC_HISTOGRAM_UDF = "athena_om_numeric_histogram"


def to_duckdb_functions(tree: exp.Expression) -> exp.Expression:
    """Rewrite Athena functions in a parsed statement into what DuckDB computes the same way."""

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.ApproxDistinct):
            return exp.Count(this=exp.Distinct(expressions=[node.this.copy()]))
        if isinstance(node, exp.ApproxQuantile):
            quantile = node.args.get("quantile")
            if quantile is not None:
                return exp.Anonymous(this="QUANTILE_DISC", expressions=[node.this.copy(), quantile.copy()])
        if isinstance(node, exp.ArraySize):
            # Athena's cardinality takes arrays and maps; DuckDB's array_length only arrays.
            return exp.Anonymous(this="CARDINALITY", expressions=[node.this.copy()])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "numeric_histogram":
            args = node.expressions
            if len(args) in (2, 3):
                weight = exp.cast(args[2].copy() if len(args) == 3 else exp.Literal.number(1), "DOUBLE")
                entry = exp.Struct(
                    expressions=[
                        exp.PropertyEQ(this=exp.to_identifier("v"), expression=exp.cast(args[1].copy(), "DOUBLE")),
                        exp.PropertyEQ(this=exp.to_identifier("w"), expression=weight),
                    ]
                )
                entries = exp.Filter(
                    this=exp.Anonymous(this="LIST", expressions=[entry]),
                    expression=exp.Where(this=exp.Not(this=exp.Is(this=args[1].copy(), expression=exp.Null()))),
                )
                return exp.Anonymous(this=NUMERIC_HISTOGRAM_UDF, expressions=[args[0].copy(), entries])
        return node

    return tree.transform(rewrite)


# numeric_histogram(n, x[, w]) as a DuckDB macro over the list of (value, weight) pairs: exactly value -> weight
# when there are at most n distinct values (as Trino), else n equal-width bins keyed by their weighted mean
# (Trino merges nearest centroids instead; both give at most n centroids whose weights sum to the total).
_NUMERIC_HISTOGRAM_MACRO = f"""
CREATE OR REPLACE MACRO {NUMERIC_HISTOGRAM_UDF}(n, entries) AS (
  CASE WHEN entries IS NULL OR len(entries) = 0 THEN NULL
  WHEN len(list_distinct(list_transform(entries, lambda e: e.v))) <= n THEN
    map_from_entries(list_transform(
      list_sort(list_distinct(list_transform(entries, lambda e: e.v))),
      lambda d: {{'key': d,
                  'value': list_sum(list_transform(list_filter(entries, lambda e: e.v = d), lambda e: e.w))}}))
  ELSE list_transform([{{'lo': list_min(list_transform(entries, lambda e: e.v)),
                        'hi': list_max(list_transform(entries, lambda e: e.v))}}], lambda s:
    map_from_entries(list_filter(list_transform(
      list_transform(range(n), lambda b: list_filter(entries, lambda e:
        least(CAST(floor((e.v - s.lo) / ((s.hi - s.lo) / n)) AS BIGINT), n - 1) = b)),
      lambda bin: {{'key': list_sum(list_transform(bin, lambda e: e.v * e.w))
                           / list_sum(list_transform(bin, lambda e: e.w)),
                   'value': list_sum(list_transform(bin, lambda e: e.w))}}),
      lambda kv: kv.value IS NOT NULL)))[1]
  END)
"""


def install_functions(connection: duckdb.DuckDBPyConnection) -> None:
    """Define the macros the rewrites call on a DuckDB connection."""
    connection.execute(_NUMERIC_HISTOGRAM_MACRO)
