"""A connection without automatic routes (default_routes=False), and VPCs without subnets.

A VPC with no subnet the library can read (an ``ec2.Vpc`` with no subnet configuration,
an aws-ec2-alpha ``VpcV2`` before its subnets, an imported VPC given without subnet ids)
is a valid side: its side gets no route, with a warning while default routes are on.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from cdk_peering import (
    HubAndSpoke,
    PeerDestinations,
    PeeringMesh,
    PeeringSide,
    Problem,
    TopologyPlacement,
    ValidationError,
    VpcPeering,
    rule_ids,
)
from tests.conftest import ENV, new_app
from tests.helpers import Assembly, inter_region_pair, make_vpc, only_problem, warnings_on

ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def _stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Net", env=ENV)


def _without_subnets(stack: cdk.Stack, id: str, cidr: str) -> ec2.Vpc:
    """An ec2.Vpc with no subnet (as a VpcV2 is before its subnets are added)."""
    return ec2.Vpc(stack, id, ip_addresses=ec2.IpAddresses.cidr(cidr), subnet_configuration=[])


def _imported_without_subnets(stack: cdk.Stack, id: str, cidr: str) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack, id, vpc_id="vpc-0123456789abcdef0", vpc_cidr_block=cidr, availability_zones=["a"]
    )


def _warnings(construct: cdk.Stack | VpcPeering, rule: str) -> list[str]:
    return [w for w in warnings_on(construct) if w.endswith(f"[ack: {rule}]")]


# --- default_routes=False ----------------------------------------------------------------


def test_without_default_routes_the_connection_has_no_route_until_add_route() -> None:
    stack = _stack()
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")

    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        default_routes=False,
        requester_resolves_accepter_dns=True,
    )

    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::VPCPeeringConnection", 1)
    assert peering.requester_routes == []
    assert peering.accepter_routes == []
    assert not [
        r
        for r in template.find_resources("AWS::EC2::Route").values()
        if "VpcPeeringConnectionId" in r["Properties"]
    ]
    # The options are made all the same.
    assert len(peering.connection_options) == 1
    assert warnings_on(peering) == []

    # Routes by hand, on either side, checked as the peering's own.
    [table] = a.public_subnets[:1]
    [to_b] = peering.add_route("ToB", route_table=table.route_table, side=PeeringSide.REQUESTER)
    [to_a] = peering.add_route(
        "ToA", route_table=b.isolated_subnets[0].route_table, side=PeeringSide.ACCEPTER
    )
    assert (to_b.destination_cidr_block, to_a.destination_cidr_block) == (
        "10.1.0.0/16",
        "10.0.0.0/16",
    )
    assert peering.requester_routes == [to_b]
    assert peering.accepter_routes == [to_a]


def test_without_default_routes_across_regions_the_accepter_side_holds_add_route() -> None:
    app, home, _away, a, b = inter_region_pair()
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, default_routes=False)
    [route] = peering.add_route(
        "Back", route_table=b.isolated_subnets[0].route_table, side=PeeringSide.ACCEPTER
    )

    assembly = Assembly(app.synth())

    assert peering.accepter_side is not None
    assert cdk.Stack.of(route).stack_name == "Home-PeeringAccepter-111111111111-eu-west-1"
    routes = assembly.resources("AWS::EC2::Route")
    assert [key[0] for key in routes] == ["Home-PeeringAccepter-111111111111-eu-west-1"]
    # The accepter's view is still named.
    assert peering.accepter_tags is not None


@pytest.mark.parametrize(
    "prop",
    ["requester_subnets", "accepter_subnets", "accepter_destinations", "requester_destinations"],
)
def test_route_options_without_default_routes_are_an_error(prop: str) -> None:
    stack = _stack()
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    value: Any = ISOLATED if prop.endswith("subnets") else PeerDestinations.subnet_cidrs(ISOLATED)

    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack, "P", requester_vpc=a, accepter_vpc=b, default_routes=False, **{prop: value}
        )

    problem = only_problem(raised, "Net/P", rule_ids.ROUTE_OPTIONS_WITHOUT_DEFAULT_ROUTES)
    assert problem.message.startswith(f"default_routes is False, but {prop} is given")
    assert "add_route" in problem.fix
    assert stack.node.try_find_child("P") is None


def test_default_routes_must_be_true_or_false() -> None:
    stack = _stack()
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    with pytest.raises(ValidationError, match="default_routes is 'no' \\(a str\\)"):
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, default_routes="no")  # type: ignore[arg-type]


@pytest.mark.parametrize("topology", ["mesh", "hub"])
def test_topologies_without_default_routes_make_connections_only(topology: str) -> None:
    stack = _stack()
    vpcs = [make_vpc(stack, name, f"10.{i}.0.0/16") for i, name in enumerate("ABC")]
    if topology == "mesh":
        made: PeeringMesh | HubAndSpoke = PeeringMesh(
            stack, "T", vpcs=vpcs, default_routes=False, placement=TopologyPlacement.SCOPE
        )
    else:
        made = HubAndSpoke(
            stack,
            "T",
            hub=vpcs[0],
            spokes=vpcs[1:],
            default_routes=False,
            placement=TopologyPlacement.SCOPE,
        )
    assert made.routes == []
    assert len(made.peering_connections) == (3 if topology == "mesh" else 2)
    template = Template.from_stack(stack)
    assert not [
        r
        for r in template.find_resources("AWS::EC2::Route").values()
        if "VpcPeeringConnectionId" in r["Properties"]
    ]
    # Routed by hand through the connection the topology reports.
    assert made.peering_connection_id(vpcs[1], vpcs[0])


def test_a_topology_with_subnets_and_no_default_routes_is_an_error() -> None:
    stack = _stack()
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    with pytest.raises(ValidationError) as raised:
        HubAndSpoke(stack, "T", hub=a, spokes=[b], spoke_subnets=ISOLATED, default_routes=False)
    problem = only_problem(raised, "Net/T", rule_ids.ROUTE_OPTIONS_WITHOUT_DEFAULT_ROUTES)
    assert "spoke_subnets" in problem.message


# --- VPCs without subnets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imported", "reason"),
    [
        (False, "has no subnet"),
        (True, "has no subnet the library can read (it was imported without subnet ids)"),
    ],
)
def test_an_accepter_without_subnets_is_a_valid_side_with_a_warning_naming_the_real_fix(
    imported: bool, reason: str
) -> None:
    stack = _stack()
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = (
        _imported_without_subnets(stack, "B", "10.1.0.0/16")
        if imported
        else _without_subnets(stack, "B", "10.1.0.0/16")
    )

    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)

    # The requester's side is routed to B; B's side has nothing to route.
    assert {r.destination_cidr_block for r in peering.requester_routes} == {"10.1.0.0/16"}
    assert len(peering.requester_routes) == 2
    assert peering.accepter_routes == []
    [warning] = _warnings(peering, rule_ids.VPC_WITHOUT_SUBNETS)
    assert warning.startswith(
        f"VPC Net/B {reason}: the accepter's side of this peering gets no route, and the "
        "connection carries no traffic between the VPCs until it has some. Fix: If the VPC's "
        "owner routes its side (another app's or account's VPC), give requester_only=True; "
        "to route it here, give default_routes=False and route its tables with "
        "add_route(..., side=PeeringSide.ACCEPTER); or "
    )
    assert "leave accepter_subnets out" not in warning
    # requester_only: nothing to say, the owner routes that side.
    c = make_vpc(stack, "C", "10.2.0.0/16", isolated_only=True)
    quiet = VpcPeering(stack, "Q", requester_vpc=c, accepter_vpc=b, requester_only=True)
    assert _warnings(quiet, rule_ids.VPC_WITHOUT_SUBNETS) == []


def test_without_default_routes_a_vpc_without_subnets_needs_no_warning() -> None:
    stack = _stack()
    a = _without_subnets(stack, "A", "10.0.0.0/16")
    b = _without_subnets(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, default_routes=False)
    assert warnings_on(peering) == []


def test_a_requester_without_subnets_gets_a_warning_naming_its_side() -> None:
    stack = _stack()
    a = _without_subnets(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)
    [warning] = _warnings(peering, rule_ids.VPC_WITHOUT_SUBNETS)
    assert "the requester's side of this peering gets no route" in warning
    assert "requester_only" not in warning
    assert len(peering.accepter_routes) == 2


def _selection_problem(b: ec2.IVpc, prop: str, selection: ec2.SubnetSelection) -> Problem:
    """The one problem of peering Net/A (public and isolated subnets) with ``b``."""
    stack = cdk.Stack.of(b)
    a = make_vpc(stack, "A", "10.0.0.0/16")
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, **{prop: selection})  # type: ignore[arg-type]
    assert "ThereSubnetGroups" not in str(raised.value)  # aws-cdk-lib's words
    return only_problem(raised, "Net/P", rule_ids.EMPTY_SUBNET_SELECTION)


def test_selecting_subnets_of_a_vpc_without_subnets_is_an_error_with_the_real_fix() -> None:
    b = _imported_without_subnets(_stack(), "Theirs", "10.1.0.0/16")
    problem = _selection_problem(b, "accepter_subnets", ISOLATED)
    assert problem.message == (
        "accepter_subnets (subnet_type=PRIVATE_ISOLATED) selects subnets of Net/Theirs, which "
        "has no subnet the library can read (it was imported without subnet ids)."
    )
    assert "requester_only=True" in problem.fix
    assert "default_routes=False" in problem.fix
    assert "leave it out" not in problem.fix


def test_an_empty_selection_says_what_the_vpc_has_in_the_librarys_own_words() -> None:
    b = make_vpc(_stack(), "B", "10.1.0.0/16")
    private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
    problem = _selection_problem(b, "accepter_subnets", private)
    assert problem.message == (
        "accepter_subnets (subnet_type=PRIVATE_WITH_EGRESS) matches no subnet of Net/B, whose "
        "subnets are Public (PUBLIC, 2 subnets) and Isolated (PRIVATE_ISOLATED, 2 subnets)."
    )
    assert problem.fix == (
        "Select subnets that exist in Net/B (for example subnet_group_name='Public' or "
        "subnet_type=ec2.SubnetType.PUBLIC), or leave accepter_subnets out to use every subnet."
    )


def test_a_contradictory_selection_is_said_in_the_librarys_own_words() -> None:
    b = make_vpc(_stack(), "B", "10.1.0.0/16")
    both = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC, subnet_group_name="Isolated")
    problem = _selection_problem(b, "requester_subnets", both)
    assert problem.message == (
        "requester_subnets (subnet_type=PUBLIC, subnet_group_name='Isolated') cannot select "
        "subnets of Net/A: subnet_type and subnet_group_name cannot be given together."
    )


@pytest.mark.parametrize("topology", ["mesh", "hub"])
def test_a_topology_vpc_without_subnets_gets_one_warning(topology: str) -> None:
    stack = _stack()
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    empty = _without_subnets(stack, "Empty", "10.2.0.0/16")
    if topology == "mesh":
        made: PeeringMesh | HubAndSpoke = PeeringMesh(
            stack, "T", vpcs=[a, empty, b], placement=TopologyPlacement.SCOPE
        )
    else:
        made = HubAndSpoke(stack, "T", hub=a, spokes=[empty, b], placement=TopologyPlacement.SCOPE)

    [warning] = _warnings(made, rule_ids.VPC_WITHOUT_SUBNETS)  # type: ignore[arg-type]
    assert warning.startswith("VPC Net/Empty has no subnet: its side of the topology's peerings")
    assert "default_routes=False" in warning
    # The other VPCs still route to it.
    destinations = {r.destination_cidr_block for r in made.routes}
    assert "10.2.0.0/16" in destinations
