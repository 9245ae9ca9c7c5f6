"""Address blocks as the model compares them.

IPv4/IPv6 CIDRs as integers, and IPv6 blocks that AWS assigns at deploy time as symbols.

Standard library only. A ``Cidr`` is a known block; an ``Ipv6Symbol`` names a block by
where it comes from (``Fn::Select [n, Fn::GetAtt [Vpc, Ipv6CidrBlocks]]``, then
``Fn::Cidr`` pieces of it), so that two routes to "the IPv6 block of VPC B" compare equal
without knowing the block.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass

_DOTTED = re.compile(r"^[0-9.]+(/[0-9]*)?$")


@dataclass(frozen=True, slots=True)
class Cidr:
    """A literal IPv4 or IPv6 block: ``first`` address as an integer and a prefix length."""

    version: int
    first: int
    prefix: int

    @property
    def bits(self) -> int:
        """Return the address width: 32 or 128."""
        return 32 if self.version == 4 else 128

    @property
    def last(self) -> int:
        """Return the block's last address as an integer."""
        return self.first | ((1 << (self.bits - self.prefix)) - 1)

    def contains(self, other: Cidr) -> bool:
        """Tell whether ``other`` lies wholly inside this block (same family)."""
        return (
            other.version == self.version
            and other.prefix >= self.prefix
            and other.first >> (self.bits - self.prefix) == self.first >> (self.bits - self.prefix)
        )

    def overlaps(self, other: Cidr) -> bool:
        """Tell whether the two blocks share an address (same family)."""
        return (
            other.version == self.version and self.first <= other.last and other.first <= self.last
        )

    def __str__(self) -> str:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = (
            ipaddress.IPv4Address(self.first)
            if self.version == 4
            else ipaddress.IPv6Address(self.first)
        )
        if self.prefix == self.bits:
            return str(address)
        return f"{address}/{self.prefix}"


def parse_cidr(text: str, *, strict: bool = True) -> Cidr:
    """Parse ``10.0.0.0/16``, ``10.0.0.5`` (a /32) or an IPv6 block.

    :param text: the block or address.
    :param strict: reject host bits set (``10.0.0.5/16``). Default: True.
    :raises ValueError: when ``text`` is no address or block.
    """
    network = ipaddress.ip_network(text.strip(), strict=strict)
    return Cidr(network.version, int(network.network_address), network.prefixlen)


@functools.lru_cache(maxsize=65536)
def _lenient(text: str) -> Cidr | None:
    address, _, length = text.partition("/")
    octets = address.split(".")
    if len(octets) == 4 and all(o.isdigit() and len(o) <= 3 for o in octets) and length.isdigit():
        value = (
            (int(octets[0]) << 24) | (int(octets[1]) << 16) | (int(octets[2]) << 8) | int(octets[3])
        )
        prefix = int(length)
        if all(int(o) <= 255 for o in octets) and prefix <= 32:
            return Cidr(4, value >> (32 - prefix) << (32 - prefix), prefix)
    try:
        return parse_cidr(text, strict=False)
    except ValueError:
        return None


def try_cidr(value: object) -> Cidr | None:
    """Parse a template value as a block leniently (host bits cleared); None if it is none."""
    return _lenient(value) if isinstance(value, str) else None


def looks_like_ipv4(text: str) -> bool:
    """Tell whether ``text`` is meant as an IPv4 address or block (digits, dots, a slash)."""
    return bool(_DOTTED.match(text.strip())) and text.count(".") >= 1


@dataclass(frozen=True, slots=True)
class Ipv6Symbol:
    """An IPv6 block known only at deploy time, named by its origin.

    ``owner`` is the display path of the VPC whose block it is, ``index`` the position in
    the VPC's ``Ipv6CidrBlocks``, and ``pieces`` the ``Fn::Cidr`` steps taken from it:
    ``((64, 2),)`` is the third /64 of the block.
    """

    owner: str
    index: int
    pieces: tuple[tuple[int, int], ...] = ()

    def contains(self, other: Ipv6Symbol) -> bool:
        """Tell whether ``other`` is this block or a piece of it."""
        return (
            other.owner == self.owner
            and other.index == self.index
            and other.pieces[: len(self.pieces)] == self.pieces
        )

    def overlaps(self, other: Ipv6Symbol) -> bool:
        """Tell whether one block is a piece of the other."""
        return self.contains(other) or other.contains(self)

    def __str__(self) -> str:
        text = f"IPv6 block {self.index} of {self.owner}"
        for host_bits, position in self.pieces:
            text = f"/{128 - host_bits} number {position} of the {text}"
        return text


Block = Cidr | Ipv6Symbol
"""A literal block or a symbolic IPv6 one."""


def block_contains(outer: Block, inner: Block) -> bool | None:
    """Tell whether ``inner`` lies inside ``outer``; None when a symbol meets a literal."""
    if isinstance(outer, Cidr) and isinstance(inner, Cidr):
        return outer.contains(inner)
    if isinstance(outer, Ipv6Symbol) and isinstance(inner, Ipv6Symbol):
        return outer.contains(inner)
    if isinstance(outer, Cidr) and outer.version == 6 and outer.prefix == 0:
        return True  # ::/0 holds every IPv6 block, known or not
    return None


def block_overlaps(one: Block, other: Block) -> bool | None:
    """Tell whether two blocks share an address; None when a symbol meets a literal."""
    if isinstance(one, Cidr) and isinstance(other, Cidr):
        return one.overlaps(other)
    if isinstance(one, Ipv6Symbol) and isinstance(other, Ipv6Symbol):
        return one.overlaps(other)
    if block_contains(one, other) or block_contains(other, one):
        return True
    return None


def block_prefix(block: Block) -> int:
    """Return a block's specificity for longest-prefix match (symbols rank above ::/0)."""
    if isinstance(block, Cidr):
        return block.prefix
    return 1 + len(block.pieces)
