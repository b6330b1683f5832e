"""`athena_om.AthenaOpenMetadata`: the component a team adds to its own `dg` project with one defs.yaml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster.components.core.package_entry import discover_entry_point_package_objects
from dagster.components.testing import create_defs_folder_sandbox
from dagster_shared.serdes.objects import EnvRegistryKey

import athena_om
from athena_om.component import AthenaOpenMetadata
from athena_om.config import SANDBOX_CONFIG_PATH, WorkflowConfigError
from athena_om_tests.definitions_snapshot import SNAPSHOT_PATH

EXAMPLE_DEFS_YAML = Path(__file__).resolve().parents[1] / "examples" / "component" / "defs.yaml"
SNAPSHOT_ASSETS = sorted(yaml.safe_load(SNAPSHOT_PATH.read_text(encoding="utf-8"))["assets"])


@pytest.fixture
def component_folder() -> Iterator[Path]:
    """An empty folder for one component instance inside a throwaway dg project's defs folder."""
    with create_defs_folder_sandbox() as sandbox:
        folder = sandbox.defs_folder_path / "athena_om"
        folder.mkdir()
        yield folder


def build_from_folder(folder: Path) -> dg.Definitions:
    """Load the defs.yaml in ``folder`` the way `dg` loads a project's defs folder."""
    project_root = folder.parents[2].parent  # <root>/src/<project>/defs/athena_om
    project_name = folder.parents[1].name
    sandbox_src = str(project_root / "src")
    sys.path.insert(0, sandbox_src)
    try:
        tree = dg.ComponentTree(
            defs_module=__import__(f"{project_name}.defs", fromlist=["_"]),
            project_root=project_root,
        )
        return tree.build_defs(folder)
    finally:
        sys.path.remove(sandbox_src)
        for name in [name for name in sys.modules if name.startswith(project_name)]:
            del sys.modules[name]


def asset_keys(defs: dg.Definitions) -> list[str]:
    return sorted(key.to_user_string() for key in defs.resolve_all_asset_keys())


def test_the_example_defs_yaml_builds_every_asset_from_the_env_named_file(
    component_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATHENA_OM_CONFIG", str(SANDBOX_CONFIG_PATH))
    shutil.copy(EXAMPLE_DEFS_YAML, component_folder / "defs.yaml")

    defs = build_from_folder(component_folder)

    assert asset_keys(defs) == SNAPSHOT_ASSETS
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("athena_tables_job").name == "athena_tables_job"


def test_a_relative_workflow_file_is_read_from_the_defs_yaml_folder(component_folder: Path) -> None:
    shutil.copy(SANDBOX_CONFIG_PATH, component_folder / "athena.yaml")
    (component_folder / "defs.yaml").write_text(
        "type: athena_om.AthenaOpenMetadata\nattributes:\n  workflow_file: athena.yaml\n", encoding="utf-8"
    )

    defs = build_from_folder(component_folder)

    settings = defs.resources["settings"]
    assert Path(settings.config_path) == (component_folder / "athena.yaml").resolve()


def test_an_unset_environment_variable_is_named_in_the_error(
    component_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ATHENA_OM_CONFIG", raising=False)
    shutil.copy(EXAMPLE_DEFS_YAML, component_folder / "defs.yaml")

    with pytest.raises(Exception) as raised:
        build_from_folder(component_folder)

    message = "".join(str(error) for error in _chain(raised.value))
    assert "attributes.workflow_file: is empty" in message
    assert "set that environment variable" in message


def test_a_missing_workflow_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    component = AthenaOpenMetadata(workflow_file=str(tmp_path / "nowhere.yaml"))

    with pytest.raises(WorkflowConfigError, match=r"nowhere\.yaml: file not found"):
        component.build_defs(dg.ComponentTree.for_test().load_context)


def test_secrets_stay_out_of_resource_config(tmp_path: Path) -> None:
    workflow = yaml.safe_load(SANDBOX_CONFIG_PATH.read_text(encoding="utf-8"))
    aws = workflow["source"]["serviceConnection"]["config"]["awsConfig"]
    aws["awsAccessKeyId"] = "AKIA-canary-key-id"
    aws["awsSecretAccessKey"] = "canary-aws-secret"
    workflow["workflowConfig"]["openMetadataServerConfig"]["securityConfig"]["jwtToken"] = "canary-jwt"
    path = tmp_path / "athena.yaml"
    path.write_text(yaml.safe_dump(workflow), encoding="utf-8")

    defs = dg.build_defs_for_component(component=AthenaOpenMetadata(workflow_file=str(path)))

    shown = repr(
        {
            name: resource.model_dump() if hasattr(resource, "model_dump") else resource
            for name, resource in defs.resources.items()
        }
    )
    for secret in ("canary-aws-secret", "canary-jwt", "AKIA-canary-key-id"):
        assert secret not in shown
    assert str(path) in shown  # the resources read the secrets from the file at run time


def test_installed_athena_om_registers_the_component_for_dg() -> None:
    objects = discover_entry_point_package_objects()

    assert objects.get(EnvRegistryKey(name="AthenaOpenMetadata", namespace="athena_om")) is AthenaOpenMetadata
    assert athena_om.AthenaOpenMetadata is AthenaOpenMetadata


def test_importing_athena_om_does_not_load_dagster() -> None:
    probe = "import sys, athena_om.config; print('dagster' in sys.modules)"

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)

    assert result.stdout.strip() == "False"


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__
