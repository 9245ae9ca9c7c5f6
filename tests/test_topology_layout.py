"""The layout contract alone: which stack part holds each route table (no App needed)."""

from __future__ import annotations

import pytest

from cdk_peering.model.quotas import PEERINGS_PER_VPC_MAX
from cdk_peering.topology import placement
from cdk_peering.topology.layout import ACCEPTS, REQUESTS, part_suffix, parts

TABLES = [f"rtb-{i}" for i in range(8)]


def test_ipv4_requests_keep_two_tables_beside_the_connections_then_three_per_part() -> None:
    assert list(parts(REQUESTS, TABLES, has_ipv6=False).values()) == [0, 0, 1, 1, 1, 2, 2, 2]


def test_ipv4_accepts_hold_three_tables_per_part() -> None:
    assert list(parts(ACCEPTS, TABLES, has_ipv6=False).values()) == [0, 0, 0, 1, 1, 1, 2, 2]


def test_a_dual_stack_vpc_gets_one_table_per_part() -> None:
    assert list(parts(REQUESTS, TABLES[:3], has_ipv6=True).values()) == [0, 1, 2]
    assert list(parts(ACCEPTS, TABLES[:3], has_ipv6=True).values()) == [0, 1, 2]


@pytest.mark.parametrize("layer", [REQUESTS, ACCEPTS])
@pytest.mark.parametrize("has_ipv6", [False, True])
def test_no_part_can_outgrow_the_stack_budget(layer: str, has_ipv6: bool) -> None:
    # At AWS's maximum every table holds one route per peer (and family); part 0 of the
    # Requests layer also holds every connection.
    per_table = PEERINGS_PER_VPC_MAX * (2 if has_ipv6 else 1)
    layout = parts(layer, TABLES, has_ipv6=has_ipv6)
    for part in set(layout.values()):
        tables = sum(1 for each in layout.values() if each == part)
        connections = PEERINGS_PER_VPC_MAX if (layer, part) == (REQUESTS, 0) else 0
        assert tables * per_table + connections <= placement.STACK_BUDGET


@pytest.mark.parametrize("layer", [REQUESTS, ACCEPTS])
def test_a_table_keeps_its_part_when_tables_are_added_after_it(layer: str) -> None:
    before = parts(layer, TABLES[:4], has_ipv6=False)
    after = parts(layer, TABLES, has_ipv6=False)
    assert {table: after[table] for table in before} == before


def test_parts_are_named_after_the_layer() -> None:
    assert [part_suffix(REQUESTS, 0), part_suffix(REQUESTS, 1), part_suffix(ACCEPTS, 2)] == [
        "Requests",
        "RequestsPart2",
        "AcceptsPart3",
    ]
