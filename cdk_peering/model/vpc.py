"""A VPC as the rules see it: its id, path and CIDR blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .cidr import LOOKUP_PLACEHOLDER_CIDR, IpNetwork, parse_network
from .tokens import is_token


class VpcModel(Protocol):
    """What the rules read of a VPC.

    ``cdk_peering.cdk.vpcs.VpcFacts`` reads it from a CDK VPC (lazily: ``path`` costs a
    round trip to Node.js, so rules read it only to word a finding); :class:`VpcData`
    holds it as plain values, for tests and for models read from templates.
    """

    @property
    def vpc_id(self) -> str:
        """The VPC id: a literal or a token."""
        ...

    @property
    def path(self) -> str:
        """The VPC's construct path, for messages."""
        ...

    @property
    def ipv4_cidrs(self) -> tuple[str, ...]:
        """Every IPv4 block, primary first: literals where known, else tokens."""
        ...

    @property
    def ipv6_cidrs(self) -> tuple[str, ...]:
        """Every IPv6 block: literals where known, else tokens."""
        ...

    @property
    def ipv6_amazon_provided(self) -> tuple[str, ...]:
        """The IPv6 blocks (tokens) Amazon allocates: unique, so they cannot overlap."""
        ...

    @property
    def unresolved_ipv4_blocks(self) -> int:
        """Secondary IPv4 blocks whose CIDR CloudFormation cannot tell (from IPAM)."""
        ...

    @property
    def built_in_app(self) -> bool:
        """True when the VPC is defined in the app, so its CIDR list is complete."""
        ...

    @property
    def known_networks(self) -> tuple[IpNetwork, ...]:
        """Every literal address range known to belong to the VPC."""
        ...

    @property
    def has_ipv6(self) -> bool:
        """Tell whether the VPC has at least one IPv6 block."""
        ...

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether this is ``Vpc.from_lookup``'s stand-in before its context is known."""
        ...


def literal_networks(cidrs: tuple[str, ...]) -> tuple[IpNetwork, ...]:
    """Return the blocks of ``cidrs`` that are literal CIDRs, parsed."""
    return tuple(network for network in map(parse_network, cidrs) if network is not None)


def unresolved_cidrs(vpc: VpcModel) -> tuple[str, ...]:
    """Return the VPC's blocks that are unresolved tokens, other than Amazon's IPv6 blocks.

    An Amazon-provided IPv6 block is a token too, but unique: nothing can overlap it.
    """
    return tuple(
        cidr
        for cidr in vpc.ipv4_cidrs + vpc.ipv6_cidrs
        if is_token(cidr) and cidr not in vpc.ipv6_amazon_provided
    )


@dataclass(frozen=True)
class VpcData:
    """A :class:`VpcModel` as plain values."""

    vpc_id: str
    path: str
    ipv4_cidrs: tuple[str, ...]
    ipv6_cidrs: tuple[str, ...] = ()
    ipv6_amazon_provided: tuple[str, ...] = ()
    unresolved_ipv4_blocks: int = 0
    built_in_app: bool = True

    @property
    def known_networks(self) -> tuple[IpNetwork, ...]:
        """Every literal block of the VPC."""
        return literal_networks(self.ipv4_cidrs + self.ipv6_cidrs)

    @property
    def has_ipv6(self) -> bool:
        """Tell whether the VPC has at least one IPv6 block."""
        return bool(self.ipv6_cidrs)

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether this is ``Vpc.from_lookup``'s stand-in."""
        return LOOKUP_PLACEHOLDER_CIDR in self.ipv4_cidrs
