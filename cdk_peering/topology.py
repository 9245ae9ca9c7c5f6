"""PeeringMesh and HubAndSpoke: many VPC peerings, checked as a whole, spread over stacks.

A topology plans every peering and route before it builds anything, checks them all
together (one error lists every problem), then places them so that no stack passes a
CloudFormation limit and nothing moves when VPCs are added or removed:

- **Sides and layers.** For each pair, the VPC listed first requests the connection. A
  VPC's *Requests* layer holds the connections it requests and its routes through them;
  its *Accepts* layer holds its routes through connections other VPCs requested. Both
  are deployed in the VPC's own account and region.
- **Stacks per VPC** (``TopologyPlacement.STACK_PER_VPC``, the default). Each layer of
  each VPC is a stack named after the VPC (``<stack>-<id>-<VPC>Requests``), never after
  its position or the other VPCs, and every logical id in it is made of the peer's name,
  the subnet's name and the destination. Adding or removing a VPC adds or removes that
  VPC's stacks and the resources that involve it; nothing else changes.
- **Two layers, not one stack per VPC**, so that stacks depend on each other in two
  levels only (Accepts -> Requests -> the VPCs' stacks). A stack per VPC would make each
  VPC's stack depend on every earlier one, and CDK's dependency checks take exponential
  time on such graphs (measured: 301 s of synth for a 30-VPC mesh, against 2 s).
- **Parts.** A layer whose route tables could hold more routes than a stack takes is cut
  into parts by route table. The cut is computed from the VPC alone (its route tables,
  whether it has IPv6) and AWS's fixed maximum of 125 peerings per VPC, never from its
  peers or the declared quotas, so nothing moves as the topology grows or a quota is
  raised: a layer holds 3 route tables per stack (1 with IPv6), the Requests layer's
  first stack 2 and the connections.
- ``TopologyPlacement.SCOPE`` keeps everything in the topology's own stack, for small
  topologies in one account and region whose owners prefer fewer stacks; going over the
  stack budget is an error, not a silent move.

Across stacks, values are passed with CDK's weak references (``Fn::GetStackOutput``): no
export locks, so a VPC can leave a topology without first editing its peers' stacks.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from . import _rules
from ._facts import SiblingCache, VpcFacts, differs, is_token, read_weakly, vpc_facts
from ._rules import Finding, PeeringPlan, PlannedRoute
from .accepter_role import PeeringAccepterRole, role_mismatches
from .errors import Problem, ValidationError, child_path
from .peering import _plan, _scope_facts, _ScopeFacts, _vpc_env, _warn, new_route
from .security_groups import InterRegionSecurityGroupCheck

STACK_BUDGET = 450
"""Resources the library puts in one stack: CloudFormation allows 500, and CDK adds its
own (CDKMetadata) and may add more (reference readers), so 50 are kept free."""
REQUESTS = "Requests"
"""The layer of a side that holds the connections its VPC requests, with its routes to them."""
ACCEPTS = "Accepts"
"""The layer of a side that holds its VPC's routes through connections other VPCs requested.

Kept apart so that stacks depend on each other in two layers only (Accepts -> Requests ->
the VPCs' stacks): CDK's dependency checks slow down exponentially on deep stack graphs."""
OUTPUTS_LIMIT = 200
"""CloudFormation's limit on outputs per stack (and on parameters)."""
_STACK_NAME_MAX = 128


class TopologyPlacement(enum.Enum):
    """Where a topology puts its peering connections and routes."""

    STACK_PER_VPC = "STACK_PER_VPC"
    """Stacks per VPC, in its account and region: ``<VPC>Requests`` (the connections it
    requests and its routes through them) and ``<VPC>Accepts`` (its routes through the
    connections other VPCs requested), cut into parts by route table when they could
    outgrow a stack. Stable as VPCs come and go, and within every CloudFormation limit at
    any size (the default)."""
    SCOPE = "SCOPE"
    """Everything in the topology's own stack. Every VPC must be in that stack's account
    and region, and the topology must add at most 450 resources; otherwise an error."""


@dataclass
class _Side:
    """One VPC of the topology, with what the library places for it."""

    index: int
    vpc: ec2.IVpc
    facts: VpcFacts
    env: tuple[str, str]
    key: str
    """Alphanumeric name, from the VPC's path: used in stack names and logical ids."""
    repeated: bool
    """True when the VPC is listed again (an error); its pairs are not planned."""
    parts: dict[tuple[str, str], int] = field(default_factory=dict[tuple[str, str], int])
    """(layer, route table id) -> part number of that layer."""
    containers: dict[tuple[str, int], Construct] = field(
        default_factory=dict[tuple[str, int], Construct]
    )
    """(layer, part number) -> where its resources go."""


@dataclass(frozen=True)
class _Pair:
    requester: _Side
    accepter: _Side
    plan: PeeringPlan
    role: iam.IRole | None

    @property
    def cross_account(self) -> bool:
        return differs(self.requester.env[0], self.accepter.env[0])

    @property
    def cross_region(self) -> bool:
        return differs(self.requester.env[1], self.accepter.env[1])

    def sides_of(self, route: PlannedRoute) -> tuple[_Side, _Side]:
        """Return (the VPC whose route table holds ``route``, the VPC it points into)."""
        if route.side == "Requester":
            return self.requester, self.accepter
        return self.accepter, self.requester


class _Topology(Construct):
    """What PeeringMesh and HubAndSpoke share: plan, check, place, build."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpcs: Sequence[ec2.IVpc],
        pairs: Sequence[tuple[int, int]],
        subnets: Sequence[ec2.SubnetSelection | None],
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None,
        placement: TopologyPlacement | None,
        peerings_per_vpc_quota: int | None,
        routes_per_route_table_quota: int | None,
        problems: list[Problem],
    ) -> None:
        here = _scope_facts(scope)
        path = child_path(here.path, id)
        self._placement = placement or TopologyPlacement.STACK_PER_VPC
        sides = self._sides(here, path, vpcs, problems)
        roles = {
            account: cast(iam.IRole, role.role) if isinstance(role, PeeringAccepterRole) else role
            for account, role in (accepter_roles or {}).items()
        }
        built: list[_Pair] = []
        for i, j in pairs:
            requester, accepter = sides[i], sides[j]
            if requester.repeated or accepter.repeated:
                continue  # reported as listed twice
            pair_path = f"{path}/{requester.key}/To{accepter.key}"
            findings = _role_findings(requester, accepter, accepter_roles or {})
            plan = _plan(
                path=pair_path,
                requester=requester.facts,
                accepter=accepter.facts,
                requester_subnets=subnets[i],
                accepter_subnets=subnets[j],
                accepter_destinations=None,
                requester_destinations=None,
                peerings_quota=(peerings_per_vpc_quota, here.state.peerings_quota_context),
                routes_quota=(routes_per_route_table_quota, here.state.routes_quota_context),
                sides=("Requester", "Accepter"),
                findings=findings,
            )
            cross_account = differs(requester.env[0], accepter.env[0])
            role = roles.get(accepter.env[0]) if cross_account else None
            built.append(_Pair(requester, accepter, plan, role))
        results = _rules.check_topology([pair.plan for pair in built], here.state.registry)
        problems.extend(
            Problem(plan.path, finding.rule, finding.message, finding.fix)
            for plan, finding in results
            if finding.error
        )
        if not problems:
            problems.extend(self._layout(path, here, sides, built))
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        _warn(self, [finding for _, finding in results])
        self._here = here
        self._path = path
        # A stack name holds letters, digits and '-' only; a construct id may hold more.
        self._stack_prefix = f"{here.stack.stack_name}-{re.sub(r'[^A-Za-z0-9-]', '', id)}"
        self._dependencies: set[tuple[int, int]] = set()
        self.stacks: list[cdk.Stack] = []
        """The stacks this topology made (none with ``TopologyPlacement.SCOPE`` when every
        VPC is in the topology's own account and region)."""
        self.peering_connections: list[ec2.CfnVPCPeeringConnection] = []
        """Every ``AWS::EC2::VPCPeeringConnection``, in the order of the pairs."""
        self.routes: list[ec2.CfnRoute] = []
        """Every ``AWS::EC2::Route``, on both sides of every pair."""
        self._ids: dict[frozenset[int], str] = {}
        self._vpcs = list(vpcs)
        for pair in built:
            self._build(pair)
            here.state.registry.record(pair.plan)

    def peering_connection_id(self, vpc_a: ec2.IVpc, vpc_b: ec2.IVpc) -> str:
        """Return the id of the peering connection between two VPCs of the topology.

        :raises KeyError: when the topology does not peer those two VPCs.
        """
        index = {id(vpc): i for i, vpc in enumerate(self._vpcs)}
        key = frozenset((index.get(id(vpc_a), -1), index.get(id(vpc_b), -2)))
        if key not in self._ids:
            raise KeyError(
                f"{self.node.path} does not peer {vpc_a.node.path} and {vpc_b.node.path}"
            )
        return self._ids[key]

    # --- planning -------------------------------------------------------------------

    def _sides(
        self, here: _ScopeFacts, path: str, vpcs: Sequence[ec2.IVpc], problems: list[Problem]
    ) -> list[_Side]:
        sides: list[_Side] = []
        seen: dict[int, int] = {}
        keys: dict[str, _Side] = {}
        prefix = here.stack.to_string() + "/"  # its path, in one round trip
        siblings: SiblingCache = {}
        for index, vpc in enumerate(vpcs):
            facts = vpc_facts(vpc, siblings)
            if id(vpc) in seen:
                problems.append(
                    Problem(
                        path,
                        "cdk_peering:vpcListedTwice",
                        f"VPC {facts.path} is listed twice (positions {seen[id(vpc)]} and "
                        f"{index}); a VPC cannot peer with itself.",
                        "List each VPC once.",
                    )
                )
            repeated = id(vpc) in seen
            seen.setdefault(id(vpc), index)
            relative = facts.path.removeprefix(prefix)
            key = re.sub(r"[^A-Za-z0-9]", "", relative) or "Vpc"
            env = _vpc_env(facts, here.stack, here.env)
            side = _Side(index, vpc, facts, env, key, repeated)
            other = keys.get(key)
            if other is not None and other.vpc is not vpc:
                problems.append(
                    Problem(
                        path,
                        "cdk_peering:vpcNameClash",
                        f"VPCs {other.facts.path} and {facts.path} get the same name {key!r} "
                        "in stack names and logical ids.",
                        "Give one of them a different construct id.",
                    )
                )
            keys.setdefault(key, side)
            sides.append(side)
        return sides

    def _layout(
        self, path: str, here: _ScopeFacts, sides: list[_Side], pairs: list[_Pair]
    ) -> list[Problem]:
        """Give each route table of each layer a part; return the limits it would break."""
        routes: Counter[tuple[int, str, str]] = Counter()
        requested: Counter[int] = Counter()
        for pair in pairs:
            requested[pair.requester.index] += 1
            for route in pair.plan.routes:
                layer = _layer(route)
                owner, _ = pair.sides_of(route)
                owner.parts.setdefault((layer, route.table_id), 0)
                routes[owner.index, layer, route.table_id] += 1
        if self._placement is TopologyPlacement.SCOPE:
            return _scope_problems(
                path, here, sides, len(pairs) + sum(routes.values())
            ) + self._route_id_problems(pairs)
        problems: list[Problem] = self._route_id_problems(pairs)
        most = _rules.PEERINGS_PER_VPC_MAX
        for side in sides:
            # The cut depends on this VPC alone (its route tables, whether it has IPv6) and
            # on AWS's fixed maximum of peerings per VPC: never on its peers or on the
            # declared quotas, so nothing moves between stacks as the topology grows or a
            # quota is raised. A table gets at most one route per peer and family.
            per_table = most * (2 if side.facts.has_ipv6 else 1)
            load: Counter[tuple[str, int]] = Counter({(REQUESTS, 0): requested[side.index]})
            for layer, peerings in ((REQUESTS, most), (ACCEPTS, 0)):
                tables = [table for (each, table) in side.parts if each == layer]
                first = max(0, (STACK_BUDGET - peerings) // per_table)
                rest = max(1, STACK_BUDGET // per_table)
                for position, table in enumerate(tables):
                    part = 0 if position < first else 1 + (position - first) // rest
                    side.parts[layer, table] = part
                    load[layer, part] += routes[side.index, layer, table]
            problems.extend(
                Problem(
                    path,
                    "cdk_peering:sideTooLarge",
                    f"The {layer.lower()} layer of VPC {side.facts.path} would put {count} "
                    f"resources into one stack (part {part + 1}); the routes of one route "
                    f"table stay in one stack, and the library puts at most {STACK_BUDGET} "
                    "resources in a stack.",
                    "Route to fewer CIDR blocks of each peer (each secondary block is one "
                    "more route per route table), or peer this VPC with fewer VPCs.",
                )
                for (layer, part), count in sorted(load.items())
                if count > STACK_BUDGET
            )
        problems.extend(_output_problems(path, sides, pairs))
        return problems

    def _route_id_problems(self, pairs: list[_Pair]) -> list[Problem]:
        """Return the routes whose construct ids would clash where they are placed.

        A route's id joins its table, the peer's name and the destination; with names that
        end in digits and public-range CIDRs two can read the same (``X1`` + 12.0.0.0/16,
        ``X11`` + 2.0.0.0/16).
        """
        scope = self._placement is TopologyPlacement.SCOPE
        seen: dict[tuple[object, str], str] = {}
        problems: list[Problem] = []
        for pair in pairs:
            for route in pair.plan.routes:
                owner, peer = pair.sides_of(route)
                layer = _layer(route)
                where = (
                    "scope" if scope else (owner.index, layer, owner.parts[layer, route.table_id])
                )
                route_id = _route_id(owner.key if scope else "", route, peer.key)
                other = seen.setdefault((where, route_id), pair.plan.path)
                if other != pair.plan.path:
                    problems.append(
                        Problem(
                            pair.plan.path,
                            "cdk_peering:routeIdClash",
                            f"A route of {pair.plan.path} and one of {other} would both get the "
                            f"id {route_id} in the same stack (the peer's name and the "
                            "destination run together).",
                            "Rename one of the two peer VPCs (their construct ids name the "
                            "routes), for example so that one name does not end in a digit.",
                        )
                    )
        return problems

    # --- building -------------------------------------------------------------------

    def _container(self, side: _Side, layer: str, part: int) -> tuple[Construct, str]:
        """Return (made once) the holder of one part of a layer, and its ids' prefix.

        With placement SCOPE everything sits directly under this construct, the ids
        prefixed with the VPC's name: no construct per VPC (each is a jsii round trip).
        """
        if self._placement is TopologyPlacement.SCOPE:
            return self, side.key
        existing = side.containers.get((layer, part))
        if existing is None:
            suffix = layer + ("" if part == 0 else f"Part{part + 1}")
            existing = self._stack(f"{side.key}{suffix}", side.env, side.facts.path)
            side.containers[layer, part] = existing
        return existing, ""

    def _stack(self, name: str, env: tuple[str, str], about: str) -> cdk.Stack:
        stack_name = f"{self._stack_prefix}-{name}"
        if len(stack_name) > _STACK_NAME_MAX:
            digest = hashlib.sha256(stack_name.encode()).hexdigest()[:8]
            stack_name = f"{stack_name[: _STACK_NAME_MAX - 9]}-{digest}"
        account, region = env
        stack = cdk.Stack(
            self,
            name,
            stack_name=stack_name,
            env=cdk.Environment(
                account=None if is_token(account) else account,
                region=None if is_token(region) else region,
            ),
            description=f"VPC peering connections and routes of {self._path} for {about}",
        )
        cdk.CrossStackReferences.of(stack).consume(cdk.ReferenceStrength.WEAK)
        self.stacks.append(stack)
        return stack

    def _depend(self, dependent: Construct, dependency: Construct | cdk.Stack, reason: str) -> None:
        """Add a stack dependency across accounts or regions (CDK records none there)."""
        later, earlier = cdk.Stack.of(dependent), cdk.Stack.of(dependency)
        key = (id(later), id(earlier))
        if later is not earlier and key not in self._dependencies:
            self._dependencies.add(key)
            later.add_stack_dependency(earlier, reason)

    def _build(self, pair: _Pair) -> None:
        requester, accepter, plan = pair.requester, pair.accepter, pair.plan
        home, prefix = self._container(requester, REQUESTS, 0)
        # With placement SCOPE the resources are in the topology's own stack, which the
        # library did not make: each read from another stack is made weak (an export
        # would keep a removed VPC's stack from deleting it). The library's stacks read
        # weakly already (consumer None).
        consumer = self._here.stack if self._placement is TopologyPlacement.SCOPE else None
        connection = ec2.CfnVPCPeeringConnection(
            home,
            f"{prefix}To{accepter.key}",
            vpc_id=read_weakly(requester.facts.vpc_id, requester.facts.stack, consumer),
            peer_vpc_id=read_weakly(accepter.facts.vpc_id, accepter.facts.stack, consumer),
            peer_owner_id=accepter.env[0] if pair.cross_account else None,
            peer_region=accepter.env[1] if pair.cross_region else None,
            peer_role_arn=pair.role.role_arn if pair.role else None,
        )
        connection_id = connection.ref
        self.peering_connections.append(connection)
        self._ids[frozenset((requester.index, accepter.index))] = connection_id
        crosses = pair.cross_account or pair.cross_region
        if crosses:
            if accepter.facts.built_in_app:
                self._depend(home, accepter.facts.stack, "reads the accepter VPC id")
            role = pair.role
            if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
                self._depend(home, role, "reads the accepter role")
        if pair.cross_region:
            InterRegionSecurityGroupCheck.register(self, requester.vpc, accepter.vpc)
        for route in plan.routes:
            layer = _layer(route)
            owner, peer = pair.sides_of(route)
            container, prefix = self._container(owner, layer, owner.parts[layer, route.table_id])
            if crosses and owner is accepter:
                self._depend(container, home, "reads the peering connection id")
            self.routes.append(
                new_route(
                    container,
                    _route_id(prefix, route, peer.key),
                    plan,
                    route,
                    connection_id,
                    consumer,
                )
            )


def _route_id(prefix: str, route: PlannedRoute, peer_key: str) -> str:
    """Return a topology route's construct id: its table, the peer and the destination."""
    return f"{prefix}{route.table_label}To{peer_key}{_alphanumeric(route.destination_label)}"


def _layer(route: PlannedRoute) -> str:
    """Return the layer a route belongs to: its VPC requested the connection or accepted it."""
    return REQUESTS if route.side == "Requester" else ACCEPTS


def _scope_problems(path: str, here: _ScopeFacts, sides: list[_Side], total: int) -> list[Problem]:
    """Return why placement=SCOPE cannot hold the topology."""
    problems = [
        Problem(
            path,
            "cdk_peering:scopeEnvironment",
            f"placement=SCOPE puts everything in stack {here.stack.stack_name} "
            f"({here.env[0]}/{here.env[1]}), but VPC {side.facts.path} is in "
            f"{side.env[0]}/{side.env[1]}.",
            "Leave placement out (TopologyPlacement.STACK_PER_VPC), which puts each VPC's "
            "side in a stack of its own account and region.",
        )
        for side in sides
        if differs(side.env[0], here.env[0]) or differs(side.env[1], here.env[1])
    ]
    if total > STACK_BUDGET:
        problems.append(
            Problem(
                path,
                "cdk_peering:topologyTooLargeForScope",
                f"placement=SCOPE would put {total} resources into stack "
                f"{here.stack.stack_name}; the library puts at most {STACK_BUDGET} in one "
                "stack (CloudFormation allows 500).",
                "Leave placement out (TopologyPlacement.STACK_PER_VPC: stacks per VPC, "
                "within every limit at any size).",
            )
        )
    return problems


def _alphanumeric(label: str) -> str:
    """Turn a destination label (10.1.0.0_16, Ipv4Block0) into a logical-id-safe one.

    Separators become ``x`` rather than nothing, so 10.1.10.0/24 and 10.11.0.0/24 stay apart.
    """
    return re.sub(r"[^A-Za-z0-9]", "x", label)


def _role_findings(
    requester: _Side,
    accepter: _Side,
    roles: Mapping[str, PeeringAccepterRole | iam.IRole],
) -> list[Finding]:
    """Return the problems with the accepter role of one pair."""
    account = accepter.env[0]
    if not differs(requester.env[0], account):
        return []
    role = roles.get(account)
    if role is None:
        return [
            Finding(
                "cdk_peering:accepterRoleMissing",
                f"VPC {accepter.facts.path} is in account {account} and VPC "
                f"{requester.facts.path} in {requester.env[0]}: CloudFormation can accept "
                "the connection only by assuming a role in the accepter account.",
                f"Give accepter_roles={{'{account}': role}}: a cdk_peering.PeeringAccepterRole "
                f"in account {account}, or an iam.IRole there that trusts account "
                f"{requester.env[0]} and may accept peerings to every VPC of the topology "
                "in that account.",
                error=True,
            )
        ]
    where, reasons = role_mismatches(
        role,
        requester_account=requester.env[0],
        requester_region=requester.env[1],
        requester_vpc_id=requester.facts.vpc_id,
        accepter_vpc=accepter.vpc,
        accepter_account=account,
    )
    if not reasons:
        return []
    return [
        Finding(
            "cdk_peering:accepterRoleMismatch",
            f"accepter_roles[{account!r}] is {where}, which cannot accept the "
            f"peering {requester.facts.path} -> {accepter.facts.path}: "
            f"{'; '.join(reasons)}.",
            "Give the PeeringAccepterRole every accepter VPC of that account "
            "(more_accepter_vpcs=[...]) and the requesters' account and region, with no "
            "requester_vpc_id; when several accounts or regions request peerings to it, give "
            "an iam.IRole that trusts them all.",
            error=True,
        )
    ]


def _output_problems(path: str, sides: list[_Side], pairs: list[_Pair]) -> list[Problem]:
    """Count the outputs each VPC's own stack would get: its values read by side stacks."""
    read: dict[int, set[str]] = {}
    stacks: dict[int, cdk.Stack] = {}

    def reads(side: _Side, value: str) -> None:
        if side.facts.built_in_app:
            stack = side.facts.stack
            stacks[id(stack)] = stack
            read.setdefault(id(stack), set()).add(value)

    for pair in pairs:
        reads(pair.requester, pair.requester.facts.vpc_id)
        reads(pair.accepter, pair.accepter.facts.vpc_id)
        for route in pair.plan.routes:
            owner, peer = pair.sides_of(route)
            reads(owner, route.table_id)
            if is_token(route.destination):
                reads(peer, route.destination)
    return [
        Problem(
            path,
            "cdk_peering:tooManyOutputs",
            f"Stack {stacks[key].stack_name} would get {len(values)} outputs: the VPC ids, "
            "route table ids and IPv6 blocks of its VPCs that the topology's stacks read; "
            f"CloudFormation allows {OUTPUTS_LIMIT} outputs per stack.",
            "Define the topology's VPCs in more stacks (each VPC needs one output plus one "
            "per route table), or import them with Vpc.from_vpc_attributes.",
        )
        for key, values in read.items()
        if len(values) > OUTPUTS_LIMIT
    ]


class PeeringMesh(_Topology):
    """A full mesh: every pair of the given VPCs peered, with routes on both sides.

    For each pair, the VPC listed first requests the connection and the other accepts it
    (so reordering the list replaces connections; adding or removing VPCs does not).
    Every route table of the selected subnets of each VPC gets a route to every CIDR
    block of every other VPC (and their IPv6 blocks when both are dual-stack). The VPCs
    may be in any mix of accounts and regions.

    The whole mesh is checked before anything is built: overlapping CIDRs among all the
    VPCs, peerings per VPC and routes per route table against the quotas, and everything
    :class:`VpcPeering` checks. One :class:`ValidationError` lists every problem.

    By default each VPC gets stacks of its own, in its account and region, made by the
    library as children of this construct: ``<this stack>-<id>-<VPC>Requests`` (the
    connections it requests and its routes through them) and ``...-<VPC>Accepts`` (its
    routes through the others' connections); see :class:`TopologyPlacement`. Logical ids
    do not change when VPCs are added or removed. A full mesh of n VPCs has n(n-1)/2
    connections: AWS allows at most 125 per VPC, so a mesh has at most 126 VPCs.

    Example::

        PeeringMesh(self, "Mesh", vpcs=[app_vpc, data_vpc, shared_vpc])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpcs: Sequence[ec2.IVpc],
        subnets: ec2.SubnetSelection | None = None,
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None = None,
        placement: TopologyPlacement | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
    ) -> None:
        """Define a full mesh of VPC peerings.

        :param scope: the parent construct.
        :param id: the construct id (part of the names of the stacks it makes).
        :param vpcs: the VPCs to peer, at least two; each pair is requested by the one
            listed first.
        :param subnets: the subnets (in every VPC) whose route tables get routes.
            Default: - every subnet of each VPC, each route table once.
        :param accepter_roles: for peerings across accounts, the role CloudFormation
            assumes in each accepter account, by account id. Default: - none; required
            for every account that accepts a peering from another account.
        :param placement: where the connections and routes go.
            Default: TopologyPlacement.STACK_PER_VPC.
        :param peerings_per_vpc_quota: your account's active peerings per VPC quota, when
            raised. Default: - context ``cdk-peering:activePeeringsPerVpcQuota``, else 50.
        :param routes_per_route_table_quota: your routes per route table quota, when
            raised. Default: - context ``cdk-peering:routesPerRouteTableQuota``, else 50.
        :raises ValidationError: listing every problem of the mesh.
        """
        problems: list[Problem] = []
        if len(vpcs) < 2:
            problems.append(
                Problem(
                    child_path(scope.node.path, id),
                    "cdk_peering:meshTooSmall",
                    f"A mesh needs at least two VPCs; {len(vpcs)} given.",
                    "Give two or more VPCs.",
                )
            )
        count = len(vpcs)
        super().__init__(
            scope,
            id,
            vpcs=vpcs,
            pairs=[(i, j) for i in range(count) for j in range(i + 1, count)],
            subnets=[subnets] * count,
            accepter_roles=accepter_roles,
            placement=placement,
            peerings_per_vpc_quota=peerings_per_vpc_quota,
            routes_per_route_table_quota=routes_per_route_table_quota,
            problems=problems,
        )
        self.vpcs: list[ec2.IVpc] = list(vpcs)
        """The VPCs of the mesh."""


class HubAndSpoke(_Topology):
    """A hub VPC peered with each spoke VPC; the spokes are not peered with each other.

    VPC peering is not transitive: a spoke reaches the hub, never another spoke through
    it, so the spokes get routes to the hub's CIDR blocks only and the hub gets routes to
    every spoke. For spoke-to-spoke traffic, use a :class:`PeeringMesh` or a transit
    gateway. The hub requests every connection; spokes may be in other accounts and
    regions. AWS allows at most 125 peerings per VPC, so at most 125 spokes.

    Checked and placed like :class:`PeeringMesh`: one error lists every problem, and by
    default the hub gets a Requests stack and each spoke an Accepts stack.

    Example::

        HubAndSpoke(self, "Shared", hub=shared_vpc, spokes=[app_vpc, data_vpc])
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        hub: ec2.IVpc,
        spokes: Sequence[ec2.IVpc],
        hub_subnets: ec2.SubnetSelection | None = None,
        spoke_subnets: ec2.SubnetSelection | None = None,
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None = None,
        placement: TopologyPlacement | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
    ) -> None:
        """Define a hub VPC peered with each spoke.

        :param scope: the parent construct.
        :param id: the construct id.
        :param hub: the VPC every spoke is peered with; it requests each connection.
        :param spokes: the spoke VPCs, at least one.
        :param hub_subnets: the hub subnets whose route tables get routes to the spokes.
            Default: - every subnet of the hub.
        :param spoke_subnets: the subnets of each spoke whose route tables get routes to
            the hub. Default: - every subnet of each spoke.
        :param accepter_roles: for spokes in other accounts, the role CloudFormation
            assumes in each spoke account, by account id. Default: - none.
        :param placement: where the connections and routes go.
            Default: TopologyPlacement.STACK_PER_VPC.
        :param peerings_per_vpc_quota: as for ``PeeringMesh``.
        :param routes_per_route_table_quota: as for ``PeeringMesh``.
        :raises ValidationError: listing every problem of the topology.
        """
        problems: list[Problem] = []
        if not spokes:
            problems.append(
                Problem(
                    child_path(scope.node.path, id),
                    "cdk_peering:noSpokes",
                    "HubAndSpoke needs at least one spoke; none given.",
                    "Give one or more spoke VPCs.",
                )
            )
        vpcs = [hub, *spokes]
        super().__init__(
            scope,
            id,
            vpcs=vpcs,
            pairs=[(0, j) for j in range(1, len(vpcs))],
            subnets=[hub_subnets] + [spoke_subnets] * len(spokes),
            accepter_roles=accepter_roles,
            placement=placement,
            peerings_per_vpc_quota=peerings_per_vpc_quota,
            routes_per_route_table_quota=routes_per_route_table_quota,
            problems=problems,
        )
        self.hub = hub
        """The hub VPC."""
        self.spokes: list[ec2.IVpc] = list(spokes)
        """The spoke VPCs."""
