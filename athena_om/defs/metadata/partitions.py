"""One dynamic partition per Glue database, so each database is synced, retried and refreshed on its own."""

from dagster import DynamicPartitionsDefinition

GLUE_DATABASES = "glue_databases"
glue_database_partitions = DynamicPartitionsDefinition(name=GLUE_DATABASES)
