"""Bad input: every unsupported configuration is rejected at synth time, clearly."""

from __future__ import annotations

from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from constructs import IConstruct

from cdk_peering import PeerDestinations, PeeringMesh, ValidationError, VpcPeering
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


def _rules(error: ValidationError) -> list[str]:
    return [problem.rule for problem in error.problems]


def _imported(
    stack: cdk.Stack, id: str, cidr: str, *, subnet_cidrs: list[str] | None = None
) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        id,
        vpc_id=f"vpc-{id.lower()}",
        vpc_cidr_block=cidr,
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=[f"subnet-{id.lower()}1", f"subnet-{id.lower()}2"],
        private_subnet_route_table_ids=[f"rtb-{id.lower()}1", f"rtb-{id.lower()}2"],
        private_subnet_ipv4_cidr_blocks=subnet_cidrs,
    )


def _two_vpcs(stack: cdk.Stack) -> tuple[ec2.Vpc, ec2.Vpc]:
    """Return VPCs A (10.0.0.0/16) and B (10.1.0.0/16), two isolated subnets each."""
    return (
        make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True),
        make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True),
    )


def _route_a_to_b(stack: cdk.Stack, a: ec2.IVpc, b: ec2.IVpc, cidrs: list[str]) -> VpcPeering:
    """Peer A with B, A's routes pointing at the given CIDRs only."""
    return VpcPeering(
        stack,
        "Peering",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_destinations=PeerDestinations.cidr_blocks(cidrs),
    )


def _warnings(stack: cdk.Stack, path: str) -> list[str]:
    """Return the warnings on the construct at ``path`` (``/<stack>/<id>/...``)."""
    construct: IConstruct = stack
    for construct_id in path.strip("/").split("/")[1:]:
        construct = construct.node.find_child(construct_id)
    return warnings_on(construct)


# --- overlapping CIDRs ---------------------------------------------------------------


def test_overlapping_primary_cidrs(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.0.128.0/17", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)

    assert _rules(raised.value) == ["cdk_peering:overlappingIpv4Cidrs"]
    text = str(raised.value)
    assert "[TestStack/Peering]" in text
    assert "10.0.0.0/16 of TestStack/A overlaps 10.0.128.0/17 of TestStack/B" in text
    assert "Fix: Peer VPCs whose CIDR blocks are all disjoint" in text


def test_overlapping_secondary_cidr_even_if_unused(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    ec2.CfnVPCCidrBlock(stack, "ASecondary", vpc_id=a.vpc_id, cidr_block="100.64.0.0/16")
    ec2.CfnVPCCidrBlock(stack, "BSecondary", vpc_id=b.vpc_id, cidr_block="100.64.128.0/20")
    with pytest.raises(
        ValidationError, match=r"100\.64\.0\.0/16 of TestStack/A overlaps 100\.64\.128\.0/20"
    ):
        _route_a_to_b(stack, a, b, ["10.1.0.0/16"])


def test_overlapping_ipv6_cidrs(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    for vpc, cidr in ((a, "2600:1f18:aa00::/56"), (b, "2600:1f18:aa00:10::/60")):
        ec2.CfnVPCCidrBlock(
            vpc, "Ipv6", vpc_id=vpc.vpc_id, ipv6_cidr_block=cidr, ipv6_pool="pool-1"
        )
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b)
    assert _rules(raised.value) == ["cdk_peering:overlappingIpv6Cidrs"]
    assert "2600:1f18:aa00::/56" in str(raised.value)


def test_imported_vpc_subnets_outside_its_primary_block_count_for_overlap(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "100.64.0.0/16", isolated_only=True)
    imported = _imported(stack, "Imp", "10.9.0.0/16", subnet_cidrs=["10.9.0.0/24", "100.64.3.0/24"])
    with pytest.raises(ValidationError, match=r"overlaps 100\.64\.3\.0/24 of TestStack/Imp"):
        VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=imported)


# --- one connection per pair, never with itself -----------------------------------------


def test_vpc_peered_with_itself(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=a)
    # Only the root cause: not also an overlap of A with itself.
    assert _rules(raised.value) == ["cdk_peering:selfPeering"]
    assert "VPC TestStack/A cannot be peered with itself" in str(raised.value)


@pytest.mark.parametrize("reverse", [False, True])
def test_second_peering_between_the_same_vpcs(stack: cdk.Stack, reverse: bool) -> None:
    a, b = _two_vpcs(stack)
    VpcPeering(stack, "First", requester_vpc=a, accepter_vpc=b)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack, "Second", requester_vpc=b if reverse else a, accepter_vpc=a if reverse else b
        )
    assert _rules(raised.value) == ["cdk_peering:duplicatePeering"]
    assert "already peered by TestStack/First" in str(raised.value)


def test_second_peering_across_stacks_of_one_app_is_caught() -> None:
    app = new_app()
    one = cdk.Stack(app, "One", env=ENV)
    two = cdk.Stack(app, "Two", env=ENV)
    a = make_vpc(one, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(one, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(one, "First", requester_vpc=a, accepter_vpc=b)
    with pytest.raises(ValidationError, match="already peered by One/First"):
        VpcPeering(two, "Second", requester_vpc=a, accepter_vpc=b)


def test_separate_apps_do_not_share_state() -> None:
    # The same two VPC ids (literal, not per-app tokens) peered once in each of two apps.
    for _ in range(2):
        stack = cdk.Stack(new_app(), "S", env=ENV)
        VpcPeering(
            stack,
            "Peering",
            requester_vpc=imported_vpc(stack, 1),
            accepter_vpc=imported_vpc(stack, 2),
        )
        Template.from_stack(stack).resource_count_is("AWS::EC2::VPCPeeringConnection", 1)


# --- routes: transitive, edge-to-edge, conflicts ----------------------------------------


def test_destination_outside_the_peer_is_transitive_routing(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    with pytest.raises(ValidationError) as raised:
        _route_a_to_b(stack, a, b, ["10.1.0.0/24", "10.2.0.0/16"])
    assert _rules(raised.value) == ["cdk_peering:transitiveRoute"]
    assert "Route destination 10.2.0.0/16 is not inside TestStack/B" in str(raised.value)
    assert "not transitive" in str(raised.value)


@pytest.mark.parametrize("destination", ["0.0.0.0/0", "::/0"])
def test_default_route_through_a_peering_is_edge_to_edge_routing(
    stack: cdk.Stack, destination: str
) -> None:
    a, b = _two_vpcs(stack)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack,
            "Peering",
            requester_vpc=a,
            accepter_vpc=b,
            requester_destinations=PeerDestinations.cidr_blocks([destination]),
        )
    assert _rules(raised.value) == ["cdk_peering:edgeToEdgeRoute"]
    assert f"Route destination {destination} through the peering with TestStack/A" in str(
        raised.value
    )


@pytest.mark.parametrize(
    ("destination", "why", "fix"),
    [
        ("10.1.0.0/33", "is not a CIDR block.", "Give a CIDR such as '10.1.0.0/24'"),
        ("banana", "is not a CIDR block.", "Give a CIDR such as '10.1.0.0/24'"),
        ("10.1.200.7/16", "is not a CIDR block: it has host bits set.", "here '10.1.0.0/16'"),
        ("10.1.0.7", "is not a CIDR block: it has no prefix length.", "here '10.1.0.7/32'"),
    ],
)
def test_destination_that_is_not_a_cidr(
    stack: cdk.Stack, destination: str, why: str, fix: str
) -> None:
    a, b = _two_vpcs(stack)
    with pytest.raises(ValidationError) as raised:
        _route_a_to_b(stack, a, b, [destination])
    problem = only_problem(raised, "TestStack/Peering", "cdk_peering:invalidDestination")
    assert problem.message == f"Route destination {destination!r} {why}"
    assert fix in problem.fix


def test_two_spellings_of_one_ipv6_block_are_one_destination(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = imported_vpc(stack, 1)  # 10.1.0.0/16, IPv4 only
    with pytest.raises(ValidationError) as raised:
        _route_a_to_b(stack, a, b, ["2600:1F18:0:0::/56", "2600:1f18::/56"])
    assert set(_rules(raised.value)) == {"cdk_peering:duplicateRouteDestination"}
    # One spelling alone is written as given (ids and templates do not change with it).
    peering = _route_a_to_b(stack, a, b, ["2600:1F18:0:0::/56"])
    assert {r.destination_ipv6_cidr_block for r in peering.requester_routes} == {
        "2600:1F18:0:0::/56"
    }


def test_two_peering_routes_with_one_destination_in_a_table(stack: cdk.Stack) -> None:
    # B and C overlap each other (not A): A's route tables would get 10.1.0.0/16 twice.
    a, b = _two_vpcs(stack)
    c = make_vpc(stack, "C", "10.1.0.0/16", isolated_only=True)
    VpcPeering(stack, "AB", requester_vpc=a, accepter_vpc=b)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "AC", requester_vpc=a, accepter_vpc=c)
    assert set(_rules(raised.value)) == {"cdk_peering:duplicateRouteDestination"}
    assert len(raised.value.problems) == 2  # one per route table of A
    assert "two peering routes to 10.1.0.0/16 (the other from TestStack/AB)" in str(raised.value)


def test_longest_prefix_routes_resolve_that_conflict(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    c = make_vpc(stack, "C", "10.1.0.0/16", isolated_only=True)
    first = ec2.SubnetSelection(subnets=[a.isolated_subnets[0]])
    second = ec2.SubnetSelection(subnets=[a.isolated_subnets[1]])
    ab = VpcPeering(stack, "AB", requester_vpc=a, accepter_vpc=b, requester_subnets=first)
    ac = VpcPeering(stack, "AC", requester_vpc=a, accepter_vpc=c, requester_subnets=second)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::VPCPeeringConnection", 2)
    # Each of A's tables routes 10.1.0.0/16 through one peering only; each peer routes
    # back to the one subnet of A that routes to it (10.0.0.0/17 or 10.0.128.0/17).
    [first_table] = route_table_refs(stack, a, a.isolated_subnets[0])
    [second_table] = route_table_refs(stack, a, a.isolated_subnets[1])
    for peering, table, peer, back in (
        (ab, first_table, b, "10.0.0.0/17"),
        (ac, second_table, c, "10.0.128.0/17"),
    ):
        routes = peering_routes(template, stack.get_logical_id(peering.peering_connection))
        assert destinations_by_table(routes) == {
            table: {"10.1.0.0/16"},
            **{peer_table: {back} for peer_table in route_table_refs(stack, peer)},
        }


def test_overlapping_destinations_through_two_peerings_are_a_warning(stack: cdk.Stack) -> None:
    # The hub's peers overlap each other (not the hub): its table would route 10.1.0.0/20
    # to S2 only, although S1's block covers it.
    hub = make_vpc(stack, "Hub", "10.0.0.0/16", isolated_only=True)
    s1 = _imported(stack, "S1", "10.1.0.0/16")
    s2 = _imported(stack, "S2", "10.1.0.0/20")
    VpcPeering(stack, "ToS1", requester_vpc=hub, accepter_vpc=s1)
    VpcPeering(stack, "ToS2", requester_vpc=hub, accepter_vpc=s2)
    assert not _warnings(stack, "/TestStack/ToS1")
    warnings = [w for w in _warnings(stack, "/TestStack/ToS2") if "overlappingDestinations" in w]
    assert len(warnings) == 2  # one per route table of the hub
    assert warnings[0].startswith(
        "Route table IsolatedSubnet1 of TestStack/Hub would route 10.1.0.0/20 through "
        "TestStack/ToS2 and 10.1.0.0/16 through TestStack/ToS1: the longer prefix wins, so "
        "traffic to 10.1.0.0/20 goes only through TestStack/ToS2"
    )
    assert "PeerDestinations.subnet_cidrs" in warnings[0]


def test_overlapping_destinations_both_given_are_specific_routes(stack: cdk.Stack) -> None:
    hub = make_vpc(stack, "Hub", "10.0.0.0/16", isolated_only=True)
    s1 = _imported(stack, "S1", "10.1.0.0/16")
    s2 = _imported(stack, "S2", "10.1.0.0/20")
    # Both destinations given: the user chose longest-prefix routing (10.1.0.0/20 to S2).
    for name, spoke, cidr in (("ToS1", s1, "10.1.0.0/16"), ("ToS2", s2, "10.1.0.0/20")):
        VpcPeering(
            stack,
            name,
            requester_vpc=hub,
            accepter_vpc=spoke,
            accepter_destinations=PeerDestinations.cidr_blocks([cidr]),
        )
    assert not any("overlappingDestinations" in w for w in _warnings(stack, "/TestStack/ToS2"))
    # A default (whole-VPC) route over a given one is still reported.
    s3 = _imported(stack, "S3", "10.1.0.0/24")
    VpcPeering(stack, "ToS3", requester_vpc=hub, accepter_vpc=s3)
    assert any("overlappingDestinations" in w for w in _warnings(stack, "/TestStack/ToS3"))


# --- quotas ----------------------------------------------------------------------------


def _hub_with_spokes(stack: cdk.Stack, count: int, **props: object) -> ec2.Vpc:
    """Peer `count` imported spokes with one hub, one route table on each side."""
    hub = make_vpc(stack, "Hub", "10.0.0.0/16", isolated_only=True)
    one_table = ec2.SubnetSelection(subnets=[hub.isolated_subnets[0]])
    for i in range(count):
        spoke = _imported(stack, f"Spoke{i}", f"10.{(i // 256) + 1}.{i % 256}.0/24")
        VpcPeering(
            stack,
            f"Peering{i}",
            requester_vpc=hub,
            accepter_vpc=spoke,
            requester_subnets=one_table,
            accepter_subnets=ec2.SubnetSelection(subnets=[spoke.private_subnets[0]]),
            **props,  # type: ignore[arg-type]
        )
    return hub


def _peering_quota_warnings(stack: cdk.Stack, path: str) -> list[str]:
    return [w for w in _warnings(stack, path) if "cdk_peering:peeringQuota]" in w]


def test_more_than_50_peerings_on_a_vpc_is_a_warning(stack: cdk.Stack) -> None:
    _hub_with_spokes(stack, 51)
    warnings = _peering_quota_warnings(stack, "/TestStack/Peering50")
    assert any(
        "VPC TestStack/Hub now has 51 peering connections, more than the quota of 50" in w
        and "[ack: cdk_peering:peeringQuota]" in w
        for w in warnings
    )
    assert not _peering_quota_warnings(stack, "/TestStack/Peering49")


def test_a_declared_raised_peering_quota_silences_the_warning(stack: cdk.Stack) -> None:
    _hub_with_spokes(stack, 51, peerings_per_vpc_quota=100)
    assert not _peering_quota_warnings(stack, "/TestStack/Peering50")


def test_peering_quota_declared_in_context() -> None:
    stack = cdk.Stack(
        new_app(**{"cdk-peering:activePeeringsPerVpcQuota": 60}), "TestStack", env=ENV
    )
    _hub_with_spokes(stack, 51)
    assert not _peering_quota_warnings(stack, "/TestStack/Peering50")


def test_more_than_125_peerings_on_a_vpc_is_an_error(stack: cdk.Stack) -> None:
    hub = _hub_with_spokes(stack, 125, peerings_per_vpc_quota=125)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack,
            "OneTooMany",
            requester_vpc=hub,
            accepter_vpc=_imported(stack, "Last", "172.16.0.0/16"),
        )
    assert _rules(raised.value) == ["cdk_peering:peeringQuotaExceeded"]
    assert "would have 126 peering connections; AWS allows at most 125" in str(raised.value)


@pytest.mark.parametrize("quota", [10, 126])
def test_an_invalid_declared_quota(stack: cdk.Stack, quota: object) -> None:
    a, b = _two_vpcs(stack)
    with pytest.raises(
        ValidationError, match="is not a valid active peering connections per VPC quota"
    ):
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, peerings_per_vpc_quota=quota)  # type: ignore[arg-type]


def _many_destinations(count: int) -> PeerDestinations:
    return PeerDestinations.cidr_blocks([f"10.1.{i // 4}.{(i % 4) * 64}/26" for i in range(count)])


def test_more_routes_in_a_table_than_the_quota_is_a_warning(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    VpcPeering(
        stack, "P", requester_vpc=a, accepter_vpc=b, accepter_destinations=_many_destinations(51)
    )
    # (B routes back to all of A, A to a part of B only: a oneWayRoute warning too.)
    warnings = [w for w in _warnings(stack, "/TestStack/P") if "cdk_peering:routeQuota]" in w]
    assert len(warnings) == 2  # one per table
    assert any(
        "now holds 51 IPv4 peering routes, more than the quota of 50 non-propagated routes" in w
        and "routes_per_route_table_quota" in w
        for w in warnings
    )
    # Each warning names its table and the VPC's path.
    assert {w.split(" now holds")[0].split("] ")[-1] for w in warnings} == {
        "Route table IsolatedSubnet1 of TestStack/A",
        "Route table IsolatedSubnet2 of TestStack/A",
    }


def test_a_declared_raised_route_quota_silences_the_warning(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_destinations=_many_destinations(51),
        routes_per_route_table_quota=100,
    )
    assert not [w for w in _warnings(stack, "/TestStack/P") if "routeQuota" in w]


def test_route_quota_counts_routes_from_every_peering_in_the_app(stack: cdk.Stack) -> None:
    hub = make_vpc(stack, "Hub", "10.0.0.0/16", isolated_only=True)
    for i in range(51):
        spoke = _imported(stack, f"Spoke{i}", f"10.1.{i}.0/24")
        VpcPeering(stack, f"P{i}", requester_vpc=hub, accepter_vpc=spoke)
    assert not _warnings(stack, "/TestStack/P49")
    assert any("cdk_peering:routeQuota]" in w for w in _warnings(stack, "/TestStack/P50"))


def test_more_routes_than_the_route_quota_maximum_is_an_error(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    many = PeerDestinations.cidr_blocks([f"10.1.{i // 8}.{(i % 8) * 32}/27" for i in range(1001)])
    with pytest.raises(
        ValidationError, match="would hold 1001 IPv4 peering routes; AWS allows at most 1000"
    ):
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_destinations=many)


# --- subnet selections -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("selection", "given"),
    [
        (ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC), "subnet_type=PUBLIC"),
        (ec2.SubnetSelection(subnet_group_name="Nope"), "subnet_group_name='Nope'"),
        (
            ec2.SubnetSelection(subnet_filters=[ec2.SubnetFilter.by_ids(["subnet-x"])]),
            "subnet_filters=[1 given]",
        ),
    ],
)
def test_subnet_selection_that_matches_no_subnet(
    stack: cdk.Stack, selection: ec2.SubnetSelection, given: str
) -> None:
    a, b = _two_vpcs(stack)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, accepter_subnets=selection)
    assert _rules(raised.value) == ["cdk_peering:emptySubnetSelection"]
    # The library's own words: what was asked, and what the VPC has.
    assert raised.value.problems[0].message == (
        f"accepter_subnets ({given}) matches no subnet of TestStack/B, whose subnets are "
        "Isolated (PRIVATE_ISOLATED, 2 subnets)."
    )
    assert "JavaScript" not in str(raised.value)
    assert "There are no" not in str(raised.value)


@pytest.mark.parametrize(
    ("prop", "subnets_of", "named"),
    [
        ("requester_subnets", "B", "TestStack/B/IsolatedSubnet1 (a subnet of VPC TestStack/B)"),
        ("accepter_subnets", "A", "TestStack/A/IsolatedSubnet1 (a subnet of VPC TestStack/A)"),
        (
            "accepter_destinations",
            "A",
            "TestStack/A/IsolatedSubnet1 (a subnet of VPC TestStack/A)",
        ),
        ("requester_subnets", "imported", "TestStack/Sn (a subnet of a VPC imported into the app)"),
    ],
)
def test_explicit_subnets_of_another_vpc_are_an_error(
    stack: cdk.Stack, prop: str, subnets_of: str, named: str
) -> None:
    a, b = _two_vpcs(stack)
    owner = {"A": a, "B": b}.get(subnets_of)
    subnet = (
        owner.isolated_subnets[0]
        if owner is not None
        else ec2.Subnet.from_subnet_id(stack, "Sn", "subnet-0123456789abcdef0")
    )
    selection = ec2.SubnetSelection(subnets=[subnet])
    value: object = (
        PeerDestinations.subnet_cidrs(selection) if prop.endswith("destinations") else selection
    )
    children = len(stack.node.children)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b, **{prop: value})  # type: ignore[arg-type]
    problem = only_problem(raised, "TestStack/P", "cdk_peering:subnetOfAnotherVpc")
    selects = "TestStack/A" if prop.startswith("requester") else "TestStack/B"
    assert problem.message.startswith(f"{prop} names {named}, but it selects subnets of {selects}")
    assert problem.fix.startswith(f"Select subnets of {selects} in {prop}")
    assert len(stack.node.children) == children


def test_explicit_subnets_of_the_vpc_itself_are_fine(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        requester_subnets=ec2.SubnetSelection(subnets=[a.isolated_subnets[0]]),
        requester_destinations=PeerDestinations.subnet_cidrs(
            ec2.SubnetSelection(subnets=[a.isolated_subnets[0]])
        ),
    )
    assert len(peering.requester_routes) == 1


def test_imported_subnet_without_route_table(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = ec2.Vpc.from_vpc_attributes(
        stack,
        "Imp",
        vpc_id="vpc-imp",
        vpc_cidr_block="10.9.0.0/16",
        availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-1"],
    )
    with pytest.raises(ValidationError, match=r"Subnet subnet-1 .* has no known route table"):
        VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=imported)


# --- tokens: skipped with a warning, never a crash --------------------------------------


def test_token_cidr_skips_the_overlap_check_with_a_warning(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = _imported(stack, "Imp", cdk.Fn.import_value("SharedVpcCidr"))
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=imported)

    warnings = _warnings(stack, "/TestStack/P")
    assert (
        "Skipped the CIDR overlap check for TestStack/Imp: 1 of its CIDR blocks is not known "
        "(unresolved tokens, IPAM allocations, or a VPC imported without vpc_cidr_block)."
    ) in "".join(warnings)
    assert any("[ack: cdk_peering:overlapNotChecked]" in w for w in warnings)
    Template.from_stack(stack).has_resource_properties(
        "AWS::EC2::Route", {"DestinationCidrBlock": {"Fn::ImportValue": "SharedVpcCidr"}}
    )


def test_token_destination_skips_the_destination_check_with_a_warning(stack: cdk.Stack) -> None:
    a, b = _two_vpcs(stack)
    VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_destinations=PeerDestinations.cidr_blocks([cdk.Fn.import_value("Cidr")]),
    )
    assert any("cdk_peering:destinationNotChecked]" in w for w in _warnings(stack, "/TestStack/P"))


def test_amazon_provided_ipv6_blocks_need_no_overlap_warning(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True, isolated_only=True)
    VpcPeering(stack, "P", requester_vpc=a, accepter_vpc=b)
    assert not _warnings(stack, "/TestStack/P")


def test_destination_in_an_imported_vpc_cannot_be_confirmed(stack: cdk.Stack) -> None:
    # CDK only knows an imported VPC's primary block; a secondary one may hold the CIDR.
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = _imported(stack, "Imp", "10.9.0.0/16")
    VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=imported,
        accepter_destinations=PeerDestinations.cidr_blocks(["100.64.0.0/16"]),
    )
    assert any(
        "Could not confirm that route destination 100.64.0.0/16 lies inside TestStack/Imp" in w
        for w in _warnings(stack, "/TestStack/P")
    )


# --- all problems at once, nothing half-built -------------------------------------------


def test_every_problem_is_reported_and_nothing_is_added(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.0.0.0/20", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack,
            "P",
            requester_vpc=a,
            accepter_vpc=b,
            accepter_destinations=PeerDestinations.cidr_blocks(["0.0.0.0/0"]),
            routes_per_route_table_quota=5,
        )
    assert _rules(raised.value) == [
        "cdk_peering:invalidQuota",
        "cdk_peering:overlappingIpv4Cidrs",
        "cdk_peering:edgeToEdgeRoute",
    ]
    assert str(raised.value).startswith("3 problems:")
    assert stack.node.try_find_child("P") is None
    Template.from_stack(stack).resource_count_is("AWS::EC2::VPCPeeringConnection", 0)


# --- an imported VPC without vpc_cidr_block --------------------------------------------


def _without_cidr(stack: cdk.Stack) -> ec2.IVpc:
    """VPC Imp, imported with its subnets and route tables but no vpc_cidr_block."""
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Imp",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a"],
        isolated_subnet_ids=["subnet-0123456789abcdef0"],
        isolated_subnet_route_table_ids=["rtb-0123456789abcdef0"],
    )


UNKNOWN_CIDR_FIX = (
    "Give Vpc.from_vpc_attributes(...) the VPC's primary IPv4 block as vpc_cidr_block (for "
    "example vpc_cidr_block='10.1.0.0/16')"
)


@pytest.mark.parametrize("requester_only", [False, True])
def test_routes_to_an_imported_vpc_without_its_cidr_say_which_attribute_to_pass(
    stack: cdk.Stack, requester_only: bool
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack,
            "P",
            requester_vpc=a,
            accepter_vpc=_without_cidr(stack),
            requester_only=requester_only,
        )
    problem = only_problem(raised, "TestStack/P", "cdk_peering:unknownVpcCidr")
    assert problem.message == (
        "accepter_vpc TestStack/Imp was imported without vpc_cidr_block, and the requester's "
        "routes to it need its CIDR blocks."
    )
    assert problem.fix == (
        f"{UNKNOWN_CIDR_FIX}, or give accepter_destinations=PeerDestinations.cidr_blocks([...]) "
        "with CIDRs inside it."
    )
    assert "CannotPerformOperationVpcCidr" not in str(raised.value)
    assert stack.node.try_find_child("P") is None


def test_an_imported_vpc_without_its_cidr_with_explicit_destinations_is_peered(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=_without_cidr(stack),
        accepter_destinations=PeerDestinations.cidr_blocks(["10.1.0.0/16"]),
        requester_destinations=PeerDestinations.cidr_blocks(["10.0.0.0/16"]),
    )
    assert {r.destination_cidr_block for r in peering.requester_routes} == {"10.1.0.0/16"}
    # Its overlap cannot be checked: a warning, as for a token.
    assert any(
        "Skipped the CIDR overlap check for TestStack/Imp: 1 of its CIDR blocks is not known" in w
        for w in _warnings(stack, "/TestStack/P")
    )


def test_a_mesh_with_an_imported_vpc_without_its_cidr_is_an_error(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        PeeringMesh(stack, "Mesh", vpcs=[a, _without_cidr(stack)])
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:unknownVpcCidr"
    assert problem.fix == f"{UNKNOWN_CIDR_FIX}."


@pytest.mark.parametrize("use", ["allow_from_peer", "endpoint client", "service", "add_route"])
def test_every_use_of_an_imported_vpcs_cidr_says_which_attribute_to_pass(
    stack: cdk.Stack, use: str
) -> None:
    from cdk_peering import PeeringSide, PrivateLinkEndpoint, PrivateLinkService, allow_from_peer

    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = _without_cidr(stack)
    peering = VpcPeering(
        stack,
        "P",
        requester_vpc=a,
        accepter_vpc=imported,
        default_routes=False,
    )
    service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    build: Callable[[], object] = {
        "allow_from_peer": lambda: allow_from_peer(
            ec2.SecurityGroup(stack, "Sg", vpc=a), peer_vpc=imported, port=ec2.Port.tcp(443)
        ),
        "endpoint client": lambda: PrivateLinkEndpoint(
            stack, "E", vpc=a, service=service, port=443, client_vpcs=[imported]
        ),
        "service": lambda: PrivateLinkService(stack, "S", vpc=imported, port=443),
        "add_route": lambda: peering.add_route(
            "ToImp", route_table=a.isolated_subnets[0].route_table, side=PeeringSide.REQUESTER
        ),
    }[use]
    with pytest.raises(ValidationError) as raised:
        build()
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:unknownVpcCidr"
    param = {"allow_from_peer": "peer_vpc", "endpoint client": "client_vpcs[0]", "service": "vpc"}
    assert problem.message.startswith(
        f"{param.get(use, 'accepter_vpc')} TestStack/Imp was imported without vpc_cidr_block, and "
    )
    assert problem.fix.startswith(UNKNOWN_CIDR_FIX)
    assert "CannotPerformOperationVpcCidr" not in str(raised.value)
