"""Routes through a peering in any route table of either side: ``add_route``.

A peering routes the tables of the subnets it selects. A table with no subnet (for a
gateway, a future subnet, a transit design) or one the selection left out is routed with
``VpcPeering.add_route`` / ``VpcPeeringAccepter.add_route``: the same rules check it
(transitive and edge-to-edge destinations, one route per destination in a table,
overlapping destinations, the routes-per-table quota), and it is placed where that side's
routes go, the stack of the table's own account and region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import AppContext
from ..cdk.vpcs import VpcFacts
from ..errors import raise_errors
from ..findings import Finding
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan, PlannedRoute
from ..model.tokens import differs
from ..rules.peering import check_routes
from .destinations import PeerDestinations
from .plan import destinations_for
from .routes import new_route
from .side import PeeringSide

ROUTE_TABLE = params.one_of(
    params.STRING,
    params.interface(ec2.IRouteTable, "ec2.IRouteTable"),
    params.instance(ec2.CfnRouteTable, name="an ec2.CfnRouteTable"),
)
"""What ``route_table`` takes: its id, a subnet's ``route_table``, or a CfnRouteTable."""
SIDE = params.enum_member(PeeringSide, "PeeringSide")


@dataclass(frozen=True)
class RouteSide:
    """Where one side's routes go."""

    parent: Construct
    """The construct the routes are created under."""
    connection_id: str
    """The connection id as that construct's stack reads it."""
    consumer: cdk.Stack | None
    """Its stack when the library did not make it (reads from other stacks made weak)."""


@dataclass(frozen=True)
class TableRoutes:
    """What a peering construct knows to route one more table."""

    context: AppContext
    plan: PeeringPlan[VpcFacts]
    """The peering's own plan: its two VPCs and path."""
    sides: dict[str, RouteSide]
    """The sides this app manages, by REQUESTER / ACCEPTER."""

    def add(
        self,
        owner: Construct,
        id: str,
        route_table: object,
        side: PeeringSide,
        destination: str | None,
    ) -> list[ec2.CfnRoute]:
        """Check and create the routes; ``owner`` is the peering construct (for warnings)."""
        params.require_in(
            owner,
            "add_route",
            [
                ("id", id, params.STRING, True),
                ("route_table", route_table, ROUTE_TABLE, True),
                ("side", side, SIDE, True),
                ("destination", destination, params.STRING, False),
            ],
        )
        which = REQUESTER if side is PeeringSide.REQUESTER else ACCEPTER
        path = f"{self.plan.path}/{id}"
        own, peer = (
            (self.plan.requester, self.plan.accepter)
            if which == REQUESTER
            else (self.plan.accepter, self.plan.requester)
        )
        table_id, table_label, findings = _table(path, route_table, own, which)
        where = self.sides.get(which)
        if where is None:
            findings.append(
                Finding(
                    path,
                    rule_ids.SIDE_NOT_MANAGED,
                    f"add_route asks for a route in a table of the {which.lower()} VPC "
                    f"{own.path}, whose side of the peering this app does not manage "
                    "(requester_only, or a VpcPeeringAccepter's requester).",
                    "Route that table where its VPC's owner manages it, or manage the side "
                    "here (leave requester_only out).",
                )
            )
        # One destination is routed as PeerDestinations.cidr_blocks([destination]) would be.
        chosen = None if destination is None else PeerDestinations(cidrs=(destination,))
        targets = destinations_for(
            path,
            which,
            peer,
            chosen,
            own.has_ipv6 and peer.has_ipv6,
            findings,
            ", or give add_route a destination= inside it",
        )
        plan = PeeringPlan(
            path=path,
            requester=self.plan.requester,
            accepter=self.plan.accepter,
            routes=tuple(
                PlannedRoute(which, table_id, table_label, each, each_label, ipv6, given)
                for each, each_label, ipv6, given in targets
            ),
            peerings_quota=self.plan.peerings_quota,
            routes_quota=self.plan.routes_quota,
            findings=tuple(findings),
        )
        warn(owner, raise_errors(check_routes(plan, self.context.registry)))
        assert where is not None
        routes = [
            new_route(
                where.parent,
                id if len(plan.routes) == 1 else f"{id}-{route.destination_label}",
                plan,
                route,
                where.connection_id,
                where.consumer,
            )
            for route in plan.routes
        ]
        for route in plan.routes:
            self.context.registry.record_route(route, path)
        return routes


def _table(
    path: str, route_table: object, own: VpcFacts, which: str
) -> tuple[str, str, list[Finding]]:
    """Return the table's id, how messages name it, and the problem of another VPC's table."""
    if isinstance(route_table, str):
        return route_table, route_table, []
    if isinstance(route_table, ec2.CfnRouteTable):
        table_path = route_table.node.path
        vpc_id = route_table.vpc_id
        findings = []
        if vpc_id != own.vpc_id and (differs(vpc_id, own.vpc_id) or own.built_in_app):
            findings.append(
                Finding(
                    path,
                    rule_ids.ROUTE_TABLE_OF_ANOTHER_VPC,
                    f"Route table {table_path} is not in the {which.lower()} VPC {own.path}: "
                    "a route through the peering must be in a table of one of its VPCs.",
                    f"Give a route table of {own.path}, or the other side=.",
                )
            )
        return route_table.ref, table_path, findings
    table = cast(ec2.IRouteTable, route_table)
    return table.route_table_id, table.route_table_id, []
