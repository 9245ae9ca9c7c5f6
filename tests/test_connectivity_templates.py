"""Templates written by hand, as any tool could: intrinsic functions, route targets the
model does not follow, acceptance in the AWS SDK v3 spelling, conditions and parameters.

The assembly has no tree.json and no metadata: names fall back to ``Stack/LogicalId``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cdk_peering.connectivity import ConnectivityError, Network
from tests.connectivity_apps import write_assembly


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _resource(kind: str, **properties: Any) -> dict[str, Any]:
    return {"Type": kind, "Properties": properties}


def _route(table: str, destination: Any, **target: Any) -> dict[str, Any]:
    return _resource(
        "AWS::EC2::Route", RouteTableId=_ref(table), DestinationCidrBlock=destination, **target
    )


ACCEPT = {
    "service": "@aws-sdk/client-ec2",
    "action": "AcceptVpcEndpointConnectionsCommand",
    "parameters": {"ServiceId": "SERVICE", "VpcEndpointIds": ["ENDPOINT"]},
}
TEXT = json.dumps(ACCEPT).split('"SERVICE"')
CREATE = {
    "Fn::Join": [
        "",
        [
            TEXT[0] + '"',
            _ref("Svc"),
            '"' + TEXT[1].split('"ENDPOINT"')[0] + '"',
            _ref("E"),
            '"' + TEXT[1].split('"ENDPOINT"')[1],
        ],
    ]
}
TEMPLATE: dict[str, Any] = {
    "Parameters": {"Env": {"Type": "String"}, "Owner": {"Type": "String"}},
    "Mappings": {"Blocks": {"prod": {"b": "10.1.0.0/16"}}},
    "Conditions": {
        "Always": {"Fn::Equals": ["a", "a"]},
        "IsProd": {"Fn::Equals": [_ref("Env"), "prod"]},
    },
    "Resources": {
        "A": _resource("AWS::EC2::VPC", CidrBlock="10.0.0.0/16"),
        "B": _resource("AWS::EC2::VPC", CidrBlock={"Fn::FindInMap": ["Blocks", "prod", "b"]}),
        "SA": _resource(
            "AWS::EC2::Subnet",
            VpcId=_ref("A"),
            CidrBlock={
                "Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["A", "CidrBlock"]}, 2, "8"]}]
            },
        ),
        "SB": _resource(
            "AWS::EC2::Subnet",
            VpcId=_ref("B"),
            CidrBlock={"Fn::Join": ["", ["10.1.", "0", ".0/24"]]},
        ),
        "RA": _resource("AWS::EC2::RouteTable", VpcId=_ref("A")),
        "RB": _resource("AWS::EC2::RouteTable", VpcId=_ref("B")),
        "AssocA": _resource(
            "AWS::EC2::SubnetRouteTableAssociation", SubnetId=_ref("SA"), RouteTableId=_ref("RA")
        ),
        "AssocB": _resource(
            "AWS::EC2::SubnetRouteTableAssociation", SubnetId=_ref("SB"), RouteTableId=_ref("RB")
        ),
        "P": _resource("AWS::EC2::VPCPeeringConnection", VpcId=_ref("A"), PeerVpcId=_ref("B")),
        "ToB": _route(
            "RA",
            {"Fn::Sub": "${B.CidrBlock}"},
            VpcPeeringConnectionId={"Fn::If": ["Always", _ref("P"), _ref("AWS::NoValue")]},
        ),
        "ToA": _route("RB", "10.0.0.0/16", VpcPeeringConnectionId=_ref("P")),
        "ToTransit": _route("RA", "10.50.0.0/16", TransitGatewayId="tgw-0123456789abcdef0"),
        "ToImported": _route(
            "RA", "10.60.0.0/16", VpcPeeringConnectionId={"Fn::ImportValue": "NoSuchExport"}
        ),
        "ToNothing": _route("RA", "10.70.0.0/16"),
        "ToExternal": _route("RA", "10.80.0.0/16", VpcPeeringConnectionId="pcx-0123456789abcdef0"),
        "Appliance": _resource("AWS::EC2::NetworkInterface", SubnetId=_ref("SA")),
        "ToAppliance": _route("RA", "10.81.0.0/16", NetworkInterfaceId=_ref("Appliance")),
        "ToGroup": _route("RA", "10.82.0.0/16", VpcPeeringConnectionId=_ref("G")),
        "ToRole": _route("RA", "10.83.0.0/16", VpcPeeringConnectionId=_ref("Role")),
        "Role": _resource("AWS::IAM::Role", AssumeRolePolicyDocument={}),
        "Perhaps": {**_resource("AWS::EC2::VPC", CidrBlock="10.90.0.0/16"), "Condition": "IsProd"},
        "ToOwner": _resource(
            "AWS::EC2::VPCPeeringConnection",
            VpcId=_ref("A"),
            PeerVpcId=_ref("B"),
            PeerOwnerId=_ref("Owner"),
        ),
        "G": _resource(
            "AWS::EC2::SecurityGroup",
            VpcId=_ref("A"),
            SecurityGroupIngress=[
                {"IpProtocol": "6", "FromPort": "443", "ToPort": "443", "CidrIp": "10.1.0.0/16"}
            ],
        ),
        "Svc": _resource("AWS::EC2::VPCEndpointService", AcceptanceRequired="true"),
        "E": _resource(
            "AWS::EC2::VPCEndpoint",
            VpcEndpointType="Interface",
            VpcId=_ref("A"),
            SubnetIds=[_ref("SA")],
            SecurityGroupIds=[{"Fn::GetAtt": ["G", "GroupId"]}],
            ServiceName={
                "Fn::Join": [".", ["com.amazonaws.vpce", _ref("AWS::Region"), _ref("Svc")]]
            },
        ),
        "Accept": {"Type": "Custom::AWS", "Properties": {"Create": CREATE}},
    },
}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    directory = tmp_path_factory.mktemp("templates") / "cdk.out"
    return Network.from_assembly(write_assembly(directory, {"Solo": TEMPLATE}))


def test_intrinsic_functions_are_evaluated(network: Network) -> None:
    by_path = {vpc.path: vpc for vpc in network.vpcs}
    assert [str(cidr) for cidr in by_path["Solo/B"].cidrs] == ["10.1.0.0/16"]  # FindInMap
    subnets = {subnet.path: str(subnet.cidr) for subnet in network.subnets}
    assert subnets == {"Solo/SA": "10.0.0.0/24", "Solo/SB": "10.1.0.0/24"}  # Cidr, Join
    answer = network.reachability("Solo/SA", "Solo/SB")  # Sub of GetAtt, If on a condition
    assert answer.hops[1] == "route table Solo/RA: 10.1.0.0/16 -> peering Solo/P"
    assert answer


def test_what_the_model_does_not_follow_is_unknown(network: Network) -> None:
    # A transit gateway takes the traffic off the peering: a definite no, named.
    transit = network.reachability("Solo/SA", "10.50.0.1")
    assert not transit.unknown
    assert transit.reason == (
        "route table Solo/RA sends 10.50.0.1 to transit gateway tgw-0123456789abcdef0 (its "
        "route to 10.50.0.0/16), which takes the traffic off the peering (transit gateways "
        "are not followed)"
    )
    imported = network.reachability("Solo/SA", "10.60.0.1")
    assert imported.unknown
    assert "the import NoSuchExport" in str(imported.reason)
    external = network.reachability("Solo/SA", "10.80.0.1")
    assert external.unknown
    assert external.reason == (
        "peering pcx-0123456789abcdef0: it is imported by id: its VPCs are unknown"
    )


def test_a_route_without_a_target_is_a_blackhole(network: Network) -> None:
    answer = network.reachability("Solo/SA", "10.70.0.1")
    assert not answer.unknown
    assert answer.reason == (
        "route table Solo/RA sends 10.70.0.1 to nothing (its route to 10.70.0.0/16): a "
        "blackhole (it has no target)"
    )
    wrong = network.reachability("Solo/SA", "10.82.0.1")
    assert not wrong.unknown
    assert wrong.reason == (
        "route table Solo/RA sends 10.82.0.1 to Solo/G (its route to 10.82.0.0/16): a "
        "blackhole (Solo/G is a SecurityGroup, not a peering connection)"
    )
    assert network.reachability("Solo/SA", "10.83.0.1").reason == (
        "route table Solo/RA sends 10.83.0.1 to Solo/Role (its route to 10.83.0.0/16): a "
        "blackhole (Solo/Role is a AWS::IAM::Role, not a peering connection)"
    )


def test_a_route_to_an_appliance_is_not_followed(network: Network) -> None:
    # A network interface takes the traffic off the peering: a definite no.
    answer = network.reachability("Solo/SA", "10.81.0.1")
    assert not answer.unknown
    assert answer.reason == (
        "route table Solo/RA sends 10.81.0.1 to network interface Solo/Appliance (its route "
        "to 10.81.0.0/16), which takes the traffic off the peering"
    )


def test_acceptance_in_the_sdk_v3_spelling(network: Network) -> None:
    answer = network.reachability("Solo/SB", "Solo/E", port=443)
    assert answer
    assert "endpoint service Solo/Svc: connection accepted by Solo/Accept" in answer.hops


def test_values_only_a_deployment_knows(network: Network) -> None:
    [owner] = [p for p in network.peerings if p.path == "Solo/ToOwner"]
    assert owner.accepted is None
    assert owner.peer_account is None
    [plain] = [p for p in network.peerings if p.path == "Solo/P"]
    assert (plain.account, plain.region, plain.peer_account, plain.peer_region) == (
        "111111111111",
        "us-east-1",
        "111111111111",
        "us-east-1",
    )
    unknowns = "\n".join(network.unknowns)
    assert "Solo/Perhaps exists only if condition IsProd" in unknowns
    assert (
        "peering Solo/ToOwner: its accepter account is parameter Owner of stack Solo (chosen "
        "at deploy time) (PeerOwnerId), which the assembly does not hold, and it has no "
        "PeerRoleArn" in unknowns
    )
    assert "NoSuchExport" in unknowns
    assert "Solo/Perhaps" in {vpc.path for vpc in network.vpcs}


def test_questions_of_mixed_families_are_refused(network: Network) -> None:
    with pytest.raises(ConnectivityError, match="is an IPv6 address, but ip_version is 4"):
        network.reachability("Solo/SA", "2001:db8::1", ip_version=4)
    with pytest.raises(ConnectivityError, match="is an IPv4 address, but ip_version is 6"):
        network.reachability("Solo/SA", "10.1.0.1", ip_version=6)
    # An IPv6 address is a question of its own: a subnet without IPv6 sends none.
    answer = network.reachability("Solo/SA", "2001:db8::1")
    assert (answer.reachable, answer.unknown, answer.ip_version) == (False, False, 6)
    assert answer.reason == "subnet Solo/SA has no IPv6 block: it sends no IPv6 traffic"


def test_a_record_set_group_names_its_zone_per_record(tmp_path: Path) -> None:
    # The group's RecordSets are evaluated with the group; a record's own HostedZoneId
    # (a Ref) must still name the zone when the record is read.
    template = {
        "Resources": {
            "V": _resource("AWS::EC2::VPC", CidrBlock="10.0.0.0/16"),
            "S": _resource("AWS::EC2::Subnet", VpcId=_ref("V"), CidrBlock="10.0.1.0/24"),
            "Zone": _resource(
                "AWS::Route53::HostedZone",
                Name="example.internal",
                VPCs=[{"VPCId": _ref("V"), "VPCRegion": "us-east-1"}],
            ),
            "Group": _resource(
                "AWS::Route53::RecordSetGroup",
                RecordSets=[
                    {
                        "HostedZoneId": _ref("Zone"),
                        "Name": "db.example.internal.",
                        "Type": "A",
                        "TTL": "60",
                        "ResourceRecords": ["10.0.1.10"],
                    }
                ],
            ),
        }
    }
    network = Network.from_assembly(write_assembly(tmp_path / "cdk.out", {"Dns": template}))
    [zone] = network.hosted_zones
    assert [(r.path, r.name, r.type) for r in zone.records] == [
        ("Dns/Group", "db.example.internal", "A")
    ]
    answer = network.reachability("Dns/S", "db.example.internal")
    assert answer, answer.reason
    assert answer.hops[0].startswith("dns db.example.internal: private hosted zone Dns/Zone")
    assert not any("unexpected value" in each for each in network.unknowns)


def _stack_output(stack: str, output: str, region: str) -> dict[str, Any]:
    return {"Fn::GetStackOutput": {"StackName": stack, "OutputName": output, "Region": region}}


def test_a_rule_naming_a_group_never_matches_across_regions(tmp_path: Path) -> None:
    # East's endpoint admits members of East's group Members; West reaches East over an
    # inter-Region peering. An address of West is never a member (a definite no); one of
    # East may be (unknown).
    east = {
        "Resources": {
            "A": _resource("AWS::EC2::VPC", CidrBlock="10.0.0.0/16"),
            "SA": _resource("AWS::EC2::Subnet", VpcId=_ref("A"), CidrBlock="10.0.0.0/24"),
            "P": _resource(
                "AWS::EC2::VPCPeeringConnection",
                VpcId=_ref("A"),
                PeerVpcId=_stack_output("West", "VpcB", "eu-west-1"),
                PeerRegion="eu-west-1",
            ),
            "Members": _resource("AWS::EC2::SecurityGroup", VpcId=_ref("A")),
            "G": _resource(
                "AWS::EC2::SecurityGroup",
                VpcId=_ref("A"),
                SecurityGroupIngress=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "SourceSecurityGroupId": {"Fn::GetAtt": ["Members", "GroupId"]},
                    }
                ],
            ),
            "E": _resource(
                "AWS::EC2::VPCEndpoint",
                VpcEndpointType="Interface",
                VpcId=_ref("A"),
                SubnetIds=[_ref("SA")],
                SecurityGroupIds=[{"Fn::GetAtt": ["G", "GroupId"]}],
                ServiceName="com.amazonaws.us-east-1.sqs",
            ),
        },
        "Outputs": {"Peering": {"Value": _ref("P")}},
    }
    west = {
        "Resources": {
            "B": _resource("AWS::EC2::VPC", CidrBlock="10.1.0.0/16"),
            "SB": _resource("AWS::EC2::Subnet", VpcId=_ref("B"), CidrBlock="10.1.0.0/24"),
            "RB": _resource("AWS::EC2::RouteTable", VpcId=_ref("B")),
            "AssocB": _resource(
                "AWS::EC2::SubnetRouteTableAssociation",
                SubnetId=_ref("SB"),
                RouteTableId=_ref("RB"),
            ),
            "ToA": _route(
                "RB",
                "10.0.0.0/16",
                VpcPeeringConnectionId=_stack_output("East", "Peering", "us-east-1"),
            ),
        },
        "Outputs": {"VpcB": {"Value": _ref("B")}},
    }
    east["Resources"]["RA"] = _resource("AWS::EC2::RouteTable", VpcId=_ref("A"))
    east["Resources"]["AssocA"] = _resource(
        "AWS::EC2::SubnetRouteTableAssociation", SubnetId=_ref("SA"), RouteTableId=_ref("RA")
    )
    east["Resources"]["ToB"] = _route("RA", "10.1.0.0/16", VpcPeeringConnectionId=_ref("P"))
    directory = tmp_path / "cdk.out"
    write_assembly(directory / "east", {"East": east})
    write_assembly(directory / "west", {"West": west}, environment="aws://111111111111/eu-west-1")
    manifest = json.loads((directory / "east" / "manifest.json").read_text())
    manifest["artifacts"].update(
        json.loads((directory / "west" / "manifest.json").read_text())["artifacts"]
    )
    for part in ("east", "west"):
        for file in (directory / part).glob("*.template.json"):
            file.rename(directory / file.name)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    network = Network.from_assembly(directory)

    far = network.reachability("West/SB", "East/E", port=443)
    assert (far.reachable, far.unknown) == (False, False)
    assert "admits members of East/Members (Region us-east-1), in another Region" in str(far.reason)
    near = network.reachability("East/SA", "East/E", port=443)
    assert (near.reachable, near.unknown) == (False, True)
    assert "admits members of security group East/Members" in str(near.reason)
