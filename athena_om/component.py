"""athena-om as a Dagster component: one `defs.yaml` entry adds the Athena to OpenMetadata sync to a `dg` project.

```yaml
type: athena_om.AthenaOpenMetadata
attributes:
  workflow_file: "{{ env.ATHENA_OM_CONFIG }}"
```

The component holds only the workflow file's path. Secrets stay in that file (or in the environment variables it
references) and the resources read them when they connect, so they never reach Dagster's resource config or UI.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from athena_om.config import ConfigProblem, WorkflowConfigError
from athena_om.defs.connection.definitions import defs as connection_defs
from athena_om.defs.dbt.definitions import defs as dbt_defs
from athena_om.defs.metadata.definitions import defs as metadata_defs
from athena_om.defs.profiles.definitions import profile_definitions
from athena_om.defs.quality.definitions import quality_definitions
from athena_om.defs.usage.definitions import defs as usage_defs
from athena_om.resources.factory import resources_from_workflow
from athena_om.resources.settings import workflow_config_at

# Each area's Definitions (assets, jobs, schedules, sensors); the component binds them to one workflow file.
AREAS = [metadata_defs, usage_defs, connection_defs, dbt_defs]


class AthenaOpenMetadata(dg.Component, dg.Model, dg.Resolvable):
    """Keeps an OpenMetadata catalog in sync with Amazon Athena: Glue catalog, query log, usage and lineage assets,
    with their jobs, schedules and sensors, bound to one OpenMetadata-style Athena workflow file."""

    # Nullable (yet required) because `{{ env.NAME }}` renders an unset variable as null: build_defs then says so.
    workflow_file: str | None = Field(
        description=(
            "Path to the Athena workflow YAML (OpenMetadata's format plus an optional `athenaOm:` section). "
            "A relative path is read from the folder holding this defs.yaml; `{{ context.project_root }}/...` "
            "names one in the project root, `{{ env.NAME }}` takes it from the environment."
        ),
    )

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        return athena_om_definitions(resolve_workflow_file(self.workflow_file, context.path))


def resolve_workflow_file(workflow_file: str | None, relative_to: Path) -> Path:
    """The absolute path of ``workflow_file``; a relative one is taken from ``relative_to`` (the component's folder)."""
    if workflow_file is None or not workflow_file.strip():
        raise WorkflowConfigError(
            "athena_om.AthenaOpenMetadata",
            [
                ConfigProblem(
                    "attributes.workflow_file",
                    "is empty — name the workflow YAML (`workflow_file: athena_om.yaml`), or, when it reads "
                    "`{{ env.ATHENA_OM_CONFIG }}`, set that environment variable to the file's path",
                )
            ],
        )
    path = Path(workflow_file).expanduser()
    return path if path.is_absolute() else (relative_to / path).resolve()


def athena_om_definitions(workflow_path: Path) -> dg.Definitions:
    """Every athena-om asset, job, schedule and sensor, with resources bound to the workflow file at ``workflow_path``.

    The file is read and validated here, so a missing or invalid file fails the code location's load with the
    config error (each problem with its YAML path), not later inside a run.
    """
    path = str(workflow_path.resolve())
    try:
        config = workflow_config_at(path)
    except WorkflowConfigError as error:
        # The message lists every problem; the loader's frames beneath it would only bury that message.
        raise error.with_traceback(None) from None
    return dg.Definitions.merge(
        *AREAS,
        # Schedules that follow the workflow file: the weekly profiles (athenaOm.profiler.schedule) ...
        profile_definitions(config.settings.profiler.schedule),
        # The data-quality asset and its daily schedule (athenaOm.dataQuality.schedule); one check per test case
        # comes with the state-backed athena_om.defs.quality.component.AthenaDataQuality.
        quality_definitions(config.settings.data_quality.schedule),
        dg.Definitions(resources=resources_from_workflow(config, path)),
    )
