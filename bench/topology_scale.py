#!/usr/bin/env python3
"""Benchmark: PeeringMesh with stacks per VPC (the default) at 10, 25, 50 and 100 VPCs.

For each size n, a fresh Python process (so peak memory is that size's own) builds an App
with the VPCs in stacks of ten (``Vpcs0``, ``Vpcs1``, ...: 10.i.0.0/16, two zones, no NAT
gateway, one isolated subnet group, so two route tables each) and a stack ``Net`` holding
one ``cdk_peering.PeeringMesh`` of all of them, with the default placement
(``TopologyPlacement.STACK_PER_VPC``), then calls ``app.synth()``.

Per size it reports the time to build the VPCs, to build the mesh and to synthesize, the
cloud assembly (stacks, resources, the library's resources: n(n-1)/2 peering connections
and 2n(n-1) routes, checked), the largest stack's resources, outputs and parameters, the
largest template file, the peak memory (VmHWM) of the Python process and of the jsii
Node.js process tree, and the time per library resource ((mesh + synth) / library
resources), with its ratio to the 10-VPC size: flat means the cost per resource does not
grow with the mesh. Because the smallest size carries most of a process's one-off costs
in that ratio, the *marginal* time per resource is printed too: the difference in
(mesh + synth) time between two consecutive sizes over the difference in library
resources, in which fixed costs cancel out.

Before the timed build, each process builds and synthesizes a 3-VPC mesh
(``--warmup-vpcs``), so aws-cdk-lib's modules are already loaded in Node.js; the timed
build still pays part of the JIT warm-up. ``--repeat`` runs each size in that many
processes and reports the median of each time and memory figure.

It exits with status 1 when a stack has more than 500 resources, 200 outputs or 200
parameters, a template is larger than 1,000,000 bytes, a count is not what a full mesh
needs, or the library reported an error or warning.

Run with CDK_VALIDATION=false (``make bench`` does), or the built-in CloudFormation
validation runs in every synth.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from measuring import RESULT_PREFIX, medians, run_child
from mesh_vs_l1 import CONTEXT, ENV, build_vpcs, cpu_seconds, node_pid

from cdk_peering import PeeringMesh

SIZES = (10, 25, 50, 100)
VPCS_PER_STACK = 10
MESH_STACK = "Net"
MESH_ID = "Mesh"
# Raised quotas, so that a 100-VPC mesh (99 peerings per VPC, 99 routes per route table)
# is within them and gets no warning; the default quotas (50) allow at most 51 VPCs.
QUOTA_CONTEXT = {
    "cdk-peering:activePeeringsPerVpcQuota": 125,
    "cdk-peering:routesPerRouteTableQuota": 125,
}
WARMUP_VPCS = 3

# CloudFormation's limits per stack and template (a template given by S3 URL).
MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_TEMPLATE_BYTES = 1_000_000

PEERING = "AWS::EC2::VPCPeeringConnection"
ROUTE = "AWS::EC2::Route"


# --- one size, in its own process --------------------------------------------------------


@dataclass
class Run:
    """One build and synth of one mesh size, measured in a fresh process."""

    vpcs: int
    vpcs_s: float
    """Wall seconds to build the App, the VPC stacks and the VPCs."""
    mesh_s: float
    """Wall seconds to build the mesh stack and the PeeringMesh."""
    synth_s: float
    """Wall seconds in ``app.synth()``."""
    cpu_vpcs_s: float | None
    """CPU seconds (Python + jsii Node.js tree) of the VPC phase; None without /proc."""
    cpu_mesh_synth_s: float | None
    """CPU seconds of the mesh and synth phases together."""
    stacks: int
    resources: int
    peerings: int
    routes: int
    largest_stack: str
    largest_stack_resources: int
    max_outputs: int
    max_parameters: int
    largest_template_bytes: int
    templates_bytes: int
    """All templates together."""
    python_peak_kb: int
    node_peak_kb: int
    """VmHWM summed over the jsii Node.js process tree (launcher, wrapper, kernel)."""
    node_peaks_kb: list[int]
    """VmHWM of each process of that tree."""
    warnings: int
    errors: int
    load_average: float
    """The machine's 1-minute load average after the synth (this run counts about 1)."""
    problems: list[str] = field(default_factory=list[str])

    @property
    def total_s(self) -> float:
        """Wall seconds of all three phases."""
        return self.vpcs_s + self.mesh_s + self.synth_s

    @property
    def library_resources(self) -> int:
        """The resources PeeringMesh made: peering connections and routes."""
        return self.peerings + self.routes

    @property
    def ms_per_resource(self) -> float:
        """Milliseconds of mesh build + synth per library resource (wall)."""
        return (self.mesh_s + self.synth_s) * 1000 / self.library_resources

    @property
    def cpu_ms_per_resource(self) -> float | None:
        """Milliseconds of mesh build + synth per library resource (CPU)."""
        if self.cpu_mesh_synth_s is None:
            return None
        return self.cpu_mesh_synth_s * 1000 / self.library_resources


def build_app(count: int, outdir: str) -> tuple[cdk.App, list[ec2.Vpc]]:
    """Return a fresh App with ``count`` VPCs in stacks of ten, and the VPCs in order."""
    app = cdk.App(context={**CONTEXT, **QUOTA_CONTEXT}, outdir=outdir)
    vpcs: list[ec2.Vpc] = []
    for k, start in enumerate(range(0, count, VPCS_PER_STACK)):
        stack = cdk.Stack(app, f"Vpcs{k}", env=ENV)
        vpcs += build_vpcs(stack, min(VPCS_PER_STACK, count - start), start=start)
    return app, vpcs


def build_mesh(app: cdk.App, vpcs: Sequence[ec2.Vpc]) -> PeeringMesh:
    """Add the mesh stack, with a PeeringMesh of ``vpcs`` (default placement)."""
    stack = cdk.Stack(app, MESH_STACK, env=ENV)
    return PeeringMesh(stack, MESH_ID, vpcs=vpcs)


def _status_kb(pid: int | str, key: str = "VmHWM") -> int:
    """Return a ``kB`` field of /proc/<pid>/status (0 when absent)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    """Return a process and its live descendants (Linux /proc)."""
    pids = [pid]
    for children in Path(f"/proc/{pid}").glob("task/*/children"):
        for child in children.read_text().split():
            pids.extend(_tree(int(child)))
    return pids


def _node_peaks_kb() -> list[int]:
    """Return the VmHWM of each process of the jsii Node.js tree (empty when unknown)."""
    pid = node_pid()
    if pid is None:
        return []
    try:
        return [_status_kb(each) for each in _tree(pid)]
    except (OSError, ValueError):
        return []


def _read_json(path: Path) -> Mapping[str, Any]:
    with path.open() as handle:
        loaded: Mapping[str, Any] = json.load(handle)
    return loaded


def inspect_assembly(directory: Path, count: int, run: Run) -> None:
    """Fill ``run``'s counts from the cloud assembly's files, and note the limits it breaks.

    Reads manifest.json and the templates with Python's json (not through jsii, whose
    marshalling of hundreds of templates would be timed and counted as Node.js memory).
    """
    manifest = _read_json(directory / "manifest.json")
    artifacts: Mapping[str, Mapping[str, Any]] = manifest["artifacts"]
    largest = ("", -1)
    for name, artifact in artifacts.items():
        for entries in artifact.get("metadata", {}).values():
            for entry in entries:
                if entry.get("type") == "aws:cdk:warning":
                    run.warnings += 1
                    run.problems.append(f"warning at {name}: {entry.get('data')}")
                elif entry.get("type") == "aws:cdk:error":
                    run.errors += 1
                    run.problems.append(f"error at {name}: {entry.get('data')}")
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        run.stacks += 1
        name = str(artifact.get("displayName", name))  # the construct path: Net/Mesh/...
        path = directory / artifact["properties"]["templateFile"]
        size = path.stat().st_size
        template = _read_json(path)
        resources: Mapping[str, Mapping[str, Any]] = template.get("Resources", {})
        outputs, parameters = len(template.get("Outputs", {})), len(template.get("Parameters", {}))
        types = [resource["Type"] for resource in resources.values()]
        run.resources += len(types)
        run.peerings += types.count(PEERING)
        run.routes += types.count(ROUTE)
        run.max_outputs = max(run.max_outputs, outputs)
        run.max_parameters = max(run.max_parameters, parameters)
        run.largest_template_bytes = max(run.largest_template_bytes, size)
        run.templates_bytes += size
        if len(types) > largest[1]:
            largest = (name, len(types))
        for label, value, limit in (
            ("resources", len(types), MAX_RESOURCES),
            ("outputs", outputs, MAX_OUTPUTS),
            ("parameters", parameters, MAX_PARAMETERS),
            ("template bytes", size, MAX_TEMPLATE_BYTES),
        ):
            if value > limit:
                run.problems.append(f"stack {name}: {value} {label}, above {limit}")
    run.largest_stack, run.largest_stack_resources = largest
    pairs = count * (count - 1) // 2
    if run.peerings != pairs:
        run.problems.append(f"{run.peerings} peering connections; a full mesh has {pairs}")
    if run.routes != 2 * 2 * pairs:
        run.problems.append(
            f"{run.routes} routes; two tables each side of {pairs} pairs make {4 * pairs}"
        )


def measure(count: int, warmup: int) -> Run:
    """Build, synthesize and inspect a ``count``-VPC mesh in this process."""
    with tempfile.TemporaryDirectory(prefix="topology-scale-") as tmp:
        if warmup:
            # Load aws-cdk-lib's modules in Node.js and warm its JIT on a smaller mesh, so
            # the timed build pays fewer one-off costs (they weigh most on small sizes).
            app, vpcs = build_app(warmup, str(Path(tmp) / "warmup"))
            build_mesh(app, vpcs)
            app.synth()
        outdir = Path(tmp) / "cdk.out"
        cpu_0, start = cpu_seconds(), time.perf_counter()
        app, vpcs = build_app(count, str(outdir))
        after_vpcs, cpu_1 = time.perf_counter(), cpu_seconds()
        build_mesh(app, vpcs)
        after_mesh = time.perf_counter()
        app.synth()
        after_synth, cpu_2 = time.perf_counter(), cpu_seconds()
        # The high-water marks now, before the templates are read back below.
        python_peak = _status_kb("self")
        node_peaks = _node_peaks_kb()
        cpu_vpcs = cpu_1 - cpu_0 if cpu_0 is not None and cpu_1 is not None else None
        cpu_rest = cpu_2 - cpu_1 if cpu_1 is not None and cpu_2 is not None else None
        run = Run(
            vpcs=count,
            vpcs_s=after_vpcs - start,
            mesh_s=after_mesh - after_vpcs,
            synth_s=after_synth - after_mesh,
            cpu_vpcs_s=cpu_vpcs,
            cpu_mesh_synth_s=cpu_rest,
            stacks=0,
            resources=0,
            peerings=0,
            routes=0,
            largest_stack="",
            largest_stack_resources=0,
            max_outputs=0,
            max_parameters=0,
            largest_template_bytes=0,
            templates_bytes=0,
            python_peak_kb=python_peak,
            node_peak_kb=sum(node_peaks),
            node_peaks_kb=node_peaks,
            warnings=0,
            errors=0,
            load_average=os.getloadavg()[0],
        )
        inspect_assembly(outdir, count, run)
    return run


def child(count: int, warmup: int) -> int:
    """Measure one size and print it as one JSON line for the parent process."""
    run = measure(count, warmup)
    print(RESULT_PREFIX + json.dumps(asdict(run)), flush=True)
    return 0


# --- the parent: one process per size and repetition -------------------------------------


def run_in_subprocess(count: int, warmup: int) -> Run:
    """Run :func:`child` in a fresh Python process and return what it measured."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(count)]
    command += ["--warmup-vpcs", str(warmup)]
    return Run(**run_child(command, f"the {count}-VPC run"))


MEASURED = (
    "vpcs_s",
    "mesh_s",
    "synth_s",
    "cpu_vpcs_s",
    "cpu_mesh_synth_s",
    "python_peak_kb",
    "node_peak_kb",
)
"""The fields that vary from run to run; the median of each is reported."""


def median_run(runs: Sequence[Run]) -> Run:
    """Combine the runs of one size: the median of each measured field, counts of the first.

    Counts and sizes are the same in every run (a difference is reported as a problem).
    """
    first = runs[0]
    values = medians([asdict(run) for run in runs], MEASURED)
    values["problems"] = list(dict.fromkeys(p for run in runs for p in run.problems))
    for run in runs[1:]:
        if (run.stacks, run.resources, run.largest_template_bytes) != (
            first.stacks,
            first.resources,
            first.largest_template_bytes,
        ):
            values["problems"].append(f"{first.vpcs} VPCs: the assembly differs between runs")
    return Run(**values)


def _mb(kb: int) -> str:
    return f"{kb / 1024:,.0f}"


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    return f"{value / base:.2f}"


def marginal(run: Run, previous: Run | None, cpu: bool = False) -> float | None:
    """Return the milliseconds per library resource from ``previous`` to ``run``.

    The difference in mesh build + synth time divided by the difference in library
    resources: the one-off costs of a process (loading modules, warming the JIT) cancel
    out, so this tells whether each added resource costs more in a larger mesh.
    """
    if previous is None or run.library_resources == previous.library_resources:
        return None
    if cpu:
        if run.cpu_mesh_synth_s is None or previous.cpu_mesh_synth_s is None:
            return None
        delta = run.cpu_mesh_synth_s - previous.cpu_mesh_synth_s
    else:
        delta = run.mesh_s + run.synth_s - previous.mesh_s - previous.synth_s
    return delta * 1000 / (run.library_resources - previous.library_resources)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def tables(results: Sequence[Run], repeat: int) -> str:
    """Return the markdown tables of the results (time and memory; the assembly)."""
    base = results[0]
    runs = "one run" if repeat == 1 else f"median of {repeat} runs"
    lines = [
        f"Time and memory ({runs} per size, each in a fresh process):",
        "",
        "| VPCs | library resources | VPCs s | mesh s | synth s | total s "
        f"| ms / library resource | vs {base.vpcs} VPCs | marginal ms / resource "
        f"| CPU ms / resource | vs {base.vpcs} VPCs | Python peak MB | Node.js peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    previous: Run | None = None
    for run in results:
        cpu = run.cpu_ms_per_resource
        lines.append(
            f"| {run.vpcs} | {run.library_resources:,} | {run.vpcs_s:.2f} | {run.mesh_s:.2f} "
            f"| {run.synth_s:.2f} | {run.total_s:.2f} | {run.ms_per_resource:.2f} "
            f"| {_ratio(run.ms_per_resource, base.ms_per_resource)} "
            f"| {_ms(marginal(run, previous))} | {_ms(cpu)} "
            f"| {_ratio(cpu, base.cpu_ms_per_resource)} "
            f"| {_mb(run.python_peak_kb)} | {_mb(run.node_peak_kb)} |"
        )
        previous = run
    lines += [
        "",
        "The cloud assembly (limits: 500 resources, 200 outputs, 200 parameters per stack; "
        "1,000,000 bytes per template):",
        "",
        "| VPCs | stacks | resources | peering connections | routes "
        "| largest stack: resources | most outputs | most parameters | largest template bytes "
        "| all templates MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results:
        lines.append(
            f"| {run.vpcs} | {run.stacks} | {run.resources:,} | {run.peerings:,} "
            f"| {run.routes:,} | {run.largest_stack_resources} | {run.max_outputs} "
            f"| {run.max_parameters} | {run.largest_template_bytes:,} "
            f"| {run.templates_bytes / 1_000_000:.1f} |"
        )
    return "\n".join(lines)


def _report(results: Sequence[Run]) -> str:
    """Return the per-size detail lines: largest stack, processes, ratios."""
    base = results[0]
    lines: list[str] = []
    previous: Run | None = None
    for run in results:
        pairs = run.vpcs * (run.vpcs - 1) // 2
        lines.append(
            f"{run.vpcs} VPCs: {pairs} pairs -> {run.peerings} connections (expected {pairs}), "
            f"{run.routes} routes (expected {4 * pairs}); largest stack {run.largest_stack} "
            f"({run.largest_stack_resources} resources); Node.js processes VmHWM "
            f"{', '.join(_mb(kb) for kb in run.node_peaks_kb)} MB; "
            f"time per resource {_ratio(run.ms_per_resource, base.ms_per_resource)}x "
            f"the {base.vpcs}-VPC size (CPU "
            f"{_ratio(run.cpu_ms_per_resource, base.cpu_ms_per_resource)}x); marginal "
            f"{_ms(marginal(run, previous))} ms (CPU {_ms(marginal(run, previous, cpu=True))} "
            "ms) per resource"
        )
        previous = run
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(part) for part in text.split(",") if part],
        default=list(SIZES),
        help="comma-separated mesh sizes (default 10,25,50,100)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (default 1)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    parser.add_argument(
        "--warmup-vpcs",
        type=int,
        default=WARMUP_VPCS,
        help=f"before the timed build, build and synth a mesh of this many VPCs in the same "
        f"process (default {WARMUP_VPCS}; 0: time the process's first build)",
    )
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child, args.warmup_vpcs)
    if args.repeat < 1 or not args.sizes or not all(2 <= n <= 126 for n in args.sizes):
        parser.error("--repeat must be >= 1 and each size between 2 and 126")
    if args.warmup_vpcs == 1 or not 0 <= args.warmup_vpcs <= 126:
        parser.error("--warmup-vpcs must be 0 (none) or between 2 and 126")
    if os.environ.get("CDK_VALIDATION", "").lower() != "false":
        print("warning: CDK_VALIDATION is not 'false': synth includes built-in validation")

    # With --json, stdout holds the JSON document only; progress goes to stderr.
    out = sys.stderr if args.json else sys.stdout
    all_runs: dict[int, list[Run]] = {}
    for count in args.sizes:
        for rep in range(args.repeat):
            try:
                run = run_in_subprocess(count, args.warmup_vpcs)
            except RuntimeError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
            all_runs.setdefault(count, []).append(run)
            print(
                f"{count:>3} VPCs, run {rep + 1}: VPCs {run.vpcs_s:.1f} s, mesh {run.mesh_s:.1f} s,"
                f" synth {run.synth_s:.1f} s, total {run.total_s:.1f} s; {run.stacks} stacks, "
                f"{run.resources:,} resources; peak Python {_mb(run.python_peak_kb)} MB, "
                f"Node.js {_mb(run.node_peak_kb)} MB; load average {run.load_average:.1f}",
                file=out,
                flush=True,
            )
    results = [median_run(runs) for runs in all_runs.values()]
    problems = [problem for run in results for problem in run.problems]

    if args.json:
        document = {
            "repeat": args.repeat,
            "warmup_vpcs": args.warmup_vpcs,
            "limits": {
                "resources": MAX_RESOURCES,
                "outputs": MAX_OUTPUTS,
                "parameters": MAX_PARAMETERS,
                "template_bytes": MAX_TEMPLATE_BYTES,
            },
            "sizes": [
                {
                    **asdict(run),
                    "total_s": run.total_s,
                    "library_resources": run.library_resources,
                    "ms_per_resource": run.ms_per_resource,
                    "cpu_ms_per_resource": run.cpu_ms_per_resource,
                    "ms_per_resource_vs_first": run.ms_per_resource / results[0].ms_per_resource,
                    "marginal_ms_per_resource": marginal(run, previous),
                    "marginal_cpu_ms_per_resource": marginal(run, previous, cpu=True),
                    "runs": [asdict(each) for each in all_runs[run.vpcs]],
                }
                for run, previous in zip(results, [None, *results[:-1]], strict=True)
            ],
            "problems": problems,
        }
        print(json.dumps(document, indent=2))
    else:
        print()
        print(tables(results, args.repeat))
        print()
        print(_report(results))
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        "within the limits: no stack above 500 resources, 200 outputs or 200 parameters; "
        "no template above 1,000,000 bytes; no warnings",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
