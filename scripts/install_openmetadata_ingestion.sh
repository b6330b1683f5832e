#!/usr/bin/env bash
# Install OpenMetadata's own ingestion client (openmetadata-ingestion, Athena connector) in a virtualenv of its own,
# to run `metadata ingest` against the sandbox. It is never a dependency of athena-om: it pins SQLAlchemy, boto3
# and pydantic against ours.
#
# A plain `pip install "openmetadata-ingestion[athena]"` fails: dbt-core pulls a package that downloads from
# GitHub. So: the wheel without dependencies, then its own (non-extra) requirements minus collate-data-diff, plus
# the Athena extra's pyathena; collate-data-diff without dependencies, then the few of its dependencies the
# connector imports, pinned to versions that resolve.
#
# Usage: scripts/install_openmetadata_ingestion.sh [VENV_DIR]   (default .cache/om-ingestion-venv)
# Idempotent: a finished venv carries a marker file and is left alone. PYTHON picks the interpreter (python3).
set -euo pipefail

VERSION="2.0.7.0"
VENV="${1:-.cache/om-ingestion-venv}"
PYTHON="${PYTHON:-python3}"
MARKER="$VENV/.openmetadata-ingestion-$VERSION"

if [[ -f "$MARKER" ]]; then
    echo "openmetadata-ingestion $VERSION already installed in $VENV"
    exit 0
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
"${PIP[@]}" install --upgrade pip

"${PIP[@]}" install --no-deps "openmetadata-ingestion==$VERSION"

# The wheel's requirements outside any extra, minus collate-data-diff (installed without its own below).
mapfile -t REQUIREMENTS < <("$VENV/bin/python" - <<'PY'
from importlib.metadata import requires
try:
    from packaging.requirements import Requirement
except ImportError:  # a fresh venv has no packaging, but pip carries one
    from pip._vendor.packaging.requirements import Requirement

for line in requires("openmetadata-ingestion") or []:
    requirement = Requirement(line)
    if requirement.marker is not None and "extra" in str(requirement.marker):
        continue
    if requirement.name == "collate-data-diff":
        continue
    print(line)
PY
)
"${PIP[@]}" install "${REQUIREMENTS[@]}" "pyathena~=3.35"
"${PIP[@]}" install --no-deps "collate-data-diff>=0.11.17"
"${PIP[@]}" install pytz attrs "deepdiff>=8.6.1,<9" "dsnparse<0.2" keyring "mashumaro[msgpack]>=2.9,<3.11" rich toml

"$VENV/bin/metadata" --version
touch "$MARKER"
echo "openmetadata-ingestion $VERSION installed in $VENV"
