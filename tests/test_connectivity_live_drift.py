"""`verify` on what the example app does not hold, against moto in-process.

One small app, made once in moto for the module (tests/live_network.py): two peered VPCs
(one with IPv6), a VPC in a nested stack, a VPC that existed before the app (imported by
id, with a route the app adds to its table), an S3 gateway endpoint, a route to an
instance, a route to a prefix list, network ACLs (an entry whose block is a parameter, one
whose block is the VPC's AWS-assigned IPv6 block), a private hosted zone with a wildcard
record, a peering option.
Each test drifts the deployed network by hand, checks what `verify` says, and undoes it;
the untouched network verifies clean.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53

from cdk_peering import PeeringConnectionOptions, PeeringSide, ReachabilityIntent, VpcPeering
from cdk_peering.connectivity import Network, _live
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.verify import Verification, render, verify
from tests.connectivity_apps import new_app, vpc
from tests.live_network import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    Deployed,
    client,
    materialize,
    moto_aws,
)

EXISTING = "10.9.0.0/16"


def _app(existing_vpc: str, existing_table: str) -> str:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    param = cdk.CfnParameter(stack, "OnPremCidr", default="192.168.0.0/16")
    a = vpc(stack, "A", "10.0.0.0/16", public=True)
    b = ec2.Vpc(
        stack,
        "B",
        ip_addresses=ec2.IpAddresses.cidr("10.1.0.0/16"),
        ip_protocol=ec2.IpProtocol.DUAL_STACK,
        max_azs=1,
        nat_gateways=0,
        restrict_default_security_group=False,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    peering = VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    PeeringConnectionOptions(
        stack,
        "Options",
        peering_connection_id=peering.peering_connection_id,
        side=PeeringSide.REQUESTER,
        allow_multipath_resilience=True,
    )
    inner = cdk.NestedStack(stack, "Inner")
    c = vpc(inner, "C", "10.2.0.0/16")
    VpcPeering(stack, "AToC", requester_vpc=a, accepter_vpc=c)
    # A VPC that was there before the app: a peering to it, and routes both ways.
    to_existing = ec2.CfnVPCPeeringConnection(
        stack, "AToExisting", vpc_id=a.vpc_id, peer_vpc_id=existing_vpc
    )
    ec2.CfnRoute(
        stack,
        "ToExisting",
        route_table_id=a.isolated_subnets[0].route_table.route_table_id,
        destination_cidr_block=EXISTING,
        vpc_peering_connection_id=to_existing.ref,
    )
    ec2.CfnRoute(
        stack,
        "FromExisting",
        route_table_id=existing_table,
        destination_cidr_block="10.0.0.0/16",
        vpc_peering_connection_id=to_existing.ref,
    )
    a.add_gateway_endpoint(
        "S3",
        service=ec2.GatewayVpcEndpointAwsService.S3,
        subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    # An appliance the public subnet's default route goes through (a NAT instance).
    appliance = ec2.CfnInstance(
        stack, "Appliance", image_id="ami-12c6146b", subnet_id=a.public_subnets[0].subnet_id
    )
    ec2.CfnRoute(
        stack,
        "ToAppliance",
        route_table_id=a.isolated_subnets[0].route_table.route_table_id,
        destination_cidr_block="0.0.0.0/0",
        instance_id=appliance.ref,
    )
    # Partners' ranges, through the internet gateway (a route to a prefix list).
    partners = ec2.PrefixList(
        stack, "Partners", entries=[ec2.CfnPrefixList.EntryProperty(cidr="10.50.0.0/16")]
    )
    ec2.CfnRoute(
        stack,
        "ToPartners",
        route_table_id=a.public_subnets[0].route_table.route_table_id,
        destination_prefix_list_id=partners.prefix_list_id,
        gateway_id=a.internet_gateway_id,
    )
    acl = ec2.NetworkAcl(
        stack,
        "Acl",
        vpc=a,
        subnet_selection=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
    )
    for name, direction in (
        ("In", ec2.TrafficDirection.INGRESS),
        ("Out", ec2.TrafficDirection.EGRESS),
    ):
        acl.add_entry(
            f"All{name}",
            cidr=ec2.AclCidr.ipv4("10.0.0.0/8"),
            rule_number=100,
            traffic=ec2.AclTraffic.all_traffic(),
            direction=direction,
        )
    acl.add_entry(
        "OnPrem",
        cidr=ec2.AclCidr.ipv4(param.value_as_string),
        rule_number=110,
        traffic=ec2.AclTraffic.tcp_port(443),
        direction=ec2.TrafficDirection.INGRESS,
    )
    b_acl = ec2.NetworkAcl(
        stack,
        "BAcl",
        vpc=b,
        subnet_selection=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
    )
    for name, direction in (
        ("In", ec2.TrafficDirection.INGRESS),
        ("Out", ec2.TrafficDirection.EGRESS),
    ):
        b_acl.add_entry(
            f"All{name}",
            cidr=ec2.AclCidr.any_ipv4(),
            rule_number=100,
            traffic=ec2.AclTraffic.all_traffic(),
            direction=direction,
        )
    b_acl.add_entry(
        "OwnV6",
        cidr=ec2.AclCidr.ipv6(cdk.Fn.select(0, b.vpc_ipv6_cidr_blocks)),
        rule_number=120,
        traffic=ec2.AclTraffic.all_traffic(),
        direction=ec2.TrafficDirection.INGRESS,
    )
    zone = route53.PrivateHostedZone(stack, "Zone", zone_name="svc.internal", vpc=a)
    zone.add_vpc(b)
    route53.ARecord(
        stack,
        "Db",
        zone=zone,
        record_name="db",
        target=route53.RecordTarget.from_ip_addresses("10.1.128.10"),
    )
    route53.ARecord(
        stack,
        "Any",
        zone=zone,
        record_name="*",
        target=route53.RecordTarget.from_ip_addresses("10.1.128.11"),
    )
    ReachabilityIntent(
        stack, "AReachesDb", source="Net/A/IsolatedSubnet1", destination="db.svc.internal"
    )
    ReachabilityIntent(
        stack, "AReachesApi", source="Net/A/IsolatedSubnet1", destination="api.svc.internal"
    )
    return str(app.synth().directory)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[str, Deployed, dict[str, str]]]:
    """The app, deployed; ``existing``: the ids of what was there before it."""
    with moto_aws():
        ec2_client = client("ec2", DEFAULT_ACCOUNT, DEFAULT_REGION)
        existing_vpc = ec2_client.create_vpc(CidrBlock=EXISTING)["Vpc"]["VpcId"]
        table = ec2_client.create_route_table(VpcId=existing_vpc)["RouteTable"]["RouteTableId"]
        directory = _app(existing_vpc, table)
        deployed = materialize(directory)
        yield directory, deployed, {"vpc": existing_vpc, "table": table}


@pytest.fixture(scope="module")
def assembly(world: tuple[str, Deployed, dict[str, str]]) -> str:
    return world[0]


@pytest.fixture(scope="module")
def deployed(world: tuple[str, Deployed, dict[str, str]]) -> Deployed:
    return world[1]


@pytest.fixture(scope="module")
def existing(world: tuple[str, Deployed, dict[str, str]]) -> dict[str, str]:
    return world[2]


Listener = Callable[[Any], None]


@pytest.fixture
def listener() -> Iterator[Callable[[Listener], None]]:
    """Register a listener on every client the live model makes, for one test."""
    added: list[Listener] = []

    def add(each: Listener) -> None:
        added.append(each)
        _live.client_listeners.append(each)

    yield add
    for each in added:
        _live.client_listeners.remove(each)


@pytest.fixture
def ec2c(world: tuple[str, Deployed, dict[str, str]]) -> Any:
    return client("ec2", DEFAULT_ACCOUNT, DEFAULT_REGION)


def _drifts(result: Verification) -> list[tuple[str, str, str, str]]:
    return [(d.kind, d.path, d.planned, d.there) for d in result.drifts]


def test_the_untouched_network_verifies_clean(assembly: str, deployed: Deployed) -> None:
    result = verify(assembly)
    assert _drifts(result) == []
    assert [v.verdict for v in result.intents] == ["holds", "holds"]
    assert result.pairs > 4


# --- 1: AWS-managed prefix lists are read; what is not read is unknown, in live words ------


def test_a_gateway_endpoint_added_by_hand_is_no_drift(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    table = deployed.id_of("Net/B/IsolatedSubnet1/RouteTable")
    made = ec2c.create_vpc_endpoint(
        VpcEndpointType="Gateway",
        VpcId=deployed.id_of("Net/B"),
        ServiceName=f"com.amazonaws.{DEFAULT_REGION}.dynamodb",
        RouteTableIds=[table],
    )["VpcEndpoint"]["VpcEndpointId"]
    try:
        result = verify(assembly)
        live = Network.from_deployment(assembly)
    finally:
        ec2c.delete_vpc_endpoints(VpcEndpointIds=[made])
    assert _drifts(result) == []
    # The planned S3 endpoint's route and the DynamoDB one go to AWS-managed prefix lists,
    # whose entries were read.
    managed = [p for p in live.prefix_lists if p.path.startswith("pl-")]
    assert len(managed) == 2
    assert all(p.entries and not p.unknown for p in managed)


def test_what_the_live_network_hides_is_unknown_and_said_not_read(
    assembly: str, deployed: Deployed, ec2c: Any, listener: Callable[[Listener], None]
) -> None:
    # A route to a prefix list the reads do not return (as one of an account not read).
    hidden = ec2c.create_managed_prefix_list(
        PrefixListName="partner", AddressFamily="IPv4", MaxEntries=1, Entries=[]
    )["PrefixList"]["PrefixListId"]

    def hide(parsed: dict[str, Any], **_: Any) -> None:
        lists = parsed.get("PrefixLists") or []
        parsed["PrefixLists"] = [each for each in lists if each["PrefixListId"] != hidden]

    listener(
        lambda made: made.meta.events.register("after-call.ec2.DescribeManagedPrefixLists", hide)
    )
    table = deployed.id_of("Net/A/IsolatedSubnet1/RouteTable")
    gateway = deployed.id_of("internet gateway Net/A/IGW")
    ec2c.create_route(RouteTableId=table, DestinationPrefixListId=hidden, GatewayId=gateway)
    try:
        result = verify(assembly)
    finally:
        ec2c.delete_route(RouteTableId=table, DestinationPrefixListId=hidden)
        ec2c.delete_managed_prefix_list(PrefixListId=hidden)
    unreached = [d for d in result.drifts if d.kind == "reachability"]
    assert unreached
    for drift in unreached:
        assert drift.there.startswith("unknown: "), drift
        assert f"the entries of prefix list {hidden} were not read" in drift.there
        assert "assembly" not in drift.there


# --- 7: entries whose block the plan cannot read ----------------------------------------------


def test_an_entry_whose_planned_block_is_unknown_is_compared_on_the_rest(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    acl = deployed.id_of("Net/Acl")
    ec2c.replace_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=110,
        Protocol="6",
        PortRange={"From": 22, "To": 22},
        RuleAction="allow",
        Egress=False,
        CidrBlock="192.168.0.0/16",
    )
    try:
        result = verify(assembly)
    finally:
        ec2c.replace_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=110,
            Protocol="6",
            PortRange={"From": 443, "To": 443},
            RuleAction="allow",
            Egress=False,
            CidrBlock="192.168.0.0/16",
        )
    [(kind, path, planned, there)] = _drifts(result)
    assert (kind, path) == ("acl-entry-changed", "Net/Acl/OnPrem")
    assert planned.startswith("ingress rule 110: allow tcp 443 ")
    assert there == "ingress rule 110: allow tcp 22 192.168.0.0/16"


def test_an_entry_of_the_vpcs_aws_assigned_ipv6_block_is_resolved(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    acl = deployed.id_of("Net/BAcl")
    [block] = [
        each["Ipv6CidrBlock"]
        for each in ec2c.describe_vpcs(VpcIds=[deployed.id_of("Net/B")])["Vpcs"][0][
            "Ipv6CidrBlockAssociationSet"
        ]
    ]
    other = "2600:1f18:ffff::/56"
    arguments = {"NetworkAclId": acl, "RuleNumber": 120, "Protocol": "-1", "RuleAction": "allow"}
    ec2c.replace_network_acl_entry(**arguments, Egress=False, Ipv6CidrBlock=other)
    try:
        result = verify(assembly)
    finally:
        ec2c.replace_network_acl_entry(**arguments, Egress=False, Ipv6CidrBlock=block)
    assert _drifts(result) == [
        (
            "acl-entry-changed",
            "Net/BAcl/OwnV6",
            f"ingress rule 120: allow all traffic {ipaddress.ip_network(block)}",
            f"ingress rule 120: allow all traffic {other}",
        )
    ]


# --- 2: a default network ACL's rules 100 and 101 ----------------------------------------------


def _default_acl(ec2c: Any, deployed: Deployed, vpc: str) -> str:
    filters = [
        {"Name": "vpc-id", "Values": [deployed.id_of(vpc)]},
        {"Name": "default", "Values": ["true"]},
    ]
    return str(ec2c.describe_network_acls(Filters=filters)["NetworkAcls"][0]["NetworkAclId"])


ALLOW_ALL = {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0"}


def test_a_default_acls_rule_100_changed_is_found(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    acl = _default_acl(ec2c, deployed, "Net/B")
    ec2c.replace_network_acl_entry(
        NetworkAclId=acl, Egress=False, **{**ALLOW_ALL, "RuleAction": "deny"}
    )
    try:
        result = verify(assembly)
    finally:
        ec2c.replace_network_acl_entry(NetworkAclId=acl, Egress=False, **ALLOW_ALL)
    [changed] = [d for d in result.drifts if d.kind.startswith("acl-")]
    assert (changed.kind, changed.path, changed.planned, changed.there) == (
        "acl-entry-changed",
        "Net/B (default network ACL)",
        "ingress rule 100: allow all traffic 0.0.0.0/0",
        "ingress rule 100: deny all traffic 0.0.0.0/0",
    )
    # The count is said in words that agree with it.
    assert f"{len(result.drifts)} differences from the plan" in render(result)
    assert "1 difference from the plan" in render(replace(result, drifts=[changed]))


def test_a_default_acls_rule_deleted_is_found_and_denies(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    acl = _default_acl(ec2c, deployed, "Net/B")
    ec2c.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=True)
    ec2c.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=101, Egress=False)
    try:
        result = verify(assembly)
    finally:
        ec2c.create_network_acl_entry(NetworkAclId=acl, Egress=True, **ALLOW_ALL)
        ec2c.create_network_acl_entry(
            NetworkAclId=acl,
            Egress=False,
            RuleNumber=101,
            Protocol="-1",
            RuleAction="allow",
            Ipv6CidrBlock="::/0",
        )
    missing = {(d.path, d.planned) for d in result.drifts if d.kind == "acl-entry-missing"}
    assert missing == {
        ("Net/B (default network ACL)", "egress rule 100: allow all traffic 0.0.0.0/0"),
        ("Net/B (default network ACL)", "ingress rule 101: allow all traffic ::/0"),
    }
    # With no egress entry left for IPv4, the default ACL denies: B's public subnet (on the
    # default ACL) sends nothing.
    assert any(
        d.kind == "reachability" and d.path.startswith("Net/B/PublicSubnet1 -> ")
        for d in result.drifts
    )


def test_an_entry_added_to_a_default_acl_is_found_even_when_shadowed(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    acl = _default_acl(ec2c, deployed, "Net/A")  # no IPv6: AWS made no rule 101
    ec2c.create_network_acl_entry(
        NetworkAclId=acl,
        Egress=False,
        RuleNumber=101,
        Protocol="-1",
        RuleAction="deny",
        CidrBlock="10.1.0.0/16",
    )
    try:
        result = verify(assembly)
    finally:
        ec2c.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=101, Egress=False)
    assert _drifts(result) == [
        (
            "acl-entry-added",
            f"{acl} ingress 101",
            "no such entry",
            "ingress rule 101: deny all traffic 10.1.0.0/16",
        )
    ]


# --- 3 and 9: private hosted zones and their records ---------------------------------------------


def _route53(deployed: Deployed) -> Any:
    return client("route53", *deployed.where[id(deployed.names["Net/Zone"])])


def test_a_changed_record_value_is_found(assembly: str, deployed: Deployed) -> None:
    route53_client = _route53(deployed)

    def upsert(value: str) -> None:
        record = {"Name": "db.svc.internal", "Type": "A", "TTL": 300}
        change = {
            "Action": "UPSERT",
            "ResourceRecordSet": {**record, "ResourceRecords": [{"Value": value}]},
        }
        route53_client.change_resource_record_sets(
            HostedZoneId=deployed.id_of("Net/Zone"), ChangeBatch={"Changes": [change]}
        )

    upsert("192.168.9.9")
    try:
        result = verify(assembly)
    finally:
        upsert("10.1.128.10")
    [changed] = [d for d in result.drifts if d.kind.startswith("record")]
    assert (changed.kind, changed.path, changed.planned, changed.there) == (
        "record-changed",
        "Net/Db",
        "A db.svc.internal -> 10.1.128.10",
        "A db.svc.internal -> 192.168.9.9",
    )
    assert "Net/AReachesDb" in {d.path for d in result.drifts if d.kind == "intent"}


def test_a_deleted_zone_is_found(
    assembly: str, deployed: Deployed, listener: Callable[[Listener], None]
) -> None:
    zone = deployed.id_of("Net/Zone")

    def deleted(parsed: dict[str, Any], **_: Any) -> None:  # as Route 53 lists it once deleted
        zones = parsed.get("HostedZones") or []
        parsed["HostedZones"] = [z for z in zones if not str(z["Id"]).endswith(f"/{zone}")]

    listener(lambda made: made.meta.events.register("after-call.route53.ListHostedZones", deleted))
    result = verify(assembly)
    assert ("resource-missing", "Net/Zone", f"hosted zone {zone}", "not found") in _drifts(result)


def test_wildcard_records_as_route53_lists_them_are_read(
    assembly: str, deployed: Deployed, listener: Callable[[Listener], None]
) -> None:
    def escaped(parsed: dict[str, Any], **_: Any) -> None:  # Route 53 writes "*" as \052
        for record in parsed.get("ResourceRecordSets") or []:
            record["Name"] = record["Name"].replace("*", "\\052")

    listener(
        lambda made: made.meta.events.register("after-call.route53.ListResourceRecordSets", escaped)
    )
    result = verify(assembly)
    assert _drifts(result) == []
    assert [v.verdict for v in result.intents] == ["holds", "holds"]


# --- 5: routes the app adds to an imported VPC's table ------------------------------------------


def test_a_route_the_app_adds_to_an_imported_table_is_compared(
    assembly: str, deployed: Deployed, existing: dict[str, str], ec2c: Any
) -> None:
    table = existing["table"]
    peering = deployed.id_of("Net/AToExisting")
    ec2c.delete_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16")
    try:
        deleted = verify(assembly)
        gateway = ec2c.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2c.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", GatewayId=gateway)
        elsewhere = verify(assembly)
        ec2c.delete_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16")
    finally:
        ec2c.create_route(
            RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=peering
        )
    planned = "10.0.0.0/16 -> peering Net/AToExisting"
    assert _drifts(deleted) == [
        ("route-missing", "Net/FromExisting", planned, "no route to 10.0.0.0/16")
    ]
    assert _drifts(elsewhere) == [
        ("route-target", "Net/FromExisting", planned, f"10.0.0.0/16 -> internet gateway {gateway}")
    ]


# --- 6: a route to an instance, as AWS describes it -----------------------------------------


def test_a_route_to_an_instance_is_its_instance_not_its_interface(
    assembly: str, deployed: Deployed, listener: Callable[[Listener], None]
) -> None:
    def as_aws(parsed: dict[str, Any], **_: Any) -> None:
        # AWS gives a route to an instance its primary interface too; moto gives the instance.
        for table in parsed.get("RouteTables") or []:
            for route in table.get("Routes") or []:
                if route.get("InstanceId"):
                    route["NetworkInterfaceId"] = "eni-0123456789abcdef0"
                    route["InstanceOwnerId"] = DEFAULT_ACCOUNT

    listener(lambda made: made.meta.events.register("after-call.ec2.DescribeRouteTables", as_aws))
    live = Network.from_deployment(assembly)
    [table] = [t for t in live.route_tables if t.path == "Net/A/IsolatedSubnet1/RouteTable"]
    [route] = [r for r in table.routes if r.destination_text == "0.0.0.0/0"]
    assert route.target.name == "instance Net/Appliance"
    assert _drifts(verify(assembly)) == []


# --- 10: routes to prefix lists, against routes and routes to prefix lists -----------------------


def test_a_route_to_a_prefix_list_that_wins_over_a_declared_route_is_found(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    made = ec2c.create_managed_prefix_list(
        PrefixListName="shortcut",
        AddressFamily="IPv4",
        MaxEntries=1,
        Entries=[{"Cidr": "10.1.200.0/24"}],
    )["PrefixList"]["PrefixListId"]
    table = deployed.id_of("Net/A/IsolatedSubnet1/RouteTable")
    gateway = deployed.id_of("internet gateway Net/A/IGW")
    ec2c.create_route(RouteTableId=table, DestinationPrefixListId=made, GatewayId=gateway)
    try:
        result = verify(assembly)
    finally:
        ec2c.delete_route(RouteTableId=table, DestinationPrefixListId=made)
        ec2c.delete_managed_prefix_list(PrefixListId=made)
    [added] = [d for d in result.drifts if d.kind == "route-added"]
    assert added.path == f"{table} prefix list {made}"
    assert added.there.startswith(
        f"10.1.200.0/24 (prefix list {made}) -> internet gateway Net/A/IGW, more specific than "
        "10.1.0.0/16"
    )


def test_a_route_more_specific_than_a_declared_prefix_lists_entry_is_found(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    table = deployed.id_of("Net/A/PublicSubnet1/RouteTable")
    peering = deployed.id_of("Net/AToB")
    ec2c.create_route(
        RouteTableId=table, DestinationCidrBlock="10.50.1.0/24", VpcPeeringConnectionId=peering
    )
    try:
        result = verify(assembly)
    finally:
        ec2c.delete_route(RouteTableId=table, DestinationCidrBlock="10.50.1.0/24")
    [added] = [d for d in result.drifts if d.kind == "route-added"]
    assert added.path == f"{table} 10.50.1.0/24"
    assert "more specific than 10.50.0.0/16 (prefix list Net/Partners)" in added.there


# --- 8: a connection option the installed botocore cannot read --------------------------------


def test_an_option_an_older_botocore_cannot_read_is_one_line_not_a_drift(
    assembly: str,
    deployed: Deployed,
    listener: Callable[[Listener], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from botocore.model import StructureShape

    def older(made: Any) -> None:
        """What a botocore without AllowMultipathResilience (boto3 1.34) has and parses."""
        if made.meta.service_model.service_name != "ec2":
            return
        model = made.meta.service_model
        shape_for = model.shape_for

        def without(name: str, member_traits: Any = None) -> Any:
            shape = shape_for(name, member_traits)
            if name != "VpcPeeringConnectionOptionsDescription":
                return shape
            members = dict(shape._shape_model["members"])
            members.pop("AllowMultipathResilience")
            definition = {**shape._shape_model, "members": members}
            return StructureShape(name, definition, shape._shape_resolver)

        model.shape_for = without

        def strip(parsed: dict[str, Any], **_: Any) -> None:
            for connection in parsed.get("VpcPeeringConnections") or []:
                for side in ("RequesterVpcInfo", "AccepterVpcInfo"):
                    options = (connection.get(side) or {}).get("PeeringOptions") or {}
                    options.pop("AllowMultipathResilience", None)

        made.meta.events.register("after-call.ec2.DescribeVpcPeeringConnections", strip)

    listener(older)
    assert main(["verify", assembly]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        f"error: account {DEFAULT_ACCOUNT}, Region {DEFAULT_REGION}, "
        "ec2:DescribeVpcPeeringConnections: this botocore "
    )
    assert (
        "cannot read AllowMultipathResilience, which the plan sets on peering Net/AToB: "
        'upgrade boto3 (pip install -U "cdk-peering[live]")' in err
    )


# --- 15: calls do not grow with other teams' private zones -------------------------------------


def test_unrelated_private_zones_cost_one_call_each(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    route53_client = _route53(deployed)
    before = verify(assembly).calls
    other = ec2c.create_vpc(CidrBlock="172.16.0.0/16")["Vpc"]["VpcId"]
    made = [
        route53_client.create_hosted_zone(
            Name=f"team{n}.internal",
            CallerReference=f"team{n}",
            VPC={"VPCRegion": DEFAULT_REGION, "VPCId": other},
            HostedZoneConfig={"PrivateZone": True},
        )["HostedZone"]["Id"]
        for n in range(3)
    ]
    try:
        result = verify(assembly)
    finally:
        for zone in made:
            route53_client.delete_hosted_zone(Id=zone)
        ec2c.delete_vpc(VpcId=other)
    assert _drifts(result) == []
    # Each costs the GetHostedZone that tells its VPCs; no record is listed.
    assert result.calls == before + 3


# --- 17: nested stacks ---------------------------------------------------------------------------


def test_a_route_of_a_nested_stack_deleted_is_found(
    assembly: str, deployed: Deployed, ec2c: Any
) -> None:
    table = deployed.id_of("Net/Inner/C/IsolatedSubnet1/RouteTable")
    peering = deployed.id_of("Net/AToC")
    ec2c.delete_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/16")
    try:
        result = verify(assembly)
    finally:
        ec2c.create_route(
            RouteTableId=table, DestinationCidrBlock="10.0.0.0/16", VpcPeeringConnectionId=peering
        )
    [missing] = [d for d in result.drifts if d.kind == "route-missing"]
    assert missing.planned == "10.0.0.0/16 -> peering Net/AToC"
    assert missing.there == "no route to 10.0.0.0/16"
    unreached = {d.path for d in result.drifts if d.kind == "reachability"}
    assert {
        "Net/A/IsolatedSubnet1 -> Net/Inner/C/IsolatedSubnet1",
        "Net/Inner/C/IsolatedSubnet1 -> Net/A/IsolatedSubnet1",
    } <= unreached
    assert all("Net/Inner/C/IsolatedSubnet1" in each for each in unreached)
