"""Registry: what the peerings of one app have built so far, for the rules to check against."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model.cidr import canonical_cidr, parse_network
from ..model.plan import PeeringPlan, PlannedRoute
from ..model.vpc import VpcModel


@dataclass(frozen=True)
class Span:
    """A literal route destination as an address range, to find overlaps quickly."""

    first: int
    last: int
    destination: str
    path: str
    """The peering the route belongs to."""
    given: bool

    @staticmethod
    def of(route: PlannedRoute, path: str) -> Span | None:
        """Return the route's range; None for a token or text that is not a CIDR."""
        network = parse_network(route.destination)
        if network is None:
            return None
        return Span(
            int(network.network_address),
            int(network.broadcast_address),
            route.destination,
            path,
            route.given,
        )

    def overlaps(self, other: Span) -> bool:
        """Tell whether two different blocks share addresses (the same block does not)."""
        return (self.first, self.last) != (other.first, other.last) and (
            self.first <= other.last and other.first <= self.last
        )


def pair_key(plan: PeeringPlan[VpcModel]) -> frozenset[str]:
    """Return the key of a peering's VPC pair (either order)."""
    return frozenset((plan.requester.vpc_id, plan.accepter.vpc_id))


@dataclass
class Registry:
    """What the peerings of one app have built so far."""

    pairs: dict[frozenset[str], str] = field(default_factory=dict[frozenset[str], str])
    peerings_per_vpc: Counter[str] = field(default_factory=Counter[str])
    routes: dict[tuple[str, bool], dict[str, str]] = field(
        default_factory=dict[tuple[str, bool], dict[str, str]]
    )
    spans: dict[tuple[str, bool], list[Span]] = field(
        default_factory=dict[tuple[str, bool], list[Span]]
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

    def record(self, plan: PeeringPlan[VpcModel]) -> None:
        """Remember a peering that was built."""
        if plan.is_lookup_placeholder:
            return  # placeholder VPCs all share one id
        self.pairs[pair_key(plan)] = plan.path
        self.peerings_per_vpc[plan.requester.vpc_id] += 1
        self.peerings_per_vpc[plan.accepter.vpc_id] += 1
        for route in plan.routes:
            self.record_route(route, plan.path)

    def record_route(self, route: PlannedRoute, path: str) -> None:
        """Remember one route of a peering (a table's destinations, for conflicts)."""
        key = (route.table_id, route.ipv6)
        self.routes.setdefault(key, {})[canonical_cidr(route.destination)] = path
        span = Span.of(route, path)
        if span is not None:
            self.spans.setdefault(key, []).append(span)
