"""Parsing a 50 MB dbt manifest: athena-om's reader against dbt-artifacts-parser's whole-document parse.

Run: ``.venv/bin/python benchmarks/bench_dbt_parse.py [--mb 50] [--manifest PATH]``.

The manifest is synthesized from a real one (default: the test project's, written by dbt 1.11 through
scripts/dbt_artifacts.sh, cached under .cache/dbt-artifacts) by replicating its models, tests and sources
under new unique ids until the file reaches ``--mb`` megabytes. Each measurement runs in a fresh child process
so its peak RSS is its own:

- ``json``: ``json.loads`` of the file alone (the floor any reader pays);
- ``athena-om``: ``read_dbt_artifacts`` (validation node by node with the version's models, unused sections
  skipped, nodes kept as small records);
- ``whole``: ``dbt_artifacts_parser.parser.parse_manifest`` of the whole document (the baseline).

Prints a table and one JSON line; writes ``benchmarks/results/dbt_parse.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
start, cpu = time.perf_counter(), time.process_time()
if mode == "json":
    with open(path, "rb") as f:
        data = json.loads(f.read())
    count = len(data["nodes"])
elif mode == "athena-om":
    from athena_om.athena.dbt_artifacts import DbtArtifactPaths, LocalArtifacts, read_dbt_artifacts
    artifacts = read_dbt_artifacts(LocalArtifacts(), DbtArtifactPaths("local", path))
    count = len(artifacts.nodes) + len(artifacts.tests)
else:
    from dbt_artifacts_parser.parser import parse_manifest
    with open(path, "rb") as f:
        manifest = parse_manifest(json.loads(f.read()))
    count = len(manifest.nodes)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"mode": mode, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(peak_mb),
                  "records": count}))
"""


def synthesize(source: Path, target: Path, megabytes: float) -> dict[str, int]:
    """Replicate the manifest's models, tests and sources until the file is ``megabytes`` large."""
    manifest = json.loads(source.read_text())
    nodes = {k: v for k, v in manifest["nodes"].items() if k.split(".")[0] in ("model", "test", "seed")}
    sources = dict(manifest["sources"])
    per_copy = len(json.dumps(nodes)) + len(json.dumps(sources))
    base = len(json.dumps(manifest))
    copies = max(0, int((megabytes * 1_000_000 - base) / per_copy))
    for index in range(copies):
        for unique_id, node in nodes.items():
            clone = dict(node, unique_id=f"{unique_id}_{index}", name=f"{node['name']}_{index}")
            manifest["nodes"][clone["unique_id"]] = clone
        for unique_id, node in sources.items():
            manifest["sources"][f"{unique_id}_{index}"] = dict(node, unique_id=f"{unique_id}_{index}")
    target.write_text(json.dumps(manifest))
    return {"copies": copies, "nodes": len(manifest["nodes"]), "sources": len(manifest["sources"])}


def measure(path: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--manifest", type=Path, default=None)
    args = parser.parse_args()
    if args.manifest is None:
        from athena_om_tests.dbt.artifacts import real_dbt_artifacts

        args.manifest = real_dbt_artifacts("v12") / "manifest.json"
    with tempfile.TemporaryDirectory() as scratch:
        big = Path(scratch) / "manifest.json"
        shape = synthesize(args.manifest, big, args.mb)
        size_mb = big.stat().st_size / 1_000_000
        rows = [measure(big, mode) for mode in ("json", "athena-om", "whole")]
    print(f"manifest {size_mb:.1f} MB: {shape['nodes']} nodes, {shape['sources']} sources ({shape['copies']} copies)")
    print(f"{'reader':<10} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12} {'records':>8}")
    for row in rows:
        print(f"{row['mode']:<10} {row['wall_s']:>8} {row['cpu_s']:>8} {row['peak_rss_mb']:>12} {row['records']:>8}")
    summary = {"manifest_mb": round(size_mb, 1), **shape, "results": rows}
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "dbt_parse.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
