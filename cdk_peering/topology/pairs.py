"""The VPCs of a topology (sides) and the peerings between them (pairs)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from ..cdk.vpcs import VpcFacts
from ..model.env import Env
from ..model.plan import REQUESTER, PeeringPlan, PlannedRoute

OPTIONS = "Options"
"""A side's connection options (``PeeringConnectionOptions``), in its Options layer."""
TAGS = "Tags"
"""The tags of the accepter's view of a connection (``PeeringConnectionTags``)."""


@dataclass(frozen=True)
class Side:
    """One VPC of the topology."""

    index: int
    vpc: ec2.IVpc
    facts: VpcFacts
    env: Env
    key: str
    """Alphanumeric name, from the VPC's path: used in stack names and logical ids."""
    repeated: bool
    """True when the VPC is listed again (an error); its pairs are not planned."""
    param: str
    """The parameter that gave it, for messages (``vpcs[2]``, ``hub``, ``spokes[0]``)."""


@dataclass(frozen=True)
class Pair:
    """One peering of the topology: who requests, who accepts, what it would build."""

    requester: Side
    accepter: Side
    plan: PeeringPlan[VpcFacts]
    role: iam.IRole | None

    @property
    def cross_account(self) -> bool:
        """Tell whether the two VPCs are known to be in different accounts."""
        return self.requester.env.other_account(self.accepter.env)

    @property
    def cross_region(self) -> bool:
        """Tell whether the two VPCs are known to be in different regions."""
        return self.requester.env.other_region(self.accepter.env)

    @property
    def crosses_environments(self) -> bool:
        """Tell whether the two VPCs are known to be in different accounts or regions."""
        return self.cross_account or self.cross_region

    def options(self, *, multipath: bool | None) -> Iterator[tuple[Side, str]]:
        """Yield each custom resource of the pair's Options layers: (its side, its kind).

        Kind ``OPTIONS``: a side's connection options, on both sides of an inter-Region
        pair when ``multipath`` is given (requester first); kind ``TAGS``: the tags of the
        accepter's view of a pair across accounts or Regions.
        """
        if multipath is not None and self.cross_region:
            yield self.requester, OPTIONS
            yield self.accepter, OPTIONS
        if self.crosses_environments:
            yield self.accepter, TAGS

    def sides_of(self, route: PlannedRoute) -> tuple[Side, Side]:
        """Return (the VPC whose route table holds ``route``, the VPC it points into)."""
        if route.side == REQUESTER:
            return self.requester, self.accepter
        return self.accepter, self.requester
