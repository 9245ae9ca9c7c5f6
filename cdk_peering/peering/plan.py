"""Planning a peering: which route tables get which destinations, before anything is built.

A plan (:class:`~cdk_peering.model.plan.PeeringPlan`) holds both VPCs and every route
the peering would add; the rules check it, then the constructs build it.
"""

from __future__ import annotations

from ipaddress import IPv4Network

from aws_cdk import aws_ec2 as ec2

from .. import rule_ids
from ..cdk.vpcs import SubnetFacts, VpcFacts, select_subnets
from ..findings import Finding
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
) -> PeeringPlan[VpcFacts]:
    """Plan one peering's routes on the given ``sides``; planning problems go in the plan.

    ``peerings_quota`` and ``routes_quota``: (the prop, the context value).
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
    sides_in_order = (
        (REQUESTER, requester, requester_subnets, accepter, accepter_destinations),
        (ACCEPTER, accepter, accepter_subnets, requester, requester_destinations),
    )
    for (side, owner, selection, peer, destinations), peer_selection in zip(
        sides_in_order, (accepter_subnets, requester_subnets), strict=True
    ):
        if side not in sides:
            continue
        tables = route_tables(path, side, owner, selection, findings)
        targets = destinations_for(path, side, peer, destinations, both_ipv6, findings)
        if destinations is None and peer_selection is not None:
            # The peer routes back from the tables of its selected subnets only: route to
            # those subnets (merged), so every route has a way back.
            answered = return_destinations(peer, peer_selection, both_ipv6)
            if answered is not None:
                narrowing[side] = max(0, _ipv4_count(answered) - _ipv4_count(targets))
                targets = answered
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
    )


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
    selection: ec2.SubnetSelection | None,
    prop: str,
    findings: list[Finding],
) -> list[SubnetFacts]:
    try:
        subnets = select_subnets(facts, selection)
    except RuntimeError as error:
        reason = str(error).splitlines()[0]
        subnets = []
    else:
        reason = "the selection is empty"
    if not subnets:
        findings.append(
            Finding(
                path,
                rule_ids.EMPTY_SUBNET_SELECTION,
                f"{prop} matches no subnet of {facts.path}: {reason}.",
                f"Select subnets that exist in {facts.path} (by subnet_type, "
                "subnet_group_name or subnets), or leave it out to use every subnet.",
            )
        )
    return subnets


def route_tables(
    path: str,
    side: str,
    owner: VpcFacts,
    selection: ec2.SubnetSelection | None,
    findings: list[Finding],
) -> list[tuple[str, str]]:
    """Return (route table id, label) for each distinct route table of the selection."""
    tables: dict[str, str] = {}
    for subnet in _select(path, owner, selection, f"{side.lower()}_subnets", findings):
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
) -> list[tuple[str, str, bool, bool]]:
    """Return (destination, label, is IPv6, given by the user) for one side's routes."""
    prop = "accepter_destinations" if side == REQUESTER else "requester_destinations"
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
        for subnet in _select(path, peer, destinations.subnets, prop, findings):
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
