#!/usr/bin/env bash
# Install real dbt (dbt-core with the dbt-athena-community and dbt-duckdb adapters) in a virtualenv of its own, to
# produce the test project's artifacts. It is never a dependency of athena-om: dbt-core pins protobuf, networkx,
# sqlparse and friends against ours, and dbt-core 1.12 pulls a package that downloads from GitHub while installing.
#
# Usage: scripts/install_dbt.sh [VENV_DIR] [DBT_CORE_VERSION]   (defaults .cache/dbt-venv, 1.11.x)
# Idempotent: a finished venv carries a marker file and is left alone. PYTHON picks the interpreter (python3).
set -euo pipefail

VENV="${1:-.cache/dbt-venv}"
CORE="${2:-1.11.*}"
PYTHON="${PYTHON:-python3}"
MARKER="$VENV/.dbt-${CORE//\*/x}"

if [[ -f "$MARKER" ]]; then
    echo "dbt-core $CORE already installed in $VENV"
    exit 0
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --upgrade pip
case "$CORE" in
    1.11.*) ADAPTERS=("dbt-athena-community==1.11.1" "dbt-duckdb==1.11.1") ;;
    *) ADAPTERS=("dbt-athena-community~=${CORE%.*}.0" "dbt-duckdb~=${CORE%.*}.0") ;;
esac
"${PIP[@]}" install "dbt-core==$CORE" "${ADAPTERS[@]}"

"$VENV/bin/dbt" --version
touch "$MARKER"
echo "dbt-core $CORE installed in $VENV"
