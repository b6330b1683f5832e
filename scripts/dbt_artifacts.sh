#!/usr/bin/env bash
# Produce the dbt artifacts of athena_om_tests/dbt_project with real dbt, into OUT_DIR:
#   manifest.json     `dbt compile` on dbt-athena (target athena): Athena's names (database awsdatacatalog) and
#                     compiled SQL; no connection is opened (--no-populate-cache --no-introspect).
#   run_results.json  a real `dbt build` on dbt-duckdb (target duckdb) of the same project, over a DuckDB file
#                     seeded with a few rows per source table; one accepted_values test fails on purpose.
#   sources.json      `dbt source freshness` on dbt-duckdb.
#   catalog.json      `dbt docs generate` on dbt-duckdb.
# Node unique_ids do not depend on the adapter, so the duckdb results name the athena manifest's nodes.
#
# Usage: scripts/dbt_artifacts.sh OUT_DIR [DBT_VENV]   (default .cache/dbt-venv, installed by scripts/install_dbt.sh)
set -euo pipefail

OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
VENV="${2:-.cache/dbt-venv}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PROJECT="$ROOT/athena_om_tests/dbt_project"
[[ -x "$VENV/bin/dbt" ]] || "$ROOT/scripts/install_dbt.sh" "$VENV"
VENV="$(cd "$VENV" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$PROJECT"/. "$WORK"/
cd "$WORK"
export DBT_PROFILES_DIR="$WORK" DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_DUCKDB_PATH="$WORK/demo_lake.duckdb"
# dbt-athena builds a boto3 session even for compile; these keys never reach AWS.
export AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_DEFAULT_REGION=us-east-1
DBT=("$VENV/bin/dbt" --no-use-colors)

"${DBT[@]}" compile --target athena --target-path "$WORK/athena" --no-populate-cache --no-introspect > "$WORK/compile.log" \
    || { cat "$WORK/compile.log"; exit 1; }
cp "$WORK/athena/manifest.json" "$OUT/manifest.json"

"$VENV/bin/python" - "$DBT_DUCKDB_PATH" <<'PY'
import sys

import duckdb

con = duckdb.connect(sys.argv[1])
con.execute("""
create schema if not exists demo_sales; create schema if not exists demo_marketing; create schema if not exists demo_raw;
create or replace table demo_sales.orders as select * from (values
  (1, 10, timestamp '2025-06-01 10:00:00', 'delivered', 20.50, 'EUR', '2025-06-01', 'eu'),
  (2, 11, timestamp '2025-06-01 11:00:00', 'cancelled', 99.00, 'USD', '2025-06-01', 'us'),
  (3, 10, timestamp '2025-06-02 09:30:00', 'shipped', 12.25, 'USD', '2025-06-02', 'us')
) t(order_id, customer_id, order_ts, status, total_amount, currency, dt, region);
create or replace table demo_marketing.campaigns as select * from (values
  ('c1', 'Summer', 'search', 1000.00), ('c2', 'Newsletter', 'email', 50.00)
) t(campaign_id, name, channel, budget);
create or replace table demo_marketing.ad_clicks as select * from (values
  ('k1', 'c1', 0.25), ('k2', 'c1', 0.30), ('k3', 'c2', 0.01)
) t(click_id, campaign_id, cost);
create or replace table demo_raw.raw_customers_csv as select * from (values
  ('10', 'Ann@Example.com', 'Ann', '2024-01-02'), ('11', 'bo@example.com', 'Bo', '2024-03-04')
) t(id, email, name, created);
""")
PY

# A failing test makes `dbt build` exit 1: its results are what we want, so the status is not fatal here.
"${DBT[@]}" build --target duckdb --target-path "$WORK/duckdb" > "$WORK/build.log" || true
grep -q '"unique_id": "model.athena_demo.daily_revenue"' "$WORK/duckdb/run_results.json" \
    || { cat "$WORK/build.log"; exit 1; }
cp "$WORK/duckdb/run_results.json" "$OUT/run_results.json"
"${DBT[@]}" source freshness --target duckdb --target-path "$WORK/duckdb" > "$WORK/freshness.log" || true
cp "$WORK/duckdb/sources.json" "$OUT/sources.json"
"${DBT[@]}" docs generate --target duckdb --target-path "$WORK/duckdb" > "$WORK/docs.log" \
    || { cat "$WORK/docs.log"; exit 1; }
cp "$WORK/duckdb/catalog.json" "$OUT/catalog.json"
"$VENV/bin/dbt" --version | grep -m1 installed | tr -d " " > "$OUT/dbt_version.txt"
echo "dbt artifacts in $OUT"
