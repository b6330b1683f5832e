"""OpenMetadata's own generated pydantic models, taken from the ``openmetadata-ingestion`` wheel into a cache.

The sandbox validates request bodies with them, so a bug in athena-om's client models cannot hide behind a
sandbox that shares them. The wheel cannot be a dependency (it pins SQLAlchemy and boto3 against ours), so it
is downloaded once with pip and only the modules the generated models import are extracted from it. The
package's own ``metadata/__init__.py`` imports the profiler and SQLAlchemy, so it is not extracted: ``metadata``
is registered as a bare package pointing at the extracted folder instead.

Only the sandbox and the tests import this module; production code never does.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import types
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OM_INGESTION_VERSION = "2.0.7.0"
CACHE_ENV = "ATHENA_OM_CACHE_DIR"

# What the generated modules import at import time outside ``metadata/generated`` (checked for 2.0.7.0 by
# importing every model below in a fresh interpreter and listing ``sys.modules``).
_EXTRA_MEMBERS = (
    "metadata/ingestion/models/custom_pydantic.py",
    "metadata/ingestion/models/custom_basemodel_validation.py",
)
_GENERATED_PREFIX = "metadata/generated/"
_INSTALL_LOCK = threading.Lock()


class OpenMetadataModelsError(RuntimeError):
    """OpenMetadata's models could not be obtained; the message says what to do."""


def cache_dir() -> Path:
    """``$ATHENA_OM_CACHE_DIR``, else the ``.cache/`` of the source checkout, else ``~/.cache/athena-om``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file():
        return checkout / ".cache"
    return Path.home() / ".cache" / "athena-om"


def wheel_path() -> Path:
    """The cached ``openmetadata-ingestion`` wheel, downloaded with pip on first use."""
    wheel_dir = cache_dir() / "openmetadata-ingestion"
    name = f"openmetadata_ingestion-{OM_INGESTION_VERSION}-py3-none-any.whl"
    target = wheel_dir / name
    if target.exists():
        return target
    wheel_dir.mkdir(parents=True, exist_ok=True)
    # Download next to the target and rename, so two processes never see a half-written wheel.
    with tempfile.TemporaryDirectory(dir=wheel_dir) as scratch:
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
            raise OpenMetadataModelsError(_download_advice(str(exc), wheel_dir)) from None
        downloaded = Path(scratch) / name
        if done.returncode != 0 or not downloaded.exists():
            detail = done.stderr.strip()[-2000:] or done.stdout[-2000:]
            raise OpenMetadataModelsError(_download_advice(detail, wheel_dir))
        os.replace(downloaded, target)
    return target


def _download_advice(detail: str, wheel_dir: Path) -> str:
    return (
        f"Cannot download openmetadata-ingestion=={OM_INGESTION_VERSION} from PyPI, whose generated models the "
        f"sandbox OpenMetadata server validates request bodies with ({detail}). Give this machine access to "
        f"PyPI, or put the wheel in {wheel_dir}."
    )


def extracted_models() -> Path:
    """The folder holding the extracted ``metadata`` package (only the modules the generated models need)."""
    models_dir = cache_dir() / "openmetadata-models"
    target = models_dir / OM_INGESTION_VERSION
    if (target / "metadata" / "generated").is_dir():
        return target
    wheel = wheel_path()
    models_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=models_dir))
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = [
                name for name in archive.namelist() if name.startswith(_GENERATED_PREFIX) or name in _EXTRA_MEMBERS
            ]
            missing = set(_EXTRA_MEMBERS) - set(members)
            if missing:
                raise OpenMetadataModelsError(f"{wheel.name} lacks {sorted(missing)}; update _EXTRA_MEMBERS")
            archive.extractall(scratch, members=members)
        try:
            os.replace(scratch, target)
        except OSError:
            if not (target / "metadata" / "generated").is_dir():  # not another process that got there first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def install_models() -> Path:
    """Make ``metadata.generated.schema`` importable in this interpreter; returns the folder it comes from."""
    with _INSTALL_LOCK:
        root = extracted_models()
        package_dir = str(root / "metadata")
        existing = sys.modules.get("metadata")
        if existing is not None and package_dir not in list(getattr(existing, "__path__", [])):
            raise OpenMetadataModelsError(f"another module named 'metadata' is already imported: {existing!r}")
        if existing is None:
            package = types.ModuleType("metadata")
            package.__path__ = [package_dir]
            sys.modules["metadata"] = package
        if str(root) not in sys.path:
            sys.path.append(str(root))
        _skip_name_encoding()
        return root


def _skip_name_encoding() -> None:
    """Turn off the client-side name encoding OpenMetadata's base model runs after validating.

    It rewrites names (``::`` to ``__reserved__colon__``) on the parsed object, never rejects a body, and needs
    the profiler, which is not extracted: every model instance would retry that failing import and log a warning
    (a 30-column table took 40 ms instead of 1 ms). The sandbox only asks the models whether a body is valid.
    """
    custom_pydantic = importlib.import_module("metadata.ingestion.models.custom_pydantic")
    custom_pydantic.transform_entity_names = _unchanged  # type: ignore[attr-defined]


def _unchanged(entity: Any, model: Any) -> Any:
    return entity


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
TABLE_DATA = ModelRef("entity.data.table", "TableData")
CREATE_USER = ModelRef("api.teams.createUser", "CreateUserRequest")
CREATE_TEAM = ModelRef("api.teams.createTeam", "CreateTeamRequest")
CREATE_TEST_SUITE = ModelRef("api.tests.createTestSuite", "CreateTestSuiteRequest")
CREATE_TEST_CASE = ModelRef("api.tests.createTestCase", "CreateTestCaseRequest")
CREATE_TEST_CASE_RESULT = ModelRef("api.tests.createTestCaseResult", "CreateTestCaseResult")
BULK_DELETE_STALE = ModelRef("type.bulkDeleteStaleRequest", "BulkDeleteStaleRequest")
DATA_MODEL = ModelRef("entity.data.table", "DataModel")
CREATE_TEST_DEFINITION = ModelRef("api.tests.createTestDefinition", "CreateTestDefinitionRequest")
TAG_LABEL = ModelRef("type.tagLabel", "TagLabel")
CREATE_GLOSSARY = ModelRef("api.data.createGlossary", "CreateGlossaryRequest")
CREATE_GLOSSARY_TERM = ModelRef("api.data.createGlossaryTerm", "CreateGlossaryTermRequest")
