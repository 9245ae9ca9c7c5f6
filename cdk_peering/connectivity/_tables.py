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
from .model import LOCAL, PEERING, UNKNOWN, AclEntry, NetworkAcl, Route, RouteTable, Target

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


class _Partition:
    """Cut the space into segments, each with the entries of its innermost block.

    Routes' blocks nest or are disjoint, so one sweep over them, widest first, finds for
    every address the group of equally long entries that hold it most specifically.
    """

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.groups: list[list[_Entry]] = []
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
                self.starts.append(position)
                self.ends.append(until)
                self.groups.append(stack[-1][2])
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

    def pieces(self, first: int, last: int) -> Iterable[tuple[int, int, list[_Entry] | None]]:
        """Yield the segments of ``first``..``last``: each with its group (None: no route)."""
        starts, ends, count = self.starts, self.ends, len(self.starts)
        position = first
        while position <= last:
            index = bisect.bisect_right(starts, position) - 1
            if index >= 0 and ends[index] >= position:
                until = min(last, ends[index])
                yield position, until, self.groups[index]
            else:
                following = starts[index + 1] if index + 1 < count else last + 1
                until = min(last, following - 1)
                yield position, until, None
            position = until + 1


class RouteMap:
    """One route table's routes of one family, as a partition of the address space.

    Routes that may not exist (a condition a parameter decides) make a second partition:
    where one of them would win with another way, it is a rival of the route that wins
    without it.
    """

    def __init__(self, table: RouteTable, family: int, space: Space) -> None:
        self.table, self.family = table, family
        self.bits = 32 if family == V4 else 128
        certain: list[_Entry] = []
        possible: list[_Entry] = []
        self.hidden: list[Route] = []
        """Routes of this family whose destination the assembly does not hold."""
        self._literal: list[tuple[Route, int]] = []
        self._symbolic: list[tuple[Route, int]] = []
        if table.external:
            self.hidden.append(_unknown_routes(table))
        for route in self._routes(table):
            rank_bonus = 0 if route.prefix_list is not None else 1
            for block in destinations_of(route, family):
                addresses = space.of(block) if block is not None else None
                if addresses is None:
                    self.hidden.append(route)
                    continue
                first, last = addresses.intervals[0]
                specificity = self.bits - (last - first + 1).bit_length() + 1
                rank = 2 * specificity + rank_bonus
                entry = _Entry(first, last, rank, route, _entry_of(route, block))
                possible.append(entry)
                if route.maybe is None:
                    certain.append(entry)
                if family == V6 and not (isinstance(block, Cidr) and block.prefix == 0):
                    crossing = self._symbolic if isinstance(block, Ipv6Symbol) else self._literal
                    crossing.append((route, specificity))
        self._certain = _Partition(certain)
        self._possible = _Partition(possible) if len(possible) > len(certain) else None

    @staticmethod
    def _routes(table: RouteTable) -> Iterable[Route]:
        vpc = table.vpc
        if vpc is not None:
            for cidr in vpc.cidrs:
                yield Route(table.path, table, cidr, LOCAL_TARGET)
            for block in vpc.ipv6:
                yield Route(table.path, table, block, LOCAL_TARGET, ipv6=True)
        yield from table.routes

    def choose(self, addresses: AddressSet) -> list[Choice]:
        """Split ``addresses`` by the route that wins for each."""
        if self.family == V6 and (self._literal or self._symbolic):
            return [
                *self._choose(addresses & LITERAL_V6, self._symbolic),
                *self._choose(addresses & SYMBOLIC_V6, self._literal),
            ]
        return self._choose(addresses, [])

    def _choose(self, addresses: AddressSet, crossing: Sequence[tuple[Route, int]]) -> list[Choice]:
        pieces: list[tuple[int, int, _Entry | None, tuple[Route, ...]]] = []
        for first, last in addresses:
            for start, until, group in self._certain.pieces(first, last):
                if group is None:
                    rivals = (*self.hidden, *(route for route, _ in crossing))
                    winner = None
                else:
                    winner, rivals = group[0], self._rivals(group, crossing)
                if self._possible is None:
                    pieces.append((start, until, winner, rivals))
                    continue
                for begin, end, maybe in self._possible.pieces(start, until):
                    extra = self._conditional(winner, maybe)
                    pieces.append((begin, end, winner, (*rivals, *extra)))
        return _merge(pieces)

    def _rivals(
        self, group: list[_Entry], crossing: Sequence[tuple[Route, int]]
    ) -> tuple[Route, ...]:
        winner = group[0]
        if len(group) == 1 and not self.hidden and not crossing:
            return ()
        way = winner.route.target
        tied = [e.route for e in group[1:] if e.rank == winner.rank]
        # Only a route to a single address (a CIDR /32 or /128) cannot be outranked.
        exact = winner.rank >= 2 * self.bits + 1
        specificity = winner.rank // 2
        unsure = [] if exact else [*self.hidden]
        # A literal block meets an AWS-assigned one: it wins if it might be as specific.
        unsure += [route for route, size in crossing if size >= specificity]
        return tuple(r for r in (*tied, *unsure) if not same_way(r.target, way))

    @staticmethod
    def _conditional(winner: _Entry | None, maybe: list[_Entry] | None) -> tuple[Route, ...]:
        """Return the route that may exist and would win instead, when it goes another way."""
        if maybe is None or maybe[0].route.maybe is None:
            return ()
        route = maybe[0].route
        if winner is not None and same_way(route.target, winner.route.target):
            return ()
        return (route,)


def _unknown_routes(table: RouteTable) -> Route:
    """Return the stand-in for the routes of a table the assembly does not hold."""
    return Route(
        table.path,
        table,
        None,
        Target(UNKNOWN, "routes the assembly does not hold", why="the table is not in it"),
        written=f"the routes of {table}",
    )


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
        # A default ACL allows all while AWS's rules are there (none left in a direction: the
        # final rule denies everything).
        self.allows_all = (
            acl.default
            and bool(self.entries)
            and all(
                e.allow and e.protocol == "-1" and e.cidr is not None and e.cidr.prefix == 0
                for e in self.entries
            )
        )
        self.classes: list[tuple[AddressSet, AddressSet, AddressSet]] = []
        """Per class of ports: the ports, the addresses allowed, the addresses unknown."""
        if acl.external:  # imported by id, or a token: only AWS knows its entries
            self.classes.append((ALL_PORTS, AddressSet(), EVERYTHING[family]))
        elif not self.allows_all:
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
                if entry.cidr is None:  # its block is unknown: it may match any address
                    unknown, remaining = unknown | remaining, AddressSet()
                    break
                if self.family == V6 and entry.cidr.prefix > 0:
                    # Whether a literal block holds addresses AWS assigns is unknown.
                    unknown, remaining = (
                        unknown | (remaining & SYMBOLIC_V6),
                        remaining - SYMBOLIC_V6,
                    )
                block = self._space.of(entry.cidr)
                part = remaining & block if block is not None else AddressSet()
                if entry.unknown is not None:  # what it decides is unknown
                    unknown = unknown | part
                elif entry.allow:
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
