"""``Network``: the model of a cloud assembly, and the questions it answers."""

from __future__ import annotations

import gc
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from ..model.addresses import AddressSet
from ..model.ports import PORT_RANGE, is_port
from ._assembly import intents as read_intents
from ._assembly import read_assembly
from ._build import Built, build, dns_name
from ._cidr import looks_like_ipv4
from ._routing import FAIL, PASS, UNKNOWN, Part, Router, Step, Survey, worst
from ._space import Space
from .errors import ConnectivityError, ambiguous, not_found
from .model import (
    Endpoint,
    EndpointService,
    HostedZone,
    LoadBalancer,
    NetworkAcl,
    Peering,
    PrefixList,
    Record,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
)
from .results import Hop, Intent, IntentVerdict, OneWayRoute, Reachability

_DNS_NAME = re.compile(
    r"^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)+[a-z0-9_-]+\.?$", re.IGNORECASE
)
_MAX_ALIASES = 8

Place = Vpc | Subnet | Endpoint | EndpointService
_KINDS = {Vpc: "VPC", Subnet: "subnet", Endpoint: "endpoint", EndpointService: "endpoint service"}


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

    def __init__(
        self,
        built: Built,
        *,
        directory: Path | None = None,
        intents: Sequence[Intent] | None = None,
        live: bool = False,
    ) -> None:
        """Wrap a built model; use ``from_assembly`` or ``from_deployment`` instead.

        :param built: the model's objects.
        :param directory: the cloud assembly read. Default: - none
        :param intents: the app's reachability intents. Default: - read from ``directory``
            on first use (none without one)
        :param live: True for the model of a deployed network. Default: False
        """
        self.directory = directory
        self.live = live
        """True when the model is of the deployed network (``from_deployment``)."""
        self._built = built
        self._given_intents = None if intents is None else tuple(intents)
        self._router = Router(built.vpcs, Space())

    @classmethod
    def from_assembly(cls, source: object) -> Network:
        """Read a cloud assembly: every stack of every account and region.

        Nested stacks and stages are read too.

        :param source: what ``app.synth()`` returns (a ``cx_api.CloudAssembly``), or the
            path of a cloud assembly directory (``cdk.out``).
        :raises ConnectivityError: when ``source`` is no cloud assembly.
        """
        # Reading a large assembly makes millions of objects that all live on: the cyclic
        # garbage collector's passes over them find nothing and cost a fifth of the load.
        collecting = gc.isenabled()
        gc.disable()
        try:
            assembly = read_assembly(source)
            return cls(build(assembly), directory=assembly.directory)
        finally:
            if collecting:
                gc.enable()

    @classmethod
    def from_deployment(
        cls,
        assembly: object,
        *,
        roles: Mapping[str, str] | None = None,
        profiles: Mapping[str, str] | None = None,
    ) -> Network:
        """Read the deployed network of a cloud assembly's stacks, with read-only AWS calls.

        For every stack, in its account and Region, ``ListStackResources`` maps its logical
        ids to physical ids; EC2 and Route 53 ``Describe``/``List``/``Get`` calls then read
        what is there (VPCs, subnets, route tables, network ACLs, peerings, endpoints and
        endpoint services, security groups, prefix lists, load balancers' listeners,
        private hosted zones). The model holds the same classes as ``from_assembly``'s,
        named by the assembly's construct paths; what CloudFormation does not manage (a
        route added by hand) is named by its AWS id. Environment-agnostic stacks are read
        in boto3's default account and Region. Needs boto3 (``pip install
        "cdk-peering[live]"``).

        :param assembly: what ``app.synth()`` returns, or the path of a cloud assembly.
        :param roles: account id -> the ARN of a role to assume there. Default: - none
        :param profiles: account id -> an AWS profile name for it. Default: - none
        :raises ConnectivityError: when the assembly cannot be read, boto3 is missing, or
            an account cannot be read (``LiveError``: its account, Region and call).
        """
        from ._live import read_deployment

        plan = read_assembly(assembly)
        built = read_deployment(plan, roles=dict(roles or {}), profiles=dict(profiles or {}))
        return cls(built, directory=plan.directory, live=True)

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
    def network_acls(self) -> tuple[NetworkAcl, ...]:
        """Return every network ACL, the VPCs' default ones included."""
        return tuple(self._built.acls)

    @property
    def prefix_lists(self) -> tuple[PrefixList, ...]:
        """Return every prefix list (lists the app names by id: entries unknown)."""
        return tuple(self._built.prefix_lists)

    @property
    def unknowns(self) -> tuple[str, ...]:
        """Return, readably, every value the assembly does not hold and the model needed."""
        return tuple(self._built.unknowns)

    @cached_property
    def intents(self) -> tuple[Intent, ...]:
        """Return the app's ``ReachabilityIntent`` declarations, in the assembly's order.

        Read from the assembly's metadata on first use (loading the model does not need it).
        """
        if self._given_intents is not None:
            return self._given_intents
        return tuple(read_intents(self.directory)) if self.directory is not None else ()

    def check_intents(self) -> list[IntentVerdict]:
        """Answer every intent's question on this network; each with whether it holds.

        A question the model cannot ask (a path that names no subnet, VPC or endpoint of
        the model, a source address in no subnet) does not hold: its verdict is ``error``
        and its ``error`` says why. Each intent is answered once per network.
        """
        return list(self._verdicts)

    @cached_property
    def _verdicts(self) -> tuple[IntentVerdict, ...]:
        verdicts: list[IntentVerdict] = []
        for intent in self.intents:
            try:
                answer = self.reachability(
                    intent.source,
                    intent.destination,
                    port=intent.port,
                    ip_version=intent.ip_version,
                )
            except ConnectivityError as error:
                verdicts.append(IntentVerdict(intent, None, str(error)))
            else:
                verdicts.append(IntentVerdict(intent, answer))
        return tuple(verdicts)

    @cached_property
    def _names(self) -> dict[str, list[Place]]:
        names: dict[str, list[Place]] = {}
        places: list[Place] = [*self._built.vpcs, *self._built.subnets]
        places += [e for e in self._built.endpoints if e.kind == "Interface"]
        places += self._built.services
        for place in places:
            names.setdefault(place.path, []).append(place)
        for alias, things in self._built.aliases.items():
            for thing in things:
                if isinstance(thing, Place) and thing not in names.get(alias, []):
                    names.setdefault(alias, []).append(thing)
        for service in self._built.services:
            # A PrivateLinkService construct holds its endpoint service: its path names it.
            parent, _, child = service.path.rpartition("/")
            if child == "EndpointService" and parent.count("/") and parent not in names:
                names[parent] = [service]
        return names

    def find(self, name: str) -> Place:
        """Return the VPC, subnet, interface endpoint or endpoint service ``name`` names.

        :param name: a construct path (the L2's, ``Stack/Vpc/IsolatedSubnet1``, or the L1's,
            ``Stack/Vpc/IsolatedSubnet1/Subnet``; a ``PrivateLinkService``'s path names its
            endpoint service) or an imported VPC's id.
        :raises PathError: when it names nothing or several things (the closest names
            are in the message).
        """
        _check_text(name, "name")
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
        self,
        source: str,
        destination: str,
        *,
        port: int | None = None,
        ip_version: int | None = None,
    ) -> Reachability:
        """Tell whether ``source`` reaches every address of ``destination`` (and hears back).

        Address by address: the source's route table splits the destination by longest
        prefix; each piece follows its route (local, or one peering, never onward), lands
        in the subnet that holds it, and that subnet's route table must send replies to
        every source address back the same way. Both subnets' network ACLs must let the
        request through (on ``port``, or on some TCP port) and the replies (to every
        ephemeral port, 1024-65535). With ``port``, an interface endpoint's security groups
        (and its service's load balancer's, when they filter PrivateLink traffic) must admit
        every source address, and the service must listen on it.

        :param source: a subnet or VPC path (a VPC means every subnet of it), or one address
            of a subnet.
        :param destination: a subnet, VPC, interface endpoint or endpoint-service path (a
            service: through any of its interface endpoints), an address or CIDR block, or a
            DNS name resolved through the private hosted zones associated with the source's
            VPC.
        :param port: a TCP port, 1-65535. Default: - no port: some TCP port; security
            groups are not checked
        :param ip_version: 4 or 6. Default: - IPv4 for paths and names, the family of an
            address or block
        :raises ConnectivityError: for a question that is no question (a non-string, a
            malformed address, a bad port or family); ``PathError`` for a path that names
            nothing or several things.
        """
        _check_text(source, "source")
        _check_text(destination, "destination")
        if port is not None and (
            isinstance(port, bool) or not isinstance(port, int) or not is_port(port)
        ):
            raise ConnectivityError(
                f"port {port!r} is not a TCP port: give an int from {PORT_RANGE}, or None"
            )
        if ip_version is not None and (isinstance(ip_version, bool) or ip_version not in (4, 6)):
            raise ConnectivityError(f"ip_version {ip_version!r} must be 4, 6 or None")
        family = self._family(source, destination, ip_version)
        sources = self._sources(source, family)
        results: list[list[Part]] = []
        for each in sources:
            if isinstance(each, Part):
                # A source that sends nothing reaches none of the destination's addresses.
                whole = self._addresses(destination, family)
                results.append([Part(whole, each.status, each.hops, each.reason)])
            else:
                results.append(self._towards(*each, destination, port, family))
        answer = _verdict(source, destination, port, family, results, self._router)
        return _deployed_words(answer) if self.live else answer

    def _addresses(self, destination: str, family: int) -> AddressSet:
        """Return every address a destination names (none for a DNS name)."""
        found = _literal(destination, "destination")
        if found is not None:
            return found[1]
        if destination.strip().strip("/") not in self._names:
            return AddressSet()
        place = self.find(destination)
        if isinstance(place, EndpointService):
            endpoints = [e for e in self._built.endpoints if e.service is place]
            subnets = [s for e in endpoints for s in e.subnets]
        elif isinstance(place, Vpc | Endpoint):
            subnets = place.subnets
        else:
            subnets = [place]
        blocks = (self._router.block(subnet, family) for subnet in subnets)
        return AddressSet.union(block for block in blocks if block is not None)

    def _family(self, source: str, destination: str, ip_version: int | None) -> int:
        families: dict[str, int] = {}
        for role, text in (("source", source), ("destination", destination)):
            literal = _literal(text, role)
            if literal is not None:
                families[role] = literal[0]
        for role, version in families.items():
            if ip_version is not None and version != ip_version:
                text = source if role == "source" else destination
                raise ConnectivityError(
                    f"{role} {text.strip()!r} is an IPv{version} address, but ip_version is "
                    f"{ip_version}: ask with ip_version={version}, or give an IPv{ip_version} one"
                )
        if ip_version is not None:
            return ip_version
        if len(set(families.values())) > 1:
            raise ConnectivityError(
                f"source {source.strip()!r} and destination {destination.strip()!r} are of "
                "different IP versions"
            )
        return next(iter(families.values()), 4)

    def _sources(self, source: str, family: int) -> list[tuple[Subnet, AddressSet] | Part]:
        """Return each source subnet and its addresses, or a part saying why it sends none."""
        found = _literal(source, "source")
        if found is not None:
            block = found[1]
            if block.size != 1:
                raise ConnectivityError(
                    f"source {source!r} is a block: give one address, a subnet or a VPC"
                )
            holders = [
                s
                for s in self._built.subnets
                if (own := self._router.block(s, family)) is not None and own.covers(block)
            ]
            if not holders:
                raise ConnectivityError(f"source {source} is in no subnet of the assembly")
            if len(holders) > 1:
                raise ambiguous(source, [s.path for s in holders])
            return [(holders[0], block)]
        place = self.find(source)
        if isinstance(place, Endpoint | EndpointService):
            raise ConnectivityError(
                f"source {source!r} is an endpoint: give a subnet, a VPC or an address"
            )
        subnets = place.subnets if isinstance(place, Vpc) else [place]
        if not subnets:
            vpc = place if isinstance(place, Vpc) else None
            why = vpc.unknown[0] if vpc is not None and vpc.unknown else "it has no subnets"
            status = UNKNOWN if vpc is not None and vpc.unknown else FAIL
            return [Part(AddressSet(), status, (), f"VPC {place.path} sends nothing: {why}")]
        return self._blocks(place, subnets, family, "sends")

    def _blocks(
        self, place: Vpc | Subnet, subnets: Sequence[Subnet], family: int, verb: str
    ) -> list[tuple[Subnet, AddressSet] | Part]:
        """Return each subnet with its block of ``family``, or a part saying why it has none.

        A VPC means its subnets that have a block of the family: one without is left out,
        unless none has one.

        :param verb: what the question asks of the addresses (``sends``, ``holds``).
        """
        found: list[tuple[Subnet, AddressSet] | Part] = []
        absent: list[Subnet] = []
        for subnet in subnets:
            own = self._router.block(subnet, family)
            vague = subnet.unknown if family == 4 else subnet.ipv6_unknown
            if own is not None:
                found.append((subnet, own))
            elif vague is not None:
                why = f"the IPv{family} block of subnet {subnet.path} is unknown: {vague}"
                found.append(Part(AddressSet(), UNKNOWN, (), why))
            else:
                absent.append(subnet)
        if absent and (not found or isinstance(place, Subnet)):
            if isinstance(place, Subnet) or not (place.cidrs if family == 4 else place.ipv6):
                what = "subnet" if isinstance(place, Subnet) else "VPC"
                why = (
                    f"{what} {place.path} has no IPv{family} block: it {verb} no "
                    f"IPv{family} traffic"
                )
            else:
                why = (
                    f"no subnet of VPC {place.path} has an IPv{family} block: it {verb} no "
                    f"IPv{family} traffic"
                )
            found.append(Part(AddressSet(), FAIL, (), why))
        return found

    def _towards(
        self, subnet: Subnet, origin: AddressSet, destination: str, port: int | None, family: int
    ) -> list[Part]:
        text = destination.strip()
        found = _literal(text, "destination")
        if found is not None:
            return self._router.trip(subnet, origin, family, found[1], port, None)
        if text.strip("/") in self._names or "/" in text or not _DNS_NAME.match(text):
            place = self.find(text)
            if isinstance(place, EndpointService):
                return self._service(subnet, origin, place, port, family)
            if isinstance(place, Endpoint):
                return self._endpoint(subnet, origin, place, port, family)
            return self._place(subnet, origin, place, port, family)
        return self._by_name(subnet, origin, text, port, family)

    def _place(
        self, subnet: Subnet, origin: AddressSet, place: Vpc | Subnet, port: int | None, family: int
    ) -> list[Part]:
        vpc = place if isinstance(place, Vpc) else place.vpc
        targets = place.subnets if isinstance(place, Vpc) else [place]
        found = self._blocks(place, targets, family, "receives")
        parts = [each for each in found if isinstance(each, Part)]
        blocks = [each[1] for each in found if not isinstance(each, Part)]
        nothing = AddressSet()
        if not targets:
            assert isinstance(place, Vpc)
            unknown = bool(place.unknown)
            why = f"VPC {place.path} has no subnets the assembly knows"
            return [Part(nothing, UNKNOWN if unknown else FAIL, (), why)]
        if blocks:
            addresses = AddressSet.union(blocks)
            parts.extend(self._router.trip(subnet, origin, family, addresses, port, vpc))
        return parts

    # --- PrivateLink ---------------------------------------------------------------------------

    def _endpoint(
        self, subnet: Subnet, origin: AddressSet, endpoint: Endpoint, port: int | None, family: int
    ) -> list[Part]:
        """Return a part per address of ``endpoint`` (one in each of its subnets)."""
        nothing = AddressSet()
        if endpoint.kind != "Interface":
            why = (
                f"endpoint {endpoint.path} is a {endpoint.kind} endpoint: no address to connect to"
            )
            return [Part(nothing, FAIL, (), why)]
        families = {"ipv4": (4,), "ipv6": (6,), "dualstack": (4, 6)}
        if family not in families.get(endpoint.ip_address_type, (4,)):
            why = (
                f"endpoint {endpoint.path} has no IPv{family} address (IpAddressType "
                f"{endpoint.ip_address_type})"
            )
            return [Part(nothing, FAIL, (), why)]
        if not endpoint.subnets and not endpoint.unknown_subnets:
            return [
                Part(nothing, UNKNOWN, (), f"the subnets of endpoint {endpoint.path} are unknown")
            ]
        checks = self._router.endpoint_checks(endpoint, origin, family, port, subnet.vpc)
        parts: list[Part] = [
            Part(
                nothing,
                UNKNOWN,
                (),
                f"endpoint {endpoint.path} has an address in subnet {each}, which the "
                "assembly does not hold",
            )
            for each in endpoint.unknown_subnets
        ]
        for each in endpoint.subnets:
            block = self._router.block(each, family)
            if block is None:
                why = f"the block of subnet {each.path} of endpoint {endpoint.path} is unknown"
                parts.append(Part(nothing, UNKNOWN, (), why))
                continue
            trip = self._router.trip(subnet, origin, family, block, port, endpoint.vpc)
            verdict = worst([_somewhere(trip, each, family, self._router), checks])
            parts.append(Part(block, verdict.status, verdict.hops, verdict.reason))
        return parts

    def _service(
        self,
        subnet: Subnet,
        origin: AddressSet,
        service: EndpointService,
        port: int | None,
        family: int,
    ) -> list[Part]:
        """Return the parts of the best interface endpoint of ``service`` for this source."""
        endpoints = [
            e for e in self._built.endpoints if e.service is service and e.kind == "Interface"
        ]
        if not endpoints:
            why = f"endpoint service {service.path} has no interface endpoint in the assembly"
            return [Part(AddressSet(), FAIL, (), why)]
        best: list[Part] | None = None
        best_rank: tuple[int, int] | None = None
        for endpoint in endpoints:
            parts = self._endpoint(subnet, origin, endpoint, port, family)
            failed = any(p.status == FAIL for p in parts)
            unknown = any(p.status == UNKNOWN for p in parts)
            rank = (
                0 if not failed and not unknown else 1 if not failed else 2,
                -sum(p.status == PASS for p in parts),
            )
            if best_rank is None or rank < best_rank:
                best, best_rank = parts, rank
        assert best is not None
        hop = Hop(f"endpoint service {service.path}", kind="service", path=service.path)
        return [Part(p.addresses, p.status, (*p.hops, hop), p.reason) for p in best]

    # --- DNS ------------------------------------------------------------------------------------

    def _by_name(
        self, subnet: Subnet, origin: AddressSet, name: str, port: int | None, family: int
    ) -> list[Part]:
        hops: list[Hop] = []
        wanted = dns_name(name)
        nothing = AddressSet()
        record: Record | None = None
        for _ in range(_MAX_ALIASES):
            record, failed = self._resolve(subnet, wanted, hops, family)
            if failed is not None:
                return [failed]
            assert record is not None
            if record.canonical is None:
                break
            wanted = record.canonical
        else:
            why = f"{name} goes through more than {_MAX_ALIASES} CNAME records"
            return [Part(nothing, FAIL, tuple(hops), why)]
        assert record is not None
        if record.endpoint is not None:
            parts = self._endpoint(subnet, origin, record.endpoint, port, family)
        elif record.addresses:
            parts = []
            for address in record.addresses:
                block = self._router.space.of(address)
                assert block is not None
                parts.extend(self._router.trip(subnet, origin, family, block, port, None))
            if record.unknown:  # another of its values is unknown: so is where it leads
                why = f"record {record.path} for {wanted}: {record.unknown}"
                parts.append(Part(nothing, UNKNOWN, (), why))
        else:
            why = f"record {record.path} for {wanted}: {record.unknown or 'its value is unknown'}"
            return [Part(nothing, UNKNOWN, tuple(hops), why)]
        return [Part(p.addresses, p.status, (*hops, *p.hops), p.reason) for p in parts]

    def _resolve(
        self, subnet: Subnet, name: str, hops: list[Hop], family: int
    ) -> tuple[Record | None, Part | None]:
        vpc = subnet.vpc
        nothing = AddressSet()
        if vpc is None:
            why = f"the VPC of subnet {subnet.path} is unknown: which zones it resolves is unknown"
            return None, Part(nothing, UNKNOWN, tuple(hops), why)
        zones = [z for z in self._built.zones if _within(name, z.name)]
        associated = [z for z in zones if vpc in z.vpcs]
        if not associated:
            vague = [z for z in zones if z.unknown_vpcs]
            if vague:
                reason = (
                    f"whether {name} resolves from VPC {vpc.path} is unknown: zone "
                    f"{vague[0].path} is associated with {vague[0].unknown_vpcs[0]}"
                )
                return None, Part(nothing, UNKNOWN, tuple(hops), reason)
            return None, Part(
                nothing,
                FAIL,
                tuple(hops),
                f"{name} is not resolvable from VPC {vpc.path}: no private hosted zone for it "
                f"is associated with {vpc.path}",
            )
        zone = max(associated, key=lambda z: len(z.name))
        kinds = ("A", "CNAME") if family == 4 else ("AAAA", "CNAME")
        records = [r for r in zone.records if r.name == name and r.type in kinds]
        if not records:
            # A wildcard answers names strictly below its base; the most specific one wins.
            wild = [
                r
                for r in zone.records
                if r.name.startswith("*.") and name.endswith("." + r.name[2:]) and r.type in kinds
            ]
            longest = max((len(r.name) for r in wild), default=0)
            records = [r for r in wild if len(r.name) == longest]
        if not records:
            kind = "A" if family == 4 else "AAAA"
            return None, Part(
                nothing,
                FAIL,
                tuple(hops),
                f"{name} has no {kind} record in private hosted zone {zone.path} ({zone.name}), "
                f"which VPC {vpc.path} resolves through",
            )
        record = next((r for r in records if r.type != "CNAME"), records[0])
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

        Pairs are of VPCs (``by="vpc"``), of CDK subnet groups (``by="group"``) or of subnets
        (``by="subnet"``); a pair
        is ``"both ways"`` when some subnet pair has routes there and back through a
        peering that is accepted, ``"unknown"`` when the assembly cannot tell (the
        peering's acceptance, or a route's destination, is unknown), else ``"one way"``
        (routes there, none back). Routes only: network ACLs and security groups are left
        to ``reachability``.

        Pairs not in the result have no peering route between them (``"no"``). Computed
        from the route tables in one pass, not by asking every pair.

        :param by: ``"vpc"``, ``"group"`` or ``"subnet"`` (subnet paths). Default: "vpc"
        """
        if by not in ("vpc", "group", "subnet"):
            raise ConnectivityError(f"by must be 'vpc', 'group' or 'subnet', not {by!r}")
        rank = {"both ways": 2, "unknown": 1, "one way": 0}
        cells: dict[tuple[str, str], str] = {}
        for (source, destination), state in self._survey.pairs.items():
            if by == "vpc":
                if source.vpc is None or destination.vpc is None:
                    continue  # a subnet whose VPC the assembly does not hold
                key = (source.vpc.path, destination.vpc.path)
            elif by == "subnet":
                key = (source.path, destination.path)
            else:
                key = (source.group, destination.group)
            if key not in cells or rank[state] > rank[cells[key]]:
                cells[key] = state
        return cells


_PLAN_WORDS = (
    ("is not in the assembly", "was not read"),
    ("are not in the assembly", "were not read"),
    ("not in the assembly", "not read"),
    ("the assembly does not hold", "the reads of the deployed network do not hold"),
    ("the assembly", "the deployed network as read"),
)
"""How the model's reasons, written of a plan, read when the model is of a deployed network."""


def _deployed_words(answer: Reachability) -> Reachability:
    """Say an answer of the live model in its words: what it hides was not read."""

    def said(text: str) -> str:
        for plan, deployed in _PLAN_WORDS:
            text = text.replace(plan, deployed)
        return text

    if not answer.reason or "the assembly" not in answer.reason + "".join(answer.hops):
        return answer
    hops = tuple(Hop(said(hop), kind=hop.kind, path=hop.path) for hop in answer.hops)
    return replace(answer, reason=said(answer.reason), hops=hops)


def _check_text(value: object, role: str) -> None:
    if not isinstance(value, str):
        raise ConnectivityError(
            f"{role} must be a string (a construct path, an address or a DNS name), not "
            f"{type(value).__name__} {value!r}"
        )
    if not value.strip():
        raise ConnectivityError(f"{role} is empty: give a construct path, an address or a name")


def _literal(text: str, role: str) -> tuple[int, AddressSet] | None:
    """Return the family and addresses of an address or CIDR text; None for anything else.

    :raises ConnectivityError: for text meant as an address that is none (``10.0.0.300``,
        host bits set).
    """
    text = text.strip()
    meant_v6 = ":" in text and "/" not in text.split(":", 1)[0]
    if not meant_v6 and not looks_like_ipv4(text):
        return None
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as error:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            family = "IPv6" if meant_v6 else "IPv4"
            raise ConnectivityError(
                f"{role} {text!r} is not an {family} address or CIDR block: {error}"
            ) from None
        raise ConnectivityError(
            f"{role} {text!r} has host bits set: did you mean {loose}?"
        ) from None
    return network.version, AddressSet.span(
        int(network.network_address), int(network.broadcast_address)
    )


def _somewhere(trip: list[Part], subnet: Subnet, family: int, router: Router) -> Step:
    """Return the verdict for one address somewhere in ``block`` (an endpoint's interface).

    It passes when every address of the block does, fails when every one fails; else which
    address AWS picks decides, and the answer is unknown.
    """
    statuses = {part.status for part in trip}
    first = min(trip, key=lambda part: (part.status == PASS, part.addresses.first))
    if statuses == {PASS}:
        return Step(PASS, None, first.hops)
    if statuses == {FAIL}:
        return Step(FAIL, first.reason, first.hops)
    reached = AddressSet.union(p.addresses for p in trip if p.status == PASS)
    why = (
        f"the endpoint's address in subnet {subnet.path} is chosen at deploy time, and only "
        f"part of the subnet ({router.text(reached, family) or 'none'}) is reached: "
        f"{first.reason}"
    )
    return Step(UNKNOWN, why, first.hops)


def _ends(part: Part) -> tuple[str | None, str | None]:
    """Return the first and the last subnet a part's path passes."""
    subnets = [hop.path for hop in part.hops if hop.kind == "subnet"]
    return (subnets[0], subnets[-1]) if subnets else (None, None)


def _within(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _verdict(
    source: str,
    destination: str,
    port: int | None,
    family: int,
    results: Sequence[Sequence[Part]],
    router: Router,
) -> Reachability:
    """Combine every source's parts into one answer, address by address."""
    parts = [part for result in results for part in result]
    failed = AddressSet.union(p.addresses for p in parts if p.status == FAIL)
    unknown = AddressSet.union(p.addresses for p in parts if p.status == UNKNOWN) - failed
    passed = AddressSet.union(p.addresses for p in parts if p.status == PASS) - failed - unknown
    has_fail = any(p.status == FAIL for p in parts)
    has_unknown = any(p.status == UNKNOWN for p in parts)
    reachable = bool(parts) and not has_fail and not has_unknown and bool(passed)
    unreached = tuple(router.space.texts(failed | unknown, family))
    ask = (source, destination, port)
    if reachable:
        first = min((p for p in parts if p.status == PASS), key=lambda p: p.addresses.first)
        hops = list(first.hops)
        pairs = {_ends(part) for part in parts}
        if len(pairs) > 1:
            more = len(pairs) - 1
            hops.append(
                Hop(
                    f"and {more} more subnet pair{'s' if more != 1 else ''}, each reachable",
                    kind="note",
                )
            )
        return Reachability(*ask, True, tuple(hops), None, ip_version=family)
    chosen = next((p for p in parts if p.status == FAIL), None) or next(
        (p for p in parts if p.status == UNKNOWN), None
    )
    if chosen is None:
        return Reachability(
            *ask, False, (), "nothing to check: the destination holds no address", ip_version=family
        )
    return Reachability(
        *ask,
        False,
        tuple(chosen.hops),
        chosen.reason,
        unknown=not has_fail,
        partial=bool(passed) and bool(failed | unknown),
        unreached=unreached,
        ip_version=family,
        undecided=tuple(router.space.texts(unknown, family)),
    )
