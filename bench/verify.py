#!/usr/bin/env python3
"""Benchmark: ``verify`` (the live model and the comparison) on networks deployed in moto.

The assemblies are ``bench/connectivity.py``'s, made once and cached (``example``: the
example app; ``mesh-<n>``: ``bench/topology_scale.py``'s mesh of ``n`` VPCs, default 100).
Each is deployed into moto in-process by the tests' materializer (tests/live_network.py:
boto3 calls, one per resource), then ``verify`` runs ``--repeat`` times (default 3) in
this process: the median wall time, the AWS calls made (every page counts), the subnet
pairs the plan says reach (each asked of the live network too), and the findings (none
expected: the deployment is the plan).

What it shows: the calls grow with accounts x Regions x resource types (and stacks, one
``ListStackResources`` each), not with routes or pairs: the mesh has about a hundred times
the example's routes and pairs, and not a hundred times its calls. moto answers in-process,
so the time is the model's and the comparison's plus moto's, without network latency.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from connectivity import assembly  # noqa: E402


def measure(directory: Path, repeat: int) -> dict[str, float]:
    """Deploy ``directory`` into moto, then time ``verify`` on it ``repeat`` times."""
    from cdk_peering.connectivity import Network
    from cdk_peering.connectivity.verify import verify
    from tests.live_network import materialize, moto_aws

    plan = Network.from_assembly(directory)
    routes = sum(len(table.routes) for table in plan.route_tables)
    with moto_aws():
        start = time.perf_counter()
        deployed = materialize(directory)
        made = time.perf_counter() - start
        times, calls, pairs, drifts = [], [], [], []
        for _ in range(repeat):
            start = time.perf_counter()
            result = verify(directory, roles=deployed.roles)
            times.append(time.perf_counter() - start)
            calls.append(result.calls)
            pairs.append(result.pairs)
            drifts.append(len(result.drifts))
            environments = len(result.environments)
    return {
        "vpcs": len(plan.vpcs),
        "routes": routes,
        "environments": environments,
        "materialize_s": made,
        "verify_s": statistics.median(times),
        "calls": statistics.median(calls),
        "pairs": statistics.median(pairs),
        "drifts": max(drifts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vpcs", type=int, default=100, help="the mesh's size (default 100)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=("example", "mesh"), help="measure one assembly")
    parser.add_argument("--fresh", action="store_true", help="synthesize the assemblies again")
    parser.add_argument(
        "--example",
        type=Path,
        help="measure this assembly as the example (cdk.out after `make synth`) instead of "
        "the cached one",
    )
    arguments = parser.parse_args(argv)
    names = [arguments.only] if arguments.only else ["example", "mesh"]
    results = {}
    for name in names:
        directory = (
            arguments.example
            if name == "example" and arguments.example is not None
            else assembly(name, arguments.vpcs, arguments.fresh)
        )
        print(f"deploying {directory.name} into moto and verifying ...", flush=True)
        results[name] = measure(directory, arguments.repeat)
    columns = (
        "assembly",
        "VPCs",
        "routes",
        "accounts x Regions",
        "calls",
        "subnet pairs",
        "verify (median)",
        "findings",
        "made in moto",
    )
    print("| " + " | ".join(columns) + " |")
    print("|---" * 9 + "|")
    for name, r in results.items():
        print(
            f"| {name} | {r['vpcs']:.0f} | {r['routes']:.0f} | {r['environments']:.0f} | "
            f"{r['calls']:.0f} | {r['pairs']:.0f} | {r['verify_s']:.2f} s | {r['drifts']:.0f} | "
            f"{r['materialize_s']:.1f} s |"
        )
    if len(results) == 2:
        example, mesh = results["example"], results["mesh"]
        print(
            f"\nmesh / example: routes x{mesh['routes'] / example['routes']:.1f}, pairs "
            f"x{mesh['pairs'] / max(example['pairs'], 1):.1f}, calls "
            f"x{mesh['calls'] / example['calls']:.1f}"
        )
    return 1 if any(r["drifts"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
