"""Turn a workflow file into the resources the code location binds."""

from __future__ import annotations

from typing import Any

from athena_om.config import WorkflowConfig
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataIOManager, OpenMetadataResource
from athena_om.resources.settings import AthenaOmSettingsResource


def resources_from_workflow(config: WorkflowConfig, config_path: str) -> dict[str, Any]:
    """Resources for Definitions; secret values stay in the file and are read at run time."""
    connection = config.connection
    aws = connection.aws_config if connection else None
    om = config.openmetadata
    ca_certificate = om.ssl_config.ca_certificate if om.ssl_config else None
    openmetadata = OpenMetadataResource(
        host_port=om.host_port,
        token_from_workflow=config_path if om.auth_provider == "openmetadata" else None,
        timeout_s=config.settings.request_timeout_seconds,
        concurrency=config.settings.request_concurrency,
        # OpenMetadata's own client verifies https unless told `ignore`; `no-ssl` only says hostPort is http.
        verify_ssl=om.verify_ssl != "ignore",
        ca_certificate=ca_certificate.get_secret_value() if ca_certificate else None,
    )
    aws_resource = AthenaResource(
        region_name=aws.aws_region if aws else None,
        endpoint_url=aws.end_point_url if aws else None,
        profile_name=aws.profile_name if aws else None,
        assume_role_arn=aws.assume_role_arn if aws else None,
        assume_role_session_name=aws.assume_role_session_name if aws else "OpenMetadataSession",
        assume_role_source_identity=aws.assume_role_source_identity if aws else None,
        catalog_id=connection.catalog_id if connection else None,
        workgroup=connection.workgroup if connection else "primary",
        s3_staging_dir=connection.s3_staging_dir if connection else None,
        credentials_from_workflow=config_path,
    )
    return {
        "aws": aws_resource,
        "openmetadata": openmetadata,
        "openmetadata_io_manager": OpenMetadataIOManager(
            openmetadata=openmetadata, aws=aws_resource, payload_storage=config.settings.payload_storage or ""
        ),
        "settings": AthenaOmSettingsResource(config_path=config_path),
    }
