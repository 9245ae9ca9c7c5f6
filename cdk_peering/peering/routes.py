"""Creating a plan's routes through a peering connection."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ..cdk.references import read_weakly
from ..cdk.vpcs import VpcFacts
from ..model.plan import PeeringPlan, PlannedRoute


def add_routes(
    plan: PeeringPlan[VpcFacts],
    side: str,
    parent: Construct,
    peering_connection_id: str,
    consumer: cdk.Stack | None,
) -> list[ec2.CfnRoute]:
    """Create one side's planned routes under ``parent``, in stack ``consumer``.

    Routes sit directly under it (no grouping constructs): every construct is a jsii
    round trip, and a mesh has thousands of routes.
    """
    return [
        new_route(
            parent,
            f"{route.side}{route.table_label}-{route.destination_label}",
            plan,
            route,
            peering_connection_id,
            consumer,
        )
        for route in plan.routes
        if route.side == side
    ]


def new_route(
    parent: Construct,
    route_id: str,
    plan: PeeringPlan[VpcFacts],
    route: PlannedRoute,
    peering_connection_id: str,
    consumer: cdk.Stack | None,
) -> ec2.CfnRoute:
    """Create one planned route (IPv4 or IPv6) through a peering connection.

    ``consumer``: the route's stack, when it is not one the library made; the route
    table id is then read weakly from the VPC's stack (see ``read_weakly``).
    """
    owner = plan.owner_of(route)
    table_id = read_weakly(route.table_id, owner.stack if consumer else None, consumer)
    if not route.ipv6:
        return ec2.CfnRoute(
            parent,
            route_id,
            route_table_id=table_id,
            destination_cidr_block=route.destination,
            vpc_peering_connection_id=peering_connection_id,
        )
    peer = plan.peer_of(route)
    resource = ec2.CfnRoute(
        parent,
        route_id,
        route_table_id=table_id,
        destination_ipv6_cidr_block=(
            peer.read_ipv6(route.destination, consumer) if consumer else route.destination
        ),
        vpc_peering_connection_id=peering_connection_id,
    )
    if route.destination in peer.ipv6_amazon_provided:
        # Ipv6CidrBlocks is empty until the block's association exists.
        for dependency in peer.ipv6_dependencies:
            resource.node.add_dependency(dependency)
    return resource
