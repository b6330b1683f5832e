"""Start, stop and inspect the sandbox: the extended moto server and the local OpenMetadata server.

``serve`` runs both in one foreground process (moto keeps AWS state in memory, so the process that seeds the demo
lake must be the one serving it); ``up`` starts ``serve`` detached and waits until both answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from athena_om.config.loader import SANDBOX_CONFIG_PATH

DEFAULT_STATE_DIR = Path(".sandbox")
DEFAULT_AWS_PORT = 5055
DEFAULT_OM_PORT = 8585
SANDBOX_TOKEN = "sandbox-token"  # the demo JWT; a real deployment uses the ingestion bot's token
STATE_FILE = "sandbox.json"


@dataclass
class SandboxInfo:
    pid: int
    aws_endpoint_url: str
    openmetadata_api_url: str
    state_dir: str
    region: str = "us-east-1"

    def environment(self) -> dict[str, str]:
        """What a shell needs to reach the sandbox through ordinary settings."""
        return {
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "OPENMETADATA_HOST_PORT": self.openmetadata_api_url,
            "OPENMETADATA_JWT_TOKEN": SANDBOX_TOKEN,
            # The code location reads no file it is not told about: name the sandbox's workflow file.
            "ATHENA_OM_CONFIG": str(SANDBOX_CONFIG_PATH.resolve()),
        }


def read_info(state_dir: Path = DEFAULT_STATE_DIR) -> SandboxInfo | None:
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    return SandboxInfo(**json.loads(path.read_text()))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def seed_openmetadata_people(api_url: str, owners: set[str]) -> None:
    """Users for e-mail owners and teams for the rest, so Glue ``Owner`` values resolve in the demo."""
    with httpx.Client(base_url=api_url, headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"}, timeout=10) as client:
        for owner in sorted(owners):
            if "@" in owner:
                name = owner.split("@", 1)[0]
                body = {"name": name, "email": owner, "displayName": name.title()}
                client.put("/v1/users", json=body).raise_for_status()
            else:
                client.put("/v1/teams", json={"name": owner, "teamType": "Group"}).raise_for_status()


def serve(
    state_dir: Path = DEFAULT_STATE_DIR,
    aws_port: int = DEFAULT_AWS_PORT,
    om_port: int = DEFAULT_OM_PORT,
    stop_event: threading.Event | None = None,
) -> None:
    """Run both servers with the demo lake seeded until SIGTERM/SIGINT (or ``stop_event``)."""
    from athena_om.sandbox.aws import DEMO_TABLES, AwsSandbox, seed_demo_lake
    from athena_om.sandbox.openmetadata_server import OpenMetadataSandboxServer

    state_dir.mkdir(parents=True, exist_ok=True)
    aws = AwsSandbox()
    aws_url = aws.start(port=aws_port)
    seed_demo_lake(aws)
    om = OpenMetadataSandboxServer(state_dir / "openmetadata", jwt_token=SANDBOX_TOKEN)
    om.start(port=om_port)
    seed_openmetadata_people(om.api_url, {t.owner for t in DEMO_TABLES if t.owner})
    info = SandboxInfo(os.getpid(), aws_url, om.api_url, str(state_dir.resolve()), aws.region)
    (state_dir / STATE_FILE).write_text(json.dumps(asdict(info), indent=2))
    stop = stop_event or threading.Event()
    if stop_event is None:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        om.stop()
        aws.stop()
        (state_dir / STATE_FILE).unlink(missing_ok=True)


def up(
    state_dir: Path = DEFAULT_STATE_DIR,
    timeout_s: float = 90.0,
    *,
    aws_port: int = DEFAULT_AWS_PORT,
    om_port: int = DEFAULT_OM_PORT,
) -> SandboxInfo:
    """Start the sandbox in the background (or return the running one) once both servers answer."""
    info = read_info(state_dir)
    if info and _alive(info.pid):
        return info
    (state_dir / STATE_FILE).unlink(missing_ok=True)
    state_dir.mkdir(parents=True, exist_ok=True)
    log = (state_dir / "sandbox.log").open("ab")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "athena_om.cli", "sandbox", "serve", "--state-dir", str(state_dir)),
            *("--aws-port", str(aws_port), "--om-port", str(om_port)),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"The sandbox exited during start-up (code {process.returncode}); see {state_dir / 'sandbox.log'}. "
                f"Is port {aws_port} or {om_port} already taken?"
            )
        info = read_info(state_dir)
        if info and _healthy(info):
            return info
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"The sandbox did not answer within {timeout_s:.0f}s; see {state_dir / 'sandbox.log'}.")


def _healthy(info: SandboxInfo) -> bool:
    try:
        httpx.get(f"{info.openmetadata_api_url}/v1/system/version", timeout=2).raise_for_status()
        httpx.get(f"{info.aws_endpoint_url}/_sandbox/requests", timeout=2).raise_for_status()
    except httpx.HTTPError:
        return False
    return True


def down(state_dir: Path = DEFAULT_STATE_DIR, timeout_s: float = 20.0) -> bool:
    """Stop a running sandbox; True when one was running. OpenMetadata's state stays on disk."""
    info = read_info(state_dir)
    if not info or not _alive(info.pid):
        (state_dir / STATE_FILE).unlink(missing_ok=True)
        return False
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
    return True


def status(state_dir: Path = DEFAULT_STATE_DIR) -> dict[str, object]:
    """Whether the sandbox runs, where, and what the OpenMetadata side holds."""
    info = read_info(state_dir)
    if not info or not _alive(info.pid):
        return {"running": False}
    result: dict[str, object] = {"running": True, **asdict(info)}
    try:
        summary = httpx.get(
            f"{info.openmetadata_api_url.removesuffix('/api')}/_sandbox/summary",
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
            timeout=5,
        )
        result["openmetadata_entities"] = summary.json()
    except httpx.HTTPError as exc:
        result["openmetadata_entities"] = f"unavailable ({type(exc).__name__})"
    return result
