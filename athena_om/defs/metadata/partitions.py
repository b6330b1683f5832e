"""One dynamic partition per Glue database, so each database is synced, retried and refreshed on its own."""

from dagster import DynamicPartitionsDefinition

glue_database_partitions = DynamicPartitionsDefinition(name="glue_databases")
