"""VpcPeering's template: the connection, and routes on both sides."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Match, Template
from constructs import IConstruct

from cdk_peering import PeerDestinations, Problem, ValidationError, VpcPeering
from tests.conftest import ENV, new_app
from tests.helpers import (
    destinations_by_table,
    imported_vpc,
    make_vpc,
    only_problem,
    peering_routes,
    route_table_refs,
    warnings_on,
)

ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def test_connection_between_the_two_vpcs(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::VPCPeeringConnection", 1)
    template.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "VpcId": stack.resolve(a.vpc_id),
            "PeerVpcId": stack.resolve(b.vpc_id),
            "PeerRegion": Match.absent(),
            "PeerOwnerId": Match.absent(),
            "PeerRoleArn": Match.absent(),
        },
    )
    assert peering.node.default_child is peering.peering_connection
    assert stack.resolve(peering.peering_connection_id) == {
        "Ref": stack.get_logical_id(peering.peering_connection)
    }


def test_one_route_per_route_table_on_each_side_by_default(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    template = Template.from_stack(stack)
    pcx = stack.get_logical_id(peering.peering_connection)
    by_table = destinations_by_table(peering_routes(template, pcx))
    # A: 2 public + 2 isolated route tables, each with one route to B; B: 2 tables to A.
    assert by_table == {
        **{table: {"10.1.0.0/16"} for table in route_table_refs(stack, a)},
        **{table: {"10.0.0.0/16"} for table in route_table_refs(stack, b)},
    }
    assert len(peering.requester_routes) == 4
    assert len(peering.accepter_routes) == 2


def test_routes_reference_the_connection_so_they_are_created_after_it(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    pcx = stack.get_logical_id(peering.peering_connection)
    routes = peering.requester_routes + peering.accepter_routes
    assert (len(peering.requester_routes), len(peering.accepter_routes)) == (4, 4)
    for route in routes:
        assert stack.resolve(route.vpc_peering_connection_id) == {"Ref": pcx}
    # In the template: every route to the peer VPCs goes through the connection, and only
    # through it (no other target).
    peer_cidrs = {"10.0.0.0/16", "10.1.0.0/16"}
    template_routes = [
        r["Properties"]
        for r in Template.from_stack(stack).find_resources("AWS::EC2::Route").values()
        if r["Properties"].get("DestinationCidrBlock") in peer_cidrs
    ]
    assert len(template_routes) == 8
    for properties in template_routes:
        assert set(properties) == {"RouteTableId", "DestinationCidrBlock", "VpcPeeringConnectionId"}
        assert properties["VpcPeeringConnectionId"] == {"Ref": pcx}


def test_secondary_cidr_block_gets_its_own_routes(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    ec2.CfnVPCCidrBlock(stack, "BSecondary", vpc_id=b.vpc_id, cidr_block="100.64.0.0/16")
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    by_table = destinations_by_table(
        peering_routes(Template.from_stack(stack), stack.get_logical_id(peering.peering_connection))
    )
    for table in route_table_refs(stack, a):
        assert by_table[table] == {"10.1.0.0/16", "100.64.0.0/16"}
    for table in route_table_refs(stack, b):
        assert by_table[table] == {"10.0.0.0/16"}


def test_secondary_cidr_block_declared_under_the_vpc_is_found(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    ec2.CfnVPCCidrBlock(b, "Secondary", vpc_id=b.vpc_id, cidr_block="100.64.0.0/16")
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    destinations = {route.destination_cidr_block for route in peering.requester_routes}
    assert destinations == {"10.1.0.0/16", "100.64.0.0/16"}


def test_ipv6_routes_when_both_vpcs_are_dual_stack(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True, isolated_only=True)
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    template = Template.from_stack(stack)
    b_vpc = stack.get_logical_id(b.node.default_child)  # type: ignore[arg-type]
    b_ipv6_block = stack.get_logical_id(b.node.find_child("ipv6cidr"))  # type: ignore[arg-type]
    routes = template.find_resources(
        "AWS::EC2::Route",
        {
            "Properties": {
                "DestinationIpv6CidrBlock": {
                    "Fn::Select": [0, {"Fn::GetAtt": [b_vpc, "Ipv6CidrBlocks"]}]
                }
            }
        },
    )
    assert {
        resource["Properties"]["RouteTableId"]["Ref"] for resource in routes.values()
    } == route_table_refs(stack, a)
    # The Ipv6CidrBlocks list is empty until the block's association exists.
    for resource in routes.values():
        assert b_ipv6_block in resource["DependsOn"]
    ipv6_routes = [r for r in peering.accepter_routes if r.destination_ipv6_cidr_block]
    ipv4_routes = [r for r in peering.accepter_routes if r.destination_cidr_block]
    assert len(ipv6_routes) == 2
    assert len(ipv4_routes) == 2


def test_no_ipv6_routes_when_only_one_vpc_has_ipv6(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    routes = peering.requester_routes + peering.accepter_routes
    assert len(routes) == 4
    assert all(route.destination_ipv6_cidr_block is None for route in routes)


def test_subnet_selection_picks_the_route_tables(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(
        stack,
        "Peering",
        requester_vpc=a,
        accepter_vpc=b,
        requester_subnets=ISOLATED,
        accepter_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
    )

    requester_tables = {
        stack.resolve(route.route_table_id)["Ref"] for route in peering.requester_routes
    }
    accepter_tables = {
        stack.resolve(route.route_table_id)["Ref"] for route in peering.accepter_routes
    }
    assert requester_tables == route_table_refs(stack, a, *a.isolated_subnets)
    assert accepter_tables == route_table_refs(stack, b, *b.public_subnets)


def _to_isolated_subnets(stack: cdk.Stack, a: ec2.IVpc, b: ec2.IVpc) -> VpcPeering:
    """Peer A with B, A's routes pointing at the CIDRs of B's isolated subnets only."""
    destinations = PeerDestinations.subnet_cidrs(ISOLATED)
    return VpcPeering(
        stack, "Peering", requester_vpc=a, accepter_vpc=b, accepter_destinations=destinations
    )


def test_specific_routes_to_some_peer_subnets(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16")
    peering = _to_isolated_subnets(stack, a, b)

    isolated_cidrs = {subnet.ipv4_cidr_block for subnet in b.isolated_subnets}
    assert len(isolated_cidrs) == 2
    by_table = destinations_by_table(
        [
            {
                "RouteTableId": stack.resolve(r.route_table_id),
                "DestinationCidrBlock": r.destination_cidr_block,
            }
            for r in peering.requester_routes
        ]
    )
    assert by_table == {table: isolated_cidrs for table in route_table_refs(stack, a)}
    # The accepter side still routes to all of A.
    assert {r.destination_cidr_block for r in peering.accepter_routes} == {"10.0.0.0/16"}


def test_specific_routes_to_some_peer_subnets_of_dual_stack_vpcs(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True)
    peering = _to_isolated_subnets(stack, a, b)

    def ipv6_block(construct: IConstruct) -> str:
        """The first IPv6 block of a subnet or VPC, as CloudFormation reads it once made."""
        resource = construct.node.default_child
        assert isinstance(resource, ec2.CfnSubnet | ec2.CfnVPC)
        logical_id = stack.get_logical_id(resource)
        return repr({"Fn::Select": [0, {"Fn::GetAtt": [logical_id, "Ipv6CidrBlocks"]}]})

    to_b = {subnet.ipv4_cidr_block for subnet in b.isolated_subnets}
    assert to_b == {"10.1.128.0/18", "10.1.192.0/18"}
    to_b_ipv6 = {ipv6_block(subnet) for subnet in b.isolated_subnets}
    assert len(to_b_ipv6) == 2
    to_a = {"10.0.0.0/16", ipv6_block(a)}
    routes = peering_routes(
        Template.from_stack(stack), stack.get_logical_id(peering.peering_connection)
    )
    # Each of A's 4 tables: one IPv4 and one IPv6 route to each isolated subnet of B, and
    # nothing to B's public subnets; B's tables still route to all of A, both families.
    assert destinations_by_table(routes) == {
        **{table: to_b | to_b_ipv6 for table in route_table_refs(stack, a)},
        **{table: to_a for table in route_table_refs(stack, b)},
    }
    ipv6 = [route for route in routes if "DestinationIpv6CidrBlock" in route]
    assert len(ipv6) == 4 * 2 + 4
    assert all("DestinationCidrBlock" not in route for route in ipv6)
    assert len(routes) == 2 * len(ipv6)


def test_specific_routes_to_given_cidrs_inside_the_peer(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(
        stack,
        "Peering",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_destinations=PeerDestinations.cidr_blocks(["10.1.4.0/24", "10.1.5.0/24"]),
        requester_destinations=PeerDestinations.cidr_blocks(["10.0.0.0/17"]),
    )

    assert sorted(r.destination_cidr_block or "" for r in peering.requester_routes) == [
        "10.1.4.0/24",
        "10.1.4.0/24",
        "10.1.5.0/24",
        "10.1.5.0/24",
    ]
    assert [r.destination_cidr_block for r in peering.accepter_routes] == ["10.0.0.0/17"] * 2
    assert not Template.from_stack(stack).find_resources(
        "AWS::EC2::Route", {"Properties": {"DestinationCidrBlock": "10.1.0.0/16"}}
    )


def test_imported_vpc_with_route_table_ids(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = ec2.Vpc.from_vpc_attributes(
        stack,
        "Imported",
        vpc_id="vpc-0aaaaaaaaaaaaaaaa",
        vpc_cidr_block="10.20.0.0/16",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-01", "subnet-02"],
        private_subnet_route_table_ids=["rtb-shared", "rtb-shared"],
    )
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=imported)

    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection", {"PeerVpcId": "vpc-0aaaaaaaaaaaaaaaa"}
    )
    # Both imported subnets share one route table: it gets one route, not two.
    assert [(r.route_table_id, r.destination_cidr_block) for r in peering.accepter_routes] == [
        ("rtb-shared", "10.0.0.0/16")
    ]
    assert {r.destination_cidr_block for r in peering.requester_routes} == {"10.20.0.0/16"}


def test_vpc_from_lookup_with_seeded_context() -> None:
    key = (
        "vpc-provider:account=111111111111:filter.vpc-id=vpc-0bbbbbbbbbbbbbbbb:"
        "region=us-east-1:returnAsymmetricSubnets=true"
    )
    looked_up = {
        "vpcId": "vpc-0bbbbbbbbbbbbbbbb",
        "vpcCidrBlock": "10.30.0.0/16",
        "ownerAccountId": "111111111111",
        "availabilityZones": [],
        "subnetGroups": [
            {
                "name": "Private",
                "type": "Private",
                "subnets": [
                    {
                        "subnetId": "subnet-0c1",
                        "cidr": "10.30.0.0/24",
                        "availabilityZone": "us-east-1a",
                        "routeTableId": "rtb-0c1",
                    },
                    {
                        "subnetId": "subnet-0c2",
                        "cidr": "10.30.1.0/24",
                        "availabilityZone": "us-east-1b",
                        "routeTableId": "rtb-0c2",
                    },
                ],
            }
        ],
    }
    stack = cdk.Stack(new_app(**{key: looked_up}), "Lookup", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    vpc = ec2.Vpc.from_lookup(stack, "Existing", vpc_id="vpc-0bbbbbbbbbbbbbbbb")
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=vpc)

    assert sorted(r.route_table_id for r in peering.accepter_routes) == ["rtb-0c1", "rtb-0c2"]
    assert {r.destination_cidr_block for r in peering.requester_routes} == {"10.30.0.0/16"}


def test_lookup_before_its_context_is_known_does_not_fail() -> None:
    # The first pass of `cdk synth` sees Vpc.from_lookup's placeholder VPCs (1.2.3.4/5),
    # which overlap each other; the CLI then looks them up and synthesizes again.
    stack = cdk.Stack(new_app(), "Lookup", env=ENV)
    first = ec2.Vpc.from_lookup(stack, "First", vpc_id="vpc-01")
    second = ec2.Vpc.from_lookup(stack, "Second", vpc_id="vpc-02")
    VpcPeering(stack, "Peering", requester_vpc=first, accepter_vpc=second)


def test_accepter_vpc_in_another_stack_of_the_same_environment() -> None:
    app = new_app()
    network = cdk.Stack(app, "Network", env=ENV)
    other = cdk.Stack(app, "Other", env=ENV)
    a = make_vpc(network, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(other, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(network, "Peering", requester_vpc=a, accepter_vpc=b)

    template = Template.from_stack(network)
    template.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {"PeerVpcId": {"Fn::GetStackOutput": Match.object_like({"StackName": "Other"})}},
    )
    template.resource_count_is("AWS::EC2::Route", 4)


def test_name_becomes_the_name_tag(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b, name="a-to-b")
    cdk.Tags.of(stack).add("CostCenter", "network")

    Template.from_stack(stack).has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "Tags": Match.array_with(
                [{"Key": "CostCenter", "Value": "network"}, {"Key": "Name", "Value": "a-to-b"}]
            )
        },
    )


def test_no_name_tag_unless_named(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    Template.from_stack(stack).has_resource_properties(
        "AWS::EC2::VPCPeeringConnection", {"Tags": Match.absent()}
    )


def test_route_logical_ids_name_table_and_destination(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    paths = sorted(route.node.path for route in peering.requester_routes)
    assert paths == [
        "TestStack/Peering/RequesterIsolatedSubnet1-10.1.0.0_16",
        "TestStack/Peering/RequesterIsolatedSubnet2-10.1.0.0_16",
    ]


# --- PeerDestinations that name nothing routable ------------------------------------------


def _rejected(stack: cdk.Stack, rule: str, accepter: ec2.IVpc | None, **props: Any) -> Problem:
    """Peer A (10.0.0.0/16) with ``accepter`` (default: B, 10.1.0.0/16), expecting one error.

    Return the problem, checked to be ``rule`` at TestStack/Peering, once checked that
    nothing was added to the tree.
    """
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = accepter or make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    children = len(stack.node.children)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b, **props)
    assert len(stack.node.children) == children
    assert stack.node.try_find_child("Peering") is None
    return only_problem(raised, "TestStack/Peering", rule)


@pytest.mark.parametrize("prop", ["accepter_destinations", "requester_destinations"])
def test_destinations_naming_both_subnets_and_cidrs_are_an_error(
    stack: cdk.Stack, prop: str
) -> None:
    both = PeerDestinations(subnets=ISOLATED, cidrs=("10.1.0.0/24",))
    problem = _rejected(stack, "cdk_peering:ambiguousDestinations", None, **{prop: both})
    assert problem.message == f"{prop} names both subnets and CIDRs."
    assert "PeerDestinations.subnet_cidrs(...) or PeerDestinations.cidr_blocks(...)" in problem.fix


def test_destinations_with_no_cidr_are_an_error(stack: cdk.Stack) -> None:
    problem = _rejected(
        stack,
        "cdk_peering:noDestinations",
        None,
        accepter_destinations=PeerDestinations.cidr_blocks([]),
    )
    assert problem.message == "accepter_destinations gives no CIDR."
    assert "at least one CIDR inside the peer" in problem.fix


def test_subnet_destinations_of_an_import_without_subnet_cidrs_are_an_error(
    stack: cdk.Stack,
) -> None:
    problem = _rejected(
        stack,
        "cdk_peering:unknownSubnetCidr",
        imported_vpc(stack, 5),  # its isolated subnet is imported without a CIDR
        accepter_destinations=PeerDestinations.subnet_cidrs(ISOLATED),
    )
    assert problem.message == "Subnet subnet-00050000 of TestStack/Vpc5 has no known CIDR."
    assert "private_subnet_ipv4_cidr_blocks" in problem.fix


def test_a_secondary_block_from_ipam_gets_no_route_and_a_warning(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    ec2.CfnVPCCidrBlock(
        stack,
        "BIpam",
        vpc_id=b.vpc_id,
        ipv4_ipam_pool_id="ipam-pool-0123456789abcdef0",
        ipv4_netmask_length=20,
    )
    peering = VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    warnings = warnings_on(peering)
    assert [w for w in warnings if w.endswith("[ack: cdk_peering:unroutableBlock]")] == [
        "1 secondary IPv4 block of TestStack/B comes from IPAM, and CloudFormation cannot "
        "tell its CIDR: no route points at it. Fix: Give "
        "accepter_destinations=PeerDestinations.cidr_blocks([...]) with the allocated CIDRs, "
        "or acknowledge this warning. [ack: cdk_peering:unroutableBlock]"
    ]
    # A warning, not an error: the peering is built, routing to B's primary block only.
    assert {r.destination_cidr_block for r in peering.requester_routes} == {"10.1.0.0/16"}
    assert len(peering.requester_routes) == 2
