"""What the assets read from a workflow file, and the sandbox's shell environment naming its file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from athena_om.config import SANDBOX_CONFIG_PATH, load_workflow_config_from_text
from athena_om.config.ignored import ignored_keys
from athena_om.resources.settings import sync_settings_from_workflow
from athena_om.sandbox.launcher import SandboxInfo
from athena_om.sync.catalog import overrides


def _with_source_config(block: str) -> str:
    text = Path(SANDBOX_CONFIG_PATH).read_text()
    start = text.index("  sourceConfig:")
    end = text.index("workflowConfig:")
    return text[:start] + block + text[end:]


def test_a_profiler_files_include_views_does_not_switch_views_off_in_the_catalog() -> None:
    text = _with_source_config("  sourceConfig:\n    config:\n      type: Profiler\n      includeViews: false\n")
    settings = sync_settings_from_workflow(load_workflow_config_from_text(text, "profiler.yaml", env={}))
    assert settings.include_views is True


def test_a_metadata_files_include_views_is_honoured() -> None:
    text = _with_source_config(
        "  sourceConfig:\n    config:\n      type: DatabaseMetadata\n      includeViews: false\n"
    )
    settings = sync_settings_from_workflow(load_workflow_config_from_text(text, "metadata.yaml", env={}))
    assert settings.include_views is False


def test_override_metadata_reaches_every_catalog_write() -> None:
    """overrideMetadata is read, not ignored: the database, schema and table writes ask OpenMetadata for it."""
    text = _with_source_config(
        "  sourceConfig:\n    config:\n      type: DatabaseMetadata\n      overrideMetadata: true\n"
    )
    config = load_workflow_config_from_text(text, "metadata.yaml", env={})
    assert "overrideMetadata" not in " ".join(ignored_keys(config))
    settings = sync_settings_from_workflow(config)
    assert settings.override_metadata is True
    assert overrides(settings) == {"override_metadata": True, "owned_fields": ("description",)}
    assert overrides(replace(settings, override_metadata=False)) == {}


def test_the_sandbox_environment_names_the_sandbox_workflow_file() -> None:
    info = SandboxInfo(pid=1, aws_endpoint_url="http://127.0.0.1:5055", openmetadata_api_url="x", state_dir="s")
    assert Path(info.environment()["ATHENA_OM_CONFIG"]) == SANDBOX_CONFIG_PATH.resolve()
