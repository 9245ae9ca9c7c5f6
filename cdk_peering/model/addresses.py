"""Sets of addresses (or ports) as sorted, disjoint integer intervals.

The one mechanism the connectivity model and the synth-time return-route rule reason with:
a route table partitions the address space by longest prefix, a network ACL partitions it
by its first matching entry, and a question intersects those partitions along the path.
Every set is exact: no address is approximated by the route that happens to hold it.

Standard library only. A set holds integers of one family (IPv4 addresses, IPv6 addresses,
TCP ports); callers keep families apart.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable, Iterator

Interval = tuple[int, int]
"""An inclusive interval ``(first, last)``."""


class AddressSet:
    """An immutable set of integers, stored as sorted, disjoint, non-adjacent intervals."""

    __slots__ = ("_firsts", "intervals")

    intervals: tuple[Interval, ...]

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        """Make a set from any intervals (overlapping or adjacent ones are merged).

        :param intervals: inclusive ``(first, last)`` pairs. Default: - the empty set
        """
        merged: list[list[int]] = []
        for first, last in sorted(intervals):
            if first > last:
                continue
            if merged and first <= merged[-1][1] + 1:
                if last > merged[-1][1]:
                    merged[-1][1] = last
            else:
                merged.append([first, last])
        self.intervals = tuple((first, last) for first, last in merged)
        self._firsts: list[int] | None = None

    @classmethod
    def _trusted(cls, intervals: tuple[Interval, ...]) -> AddressSet:
        made = cls.__new__(cls)
        made.intervals = intervals
        made._firsts = None
        return made

    @classmethod
    def span(cls, first: int, last: int) -> AddressSet:
        """Return the set of every integer from ``first`` to ``last`` inclusive."""
        return cls._trusted(((first, last),) if first <= last else ())

    # --- set algebra ------------------------------------------------------------------

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AddressSet) and self.intervals == other.intervals

    def __hash__(self) -> int:
        return hash(self.intervals)

    def __repr__(self) -> str:
        return f"AddressSet({list(self.intervals)!r})"

    def __iter__(self) -> Iterator[Interval]:
        return iter(self.intervals)

    @property
    def size(self) -> int:
        """Return how many integers the set holds."""
        return sum(last - first + 1 for first, last in self.intervals)

    @property
    def first(self) -> int:
        """Return the smallest member (the set must not be empty)."""
        return self.intervals[0][0]

    def __or__(self, other: AddressSet) -> AddressSet:
        if not other.intervals:
            return self
        if not self.intervals:
            return other
        return AddressSet(self.intervals + other.intervals)

    def __and__(self, other: AddressSet) -> AddressSet:
        result: list[Interval] = []
        mine, theirs = self.intervals, other.intervals
        i = j = 0
        while i < len(mine) and j < len(theirs):
            first = max(mine[i][0], theirs[j][0])
            last = min(mine[i][1], theirs[j][1])
            if first <= last:
                result.append((first, last))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return AddressSet._trusted(tuple(result))

    def __sub__(self, other: AddressSet) -> AddressSet:
        if not other.intervals or not self.intervals:
            return self
        result: list[Interval] = []
        theirs = other.intervals
        j = 0
        for first, last in self.intervals:
            start = first
            while j < len(theirs) and theirs[j][1] < start:
                j += 1
            k = j
            while k < len(theirs) and theirs[k][0] <= last:
                if theirs[k][0] > start:
                    result.append((start, theirs[k][0] - 1))
                start = max(start, theirs[k][1] + 1)
                if start > last:
                    break
                k += 1
            if start <= last:
                result.append((start, last))
        return AddressSet._trusted(tuple(result))

    def covers(self, other: AddressSet) -> bool:
        """Tell whether every member of ``other`` is in this set."""
        return not (other - self)

    def overlaps(self, other: AddressSet) -> bool:
        """Tell whether the two sets share a member."""
        return bool(self & other)

    def contains(self, value: int) -> bool:
        """Tell whether ``value`` is a member."""
        if self._firsts is None:
            self._firsts = [first for first, _ in self.intervals]
        index = bisect.bisect_right(self._firsts, value) - 1
        return index >= 0 and self.intervals[index][1] >= value

    @classmethod
    def union(cls, sets: Iterable[AddressSet]) -> AddressSet:
        """Return the union of ``sets``."""
        return cls(interval for each in sets for interval in each.intervals)

    # --- blocks -------------------------------------------------------------------------

    def blocks(self, bits: int) -> list[tuple[int, int]]:
        """Return the fewest aligned blocks ``(first, prefix)`` that make up the set.

        :param bits: the address width (32, 128; 129 for the model's extended IPv6 space).
        """
        found: list[tuple[int, int]] = []
        for first, last in self.intervals:
            start = first
            while start <= last:
                size = (start & -start) if start else 1 << bits
                while size > last - start + 1:
                    size >>= 1
                found.append((start, bits - size.bit_length() + 1))
                start += size
        return found


def cidr_set(text: str) -> tuple[int, AddressSet]:
    """Return the family (4 or 6) and the addresses of a literal CIDR block or address.

    Host bits are cleared, as AWS reads a route's destination.

    :raises ValueError: when ``text`` is no address or block.
    """
    network = ipaddress.ip_network(text.strip(), strict=False)
    return network.version, AddressSet.span(
        int(network.network_address), int(network.broadcast_address)
    )


def cidr_texts(addresses: AddressSet, version: int) -> list[str]:
    """Return ``addresses`` as the fewest CIDR strings, sorted by address.

    :param version: 4 or 6.
    """
    if version == 4:
        return [f"{_dotted(first)}/{prefix}" for first, prefix in addresses.blocks(32)]
    return [str(ipaddress.IPv6Network((first, prefix))) for first, prefix in addresses.blocks(128)]


def _dotted(address: int) -> str:
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"
