"""Artifacts of athena_om_tests/dbt_project produced by real dbt, cached under .cache/ by the project's content.

Two dbt versions: 1.11 writes manifest v12 and run results v6, 1.7 writes manifest v11 and run results v5. Each
is installed in its own virtualenv by scripts/install_dbt.sh (from PyPI, first use only) and run by
scripts/dbt_artifacts.sh: `dbt compile` on dbt-athena for the manifest, a real `dbt build` on dbt-duckdb for
the results.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "athena_om_tests" / "dbt_project"
SCRIPTS = (ROOT / "scripts" / "install_dbt.sh", ROOT / "scripts" / "dbt_artifacts.sh")
DBT_VERSIONS = {"v12": ("1.11.*", ".cache/dbt-venv"), "v11": ("1.7.*", ".cache/dbt17-venv")}


def _project_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted([*PROJECT.rglob("*"), *SCRIPTS]):
        if path.is_file() and path.suffix in (".yml", ".sql", ".md", ".csv", ".sh") and path.name != ".user.yml":
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def real_dbt_artifacts(manifest_version: str) -> Path:
    """The folder holding manifest.json, run_results.json, sources.json and catalog.json from real dbt."""
    core, venv = DBT_VERSIONS[manifest_version]
    out = ROOT / ".cache" / "dbt-artifacts" / f"{manifest_version}-{_project_digest()}"
    if (out / "dbt_version.txt").is_file():
        return out
    for command in (
        [str(SCRIPTS[0]), venv, core],
        [str(SCRIPTS[1]), str(out), venv],
    ):
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}); it needs PyPI to install dbt the first time:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
    return out
