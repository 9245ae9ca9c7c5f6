"""No one-way routes by default: routes into a peer point at the subnets that route back."""

from __future__ import annotations

import ipaddress

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from cdk_peering import PeerDestinations, ValidationError, VpcPeering, rule_ids
from cdk_peering.model.cidr import cover_blocks
from cdk_peering.model.plan import ACCEPTER, REQUESTER
from cdk_peering.model.vpc import VpcData
from cdk_peering.rules.return_routes import SubnetRoute, one_way_routes
from tests.conftest import ENV, new_app
from tests.helpers import (
    destinations_by_table,
    make_vpc,
    peering_plan,
    peering_routes,
    route_table_refs,
    warnings_on,
)

ISOLATED = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
N = ipaddress.IPv4Network


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(new_app(), "Net", env=ENV)


def _routes(stack: cdk.Stack, peering: VpcPeering) -> dict[str, set[str]]:
    template = Template.from_stack(stack)
    return destinations_by_table(
        peering_routes(template, stack.get_logical_id(peering.peering_connection))
    )


def test_routes_into_a_peer_point_at_its_selected_subnets_merged(stack: cdk.Stack) -> None:
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=ISOLATED)

    routes = _routes(stack, peering)

    # B's isolated subnets 10.1.128.0/18 and 10.1.192.0/18 are adjacent: one /17.
    assert routes == {
        **{table: {"10.1.128.0/17"} for table in route_table_refs(stack, a)},
        **{table: {"10.0.0.0/16"} for table in route_table_refs(stack, b, *b.isolated_subnets)},
    }
    assert warnings_on(peering) == []


def test_both_sides_restricted_route_to_each_others_selection(stack: cdk.Stack) -> None:
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    public = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        requester_subnets=public,
        accepter_subnets=ISOLATED,
    )
    assert _routes(stack, peering) == {
        **{t: {"10.1.128.0/17"} for t in route_table_refs(stack, a, *a.public_subnets)},
        **{t: {"10.0.0.0/17"} for t in route_table_refs(stack, b, *b.isolated_subnets)},
    }


def test_subnets_that_are_not_adjacent_stay_apart(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16")
    # One isolated subnet per zone; the public subnet between them is not selected.
    one = ec2.SubnetSelection(subnets=[b.public_subnets[0], b.isolated_subnets[1]])
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=one)
    [destinations] = {
        frozenset(v) for k, v in _routes(stack, peering).items() if k in route_table_refs(stack, a)
    }
    assert destinations == {"10.1.0.0/18", "10.1.192.0/18"}


def test_an_explicit_whole_vpc_choice_warns_of_the_one_way_routes(stack: cdk.Stack) -> None:
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_subnets=ISOLATED,
        accepter_destinations=PeerDestinations.vpc_cidrs(),
    )
    [warning] = warnings_on(peering)
    assert warning.startswith(
        "Routes in route tables of Net/A reach subnets of Net/B (Net/B/PublicSubnet1, "
        "Net/B/PublicSubnet2) whose route tables have no route through this peering back"
    )
    assert warning.endswith(f"[ack: {rule_ids.ONE_WAY_ROUTE}]")


def test_routes_over_the_quota_only_because_of_the_selection_are_an_error(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    # 102 subnets, every other one selected: 51 blocks that cannot merge.
    b = ec2.Vpc.from_vpc_attributes(
        stack,
        "B",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.1.0.0/16",
        availability_zones=["us-east-1a"] * 102,
        isolated_subnet_ids=[f"subnet-{i:017x}" for i in range(102)],
        isolated_subnet_ipv4_cidr_blocks=[f"10.1.{i}.0/24" for i in range(102)],
        isolated_subnet_route_table_ids=[f"rtb-{i:017x}" for i in range(102)],
    )
    every_other = ec2.SubnetSelection(subnets=b.isolated_subnets[::2])
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=every_other)
    problems = [p for p in raised.value.problems if p.rule == rule_ids.RETURN_ROUTES_OVER_QUOTA]
    assert len(problems) == 2  # one per route table of A
    problem = problems[0]
    assert "would hold 51 IPv4 peering routes, more than the quota of 50" in problem.message
    assert "routes to whole peer VPCs would be 50 fewer and fit" in problem.message
    assert "accepter_destinations=PeerDestinations.vpc_cidrs()" in problem.fix


def test_dual_stack_peers_get_a_route_to_each_selected_subnets_ipv6_block(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True)
    peering = VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=ISOLATED)
    ipv6 = [r for r in peering.requester_routes if r.destination_ipv6_cidr_block]
    assert len(ipv6) == 2 * 4  # the two isolated subnets' blocks, in each of A's 4 tables
    assert {r.node.id.split("-", 1)[1] for r in ipv6} == {
        "IsolatedSubnet1Ipv6",
        "IsolatedSubnet2Ipv6",
    }


# --- the pure pieces, no App


def test_cover_blocks_grows_inside_the_vpc_and_around_other_subnets() -> None:
    assert cover_blocks(
        [N("10.0.128.0/18"), N("10.0.192.0/18")], [N("10.0.0.0/18")], [N("10.0.0.0/16")]
    ) == [N("10.0.128.0/17")]
    # Never beyond the VPC's own block, even with nothing else around.
    assert cover_blocks([N("10.0.1.0/24")], [], [N("10.0.0.0/22")]) == [N("10.0.0.0/22")]
    # A block outside the known ones stays as it is.
    assert cover_blocks([N("10.9.0.0/24")], [], [N("10.0.0.0/16")]) == [N("10.9.0.0/24")]


A = VpcData("vpc-a", "Net/A", ("10.0.0.0/16",))
B = VpcData("vpc-b", "Net/B", ("10.1.0.0/16",))


A_SUBNETS = [
    SubnetRoute("Net/A/S1", "10.0.0.0/17", "rtb-a1"),
    SubnetRoute("Net/A/S2", "10.0.128.0/17", "rtb-a2"),
]
B_SUBNETS = [
    SubnetRoute("Net/B/S1", "10.1.0.0/17", "rtb-b1"),
    SubnetRoute("Net/B/S2", "10.1.128.0/17", "rtb-b2"),
]


def test_routes_both_ways_are_not_one_way() -> None:
    plan = peering_plan(
        A,
        B,
        (REQUESTER, "rtb-a1", "10.1.0.0/17"),
        (ACCEPTER, "rtb-b1", "10.0.0.0/17"),
    )
    assert one_way_routes(plan, A_SUBNETS, B_SUBNETS) == []


def test_a_table_that_does_not_route_back_is_named() -> None:
    plan = peering_plan(
        A,
        B,
        (REQUESTER, "rtb-a1", "10.1.0.0/16"),  # reaches both of B's subnets
        (ACCEPTER, "rtb-b1", "10.0.0.0/16"),  # only S1 of B routes back
    )
    from_a, from_b = one_way_routes(plan, A_SUBNETS, B_SUBNETS)
    assert (from_a.rule, from_b.rule) == (rule_ids.ONE_WAY_ROUTE, rule_ids.ONE_WAY_ROUTE)
    assert "reach subnets of Net/B (Net/B/S2)" in from_a.message
    # B's route to all of A reaches S2 of A, whose table routes nowhere.
    assert "reach subnets of Net/A (Net/A/S2)" in from_b.message


def test_a_route_back_to_part_of_the_sources_is_one_way() -> None:
    plan = peering_plan(
        A,
        B,
        (REQUESTER, "rtb-a1", "10.1.0.0/17"),
        (ACCEPTER, "rtb-b1", "10.0.0.0/18"),  # S1 of A is a /17: half its replies are lost
    )
    [finding] = one_way_routes(plan, A_SUBNETS, B_SUBNETS)
    assert "(Net/B/S1)" in finding.message


def test_routes_that_together_cover_the_sources_answer_them() -> None:
    # Four /19 routes back cover S1 of A (a /17) together, though none alone does.
    quarters = [(ACCEPTER, "rtb-b1", f"10.0.{32 * i}.0/19") for i in range(4)]
    plan = peering_plan(A, B, (REQUESTER, "rtb-a1", "10.1.0.0/17"), *quarters)
    assert one_way_routes(plan, A_SUBNETS, B_SUBNETS) == []
    # Three of them leave a quarter of S1's replies without a way back.
    plan = peering_plan(A, B, (REQUESTER, "rtb-a1", "10.1.0.0/17"), *quarters[:3])
    [finding] = one_way_routes(plan, A_SUBNETS, B_SUBNETS)
    assert "(Net/B/S1)" in finding.message


def test_a_peering_whose_return_routes_together_cover_the_subnets_does_not_warn(
    stack: cdk.Stack,
) -> None:
    a, b = make_vpc(stack, "A", "10.0.0.0/16"), make_vpc(stack, "B", "10.1.0.0/16")
    # A's subnets are /18s: the first one is routed back in two /19 halves.
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        requester_destinations=PeerDestinations.cidr_blocks(
            ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17"]
        ),
    )
    assert warnings_on(peering) == []
