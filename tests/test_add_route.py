"""add_route: any route table of either side, checked by the peering rules, placed in the
stack of the table's environment."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from cdk_peering import PeeringSide, ValidationError, VpcPeering, VpcPeeringAccepter, rule_ids
from tests.conftest import ENV, new_app
from tests.helpers import Assembly, inter_region_pair, make_vpc, only_problem, warnings_on


@pytest.fixture
def pair() -> tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering]:
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    return stack, a, b, VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)


@pytest.fixture
def accepter_side() -> tuple[VpcPeeringAccepter, ec2.CfnRouteTable]:
    """The accepter side Net/Side of a connection from an imported VPC (10.9.0.0/16) to B,
    and a table of B that no subnet uses."""
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    requester = ec2.Vpc.from_vpc_attributes(
        stack,
        "Requester",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.9.0.0/16",
        availability_zones=["us-east-1a"],
    )
    side = VpcPeeringAccepter(
        stack,
        "Side",
        peering_connection_id="pcx-0123456789abcdef0",
        requester_vpc=requester,
        accepter_vpc=b,
    )
    table = ec2.CfnRouteTable(stack, "Spare", vpc_id=b.vpc_id)
    return side, table


def test_a_table_with_no_subnet_gets_routes_to_every_block_of_the_peer(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, _, b, peering = pair
    table = ec2.CfnRouteTable(stack, "Spare", vpc_id=b.vpc_id)

    [route] = peering.add_route("SpareToA", route_table=table, side=PeeringSide.ACCEPTER)

    assert route in peering.accepter_routes
    assert route.node.path == "Net/P/SpareToA"
    Template.from_stack(stack).has_resource_properties(
        "AWS::EC2::Route",
        {
            "RouteTableId": {"Ref": stack.get_logical_id(table)},
            "DestinationCidrBlock": "10.0.0.0/16",
            "VpcPeeringConnectionId": {"Ref": stack.get_logical_id(peering.peering_connection)},
        },
    )


def test_a_given_destination_and_a_table_id(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, _, _, peering = pair
    [route] = peering.add_route(
        "Gw",
        route_table="rtb-0123456789abcdef0",
        side=PeeringSide.REQUESTER,
        destination="10.1.4.0/24",
    )
    assert route in peering.requester_routes
    assert stack.resolve(route.route_table_id) == "rtb-0123456789abcdef0"
    assert route.destination_cidr_block == "10.1.4.0/24"


@pytest.mark.parametrize(
    ("destination", "rule"),
    [
        ("10.2.0.0/16", rule_ids.TRANSITIVE_ROUTE),
        ("0.0.0.0/0", rule_ids.EDGE_TO_EDGE_ROUTE),
        ("10.1.0.7/16", rule_ids.INVALID_DESTINATION),
    ],
)
def test_the_peering_rules_check_the_route(
    destination: str, rule: str, pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering]
) -> None:
    stack, a, _, peering = pair
    table = ec2.CfnRouteTable(stack, "Spare", vpc_id=a.vpc_id)
    with pytest.raises(ValidationError) as raised:
        peering.add_route(
            "Bad", route_table=table, side=PeeringSide.REQUESTER, destination=destination
        )
    only_problem(raised, "Net/P/Bad", rule)
    assert peering.node.try_find_child("Bad") is None


def test_a_table_the_peering_already_routes_gets_no_second_route(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    _, a, _, peering = pair
    table = a.isolated_subnets[0].route_table
    with pytest.raises(ValidationError) as raised:
        peering.add_route("Again", route_table=table, side=PeeringSide.REQUESTER)
    only_problem(raised, "Net/P/Again", rule_ids.DUPLICATE_ROUTE_DESTINATION)


def test_a_table_of_the_other_vpc_is_refused(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, a, _, peering = pair
    table = ec2.CfnRouteTable(stack, "Spare", vpc_id=a.vpc_id)
    with pytest.raises(ValidationError) as raised:
        peering.add_route("Wrong", route_table=table, side=PeeringSide.ACCEPTER)
    problem = only_problem(raised, "Net/P/Wrong", rule_ids.ROUTE_TABLE_OF_ANOTHER_VPC)
    assert problem.message.startswith("Route table Net/Spare is not in the accepter VPC Net/B")
    assert problem.fix == "Give side=PeeringSide.REQUESTER for a table of Net/A."


def test_the_side_must_be_a_peering_side(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    _, _, _, peering = pair
    with pytest.raises(ValidationError) as raised:
        peering.add_route("X", route_table="rtb-01234567", side="ACCEPTER")  # type: ignore[arg-type]
    problem = only_problem(raised, "Net/P", rule_ids.INVALID_PARAMETER_TYPE)
    assert problem.message == (
        "add_route: side is 'ACCEPTER' (a str), but it must be a PeeringSide."
    )


def test_the_accepter_table_of_an_inter_region_peering_goes_to_the_accepter_stack() -> None:
    app, home, away, a, b = inter_region_pair()
    peering = VpcPeering(home, "P", requester_vpc=a, accepter_vpc=b)
    table = ec2.CfnRouteTable(away, "Spare", vpc_id=b.vpc_id)

    [route] = peering.add_route("SpareToA", route_table=table, side=PeeringSide.ACCEPTER)

    assert cdk.Stack.of(route).stack_name == "Home-PeeringAccepter-111111111111-eu-west-1"
    routes = Assembly(app.synth()).resources("AWS::EC2::Route")
    spare = routes["Home-PeeringAccepter-111111111111-eu-west-1", away.get_logical_id(route)]
    assert spare["RouteTableId"] == ("Away", away.get_logical_id(table))
    assert spare["VpcPeeringConnectionId"] == (
        "Home",
        home.get_logical_id(peering.peering_connection),
    )


def test_a_side_the_app_does_not_manage_is_refused() -> None:
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    partner = ec2.Vpc.from_vpc_attributes(
        stack,
        "Partner",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.9.0.0/16",
        availability_zones=["us-east-1a"],
    )
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=partner, requester_only=True)
    with pytest.raises(ValidationError) as raised:
        peering.add_route("X", route_table="rtb-01234567", side=PeeringSide.ACCEPTER)
    only_problem(raised, "Net/P/X", rule_ids.SIDE_NOT_MANAGED)


def test_an_accepter_side_routes_another_table_too(
    accepter_side: tuple[VpcPeeringAccepter, ec2.CfnRouteTable],
) -> None:
    side, table = accepter_side

    [route] = side.add_route("Spare", route_table=table, destination="10.9.1.0/24")

    assert route in side.accepter_routes
    assert route.vpc_peering_connection_id == "pcx-0123456789abcdef0"
    # The requester is imported: blocks CDK does not know may hold the destination.
    side.add_route("Out", route_table=table, destination="10.8.0.0/16")
    assert any(rule_ids.DESTINATION_NOT_CHECKED in w for w in warnings_on(side))


def test_a_subnets_route_table_of_a_third_vpc_is_refused(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, _, _, peering = pair
    third = make_vpc(stack, "C", "10.2.0.0/16", isolated_only=True)
    for route_table in (
        third.isolated_subnets[0].route_table,  # an ec2.IRouteTable
        third.isolated_subnets[0].route_table.route_table_id,  # its id, a token
    ):
        with pytest.raises(ValidationError) as raised:
            peering.add_route("Third", route_table=route_table, side=PeeringSide.REQUESTER)
        problem = only_problem(raised, "Net/P/Third", rule_ids.ROUTE_TABLE_OF_ANOTHER_VPC)
        assert problem.message == (
            "Route table Net/C/IsolatedSubnet1/RouteTable is not in the requester VPC Net/A "
            "(it is in VPC Net/C): a route through the peering must be in a table of one of "
            "its VPCs."
        )
        assert peering.node.try_find_child("Third") is None


@pytest.mark.parametrize(
    ("route_table", "message"),
    [
        (
            "subnet-0123456789abcdef0",
            "route_table 'subnet-0123456789abcdef0' is a subnet's id, not a route table's.",
        ),
        ("rtb-xyz", "route_table 'rtb-xyz' is no route table id."),
        ("main", "route_table 'main' is no route table id."),
    ],
)
def test_a_string_that_is_no_route_table_id_is_refused(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering], route_table: str, message: str
) -> None:
    _, _, _, peering = pair
    with pytest.raises(ValidationError) as raised:
        peering.add_route("X", route_table=route_table, side=PeeringSide.REQUESTER)
    problem = only_problem(raised, "Net/P/X", rule_ids.INVALID_ROUTE_TABLE)
    assert problem.message == message
    assert "subnet.route_table" in problem.fix


def test_a_subnet_id_token_is_no_route_table(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    _, a, _, peering = pair
    with pytest.raises(ValidationError) as raised:
        peering.add_route(
            "X", route_table=a.isolated_subnets[0].subnet_id, side=PeeringSide.REQUESTER
        )
    problem = only_problem(raised, "Net/P/X", rule_ids.INVALID_ROUTE_TABLE)
    assert problem.message == (
        "route_table is the id of Net/A/IsolatedSubnet1/Subnet (an AWS::EC2::Subnet), not of "
        "a route table."
    )


def test_an_accepter_sides_add_route_takes_the_side_as_its_docs_say(
    accepter_side: tuple[VpcPeeringAccepter, ec2.CfnRouteTable],
) -> None:
    side, table = accepter_side

    [route] = side.add_route("Spare", route_table=table, side=PeeringSide.ACCEPTER)

    assert route.destination_cidr_block == "10.9.0.0/16"
    with pytest.raises(ValidationError) as raised:
        side.add_route("Theirs", route_table="rtb-01234567", side=PeeringSide.REQUESTER)
    only_problem(raised, "Net/Side/Theirs", rule_ids.SIDE_NOT_MANAGED)


def test_the_table_of_a_subnet_imported_without_its_table_says_how_to_import_it(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, _, _, peering = pair
    subnet = ec2.Subnet.from_subnet_id(stack, "Imported", "subnet-0123456789abcdef0")
    with pytest.raises(ValidationError) as raised:
        peering.add_route("X", route_table=subnet.route_table, side=PeeringSide.REQUESTER)
    problem = only_problem(raised, "Net/P/X", rule_ids.UNKNOWN_ROUTE_TABLE)
    assert problem.message.startswith(
        "route_table has no id: it is the route_table of a subnet imported without its route "
        "table id"
    )
    assert "route_table_id='rtb-...'" in problem.fix
    assert peering.node.try_find_child("X") is None


def test_one_id_given_twice_is_an_error_naming_it(
    pair: tuple[cdk.Stack, ec2.Vpc, ec2.Vpc, VpcPeering],
) -> None:
    stack, a, _, peering = pair
    extra = [ec2.CfnRouteTable(stack, f"Spare{i}", vpc_id=a.vpc_id) for i in range(2)]
    peering.add_route("X", route_table=extra[0], side=PeeringSide.REQUESTER)
    routes = len(peering.requester_routes)
    for taken in ("X", "Resource"):  # an earlier route's id, the connection's
        with pytest.raises(ValidationError) as raised:
            peering.add_route(taken, route_table=extra[1], side=PeeringSide.REQUESTER)
        problem = only_problem(raised, f"Net/P/{taken}", rule_ids.ROUTE_ID_TAKEN)
        assert problem.message == (
            f"Net/P already has a construct with the id '{taken}' (a route of an earlier "
            "add_route, or a part of the peering), which this add_route's route would take."
        )
        assert problem.fix == "Give each route its own id."
    assert len(peering.requester_routes) == routes


def test_a_third_vpcs_table_on_an_accepter_side_names_no_other_side(
    accepter_side: tuple[VpcPeeringAccepter, ec2.CfnRouteTable],
) -> None:
    side, _ = accepter_side
    stack = cdk.Stack.of(side)
    third = make_vpc(stack, "C", "10.2.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        side.add_route("Third", route_table=third.isolated_subnets[0].route_table)
    problem = only_problem(raised, "Net/Side/Third", rule_ids.ROUTE_TABLE_OF_ANOTHER_VPC)
    assert problem.fix == "Give a route table of Net/B."  # it routes no other side
    with pytest.raises(ValidationError) as raised:
        side.add_route("Theirs", route_table="rtb-01234567", side=PeeringSide.REQUESTER)
    problem = only_problem(raised, "Net/Side/Theirs", rule_ids.SIDE_NOT_MANAGED)
    assert problem.fix == (
        "A VpcPeeringAccepter routes the accepter's side only: give a table of Net/B (leave "
        "side out), and let the requester's owner route its side."
    )
