"""The late CIDR block check: a block added to a VPC after its peering.

A peering checks the two VPCs' CIDR blocks, and plans its routes to them, when it is
defined. An ``ec2.CfnVPCCidrBlock`` declared later (beside the VPC or in it) is not seen
then: if it overlaps a block of the peer, AWS fails the peering (or refuses the block) at
deploy time; if not, the peer's default routes (to every block of the VPC) miss it. At
synth, once every block of the app exists, each peered VPC of the app is read again: a
new block that overlaps the peer's is an error, one that the peer's default routes miss a
warning (see :mod:`cdk_peering.cdk.late_checks`).
"""

from __future__ import annotations

from collections.abc import Iterable

from constructs import IConstruct

from .. import rule_ids
from ..cdk.app_context import AppContext
from ..cdk.late_checks import LateChecks
from ..cdk.vpcs import SiblingCache, VpcFacts
from ..findings import Finding
from ..model.cidr import IpNetwork
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan


class _WatchedPeerings:
    """The app's peerings between VPCs it defines, with what each saw when it was made."""

    def __init__(self) -> None:
        self.peerings: list[tuple[IConstruct, PeeringPlan[VpcFacts]]] = []

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Read each peered VPC's blocks again; report new ones that overlap the peer's."""
        siblings = SiblingCache()
        added: dict[int, list[IpNetwork]] = {}

        def new_blocks(facts: VpcFacts) -> list[IpNetwork]:
            known = added.get(id(facts))
            if known is None:
                known = added[id(facts)] = facts.blocks_added_since(siblings)
            return known

        for construct, plan in self.peerings:
            for side, peer, routed_by in (
                (plan.requester, plan.accepter, ACCEPTER),
                (plan.accepter, plan.requester, REQUESTER),
            ):
                for network in new_blocks(side):
                    peer_blocks = (*peer.known_networks, *new_blocks(peer))
                    clash = _overlap(network, peer_blocks)
                    if clash is not None:
                        yield construct, _finding(plan.path, side, peer, network, clash)
                    elif routed_by in plan.whole_peer and (network.version == 4 or peer.has_ipv6):
                        yield construct, _missed(plan.path, side, peer, network)


def _overlap(network: IpNetwork, others: tuple[IpNetwork, ...]) -> IpNetwork | None:
    return next(
        (o for o in others if o.version == network.version and o.overlaps(network)),
        None,
    )


def _finding(
    path: str, side: VpcFacts, peer: VpcFacts, network: IpNetwork, clash: IpNetwork
) -> Finding:
    return Finding(
        path,
        rule_ids.CIDR_BLOCK_AFTER_PEERING,
        f"CIDR block {network} was added to {side.path} after this peering was defined, and "
        f"it overlaps {clash} of {peer.path}; AWS fails a peering between VPCs with any "
        "overlapping CIDR blocks, even unused ones.",
        f"Give {side.path} a block that overlaps none of {peer.path}'s, or declare the "
        "block before the peering (its own check then runs) and re-address.",
    )


def _missed(path: str, side: VpcFacts, peer: VpcFacts, network: IpNetwork) -> Finding:
    return Finding(
        path,
        rule_ids.CIDR_BLOCK_NOT_ROUTED,
        f"CIDR block {network} was added to {side.path} after this peering was defined: the "
        f"routes of {peer.path} through it point at the blocks {side.path} had then, so "
        f"nothing routes to {network} through the peering.",
        f"Declare the block before the peering (its routes then include it), or add routes "
        f"to {network} in {peer.path}'s route tables (a VpcPeering's add_route(..., "
        f"destination='{network}'), else a CfnRoute); acknowledge this warning if "
        f"{network} should not be reached from {peer.path}.",
        error=False,
    )


def watch_blocks(context: AppContext, construct: IConstruct, plan: PeeringPlan[VpcFacts]) -> None:
    """Check at synth that no block added later to a VPC of ``plan`` overlaps the peer's."""
    if not (plan.requester.built_in_app or plan.accepter.built_in_app):
        return
    watched = context.singleton(_WatchedPeerings, _WatchedPeerings)
    watched.peerings.append((construct, plan))
    LateChecks.of(context).add(rule_ids.CIDR_BLOCK_AFTER_PEERING, watched.check)
