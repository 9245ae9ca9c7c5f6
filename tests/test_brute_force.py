"""The brute force (tests/brute_force.py) on networks whose answers are computed by hand,
so that it is known right before it judges the model; and the random networks it judges
the model on (tests/random_networks.py): deterministic, well-formed, and varied.

Each network starts from ``two_vpcs()`` (tests/exact_cases.py): SubA 10.1.0.0/26 in VpcA
(10.1.0.0/24), SubB 10.2.0.0/26 in VpcB (10.2.0.0/24), the peering PeerAB, no routes.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from ipaddress import IPv4Network, ip_address
from pathlib import Path
from typing import Any

import pytest

from tests.brute_force import Answer, BruteForce, merge
from tests.exact_cases import REGRESSIONS, SUB_A, SUB_B, Case, routed_both_ways, two_vpcs
from tests.random_networks import (
    INTERNET_GATEWAY,
    OTHER_LITERAL,
    PARAMETER,
    QUESTIONS_PER_SEED,
    SEEDS,
    TRANSIT_GATEWAY,
    Address,
    NetworkSpec,
    Subnet,
    Target,
    draw_questions,
    entry,
    generate,
    write_assembly,
)

YES = Answer(reachable=True, partial=False, unknown=False, unreached=())


def no(*unreached: str) -> Answer:
    return Answer(reachable=False, partial=False, unknown=False, unreached=unreached)


def partly(*unreached: str) -> Answer:
    return Answer(reachable=False, partial=True, unknown=False, unreached=unreached)


def unknown(*unreached: str) -> Answer:
    return Answer(reachable=False, partial=False, unknown=True, unreached=unreached)


def ask(spec: NetworkSpec, source: str, destination: str, **options: Any) -> Answer:
    return BruteForce(spec).answer(source, destination, **options)


@pytest.mark.parametrize("case", REGRESSIONS, ids=lambda case: case.name)
def test_the_regressions(case: Case) -> None:
    assert BruteForce(case.spec).ask(case.question) == case.expected


# --- routes -------------------------------------------------------------------------------


def test_routes_both_ways_reach_every_address() -> None:
    spec, _ = routed_both_ways()
    assert ask(spec, SUB_A, SUB_B) == YES
    assert ask(spec, SUB_B, SUB_A, port=22) == YES
    assert ask(spec, SUB_A, "Net/VpcB") == YES
    assert ask(spec, "Net/VpcA", SUB_B, ip_version=4) == YES
    assert ask(spec, "10.1.0.7", "10.2.0.63") == YES


def test_a_route_without_its_return_route_reaches_nothing() -> None:
    spec, peering = two_vpcs()
    spec.route("TableA", "10.2.0.0/24", peering)
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")
    spec.route("TableB", "10.1.0.0/27", peering)  # replies to half of SubA only
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")  # every source address must pass
    assert ask(spec, "10.1.0.31", SUB_B) == YES
    assert ask(spec, "10.1.0.32", SUB_B) == no("10.2.0.0/26")


def test_a_block_beyond_the_subnets_is_partly_reached() -> None:
    spec, _ = routed_both_ways()
    assert ask(spec, SUB_A, "10.2.0.0/25") == partly("10.2.0.64/26")
    assert ask(spec, SUB_A, "10.2.0.64") == no("10.2.0.64/32")


def test_more_specific_routes_elsewhere_leave_merged_holes() -> None:
    spec, peering = routed_both_ways()
    igw = spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY)
    spec.route("TableA", "10.2.0.5/32", igw)
    spec.route("TableA", "10.2.0.32/28", None)  # a blackhole
    spec.route("TableA", "10.2.0.48/28", Target(TRANSIT_GATEWAY, "tgw-0123456789abcdef0"))
    assert ask(spec, SUB_A, SUB_B) == partly("10.2.0.5/32", "10.2.0.32/27")
    assert ask(spec, SUB_A, "10.2.0.0/29") == partly("10.2.0.5/32")
    assert peering.name == "PeerAB"


def test_routes_that_shadow_the_return_route() -> None:
    spec, peering = routed_both_ways()
    spec.route("TableB", "10.1.0.16/28", Target(TRANSIT_GATEWAY, "tgw-0123456789abcdef0"))
    # every source address must come back: one /28 of SubA does not
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")
    assert ask(spec, "10.1.0.40", SUB_B) == YES
    assert ask(spec, "10.1.0.20", SUB_B) == no("10.2.0.0/26")
    spec.route("TableB", "10.1.0.16/29", peering)  # half of it back through the peering
    assert ask(spec, "10.1.0.20", SUB_B) == YES
    assert ask(spec, "10.1.0.24", SUB_B) == no("10.2.0.0/26")


def test_prefix_lists_and_cidr_routes_at_one_prefix_length() -> None:
    spec, peering = two_vpcs()
    igw = spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY)
    spec.route("TableB", "10.1.0.0/24", peering)
    spec.prefix_list("Lists", "10.2.0.0/26")
    spec.route("TableA", None, igw, prefix_list="Lists")
    spec.route("TableA", "10.2.0.0/26", peering)
    assert ask(spec, SUB_A, SUB_B) == YES  # the CIDR route wins

    spec, peering = two_vpcs()
    spec.route("TableB", "10.1.0.0/24", peering)
    spec.prefix_list("Lists", "10.2.0.0/26")
    spec.route("TableA", None, peering, prefix_list="Lists")
    spec.route("TableA", "10.2.0.0/26", spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY))
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")


def test_a_prefix_lists_entries_cover_a_subnet_together() -> None:
    spec, peering = two_vpcs()
    spec.prefix_list("Halves", "10.2.0.0/27", "10.2.0.32/27")
    spec.route("TableA", None, peering, prefix_list="Halves")
    spec.prefix_list("Back", "10.1.0.0/24")
    spec.route("TableB", None, peering, prefix_list="Back")
    assert ask(spec, SUB_A, SUB_B) == YES
    spec.route("TableA", "10.2.0.0/28", spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY))
    assert ask(spec, SUB_A, SUB_B) == partly("10.2.0.0/28")  # longer than the entry


def test_peering_is_not_transitive() -> None:
    spec, peering = routed_both_ways()
    spec.vpc("VpcC", "10.3.0.0/24")
    spec.subnet("SubC", "VpcC", "10.3.0.0/26", table="TableC")
    through_b = spec.peering("PeerBC", "VpcB", "VpcC")
    spec.route("TableB", "10.3.0.0/24", through_b)
    spec.route("TableC", "10.0.0.0/8", through_b)
    spec.route("TableA", "10.3.0.0/24", peering)  # to C through the peering with B
    assert ask(spec, SUB_A, "Net/SubC") == no("10.3.0.0/26")
    assert ask(spec, "Net/SubC", SUB_B) == YES
    assert ask(spec, "Net/SubC", SUB_A) == no("10.1.0.0/26")
    spec.route("TableA", "10.3.0.0/25", through_b)  # a peering that does not join VpcA
    assert ask(spec, SUB_A, "Net/SubC") == no("10.3.0.0/26")


def test_the_main_route_table_holds_only_local_routes() -> None:
    spec, _ = routed_both_ways()
    spec.subnet("SubA2", "VpcA", "10.1.0.64/27")  # no route table: the VPC's main one
    assert ask(spec, "Net/SubA2", SUB_A) == YES
    assert ask(spec, "Net/SubA2", SUB_B) == no("10.2.0.0/26")
    assert ask(spec, "Net/VpcA", "10.1.0.0/25") == partly("10.1.0.96/27")
    assert ask(spec, "Net/VpcA", SUB_B) == no("10.2.0.0/26")


def test_a_secondary_block_is_local_too() -> None:
    spec, _ = routed_both_ways()
    spec.vpcs["VpcA"].ipv4.append(IPv4Network("10.101.0.0/26"))
    spec.subnet("SubA2", "VpcA", "10.101.0.0/28", table="TableA")
    assert ask(spec, SUB_A, "Net/SubA2") == YES
    assert ask(spec, SUB_B, "Net/SubA2") == no("10.101.0.0/28")  # TableB has no route


# --- acceptance and unknowns --------------------------------------------------------------


def test_a_peering_that_is_never_accepted() -> None:
    spec, _ = routed_both_ways()
    spec.peerings["PeerAB"].owner = OTHER_LITERAL
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")


def test_a_peering_whose_acceptance_is_a_parameter() -> None:
    spec, _ = routed_both_ways()
    spec.peerings["PeerAB"].owner = PARAMETER
    assert ask(spec, SUB_A, SUB_B) == unknown("10.2.0.0/26")
    assert ask(spec, SUB_A, "10.2.0.0/25") == no("10.2.0.0/25")  # outside SubB: fails
    spec.acl("AclB", "VpcB", entry(100, "allow", "10.1.0.0/27", egress=False))
    spec.subnets["SubB"].acl = "AclB"  # a definite failure wins over unknown
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")


def test_a_route_whose_destination_is_a_parameter() -> None:
    spec, peering = routed_both_ways()
    spec.route("TableA", None, peering, token="Elsewhere")
    assert ask(spec, SUB_A, SUB_B) == YES  # it could win, but to the same peering
    spec.route("TableA", None, spec.gateway("IgwA", "VpcA", INTERNET_GATEWAY), token="Igw")
    assert ask(spec, SUB_A, SUB_B) == unknown("10.2.0.0/26")
    spec.route("TableA", "10.2.0.5/32", peering)  # a /32 CIDR route: nothing beats it
    assert ask(spec, SUB_A, "10.2.0.4/31") == Answer(
        reachable=False, partial=True, unknown=True, unreached=("10.2.0.4/32",)
    )


# --- network ACLs -------------------------------------------------------------------------


def with_acl(subnet: str, *entries: Any) -> NetworkSpec:
    spec, _ = routed_both_ways(ipv6_a=True, ipv6_b=True)
    vpc = spec.subnets[subnet].vpc
    spec.acl(f"Acl{subnet}", vpc, *entries)
    spec.subnets[subnet].acl = f"Acl{subnet}"
    return spec


ALLOW_OUT = entry(100, "allow", "0.0.0.0/0", egress=True)
ALLOW_IN = entry(100, "allow", "0.0.0.0/0", egress=False)


def test_acl_entries_in_rule_number_order() -> None:
    denied_first = [
        entry(200, "allow", "0.0.0.0/0", egress=False),
        entry(150, "deny", "10.1.0.0/28", egress=False),
        ALLOW_OUT,
    ]
    spec = with_acl("SubB", *denied_first)
    assert ask(spec, "10.1.0.20", SUB_B) == YES
    assert ask(spec, "10.1.0.5", SUB_B) == no("10.2.0.0/26")
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")
    allowed_first = [*denied_first, entry(50, "allow", "10.1.0.0/28", egress=False)]
    assert ask(with_acl("SubB", *allowed_first), SUB_A, SUB_B) == YES


def test_no_entry_matches_denies() -> None:
    spec = with_acl("SubB", ALLOW_IN)  # no egress entry: the replies are denied
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")


def test_a_request_needs_one_port_that_both_acls_allow() -> None:
    only_443 = entry(100, "allow", "0.0.0.0/0", egress=False, protocol=6, ports=(443, 443))
    spec = with_acl("SubB", only_443, ALLOW_OUT)
    assert ask(spec, SUB_A, SUB_B) == YES
    assert ask(spec, SUB_A, SUB_B, port=443) == YES
    assert ask(spec, SUB_A, SUB_B, port=444) == no("10.2.0.0/26")
    # the source lets out only port 80: no port passes both
    spec.acl(
        "AclA", "VpcA", entry(10, "allow", "0.0.0.0/0", egress=True, protocol=6, ports=(80, 80))
    )
    spec.acls["AclA"].entries.append(ALLOW_IN)
    spec.subnets["SubA"].acl = "AclA"
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")


def test_udp_and_icmp_entries_never_match_tcp() -> None:
    udp = entry(100, "allow", "0.0.0.0/0", egress=False, protocol=17, ports=(0, 65535))
    icmp = entry(101, "allow", "0.0.0.0/0", egress=False, protocol=1)
    assert ask(with_acl("SubB", udp, icmp, ALLOW_OUT), SUB_A, SUB_B) == no("10.2.0.0/26")
    deny_udp = entry(50, "deny", "0.0.0.0/0", egress=False, protocol=17, ports=(0, 65535))
    assert ask(with_acl("SubB", deny_udp, ALLOW_IN, ALLOW_OUT), SUB_A, SUB_B) == YES


def test_every_ephemeral_port_of_the_reply() -> None:
    some = entry(50, "deny", "0.0.0.0/0", egress=True, protocol=6, ports=(40000, 40000))
    spec = with_acl("SubB", ALLOW_IN, some, ALLOW_OUT)
    assert ask(spec, SUB_A, SUB_B, port=443) == no("10.2.0.0/26")
    below = entry(50, "deny", "0.0.0.0/0", egress=True, protocol=6, ports=(0, 1023))
    assert ask(with_acl("SubB", ALLOW_IN, below, ALLOW_OUT), SUB_A, SUB_B, port=443) == YES
    # the source's ingress sees the replies too
    deny_in = entry(50, "deny", "10.2.0.0/28", egress=False, protocol=6, ports=(1024, 65535))
    spec = with_acl("SubA", deny_in, ALLOW_IN, ALLOW_OUT)
    assert ask(spec, SUB_A, SUB_B, port=443) == partly("10.2.0.0/28")


def test_ipv4_entries_never_match_ipv6_traffic() -> None:
    spec, peering = routed_both_ways(ipv6_a=True, ipv6_b=True)
    spec.route("TableA", "2001:db8:2::/120", peering)
    spec.route("TableB", "2001:db8:1::/120", peering)
    assert ask(spec, SUB_A, SUB_B, ip_version=6) == YES
    six = [entry(100, "allow", "::/0", egress=False), entry(100, "allow", "::/0", egress=True)]
    spec.acl("AclB", "VpcB", *six)
    spec.subnets["SubB"].acl = "AclB"
    assert ask(spec, SUB_A, SUB_B, ip_version=6) == YES
    assert ask(spec, SUB_A, SUB_B) == no("10.2.0.0/26")
    assert ask(spec, "2001:db8:1::3", "2001:db8:2::8/125") == YES


def test_inside_one_subnet_nothing_applies() -> None:
    spec = with_acl("SubA", entry(1, "deny", "0.0.0.0/0", egress=False))
    assert ask(spec, SUB_A, SUB_A) == YES
    assert ask(spec, SUB_A, "10.1.0.0/25") == partly("10.1.0.64/26")


def test_acls_between_subnets_of_one_vpc() -> None:
    spec, _ = routed_both_ways()
    spec.subnet("SubA2", "VpcA", "10.1.0.64/28", table="TableA")
    assert ask(spec, "Net/VpcA", "Net/SubA2") == YES
    spec.acl("AclA2", "VpcA", ALLOW_OUT, entry(100, "allow", "10.1.0.0/27", egress=False))
    spec.subnets["SubA2"].acl = "AclA2"
    assert ask(spec, "10.1.0.3", "Net/SubA2") == YES
    assert ask(spec, "Net/VpcA", "Net/SubA2") == no("10.1.0.64/28")


# --- IPv6 ---------------------------------------------------------------------------------


def test_ipv6_without_a_block_is_a_definite_no() -> None:
    spec, _ = routed_both_ways(ipv6_b=True)  # SubA has no IPv6 block
    assert ask(spec, SUB_A, SUB_B, ip_version=6) == no("2001:db8:2::/124")
    assert ask(spec, SUB_B, SUB_A, ip_version=6) == no()
    assert ask(spec, SUB_B, "Net/VpcA", ip_version=6) == no()


def test_ipv6_routes_are_their_own() -> None:
    spec, peering = routed_both_ways(ipv6_a=True, ipv6_b=True)
    assert ask(spec, SUB_A, SUB_B, ip_version=6) == no("2001:db8:2::/124")  # IPv4 routes only
    spec.route("TableA", "2001:db8:2::/121", peering)
    spec.route("TableA", "::/0", spec.gateway("EigwA", "VpcA", "egress-only-internet-gateway"))
    spec.route("TableB", "2001:db8:1::/124", peering)
    assert ask(spec, SUB_A, SUB_B, ip_version=6) == YES
    assert ask(spec, "2001:db8:1::1", "2001:db8:2::/120") == partly(
        "2001:db8:2::10/124", "2001:db8:2::20/123", "2001:db8:2::40/122", "2001:db8:2::80/121"
    )


# --- the pieces ---------------------------------------------------------------------------


def test_merge_gives_the_fewest_blocks() -> None:
    addresses = [ip_address(f"10.0.0.{n}") for n in [*range(16, 32), 5, 40, 41]]
    assert merge(addresses) == ("10.0.0.5/32", "10.0.0.16/28", "10.0.0.40/31")
    assert merge([ip_address("2001:db8::1")]) == ("2001:db8::1/128",)
    assert merge([]) == ()


def every_port_allowed(
    spec: NetworkSpec, subnet: Subnet, egress: bool, remote: Address
) -> set[int]:
    """The ports 1-65535 that the subnet's ACL allows, one by one, as SEMANTICS.md words it."""
    if subnet.acl is None:
        return set(range(1, 65536))
    entries = sorted(
        (e for e in spec.acls[subnet.acl].entries if e.egress == egress),
        key=lambda e: e.rule,
    )
    matching = [
        e
        for e in entries
        if e.block.version == remote.version and remote in e.block and e.protocol in (-1, 6)
    ]
    allowed = set()
    for port in range(1, 65536):
        for e in matching:
            if e.ports is None or e.ports[0] <= port <= e.ports[1]:
                if e.allow:
                    allowed.add(port)
                break
    return allowed


def test_one_port_per_class_is_every_port() -> None:
    """The brute force checks one port per class; checking all 65535 answers the same."""
    outcomes = []
    for seed in range(40):
        spec = generate(seed)
        rng = random.Random(seed)
        sources = [s for s in spec.subnets.values() if s.acl is not None]
        ranges = [e.ports for acl in spec.acls.values() for e in acl.entries if e.ports]
        if len(ranges) < 4 or not sources:
            continue
        source, there = rng.choice(sources), rng.choice(list(spec.subnets.values()))
        if source is there:
            continue
        a = source.ipv4[rng.randrange(source.ipv4.num_addresses)]
        d = there.ipv4[rng.randrange(there.ipv4.num_addresses)]
        replies = every_port_allowed(spec, there, True, a) & every_port_allowed(
            spec, source, False, d
        )
        requests = every_port_allowed(spec, source, True, d) & every_port_allowed(
            spec, there, False, a
        )
        oracle = BruteForce(spec)
        for port in (None, rng.choice(ranges)[0] or 1):
            expected = set(range(1024, 65536)) <= replies and (
                port in requests if port is not None else bool(requests)
            )
            assert oracle.acls_pass(source, there, a, d, port) == expected, (seed, port)
            outcomes.append(expected)
        if len(outcomes) >= 12:
            break
    assert sorted(set(outcomes)) == [False, True]


# --- the random networks ------------------------------------------------------------------


def test_a_seed_draws_one_network(tmp_path: Path) -> None:
    one = write_assembly(generate(3), tmp_path / "one")
    two = write_assembly(generate(3), tmp_path / "two")
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())
    for path in one.iterdir():
        assert path.read_text() == (two / path.name).read_text()
    assert draw_questions(generate(3), 3, 5) == draw_questions(generate(3), 3, 5)


@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_every_reference_resolves(seed: int, tmp_path: Path) -> None:
    directory = write_assembly(generate(seed), tmp_path / "cdk.out")
    manifest = json.loads((directory / "manifest.json").read_text())
    templates = {
        name: json.loads((directory / artifact["properties"]["templateFile"]).read_text())
        for name, artifact in manifest["artifacts"].items()
    }
    exports = {
        output["Export"]["Name"]: name
        for name, template in templates.items()
        for output in template.get("Outputs", {}).values()
    }
    for name, template in templates.items():
        known = {*template["Resources"], *template.get("Parameters", {}), "AWS::AccountId"}
        for kind, value in references(template["Resources"]):
            if kind == "Fn::ImportValue":
                assert value in exports, (name, value)
                assert exports[value] in manifest["artifacts"][name]["dependencies"]
            else:
                assert value in known, (name, kind, value)
        for resource in template["Resources"].values():
            assert set(resource.get("DependsOn", [])) <= set(template["Resources"])


def references(value: Any) -> list[tuple[str, str]]:
    """Every Ref, Fn::GetAtt and Fn::ImportValue in ``value``: (function, name)."""
    if isinstance(value, list):
        return [found for each in value for found in references(each)]
    if not isinstance(value, dict):
        return []
    if "Ref" in value:
        return [("Ref", value["Ref"])]
    if "Fn::GetAtt" in value:
        return [("Fn::GetAtt", value["Fn::GetAtt"][0])]
    if "Fn::ImportValue" in value:
        return [("Fn::ImportValue", value["Fn::ImportValue"])]
    return [found for each in value.values() for found in references(each)]


def test_the_property_tests_networks_and_answers_vary() -> None:
    """The property test's seeds reach every kind of network and answer: were they all
    "not reachable", the test would prove little."""
    seen: Counter[str] = Counter()
    for seed in SEEDS[:20]:
        spec = generate(seed)
        oracle = BruteForce(spec)
        seen[spec.environment] += 1
        seen["split stacks" if len({v.stack for v in spec.vpcs.values()}) > 1 else "one"] += 1
        seen.update(route_kinds(spec))
        for question in draw_questions(spec, seed, QUESTIONS_PER_SEED):
            answer = oracle.ask(question)
            seen["port" if question.port else "no port"] += 1
            seen["ipv6" if question.ip_version == 6 or ":" in question.destination else "ipv4"] += 1
            seen[kind_of(answer)] += 1
    kinds = [
        "aws://111111111111/us-east-1",
        "aws://unknown-account/unknown-region",
        "split stacks",
        "one",
        "prefix list",
        "parameter",
        "acl",
        "port",
        "no port",
        "ipv6",
        "ipv4",
        "reachable",
        "partial",
        "unknown",
        "not reachable",
    ]
    assert {kind: seen[kind] for kind in kinds if seen[kind] < 3} == {}, seen
    assert seen["reachable"] + seen["partial"] > len(SEEDS[:20]) * QUESTIONS_PER_SEED / 3, seen


def route_kinds(spec: NetworkSpec) -> set[str]:
    found = set()
    if any(route.prefix_list for route in spec.routes):
        found.add("prefix list")
    if any(route.token for route in spec.routes) or any(
        peering.owner == PARAMETER for peering in spec.peerings.values()
    ):
        found.add("parameter")
    if any(subnet.acl for subnet in spec.subnets.values()):
        found.add("acl")
    return found


def kind_of(answer: Answer) -> str:
    if answer.reachable:
        return "reachable"
    if answer.partial:
        return "partial"
    return "unknown" if answer.unknown else "not reachable"
