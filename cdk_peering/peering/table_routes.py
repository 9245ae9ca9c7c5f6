"""Routes through a peering in any route table of either side: ``add_route``.

A peering routes the tables of the subnets it selects. A table with no subnet (for a
gateway, a future subnet, a transit design) or one the selection left out is routed with
``VpcPeering.add_route`` / ``VpcPeeringAccepter.add_route``: the same rules check it
(transitive and edge-to-edge destinations, one route per destination in a table,
overlapping destinations, the routes-per-table quota), and it is placed where that side's
routes go, the stack of the table's own account and region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import AppContext
from ..cdk.references import referenced_resource
from ..cdk.vpcs import VpcFacts
from ..errors import raise_errors
from ..findings import Finding, listing
from ..model.plan import ACCEPTER, REQUESTER, PeeringPlan, PlannedRoute
from ..model.tokens import differs, is_token
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
    construct: str = "VpcPeering"
    """The construct whose add_route this is, for the fixes its messages name."""

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
        other = ACCEPTER if which == REQUESTER else REQUESTER
        asked = _Asked(which, own, peer, other if other in self.sides else None)
        table_id, table_label, findings = _table(path, route_table, asked)
        where = self.sides.get(which)
        if where is None:
            findings.append(
                Finding(
                    path,
                    rule_ids.SIDE_NOT_MANAGED,
                    f"add_route asks for a route in a table of the {which.lower()} VPC "
                    f"{own.path}, whose side of the peering this app does not manage "
                    "(requester_only, or a VpcPeeringAccepter's requester).",
                    "A VpcPeeringAccepter routes the accepter's side only: give a table of "
                    f"{peer.path} (leave side out), and let the requester's owner route its "
                    "side."
                    if self.construct == "VpcPeeringAccepter"
                    else "Route that table where its VPC's owner manages it, or manage the "
                    "side here (leave requester_only out).",
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
        if where is not None:
            findings += _taken_ids(path, where.parent, id, [label for _, label, _, _ in targets])
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
                _route_id(id, route.destination_label, len(plan.routes)),
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


def _route_id(id: str, label: str, count: int) -> str:
    """Return a route's construct id: ``id``, or ``<id>-<destination>`` for one of several."""
    return id if count == 1 else f"{id}-{label}"


def _taken_ids(path: str, parent: Construct, id: str, labels: list[str]) -> list[Finding]:
    """Return the problem of route ids that a construct under ``parent`` already has."""
    taken = [
        each
        for each in (_route_id(id, label, len(labels)) for label in labels)
        if parent.node.try_find_child(each) is not None
    ]
    if not taken:
        return []
    return [
        Finding(
            path,
            rule_ids.ROUTE_ID_TAKEN,
            f"{parent.node.path} already has {'a construct' if len(taken) == 1 else 'constructs'}"
            f" with the id{'' if len(taken) == 1 else 's'} "
            f"{listing([repr(each) for each in taken])} (a route of an earlier add_route, or a "
            "part of the peering), which this add_route's route would take.",
            "Give each route its own id.",
        )
    ]


_ROUTE_TABLE_ID = re.compile(r"rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})")
_OTHER_IDS = (
    ("subnet-", "a subnet"),
    ("vpc-", "a VPC"),
    ("pcx-", "a peering connection"),
    ("igw-", "an internet gateway"),
    ("nat-", "a NAT gateway"),
    ("eni-", "a network interface"),
    ("tgw-", "a transit gateway"),
)


@dataclass(frozen=True)
class _Asked:
    """The side add_route asks for, as the messages about its table need it."""

    which: str
    """REQUESTER or ACCEPTER: whose VPC the table must be in."""
    own: VpcFacts
    """That VPC."""
    peer: VpcFacts
    """The other VPC of the peering."""
    other: str | None
    """The other side (REQUESTER or ACCEPTER) when this app routes it too, else None."""


def _table(path: str, route_table: object, asked: _Asked) -> tuple[str, str, list[Finding]]:
    """Return the table's id, how messages name it, and the problem with it, if any.

    A table of the app (a ``CfnRouteTable``, or an id or ``IRouteTable`` that refers to
    one) must be in ``own``; a literal id must be a route table's (``rtb-``); an id that
    refers to another kind of resource (a subnet's id) is no table.
    """
    if isinstance(route_table, ec2.CfnRouteTable):
        return route_table.ref, route_table.node.path, _vpc_problems(path, route_table, asked)
    try:
        table_id = (
            route_table
            if isinstance(route_table, str)
            else cast(ec2.IRouteTable, route_table).route_table_id
        )
    except RuntimeError:  # jsii cannot read an id aws-cdk-lib left undefined
        table_id = None
    if table_id is None:
        # ec2.Subnet.from_subnet_id(...).route_table: a table whose id was never given.
        problem = Finding(
            path,
            rule_ids.UNKNOWN_ROUTE_TABLE,
            "route_table has no id: it is the route_table of a subnet imported without its "
            "route table id (ec2.Subnet.from_subnet_id, or from_subnet_attributes without "
            "route_table_id).",
            "Import the subnet with its table: ec2.Subnet.from_subnet_attributes(..., "
            "subnet_id='subnet-...', route_table_id='rtb-...'), or give the table's id "
            "(route_table='rtb-...').",
        )
        return "", "", [problem]
    if not is_token(table_id):
        if _ROUTE_TABLE_ID.fullmatch(table_id):
            return table_id, table_id, []
        kind = next((what for prefix, what in _OTHER_IDS if table_id.startswith(prefix)), None)
        said = f"{kind}'s id, not a route table's" if kind else "no route table id"
        return table_id, table_id, [_no_table(path, f"route_table {table_id!r} is {said}.")]
    target = referenced_resource(table_id)
    if isinstance(target, ec2.CfnRouteTable):
        table_path = target.node.path
        return table_id, table_path, _vpc_problems(path, target, asked)
    if target is not None:
        said = (
            f"route_table is the id of {target.node.path} (an {target.cfn_resource_type}), "
            "not of a route table."
        )
        return table_id, table_id, [_no_table(path, said)]
    return table_id, table_id, []  # an import, a parameter: not known here


def _no_table(path: str, message: str) -> Finding:
    return Finding(
        path,
        rule_ids.INVALID_ROUTE_TABLE,
        message,
        "Give the route table: a subnet's route_table (subnet.route_table), an "
        "ec2.CfnRouteTable, or its id (rtb- and 8 or 17 hexadecimal digits).",
    )


def _vpc_problems(path: str, table: ec2.CfnRouteTable, asked: _Asked) -> list[Finding]:
    """Return the problem of a table of the app that is not in the VPC of the side asked."""
    own, which, peer = asked.own, asked.which, asked.peer
    vpc_id = table.vpc_id
    if vpc_id == own.vpc_id or not (differs(vpc_id, own.vpc_id) or own.built_in_app):
        return []
    vpc = referenced_resource(vpc_id) if is_token(vpc_id) else None
    where = (
        f" (it is in VPC {vpc.node.path.removesuffix('/Resource')})"
        if isinstance(vpc, ec2.CfnVPC)
        else f" (it is in VPC {vpc_id})"
        if not is_token(vpc_id)
        else ""
    )
    return [
        Finding(
            path,
            rule_ids.ROUTE_TABLE_OF_ANOTHER_VPC,
            f"Route table {table.node.path} is not in the {which.lower()} VPC {own.path}"
            f"{where}: a route through the peering must be in a table of one of its VPCs.",
            f"Give side=PeeringSide.{asked.other.upper()} for a table of {peer.path}."
            if vpc_id == peer.vpc_id and asked.other is not None
            else f"Give a route table of {own.path}."
            + (
                f" The {peer.path} side of the peering is routed by its owner."
                if vpc_id == peer.vpc_id
                else ""
            ),
        )
    ]
