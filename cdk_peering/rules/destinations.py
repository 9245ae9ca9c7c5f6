"""The destination rules: a route through a peering stays inside the peer VPC.

AWS peering is not transitive and allows no edge-to-edge routing: a route destination
outside the peer's CIDR blocks (or a default route) carries nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import rule_ids
from ..findings import Finding
from ..model.cidr import cidr_problem, parse_network
from ..model.plan import PeeringPlan, PlannedRoute
from ..model.tokens import is_token
from ..model.vpc import VpcModel, unresolved_cidrs
from .registry import Registry


def destinations(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Check every destination the user named, once per side."""
    checked: set[tuple[str, str]] = set()
    for route in plan.routes:
        if not route.given or (route.side, route.destination) in checked:
            continue
        checked.add((route.side, route.destination))
        yield from check_destination(plan, route)


def complete_blocks(peer: VpcModel) -> bool:
    """Tell whether every CIDR block of a VPC is known as a literal (or Amazon's IPv6)."""
    return peer.built_in_app and not peer.unresolved_ipv4_blocks and not unresolved_cidrs(peer)


def check_destination(plan: PeeringPlan[VpcModel], route: PlannedRoute) -> Iterator[Finding]:
    """Check that one destination is a CIDR block inside the peer VPC."""
    peer = plan.peer_of(route)
    destination = route.destination
    if is_token(destination):
        yield Finding(
            plan.path,
            rule_ids.DESTINATION_NOT_CHECKED,
            f"Skipped checking that route destination {destination} lies inside "
            f"{peer.path}: it is an unresolved token.",
            "Give a literal CIDR, or acknowledge this warning.",
            error=False,
        )
        return
    network = parse_network(destination)
    problem = cidr_problem(destination, network)
    if problem is not None:
        yield Finding(
            plan.path,
            rule_ids.INVALID_DESTINATION,
            f"Route destination {destination!r} is not a CIDR block{problem}",
            "Give a CIDR such as '10.1.0.0/24' or '2600:1f18::/64'"
            + ("." if network is None else f"; here {str(network)!r}, or the block it is in."),
        )
        return
    assert network is not None
    if network.prefixlen == 0:
        yield Finding(
            plan.path,
            rule_ids.EDGE_TO_EDGE_ROUTE,
            f"Route destination {destination} through the peering with {peer.path} "
            "is a default route: AWS does not route traffic through a peer VPC's internet "
            "gateway, NAT, VPN, Direct Connect or gateway endpoint (edge-to-edge routing).",
            f"Route only to CIDRs inside {peer.path}; reach other networks through "
            "this VPC's own gateways or a transit gateway.",
        )
        return
    if any(
        network.version == known.version and network.subnet_of(known)  # type: ignore[arg-type]
        for known in peer.known_networks
    ):
        return
    if complete_blocks(peer) and not (network.version == 6 and peer.ipv6_amazon_provided):
        yield Finding(
            plan.path,
            rule_ids.TRANSITIVE_ROUTE,
            f"Route destination {destination} is not inside {peer.path} "
            f"(its CIDRs: {', '.join(str(n) for n in peer.known_networks)}); AWS peering "
            "is not transitive, so traffic to it through this peering is dropped.",
            f"Route only to CIDRs inside {peer.path}; peer directly with the VPC "
            "that owns the destination.",
        )
    else:
        yield Finding(
            plan.path,
            rule_ids.DESTINATION_NOT_CHECKED,
            f"Could not confirm that route destination {destination} lies inside "
            f"{peer.path}: CDK does not know all of that VPC's CIDR blocks.",
            "Make sure the destination lies inside the peer VPC, then acknowledge this warning.",
            error=False,
        )
