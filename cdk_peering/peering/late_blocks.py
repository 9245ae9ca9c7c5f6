"""The late CIDR block check: a block added to a VPC after its peering.

A peering checks the two VPCs' CIDR blocks, and plans its routes to them, when it is
defined, from the ``ec2.CfnVPCCidrBlock``s beside the VPC or in it. One declared later, or
away from the VPC (in another stack, ``vpc_id=vpc.vpc_id``), is not seen then: if it
overlaps a block of the peer, AWS fails the peering (or refuses the block) at deploy time;
if not, the peer's default routes (to every block of the VPC) miss it. At synth, once
every block of the app exists, the app's blocks are found by their ``vpc_id`` wherever
they are, and each peered VPC's unseen ones judged: one that overlaps the peer's is an
error, one that the peer's default routes miss a warning (see
:mod:`cdk_peering.cdk.late_checks`).
"""

from __future__ import annotations

from collections.abc import Iterable

from constructs import IConstruct

from .. import rule_ids
from ..cdk.app_context import AppContext
from ..cdk.late_checks import LateChecks
from ..cdk.vpcs import VpcFacts
from ..findings import Finding
from ..model.cidr import IpNetwork
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan


class _WatchedPeerings:
    """The app's peerings between VPCs it defines, with what each saw when it was made."""

    def __init__(self, checks: LateChecks) -> None:
        self.peerings: list[tuple[IConstruct, PeeringPlan[VpcFacts]]] = []
        self._checks = checks

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Read each peered VPC's blocks again; report new ones that overlap the peer's."""
        blocks = self._checks.cidr_blocks()
        added: dict[int, list[tuple[IpNetwork, str]]] = {}

        def new_blocks(facts: VpcFacts) -> list[tuple[IpNetwork, str]]:
            known = added.get(id(facts))
            if known is None:
                known = added[id(facts)] = facts.blocks_added_since(blocks)
            return known

        for construct, plan in self.peerings:
            for side, peer, routed_by in (
                (plan.requester, plan.accepter, ACCEPTER),
                (plan.accepter, plan.requester, REQUESTER),
            ):
                for network, block in new_blocks(side):
                    peer_blocks = (*peer.known_networks, *(n for n, _ in new_blocks(peer)))
                    clash = _overlap(network, peer_blocks)
                    if clash is not None:
                        yield construct, _finding(plan.path, side, peer, network, block, clash)
                    elif routed_by in plan.whole_peer and (network.version == 4 or peer.has_ipv6):
                        yield construct, _missed(plan.path, side, peer, network, block)


def _overlap(network: IpNetwork, others: tuple[IpNetwork, ...]) -> IpNetwork | None:
    return next(
        (o for o in others if o.version == network.version and o.overlaps(network)),
        None,
    )


def _unseen(side: VpcFacts, network: IpNetwork, block: str) -> str:
    """Say that a block of ``side`` was not seen when the peering was defined."""
    return (
        f"CIDR block {network} of {side.path} ({block}) was not seen when this peering was "
        "defined (declared after it, or where it does not look: not as a child or a sibling "
        "of the VPC, such as in another stack)"
    )


def _finding(
    path: str, side: VpcFacts, peer: VpcFacts, network: IpNetwork, block: str, clash: IpNetwork
) -> Finding:
    return Finding(
        path,
        rule_ids.CIDR_BLOCK_AFTER_PEERING,
        f"{_unseen(side, network, block)}, and it overlaps {clash} of {peer.path}; AWS fails "
        "a peering between VPCs with any overlapping CIDR blocks, even unused ones.",
        f"Give {side.path} a block that overlaps none of {peer.path}'s, or declare the "
        "block beside the VPC, before the peering (its own check then runs) and re-address.",
    )


def _missed(path: str, side: VpcFacts, peer: VpcFacts, network: IpNetwork, block: str) -> Finding:
    return Finding(
        path,
        rule_ids.CIDR_BLOCK_NOT_ROUTED,
        f"{_unseen(side, network, block)}: the routes of {peer.path} through it point at the "
        f"blocks the peering saw, so nothing routes to {network} through the peering.",
        f"Declare the block beside the VPC (a child or a sibling of it), before the peering "
        f"(its routes then include it), or add routes to {network} in {peer.path}'s route "
        f"tables (a VpcPeering's add_route(..., destination='{network}'), else a CfnRoute); "
        f"acknowledge this warning if {network} should not be reached from {peer.path}.",
        error=False,
    )


def watch_blocks(context: AppContext, construct: IConstruct, plan: PeeringPlan[VpcFacts]) -> None:
    """Check at synth that no block added later to a VPC of ``plan`` overlaps the peer's."""
    if not (plan.requester.built_in_app or plan.accepter.built_in_app):
        return
    checks = LateChecks.of(context)
    watched = context.singleton(_WatchedPeerings, lambda: _WatchedPeerings(checks))
    watched.peerings.append((construct, plan))
    checks.add(rule_ids.CIDR_BLOCK_AFTER_PEERING, watched.check)
