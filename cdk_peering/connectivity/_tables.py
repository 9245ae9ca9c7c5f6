"""Route tables and network ACLs as partitions of the address space.

A ``RouteMap`` splits any set of addresses by the route that wins for each address
(longest prefix; at equal length a route to a CIDR before a route to a prefix list); an
``AclMap`` splits it by the TCP ports one direction of a network ACL lets through (its
entries in rule-number order, the first match deciding, the final ``*`` rule denying).

AWS facts used here (VPC user guide: "Route priority", "Network ACL rules"):

- The most specific route that matches wins; routes to IPv4 and to IPv6 addresses are
  independent. A static route to a CIDR takes priority over a route to a prefix list with
  the same destination; a prefix list's route stands for one route per entry.
- Every route table has a ``local`` route for each block of its VPC.
- A network ACL's rules are evaluated in order, lowest number first; the first rule that
  matches the traffic decides, whatever rules follow. An ingress rule matches the traffic's
  source address, an egress rule its destination; the port range is the destination port.
  A VPC's default ACL allows all inbound and outbound traffic.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model.addresses import AddressSet
from ._cidr import Block, Cidr, Ipv6Symbol
from ._space import EVERYTHING, LITERAL_V6, SYMBOLIC_V6, V4, V6, Space, version
from .model import LOCAL, PEERING, AclEntry, NetworkAcl, Route, RouteTable, Target

LOCAL_TARGET = Target(LOCAL, "local")
ALL_PORTS = AddressSet.span(0, 65535)


def same_way(one: Target, other: Target) -> bool:
    """Tell whether two targets send traffic the same way (one peering, local, one gateway)."""
    if one.kind == PEERING or other.kind == PEERING:
        return one.peering is not None and one.peering is other.peering
    return one.kind == other.kind and one.name == other.name


@dataclass(frozen=True, eq=False)
class Choice:
    """What a route table does with some addresses.

    ``route`` wins for every address of ``addresses`` (None: no route holds them); each of
    ``rivals`` might win instead and sends them another way (its destination is a token,
    or an equally specific route disagrees), so the way they go is unknown. ``entry`` is
    the prefix-list entry that matched, for a route to a prefix list.
    """

    addresses: AddressSet
    route: Route | None
    rivals: tuple[Route, ...] = ()
    entry: Cidr | None = None


@dataclass(frozen=True)
class _Entry:
    first: int
    last: int
    rank: int
    route: Route
    cidr: Cidr | None


class RouteMap:
    """One route table's routes of one family, as a partition of the address space."""

    def __init__(self, table: RouteTable, family: int, space: Space) -> None:
        self.table, self.family = table, family
        self.bits = 32 if family == V4 else 128
        entries: list[_Entry] = []
        self.hidden: list[Route] = []
        """Routes of this family whose destination the assembly does not hold."""
        self._literal: list[Route] = []
        self._symbolic: list[Route] = []
        for route in self._routes(table):
            rank_bonus = 0 if route.prefix_list is not None else 1
            for block in destinations_of(route, family):
                if block is None:
                    self.hidden.append(route)
                    continue
                addresses = space.of(block)
                if addresses is None:
                    self.hidden.append(route)
                    continue
                first, last = addresses.intervals[0]
                specificity = self.bits - (last - first + 1).bit_length() + 1
                rank = 2 * specificity + rank_bonus
                entries.append(_Entry(first, last, rank, route, _entry_of(route, block)))
                if family == V6 and not (isinstance(block, Cidr) and block.prefix == 0):
                    (self._symbolic if isinstance(block, Ipv6Symbol) else self._literal).append(
                        route
                    )
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._groups: list[list[_Entry]] = []
        self._flatten(entries)

    @staticmethod
    def _routes(table: RouteTable) -> Iterable[Route]:
        vpc = table.vpc
        if vpc is not None:
            for cidr in vpc.cidrs:
                yield Route(table.path, table, cidr, LOCAL_TARGET)
            for block in vpc.ipv6:
                yield Route(table.path, table, block, LOCAL_TARGET, ipv6=True)
        yield from table.routes

    def _flatten(self, entries: list[_Entry]) -> None:
        """Cut the space into segments, each with the entries of its innermost block."""
        groups: dict[tuple[int, int], list[_Entry]] = {}
        for entry in entries:
            groups.setdefault((entry.first, entry.last), []).append(entry)
        for group in groups.values():
            group.sort(key=lambda e: -e.rank)
        stack: list[tuple[int, int, list[_Entry]]] = []
        position = 0

        def emit(until: int) -> None:
            nonlocal position
            if stack and position <= until:
                self._starts.append(position)
                self._ends.append(until)
                self._groups.append(stack[-1][2])
            position = until + 1

        for first, last in sorted(groups, key=lambda key: (key[0], -key[1])):
            while stack and stack[-1][1] < first:
                emit(stack[-1][1])
                stack.pop()
            emit(first - 1)
            stack.append((first, last, groups[(first, last)]))
        while stack:
            emit(stack[-1][1])
            stack.pop()

    def choose(self, addresses: AddressSet) -> list[Choice]:
        """Split ``addresses`` by the route that wins for each."""
        if self.family == V6 and (self._literal or self._symbolic):
            return [
                *self._choose(addresses & LITERAL_V6, self._symbolic),
                *self._choose(addresses & SYMBOLIC_V6, self._literal),
            ]
        return self._choose(addresses, [])

    def _choose(self, addresses: AddressSet, crossing: Sequence[Route]) -> list[Choice]:
        pieces: list[tuple[int, int, _Entry | None, tuple[Route, ...]]] = []
        starts, ends, count = self._starts, self._ends, len(self._starts)
        if len(addresses.intervals) == 1:  # the usual question: one block in one segment
            first, last = addresses.intervals[0]
            index = bisect.bisect_right(starts, first) - 1
            if index >= 0 and ends[index] >= last:
                group = self._groups[index]
                rivals = self._rivals(group, crossing)
                return [Choice(addresses, group[0].route, rivals, group[0].cidr)]
        for first, last in addresses:
            position = first
            while position <= last:
                index = bisect.bisect_right(starts, position) - 1
                if index >= 0 and ends[index] >= position:
                    until = min(last, ends[index])
                    group = self._groups[index]
                    pieces.append((position, until, group[0], self._rivals(group, crossing)))
                else:
                    following = starts[index + 1] if index + 1 < count else last + 1
                    until = min(last, following - 1)
                    pieces.append((position, until, None, (*self.hidden, *crossing)))
                position = until + 1
        return _merge(pieces)

    def _rivals(self, group: list[_Entry], crossing: Sequence[Route]) -> tuple[Route, ...]:
        if len(group) == 1 and not self.hidden and not crossing:
            return ()
        winner = group[0]
        way = winner.route.target
        tied = [e.route for e in group[1:] if e.rank == winner.rank]
        exact = winner.rank // 2 >= self.bits  # a /32 (/128): nothing can be more specific
        unsure = [] if exact else [*self.hidden, *crossing]
        return tuple(r for r in (*tied, *unsure) if not same_way(r.target, way))


def destinations_of(route: Route, family: int) -> list[Block | None]:
    """Return the blocks a route routes in ``family`` (None: one the assembly does not hold).

    A route to a prefix list routes each of its entries.
    """
    if route.prefix_list is not None:
        found = route.prefix_list
        if found.version != family:
            return []
        return [None] if found.entries is None else list(found.entries)
    block = route.destination
    if block is None:
        return [None] if route.ipv6 == (family == V6) else []
    return [block] if version(block) == family else []


def _entry_of(route: Route, block: object) -> Cidr | None:
    return block if route.prefix_list is not None and isinstance(block, Cidr) else None


def _merge(pieces: list[tuple[int, int, _Entry | None, tuple[Route, ...]]]) -> list[Choice]:
    """Gather the pieces that one entry wins with the same rivals into one choice."""
    intervals: dict[tuple[int, tuple[int, ...]], list[tuple[int, int]]] = {}
    made: dict[tuple[int, tuple[int, ...]], tuple[_Entry | None, tuple[Route, ...]]] = {}
    for first, last, entry, rivals in pieces:
        key = (id(entry), tuple(id(route) for route in rivals))
        intervals.setdefault(key, []).append((first, last))
        made[key] = (entry, rivals)
    return [
        Choice(
            AddressSet(intervals[key]),
            entry.route if entry else None,
            rivals,
            entry.cidr if entry else None,
        )
        for key, (entry, rivals) in made.items()
    ]


# --- network ACLs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    """The TCP ports an ACL direction lets through for ``addresses``.

    ``allowed`` surely; ``unknown`` when an entry whose block is a token might decide.
    """

    addresses: AddressSet
    allowed: AddressSet
    unknown: AddressSet


class AclMap:
    """One direction (ingress or egress) of one network ACL, for one family, as partitions.

    The ports split into classes that every entry treats alike; per class, the addresses
    it allows (and those an unknown entry might decide).
    """

    def __init__(self, acl: NetworkAcl, *, egress: bool, family: int, space: Space) -> None:
        self.acl, self.egress, self.family = acl, egress, family
        self.entries: list[AclEntry] = sorted(
            (e for e in acl.entries if e.egress == egress and e.ipv6 == (family == V6)),
            key=lambda e: e.number,
        )
        self._space = space
        self.allows_all = acl.default and all(
            e.allow and e.protocol == "-1" and e.cidr is not None and e.cidr.prefix == 0
            for e in self.entries
        )
        self.classes: list[tuple[AddressSet, AddressSet, AddressSet]] = []
        """Per class of ports: the ports, the addresses allowed, the addresses unknown."""
        if not self.allows_all:
            self._classify()

    def _classify(self) -> None:
        cuts = {0, 65536}
        for entry in self.entries:
            if entry.protocol == "tcp" and entry.ports is not None:
                cuts.update((max(0, entry.ports[0]), min(65536, entry.ports[1] + 1)))
        bounds = sorted(cuts)
        everything = EVERYTHING[self.family]
        for low, high in itertools.pairwise(bounds):
            remaining, allowed, unknown = everything, AddressSet(), AddressSet()
            for entry in self.entries:
                if not remaining:
                    break
                if not entry.matches_tcp(low):
                    continue
                if entry.cidr is None:
                    unknown, remaining = unknown | remaining, AddressSet()
                    break
                block = self._space.of(entry.cidr)
                part = remaining & block if block is not None else AddressSet()
                if entry.allow:
                    allowed = allowed | part
                remaining = remaining - part
            self.classes.append((AddressSet.span(low, high - 1), allowed, unknown))

    def ports(self, addresses: AddressSet) -> list[Ports]:
        """Split ``addresses`` by the ports this direction lets through for each."""
        if self.allows_all:
            return [Ports(addresses, ALL_PORTS, AddressSet())]
        pieces = [(addresses, AddressSet(), AddressSet())]
        for ports, allowed, unknown in self.classes:
            split: list[tuple[AddressSet, AddressSet, AddressSet]] = []
            for piece, sure, vague in pieces:
                yes, maybe = piece & allowed, piece & unknown
                no = piece - allowed - unknown
                if yes:
                    split.append((yes, sure | ports, vague))
                if maybe:
                    split.append((maybe, sure, vague | ports))
                if no:
                    split.append((no, sure, vague))
            pieces = split
        return _merge_ports(pieces)

    def deciding(self, address: int, port: int) -> AclEntry | None:
        """Return the entry that decides for one address and port (None: the final ``*``)."""
        for entry in self.entries:
            if not entry.matches_tcp(port):
                continue
            if entry.cidr is None:
                return entry
            block = self._space.of(entry.cidr)
            if block is not None and block.contains(address):
                return entry
        return None


def _merge_ports(pieces: list[tuple[AddressSet, AddressSet, AddressSet]]) -> list[Ports]:
    merged: dict[tuple[AddressSet, AddressSet], list[AddressSet]] = {}
    for piece, sure, vague in pieces:
        merged.setdefault((sure, vague), []).append(piece)
    return [Ports(AddressSet.union(parts), sure, vague) for (sure, vague), parts in merged.items()]
