"""The example app: every account and region involved, and an order that deploys."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template

import app as example
from cdk_peering.cdk.handler import ACCEPTANCE, ASSOCIATION, AUTHORIZATION, TAGS
from tests.conftest import STRONG_REFERENCES, ExampleApp, new_app
from tests.helpers import (
    Assembly,
    Key,
    cross_stack_reads,
    custom_resource_policy,
    deploy_order,
    library_resources,
    route_table_refs,
    settings,
    statements_allowing,
)

REQUESTER = "PeeringExample"
EUROPE_ACCEPTER = "PeeringExample-PeeringAccepter-111111111111-eu-west-1"
PARTNER_ACCEPTER = "PeeringExample-PeeringAccepter-222222222222-us-east-1"
EUROPE_ACCEPTANCE = "EuropeNetwork-EndpointAcceptance-111111111111-us-east-1"
SHARED_ACCEPTANCE = "PeeringExample-EndpointAcceptance-111111111111-us-east-1"
PARTNER_ZONE_ASSOCIATION = "PeeringExample-ZoneAssociation-222222222222-us-east-1"
MESH_STACKS = [
    "Teams-Mesh-TeamARequests",
    "Teams-Mesh-TeamBRequests",
    "Teams-Mesh-TeamBAccepts",
    "Teams-Mesh-TeamCAccepts",
]


@pytest.fixture(scope="module")
def assembly(example_app: ExampleApp) -> cdk.cx_api.CloudAssembly:
    return example_app[1]


@pytest.fixture(scope="module")
def teams(example_app: ExampleApp) -> example.TeamsStack:
    [stack] = [stack for stack in example_app[0] if isinstance(stack, example.TeamsStack)]
    return stack


def _template(assembly: cdk.cx_api.CloudAssembly, name: str) -> Template:
    return Template.from_json(assembly.get_stack_by_name(name).template)


def test_a_stack_for_every_account_and_region(assembly: cdk.cx_api.CloudAssembly) -> None:
    environments = {
        stack.stack_name: f"aws://{stack.environment.account}/{stack.environment.region}"
        for stack in assembly.stacks
    }
    assert environments == {
        REQUESTER: "aws://111111111111/us-east-1",
        "EuropeNetwork": "aws://111111111111/eu-west-1",
        "PartnerNetwork": "aws://222222222222/us-east-1",
        EUROPE_ACCEPTER: "aws://111111111111/eu-west-1",
        PARTNER_ACCEPTER: "aws://222222222222/us-east-1",
        EUROPE_ACCEPTANCE: "aws://111111111111/us-east-1",  # the service's environment
        SHARED_ACCEPTANCE: "aws://111111111111/us-east-1",  # the service's too
        PARTNER_ZONE_ASSOCIATION: "aws://222222222222/us-east-1",  # the partner VPC's
        "ServiceProvider": "aws://111111111111/us-east-1",
        "Teams": "aws://111111111111/us-east-1",
        **{name: "aws://111111111111/us-east-1" for name in MESH_STACKS},
    }


def test_deploy_all_order_is_role_then_connection_then_accepter_routes(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    # What `cdk deploy --all` does: dependencies first.
    position = {name: i for i, name in enumerate(deploy_order(assembly))}
    # The partner's stack holds the accepter role; the connections are in the requester's.
    assert position["PartnerNetwork"] < position[REQUESTER] < position[PARTNER_ACCEPTER]
    assert position["EuropeNetwork"] < position[REQUESTER] < position[EUROPE_ACCEPTER]
    # Endpoints read the endpoint service's id, in this region and the other.
    assert position["ServiceProvider"] < position["EuropeNetwork"]
    assert position["ServiceProvider"] < position[REQUESTER]
    # The consumers' endpoints are accepted from stacks of the service's environment, after
    # the endpoints and the service.
    assert position["ServiceProvider"] < position["EuropeNetwork"] < position[EUROPE_ACCEPTANCE]
    assert position[REQUESTER] < position[SHARED_ACCEPTANCE]
    # The zone's account authorizes (in the requester's stack), then the partner's
    # account associates its VPC.
    assert position["PartnerNetwork"] < position[REQUESTER] < position[PARTNER_ZONE_ASSOCIATION]


def test_each_peering_lives_in_the_requester_stack(assembly: cdk.cx_api.CloudAssembly) -> None:
    requester = _template(assembly, REQUESTER)
    requester.resource_count_is("AWS::EC2::VPCPeeringConnection", 6)
    requester.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "PeerRegion": "eu-west-1",
            "PeerOwnerId": Match.absent(),
            "Tags": [{"Key": "Name", "Value": "shared-europe"}],
        },
    )
    requester.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "PeerOwnerId": "222222222222",
            "PeerRegion": Match.absent(),
            "PeerRoleArn": Match.string_like_regexp(r"^arn:aws:iam::222222222222:role/"),
            "Tags": [{"Key": "Name", "Value": "shared-partner"}],
        },
    )
    for name in ("EuropeNetwork", "PartnerNetwork"):
        _template(assembly, name).resource_count_is("AWS::EC2::VPCPeeringConnection", 0)


def test_accepter_routes_live_in_the_accepter_environment(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    europe = _template(assembly, EUROPE_ACCEPTER)
    europe.resource_count_is("AWS::EC2::Route", 4)  # Europe's 4 route tables -> Shared
    europe.all_resources_properties(
        "AWS::EC2::Route",
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "VpcPeeringConnectionId": {
                "Fn::GetStackOutput": Match.object_like(
                    {"StackName": REQUESTER, "Region": "us-east-1"}
                )
            },
        },
    )
    partner = _template(assembly, PARTNER_ACCEPTER)
    partner.resource_count_is("AWS::EC2::Route", 2)  # only the partner's isolated tables
    partner.all_resources_properties(
        "AWS::EC2::Route",
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "VpcPeeringConnectionId": {
                "Fn::GetStackOutput": Match.object_like(
                    {"StackName": REQUESTER, "RoleArn": Match.any_value()}
                )
            },
        },
    )


def test_dns_and_multipath_over_the_inter_region_peering_one_resource_per_side(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    for stack, side in ((REQUESTER, "Requester"), (EUROPE_ACCEPTER, "Accepter")):
        [given] = settings(_template(assembly, stack))
        assert (given["Side"], given["Options"]) == (
            side,
            {"AllowDnsResolutionFromRemoteVpc": True, "AllowMultipathResilience": True},
        )


def test_names_reach_the_accepters_views(assembly: cdk.cx_api.CloudAssembly) -> None:
    for stack, name in ((PARTNER_ACCEPTER, "shared-partner"), (EUROPE_ACCEPTER, "shared-europe")):
        [given] = settings(_template(assembly, stack), TAGS)
        assert given["Tags"] == [{"Key": "Name", "Value": name}]
    # One account and region: one resource, tagged by CloudFormation itself.
    assert settings(_template(assembly, REQUESTER), TAGS) == []


def test_the_partner_role_trusts_only_the_requester_account(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    _template(assembly, "PartnerNetwork").has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                    }
                ],
                "Version": "2012-10-17",
            }
        },
    )


# --- PrivateLink: the orders service and its consumers ------------------------------------


def _endpoints(assembly: cdk.cx_api.CloudAssembly, stack: str) -> list[dict[str, Any]]:
    resources = _template(assembly, stack).find_resources("AWS::EC2::VPCEndpoint")
    return [resource["Properties"] for resource in resources.values()]


def test_the_service_is_an_internal_nlb_behind_an_endpoint_service(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    provider = _template(assembly, "ServiceProvider")
    provider.has_resource_properties(
        "AWS::ElasticLoadBalancingV2::LoadBalancer", {"Scheme": "internal", "Type": "network"}
    )
    provider.has_resource_properties(
        "AWS::EC2::VPCEndpointService",
        {"AcceptanceRequired": True, "SupportedRegions": Match.array_with(["eu-west-1"])},
    )
    provider.has_resource_properties(
        "AWS::EC2::VPCEndpointServicePermissions",
        {"AllowedPrincipals": ["arn:aws:iam::111111111111:root"]},
    )


def test_the_consumer_endpoint_and_the_native_cross_region_one(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    [shared] = _endpoints(assembly, REQUESTER)
    assert shared["VpcEndpointType"] == "Interface"
    assert "ServiceRegion" not in shared  # same region as the service
    [europe] = _endpoints(assembly, "EuropeNetwork")
    assert europe["ServiceRegion"] == "us-east-1"  # native cross-region PrivateLink
    assert "eu-west-1" not in json.dumps(europe["ServiceName"])


def test_peered_vpcs_resolve_the_service_name_through_the_shared_zone(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    requester = _template(assembly, REQUESTER)
    zones = requester.find_resources(
        "AWS::Route53::HostedZone", {"Properties": {"Name": "orders.example.internal."}}
    )
    [zone] = zones.values()
    regions = sorted(vpc["VPCRegion"] for vpc in zone["Properties"]["VPCs"])
    # Shared (the endpoint's VPC) and App in us-east-1, Europe in eu-west-1.
    assert regions == ["eu-west-1", "us-east-1", "us-east-1"]
    requester.has_resource_properties(
        "AWS::Route53::RecordSet",
        {"Name": "orders.example.internal.", "Type": "A", "AliasTarget": Match.any_value()},
    )


def _output_of(value: Any) -> str:
    """The stack an Fn::GetStackOutput reads."""
    return str(value["Fn::GetStackOutput"]["StackName"])


def test_the_deploy_accepts_both_endpoints_and_only_them(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    accepted: dict[str, Any] = {}
    for stack in (SHARED_ACCEPTANCE, EUROPE_ACCEPTANCE):
        template = assembly.get_stack_by_name(stack).template
        [(logical_id, resource)] = library_resources(template, ACCEPTANCE).items()
        properties = resource["Properties"]
        assert _output_of(properties["ServiceId"]) == "ServiceProvider"
        [accepted[stack]] = properties["VpcEndpointIds"]
        # One action on the one endpoint service (its connections' states are read with
        # the handler role's own describe statement).
        [accept] = custom_resource_policy(template, logical_id)
        assert accept["Action"] == "ec2:AcceptVpcEndpointConnections"
        assert accept["Resource"]["Fn::Join"][1] == [
            "arn:aws:ec2:us-east-1:111111111111:vpc-endpoint-service/",
            properties["ServiceId"],
        ]
    # Each endpoint read from its consumer's stack: no consumer's stack holds the
    # permission to accept connections to the service (PeeringExample is in the service's
    # account and Region, and still does not).
    assert _output_of(accepted[SHARED_ACCEPTANCE]) == REQUESTER
    assert _output_of(accepted[EUROPE_ACCEPTANCE]) == "EuropeNetwork"
    for consumer in (REQUESTER, "EuropeNetwork"):
        template = _template(assembly, consumer)
        assert template.find_resources(ACCEPTANCE) == {}
        assert statements_allowing(template, "ec2:AcceptVpcEndpointConnections") == []
    # Strangers still wait: the service keeps requiring acceptance.
    _template(assembly, "ServiceProvider").has_resource_properties(
        "AWS::EC2::VPCEndpointService", {"AcceptanceRequired": True}
    )


def test_the_partner_resolves_the_name_through_the_cross_account_association(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    requester = assembly.get_stack_by_name(REQUESTER).template
    [zone] = Template.from_json(requester).find_resources("AWS::Route53::HostedZone")
    # The zone's account authorizes the partner's VPC, in the zone's stack...
    [authorization] = settings(requester, AUTHORIZATION)
    # ... and the partner's account associates it, in a stack of its own.
    partner = assembly.get_stack_by_name(PARTNER_ZONE_ASSOCIATION).template
    [association] = settings(partner, ASSOCIATION)
    assert authorization["HostedZoneId"] == {"Ref": zone}
    assert _output_of(association["HostedZoneId"]) == REQUESTER
    for given in (authorization, association):
        assert given["VpcRegion"] == "us-east-1"
        assert _output_of(given["VpcId"]) == "PartnerNetwork"
    # The zone's own VPCs name only this account's: Shared, App and Europe.
    zone_vpcs = requester["Resources"][zone]["Properties"]["VPCs"]
    assert len(zone_vpcs) == 3
    assert "PartnerNetwork" not in json.dumps(zone_vpcs)


def test_peered_vpcs_may_connect_to_the_endpoint(assembly: cdk.cx_api.CloudAssembly) -> None:
    groups = _template(assembly, REQUESTER).find_resources(
        "AWS::EC2::SecurityGroup",
        {"Properties": {"GroupDescription": Match.string_like_regexp("OrdersEndpoint")}},
    )
    [group] = groups.values()
    sources = {rule["CidrIp"] for rule in group["Properties"]["SecurityGroupIngress"]}
    # Shared itself, App (both blocks), Europe and Partner; on the service's port only.
    assert sources == {
        "10.0.0.0/16",
        "10.1.0.0/16",
        "100.64.0.0/16",
        "10.10.0.0/16",
        "10.20.0.0/16",
    }
    assert {rule["FromPort"] for rule in group["Properties"]["SecurityGroupIngress"]} == {443}


def test_the_team_mesh_and_the_tools_hub(
    assembly: cdk.cx_api.CloudAssembly, teams: example.TeamsStack
) -> None:
    stacks = Assembly(assembly)
    connections = stacks.resources("AWS::EC2::VPCPeeringConnection")
    # In the Teams stack (placement=SCOPE) logical ids end in CDK's 8-character hash.
    assert sorted(
        (stack, logical_id[:-8] if stack == "Teams" else logical_id)
        for stack, logical_id in connections
        if stack.startswith("Teams")
    ) == [
        ("Teams", "ToolingToolsToTeamD"),
        ("Teams", "ToolingToolsToTeamE"),
        ("Teams-Mesh-TeamARequests", "ToTeamB"),
        ("Teams-Mesh-TeamARequests", "ToTeamC"),
        ("Teams-Mesh-TeamBRequests", "ToTeamC"),
    ]

    def tables(vpc: ec2.Vpc, *subnets: ec2.ISubnet) -> set[Key]:
        return {("Teams", table) for table in route_table_refs(teams, vpc, *subnets)}

    # The mesh and the spokes route from their isolated subnets only (the public ones get no
    # peering route), so routes into a team or a spoke point at its isolated subnets
    # (10.3x.128.0/18 and .192.0/18, merged into one /17): only they route back. The hub
    # routes from every subnet of Tools, so the spokes route to all of it; the teams of the
    # mesh have no route to Tools, the spokes none to each other or to the mesh.
    mesh = [f"10.{30 + i}.128.0/17" for i in range(3)]
    spokes = [f"10.{33 + i}.128.0/17" for i in range(2)]
    expected = {
        table: set(mesh) - {cidr}
        for vpc, cidr in zip(teams.teams, mesh, strict=True)
        for table in tables(vpc, *vpc.isolated_subnets)
    }
    expected.update(
        {
            table: {"10.40.0.0/16"}
            for vpc in teams.spokes
            for table in tables(vpc, *vpc.isolated_subnets)
        }
    )
    expected.update({table: set(spokes) for table in tables(teams.tools)})
    assert len(expected) == 3 * 2 + 2 * 2 + 4
    routed = {
        table: cidrs
        for table, cidrs in stacks.routes_by_table().items()
        if table[0].startswith("Teams")
    }
    assert routed == expected
    deps = stacks.dependencies()
    assert deps["Teams-Mesh-TeamCAccepts"] == {
        "Teams",
        "Teams-Mesh-TeamARequests",
        "Teams-Mesh-TeamBRequests",
    }


def test_every_read_across_stacks_is_weak_even_in_an_app_with_strong_references() -> None:
    # A user's app need not set cdk.json's weak default: the library reads weakly itself.
    app = new_app(**STRONG_REFERENCES)
    example.build(app)
    reads = cross_stack_reads(app.synth())
    assert len(reads) == 14  # PeeringExample's acceptance reads its endpoint's id
    assert all(mechanisms <= {"weak"} for mechanisms in reads.values()), reads
    assert reads["PeeringExample"] == {"weak"}
