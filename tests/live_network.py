"""Deploy a cloud assembly's network into moto (in-process) with boto3 calls, then drift it.

A small materializer of what ``Network.from_deployment`` reads: VPCs and their blocks,
subnets, route tables and routes, internet gateways, instances a route targets, network
ACLs and their entries (a block that is a parameter: its default), peerings (accepted, with
their options), prefix lists, security groups, endpoint services on network load balancers
with listeners and their permissions, interface and gateway endpoints, private hosted
zones with their records and VPC associations; and one CloudFormation stack per template,
nested ones included, that lists every resource of its template, as CloudFormation does
(what is not made here gets a placeholder physical id). A VPC or route table the app
imports by a literal id is one the test made before synth: peerings to it and routes into
it are made as CloudFormation would.

What moto lacks, and the (few) places this reaches into moto's backends:

- CloudFormation cannot deploy these templates (see ../shared/reference/tooling.md), so
  each stack is made with a placeholder template and its resource list is written into
  moto's stack (``_MotoStack.record``): ``ListStackResources`` then answers as AWS does.
- There is no ``RejectVpcEndpointConnections``: a rejected connection is written as the
  endpoint's state (``reject_endpoint``).
- A network load balancer has no ``EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic``:
  it is written on moto's load balancer (``_enforce_off``).
- A VPC given an IPv6 block keeps a default network ACL without AWS's rules 101 (allow all
  IPv6 traffic, each way): they are added with ``CreateNetworkAclEntry``.

Accounts: each template's (account, Region), the default one (123456789012, us-east-1) for
an environment-agnostic stack; another account is acted in with moto's STS AssumeRole
credentials.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from cdk_peering.connectivity._assembly import Template, read_assembly
from cdk_peering.connectivity._build import _Builder, display_path
from cdk_peering.connectivity._cidr import Block, Cidr, Ipv6Symbol, try_cidr
from cdk_peering.connectivity.model import (
    GATEWAY,
    PEERING,
    AclEntry,
    Endpoint,
    EndpointService,
    HostedZone,
    NetworkAcl,
    Peering,
    PrefixList,
    RouteTable,
    SecurityGroup,
    Subnet,
    Target,
    Vpc,
)

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
PLACEHOLDER = "AWS::CloudFormation::WaitConditionHandle"
IMAGE = "ami-12c6146b"
"""An image moto knows: what an instance a route targets is launched from."""
PHYSICAL_FROM = {"AWS::EC2::VPCEndpointServicePermissions": "ServiceId"}
"""Types whose physical id is the id a property names (CloudFormation's primaryIdentifier)."""
PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "-1": "-1"}


def role_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:role/cdk-peering-verify"


@contextlib.contextmanager
def moto_aws() -> Iterator[None]:
    """moto in-process, with fake credentials and the default Region set."""
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(_ENV)
    os.environ.pop("AWS_PROFILE", None)
    try:
        with mock_aws():
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
    "AWS_REGION": DEFAULT_REGION,
}


@dataclass(repr=False)
class Deployed:
    """What was made: each model object's id, where, and the roles to read it with."""

    ids: dict[int, str] = field(default_factory=dict)
    """id(model object) -> physical id."""
    where: dict[int, tuple[str, str]] = field(default_factory=dict)
    """id(model object) -> (account, Region)."""
    names: dict[str, Any] = field(default_factory=dict)
    """Construct path -> model object (of the plan)."""
    accounts: set[str] = field(default_factory=set)

    def __repr__(self) -> str:  # the model objects' reprs are huge (pytest shows fixtures)
        return f"Deployed({len(self.ids)} resources in accounts {sorted(self.accounts)})"

    @property
    def roles(self) -> dict[str, str]:
        """A role for every account but the default one."""
        return {a: role_arn(a) for a in self.accounts if a != DEFAULT_ACCOUNT}

    def id_of(self, path: str) -> str:
        return self.ids[id(self.names[path])]

    def ec2(self, path: str) -> Any:
        account, region = self.where[id(self.names[path])]
        return client("ec2", account, region)


_sessions: dict[str, Any] = {}


def client(service: str, account: str, region: str) -> Any:
    """A boto3 client acting in ``account`` (moto: STS credentials of a role there)."""
    key = f"{service}:{account}:{region}"
    made = _sessions.get(key)
    if made is None:
        made = _sessions[key] = _session(account).client(service, region_name=region)
    return made


def _shared(**arguments: Any) -> Any:
    """A boto3 session on the process's one loader of service models (read once)."""
    import botocore.loaders
    import botocore.session

    loader = _sessions.get("loader")
    if loader is None:
        loader = _sessions["loader"] = botocore.loaders.create_loader()
    core = botocore.session.Session()
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core, **arguments)


def _session(account: str) -> Any:
    if account == DEFAULT_ACCOUNT:
        return _shared()
    key = account
    session = _sessions.get(key)
    if session is None:
        sts = _shared().client("sts", region_name=DEFAULT_REGION)
        credentials = sts.assume_role(RoleArn=role_arn(account), RoleSessionName="materialize")[
            "Credentials"
        ]
        session = _shared(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        _sessions[key] = session
    return session


def materialize(source: object) -> Deployed:
    """Make in moto what the assembly ``source`` plans; return the ids of what was made."""
    loader = _sessions.get("loader")
    _sessions.clear()
    if loader is not None:
        _sessions["loader"] = loader
    assembly = read_assembly(source)
    builder = _Builder(assembly)
    built = builder.run()
    return _Materializer(assembly.templates, builder, built).run()


class _Materializer:
    def __init__(self, templates: list[Template], builder: _Builder, built: Any) -> None:
        self.templates, self.builder, self.built = templates, builder, built
        self.objects: dict[tuple[int, str], object] = builder.objects
        self.done = Deployed()
        self.owner: dict[int, Template] = {}
        self.logical: dict[int, str] = {}
        """id(model object) -> its logical id (in its ``owner`` template)."""
        for (template_id, logical_id), thing in self.objects.items():
            template = next(t for t in templates if id(t) == template_id)
            self.owner[id(thing)] = template
            self.logical[id(thing)] = logical_id
        for thing in self.objects.values():
            path = getattr(thing, "path", None)
            if isinstance(path, str):
                self.done.names[path] = thing
            elif isinstance(thing, Target):  # a gateway: "internet gateway Stack/Vpc/IGW"
                self.done.names[thing.name] = thing

    def env(self, thing: object) -> tuple[str, str]:
        template = self.owner[id(thing)]
        return template.account or DEFAULT_ACCOUNT, template.region or DEFAULT_REGION

    def properties(self, thing: object) -> dict[str, Any]:
        """The template properties of a model object's resource."""
        resource = self.owner[id(thing)].resources[self.logical[id(thing)]]
        return dict(resource.get("Properties") or {})

    def referenced(self, thing: object, raw: Any) -> str | None:
        """The id made for the resource ``raw`` (a ``Ref``) names, in ``thing``'s template."""
        if not isinstance(raw, dict) or "Ref" not in raw:
            return None
        found = self.objects.get((id(self.owner[id(thing)]), str(raw["Ref"])))
        return self.done.ids.get(id(found)) if found is not None else None

    def vpc_id(self, vpc: Vpc) -> str | None:
        """The id of a VPC made here, or of one imported by a literal id (the test made it)."""
        if id(vpc) in self.done.ids:
            return self.done.ids[id(vpc)]
        return vpc.path if vpc.external and vpc.path.startswith("vpc-") else None

    def ec2(self, thing: object) -> Any:
        return client("ec2", *self.env(thing))

    def made(self, thing: object, physical: str) -> str:
        self.done.ids[id(thing)] = physical
        self.done.where[id(thing)] = self.env(thing)
        self.done.accounts.add(self.env(thing)[0])
        return physical

    def run(self) -> Deployed:
        built = self.built
        for vpc in built.vpcs:
            if not vpc.external:
                self._vpc(vpc)
        for subnet in built.subnets:
            self._subnet(subnet)
        for thing in self.objects.values():
            if isinstance(thing, Target) and thing.kind == GATEWAY:
                if thing.name.startswith("internet gateway "):
                    self._gateway(thing)
                elif thing.name.startswith("instance "):
                    self._instance(thing)
        for prefix_list in built.prefix_lists:
            if not prefix_list.external:
                self._prefix_list(prefix_list)
        for peering in built.peerings:
            if not peering.external:
                self._peering(peering)
        for table in built.tables:
            self._table(table)
        for group in built.groups:
            if not group.external:
                self._group(group)
        for group in built.groups:
            if not group.external:
                self._rules(group)
        for acl in built.acls:
            self._acl(acl)
        for service in built.services:
            self._service(service)
        self._permissions()
        for endpoint in built.endpoints:
            if endpoint.kind == "Interface" and endpoint.vpc is not None:
                self._endpoint(endpoint)
            elif endpoint.kind == "Gateway" and endpoint.vpc is not None:
                self._gateway_endpoint(endpoint)
        for zone in built.zones:
            self._zone(zone)
        self._stacks()
        return self.done

    # --- VPCs, subnets, gateways -----------------------------------------------------------

    def _vpc(self, vpc: Vpc) -> None:
        ec2 = self.ec2(vpc)
        made = ec2.create_vpc(CidrBlock=str(vpc.cidrs[0]))["Vpc"]["VpcId"]
        self.made(vpc, made)
        for cidr in vpc.cidrs[1:]:
            ec2.associate_vpc_cidr_block(VpcId=made, CidrBlock=str(cidr))
        for _ in vpc.ipv6:
            ec2.associate_vpc_cidr_block(VpcId=made, AmazonProvidedIpv6CidrBlock=True)
        if vpc.ipv6:  # AWS adds rules 101 to the default ACL; moto does not
            acl = _default_acl(ec2, made)
            for egress in (False, True):
                ec2.create_network_acl_entry(
                    NetworkAclId=acl,
                    RuleNumber=101,
                    Protocol="-1",
                    RuleAction="allow",
                    Egress=egress,
                    Ipv6CidrBlock="::/0",
                )

    def ipv6(self, block: Block | None) -> Cidr | None:
        """The deployed block an AWS-assigned symbol names (moto picked the VPC's)."""
        if not isinstance(block, Ipv6Symbol):
            return block
        vpc = self.done.names[block.owner]
        data = self.ec2(vpc).describe_vpcs(VpcIds=[self.done.ids[id(vpc)]])["Vpcs"][0]
        texts = [b["Ipv6CidrBlock"] for b in data.get("Ipv6CidrBlockAssociationSet") or []]
        from cdk_peering.connectivity._cidr import parse_cidr

        found = parse_cidr(texts[block.index])
        for host_bits, position in block.pieces:
            found = Cidr(6, found.first + (position << host_bits), 128 - host_bits)
        return found

    def _subnet(self, subnet: Subnet) -> None:
        vpc = subnet.vpc
        if vpc is None or subnet.cidr is None or vpc.external:
            return
        arguments: dict[str, Any] = {"VpcId": self.done.ids[id(vpc)], "CidrBlock": str(subnet.cidr)}
        ipv6 = self.ipv6(subnet.ipv6)
        if ipv6 is not None:
            arguments["Ipv6CidrBlock"] = str(ipv6)
        tags = [{"Key": "Name", "Value": subnet.path}]
        if ": " in subnet.group:
            tags.append({"Key": "aws-cdk:subnet-name", "Value": subnet.group.split(": ", 1)[1]})
        arguments["TagSpecifications"] = [{"ResourceType": "subnet", "Tags": tags}]
        made = self.ec2(subnet).create_subnet(**arguments)["Subnet"]["SubnetId"]
        self.made(subnet, made)

    def _gateway(self, target: Target) -> None:
        made = self.ec2(target).create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.made(target, made)

    def _instance(self, target: Target) -> None:
        arguments: dict[str, Any] = {"ImageId": IMAGE, "MinCount": 1, "MaxCount": 1}
        subnet = self.referenced(target, self.properties(target).get("SubnetId"))
        if subnet is not None:
            arguments["SubnetId"] = subnet
        [made] = self.ec2(target).run_instances(**arguments)["Instances"]
        self.made(target, made["InstanceId"])

    def _prefix_list(self, prefix_list: PrefixList) -> None:
        entries = [{"Cidr": str(c)} for c in prefix_list.entries or []]
        made = self.ec2(prefix_list).create_managed_prefix_list(
            PrefixListName=prefix_list.path.replace("/", "-"),
            AddressFamily="IPv6" if prefix_list.version == 6 else "IPv4",
            MaxEntries=max(len(entries), 1),
            Entries=entries,
        )["PrefixList"]["PrefixListId"]
        self.made(prefix_list, made)

    # --- peerings and routes ------------------------------------------------------------------

    def _peering(self, peering: Peering) -> None:
        requester, accepter = peering.requester, peering.accepter
        if requester is None or accepter is None:
            return
        vpc_id, peer_id = self.vpc_id(requester), self.vpc_id(accepter)
        if vpc_id is None or peer_id is None:
            return
        account, region = self.env(peering)
        if accepter.external:  # imported by id: where the peering says it is
            peer_account, peer_region = (
                peering.peer_account or account,
                peering.peer_region or region,
            )
        else:
            peer_account, peer_region = self.env(accepter)
        made = self.ec2(peering).create_vpc_peering_connection(
            VpcId=vpc_id,
            PeerVpcId=peer_id,
            PeerOwnerId=peer_account,
            PeerRegion=peer_region,
        )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        self.made(peering, made)
        if peering.accepted is True:
            client("ec2", peer_account, peer_region).accept_vpc_peering_connection(
                VpcPeeringConnectionId=made
            )
        options: dict[str, dict[str, Any]] = {}
        for (side, key), value in self.built.options.get(peering, {}).items():
            options.setdefault(side, {})[key] = value
        for side, values in options.items():
            where = (account, region) if side == "requester" else (peer_account, peer_region)
            key = f"{side.capitalize()}PeeringConnectionOptions"
            client("ec2", *where).modify_vpc_peering_connection_options(
                VpcPeeringConnectionId=made, **{key: values}
            )

    def _table(self, table: RouteTable) -> None:
        vpc = table.vpc
        if table.external and table.path.startswith("rtb-"):
            # A table the app imports by id (the test made it): the app's routes go into it.
            made = table.path
            ec2 = client("ec2", *self._env_of_path(table.routes[0].path if table.routes else ""))
        elif vpc is None or vpc.external or table.external or table.main:
            return
        else:
            ec2 = client("ec2", *self.done.where[id(vpc)])
            made = ec2.create_route_table(VpcId=self.done.ids[id(vpc)])["RouteTable"][
                "RouteTableId"
            ]
            self.made(table, made)
            for subnet in table.subnets:
                ec2.associate_route_table(RouteTableId=made, SubnetId=self.done.ids[id(subnet)])
        for route in table.routes:
            arguments: dict[str, Any] = {"RouteTableId": made}
            if route.prefix_list is not None:
                if id(route.prefix_list) not in self.done.ids:
                    continue
                arguments["DestinationPrefixListId"] = self.done.ids[id(route.prefix_list)]
            elif route.ipv6:
                destination = self.ipv6(route.destination)
                if destination is None:
                    continue
                arguments["DestinationIpv6CidrBlock"] = str(destination)
            elif route.destination is not None:
                arguments["DestinationCidrBlock"] = str(route.destination)
            else:
                continue
            target = route.target
            if target.kind == PEERING and target.peering is not None:
                if id(target.peering) not in self.done.ids:
                    continue
                arguments["VpcPeeringConnectionId"] = self.done.ids[id(target.peering)]
            elif id(target) in self.done.ids:
                key = "InstanceId" if target.name.startswith("instance ") else "GatewayId"
                arguments[key] = self.done.ids[id(target)]
            else:
                continue  # a target this materializer does not make
            ec2.create_route(**arguments)

    def _env_of_path(self, path: str) -> tuple[str, str]:
        """The (account, Region) of the template that declares ``path`` (the deepest one)."""
        owners = [t for t in self.templates if path.startswith(t.path + "/")]
        template = max(owners, key=lambda t: len(t.path), default=self.templates[0])
        return template.account or DEFAULT_ACCOUNT, template.region or DEFAULT_REGION

    # --- security groups and network ACLs ------------------------------------------------------

    def _group(self, group: SecurityGroup) -> None:
        vpc = group.vpc
        if vpc is None or vpc.external:
            return
        made = self.ec2(group).create_security_group(
            GroupName=group.path.replace("/", "-"),
            Description=group.path,
            VpcId=self.done.ids[id(vpc)],
        )["GroupId"]
        self.made(group, made)

    def _rules(self, group: SecurityGroup) -> None:
        if id(group) not in self.done.ids:
            return
        permissions = []
        for rule in group.rules:
            permission: dict[str, Any] = {"IpProtocol": PROTOCOL_NUMBERS.get(rule.protocol, "-1")}
            if rule.protocol != "-1":
                permission["FromPort"] = rule.from_port if rule.from_port is not None else 0
                permission["ToPort"] = rule.to_port if rule.to_port is not None else 65535
            if rule.cidr is not None:
                key = "Ipv6Ranges" if rule.cidr.version == 6 else "IpRanges"
                field_name = "CidrIpv6" if rule.cidr.version == 6 else "CidrIp"
                permission[key] = [{field_name: str(rule.cidr)}]
            elif rule.group is not None and id(rule.group) in self.done.ids:
                permission["UserIdGroupPairs"] = [{"GroupId": self.done.ids[id(rule.group)]}]
            elif rule.prefix_list is not None and id(rule.prefix_list) in self.done.ids:
                found = self.done.ids[id(rule.prefix_list)]
                permission["PrefixListIds"] = [{"PrefixListId": found}]
            else:
                continue
            permissions.append(permission)
        if permissions:
            self.ec2(group).authorize_security_group_ingress(
                GroupId=self.done.ids[id(group)], IpPermissions=permissions
            )

    def _acl(self, acl: NetworkAcl) -> None:
        vpc = acl.vpc
        if vpc is None or vpc.external or acl.external:
            return
        ec2 = client("ec2", *self.done.where[id(vpc)])
        vpc_id = self.done.ids[id(vpc)]
        if acl.default:
            found = _default_acl(ec2, vpc_id)
            self.done.ids[id(acl)] = found
            self.done.where[id(acl)] = self.done.where[id(vpc)]
            entries = [e for e in acl.entries if e.path != acl.path]
        else:
            found = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
            self.made(acl, found)
            entries = acl.entries
        for entry in entries:
            block = entry.cidr or self.ipv6(entry.symbol) or self._entry_block(entry)
            if block is None:
                continue
            arguments: dict[str, Any] = {
                "NetworkAclId": found,
                "RuleNumber": entry.number,
                "Egress": entry.egress,
                "Protocol": PROTOCOL_NUMBERS.get(entry.protocol, entry.protocol),
                "RuleAction": "allow" if entry.allow else "deny",
            }
            arguments["Ipv6CidrBlock" if entry.ipv6 else "CidrBlock"] = str(block)
            if entry.ports is not None:
                arguments["PortRange"] = {"From": entry.ports[0], "To": entry.ports[1]}
            ec2.create_network_acl_entry(**arguments)
        for subnet in self.built.subnets:
            if subnet.acl is acl and not acl.default:
                _move_subnet_acl(ec2, self.done.ids[id(subnet)], found)

    def _entry_block(self, entry: AclEntry) -> Cidr | None:
        """The block CloudFormation deploys for an entry whose block the plan cannot read: a
        parameter's default."""
        for template in self.templates:
            for logical_id, resource in template.resources.items():
                if resource.get("Type") != "AWS::EC2::NetworkAclEntry":
                    continue
                if display_path(template, logical_id, "") != entry.path:
                    continue
                props = resource.get("Properties") or {}
                raw = props.get("Ipv6CidrBlock" if entry.ipv6 else "CidrBlock")
                if isinstance(raw, dict) and "Ref" in raw:
                    parameter = (template.body.get("Parameters") or {}).get(raw["Ref"]) or {}
                    return try_cidr(parameter.get("Default"))
        return None

    # --- PrivateLink ---------------------------------------------------------------------------

    def _service(self, service: EndpointService) -> None:
        account, region = self.env(service)
        elbv2 = client("elbv2", account, region)
        ec2 = client("ec2", account, region)
        subnets = [
            self.done.ids[id(s)]
            for s in self.built.subnets
            if id(s) in self.done.ids and self.done.where[id(s)] == (account, region)
        ]
        arns = []
        for number, balancer in enumerate(service.load_balancers):
            groups = [self.done.ids[id(g)] for g in balancer.groups if id(g) in self.done.ids]
            created = elbv2.create_load_balancer(
                Name=f"nlb{number}-{len(self.done.ids)}",
                Subnets=subnets[:1],
                Type="network",
                Scheme="internal",
                SecurityGroups=groups,
            )["LoadBalancers"][0]
            arn = created["LoadBalancerArn"]
            if not balancer.enforce_on_privatelink:
                _enforce_off(account, region, arn)
            if id(balancer) in self.owner:
                self.made(balancer, arn)
            for port in sorted(balancer.ports):
                group = elbv2.create_target_group(
                    Name=f"tg{port}-{len(self.done.ids)}",
                    Protocol="TCP",
                    Port=port,
                    VpcId=created["VpcId"],
                    TargetType="ip",
                )["TargetGroups"][0]["TargetGroupArn"]
                elbv2.create_listener(
                    LoadBalancerArn=arn,
                    Protocol="TCP",
                    Port=port,
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
                )
            arns.append(arn)
        made = ec2.create_vpc_endpoint_service_configuration(
            NetworkLoadBalancerArns=arns, AcceptanceRequired=service.acceptance_required
        )["ServiceConfiguration"]
        self.made(service, made["ServiceId"])
        self.done.names[f"{service.path}#name"] = made["ServiceName"]

    def _permissions(self) -> None:
        """Allow each service's principals (``AWS::EC2::VPCEndpointServicePermissions``)."""
        for template in self.templates:
            for resource in template.resources.values():
                if resource.get("Type") != "AWS::EC2::VPCEndpointServicePermissions":
                    continue
                props = resource.get("Properties") or {}
                service = self.objects.get((id(template), str(props["ServiceId"]["Ref"])))
                principals = self.builder.value(props.get("AllowedPrincipals") or [], template)
                if service is None or id(service) not in self.done.ids:
                    continue
                self.ec2(service).modify_vpc_endpoint_service_permissions(
                    ServiceId=self.done.ids[id(service)],
                    AddAllowedPrincipals=[str(each) for each in principals],
                )

    def _gateway_endpoint(self, endpoint: Endpoint) -> None:
        vpc = endpoint.vpc
        assert vpc is not None
        region = self.env(endpoint)[1]
        name = re.sub(r"<AWS::Region[^>]*>", region, endpoint.service_name)
        tables = [
            self.referenced(endpoint, raw)
            for raw in self.properties(endpoint).get("RouteTableIds") or []
        ]
        made = self.ec2(endpoint).create_vpc_endpoint(
            VpcEndpointType="Gateway",
            VpcId=self.done.ids[id(vpc)],
            ServiceName=name,
            RouteTableIds=[t for t in tables if t is not None],
        )["VpcEndpoint"]
        self.made(endpoint, made["VpcEndpointId"])

    def _endpoint(self, endpoint: Endpoint) -> None:
        vpc = endpoint.vpc
        assert vpc is not None
        if endpoint.service is not None:
            name = self.done.names.get(f"{endpoint.service.path}#name", endpoint.service_name)
        else:
            name = endpoint.service_name
        arguments: dict[str, Any] = {
            "VpcEndpointType": "Interface",
            "VpcId": self.done.ids[id(vpc)],
            "ServiceName": name,
            "SubnetIds": [self.done.ids[id(s)] for s in endpoint.subnets if id(s) in self.done.ids],
        }
        if endpoint.groups:
            arguments["SecurityGroupIds"] = [
                self.done.ids[id(g)] for g in endpoint.groups if id(g) in self.done.ids
            ]
        made = self.ec2(endpoint).create_vpc_endpoint(**arguments)["VpcEndpoint"]
        self.made(endpoint, made["VpcEndpointId"])
        dns = [entry["DnsName"] for entry in made.get("DnsEntries") or []]
        self.done.names[f"{endpoint.path}#dns"] = dns[0] if dns else ""

    # --- Route 53 ---------------------------------------------------------------------------

    def _zone(self, zone: HostedZone) -> None:
        if not zone.vpcs or id(zone) not in self.owner:
            return
        account, region = self.env(zone)
        route53 = client("route53", account, region)
        first, *others = [v for v in zone.vpcs if id(v) in self.done.ids]
        made = route53.create_hosted_zone(
            Name=zone.name,
            CallerReference=zone.path,
            VPC={"VPCRegion": self.done.where[id(first)][1], "VPCId": self.done.ids[id(first)]},
            HostedZoneConfig={"PrivateZone": True, "Comment": zone.path},
        )["HostedZone"]["Id"].rsplit("/", 1)[-1]
        self.made(zone, made)
        for vpc in others:
            associate_zone(self.done, zone.path, vpc.path)
        changes = []
        for record in zone.records:
            rrset: dict[str, Any] = {"Name": record.name, "Type": record.type}
            if record.endpoint is not None:
                target = self.done.names.get(f"{record.endpoint.path}#dns")
                if not target:
                    continue
                rrset["AliasTarget"] = {
                    "HostedZoneId": "Z1",
                    "DNSName": target,
                    "EvaluateTargetHealth": False,
                }
            elif record.addresses:
                rrset["TTL"] = 300
                rrset["ResourceRecords"] = [{"Value": str(a)} for a in record.addresses]
            elif record.canonical:
                rrset["TTL"] = 300
                rrset["ResourceRecords"] = [{"Value": record.canonical}]
            else:
                continue
            changes.append({"Action": "CREATE", "ResourceRecordSet": rrset})
        if changes:
            route53.change_resource_record_sets(HostedZoneId=made, ChangeBatch={"Changes": changes})

    # --- CloudFormation -----------------------------------------------------------------------

    def _stacks(self) -> None:
        """One stack per template, listing every resource of it as CloudFormation does."""
        stack_ids: dict[int, str] = {}
        for template in self.templates:  # nested ones too: each a stack of its own
            account = template.account or DEFAULT_ACCOUNT
            region = template.region or DEFAULT_REGION
            stack_ids[id(template)] = _MotoStack.create(account, region, template.name)
        for template in self.templates:
            resources: dict[str, tuple[str, str]] = {}
            for logical_id, resource in template.resources.items():
                kind = str(resource.get("Type", ""))
                found = self._physical(template, logical_id, resource, stack_ids)
                if found is not None:
                    resources[logical_id] = (found, kind)
            account = template.account or DEFAULT_ACCOUNT
            region = template.region or DEFAULT_REGION
            _MotoStack.record(account, region, template.name, resources)

    def _physical(
        self, template: Template, logical_id: str, resource: dict[str, Any], stacks: dict[int, str]
    ) -> str | None:
        """The physical id CloudFormation lists for a resource (None: not created)."""
        condition = resource.get("Condition")
        if isinstance(condition, str) and self.builder.ev.condition(condition, template) is False:
            return None
        thing = self.objects.get((id(template), logical_id))
        if thing is not None and id(thing) in self.done.ids:
            return self.done.ids[id(thing)]
        kind = str(resource.get("Type", ""))
        if kind == "AWS::CloudFormation::Stack":
            nested = next(
                (
                    t
                    for t in self.templates
                    if t.parent is template and t.parent_resource == logical_id
                ),
                None,
            )
            if nested is not None:
                return stacks[id(nested)]
        if kind in PHYSICAL_FROM:
            raw = (resource.get("Properties") or {}).get(PHYSICAL_FROM[kind])
            if isinstance(raw, dict) and "Ref" in raw:
                found = self.objects.get((id(template), str(raw["Ref"])))
                if found is not None and id(found) in self.done.ids:
                    return self.done.ids[id(found)]
        return f"{template.name}-{logical_id}"  # what this materializer does not make


def _enforce_off(account: str, region: str, arn: str) -> None:
    """moto has no EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: write it on its
    load balancer, which moto's DescribeLoadBalancers then answers."""
    from moto.elbv2.models import elbv2_backends

    balancer = elbv2_backends[account][region].load_balancers[arn]
    setattr(balancer, "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "off")  # noqa: B010


def _default_acl(ec2: Any, vpc_id: str) -> str:
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    return str(ec2.describe_network_acls(Filters=filters)["NetworkAcls"][0]["NetworkAclId"])


def _move_subnet_acl(ec2: Any, subnet_id: str, acl_id: str) -> None:
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
    )["NetworkAcls"][0]
    association = next(
        a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet_id
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl_id)


def associate_zone(done: Deployed, zone_path: str, vpc_path: str) -> None:
    """Associate a VPC with a zone (from the zone's account, as moto looks zones up)."""
    zone, vpc = done.names[zone_path], done.names[vpc_path]
    route53 = client("route53", *done.where[id(zone)])
    route53.associate_vpc_with_hosted_zone(
        HostedZoneId=done.ids[id(zone)],
        VPC={"VPCRegion": done.where[id(vpc)][1], "VPCId": done.ids[id(vpc)]},
    )


class _Physical:
    """What moto's ListStackResources reads of a resource."""

    def __init__(self, logical_id: str, physical_id: str, kind: str) -> None:
        self.logical_resource_id = logical_id
        self.physical_resource_id = physical_id
        self.cf_resource_type = kind


class _MotoStack:
    @staticmethod
    def create(account: str, region: str, name: str) -> str:
        """Make a stack (with a placeholder template); return its id."""
        body = json.dumps({"Resources": {"Placeholder": {"Type": PLACEHOLDER}}})
        made = client("cloudformation", account, region).create_stack(
            StackName=name, TemplateBody=body
        )
        return str(made["StackId"])

    @staticmethod
    def record(account: str, region: str, name: str, resources: dict[str, tuple[str, str]]) -> None:
        """Make the stack's ListStackResources list ``resources`` (logical id -> id, type)."""
        from moto.cloudformation.models import cloudformation_backends

        backend = cloudformation_backends[account][region]
        [stack] = [s for s in backend.stacks.values() if s.name == name]
        resource_map = stack.resource_map
        resource_map._resource_json_map.pop("Placeholder", None)
        resource_map._parsed_resources.pop("Placeholder", None)
        for logical_id, (physical_id, kind) in resources.items():
            resource_map._resource_json_map[logical_id] = {"Type": kind}
            resource_map._parsed_resources[logical_id] = _Physical(logical_id, physical_id, kind)


# --- drift: what a hand in the console does ---------------------------------------------------


def reject_endpoint(done: Deployed, endpoint_path: str) -> None:
    """The service's owner rejects an endpoint's connection (moto has no such call)."""
    from moto.ec2.models import ec2_backends

    account, region = done.where[id(done.names[endpoint_path])]
    backend = ec2_backends[account][region]
    backend.vpc_end_points[done.id_of(endpoint_path)].state = "rejected"


def path_of_assembly(source: object) -> Path:
    return Path(str(getattr(source, "directory", source)))
