#!/usr/bin/env python3
"""Benchmark: what a user's synth pays, each run in a fresh process.

``mesh_vs_l1.py`` times builds inside one warm process; a user's ``cdk synth`` is one
fresh process that starts Python, imports aws_cdk (which starts jsii's Node.js), imports
cdk_peering, builds the app and synthesizes it. This script measures exactly that:

- **the import**: in a process that has already imported ``aws_cdk.aws_ec2``, the time of
  ``import cdk_peering`` then ``from cdk_peering import VpcPeering`` (the goal: at most
  30 ms), and what that loads;
- **the 10-VPC mesh** of ``mesh_vs_l1.py`` (same VPCs, same resources, checked there),
  built once per process by hand-written L1 (a process that never imports cdk_peering),
  by ``PeeringMesh`` with placement SCOPE (the same single stack) and by one
  ``VpcPeering`` per pair: the wall time and CPU time (the process and its Node.js
  children) of each whole process, from start to exit, as ratios to hand-written
  (the goals: at most 1.05x and 1.15x).

Runs alternate between the variants, in reverse order every other repetition, so that
drift on a shared machine does not favour one. Run it with ``CDK_VALIDATION=false`` (as
``make bench`` does) to time the library's work alone; ``--validation`` keeps
aws-cdk-lib's built-in CloudFormation validation on, as a user's synth has it by default
(it adds the same few seconds to every variant).

It ends by naming each goal missed (``GOAL MISSED: ...`` on stderr) or saying every goal
was met. The exit status is 0 even when a goal is missed, as timings on a shared machine
vary; ``--check`` makes it 2 then (as ``mesh_vs_l1.py --max-ratio`` does), for CI.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import measuring

HERE = Path(__file__).resolve().parent
VARIANTS = ("hand-written", "mesh-scope", "VpcPeering")
BASELINE = "hand-written"
GOALS = {"mesh-scope": 1.05, "VpcPeering": 1.15}
IMPORT_GOAL_MS = 30.0


def child(variant: str, vpcs: int) -> None:
    """Build and synthesize one mesh in this process (what one user's synth does)."""
    sys.path.insert(0, str(HERE))
    import mesh_vs_l1

    builders = {
        "hand-written": mesh_vs_l1.peer_by_hand,
        "mesh-scope": mesh_vs_l1.peer_with_mesh_in_scope,
        "VpcPeering": mesh_vs_l1.peer_with_construct,
    }
    assembly = mesh_vs_l1.synth_mesh(builders[variant], vpcs)
    loaded = "cdk_peering" in sys.modules
    print(f"{len(assembly.stacks)} stacks, cdk_peering loaded: {loaded}")


def import_child() -> None:
    """Print the milliseconds ``import cdk_peering; from cdk_peering import VpcPeering``
    takes after ``aws_cdk.aws_ec2``, and how many cdk_peering modules it loaded."""
    sys.path.insert(0, str(HERE.parent))
    import aws_cdk.aws_ec2  # noqa: F401

    start = time.perf_counter()
    import cdk_peering
    from cdk_peering import VpcPeering  # noqa: F401

    elapsed = (time.perf_counter() - start) * 1000
    modules = sorted(name for name in sys.modules if name.startswith("cdk_peering"))
    print(f"{elapsed:.2f} {len(modules)} {cdk_peering.__name__}")


def _run(args: list[str]) -> tuple[float, float, str]:
    """Run this script with ``args`` in a fresh process; return wall s, CPU s, output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout.strip()


def measure_import(repeat: int) -> float:
    """Print the import cost over ``repeat`` fresh processes; return its median in ms."""
    samples: list[float] = []
    for _ in range(repeat):
        _, _, out = _run(["--import-child"])
        ms, modules, _ = out.split()
        samples.append(float(ms))
    median = statistics.median(samples)
    print(
        f"import cdk_peering + VpcPeering after aws_cdk.aws_ec2: median {median:.1f} ms "
        f"(min {min(samples):.1f}, max {max(samples):.1f}; {modules} cdk_peering modules "
        f"loaded; goal <= {IMPORT_GOAL_MS:.0f} ms)"
    )
    return median


def measure_mesh(repeat: int, vpcs: int) -> dict[str, float]:
    """Print each variant's process time over ``repeat`` rounds; return the wall ratios."""
    walls: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpus: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for variant in VARIANTS:  # warm the file cache and the pyc files once
        _, _, out = _run(["--child", variant, "--vpcs", str(vpcs)])
        print(f"warm-up {variant}: {out}")
    for rep, order in measuring.rounds(VARIANTS, repeat):
        line = []
        for variant in order:
            wall, cpu, _ = _run(["--child", variant, "--vpcs", str(vpcs)])
            walls[variant].append(wall)
            cpus[variant].append(cpu)
            line.append(f"{variant} {wall:.2f} s (cpu {cpu:.2f})")
        print(f"rep {rep + 1}: " + "; ".join(line))
    compared = measuring.ratios(walls, BASELINE, cpus)
    header = ("variant", "median s", "ratio", "paired", "CPU s", "CPU ratio")
    print("\n{:<13} {:>9} {:>6} {:>7} {:>6} {:>9}".format(*header))
    for variant in VARIANTS:
        r = compared[variant]
        goal = f"  (goal <= {GOALS[variant]:.2f})" if variant in GOALS else ""
        print(
            f"{variant:<13} {r.wall:9.2f} {r.ratio:6.3f} {r.paired:7.3f} {r.cpu:6.2f} "
            f"{r.cpu_ratio:9.3f}{goal}"
        )
    return {variant: r.ratio for variant, r in compared.items()}


def missed_goals(import_ms: float, ratios: dict[str, float]) -> list[str]:
    """Return a line for each goal the measured figures miss."""
    missed = []
    if import_ms > IMPORT_GOAL_MS:
        missed.append(f"import {import_ms:.1f} ms (goal <= {IMPORT_GOAL_MS:.0f} ms)")
    for variant, goal in GOALS.items():
        if ratios[variant] > goal:
            missed.append(f"{variant} {ratios[variant]:.3f}x {BASELINE} (goal <= {goal:.2f})")
    return missed


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child / --import-child, one measured process)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=9, help="rounds of fresh processes")
    parser.add_argument("--vpcs", type=int, default=10, help="VPCs in the mesh (default 10)")
    parser.add_argument(
        "--validation",
        action="store_true",
        help="keep aws-cdk-lib's built-in validation on, as a user's synth has it",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 2 when a goal is missed (for CI)"
    )
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--import-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.import_child:
        import_child()
        return 0
    if args.child:
        child(args.child, args.vpcs)
        return 0
    if args.validation:
        os.environ.pop("CDK_VALIDATION", None)
    elif os.environ.get("CDK_VALIDATION", "").lower() != "false":
        print("CDK_VALIDATION is not 'false': set it, or give --validation to keep it on")
        return 1
    # A package pip installs is byte-compiled; a checkout on a machine with
    # PYTHONDONTWRITEBYTECODE set never is, and each process would compile every module.
    compileall.compile_dir(str(HERE.parent / "cdk_peering"), quiet=1)
    compileall.compile_dir(str(HERE), quiet=1)
    print(f"validation: {'on' if args.validation else 'off'}; {os.cpu_count()} cores")
    missed = missed_goals(measure_import(args.repeat), measure_mesh(args.repeat, args.vpcs))
    for goal in missed:
        print(f"GOAL MISSED: {goal}", file=sys.stderr)
    if not missed:
        print("every goal met")
    return 2 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
