"""Where the daily query-history partitions start, and the catalog edge in the asset graph."""

from datetime import date

import pytest

from athena_om.defs.usage.partitions import START_ENV_VAR, query_history_start


def test_partitions_start_where_athena_still_keeps_history() -> None:
    assert query_history_start(env={}, today=date(2026, 11, 30)) == date(2026, 10, 16)


def test_partition_start_can_be_configured() -> None:
    assert query_history_start(env={START_ENV_VAR: "2025-06-01"}, today=date(2026, 11, 30)) == date(2025, 6, 1)


def test_a_malformed_start_names_the_variable_and_the_format() -> None:
    with pytest.raises(ValueError, match=f"{START_ENV_VAR}='June' is not an ISO date"):
        query_history_start(env={START_ENV_VAR: "June"})


def test_query_log_depends_on_every_catalog_partition() -> None:
    from athena_om.defs.usage.assets import athena_query_log

    (dep,) = [d for d in athena_query_log.specs_by_key[athena_query_log.key].deps]
    assert dep.asset_key.to_user_string() == "athena_tables"
    assert type(dep.partition_mapping).__name__ == "AllPartitionMapping"
