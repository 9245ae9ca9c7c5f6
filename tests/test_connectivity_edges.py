"""What the assembly cannot tell stays unknown; what AWS does not do is a definite no.

Hand-written templates (as any tool could write them) for the cases a review of the exact
model found: imported or token ACLs and route tables, token fields of ACL entries,
conditional resources, literal IPv6 blocks meeting AWS-assigned ones, return routes to a
connection a token names, subnets without a block of the question's family, BYOIP
pieces, an accepter VPC where the connection does not look, endpoints' unknown subnets and
groups, UDP listeners, DNS wildcards, CNAMEs and partly unknown records, and inputs that
used to crash.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from cdk_peering.connectivity import Network
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.report import render
from tests.connectivity_apps import write_assembly

Json = dict[str, Any]
_count = itertools.count()


def ref(name: str) -> Json:
    return {"Ref": name}


def getatt(name: str, attribute: str) -> Json:
    return {"Fn::GetAtt": [name, attribute]}


def res(kind: str, **properties: Any) -> Json:
    return {"Type": kind, "Properties": properties}


def two_vpcs(extra: Json | None = None) -> Json:
    """A (10.0.0.0/24, subnet SA /26) and B (10.1.0.0/24, subnet SB /26), peered by P with
    routes both ways, each subnet in its own table."""
    resources: Json = {
        "A": res("AWS::EC2::VPC", CidrBlock="10.0.0.0/24"),
        "B": res("AWS::EC2::VPC", CidrBlock="10.1.0.0/24"),
        "SA": res("AWS::EC2::Subnet", VpcId=ref("A"), CidrBlock="10.0.0.0/26"),
        "SB": res("AWS::EC2::Subnet", VpcId=ref("B"), CidrBlock="10.1.0.0/26"),
        "RA": res("AWS::EC2::RouteTable", VpcId=ref("A")),
        "RB": res("AWS::EC2::RouteTable", VpcId=ref("B")),
        "AsA": res(
            "AWS::EC2::SubnetRouteTableAssociation", SubnetId=ref("SA"), RouteTableId=ref("RA")
        ),
        "AsB": res(
            "AWS::EC2::SubnetRouteTableAssociation", SubnetId=ref("SB"), RouteTableId=ref("RB")
        ),
        "P": res("AWS::EC2::VPCPeeringConnection", VpcId=ref("A"), PeerVpcId=ref("B")),
        "RtA": res(
            "AWS::EC2::Route",
            RouteTableId=ref("RA"),
            DestinationCidrBlock="10.1.0.0/24",
            VpcPeeringConnectionId=ref("P"),
        ),
        "RtB": res(
            "AWS::EC2::Route",
            RouteTableId=ref("RB"),
            DestinationCidrBlock="10.0.0.0/24",
            VpcPeeringConnectionId=ref("P"),
        ),
    }
    resources.update(extra or {})
    return {
        "Parameters": {name: {"Type": "String"} for name in ("Param", "Env", "Pcx")},
        "Conditions": {"IsProd": {"Fn::Equals": [ref("Env"), "prod"]}},
        "Resources": resources,
    }


def load(tmp_path: Path, templates: dict[str, Json], **options: Any) -> Network:
    directory = tmp_path / f"out{next(_count)}"
    return Network.from_assembly(write_assembly(directory, templates, **options))


def answer(network: Network, source: str, destination: str, **options: Any) -> tuple[bool, ...]:
    got = network.reachability(source, destination, **options)
    return got.reachable, got.partial, got.unknown


UNKNOWN = (False, False, True)
NO = (False, False, False)
YES = (True, False, False)


def acl_entry(number: Any, egress: Any, action: Any, **more: Any) -> Json:
    return res(
        "AWS::EC2::NetworkAclEntry",
        NetworkAclId=ref("Acl"),
        RuleNumber=number,
        Egress=egress,
        Protocol=more.pop("protocol", -1),
        RuleAction=action,
        CidrBlock=more.pop("block", "0.0.0.0/0"),
        **more,
    )


def with_acl(entries: Json, acl_id: Any = None) -> Json:
    return two_vpcs(
        {
            "Acl": res("AWS::EC2::NetworkAcl", VpcId=ref("B")),
            "AclAs": res(
                "AWS::EC2::SubnetNetworkAclAssociation",
                SubnetId=ref("SB"),
                NetworkAclId=acl_id if acl_id is not None else ref("Acl"),
            ),
            **entries,
        }
    )


# --- network ACLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "acl_id", ["acl-0123456789abcdef0", ref("Param"), {"Fn::ImportValue": "SharedAcl"}]
)
def test_an_acl_the_assembly_does_not_hold_decides_nothing(tmp_path: Path, acl_id: Any) -> None:
    network = load(tmp_path, {"S": with_acl({}, acl_id)})
    got = network.reachability("S/SA", "S/SB")
    assert (got.reachable, got.unknown) == (False, True)
    assert "its entries are not in the assembly" in str(got.reason)


@pytest.mark.parametrize(
    ("deny", "port"),
    [
        (acl_entry(50, False, ref("Param")), None),  # the action is a parameter
        (acl_entry(ref("Param"), False, "deny"), None),  # the rule number is a parameter
    ],
)
def test_an_acl_entry_whose_fields_are_tokens_decides_nothing(
    tmp_path: Path, deny: Json, port: int | None
) -> None:
    base = {"In": acl_entry(100, False, "allow"), "Out": acl_entry(100, True, "allow")}
    network = load(tmp_path, {"S": with_acl({**base, "Deny": deny})})
    assert answer(network, "S/SA", "S/SB", port=port) == UNKNOWN


def test_a_port_range_a_parameter_decides_is_unknown_and_said_readably(tmp_path: Path) -> None:
    ports = {"From": ref("Param"), "To": ref("Param")}
    entries = {
        "In": acl_entry(100, False, "allow", protocol=6, PortRange=ports),
        "Out": acl_entry(100, True, "allow"),
    }
    network = load(tmp_path, {"S": with_acl(entries)})
    got = network.reachability("S/SA", "S/SB", port=22)
    assert (got.reachable, got.unknown) == (False, True)
    assert "PortRange is From parameter Param of stack S" in str(got.reason)
    assert "Unknown(" not in str(got.reason)


def test_a_conditional_acl_entry_decides_nothing(tmp_path: Path) -> None:
    deny = {**acl_entry(50, False, "deny"), "Condition": "IsProd"}
    entries = {"In": acl_entry(100, False, "allow"), "Out": acl_entry(100, True, "allow")}
    network = load(tmp_path, {"S": with_acl({**entries, "Deny": deny})})
    assert answer(network, "S/SA", "S/SB") == UNKNOWN


# --- route tables and routes -------------------------------------------------------------------


@pytest.mark.parametrize("table", ["rtb-0123456789abcdef0", ref("Param")])
def test_a_route_table_the_assembly_does_not_hold_has_unknown_routes(
    tmp_path: Path, table: Any
) -> None:
    template = two_vpcs()
    template["Resources"]["AsB"]["Properties"]["RouteTableId"] = table
    network = load(tmp_path, {"S": template})
    assert answer(network, "S/SA", "S/SB") == UNKNOWN
    assert answer(network, "S/SB", "S/SA") == UNKNOWN
    assert any("its routes are unknown" in each for each in network.unknowns)


def test_a_conditional_route_is_a_rival_of_the_route_that_wins_without_it(
    tmp_path: Path,
) -> None:
    shadow = {
        "Igw": res("AWS::EC2::InternetGateway"),
        "Shadow": {
            **res(
                "AWS::EC2::Route",
                RouteTableId=ref("RA"),
                DestinationCidrBlock="10.1.0.0/26",
                GatewayId=ref("Igw"),
            ),
            "Condition": "IsProd",
        },
    }
    network = load(tmp_path, {"S": two_vpcs(shadow)})
    got = network.reachability("S/SA", "S/SB")
    assert (got.reachable, got.unknown) == (False, True)
    assert "S/Shadow exists only if condition IsProd" in str(got.reason)
    # Where it cannot win, the answer stays definite.
    assert answer(network, "S/SA", "10.1.0.100") == (False, False, False)  # in no subnet


def test_a_return_route_to_a_connection_a_token_names_is_unknown(tmp_path: Path) -> None:
    template = two_vpcs()
    template["Resources"]["RtB"]["Properties"]["VpcPeeringConnectionId"] = ref("Pcx")
    network = load(tmp_path, {"S": template})
    assert answer(network, "S/SA", "S/SB") == UNKNOWN
    assert network.one_way_routes() == []


def test_only_a_cidr_route_to_one_address_outranks_a_hidden_route(tmp_path: Path) -> None:
    extra = {
        "List": res(
            "AWS::EC2::PrefixList",
            AddressFamily="IPv4",
            MaxEntries=1,
            Entries=[{"Cidr": "10.1.0.5/32"}],
        ),
        "ToList": res(
            "AWS::EC2::Route",
            RouteTableId=ref("RA"),
            DestinationPrefixListId=getatt("List", "PrefixListId"),
            VpcPeeringConnectionId=ref("P"),
        ),
        "Hidden": res(
            "AWS::EC2::Route",
            RouteTableId=ref("RA"),
            DestinationCidrBlock=ref("Param"),
            GatewayId="igw-0123456789abcdef0",
        ),
    }
    network = load(tmp_path, {"S": two_vpcs(extra)})
    # A CIDR route to 10.1.0.5/32 would beat the prefix list's /32 entry.
    assert answer(network, "S/SA", "10.1.0.5") == UNKNOWN


# --- IPv6 --------------------------------------------------------------------------------------


def _v6(vpc: str) -> Json:
    return {"Fn::Select": [0, getatt(vpc, "Ipv6CidrBlocks")]}


def _piece(vpc: str, index: int) -> Json:
    return {"Fn::Select": [index, {"Fn::Cidr": [_v6(vpc), 4, "64"]}]}


def dual_stack(extra: Json | None = None) -> Json:
    """``two_vpcs`` with AWS-assigned IPv6 blocks, subnets' /64 pieces, IPv6 routes."""
    template = two_vpcs(
        {
            "A6": res("AWS::EC2::VPCCidrBlock", VpcId=ref("A"), AmazonProvidedIpv6CidrBlock=True),
            "B6": res("AWS::EC2::VPCCidrBlock", VpcId=ref("B"), AmazonProvidedIpv6CidrBlock=True),
            "Rt6A": res(
                "AWS::EC2::Route",
                RouteTableId=ref("RA"),
                DestinationIpv6CidrBlock=_v6("B"),
                VpcPeeringConnectionId=ref("P"),
            ),
            "Rt6B": res(
                "AWS::EC2::Route",
                RouteTableId=ref("RB"),
                DestinationIpv6CidrBlock=_v6("A"),
                VpcPeeringConnectionId=ref("P"),
            ),
            **(extra or {}),
        }
    )
    template["Resources"]["SA"]["Properties"]["Ipv6CidrBlock"] = _piece("A", 0)
    template["Resources"]["SB"]["Properties"]["Ipv6CidrBlock"] = _piece("B", 0)
    return template


def test_a_literal_ipv6_acl_block_meeting_aws_assigned_addresses_is_unknown(
    tmp_path: Path,
) -> None:
    entries = {
        "Acl": res("AWS::EC2::NetworkAcl", VpcId=ref("B")),
        "AclAs": res(
            "AWS::EC2::SubnetNetworkAclAssociation", SubnetId=ref("SB"), NetworkAclId=ref("Acl")
        ),
        "Deny": res(
            "AWS::EC2::NetworkAclEntry",
            NetworkAclId=ref("Acl"),
            RuleNumber=100,
            Egress=False,
            Protocol=-1,
            RuleAction="deny",
            Ipv6CidrBlock="2600:1f00::/24",
        ),
        **{
            name: res(
                "AWS::EC2::NetworkAclEntry",
                NetworkAclId=ref("Acl"),
                RuleNumber=200,
                Egress=egress,
                Protocol=-1,
                RuleAction="allow",
                Ipv6CidrBlock="::/0",
            )
            for name, egress in (("In", False), ("Out", True))
        },
    }
    network = load(tmp_path, {"S": dual_stack(entries)})
    assert answer(network, "S/SA", "S/SB", ip_version=6) == UNKNOWN


def test_a_literal_ipv6_route_less_specific_than_the_winner_is_no_rival(tmp_path: Path) -> None:
    def shadow(block: str) -> Json:
        return {
            "Igw": res("AWS::EC2::InternetGateway"),
            "Lit": res(
                "AWS::EC2::Route",
                RouteTableId=ref("RA"),
                DestinationIpv6CidrBlock=block,
                GatewayId=ref("Igw"),
            ),
        }

    wide = load(tmp_path, {"S": dual_stack(shadow("2600:1f00::/40"))})
    assert answer(wide, "S/SA", "S/SB", ip_version=6) == YES
    narrow = load(tmp_path, {"S": dual_stack(shadow("2600:1f00::/64"))})
    assert answer(narrow, "S/SA", "S/SB", ip_version=6) == UNKNOWN


def test_byoip_pieces_are_read_and_an_unreadable_ipv6_block_is_unknown(tmp_path: Path) -> None:
    def byoip(vpc: str, block: str) -> Json:
        return res(
            "AWS::EC2::VPCCidrBlock",
            VpcId=ref(vpc),
            Ipv6CidrBlock=block,
            Ipv6Pool="ipv6pool-ec2-0123456789abcdef0",
        )

    template = two_vpcs(
        {
            "A6": byoip("A", "2001:db8:a::/56"),
            "B6": byoip("B", "2001:db8:b::/56"),
            "Rt6A": res(
                "AWS::EC2::Route",
                RouteTableId=ref("RA"),
                DestinationIpv6CidrBlock="2001:db8:b::/56",
                VpcPeeringConnectionId=ref("P"),
            ),
            "Rt6B": res(
                "AWS::EC2::Route",
                RouteTableId=ref("RB"),
                DestinationIpv6CidrBlock="2001:db8:a::/56",
                VpcPeeringConnectionId=ref("P"),
            ),
        }
    )
    template["Resources"]["SA"]["Properties"]["Ipv6CidrBlock"] = _piece("A", 0)
    template["Resources"]["SB"]["Properties"]["Ipv6CidrBlock"] = _piece("B", 1)
    network = load(tmp_path, {"S": template})
    subnets = {s.path: str(s.ipv6) for s in network.subnets}
    assert subnets == {"S/SA": "2001:db8:a::/64", "S/SB": "2001:db8:b:1::/64"}
    assert answer(network, "S/SA", "S/SB", ip_version=6) == YES
    template["Resources"]["SB"]["Properties"]["Ipv6CidrBlock"] = ref("Param")
    vague = load(tmp_path, {"S": template})
    assert answer(vague, "S/SA", "S/SB", ip_version=6) == UNKNOWN


def test_a_vpc_means_its_subnets_of_the_questions_family(tmp_path: Path) -> None:
    extra = {
        "SB2": res("AWS::EC2::Subnet", VpcId=ref("B"), CidrBlock="10.1.0.64/26"),
        "SB6": res(
            "AWS::EC2::Subnet",
            VpcId=ref("B"),
            Ipv6Native=True,
            Ipv6CidrBlock=_piece("B", 2),
        ),
    }
    network = load(tmp_path, {"S": dual_stack(extra)})
    # SB2 has no IPv6 block, SB6 no IPv4 block: each is left out of the other family.
    assert answer(network, "S/SA", "S/SB", ip_version=6) == YES
    got = network.reachability("S/SA", "S/B", ip_version=6)
    assert (got.reachable, got.partial, got.unreached) == (
        False,
        True,
        ("/64 number 2 of the IPv6 block 0 of S/B",),
    )
    assert answer(network, "S/SA", "10.1.0.200") == NO  # in no subnet: a definite no
    plain = network.reachability("S/SA", "S/SB2", ip_version=6)
    assert plain.reason == "subnet S/SB2 has no IPv6 block: it receives no IPv6 traffic"


# --- peering -----------------------------------------------------------------------------------


def test_an_accepter_vpc_where_the_connection_does_not_look_is_never_joined(
    tmp_path: Path,
) -> None:
    requester = {
        "Resources": {
            "A": res("AWS::EC2::VPC", CidrBlock="10.0.0.0/24"),
            "P": res(
                "AWS::EC2::VPCPeeringConnection",
                VpcId=ref("A"),
                PeerVpcId={
                    "Fn::GetStackOutput": {
                        "StackName": "Acc",
                        "Region": "eu-west-1",
                        "OutputName": "BId",
                    }
                },
            ),
        }
    }
    accepter = {
        "Resources": {"B": res("AWS::EC2::VPC", CidrBlock="10.1.0.0/24")},
        "Outputs": {"BId": {"Value": ref("B")}},
    }
    directory = tmp_path / "envs"
    write_assembly(directory / "req", {"Req": requester})
    write_assembly(directory / "acc", {"Acc": accepter}, environment="aws://111111111111/eu-west-1")
    import json

    manifest = json.loads((directory / "req" / "manifest.json").read_text())
    manifest["artifacts"].update(
        json.loads((directory / "acc" / "manifest.json").read_text())["artifacts"]
    )
    for part in ("req", "acc"):
        for file in (directory / part).glob("*.template.json"):
            file.rename(directory / file.name)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    [peering] = Network.from_assembly(directory).peerings
    assert peering.accepted is False
    assert "is in Region eu-west-1, but the connection asks for one in Region us-east-1" in str(
        peering.why
    )


# --- PrivateLink and DNS -----------------------------------------------------------------------


def endpoint(**options: Any) -> Json:
    template = two_vpcs(
        {
            "SB2": res("AWS::EC2::Subnet", VpcId=ref("B"), CidrBlock="10.1.0.64/26"),
            "AsB2": res(
                "AWS::EC2::SubnetRouteTableAssociation",
                SubnetId=ref("SB2"),
                RouteTableId=ref("RB"),
            ),
            "Nlb": res("AWS::ElasticLoadBalancingV2::LoadBalancer", Type="network"),
            "L": res(
                "AWS::ElasticLoadBalancingV2::Listener",
                LoadBalancerArn=ref("Nlb"),
                Port=443,
                Protocol=options.pop("protocol", "TCP"),
            ),
            "Svc": res("AWS::EC2::VPCEndpointService", NetworkLoadBalancerArns=[ref("Nlb")]),
            "Sg": res(
                "AWS::EC2::SecurityGroup",
                VpcId=ref("B"),
                SecurityGroupIngress=[
                    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/24"}
                ],
            ),
            "E": res(
                "AWS::EC2::VPCEndpoint",
                VpcEndpointType="Interface",
                VpcId=ref("B"),
                ServiceName={
                    "Fn::Join": [".", ["com.amazonaws.vpce", ref("AWS::Region"), ref("Svc")]]
                },
                SubnetIds=options.pop("subnets", [ref("SB"), ref("SB2")]),
                SecurityGroupIds=options.pop("groups", [getatt("Sg", "GroupId")]),
            ),
            **options.pop("extra", {}),
        }
    )
    return template


def test_an_endpoint_subnet_or_group_the_assembly_does_not_hold_is_unknown(
    tmp_path: Path,
) -> None:
    assert answer(load(tmp_path, {"S": endpoint()}), "S/SA", "S/E", port=443) == YES
    subnets = load(tmp_path, {"S": endpoint(subnets=[ref("SB"), "subnet-0123456789abcdef0"])})
    assert answer(subnets, "S/SA", "S/E", port=443) == UNKNOWN
    groups = load(tmp_path, {"S": endpoint(groups=[ref("Param")])})
    got = groups.reachability("S/SA", "S/E", port=443)
    assert (got.reachable, got.unknown) == (False, True)
    assert "its security group parameter Param of stack S" in str(got.reason)


def test_a_udp_listener_carries_no_tcp_connection(tmp_path: Path) -> None:
    network = load(tmp_path, {"S": endpoint(protocol="UDP")})
    got = network.reachability("S/SA", "S/E", port=443)
    assert (got.reachable, got.unknown) == (False, False)
    assert "has no listener on port 443" in str(got.reason)


def test_a_cname_to_an_endpoints_dns_name_resolves_to_the_endpoint(tmp_path: Path) -> None:
    dns = {"Fn::Select": [1, {"Fn::Split": [":", {"Fn::Select": [0, getatt("E", "DnsEntries")]}]}]}
    zone = {
        "Z": res(
            "AWS::Route53::HostedZone",
            Name="ex.internal",
            VPCs=[{"VPCId": ref("A"), "VPCRegion": "us-east-1"}],
        ),
        "Cn": res(
            "AWS::Route53::RecordSet",
            HostedZoneId=ref("Z"),
            Name="svc.ex.internal",
            Type="CNAME",
            TTL="60",
            ResourceRecords=[dns],
        ),
    }
    network = load(tmp_path, {"S": endpoint(extra=zone)})
    assert answer(network, "S/SA", "svc.ex.internal", port=443) == YES


def _zone(records: Json) -> Json:
    return two_vpcs(
        {
            "Z": res(
                "AWS::Route53::HostedZone",
                Name="example.internal",
                VPCs=[{"VPCId": ref("A"), "VPCRegion": "us-east-1"}],
            ),
            **{
                name: res("AWS::Route53::RecordSet", HostedZoneId=ref("Z"), TTL="60", **props)
                for name, props in records.items()
            },
        }
    )


def test_dns_wildcards_are_strictly_below_their_base_and_the_longest_wins(
    tmp_path: Path,
) -> None:
    records = {
        "Wide": {"Name": "*.example.internal", "Type": "A", "ResourceRecords": ["10.9.9.9"]},
        "Narrow": {"Name": "*.b.example.internal", "Type": "A", "ResourceRecords": ["10.1.0.5"]},
        "OnlyBelow": {
            "Name": "*.c.b.example.internal",
            "Type": "A",
            "ResourceRecords": ["10.1.0.6"],
        },
    }
    network = load(tmp_path, {"S": _zone(records)})
    assert answer(network, "S/SA", "x.b.example.internal") == YES
    got = network.reachability("S/SA", "c.b.example.internal")  # *.c.b does not hold its apex
    assert got.reachable  # *.b.example.internal answers it: 10.1.0.5


def test_a_record_with_an_unknown_value_or_target_is_unknown(tmp_path: Path) -> None:
    records = {
        "Mixed": {
            "Name": "mixed.example.internal",
            "Type": "A",
            "ResourceRecords": ["10.1.0.5", ref("Param")],
        },
        "Cname": {
            "Name": "cn.example.internal",
            "Type": "CNAME",
            "ResourceRecords": [ref("Param")],
        },
    }
    network = load(tmp_path, {"S": _zone(records)})
    assert answer(network, "S/SA", "mixed.example.internal") == UNKNOWN
    got = network.reachability("S/SA", "cn.example.internal")
    assert got.unknown
    assert "None" not in str(got.reason)
    assert "its canonical name is parameter Param" in str(got.reason)


# --- inputs that used to crash -----------------------------------------------------------------


def test_a_subnet_whose_vpc_is_a_token_and_records_from_a_parameter_load_and_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = _zone(
        {"List": {"Name": "l.example.internal", "Type": "A", "ResourceRecords": ref("Param")}}
    )
    template["Resources"]["SA"]["Properties"]["VpcId"] = ref("Param")
    network = load(tmp_path, {"S": template})
    # The subnet's table names its VPC: a table serves subnets of its own VPC only.
    assert network.find("S/SA").vpc is network.find("S/A")  # type: ignore[union-attr]
    assert answer(network, "S/SA", "l.example.internal") == UNKNOWN
    network.matrix()
    render(network, "text")
    assert main([str(network.directory)]) == 0
    assert capsys.readouterr().err == ""
