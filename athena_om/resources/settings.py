"""Build athena-om's Dagster resources from an OpenMetadata-style workflow file.

Secrets (AWS keys, the JWT) are not copied into resource config, where the Dagster UI would display them: the
resources keep the file's path and read the secret values from it when they open a connection.
"""

import logging

from dagster import ConfigurableResource, DagsterLogManager
from pydantic import Field

from athena_om.config import WorkflowConfig, ignored_keys, load_workflow_config_cached
from athena_om.config.workflow import DatabaseMetadataPipeline
from athena_om.sync.settings import SyncSettings


def workflow_config_at(path: str | None) -> WorkflowConfig:
    """The workflow config at ``path`` (or ``$ATHENA_OM_CONFIG``, ``./athena_om.yaml``), parsed once per process and
    re-read only when the file or an environment variable it names changes."""
    return load_workflow_config_cached(path)


def sync_settings_from_workflow(config: WorkflowConfig) -> SyncSettings:
    """Flatten the parts of a workflow file the assets use."""
    connection = config.connection
    pipeline = config.source.pipeline
    extra = config.settings

    def flag(name: str, default: bool) -> bool:
        # Catalog switches come from a metadata workflow only: a Profiler file's includeViews (default false)
        # says what to profile, not what the catalog holds.
        if not isinstance(pipeline, DatabaseMetadataPipeline):
            return default
        return bool(getattr(pipeline, name, default))

    return SyncSettings(
        service_name=config.service_name,
        database_name=connection.database_name if connection else "default",
        catalog_id=connection.catalog_id if connection else None,
        database_filter=getattr(pipeline, "database_filter_pattern", None),
        schema_filter=getattr(pipeline, "schema_filter_pattern", None),
        table_filter=getattr(pipeline, "table_filter_pattern", None),
        use_fqn_for_filtering=flag("use_fqn_for_filtering", False),
        include_tables=flag("include_tables", True),
        include_views=flag("include_views", True),
        include_tags=flag("include_tags", True),
        include_owners=flag("include_owners", False),
        mark_deleted_tables=flag("mark_deleted_tables", True),
        override_metadata=flag("override_metadata", False),
        max_deleted_share=extra.deletion_safety.max_deleted_share,
        owner_table_parameter=extra.owner_table_parameter,
        owner_lf_tag_key=extra.owner_lf_tag_key,
        price_per_tb_usd=extra.query_price_per_tb_usd,
        usage_workgroups=tuple(extra.usage_workgroups or ()),
    )


class AthenaOmSettingsResource(ConfigurableResource):
    """Where the workflow file is; the assets read their sync settings from it at run time."""

    config_path: str | None = Field(
        default=None, description="Workflow YAML path; default $ATHENA_OM_CONFIG, else ./athena_om.yaml."
    )

    def workflow(self) -> WorkflowConfig:
        return workflow_config_at(self.config_path)

    def sync_settings(self) -> SyncSettings:
        return sync_settings_from_workflow(self.workflow())

    def warn_ignored_keys(self, log: logging.Logger | DagsterLogManager) -> None:
        """Say once per run which keys of the workflow file athena-om accepts but does not use."""
        ignored = ignored_keys(self.workflow())
        if ignored:
            log.warning(
                f"The workflow file sets {len(ignored)} key(s) athena-om ignores (accepted so OpenMetadata's files "
                f"load): {', '.join(ignored)}"
            )
