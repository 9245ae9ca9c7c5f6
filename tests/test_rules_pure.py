"""The peering rules over plain data: no App, no jsii (cdk_peering.rules and model)."""

from __future__ import annotations

from cdk_peering import rule_ids
from cdk_peering.findings import Finding
from cdk_peering.model.plan import ACCEPTER, REQUESTER
from cdk_peering.model.vpc import VpcData
from cdk_peering.rules.peering import check, check_topology
from cdk_peering.rules.registry import Registry
from tests.helpers import peering_plan

A = VpcData("vpc-a", "Net/A", ("10.0.0.0/16",))
B = VpcData("vpc-b", "Net/B", ("10.1.0.0/16", "100.64.0.0/16"))
C = VpcData("vpc-c", "Net/C", ("10.2.0.0/16",))


def _rules(findings: list[Finding]) -> list[str]:
    return [finding.rule for finding in findings]


def test_a_clean_peering_has_no_finding() -> None:
    plan = peering_plan(
        A, B, (REQUESTER, "rtb-a", "10.1.0.0/16"), (ACCEPTER, "rtb-b", "10.0.0.0/16")
    )
    assert check(plan, Registry()) == []


def test_a_vpc_peered_with_itself_stops_the_other_rules() -> None:
    assert _rules(check(peering_plan(A, A), Registry())) == [rule_ids.SELF_PEERING]


def test_overlapping_blocks_name_both_vpcs() -> None:
    overlapping = VpcData("vpc-d", "Net/D", ("10.1.128.0/20",))
    [finding] = check(peering_plan(B, overlapping), Registry())
    assert finding.rule == rule_ids.OVERLAPPING_IPV4_CIDRS
    assert "10.1.0.0/16 of Net/B overlaps 10.1.128.0/20 of Net/D" in finding.message
    assert finding.path == "Net/P"


def test_a_destination_outside_the_peer_is_transitive() -> None:
    plan = peering_plan(A, B, (REQUESTER, "rtb-a", "10.2.0.0/16"), given=True)
    [finding] = check(plan, Registry())
    assert (finding.rule, finding.error) == (rule_ids.TRANSITIVE_ROUTE, True)


def test_a_secondary_block_is_inside_the_peer() -> None:
    plan = peering_plan(A, B, (REQUESTER, "rtb-a", "100.64.1.0/24"), given=True)
    assert check(plan, Registry()) == []


def test_a_default_route_is_edge_to_edge() -> None:
    plan = peering_plan(A, B, (REQUESTER, "rtb-a", "0.0.0.0/0"), given=True)
    assert _rules(check(plan, Registry())) == [rule_ids.EDGE_TO_EDGE_ROUTE]


def test_an_imported_vpc_with_unknown_blocks_gets_a_warning_not_an_error() -> None:
    imported = VpcData("vpc-e", "Net/E", ("10.4.0.0/16",), built_in_app=False)
    plan = peering_plan(A, imported, (REQUESTER, "rtb-a", "10.9.0.0/16"), given=True)
    [finding] = check(plan, Registry())
    assert (finding.rule, finding.error) == (rule_ids.DESTINATION_NOT_CHECKED, False)


def test_the_registry_finds_a_second_peering_of_a_pair() -> None:
    registry = Registry()
    registry.record(peering_plan(A, B, path="Net/First"))
    [finding] = check(peering_plan(B, A, path="Net/Second"), registry)
    assert finding.rule == rule_ids.DUPLICATE_PEERING
    assert "already peered by Net/First" in finding.message


def test_a_topology_reports_a_vpc_over_its_quota_once() -> None:
    hub = VpcData("vpc-hub", "Net/Hub", ("10.100.0.0/16",))
    spokes = [VpcData(f"vpc-{i}", f"Net/S{i}", (f"10.{i}.0.0/16",)) for i in range(52)]
    findings = check_topology(
        [peering_plan(hub, spoke, path=f"Net/S{i}") for i, spoke in enumerate(spokes)], Registry()
    )
    assert _rules(findings) == [rule_ids.PEERING_QUOTA]
    assert "VPC Net/Hub would have 52 peering connections" in findings[0].message
