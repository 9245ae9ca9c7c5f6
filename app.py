#!/usr/bin/env python3
"""The example app: several VPCs in one region peered with cdk_peering.VpcPeering.

    Shared (10.0.0.0/16) ---- App (10.1.0.0/16 + 100.64.0.0/16 secondary)
        |                       |  (App reaches only Data's isolated subnets)
        |                       |
    Data (10.2.0.0/16 + IPv6) -- Analytics (10.3.0.0/16 + IPv6)

It synthesizes offline with no AWS credentials: the account and region default to
placeholders (override with ``-c account=... -c region=...`` or CDK_DEFAULT_ACCOUNT /
CDK_DEFAULT_REGION), and the availability zones of the placeholder environment are
committed in cdk.context.json.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_peering import PeerDestinations, VpcPeering

PLACEHOLDER_ACCOUNT = "111111111111"
PLACEHOLDER_REGION = "us-east-1"


def environment(app: cdk.App) -> cdk.Environment:
    """Return the environment to deploy to: context, else CDK_DEFAULT_*, else placeholders."""
    account = (
        app.node.try_get_context("account")
        or os.environ.get("CDK_DEFAULT_ACCOUNT")
        or PLACEHOLDER_ACCOUNT
    )
    region = (
        app.node.try_get_context("region")
        or os.environ.get("CDK_DEFAULT_REGION")
        or PLACEHOLDER_REGION
    )
    return cdk.Environment(account=str(account), region=str(region))


def _vpc(scope: Construct, id: str, cidr: str, *, ipv6: bool = False) -> ec2.Vpc:
    """Define a two-zone VPC with public and isolated subnets and flow logs, no NAT."""
    vpc = ec2.Vpc(
        scope,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        ip_protocol=ec2.IpProtocol.DUAL_STACK if ipv6 else ec2.IpProtocol.IPV4_ONLY,
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    vpc.add_flow_log("FlowLog")
    return vpc


class PeeringExampleStack(cdk.Stack):
    """Four VPCs in one region, peered four ways."""

    def __init__(self, scope: Construct, id: str, *, env: cdk.Environment) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: VPC peering")
        self.shared = _vpc(self, "Shared", "10.0.0.0/16")
        self.app_vpc = _vpc(self, "App", "10.1.0.0/16")
        ec2.CfnVPCCidrBlock(
            self, "AppSecondaryCidr", vpc_id=self.app_vpc.vpc_id, cidr_block="100.64.0.0/16"
        )
        self.data = _vpc(self, "Data", "10.2.0.0/16", ipv6=True)
        self.analytics = _vpc(self, "Analytics", "10.3.0.0/16", ipv6=True)

        # Routes to both of App's blocks, primary and secondary.
        VpcPeering(
            self,
            "AppToShared",
            requester_vpc=self.app_vpc,
            accepter_vpc=self.shared,
            name="app-shared",
        )
        VpcPeering(
            self,
            "DataToShared",
            requester_vpc=self.data,
            accepter_vpc=self.shared,
            name="data-shared",
        )
        # Both dual-stack: IPv4 and IPv6 routes on both sides.
        VpcPeering(
            self,
            "DataToAnalytics",
            requester_vpc=self.data,
            accepter_vpc=self.analytics,
            name="data-analytics",
        )
        # Specific routes: App's isolated subnets reach only Data's isolated subnets.
        isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        VpcPeering(
            self,
            "AppToData",
            requester_vpc=self.app_vpc,
            accepter_vpc=self.data,
            requester_subnets=isolated,
            accepter_subnets=isolated,
            accepter_destinations=PeerDestinations.subnet_cidrs(isolated),
            name="app-data",
        )


def build(app: cdk.App) -> list[cdk.Stack]:
    """Add the example's stacks to ``app``."""
    return [PeeringExampleStack(app, "PeeringExample", env=environment(app))]


if __name__ == "__main__":
    example = cdk.App()
    build(example)
    example.synth()
