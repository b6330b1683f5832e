"""Test connection: one short probe per permission athena-om needs, each reported as pass or fail with its fix.

The steps follow what a sync does, in order: who the AWS credentials are, the Glue catalog, one database's tables,
Lake Formation tags, Athena workgroups and query history, a tiny query whose results land in ``s3StagingDir``, and
OpenMetadata (its version, then a read that needs the token). A failure names the exact IAM action (with the
resource ARN) or the workflow setting to change. Every call has a short timeout and every step a deadline, so a
dead endpoint fails the step instead of hanging the test. Nothing secret is printed: AWS messages carry no keys and
the OpenMetadata client redacts its token.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from athena_om.config import WorkflowConfig
from athena_om.mapping.filters import FilterPattern, is_included
from athena_om.openmetadata.client import TOKEN_CHECK_PATH, OpenMetadataClient, OpenMetadataError, RetryPolicy
from athena_om.resources.aws import AthenaResource
from athena_om.resources.openmetadata import OpenMetadataResource

AWS_CONFIG = "source.serviceConnection.config"
OM_CONFIG = "workflowConfig.openMetadataServerConfig"
CREDENTIALS_FIX = (
    f"set {AWS_CONFIG}.awsConfig.awsAccessKeyId and awsSecretAccessKey (plus awsSessionToken for temporary keys), "
    "or profileName, to credentials AWS accepts"
)
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "Forbidden"}
)
BAD_CREDENTIAL_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "IncompleteSignature",
        "ExpiredToken",
        "ExpiredTokenException",
    }
)
THROTTLING_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException"})
TEST_QUERY = "SELECT 1 AS athena_om_test_connection"
AWS_MESSAGE_EXCERPT = 240
NO_ANSWER = "no answer within"
STS_STEP = "AWS identity (STS)"


@dataclass(frozen=True)
class StepResult:
    """One step's outcome: what was seen when it passed, what to fix when it failed."""

    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.detail}"


@dataclass(frozen=True)
class ConnectionReport:
    """Every step's result, in order."""

    steps: tuple[StepResult, ...]

    @property
    def passed(self) -> bool:
        return all(step.passed for step in self.steps)

    @property
    def failed(self) -> tuple[StepResult, ...]:
        return tuple(step for step in self.steps if not step.passed)

    def summary(self) -> str:
        failed = len(self.failed)
        return f"{len(self.steps) - failed} passed, {failed} failed, {len(self.steps)} steps"

    def lines(self) -> list[str]:
        """One line per step, then the counts."""
        return [step.line() for step in self.steps] + [self.summary()]

    def text(self) -> str:
        return "\n".join(self.lines())


class StepFailed(Exception):
    """A step's failure; the message says what to fix."""


# -- pure helpers -----------------------------------------------------------------------------------------------


def describe_aws_error(exc: BaseException, needs: str, *, assume_role_arn: str | None = None) -> str:
    """What to fix after an AWS call failed: the permission ``needs`` when access was denied, the credentials
    settings when AWS does not accept them, the endpoint settings when AWS is unreachable."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return f"no usable AWS credentials were found; {CREDENTIALS_FIX}"
    if isinstance(exc, NoRegionError):
        return f"no AWS region is set: set {AWS_CONFIG}.awsConfig.awsRegion"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return (
            f"cannot reach AWS ({type(exc).__name__}: {exc}); check {AWS_CONFIG}.awsConfig.awsRegion and "
            "endPointURL, and that the network allows it"
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        said = _excerpt(str(error.get("Message") or ""))
        said = f" AWS said: {said}" if said else ""
        if exc.operation_name == "AssumeRole":
            role = assume_role_arn or f"{AWS_CONFIG}.awsConfig.assumeRoleArn"
            return (
                f"assuming {role} failed ({code}): allow sts:AssumeRole on {role} for the caller and trust the caller "
                f"in the role's trust policy, or fix {AWS_CONFIG}.awsConfig.assumeRoleArn.{said}"
            )
        if code in BAD_CREDENTIAL_CODES:
            return f"AWS does not accept the credentials ({code}); {CREDENTIALS_FIX}.{said}"
        if code in ACCESS_DENIED_CODES:
            return f"access denied ({code}): grant {needs}.{said}"
        if code in THROTTLING_CODES:
            return f"AWS throttled {exc.operation_name} ({code}); run the test again in a minute.{said}"
        return f"{exc.operation_name} failed ({code}); it needs {needs}.{said}"
    if isinstance(exc, BotoCoreError):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= AWS_MESSAGE_EXCERPT else text[: AWS_MESSAGE_EXCERPT - 1] + "…"


def makes_aws_unusable(exc: BaseException) -> bool:
    """True when no AWS call can work: missing or rejected credentials, a role that cannot be assumed, no region,
    or an endpoint that does not answer."""
    unusable = (NoCredentialsError, PartialCredentialsError, NoRegionError, EndpointConnectionError)
    if isinstance(exc, (*unusable, ConnectTimeoutError, ReadTimeoutError)):
        return True
    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "")
        return exc.operation_name == "AssumeRole" or code in BAD_CREDENTIAL_CODES
    return False


def bucket_of(s3_uri: str | None) -> str | None:
    """The bucket of an ``s3://bucket/prefix`` URI."""
    if not s3_uri or not s3_uri.startswith("s3://"):
        return None
    return s3_uri[len("s3://") :].split("/", 1)[0] or None


def query_failure_fix(reason: str, staging_dir: str | None, workgroup: str) -> str:
    """What to fix after the test query ended FAILED, from Athena's StateChangeReason."""
    lowered = reason.lower()
    bucket = bucket_of(staging_dir)
    where = f"the s3StagingDir bucket {bucket}" if bucket else f"the output location of workgroup {workgroup}"
    if "access denied" in lowered and ("s3" in lowered or "output" in lowered):
        return (
            f"Athena could not write the results: grant s3:PutObject on {where} (with s3:GetBucketLocation, "
            f"s3:GetObject and s3:ListBucket; and the KMS key if results are encrypted). Athena said: "
            f"{_excerpt(reason)}"
        )
    if "output bucket" in lowered or "nosuchbucket" in lowered or "bucket does not exist" in lowered:
        return f"{where} does not exist or is in another region: fix {AWS_CONFIG}.s3StagingDir. Athena said: " + (
            _excerpt(reason)
        )
    return f"the test query failed: {_excerpt(reason)}"


def missing_output_location(exc: BaseException) -> bool:
    """Athena's refusal of a query that has nowhere to write its results."""
    if not isinstance(exc, ClientError):
        return False
    message = str(exc.response.get("Error", {}).get("Message") or "").lower()
    return "output location" in message or "outputlocation" in message


def run_step(name: str, probe: Callable[[], str], timeout_s: float) -> StepResult:
    """Run one probe with a deadline; its return value is the pass detail, StepFailed's message the fix."""
    outcome: list[StepResult] = []

    def target() -> None:
        try:
            outcome.append(StepResult(name, True, probe()))
        except StepFailed as failure:
            outcome.append(StepResult(name, False, str(failure)))
        except Exception as exc:  # a probe's bug or an unforeseen client error still reports, never crashes
            outcome.append(StepResult(name, False, f"{type(exc).__name__}: {_excerpt(str(exc))}"))

    # A daemon thread: a call stuck past every client timeout is abandoned, not waited for at exit.
    worker = threading.Thread(target=target, name=f"test-connection {name}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not outcome:
        return StepResult(name, False, f"{NO_ANSWER} {timeout_s:g} s; check the network path to the service")
    return outcome[0]


# -- the steps --------------------------------------------------------------------------------------------------


@dataclass
class ConnectionTest:
    """The steps, sharing what earlier steps learned (account, region, a database, whether credentials work)."""

    aws: AthenaResource
    openmetadata: OpenMetadataClient
    database: str | None = None
    database_filter: FilterPattern | None = None
    include_tags: bool = True
    call_timeout_s: float = 10.0
    query_timeout_s: float = 30.0
    step_timeout_s: float = 60.0

    account: str | None = field(default=None, init=False)
    region: str | None = field(default=None, init=False)
    partition: str = field(default="aws", init=False)
    aws_unusable: bool = field(default=False, init=False)
    server_unreachable: bool = field(default=False, init=False)
    _clients: dict[str, Any] = field(default_factory=dict, init=False)

    def run(self) -> ConnectionReport:
        steps: list[tuple[str, Callable[[], str]]] = [
            (STS_STEP, self.sts_identity),
            ("Glue databases", self.glue_databases),
            ("Glue tables", self.glue_tables),
            ("Lake Formation tags", self.lake_formation_tags),
            ("Athena workgroups and query history", self.athena_workgroups),
            ("Athena query into s3StagingDir", self.staging_query),
            ("OpenMetadata version", self.openmetadata_version),
            ("OpenMetadata authenticated read", self.openmetadata_read),
        ]
        deadline = {"Athena query into s3StagingDir": self.step_timeout_s + self.query_timeout_s}
        results = []
        for name, probe in steps:
            result = run_step(name, probe, deadline.get(name, self.step_timeout_s))
            if name == STS_STEP and result.detail.startswith(NO_ANSWER):
                self.aws_unusable = True  # the other AWS steps would each wait out their deadline too
            results.append(result)
        return ConnectionReport(tuple(results))

    # -- AWS --------------------------------------------------------------------------------------------------

    def _client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.aws.probe_client(service, timeout_s=self.call_timeout_s)
        return self._clients[service]

    def _aws_call(
        self,
        service: str,
        needs: str,
        call: Callable[[Any], Any],
        explain: Callable[[BaseException], str | None] = lambda _: None,
    ) -> Any:
        """``call`` on the service's client; a failure becomes StepFailed with ``explain``'s fix, or the generic one
        naming ``needs``."""
        if self.aws_unusable:
            raise StepFailed(f"not tried: no AWS call can work with these settings (see {STS_STEP})")
        try:
            return call(self._client(service))
        except (ClientError, BotoCoreError) as exc:
            fix = explain(exc) or describe_aws_error(exc, needs, assume_role_arn=self.aws.assume_role_arn)
            raise StepFailed(fix) from None

    @property
    def _catalog(self) -> dict[str, str]:
        return {"CatalogId": self.aws.catalog_id} if self.aws.catalog_id else {}

    def _arn(self, service: str, resource: str, account: str | None = None) -> str:
        owner = account or self.account or "ACCOUNT"
        return f"arn:{self.partition}:{service}:{self.region or 'REGION'}:{owner}:{resource}"

    def _glue_arn(self, resource: str) -> str:
        return self._arn("glue", resource, self.aws.catalog_id)

    @property
    def _workgroup_arn(self) -> str:
        return self._arn("athena", f"workgroup/{self.aws.workgroup}")

    def sts_identity(self) -> str:
        try:
            sts = self._client("sts")
            self.region = sts.meta.region_name
            identity = sts.get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            # GetCallerIdentity needs no permission: only an explicit deny (an SCP, a boundary) refuses it.
            fix = describe_aws_error(
                exc,
                "sts:GetCallerIdentity (remove the explicit deny in an SCP or boundary)",
                assume_role_arn=self.aws.assume_role_arn,
            )
            self.aws_unusable = makes_aws_unusable(exc)
            raise StepFailed(fix) from None
        self.account = str(identity.get("Account") or "") or None
        arn = str(identity.get("Arn") or "")
        self.partition = arn.split(":")[1] if arn.count(":") >= 5 else "aws"  # aws-cn, aws-us-gov
        return f"{identity.get('Arn')} (account {self.account}, region {self.region})"

    def glue_databases(self) -> str:
        needs = f"glue:GetDatabases on {self._glue_arn('catalog')}"
        page = self._aws_call("glue", needs, lambda glue: glue.get_databases(MaxResults=100, **self._catalog))
        names = [str(item["Name"]) for item in page.get("DatabaseList", [])]
        if not names:
            raise StepFailed(
                f"GetDatabases answered with no database in catalog {self.aws.catalog_id or self.account}: grant "
                f"Lake Formation DESCRIBE on the databases to sync, or fix {AWS_CONFIG}.catalogId"
            )
        if self.database is None:
            included = [name for name in names if is_included(name, self.database_filter)]
            self.database = (included or names)[0]
        more = " or more" if page.get("NextToken") else ""
        return f"{len(names)}{more} database(s) readable, e.g. {', '.join(names[:3])}"

    def glue_tables(self) -> str:
        database = self.database
        if database is None:
            raise StepFailed("not tried: no Glue database to read tables from (see Glue databases)")
        needs = (
            f"glue:GetTables on {self._glue_arn('catalog')}, {self._glue_arn(f'database/{database}')} and "
            f"{self._glue_arn(f'table/{database}/*')} (and Lake Formation SELECT or DESCRIBE on its tables)"
        )
        page = self._aws_call(
            "glue", needs, lambda glue: glue.get_tables(DatabaseName=database, MaxResults=100, **self._catalog)
        )
        tables = page.get("TableList", [])
        more = " or more" if page.get("NextToken") else ""
        return f"{len(tables)}{more} table(s) readable in database {database}"

    def lake_formation_tags(self) -> str:
        if not self.include_tags:
            return "not needed: includeTags is false in source.sourceConfig.config"
        off = "; or set includeTags: false in source.sourceConfig.config"
        page = self._aws_call(
            "lakeformation",
            f"lakeformation:ListLFTags (and Lake Formation DESCRIBE on the LF-Tags){off}",
            lambda lf: lf.list_lf_tags(ResourceShareType="ALL", MaxResults=50, **self._catalog),
        )
        tags = page.get("LFTags", [])
        if not tags:
            return "no LF-Tags defined (nothing to map to OpenMetadata tags)"
        first = tags[0]
        expression = [{"TagKey": first["TagKey"], "TagValues": list(first.get("TagValues") or [])[:1]}]
        self._aws_call(
            "lakeformation",
            f"lakeformation:SearchTablesByLFTags{off}",
            lambda lf: lf.search_tables_by_lf_tags(Expression=expression, MaxResults=1, **self._catalog),
        )
        return f"{len(tags)} LF-Tag key(s) readable, and tables can be searched by tag {first['TagKey']}"

    def athena_workgroups(self) -> str:
        page = self._aws_call("athena", "athena:ListWorkGroups", lambda athena: athena.list_work_groups())
        states = {str(item["Name"]): str(item.get("State") or "ENABLED") for item in page.get("WorkGroups", [])}
        workgroup = self.aws.workgroup
        if workgroup not in states and not page.get("NextToken"):
            raise StepFailed(
                f"workgroup {workgroup} does not exist here: set {AWS_CONFIG}.workgroup to one of "
                f"{', '.join(sorted(states)) or '(none listed)'}"
            )
        if states.get(workgroup) == "DISABLED":
            raise StepFailed(f"workgroup {workgroup} is disabled: enable it, or set {AWS_CONFIG}.workgroup")
        history = self._aws_call(
            "athena",
            f"athena:ListQueryExecutions on {self._workgroup_arn}",
            lambda athena: athena.list_query_executions(WorkGroup=workgroup, MaxResults=5),
        )
        ids = list(history.get("QueryExecutionIds", []))
        if ids:
            self._aws_call(
                "athena",
                f"athena:BatchGetQueryExecution on {self._workgroup_arn}",
                lambda athena: athena.batch_get_query_execution(QueryExecutionIds=ids),
            )
        return f"{len(states)} workgroup(s) listed; {len(ids)} recent query(ies) of workgroup {workgroup} readable"

    def staging_query(self) -> str:
        workgroup, staging = self.aws.workgroup, self.aws.s3_staging_dir
        kwargs: dict[str, Any] = {"QueryString": TEST_QUERY, "WorkGroup": workgroup}
        if staging:
            kwargs["ResultConfiguration"] = {"OutputLocation": staging}
        no_output = (
            f"the query has nowhere to write its results: set {AWS_CONFIG}.s3StagingDir (or an output location "
            f"on workgroup {workgroup})"
        )
        query_id = self._aws_call(
            "athena",
            f"athena:StartQueryExecution on {self._workgroup_arn}",
            lambda athena: athena.start_query_execution(**kwargs),
            explain=lambda exc: no_output if missing_output_location(exc) else None,
        )["QueryExecutionId"]
        status = self._wait_for(query_id)
        state = status.get("State")
        if state != "SUCCEEDED":
            raise StepFailed(query_failure_fix(str(status.get("StateChangeReason") or state), staging, workgroup))
        bucket = bucket_of(staging)
        self._aws_call(
            "athena",
            f"athena:GetQueryResults on {self._workgroup_arn} and s3:GetObject on "
            f"{f'the s3StagingDir bucket {bucket}' if bucket else 'the result location'}",
            lambda athena: athena.get_query_results(QueryExecutionId=query_id, MaxResults=2),
        )
        return f"{TEST_QUERY!r} ran in workgroup {workgroup}, results written to {staging or 'its output location'}"

    def _wait_for(self, query_id: str) -> dict[str, Any]:
        needs = f"athena:GetQueryExecution on {self._workgroup_arn}"
        deadline = time.monotonic() + self.query_timeout_s
        pause = 0.1
        while True:
            execution = self._aws_call(
                "athena", needs, lambda athena: athena.get_query_execution(QueryExecutionId=query_id)
            )
            status: dict[str, Any] = execution["QueryExecution"]["Status"]
            if status.get("State") in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return status
            if time.monotonic() >= deadline:
                # Stopping is best effort: the step has failed either way.
                with contextlib.suppress(ClientError, BotoCoreError):
                    self._client("athena").stop_query_execution(QueryExecutionId=query_id)
                raise StepFailed(
                    f"the test query did not finish within {self.query_timeout_s:g} s in workgroup "
                    f"{self.aws.workgroup} (stopped); check the workgroup's capacity and queue"
                )
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    # -- OpenMetadata -----------------------------------------------------------------------------------------

    def openmetadata_version(self) -> str:
        try:
            version = self.openmetadata.check_version()
        except OpenMetadataError as exc:
            self.server_unreachable = exc.status is None
            raise StepFailed(f"{exc} Check {OM_CONFIG}.hostPort.") from None
        return f"OpenMetadata {version} at {self.openmetadata.host_port}"

    def openmetadata_read(self) -> str:
        if self.server_unreachable:
            raise StepFailed("not tried: the server did not answer (see OpenMetadata version)")
        try:
            self.openmetadata.check_token()
        except OpenMetadataError as exc:
            # check_token's refusal already names securityConfig.jwtToken; anything else is the server's address.
            raise StepFailed(str(exc) if exc.status in (401, 403) else f"{exc} Check {OM_CONFIG}.hostPort.") from None
        return f"the token is accepted (GET {TOKEN_CHECK_PATH})"


def openmetadata_client_for_test(resource: OpenMetadataResource, timeout_s: float) -> OpenMetadataClient:
    """A client with the resource's settings but a short timeout and one retry, so a dead server fails fast."""
    return OpenMetadataClient(
        resource.host_port,
        resource._token(),  # the resource reads the token from the workflow file; it is never logged
        timeout_s=min(resource.timeout_s, timeout_s),
        concurrency=1,
        retry=RetryPolicy(max_attempts=2, base_delay_s=0.2, max_delay_s=1.0),
        verify_ssl=resource.verify_ssl,
        ca_certificate=resource.ca_certificate,
    )


def run_connection_test(
    aws: AthenaResource,
    openmetadata: OpenMetadataResource,
    *,
    database: str | None = None,
    database_filter: FilterPattern | None = None,
    include_tags: bool = True,
    call_timeout_s: float = 10.0,
    query_timeout_s: float = 30.0,
) -> ConnectionReport:
    """Run every step against the configured AWS account and OpenMetadata server."""
    with openmetadata_client_for_test(openmetadata, call_timeout_s) as client:
        return ConnectionTest(
            aws,
            client,
            database=database,
            database_filter=database_filter,
            include_tags=include_tags,
            call_timeout_s=call_timeout_s,
            query_timeout_s=query_timeout_s,
            # Worst case per step: a few calls, each at most two attempts of call_timeout_s; never under 30 s, which
            # leaves room for building AWS clients on a slow machine.
            step_timeout_s=max(30.0, 6 * call_timeout_s),
        ).run()


def run_connection_test_for_workflow(
    config: WorkflowConfig, config_path: str, *, database: str | None = None
) -> ConnectionReport:
    """Run every step with the resources a workflow file binds; the tables step reads ``database`` or the first
    database the file's schema filter includes."""
    from athena_om.resources.factory import resources_from_workflow
    from athena_om.resources.settings import sync_settings_from_workflow

    resources = resources_from_workflow(config, config_path)
    settings = sync_settings_from_workflow(config)
    return run_connection_test(
        resources["aws"],
        resources["openmetadata"],
        database=database,
        database_filter=settings.schema_filter,
        include_tags=settings.include_tags,
        call_timeout_s=min(10.0, float(config.settings.request_timeout_seconds)),
    )
