"""``athena-om``: validate a workflow file, run the sandbox, and run the demo end to end."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from athena_om.config import WorkflowConfigError, load_workflow_config, summarize


def _validate_config(args: argparse.Namespace) -> int:
    try:
        config = load_workflow_config(args.file)
    except WorkflowConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(summarize(config, str(args.file)))
    return 0


def _test_connection(args: argparse.Namespace) -> int:
    from athena_om.config import resolve_config_path
    from athena_om.connection_check import run_connection_test_for_workflow

    try:
        path = resolve_config_path(args.file)
        config = load_workflow_config(path)
    except WorkflowConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    report = run_connection_test_for_workflow(config, str(path.resolve()), database=args.database)
    print(report.text())
    return 0 if report.passed else 1


def _sandbox(args: argparse.Namespace) -> int:
    from athena_om.sandbox import launcher

    state_dir = Path(args.state_dir)
    if args.action == "serve":
        launcher.serve(state_dir, aws_port=args.aws_port, om_port=args.om_port)
        return 0
    if args.action == "up":
        try:
            info = launcher.up(state_dir, aws_port=args.aws_port, om_port=args.om_port)
        except RuntimeError as exc:
            print(f"athena-om sandbox: {exc}", file=sys.stderr)
            return 1
        print(f"Sandbox running (pid {info.pid}).")
        print(f"  AWS (moto, extended):   {info.aws_endpoint_url}")
        print(f"  OpenMetadata REST API:  {info.openmetadata_api_url}")
        print("To point a shell at it:")
        for key, value in info.environment().items():
            print(f"  export {key}={value}")
        return 0
    if args.action == "env":
        running = launcher.read_info(state_dir)
        if running is None:
            print("athena-om sandbox: not running; start it with `athena-om sandbox up`", file=sys.stderr)
            return 1
        for key, value in running.environment().items():
            print(f"export {key}={value}")
        return 0
    if args.action == "down":
        print("Sandbox stopped." if launcher.down(state_dir) else "No sandbox was running.")
        return 0
    print(json.dumps(launcher.status(state_dir), indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from athena_om.sandbox.demo import run_demo

    return run_demo(Path(args.state_dir), days=args.days)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="athena-om", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate-config", help="Check a workflow YAML and print a summary.")
    validate.add_argument("file", type=Path)
    validate.set_defaults(handler=_validate_config)

    check = commands.add_parser(
        "test-connection", help="Check every AWS permission and OpenMetadata setting a sync needs; exit 0 if all pass."
    )
    check.add_argument(
        "file", type=Path, nargs="?", help="Workflow YAML (default $ATHENA_OM_CONFIG, ./athena_om.yaml)."
    )
    check.add_argument("--database", help="Glue database whose tables to read (default: the first one included).")
    check.set_defaults(handler=_test_connection)

    sandbox = commands.add_parser("sandbox", help="Start, stop or inspect the local sandbox.")
    sandbox.add_argument("action", choices=["up", "down", "status", "env", "serve"])
    # Defaults from the environment, so a second sandbox (a test's, say) can run beside a developer's.
    sandbox.add_argument("--state-dir", default=os.environ.get("ATHENA_OM_SANDBOX_DIR", ".sandbox"))
    sandbox.add_argument("--aws-port", type=int, default=int(os.environ.get("ATHENA_OM_SANDBOX_AWS_PORT", "5055")))
    sandbox.add_argument("--om-port", type=int, default=int(os.environ.get("ATHENA_OM_SANDBOX_OM_PORT", "8585")))
    sandbox.set_defaults(handler=_sandbox)

    demo = commands.add_parser("demo", help="Bring the sandbox up and run the jobs with `dagster job launch`.")
    demo.add_argument("--state-dir", default=os.environ.get("ATHENA_OM_SANDBOX_DIR", ".sandbox"))
    demo.add_argument("--days", type=int, default=3, help="Days of query history to run usage and lineage for.")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
