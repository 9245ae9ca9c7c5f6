"""``Network``: the model of a cloud assembly, and the questions it answers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from ._assembly import read_assembly
from ._build import Built, build, dns_name
from ._cidr import Cidr, looks_like_ipv4, parse_cidr
from ._routing import Outcome, Router, Survey
from .errors import ConnectivityError, ambiguous, not_found
from .model import (
    Endpoint,
    EndpointService,
    HostedZone,
    LoadBalancer,
    Peering,
    Record,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)
from .results import Hop, OneWayRoute, Reachability

_DNS_NAME = re.compile(
    r"^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)+[a-z0-9_-]+\.?$", re.IGNORECASE
)
_MAX_ALIASES = 8

Place = Vpc | Subnet | Endpoint
_KINDS = {Vpc: "VPC", Subnet: "subnet", Endpoint: "endpoint"}


class Network:
    """The network a cloud assembly describes, read from its JSON alone.

    Build one with ``Network.from_assembly(app.synth())`` or
    ``Network.from_assembly("cdk.out")``; then ask ``reachability(...)`` and
    ``one_way_routes()``. Objects are named by the construct path users see: a VPC
    ``Stack/Vpc``, a subnet ``Stack/Vpc/IsolatedSubnet1``, a route table
    ``Stack/Vpc/IsolatedSubnet1/RouteTable``; a VPC the app imports by id is named by
    its id and marked external. What a token hides is listed in ``unknowns``, never
    guessed.
    """

    def __init__(self, built: Built, *, directory: Path | None = None) -> None:
        """Wrap a built model; use ``from_assembly`` instead.

        :param built: the model's objects.
        :param directory: the cloud assembly read. Default: - none
        """
        self.directory = directory
        self._built = built
        self._router = Router(built.vpcs)

    @classmethod
    def from_assembly(cls, source: object) -> Network:
        """Read a cloud assembly: every stack of every account and region.

        Nested stacks and stages are read too.

        :param source: what ``app.synth()`` returns (a ``cx_api.CloudAssembly``), or the
            path of a cloud assembly directory (``cdk.out``).
        :raises ConnectivityError: when ``source`` is no cloud assembly.
        """
        assembly = read_assembly(source)
        return cls(build(assembly), directory=assembly.directory)

    # --- the model --------------------------------------------------------------------------

    @property
    def vpcs(self) -> tuple[Vpc, ...]:
        """Return every VPC (imported ones by id, marked ``external``)."""
        return tuple(self._built.vpcs)

    @property
    def subnets(self) -> tuple[Subnet, ...]:
        """Return every subnet."""
        return tuple(self._built.subnets)

    @property
    def route_tables(self) -> tuple[RouteTable, ...]:
        """Return every route table, the VPCs' main tables included."""
        return tuple(self._built.tables)

    @property
    def peerings(self) -> tuple[Peering, ...]:
        """Return every peering connection."""
        return tuple(self._built.peerings)

    @property
    def security_groups(self) -> tuple[SecurityGroup, ...]:
        """Return every security group."""
        return tuple(self._built.groups)

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        """Return every VPC endpoint."""
        return tuple(self._built.endpoints)

    @property
    def endpoint_services(self) -> tuple[EndpointService, ...]:
        """Return every endpoint service."""
        return tuple(self._built.services)

    @property
    def load_balancers(self) -> tuple[LoadBalancer, ...]:
        """Return every load balancer."""
        return tuple(self._built.load_balancers)

    @property
    def hosted_zones(self) -> tuple[HostedZone, ...]:
        """Return every Route 53 hosted zone."""
        return tuple(self._built.zones)

    @property
    def unknowns(self) -> tuple[str, ...]:
        """Return, readably, every value the assembly does not hold and the model needed."""
        return tuple(self._built.unknowns)

    @cached_property
    def _names(self) -> dict[str, list[Place]]:
        names: dict[str, list[Place]] = {}
        places: list[Place] = [*self._built.vpcs, *self._built.subnets]
        places += [e for e in self._built.endpoints if e.kind == "Interface"]
        for place in places:
            names.setdefault(place.path, []).append(place)
        for alias, things in self._built.aliases.items():
            for thing in things:
                if isinstance(thing, Vpc | Subnet | Endpoint) and thing not in names.get(alias, []):
                    names.setdefault(alias, []).append(thing)
        return names

    def find(self, name: str) -> Place:
        """Return the VPC, subnet or interface endpoint ``name`` names.

        :param name: a construct path (the L2's, ``Stack/Vpc/IsolatedSubnet1``, or the L1's,
            ``Stack/Vpc/IsolatedSubnet1/Subnet``) or an imported VPC's id.
        :raises PathError: when it names nothing or several things (the closest names
            are in the message).
        """
        key = name.strip().strip("/")
        found = self._names.get(key, [])
        if len(found) == 1:
            return found[0]
        if not found:
            shown = [p.path for places in self._names.values() for p in places]
            raise not_found("subnet, VPC or endpoint", name, shown)
        raise ambiguous(name, [f"{_KINDS[type(place)]} {place.path}" for place in found])

    # --- reachability -------------------------------------------------------------------------

    def reachability(
        self, source: str, destination: str, *, port: int | None = None
    ) -> Reachability:
        """Tell whether ``source`` reaches ``destination`` (and hears back), offline.

        Routes are checked both ways with longest-prefix match; peering is never
        transitive. With ``port``, the destination's security groups (of an interface
        endpoint, and of the endpoint service's load balancer when it enforces them on
        PrivateLink traffic) must admit the source on that TCP port, and the service must
        listen on it; a plain subnet or address has no security group to check.
        Questions are IPv4 only (``one_way_routes`` covers IPv6 too).

        :param source: a subnet or VPC path (a VPC means every subnet of it), or an IPv4
            address of a subnet.
        :param destination: a subnet, VPC or interface endpoint path, an IPv4 address or
            CIDR block, or a DNS name resolved through the private hosted zones associated
            with the source's VPC.
        :param port: a TCP port. Default: - no port: security groups are not checked
        :raises ConnectivityError: for a malformed address; ``PathError`` for a path that
            names nothing or several things.
        """
        if port is not None and not (isinstance(port, int) and 0 <= port <= 65535):
            raise ConnectivityError(f"port {port!r} is not a TCP port (0-65535)")
        sources = self._sources(source)
        outcomes: list[Outcome] = []
        for each in sources:
            if isinstance(each, str):
                outcomes.append(Outcome(False, [], each, unknown=True))
            else:
                outcomes.extend(self._towards(*each, destination, port))
        return _verdict(source, destination, port, outcomes)

    def _sources(self, source: str) -> list[tuple[Subnet, Cidr] | str]:
        """Return each source subnet and address block, or why one is unknown."""
        if looks_like_ipv4(_ipv4_only(source, "source")):
            block = _address(source, "source")
            if block.prefix != 32:
                raise ConnectivityError(
                    f"source {source!r} is a block: give one address, a subnet or a VPC"
                )
            holders = [
                s for s in self._built.subnets if s.cidr is not None and s.cidr.contains(block)
            ]
            if not holders:
                raise ConnectivityError(f"source {source} is in no subnet of the assembly")
            if len(holders) > 1:
                raise ambiguous(source, [s.path for s in holders])
            return [(holders[0], block)]
        place = self.find(source)
        if isinstance(place, Endpoint):
            raise ConnectivityError(
                f"source {source!r} is an endpoint: give a subnet, a VPC or an address"
            )
        subnets = place.subnets if isinstance(place, Vpc) else [place]
        if not subnets:
            why = (
                place.unknown[0]
                if isinstance(place, Vpc) and place.unknown
                else "it has no subnets"
            )
            return [f"VPC {place.path} sends nothing: {why}"]
        return [
            (subnet, subnet.cidr)
            if subnet.cidr is not None
            else f"the block of subnet {subnet.path} is unknown: {subnet.unknown}"
            for subnet in subnets
        ]

    def _towards(
        self, subnet: Subnet, origin: Cidr, destination: str, port: int | None
    ) -> list[Outcome]:
        text = _ipv4_only(destination.strip(), "destination")
        if looks_like_ipv4(text):
            return [self._router.path(subnet, origin, _address(text, "destination"), None)]
        if text.strip("/") in self._names or "/" in text or not _DNS_NAME.match(text):
            place = self.find(text)
            if isinstance(place, Endpoint):
                return [self._router.endpoint(subnet, origin, place, port)]
            targets = place.subnets if isinstance(place, Vpc) else [place]
            if not targets:
                return [
                    Outcome(
                        False,
                        [],
                        f"VPC {place.path} has no subnets the assembly knows",
                        unknown=isinstance(place, Vpc) and bool(place.unknown),
                    )
                ]
            return [
                self._router.path(subnet, origin, target.cidr, target)
                if target.cidr is not None
                else Outcome(
                    False, [], f"the block of subnet {target.path} is unknown", unknown=True
                )
                for target in targets
            ]
        return [self._by_name(subnet, origin, text, port)]

    # --- DNS ------------------------------------------------------------------------------------

    def _by_name(self, subnet: Subnet, origin: Cidr, name: str, port: int | None) -> Outcome:
        hops: list[Hop] = []
        wanted = dns_name(name)
        for _ in range(_MAX_ALIASES):
            record, failed = self._resolve(subnet, wanted, hops)
            if failed is not None:
                return failed
            assert record is not None
            if record.canonical is None:
                break
            wanted = record.canonical
        else:
            return Outcome(
                False, hops, f"{name} goes through more than {_MAX_ALIASES} CNAME records"
            )
        if record.endpoint is not None:
            outcome = self._router.endpoint(subnet, origin, record.endpoint, port)
        elif record.addresses:
            outcome = Outcome(True, [])
            for address in record.addresses:
                outcome = self._router.path(subnet, origin, address, None)
                if not outcome.ok:
                    break
        else:
            return Outcome(
                False, hops, f"record {record.path} for {wanted}: {record.unknown}", unknown=True
            )
        return Outcome(outcome.ok, hops + outcome.hops, outcome.reason, outcome.unknown)

    def _resolve(
        self, subnet: Subnet, name: str, hops: list[Hop]
    ) -> tuple[Record | None, Outcome | None]:
        vpc = subnet.vpc
        assert vpc is not None
        zones = [z for z in self._built.zones if _within(name, z.name)]
        associated = [z for z in zones if vpc in z.vpcs]
        if not associated:
            vague = [z for z in zones if z.unknown_vpcs]
            if vague:
                reason = (
                    f"whether {name} resolves from VPC {vpc.path} is unknown: zone "
                    f"{vague[0].path} is associated with {vague[0].unknown_vpcs[0]}"
                )
                return None, Outcome(False, hops, reason, unknown=True)
            return None, Outcome(
                False,
                hops,
                f"{name} is not resolvable from VPC {vpc.path}: no private hosted zone for it "
                f"is associated with {vpc.path}",
            )
        zone = max(associated, key=lambda z: len(z.name))
        records = [r for r in zone.records if r.name == name and r.type in ("A", "AAAA", "CNAME")]
        records = records or [
            r
            for r in zone.records
            if r.name.startswith("*.") and _within(name, r.name[2:]) and r.type in ("A", "CNAME")
        ]
        if not records:
            return None, Outcome(
                False,
                hops,
                f"{name} has no record in private hosted zone {zone.path} ({zone.name}), which "
                f"VPC {vpc.path} resolves through",
            )
        record = next((r for r in records if r.type == "A"), records[0])
        by = zone.associated_by.get(vpc)
        via = f" by {by}" if by else ""
        goes = (
            f"alias to endpoint {record.endpoint.path}"
            if record.endpoint
            else (
                f"CNAME {record.canonical}"
                if record.canonical
                else ", ".join(str(a) for a in record.addresses) or "unknown"
            )
        )
        hops.append(
            Hop(
                f"dns {name}: private hosted zone {zone.path} (associated with "
                f"{vpc.path}{via}), record {record.type} -> {goes}",
                kind="dns",
                path=zone.path,
            )
        )
        return record, None

    # --- one-way routes and the matrix ---------------------------------------------------

    @cached_property
    def _survey(self) -> Survey:
        return self._router.survey(self._built.tables)

    def one_way_routes(self) -> list[OneWayRoute]:
        """Return every route into a peered VPC that its destinations do not answer.

        A route is one-way when some of its destination subnets do not route back through
        the same peering (IPv4 and IPv6).

        For each route through a peering in table T (of VPC A), the destination subnets
        are the subnets of the peer VPC whose block overlaps the route's destination (and
        that the route serves: no more specific route in T takes them); each whose route
        table does not route every subnet associated with T back through the same
        peering (longest-prefix match) is ``unanswered``. A table with no subnets has
        nothing to answer.
        """
        return list(self._survey.one_way)

    def matrix(self, *, by: str = "vpc") -> dict[tuple[str, str], str]:
        """Return how each pair joined by a peering route reaches: both ways or one way.

        Pairs are of VPCs (``by="vpc"``) or of CDK subnet groups (``by="group"``); a pair
        is ``"both ways"`` when some subnet pair reaches there and back, else ``"one
        way"`` (routes there, none back).

        Pairs not in the result have no peering route between them (``"no"``). Computed
        from the route tables in one pass, not by asking every pair.

        :param by: ``"vpc"`` or ``"group"``. Default: "vpc"
        """
        if by not in ("vpc", "group"):
            raise ConnectivityError(f"by must be 'vpc' or 'group', not {by!r}")
        cells: dict[tuple[str, str], str] = {}
        for (source, destination), both in self._survey.pairs.items():
            if by == "vpc":
                assert source.vpc is not None
                assert destination.vpc is not None
                key = (source.vpc.path, destination.vpc.path)
            else:
                key = (source.group, destination.group)
            if both or key not in cells:
                cells[key] = "both ways" if both else "one way"
        return cells


def _address(text: str, role: str) -> Cidr:
    try:
        if "/" not in text:
            return parse_cidr(text + "/32")
        return parse_cidr(text)
    except ValueError as error:
        try:
            loose = parse_cidr(text, strict=False)
        except ValueError:
            raise ConnectivityError(
                f"{role} {text!r} is not an IPv4 address or CIDR block: {error}"
            ) from None
        raise ConnectivityError(
            f"{role} {text!r} has host bits set: did you mean {loose}?"
        ) from None


def _ipv4_only(text: str, role: str) -> str:
    """Return ``text``, unless it is an IPv6 address or block (a path has a ``/`` first)."""
    if ":" in text and "/" not in text.split(":", 1)[0]:
        raise ConnectivityError(
            f"{role} {text!r}: reachability questions are IPv4 only (one_way_routes() "
            "covers IPv6 routes too)"
        )
    return text


def _within(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _verdict(
    source: str, destination: str, port: int | None, outcomes: Sequence[Outcome]
) -> Reachability:
    failed = next((o for o in outcomes if not o.ok and not o.unknown), None)
    vague = next((o for o in outcomes if o.unknown), None)
    chosen = failed or vague
    if chosen is not None:
        return Reachability(
            source,
            destination,
            port,
            False,
            tuple(chosen.hops),
            chosen.reason,
            unknown=failed is None,
        )
    hops = list(outcomes[0].hops) if outcomes else []
    if len(outcomes) > 1:
        hops.append(Hop(f"and {len(outcomes) - 1} more subnet pairs, each reachable", kind="note"))
    return Reachability(
        source,
        destination,
        port,
        bool(outcomes),
        tuple(hops),
        None if outcomes else "nothing to check",
    )
