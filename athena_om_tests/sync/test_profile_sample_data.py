"""How many sample rows a table's Sample Data tab gets: OpenMetadata's per-table tableProfilerConfig.sampleDataCount,
else the default of 50."""

from __future__ import annotations

from typing import Any

import pytest

from athena_om.athena.models import GlueColumn, GlueTable
from athena_om.sync.profile_options import ProfilerOptions
from athena_om.sync.profiles import ProfileRun, TablePlan, _sample_rows, plan_table

VIEW = GlueTable(
    database="sales",
    name="orders_view",
    table_type="VIRTUAL_VIEW",
    columns=(GlueColumn("id", "bigint"), GlueColumn("status", "string")),
    view_original_text="SELECT 1",
)
OPTIONS = ProfilerOptions(service_name="svc", include_views=True, generate_sample_data=True)


def planned(config: dict[str, Any] | None) -> TablePlan:
    run = ProfileRun(glue=None, s3=None, executor=None, client=None, options=OPTIONS)  # type: ignore[arg-type]
    entity = {
        "fullyQualifiedName": "svc.default.sales.orders_view",
        "columns": [{"name": "id"}, {"name": "status"}],
        "tableProfilerConfig": config,
    }
    plan = plan_table(run, VIEW, entity)
    assert isinstance(plan, TablePlan)
    return plan


@pytest.mark.parametrize(
    ("config", "limit"),
    [({"sampleDataCount": 7}, 7), (None, 50), ({"sampleDataCount": 0}, 50), ({"sampleDataCount": True}, 50)],
)
def test_the_tables_sample_data_count_sets_the_limit(config: dict[str, Any] | None, limit: int) -> None:
    sql = _sample_rows(planned(config), OPTIONS).sql("athena")
    assert sql.endswith(f"LIMIT {limit}")
