"""The quota rules: peerings per VPC and routes per route table, and declared quotas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from .. import rule_ids
from ..findings import Finding, shown
from ..model.plan import REQUESTER, PeeringPlan, PlannedRoute
from ..model.quotas import (
    PEERINGS_PER_VPC_MAX,
    PEERINGS_QUOTA_CONTEXT,
    ROUTES_PER_TABLE_MAX,
    ROUTES_QUOTA_CONTEXT,
)
from ..model.vpc import VpcModel
from .registry import Registry


def quota(
    *,
    path: str,
    name: str,
    declared: int | None,
    context_value: object,
    default: int,
    maximum: int,
    prop: str,
    context_key: str,
) -> tuple[int, Finding | None]:
    """Return the quota in force (prop, else context, else AWS default) and any problem."""
    value: object = declared if declared is not None else context_value
    if value is None:
        return default, None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and default <= value <= maximum:
        return value, None
    source = prop if declared is not None else f"context {context_key!r}"
    return default, Finding(
        path,
        rule_ids.INVALID_QUOTA,
        f"{source} = {shown(value)} is not a valid {name} quota.",
        f"Give a whole number from {default} (the AWS default) to {maximum} (the AWS maximum).",
    )


def peering_count(
    path: str, vpc: VpcModel, count: int, before: int, quota: int, *, planned: bool
) -> Finding | None:
    """Judge a VPC's peering count against AWS's maximum and the quota in force.

    A warning only when the count crosses the quota (``before`` was within it), so a VPC
    over its quota is reported once. ``planned``: a topology's count, not yet built.
    """
    if count > PEERINGS_PER_VPC_MAX:
        return Finding(
            path,
            rule_ids.PEERING_QUOTA_EXCEEDED,
            f"VPC {vpc.path} would have {count} peering connections; AWS allows "
            f"at most {PEERINGS_PER_VPC_MAX} active peering connections per VPC.",
            "Peer fewer VPCs with it: use a hub-and-spoke design or a transit gateway for "
            "this many VPCs.",
        )
    if count > quota >= before:
        return Finding(
            path,
            rule_ids.PEERING_QUOTA,
            f"VPC {vpc.path} {'would have' if planned else 'now has'} {count} peering "
            f"connections, more than the quota of {quota} active VPC peering connections "
            "per VPC.",
            f"Ask AWS to raise the quota (up to {PEERINGS_PER_VPC_MAX}), then declare it with "
            f"peerings_per_vpc_quota or the context value {PEERINGS_QUOTA_CONTEXT!r}.",
            error=False,
        )
    return None


def route_count(
    plan: PeeringPlan[VpcModel],
    route: PlannedRoute,
    count: int,
    before: int,
    *,
    planned: bool,
    saving: int = 0,
) -> Finding | None:
    """Judge the peering routes of one route table (one family) as ``peering_count`` does.

    The quota in force is the plan's (``plan.routes_quota``).

    ``saving``: how many fewer routes the table would hold if the destinations that
    default to a peer's selected subnets pointed at the whole peer VPCs instead. When
    only those extra routes put the table over a limit, that is an error naming the
    whole-VPC choice.
    """
    family = "IPv6" if route.ipv6 else "IPv4"
    quota = plan.routes_quota

    def where() -> str:
        # Only when there is something to say: the VPC's path is a jsii round trip.
        return f"Route table {route.table_label} of {plan.owner_of(route).path}"

    limit = min(quota, ROUTES_PER_TABLE_MAX)
    if not route.ipv6 and saving and count > limit >= count - saving and limit >= before:
        prop = "accepter_destinations" if route.side == REQUESTER else "requester_destinations"
        return Finding(
            plan.path,
            rule_ids.RETURN_ROUTES_OVER_QUOTA,
            f"{where()} would hold {count} IPv4 peering routes, more than the "
            f"{'quota' if limit == quota else 'AWS maximum'} of {limit}, because routes to "
            "peers whose subnets are selected point at those subnets (so that replies can "
            f"return); routes to whole peer VPCs would be {saving} fewer and fit.",
            f"Select subnets of the peers that merge into fewer blocks (adjacent ones), or "
            f"give {prop}=PeerDestinations.vpc_cidrs() to route to whole VPCs (replies "
            "from subnets the peer does not select then cannot return: a "
            f"{rule_ids.ONE_WAY_ROUTE} warning), or raise and declare the quota.",
        )

    if count > ROUTES_PER_TABLE_MAX:
        return Finding(
            plan.path,
            rule_ids.ROUTE_QUOTA_EXCEEDED,
            f"{where()} would hold {count} {family} peering routes; AWS allows at most "
            f"{ROUTES_PER_TABLE_MAX} routes per route table.",
            "Select fewer subnets or destinations, summarise destinations, or peer fewer VPCs.",
        )
    if count > quota >= before:
        return Finding(
            plan.path,
            rule_ids.ROUTE_QUOTA,
            f"{where()} {'would hold' if planned else 'now holds'} {count} {family} peering "
            f"routes, more than the quota of {quota} non-propagated routes per route table "
            "(and the table may hold other routes too).",
            f"Ask AWS to raise the quota (up to {ROUTES_PER_TABLE_MAX}), then declare it "
            "with routes_per_route_table_quota or the context value "
            f"{ROUTES_QUOTA_CONTEXT!r}; or summarise destinations.",
            error=False,
        )
    return None


def peering_quota(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Count the peerings of each VPC of one peering, with it."""
    sides = {plan.requester.vpc_id: plan.requester, plan.accepter.vpc_id: plan.accepter}
    for vpc in sides.values():
        before = registry.peerings_per_vpc[vpc.vpc_id]
        finding = peering_count(
            plan.path, vpc, before + 1, before, plan.peerings_quota, planned=False
        )
        if finding is not None:
            yield finding


def route_quota(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Count the peering routes of each route table one peering adds to."""
    planned: Counter[tuple[str, bool]] = Counter((r.table_id, r.ipv6) for r in plan.routes)
    labels = {(r.table_id, r.ipv6): r for r in plan.routes}
    for key, added in planned.items():
        before = len(registry.routes.get(key, {}))
        route = labels[key]
        finding = route_count(
            plan,
            route,
            before + added,
            before,
            planned=False,
            saving=plan.narrowing.get(route.side, 0),
        )
        if finding is not None:
            yield finding


def topology_quotas(
    plans: Sequence[PeeringPlan[VpcModel]], before: Registry, after: Registry
) -> Iterator[Finding]:
    """Compare each VPC's and each route table's count after a topology to the quotas."""
    vpcs: dict[str, tuple[PeeringPlan[VpcModel], VpcModel]] = {}
    tables: dict[tuple[str, bool], tuple[PeeringPlan[VpcModel], PlannedRoute]] = {}
    savings: Counter[tuple[str, bool]] = Counter()
    for plan in plans:
        if plan.is_lookup_placeholder:
            continue
        vpcs.setdefault(plan.requester.vpc_id, (plan, plan.requester))
        vpcs.setdefault(plan.accepter.vpc_id, (plan, plan.accepter))
        for table_id, ipv6, side in {(r.table_id, r.ipv6, r.side) for r in plan.routes}:
            savings[table_id, ipv6] += plan.narrowing.get(side, 0)
        for route in plan.routes:
            tables.setdefault((route.table_id, route.ipv6), (plan, route))
    for vpc_id, (plan, vpc) in vpcs.items():
        count, before_count = after.peerings_per_vpc[vpc_id], before.peerings_per_vpc[vpc_id]
        finding = peering_count(
            plan.path, vpc, count, before_count, plan.peerings_quota, planned=True
        )
        if finding is not None:
            yield finding
    for key, (plan, route) in tables.items():
        count, before_count = len(after.routes.get(key, {})), len(before.routes.get(key, {}))
        found = route_count(
            plan,
            route,
            count,
            before_count,
            planned=True,
            saving=savings[key],
        )
        if found is not None:
            yield found
