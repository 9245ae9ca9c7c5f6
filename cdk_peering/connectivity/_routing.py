"""The way from a subnet to a set of addresses and back, address by address.

A question's destination addresses are split by the source's route table (longest prefix),
each piece followed through its route's target into the subnet that holds it, and from
there the source's addresses are split by that subnet's route table for the way back; the
network ACLs of both subnets split them again by what they let through. Every piece ends
PASS, FAIL or UNKNOWN with the hops that led there and, when it does not pass, the reason.

AWS facts used here (VPC peering guide, VPC user guide, PrivateLink guide):

- Peering is not transitive: traffic through a connection goes only to an address inside
  the peer VPC's blocks, never on to a third VPC, a gateway or an endpoint of a gateway.
- A reply needs a route back through the same connection (no unicast reverse-path
  forwarding: a more specific route elsewhere takes the replies).
- Network ACLs are stateless: a request passes the source subnet's outbound rules and the
  destination subnet's inbound rules, its reply the destination's outbound and the
  source's inbound rules, to the client's ephemeral port (1024-65535). Traffic inside one
  subnet passes no network ACL.
- A route to a gateway (internet, NAT, egress-only, transit, virtual private, carrier,
  local), a network interface, an instance or a Gateway Load Balancer endpoint takes the
  traffic off the peering: this model does not follow it (transit gateways included).
- An interface endpoint admits what its security groups admit (none given: the VPC's
  default group, which admits only its own members); a rule that admits a security group
  matches members of that group, never an address, and never across Regions; its
  connection needs the service's acceptance when ``AcceptanceRequired``; the service's
  NLB forwards only its listeners' ports and, when
  ``EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`` is on, only what its security
  groups admit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..model.addresses import AddressSet
from ..model.ports import PORT_MAX, PORT_MIN
from ._cidr import Block, Cidr, Ipv6Symbol
from ._space import SYMBOLIC, SYMBOLIC_V6, V4, V6, Space
from ._tables import AclMap, Choice, Ports, RouteMap, destinations_of, same_way
from .model import (
    BLACKHOLE,
    EPHEMERAL_PORTS,
    GATEWAY,
    LOCAL,
    PEERING,
    AclEntry,
    Endpoint,
    NetworkAcl,
    Peering,
    Route,
    RouteTable,
    SecurityGroup,
    Subnet,
    Target,
    Vpc,
)
from .results import Hop, OneWayRoute

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
EPHEMERAL = AddressSet.span(*EPHEMERAL_PORTS)
VALID_PORTS = AddressSet.span(PORT_MIN, PORT_MAX)
_RANK = {FAIL: 2, UNKNOWN: 1, PASS: 0}


@dataclass(frozen=True)
class Step:
    """One check's verdict: its status, why (when it does not pass), and its hops."""

    status: str
    reason: str | None = None
    hops: tuple[Hop, ...] = ()


OK = Step(PASS)


def worst(steps: Iterable[Step]) -> Step:
    """Return the first failing step, else the first unknown one, else a pass with every hop."""
    found: Step | None = None
    hops: list[Hop] = []
    for step in steps:
        hops.extend(step.hops)
        if step.status != PASS and (found is None or _RANK[step.status] > _RANK[found.status]):
            found = step
    if found is None:
        return Step(PASS, None, tuple(hops))
    return found


@dataclass(frozen=True)
class Part:
    """Some destination addresses and how the question ends for them."""

    addresses: AddressSet
    status: str
    hops: tuple[Hop, ...]
    reason: str | None = None


@dataclass
class Survey:
    """Every peering route checked for its way back.

    The one-way routes, and per subnet pair that a peering route joins, ``"both ways"``,
    ``"one way"``, or ``"unknown"`` (the peering's acceptance or a route is unknown).
    """

    one_way: list[OneWayRoute] = field(default_factory=list)
    pairs: dict[tuple[Subnet, Subnet], str] = field(default_factory=dict)


class Router:
    """Answer routing questions over the model, with each table and ACL partitioned once."""

    def __init__(self, vpcs: Sequence[Vpc], space: Space) -> None:
        self.vpcs = vpcs
        self.space = space
        self._routes: dict[tuple[RouteTable, int], RouteMap] = {}
        self._acls: dict[tuple[NetworkAcl, bool, int], AclMap] = {}
        self._subnets: dict[tuple[Vpc, int], list[tuple[AddressSet, Subnet]]] = {}
        self._blocks: dict[tuple[Vpc, int], AddressSet] = {}
        self._trips: dict[tuple[object, ...], list[Part]] = {}
        self._backs: dict[tuple[object, ...], Step] = {}

    # --- the pieces, built once --------------------------------------------------------

    def route_map(self, table: RouteTable, family: int) -> RouteMap:
        """Return ``table``'s routes of ``family`` as a partition (built once)."""
        key = (table, family)
        found = self._routes.get(key)
        if found is None:
            found = self._routes[key] = RouteMap(table, family, self.space)
        return found

    def acl_map(self, acl: NetworkAcl, *, egress: bool, family: int) -> AclMap:
        """Return one direction of ``acl`` for ``family`` as a partition (built once)."""
        key = (acl, egress, family)
        found = self._acls.get(key)
        if found is None:
            found = self._acls[key] = AclMap(acl, egress=egress, family=family, space=self.space)
        return found

    def block(self, subnet: Subnet, family: int) -> AddressSet | None:
        """Return a subnet's addresses of ``family`` (None when it has none or they are unknown)."""
        block = subnet.cidr if family == V4 else subnet.ipv6
        return self.space.of(block) if block is not None else None

    def vpc_blocks(self, vpc: Vpc, family: int) -> AddressSet:
        """Return every known address of a VPC's blocks of ``family``."""
        key = (vpc, family)
        found = self._blocks.get(key)
        if found is None:
            blocks: list[Block] = [*vpc.cidrs] if family == V4 else [*vpc.ipv6]
            found = self._blocks[key] = AddressSet.union(
                each for each in (self.space.of(b) for b in blocks) if each is not None
            )
        return found

    def subnets_of(self, vpc: Vpc, family: int) -> list[tuple[AddressSet, Subnet]]:
        """Return a VPC's subnets with a block of ``family``, by address."""
        key = (vpc, family)
        found = self._subnets.get(key)
        if found is None:
            found = []
            for subnet in vpc.subnets:
                block = self.block(subnet, family)
                if block is not None:
                    found.append((block, subnet))
            found.sort(key=lambda item: item[0].first)
            self._subnets[key] = found
        return found

    def text(self, addresses: AddressSet, family: int) -> str:
        """Return addresses as a reader writes them (CIDR blocks, comma-separated)."""
        texts = [
            text.removesuffix("/32" if family == V4 else "/128")
            for text in self.space.texts(addresses, family)
        ]
        if len(texts) > 4:
            return ", ".join(texts[:3]) + f" and {len(texts) - 3} more blocks"
        return ", ".join(texts)

    # --- one subnet to some addresses and back -----------------------------------------

    def trip(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        destination: AddressSet,
        port: int | None,
        expect: Vpc | None,
    ) -> list[Part]:
        """Follow ``destination`` from ``origin`` (addresses of ``source``) and back.

        :param expect: the VPC the destination must be in, when the question names one.
        """
        key = (source, origin, family, destination, port, expect)
        found = self._trips.get(key)
        if found is None:
            found = self._trips[key] = self._trip(source, origin, family, destination, port, expect)
        return found

    def _trip(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        destination: AddressSet,
        port: int | None,
        expect: Vpc | None,
    ) -> list[Part]:
        own = self.block(source, family)
        whole = own is not None and origin == own
        where = "subnet" if whole else f"address {self.text(origin, family)} in subnet"
        shown = self.text(own, family) if own is not None else "block unknown"
        start = Hop(f"{where} {source.path} ({shown})", kind="subnet", path=source.path)
        parts: list[Part] = []
        if own is not None and (expect is None or expect is source.vpc):
            same = destination & own
            if same:
                note = Hop("same subnet: no route needed", kind="note")
                parts.append(Part(same, PASS, (start, note)))
                destination = destination - own
        if not destination:
            return parts
        table = source.route_table
        if table is None or source.vpc is None:
            why = f"the VPC and route table of subnet {source.path} are unknown"
            return [*parts, Part(destination, UNKNOWN, (start,), why)]
        for choice in self.route_map(table, family).choose(destination):
            parts.extend(self._forward(source, origin, family, choice, port, expect, start))
        return parts

    def _forward(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        choice: Choice,
        port: int | None,
        expect: Vpc | None,
        start: Hop,
    ) -> list[Part]:
        assert source.vpc is not None
        assert source.route_table is not None
        addresses, route, table = choice.addresses, choice.route, source.route_table.path
        shown = self.text(addresses, family)
        if choice.rivals:
            # Which route wins is unknown: follow each way; an address is decided only where
            # every way agrees.
            ways = [Choice(addresses, route, (), choice.entry)]
            ways += [Choice(addresses, rival) for rival in choice.rivals]
            rival = choice.rivals[0]
            if route is None:
                why = (
                    f"route table {table} has a route whose destination the assembly does not "
                    f"hold ({rival.path}: {rival.destination_text or rival.written}); no other "
                    f"route goes to {shown}"
                )
            else:
                why = (
                    f"route {rival.path} ({rival.destination_text or rival.written} -> "
                    f"{rival.target}) might take {shown} instead of "
                    f"{route.destination_text or route.written} -> {route.target}: "
                    f"{_rival_why(rival, route)}"
                )
            return _either(
                [
                    [Part(addresses, UNKNOWN, (start,), why)]
                    if way.route is not None and _crosses(way.route, addresses)
                    else self._forward(source, origin, family, way, port, expect, start)
                    for way in ways
                ],
                why,
            )
        if route is None:
            why = f"route table {table} has no route to {shown}"
            return [Part(addresses, FAIL, (start,), why)]
        hops: tuple[Hop, ...] = (start, self._route_hop(route, choice, "route"))
        target = route.target
        written = route.destination_text or route.written
        by = "" if written == shown else f" (its route to {written})"
        sends = f"route table {table} sends {shown} to {target}{by}"
        if target.kind == BLACKHOLE:
            return [Part(addresses, FAIL, hops, f"{sends}: a blackhole ({target.why})")]
        if target.kind == GATEWAY:
            also = " (transit gateways are not followed)" if "transit" in target.name else ""
            why = f"{sends}, which takes the traffic off the peering{also}"
            return [Part(addresses, FAIL, hops, why)]
        if target.kind == LOCAL:
            return self._within(
                source.vpc, source, origin, family, addresses, port, expect, hops, target
            )
        peering = target.peering
        if target.kind != PEERING or peering is None:
            why = f"{sends}, beyond which the model does not follow ({target.why})"
            return self._unsure(source, origin, family, addresses, port, hops, why)
        return self._peering(source, origin, family, addresses, port, expect, hops, peering, sends)

    def _peering(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        addresses: AddressSet,
        port: int | None,
        expect: Vpc | None,
        hops: tuple[Hop, ...],
        peering: Peering,
        sends: str,
    ) -> list[Part]:
        vpc = source.vpc
        assert vpc is not None
        if peering.accepted is False:
            why = (
                f"peering {peering.path} is never accepted ({peering.why}): routes through it "
                "are blackholes"
            )
            return [Part(addresses, FAIL, hops, why)]
        if peering.requester is None or peering.accepter is None:
            why = f"peering {peering.path}: {peering.why or 'one of its VPCs is unknown'}"
            return self._unsure(source, origin, family, addresses, port, hops, why)
        peer = peering.peer_of(vpc)
        if peer is None:
            why = (
                f"route table {hops[-1].path} sends {self.text(addresses, family)} to "
                f"{peering}, which does not connect {vpc.path}: a blackhole"
            )
            return [Part(addresses, FAIL, hops, why)]
        hops = (
            *hops,
            Hop(
                f"peering {peering.path} ({vpc.path} -> {peer.path})",
                kind="peering",
                path=peering.path,
            ),
        )
        pending = None
        if peering.accepted is None:
            pending = Step(UNKNOWN, f"peering {peering.path}: {peering.why}")
        inside = addresses & self.vpc_blocks(peer, family)
        parts: list[Part] = []
        outside = addresses - inside
        if outside:
            parts.append(self._beyond(peer, peering, family, outside, hops, sends))
        if inside:
            way = Target(PEERING, f"peering {peering.path}", peering=peering)
            parts.extend(
                self._within(peer, source, origin, family, inside, port, expect, hops, way, pending)
            )
        return parts

    def _beyond(
        self,
        peer: Vpc,
        peering: Peering,
        family: int,
        outside: AddressSet,
        hops: tuple[Hop, ...],
        sends: str,
    ) -> Part:
        shown = self.text(outside, family)
        if family == V6 and not peer.ipv6:
            why = (
                f"{sends}, but VPC {peer.path} has no IPv6 block: peering {peering.path} "
                "carries no IPv6 traffic to it"
            )
            return Part(outside, FAIL, hops, why)
        if family == V4 and peer.unknown:
            return Part(
                outside,
                UNKNOWN,
                hops,
                f"whether VPC {peer.path} holds {shown} is unknown: {peer.unknown[0]}",
            )
        other = self._holder(outside, family, skip=peer)
        there = f" (it is in VPC {other.path})" if other is not None else ""
        blocks = ", ".join(str(b) for b in (peer.cidrs if family == V4 else peer.ipv6))
        why = (
            f"{sends}, which leads to VPC {peer.path} ({blocks}), which does not hold "
            f"{shown}{there}: peering is not transitive"
        )
        return Part(outside, FAIL, hops, why)

    def _holder(self, addresses: AddressSet, family: int, skip: Vpc) -> Vpc | None:
        for vpc in self.vpcs:
            if vpc is not skip and self.vpc_blocks(vpc, family).overlaps(addresses):
                return vpc
        return None

    def _within(
        self,
        reached: Vpc,
        source: Subnet,
        origin: AddressSet,
        family: int,
        addresses: AddressSet,
        port: int | None,
        expect: Vpc | None,
        hops: tuple[Hop, ...],
        way: Target,
        pending: Step | None = None,
    ) -> list[Part]:
        """Deliver ``addresses`` inside ``reached`` to the subnets that hold them."""
        if expect is not None and reached is not expect:
            why = f"{hops[-1]} leads to VPC {reached.path}, not to {expect.path}" + (
                ": peering is not transitive" if reached is not source.vpc else ""
            )
            return [Part(addresses, FAIL, hops, why)]
        parts: list[Part] = []
        rest = addresses
        for block, subnet in self.subnets_of(reached, family):
            piece = rest & block
            if not piece:
                continue
            rest = rest - piece
            parts.extend(
                self._arrive(source, origin, family, subnet, piece, port, hops, way, pending)
            )
            if not rest:
                break
        if rest:
            shown = self.text(rest, family)
            if any(
                (s.unknown if family == V4 else s.ipv6_unknown) is not None for s in reached.subnets
            ):
                why = f"whether a subnet of VPC {reached.path} holds {shown} is unknown"
                parts.append(Part(rest, UNKNOWN, hops, why))
            else:
                why = f"no subnet of VPC {reached.path} holds {shown}"
                parts.append(Part(rest, FAIL, hops, why))
        return parts

    def _arrive(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        subnet: Subnet,
        addresses: AddressSet,
        port: int | None,
        hops: tuple[Hop, ...],
        way: Target,
        pending: Step | None,
    ) -> list[Part]:
        """Check the destination subnet's way back and both subnets' network ACLs."""
        block = self.block(subnet, family)
        shown = self.text(block, family) if block is not None else "block unknown"
        there = (*hops, Hop(f"subnet {subnet.path} ({shown})", kind="subnet", path=subnet.path))
        back = self.back(subnet, origin, family, way)
        parts: list[Part] = []
        for piece, request, reply in self.acls(source, subnet, addresses, origin, family, port):
            steps = [pending or OK, request, back, reply]
            verdict = worst(steps)
            parts.append(Part(piece, verdict.status, (*there, *verdict.hops), verdict.reason))
        return parts

    def back(self, subnet: Subnet, origin: AddressSet, family: int, way: Target) -> Step:
        """Check that ``subnet`` routes replies to every address of ``origin`` the same way."""
        key = (subnet, origin, family, way.peering or way.kind)
        found = self._backs.get(key)
        if found is None:
            found = self._backs[key] = self._back(subnet, origin, family, way)
        return found

    def _back(self, subnet: Subnet, origin: AddressSet, family: int, way: Target) -> Step:
        table = subnet.route_table
        if table is None:
            return Step(UNKNOWN, f"the route table of subnet {subnet.path} is unknown")
        back = f"back through {way}" if way.kind != LOCAL else "locally"
        hops: list[Hop] = []
        steps: list[Step] = []
        for choice in self.route_map(table, family).choose(origin):
            shown = self.text(choice.addresses, family)
            route = choice.route
            if choice.rivals:
                # Which route wins is unknown: the replies surely return (or surely do not)
                # only when every candidate route agrees.
                candidates = [*choice.rivals, *([route] if route is not None else [])]
                back_ways = {
                    None if _crosses(r, choice.addresses) else _back_way(r.target, way)
                    for r in candidates
                }
                if route is None:
                    back_ways.add(False)
                if back_ways == {True}:
                    hops.append(self._route_hop(candidates[-1], choice, "return-route"))
                    continue
                rival = choice.rivals[0]
                status = FAIL if back_ways == {False} else UNKNOWN
                why = (
                    f"route {rival.path} ({rival.destination_text or rival.written} -> "
                    f"{rival.target}) might take replies to {shown} instead: "
                    + (
                        _rival_why(rival, route)
                        if route is not None
                        else "it is the only candidate"
                    )
                )
                if status == FAIL:
                    why = (
                        f"route table {table.path} sends replies to {shown} another way than "
                        f"{back}, whichever of its routes wins: replies cannot return"
                    )
                steps.append(Step(status, why))
                continue
            if route is None:
                steps.append(
                    Step(
                        FAIL,
                        f"route table {table.path} has no route to {shown}: replies cannot return",
                    )
                )
                continue
            hop = self._route_hop(route, choice, "return-route")
            hops.append(hop)
            returns = _back_way(route.target, way)
            if returns is None:
                steps.append(
                    Step(
                        UNKNOWN,
                        f"route table {table.path} sends replies to {shown} to {route.target}, "
                        f"which may or may not be {way}: "
                        f"{route.target.why or 'its ends are unknown'}",
                        (hop,),
                    )
                )
            elif not returns:
                steps.append(
                    Step(
                        FAIL,
                        f"route table {table.path} sends replies to {shown} to {route.target}, "
                        f"not {back}: replies cannot return",
                        (hop,),
                    )
                )
        verdict = worst(steps)
        if verdict.status == PASS:
            return Step(PASS, None, tuple(hops))
        return verdict

    def _unsure(
        self,
        source: Subnet,
        origin: AddressSet,
        family: int,
        addresses: AddressSet,
        port: int | None,
        hops: tuple[Hop, ...],
        why: str,
    ) -> list[Part]:
        """Parts whose way is unknown: FAIL only where the source's own ACL stops them."""
        acl = source.network_acl
        if acl is None:
            return [Part(addresses, UNKNOWN, hops, why)]
        unknown = Step(UNKNOWN, why)
        egress = self.acl_map(acl, egress=True, family=family)
        ingress = self.acl_map(acl, egress=False, family=family)
        parts: list[Part] = []
        for sent in egress.ports(addresses):
            request = self._request(egress, None, source, None, sent, [], family, port)
            for heard in ingress.ports(sent.addresses):
                reply = self._reply(ingress, source, heard, family, "from")
                verdict = worst([request, reply, unknown])
                parts.append(
                    Part(heard.addresses, verdict.status, (*hops, *verdict.hops), verdict.reason)
                )
        return parts

    # --- network ACLs ------------------------------------------------------------------

    def acls(
        self,
        source: Subnet,
        destination: Subnet,
        addresses: AddressSet,
        origin: AddressSet,
        family: int,
        port: int | None,
    ) -> list[tuple[AddressSet, Step, Step]]:
        """Split ``addresses`` by what both subnets' ACLs do to the request and the reply.

        Returns each piece with the request's verdict and the reply's.
        """
        source_acl, destination_acl = source.network_acl, destination.network_acl
        if source_acl is None or destination_acl is None:
            why = f"the network ACL of subnet {source.path} or {destination.path} is unknown"
            return [(addresses, Step(UNKNOWN, why), OK)]
        egress = self.acl_map(source_acl, egress=True, family=family)
        ingress = self.acl_map(destination_acl, egress=False, family=family)
        replies = self.acl_map(destination_acl, egress=True, family=family)
        heard = self.acl_map(source_acl, egress=False, family=family)
        if egress.allows_all and ingress.allows_all and replies.allows_all and heard.allows_all:
            return [(addresses, OK, OK)]
        admitted = ingress.ports(origin)
        answered = worst(
            self._reply(replies, destination, piece, family, "to")
            for piece in replies.ports(origin)
        )
        result: list[tuple[AddressSet, Step, Step]] = []
        for sent in egress.ports(addresses):
            request = self._request(
                egress, ingress, source, destination, sent, admitted, family, port
            )
            for back in heard.ports(sent.addresses):
                reply = worst([answered, self._reply(heard, source, back, family, "from")])
                result.append((back.addresses, request, reply))
        return result

    def _request(
        self,
        egress: AclMap,
        ingress: AclMap | None,
        source: Subnet,
        destination: Subnet | None,
        sent: Ports,
        admitted: Sequence[Ports],
        family: int,
        port: int | None,
    ) -> Step:
        """Check a request on ``port`` (None: on some port both ACLs let through)."""
        wanted = AddressSet.span(port, port) if port is not None else VALID_PORTS
        out_sure, out_maybe = sent.allowed & wanted, (sent.allowed | sent.unknown) & wanted
        steps: list[Step] = []
        if port is not None or not out_maybe:
            status = _covered(sent.allowed, sent.unknown, wanted) if port is not None else FAIL
            steps.append(self._denied(status, egress, source, "to", sent, port, family))
        if ingress is None or destination is None or (port is None and not out_maybe):
            return worst(steps)
        for each in admitted:
            if port is not None:
                status = _covered(each.allowed, each.unknown, wanted)
                steps.append(self._denied(status, ingress, destination, "from", each, port, family))
                continue
            in_sure, in_maybe = each.allowed & wanted, (each.allowed | each.unknown) & wanted
            if not in_maybe:
                steps.append(self._denied(FAIL, ingress, destination, "from", each, None, family))
            elif not out_sure.overlaps(in_sure):
                status = UNKNOWN if out_maybe.overlaps(in_maybe) else FAIL
                why = (
                    f"no TCP port that network ACL {egress.acl.path} of subnet {source.path} "
                    f"lets out to {self.text(sent.addresses, family)} is "
                    f"{'surely ' if status == UNKNOWN else ''}let in by network ACL "
                    f"{ingress.acl.path} of subnet {destination.path} from "
                    f"{self.text(each.addresses, family)}"
                )
                vague = [acl.acl for acl in (egress, ingress) if acl.acl.external]
                if vague:
                    why += f" (network ACL {vague[0].path}: {_rule(None, vague[0])})"
                hop = Hop(why, kind="network-acl", path=ingress.acl.path)
                steps.append(Step(status, why, (hop,)))
        return worst(steps)

    def _denied(
        self,
        status: str,
        acl: AclMap,
        subnet: Subnet,
        direction: str,
        ports: Ports,
        port: int | None,
        family: int,
    ) -> Step:
        """Say that ``acl`` stops a request to (or from) ``ports.addresses`` on ``port``."""
        if status == PASS:
            return OK
        shown = self.text(ports.addresses, family)
        if port is None:
            entry = acl.deciding(ports.addresses.first, 1)
            on = "on every TCP port"
        else:
            entry = acl.deciding(ports.addresses.first, port)
            on = f"on port {port}"
        verb = "denies" if status == FAIL else "may deny"
        why = (
            f"network ACL {acl.acl.path} of subnet {subnet.path} {verb} traffic {direction} "
            f"{shown} {on} ({_rule(entry, acl.acl)})"
        )
        return Step(status, why, (Hop(why, kind="network-acl", path=acl.acl.path),))

    def _reply(self, acl: AclMap, subnet: Subnet, ports: Ports, family: int, way: str) -> Step:
        """Check that ``acl`` lets replies to (or from) ``ports.addresses`` through."""
        if acl.allows_all:
            return OK
        status = _covered(ports.allowed, ports.unknown, EPHEMERAL)
        if status == PASS:
            return OK
        blocked = EPHEMERAL - ports.allowed
        low, high = blocked.intervals[0]
        entry = acl.deciding(ports.addresses.first, low)
        shown = f"{low}-{high}" if low != high else str(low)
        verb = "denies" if status == FAIL else "may deny"
        why = (
            f"network ACL {acl.acl.path} of subnet {subnet.path} {verb} replies {way} "
            f"{self.text(ports.addresses, family)} on ephemeral ports {shown} "
            f"({_rule(entry, acl.acl)})"
        )
        return Step(status, why, (Hop(why, kind="network-acl", path=acl.acl.path),))

    # --- hops ----------------------------------------------------------------------------

    def _route_hop(self, route: Route, choice: Choice, kind: str) -> Hop:
        prefix = "return: " if kind == "return-route" else ""
        destination = route.destination_text
        if route.prefix_list is not None:
            entry = f", entry {choice.entry}" if choice.entry is not None else ""
            destination = f"{route.prefix_list}{entry}"
        return Hop(
            f"{prefix}route table {route.table.path}: {destination} -> {route.target}",
            kind=kind,
            path=route.table.path,
        )

    # --- PrivateLink -------------------------------------------------------------------

    def admitted(
        self,
        groups: list[SecurityGroup] | None,
        origin: AddressSet,
        family: int,
        port: int,
        what: str,
        source: Vpc | None,
        vague: Sequence[str] = (),
    ) -> Step:
        """Check that security groups admit every address of ``origin`` on TCP ``port``.

        :param vague: security groups the assembly does not hold (their rules are unknown).
        """
        shown = self.text(origin, family)
        if not groups and not vague:
            return Step(
                FAIL,
                f"{what} has no security group of its own: the VPC's default group admits only "
                f"its own members, not {shown}",
            )
        groups = groups or []
        admitted = AddressSet()
        maybe = AddressSet()
        unknown = [f"its security group {each} is not in the assembly" for each in vague]
        by_group: list[str] = []
        for group in groups:
            if group.external:
                unknown.append(
                    f"security group {group.path} is imported by id: its rules are unknown"
                )
            for rule in group.rules:
                if not rule.covers_port(port):
                    continue
                if rule.cidr is not None:
                    if (rule.cidr.version == V4) == (family == V4):
                        block = self.space.of(rule.cidr)
                        admitted = admitted | (block or AddressSet())
                        if family == V6 and rule.cidr.prefix > 0:
                            # Whether it holds addresses AWS assigns is unknown.
                            maybe = maybe | SYMBOLIC_V6
                elif rule.prefix_list is not None:
                    entries = rule.prefix_list.entries
                    if entries is None:
                        unknown.append(
                            f"rule {rule.path or group.path} admits {rule.prefix_list}, whose "
                            "entries are unknown"
                        )
                    else:
                        for entry in entries:
                            if (entry.version == V4) == (family == V4):
                                admitted = admitted | (self.space.of(entry) or AddressSet())
                elif rule.group is not None:
                    # A security group's members are in its own Region: a source in another
                    # Region (over an inter-Region peering) is never one, and a rule cannot
                    # name a group of another Region than its own.
                    region = rule.group.vpc.region if rule.group.vpc else None
                    if _apart(rule.group.vpc, source, group.vpc):
                        by_group.append(f"{rule.group.path} (Region {region})")
                        continue
                    unknown.append(
                        f"rule {rule.path or group.path} of security group {group.path} admits "
                        f"members of security group {rule.group.path}, which an address cannot "
                        "be judged to be"
                    )
                elif rule.unknown:
                    unknown.append(
                        f"security group {group.path} has a rule whose source is {rule.unknown}"
                    )
        if admitted.covers(origin):
            names = ", ".join(g.path for g in groups)
            hop = Hop(
                f"security group {names} admits {shown} on port {port}",
                kind="security-group",
                path=groups[0].path,
            )
            return Step(PASS, None, (hop,))
        missing = self.text(origin - admitted, family)
        if (origin - admitted).overlaps(maybe) and not unknown:
            unknown.append("a rule's literal IPv6 block may or may not hold addresses AWS assigns")
        if unknown:
            return Step(
                UNKNOWN, f"whether {what} admits {missing} on port {port} is unknown: {unknown[0]}"
            )
        names = ", ".join(group.path for group in groups)
        also = (
            f" (it admits members of {', '.join(by_group)}, in another Region than the "
            "source or the rule, which never match)"
            if by_group
            else ""
        )
        why = f"security group {names} of {what} does not admit {missing} on port {port}{also}"
        hop = Hop(why, kind="security-group", path=groups[0].path)
        return Step(FAIL, why, (hop,))

    def endpoint_checks(
        self,
        endpoint: Endpoint,
        origin: AddressSet,
        family: int,
        port: int | None,
        source: Vpc | None,
    ) -> Step:
        """Check what an endpoint's connection needs beyond routes: groups, acceptance, port."""
        hop = Hop(
            f"endpoint {endpoint.path} (in VPC {endpoint.vpc.path if endpoint.vpc else 'unknown'})",
            kind="endpoint",
            path=endpoint.path,
        )
        steps = [Step(PASS, None, (hop,))]
        if port is not None:
            steps.append(
                self.admitted(
                    endpoint.groups,
                    origin,
                    family,
                    port,
                    f"endpoint {endpoint.path}",
                    source,
                    endpoint.unknown_groups,
                )
            )
        steps.append(self._accepted(endpoint))
        if port is not None and endpoint.service is not None:
            for balancer in endpoint.service.load_balancers:
                if port in balancer.ports:
                    steps.append(
                        Step(
                            PASS,
                            None,
                            (
                                Hop(
                                    f"load balancer {balancer.path} listens on port {port}",
                                    kind="listener",
                                    path=balancer.path,
                                ),
                            ),
                        )
                    )
                elif balancer.unknown_ports:
                    steps.append(
                        Step(
                            UNKNOWN,
                            f"the ports of load balancer {balancer.path}'s listeners are unknown",
                        )
                    )
                    continue
                else:
                    ports = ", ".join(str(p) for p in sorted(balancer.ports)) or "none"
                    steps.append(
                        Step(
                            FAIL,
                            f"load balancer {balancer.path} of endpoint service "
                            f"{endpoint.service.path} has no listener on port {port} (listeners: "
                            f"{ports})",
                        )
                    )
                    continue
                if balancer.groups and balancer.enforce_on_privatelink:
                    steps.append(
                        self.admitted(
                            balancer.groups,
                            origin,
                            family,
                            port,
                            f"load balancer {balancer.path} "
                            "(EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic is on)",
                            source,
                        )
                    )
        return worst(steps)

    def _accepted(self, endpoint: Endpoint) -> Step:
        service = endpoint.service
        if endpoint.state is not None and endpoint.state.lower() != "available":
            return Step(
                FAIL,
                f"endpoint {endpoint.path} is {endpoint.state}, not available: its connection "
                "carries no traffic",
            )
        if endpoint.aws_service:
            return Step(
                PASS,
                None,
                (
                    Hop(
                        f"AWS service {endpoint.service_name}: no acceptance needed",
                        kind="acceptance",
                    ),
                ),
            )
        if service is None:
            return Step(
                UNKNOWN,
                f"whether the connection of endpoint {endpoint.path} is accepted is unknown: "
                f"{endpoint.unknown}",
            )
        if not service.acceptance_required:
            hop = Hop(
                f"endpoint service {service.path} accepts connections without approval",
                kind="acceptance",
                path=service.path,
            )
            return Step(PASS, None, (hop,))
        acceptor = service.accepted.get(endpoint)
        if acceptor is None:
            return Step(
                FAIL,
                f"endpoint {endpoint.path}'s connection to endpoint service {service.path} is "
                "never accepted: the service requires acceptance (AcceptanceRequired) and no "
                "stack of the assembly accepts it",
            )
        hop = Hop(
            f"endpoint service {service.path}: connection accepted by {acceptor}",
            kind="acceptance",
            path=acceptor,
        )
        return Step(PASS, None, (hop,))

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
                if peering is None:
                    continue
                peer = peering.peer_of(vpc)
                if peer is None or peer.external or peering.usable is False:
                    continue
                for family in (V4, V6):
                    unanswered = self._unanswered(table, route, family, peering, peer, result)
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
        self,
        table: RouteTable,
        route: Route,
        family: int,
        peering: Peering,
        peer: Vpc,
        result: Survey,
    ) -> list[str]:
        blocks = [
            found
            for block in destinations_of(route, family)
            if block is not None and (found := self.space.of(block)) is not None
        ]
        if not blocks:
            return []
        routes = self.route_map(table, family)
        served = AddressSet.union(
            choice.addresses
            for choice in routes.choose(AddressSet.union(blocks))
            if choice.route is route and not choice.rivals
        )
        unanswered: list[str] = []
        sources = [(s, b) for s in table.subnets if (b := self.block(s, family)) is not None]
        for block, destination in self.subnets_of(peer, family):
            if not block.overlaps(served):
                continue
            back_table = destination.route_table
            if back_table is None:
                continue
            back = self.route_map(back_table, family)
            answered = True
            for source, origin in sources:
                bad = vague = False
                for choice in back.choose(origin):
                    returns = (
                        _back_way(choice.route.target, _route_target(peering))
                        if choice.route is not None
                        else False
                    )
                    if choice.rivals or returns is None:
                        vague = True  # unknown: neither one way nor both
                    elif not returns:
                        bad = True
                answered = answered and not bad
                if family == V4:
                    state = "one way" if bad else "unknown" if vague else "both ways"
                    if peering.usable is None and state == "both ways":
                        state = "unknown"
                    result.pairs[(source, destination)] = state
            if not answered:
                unanswered.append(destination.path)
        return unanswered


def _route_target(peering: Peering) -> Target:
    return Target(PEERING, f"peering {peering.path}", peering=peering)


def _back_way(target: Target, way: Target) -> bool | None:
    """Tell whether replies to ``target`` go back ``way``; None when a token decides it.

    A route to a connection the assembly does not resolve (a token, an id of a connection
    whose VPCs are unknown) may be the forward connection, or not.
    """
    if same_way(target, way):
        return True
    if way.kind != PEERING:
        return False
    if target.kind == UNKNOWN:
        return None
    other = target.peering
    if other is not None and (other.requester is None or other.accepter is None):
        return None
    return False


def _crosses(route: Route, addresses: AddressSet) -> bool:
    """Tell whether ``route`` rivals only because literal and AWS-assigned blocks meet.

    Where it leads for these addresses the model cannot follow: the literal address might
    lie in the AWS-assigned block, or not.
    """
    symbolic = isinstance(route.destination, Ipv6Symbol)
    literal_v6 = isinstance(route.destination, Cidr) and route.destination.version == V6
    return bool(addresses) and (
        (symbolic and addresses.first < SYMBOLIC) or (literal_v6 and addresses.first >= SYMBOLIC)
    )


def _either(ways: Sequence[Sequence[Part]], why: str) -> list[Part]:
    """Combine the parts each possible way gives.

    An address passes (or fails) only when it passes (or fails) every way; else it is
    unknown, for ``why``.
    """
    passed = [AddressSet.union(p.addresses for p in way if p.status == PASS) for way in ways]
    failed = [AddressSet.union(p.addresses for p in way if p.status == FAIL) for way in ways]
    surely_passed, surely_failed = passed[0], failed[0]
    for each in passed[1:]:
        surely_passed = surely_passed & each
    for each in failed[1:]:
        surely_failed = surely_failed & each
    parts: list[Part] = []
    for part in ways[0]:
        kept = (
            surely_passed if part.status == PASS else surely_failed if part.status == FAIL else None
        )
        if kept is not None and (sure := part.addresses & kept):
            parts.append(Part(sure, part.status, part.hops, part.reason))
            rest = part.addresses - sure
        else:
            rest = part.addresses
        if rest:
            parts.append(Part(rest, UNKNOWN, part.hops, why))
    return parts


def _apart(member: Vpc | None, *others: Vpc | None) -> bool:
    """Tell whether ``member``'s Region surely differs from another VPC's.

    Regions are known for pinned stacks only; an environment-agnostic stack may deploy
    anywhere, so it is apart from nothing.
    """
    if member is None or member.region is None:
        return False
    return any(o is not None and o.region is not None and o.region != member.region for o in others)


def _rival_why(rival: Route, winner: Route) -> str:
    if rival.maybe is not None:
        return rival.maybe
    if rival.destination is None and rival.prefix_list is None:
        return (
            f"its destination ({rival.written}) is not in the assembly and could be more specific"
        )
    if rival.prefix_list is not None and rival.prefix_list.entries is None:
        return f"the entries of {rival.prefix_list} are not in the assembly"
    if block_kind(rival) != block_kind(winner):
        return (
            "whether an IPv6 block written in the template overlaps a block AWS assigns at "
            "deploy time is unknown"
        )
    return "the two routes are equally specific and go different ways"


def block_kind(route: Route) -> str:
    """Return ``symbolic`` for a route to an AWS-assigned IPv6 block, else ``literal``."""
    return "symbolic" if isinstance(route.destination, Ipv6Symbol) else "literal"


def _covered(allowed: AddressSet, unknown: AddressSet, wanted: AddressSet) -> str:
    """PASS when ``allowed`` holds every wanted port; FAIL when some is surely denied."""
    if allowed.covers(wanted):
        return PASS
    if (allowed | unknown).covers(wanted):
        return UNKNOWN
    return FAIL


def _rule(entry: AclEntry | None, acl: NetworkAcl) -> str:
    if acl.external:
        return "its entries are not in the assembly"
    if entry is None:
        return "no rule allows it: the final * rule denies"
    if entry.unknown is not None:
        return f"{entry}, whose {entry.unknown.removeprefix('its ')}"
    return str(entry)
