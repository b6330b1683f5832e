"""Test connection: a job that checks every permission and setting a sync needs, step by step."""

from dagster import Definitions

from athena_om.defs.connection.jobs import test_connection_job

defs = Definitions(jobs=[test_connection_job])
