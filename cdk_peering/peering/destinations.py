"""PeerDestinations: where the routes toward a peer VPC point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aws_cdk import aws_ec2 as ec2

from ..cdk import params
from ..findings import Finding


@dataclass(frozen=True)
class PeerDestinations:
    """Where the routes toward a peer VPC point.

    The peering guide's "specific routes" configurations: route to every CIDR block of the
    peer (the default), to only some of its subnets, or to given CIDRs inside it.
    """

    subnets: ec2.SubnetSelection | None = None
    cidrs: tuple[str, ...] | None = None
    invalid: tuple[Finding, ...] = field(default=(), compare=False, repr=False)
    """The problems of what a factory was given (a bare string where a list goes): the
    construct it is given to reports them, with its path."""

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

        A ``selection`` that is no ``ec2.SubnetSelection`` is reported by the construct it
        is given to (with its path), as an error.
        """
        invalid = params.check_parameters(
            "PeerDestinations.subnet_cidrs",
            [("selection", selection, params.SUBNET_SELECTION, True)],
        )
        if invalid:
            return PeerDestinations(cidrs=(), invalid=tuple(invalid))
        return PeerDestinations(subnets=selection)

    @staticmethod
    def cidr_blocks(cidrs: Sequence[str]) -> PeerDestinations:
        """Route to the given CIDRs, each of which must lie inside the peer VPC.

        IPv6 CIDRs (with a colon) become DestinationIpv6CidrBlock routes.

        :param cidrs: a list of CIDRs (a single CIDR too goes in a list:
            ``["10.1.4.0/24"]``). Anything else (a bare string, which would be read
            character by character) is reported by the construct it is given to (with its
            path), as an error.
        """
        invalid = params.check_parameters(
            "PeerDestinations.cidr_blocks", [("cidrs", cidrs, params.STRINGS, True)]
        )
        if invalid:
            return PeerDestinations(cidrs=(), invalid=tuple(invalid))
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
