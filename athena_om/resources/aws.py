"""The configurable AWS resource: Glue, Athena, Lake Formation and STS clients and a PyAthena connection."""

import threading
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config
from dagster_aws.utils import ResourceWithBoto3Configuration
from pydantic import Field, PrivateAttr

SECRET_FIELDS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


class AthenaResource(ResourceWithBoto3Configuration):
    """AWS access for athena-om, with assume-role, a catalog id, a workgroup and an S3 staging dir.

    The endpoint comes from ``endpoint_url`` or from botocore's own ``AWS_ENDPOINT_URL`` setting, which is how
    the sandbox is reached: there is no sandbox-only code path.
    """

    assume_role_arn: str | None = Field(default=None, description="Role to assume before any AWS call.")
    assume_role_session_name: str = Field(default="OpenMetadataSession", description="Assumed role session name.")
    assume_role_source_identity: str | None = Field(default=None, description="SourceIdentity for AssumeRole.")
    catalog_id: str | None = Field(default=None, description="Glue catalog id (another account, S3 Tables).")
    workgroup: str = Field(default="primary", description="Athena workgroup for queries athena-om runs.")
    s3_staging_dir: str | None = Field(default=None, description="S3 URI where Athena writes query results.")
    credentials_from_workflow: str | None = Field(
        default=None,
        description="Workflow YAML to read awsAccessKeyId/awsSecretAccessKey/awsSessionToken from at run time, "
        "so the keys never sit in resource config the Dagster UI shows.",
    )

    _clients: dict[str, Any] = PrivateAttr(default_factory=dict)
    _session_cache: boto3.session.Session | None = PrivateAttr(default=None)
    _lock: threading.RLock = PrivateAttr(default_factory=threading.RLock)
    _request_counts: Counter[str] = PrivateAttr(default_factory=Counter)

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, ("**********" if name in SECRET_FIELDS and value else value)

    # -- sessions and clients ----------------------------------------------------------------------------

    def _static_credentials(self) -> tuple[str | None, str | None, str | None]:
        if self.aws_access_key_id or not self.credentials_from_workflow:
            return self.aws_access_key_id, self.aws_secret_access_key, self.aws_session_token
        from athena_om.resources.settings import workflow_config_at

        connection = workflow_config_at(self.credentials_from_workflow).connection
        aws = connection.aws_config if connection else None

        def reveal(secret: Any) -> str | None:
            return secret.get_secret_value() if secret is not None else None

        if aws is None:
            return None, None, None
        return reveal(aws.aws_access_key_id), reveal(aws.aws_secret_access_key), reveal(aws.aws_session_token)

    def _base_session(self) -> boto3.session.Session:
        key_id, secret, token = self._static_credentials()
        return boto3.session.Session(
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            region_name=self.region_name,
            profile_name=self.profile_name,
        )

    @property
    def _session(self) -> boto3.session.Session:
        with self._lock:
            if self._session_cache is None:
                self._session_cache = self._new_session()
            return self._session_cache

    def _new_session(self) -> boto3.session.Session:
        base = self._base_session()
        if not self.assume_role_arn:
            return base
        kwargs: dict[str, Any] = {"RoleArn": self.assume_role_arn, "RoleSessionName": self.assume_role_session_name}
        if self.assume_role_source_identity:
            kwargs["SourceIdentity"] = self.assume_role_source_identity
        sts = self._counted_client(base, "sts")
        creds = sts.assume_role(**kwargs)["Credentials"]
        return boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region_name,
        )

    def _botocore_config(self) -> Config:
        # Adaptive mode adds client-side rate limiting on throttling, on top of standard retries.
        return Config(retries={"max_attempts": self.max_attempts, "mode": "adaptive"}, max_pool_connections=32)

    def _endpoint_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"use_ssl": self.use_ssl, "verify": self.verify}
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return kwargs

    def client(self, service: str) -> Any:
        """A cached boto3 client for ``service``; every request it sends is counted."""
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._counted_client(self._session, service)
            return self._clients[service]

    def probe_client(self, service: str, *, timeout_s: float, max_attempts: int = 2) -> Any:
        """An uncached client with short timeouts and few retries, for checks that must answer quickly."""
        config = Config(
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=timeout_s,
            read_timeout=timeout_s,
        )
        client = self._session.client(service, config=config, **self._endpoint_kwargs())
        client.meta.events.register("before-send", self._count_request)
        return client

    def _counted_client(self, session: boto3.session.Session, service: str) -> Any:
        client = session.client(service, config=self._botocore_config(), **self._endpoint_kwargs())
        client.meta.events.register("before-send", self._count_request)
        return client

    def _count_request(self, event_name: str = "", **kwargs: Any) -> None:
        # event_name is "before-send.<service>.<Operation>"; retries are sent again, so they count too.
        _, _, rest = event_name.partition(".")
        service, _, operation = rest.partition(".")
        with self._lock:
            self._request_counts[f"{service or 'aws'}:{operation or 'unknown'}"] += 1

    @property
    def request_counts(self) -> Counter[str]:
        """AWS requests sent so far by this resource instance, keyed ``service:Operation``."""
        with self._lock:
            return Counter(self._request_counts)

    def glue(self) -> Any:
        return self.client("glue")

    def athena(self) -> Any:
        return self.client("athena")

    def lakeformation(self) -> Any:
        return self.client("lakeformation")

    def sts(self) -> Any:
        return self.client("sts")

    def pyathena_connection(self, schema_name: str = "default") -> Any:
        """A DB-API connection to Athena through PyAthena, using the same credentials."""
        from pyathena import connect

        creds = self._session.get_credentials()
        frozen = creds.get_frozen_credentials() if creds else None
        kwargs: dict[str, Any] = dict(
            s3_staging_dir=self.s3_staging_dir,
            work_group=self.workgroup,
            region_name=self.region_name or self._session.region_name,
            schema_name=schema_name,
            catalog_name="awsdatacatalog",
            aws_access_key_id=frozen.access_key if frozen else None,
            aws_secret_access_key=frozen.secret_key if frozen else None,
            aws_session_token=frozen.token if frozen else None,
            config=self._botocore_config(),
        )
        if self.endpoint_url:
            kwargs["endpoint_url"] = self.endpoint_url
        return connect(**kwargs)
