"""Small networks written by hand, each with the answer computed by hand.

tests/test_brute_force.py holds the brute force to these answers; tests/test_connectivity
_exact.py holds the model to the four regressions (``REGRESSIONS``).

Every network starts from ``two_vpcs()``: VpcA (10.1.0.0/24, subnet SubA 10.1.0.0/26 with
route table TableA) and VpcB (10.2.0.0/24, subnet SubB 10.2.0.0/26 with route table
TableB), in one stack ``Net``, joined by the peering PeerAB, without routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.brute_force import Answer
from tests.random_networks import INTERNET_GATEWAY, NetworkSpec, Question, Target, entry

SUB_A = "Net/SubA"
SUB_B = "Net/SubB"


@dataclass(frozen=True)
class Case:
    name: str
    spec: NetworkSpec
    question: Question
    expected: Answer


def two_vpcs(*, ipv6_a: bool = False, ipv6_b: bool = False) -> tuple[NetworkSpec, Target]:
    """VpcA and VpcB, a subnet each, and the peering between them (returned), no routes."""
    spec = NetworkSpec(seed=None)
    spec.vpc("VpcA", "10.1.0.0/24", ipv6="2001:db8:1::/120" if ipv6_a else None)
    spec.vpc("VpcB", "10.2.0.0/24", ipv6="2001:db8:2::/120" if ipv6_b else None)
    spec.subnet(
        "SubA", "VpcA", "10.1.0.0/26", ipv6="2001:db8:1::/124" if ipv6_a else None, table="TableA"
    )
    spec.subnet(
        "SubB", "VpcB", "10.2.0.0/26", ipv6="2001:db8:2::/124" if ipv6_b else None, table="TableB"
    )
    return spec, spec.peering("PeerAB", "VpcA", "VpcB")


def routed_both_ways(**ipv6: bool) -> tuple[NetworkSpec, Target]:
    """``two_vpcs`` with a route to the other VPC's whole IPv4 block in each table."""
    spec, peering = two_vpcs(**ipv6)
    spec.route("TableA", "10.2.0.0/24", peering)
    spec.route("TableB", "10.1.0.0/24", peering)
    return spec, peering


def four_routes_cover_a_subnet() -> Case:
    spec, peering = two_vpcs()
    for start in (0, 16, 32, 48):
        spec.route("TableA", f"10.2.0.{start}/28", peering)
    spec.route("TableB", "10.1.0.0/24", peering)
    return Case(
        "four /28 routes together cover the /26 subnet",
        spec,
        Question(SUB_A, SUB_B),
        Answer(reachable=True, partial=False, unknown=False, unreached=()),
    )


def internet_route_inside_peering_route() -> Case:
    spec, peering = two_vpcs()
    spec.route("TableA", "10.2.0.0/26", peering)
    spec.route("TableA", "10.2.0.16/28", spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY))
    spec.route("TableB", "10.1.0.0/24", peering)
    return Case(
        "a /28 route to an internet gateway inside the peering route to the /26",
        spec,
        Question(SUB_A, SUB_B),
        Answer(reachable=False, partial=True, unknown=False, unreached=("10.2.0.16/28",)),
    )


def acl_denies_ephemeral_replies() -> Case:
    spec, _ = routed_both_ways()
    spec.acl(
        "AclB",
        "VpcB",
        entry(100, "allow", "0.0.0.0/0", egress=False),
        entry(100, "deny", "0.0.0.0/0", egress=True, protocol=6, ports=(1024, 65535)),
        entry(200, "allow", "0.0.0.0/0", egress=True),
    )
    spec.subnets["SubB"].acl = "AclB"
    return Case(
        "an ACL on the destination that denies the replies to ephemeral ports",
        spec,
        Question(SUB_A, SUB_B, port=443),
        Answer(reachable=False, partial=False, unknown=False, unreached=("10.2.0.0/26",)),
    )


def peer_without_ipv6() -> Case:
    spec, _ = routed_both_ways(ipv6_a=True)
    return Case(
        "IPv6 to a peer that has no IPv6 block: a definite no",
        spec,
        Question(SUB_A, SUB_B, ip_version=6),
        Answer(reachable=False, partial=False, unknown=False, unreached=()),
    )


REGRESSIONS = [
    four_routes_cover_a_subnet(),
    internet_route_inside_peering_route(),
    acl_denies_ephemeral_replies(),
    peer_without_ipv6(),
]
