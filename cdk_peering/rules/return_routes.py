"""The return route rule: every route into a peer should have a way back.

A route in table T of VPC A toward a block of peer B carries packets to each subnet of B
in that block; a reply leaves from that subnet through its own route table, which needs
routes back to every address of T's subnets through the same peering. Without them, the
packet arrives and the reply is dropped (or leaves another way): a one-way route. The
library's defaults never write one (routes point at the peer's selected subnets); an
explicit choice that does gets a warning, ``cdk_peering:oneWayRoute``.

Address by address, as the connectivity model decides (``cdk_peering.model.addresses``):
several routes that together cover a subnet (four /24 routes for a /22) answer it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .. import rule_ids
from ..findings import Finding
from ..model.addresses import AddressSet, cidr_set
from ..model.cidr import parse_network
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan
from ..model.vpc import VpcModel


@dataclass(frozen=True)
class SubnetRoute:
    """A subnet as this rule needs it: its path, its IPv4 block, its route table."""

    path: str
    cidr: str | None
    table_id: str | None


def one_way_routes(
    plan: PeeringPlan[VpcModel],
    requester_subnets: Sequence[SubnetRoute],
    accepter_subnets: Sequence[SubnetRoute],
) -> list[Finding]:
    """Return a warning per side whose IPv4 routes reach subnets that cannot answer."""
    subnets = {REQUESTER: requester_subnets, ACCEPTER: accepter_subnets}
    routed: dict[str, dict[str, list[AddressSet]]] = {REQUESTER: {}, ACCEPTER: {}}
    for route in plan.routes:
        addresses = _addresses(route.destination)
        if addresses is not None:
            routed[route.side].setdefault(route.table_id, []).append(addresses)
    back = {
        side: {table: AddressSet.union(blocks) for table, blocks in tables.items()}
        for side, tables in routed.items()
    }
    findings: list[Finding] = []
    for side, peer_side in ((REQUESTER, ACCEPTER), (ACCEPTER, REQUESTER)):
        unanswered: dict[str, None] = {}
        for table_id, served in back[side].items():
            sources = AddressSet.union(_blocks(s for s in subnets[side] if s.table_id == table_id))
            for target in subnets[peer_side]:
                block = _addresses(target.cidr or "")
                if block is None or not block.overlaps(served):
                    continue
                returns = back[peer_side].get(target.table_id or "", AddressSet())
                if not returns.covers(sources):
                    unanswered[target.path] = None
        if unanswered:
            owner, peer = (
                (plan.requester, plan.accepter)
                if side == REQUESTER
                else (plan.accepter, plan.requester)
            )
            names = ", ".join(unanswered)
            prop = "accepter" if side == REQUESTER else "requester"
            findings.append(
                Finding(
                    plan.path,
                    rule_ids.ONE_WAY_ROUTE,
                    f"Routes in route tables of {owner.path} reach subnets of {peer.path} "
                    f"({names}) whose route tables have no route through this peering back to "
                    f"every subnet of {owner.path} using those tables: replies from there "
                    "cannot return.",
                    f"Route only to subnets that route back (leave {prop}_destinations out: "
                    f"by default routes point at the {prop}'s selected subnets), or select "
                    f"those subnets' route tables too ({prop}_subnets), or acknowledge this "
                    "warning if the one-way traffic is intended.",
                    error=False,
                )
            )
    return findings


def _addresses(cidr: str) -> AddressSet | None:
    """Return the IPv4 addresses of a literal block; None for a token or an IPv6 block."""
    network = parse_network(cidr)
    if not isinstance(network, ipaddress.IPv4Network):
        return None
    return cidr_set(str(network))[1]


def _blocks(subnets: Iterable[SubnetRoute]) -> list[AddressSet]:
    return [found for s in subnets if (found := _addresses(s.cidr or "")) is not None]
