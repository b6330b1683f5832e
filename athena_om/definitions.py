"""The athena-om code location: the `AthenaOpenMetadata` component's definitions, bound to one workflow file.

`defs` is built lazily (Dagster's `@definitions`): importing this module reads no file, and the workflow file is
loaded when Dagster (`dg dev`, `dagster dev -w workspace.yaml`, `dagster job launch`, a run worker) loads the
code location.
"""

from pathlib import Path

import dagster as dg

from athena_om.component import athena_om_definitions
from athena_om.config import WorkflowConfigError, resolve_config_path


def build_definitions(config_path: str | None = None) -> dg.Definitions:
    """Definitions bound to one workflow file (default: ``$ATHENA_OM_CONFIG``, else ``./athena_om.yaml``)."""
    try:
        path = Path(resolve_config_path(config_path)).resolve()
    except WorkflowConfigError as error:  # no file named: the message says how to name one, the frames add nothing
        raise error.with_traceback(None) from None
    return athena_om_definitions(path)


@dg.definitions
def defs() -> dg.Definitions:
    """The code location `workspace.yaml` and `[tool.dg]` name; the workflow file comes from the environment."""
    return build_definitions()
