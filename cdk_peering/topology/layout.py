"""The layout contract: which stack part each route table's routes go to.

Logical ids and stack names must not change when VPCs join or leave a topology (a route
moved to another stack fails the deploy: the new stack creates it while the old one still
holds it). So the part of a route table is computed from its own VPC alone (the order of
its route tables, whether it has IPv6) and AWS's fixed maximum of 125 peerings per VPC,
never from its peers or the declared quotas. A table gets at most one route per peer and
family, so a part of ``STACK_BUDGET // per_table`` tables can never overflow, and the
Requests layer's first part keeps room for the connections.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.plan import REQUESTER, PlannedRoute
from ..model.quotas import PEERINGS_PER_VPC_MAX
from . import placement

REQUESTS = "Requests"
"""The layer of a side that holds the connections its VPC requests, with its routes to them."""
ACCEPTS = "Accepts"
"""The layer of a side that holds its VPC's routes through connections other VPCs requested.

Kept apart so that stacks depend on each other in two layers only (Accepts -> Requests ->
the VPCs' stacks): CDK's dependency checks slow down exponentially on deep stack graphs."""

OPTIONS = "Options"
"""The layer of a side that holds the custom resources of its VPC's side of each connection:
its connection options (multipath resilience) and, for connections it accepted across
accounts or Regions, the tags of its view of them. Apart from the routes, so that the
routes' layout (and logical ids) stay as they are; one stack per VPC, as deep as Accepts."""


def layer_of(route: PlannedRoute) -> str:
    """Return the layer a route belongs to: its VPC requested the connection or accepted it."""
    return REQUESTS if route.side == REQUESTER else ACCEPTS


def parts(layer: str, tables: Sequence[str], *, has_ipv6: bool) -> dict[str, int]:
    """Return the part (0, 1, ...) of each of one VPC's route tables in one layer.

    ``tables`` in the order the VPC's subnets list them. Part 0 of the Requests layer also
    holds the connections the VPC requests (up to AWS's maximum of peerings per VPC).
    """
    per_table = PEERINGS_PER_VPC_MAX * (2 if has_ipv6 else 1)
    peerings = PEERINGS_PER_VPC_MAX if layer == REQUESTS else 0
    first = max(0, (placement.STACK_BUDGET - peerings) // per_table)
    rest = max(1, placement.STACK_BUDGET // per_table)
    return {
        table: 0 if position < first else 1 + (position - first) // rest
        for position, table in enumerate(tables)
    }


def part_suffix(layer: str, part: int) -> str:
    """Return the name of one part of a layer: ``Requests``, ``RequestsPart2``, ..."""
    return layer + ("" if part == 0 else f"Part{part + 1}")
