"""The profiler's settings, flattened once from the workflow file (the planner does not read config)."""

from __future__ import annotations

from dataclasses import dataclass, field

from athena_om.config import WorkflowConfig
from athena_om.config.workflow import ProfilerPipeline, StaticSamplingConfig
from athena_om.mapping.filters import FilterPattern


@dataclass(frozen=True)
class ProfilerOptions:
    service_name: str
    database_name: str = "default"
    catalog_id: str | None = None
    database_filter: FilterPattern | None = None
    schema_filter: FilterPattern | None = None
    table_filter: FilterPattern | None = None
    use_fqn_for_filtering: bool = False
    include_views: bool = False
    compute_table_metrics: bool = True
    compute_column_metrics: bool = True
    use_statistics: bool = False
    thread_count: int = 5
    timeout_seconds: float = 43200
    sample_percent: float | None = None
    sample_rows: int | None = None
    sampling_method: str = "SYSTEM"
    max_bytes_per_table: int = 10 * 1024**3
    max_bytes_per_run: int = 200 * 1024**3
    partitions: str = "newest"
    last_days: int = 1
    partition_filters: dict[str, str] = field(default_factory=dict)
    exact_uniqueness: bool = False
    price_per_tb_usd: float = 5.0
    # OpenMetadata's generateSampleData (off here by default: sample rows copy possibly personal data) and its
    # default sample size.
    generate_sample_data: bool = False
    sample_data_rows: int = 50


def _pattern(pattern: object) -> FilterPattern | None:
    if pattern is None:
        return None
    return FilterPattern(includes=list(pattern.includes), excludes=list(pattern.excludes))  # type: ignore[attr-defined]


def profiler_pipeline(config: WorkflowConfig) -> ProfilerPipeline:
    """The file's own `sourceConfig.config` when it is a Profiler one, else `athenaOm.profiler.sourceConfig`,
    else OpenMetadata's defaults."""
    if isinstance(config.pipeline, ProfilerPipeline):
        return config.pipeline
    return config.settings.profiler.source_config or ProfilerPipeline()


def profiler_options_from_workflow(config: WorkflowConfig) -> ProfilerOptions:
    pipeline = profiler_pipeline(config)
    extra = config.settings.profiler
    connection = config.connection
    percent, rows, method = pipeline.profile_sample, None, "SYSTEM"
    if pipeline.profile_sample is not None and pipeline.profile_sample_type == "ROWS":
        percent, rows = None, int(pipeline.profile_sample)
    sample_config = pipeline.profile_sample_config
    if sample_config is not None and isinstance(sample_config.config, StaticSamplingConfig):
        static = sample_config.config
        if static.profile_sample is not None:
            if static.profile_sample_type == "ROWS":
                percent, rows = None, int(static.profile_sample)
            else:
                percent, rows = static.profile_sample, None
        method = static.sampling_method_type or method
    if percent is not None and percent >= 100:
        percent = None
    return ProfilerOptions(
        service_name=config.service_name,
        database_name=connection.database_name if connection else "default",
        catalog_id=connection.catalog_id if connection else None,
        database_filter=_pattern(pipeline.database_filter_pattern),
        schema_filter=_pattern(pipeline.schema_filter_pattern),
        table_filter=_pattern(pipeline.table_filter_pattern),
        use_fqn_for_filtering=pipeline.use_fqn_for_filtering,
        include_views=pipeline.include_views,
        compute_table_metrics=pipeline.compute_table_metrics,
        compute_column_metrics=pipeline.compute_column_metrics,
        use_statistics=pipeline.use_statistics,
        thread_count=pipeline.thread_count or 5,
        timeout_seconds=float(pipeline.timeout_seconds),
        sample_percent=percent,
        sample_rows=rows,
        sampling_method=method,
        max_bytes_per_table=extra.max_bytes_per_table,
        max_bytes_per_run=extra.max_bytes_per_run,
        partitions=extra.partitions,
        last_days=extra.last_days,
        partition_filters=dict(extra.partition_filters),
        exact_uniqueness=extra.exact_uniqueness,
        price_per_tb_usd=config.settings.query_price_per_tb_usd,
        generate_sample_data=pipeline.generate_sample_data,
    )
