"""The checks only a whole topology can make.

Roles per account, stack and output limits, route ids that would clash, what placement
SCOPE can hold, and the connection settings given to the whole topology.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from .. import rule_ids
from ..cdk.app_context import ScopeFacts
from ..cdk.provider import HANDLER_COUNT
from ..findings import Finding
from ..model.plan import PlannedRoute
from ..model.tokens import is_token
from ..peering.placement import Where, mixed_environments
from ..rules.connection import assume_role_region_findings
from . import placement
from .layout import REQUESTS, layer_of
from .pairs import Pair, Side

if TYPE_CHECKING:
    from ..peering.accepter_role import PeeringAccepterRole

Layout = dict[tuple[int, str, str], int]
"""(VPC index, layer, route table id) -> the part of that layer that holds the table."""


def route_id(prefix: str, route: PlannedRoute, peer_key: str) -> str:
    """Return a topology route's construct id: its table, the peer and the destination."""
    return f"{prefix}{route.table_label}To{peer_key}{_alphanumeric(route.destination_label)}"


def _alphanumeric(label: str) -> str:
    """Turn a destination label (10.1.0.0_16, Ipv4Block0) into a logical-id-safe one.

    Separators become ``x`` rather than nothing, so 10.1.10.0/24 and 10.11.0.0/24 stay apart.
    """
    return re.sub(r"[^A-Za-z0-9]", "x", label)


def role_findings(
    requester: Side,
    accepter: Side,
    roles: Mapping[str, PeeringAccepterRole | iam.IRole],
    path: str,
) -> list[Finding]:
    """Return the problems with the accepter role of one pair (``path``: the pair's)."""
    account = accepter.env.account
    if not requester.env.other_account(accepter.env):
        return []
    role = roles.get(account)
    if role is None:
        return [
            Finding(
                path,
                rule_ids.ACCEPTER_ROLE_MISSING,
                f"VPC {accepter.facts.path} is in account {account} and VPC "
                f"{requester.facts.path} in {requester.env.account}: CloudFormation can "
                "accept the connection only by assuming a role in the accepter account.",
                f"Give accepter_roles={{'{account}': role}}: a cdk_peering.PeeringAccepterRole "
                f"in account {account}, or an iam.IRole there that trusts account "
                f"{requester.env.account} and may accept peerings to every VPC of the "
                "topology in that account.",
            )
        ]
    from ..peering.accepter_role import (  # only for cross-account pairs
        PeeringAccepterRole,
        role_fix,
        role_mismatches,
    )

    where, reasons = role_mismatches(
        role,
        requester_account=requester.env.account,
        requester_region=requester.env.region,
        requester_vpc_id=requester.facts.vpc_id,
        accepter_vpc=accepter.vpc,
        accepter_account=account,
        # A stack of the requester's environment, where the connection's PeerRoleArn goes.
        requester_stack=requester.facts.stack if requester.facts.built_in_app else None,
    )
    if not reasons:
        return []
    return [
        Finding(
            path,
            rule_ids.ACCEPTER_ROLE_MISMATCH,
            f"accepter_roles[{account!r}] is {where}, which cannot accept the "
            f"peering {requester.facts.path} -> {accepter.facts.path}: "
            f"{'; '.join(reasons)}.",
            "Give the PeeringAccepterRole every accepter VPC of that account "
            "(more_accepter_vpcs=[...]) and the requesters' account and region, with no "
            "requester_vpc_id; when several accounts or regions request peerings to it, give "
            "an iam.IRole that trusts them all."
            if isinstance(role, PeeringAccepterRole)
            else role_fix(role, account, requester.env.account),
        )
    ]


def mixed_environment_problems(
    path: str, sides: list[Side], pairs: Sequence[tuple[int, int]]
) -> list[Finding]:
    """Return the problem of pairs that mix environment-agnostic and pinned stacks.

    A VPC of an environment-agnostic stack peered with one of a stack with an explicit
    environment: one finding for the whole topology, naming the VPCs of such pairs.
    """
    kinds = {(is_token(side.env.account), is_token(side.env.region)) for side in sides}
    if len(kinds) < 2:
        return []  # every VPC's environment known, or none: nothing mixes
    agnostic: dict[int, Where] = {}
    pinned: dict[int, Where] = {}
    for i, j in pairs:
        first, second = sides[i], sides[j]
        if not first.env.mixes_with(second.env):
            continue
        low, high = (first, second) if first.env.hides(second.env) else (second, first)
        agnostic.setdefault(low.index, _where(low))
        pinned.setdefault(high.index, _where(high))
    if not agnostic:
        return []
    return [mixed_environments(path, list(agnostic.values()), list(pinned.values()))]


def _where(side: Side) -> Where:
    return Where(f"{side.param} {side.facts.path}", side.facts.stack.stack_name, side.env)


def scope_problems(path: str, here: ScopeFacts, sides: list[Side], total: int) -> list[Finding]:
    """Return why placement=SCOPE cannot hold the topology."""
    problems = [
        Finding(
            path,
            rule_ids.SCOPE_ENVIRONMENT,
            f"placement=SCOPE puts everything in stack {here.stack.stack_name} "
            f"({'environment-agnostic' if here.env.agnostic else here.env}), but "
            + (
                f"VPC {side.facts.path} is in {side.env}."
                if not side.env.agnostic
                else f"{side.param} {side.facts.path} is in the environment-agnostic stack "
                f"{side.facts.stack.stack_name}."
            ),
            "Leave placement out (TopologyPlacement.STACK_PER_VPC), which puts each VPC's "
            "side in a stack of its own account and region.",
        )
        for side in sides
        if side.env.other_account(here.env)
        or side.env.other_region(here.env)
        or side.env.mixes_with(here.env)
    ]
    if total > placement.STACK_BUDGET:
        problems.append(
            Finding(
                path,
                rule_ids.TOPOLOGY_TOO_LARGE_FOR_SCOPE,
                f"placement=SCOPE would put {total} resources into stack "
                f"{here.stack.stack_name}; the library puts at most "
                f"{placement.STACK_BUDGET} in one stack (CloudFormation allows 500).",
                "Leave placement out (TopologyPlacement.STACK_PER_VPC: stacks per VPC, "
                "within every limit at any size).",
            )
        )
    return problems


def side_problems(path: str, sides: list[Side], pairs: list[Pair], layout: Layout) -> list[Finding]:
    """Return each part of a layer that would hold more resources than a stack takes."""
    load: Counter[tuple[int, str, int]] = Counter()
    for pair in pairs:
        load[pair.requester.index, REQUESTS, 0] += 1
        for route in pair.plan.routes:
            owner, _ = pair.sides_of(route)
            layer = layer_of(route)
            load[owner.index, layer, layout[owner.index, layer, route.table_id]] += 1
    return [
        Finding(
            path,
            rule_ids.SIDE_TOO_LARGE,
            f"The {layer.lower()} layer of VPC {sides[index].facts.path} would put {count} "
            f"resources into one stack (part {part + 1}); the routes of one route "
            f"table stay in one stack, and the library puts at most {placement.STACK_BUDGET} "
            "resources in a stack.",
            "Route to fewer CIDR blocks of each peer (each secondary block is one "
            "more route per route table), or peer this VPC with fewer VPCs.",
        )
        for (index, layer, part), count in sorted(load.items())
        if count > placement.STACK_BUDGET
    ]


def route_id_problems(pairs: list[Pair], layout: Layout | None) -> list[Finding]:
    """Return the routes whose construct ids would clash where they are placed.

    A route's id joins its table, the peer's name and the destination; with names that
    end in digits and public-range CIDRs two can read the same (``X1`` + 12.0.0.0/16,
    ``X11`` + 2.0.0.0/16). ``layout`` None: placement SCOPE (one place, ids prefixed
    with the owner's name).
    """
    seen: dict[tuple[object, str], str] = {}
    problems: list[Finding] = []
    for pair in pairs:
        for route in pair.plan.routes:
            owner, peer = pair.sides_of(route)
            layer = layer_of(route)
            where = (
                "scope"
                if layout is None
                else (owner.index, layer, layout[owner.index, layer, route.table_id])
            )
            each_id = route_id(owner.key if layout is None else "", route, peer.key)
            other = seen.setdefault((where, each_id), pair.plan.path)
            if other != pair.plan.path:
                problems.append(
                    Finding(
                        pair.plan.path,
                        rule_ids.ROUTE_ID_CLASH,
                        f"A route of {pair.plan.path} and one of {other} would both get the "
                        f"id {each_id} in the same stack (the peer's name and the "
                        "destination run together).",
                        "Rename one of the two peer VPCs (their construct ids name the "
                        "routes), for example so that one name does not end in a digit.",
                    )
                )
    return problems


def output_problems(path: str, pairs: list[Pair]) -> list[Finding]:
    """Count the outputs each VPC's own stack would get: its values read by side stacks."""
    read: dict[int, set[str]] = {}
    stacks: dict[int, cdk.Stack] = {}

    def reads(side: Side, value: str) -> None:
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
        Finding(
            path,
            rule_ids.TOO_MANY_OUTPUTS,
            f"Stack {stacks[key].stack_name} would get {len(values)} outputs: the VPC ids, "
            "route table ids and IPv6 blocks of its VPCs that the topology's stacks read; "
            f"CloudFormation allows {placement.OUTPUTS_LIMIT} outputs per stack.",
            "Define the topology's VPCs in more stacks (each VPC needs one output plus one "
            "per route table), or import them with Vpc.from_vpc_attributes.",
        )
        for key, values in read.items()
        if len(values) > placement.OUTPUTS_LIMIT
    ]


PROVIDER_RESOURCES = 4 * HANDLER_COUNT
"""What the library's deploy-time functions add to a stack at most: each function, its
role, the role's own policy and its log group."""


def options_per_side(pairs: list[Pair], *, multipath: bool | None) -> Counter[int]:
    """Count the custom resources each VPC's Options layer would hold.

    Multipath options on both sides of each inter-Region pair (when given), and the tags of
    the accepter's view of each pair across accounts or Regions.
    """
    count: Counter[int] = Counter()
    for pair in pairs:
        count.update(side.index for side, _ in pair.options(multipath=multipath))
    return count


def settings_problems(
    path: str,
    here: ScopeFacts,
    sides: list[Side],
    pairs: list[Pair],
    *,
    multipath: bool | None,
    assume_role_region: str | None,
) -> list[Finding]:
    """Return the problems of the settings given for every pair of the topology."""
    problems: list[Finding] = []
    if multipath and pairs and not any(pair.cross_region for pair in pairs):
        problems.append(
            Finding(
                path,
                rule_ids.MULTIPATH_WITHIN_REGION,
                "multipath_resilience is set, but no pair of the topology is known to cross "
                "Regions: AWS supports multipath resilience only for inter-Region peering "
                "connections, and the topology applies it to those only.",
                "Leave multipath_resilience out, or give the VPCs' stacks explicit Regions if "
                "some are in different ones.",
            )
        )
    if assume_role_region is not None:
        problems += assume_role_region_findings(
            path,
            assume_role_region,
            role_given=any(pair.role is not None for pair in pairs),
            requester_region=here.env.region,
        )
    for index, count in sorted(options_per_side(pairs, multipath=multipath).items()):
        resources = 2 * count + PROVIDER_RESOURCES  # each: the resource and its policy
        if resources > placement.STACK_BUDGET:
            problems.append(
                Finding(
                    path,
                    rule_ids.OPTIONS_TOO_LARGE,
                    f"The options layer of VPC {sides[index].facts.path} would put "
                    f"{resources} resources into one stack: {count} custom resources (its "
                    "side's multipath resilience on each inter-Region pair, the tags of each "
                    "connection it accepts across accounts or Regions), each with its "
                    f"policy; the library puts at most {placement.STACK_BUDGET} in a stack.",
                    "Leave multipath_resilience out, or peer this VPC with fewer VPCs of other "
                    "accounts or Regions.",
                )
            )
    return problems
