"""OpenMetadata's own generated pydantic models, from the ``openmetadata-ingestion`` wheel, for conformance tests.

The wheel cannot be a dependency (it pins SQLAlchemy and boto3 against ours), so it is downloaded once into the
git-ignored ``.cache/`` and only the modules the generated models import are extracted from it. The package's
own ``metadata/__init__.py`` imports the profiler and SQLAlchemy, so it is not extracted: ``metadata`` is
registered as a bare package pointing at the extracted folder instead.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import types
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

OM_INGESTION_VERSION = "2.0.7.0"
REPO_ROOT = Path(__file__).resolve().parents[2]
WHEEL_DIR = REPO_ROOT / ".cache" / "openmetadata-ingestion"
MODELS_DIR = REPO_ROOT / ".cache" / "openmetadata-models"
SKIP_ENV = "ATHENA_OM_SKIP_CONFORMANCE"

# What the generated modules import at import time outside ``metadata/generated`` (checked for 2.0.7.0 by
# importing every model below in a fresh interpreter and listing ``sys.modules``).
_EXTRA_MEMBERS = (
    "metadata/ingestion/models/custom_pydantic.py",
    "metadata/ingestion/models/custom_basemodel_validation.py",
)
_GENERATED_PREFIX = "metadata/generated/"


class ConformanceSetupError(RuntimeError):
    """OpenMetadata's models could not be obtained; the message says what to do."""


def wheel_path() -> Path:
    """The cached wheel, downloaded with pip on first use."""
    name = f"openmetadata_ingestion-{OM_INGESTION_VERSION}-py3-none-any.whl"
    target = WHEEL_DIR / name
    if target.exists():
        return target
    WHEEL_DIR.mkdir(parents=True, exist_ok=True)
    # Download next to the target and rename, so two pytest workers never see a half-written wheel.
    with tempfile.TemporaryDirectory(dir=WHEEL_DIR) as scratch:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            f"openmetadata-ingestion=={OM_INGESTION_VERSION}",
            "-d",
            scratch,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConformanceSetupError(_download_advice(str(exc))) from None
        downloaded = Path(scratch) / name
        if done.returncode != 0 or not downloaded.exists():
            raise ConformanceSetupError(_download_advice(done.stderr.strip()[-2000:] or done.stdout[-2000:]))
        os.replace(downloaded, target)
    return target


def _download_advice(detail: str) -> str:
    return (
        f"Cannot download openmetadata-ingestion=={OM_INGESTION_VERSION} from PyPI to check request bodies "
        f"against OpenMetadata's own models ({detail}). Give the test run network access to PyPI, or put the "
        f"wheel in {WHEEL_DIR}, or set {SKIP_ENV}=1 to skip the conformance tests knowingly."
    )


def extracted_models() -> Path:
    """The folder holding the extracted ``metadata`` package (only the modules the generated models need)."""
    target = MODELS_DIR / OM_INGESTION_VERSION
    if (target / "metadata" / "generated").is_dir():
        return target
    wheel = wheel_path()
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=MODELS_DIR))
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [
                name for name in archive.namelist() if name.startswith(_GENERATED_PREFIX) or name in _EXTRA_MEMBERS
            ]
            missing = set(_EXTRA_MEMBERS) - set(members)
            if missing:
                raise ConformanceSetupError(f"{wheel.name} lacks {sorted(missing)}; update _EXTRA_MEMBERS")
            archive.extractall(scratch, members=members)
        try:
            os.replace(scratch, target)
        except OSError:
            if not (target / "metadata" / "generated").is_dir():  # not another worker that got there first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def install_models() -> Path:
    """Make ``metadata.generated.schema`` importable in this interpreter; returns the folder it comes from."""
    root = extracted_models()
    package_dir = str(root / "metadata")
    existing = sys.modules.get("metadata")
    if existing is not None and package_dir not in list(getattr(existing, "__path__", [])):
        raise ConformanceSetupError(f"another module named 'metadata' is already imported: {existing!r}")
    if existing is None:
        package = types.ModuleType("metadata")
        package.__path__ = [package_dir]
        sys.modules["metadata"] = package
    if str(root) not in sys.path:
        sys.path.append(str(root))
    return root


@dataclass(frozen=True)
class ModelRef:
    """A generated model (or enum) by module (under ``metadata.generated.schema``) and class name."""

    module: str
    name: str

    def load(self) -> Any:
        return getattr(importlib.import_module(f"metadata.generated.schema.{self.module}"), self.name)

    def __str__(self) -> str:
        return f"{self.module}.{self.name}"


CREATE_SERVICE = ModelRef("api.services.createDatabaseService", "CreateDatabaseServiceRequest")
CREATE_DATABASE = ModelRef("api.data.createDatabase", "CreateDatabaseRequest")
CREATE_SCHEMA = ModelRef("api.data.createDatabaseSchema", "CreateDatabaseSchemaRequest")
CREATE_TABLE = ModelRef("api.data.createTable", "CreateTableRequest")
COLUMN = ModelRef("entity.data.table", "Column")
CREATE_CLASSIFICATION = ModelRef("api.classification.createClassification", "CreateClassificationRequest")
CREATE_TAG = ModelRef("api.classification.createTag", "CreateTagRequest")
CREATE_QUERY = ModelRef("api.data.createQuery", "CreateQueryRequest")
ADD_LINEAGE = ModelRef("api.lineage.addLineage", "AddLineageRequest")
USAGE = ModelRef("type.usageRequest", "UsageRequest")
TABLE_JOINS = ModelRef("entity.data.table", "TableJoins")
CREATE_TABLE_PROFILE = ModelRef("api.data.createTableProfile", "CreateTableProfileRequest")
CREATE_USER = ModelRef("api.teams.createUser", "CreateUserRequest")
CREATE_TEAM = ModelRef("api.teams.createTeam", "CreateTeamRequest")
CREATE_TEST_SUITE = ModelRef("api.tests.createTestSuite", "CreateTestSuiteRequest")
CREATE_TEST_CASE = ModelRef("api.tests.createTestCase", "CreateTestCaseRequest")
CREATE_TEST_CASE_RESULT = ModelRef("api.tests.createTestCaseResult", "CreateTestCaseResult")

_COLLECTIONS = {
    "services/databaseServices": CREATE_SERVICE,
    "databases": CREATE_DATABASE,
    "databaseSchemas": CREATE_SCHEMA,
    "tables": CREATE_TABLE,
    "classifications": CREATE_CLASSIFICATION,
    "tags": CREATE_TAG,
    "queries": CREATE_QUERY,
    "users": CREATE_USER,
    "teams": CREATE_TEAM,
    "dataQuality/testCases": CREATE_TEST_CASE,
}

# (method, route template as the sandbox server names it) -> the OpenMetadata model of the body.
ROUTE_MODELS: dict[tuple[str, str], ModelRef] = {
    **{("PUT", f"/api/v1/{path}"): model for path, model in _COLLECTIONS.items()},
    **{("POST", f"/api/v1/{path}"): model for path, model in _COLLECTIONS.items()},
    ("PUT", "/api/v1/lineage"): ADD_LINEAGE,
    ("POST", "/api/v1/usage/{entity_type}/{entity_id}"): USAGE,
    ("PUT", "/api/v1/usage/{entity_type}/{entity_id}"): USAGE,
    ("POST", "/api/v1/usage/{entity_type}/name/{fqn:path}"): USAGE,
    ("PUT", "/api/v1/usage/{entity_type}/name/{fqn:path}"): USAGE,
    ("PUT", "/api/v1/tables/{table_id}/joins"): TABLE_JOINS,
    ("PUT", "/api/v1/tables/{table_id}/tableProfile"): CREATE_TABLE_PROFILE,
    ("PUT", "/api/v1/dataQuality/testSuites/basic"): CREATE_TEST_SUITE,
    ("POST", "/api/v1/dataQuality/testSuites/basic"): CREATE_TEST_SUITE,
    ("POST", "/api/v1/dataQuality/testCases/testCaseResults/{fqn:path}"): CREATE_TEST_CASE_RESULT,
}


def conformance_problem(model: ModelRef, body: Any) -> str | None:
    """Why OpenMetadata's model rejects ``body``, or None when it accepts it."""
    generated: type[BaseModel] = model.load()
    try:
        generated.model_validate(body)
    except ValidationError as exc:
        return str(exc)
    return None
