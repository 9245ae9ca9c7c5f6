"""Planning a peering: which route tables get which destinations, before anything is built.

A plan (:class:`~cdk_peering.model.plan.PeeringPlan`) holds both VPCs and every route
the peering would add; the rules check it, then the constructs build it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from ipaddress import IPv4Network

from aws_cdk import aws_ec2 as ec2

from .. import rule_ids
from ..cdk.vpcs import (
    SubnetFacts,
    VpcFacts,
    describe_selection,
    empty_selection,
    foreign_subnets,
    no_subnets_reason,
    select_subnets,
    unknown_cidr,
)
from ..findings import Finding, listing
from ..model.cidr import cover_blocks, is_ipv6, parse_network
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan, PlannedRoute
from ..model.quotas import (
    PEERINGS_PER_VPC_DEFAULT,
    PEERINGS_PER_VPC_MAX,
    PEERINGS_QUOTA_CONTEXT,
    ROUTES_PER_TABLE_DEFAULT,
    ROUTES_PER_TABLE_MAX,
    ROUTES_QUOTA_CONTEXT,
)
from ..model.tokens import is_token
from ..rules.quotas import quota
from .destinations import PeerDestinations

VPC_PEERING = "VpcPeering"
VPC_PEERING_ACCEPTER = "VpcPeeringAccepter"
TOPOLOGY = "topology"
"""The constructs that plan peerings (their messages name different fixes)."""


def plan_peering(
    *,
    path: str,
    requester: VpcFacts,
    accepter: VpcFacts,
    requester_subnets: ec2.SubnetSelection | None,
    accepter_subnets: ec2.SubnetSelection | None,
    accepter_destinations: PeerDestinations | None,
    requester_destinations: PeerDestinations | None,
    peerings_quota: tuple[int | None, object],
    routes_quota: tuple[int | None, object],
    sides: tuple[str, ...],
    findings: list[Finding],
    kind: str = VPC_PEERING,
    subnet_props: tuple[str, str] = ("requester_subnets", "accepter_subnets"),
) -> PeeringPlan[VpcFacts]:
    """Plan one peering's routes on the given ``sides``; planning problems go in the plan.

    ``peerings_quota`` and ``routes_quota``: (the prop, the context value). ``kind``:
    which construct plans (``VPC_PEERING``, ``VPC_PEERING_ACCEPTER`` or ``TOPOLOGY``), for
    the fixes its messages name. ``subnet_props``: the props that gave the requester's and
    the accepter's subnet selections (a topology's ``subnets``, ``hub_subnets``...).
    """
    peerings, problem = quota(
        path=path,
        name="active peering connections per VPC",
        declared=peerings_quota[0],
        context_value=peerings_quota[1],
        default=PEERINGS_PER_VPC_DEFAULT,
        maximum=PEERINGS_PER_VPC_MAX,
        prop="peerings_per_vpc_quota",
        context_key=PEERINGS_QUOTA_CONTEXT,
    )
    findings.extend([problem] if problem else [])
    routes_limit, problem = quota(
        path=path,
        name="routes per route table",
        declared=routes_quota[0],
        context_value=routes_quota[1],
        default=ROUTES_PER_TABLE_DEFAULT,
        maximum=ROUTES_PER_TABLE_MAX,
        prop="routes_per_route_table_quota",
        context_key=ROUTES_QUOTA_CONTEXT,
    )
    findings.extend([problem] if problem else [])
    both_ipv6 = requester.has_ipv6 and accepter.has_ipv6
    routes: list[PlannedRoute] = []
    narrowing: dict[str, int] = {}
    whole_peer: set[str] = set()
    sides_in_order = (
        (REQUESTER, requester, requester_subnets, accepter, accepter_destinations),
        (ACCEPTER, accepter, accepter_subnets, requester, requester_destinations),
    )
    for (side, owner, selection, peer, destinations), peer_selection, prop in zip(
        sides_in_order, (accepter_subnets, requester_subnets), subnet_props, strict=True
    ):
        if side not in sides:
            continue
        tables = route_tables(path, side, owner, selection, findings, kind, prop)
        targets = destinations_for(
            path, side, peer, destinations, both_ipv6, findings, "" if kind == TOPOLOGY else None
        )
        whole = destinations is None or destinations == PeerDestinations.vpc_cidrs()
        if destinations is None and peer_selection is not None:
            # The peer routes back from the tables of its selected subnets only: route to
            # those subnets (merged), so every route has a way back.
            answered = return_destinations(peer, peer_selection, both_ipv6)
            if answered is not None:
                narrowing[side] = max(0, _ipv4_count(answered) - _ipv4_count(targets))
                targets = answered
                whole = False
        if whole and tables:
            whole_peer.add(side)
        for table_id, table_label in tables:
            for destination, label, ipv6, given in targets:
                routes.append(
                    PlannedRoute(side, table_id, table_label, destination, label, ipv6, given)
                )
    return PeeringPlan(
        path=path,
        requester=requester,
        accepter=accepter,
        routes=tuple(routes),
        peerings_quota=peerings,
        routes_quota=routes_limit,
        findings=tuple(findings),
        narrowing=narrowing,
        whole_peer=frozenset(whole_peer),
    )


def route_options_without_default_routes(
    path: str, options: Mapping[str, object], fix: str | None = None
) -> list[Finding]:
    """Return the problem of props that shape default routes given without them.

    ``options``: each such prop by name (None: not given). ``fix``: how to route instead
    (by default, ``add_route``).
    """
    given = [name for name, value in options.items() if value is not None]
    if not given:
        return []
    return [
        Finding(
            path,
            rule_ids.ROUTE_OPTIONS_WITHOUT_DEFAULT_ROUTES,
            f"default_routes is False, but {listing(given)} "
            f"{'is' if len(given) == 1 else 'are'} given: they shape the default routes, "
            "which are not made.",
            fix
            or f"Leave {listing(given)} out and route each table with add_route(...), or "
            "leave default_routes out.",
        )
    ]


def _ipv4_count(targets: list[tuple[str, str, bool, bool]]) -> int:
    return sum(1 for _, _, ipv6, _ in targets if not ipv6)


def return_destinations(
    peer: VpcFacts, selection: ec2.SubnetSelection, both_ipv6: bool
) -> list[tuple[str, str, bool, bool]] | None:
    """Return the destinations in ``peer`` that route back: its selected subnets' blocks.

    Every subnet whose route table is a selected subnet's table answers; adjacent ones are
    merged into the fewest blocks that cover no other subnet (inside the VPC's blocks),
    plus each answering subnet's IPv6 block when both VPCs have IPv6. None when that
    cannot be told (a selection CDK rejects, an imported subnet without its CIDR or route
    table): the caller then routes to the whole VPC, as before.

    Worked out once per peer, selection and ``both_ipv6`` (a mesh asks once per pair).
    """
    key = (id(selection), both_ipv6)
    known = peer.return_destinations.get(key)
    if known is None or known[0] is not selection:
        known = peer.return_destinations[key] = (
            selection,
            _return_destinations(peer, selection, both_ipv6),
        )
    return None if known[1] is None else list(known[1])


def _return_destinations(
    peer: VpcFacts, selection: ec2.SubnetSelection, both_ipv6: bool
) -> tuple[tuple[str, str, bool, bool], ...] | None:
    try:
        selected = select_subnets(peer, selection)
    except RuntimeError:
        return None  # reported by the peer side's own selection
    tables = {subnet.route_table_id for subnet in selected}
    if not selected or None in tables:
        return None
    answering: list[IPv4Network] = []
    others: list[IPv4Network] = []
    ipv6: list[tuple[str, str, bool, bool]] = []
    for subnet in peer.subnets:
        network = parse_network(subnet.ipv4_cidr) if subnet.ipv4_cidr else None
        if not isinstance(network, IPv4Network):
            return None
        if subnet.route_table_id in tables:
            answering.append(network)
            if both_ipv6:
                ipv6.extend((cidr, f"{subnet.name}Ipv6", True, False) for cidr in subnet.ipv6_cidrs)
        else:
            others.append(network)
    within = [n for n in peer.known_networks if isinstance(n, IPv4Network)]
    blocks = cover_blocks(answering, others, within)
    return (*((str(block), label(str(block), ""), False, False) for block in blocks), *ipv6)


def _select(
    path: str,
    facts: VpcFacts,
    selection: ec2.SubnetSelection,
    prop: str,
    findings: list[Finding],
    without_subnets_fix: str,
    consequence: str = "the routes would go in another VPC's route tables",
) -> list[SubnetFacts]:
    """Return the subnets a selection picks; an empty one is a problem, in our words.

    ``consequence``: what subnets of another VPC would do (a clause).
    """
    if not facts.subnets:
        findings.append(
            Finding(
                path,
                rule_ids.EMPTY_SUBNET_SELECTION,
                f"{prop} ({describe_selection(selection)}) selects subnets of {facts.path}, "
                f"which has {no_subnets_reason(facts)}.",
                without_subnets_fix,
            )
        )
        return []
    foreign = foreign_subnets(path, prop, facts, selection, consequence)
    if foreign:
        findings += foreign
        return []
    try:
        subnets = select_subnets(facts, selection)
    except RuntimeError:  # CDK refuses the selection: said in the library's words below
        subnets = []
    if not subnets:
        findings.append(empty_selection(path, prop, facts, selection))
    return subnets


def _without_subnets_fix(kind: str, side: str, facts: VpcFacts) -> str:
    """Say how to route a VPC without subnets (``side``: whose VPC it is), by construct."""
    give = (
        "define its subnets before the peering"
        if facts.built_in_app
        else "import the VPC with its subnets (Vpc.from_vpc_attributes("
        "isolated_subnet_ids=[...], isolated_subnet_route_table_ids=[...]))"
    )
    if kind == TOPOLOGY:
        return (
            "Give the topology default_routes=False and route each VPC's tables yourself "
            f"(through peering_connection_id(...)), or {give}."
        )
    if kind == VPC_PEERING_ACCEPTER:
        return f"Route its tables with add_route(...), or {give}."
    by_hand = (
        "give default_routes=False and route its tables with add_route(..., "
        f"side=PeeringSide.{side.upper()})"
    )
    if side == ACCEPTER:
        return (
            "If the VPC's owner routes its side (another app's or account's VPC), give "
            f"requester_only=True; to route it here, {by_hand}; or {give}."
        )
    return f"{by_hand[0].upper()}{by_hand[1:]}, or {give}."


def route_tables(
    path: str,
    side: str,
    owner: VpcFacts,
    selection: ec2.SubnetSelection | None,
    findings: list[Finding],
    kind: str = VPC_PEERING,
    prop: str | None = None,
) -> list[tuple[str, str]]:
    """Return (route table id, label) for each distinct route table of the selection.

    A VPC with no subnet, with no selection, gets no route: a warning (``kind``: the
    construct that plans, for its fix). ``prop``: the prop that gave the selection
    (default: ``<side>_subnets``).
    """
    fix = _without_subnets_fix(kind, side, owner) if not owner.subnets else ""
    if selection is None and not owner.subnets:
        whose = (
            "its side of the topology's peerings"
            if kind == TOPOLOGY
            else f"the {side.lower()}'s side of this peering"
        )
        findings.append(
            Finding(
                path,
                rule_ids.VPC_WITHOUT_SUBNETS,
                f"VPC {owner.path} has {no_subnets_reason(owner)}: {whose} gets no route, and "
                "the connection carries no traffic between the VPCs until it has some.",
                f"{fix} Acknowledge this warning when its routes are made elsewhere.",
                error=False,
            )
        )
        return []
    subnets = (
        list(owner.subnets)
        if selection is None
        else _select(path, owner, selection, prop or f"{side.lower()}_subnets", findings, fix)
    )
    tables: dict[str, str] = {}
    for subnet in subnets:
        if subnet.route_table_id is None:
            findings.append(
                Finding(
                    path,
                    rule_ids.UNKNOWN_ROUTE_TABLE,
                    f"Subnet {subnet.subnet_id} ({subnet.name}) of {owner.path} has no known "
                    "route table, so no route can be added to it.",
                    "Import the VPC with its route table ids (for example "
                    "Vpc.from_vpc_attributes(private_subnet_route_table_ids=[...])).",
                )
            )
        elif subnet.route_table_id not in tables:
            tables[subnet.route_table_id] = subnet.name
    return list(tables.items())


def label(cidr: str, fallback: str) -> str:
    """Return a route id's destination part: the CIDR with ``_`` for ``/``, or ``fallback``."""
    return fallback if is_token(cidr) else cidr.replace("/", "_")


def destinations_for(
    path: str,
    side: str,
    peer: VpcFacts,
    destinations: PeerDestinations | None,
    both_ipv6: bool,
    findings: list[Finding],
    instead: str | None = None,
) -> list[tuple[str, str, bool, bool]]:
    """Return (destination, label, is IPv6, given by the user) for one side's routes.

    ``instead``: how else to name destinations when the peer's blocks are unknown (by
    default, the destinations prop of a VpcPeering; empty for a topology, whose messages
    name a VPC by its path alone).
    """
    peer_side = ACCEPTER if side == REQUESTER else REQUESTER
    prop = f"{peer_side.lower()}_destinations"
    if destinations is not None and destinations.invalid:
        # What a PeerDestinations factory was refused, said with this construct's path.
        findings.extend(
            replace(problem, path=path, message=f"{prop}: {problem.path}: {problem.message}")
            for problem in destinations.invalid
        )
        return []
    if destinations is not None and destinations.subnets is not None and destinations.cidrs:
        findings.append(
            Finding(
                path,
                rule_ids.AMBIGUOUS_DESTINATIONS,
                f"{prop} names both subnets and CIDRs.",
                "Use PeerDestinations.subnet_cidrs(...) or PeerDestinations.cidr_blocks(...), "
                "not both.",
            )
        )
        return []
    if destinations is not None and destinations.cidrs is not None:
        if not destinations.cidrs:
            findings.append(
                Finding(
                    path,
                    rule_ids.NO_DESTINATIONS,
                    f"{prop} gives no CIDR.",
                    "Give at least one CIDR inside the peer, or leave the prop out.",
                )
            )
        return [
            (cidr, label(cidr, f"Cidr{i}"), not is_token(cidr) and is_ipv6(cidr), True)
            for i, cidr in enumerate(destinations.cidrs)
        ]
    if destinations is not None and destinations.subnets is not None:
        result: list[tuple[str, str, bool, bool]] = []
        cidrs_instead = (
            f"Give {prop}=PeerDestinations.cidr_blocks([...]) with CIDRs inside {peer.path}, "
            f"or leave {prop} out to route to every block of it."
        )
        outside = "the routes would point at another VPC's subnets, outside the peer"
        selected = _select(path, peer, destinations.subnets, prop, findings, cidrs_instead, outside)
        for subnet in selected:
            if subnet.ipv4_cidr is None:
                findings.append(
                    Finding(
                        path,
                        rule_ids.UNKNOWN_SUBNET_CIDR,
                        f"Subnet {subnet.subnet_id} of {peer.path} has no known CIDR.",
                        "Import the VPC with its subnet CIDRs (for example "
                        "Vpc.from_vpc_attributes(private_subnet_ipv4_cidr_blocks=[...])).",
                    )
                )
                continue
            result.append((subnet.ipv4_cidr, label(subnet.ipv4_cidr, subnet.name), False, False))
            if both_ipv6:
                result.extend(
                    (cidr, f"{subnet.name}Ipv6", True, False) for cidr in subnet.ipv6_cidrs
                )
        return result
    if peer.cidr_unknown:
        findings += unknown_cidr(
            path,
            peer,
            f"the {side.lower()}'s routes to it need",
            f", or give {prop}=PeerDestinations.cidr_blocks([...]) with CIDRs inside it"
            if instead is None
            else instead,
            param="VPC" if instead == "" else f"{peer_side.lower()}_vpc",
        )
        return []
    if peer.unresolved_ipv4_blocks:
        findings.append(
            Finding(
                path,
                rule_ids.UNROUTABLE_BLOCK,
                (
                    f"1 secondary IPv4 block of {peer.path} comes from IPAM, and "
                    "CloudFormation cannot tell its CIDR: no route points at it."
                    if peer.unresolved_ipv4_blocks == 1
                    else f"{peer.unresolved_ipv4_blocks} secondary IPv4 blocks of {peer.path} "
                    "come from IPAM, and CloudFormation cannot tell their CIDRs: no route "
                    "points at them."
                ),
                f"Give {prop}=PeerDestinations.cidr_blocks([...]) with the allocated CIDRs, or "
                "acknowledge this warning.",
                error=False,
            )
        )
    result = [
        (cidr, label(cidr, f"Ipv4Block{i}"), False, False) for i, cidr in enumerate(peer.ipv4_cidrs)
    ]
    if both_ipv6:
        result.extend(
            (cidr, label(cidr, f"Ipv6Block{i}"), True, False)
            for i, cidr in enumerate(peer.ipv6_cidrs)
        )
    return result
