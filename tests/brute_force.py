"""An evaluator of SEMANTICS.md that looks at every address, written from the rules alone.

It reads a ``NetworkSpec`` (tests/random_networks.py), never the templates and never the
model, and answers ``reachability(source, destination, port=..., ip_version=...)`` by
looping: over every source address ``a`` and every destination address ``d``, it decides
whether the round trip a -> d -> a PASSES, FAILS or is UNKNOWN, with plain longest-prefix
lookups (a scan of the table) and plain network ACL walks (entries in rule-number order).

Ports: an ACL entry matches a port when the port lies in its range, so the ACLs decide
alike for every port between two consecutive range edges. The evaluator checks one port
of each such stretch (``port_classes``); tests/test_brute_force.py checks that this equals
checking all 65535 ports.

Unknowns: a value the assembly does not hold is tried both ways. A route whose destination
is a parameter either wins the lookup or not (it can win whenever the known winner is not
a CIDR route to a single address); a peering whose acceptance is a parameter is accepted
or not. The round trip PASSES when it passes every way, FAILS when it fails every way,
and is UNKNOWN otherwise: that is "a value the assembly does not hold decides it".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ipaddress import collapse_addresses, ip_address, ip_network

from tests.random_networks import (
    PEERING,
    Address,
    Block,
    NetworkSpec,
    Question,
    Subnet,
    Target,
)

PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"

LOCAL = Target("local", "local")
EPHEMERAL = (1024, 65535)


@dataclass(frozen=True)
class Answer:
    """The four fields of ``Reachability`` that the model must get exactly right."""

    reachable: bool
    partial: bool
    unknown: bool
    unreached: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One line of a route table as a lookup sees it (a prefix list gives one per entry)."""

    destination: Block | None
    """None: a parameter, which the deployment decides."""
    version: int
    target: Target | None
    """LOCAL, a target of the spec, or None (a blackhole)."""
    from_prefix_list: bool = False


def combine(outcomes: Iterable[str]) -> str:
    """PASS if every way passes, FAIL if every way fails, else UNKNOWN."""
    seen = set(outcomes)
    if seen == {PASS}:
        return PASS
    if seen == {FAIL}:
        return FAIL
    return UNKNOWN


class BruteForce:
    """Answers about one network, address by address."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.ports = port_classes(spec)
        self.ephemeral = [i for i, port in enumerate(self.ports) if port >= EPHEMERAL[0]]
        """The indexes of ``ports`` that stand for the ephemeral ports (1024-65535)."""
        self._acl_cache: dict[tuple[str, bool, int, int, int], bool] = {}
        self._ports_cache: dict[tuple[str, bool, int, int], tuple[bool, ...]] = {}
        self._lookup_cache: dict[tuple[str, int, int], list[Row | None]] = {}
        self._holder_cache: dict[tuple[str, int, int], Subnet | None] = {}
        self._rows_cache: dict[str, list[Row]] = {}
        self._forward_cache: dict[tuple[str, int, int], list[tuple[Target, Subnet] | None]] = {}

    # --- the question ----------------------------------------------------------------------

    def ask(self, question: Question) -> Answer:
        return self.answer(
            question.source,
            question.destination,
            port=question.port,
            ip_version=question.ip_version,
        )

    def answer(
        self,
        source: str,
        destination: str,
        *,
        port: int | None = None,
        ip_version: int | None = None,
    ) -> Answer:
        version = ip_version or self._version(destination) or self._version(source) or 4
        sources = self.source_addresses(source, version)
        destinations = self.destination_addresses(destination, version)
        verdicts: dict[Address, str] = {}
        for d in destinations:
            verdicts[d] = PASS if sources else FAIL  # no source address: a definite no
            for subnet, a in sources:
                outcome = self.round_trip(subnet, a, d, port)
                if outcome == FAIL:
                    verdicts[d] = FAIL
                    break
                if outcome == UNKNOWN:
                    verdicts[d] = UNKNOWN
        passing = [d for d, verdict in verdicts.items() if verdict == PASS]
        others = [d for d, verdict in verdicts.items() if verdict != PASS]
        reachable = bool(verdicts) and not others
        return Answer(
            reachable=reachable,
            partial=bool(passing) and bool(others),
            unknown=not reachable
            and UNKNOWN in verdicts.values()
            and FAIL not in verdicts.values(),
            unreached=merge(others),
        )

    @staticmethod
    def _version(text: str) -> int | None:
        try:
            return ip_network(text, strict=False).version
        except ValueError:
            return None

    def source_addresses(self, source: str, version: int) -> list[tuple[Subnet, Address]]:
        """Every (subnet, address) the question starts from."""
        subnets = self._subnets_named(source)
        if subnets is None:
            a = ip_address(source)
            holder = self.subnet_holding(a, self.spec.subnets.values())
            assert holder is not None, f"{source} is in no subnet"
            return [(holder, a)]
        found: list[tuple[Subnet, Address]] = []
        for subnet in subnets:
            block = subnet.block(version)
            if block is not None:
                found.extend((subnet, a) for a in block)
        return found

    def destination_addresses(self, destination: str, version: int) -> list[Address]:
        subnets = self._subnets_named(destination)
        if subnets is None:
            return list(ip_network(destination))
        found: list[Address] = []
        for subnet in subnets:
            block = subnet.block(version)
            if block is not None:
                found.extend(block)
        return sorted(found)

    def _subnets_named(self, path: str) -> list[Subnet] | None:
        """The subnets of a subnet or VPC path; None for an address or block."""
        for subnet in self.spec.subnets.values():
            if self.spec.path(subnet.name) == path:
                return [subnet]
        for vpc in self.spec.vpcs.values():
            if self.spec.path(vpc.name) == path:
                return self.spec.subnets_of(vpc.name)
        return None

    @staticmethod
    def subnet_holding(address: Address, subnets: Iterable[Subnet]) -> Subnet | None:
        for subnet in subnets:
            block = subnet.block(address.version)
            if block is not None and address in block:
                return subnet
        return None

    def subnet_in(self, vpc: str, address: Address) -> Subnet | None:
        """The subnet of ``vpc`` whose block holds ``address``, if any."""
        key = (vpc, address.version, int(address))
        if key not in self._holder_cache:
            self._holder_cache[key] = self.subnet_holding(address, self.spec.subnets_of(vpc))
        return self._holder_cache[key]

    # --- one address pair ------------------------------------------------------------------

    def round_trip(self, source: Subnet, a: Address, d: Address, port: int | None) -> str:
        """Whether a (in ``source``) -> d -> a PASSES, FAILS or is UNKNOWN."""
        block = source.block(d.version)
        if block is not None and d in block:
            return PASS  # inside one subnet: no route, no network ACL
        outcomes: list[str] = []
        for arrival in self.forward(source, d):
            if arrival is None:
                outcomes.append(FAIL)
                continue
            way, there = arrival
            for back in self.lookup(there, a):
                if back is None or back.target != way:
                    outcomes.append(FAIL)  # the reply does not come back the same way
                elif self.acls_pass(source, there, a, d, port):
                    outcomes.append(PASS)
                else:
                    outcomes.append(FAIL)
        return combine(outcomes)

    def forward(self, source: Subnet, d: Address) -> list[tuple[Target, Subnet] | None]:
        """Where a request from ``source`` to ``d`` arrives, each way the unknowns may go:
        the way it took (LOCAL or a peering) and the subnet that holds ``d``, or None when
        it arrives nowhere."""
        key = (source.name, d.version, int(d))
        if key not in self._forward_cache:
            self._forward_cache[key] = [
                arrival
                for route in self.lookup(source, d)
                for arrival in self._arrivals(route, source, d)
            ]
        return self._forward_cache[key]

    def _arrivals(
        self, route: Row | None, source: Subnet, d: Address
    ) -> list[tuple[Target, Subnet] | None]:
        if route is None or route.target is None:
            return [None]  # no route holds d, or a route without a target
        if route.target == LOCAL:
            here = self.subnet_in(source.vpc, d)
            return [None if here is None else (LOCAL, here)]
        if route.target.kind != PEERING:
            return [None]  # a gateway, a transit gateway...: off the peering
        peering = self.spec.peerings[route.target.name]
        ends = (peering.vpc, peering.peer_vpc)
        if source.vpc not in ends:
            return [None]
        peer = ends[1] if source.vpc == ends[0] else ends[0]
        if not any(d in block for block in self.spec.vpcs[peer].blocks(d.version)):
            return [None]  # never onward: peering is not transitive
        there = self.subnet_in(peer, d)
        if there is None:
            return [None]
        accepted = [True, False] if peering.accepted is None else [peering.accepted]
        return [(route.target, there) if each else None for each in accepted]

    # --- route tables ----------------------------------------------------------------------

    def rows(self, subnet: Subnet) -> list[Row]:
        """Every row of the subnet's route table (its own, else its VPC's main table)."""
        key = subnet.table or f"main of {subnet.vpc}"
        if key not in self._rows_cache:
            self._rows_cache[key] = self._rows(subnet)
        return self._rows_cache[key]

    def _rows(self, subnet: Subnet) -> list[Row]:
        vpc = self.spec.vpcs[subnet.vpc]
        rows = [Row(block, block.version, LOCAL) for block in vpc.blocks(4) + vpc.blocks(6)]
        if subnet.table is None:
            return rows  # the main table holds only the local routes
        for route in self.spec.routes:
            if route.table != subnet.table:
                continue
            if route.token is not None:
                rows.append(Row(None, route.token_version, route.target))
            elif route.prefix_list is not None:
                prefix_list = self.spec.prefix_lists[route.prefix_list]
                for block in prefix_list.entries:
                    rows.append(Row(block, block.version, route.target, from_prefix_list=True))
            else:
                assert route.destination is not None
                rows.append(Row(route.destination, route.destination.version, route.target))
        return rows

    def lookup(self, subnet: Subnet, address: Address) -> list[Row | None]:
        """The rows that may win the longest-prefix match for ``address``: the known winner
        (None: no row holds it), and each parameter row when it could beat that winner."""
        key = (subnet.table or f"main of {subnet.vpc}", address.version, int(address))
        if key not in self._lookup_cache:
            self._lookup_cache[key] = self._lookup(subnet, address)
        return self._lookup_cache[key]

    def _lookup(self, subnet: Subnet, address: Address) -> list[Row | None]:
        rows = self.rows(subnet)
        winner: Row | None = None
        for row in rows:
            if row.destination is None or row.version != address.version:
                continue
            if address not in row.destination:
                continue
            if winner is None or beats(row, winner):
                winner = row
        possible: list[Row | None] = [winner]
        beatable = (
            winner is None
            or winner.destination is None
            or winner.destination.prefixlen < address.max_prefixlen
            or winner.from_prefix_list
        )
        for row in rows:
            if row.destination is None and row.version == address.version and beatable:
                possible.append(row)
        return possible

    # --- network ACLs ----------------------------------------------------------------------

    def acls_pass(
        self, source: Subnet, there: Subnet, a: Address, d: Address, port: int | None
    ) -> bool:
        """The request a -> d on ``port`` (None: on some port), and every reply d -> a to an
        ephemeral port, pass both subnets' network ACLs."""
        if source.acl is None and there.acl is None:
            return True  # both have their VPC's default ACL, which allows everything
        replies_out = self.acl_ports(there, True, a)
        replies_in = self.acl_ports(source, False, d)
        for index in self.ephemeral:
            if not (replies_out[index] and replies_in[index]):
                return False
        if port is not None:
            return self.acl_allows(source, True, d, port) and self.acl_allows(there, False, a, port)
        requests_out = self.acl_ports(source, True, d)
        requests_in = self.acl_ports(there, False, a)
        return any(out and into for out, into in zip(requests_out, requests_in, strict=True))

    def acl_ports(self, subnet: Subnet, egress: bool, remote: Address) -> tuple[bool, ...]:
        """``acl_allows`` for each port of ``self.ports``, in order."""
        key = (subnet.acl or "", egress, remote.version, int(remote))
        if key not in self._ports_cache:
            self._ports_cache[key] = tuple(
                self.acl_allows(subnet, egress, remote, port) for port in self.ports
            )
        return self._ports_cache[key]

    def acl_allows(self, subnet: Subnet, egress: bool, remote: Address, port: int) -> bool:
        """Whether the subnet's ACL lets a TCP packet to ``port`` out to (``egress``) or in
        from ``remote``; the VPC's default ACL (no association) allows everything."""
        if subnet.acl is None:
            return True
        key = (subnet.acl, egress, remote.version, int(remote), port)
        if key not in self._acl_cache:
            self._acl_cache[key] = acl_decides(self.spec, subnet.acl, egress, remote, port)
        return self._acl_cache[key]


def acl_decides(spec: NetworkSpec, acl: str, egress: bool, remote: Address, port: int) -> bool:
    """First match in rule-number order decides; no match denies."""
    entries = sorted(
        (each for each in spec.acls[acl].entries if each.egress == egress),
        key=lambda each: each.rule,
    )
    for each in entries:
        if each.block.version != remote.version or remote not in each.block:
            continue
        if each.protocol == -1:
            return each.allow
        if each.protocol == 6:
            assert each.ports is not None
            if each.ports[0] <= port <= each.ports[1]:
                return each.allow
    return False


def beats(row: Row, other: Row) -> bool:
    """Whether ``row`` wins over ``other`` (both hold the address): the longer prefix; at
    equal length a CIDR route wins over a prefix list's entry."""
    assert row.destination is not None
    assert other.destination is not None
    if row.destination.prefixlen != other.destination.prefixlen:
        return row.destination.prefixlen > other.destination.prefixlen
    return other.from_prefix_list and not row.from_prefix_list


def port_classes(spec: NetworkSpec) -> list[int]:
    """One port of each stretch of 1-65535 over which every ACL entry matches alike (and
    that lies wholly below or wholly inside the ephemeral ports)."""
    edges = {1, EPHEMERAL[0], 65536}
    for acl in spec.acls.values():
        for each in acl.entries:
            if each.ports is not None:
                edges.update((each.ports[0], each.ports[1] + 1))
    return sorted(edge for edge in edges if 1 <= edge <= 65535)


def merge(addresses: Iterable[Address]) -> tuple[str, ...]:
    """The fewest CIDR blocks that hold exactly ``addresses``, sorted, as strings."""
    blocks = [ip_network(address) for address in addresses]
    return tuple(str(block) for block in collapse_addresses(sorted(blocks)))  # type: ignore[type-var]
