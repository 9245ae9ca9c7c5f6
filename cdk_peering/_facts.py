"""What the library knows about a VPC: its CIDR blocks, subnets and route tables.

Every read of a VPC property is a round trip to the jsii Node.js process, so the facts of
one VPC are read once and cached for the life of the Python object; a mesh of N VPCs
reads each VPC once, not N - 1 times. The literal CIDRs are read wherever CDK holds
them (a new Vpc's CfnVPC and CfnVPCCidrBlocks, subnet CIDRs), so the rules can check
ordinary apps, not only imported VPCs.
"""

from __future__ import annotations

import ipaddress
import weakref
from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

_TOKEN_MARKERS = ("${Token[", "#{Token[")

# ec2.Vpc.from_lookup returns this CIDR while its context is still missing (the first pass
# of `cdk synth`, before the CLI has looked the VPC up); no rule may reject it.
LOOKUP_PLACEHOLDER_CIDR = "1.2.3.4/5"

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_token(value: str) -> bool:
    """Tell whether a string holds an unresolved CDK token.

    Same answer as ``Token.is_unresolved`` for strings, without a round trip to Node.js.
    """
    return any(marker in value for marker in _TOKEN_MARKERS)


def parse_network(cidr: str) -> IpNetwork | None:
    """Parse a literal CIDR leniently (host bits allowed); None for tokens and bad text."""
    if is_token(cidr):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


@dataclass(frozen=True)
class SubnetFacts:
    """One subnet as the library sees it."""

    name: str
    """The subnet's construct id (stable, used in route construct ids)."""
    subnet_id: str
    route_table_id: str | None
    ipv4_cidr: str | None
    ipv6_cidrs: tuple[str, ...]


@dataclass(frozen=True)
class VpcFacts:
    """One VPC as the library sees it, read once."""

    vpc: ec2.IVpc
    vpc_id: str
    path: str
    ipv4_cidrs: tuple[str, ...]
    """Every IPv4 block, primary first: literals where CDK has them, else tokens."""
    ipv6_cidrs: tuple[str, ...]
    """Every IPv6 block: literals where CDK has them, else tokens."""
    ipv6_amazon_provided: tuple[str, ...]
    """The IPv6 blocks (tokens) that Amazon allocates: unique, so they cannot overlap."""
    built_in_app: bool
    """True when the VPC is defined in this app, so its CIDR list is complete."""
    unresolved_ipv4_blocks: int
    """Secondary IPv4 blocks whose CIDR CloudFormation cannot tell (allocated from IPAM)."""
    ipv6_dependencies: tuple[cdk.CfnResource, ...]
    """The CfnVPCCidrBlocks a route to an Amazon-provided IPv6 block must wait for."""
    subnets: tuple[SubnetFacts, ...]
    """Every subnet: public, private and isolated."""
    subnets_by_id: dict[str, SubnetFacts] = field(repr=False)
    selections: dict[int, tuple[ec2.SubnetSelection, list[SubnetFacts]]] = field(
        default_factory=dict[int, tuple[ec2.SubnetSelection, list[SubnetFacts]]], repr=False
    )
    """Selections already made, by the selection object (a mesh reuses one selection)."""

    @property
    def has_ipv6(self) -> bool:
        """Tell whether the VPC has at least one IPv6 block."""
        return bool(self.ipv6_cidrs)

    @property
    def known_networks(self) -> tuple[IpNetwork, ...]:
        """Every literal address range known to belong to the VPC.

        For an imported VPC this adds the subnet CIDRs that lie outside its primary block
        (they belong to secondary blocks CDK cannot otherwise see).
        """
        networks: list[IpNetwork] = []
        for cidr in self.ipv4_cidrs + self.ipv6_cidrs:
            network = parse_network(cidr)
            if network is not None:
                networks.append(network)
        if not self.built_in_app:
            for subnet in self.subnets:
                network = parse_network(subnet.ipv4_cidr) if subnet.ipv4_cidr else None
                if network is not None and not any(
                    network.version == known.version and network.subnet_of(known)  # type: ignore[arg-type]
                    for known in networks
                ):
                    networks.append(network)
        return tuple(networks)

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether this is Vpc.from_lookup's stand-in before its context is known."""
        return LOOKUP_PLACEHOLDER_CIDR in self.ipv4_cidrs


_cache: weakref.WeakKeyDictionary[ec2.IVpc, VpcFacts] = weakref.WeakKeyDictionary()


def vpc_facts(vpc: ec2.IVpc) -> VpcFacts:
    """Read (once) and return what the library needs to know about ``vpc``.

    Secondary CIDR blocks are found as CfnVPCCidrBlock children or siblings of the Vpc;
    declare them before the first peering that uses the VPC.
    """
    cached = _cache.get(vpc)
    if cached is None:
        cached = _read_vpc(vpc)
        _cache[vpc] = cached
    return cached


def _read_vpc(vpc: ec2.IVpc) -> VpcFacts:
    node = vpc.node
    vpc_id = vpc.vpc_id
    default_child = node.default_child
    built = isinstance(default_child, ec2.CfnVPC)
    ipv4: list[str] = []
    ipv6: list[str] = []
    amazon_ipv6: list[str] = []
    deps: list[cdk.CfnResource] = []
    unresolved_ipv4 = 0

    if built:
        assert isinstance(default_child, ec2.CfnVPC)
        ipv4.append(default_child.cidr_block or vpc.vpc_cidr_block)
        candidates = list(node.children)
        parent = node.scope
        if parent is not None:
            candidates.extend(parent.node.children)
        ipv6_index = 0
        for child in candidates:
            if not isinstance(child, ec2.CfnVPCCidrBlock) or child.vpc_id != vpc_id:
                continue
            if child.amazon_provided_ipv6_cidr_block or child.ipv6_ipam_pool_id:
                token = cdk.Fn.select(ipv6_index, default_child.attr_ipv6_cidr_blocks)
                ipv6.append(child.ipv6_cidr_block or token)
                if child.ipv6_cidr_block is None:
                    amazon_ipv6.append(token)
                deps.append(child)
                ipv6_index += 1
            elif child.ipv6_cidr_block:
                ipv6.append(child.ipv6_cidr_block)
                deps.append(child)
                ipv6_index += 1
            elif child.cidr_block:
                ipv4.append(child.cidr_block)
            else:
                unresolved_ipv4 += 1
    else:
        ipv4.append(vpc.vpc_cidr_block)

    has_ipv6 = bool(ipv6)
    subnets = tuple(
        _read_subnet(subnet, with_ipv6=has_ipv6 and built)
        for subnet in (*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets)
    )
    return VpcFacts(
        vpc=vpc,
        vpc_id=vpc_id,
        path=node.path,
        ipv4_cidrs=tuple(ipv4),
        ipv6_cidrs=tuple(ipv6),
        ipv6_amazon_provided=tuple(amazon_ipv6),
        built_in_app=built,
        unresolved_ipv4_blocks=unresolved_ipv4,
        ipv6_dependencies=tuple(deps),
        subnets=subnets,
        subnets_by_id={subnet.subnet_id: subnet for subnet in subnets},
    )


def _read_subnet(subnet: ec2.ISubnet, *, with_ipv6: bool) -> SubnetFacts:
    try:
        ipv4_cidr: str | None = subnet.ipv4_cidr_block
    except RuntimeError:  # an imported subnet given without its CIDR
        ipv4_cidr = None
    try:
        route_table_id: str | None = subnet.route_table.route_table_id
    except RuntimeError:  # an imported subnet given without its route table
        route_table_id = None
    ipv6_cidrs: tuple[str, ...] = ()
    if with_ipv6 and isinstance(subnet, ec2.Subnet):
        ipv6_cidrs = (cdk.Fn.select(0, subnet.subnet_ipv6_cidr_blocks),)
    return SubnetFacts(
        name=subnet.node.id,
        subnet_id=subnet.subnet_id,
        route_table_id=route_table_id,
        ipv4_cidr=ipv4_cidr,
        ipv6_cidrs=ipv6_cidrs,
    )


def select_subnets(facts: VpcFacts, selection: ec2.SubnetSelection | None) -> list[SubnetFacts]:
    """Return the subnets a selection picks; every subnet of the VPC when it is None.

    Raises RuntimeError (jsii's) when CDK itself rejects the selection.
    """
    if selection is None:
        return list(facts.subnets)
    cached = facts.selections.get(id(selection))
    if cached is not None and cached[0] is selection:
        return list(cached[1])
    selected = facts.vpc.select_subnets(
        availability_zones=selection.availability_zones,
        one_per_az=selection.one_per_az,
        subnet_filters=selection.subnet_filters,
        subnet_group_name=selection.subnet_group_name,
        subnets=selection.subnets,
        subnet_type=selection.subnet_type,
    ).subnets
    result: list[SubnetFacts] = []
    for subnet in selected:
        subnet_id = subnet.subnet_id
        known = facts.subnets_by_id.get(subnet_id)
        result.append(known if known is not None else _read_subnet(subnet, with_ipv6=False))
    facts.selections[id(selection)] = (selection, result)
    return list(result)
