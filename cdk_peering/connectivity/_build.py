"""Build the model from an assembly's templates.

One pass creates every object, a second links them (routes to tables and targets,
subnets to tables, endpoints to services...).

AWS and CloudFormation facts used here:

- ``AWS::EC2::VPCEndpoint`` defaults to type Gateway; ``AWS::EC2::VPCEndpointService``
  defaults to ``AcceptanceRequired: false`` (aws-cdk-lib's L2 writes ``true`` explicitly);
  an NLB's ``EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`` defaults to ``on``.
- A subnet with no ``AWS::EC2::SubnetRouteTableAssociation`` uses its VPC's main route
  table, which CloudFormation cannot add routes to: it holds the local routes only.
- A peering connection in one account is accepted by CloudFormation itself; across
  accounts it needs ``PeerRoleArn`` (CloudFormation assumes it to accept) or an explicit
  ``AcceptVpcPeeringConnection`` call.
- aws-cdk-lib's ``AwsCustomResource`` (type ``Custom::AWS``) holds its SDK call as JSON
  text in ``Create``/``Update``: ``{"service", "action", "parameters"}``. The model reads
  ``AcceptVpcEndpointConnections`` and ``AcceptVpcPeeringConnection`` (EC2) and
  ``AssociateVPCWithHostedZone`` (Route 53) calls; ``CreateVPCAssociationAuthorization``
  only allows an association and is not one. cdk_peering's own custom resources
  (``cdk_peering.cdk.handler``) hold their settings as properties:
  ``Custom::EndpointAcceptance`` (``ServiceId``, ``VpcEndpointIds``) accepts endpoints and
  ``Custom::ZoneAssociation`` (``HostedZoneId``, ``VpcId``) associates a VPC with a zone.
- Names of AWS services for endpoints start with ``com.amazonaws.`` (``aws.`` for a few);
  endpoint services of other accounts are ``com.amazonaws.vpce.<region>.vpce-svc-...``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from ._assembly import Assembly, Template
from ._cidr import Block, Cidr, Ipv6Symbol, try_cidr
from ._intrinsics import Absent, Derived, Evaluator, ResourceToken, Token, Unknown, describe
from .model import (
    BLACKHOLE,
    GATEWAY,
    LOCAL,
    PEERING,
    UNKNOWN,
    AclEntry,
    Endpoint,
    EndpointService,
    HostedZone,
    LoadBalancer,
    NetworkAcl,
    Peering,
    PrefixList,
    Record,
    Route,
    RouteTable,
    Rule,
    SecurityGroup,
    Subnet,
    Target,
    Vpc,
)

Json = dict[str, Any]
T = TypeVar("T", Vpc, RouteTable, SecurityGroup, Peering, NetworkAcl, PrefixList)
M = TypeVar("M")
G = TypeVar("G", SecurityGroup, NetworkAcl)

GATEWAYS = {
    "AWS::EC2::InternetGateway": "internet gateway",
    "AWS::EC2::NatGateway": "NAT gateway",
    "AWS::EC2::EgressOnlyInternetGateway": "egress-only internet gateway",
    "AWS::EC2::VPNGateway": "virtual private gateway",
    "AWS::EC2::TransitGateway": "transit gateway",
    "AWS::EC2::CarrierGateway": "carrier gateway",
    "AWS::EC2::TransitGatewayAttachment": "transit gateway attachment",
    "AWS::EC2::NetworkInterface": "network interface",
    "AWS::EC2::Instance": "instance",
}
TARGET_FIELDS = {
    "VpcPeeringConnectionId": "peering connection",
    "GatewayId": "gateway",
    "NatGatewayId": "NAT gateway",
    "TransitGatewayId": "transit gateway",
    "EgressOnlyInternetGatewayId": "egress-only internet gateway",
    "VpcEndpointId": "VPC endpoint",
    "NetworkInterfaceId": "network interface",
    "InstanceId": "instance",
    "CarrierGatewayId": "carrier gateway",
    "LocalGatewayId": "local gateway",
    "CoreNetworkArn": "core network",
}
ID_PREFIXES = {
    "igw-": "internet gateway",
    "nat-": "NAT gateway",
    "vgw-": "virtual private gateway",
    "tgw-": "transit gateway",
    "eigw-": "egress-only internet gateway",
    "vpce-": "VPC endpoint",
    "eni-": "network interface",
    "i-": "instance",
    "cagw-": "carrier gateway",
    "lgw-": "local gateway",
}
ENDPOINT_ACCEPTANCE = "Custom::EndpointAcceptance"
ZONE_ASSOCIATION = "Custom::ZoneAssociation"
CONNECTION_OPTIONS = "Custom::PeeringConnectionOptions"
"""cdk_peering's custom resources that accept endpoints, associate zones and set a side's
connection options (the names ``cdk_peering.cdk.handler`` gives them; this package reads
JSON only)."""

LINK_ORDER = (
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::PrefixList",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::NetworkAclEntry",
    "AWS::EC2::SubnetNetworkAclAssociation",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::EC2::VPCEndpointService",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::Route",
    "AWS::Route53::HostedZone",
    "AWS::Route53::RecordSet",
    "AWS::Route53::RecordSetGroup",
    "custom",
)
"""The types linked in the second pass, in the order their links need (a VPC's blocks
before its subnets, tables before routes, endpoints before records); ``custom`` stands
for every custom resource."""
TCP_LISTENERS = {"TCP", "TLS", "TCP_UDP", "HTTP", "HTTPS"}
"""Load balancer listener protocols that carry TCP connections."""
PROTOCOLS = {"-1": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}
MODELLED = {
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::VPCPeeringConnection",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::PrefixList",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::EC2::VPCEndpointService",
    "AWS::EC2::VPCEndpoint",
    "AWS::Route53::HostedZone",
    *GATEWAYS,
    *LINK_ORDER,
}
"""Every resource type the model reads: a condition on any other (``CDKMetadataAvailable``
on ``AWS::CDK::Metadata``) decides nothing the model answers."""


@dataclass(frozen=True)
class Unmodelled:
    """A resource of the assembly the model does not represent (an instance, an ENI)."""

    path: str
    type: str


class Built:
    """Everything the builder made: the objects by kind, and the unknown values met."""

    def __init__(self) -> None:
        self.vpcs: list[Vpc] = []
        self.subnets: list[Subnet] = []
        self.tables: list[RouteTable] = []
        self.peerings: list[Peering] = []
        self.groups: list[SecurityGroup] = []
        self.endpoints: list[Endpoint] = []
        self.services: list[EndpointService] = []
        self.load_balancers: list[LoadBalancer] = []
        self.zones: list[HostedZone] = []
        self.acls: list[NetworkAcl] = []
        self.prefix_lists: list[PrefixList] = []
        self.unknowns: dict[str, None] = {}
        self.aliases: dict[str, list[object]] = {}
        """Extra names (an L1's own path) -> objects, for lookups by path."""
        self.options: dict[Peering, dict[tuple[str, str], object]] = {}
        """Peering -> (side, option) -> value: the connection options declared (or, live, in
        effect) on each side (``requester``, ``AllowDnsResolutionFromRemoteVpc``)."""


def build(assembly: Assembly) -> Built:
    """Build the model of ``assembly``."""
    return _Builder(assembly).run()


def display_path(template: Template, logical_id: str, kind: str) -> str:
    """Return the name a user sees: the path of the L2 that owns the resource.

    A default child (``Resource``, ``Default``) collapses to its parent, as does a child
    named like its parent (``Orders/EndpointService/EndpointService``) and an ec2 subnet's
    ``Subnet``: ``Stack/Vpc/Resource`` is ``Stack/Vpc``, ``Stack/Vpc/Sub1/Subnet`` is
    ``Stack/Vpc/Sub1``. A hand-written L1 keeps its own path; nothing collapses to a stack.
    """
    path = template.names.get(logical_id) or f"{template.path}/{logical_id}"
    depth = template.path.count("/") + 2  # a path needs a component below its stack
    parts = path.split("/")
    while len(parts) > depth and (
        parts[-1] in ("Resource", "Default")
        or parts[-1] == parts[-2]
        or (kind == "AWS::EC2::Subnet" and parts[-1] == "Subnet")
    ):
        parts.pop()
    return "/".join(parts)


class _Builder:
    def __init__(self, assembly: Assembly) -> None:
        self.templates = assembly.templates
        self.ev = Evaluator(assembly.templates)
        self.out = Built()
        self.objects: dict[tuple[int, str], object] = {}
        self.external: dict[str, object] = {}
        self.ipv6_blocks: dict[tuple[int, str], Block] = {}
        self.later: list[tuple[str, Template, str, Json]] = []
        self.maybe: dict[tuple[int, str], str] = {}
        """Resources that exist only if a condition a parameter decides holds -> why."""

    def run(self) -> Built:
        for template in self.templates:
            for logical_id, resource in template.resources.items():
                kind = resource.get("Type")
                if not isinstance(kind, str) or not self._exists(template, logical_id, resource):
                    continue
                self._create(template, logical_id, kind, resource)
        pending: dict[str, list[tuple[Template, str, Json]]] = {kind: [] for kind in LINK_ORDER}
        for kind, template, logical_id, resource in self.later:
            pending[kind].append((template, logical_id, resource))
        for kind in LINK_ORDER:
            link = getattr(self, "_link_" + kind.rsplit("::", 1)[-1].lower())
            for template, logical_id, resource in pending[kind]:
                link(template, logical_id, resource.get("Properties") or {})
        self._finish()
        return self.out

    # --- helpers -------------------------------------------------------------------------

    def unknown(self, text: str) -> None:
        self.out.unknowns[text] = None

    def _exists(self, template: Template, logical_id: str, resource: Json) -> bool:
        condition = resource.get("Condition")
        if not isinstance(condition, str):
            return True
        truth = self.ev.condition(condition, template)
        modelled = resource.get("Type") in MODELLED or _custom(str(resource.get("Type")))
        if truth is None and modelled:
            why = (
                f"{display_path(template, logical_id, '')} exists only if condition "
                f"{condition} of stack {template.path} holds, which a parameter decides"
            )
            self.maybe[(id(template), logical_id)] = why
            self.unknown(why)
        return truth is not False

    def perhaps(self, template: Template, logical_id: str) -> str | None:
        """Return why a resource may not exist (its condition is unknown), else None."""
        return self.maybe.get((id(template), logical_id))

    def _alias(self, template: Template, logical_id: str, thing: object) -> None:
        raw = template.names.get(logical_id)
        if raw:
            self.out.aliases.setdefault(raw, []).append(thing)

    def _register(self, template: Template, logical_id: str, thing: object) -> None:
        self.objects[(id(template), logical_id)] = thing
        self._alias(template, logical_id, thing)

    def own(self, template: Template, logical_id: str, kind: type[M]) -> M:
        """Return the object made in the first pass for a resource."""
        thing = self.objects[(id(template), logical_id)]
        assert isinstance(thing, kind)
        return thing

    def value(self, raw: Any, template: Template) -> Any:
        return self.ev.evaluate(raw, template)

    def resolve(self, value: Any, owner: str, what: str) -> object:
        """Return what an evaluated reference points at.

        A model object, a literal id (str), or a token (Unknown/Absent/other); unknowns
        are recorded.
        """
        token = self.ev.token(value)
        if token is None:
            if isinstance(value, str):
                return value
            return Unknown(f"{what} is no id")
        while isinstance(token, Derived) and token.operation[0] in ("select", "split", "join"):
            token = token.base
        if isinstance(token, ResourceToken):
            thing = self.objects.get((id(token.template), token.logical_id))
            if thing is not None:
                return thing
            resource = token.template.resources.get(token.logical_id) or {}
            return Unmodelled(
                display_path(token.template, token.logical_id, ""),
                str(resource.get("Type", "resource")),
            )
        if isinstance(token, Unknown):
            self.unknown(f"{owner}: {what} is {token.reason}")
        return token

    def link(self, raw: Any, template: Template, owner: str, what: str) -> object:
        return self.resolve(self.value(raw, template), owner, what)

    def _external(
        self, literal: str, kind: type[T], *, into: list[T], note: str | None, **fields: Any
    ) -> T:
        """Return the object imported by ``literal`` id.

        On first use it is made, added to ``into`` and ``note`` (what its id hides) is
        recorded as unknown.
        """
        thing = self.external.get(literal)
        if isinstance(thing, kind):
            return thing
        made = kind(path=literal, **fields)
        self.external[literal] = made
        into.append(made)
        if note is not None:
            self.unknown(note)
        return made

    def vpc_of(self, raw: Any, template: Template, owner: str, what: str = "its VPC") -> Vpc | None:
        found = self.link(raw, template, owner, what)
        if isinstance(found, Vpc):
            return found
        if isinstance(found, str) and found.startswith("vpc-"):
            return self.external_vpc(found)
        return None

    def external_vpc(self, vpc_id: str) -> Vpc:
        return self._external(
            vpc_id,
            Vpc,
            into=self.out.vpcs,
            note=f"VPC {vpc_id} is imported by id: its CIDR blocks and subnets are unknown",
            account=None,
            region=None,
            stack=None,
            external=True,
            unknown=["imported by id: its CIDR blocks and subnets are unknown"],
        )

    def cidr(self, raw: Any, template: Template, owner: str, what: str) -> Cidr | None:
        value = self.value(raw, template)
        found = try_cidr(value)
        if found is not None:
            return found
        self.unknown(f"{owner}: {what} is {self.ev.text(value)}")
        return None

    def ipv6(self, value: Any) -> Block | None:
        """Read an IPv6 block: a literal, or the symbol for a block AWS assigns."""
        literal = try_cidr(value)
        if literal is not None:
            return literal
        token = self.ev.token(value)
        return self._ipv6_token(token) if token is not None else None

    def _ipv6_token(self, token: Token) -> Block | None:
        if isinstance(token, ResourceToken):
            return self.ipv6_blocks.get((id(token.template), token.logical_id))
        if not isinstance(token, Derived) or token.operation[0] != "select":
            return None
        base, index = token.base, int(token.operation[1])
        if isinstance(base, ResourceToken) and base.attribute == "Ipv6CidrBlocks":
            vpc = self.objects.get((id(base.template), base.logical_id))
            if isinstance(vpc, Vpc):
                return vpc.ipv6[index] if index < len(vpc.ipv6) else Ipv6Symbol(vpc.path, index)
        if isinstance(base, Derived) and base.operation[0] == "cidr":
            whole = self._ipv6_token(base.base)
            host_bits = int(base.operation[2])
            if isinstance(whole, Ipv6Symbol):
                return Ipv6Symbol(whole.owner, whole.index, (*whole.pieces, (host_bits, index)))
            if isinstance(whole, Cidr) and host_bits <= 128 - whole.prefix:
                return Cidr(6, whole.first + (index << host_bits), 128 - host_bits)
        return None

    def many(self, raw: Any, template: Template) -> list[Any]:
        value = self.value(raw, template)
        if isinstance(value, list):
            return value
        return [] if value is None else [value]

    # --- pass 1: objects -------------------------------------------------------------------

    def _create(self, template: Template, logical_id: str, kind: str, resource: Json) -> None:
        props = resource.get("Properties") or {}
        path = display_path(template, logical_id, kind)
        thing: object | None = None
        if kind == "AWS::EC2::VPC":
            vpc = Vpc(
                path=path,
                account=template.account,
                region=template.region,
                stack=template.path,
                agnostic=template.account is None and template.region is None,
            )
            cidr = try_cidr(self.value(props.get("CidrBlock"), template))
            if cidr is not None:
                vpc.cidrs.append(cidr)
            else:
                why = "its primary CIDR block comes from an IPAM pool or a value chosen at deploy"
                vpc.unknown.append(why)
                self.unknown(f"VPC {path}: {why}")
            vpc.main_table = RouteTable(path=f"{path} (main route table)", vpc=vpc, main=True)
            vpc.default_acl = default_acl(vpc)
            self.out.vpcs.append(vpc)
            self.out.tables.append(vpc.main_table)
            self.out.acls.append(vpc.default_acl)
            thing = vpc
        elif kind == "AWS::EC2::Subnet":
            thing = Subnet(path=path, vpc=None, cidr=None, group=path)
            self.out.subnets.append(thing)
        elif kind == "AWS::EC2::RouteTable":
            thing = RouteTable(path=path, vpc=None)
            self.out.tables.append(thing)
        elif kind == "AWS::EC2::VPCPeeringConnection":
            thing = Peering(path=path, requester=None, accepter=None)
            self.out.peerings.append(thing)
        elif kind == "AWS::EC2::SecurityGroup":
            thing = SecurityGroup(path=path, vpc=None)
            self.out.groups.append(thing)
        elif kind == "AWS::ElasticLoadBalancingV2::LoadBalancer":
            thing = LoadBalancer(path=path, kind=str(props.get("Type", "application")))
            self.out.load_balancers.append(thing)
        elif kind == "AWS::EC2::VPCEndpointService":
            thing = EndpointService(
                path=path,
                region=template.region,
                account=template.account,
                agnostic=template.account is None and template.region is None,
            )
            self.out.services.append(thing)
        elif kind == "AWS::EC2::VPCEndpoint":
            thing = Endpoint(path=path, kind=str(props.get("VpcEndpointType", "Gateway")), vpc=None)
            self.out.endpoints.append(thing)
        elif kind == "AWS::EC2::NetworkAcl":
            thing = NetworkAcl(path=path, vpc=None)
            self.out.acls.append(thing)
        elif kind == "AWS::EC2::PrefixList":
            thing = PrefixList(path=path)
            self.out.prefix_lists.append(thing)
        elif kind == "AWS::Route53::HostedZone":
            name = self.value(props.get("Name"), template)
            thing = HostedZone(path=path, name=dns_name(name) if isinstance(name, str) else "")
            self.out.zones.append(thing)
        elif kind in GATEWAYS:
            thing = Target(GATEWAY, f"{GATEWAYS[kind]} {path}")
        if thing is not None:
            self._register(template, logical_id, thing)
        if _custom(kind):
            kind = "custom"
        if kind in LINK_ORDER:
            self.later.append((kind, template, logical_id, resource))

    # --- pass 2: links ---------------------------------------------------------------------

    def _link_vpccidrblock(self, template: Template, logical_id: str, props: Json) -> None:
        owner = display_path(template, logical_id, "")
        vpc = self.vpc_of(props.get("VpcId"), template, owner)
        if vpc is None:
            return
        self._alias(template, logical_id, vpc)
        cidr = props.get("CidrBlock")
        if cidr is not None or "Ipv4IpamPoolId" in props:
            found = try_cidr(self.value(cidr, template))
            if found is not None:
                vpc.cidrs.append(found)
            else:
                why = f"its block {owner} comes from an IPAM pool or a value chosen at deploy"
                vpc.unknown.append(why)
                self.unknown(f"VPC {vpc.path}: {why}")
            return
        literal = try_cidr(self.value(props.get("Ipv6CidrBlock"), template))
        block: Block = literal or Ipv6Symbol(vpc.path, len(vpc.ipv6))
        vpc.ipv6.append(block)
        self.ipv6_blocks[(id(template), logical_id)] = block

    def _link_subnet(self, template: Template, logical_id: str, props: Json) -> None:
        subnet = self.own(template, logical_id, Subnet)
        subnet.vpc = self.vpc_of(props.get("VpcId"), template, subnet.path)
        if subnet.vpc is not None:
            subnet.vpc.subnets.append(subnet)
        if "CidrBlock" in props:
            subnet.cidr = self.cidr(props["CidrBlock"], template, subnet.path, "its CIDR block")
            if subnet.cidr is None:
                subnet.unknown = "its CIDR block is chosen at deploy time"
        elif "Ipv4IpamPoolId" in props:
            subnet.unknown = "its CIDR block comes from an IPAM pool"
        if "Ipv6CidrBlock" in props or "Ipv6IpamPoolId" in props:
            written = self.value(props.get("Ipv6CidrBlock"), template)
            subnet.ipv6 = self.ipv6(written)
            if subnet.ipv6 is None:
                subnet.ipv6_unknown = f"its IPv6 block is {self.ev.text(written)}"
                self.unknown(f"subnet {subnet.path}: {subnet.ipv6_unknown}")
        zone = self.value(props.get("AvailabilityZone"), template)
        subnet.zone = zone if isinstance(zone, str) and self.ev.is_literal(zone) else None
        for tag in self.many(props.get("Tags"), template):
            if isinstance(tag, dict) and tag.get("Key") == "aws-cdk:subnet-name":
                group = tag.get("Value")
                if isinstance(group, str) and subnet.vpc is not None:
                    subnet.group = f"{subnet.vpc.path}: {group}"

    def _link_routetable(self, template: Template, logical_id: str, props: Json) -> None:
        table = self.own(template, logical_id, RouteTable)
        table.vpc = self.vpc_of(props.get("VpcId"), template, table.path)
        if table.vpc is not None:
            table.vpc.tables.append(table)

    def _link_subnetroutetableassociation(
        self, template: Template, logical_id: str, props: Json
    ) -> None:
        owner = display_path(template, logical_id, "")
        subnet = self.link(props.get("SubnetId"), template, owner, "its subnet")
        table = self.table(props.get("RouteTableId"), template, owner, unsure=True)
        if isinstance(subnet, Subnet) and table is not None:
            if self.perhaps(template, logical_id):
                table = self._unknown_table(f"{subnet.path}'s route table (conditional)")
            subnet.table = table
            table.subnets.append(subnet)
            if subnet.vpc is None and table.vpc is not None:
                subnet.vpc = table.vpc  # a table serves subnets of its own VPC only
                table.vpc.subnets.append(subnet)
            if table.external and table.vpc is None and subnet.vpc is not None:
                table.vpc = subnet.vpc  # a table serves subnets of its own VPC only
                subnet.vpc.tables.append(table)

    def table(
        self, raw: Any, template: Template, owner: str, *, unsure: bool = False
    ) -> RouteTable | None:
        """Return the route table a reference names.

        :param unsure: make a table of unknown routes for a reference the assembly does not
            resolve (an association must have some table).
        """
        value = self.value(raw, template)
        found = self.resolve(value, owner, "its route table")
        if isinstance(found, RouteTable):
            return found
        if isinstance(found, str) and found.startswith("rtb-"):
            return self._unknown_table(found)
        if isinstance(found, Absent):
            self.unknown(f"{owner}: its route table is {found.reason}, not a route table")
        elif unsure:
            return self._unknown_table(self.ev.text(value))
        return None

    def _unknown_table(self, name: str) -> RouteTable:
        """Return a route table whose routes only AWS knows (imported by id, a token)."""
        return self._external(
            name,
            RouteTable,
            into=self.out.tables,
            note=f"route table {name} is not in the assembly: its routes are unknown",
            vpc=None,
            external=True,
        )

    def _link_vpcpeeringconnection(self, template: Template, logical_id: str, props: Json) -> None:
        peering = self.own(template, logical_id, Peering)
        peering.requester = self.vpc_of(
            props.get("VpcId"), template, peering.path, "its requester VPC (VpcId)"
        )
        peering.accepter = self.vpc_of(
            props.get("PeerVpcId"), template, peering.path, "its accepter VPC (PeerVpcId)"
        )
        if peering.requester is None or peering.accepter is None:
            peering.why = "one of its VPCs is unknown"
        peering.account, peering.region = template.account, template.region
        peering.peer_region = self._peer_region(props, template)
        # Without PeerOwnerId (or with the stack's own AccountId) the accepter is in the
        # requester's account: CloudFormation's default, whether or not the stack pins its
        # account (environment-agnostic stacks of one app deploy into one account).
        raw_owner = props.get("PeerOwnerId")
        same = raw_owner is None or raw_owner == {"Ref": "AWS::AccountId"}
        owner = template.account if same else self.value(raw_owner, template)
        known = isinstance(owner, str) and self.ev.is_literal(owner)
        peering.peer_account = owner if known else None
        if peering.accepter is not None and peering.accepter.external:
            peering.accepter.region = peering.accepter.region or peering.peer_region
            peering.accepter.account = peering.accepter.account or peering.peer_account
        maybe = self.perhaps(template, logical_id)
        if maybe:
            peering.accepted, peering.why = None, maybe
            return
        apart = _apart(peering, template)
        if apart is not None:
            peering.accepted, peering.why = apart
            if peering.accepted is None:
                self.unknown(f"peering {peering.path}: {peering.why}")
            return
        if same or "PeerRoleArn" in props or (known and owner == template.account):
            return  # CloudFormation accepts it, itself or with the accepter's role
        if known and template.account is not None:
            peering.accepted = False
            peering.why = (
                f"it asks account {owner} to accept, with no PeerRoleArn for CloudFormation "
                "to accept it"
            )
            return
        peering.accepted = None
        if known:
            peering.why = (
                f"whether account {owner} (PeerOwnerId) is the account stack {template.path} "
                "deploys into is unknown (the stack pins no account), and it has no PeerRoleArn"
            )
        else:
            peering.why = (
                f"its accepter account is {self.ev.text(owner)} (PeerOwnerId), which the "
                "assembly does not hold, and it has no PeerRoleArn"
            )
        self.unknown(f"peering {peering.path}: {peering.why}")

    def _peer_region(self, props: Json, template: Template) -> str | None:
        region = self.value(props.get("PeerRegion", template.region), template)
        return region if isinstance(region, str) and self.ev.is_literal(region) else None

    def _link_securitygroup(self, template: Template, logical_id: str, props: Json) -> None:
        group = self.own(template, logical_id, SecurityGroup)
        group.vpc = self.vpc_of(props.get("VpcId"), template, group.path)
        for rule in self.many(props.get("SecurityGroupIngress"), template):
            if isinstance(rule, dict):
                group.rules.append(self.rule(rule, group.path))

    def _link_securitygroupingress(self, template: Template, logical_id: str, props: Json) -> None:
        owner = display_path(template, logical_id, "")
        group = self.group(props.get("GroupId"), template, owner)
        if group is not None:
            group.rules.append(self.rule(self.value(props, template), owner))

    def group(self, raw: Any, template: Template, owner: str) -> SecurityGroup | None:
        return self._group(self.value(raw, template), owner)

    def _group(self, value: Any, owner: str) -> SecurityGroup | None:
        found = self.resolve(value, owner, "a security group")
        return self._imported(found, SecurityGroup, "sg-", self.out.groups, "its rules")

    def rule(self, rule: Json, owner: str) -> Rule:
        """Read one inbound rule (evaluated), written by the resource at ``owner``."""
        protocol = str(rule.get("IpProtocol", "-1")).lower()
        protocol = PROTOCOLS.get(protocol, protocol)
        ports = [rule.get("FromPort"), rule.get("ToPort")]
        low, high = (_number(p) for p in ports)
        for key in ("CidrIp", "CidrIpv6"):
            if key in rule:
                cidr = try_cidr(rule[key])
                if cidr is None:
                    why = f"an inbound rule's source {self.ev.text(rule[key])}"
                    self.unknown(f"{owner}: {why}")
                    return Rule(protocol, low, high, unknown=why, path=owner)
                return Rule(protocol, low, high, cidr=cidr, path=owner)
        if "SourceSecurityGroupId" in rule:
            group = self._group(rule["SourceSecurityGroupId"], owner)
            unknown = None if group else f"the group {self.ev.text(rule['SourceSecurityGroupId'])}"
            return Rule(protocol, low, high, group=group, unknown=unknown, path=owner)
        if "SourcePrefixListId" in rule:
            found = self.prefix_list(rule["SourcePrefixListId"], owner)
            return Rule(protocol, low, high, prefix_list=found, path=owner)
        why = "an inbound rule by group name"
        self.unknown(f"{owner}: {why}")
        return Rule(protocol, low, high, unknown=why, path=owner)

    def prefix_list(self, value: Any, owner: str) -> PrefixList:
        """Return the prefix list a (evaluated) reference names; an unknown one if none."""
        found = self.resolve(value, owner, "a prefix list")
        if isinstance(found, PrefixList):
            return found
        name = found if isinstance(found, str) else self.ev.text(value)
        return self._external(
            name,
            PrefixList,
            into=self.out.prefix_lists,
            note=f"prefix list {name} is not in the assembly: its entries are unknown",
            entries=None,
            external=True,
            unknown="its entries are not in the assembly",
        )

    def _link_prefixlist(self, template: Template, logical_id: str, props: Json) -> None:
        found = self.own(template, logical_id, PrefixList)
        family = self.value(props.get("AddressFamily"), template)
        found.version = 6 if str(family).lower() == "ipv6" else 4
        entries: list[Cidr] = []
        for entry in self.many(props.get("Entries"), template):
            cidr = try_cidr(entry.get("Cidr")) if isinstance(entry, dict) else None
            if cidr is None:
                found.entries, found.unknown = None, "an entry is chosen at deploy time"
                self.unknown(f"{found}: {found.unknown}")
                return
            entries.append(cidr)
        found.entries = entries

    def _link_networkacl(self, template: Template, logical_id: str, props: Json) -> None:
        acl = self.own(template, logical_id, NetworkAcl)
        acl.vpc = self.vpc_of(props.get("VpcId"), template, acl.path)

    def acl(
        self, raw: Any, template: Template, owner: str, *, unsure: bool = False
    ) -> NetworkAcl | None:
        """Return the network ACL a reference names (a VPC's default ACL by its GetAtt).

        :param unsure: make an ACL of unknown entries for a reference the assembly does not
            resolve (an association must have some ACL).
        """
        value = self.value(raw, template)
        token = self.ev.token(value)
        if isinstance(token, ResourceToken) and token.attribute == "DefaultNetworkAcl":
            vpc = self.objects.get((id(token.template), token.logical_id))
            return vpc.default_acl if isinstance(vpc, Vpc) else None
        found = self.resolve(value, owner, "its network ACL")
        acl = self._imported(found, NetworkAcl, "acl-", self.out.acls, "its entries")
        if acl is None and unsure:
            return self._imported(
                self.ev.text(value), NetworkAcl, "", self.out.acls, "its entries", check=False
            )
        return acl

    def _imported(
        self,
        found: object,
        kind: type[G],
        prefix: str,
        into: list[G],
        hidden: str,
        *,
        check: bool = True,
    ) -> G | None:
        """Return ``found`` when it is a ``kind``; one imported by a literal id when it is one.

        :param check: False to make one of any name (a token's text).
        """
        if isinstance(found, kind):
            return found
        if isinstance(found, str) and (found.startswith(prefix) or not check):
            what = "security group" if kind is SecurityGroup else "network ACL"
            return self._external(
                found,
                kind,
                into=into,
                note=f"{what} {found} is not in the assembly: {hidden} are unknown",
                vpc=None,
                external=True,
            )
        return None

    def _link_networkaclentry(self, template: Template, logical_id: str, props: Json) -> None:
        path = display_path(template, logical_id, "")
        acl = self.acl(props.get("NetworkAclId"), template, path)
        if acl is None:
            return
        values = self.value(props, template)
        # A field a deployment decides makes the entry's decision unknown: an unknown number
        # may put it first, an unknown direction in either list.
        tokens = [name for name in _ACL_FIELDS if any(self.ev.tokens_in(values.get(name)))]
        vague = [f"its {name} is {self._field(values.get(name))}" for name in tokens]
        protocol = str(values.get("Protocol", "-1"))
        protocol = PROTOCOLS.get(protocol, protocol)
        ports = values.get("PortRange")
        span: tuple[int, int] | None = None
        if protocol in ("tcp", "udp") and isinstance(ports, dict):
            low, high = _number(ports.get("From")), _number(ports.get("To"))
            span = (low if low is not None else 0, high if high is not None else 65535)
        raw = values.get("CidrBlock", values.get("Ipv6CidrBlock"))
        cidr = try_cidr(raw)
        symbol: Ipv6Symbol | None = None
        if cidr is None:
            vague.append(f"its block is {self.ev.text(raw)}")
            found = self.ipv6(raw) if "Ipv6CidrBlock" in values else None
            symbol = found if isinstance(found, Ipv6Symbol) else None
        maybe = self.perhaps(template, logical_id)
        if maybe:
            vague.append(maybe)
        unknown = "; ".join(vague) or None
        if unknown:
            self.unknown(f"network ACL entry {path}: {unknown}")
        egress = str(values.get("Egress", False)).lower() == "true"
        number = _number(values.get("RuleNumber"))
        for direction in (True, False) if "Egress" in tokens else (egress,):
            acl.entries.append(
                AclEntry(
                    path=path,
                    number=0 if "RuleNumber" in tokens or number is None else number,
                    egress=direction,
                    protocol="-1" if "Protocol" in tokens else protocol,
                    allow=str(values.get("RuleAction", "")).lower() == "allow",
                    cidr=cidr,
                    ports=None if "PortRange" in tokens else span,
                    unknown=unknown,
                    ipv6="Ipv6CidrBlock" in values,
                    symbol=symbol,
                )
            )

    def _field(self, value: Any) -> str:
        """Say what a field holds, for a reader: its tokens by what they stand for."""
        if isinstance(value, dict):
            return ", ".join(f"{key} {self._field(item)}" for key, item in value.items())
        return self.ev.text(value)

    def _link_subnetnetworkaclassociation(
        self, template: Template, logical_id: str, props: Json
    ) -> None:
        owner = display_path(template, logical_id, "")
        subnet = self.link(props.get("SubnetId"), template, owner, "its subnet")
        acl = self.acl(props.get("NetworkAclId"), template, owner, unsure=True)
        if isinstance(subnet, Subnet) and acl is not None:
            if self.perhaps(template, logical_id):
                acl = self.acl(
                    f"{subnet.path}'s network ACL (conditional)", template, owner, unsure=True
                )
            subnet.acl = acl

    def _link_loadbalancer(self, template: Template, logical_id: str, props: Json) -> None:
        balancer = self.own(template, logical_id, LoadBalancer)
        for raw in self.many(props.get("SecurityGroups"), template):
            group = self._group(raw, balancer.path)
            if group is not None:
                balancer.groups.append(group)
        enforce = self.value(
            props.get("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"), template
        )
        balancer.enforce_on_privatelink = str(enforce).lower() != "off"

    def _link_listener(self, template: Template, logical_id: str, props: Json) -> None:
        owner = display_path(template, logical_id, "")
        balancer = self.link(props.get("LoadBalancerArn"), template, owner, "its load balancer")
        if not isinstance(balancer, LoadBalancer):
            return
        port = self.value(props.get("Port"), template)
        protocol = self.value(props.get("Protocol", "TCP"), template)
        if not isinstance(protocol, str) or not self.ev.is_literal(protocol):
            balancer.unknown_ports.append(owner)
            self.unknown(f"{owner}: its protocol is {self.ev.text(protocol)}")
        elif protocol.upper() not in TCP_LISTENERS:
            return  # a UDP listener forwards no TCP connection
        elif isinstance(port, int) or (isinstance(port, str) and port.isdigit()):
            balancer.ports.add(int(port))
        else:
            balancer.unknown_ports.append(owner)
            self.unknown(f"{owner}: its port is {self.ev.text(port)}")

    def _link_vpcendpointservice(self, template: Template, logical_id: str, props: Json) -> None:
        service = self.own(template, logical_id, EndpointService)
        required = self.value(props.get("AcceptanceRequired", False), template)
        service.acceptance_required = str(required).lower() == "true"
        for key in ("NetworkLoadBalancerArns", "GatewayLoadBalancerArns"):
            for raw in self.many(props.get(key), template):
                balancer = self.resolve(raw, service.path, "a load balancer")
                if isinstance(balancer, LoadBalancer):
                    service.load_balancers.append(balancer)

    def _link_vpcendpoint(self, template: Template, logical_id: str, props: Json) -> None:
        endpoint = self.own(template, logical_id, Endpoint)
        endpoint.vpc = self.vpc_of(props.get("VpcId"), template, endpoint.path)
        address_type = self.value(props.get("IpAddressType", "ipv4"), template)
        if isinstance(address_type, str) and self.ev.is_literal(address_type):
            endpoint.ip_address_type = address_type.lower()
        for raw in self.many(props.get("SubnetIds"), template):
            subnet = self.resolve(raw, endpoint.path, "a subnet")
            if isinstance(subnet, Subnet):
                endpoint.subnets.append(subnet)
            else:
                endpoint.unknown_subnets.append(self.ev.text(raw))
        if "SecurityGroupIds" in props:
            endpoint.groups = []
            for raw in self.many(props["SecurityGroupIds"], template):
                group = self._group(raw, endpoint.path)
                if group is not None:
                    endpoint.groups.append(group)
                else:
                    endpoint.unknown_groups.append(self.ev.text(raw))
        name = self.value(props.get("ServiceName"), template)
        endpoint.service_name = self.ev.text(name)
        for token in self.ev.tokens_in(name):
            while isinstance(token, Derived):
                token = token.base
            if isinstance(token, ResourceToken):
                found = self.objects.get((id(token.template), token.logical_id))
                if isinstance(found, EndpointService):
                    endpoint.service = found
        if endpoint.service is not None:
            return
        if isinstance(name, str) and self.ev.is_literal(name):
            endpoint.aws_service = is_aws_service(name)
            if not endpoint.aws_service:
                endpoint.unknown = f"its service {name} is not in this assembly"
        else:
            endpoint.unknown = f"its service is {endpoint.service_name}"
        if endpoint.unknown and endpoint.kind == "Interface":
            self.unknown(
                f"endpoint {endpoint.path}: {endpoint.unknown}, so its acceptance is unknown"
            )

    def _link_route(self, template: Template, logical_id: str, props: Json) -> None:
        path = display_path(template, logical_id, "")
        table = self.table(props.get("RouteTableId"), template, path)
        if table is None:
            return
        destination: Block | None = None
        written = ""
        prefix_list: PrefixList | None = None
        ipv6 = False
        if "DestinationCidrBlock" in props:
            value = self.value(props["DestinationCidrBlock"], template)
            destination, written = try_cidr(value), self.ev.text(value)
        elif "DestinationIpv6CidrBlock" in props:
            value = self.value(props["DestinationIpv6CidrBlock"], template)
            destination, written, ipv6 = self.ipv6(value), self.ev.text(value), True
        elif "DestinationPrefixListId" in props:
            value = self.value(props["DestinationPrefixListId"], template)
            prefix_list = self.prefix_list(value, path)
            written, ipv6 = str(prefix_list), prefix_list.version == 6
        else:
            written = "nothing (no destination)"
        if destination is None and prefix_list is None:
            self.unknown(f"route {path}: its destination is {written}")
        route = Route(
            path,
            table,
            destination,
            self.target(props, template, path),
            written,
            prefix_list=prefix_list,
            ipv6=ipv6 or (destination is not None and _is_ipv6(destination)),
            maybe=self.perhaps(template, logical_id),
        )
        table.routes.append(route)
        self._alias(template, logical_id, route)

    def target(self, props: Json, template: Template, path: str) -> Target:
        present = [key for key in TARGET_FIELDS if key in props]
        if not present:
            return Target(BLACKHOLE, "nothing", why="it has no target")
        key = present[0]
        found = self.link(props[key], template, path, f"its {TARGET_FIELDS[key]}")
        if key == "VpcPeeringConnectionId":
            if isinstance(found, Peering):
                return Target(PEERING, f"peering {found.path}", peering=found)
            if isinstance(found, str) and found.startswith("pcx-"):
                peering = self._external(
                    found,
                    Peering,
                    into=self.out.peerings,
                    note=f"peering connection {found} is imported by id: its VPCs are unknown",
                    requester=None,
                    accepter=None,
                    external=True,
                    accepted=None,
                    why="it is imported by id: its VPCs are unknown",
                )
                return Target(PEERING, f"peering {found}", peering=peering)
            if isinstance(found, Unmodelled):
                why = f"{found.path} is a {found.type}, not a peering connection"
                return Target(BLACKHOLE, found.path, why=why)
            other = getattr(found, "path", None)
            if isinstance(other, str):  # another object of the model: a VPC, a group...
                why = f"{other} is a {type(found).__name__}, not a peering connection"
                return Target(BLACKHOLE, other, why=why)
        if isinstance(found, Target):
            return found
        if isinstance(found, str):
            if key == "GatewayId" and found == "local":
                return Target(LOCAL, "local")
            kind = next(
                (name for prefix, name in ID_PREFIXES.items() if found.startswith(prefix)), None
            )
            return Target(GATEWAY, f"{kind or TARGET_FIELDS[key]} {found}")
        if isinstance(found, Unknown):
            if key != "VpcPeeringConnectionId":
                # Whatever its id, a gateway, an interface or an instance is no peering.
                return Target(GATEWAY, f"{TARGET_FIELDS[key]} ({found.reason})")
            return Target(UNKNOWN, f"{TARGET_FIELDS[key]} {found.reason}", why=found.reason)
        if isinstance(found, Absent):
            return Target(
                BLACKHOLE,
                f"{TARGET_FIELDS[key]} {found.reason}",
                why=f"{found.reason} does not exist as a {TARGET_FIELDS[key]}",
            )
        if isinstance(found, Unmodelled | Endpoint):
            return Target(GATEWAY, f"{TARGET_FIELDS[key]} {found.path}")
        if key != "VpcPeeringConnectionId":
            return Target(GATEWAY, TARGET_FIELDS[key])
        return Target(
            UNKNOWN,
            TARGET_FIELDS[key],
            why=describe(found) if isinstance(found, Token) else "unknown",
        )

    def _link_hostedzone(self, template: Template, logical_id: str, props: Json) -> None:
        zone = self.own(template, logical_id, HostedZone)
        for association in self.many(props.get("VPCs"), template):
            if isinstance(association, dict):
                self.associate(zone, association.get("VPCId"), zone.path, None)

    def associate(self, zone: HostedZone, value: Any, owner: str, by: str | None) -> None:
        found = self.resolve(value, owner, "an associated VPC")
        if isinstance(found, str) and found.startswith("vpc-"):
            found = self.external_vpc(found)
        if isinstance(found, Vpc):
            if found not in zone.vpcs:
                zone.vpcs.append(found)
            if by is not None:
                zone.associated_by.setdefault(found, by)
        else:
            zone.unknown_vpcs.append(self.ev.text(value))

    def zone(self, props: Json, template: Template, owner: str) -> HostedZone | None:
        if "HostedZoneId" in props:
            found = self.link(props["HostedZoneId"], template, owner, "its hosted zone")
            return found if isinstance(found, HostedZone) else None
        name = self.value(props.get("HostedZoneName"), template)
        if isinstance(name, str):
            matching = [zone for zone in self.out.zones if zone.name == dns_name(name)]
            return matching[0] if len(matching) == 1 else None
        return None

    def _link_recordset(self, template: Template, logical_id: str, props: Json) -> None:
        self.record(props, template, display_path(template, logical_id, ""), None)

    def _link_recordsetgroup(self, template: Template, logical_id: str, props: Json) -> None:
        owner = display_path(template, logical_id, "")
        zone = self.zone(props, template, owner)
        for each in self.many(props.get("RecordSets"), template):
            if isinstance(each, dict):
                self.record(each, template, owner, zone)

    def record(self, props: Json, template: Template, owner: str, zone: HostedZone | None) -> None:
        zone = zone or self.zone(props, template, owner)
        if zone is None:
            return
        name = self.value(props.get("Name"), template)
        kind = self.value(props.get("Type"), template)
        if not isinstance(name, str) or not isinstance(kind, str):
            return
        record = Record(path=owner, name=dns_name(name), type=kind.upper())
        alias = props.get("AliasTarget")
        if isinstance(alias, dict):
            target = self.value(alias.get("DNSName"), template)
            for token in self.ev.tokens_in(target):
                found = self.resolve(token, owner, "its alias target")
                if isinstance(found, Endpoint):
                    record.endpoint = found
            if record.endpoint is None:
                record.unknown = (
                    f"it is an alias to {self.ev.text(target)}, which the model does not follow"
                )
        else:
            values = self.value(props.get("ResourceRecords"), template)
            if not isinstance(values, list):
                values = [values]  # a token (a parameter's list): its values are unknown
            for value in values:
                literal = isinstance(value, str) and self.ev.is_literal(value)
                if record.type in ("A", "AAAA"):
                    address = try_cidr(value) if literal else None
                    if address is not None:
                        record.addresses.append(address)
                    else:
                        record.unknown = (
                            f"its address {self.ev.text(value)} is chosen at deploy time"
                        )
                elif record.type == "CNAME" and literal:
                    record.canonical = dns_name(str(value))
                elif record.type == "CNAME":
                    # An endpoint's own DNS name (Fn::GetAtt DnsEntries, split): its addresses.
                    for token in self.ev.tokens_in(value):
                        while isinstance(token, Derived):
                            token = token.base
                        found = self.resolve(token, owner, "its canonical name")
                        if isinstance(found, Endpoint):
                            record.endpoint = found
                    if record.endpoint is None:
                        record.unknown = f"its canonical name is {self.ev.text(value)}"
        zone.records.append(record)

    def _link_custom(self, template: Template, logical_id: str, props: Json) -> None:
        owner = display_path(template, logical_id, "")
        kind = template.resources[logical_id].get("Type")
        if kind in (ENDPOINT_ACCEPTANCE, ZONE_ASSOCIATION, CONNECTION_OPTIONS):
            given = self.value(props, template)
            if not isinstance(given, dict):
                return
            if kind == ENDPOINT_ACCEPTANCE:
                self._accept_endpoints(given, owner)
                return
            if kind == CONNECTION_OPTIONS:
                options = given.get("Options")
                side = str(given.get("Side", "")).lower()
                self._declare_options(
                    given, owner, {side: options} if isinstance(options, dict) else {}
                )
                return
            zone = self.resolve(given.get("HostedZoneId"), owner, "a hosted zone")
            if isinstance(zone, HostedZone):
                self.associate(zone, given.get("VpcId"), owner, owner)
            return
        for call in self._calls(props, template):
            service = str(call.get("service", "")).lower()
            action = str(call.get("action", "")).lower().removesuffix("command")
            parameters = call.get("parameters") or {}
            if not isinstance(parameters, dict):
                continue
            if "ec2" in service and action == "acceptvpcendpointconnections":
                self._accept_endpoints(parameters, owner)
            elif "ec2" in service and action == "acceptvpcpeeringconnection":
                found = self.resolve(parameters.get("VpcPeeringConnectionId"), owner, "a peering")
                if isinstance(found, Peering) and found.accepted is False:
                    found.accepted, found.why = True, None
            elif "ec2" in service and action == "modifyvpcpeeringconnectionoptions":
                sides = {
                    side.lower(): parameters.get(f"{side}PeeringConnectionOptions")
                    for side in ("Requester", "Accepter")
                }
                self._declare_options(parameters, owner, sides)
            elif "route53" in service and action == "associatevpcwithhostedzone":
                zone = self.resolve(parameters.get("HostedZoneId"), owner, "a hosted zone")
                vpc = (parameters.get("VPC") or {}).get("VPCId")
                if isinstance(zone, HostedZone):
                    self.associate(zone, vpc, owner, owner)

    def _declare_options(self, given: Json, owner: str, sides: dict[str, object]) -> None:
        """Record the connection options a resource declares, per side (``requester``...)."""
        found = self.resolve(given.get("VpcPeeringConnectionId"), owner, "a peering")
        if not isinstance(found, Peering):
            return
        declared = self.out.options.setdefault(found, {})
        for side, options in sides.items():
            for key, value in (options if isinstance(options, dict) else {}).items():
                declared[(side, key)] = value

    def _calls(self, props: Json, template: Template) -> Iterable[Json]:
        for key in ("Create", "Update"):
            if key not in props:
                continue
            value = self.value(props[key], template)
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    continue
            if isinstance(value, dict):
                yield value

    def _accept_endpoints(self, parameters: Json, owner: str) -> None:
        service = self.resolve(
            parameters.get("ServiceId"), owner, "the endpoint service it accepts for"
        )
        # Every reference in the list, however it was written (items, or one joined text).
        for token in self.ev.tokens_in(parameters.get("VpcEndpointIds")):
            endpoint = self.resolve(token, owner, "an endpoint it accepts")
            if isinstance(service, EndpointService) and isinstance(endpoint, Endpoint):
                service.accepted.setdefault(endpoint, owner)

    # --- after linking -------------------------------------------------------------------

    def _finish(self) -> None:
        for vpc in self.out.vpcs:
            if vpc.main_table is not None:
                vpc.main_table.subnets = [s for s in vpc.subnets if s.table is None]
            vpc.subnets.sort(key=lambda s: (s.cidr.first if s.cidr else -1, s.path))
        for table in self.out.tables:
            if table.external and table.vpc is None:
                sides = {
                    end
                    for route in table.routes
                    if route.target.peering is not None
                    for end in (route.target.peering.requester, route.target.peering.accepter)
                    if end is not None and end.external
                }
                if len(sides) == 1:
                    table.vpc = sides.pop()
                    table.vpc.tables.append(table)


def default_acl(vpc: Vpc) -> NetworkAcl:
    """Return a VPC's default network ACL as AWS makes it: it allows all traffic.

    Rule 100 allows all IPv4 traffic and rule 101 all IPv6 traffic, each way; entries a
    template adds to it (``Fn::GetAtt [Vpc, DefaultNetworkAcl]``) join these.
    """
    acl = NetworkAcl(path=f"{vpc.path} (default network ACL)", vpc=vpc, default=True)
    for egress in (False, True):
        for number, block in ((100, "0.0.0.0/0"), (101, "::/0")):
            acl.entries.append(
                AclEntry(acl.path, number, egress, "-1", True, try_cidr(block), ipv6=number == 101)
            )
    return acl


_ACL_FIELDS = ("Protocol", "RuleAction", "RuleNumber", "Egress", "PortRange")
"""The fields of a network ACL entry that decide what it does."""


def _apart(peering: Peering, template: Template) -> tuple[bool | None, str] | None:
    """Say whether the accepter VPC is not where the connection asks (PeerOwnerId, PeerRegion).

    AWS looks for ``PeerVpcId`` in that account and Region: a VPC elsewhere never joins it
    (False). An environment-agnostic stack beside a pinned one cannot tell (None). None
    when the two agree, or the accepter VPC is imported.
    """
    accepter = peering.accepter
    if accepter is None or accepter.external:
        return None
    agnostic = template.account is None and template.region is None
    if agnostic != accepter.agnostic:
        return None, (
            "one of its VPCs is in an environment-agnostic stack and the other in a pinned "
            "one: where the accepter VPC is, relative to the connection, is unknown"
        )
    for what, asked, actual in (
        ("account", peering.peer_account, accepter.account),
        ("Region", peering.peer_region, accepter.region),
    ):
        if asked is not None and actual is not None and asked != actual:
            return False, (
                f"its accepter VPC {accepter.path} is in {what} {actual}, but the connection "
                f"asks for one in {what} {asked} (PeerOwnerId, PeerRegion): AWS finds no such VPC"
            )
    return None


def _custom(kind: str) -> bool:
    return kind.startswith("Custom::") or kind == "AWS::CloudFormation::CustomResource"


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _is_ipv6(block: Block) -> bool:
    return not isinstance(block, Cidr) or block.version == 6


def is_aws_service(name: str) -> bool:
    """Tell whether an endpoint's service name is an AWS service's (not an endpoint service's).

    AWS services are ``com.amazonaws.<region>.<service>`` (``aws.`` for a few); endpoint
    services, of any account, ``com.amazonaws.vpce.<region>.vpce-svc-...``.
    """
    return name.startswith(("com.amazonaws.", "aws.")) and not name.startswith(
        "com.amazonaws.vpce."
    )


def dns_name(name: str) -> str:
    """Return a DNS name in one form: lower case, no trailing dot."""
    return name.strip().rstrip(".").lower()
