#!/usr/bin/env python3
"""The example app: VPCs in two regions and two accounts peered with cdk_peering.

    account 111111111111, us-east-1 (PeeringExample)
      Shared ---- App (+ secondary 100.64.0.0/16) ---- Data (isolated subnets only)
      Shared ---- Data (IPv6) ---- Analytics (IPv6)
      Shared ---- Europe   (111111111111, eu-west-1: inter-region, DNS both ways,
                            multipath resilience)
      Shared ---- Partner  (222222222222, us-east-1: cross-account, accepter role)
      Shared: an interface endpoint to the orders service (ServiceProvider), accepted by
              the deploy; App, Europe and Partner resolve orders.example.internal

    Every peering is named; across accounts or regions the name also reaches the
    accepter's own view of the connection (the partner account's, Europe's).

    account 111111111111, us-east-1 (Teams)
      TeamA, TeamB, TeamC: a full mesh of their isolated subnets (PeeringMesh, stacks
                           per VPC)
      Tools ---- TeamD, TeamE (HubAndSpoke in the Teams stack; the spokes reach Tools,
                 never each other through it)

    Intents (ReachabilityIntent, checked by ``python -m cdk_peering.connectivity cdk.out
    --strict`` and, once deployed, by ``... verify cdk.out``): App's isolated subnets reach
    orders.example.internal on 443; the teams' spokes (TeamD, TeamE) do not reach each
    other.

It synthesizes offline with no AWS credentials: accounts and regions default to
placeholders (override with ``-c account=... -c region=... -c europe_region=...
-c partner_account=...``, or CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION for the first),
and the availability zones of the placeholder environments are committed in
cdk.context.json.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_peering import (
    HubAndSpoke,
    PeerDestinations,
    PeeringAccepterRole,
    PeeringMesh,
    PrivateLinkEndpoint,
    PrivateLinkService,
    ReachabilityIntent,
    TopologyPlacement,
    VpcPeering,
)

PLACEHOLDER_ACCOUNT = "111111111111"
PLACEHOLDER_REGION = "us-east-1"
PLACEHOLDER_EUROPE_REGION = "eu-west-1"
PLACEHOLDER_PARTNER_ACCOUNT = "222222222222"
ORDERS_PORT = 443
ORDERS_DNS_NAME = "orders.example.internal"


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


def _context(app: cdk.App, key: str, default: str) -> str:
    return str(app.node.try_get_context(key) or default)


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

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        env: cdk.Environment,
        europe: ec2.IVpc,
        partner: ec2.IVpc,
        partner_role: PeeringAccepterRole,
        orders: PrivateLinkService,
    ) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: VPC peering")
        self.shared = _vpc(self, "Shared", "10.0.0.0/16")
        self.app_vpc = _vpc(self, "App", "10.1.0.0/16")
        ec2.CfnVPCCidrBlock(
            self, "AppSecondaryCidr", vpc_id=self.app_vpc.vpc_id, cidr_block="100.64.0.0/16"
        )
        self.data = _vpc(self, "Data", "10.2.0.0/16", ipv6=True)
        self.analytics = _vpc(self, "Analytics", "10.3.0.0/16", ipv6=True)

        # Routes to both of App's blocks, primary and secondary.
        app_to_shared = VpcPeering(
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
        # Inter-region: the accepter's routes, options and name go to a stack the library
        # makes in eu-west-1; each side resolves the other's private DNS names, and allows
        # multipath resilience (AWS replicates the traffic over several network paths, at
        # an extra charge, between the Regions it supports), in one call per side.
        shared_to_europe = VpcPeering(
            self,
            "SharedToEurope",
            requester_vpc=self.shared,
            accepter_vpc=europe,
            requester_resolves_accepter_dns=True,
            accepter_resolves_requester_dns=True,
            multipath_resilience=True,
            name="shared-europe",
        )
        # Cross-account: CloudFormation accepts by assuming the partner's role; the name
        # is copied to the partner account's view of the connection.
        shared_to_partner = VpcPeering(
            self,
            "SharedToPartner",
            requester_vpc=self.shared,
            accepter_vpc=partner,
            accepter_role=partner_role,
            accepter_subnets=isolated,
            name="shared-partner",
        )

        # PrivateLink: Shared consumes the orders service through an interface endpoint,
        # which the deploy accepts (the service is of this app). App (same region),
        # Europe (another region) and Partner (another account) reach that endpoint over
        # their peerings with Shared and resolve the service's name through a private
        # hosted zone associated with their VPCs: Partner's association is authorized
        # here and made in a stack of the partner's account
        # (PeeringExample-ZoneAssociation-222222222222-us-east-1).
        self.orders_endpoint = PrivateLinkEndpoint(
            self,
            "OrdersEndpoint",
            vpc=self.shared,
            service=orders,
            port=ORDERS_PORT,
            dns_name=ORDERS_DNS_NAME,
            peerings=[app_to_shared, shared_to_europe],
        )
        self.orders_endpoint.serve_peering(shared_to_partner)
        # What must hold, before and after deploy: App's isolated subnets reach the orders
        # service by name on its port.
        for subnet in self.app_vpc.isolated_subnets:
            ReachabilityIntent(
                self,
                f"App{subnet.node.id}ReachesOrders",
                source=subnet,
                destination=ORDERS_DNS_NAME,
                port=ORDERS_PORT,
            )


class ServiceProviderStack(cdk.Stack):
    """The orders service, published with PrivateLink from a VPC of its own."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        env: cdk.Environment,
        consumer_account: str,
        consumer_regions: list[str],
    ) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: PrivateLink service")
        self.vpc = _vpc(self, "Provider", "10.30.0.0/16")
        self.orders = PrivateLinkService(
            self,
            "Orders",
            vpc=self.vpc,
            port=ORDERS_PORT,
            # Only the consumer account may connect, and each connection is accepted
            # (acceptance is required by default).
            allowed_principals=[iam.ArnPrincipal(f"arn:aws:iam::{consumer_account}:root")],
            # Native cross-region PrivateLink for the consumer in Europe.
            allowed_regions=consumer_regions,
            target_type=elbv2.TargetType.IP,
        )
        # The service's instances, registered by IP (here: two addresses of the provider
        # VPC's isolated subnets).
        self.orders.add_targets(
            ORDERS_PORT,
            elbv2_targets.IpTarget("10.30.128.10"),
            elbv2_targets.IpTarget("10.30.192.10"),
        )


class EuropeNetworkStack(cdk.Stack):
    """VPCs in another region of the same account."""

    def __init__(
        self, scope: Construct, id: str, *, env: cdk.Environment, orders: PrivateLinkService
    ) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: Europe VPCs")
        self.vpc = _vpc(self, "Europe", "10.10.0.0/16")
        # A consumer in this region reaching the us-east-1 service through native
        # cross-region PrivateLink (the endpoint's ServiceRegion), no peering involved.
        # The deploy accepts it from a stack of the service's account and region
        # (EuropeNetwork-EndpointAcceptance-111111111111-us-east-1).
        self.consumer = _vpc(self, "EuropeConsumer", "10.11.0.0/16")
        self.orders_endpoint = PrivateLinkEndpoint(
            self, "OrdersEndpoint", vpc=self.consumer, service=orders, port=ORDERS_PORT
        )


class PartnerNetworkStack(cdk.Stack):
    """A VPC in another account, with the role that lets the requester's stack accept."""

    def __init__(
        self, scope: Construct, id: str, *, env: cdk.Environment, requester_account: str
    ) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: partner VPC")
        self.vpc = _vpc(self, "Partner", "10.20.0.0/16")
        # Any VPC of the requester account may ask: naming the requester VPC's id here
        # would make this stack wait for the requester's, which waits for this one.
        self.accepter_role = PeeringAccepterRole(
            self, "AccepterRole", requester_account=requester_account, accepter_vpc=self.vpc
        )


class TeamsStack(cdk.Stack):
    """Team VPCs in a full mesh; a shared tools VPC, the hub of two other teams' spokes."""

    def __init__(self, scope: Construct, id: str, *, env: cdk.Environment) -> None:
        super().__init__(scope, id, env=env, description="cdk_peering example: team VPCs")
        self.teams = [
            _vpc(self, f"Team{name}", f"10.{30 + i}.0.0/16") for i, name in enumerate("ABC")
        ]
        self.spokes = [
            _vpc(self, f"Team{name}", f"10.{33 + i}.0.0/16") for i, name in enumerate("DE")
        ]
        self.tools = _vpc(self, "Tools", "10.40.0.0/16")
        # Each team VPC's side of the mesh goes into a stack of its own
        # (Teams-Mesh-TeamARequests, ...): adding a fourth team changes none of them.
        self.mesh = PeeringMesh(
            self,
            "Mesh",
            vpcs=self.teams,
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        )
        # Small enough to stay in this stack. Tools gets routes to every spoke, each spoke
        # a route to Tools only: peering is not transitive.
        self.tooling = HubAndSpoke(
            self,
            "Tooling",
            hub=self.tools,
            spokes=self.spokes,
            spoke_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            placement=TopologyPlacement.SCOPE,
        )
        # What must never hold: one spoke reaching another (through Tools or otherwise).
        for one in self.spokes:
            for other in self.spokes:
                if one is not other:
                    ReachabilityIntent(
                        self,
                        f"{one.node.id}NeverReaches{other.node.id}",
                        source=one,
                        destination=other,
                        reachable=False,
                    )


def build(app: cdk.App) -> list[cdk.Stack]:
    """Add the example's stacks to ``app``; return them (not the library's own stacks)."""
    home = environment(app)
    assert home.account is not None
    europe_region = _context(app, "europe_region", PLACEHOLDER_EUROPE_REGION)
    provider = ServiceProviderStack(
        app,
        "ServiceProvider",
        env=home,
        consumer_account=home.account,
        consumer_regions=[europe_region],
    )
    europe = EuropeNetworkStack(
        app,
        "EuropeNetwork",
        env=cdk.Environment(account=home.account, region=europe_region),
        orders=provider.orders,
    )
    partner = PartnerNetworkStack(
        app,
        "PartnerNetwork",
        env=cdk.Environment(
            account=_context(app, "partner_account", PLACEHOLDER_PARTNER_ACCOUNT),
            region=home.region,
        ),
        requester_account=home.account,
    )
    main = PeeringExampleStack(
        app,
        "PeeringExample",
        env=home,
        europe=europe.vpc,
        partner=partner.vpc,
        partner_role=partner.accepter_role,
        orders=provider.orders,
    )
    teams = TeamsStack(app, "Teams", env=home)
    return [main, europe, partner, provider, teams]


if __name__ == "__main__":
    example = cdk.App()
    build(example)
    example.synth()
