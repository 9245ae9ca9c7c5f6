"""A planned peering: both VPCs and every route it would add, before anything is built."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..findings import Finding
from .vpc import VpcModel

REQUESTER = "Requester"
"""The side of the VPC that requests the connection."""
ACCEPTER = "Accepter"
"""The side of the VPC that accepts it."""

V = TypeVar("V", bound=VpcModel, covariant=True)


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
class PeeringPlan(Generic[V]):
    """Everything one peering would build, before anything is built."""

    path: str
    requester: V
    accepter: V
    routes: tuple[PlannedRoute, ...]
    peerings_quota: int
    routes_quota: int
    findings: tuple[Finding, ...] = ()
    """Problems found while planning (bad quotas, empty subnet selections)."""
    narrowing: dict[str, int] = field(default_factory=dict[str, int])
    """For each side whose destinations default to the peer's selected subnets (so that
    every route has a way back): how many more routes each of its tables gets than routes
    to the peer's whole VPC would be."""
    whole_peer: frozenset[str] = frozenset()
    """The sides whose routes point at every block of the peer VPC, as known when planned
    (the default destinations): a block the peer gets later is not routed."""

    @property
    def is_lookup_placeholder(self) -> bool:
        """Tell whether a side is Vpc.from_lookup's stand-in (first pass of `cdk synth`)."""
        return self.requester.is_lookup_placeholder or self.accepter.is_lookup_placeholder

    def peer_of(self, route: PlannedRoute) -> V:
        """Return the VPC a route points into."""
        return self.accepter if route.side == REQUESTER else self.requester

    def owner_of(self, route: PlannedRoute) -> V:
        """Return the VPC whose route table holds a route."""
        return self.requester if route.side == REQUESTER else self.accepter
