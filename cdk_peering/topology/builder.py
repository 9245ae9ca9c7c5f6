"""Topology: what PeeringMesh and HubAndSpoke share, in four phases.

1. **Plan**: read the VPCs (sides) and plan each pair's peering (``plan_peering``).
2. **Check**: run the rules over all plans at once (``check_topology``) and the checks
   only a topology can make; one :class:`~cdk_peering.ValidationError` lists everything.
3. **Lay out**: give each route table of each VPC's layer a stack part (:mod:`.layout`).
4. **Build**: create the stacks, connections and routes.

Nothing is added to the tree before phase 4.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import ScopeFacts, child_path, scope_facts, vpc_facts
from ..cdk.references import read_weakly
from ..cdk.vpcs import SiblingCache
from ..errors import ValidationError
from ..findings import Finding
from ..model.plan import ACCEPTER, REQUESTER
from ..model.tokens import is_token
from ..peering.destinations import ACCEPTER_ROLE
from ..peering.late_blocks import watch_blocks
from ..peering.plan import TOPOLOGY, plan_peering, route_options_without_default_routes
from ..peering.routes import new_route
from ..peering.side import PeeringSide
from ..rules.connection import default_assume_role_region
from ..rules.peering import check_topology
from . import layout
from .checks import (
    Layout,
    mixed_environment_problems,
    output_problems,
    role_findings,
    route_id,
    route_id_problems,
    scope_problems,
    settings_problems,
    side_problems,
)
from .pairs import OPTIONS, Pair, Side
from .placement import TopologyPlacement

if TYPE_CHECKING:
    from ..peering.accepter_role import PeeringAccepterRole
    from ..peering.options import PeeringConnectionOptions
    from ..peering.tags import PeeringConnectionTags

_STACK_NAME_MAX = 128


ACCEPTER_ROLES = params.mapping_of(params.STRING, ACCEPTER_ROLE)
"""What ``accepter_roles`` takes: roles by account id."""
PLACEMENT = params.enum_member(TopologyPlacement, "TopologyPlacement")


def shared_parameters(
    *,
    accepter_roles: object,
    placement: object,
    multipath_resilience: object,
    assume_role_region: object,
    peerings_per_vpc_quota: object,
    routes_per_route_table_quota: object,
    default_routes: object,
) -> params.Given:
    """Return the parameters every topology takes, each with what it must be."""
    return [
        ("accepter_roles", accepter_roles, ACCEPTER_ROLES, False),
        ("placement", placement, PLACEMENT, False),
        ("default_routes", default_routes, params.BOOLEAN, False),
        ("multipath_resilience", multipath_resilience, params.BOOLEAN, False),
        ("assume_role_region", assume_role_region, params.STRING, False),
        *params.quota_parameters(peerings_per_vpc_quota, routes_per_route_table_quota),
    ]


class Topology(Construct):
    """What PeeringMesh and HubAndSpoke share: plan, check, lay out, build."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpcs: Sequence[ec2.IVpc],
        vpc_params: Sequence[str],
        pairs: Sequence[tuple[int, int]],
        subnets: Sequence[ec2.SubnetSelection | None],
        accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole] | None,
        placement: TopologyPlacement | None,
        peerings_per_vpc_quota: int | None,
        routes_per_route_table_quota: int | None,
        multipath_resilience: bool | None,
        assume_role_region: str | None,
        default_routes: bool | None,
        subnet_options: Mapping[str, ec2.SubnetSelection | None],
        problems: list[Finding],
    ) -> None:
        here = scope_facts(scope)
        path = child_path(here.path, id)
        self._placement = placement or TopologyPlacement.STACK_PER_VPC
        routed = default_routes is not False
        if not routed:
            problems.extend(
                route_options_without_default_routes(
                    path,
                    subnet_options,
                    "Leave them out and route each VPC's tables yourself (through "
                    "peering_connection_id(...)), or leave default_routes out.",
                )
            )
        sides = _sides(here, path, vpcs, vpc_params, problems)
        problems.extend(mixed_environment_problems(path, sides, pairs))
        planned = _plan(
            path,
            here,
            sides,
            pairs,
            subnets,
            accepter_roles or {},
            (peerings_per_vpc_quota, routes_per_route_table_quota),
            routed=routed,
        )
        results = check_topology([pair.plan for pair in planned], here.context.registry)
        problems.extend(finding for finding in results if finding.error)
        problems.extend(
            settings_problems(
                path,
                here,
                sides,
                planned,
                multipath=multipath_resilience,
                assume_role_region=assume_role_region,
            )
        )
        parts: Layout = {}
        if not problems:
            problems.extend(self._lay_out(path, here, sides, planned, parts))
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        warn(self, results)
        self._here = here
        self._path = path
        self._parts = parts
        # A stack name holds letters, digits and '-' only; a construct id may hold more.
        self._stack_prefix = f"{here.stack.stack_name}-{re.sub(r'[^A-Za-z0-9-]', '', id)}"
        self._dependencies: set[tuple[int, int]] = set()
        self._containers: dict[tuple[int, str, int], Construct] = {}
        self.stacks: list[cdk.Stack] = []
        """The stacks this topology made (none with ``TopologyPlacement.SCOPE`` when every
        VPC is in the topology's own account and region)."""
        self.peering_connections: list[ec2.CfnVPCPeeringConnection] = []
        """Every ``AWS::EC2::VPCPeeringConnection``, in the order of the pairs."""
        self.routes: list[ec2.CfnRoute] = []
        """Every ``AWS::EC2::Route``, on both sides of every pair."""
        self.connection_options: list[PeeringConnectionOptions] = []
        """The custom resources that set each side's multipath resilience, for every
        inter-Region pair when ``multipath_resilience`` is given (requester's, accepter's)."""
        self.accepter_tags: list[PeeringConnectionTags] = []
        """The custom resources that tag the accepter's view of each connection across
        accounts or Regions."""
        self._multipath = multipath_resilience
        self._assume_role_region = assume_role_region
        self._ids: dict[frozenset[int], str] = {}
        self._vpcs = list(vpcs)
        for pair in planned:
            self._build(pair)
            here.context.registry.record(pair.plan)
            watch_blocks(here.context, self, pair.plan)

    def peering_connection_id(self, vpc_a: ec2.IVpc, vpc_b: ec2.IVpc) -> str:
        """Return the id of the peering connection between two VPCs of the topology.

        :raises KeyError: when the topology does not peer those two VPCs.
        """
        params.require_in(
            self,
            "peering_connection_id",
            [("vpc_a", vpc_a, params.VPC, True), ("vpc_b", vpc_b, params.VPC, True)],
        )
        index = {id(vpc): i for i, vpc in enumerate(self._vpcs)}
        key = frozenset((index.get(id(vpc_a), -1), index.get(id(vpc_b), -2)))
        if key not in self._ids:
            raise KeyError(
                f"{self.node.path} does not peer {vpc_a.node.path} and {vpc_b.node.path}"
            )
        return self._ids[key]

    # --- laying out -----------------------------------------------------------------

    def _lay_out(
        self, path: str, here: ScopeFacts, sides: list[Side], pairs: list[Pair], parts: Layout
    ) -> list[Finding]:
        """Fill ``parts`` (route table -> part); return the limits the layout would break."""
        tables: dict[tuple[int, str], list[str]] = {}
        for pair in pairs:
            for route in pair.plan.routes:
                owner, _ = pair.sides_of(route)
                listed = tables.setdefault((owner.index, layout.layer_of(route)), [])
                if route.table_id not in listed:
                    listed.append(route.table_id)
        if self._placement is TopologyPlacement.SCOPE:
            total = len(pairs) + sum(len(pair.plan.routes) for pair in pairs)
            return scope_problems(path, here, sides, total) + route_id_problems(pairs, None)
        for (index, layer), listed in tables.items():
            for table, part in layout.parts(
                layer, listed, has_ipv6=sides[index].facts.has_ipv6
            ).items():
                parts[index, layer, table] = part
        return (
            route_id_problems(pairs, parts)
            + side_problems(path, sides, pairs, parts)
            + output_problems(path, pairs)
        )

    # --- building -------------------------------------------------------------------

    def _container(self, side: Side, layer: str, table_id: str | None) -> tuple[Construct, str]:
        """Return (made once) the holder of a layer's part, and its ids' prefix.

        ``table_id`` None: the layer's first part (where the connections go). With
        placement SCOPE everything sits directly under this construct, the ids prefixed
        with the VPC's name: no construct per VPC (each is a jsii round trip).
        """
        if self._placement is TopologyPlacement.SCOPE:
            return self, side.key
        part = 0 if table_id is None else self._parts[side.index, layer, table_id]
        existing = self._containers.get((side.index, layer, part))
        if existing is None:
            name = f"{side.key}{layout.part_suffix(layer, part)}"
            existing = self._stack(name, side, side.facts.path)
            self._containers[side.index, layer, part] = existing
        return existing, ""

    def _stack(self, name: str, side: Side, about: str) -> cdk.Stack:
        stack_name = f"{self._stack_prefix}-{name}"
        if len(stack_name) > _STACK_NAME_MAX:
            import hashlib  # only for a name too long for CloudFormation

            digest = hashlib.sha256(stack_name.encode()).hexdigest()[:8]
            stack_name = f"{stack_name[: _STACK_NAME_MAX - 9]}-{digest}"
        account, region = side.env
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

    def _build(self, pair: Pair) -> None:
        requester, accepter, plan = pair.requester, pair.accepter, pair.plan
        home, prefix = self._container(requester, layout.REQUESTS, None)
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
            peer_owner_id=accepter.env.account if pair.cross_account else None,
            peer_region=accepter.env.region if pair.cross_region else None,
            peer_role_arn=pair.role.role_arn if pair.role else None,
            assume_role_region=(
                self._assume_role_region
                or default_assume_role_region(requester.env.region, accepter.env.region)
                if pair.role
                else None
            ),
        )
        if pair.role is not None:
            from ..peering.accepter_role import add_requester_stack

            # A PeeringAccepterRole trusts the execution role that deploys this stack.
            add_requester_stack(pair.role, cdk.Stack.of(home))
        connection_id = connection.ref
        self.peering_connections.append(connection)
        self._ids[frozenset((requester.index, accepter.index))] = connection_id
        crosses = pair.crosses_environments
        if crosses:
            if accepter.facts.built_in_app:
                self._depend(home, accepter.facts.stack, "reads the accepter VPC id")
            role = pair.role
            if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
                self._depend(home, role, "reads the accepter role")
        if pair.cross_region:
            from ..peering.security_groups import InterRegionSecurityGroupCheck

            InterRegionSecurityGroupCheck.register_in(
                self._here.context, requester.vpc, accepter.vpc
            )
        for route in plan.routes:
            owner, peer = pair.sides_of(route)
            container, prefix = self._container(owner, layout.layer_of(route), route.table_id)
            if crosses and owner is accepter:
                self._depend(container, home, "reads the peering connection id")
            self.routes.append(
                new_route(
                    container,
                    route_id(prefix, route, peer.key),
                    plan,
                    route,
                    connection_id,
                    consumer,
                )
            )
        self._side_resources(pair, connection)

    def _side_resources(self, pair: Pair, connection: ec2.CfnVPCPeeringConnection) -> None:
        """Add each side's options and the tags of the accepter's view to their Options layer.

        Each in a stack of its side's account and region (AWS modifies a side, and tags
        an account's view, only there); their construct ids name the peer, never its
        position, like the routes'.
        """
        requester, accepter = pair.requester, pair.accepter
        for owner, kind in pair.options(multipath=self._multipath):
            container, prefix = self._container(owner, layout.OPTIONS, None)
            if kind == OPTIONS:
                from ..peering.options import PeeringConnectionOptions

                side, peer = (
                    (PeeringSide.REQUESTER, f"To{accepter.key}")
                    if owner is requester
                    else (PeeringSide.ACCEPTER, f"From{requester.key}")
                )
                self.connection_options.append(
                    PeeringConnectionOptions(
                        container,
                        f"{prefix}{peer}Options",
                        peering_connection_id=connection.ref,
                        side=side,
                        allow_multipath_resilience=self._multipath,
                    )
                )
            else:
                from ..peering.tags import PeeringConnectionTags

                self.accepter_tags.append(
                    PeeringConnectionTags(
                        container,
                        f"{prefix}From{requester.key}Tags",
                        peering_connection_id=connection.ref,
                        connection=connection,
                        name=pair.plan.path,
                    )
                )


def _sides(
    here: ScopeFacts,
    path: str,
    vpcs: Sequence[ec2.IVpc],
    vpc_params: Sequence[str],
    problems: list[Finding],
) -> list[Side]:
    """Read each VPC once; report VPCs listed twice and names that clash.

    ``vpc_params``: the parameter that gave each VPC, for messages.
    """
    sides: list[Side] = []
    seen: dict[int, int] = {}
    keys: dict[str, Side] = {}
    stack_path = here.stack.to_string()  # its path, in one round trip
    prefix = stack_path + "/"
    siblings = SiblingCache(parents={stack_path: here.stack})
    for index, vpc in enumerate(vpcs):
        facts = vpc_facts(vpc, siblings)
        if id(vpc) in seen:
            problems.append(
                Finding(
                    path,
                    rule_ids.VPC_LISTED_TWICE,
                    f"VPC {facts.path} is listed twice (positions {seen[id(vpc)]} and "
                    f"{index}); a VPC cannot peer with itself.",
                    "List each VPC once.",
                )
            )
        repeated = id(vpc) in seen
        seen.setdefault(id(vpc), index)
        relative = facts.path.removeprefix(prefix)
        key = re.sub(r"[^A-Za-z0-9]", "", relative) or "Vpc"
        side = Side(index, vpc, facts, here.vpc_env(facts), key, repeated, vpc_params[index])
        other = keys.get(key)
        if other is not None and other.vpc is not vpc:
            problems.append(
                Finding(
                    path,
                    rule_ids.VPC_NAME_CLASH,
                    f"VPCs {other.facts.path} and {facts.path} get the same name {key!r} "
                    "in stack names and logical ids.",
                    "Give one of them a different construct id.",
                )
            )
        keys.setdefault(key, side)
        sides.append(side)
    return sides


def _plan(
    path: str,
    here: ScopeFacts,
    sides: list[Side],
    pairs: Sequence[tuple[int, int]],
    subnets: Sequence[ec2.SubnetSelection | None],
    accepter_roles: Mapping[str, PeeringAccepterRole | iam.IRole],
    quotas: tuple[int | None, int | None],
    *,
    routed: bool,
) -> list[Pair]:
    """Plan each pair's peering (requester first); pairs with a repeated VPC are skipped.

    ``routed``: plan the default routes (else connections only).
    """
    if accepter_roles:
        from ..peering.accepter_role import PeeringAccepterRole
    roles = {
        account: cast(iam.IRole, role.role) if isinstance(role, PeeringAccepterRole) else role
        for account, role in accepter_roles.items()
    }
    planned: list[Pair] = []
    for i, j in pairs:
        requester, accepter = sides[i], sides[j]
        if requester.repeated or accepter.repeated:
            continue  # reported as listed twice
        pair_path = f"{path}/{requester.key}/To{accepter.key}"
        plan = plan_peering(
            path=pair_path,
            requester=requester.facts,
            accepter=accepter.facts,
            requester_subnets=subnets[i],
            accepter_subnets=subnets[j],
            accepter_destinations=None,
            requester_destinations=None,
            peerings_quota=(quotas[0], here.context.peerings_quota_context),
            routes_quota=(quotas[1], here.context.routes_quota_context),
            sides=(REQUESTER, ACCEPTER) if routed else (),
            findings=role_findings(requester, accepter, accepter_roles, pair_path),
            kind=TOPOLOGY,
            subnet_props=(_subnets_prop(requester), _subnets_prop(accepter)),
        )
        cross_account = requester.env.other_account(accepter.env)
        role = roles.get(accepter.env.account) if cross_account else None
        planned.append(Pair(requester, accepter, plan, role))
    return planned


def _subnets_prop(side: Side) -> str:
    """Return the prop that gave a VPC's subnet selection: ``subnets``, ``hub_subnets``..."""
    if side.param == "hub":
        return "hub_subnets"
    return "spoke_subnets" if side.param.startswith("spokes") else "subnets"
