"""The late CIDR block check: a block added to a VPC after its peering must not overlap.

A peering checks the two VPCs' CIDR blocks when it is defined. An ``ec2.CfnVPCCidrBlock``
declared later (beside the VPC or in it) is not seen then; if it overlaps a block of the
peer, AWS fails the peering (or refuses the block) at deploy time. At synth, once every
block of the app exists, each peered VPC of the app is read again and any new block that
overlaps the peer's is an error (see :mod:`cdk_peering.cdk.late_checks`).
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
from ..model.plan import PeeringPlan


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
            for side, peer in ((plan.requester, plan.accepter), (plan.accepter, plan.requester)):
                for network in new_blocks(side):
                    peer_blocks = (*peer.known_networks, *new_blocks(peer))
                    clash = _overlap(network, peer_blocks)
                    if clash is not None:
                        yield construct, _finding(plan.path, side, peer, network, clash)


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


def watch_blocks(context: AppContext, construct: IConstruct, plan: PeeringPlan[VpcFacts]) -> None:
    """Check at synth that no block added later to a VPC of ``plan`` overlaps the peer's."""
    if not (plan.requester.built_in_app or plan.accepter.built_in_app):
        return
    watched = context.singleton(_WatchedPeerings, _WatchedPeerings)
    watched.peerings.append((construct, plan))
    LateChecks.of(context).add(rule_ids.CIDR_BLOCK_AFTER_PEERING, watched.check)
