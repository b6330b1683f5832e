"""Tests running OpenMetadata's own ingestion client (the ``real_connector`` marker, registered in pyproject.toml:
select with ``-m real_connector``, leave out with ``-m "not real_connector"``)."""
