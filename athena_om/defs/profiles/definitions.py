"""Profiles: the asset, its job and the weekly schedule."""

from dagster import Definitions

from athena_om.defs.profiles.assets import athena_table_profiles
from athena_om.defs.profiles.jobs import athena_table_profiles_job
from athena_om.defs.profiles.schedules import DEFAULT_PROFILE_CRON, weekly_profiles_schedule


def profile_definitions(cron: str = DEFAULT_PROFILE_CRON) -> Definitions:
    """The profile area with its schedule on ``cron`` (the workflow's ``athenaOm.profiler.schedule``)."""
    return Definitions(
        assets=[athena_table_profiles],
        jobs=[athena_table_profiles_job],
        schedules=[weekly_profiles_schedule(cron)],
    )


defs = profile_definitions()
