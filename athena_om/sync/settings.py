"""What the assets need to know from the workflow file, flattened into one typed record."""

from __future__ import annotations

from dataclasses import dataclass, field

from athena_om.config.workflow import DEFAULT_MAX_DELETED_SHARE
from athena_om.mapping.filters import FilterPattern


@dataclass(frozen=True)
class SyncSettings:
    service_name: str
    database_name: str = "default"
    catalog_id: str | None = None
    database_filter: FilterPattern | None = None
    schema_filter: FilterPattern | None = None
    table_filter: FilterPattern | None = None
    use_fqn_for_filtering: bool = False
    include_tables: bool = True
    include_views: bool = True
    include_tags: bool = True
    include_owners: bool = True
    mark_deleted_tables: bool = True
    # overrideMetadata: Glue's descriptions replace the ones people wrote in OpenMetadata (default: kept).
    override_metadata: bool = False
    max_deleted_share: float = DEFAULT_MAX_DELETED_SHARE
    owner_table_parameter: str | None = None
    owner_lf_tag_key: str | None = None
    price_per_tb_usd: float = 5.0
    usage_workgroups: tuple[str, ...] = ()
    self_issued_markers: tuple[str, ...] = field(default=("/* athena-om */",))
