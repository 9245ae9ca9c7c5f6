"""Small apps for the connectivity tests: VPCs with one or two subnets, and peerings
written by hand with CfnVPCPeeringConnection and CfnRoute (the model reads any app)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_peering.connectivity import Network
from tests.conftest import new_app

ISOLATED = ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
PUBLIC = ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)


def vpc(scope: Construct, id: str, cidr: str, *, public: bool = False) -> ec2.Vpc:
    """A one-zone VPC: an isolated subnet (the upper half with ``public``: the lower half
    is then a public subnet)."""
    return ec2.Vpc(
        scope,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        max_azs=1,
        nat_gateways=0,
        restrict_default_security_group=False,
        subnet_configuration=[PUBLIC, ISOLATED] if public else [ISOLATED],
    )


def tables(subnets: Iterable[ec2.ISubnet]) -> list[str]:
    return [subnet.route_table.route_table_id for subnet in subnets]


def routes(
    scope: Construct,
    id: str,
    table_ids: Sequence[str],
    destination: str,
    *,
    peering: str | None = None,
    gateway: str | None = None,
) -> None:
    """A CfnRoute to ``destination`` in each table, through a peering or a gateway."""
    for i, table in enumerate(table_ids):
        ec2.CfnRoute(
            scope,
            f"{id}{i}",
            route_table_id=table,
            destination_cidr_block=destination,
            vpc_peering_connection_id=peering,
            gateway_id=gateway,
        )


def peer(
    scope: Construct,
    id: str,
    requester: ec2.Vpc,
    accepter: ec2.Vpc,
    *,
    back: bool = True,
    peer_owner_id: str | None = None,
) -> ec2.CfnVPCPeeringConnection:
    """A hand-written peering with routes from every table of ``requester`` to the whole
    ``accepter`` (and back, unless ``back`` is False)."""
    connection = ec2.CfnVPCPeeringConnection(
        scope, id, vpc_id=requester.vpc_id, peer_vpc_id=accepter.vpc_id, peer_owner_id=peer_owner_id
    )
    forward = [*requester.public_subnets, *requester.isolated_subnets]
    routes(scope, f"{id}Out", tables(forward), _cidr(accepter), peering=connection.ref)
    if back:
        returning = [*accepter.public_subnets, *accepter.isolated_subnets]
        routes(scope, f"{id}Back", tables(returning), _cidr(requester), peering=connection.ref)
    return connection


def _cidr(vpc: ec2.Vpc) -> str:
    default = vpc.node.default_child
    assert isinstance(default, ec2.CfnVPC)
    assert default.cidr_block is not None
    return default.cidr_block


def network_of(app: cdk.App) -> Network:
    return Network.from_assembly(app.synth())


def write_assembly(
    directory: Path,
    templates: Mapping[str, Mapping[str, Any]],
    *,
    environment: str = "aws://111111111111/us-east-1",
) -> Path:
    """Write a cloud assembly by hand: one stack per template, no tree.json, no metadata
    (what any tool that writes the manifest schema could produce)."""
    directory.mkdir(parents=True)
    artifacts = {
        name: {
            "type": "aws:cloudformation:stack",
            "environment": environment,
            "properties": {"templateFile": f"{name}.template.json"},
        }
        for name in templates
    }
    manifest = {"version": "55.0.0", "artifacts": artifacts}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    for name, template in templates.items():
        (directory / f"{name}.template.json").write_text(json.dumps(template))
    return directory


__all__ = ["new_app"]
