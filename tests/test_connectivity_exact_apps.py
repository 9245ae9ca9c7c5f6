"""The exact model on CDK apps: environment-agnostic stacks, every address, names,
unknowns, IPv6, network ACLs, prefix lists, security groups and targets off the peering.

Each app is synthesized once per module; the answers are checked against what AWS does,
worked out by hand in the comments.
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as targets

from cdk_peering import (
    HubAndSpoke,
    PeeringMesh,
    PrivateLinkEndpoint,
    PrivateLinkService,
    VpcPeering,
)
from cdk_peering.connectivity import ConnectivityError, Network, PathError
from cdk_peering.testing import assert_not_reachable, assert_reachable
from tests.conftest import new_app
from tests.connectivity_apps import network_of, routes, tables
from tests.connectivity_apps import vpc as one_zone_vpc

ISOLATED = ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)


def isolated_vpc(scope: cdk.Stack, id: str, cidr: str, **extra: object) -> ec2.Vpc:
    """Two zones, one isolated subnet in each (/17 each of a /16)."""
    return ec2.Vpc(
        scope,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        max_azs=2,
        nat_gateways=0,
        restrict_default_security_group=False,
        subnet_configuration=[ISOLATED],
        **extra,  # type: ignore[arg-type]
    )


# --- 1. stacks without env ---------------------------------------------------------------


@pytest.fixture(scope="module")
def agnostic() -> Network:
    """Everything in environment-agnostic stacks: a peering, a mesh, a hub and a service."""
    app = cdk.App()
    stack = cdk.Stack(app, "Network")
    shared = isolated_vpc(stack, "Shared", "10.0.0.0/16")
    workload = isolated_vpc(stack, "Workload", "10.1.0.0/16")
    link = VpcPeering(stack, "WorkloadToShared", requester_vpc=workload, accepter_vpc=shared)
    teams = cdk.Stack(app, "Teams")
    a, b, c = (isolated_vpc(teams, f"Team{n}", f"10.{10 + i}.0.0/16") for i, n in enumerate("ABC"))
    tools = isolated_vpc(teams, "Tools", "10.20.0.0/16")
    PeeringMesh(teams, "Mesh", vpcs=[a, b, c])
    HubAndSpoke(teams, "Hub", hub=tools, spokes=[a, b])
    provider = cdk.Stack(app, "Provider")
    service_vpc = isolated_vpc(provider, "Service", "10.30.0.0/16")
    orders = PrivateLinkService(
        provider, "Orders", vpc=service_vpc, port=443, target_type=elbv2.TargetType.IP
    )
    orders.add_targets(443, targets.IpTarget("10.30.0.10"))
    PrivateLinkEndpoint(
        stack,
        "OrdersEndpoint",
        vpc=shared,
        service=orders,
        port=443,
        dns_name="orders.example.internal",
        peerings=[link],
    )
    return network_of(app)


def test_the_readme_example_without_env_reaches_both_ways(agnostic: Network) -> None:
    answer = assert_reachable(agnostic, "Network/Workload", "Network/Shared")
    assert answer.unknown is False
    assert_reachable(agnostic, "Network/Shared", "Network/Workload")


@pytest.mark.parametrize(
    ("source", "destination"),
    [
        ("Teams/TeamA", "Teams/TeamB"),
        ("Teams/TeamC", "Teams/TeamA"),
        ("Teams/TeamA", "Teams/Tools"),
        ("Teams/Tools", "Teams/TeamB"),
    ],
)
def test_topologies_without_env_are_definite(
    agnostic: Network, source: str, destination: str
) -> None:
    assert_reachable(agnostic, source, destination)


def test_spokes_do_not_reach_through_the_hub_definitely(agnostic: Network) -> None:
    # C is in the mesh with A, not a spoke: Tools does not reach it, definitely.
    answer = assert_not_reachable(agnostic, "Teams/Tools", "Teams/TeamC")
    assert "no route" in str(answer.reason)


def test_a_privatelink_name_without_env_is_definite(agnostic: Network) -> None:
    assert_reachable(agnostic, "Network/Workload", "orders.example.internal", port=443)
    # A PrivateLinkService's path names its endpoint service: reached through an endpoint.
    answer = assert_reachable(agnostic, "Network/Workload", "Provider/Orders", port=443)
    assert any(
        hop.kind == "service" and hop.path == "Provider/Orders/EndpointService"
        for hop in answer.hops
    )


def test_no_message_shows_none(agnostic: Network) -> None:
    texts = [*agnostic.unknowns, *(str(p) for p in agnostic.peerings)]
    for source, destination in [("Teams/TeamA", "Teams/TeamC"), ("Network/Shared", "Teams/TeamA")]:
        texts.append(str(agnostic.reachability(source, destination)))
    assert not [text for text in texts if "None" in text]
    assert {vpc.environment for vpc in agnostic.vpcs} == {"environment-agnostic"}


# --- 2. every address ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def covering() -> Network:
    """A (10.0.0.0/22 subnet) and B (10.1.0.0/22 subnet), peered by hand.

    A routes B's /22 as four /24s; B routes A's /22 as one route, except 10.0.3.0/24,
    which B's table sends to an internet gateway: replies to that quarter of A are lost.
    C (10.2.0.0/22) routes A with one /22 route, and A routes C with one /22 route but a
    more specific 10.2.2.0/23 route to an internet gateway.
    """
    app = new_app()
    stack = cdk.Stack(app, "Net")

    def small(id: str, cidr: str) -> ec2.Vpc:
        return ec2.Vpc(
            stack,
            id,
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=1,
            nat_gateways=0,
            restrict_default_security_group=False,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22
                )
            ],
        )

    a, b, c = small("A", "10.0.0.0/16"), small("B", "10.1.0.0/16"), small("C", "10.2.0.0/16")
    igw = ec2.CfnInternetGateway(stack, "Igw")
    ab = ec2.CfnVPCPeeringConnection(stack, "AToB", vpc_id=a.vpc_id, peer_vpc_id=b.vpc_id)
    ac = ec2.CfnVPCPeeringConnection(stack, "AToC", vpc_id=a.vpc_id, peer_vpc_id=c.vpc_id)
    for quarter in range(4):
        routes(
            stack,
            f"AB{quarter}",
            tables(a.isolated_subnets),
            f"10.1.{quarter}.0/24",
            peering=ab.ref,
        )
    routes(stack, "BA", tables(b.isolated_subnets), "10.0.0.0/22", peering=ab.ref)
    routes(stack, "BOut", tables(b.isolated_subnets), "10.0.3.0/24", gateway=igw.ref)
    routes(stack, "AC", tables(a.isolated_subnets), "10.2.0.0/22", peering=ac.ref)
    routes(stack, "AOut", tables(a.isolated_subnets), "10.2.2.0/23", gateway=igw.ref)
    routes(stack, "CA", tables(c.isolated_subnets), "10.0.0.0/22", peering=ac.ref)
    return network_of(app)


def test_routes_that_together_cover_a_subnet_reach_it(covering: Network) -> None:
    # A -> B: four /24 routes cover B's /22; but B sends replies for 10.0.3.0/24 (part of
    # A's subnet) to the internet: every address of B misses some replies.
    answer = covering.reachability("Net/A", "Net/B")
    assert (answer.reachable, answer.partial, answer.unknown) == (False, False, False)
    assert answer.unreached == ("10.1.0.0/22",)
    assert "sends replies to 10.0.3.0/24 to internet gateway Net/Igw" in str(answer.reason)
    # From an address of A that B does answer, the four routes reach all of B.
    assert_reachable(covering, "10.0.1.7", "Net/B")
    assert covering.reachability("10.0.3.7", "Net/B").unreached == ("10.1.0.0/22",)


def test_a_more_specific_route_elsewhere_makes_an_answer_partial(covering: Network) -> None:
    answer = covering.reachability("Net/A", "Net/C")
    assert (answer.reachable, answer.partial, answer.unknown) == (False, True, False)
    assert answer.unreached == ("10.2.2.0/23",)
    assert answer.reason == (
        "route table Net/A/IsolatedSubnet1/RouteTable sends 10.2.2.0/23 to internet gateway "
        "Net/Igw, which takes the traffic off the peering"
    )
    assert_reachable(covering, "Net/A", "10.2.0.0/23")
    with pytest.raises(AssertionError, match="to part of the destination"):
        assert_not_reachable(covering, "Net/A", "Net/C")


def test_one_way_routes_a_more_specific_route_causes(covering: Network) -> None:
    found = {
        (w.route_table, w.destination, w.peering, w.unanswered) for w in covering.one_way_routes()
    }
    # B's route to A's /22 is one-way: B's subnet sends replies for 10.0.3.0/24 elsewhere,
    # so A's four routes into B are each unanswered for A's subnet.
    assert (
        "Net/A/IsolatedSubnet1/RouteTable",
        "10.1.0.0/24",
        "Net/AToB",
        ("Net/B/IsolatedSubnet1",),
    ) in found
    # C answers A completely: A's route into C is not one-way. But A sends replies for
    # 10.2.2.0/23, part of C's subnet, to the internet: C's route to A is.
    assert [each for each in found if each[2] == "Net/AToC"] == [
        ("Net/C/IsolatedSubnet1/RouteTable", "10.0.0.0/22", "Net/AToC", ("Net/A/IsolatedSubnet1",))
    ]


# --- 3 and 9. names, endpoints and services -------------------------------------------------


@pytest.fixture(scope="module")
def half_routed() -> Network:
    """Consumer (10.5.0.0/16) peers with Shared, whose endpoint has two subnets.

    Consumer routes only Shared's first subnet (10.0.0.0/17): one of the endpoint's two
    addresses is reached, the other is not.
    """
    app = cdk.App()
    stack = cdk.Stack(app, "Net")
    shared = isolated_vpc(stack, "Shared", "10.0.0.0/16")
    consumer = isolated_vpc(stack, "Consumer", "10.5.0.0/16")
    provider = isolated_vpc(stack, "Provider", "10.30.0.0/16")
    orders = PrivateLinkService(
        stack, "Orders", vpc=provider, port=443, target_type=elbv2.TargetType.IP
    )
    orders.add_targets(443, targets.IpTarget("10.30.0.10"))
    link = ec2.CfnVPCPeeringConnection(
        stack, "Link", vpc_id=consumer.vpc_id, peer_vpc_id=shared.vpc_id
    )
    routes(stack, "Out", tables(consumer.isolated_subnets), "10.0.0.0/17", peering=link.ref)
    routes(stack, "Back", tables(shared.isolated_subnets), "10.5.0.0/16", peering=link.ref)
    PrivateLinkEndpoint(
        stack,
        "Endpoint",
        vpc=shared,
        service=orders,
        port=443,
        dns_name="orders.internal",
        dns_vpcs=[consumer],
        client_vpcs=[consumer],
    )
    return network_of(app)


def test_a_name_whose_endpoint_is_half_routed_is_partial(half_routed: Network) -> None:
    answer = half_routed.reachability("Net/Consumer", "orders.internal", port=443)
    assert (answer.reachable, answer.partial) == (False, True)
    assert answer.unreached == ("10.0.128.0/17",)
    assert "no route to 10.0.128.0/17" in str(answer.reason)
    assert_reachable(half_routed, "Net/Shared", "orders.internal", port=443)


# --- 4. unknowns -------------------------------------------------------------------------------


def _two_peered(*, hidden: bool) -> Network:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = one_zone_vpc(stack, "A", "10.0.0.0/16")
    b = one_zone_vpc(stack, "B", "10.1.0.0/16")
    link = ec2.CfnVPCPeeringConnection(stack, "AToB", vpc_id=a.vpc_id, peer_vpc_id=b.vpc_id)
    routes(stack, "Out", tables(a.isolated_subnets), "10.1.0.0/16", peering=link.ref)
    routes(stack, "Back", tables(b.isolated_subnets), "10.0.0.0/16", peering=link.ref)
    if hidden:
        somewhere = cdk.CfnParameter(stack, "Somewhere")
        ec2.CfnRoute(
            stack,
            "Hidden",
            route_table_id=a.isolated_subnets[0].route_table.route_table_id,
            destination_cidr_block=somewhere.value_as_string,
            gateway_id="igw-0123456789abcdef0",
        )
    return network_of(app)


def test_a_route_whose_destination_is_a_token_makes_the_answer_unknown() -> None:
    assert_reachable(_two_peered(hidden=False), "Net/A", "Net/B")
    vague = _two_peered(hidden=True)
    answer = vague.reachability("Net/A", "Net/B")
    assert (answer.reachable, answer.unknown) == (False, True)
    assert "Net/Hidden" in str(answer.reason)
    with pytest.raises(AssertionError, match="cannot tell"):
        assert_not_reachable(vague, "Net/A", "Net/B")
    # A condition on CDK's metadata decides nothing the model answers.
    assert not [u for u in vague.unknowns if "CDKMetadataAvailable" in u]


# --- 5. IPv6 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dual_stack() -> Network:
    """Data and Analytics with AWS-assigned IPv6 blocks, peered with IPv6 routes; Plain has
    none. Analytics' isolated subnets also route ::/0 to an egress-only gateway."""
    app = new_app()
    stack = cdk.Stack(app, "Net")

    def dual(id: str, cidr: str) -> ec2.Vpc:
        return isolated_vpc(stack, id, cidr, ip_protocol=ec2.IpProtocol.DUAL_STACK)

    data, analytics = dual("Data", "10.2.0.0/16"), dual("Analytics", "10.3.0.0/16")
    plain = isolated_vpc(stack, "Plain", "10.4.0.0/16")
    VpcPeering(stack, "DataToAnalytics", requester_vpc=data, accepter_vpc=analytics)
    VpcPeering(stack, "DataToPlain", requester_vpc=data, accepter_vpc=plain)
    eigw = ec2.CfnEgressOnlyInternetGateway(stack, "Eigw", vpc_id=analytics.vpc_id)
    for i, table in enumerate(tables(analytics.isolated_subnets)):
        ec2.CfnRoute(
            stack,
            f"Everywhere{i}",
            route_table_id=table,
            destination_ipv6_cidr_block="::/0",
            egress_only_internet_gateway_id=eigw.ref,
        )
    return network_of(app)


def test_the_ipv6_question(dual_stack: Network) -> None:
    answer = assert_reachable(dual_stack, "Net/Data", "Net/Analytics", ip_version=6)
    assert answer.ip_version == 6
    assert_reachable(dual_stack, "Net/Analytics", "Net/Data", ip_version=6)
    assert_reachable(dual_stack, "Net/Data", "Net/Analytics")  # IPv4 too


def test_a_peer_without_ipv6_is_a_definite_no(dual_stack: Network) -> None:
    answer = assert_not_reachable(dual_stack, "Net/Data", "Net/Plain", ip_version=6)
    assert "has no IPv6 block" in str(answer.reason)
    answer = assert_not_reachable(dual_stack, "Net/Plain", "Net/Data", ip_version=6)
    assert "has no IPv6 block" in str(answer.reason)
    assert_reachable(dual_stack, "Net/Data", "Net/Plain")


def test_an_ipv6_address_is_a_destination(dual_stack: Network) -> None:
    # AWS assigns the VPCs' IPv6 blocks at deploy time: whether 2600:1f18::1 lies in
    # Analytics' own block (its local route) or goes out by ::/0 only a deployment knows.
    answer = dual_stack.reachability("Net/Analytics", "2600:1f18::1")
    assert (answer.ip_version, answer.reachable, answer.unknown) == (6, False, True)
    assert "IPv6 block 0 of Net/Analytics -> local" in str(answer.reason)
    assert "overlaps a block AWS assigns at deploy time is unknown" in str(answer.reason)
    # Plain has no IPv6 block: a definite no, whatever the address.
    answer = assert_not_reachable(dual_stack, "Net/Plain", "2600:1f18::/64")
    assert "has no IPv6 block" in str(answer.reason)


# --- 6. network ACLs -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acls() -> Network:
    """A and B peered; B's subnets behind an ec2.NetworkAcl that lets in 443 from A's first
    /18 only and lets replies out to A on the ephemeral ports."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a, b = isolated_vpc(stack, "A", "10.0.0.0/16"), isolated_vpc(stack, "B", "10.1.0.0/16")
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    acl = ec2.NetworkAcl(
        stack, "Guard", vpc=b, subnet_selection=ec2.SubnetSelection(subnets=b.isolated_subnets)
    )
    acl.add_entry(
        "Https",
        cidr=ec2.AclCidr.ipv4("10.0.0.0/18"),
        rule_number=100,
        traffic=ec2.AclTraffic.tcp_port(443),
        direction=ec2.TrafficDirection.INGRESS,
    )
    acl.add_entry(
        "Replies",
        cidr=ec2.AclCidr.ipv4("10.0.0.0/16"),
        rule_number=100,
        traffic=ec2.AclTraffic.tcp_port_range(1024, 65535),
        direction=ec2.TrafficDirection.EGRESS,
    )
    return network_of(app)


def test_an_acl_admits_only_what_its_entries_allow(acls: Network) -> None:
    assert_reachable(acls, "10.0.1.1", "Net/B", port=443)
    assert_reachable(acls, "10.0.1.1", "Net/B")  # some TCP port (443) passes
    answer = assert_not_reachable(acls, "10.0.1.1", "Net/B", port=22)
    blocking = [hop for hop in answer.hops if hop.kind == "network-acl"]
    assert [hop.path for hop in blocking] == ["Net/Guard"]
    assert (
        "network ACL Net/Guard of subnet Net/B/IsolatedSubnet1 denies traffic from 10.0.1.1 "
        "on port 22" in str(answer.reason)
    )
    # The second /18 of A's subnet is not let in: from the whole subnet, nothing passes.
    answer = assert_not_reachable(acls, "Net/A/IsolatedSubnet1", "Net/B", port=443)
    assert "denies traffic from 10.0.64.0/18 on port 443" in str(answer.reason)


def test_replies_must_pass_the_acl_too() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a, b = isolated_vpc(stack, "A", "10.0.0.0/16"), isolated_vpc(stack, "B", "10.1.0.0/16")
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    acl = ec2.NetworkAcl(
        stack, "Guard", vpc=b, subnet_selection=ec2.SubnetSelection(subnets=b.isolated_subnets)
    )
    acl.add_entry(
        "Https",
        cidr=ec2.AclCidr.any_ipv4(),
        rule_number=100,
        traffic=ec2.AclTraffic.tcp_port(443),
        direction=ec2.TrafficDirection.INGRESS,
    )
    network = network_of(app)
    answer = assert_not_reachable(network, "Net/A", "Net/B", port=443)
    assert "denies replies to 10.0.0.0/17 on ephemeral ports 1024-65535" in str(answer.reason)
    assert "no rule allows it: the final * rule denies" in str(answer.reason)


# --- 7 and 8. prefix lists, security groups, other targets -------------------------------------


@pytest.fixture(scope="module")
def lists() -> Network:
    """A routes B through a customer-managed prefix list; B routes A by CIDR. B's endpoint
    admits A by a prefix-list rule, C by a security-group rule. A routes D's block to a
    transit gateway and E's to a NAT gateway."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a, b = isolated_vpc(stack, "A", "10.0.0.0/16"), isolated_vpc(stack, "B", "10.1.0.0/16")
    c = isolated_vpc(stack, "C", "10.2.0.0/16")
    blocks = ec2.PrefixList(
        stack,
        "BBlocks",
        entries=[ec2.CfnPrefixList.EntryProperty(cidr="10.1.0.0/16")],
        max_entries=1,
    )
    sources = ec2.PrefixList(
        stack,
        "ABlocks",
        entries=[ec2.CfnPrefixList.EntryProperty(cidr="10.0.0.0/16")],
        max_entries=1,
    )
    link = ec2.CfnVPCPeeringConnection(stack, "AToB", vpc_id=a.vpc_id, peer_vpc_id=b.vpc_id)
    for i, table in enumerate(tables(a.isolated_subnets)):
        ec2.CfnRoute(
            stack,
            f"Listed{i}",
            route_table_id=table,
            destination_prefix_list_id=blocks.prefix_list_id,
            vpc_peering_connection_id=link.ref,
        )
        ec2.CfnRoute(
            stack,
            f"Transit{i}",
            route_table_id=table,
            destination_cidr_block="10.50.0.0/16",
            transit_gateway_id="tgw-0123456789abcdef0",
        )
        ec2.CfnRoute(
            stack,
            f"Nat{i}",
            route_table_id=table,
            destination_cidr_block="10.60.0.0/16",
            nat_gateway_id="nat-0123456789abcdef0",
        )
    routes(stack, "Back", tables(b.isolated_subnets), "10.0.0.0/16", peering=link.ref)
    VpcPeering(stack, "CToB", requester_vpc=c, accepter_vpc=b)
    provider = isolated_vpc(stack, "Provider", "10.30.0.0/16")
    orders = PrivateLinkService(
        stack, "Orders", vpc=provider, port=443, target_type=elbv2.TargetType.IP
    )
    orders.add_targets(443, targets.IpTarget("10.30.0.10"))
    endpoint = PrivateLinkEndpoint(stack, "Endpoint", vpc=b, service=orders, port=443)
    group = endpoint.security_group
    group.add_ingress_rule(ec2.Peer.prefix_list(sources.prefix_list_id), ec2.Port.tcp(443))
    members = ec2.SecurityGroup(stack, "Members", vpc=c)
    group.add_ingress_rule(members, ec2.Port.tcp(443))
    return network_of(app)


def test_a_route_to_a_prefix_list_routes_its_entries(lists: Network) -> None:
    answer = assert_reachable(lists, "Net/A", "Net/B")
    assert "prefix list Net/BBlocks, entry 10.1.0.0/16 -> peering Net/AToB" in answer.hops[1]
    assert not [w for w in lists.one_way_routes() if w.peering == "Net/AToB"]


def test_security_group_rules_by_prefix_list_and_by_group(lists: Network) -> None:
    assert_reachable(lists, "Net/A", "Net/Endpoint", port=443)
    # C is admitted only as a member of Net/Members: an address cannot be judged one.
    answer = lists.reachability("Net/C", "Net/Endpoint", port=443)
    assert answer.unknown
    assert "admits members of security group Net/Members" in str(answer.reason)


@pytest.mark.parametrize(
    ("address", "target"),
    [
        ("10.50.0.1", "transit gateway tgw-0123456789abcdef0"),
        ("10.60.0.1", "NAT gateway nat-0123456789abcdef0"),
    ],
)
def test_other_targets_take_the_traffic_off_the_peering(
    lists: Network, address: str, target: str
) -> None:
    answer = assert_not_reachable(lists, "Net/A", address)
    assert [hop.kind for hop in answer.hops] == ["subnet", "route"]
    assert target in answer.hops[1]
    assert "takes the traffic off the peering" in str(answer.reason)


# --- 9. questions that are not questions -------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "options", "message"),
    [
        ((None, "Net/B"), {}, "source must be a string"),
        (("Net/A", 5), {}, "destination must be a string"),
        (("Net/A", "Net/B"), {"port": "443"}, "port '443' is not a TCP port"),
        (("Net/A", "Net/B"), {"port": 0}, "port 0 is not a TCP port: give an int from 1-65535"),
        (("Net/A", "Net/B"), {"port": 70000}, "port 70000 is not a TCP port"),
        (("Net/A", "Net/B"), {"port": True}, "port True is not a TCP port"),
        (("Net/A", "Net/B"), {"ip_version": 5}, "ip_version 5 must be 4, 6 or None"),
        (("Net/A", "2001:db8::1"), {"ip_version": 4}, "is an IPv6 address, but ip_version is 4"),
        (("Net/A", "  "), {}, "destination is empty"),
    ],
)
def test_questions_that_are_not_questions(
    lists: Network, arguments: tuple[object, object], options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConnectivityError, match=message):
        lists.reachability(*arguments, **options)  # type: ignore[arg-type]


def test_a_name_that_names_nothing(lists: Network) -> None:
    with pytest.raises(PathError, match="names no"):
        lists.reachability("Net/Nothing", "Net/B")
