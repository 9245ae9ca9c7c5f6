"""The address spaces the model reasons in: every block as a set of integers.

IPv4 blocks are sets of 32-bit addresses. IPv6 blocks live in a 129-bit space: literal
blocks (BYOIP, ``::/0``, a question's address) in its lower half, as themselves; blocks AWS
assigns at deploy time (``Ipv6Symbol``) in its upper half, each VPC block in a /56-sized
slot of its own, and their ``Fn::Cidr`` pieces inside it. So two routes to "the IPv6 block
of VPC B" hold the same addresses, two VPCs' AWS-assigned blocks never overlap (AWS assigns
distinct blocks), and ``::/0`` holds both halves. Whether a literal block other than
``::/0`` overlaps an AWS-assigned one the assembly cannot tell: ``crosses`` says when that
question arises.
"""

from __future__ import annotations

from ..model.addresses import AddressSet, cidr_texts
from ._cidr import Block, Cidr, Ipv6Symbol

V4, V6 = 4, 6
SYMBOLIC = 1 << 128
"""Where AWS-assigned IPv6 blocks start in the IPv6 space."""
_SLOT_BITS = 72
"""The size of an AWS-assigned VPC block: a /56."""
EVERYTHING = {V4: AddressSet.span(0, (1 << 32) - 1), V6: AddressSet.span(0, (1 << 129) - 1)}
LITERAL_V6 = AddressSet.span(0, SYMBOLIC - 1)
SYMBOLIC_V6 = AddressSet.span(SYMBOLIC, (1 << 129) - 1)


def version(block: Block) -> int:
    """Return a block's family: 4 or 6."""
    return block.version if isinstance(block, Cidr) else V6


class Space:
    """Turn the model's blocks into address sets and back into text."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str, int], int] = {}
        self._symbols: list[tuple[int, int, Ipv6Symbol]] = []
        self._cache: dict[Block, AddressSet | None] = {}
        self._texts: dict[tuple[AddressSet, int], list[str]] = {}

    def of(self, block: Block) -> AddressSet | None:
        """Return the addresses of ``block`` (None for a malformed symbolic piece)."""
        found = self._cache.get(block, self)
        if found is self:
            found = self._cache[block] = self._of(block)
        return found  # type: ignore[return-value]

    def _of(self, block: Block) -> AddressSet | None:
        if isinstance(block, Cidr):
            if block.version == V6 and block.prefix == 0:
                return EVERYTHING[V6]  # ::/0 holds AWS-assigned blocks too
            return AddressSet.span(block.first, block.last)
        slot = self._slots.setdefault((block.owner, block.index), len(self._slots))
        first, bits = SYMBOLIC + (slot << _SLOT_BITS), _SLOT_BITS
        for host_bits, position in block.pieces:
            if host_bits > bits or position >= 1 << (bits - host_bits):
                return None
            first, bits = first + (position << host_bits), host_bits
        last = first + (1 << bits) - 1
        self._symbols.append((first, last, block))
        return AddressSet.span(first, last)

    def texts(self, addresses: AddressSet, family: int) -> list[str]:
        """Return ``addresses`` as CIDR strings (AWS-assigned blocks by their origin)."""
        key = (addresses, family)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = self._render(addresses, family)
        return list(found)

    def _render(self, addresses: AddressSet, family: int) -> list[str]:
        if family == V4:
            return cidr_texts(addresses, V4)
        texts = cidr_texts(addresses & LITERAL_V6, V6)
        for first, prefix in (addresses & SYMBOLIC_V6).blocks(129):
            last = first + (1 << (129 - prefix)) - 1
            texts.append(self._symbol_text(first, last))
        return texts

    def _symbol_text(self, first: int, last: int) -> str:
        holders = [(f, la, s) for f, la, s in self._symbols if f <= first and last <= la]
        if not holders:
            return "part of an IPv6 block AWS assigns"
        start, end, symbol = min(holders, key=lambda h: h[1] - h[0])
        if (start, end) == (first, last):
            return str(symbol)
        size = (last - first + 1).bit_length() - 1
        return f"a /{128 - size} of the {symbol}"
