"""Reachability over hand-written peerings: every hop kind and every routing reason.

One app, stack Net (one zone per VPC; "public" VPCs have PublicSubnet1 in the lower half
and IsolatedSubnet1 in the upper half of their /16):

    A 10.0.0.0/16 (public) --AToB--> B 10.1.0.0/16 (public): B routes back from its
        isolated subnet only; A also routes C's block through AToB (transitive attempt)
    B --BToC-- C 10.2.0.0/16, both ways
    A --AToD-- D 10.3.0.0/16, both ways; A's public table also sends 10.1.128.0/24 (part
        of B) through AToD
    A --AToE-- E 10.4.0.0/16: the connection asks account 222222222222 for E, which is in
                A's account: AWS finds no such VPC, never accepted
    A --AToH--> H 10.7.0.0/16: no route back at all
    A's isolated table: 10.9.0.0/16 through a peering that does not exist
    F --FToG-- G (dual stack): IPv4 both ways, IPv6 from F only
"""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering.connectivity import ConnectivityError, Network, OneWayRoute, Reachability
from tests.conftest import ENV
from tests.connectivity_apps import network_of, new_app, peer, routes, tables, vpc

A_ISO, A_PUB = "Net/A/IsolatedSubnet1", "Net/A/PublicSubnet1"
B_ISO, B_PUB = "Net/B/IsolatedSubnet1", "Net/B/PublicSubnet1"


@pytest.fixture(scope="module")
def network() -> Network:
    app = new_app()
    stack = cdk.Stack(app, "Net", env=ENV)
    a = vpc(stack, "A", "10.0.0.0/16", public=True)
    b = vpc(stack, "B", "10.1.0.0/16", public=True)
    c, d, e = (vpc(stack, name, f"10.{i}.0.0/16") for i, name in ((2, "C"), (3, "D"), (4, "E")))
    a_to_b = peer(stack, "AToB", a, b, back=False)
    routes(stack, "AToBBack", tables(b.isolated_subnets), "10.0.0.0/16", peering=a_to_b.ref)
    routes(stack, "AToC", tables(a.isolated_subnets), "10.2.0.0/16", peering=a_to_b.ref)
    peer(stack, "BToC", b, c)
    a_to_d = peer(stack, "AToD", a, d)
    routes(stack, "Shadow", tables(a.public_subnets), "10.1.128.0/24", peering=a_to_d.ref)
    peer(stack, "AToE", a, e, peer_owner_id="222222222222")
    peer(stack, "AToH", a, vpc(stack, "H", "10.7.0.0/16"), back=False)
    routes(stack, "Hole", tables(a.isolated_subnets), "10.9.0.0/16", peering=cdk.Fn.ref("NoSuch"))
    f, g = (
        ec2.Vpc(
            stack,
            name,
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            ip_protocol=ec2.IpProtocol.DUAL_STACK,
            max_azs=1,
            nat_gateways=0,
            restrict_default_security_group=False,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED
                )
            ],
        )
        for name, cidr in (("F", "10.5.0.0/16"), ("G", "10.6.0.0/16"))
    )
    f_to_g = peer(stack, "FToG", f, g)
    for i, table in enumerate(tables(f.isolated_subnets)):
        ec2.CfnRoute(
            stack,
            f"FToGIpv6{i}",
            route_table_id=table,
            destination_ipv6_cidr_block=cdk.Fn.select(0, g.vpc_ipv6_cidr_blocks),
            vpc_peering_connection_id=f_to_g.ref,
        )
    return network_of(app)


def test_a_hand_written_peering_with_routes_both_ways(network: Network) -> None:
    answer = network.reachability(A_ISO, B_ISO)
    assert isinstance(answer, Reachability)
    assert answer.reachable
    assert bool(answer)
    assert answer.reason is None
    assert not answer.unknown
    assert [hop.kind for hop in answer.hops] == [
        "subnet",
        "route",
        "peering",
        "subnet",
        "return-route",
    ]
    assert answer.hops == (
        "subnet Net/A/IsolatedSubnet1 (10.0.128.0/17)",
        "route table Net/A/IsolatedSubnet1/RouteTable: 10.1.0.0/16 -> peering Net/AToB",
        "peering Net/AToB (Net/A -> Net/B)",
        "subnet Net/B/IsolatedSubnet1 (10.1.128.0/17)",
        "return: route table Net/B/IsolatedSubnet1/RouteTable: 10.0.0.0/16 -> peering Net/AToB",
    )
    assert [hop.path for hop in answer.hops] == [
        A_ISO,
        "Net/A/IsolatedSubnet1/RouteTable",
        "Net/AToB",
        B_ISO,
        "Net/B/IsolatedSubnet1/RouteTable",
    ]


def test_a_missing_return_route_means_replies_cannot_return(network: Network) -> None:
    answer = network.reachability(A_ISO, "Net/H")
    assert not answer
    assert not answer.unknown
    assert answer.reason == (
        "route table Net/H/IsolatedSubnet1/RouteTable has no route to 10.0.128.0/17: "
        "replies cannot return"
    )
    assert answer.hops[-1] == "subnet Net/H/IsolatedSubnet1 (10.7.0.0/16)"
    # B's public subnet sends replies to its internet gateway instead.
    assert network.reachability(A_ISO, B_PUB).reason == (
        "route table Net/B/PublicSubnet1/RouteTable sends replies to 10.0.128.0/17 to internet "
        "gateway Net/B/IGW, not back through peering Net/AToB: replies cannot return"
    )


def test_peering_is_never_transitive(network: Network) -> None:
    # A routes C's block through AToB, and B peers with C: A still cannot reach C.
    answer = network.reachability(A_ISO, "Net/C")
    assert not answer
    assert answer.reason == (
        "route table Net/A/IsolatedSubnet1/RouteTable sends 10.2.0.0/16 to peering Net/AToB, "
        "which leads to VPC Net/B (10.1.0.0/16), which does not hold 10.2.0.0/16 (it is in VPC "
        "Net/C): peering is not transitive"
    )
    assert network.reachability("Net/B", "Net/C")
    assert not network.reachability(A_ISO, "10.2.0.10")


def test_the_longest_prefix_wins(network: Network) -> None:
    # A's public table: 10.1.0.0/16 through AToB, 10.1.128.0/24 (part of B) through AToD.
    shadowed = network.reachability(A_PUB, "10.1.128.5")
    assert shadowed.hops[1] == (
        "route table Net/A/PublicSubnet1/RouteTable: 10.1.128.0/24 -> peering Net/AToD"
    )
    assert "to peering Net/AToD (its route to 10.1.128.0/24), which leads to VPC Net/D" in str(
        shadowed.reason
    )
    assert str(shadowed.reason).endswith("(it is in VPC Net/B): peering is not transitive")
    assert network.reachability(A_PUB, "10.1.200.5")
    assert network.reachability(A_ISO, "10.1.128.5")
    # A whole subnet is reachable only when no more specific route takes part of it.
    part = network.reachability(A_PUB, B_ISO)
    assert (part.reachable, part.partial, part.unknown) == (False, True, False)
    assert part.unreached == ("10.1.128.0/24",)
    assert part.reason == (
        "route table Net/A/PublicSubnet1/RouteTable sends 10.1.128.0/24 to peering Net/AToD, "
        "which leads to VPC Net/D (10.3.0.0/16), which does not hold 10.1.128.0/24 (it is in "
        "VPC Net/B): peering is not transitive"
    )
    # ... and replies too: every address of B's subnet misses the replies to part of A's.
    back = network.reachability(B_ISO, A_PUB)
    assert (back.reachable, back.partial) == (False, False)
    assert back.unreached == ("10.0.0.0/17",)
    assert back.reason == (
        "route table Net/A/PublicSubnet1/RouteTable sends replies to 10.1.128.0/24 to peering "
        "Net/AToD, not back through peering Net/AToB: replies cannot return"
    )


def test_a_route_to_nothing_is_a_blackhole(network: Network) -> None:
    answer = network.reachability(A_ISO, "10.9.0.1")
    assert not answer
    assert not answer.unknown
    assert "blackhole" in str(answer.reason)
    assert "NoSuch" in str(answer.reason)


def test_no_route_at_all(network: Network) -> None:
    answer = network.reachability(A_ISO, "10.50.0.1")
    assert answer.reason == "route table Net/A/IsolatedSubnet1/RouteTable has no route to 10.50.0.1"


def test_a_gateway_never_reaches_another_vpc(network: Network) -> None:
    answer = network.reachability(A_PUB, "10.50.0.1")
    assert (
        answer.hops[1]
        == "route table Net/A/PublicSubnet1/RouteTable: 0.0.0.0/0 -> internet gateway Net/A/IGW"
    )
    assert answer.reason == (
        "route table Net/A/PublicSubnet1/RouteTable sends 10.50.0.1 to internet gateway "
        "Net/A/IGW (its route to 0.0.0.0/0), which takes the traffic off the peering"
    )


def test_a_peering_nothing_accepts(network: Network) -> None:
    answer = network.reachability(A_ISO, "Net/E")
    assert not answer
    assert answer.reason is not None
    assert answer.reason.startswith(
        "peering Net/AToE is never accepted (its accepter VPC Net/E is in account "
        "111111111111, but the connection asks for one in account 222222222222"
    )
    assert answer.reason.endswith("routes through it are blackholes")


def test_addresses_and_blocks(network: Network) -> None:
    answer = network.reachability("10.0.128.10", "10.1.128.10")
    assert answer
    assert answer.hops[0] == "address 10.0.128.10 in subnet Net/A/IsolatedSubnet1 (10.0.128.0/17)"
    assert network.reachability(A_ISO, "10.1.128.0/17")
    # A block means every subnet in it: B's public subnet does not answer.
    whole = network.reachability(A_ISO, "10.1.0.0/16")
    assert not whole
    assert str(whole.reason).endswith("replies cannot return")


def test_a_vpc_means_every_subnet_of_it(network: Network) -> None:
    answer = network.reachability("Net/A", "Net/D")
    assert answer
    assert answer.hops[-1] == "and 1 more subnet pair, each reachable"
    assert answer.hops[-1].kind == "note"
    # The first failing pair names itself in the hops.
    failing = network.reachability("Net/A", "Net/B")
    assert not failing
    assert failing.hops[0].path == A_PUB
    assert failing.hops[-2].path == B_PUB
    assert failing.hops[-1].kind == "return-route"


def test_within_one_vpc_the_local_route(network: Network) -> None:
    answer = network.reachability(A_ISO, A_PUB)
    assert answer
    assert answer.hops[1] == "route table Net/A/IsolatedSubnet1/RouteTable: 10.0.0.0/16 -> local"
    assert network.reachability(A_ISO, A_ISO).hops[-1] == "same subnet: no route needed"


def test_one_way_routes(network: Network) -> None:
    found = network.one_way_routes()
    assert all(isinstance(each, OneWayRoute) for each in found)
    assert {(w.route_table, w.destination, w.peering, w.unanswered) for w in found} == {
        ("Net/A/PublicSubnet1/RouteTable", "10.1.0.0/16", "Net/AToB", (B_PUB,)),
        ("Net/A/IsolatedSubnet1/RouteTable", "10.1.0.0/16", "Net/AToB", (B_PUB,)),
        ("Net/A/PublicSubnet1/RouteTable", "10.7.0.0/16", "Net/AToH", ("Net/H/IsolatedSubnet1",)),
        ("Net/A/IsolatedSubnet1/RouteTable", "10.7.0.0/16", "Net/AToH", ("Net/H/IsolatedSubnet1",)),
        # A's public table sends 10.1.128.0/24, part of B's isolated subnet, to AToD: B's
        # route back to A through AToB leaves those replies unanswered from A's public subnet.
        ("Net/B/IsolatedSubnet1/RouteTable", "10.0.0.0/16", "Net/AToB", (A_PUB,)),
        (
            "Net/F/IsolatedSubnet1/RouteTable",
            "IPv6 block 0 of Net/G",
            "Net/FToG",
            ("Net/G/IsolatedSubnet1",),
        ),
    }
    [first] = [
        w
        for w in found
        if w.route_table == "Net/A/PublicSubnet1/RouteTable" and w.peering == "Net/AToB"
    ]
    assert str(first) == (
        "Net/A/PublicSubnet1/RouteTable: 10.1.0.0/16 -> peering Net/AToB; no route back from "
        "Net/B/PublicSubnet1"
    )
    assert first.route.startswith("Net/AToBOut")


def test_the_matrix_by_vpc_and_by_subnet_group(network: Network) -> None:
    vpcs = network.matrix()
    assert vpcs[("Net/A", "Net/B")] == "both ways"
    assert ("Net/A", "Net/C") not in vpcs  # no route from A into C's subnets through AToB
    groups = network.matrix(by="group")
    assert groups[("Net/A: Isolated", "Net/B: Public")] == "one way"
    assert groups[("Net/A: Isolated", "Net/B: Isolated")] == "both ways"
    assert ("Net/B: Public", "Net/A: Isolated") not in groups


def test_questions_it_cannot_ask(network: Network) -> None:
    with pytest.raises(ConnectivityError, match="not a TCP port"):
        network.reachability(A_ISO, B_ISO, port=70000)
    with pytest.raises(ConnectivityError, match="is in no subnet"):
        network.reachability("192.168.0.1", B_ISO)
    with pytest.raises(ConnectivityError, match="give one address"):
        network.reachability("10.0.0.0/16", B_ISO)
