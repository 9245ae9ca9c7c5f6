"""Small random networks, and the cloud assemblies that hold them.

``generate(seed)`` draws a ``NetworkSpec``: two to four VPCs (/24 to /26 IPv4 blocks, now
and then a second block, half of them with a literal /120 IPv6 block), subnets of /26 to
/28 (and /124), route tables, peerings (some never accepted, some whose acceptance is a
deploy-time value), gateways, routes that shadow and cover each other (several routes
covering a block together, a more specific route to a gateway inside a peering route, a
prefix-list route at the same prefix length as a CIDR route, a route whose destination
is a parameter), network ACLs with random entries, and prefix lists.

``write_assembly(spec, directory)`` writes it as ``cdk synth`` writes an app of L1
constructs: a manifest.json with one stack artifact per stack (all pinned to one
environment, or all environment-agnostic) and one template each, with ``Ref`` and
``Fn::GetAtt`` within a stack and ``Fn::ImportValue`` of an export across stacks.

``draw_questions(spec, seed, count)`` draws questions whose brute-force answer is cheap.

The brute force (tests/brute_force.py) reads the ``NetworkSpec`` itself, never the
templates; the model reads only the templates. To look at one seed's network::

    python -m tests.random_networks 17 /tmp/seed17
    python -m cdk_peering.connectivity /tmp/seed17 --from Net/VpcASubnet1 --to Net/VpcB
"""

from __future__ import annotations

import itertools
import json
import random
import sys
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_network
from pathlib import Path
from typing import Any

Block = IPv4Network | IPv6Network
Address = IPv4Address | IPv6Address
Json = dict[str, Any]

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
REGION = "us-east-1"
PINNED = f"aws://{ACCOUNT}/{REGION}"
AGNOSTIC = "aws://unknown-account/unknown-region"
TRANSIT_GATEWAY_ID = "tgw-0123456789abcdef0"

# What a route sends its traffic to (``Target.kind``).
PEERING = "peering"
INTERNET_GATEWAY = "internet-gateway"
NAT_GATEWAY = "nat-gateway"
EGRESS_ONLY = "egress-only-internet-gateway"
TRANSIT_GATEWAY = "transit-gateway"

# How a peering's PeerOwnerId is written (``Peering.owner``).
NO_OWNER = "none"  # no PeerOwnerId: the requester's account, accepted
OWN_ACCOUNT = "own"  # {"Ref": "AWS::AccountId"}: accepted
SAME_LITERAL = "same"  # the stacks' own pinned account, literally: accepted
OTHER_LITERAL = "other"  # another account, no PeerRoleArn: never accepted
PARAMETER = "parameter"  # a template parameter: acceptance unknown

ALL_TCP = (0, 65535)


@dataclass(frozen=True)
class Target:
    """A route's target: a resource of the app by logical id, or a literal id."""

    kind: str
    name: str


@dataclass
class Vpc:
    name: str
    stack: str
    ipv4: list[IPv4Network]
    """The primary block first, then the secondary ones."""
    ipv6: list[IPv6Network] = field(default_factory=list)

    def blocks(self, version: int) -> list[Block]:
        return list(self.ipv4) if version == 4 else list(self.ipv6)


@dataclass
class Subnet:
    name: str
    stack: str
    vpc: str
    ipv4: IPv4Network
    ipv6: IPv6Network | None = None
    table: str | None = None
    """Its route table; None: its VPC's main table (local routes only)."""
    acl: str | None = None
    """Its network ACL; None: its VPC's default ACL (allows everything)."""

    def block(self, version: int) -> Block | None:
        return self.ipv4 if version == 4 else self.ipv6


@dataclass
class RouteTable:
    name: str
    stack: str
    vpc: str


@dataclass
class Route:
    name: str
    stack: str
    table: str
    target: Target | None
    """None: a route without a target (a blackhole)."""
    destination: Block | None = None
    prefix_list: str | None = None
    token: str | None = None
    """A parameter of the route's stack that holds the destination: unknown at synth."""
    token_version: int = 4


@dataclass
class Peering:
    name: str
    stack: str
    vpc: str
    peer_vpc: str
    owner: str = NO_OWNER

    @property
    def accepted(self) -> bool | None:
        """True, False, or None when only the deployment knows."""
        return {OTHER_LITERAL: False, PARAMETER: None}.get(self.owner, True)


@dataclass(frozen=True)
class AclEntry:
    rule: int
    egress: bool
    allow: bool
    protocol: int
    """-1 (all), 6 (tcp), 17 (udp), 1 (icmp), 58 (icmpv6)."""
    block: Block
    ports: tuple[int, int] | None = None
    """From and To of a tcp or udp entry."""


@dataclass
class Acl:
    name: str
    stack: str
    vpc: str
    entries: list[AclEntry] = field(default_factory=list)


@dataclass
class PrefixList:
    name: str
    stack: str
    version: int
    entries: list[Block]


@dataclass
class Gateway:
    name: str
    stack: str
    vpc: str
    kind: str
    subnet: str | None = None
    """The subnet of a NAT gateway."""


@dataclass
class NetworkSpec:
    """One network: what the brute force reads and what ``write_assembly`` writes."""

    seed: int | None = None
    environment: str = AGNOSTIC
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    tables: dict[str, RouteTable] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    peerings: dict[str, Peering] = field(default_factory=dict)
    acls: dict[str, Acl] = field(default_factory=dict)
    prefix_lists: dict[str, PrefixList] = field(default_factory=dict)
    gateways: dict[str, Gateway] = field(default_factory=dict)

    # --- building by hand ----------------------------------------------------------------

    def vpc(self, name: str, *ipv4: str, ipv6: str | None = None, stack: str = "Net") -> Vpc:
        self.vpcs[name] = Vpc(
            name,
            stack,
            [IPv4Network(block) for block in ipv4],
            [IPv6Network(ipv6)] if ipv6 else [],
        )
        return self.vpcs[name]

    def subnet(
        self,
        name: str,
        vpc: str,
        ipv4: str,
        *,
        ipv6: str | None = None,
        table: str | None = None,
        acl: str | None = None,
    ) -> Subnet:
        """Add a subnet; ``table`` names a route table, made here if it is new."""
        if table is not None and table not in self.tables:
            self.tables[table] = RouteTable(table, self.vpcs[vpc].stack, vpc)
        self.subnets[name] = Subnet(
            name,
            self.vpcs[vpc].stack,
            vpc,
            IPv4Network(ipv4),
            IPv6Network(ipv6) if ipv6 else None,
            table,
            acl,
        )
        return self.subnets[name]

    def peering(self, name: str, vpc: str, peer_vpc: str, *, owner: str = NO_OWNER) -> Target:
        self.peerings[name] = Peering(name, self.vpcs[vpc].stack, vpc, peer_vpc, owner)
        return Target(PEERING, name)

    def gateway(self, name: str, vpc: str, kind: str, *, subnet: str | None = None) -> Target:
        self.gateways[name] = Gateway(name, self.vpcs[vpc].stack, vpc, kind, subnet)
        return Target(kind, name)

    def route(
        self,
        table: str,
        destination: str | None,
        target: Target | None,
        *,
        prefix_list: str | None = None,
        token: str | None = None,
    ) -> Route:
        """Add a route to a CIDR (or a prefix list, or a parameter) in ``table``."""
        stack = self.tables[table].stack
        if target is not None and target.kind == PEERING:
            stack = self.peerings[target.name].stack
        number = sum(1 for route in self.routes if route.table == table) + 1
        route = Route(
            f"{table}Route{number}",
            stack,
            table,
            target,
            ip_network(destination) if destination else None,
            prefix_list,
            token,
        )
        self.routes.append(route)
        return route

    def prefix_list(self, name: str, *entries: str, stack: str = "Net") -> PrefixList:
        blocks = [ip_network(entry) for entry in entries]
        self.prefix_lists[name] = PrefixList(name, stack, blocks[0].version, blocks)
        return self.prefix_lists[name]

    def acl(self, name: str, vpc: str, *entries: AclEntry) -> Acl:
        self.acls[name] = Acl(name, self.vpcs[vpc].stack, vpc, list(entries))
        return self.acls[name]

    # --- reading -------------------------------------------------------------------------

    def path(self, name: str) -> str:
        """The construct path of a VPC, subnet, ACL, peering...: ``Stack/LogicalId``."""
        for each in (self.vpcs, self.subnets, self.acls, self.peerings, self.tables):
            if name in each:
                return f"{each[name].stack}/{name}"
        raise KeyError(name)

    def subnets_of(self, vpc: str) -> list[Subnet]:
        return [subnet for subnet in self.subnets.values() if subnet.vpc == vpc]

    def peerings_of(self, vpc: str) -> list[tuple[Peering, str]]:
        """Each peering that joins ``vpc`` to another, with the other's name."""
        found: list[tuple[Peering, str]] = []
        for peering in self.peerings.values():
            if vpc == peering.vpc:
                found.append((peering, peering.peer_vpc))
            elif vpc == peering.peer_vpc:
                found.append((peering, peering.vpc))
        return found


def entry(
    rule: int,
    action: str,
    block: str,
    *,
    egress: bool,
    protocol: int = -1,
    ports: tuple[int, int] | None = None,
) -> AclEntry:
    """An ACL entry, readably: ``entry(100, "allow", "0.0.0.0/0", egress=False)``."""
    assert action in ("allow", "deny")
    return AclEntry(rule, egress, action == "allow", protocol, ip_network(block), ports)


# --- drawing a random network -------------------------------------------------------------


def generate(seed: int) -> NetworkSpec:
    """Draw one small network; the same seed draws the same network."""
    rng = random.Random(seed)
    spec = NetworkSpec(seed=seed, environment=PINNED if rng.random() < 0.5 else AGNOSTIC)
    split = rng.random() < 0.4  # one stack per VPC and one for the peerings
    for index in range(rng.randint(2, 4)):
        _draw_vpc(spec, rng, index, f"Net{'ABCD'[index]}" if split else "Net")
    names = list(spec.vpcs)
    for one, other in itertools.combinations(names, 2):
        if rng.random() < 0.65:
            _draw_peering(spec, rng, one, other, "Peerings" if split else "Net")
    if not spec.peerings:
        one, other = rng.sample(names, 2)
        _draw_peering(spec, rng, one, other, "Peerings" if split else "Net")
    for table in list(spec.tables.values()):
        _draw_routes(spec, rng, table)
    for vpc in spec.vpcs.values():
        _draw_acls(spec, rng, vpc)
    return spec


def _split(block: Block, prefix: int) -> list[Block]:
    """The blocks of length ``prefix`` that ``block`` holds, in order."""
    size = 2 ** (block.max_prefixlen - prefix)
    start = int(block.network_address)
    return [ip_network((start + size * n, prefix)) for n in range(block.num_addresses // size)]


def _place(rng: random.Random, block: Block, taken: list[Block], prefixes: list[int]) -> Block:
    """A free block of one of ``prefixes`` inside ``block`` (raises when none is found)."""
    for _ in range(30):
        prefix = max(rng.choice(prefixes), block.prefixlen)
        candidate = rng.choice(_split(block, prefix))
        if not any(candidate.overlaps(other) for other in taken):
            taken.append(candidate)
            return candidate
    raise LookupError(f"no free block in {block}")


def _draw_vpc(spec: NetworkSpec, rng: random.Random, index: int, stack: str) -> None:
    name = f"Vpc{'ABCD'[index]}"
    around = IPv4Network(f"10.{index + 1}.{rng.randrange(256)}.0/24")
    primary = rng.choice(list(around.subnets(new_prefix=rng.choice((24, 25, 26)))))
    ipv4 = [primary]
    if rng.random() < 0.25:
        ipv4.append(IPv4Network(f"10.{index + 101}.{rng.randrange(256)}.64/26"))
    ipv6 = []
    if rng.random() < 0.5:
        ipv6.append(IPv6Network(f"2001:db8:{index + 1:x}:{rng.randrange(1, 0xFFFF):x}::/120"))
    vpc = spec.vpcs[name] = Vpc(name, stack, ipv4, ipv6)
    taken: list[Block] = []
    blocks: list[Block] = []
    blocks.extend(primary for _ in range(rng.randint(1, 3)))
    blocks.extend(ipv4[1:])
    slots = rng.sample(range(16), len(blocks))
    tables: list[str] = []
    for number, (block, slot) in enumerate(zip(blocks, slots, strict=True), 1):
        try:
            ipv4_block = _place(rng, block, taken, [26, 27, 27, 28, 28, 28])
        except LookupError:
            continue
        assert isinstance(ipv4_block, IPv4Network)
        subnet = f"{name}Subnet{number}"
        table: str | None = f"{subnet}Table"
        draw = rng.random()
        if draw < 0.12 and tables:
            table = rng.choice(tables)  # a table shared by two subnets
        elif draw < 0.17:
            table = None  # the VPC's main table
        else:
            spec.tables[f"{subnet}Table"] = RouteTable(f"{subnet}Table", stack, name)
            tables.append(f"{subnet}Table")
        ipv6_block = list(vpc.ipv6[0].subnets(new_prefix=124))[slot] if vpc.ipv6 else None
        spec.subnets[subnet] = Subnet(subnet, stack, name, ipv4_block, ipv6_block, table)
    if rng.random() < 0.5:
        spec.gateways[f"{name}Igw"] = Gateway(f"{name}Igw", stack, name, INTERNET_GATEWAY)
        if rng.random() < 0.4:
            home = rng.choice(spec.subnets_of(name)).name
            spec.gateways[f"{name}Nat"] = Gateway(f"{name}Nat", stack, name, NAT_GATEWAY, home)
    if vpc.ipv6 and rng.random() < 0.6:
        spec.gateways[f"{name}Eigw"] = Gateway(f"{name}Eigw", stack, name, EGRESS_ONLY)


def _draw_peering(spec: NetworkSpec, rng: random.Random, one: str, other: str, stack: str) -> None:
    pinned = spec.environment == PINNED
    draw = rng.random()
    if draw < 0.08 and pinned:
        owner = OTHER_LITERAL
    elif draw < 0.13:
        owner = PARAMETER
    elif draw < 0.25:
        owner = SAME_LITERAL if pinned else OWN_ACCOUNT
    else:
        owner = NO_OWNER
    name = f"Peer{one[-1]}{other[-1]}"
    spec.peerings[name] = Peering(name, stack, one, other, owner)


class _Table:
    """The routes drawn for one route table, without two routes to one destination."""

    def __init__(self, spec: NetworkSpec, table: RouteTable) -> None:
        self.spec = spec
        self.table = table
        self.destinations: set[Block] = set()
        self.listed: set[Block] = set()  # entries of the prefix lists it routes to

    def add(self, destination: Block, target: Target | None) -> None:
        if destination in self.destinations:
            return
        self.destinations.add(destination)
        self.spec.route(self.table.name, str(destination), target)

    def add_prefix_list(self, entries: list[Block], target: Target | None) -> None:
        fresh = [block for block in dict.fromkeys(entries) if block not in self.listed]
        if not fresh:
            return
        self.listed.update(fresh)
        name = f"{self.table.name}List{len(self.spec.prefix_lists) + 1}"
        vpc = self.spec.vpcs[self.table.vpc]
        self.spec.prefix_lists[name] = PrefixList(name, vpc.stack, fresh[0].version, fresh)
        self.spec.route(self.table.name, None, target, prefix_list=name)


def _sub_block(rng: random.Random, block: Block) -> Block:
    """A random block strictly inside ``block``: mostly the size of a subnet (/27 to /29,
    /123 to /125), now and then anything down to a single address."""
    longest = block.max_prefixlen
    if rng.random() < 0.7:
        prefix = rng.randint(longest - 5, longest - 3)
    else:
        prefix = rng.randint(block.prefixlen + 1, longest)
    prefix = max(prefix, block.prefixlen + 1)
    size = 2 ** (longest - prefix)
    start = int(block.network_address) + size * rng.randrange(2 ** (prefix - block.prefixlen))
    return ip_network((start, prefix))


def _elsewhere(spec: NetworkSpec, rng: random.Random, vpc: str, version: int) -> Target | None:
    """A target that takes traffic off the peering: a gateway, a transit gateway, nothing."""
    kinds = (INTERNET_GATEWAY, NAT_GATEWAY) if version == 4 else (INTERNET_GATEWAY, EGRESS_ONLY)
    gateways = [
        Target(gateway.kind, gateway.name)
        for gateway in spec.gateways.values()
        if gateway.vpc == vpc and gateway.kind in kinds
    ]
    choices: list[Target | None] = [*gateways, *gateways, *gateways]
    if version == 4:
        choices.append(Target(TRANSIT_GATEWAY, TRANSIT_GATEWAY_ID))
    return rng.choice(choices) if choices and rng.random() < 0.85 else None


def _draw_routes(spec: NetworkSpec, rng: random.Random, table: RouteTable) -> None:
    routes = _Table(spec, table)
    vpc = spec.vpcs[table.vpc]
    for peering, peer_name in spec.peerings_of(vpc.name):
        peer = spec.vpcs[peer_name]
        target = Target(PEERING, peering.name)
        for version in (4, 6):
            blocks = peer.blocks(version)
            if not blocks or (version == 6 and not vpc.ipv6 and rng.random() < 0.7):
                continue
            subnets = [s.block(version) for s in spec.subnets_of(peer_name) if s.block(version)]
            _draw_peer_routes(spec, rng, routes, target, blocks, [b for b in subnets if b])
    if rng.random() < 0.3:
        routes.add(IPv4Network("0.0.0.0/0"), _elsewhere(spec, rng, vpc.name, 4))
    if vpc.ipv6 and rng.random() < 0.4:
        routes.add(IPv6Network("::/0"), _elsewhere(spec, rng, vpc.name, 6))
    others = [p for p in spec.peerings.values() if vpc.name not in (p.vpc, p.peer_vpc)]
    if others and rng.random() < 0.08:  # a route to a peering of two other VPCs
        stray = rng.choice(others)
        routes.add(spec.vpcs[stray.peer_vpc].ipv4[0], Target(PEERING, stray.name))
    if rng.random() < 0.05:  # a destination that only the deployment knows
        mine = spec.peerings_of(vpc.name)
        chosen = Target(PEERING, rng.choice(mine)[0].name) if mine else None
        number = sum(1 for route in spec.routes if route.table == table.name) + 1
        spec.route(table.name, None, chosen, token=f"{table.name}Destination{number}")


def _draw_peer_routes(
    spec: NetworkSpec,
    rng: random.Random,
    routes: _Table,
    target: Target,
    blocks: list[Block],
    subnets: list[Block],
) -> None:
    """Routes toward one peer's blocks (of one family) through ``target``."""
    version = blocks[0].version
    style = rng.choices(
        ["whole", "pieces", "subnets", "shadow", "broad", "prefix-list", "tie", "none"],
        [12, 6, 6, 5, 2, 6, 2, 1],
    )[0]
    if style == "whole":
        for block in blocks:
            routes.add(block, target)
    elif style == "pieces":  # routes that cover a block together (or leave a hole)
        for block in blocks:
            pieces = _split(block, block.prefixlen + rng.choice((1, 2)))
            if rng.random() < 0.2:
                pieces.remove(rng.choice(pieces))
            for piece in pieces:
                routes.add(piece, target)
    elif style == "subnets":
        for block in subnets:
            routes.add(block, target)
    elif style == "shadow":  # a more specific route inside the peering route
        for block in blocks:
            routes.add(block, target)
        for _ in range(rng.randint(1, 2)):
            inner = _sub_block(rng, rng.choice(blocks))
            routes.add(inner, _elsewhere(spec, rng, routes.table.vpc, version))
    elif style == "broad":  # more than the peer: the rest is never reached through it
        routes.add(ip_network("10.0.0.0/8" if version == 4 else "2001:db8::/32"), target)
    elif style == "prefix-list":
        chosen = subnets if subnets and rng.random() < 0.6 else blocks
        routes.add_prefix_list(chosen, target)
    elif style == "tie":  # a prefix list and CIDR routes at the same prefix length
        chosen = subnets if subnets and rng.random() < 0.6 else blocks
        plain = rng.choice(chosen)
        elsewhere = _elsewhere(spec, rng, routes.table.vpc, version)
        if rng.random() < 0.5:  # the CIDR route wins: ``plain`` goes elsewhere
            routes.add_prefix_list(chosen, target)
            routes.add(plain, elsewhere)
        else:  # the CIDR routes win: the prefix list's entry changes nothing
            for block in chosen:
                routes.add(block, target)
            routes.add_prefix_list([plain], elsewhere)


def _draw_acls(spec: NetworkSpec, rng: random.Random, vpc: Vpc) -> None:
    count = rng.choices((0, 1, 2), (45, 40, 15))[0]
    acls = [f"{vpc.name}Acl{number}" for number in range(1, count + 1)]
    for name in acls:
        spec.acls[name] = Acl(name, vpc.stack, vpc.name, _draw_entries(spec, rng, vpc))
    for subnet in spec.subnets_of(vpc.name):
        if acls and rng.random() < 0.75:
            subnet.acl = rng.choice(acls)


PORT_RANGES = [
    (443, 443),
    (80, 80),
    (22, 22),
    (1024, 65535),
    (32768, 65535),
    (0, 65535),
    (1, 1023),
    (0, 1023),
]


def _rule(rng: random.Random, low: int, high: int, used: set[int]) -> int:
    """A rule number in ``low``-``high`` not in ``used`` (one entry per number and direction)."""
    number = rng.randint(low, high)
    while number in used:
        number = rng.randint(low, high)
    used.add(number)
    return number


def _draw_entries(spec: NetworkSpec, rng: random.Random, vpc: Vpc) -> list[AclEntry]:
    entries: list[AclEntry] = []
    versions = (4, 6) if vpc.ipv6 else (4,)
    for egress in (False, True):
        used: set[int] = set()
        for _ in range(rng.randint(0, 4)):
            version = 6 if 6 in versions and rng.random() < 0.3 else 4
            protocol = rng.choice((-1, 6, 6, 6, 17, 1 if version == 4 else 58))
            ports = None
            if protocol in (6, 17):
                ports = rng.choice(PORT_RANGES)
                if rng.random() < 0.25:
                    low = rng.randint(0, 65535)
                    ports = (low, rng.randint(low, min(65535, low + rng.choice((0, 9, 5000)))))
            block = _acl_block(spec, rng, version)
            allow = rng.random() < 0.55
            rule = _rule(rng, 1, 399, used)
            entries.append(AclEntry(rule, egress, allow, protocol, block, ports))
        for version in versions:
            if rng.random() < 0.85:  # the usual catch-all, mostly after the others
                rule = (
                    _rule(rng, 400, 32766, used) if rng.random() < 0.8 else _rule(rng, 1, 399, used)
                )
                everything = ip_network("0.0.0.0/0" if version == 4 else "::/0")
                entries.append(AclEntry(rule, egress, True, -1, everything))
    rng.shuffle(entries)
    return entries


def _acl_block(spec: NetworkSpec, rng: random.Random, version: int) -> Block:
    vpcs = [vpc for vpc in spec.vpcs.values() if vpc.blocks(version)]
    subnets = [s for s in spec.subnets.values() if s.block(version) is not None]
    draw = rng.random()
    if draw < 0.3 or not subnets:
        return ip_network("0.0.0.0/0" if version == 4 else "::/0")
    if draw < 0.5:
        return rng.choice(rng.choice(vpcs).blocks(version))
    block = rng.choice(subnets).block(version)
    assert block is not None
    return block if draw < 0.8 else _sub_block(rng, block)


# --- questions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    source: str
    destination: str
    port: int | None = None
    ip_version: int | None = None

    def __str__(self) -> str:
        return (
            f"reachability({self.source!r}, {self.destination!r}, port={self.port}, "
            f"ip_version={self.ip_version})"
        )


MOST_PAIRS = 4096
"""Questions are drawn again while source x destination addresses exceed this."""

SEEDS = range(40)
"""The seeds of the property test (tests/test_connectivity_exact.py)."""
QUESTIONS_PER_SEED = 12


def draw_questions(spec: NetworkSpec, seed: int, count: int) -> list[Question]:
    """Draw ``count`` questions about ``spec`` (the same seed draws the same questions)."""
    rng = random.Random(f"questions {seed}")
    questions: list[Question] = []
    while len(questions) < count:
        question, pairs = _draw_question(spec, rng)
        if pairs <= MOST_PAIRS:
            questions.append(question)
    return questions


def _draw_question(spec: NetworkSpec, rng: random.Random) -> tuple[Question, int]:
    """One question, and how many address pairs its brute-force answer weighs.

    The destination lies mostly in a VPC peered with the source's (or in the source's
    own), where the answers are most varied.
    """
    source = rng.choice(list(spec.subnets.values()))
    vpc = spec.vpcs[source.vpc]
    peers = [peer for _, peer in spec.peerings_of(vpc.name)]
    draw = rng.random()
    if draw < 0.75 and peers:
        other = spec.vpcs[rng.choice(peers)]
    elif draw < 0.9:
        other = vpc
    else:
        other = rng.choice(list(spec.vpcs.values()))
    version = 6 if rng.random() < (0.4 if vpc.ipv6 else 0.1) else 4
    port = _draw_port(spec, rng)
    kind = rng.choices(["subnet", "vpc", "from-vpc", "address"], [4, 2, 1, 3])[0]
    block = source.block(version)
    if kind == "address" and block is not None:
        address = block[rng.randrange(block.num_addresses)]
        destination = _draw_block(spec, rng, other, version)
        question = Question(str(address), destination, port, rng.choice((None, version)))
        return question, ip_network(destination).num_addresses
    ip_version = 6 if version == 6 else rng.choice((None, 4))
    if kind == "vpc":
        question = Question(spec.path(source.name), spec.path(other.name), port, ip_version)
        return question, _size([source]) * _size(spec.subnets_of(other.name))
    target = rng.choice(spec.subnets_of(other.name))
    if kind == "from-vpc":
        question = Question(spec.path(vpc.name), spec.path(target.name), port, ip_version)
        return question, _size(spec.subnets_of(vpc.name)) * _size([target])
    question = Question(spec.path(source.name), spec.path(target.name), port, ip_version)
    return question, _size([source]) * _size([target])


def _size(subnets: list[Subnet]) -> int:
    return sum(subnet.ipv4.num_addresses for subnet in subnets)


def _draw_port(spec: NetworkSpec, rng: random.Random) -> int | None:
    """No port half the time; else mostly a port at the edge of an ACL entry's range."""
    if rng.random() < 0.5:
        return None
    ranges = [e.ports for acl in spec.acls.values() for e in acl.entries if e.ports]
    if ranges and rng.random() < 0.7:
        low, high = rng.choice(ranges)
        return min(max(rng.choice((low - 1, low, high, high + 1)), 1), 65535)
    return rng.choice((443, 80, 22, 1024, 65535, rng.randint(1, 65535)))


def _draw_block(spec: NetworkSpec, rng: random.Random, vpc: Vpc, version: int) -> str:
    """A destination in or around a subnet of ``vpc``: the subnet's block, a block around
    it (which may straddle subnets), a block or an address inside it, or part of the VPC."""
    subnets = [s.block(version) for s in spec.subnets_of(vpc.name) if s.block(version)]
    blocks = vpc.blocks(version) or [ip_network("2001:db8:ffff::/124")]
    draw = rng.random()
    if draw < 0.15 or not subnets:
        return str(_sub_block(rng, rng.choice(blocks)))
    block = rng.choice(subnets)
    assert block is not None
    if draw < 0.35:
        return str(block[rng.randrange(block.num_addresses)])
    if draw < 0.6:
        return str(block)
    if draw < 0.8:
        return str(block.supernet(prefixlen_diff=rng.choice((1, 2))))
    return str(_sub_block(rng, block))


# --- the cloud assembly -------------------------------------------------------------------


def write_assembly(spec: NetworkSpec, directory: Path) -> Path:
    """Write ``spec`` as a cloud assembly in ``directory`` (made here) and return it."""
    writer = _Writer(spec)
    writer.write_all()
    directory.mkdir(parents=True)
    order = sorted(writer.templates, key=lambda stack: (stack == "Peerings", stack))
    artifacts: Json = {}
    for stack in order:
        metadata = {
            f"/{stack}/{name}": [{"type": "aws:cdk:logicalId", "data": name}]
            for name in writer.templates[stack]["Resources"]
        }
        artifacts[stack] = {
            "type": "aws:cloudformation:stack",
            "environment": spec.environment,
            "properties": {"templateFile": f"{stack}.template.json", "validateOnSynth": False},
            "dependencies": sorted(writer.dependencies.get(stack, ())),
            "metadata": metadata,
            "displayName": stack,
        }
        text = json.dumps(writer.templates[stack], indent=1)
        (directory / f"{stack}.template.json").write_text(text)
    manifest = {"version": "48.0.0", "artifacts": artifacts}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return directory


class _Writer:
    """The templates of one spec: resources, parameters, and exports across stacks."""

    def __init__(self, spec: NetworkSpec) -> None:
        self.spec = spec
        self.templates: dict[str, Json] = {}
        self.dependencies: dict[str, set[str]] = {}
        self.homes: dict[str, str] = {}
        for group in (
            spec.vpcs,
            spec.subnets,
            spec.tables,
            spec.peerings,
            spec.acls,
            spec.prefix_lists,
            spec.gateways,
        ):
            for name, element in group.items():
                self.homes[name] = element.stack

    def template(self, stack: str) -> Json:
        return self.templates.setdefault(stack, {"Resources": {}})

    def resource(
        self,
        stack: str,
        name: str,
        kind: str,
        properties: Json,
        depends_on: list[str] | None = None,
    ) -> None:
        body: Json = {"Type": kind, "Properties": properties}
        if depends_on:
            body["DependsOn"] = depends_on
        body["Metadata"] = {"aws:cdk:path": f"{stack}/{name}"}
        self.template(stack)["Resources"][name] = body

    def ref(self, stack: str, name: str, attribute: str | None = None) -> Json:
        """``Ref`` or ``Fn::GetAtt`` in the same stack, else the import of an export."""
        home = self.homes[name]
        local: Json = {"Ref": name} if attribute is None else {"Fn::GetAtt": [name, attribute]}
        if home == stack:
            return local
        output = f"ExportsOutput{'Ref' if attribute is None else 'FnGetAtt'}{name}{attribute or ''}"
        export = f"{home}:{output}"
        outputs = self.template(home).setdefault("Outputs", {})
        outputs[output] = {"Value": local, "Export": {"Name": export}}
        self.dependencies.setdefault(stack, set()).add(home)
        return {"Fn::ImportValue": export}

    def write_all(self) -> None:
        for vpc in self.spec.vpcs.values():
            self.vpc(vpc)
        for table in self.spec.tables.values():
            properties = {"VpcId": self.ref(table.stack, table.vpc)}
            self.resource(table.stack, table.name, "AWS::EC2::RouteTable", properties)
        for subnet in self.spec.subnets.values():
            self.subnet(subnet)
        for gateway in self.spec.gateways.values():
            self.gateway(gateway)
        for peering in self.spec.peerings.values():
            self.peering(peering)
        for prefix_list in self.spec.prefix_lists.values():
            self.resource(
                prefix_list.stack,
                prefix_list.name,
                "AWS::EC2::PrefixList",
                {
                    "AddressFamily": f"IPv{prefix_list.version}",
                    "Entries": [{"Cidr": str(block)} for block in prefix_list.entries],
                    "MaxEntries": len(prefix_list.entries) + 2,
                    "PrefixListName": prefix_list.name,
                },
            )
        for route in self.spec.routes:
            self.route(route)
        for acl in self.spec.acls.values():
            self.acl(acl)

    def vpc(self, vpc: Vpc) -> None:
        self.resource(
            vpc.stack,
            vpc.name,
            "AWS::EC2::VPC",
            {
                "CidrBlock": str(vpc.ipv4[0]),
                "EnableDnsHostnames": True,
                "EnableDnsSupport": True,
                "InstanceTenancy": "default",
                "Tags": [{"Key": "Name", "Value": f"{vpc.stack}/{vpc.name}"}],
            },
        )
        for number, block in enumerate(vpc.ipv4[1:], 1):
            properties = {"CidrBlock": str(block), "VpcId": self.ref(vpc.stack, vpc.name)}
            self.resource(
                vpc.stack, f"{vpc.name}Block{number}", "AWS::EC2::VPCCidrBlock", properties
            )
        for number, ipv6 in enumerate(vpc.ipv6, 1):
            properties = {
                "Ipv6CidrBlock": str(ipv6),
                "Ipv6Pool": "ipv6pool-ec2-0123456789abcdef0",
                "VpcId": self.ref(vpc.stack, vpc.name),
            }
            self.resource(
                vpc.stack, f"{vpc.name}Ipv6{number}", "AWS::EC2::VPCCidrBlock", properties
            )

    def subnet(self, subnet: Subnet) -> None:
        vpc = self.spec.vpcs[subnet.vpc]
        zone: object = f"{REGION}a"
        if self.spec.environment == AGNOSTIC:
            zone = {"Fn::Select": [0, {"Fn::GetAZs": ""}]}
        properties: Json = {
            "AvailabilityZone": zone,
            "CidrBlock": str(subnet.ipv4),
            "MapPublicIpOnLaunch": False,
            "VpcId": self.ref(subnet.stack, vpc.name),
        }
        depends_on = [
            f"{vpc.name}Block{number}"
            for number, block in enumerate(vpc.ipv4[1:], 1)
            if subnet.ipv4.subnet_of(block)
        ]
        if subnet.ipv6 is not None:
            properties["Ipv6CidrBlock"] = str(subnet.ipv6)
            properties["AssignIpv6AddressOnCreation"] = False
            depends_on.append(f"{vpc.name}Ipv61")
        self.resource(subnet.stack, subnet.name, "AWS::EC2::Subnet", properties, depends_on)
        if subnet.table is not None:
            self.resource(
                subnet.stack,
                f"{subnet.name}RouteTableAssociation",
                "AWS::EC2::SubnetRouteTableAssociation",
                {
                    "RouteTableId": self.ref(subnet.stack, subnet.table),
                    "SubnetId": self.ref(subnet.stack, subnet.name),
                },
            )
        if subnet.acl is not None:
            self.resource(
                subnet.stack,
                f"{subnet.name}AclAssociation",
                "AWS::EC2::SubnetNetworkAclAssociation",
                {
                    "NetworkAclId": self.ref(subnet.stack, subnet.acl),
                    "SubnetId": self.ref(subnet.stack, subnet.name),
                },
            )

    def gateway(self, gateway: Gateway) -> None:
        stack, name, vpc = gateway.stack, gateway.name, self.ref(gateway.stack, gateway.vpc)
        if gateway.kind == INTERNET_GATEWAY:
            self.resource(stack, name, "AWS::EC2::InternetGateway", {})
            attachment = {"InternetGatewayId": {"Ref": name}, "VpcId": vpc}
            self.resource(stack, f"{name}Attachment", "AWS::EC2::VPCGatewayAttachment", attachment)
        elif gateway.kind == NAT_GATEWAY:
            assert gateway.subnet is not None
            self.resource(stack, f"{name}Eip", "AWS::EC2::EIP", {"Domain": "vpc"})
            properties = {
                "AllocationId": {"Fn::GetAtt": [f"{name}Eip", "AllocationId"]},
                "SubnetId": self.ref(stack, gateway.subnet),
            }
            self.resource(stack, name, "AWS::EC2::NatGateway", properties)
        elif gateway.kind == EGRESS_ONLY:
            self.resource(stack, name, "AWS::EC2::EgressOnlyInternetGateway", {"VpcId": vpc})
        else:
            raise ValueError(f"no gateway of kind {gateway.kind}")

    def peering(self, peering: Peering) -> None:
        stack = peering.stack
        properties: Json = {
            "PeerVpcId": self.ref(stack, peering.peer_vpc),
            "VpcId": self.ref(stack, peering.vpc),
        }
        if peering.owner == OWN_ACCOUNT:
            properties["PeerOwnerId"] = {"Ref": "AWS::AccountId"}
        elif peering.owner == SAME_LITERAL:
            properties["PeerOwnerId"] = ACCOUNT
        elif peering.owner == OTHER_LITERAL:
            properties["PeerOwnerId"] = OTHER_ACCOUNT
        elif peering.owner == PARAMETER:
            parameter = f"{peering.name}Owner"
            self.template(stack).setdefault("Parameters", {})[parameter] = {"Type": "String"}
            properties["PeerOwnerId"] = {"Ref": parameter}
        self.resource(stack, peering.name, "AWS::EC2::VPCPeeringConnection", properties)

    def route(self, route: Route) -> None:
        stack = route.stack
        properties: Json = {"RouteTableId": self.ref(stack, route.table)}
        family = "DestinationCidrBlock"
        if route.token is not None:
            family = (
                "DestinationCidrBlock" if route.token_version == 4 else "DestinationIpv6CidrBlock"
            )
            self.template(stack).setdefault("Parameters", {})[route.token] = {"Type": "String"}
            properties[family] = {"Ref": route.token}
        elif route.prefix_list is not None:
            properties["DestinationPrefixListId"] = self.ref(
                stack, route.prefix_list, "PrefixListId"
            )
        else:
            assert route.destination is not None
            if route.destination.version == 6:
                family = "DestinationIpv6CidrBlock"
            properties[family] = str(route.destination)
        depends_on: list[str] = []
        target = route.target
        if target is not None and target.kind == TRANSIT_GATEWAY:
            properties["TransitGatewayId"] = target.name
        elif target is not None:
            key = {
                PEERING: "VpcPeeringConnectionId",
                INTERNET_GATEWAY: "GatewayId",
                NAT_GATEWAY: "NatGatewayId",
                EGRESS_ONLY: "EgressOnlyInternetGatewayId",
            }[target.kind]
            properties[key] = self.ref(stack, target.name)
            if target.kind == INTERNET_GATEWAY:
                depends_on.append(f"{target.name}Attachment")
        self.resource(stack, route.name, "AWS::EC2::Route", properties, depends_on)

    def acl(self, acl: Acl) -> None:
        properties = {"VpcId": self.ref(acl.stack, acl.vpc)}
        self.resource(acl.stack, acl.name, "AWS::EC2::NetworkAcl", properties)
        for item in acl.entries:
            direction = "Egress" if item.egress else "Ingress"
            entry_properties: Json = {
                "CidrBlock" if item.block.version == 4 else "Ipv6CidrBlock": str(item.block),
                "Egress": item.egress,
                "NetworkAclId": {"Ref": acl.name},
                "Protocol": item.protocol,
                "RuleAction": "allow" if item.allow else "deny",
                "RuleNumber": item.rule,
            }
            if item.ports is not None:
                entry_properties["PortRange"] = {"From": item.ports[0], "To": item.ports[1]}
            if item.protocol in (1, 58):
                entry_properties["Icmp"] = {"Code": -1, "Type": -1}
            name = f"{acl.name}{direction}{item.rule}"
            self.resource(acl.stack, name, "AWS::EC2::NetworkAclEntry", entry_properties)


if __name__ == "__main__":
    seed, out = int(sys.argv[1]), Path(sys.argv[2])
    written = write_assembly(generate(seed), out)
    print(f"seed {seed}: wrote {written}")
    for question in draw_questions(generate(seed), seed, 12):
        print(question)
