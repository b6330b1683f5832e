"""Asset checks per OpenMetadata test case, built at load time from a cached snapshot (Dagster defs state).

```yaml
type: athena_om.defs.quality.component.AthenaDataQuality
attributes:
  workflow_file: "{{ env.ATHENA_OM_CONFIG }}"
```

``dg utils refresh-defs-state`` (or a code-server reload with state refresh) lists the service's test cases from
OpenMetadata, plus those the workflow's TestSuite files declare, and stores them as the component's state; the
definitions are then built from that state without calling OpenMetadata. The resources come from the
``athena_om.AthenaOpenMetadata`` component bound to the same workflow file.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster.components import DefsStateConfig, DefsStateConfigArgs, ResolvedDefsStateConfig

from athena_om.component import resolve_workflow_file
from athena_om.defs.quality.definitions import quality_check_definitions
from athena_om.defs.quality.snapshot import QualitySnapshot
from athena_om.resources.factory import resources_from_workflow
from athena_om.resources.settings import workflow_config_at
from athena_om.sync.quality import list_service_test_cases
from athena_om.sync.quality_options import quality_options_from_workflow


def fetch_snapshot(workflow_path: Path) -> QualitySnapshot:
    """The service's test cases as OpenMetadata lists them now, plus the workflow's declared ones."""
    path = str(workflow_path)
    config = workflow_config_at(path)
    options = quality_options_from_workflow(config, path)
    openmetadata = resources_from_workflow(config, path)["openmetadata"]
    with openmetadata.get_client() as client:
        listed, _ = list_service_test_cases(client, options.execution)
    cases = {case.fqn: case for table_cases in listed.values() for case in table_cases}
    cases.update({declared.fqn: declared.as_test_case() for declared in options.declared})
    return QualitySnapshot.of(cases.values(), max_checks=options.max_asset_checks)


class AthenaDataQuality(dg.StateBackedComponent, dg.Model, dg.Resolvable):
    """One Dagster asset check per OpenMetadata test case on this Athena service's tables, grouped in one
    data-quality asset per Glue database; built from a cached snapshot of the test cases."""

    workflow_file: str | None
    defs_state: ResolvedDefsStateConfig = DefsStateConfigArgs.local_filesystem()

    @property
    def defs_state_config(self) -> DefsStateConfig:
        return DefsStateConfig.from_args(self.defs_state, default_key="AthenaDataQuality")

    def _workflow_path(self) -> Path:
        return resolve_workflow_file(self.workflow_file, Path.cwd())

    def write_state_to_path(self, state_path: Path) -> None:
        fetch_snapshot(self._workflow_path()).save(state_path)

    def build_defs_from_state(self, context: dg.ComponentLoadContext, state_path: Path | None) -> dg.Definitions:
        path = resolve_workflow_file(self.workflow_file, context.path)
        cron = workflow_config_at(str(path)).settings.data_quality.schedule
        return quality_check_definitions(QualitySnapshot.load(state_path), cron)
