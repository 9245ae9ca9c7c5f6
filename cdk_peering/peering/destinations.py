"""PeerDestinations: where the routes toward a peer VPC point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2

from ..cdk import params


@dataclass(frozen=True)
class PeerDestinations:
    """Where the routes toward a peer VPC point.

    The peering guide's "specific routes" configurations: route to every CIDR block of the
    peer (the default), to only some of its subnets, or to given CIDRs inside it.
    """

    subnets: ec2.SubnetSelection | None = None
    cidrs: tuple[str, ...] | None = None

    @staticmethod
    def vpc_cidrs() -> PeerDestinations:
        """Route to every CIDR block of the peer VPC.

        Every IPv4 block (primary and secondary) and, when both VPCs have IPv6, every
        IPv6 block.
        """
        return PeerDestinations()

    @staticmethod
    def subnet_cidrs(selection: ec2.SubnetSelection) -> PeerDestinations:
        """Route only to the CIDRs of the peer subnets that ``selection`` picks.

        :raises ValidationError: when ``selection`` is not an ``ec2.SubnetSelection``.
        """
        params.require_for(
            "PeerDestinations.subnet_cidrs",
            [("selection", selection, params.SUBNET_SELECTION, True)],
        )
        return PeerDestinations(subnets=selection)

    @staticmethod
    def cidr_blocks(cidrs: Sequence[str]) -> PeerDestinations:
        """Route to the given CIDRs, each of which must lie inside the peer VPC.

        IPv6 CIDRs (with a colon) become DestinationIpv6CidrBlock routes.

        :param cidrs: a list of CIDRs (a single CIDR too goes in a list:
            ``["10.1.4.0/24"]``).
        :raises ValidationError: when ``cidrs`` is not a list of strings (a bare string
            is refused: it would be read character by character).
        """
        params.require_for("PeerDestinations.cidr_blocks", [("cidrs", cidrs, params.STRINGS, True)])
        return PeerDestinations(cidrs=tuple(cidrs))


PEER_DESTINATIONS = params.instance(
    PeerDestinations,
    name="a PeerDestinations",
    example="PeerDestinations.subnet_cidrs(...) or PeerDestinations.cidr_blocks([...])",
)


def _is_accepter_role(value: object) -> bool:
    """Tell whether ``value`` is a PeeringAccepterRole (its module loads only to tell)."""
    from .accepter_role import PeeringAccepterRole

    return isinstance(value, PeeringAccepterRole)


ACCEPTER_ROLE = params.one_of(
    params.Expect("a PeeringAccepterRole", _is_accepter_role), params.ROLE
)
"""What ``accepter_role`` and a topology's ``accepter_roles`` take.

Here, not in the accepter role's module, because VpcPeering and the topologies load this
module anyway: the accepter role's module loads only when a role is given.
"""
