"""PeerDestinations: where the routes toward a peer VPC point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2


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
        """Route only to the CIDRs of the peer subnets that ``selection`` picks."""
        return PeerDestinations(subnets=selection)

    @staticmethod
    def cidr_blocks(cidrs: Sequence[str]) -> PeerDestinations:
        """Route to the given CIDRs, each of which must lie inside the peer VPC.

        IPv6 CIDRs (with a colon) become DestinationIpv6CidrBlock routes.
        """
        return PeerDestinations(cidrs=tuple(cidrs))
