"""The test-connection job: ``athena-om test-connection`` as a Dagster job."""
