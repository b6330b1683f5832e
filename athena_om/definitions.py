"""The athena-om code location: merges each area's definitions and binds the resources from the workflow file."""

from dagster import Definitions

from athena_om.config import resolve_config_path
from athena_om.defs.metadata.definitions import defs as metadata_defs
from athena_om.defs.usage.definitions import defs as usage_defs
from athena_om.resources.factory import resources_from_workflow
from athena_om.resources.settings import workflow_config_at

AREAS = [metadata_defs, usage_defs]


def build_definitions(config_path: str | None = None) -> Definitions:
    """Definitions bound to one workflow file (default: ``$ATHENA_OM_CONFIG``, ``./athena_om.yaml``, sandbox)."""
    path = str(resolve_config_path(config_path).resolve())
    config = workflow_config_at(path)
    return Definitions.merge(*AREAS, Definitions(resources=resources_from_workflow(config, path)))


defs = build_definitions()
