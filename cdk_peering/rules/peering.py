"""The AWS peering rules, in one table.

Each rule looks at a planned peering (both VPCs, every route it would add) and at what the
app already holds (the registry), and yields findings: errors for configurations AWS
rejects or that cannot work, warnings for legal but risky ones and for checks that had to
be skipped because a value is an unresolved token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .. import rule_ids
from ..findings import Finding
from ..model.cidr import canonical_cidr
from ..model.plan import PeeringPlan, PlannedRoute
from ..model.vpc import VpcModel, unresolved_cidrs
from .destinations import destinations
from .quotas import peering_quota, route_quota, topology_quotas
from .registry import Registry, Span, pair_key

Check = Callable[[PeeringPlan[VpcModel], Registry], Iterator[Finding]]


def self_peering(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Reject a VPC peered with itself."""
    if plan.requester.vpc_id == plan.accepter.vpc_id:
        yield Finding(
            plan.path,
            rule_ids.SELF_PEERING,
            f"VPC {plan.requester.path} cannot be peered with itself.",
            "Give a different accepter_vpc.",
        )


def duplicate_pair(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Reject a second peering between the same two VPCs."""
    existing = registry.pairs.get(pair_key(plan))
    if existing is not None:
        yield Finding(
            plan.path,
            rule_ids.DUPLICATE_PEERING,
            f"VPCs {plan.requester.path} and {plan.accepter.path} are already "
            f"peered by {existing}; AWS allows one peering connection per VPC pair.",
            f"Remove this peering or reuse {existing}.",
        )


def overlaps(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Reject overlapping CIDR blocks of the two VPCs, used or not."""
    requester, accepter = plan.requester, plan.accepter
    for left in requester.known_networks:
        for right in accepter.known_networks:
            if left.version == right.version and left.overlaps(right):
                yield Finding(
                    plan.path,
                    rule_ids.OVERLAPPING_IPV4_CIDRS
                    if left.version == 4
                    else rule_ids.OVERLAPPING_IPV6_CIDRS,
                    f"IPv{left.version} CIDR {left} of {requester.path} overlaps "
                    f"{right} of {accepter.path}; AWS fails a peering between VPCs "
                    "with any overlapping CIDR blocks, even unused ones.",
                    "Peer VPCs whose CIDR blocks are all disjoint, or re-address one VPC.",
                )
    for vpc in (requester, accepter):
        # A VPC always has a primary IPv4 block: none known is one unknown block.
        count = len(unresolved_cidrs(vpc)) + vpc.unresolved_ipv4_blocks + (not vpc.ipv4_cidrs)
        if count:
            yield Finding(
                plan.path,
                rule_ids.OVERLAP_NOT_CHECKED,
                f"Skipped the CIDR overlap check for {vpc.path}: "
                + ("1 of its CIDR blocks is" if count == 1 else f"{count} of its CIDR blocks are")
                + " not known (unresolved tokens, IPAM allocations, or a VPC imported without "
                "vpc_cidr_block).",
                "Give the VPC literal CIDRs (for example Vpc.from_vpc_attributes("
                "vpc_cidr_block='10.0.0.0/16')) so the check can run, or acknowledge "
                "this warning.",
                error=False,
            )


def route_conflicts(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Reject two routes to one destination in one route table."""
    seen: dict[tuple[str, bool, str], PlannedRoute] = {}
    for route in plan.routes:
        destination = canonical_cidr(route.destination)
        key = (route.table_id, route.ipv6, destination)
        table = registry.routes.get((route.table_id, route.ipv6), {})
        existing = table.get(destination)
        if key in seen or existing is not None:
            other = existing or plan.path
            yield Finding(
                plan.path,
                rule_ids.DUPLICATE_ROUTE_DESTINATION,
                f"Route table {route.table_label} of {plan.owner_of(route).path} would "
                f"get two peering routes to {route.destination} (the other from {other}); "
                "a route table holds one route per destination.",
                "Peer VPCs with overlapping CIDRs through different route tables, or give "
                "more specific destinations (longest prefix wins).",
            )
        seen[key] = route


def overlapping_destinations(plan: PeeringPlan[VpcModel], registry: Registry) -> Iterator[Finding]:
    """Warn when a table would route overlapping blocks through two peerings.

    Longest prefix wins, and AWS has no unicast reverse-path forwarding: the wider
    block's VPC cannot be reached in the overlap. Not when both destinations were given
    by the user (specific routes, the configuration AWS's guide describes for this).
    """
    for route in plan.routes:
        span = Span.of(route, plan.path)
        if span is None:
            continue
        for other in registry.spans.get((route.table_id, route.ipv6), ()):
            if other.path == plan.path or (span.given and other.given):
                continue
            if span.overlaps(other):
                narrow, wide = sorted((span, other), key=lambda s: s.last - s.first)
                yield Finding(
                    plan.path,
                    rule_ids.OVERLAPPING_DESTINATIONS,
                    f"Route table {route.table_label} of {plan.owner_of(route).path} would "
                    f"route {span.destination} through {plan.path} and {other.destination} "
                    f"through {other.path}: the longer prefix wins, so traffic to "
                    f"{narrow.destination} goes only through {narrow.path}: the VPC at the "
                    f"other end of {wide.path} cannot be reached at those addresses from "
                    "this table (AWS has no unicast reverse-path forwarding).",
                    "Route to specific destinations that do not overlap "
                    "(PeerDestinations.subnet_cidrs(...) or cidr_blocks([...])), or "
                    "acknowledge this warning if the overlap is intended.",
                    error=False,
                )
                break


@dataclass(frozen=True)
class Rule:
    """One row of the rule table."""

    description: str
    check: Check
    final: bool = False
    """When it finds an error, the later rules are not run: their findings would only
    repeat the same mistake (a VPC peered with itself also overlaps itself)."""
    quota: bool = False
    """A count against an AWS quota: a topology checks it once, over all its peerings."""
    routes: bool = False
    """A rule about routes alone, which also holds for a route added to an existing peering."""


# The rules, in the order their findings are reported.
RULES: tuple[Rule, ...] = (
    Rule("a VPC cannot peer with itself", self_peering, final=True),
    Rule("one peering connection per VPC pair", duplicate_pair, final=True),
    Rule("no overlapping IPv4 or IPv6 CIDR blocks", overlaps),
    Rule(
        "routes stay inside the peer: no transitive or edge-to-edge routing",
        destinations,
        routes=True,
    ),
    Rule("one route per destination in a route table", route_conflicts, routes=True),
    Rule(
        "overlapping destinations in a route table through two peerings",
        overlapping_destinations,
        routes=True,
    ),
    Rule("active peering connections per VPC", peering_quota, quota=True),
    Rule("routes per route table", route_quota, quota=True, routes=True),
)
_ROUTE_RULES = tuple(rule for rule in RULES if rule.routes)
_TOPOLOGY_RULES = tuple(rule for rule in RULES if not rule.quota)  # quotas: once, at the end


def _run(
    rules: tuple[Rule, ...], plan: PeeringPlan[VpcModel], registry: Registry
) -> Iterator[Finding]:
    """Run ``rules`` in order over a planned peering, until a final rule finds an error."""
    for rule in rules:
        found = list(rule.check(plan, registry))
        yield from found
        if rule.final and any(finding.error for finding in found):
            return


def check(plan: PeeringPlan[VpcModel], registry: Registry) -> list[Finding]:
    """Run the rules over a planned peering; planning findings come first."""
    findings = list(plan.findings)
    if plan.is_lookup_placeholder:
        return findings  # checked again once the CLI has looked the VPCs up
    findings.extend(_run(RULES, plan, registry))
    return findings


def check_routes(plan: PeeringPlan[VpcModel], registry: Registry) -> list[Finding]:
    """Run the route rules over routes added to an existing peering (``plan.routes``)."""
    findings = list(plan.findings)
    findings.extend(_run(_ROUTE_RULES, plan, registry))
    return findings


def check_topology(plans: Sequence[PeeringPlan[VpcModel]], registry: Registry) -> list[Finding]:
    """Run the rules over every planned peering of a topology at once.

    Each peering is checked against the app's registry plus the peerings planned before
    it (so two peerings of the topology that conflict are both seen); the quotas are
    counted once over the whole topology, so a VPC over its quota is reported once, not
    once per peering beyond it. Findings repeated by several peerings (a bad subnet
    selection shared by all of them) are reported once. ``registry`` is not changed.
    """
    scratch = registry.copy()
    results: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()

    def report(finding: Finding) -> None:
        # The same finding from several peerings (their path aside) is reported once.
        key = (finding.rule, finding.message, finding.fix)
        if key not in seen:
            seen.add(key)
            results.append(finding)

    for plan in plans:
        for finding in plan.findings:
            report(finding)
        if plan.is_lookup_placeholder:
            continue
        for finding in _run(_TOPOLOGY_RULES, plan, scratch):
            report(finding)
        scratch.record(plan)
    for finding in topology_quotas(plans, registry, scratch):
        report(finding)
    return results
