"""Routing over the model.

Longest-prefix match per route table, the path from one subnet to a block and back,
PrivateLink endpoints, and the survey of every peering route.

AWS facts used here (VPC peering guide, PrivateLink guide):

- A route table picks the most specific route that matches (longest prefix). Every table
  has a local route for each of its VPC's blocks.
- Peering is not transitive: traffic through a connection goes only to an address inside
  the peer VPC's blocks, never on to a third VPC, a gateway or an endpoint of a gateway.
- A reply needs a route back: the destination subnet's table must route the source
  through the same connection.
- An internet, NAT, egress-only or carrier gateway never delivers to a private address
  of another VPC; what a transit gateway, a virtual private gateway or an appliance
  does next is not in the templates (the answer is unknown).
- An interface endpoint admits what its security groups admit (none given: the VPC's
  default group, which admits only its own members); its connection needs the service's
  acceptance when ``AcceptanceRequired``; the service's NLB forwards only its listeners'
  ports and, when ``EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`` is on and it
  has security groups, only what they admit.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ._cidr import Block, Cidr, block_contains, block_overlaps, block_prefix
from .model import (
    BLACKHOLE,
    GATEWAY,
    LOCAL,
    PEERING,
    Endpoint,
    Peering,
    Route,
    RouteTable,
    SecurityGroup,
    Subnet,
    Target,
    Vpc,
)
from .results import Hop, OneWayRoute

LOCAL_TARGET = Target(LOCAL, "local")
NEVER_PRIVATE = (
    "internet gateway",
    "NAT gateway",
    "egress-only internet gateway",
    "carrier gateway",
)


@dataclass
class Outcome:
    """The answer for one subnet pair (or subnet and endpoint)."""

    ok: bool
    hops: list[Hop]
    reason: str | None = None
    unknown: bool = False


def _fail(hops: list[Hop], reason: str) -> Outcome:
    return Outcome(False, hops, reason)


def _unknown(hops: list[Hop], reason: str) -> Outcome:
    return Outcome(False, hops, reason, unknown=True)


class RouteIndex:
    """The routes of one table, indexed for longest-prefix match (local routes included)."""

    def __init__(self, table: RouteTable) -> None:
        self.table = table
        self._v4: dict[int, dict[int, Route]] = {}
        self._v6: list[Route] = []
        self.hidden: list[Route] = []
        """Routes whose destination a token hides."""
        if table.vpc is not None:
            for cidr in table.vpc.cidrs:
                self._add(Route(table.path, table, cidr, LOCAL_TARGET))
            for block in table.vpc.ipv6:
                self._add(Route(table.path, table, block, LOCAL_TARGET))
        for route in table.routes:
            self._add(route)
        self._lengths = sorted(self._v4, reverse=True)
        self._firsts = {length: sorted(self._v4[length]) for length in self._lengths}

    def _add(self, route: Route) -> None:
        destination = route.destination
        if destination is None:
            self.hidden.append(route)
        elif isinstance(destination, Cidr) and destination.version == 4:
            shift = 32 - destination.prefix
            self._v4.setdefault(destination.prefix, {}).setdefault(
                destination.first >> shift, route
            )
        else:
            self._v6.append(route)

    def lookup(self, block: Block) -> Route | None:
        """Return the most specific route whose destination holds all of ``block``."""
        if isinstance(block, Cidr) and block.version == 4:
            for length in self._lengths:
                if length <= block.prefix:
                    route = self._v4[length].get(block.first >> (32 - length))
                    if route is not None:
                        return route
            return None
        best: Route | None = None
        for route in self._v6:
            assert route.destination is not None
            if block_contains(route.destination, block) and (
                best is None or block_prefix(route.destination) > block_prefix(best.destination)  # type: ignore[arg-type]
            ):
                best = route
        return best

    def inside(self, block: Cidr) -> list[Route]:
        """Return the IPv4 routes more specific than ``block`` that lie inside it."""
        found: list[Route] = []
        for length in self._lengths:
            if length <= block.prefix:
                break
            keys, shift = self._firsts[length], 32 - length
            start = bisect.bisect_left(keys, block.first >> shift)
            stop = bisect.bisect_right(keys, block.last >> shift)
            found.extend(self._v4[length][key] for key in keys[start:stop])
        return found


def _same_way(one: Target, other: Target) -> bool:
    if one.kind == PEERING or other.kind == PEERING:
        return one.peering is not None and one.peering is other.peering
    return one.kind == other.kind and one.name == other.name


@dataclass
class Survey:
    """Every peering route checked for its way back.

    The one-way routes, and per subnet pair that a peering route joins, ``True`` (there
    and back) or ``False`` (one way).
    """

    one_way: list[OneWayRoute] = field(default_factory=list)
    pairs: dict[tuple[Subnet, Subnet], bool] = field(default_factory=dict)


class Router:
    """Answer routing questions over the model."""

    def __init__(self, vpcs: Sequence[Vpc]) -> None:
        self.vpcs = vpcs
        self._indexes: dict[RouteTable, RouteIndex] = {}
        self._firsts: dict[Vpc, list[int]] = {}
        self._v4_subnets: dict[Vpc, list[Subnet]] = {}
        self._pairs: dict[tuple[Subnet, Cidr, Cidr, Subnet | None], Outcome] = {}

    def index(self, table: RouteTable) -> RouteIndex:
        """Return the longest-prefix index of ``table`` (built once)."""
        found = self._indexes.get(table)
        if found is None:
            found = self._indexes[table] = RouteIndex(table)
        return found

    def subnets_in(self, vpc: Vpc, block: Block) -> list[Subnet]:
        """Return the subnets of ``vpc`` whose block overlaps ``block``."""
        if isinstance(block, Cidr) and block.version == 4:
            subnets = self._v4_subnets.get(vpc)
            if subnets is None:
                subnets = sorted((s for s in vpc.subnets if s.cidr is not None), key=_first)
                self._v4_subnets[vpc], self._firsts[vpc] = subnets, [_first(s) for s in subnets]
            stop = bisect.bisect_right(self._firsts[vpc], block.last)
            found = []
            for subnet in reversed(subnets[:stop]):  # a VPC's subnets do not overlap
                assert subnet.cidr is not None
                if subnet.cidr.last < block.first:
                    break
                found.append(subnet)
            return found[::-1]
        return [s for s in vpc.subnets if s.ipv6 is not None and block_overlaps(s.ipv6, block)]

    def holder(self, block: Cidr, skip: Vpc | None = None) -> Vpc | None:
        """Return a VPC (other than ``skip``) one of whose blocks holds ``block``."""
        for vpc in self.vpcs:
            if vpc is not skip and any(cidr.contains(block) for cidr in vpc.cidrs):
                return vpc
        return None

    # --- one subnet to a block and back ------------------------------------------------

    def path(self, source: Subnet, origin: Cidr, block: Cidr, expect: Subnet | None) -> Outcome:
        """Check the path from ``origin`` (in ``source``) to ``block`` and the way back.

        :param expect: the subnet ``block`` is, when the question names one.
        """
        key = (source, origin, block, expect)
        if key not in self._pairs:
            self._pairs[key] = self._path(source, origin, block, expect)
        outcome = self._pairs[key]
        return Outcome(outcome.ok, list(outcome.hops), outcome.reason, outcome.unknown)

    def _path(self, source: Subnet, origin: Cidr, block: Cidr, expect: Subnet | None) -> Outcome:
        where = f"address {origin} in subnet" if origin != source.cidr else "subnet"
        hops = [Hop(f"{where} {source.path} ({source.cidr})", kind="subnet", path=source.path)]
        if expect is source:
            hops.append(Hop("same subnet: no route needed", kind="note"))
            return Outcome(True, hops)
        table = source.route_table
        if table is None or source.vpc is None:
            return _unknown(hops, f"the VPC and route table of subnet {source.path} are unknown")
        index = self.index(table)
        route = index.lookup(block)
        if route is None:
            return _no_route(index, block, hops, "")
        hops.append(_route_hop(route, "route"))
        for inner in index.inside(block):
            if not _same_way(inner.target, route.target):
                return _fail(
                    hops,
                    f"route table {table.path} sends {inner.destination_text}, part of {block}, "
                    f"to {inner.target}, not to {route.target}",
                )
        reached, failed = self._target(source.vpc, route, block, hops)
        if failed is not None:
            return failed
        assert reached is not None
        if expect is not None and expect.vpc is not reached:
            assert expect.vpc is not None
            return _fail(
                hops,
                f"{route.target} leads to VPC {reached.path}, not to {expect.vpc.path}: peering "
                "is not transitive",
            )
        destinations = [expect] if expect is not None else self.subnets_in(reached, block)
        if not destinations:
            return _fail(hops, f"no subnet of VPC {reached.path} holds {block}")
        for destination in destinations:
            back = self._back(destination, origin, route, hops)
            if back is not None:
                return back
        return Outcome(True, hops)

    def _target(
        self, vpc: Vpc, route: Route, block: Cidr, hops: list[Hop]
    ) -> tuple[Vpc | None, Outcome | None]:
        target, table = route.target, route.table.path
        if target.kind == LOCAL:
            return vpc, None
        if target.kind == BLACKHOLE:
            return None, _fail(
                hops,
                f"route table {table} sends {route.destination_text} to {target}: a blackhole "
                f"({target.why})",
            )
        if target.kind == GATEWAY and target.name.startswith(NEVER_PRIVATE):
            return None, _fail(
                hops,
                f"route table {table} sends {route.destination_text} to {target}, which never "
                "reaches a private address in another VPC",
            )
        if target.kind != PEERING or target.peering is None:
            return None, _unknown(
                hops,
                f"route table {table} sends {route.destination_text} to {target}, beyond which "
                "the model does not follow",
            )
        peering = target.peering
        if peering.usable is False:
            return None, _fail(
                hops,
                f"peering {peering.path} is never accepted ({peering.why}): routes through it "
                "are blackholes",
            )
        if peering.usable is None:
            return None, _unknown(hops, f"peering {peering.path}: {peering.why}")
        peer = peering.peer_of(vpc)
        if peer is None:
            return None, _fail(
                hops,
                f"route table {table} sends {route.destination_text} to {peering!s}, which does "
                f"not connect {vpc.path}: a blackhole",
            )
        hops.append(
            Hop(
                f"peering {peering.path} ({vpc.path} -> {peer.path})",
                kind="peering",
                path=peering.path,
            )
        )
        if not any(cidr.contains(block) for cidr in peer.cidrs):
            if peer.unknown:
                return None, _unknown(
                    hops, f"whether VPC {peer.path} holds {block} is unknown: {peer.unknown[0]}"
                )
            other = self.holder(block, skip=peer)
            there = f" (it is in VPC {other.path})" if other is not None else ""
            blocks = ", ".join(str(cidr) for cidr in peer.cidrs)
            return None, _fail(
                hops,
                f"peering {peering.path} leads to VPC {peer.path} ({blocks}), which does not "
                f"hold {block}{there}: peering is not transitive",
            )
        return peer, None

    def _back(
        self, destination: Subnet, origin: Cidr, route: Route, hops: list[Hop]
    ) -> Outcome | None:
        hops.append(
            Hop(
                f"subnet {destination.path} ({destination.cidr})",
                kind="subnet",
                path=destination.path,
            )
        )
        table = destination.route_table
        if destination.cidr is None or table is None:
            return _unknown(
                hops,
                f"subnet {destination.path}: {destination.unknown or 'its route table is unknown'}",
            )
        index = self.index(table)
        back = index.lookup(origin)
        if back is None:
            return _no_route(index, origin, hops, ": replies cannot return")
        hops.append(_route_hop(back, "return-route"))
        way = f"back through {route.target}" if route.target.kind != LOCAL else "locally"
        for wrong in [back, *index.inside(origin)]:
            if not _same_way(wrong.target, route.target):
                to = origin if wrong is back else f"{wrong.destination_text}, part of {origin},"
                return _fail(
                    hops,
                    f"route table {table.path} sends replies to {to} to {wrong.target}, not "
                    f"{way}: replies cannot return",
                )
        return None

    # --- PrivateLink -------------------------------------------------------------------

    def endpoint(
        self, source: Subnet, origin: Cidr, endpoint: Endpoint, port: int | None
    ) -> Outcome:
        """Check a path to an interface endpoint and what its connection needs."""
        if endpoint.kind != "Interface":
            return _fail(
                [],
                f"endpoint {endpoint.path} is a {endpoint.kind} endpoint: no address to connect to",
            )
        outcomes = [
            self.path(source, origin, subnet.cidr, subnet)
            for subnet in endpoint.subnets
            if subnet.cidr is not None
        ]
        if not outcomes:
            return _unknown([], f"the subnets of endpoint {endpoint.path} are unknown")
        chosen = next((o for o in outcomes if o.ok), None)
        if chosen is None:
            return next((o for o in outcomes if not o.unknown), outcomes[0])
        hops = chosen.hops
        hops.append(
            Hop(
                f"endpoint {endpoint.path} (in VPC "
                f"{endpoint.vpc.path if endpoint.vpc else 'unknown'})",
                kind="endpoint",
                path=endpoint.path,
            )
        )
        if port is not None:
            failed = self._admitted(
                endpoint.groups, origin, port, f"endpoint {endpoint.path}", hops
            )
            if failed is not None:
                return failed
        failed = self._accepted(endpoint, hops)
        if failed is not None:
            return failed
        if port is not None and endpoint.service is not None:
            for balancer in endpoint.service.load_balancers:
                if port in balancer.ports:
                    hops.append(
                        Hop(
                            f"load balancer {balancer.path} listens on port {port}",
                            kind="listener",
                            path=balancer.path,
                        )
                    )
                elif balancer.unknown_ports:
                    return _unknown(
                        hops, f"the ports of load balancer {balancer.path}'s listeners are unknown"
                    )
                else:
                    ports = ", ".join(str(p) for p in sorted(balancer.ports)) or "none"
                    return _fail(
                        hops,
                        f"load balancer {balancer.path} of endpoint service "
                        f"{endpoint.service.path} has no listener on port {port} (listeners: "
                        f"{ports})",
                    )
                if balancer.groups and balancer.enforce_on_privatelink:
                    failed = self._admitted(
                        balancer.groups,
                        origin,
                        port,
                        f"load balancer {balancer.path} "
                        "(EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on)",
                        hops,
                    )
                    if failed is not None:
                        return failed
        return Outcome(True, hops)

    def _accepted(self, endpoint: Endpoint, hops: list[Hop]) -> Outcome | None:
        service = endpoint.service
        if endpoint.aws_service:
            hops.append(
                Hop(f"AWS service {endpoint.service_name}: no acceptance needed", kind="acceptance")
            )
            return None
        if service is None:
            return _unknown(
                hops,
                f"whether the connection of endpoint {endpoint.path} is accepted is unknown: "
                f"{endpoint.unknown}",
            )
        if not service.acceptance_required:
            hops.append(
                Hop(
                    f"endpoint service {service.path} accepts connections without approval",
                    kind="acceptance",
                    path=service.path,
                )
            )
            return None
        acceptor = service.accepted.get(endpoint)
        if acceptor is None:
            return _fail(
                hops,
                f"endpoint {endpoint.path}'s connection to endpoint service {service.path} is "
                "never accepted: the service requires acceptance (AcceptanceRequired) and no "
                "stack of the assembly accepts it",
            )
        hops.append(
            Hop(
                f"endpoint service {service.path}: connection accepted by {acceptor}",
                kind="acceptance",
                path=acceptor,
            )
        )
        return None

    def _admitted(
        self,
        groups: list[SecurityGroup] | None,
        origin: Cidr,
        port: int,
        what: str,
        hops: list[Hop],
    ) -> Outcome | None:
        if groups is None or not groups:
            return _fail(
                hops,
                f"{what} has no security group of its own: the VPC's default group admits only "
                f"its own members, not {origin}",
            )
        unknown: list[str] = []
        by_group: list[str] = []
        for group in groups:
            if group.external:
                unknown.append(
                    f"security group {group.path} is imported by id: its rules are unknown"
                )
            for rule in group.rules:
                if not rule.covers_port(port):
                    continue
                if rule.cidr is not None and rule.cidr.contains(origin):
                    hops.append(
                        Hop(
                            f"security group {group.path} admits {origin} on port {port} (rule "
                            f"{rule.cidr})",
                            kind="security-group",
                            path=group.path,
                        )
                    )
                    return None
                if rule.unknown:
                    unknown.append(
                        f"security group {group.path} has a rule whose source is {rule.unknown}"
                    )
                elif rule.group is not None:
                    by_group.append(rule.group.path)
        if unknown:
            return _unknown(hops, unknown[0])
        names = ", ".join(group.path for group in groups)
        also = (
            f" (it admits members of {', '.join(by_group)}, which a subnet's address is not)"
            if by_group
            else ""
        )
        return _fail(
            hops, f"security group {names} of {what} does not admit {origin} on port {port}{also}"
        )

    # --- every peering route -----------------------------------------------------------

    def survey(self, tables: Iterable[RouteTable]) -> Survey:
        """Check every route through a peering connection for its way back."""
        result = Survey()
        for table in tables:
            vpc = table.vpc
            if vpc is None or not table.subnets:
                continue  # a table with no subnets has nothing to answer
            for route in table.routes:
                peering = route.target.peering
                if peering is None or route.destination is None:
                    continue
                peer = peering.peer_of(vpc)
                if peer is None or peer.external:
                    continue
                unanswered = self._unanswered(table, route, peering, peer, result)
                if unanswered:
                    result.one_way.append(
                        OneWayRoute(
                            table.path,
                            route.destination_text,
                            peering.path,
                            tuple(unanswered),
                            route.path,
                        )
                    )
        return result

    def _unanswered(
        self, table: RouteTable, route: Route, peering: Peering, peer: Vpc, result: Survey
    ) -> list[str]:
        assert route.destination is not None
        index = self.index(table)
        v4 = isinstance(route.destination, Cidr) and route.destination.version == 4
        unanswered: list[str] = []
        for destination in self.subnets_in(peer, route.destination):
            block = destination.cidr if v4 else destination.ipv6
            back_table = destination.route_table
            if block is None or back_table is None:
                continue
            probe = route.destination if block_contains(block, route.destination) else block
            if index.lookup(probe) is not route:
                continue  # a more specific route serves it
            back_index = self.index(back_table)
            answered = True
            for source in table.subnets:
                origin = source.cidr if v4 else source.ipv6
                if origin is None:
                    continue
                back = back_index.lookup(origin)
                both = back is not None and back.target.peering is peering
                answered = answered and both
                if v4:
                    result.pairs[(source, destination)] = both
            if not answered:
                unanswered.append(destination.path)
        return unanswered


def _no_route(index: RouteIndex, block: Cidr, hops: list[Hop], then: str) -> Outcome:
    """Say that a table has no route to ``block`` (unknown if a token hides some route)."""
    table = index.table.path
    if index.hidden:
        return _unknown(
            hops,
            f"route table {table} has routes to destinations the assembly does not hold; "
            f"none other goes to {block}",
        )
    return _fail(hops, f"route table {table} has no route to {block}{then}")


def _first(subnet: Subnet) -> int:
    assert subnet.cidr is not None
    return subnet.cidr.first


def _route_hop(route: Route, kind: str) -> Hop:
    prefix = "return: " if kind == "return-route" else ""
    return Hop(
        f"{prefix}route table {route.table.path}: {route.destination_text} -> {route.target}",
        kind=kind,
        path=route.table.path,
    )
