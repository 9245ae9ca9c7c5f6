"""The AWS peering rules, in one table.

Each rule looks at a planned peering (both VPCs, every route it would add) and at what the
app already holds (the registry), and yields findings: errors for configurations AWS
rejects or that cannot work, warnings for legal but risky ones and for checks that had to
be skipped because a value is an unresolved token. Nothing here calls into jsii, so the
rules are cheap and can run for every peering of a large mesh.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from ._facts import IpNetwork, VpcFacts, is_token, parse_network

# AWS quotas (VPC peering and route table quota pages). The defaults can be raised by
# AWS support up to the maximum; a user declares a raised quota with a prop or context.
PEERINGS_PER_VPC_DEFAULT = 50
PEERINGS_PER_VPC_MAX = 125
ROUTES_PER_TABLE_DEFAULT = 50
ROUTES_PER_TABLE_MAX = 1000
PEERINGS_QUOTA_CONTEXT = "cdk-peering:activePeeringsPerVpcQuota"
ROUTES_QUOTA_CONTEXT = "cdk-peering:routesPerRouteTableQuota"


@dataclass(frozen=True)
class Finding:
    """What one rule found; warnings carry a stable id a user can acknowledge."""

    rule: str
    message: str
    fix: str
    error: bool


@dataclass(frozen=True)
class PlannedRoute:
    """A route the peering would add to one route table."""

    side: str
    """``Requester`` or ``Accepter``: whose route table it is in."""
    table_id: str
    table_label: str
    destination: str
    destination_label: str
    ipv6: bool
    given: bool
    """True when the user named the destination, so it must be checked against the peer."""


@dataclass(frozen=True)
class PeeringPlan:
    """Everything one peering would build, before anything is built."""

    path: str
    requester: VpcFacts
    accepter: VpcFacts
    routes: tuple[PlannedRoute, ...]
    peerings_quota: int
    routes_quota: int
    findings: tuple[Finding, ...] = ()
    """Problems found while planning (bad quotas, empty subnet selections)."""

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether a side is Vpc.from_lookup's stand-in (first pass of `cdk synth`)."""
        return self.requester.is_lookup_placeholder or self.accepter.is_lookup_placeholder

    def peer_of(self, route: PlannedRoute) -> VpcFacts:
        """Return the VPC a route points into."""
        return self.accepter if route.side == "Requester" else self.requester

    def owner_of(self, route: PlannedRoute) -> VpcFacts:
        """Return the VPC whose route table holds a route."""
        return self.requester if route.side == "Requester" else self.accepter


@dataclass(frozen=True)
class _Span:
    """A literal route destination as an address range, to find overlaps quickly."""

    first: int
    last: int
    destination: str
    path: str
    """The peering the route belongs to."""
    given: bool

    @staticmethod
    def of(route: PlannedRoute, path: str) -> _Span | None:
        """Return the route's range; None for a token or text that is not a CIDR."""
        network = parse_network(route.destination)
        if network is None:
            return None
        return _Span(
            int(network.network_address),
            int(network.broadcast_address),
            route.destination,
            path,
            route.given,
        )

    def overlaps(self, other: _Span) -> bool:
        """Tell whether two different blocks share addresses (the same block does not)."""
        return (self.first, self.last) != (other.first, other.last) and (
            self.first <= other.last and other.first <= self.last
        )


@dataclass
class Registry:
    """What the peerings of one app have built so far."""

    pairs: dict[frozenset[str], str] = field(default_factory=dict[frozenset[str], str])
    peerings_per_vpc: Counter[str] = field(default_factory=Counter[str])
    routes: dict[tuple[str, bool], dict[str, str]] = field(
        default_factory=dict[tuple[str, bool], dict[str, str]]
    )
    spans: dict[tuple[str, bool], list[_Span]] = field(
        default_factory=dict[tuple[str, bool], list[_Span]]
    )
    """The literal destinations of each route table (and family), as address ranges."""

    def copy(self) -> Registry:
        """Return a copy that can record more peerings without changing this one."""
        return Registry(
            pairs=dict(self.pairs),
            peerings_per_vpc=Counter(self.peerings_per_vpc),
            routes={key: dict(table) for key, table in self.routes.items()},
            spans={key: list(table) for key, table in self.spans.items()},
        )

    def record(self, plan: PeeringPlan) -> None:
        """Remember a peering that was built."""
        if plan.is_lookup_placeholder:
            return  # placeholder VPCs all share one id
        self.pairs[_pair(plan)] = plan.path
        self.peerings_per_vpc[plan.requester.vpc_id] += 1
        self.peerings_per_vpc[plan.accepter.vpc_id] += 1
        for route in plan.routes:
            key = (route.table_id, route.ipv6)
            self.routes.setdefault(key, {})[canonical_cidr(route.destination)] = plan.path
            span = _Span.of(route, plan.path)
            if span is not None:
                self.spans.setdefault(key, []).append(span)


def _pair(plan: PeeringPlan) -> frozenset[str]:
    return frozenset((plan.requester.vpc_id, plan.accepter.vpc_id))


Check = Callable[[PeeringPlan, Registry], Iterator[Finding]]


def _self_peering(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    if plan.requester.vpc_id == plan.accepter.vpc_id:
        yield Finding(
            "cdk_peering:selfPeering",
            f"VPC {plan.requester.path} cannot be peered with itself.",
            "Give a different accepter_vpc.",
            error=True,
        )


def _duplicate_pair(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    existing = registry.pairs.get(_pair(plan))
    if existing is not None:
        yield Finding(
            "cdk_peering:duplicatePeering",
            f"VPCs {plan.requester.path} and {plan.accepter.path} are already "
            f"peered by {existing}; AWS allows one peering connection per VPC pair.",
            f"Remove this peering or reuse {existing}.",
            error=True,
        )


def _overlaps(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    requester, accepter = plan.requester, plan.accepter
    for left in requester.known_networks:
        for right in accepter.known_networks:
            if left.version == right.version and left.overlaps(right):
                yield Finding(
                    f"cdk_peering:overlappingIpv{left.version}Cidrs",
                    f"IPv{left.version} CIDR {left} of {requester.path} overlaps "
                    f"{right} of {accepter.path}; AWS fails a peering between VPCs "
                    "with any overlapping CIDR blocks, even unused ones.",
                    "Peer VPCs whose CIDR blocks are all disjoint, or re-address one VPC.",
                    error=True,
                )
    for facts in (requester, accepter):
        unresolved = [
            cidr
            for cidr in facts.ipv4_cidrs + facts.ipv6_cidrs
            if is_token(cidr) and cidr not in facts.ipv6_amazon_provided
        ]
        if unresolved or facts.unresolved_ipv4_blocks:
            yield Finding(
                "cdk_peering:overlapNotChecked",
                f"Skipped the CIDR overlap check for {facts.path}: "
                f"{len(unresolved) + facts.unresolved_ipv4_blocks} of its CIDR blocks "
                "are unresolved tokens (imported values or IPAM allocations).",
                "Give the VPC literal CIDRs (for example Vpc.from_vpc_attributes("
                "vpc_cidr_block='10.0.0.0/16')) so the check can run, or acknowledge "
                "this warning.",
                error=False,
            )


def _destinations(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    checked: set[tuple[str, str]] = set()
    for route in plan.routes:
        if not route.given or (route.side, route.destination) in checked:
            continue
        checked.add((route.side, route.destination))
        yield from _check_destination(plan, route)


def _check_destination(plan: PeeringPlan, route: PlannedRoute) -> Iterator[Finding]:
    peer = plan.peer_of(route)
    destination = route.destination
    if is_token(destination):
        yield Finding(
            "cdk_peering:destinationNotChecked",
            f"Skipped checking that route destination {destination} lies inside "
            f"{peer.path}: it is an unresolved token.",
            "Give a literal CIDR, or acknowledge this warning.",
            error=False,
        )
        return
    network = parse_network(destination)
    problem = _cidr_problem(destination, network)
    if problem is not None:
        yield Finding(
            "cdk_peering:invalidDestination",
            f"Route destination {destination!r} is not a CIDR block{problem}",
            "Give a CIDR such as '10.1.0.0/24' or '2600:1f18::/64'"
            + ("." if network is None else f"; here {str(network)!r}, or the block it is in."),
            error=True,
        )
        return
    assert network is not None
    if network.prefixlen == 0:
        yield Finding(
            "cdk_peering:edgeToEdgeRoute",
            f"Route destination {destination} through the peering with {peer.path} "
            "is a default route: AWS does not route traffic through a peer VPC's internet "
            "gateway, NAT, VPN, Direct Connect or gateway endpoint (edge-to-edge routing).",
            f"Route only to CIDRs inside {peer.path}; reach other networks through "
            "this VPC's own gateways or a transit gateway.",
            error=True,
        )
        return
    if any(
        network.version == known.version and network.subnet_of(known)  # type: ignore[arg-type]
        for known in peer.known_networks
    ):
        return
    complete = (
        peer.built_in_app
        and not peer.unresolved_ipv4_blocks
        and not any(
            is_token(cidr) and cidr not in peer.ipv6_amazon_provided
            for cidr in peer.ipv4_cidrs + peer.ipv6_cidrs
        )
    )
    if complete and not (network.version == 6 and peer.ipv6_amazon_provided):
        yield Finding(
            "cdk_peering:transitiveRoute",
            f"Route destination {destination} is not inside {peer.path} "
            f"(its CIDRs: {', '.join(str(n) for n in peer.known_networks)}); AWS peering "
            "is not transitive, so traffic to it through this peering is dropped.",
            f"Route only to CIDRs inside {peer.path}; peer directly with the VPC "
            "that owns the destination.",
            error=True,
        )
    else:
        yield Finding(
            "cdk_peering:destinationNotChecked",
            f"Could not confirm that route destination {destination} lies inside "
            f"{peer.path}: CDK does not know all of that VPC's CIDR blocks.",
            "Make sure the destination lies inside the peer VPC, then acknowledge this warning.",
            error=False,
        )


def _route_conflicts(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    seen: dict[tuple[str, bool, str], PlannedRoute] = {}
    for route in plan.routes:
        destination = canonical_cidr(route.destination)
        key = (route.table_id, route.ipv6, destination)
        table = registry.routes.get((route.table_id, route.ipv6), {})
        existing = table.get(destination)
        if key in seen or existing is not None:
            other = existing or plan.path
            yield Finding(
                "cdk_peering:duplicateRouteDestination",
                f"Route table {route.table_label} of {plan.owner_of(route).path} would "
                f"get two peering routes to {route.destination} (the other from {other}); "
                "a route table holds one route per destination.",
                "Peer VPCs with overlapping CIDRs through different route tables, or give "
                "more specific destinations (longest prefix wins).",
                error=True,
            )
        seen[key] = route


def _overlapping_destinations(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    """Warn when a table would route overlapping blocks through two peerings.

    Longest prefix wins, and AWS has no unicast reverse-path forwarding: the wider
    block's VPC cannot be reached in the overlap. Not when both destinations were given
    by the user (specific routes, the configuration AWS's guide describes for this).
    """
    for route in plan.routes:
        span = _Span.of(route, plan.path)
        if span is None:
            continue
        for other in registry.spans.get((route.table_id, route.ipv6), ()):
            if other.path == plan.path or (span.given and other.given):
                continue
            if span.overlaps(other):
                narrow, wide = sorted((span, other), key=lambda s: s.last - s.first)
                yield Finding(
                    "cdk_peering:overlappingDestinations",
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


def _peering_quota(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    sides = {plan.requester.vpc_id: plan.requester, plan.accepter.vpc_id: plan.accepter}
    for facts in sides.values():
        before = registry.peerings_per_vpc[facts.vpc_id]
        finding = _peering_count(facts, before + 1, before, plan.peerings_quota, planned=False)
        if finding is not None:
            yield finding


def _route_quota(plan: PeeringPlan, registry: Registry) -> Iterator[Finding]:
    planned: Counter[tuple[str, bool]] = Counter((r.table_id, r.ipv6) for r in plan.routes)
    labels = {(r.table_id, r.ipv6): r for r in plan.routes}
    for key, added in planned.items():
        before = len(registry.routes.get(key, {}))
        finding = _route_count(
            plan, labels[key], before + added, before, plan.routes_quota, planned=False
        )
        if finding is not None:
            yield finding


def _peering_count(
    facts: VpcFacts, count: int, before: int, quota: int, *, planned: bool
) -> Finding | None:
    """Judge a VPC's peering count against AWS's maximum and the quota in force.

    A warning only when the count crosses the quota (``before`` was within it), so a VPC
    over its quota is reported once. ``planned``: a topology's count, not yet built.
    """
    if count > PEERINGS_PER_VPC_MAX:
        return Finding(
            "cdk_peering:peeringQuotaExceeded",
            f"VPC {facts.path} would have {count} peering connections; AWS allows "
            f"at most {PEERINGS_PER_VPC_MAX} active peering connections per VPC.",
            "Peer fewer VPCs with it: use a hub-and-spoke design or a transit gateway for "
            "this many VPCs.",
            error=True,
        )
    if count > quota >= before:
        return Finding(
            "cdk_peering:peeringQuota",
            f"VPC {facts.path} {'would have' if planned else 'now has'} {count} peering "
            f"connections, more than the quota of {quota} active VPC peering connections "
            "per VPC.",
            f"Ask AWS to raise the quota (up to {PEERINGS_PER_VPC_MAX}), then declare it with "
            f"peerings_per_vpc_quota or the context value {PEERINGS_QUOTA_CONTEXT!r}.",
            error=False,
        )
    return None


def _route_count(
    plan: PeeringPlan, route: PlannedRoute, count: int, before: int, quota: int, *, planned: bool
) -> Finding | None:
    """Judge the peering routes of one route table (one family) as ``_peering_count`` does."""
    family = "IPv6" if route.ipv6 else "IPv4"

    def where() -> str:
        # Only when there is something to say: the VPC's path is a jsii round trip.
        return f"Route table {route.table_label} of {plan.owner_of(route).path}"

    if count > ROUTES_PER_TABLE_MAX:
        return Finding(
            "cdk_peering:routeQuotaExceeded",
            f"{where()} would hold {count} {family} peering routes; AWS allows at most "
            f"{ROUTES_PER_TABLE_MAX} routes per route table.",
            "Select fewer subnets or destinations, summarise destinations, or peer fewer VPCs.",
            error=True,
        )
    if count > quota >= before:
        return Finding(
            "cdk_peering:routeQuota",
            f"{where()} {'would hold' if planned else 'now holds'} {count} {family} peering "
            f"routes, more than the quota of {quota} non-propagated routes per route table "
            "(and the table may hold other routes too).",
            f"Ask AWS to raise the quota (up to {ROUTES_PER_TABLE_MAX}), then declare it "
            "with routes_per_route_table_quota or the context value "
            f"{ROUTES_QUOTA_CONTEXT!r}; or summarise destinations.",
            error=False,
        )
    return None


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


# The rules, in the order their findings are reported.
RULES: tuple[Rule, ...] = (
    Rule("a VPC cannot peer with itself", _self_peering, final=True),
    Rule("one peering connection per VPC pair", _duplicate_pair, final=True),
    Rule("no overlapping IPv4 or IPv6 CIDR blocks", _overlaps),
    Rule("routes stay inside the peer: no transitive or edge-to-edge routing", _destinations),
    Rule("one route per destination in a route table", _route_conflicts),
    Rule(
        "overlapping destinations in a route table through two peerings", _overlapping_destinations
    ),
    Rule("active peering connections per VPC", _peering_quota, quota=True),
    Rule("routes per route table", _route_quota, quota=True),
)


def check(plan: PeeringPlan, registry: Registry) -> list[Finding]:
    """Run the rules over a planned peering; planning findings come first."""
    findings = list(plan.findings)
    if plan.is_lookup_placeholder:
        return findings  # checked again once the CLI has looked the VPCs up
    for rule in RULES:
        found = list(rule.check(plan, registry))
        findings.extend(found)
        if rule.final and any(finding.error for finding in found):
            break
    return findings


def check_topology(
    plans: Sequence[PeeringPlan], registry: Registry
) -> list[tuple[PeeringPlan, Finding]]:
    """Run the rules over every planned peering of a topology at once.

    Each peering is checked against the app's registry plus the peerings planned before
    it (so two peerings of the topology that conflict are both seen); the quotas are
    counted once over the whole topology, so a VPC over its quota is reported once, not
    once per peering beyond it. Findings repeated by several peerings (a bad subnet
    selection shared by all of them) are reported once. ``registry`` is not changed.
    """
    scratch = registry.copy()
    results: list[tuple[PeeringPlan, Finding]] = []
    seen: set[Finding] = set()

    def report(plan: PeeringPlan, finding: Finding) -> None:
        if finding not in seen:
            seen.add(finding)
            results.append((plan, finding))

    for plan in plans:
        for finding in plan.findings:
            report(plan, finding)
        if plan.is_lookup_placeholder:
            continue
        for rule in RULES:
            if rule.quota:
                continue
            found = list(rule.check(plan, scratch))
            for finding in found:
                report(plan, finding)
            if rule.final and any(finding.error for finding in found):
                break
        scratch.record(plan)
    for plan, finding in _topology_quotas(plans, registry, scratch):
        report(plan, finding)
    return results


def _topology_quotas(
    plans: Sequence[PeeringPlan], before: Registry, after: Registry
) -> Iterator[tuple[PeeringPlan, Finding]]:
    """Compare each VPC's and each route table's count after the topology to the quotas."""
    vpcs: dict[str, tuple[PeeringPlan, VpcFacts]] = {}
    tables: dict[tuple[str, bool], tuple[PeeringPlan, PlannedRoute]] = {}
    for plan in plans:
        if plan.is_lookup_placeholder:
            continue
        vpcs.setdefault(plan.requester.vpc_id, (plan, plan.requester))
        vpcs.setdefault(plan.accepter.vpc_id, (plan, plan.accepter))
        for route in plan.routes:
            tables.setdefault((route.table_id, route.ipv6), (plan, route))
    for vpc_id, (plan, facts) in vpcs.items():
        count, before_count = after.peerings_per_vpc[vpc_id], before.peerings_per_vpc[vpc_id]
        finding = _peering_count(facts, count, before_count, plan.peerings_quota, planned=True)
        if finding is not None:
            yield plan, finding
    for key, (plan, route) in tables.items():
        count, before_count = len(after.routes.get(key, {})), len(before.routes.get(key, {}))
        found = _route_count(plan, route, count, before_count, plan.routes_quota, planned=True)
        if found is not None:
            yield plan, found


def quota(
    *,
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
        "cdk_peering:invalidQuota",
        f"{source} = {value!r} is not a valid {name} quota.",
        f"Give a whole number from {default} (the AWS default) to {maximum} (the AWS maximum).",
        error=True,
    )


def _cidr_problem(text: str, network: IpNetwork | None) -> str | None:
    """Say what keeps a literal destination from being a CIDR block; None when it is one."""
    if network is None:
        return "."
    if "/" not in text:
        return ": it has no prefix length."
    try:
        ipaddress.ip_network(text)  # strict: no host bits
    except ValueError:
        return ": it has host bits set."
    return None


def canonical_cidr(cidr: str) -> str:
    """Return a valid literal CIDR in one form (IPv6 compressed, lower case); else as is.

    For comparisons only (route conflicts, the registry): two spellings of one IPv6 block
    are one destination. Templates keep the user's spelling, so ids do not change.
    """
    if is_token(cidr) or "/" not in cidr:
        return cidr
    try:
        return str(ipaddress.ip_network(cidr))
    except ValueError:
        return cidr  # host bits set, or not a CIDR: the destination rule says so


def is_ipv6(cidr: str) -> bool:
    """Tell whether a literal CIDR is IPv6 (tokens are told apart by the caller)."""
    try:
        return isinstance(ipaddress.ip_network(cidr, strict=False), ipaddress.IPv6Network)
    except ValueError:
        return ":" in cidr
