"""What the library knows about a VPC: its CIDR blocks, subnets and route tables.

Every read of a VPC property is a round trip to the jsii Node.js process, so the facts of
one VPC are read once and cached for the life of the Python object; a mesh of N VPCs
reads each VPC once, not N - 1 times. The literal CIDRs are read wherever CDK holds
them (a new Vpc's CfnVPC and CfnVPCCidrBlocks, subnet CIDRs), so the rules can check
ordinary apps, not only imported VPCs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IConstruct, Node

from .. import rule_ids
from ..findings import Finding, listing
from ..model.cidr import LOOKUP_PLACEHOLDER_CIDR, IpNetwork, parse_network
from ..model.env import Env
from ..model.vpc import literal_networks

if TYPE_CHECKING:
    from ..rules.return_routes import SubnetRoute


@dataclass
class SiblingCache:
    """What a pass over many VPCs reads of the tree once (a topology, the late check)."""

    children: dict[int, tuple[IConstruct, list[IConstruct]]] = field(
        default_factory=dict[int, tuple[IConstruct, list[IConstruct]]]
    )
    """Each parent's children, by id() of the parent (kept alive with it)."""
    parents: dict[str, IConstruct] = field(default_factory=dict[str, IConstruct])
    """Constructs known by path: a VPC whose parent is one needs no read of its scope."""

    def children_of(self, parent: IConstruct) -> list[IConstruct]:
        """Return a parent's children, read once."""
        known = self.children.get(id(parent))
        if known is None or known[0] is not parent:
            known = self.children[id(parent)] = (parent, list(parent.node.children))
        return known[1]


IpV6Sources = dict[str, tuple[list[str], int]]
"""Each IPv6 block token of a VPC: the list attribute it selects from, and the index."""


class SubnetFacts:
    """One subnet as the library sees it; each value is read from jsii on first use."""

    def __init__(
        self, subnet: ec2.ISubnet, *, with_ipv6: bool, sources: IpV6Sources | None = None
    ) -> None:
        self.subnet = subnet
        self._with_ipv6 = with_ipv6
        self._sources = sources

    @cached_property
    def name(self) -> str:
        """The subnet's construct id (stable, used in route construct ids)."""
        if isinstance(self.subnet, Construct):
            # A construct's string form is its path: one round trip instead of node + id.
            return self.subnet.to_string().rsplit("/", 1)[-1]
        return self.subnet.node.id

    @cached_property
    def subnet_id(self) -> str:
        """The subnet id (a token for a subnet built in the app)."""
        return self.subnet.subnet_id

    @cached_property
    def route_table_id(self) -> str | None:
        """The subnet's route table id; None for an imported subnet given without one."""
        try:
            return self.subnet.route_table.route_table_id
        except RuntimeError:
            return None

    @cached_property
    def ipv4_cidr(self) -> str | None:
        """The subnet's IPv4 CIDR; None for an imported subnet given without one."""
        try:
            return self.subnet.ipv4_cidr_block
        except RuntimeError:
            return None

    @cached_property
    def ipv6_cidrs(self) -> tuple[str, ...]:
        """The subnet's IPv6 CIDR (a token) when its VPC is dual-stack and built in the app."""
        if self._with_ipv6 and isinstance(self.subnet, ec2.Subnet):
            blocks = self.subnet.subnet_ipv6_cidr_blocks
            token = cdk.Fn.select(0, blocks)
            if self._sources is not None:
                self._sources[token] = (blocks, 0)
            return (token,)
        return ()


class VpcFacts:
    """One VPC as the library sees it.

    The CIDR blocks and the subnet list are read when the facts are made; the rest (the
    path, subnet details) on first use, so a peering reads only what it needs.
    """

    def __init__(self, vpc: ec2.IVpc, siblings: SiblingCache | None = None) -> None:
        self.vpc = vpc
        self._parent: IConstruct | None = None
        self.vpc_id: str = vpc.vpc_id
        self.ipv4_cidrs: tuple[str, ...] = ()
        """Every IPv4 block, primary first: literals where CDK has them, else tokens."""
        self.ipv6_cidrs: tuple[str, ...] = ()
        """Every IPv6 block: literals where CDK has them, else tokens."""
        self.ipv6_amazon_provided: tuple[str, ...] = ()
        """The IPv6 blocks (tokens) that Amazon allocates: unique, so they cannot overlap."""
        self.unresolved_ipv4_blocks = 0
        """Secondary IPv4 blocks whose CIDR CloudFormation cannot tell (allocated from IPAM)."""
        self.cidr_unknown = False
        """True for a VPC imported without ``vpc_cidr_block``: no IPv4 block is known."""
        self.ipv6_dependencies: tuple[cdk.CfnResource, ...] = ()
        """The CfnVPCCidrBlocks a route to an Amazon-provided IPv6 block must wait for."""
        self.ipv6_sources: IpV6Sources = {}
        """Where each IPv6 block token of the VPC and its subnets comes from."""
        node = self._node = vpc.node
        self._blocks: list[IConstruct] = []
        """The CfnVPCCidrBlocks read, whatever their kind."""
        default_child = node.default_child
        self.built_in_app = isinstance(default_child, ec2.CfnVPC)
        """True when the VPC is defined in this app, so its CIDR list is complete."""
        subnets: Sequence[ec2.ISubnet] | None = None
        if isinstance(default_child, ec2.CfnVPC):
            children = self._read_blocks(node, default_child, siblings)
            if isinstance(vpc, ec2.Vpc):
                # An ec2.Vpc's subnets are its children: no need to ask for its three
                # subnet lists (three more round trips).
                subnets = [
                    cast(ec2.ISubnet, child) for child in children if isinstance(child, ec2.Subnet)
                ]
        else:
            try:
                self.ipv4_cidrs = (vpc.vpc_cidr_block,)
            except RuntimeError:  # aws-cdk-lib's CannotPerformOperationVpcCidr
                self.cidr_unknown = True
        if subnets is None:
            subnets = [*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets]
        with_ipv6 = self.has_ipv6 and self.built_in_app
        self.subnets: tuple[SubnetFacts, ...] = tuple(
            SubnetFacts(subnet, with_ipv6=with_ipv6, sources=self.ipv6_sources)
            for subnet in subnets
        )
        """Every subnet: public, private and isolated."""
        self.selections: dict[int, tuple[ec2.SubnetSelection, list[SubnetFacts]]] = {}
        """Selections already made, by the selection object (a mesh reuses one selection)."""
        self.return_destinations: dict[
            tuple[int, bool],
            tuple[ec2.SubnetSelection, tuple[tuple[str, str, bool, bool], ...] | None],
        ] = {}
        """The destinations in this VPC that route back to a peer, worked out by
        ``peering.plan.return_destinations``: by the selection object (kept alive, as in
        ``selections``) and whether both VPCs have IPv6."""

    def _read_blocks(
        self, node: Node, resource: ec2.CfnVPC, siblings: SiblingCache | None
    ) -> list[IConstruct]:
        """Read the CIDR blocks of a VPC built in the app; return the VPC's children."""
        ipv4 = [resource.cidr_block or self.vpc.vpc_cidr_block]
        ipv6: list[str] = []
        amazon_ipv6: list[str] = []
        dependencies: list[cdk.CfnResource] = []
        children = list(node.children)
        candidates = list(children)
        parent: IConstruct | None = None
        if siblings is not None and siblings.parents:
            # A topology knows its stack by path: the VPC's path (which it reads anyway)
            # then names its parent, with no round trip for node.scope.
            parent = siblings.parents.get(self.path.rpartition("/")[0])
        if parent is None:
            parent = node.scope
        self._parent = parent
        if parent is not None:
            siblings = siblings if siblings is not None else SiblingCache()
            candidates.extend(siblings.children_of(parent))
        for child in candidates:
            if not isinstance(child, ec2.CfnVPCCidrBlock) or child.vpc_id != self.vpc_id:
                continue
            self._blocks.append(child)
            if child.amazon_provided_ipv6_cidr_block or child.ipv6_ipam_pool_id:
                blocks = resource.attr_ipv6_cidr_blocks
                token = cdk.Fn.select(len(ipv6), blocks)
                self.ipv6_sources[token] = (blocks, len(ipv6))
                literal = child.ipv6_cidr_block
                ipv6.append(literal or token)
                if literal is None:
                    amazon_ipv6.append(token)
                dependencies.append(child)
            elif child.ipv6_cidr_block:
                ipv6.append(child.ipv6_cidr_block)
                dependencies.append(child)
            elif child.cidr_block:
                ipv4.append(child.cidr_block)
            else:
                self.unresolved_ipv4_blocks += 1
        self.ipv4_cidrs = tuple(ipv4)
        self.ipv6_cidrs = tuple(ipv6)
        self.ipv6_amazon_provided = tuple(amazon_ipv6)
        self.ipv6_dependencies = tuple(dependencies)
        return children

    @cached_property
    def path(self) -> str:
        """The VPC's construct path, for messages."""
        if isinstance(self.vpc, Construct):
            return self.vpc.to_string()  # a construct's string form is its path: one call
        return self.vpc.node.path

    @cached_property
    def stack(self) -> cdk.Stack:
        """The stack the VPC is defined (or imported) in."""
        if isinstance(self._parent, cdk.Stack):
            return self._parent  # already read: most VPCs sit directly in their stack
        return self.vpc.stack

    @cached_property
    def env(self) -> Env:
        """The VPC's (account, region): its stack's, or those given when it was imported."""
        env = self.vpc.env
        return Env(env.account, env.region)

    @cached_property
    def subnets_by_id(self) -> dict[str, SubnetFacts]:
        """Every subnet, by subnet id."""
        return {subnet.subnet_id: subnet for subnet in self.subnets}

    @property
    def has_ipv6(self) -> bool:
        """Tell whether the VPC has at least one IPv6 block."""
        return bool(self.ipv6_cidrs)

    @cached_property
    def known_networks(self) -> tuple[IpNetwork, ...]:
        """Every literal address range known to belong to the VPC.

        For an imported VPC this adds the subnet CIDRs that lie outside its primary block
        (they belong to secondary blocks CDK cannot otherwise see).
        """
        networks = list(literal_networks(self.ipv4_cidrs + self.ipv6_cidrs))
        if not self.built_in_app:
            for subnet in self.subnets:
                network = parse_network(subnet.ipv4_cidr) if subnet.ipv4_cidr else None
                if network is not None and not any(
                    network.version == known.version and network.subnet_of(known)  # type: ignore[arg-type]
                    for known in networks
                ):
                    networks.append(network)
        return tuple(networks)

    def blocks_added_since(
        self, blocks: Mapping[str, Sequence[ec2.CfnVPCCidrBlock]]
    ) -> list[tuple[IpNetwork, str]]:
        """Return the literal blocks declared for this VPC since its facts were read.

        ``blocks``: every CfnVPCCidrBlock of the app, by its ``vpc_id``, read at synth by
        the late block check: those added later, and those declared away from the VPC (in
        another stack) that its facts could not see. Each with its construct path. Empty
        for a VPC not built in the app.
        """
        if not self.built_in_app:
            return []
        added: list[tuple[IpNetwork, str]] = []
        for child in blocks.get(self.vpc_id, ()):
            if any(child is b for b in self._blocks):
                continue
            network = parse_network(child.cidr_block or child.ipv6_cidr_block or "")
            if network is not None:
                added.append((network, child.node.path))
        return added

    def read_ipv6(self, block: str, consumer: cdk.Stack) -> str:
        """Return an IPv6 block token of this VPC as ``consumer`` should read it.

        An IPv6 block AWS assigns is only known as ``Fn::Select`` of a list attribute of
        the VPC (or subnet); another stack reads that list weakly (``Fn::GetStackOutput``),
        whatever the app's default reference strength: no export locks the VPC's stack and
        no SSM writer is needed across regions. In the VPC's own stack it stays as it is.
        """
        source = self.ipv6_sources.get(block)
        if source is None or self.stack is consumer:
            return block
        blocks, index = source
        weak = cdk.Stack.consume_list_reference(blocks, cdk.ReferenceStrength.WEAK)
        return cdk.Fn.select(index, weak)

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether this is Vpc.from_lookup's stand-in before its context is known."""
        return LOOKUP_PLACEHOLDER_CIDR in self.ipv4_cidrs


def known_without_ipv6(facts: VpcFacts) -> bool:
    """Tell whether a VPC is known to have no IPv6 at all.

    Known: built in the app, no IPv6 block found beside it, and no subnet given an IPv6
    range (as ``CfnSubnet`` properties). The subnets are read too because an IPv6 block
    may be declared anywhere in the app; a subnet with an IPv6 range shows the VPC has
    one. Imported VPCs are not known.
    """
    if not facts.built_in_app or facts.has_ipv6:
        return False
    for subnet in facts.subnets:
        resource = subnet.subnet.node.default_child
        if isinstance(resource, ec2.CfnSubnet) and (
            resource.ipv6_cidr_block
            or resource.ipv6_native
            or resource.assign_ipv6_address_on_creation
        ):
            return False
    return True


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
        known = facts.subnets_by_id.get(subnet.subnet_id)
        result.append(known if known is not None else SubnetFacts(subnet, with_ipv6=False))
    facts.selections[id(selection)] = (selection, result)
    return list(result)


_SUBNET_ID_SUFFIX = re.compile(r"Subnet\d+$")
_SELECTION_FIELDS = (
    "subnet_type",
    "subnet_group_name",
    "availability_zones",
    "one_per_az",
    "subnets",
    "subnet_filters",
)


def no_subnets_reason(facts: VpcFacts) -> str:
    """Say why a VPC has no subnet: none yet (built in the app), or none given on import."""
    if facts.built_in_app:
        return "no subnet"
    return "no subnet the library can read (it was imported without subnet ids)"


def describe_selection(selection: ec2.SubnetSelection) -> str:
    """Write the fields a selection was given, as a user wrote them."""
    given: list[str] = []
    for name in _SELECTION_FIELDS:
        value = getattr(selection, name)
        if value is None:
            continue
        if isinstance(value, enum.Enum):
            given.append(f"{name}={value.name}")
        elif name in ("subnets", "subnet_filters"):
            given.append(f"{name}=[{len(value)} given]")
        else:
            given.append(f"{name}={value!r}")
    return ", ".join(given) or "no field"


def selection_conflict(selection: ec2.SubnetSelection) -> str | None:
    """Return why CDK refuses a selection whose fields contradict each other, else None."""
    if selection.subnet_type is not None and selection.subnet_group_name is not None:
        return "subnet_type and subnet_group_name cannot be given together"
    if selection.subnets is not None and (
        selection.subnet_type is not None or selection.subnet_group_name is not None
    ):
        return "subnets cannot be given with subnet_type or subnet_group_name"
    return None


def subnet_groups(facts: VpcFacts) -> list[tuple[str, ec2.SubnetType, int]]:
    """Return each subnet group of a VPC: its name, its type, how many subnets it has.

    Read only to word a message (three round trips). A group's name is its subnets'
    construct id without ``Subnet<n>``, as aws-cdk-lib names them.
    """
    groups: dict[tuple[str, ec2.SubnetType], int] = {}
    for kind, subnets in (
        (ec2.SubnetType.PUBLIC, facts.vpc.public_subnets),
        (ec2.SubnetType.PRIVATE_WITH_EGRESS, facts.vpc.private_subnets),
        (ec2.SubnetType.PRIVATE_ISOLATED, facts.vpc.isolated_subnets),
    ):
        for subnet in subnets:
            name = _SUBNET_ID_SUFFIX.sub("", subnet.node.id) or subnet.node.id
            groups[name, kind] = groups.get((name, kind), 0) + 1
    return [(name, kind, count) for (name, kind), count in groups.items()]


def empty_selection(
    path: str, prop: str, facts: VpcFacts, selection: ec2.SubnetSelection | None
) -> Finding:
    """Say, in the library's words, that ``prop`` selects no subnet of a VPC that has some."""
    given = "" if selection is None else f" ({describe_selection(selection)})"
    conflict = None if selection is None else selection_conflict(selection)
    if conflict is not None:
        return Finding(
            path,
            rule_ids.EMPTY_SUBNET_SELECTION,
            f"{prop}{given} cannot select subnets of {facts.path}: {conflict}.",
            f"Give {prop} one of subnet_type, subnet_group_name or subnets.",
        )
    groups = subnet_groups(facts)
    has = listing(
        [
            f"{name} ({kind.name}, {count} subnet{'' if count == 1 else 's'})"
            for name, kind, count in groups
        ]
    )
    example = (
        f" (for example subnet_group_name={groups[0][0]!r} or "
        f"subnet_type=ec2.SubnetType.{groups[0][1].name})"
        if groups
        else ""
    )
    return Finding(
        path,
        rule_ids.EMPTY_SUBNET_SELECTION,
        f"{prop}{given} matches no subnet of {facts.path}, whose subnets are {has}.",
        f"Select subnets that exist in {facts.path}{example}, or leave {prop} out to use "
        "every subnet.",
    )


def foreign_subnets(
    path: str,
    prop: str,
    facts: VpcFacts,
    selection: ec2.SubnetSelection | None,
    consequence: str,
) -> list[Finding]:
    """Return the problem of ``subnets=[...]`` naming subnets of another VPC than ``facts``.

    aws-cdk-lib returns explicit subnets as they are given, whatever their VPC, so routes
    (or a load balancer, an endpoint) would go in another VPC's subnets: ``consequence``
    says what, as a clause. A subnet belongs when it is one of the VPC's, or a subnet of
    the app whose ``CfnSubnet`` names the VPC; an imported subnet cannot be one of a VPC
    built in the app; of an imported VPC whose subnet list does not name it, nothing can
    be told.
    """
    if selection is None or not selection.subnets:
        return []
    from .references import referenced_resource  # only for explicit subnets

    owners: dict[str, list[str]] = {}
    for subnet in selection.subnets:
        if subnet.subnet_id in facts.subnets_by_id:
            continue
        resource = subnet.node.default_child
        if isinstance(resource, ec2.CfnSubnet):
            vpc_id = resource.vpc_id
            if vpc_id == facts.vpc_id:
                continue  # defined after the VPC's facts were read (an aws-ec2-alpha SubnetV2)
            vpc = referenced_resource(vpc_id)
            owner = (
                f"VPC {vpc.node.path.removesuffix('/Resource')}"
                if isinstance(vpc, ec2.CfnVPC)
                else "another VPC"
            )
        elif facts.built_in_app:
            owner = "a VPC imported into the app"
        else:
            continue
        owners.setdefault(owner, []).append(subnet.node.path)
    if not owners:
        return []
    named = listing(
        [
            f"{listing(paths)} ({'subnets' if len(paths) > 1 else 'a subnet'} of {owner})"
            for owner, paths in owners.items()
        ]
    )
    return [
        Finding(
            path,
            rule_ids.SUBNET_OF_ANOTHER_VPC,
            f"{prop} names {named}, but it selects subnets of {facts.path}: aws-cdk-lib takes "
            f"explicit subnets as they are given, so {consequence}.",
            f"Select subnets of {facts.path} in {prop} (its own subnets in subnets=[...], or "
            f"subnet_type=... or subnet_group_name=...), or leave {prop} out.",
        )
    ]


def unknown_cidr(
    path: str, facts: VpcFacts, needs: str, instead: str = "", *, param: str = "VPC"
) -> list[Finding]:
    """Return the problem of a VPC imported without ``vpc_cidr_block``, where it is needed.

    ``needs``: what needs the blocks, with its verb ("allow_from_peer needs");
    ``instead``: another way to give the library what it needs (", or give ...");
    ``param``: the parameter that gave the VPC (``peer_vpc``).
    """
    if not facts.cidr_unknown:
        return []
    return [
        Finding(
            path,
            rule_ids.UNKNOWN_VPC_CIDR,
            f"{param} {facts.path} was imported without vpc_cidr_block, and {needs} its CIDR "
            "blocks.",
            "Give Vpc.from_vpc_attributes(...) the VPC's primary IPv4 block as "
            f"vpc_cidr_block (for example vpc_cidr_block='10.1.0.0/16'){instead}.",
        )
    ]


def subnets_to_place(
    path: str, prop: str, facts: VpcFacts, selection: ec2.SubnetSelection | None, what: str
) -> tuple[list[SubnetFacts], list[Finding]]:
    """Return the subnets ``what`` (a load balancer, an endpoint) goes in, or the problem.

    A VPC with no subnet, or a selection ``prop`` that matches none, is an error in the
    library's words (aws-cdk-lib's own would come from inside its constructor, half-built).
    """
    if not facts.subnets:
        return [], [
            Finding(
                path,
                rule_ids.EMPTY_SUBNET_SELECTION,
                f"VPC {facts.path} has {no_subnets_reason(facts)}: {what} has no subnet to go in.",
                f"Give {facts.path} subnets (or import it with their ids) for {what}.",
            )
        ]
    foreign = foreign_subnets(
        path, prop, facts, selection, f"{what} would go in another VPC's subnets"
    )
    if foreign:
        return [], foreign
    try:
        selected = select_subnets(facts, selection)
    except RuntimeError:  # CDK refuses the selection: said in the library's words below
        selected = []
    if not selected:
        return [], [empty_selection(path, prop, facts, selection)]
    return selected, []


def subnet_routes(facts: VpcFacts) -> list[SubnetRoute]:
    """Return each subnet of a VPC with its path, IPv4 block and route table."""
    from ..rules.return_routes import SubnetRoute  # only for a peering of chosen subnets

    return [
        SubnetRoute(f"{facts.path}/{subnet.name}", subnet.ipv4_cidr, subnet.route_table_id)
        for subnet in facts.subnets
    ]
