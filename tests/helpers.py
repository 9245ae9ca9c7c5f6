"""Small builders shared by the test modules."""

from __future__ import annotations

from typing import Any, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

PUBLIC_AND_ISOLATED = [
    ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
    ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
]


def make_vpc(
    scope: cdk.Stack,
    id: str,
    cidr: str,
    *,
    ipv6: bool = False,
    isolated_only: bool = False,
) -> ec2.Vpc:
    """Define a two-zone VPC: public and isolated subnets (4 route tables), or isolated only."""
    return ec2.Vpc(
        scope,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        ip_protocol=ec2.IpProtocol.DUAL_STACK if ipv6 else ec2.IpProtocol.IPV4_ONLY,
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=([PUBLIC_AND_ISOLATED[1]] if isolated_only else PUBLIC_AND_ISOLATED),
    )


def peering_routes(template: Template, connection_logical_id: str) -> list[dict[str, Any]]:
    """Return the Properties of every route through one peering connection."""
    routes = template.find_resources("AWS::EC2::Route")
    return [
        resource["Properties"]
        for resource in routes.values()
        if resource["Properties"].get("VpcPeeringConnectionId") == {"Ref": connection_logical_id}
    ]


def route_table_refs(stack: cdk.Stack, vpc: ec2.IVpc, *subnets: ec2.ISubnet) -> set[str]:
    """Return the logical ids of the route tables of the given subnets (default: all)."""
    chosen = subnets or (*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets)
    return {stack.resolve(subnet.route_table.route_table_id)["Ref"] for subnet in chosen}


def destinations_by_table(routes: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Group route destinations (IPv4 text or resolved IPv6 JSON) by route table ref."""
    grouped: dict[str, set[str]] = {}
    for route in routes:
        table: Any = route["RouteTableId"]
        key = cast(str, table["Ref"] if isinstance(table, dict) else table)
        destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        grouped.setdefault(key, set()).add(
            destination if isinstance(destination, str) else repr(destination)
        )
    return grouped
