"""The network a cloud assembly describes, as plain data.

VPCs, subnets, route tables and routes, peering connections, security groups, interface
endpoints, endpoint services and their load balancers, private hosted zones and their
records.

Every object is named by the construct path a user sees (``Stack/Vpc``,
``Stack/Vpc/IsolatedSubnet1``, ``Stack/Vpc/IsolatedSubnet1/RouteTable``); an object the app
only imports by a literal id is named by that id and marked ``external``. Read
``Network.vpcs`` and its neighbours to walk the model; the objects are built once by
``Network.from_assembly`` and are not meant to be changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._cidr import Block, Cidr, Ipv6Symbol

LOCAL = "local"
PEERING = "peering"
GATEWAY = "gateway"
BLACKHOLE = "blackhole"
UNKNOWN = "unknown"
EPHEMERAL_PORTS = (1024, 65535)
"""The ports a reply may go to: a network ACL must let replies to all of them through."""


@dataclass(eq=False)
class Vpc:
    """A VPC: its blocks, subnets and route tables.

    IPv4 blocks come primary first, then ``AWS::EC2::VPCCidrBlock``; IPv6 blocks are
    symbolic when AWS assigns them.
    """

    path: str
    account: str | None
    region: str | None
    stack: str | None
    cidrs: list[Cidr] = field(default_factory=list)
    ipv6: list[Block] = field(default_factory=list)
    external: bool = False
    unknown: list[str] = field(default_factory=list)
    """Why some of its blocks are unknown (empty when all are known)."""
    subnets: list[Subnet] = field(default_factory=list)
    tables: list[RouteTable] = field(default_factory=list)
    main_table: RouteTable | None = None
    default_acl: NetworkAcl | None = None
    """The VPC's default network ACL (it allows everything), for subnets without one."""
    agnostic: bool = False
    """True when its stack is environment-agnostic (no ``env``): such stacks of one app
    deploy into one account and Region."""

    @property
    def environment(self) -> str:
        """Return ``account/region``, or ``environment-agnostic`` for a stack without env."""
        return _environment(self.account, self.region, self.agnostic)

    def __str__(self) -> str:
        blocks = ", ".join(str(cidr) for cidr in self.cidrs) or "blocks unknown"
        return f"VPC {self.path} ({blocks})"


@dataclass(eq=False)
class Subnet:
    """A subnet: its blocks, the VPC, its explicit route table, its CDK subnet group."""

    path: str
    vpc: Vpc | None
    cidr: Cidr | None
    ipv6: Block | None = None
    zone: str | None = None
    group: str = ""
    """The CDK subnet group name (tag ``aws-cdk:subnet-name``), else the subnet's path."""
    table: RouteTable | None = None
    """The explicitly associated route table; None when the VPC's main table serves it."""
    unknown: str | None = None
    """Why its IPv4 block is unknown (None: known, or it has none)."""
    ipv6_unknown: str | None = None
    """Why its IPv6 block is unknown (None: known, or it has none)."""
    acl: NetworkAcl | None = None
    """The explicitly associated network ACL; None when the VPC's default ACL serves it."""

    @property
    def route_table(self) -> RouteTable | None:
        """Return the table that routes for this subnet: its own, else the VPC's main."""
        if self.table is not None:
            return self.table
        return self.vpc.main_table if self.vpc is not None else None

    @property
    def network_acl(self) -> NetworkAcl | None:
        """Return the ACL that filters this subnet's traffic: its own, else the VPC's default."""
        if self.acl is not None:
            return self.acl
        return self.vpc.default_acl if self.vpc is not None else None

    def __str__(self) -> str:
        return f"subnet {self.path} ({self.cidr or 'block unknown'})"


@dataclass(eq=False)
class RouteTable:
    """A route table, its routes (not counting the implicit local ones) and its subnets."""

    path: str
    vpc: Vpc | None
    routes: list[Route] = field(default_factory=list)
    main: bool = False
    external: bool = False
    subnets: list[Subnet] = field(default_factory=list)
    """The subnets it routes for (for a main table: the VPC's subnets with no table)."""

    def __str__(self) -> str:
        return f"route table {self.path}"


@dataclass(frozen=True, eq=False)
class Target:
    """Where a route sends traffic.

    ``kind`` is local, peering, gateway, blackhole or unknown; ``name`` says it for a
    reader; ``why`` explains a blackhole or an unknown.
    """

    kind: str
    name: str
    peering: Peering | None = None
    why: str | None = None

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class Route:
    """One route of a table (``destination`` None when a token hides it).

    A route to a prefix list has ``prefix_list`` set and no ``destination``: it routes each
    entry of the list.
    """

    path: str
    table: RouteTable
    destination: Block | None
    target: Target
    written: str = ""
    """The destination as the template writes it (for a destination the model cannot read)."""
    prefix_list: PrefixList | None = None
    ipv6: bool = False
    """True for a route of IPv6 traffic (``DestinationIpv6CidrBlock``)."""
    maybe: str | None = None
    """Why the route may not exist (a condition a parameter decides); None: it exists."""

    @property
    def destination_text(self) -> str:
        """Return the destination as a reader would write it."""
        return str(self.destination) if self.destination is not None else self.written

    def __str__(self) -> str:
        return f"{self.table.path}: {self.destination_text} -> {self.target}"


@dataclass(eq=False)
class Peering:
    """A VPC peering connection between a requester and an accepter VPC."""

    path: str
    requester: Vpc | None
    accepter: Vpc | None
    accepted: bool | None = True
    """False when nothing accepts it (another account, no role, no acceptance); None when
    the assembly cannot tell."""
    why: str | None = None
    """Why it is not (or not known to be) accepted, or which side is unknown."""
    external: bool = False
    account: str | None = None
    """The requester's account (where the connection is defined)."""
    region: str | None = None
    """The requester's region."""
    peer_account: str | None = None
    """The accepter's account (``PeerOwnerId``, by default the requester's)."""
    peer_region: str | None = None
    """The accepter's region (``PeerRegion``, by default the requester's)."""

    @property
    def usable(self) -> bool | None:
        """Tell whether traffic can go through it.

        False when it is never accepted; None when an end or its acceptance is unknown.
        """
        if self.accepted is False:
            return False
        if self.requester is None or self.accepter is None or self.accepted is None:
            return None
        return True

    def peer_of(self, vpc: Vpc) -> Vpc | None:
        """Return the VPC at the other end from ``vpc`` (None if ``vpc`` is neither end)."""
        if self.requester is vpc:
            return self.accepter
        if self.accepter is vpc:
            return self.requester
        return None

    def __str__(self) -> str:
        ends = " <-> ".join(
            vpc.path if vpc else "unknown VPC" for vpc in (self.requester, self.accepter)
        )
        return f"peering {self.path} ({ends})"


@dataclass(frozen=True, eq=False)
class Rule:
    """One inbound rule of a security group: by CIDR, or by security group."""

    protocol: str
    """``-1`` (all), ``tcp``, ``udp``, ``icmp``, ``icmpv6`` or a protocol number."""
    from_port: int | None
    to_port: int | None
    cidr: Cidr | None = None
    group: SecurityGroup | None = None
    unknown: str | None = None
    """Why the source of the rule is unknown (a token)."""
    prefix_list: PrefixList | None = None
    path: str = ""
    """The path of the resource that writes the rule (the group, or its ingress resource)."""

    def covers_port(self, port: int) -> bool:
        """Tell whether the rule admits TCP ``port``."""
        if self.protocol == "-1":
            return True
        if self.protocol not in ("tcp", "6"):
            return False
        low = self.from_port if self.from_port is not None else 0
        high = self.to_port if self.to_port is not None else 65535
        return low <= port <= high or (low == -1 and high == -1)

    def __str__(self) -> str:
        source = (
            str(self.cidr)
            if self.cidr
            else (
                self.group.path
                if self.group
                else (f"prefix list {self.prefix_list.path}" if self.prefix_list else "?")
            )
        )
        ports = (
            "all" if self.protocol == "-1" else f"{self.protocol} {self.from_port}-{self.to_port}"
        )
        return f"{source} on {ports}"


@dataclass(eq=False)
class SecurityGroup:
    """A security group and its inbound rules (external: imported by id, rules unknown)."""

    path: str
    vpc: Vpc | None
    rules: list[Rule] = field(default_factory=list)
    external: bool = False


@dataclass(eq=False)
class LoadBalancer:
    """A load balancer: its security groups and its listeners' ports.

    ``enforce_on_privatelink`` tells whether the groups filter PrivateLink traffic.
    """

    path: str
    kind: str
    groups: list[SecurityGroup] = field(default_factory=list)
    enforce_on_privatelink: bool = True
    ports: set[int] = field(default_factory=set)
    unknown_ports: list[str] = field(default_factory=list)


@dataclass(eq=False)
class EndpointService:
    """An endpoint service (PrivateLink provider side) and its load balancers."""

    path: str
    region: str | None
    account: str | None
    acceptance_required: bool = False
    load_balancers: list[LoadBalancer] = field(default_factory=list)
    accepted: dict[Endpoint, str] = field(default_factory=dict)
    """Endpoint -> the path of the resource that accepts its connection."""

    agnostic: bool = False
    """True when its stack is environment-agnostic."""

    @property
    def environment(self) -> str:
        """Return ``account/region``, or ``environment-agnostic`` for a stack without env."""
        return _environment(self.account, self.region, self.agnostic)


@dataclass(eq=False)
class Endpoint:
    """A VPC endpoint; ``kind`` is Interface, Gateway or GatewayLoadBalancer."""

    path: str
    kind: str
    vpc: Vpc | None
    subnets: list[Subnet] = field(default_factory=list)
    groups: list[SecurityGroup] | None = None
    """Its security groups; None when it has none (the VPC's default group)."""
    unknown_subnets: list[str] = field(default_factory=list)
    """Its subnets the assembly does not hold (each has one of its addresses)."""
    unknown_groups: list[str] = field(default_factory=list)
    """Its security groups the assembly does not hold (their rules are unknown)."""
    service: EndpointService | None = None
    service_name: str = ""
    aws_service: bool = False
    unknown: str | None = None
    """Why its service (and so its acceptance) is unknown."""
    ip_address_type: str = "ipv4"
    """``ipv4``, ``dualstack`` or ``ipv6``: the families its network interfaces have."""
    state: str | None = None
    """Its state in a deployed network (``available``, ``pendingAcceptance``, ``rejected``...);
    None in a plan."""

    def __str__(self) -> str:
        return f"endpoint {self.path}"


@dataclass(eq=False)
class Record:
    """A DNS record of a hosted zone: an alias to an endpoint, literal addresses, a CNAME."""

    path: str
    name: str
    type: str
    endpoint: Endpoint | None = None
    addresses: list[Cidr] = field(default_factory=list)
    canonical: str | None = None
    unknown: str | None = None


@dataclass(eq=False)
class HostedZone:
    """A Route 53 hosted zone, the VPCs it is associated with, its records."""

    path: str
    name: str
    vpcs: list[Vpc] = field(default_factory=list)
    unknown_vpcs: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    associated_by: dict[Vpc, str] = field(default_factory=dict)
    """VPC -> the path of a resource (not the zone) that associates it."""

    @property
    def private(self) -> bool:
        """Tell whether the zone is private (associated with a VPC)."""
        return bool(self.vpcs or self.unknown_vpcs)


@dataclass(eq=False)
class PrefixList:
    """A customer-managed prefix list: its entries (None when the assembly does not hold them).

    ``external`` marks a list the app names by a literal id (``pl-...``), whose entries
    only AWS knows.
    """

    path: str
    version: int = 4
    entries: list[Cidr] | None = field(default_factory=list)
    external: bool = False
    unknown: str | None = None

    def __str__(self) -> str:
        return f"prefix list {self.path}"


@dataclass(frozen=True, eq=False)
class AclEntry:
    """One entry of a network ACL.

    ``protocol`` is ``-1`` (all), ``tcp``, ``udp``, ``icmp``, ``icmpv6`` or a number;
    ``ports`` the inclusive destination port range of a TCP or UDP entry (None: all).
    ``cidr`` is None when a token hides the block (``unknown`` says why).
    """

    path: str
    number: int
    egress: bool
    protocol: str
    allow: bool
    cidr: Cidr | None
    ports: tuple[int, int] | None = None
    unknown: str | None = None
    ipv6: bool = False
    """True for an entry of IPv6 traffic (``Ipv6CidrBlock``)."""
    symbol: Ipv6Symbol | None = None
    """The AWS-assigned IPv6 block (or piece of one) a token block names, when ``cidr`` is
    None for that reason: what a deployed entry's block is compared with."""

    def matches_tcp(self, port: int) -> bool:
        """Tell whether the entry applies to TCP traffic to ``port`` (its block aside)."""
        if self.protocol == "-1":
            return True
        if self.protocol != "tcp":
            return False
        return self.ports is None or self.ports[0] <= port <= self.ports[1]

    def __str__(self) -> str:
        action = "allow" if self.allow else "deny"
        direction = "egress" if self.egress else "ingress"
        block = str(self.cidr) if self.cidr is not None else (self.unknown or "unknown")
        if self.protocol == "-1":
            what = "all traffic"
        elif self.ports is None:
            what = f"{self.protocol}, all ports"
        else:
            low, high = self.ports
            what = f"{self.protocol} {low}" if low == high else f"{self.protocol} {low}-{high}"
        return f"{direction} rule {self.number}: {action} {what} {block}"


@dataclass(eq=False)
class NetworkAcl:
    """A network ACL and its entries (``default``: a VPC's default ACL, allowing all).

    ``external``: associated by a literal id; its entries are unknown.
    """

    path: str
    vpc: Vpc | None
    entries: list[AclEntry] = field(default_factory=list)
    default: bool = False
    external: bool = False

    def __str__(self) -> str:
        return f"network ACL {self.path}"


def _environment(account: str | None, region: str | None, agnostic: bool = False) -> str:
    if agnostic and account is None and region is None:
        return "environment-agnostic"
    return f"{account or 'unknown account'}/{region or 'unknown region'}"
