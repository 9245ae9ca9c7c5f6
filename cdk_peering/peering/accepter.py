"""VpcPeeringAccepter: the accepter side of a peering connection requested elsewhere."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import child_path, scope_facts, vpc_facts
from ..cdk.params import require
from ..errors import raise_errors
from ..findings import Finding
from ..model.plan import ACCEPTER
from ..rules.peering import check
from .destinations import PEER_DESTINATIONS, PeerDestinations
from .dns import PeeringDnsResolution, dns_findings
from .late_blocks import watch_blocks
from .options import connection_id_problems
from .placement import environment_mismatch, stack_mixes_with, vpc_where
from .plan import VPC_PEERING_ACCEPTER, plan_peering
from .routes import add_routes
from .side import PeeringSide
from .table_routes import RouteSide, TableRoutes


class VpcPeeringAccepter(Construct):
    """The accepter side of a peering connection that someone else requested.

    For a connection requested from outside this app (another team's or a partner's
    CloudFormation, the console, Terraform): the routes to the requester in the accepter
    VPC's route tables, checked by the same rules as :class:`VpcPeering`. Define it in a
    stack of the accepter VPC's account and region. The connection must already be
    accepted (or be accepted by the requester's stack through a ``PeeringAccepterRole``)
    before routes through it carry traffic.

    Example::

        requester = ec2.Vpc.from_vpc_attributes(self, "PartnerVpc",
            vpc_id="vpc-0123456789abcdef0", vpc_cidr_block="10.50.0.0/16",
            availability_zones=["us-east-1a"])
        VpcPeeringAccepter(self, "FromPartner",
            peering_connection_id="pcx-0123456789abcdef0",
            requester_vpc=requester, accepter_vpc=my_vpc)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        peering_connection_id: str,
        requester_vpc: ec2.IVpc,
        accepter_vpc: ec2.IVpc,
        accepter_subnets: ec2.SubnetSelection | None = None,
        requester_destinations: PeerDestinations | None = None,
        requester_resolves_accepter_dns: bool | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
    ) -> None:
        """Define the accepter's routes for an existing peering connection.

        :param scope: the parent construct, in a stack of the accepter's account and region.
        :param id: the construct id.
        :param peering_connection_id: the id of the existing connection (pcx-...).
        :param requester_vpc: the VPC that requested it, usually imported with
            ``Vpc.from_vpc_attributes`` (its CIDR is what the routes point at).
        :param accepter_vpc: the VPC that accepted it.
        :param accepter_subnets: the accepter subnets whose route tables get routes to the
            requester. Default: - every subnet of the accepter VPC, each route table once.
        :param requester_destinations: where the routes point, inside the requester VPC.
            Default: - every CIDR block of the requester VPC.
        :param requester_resolves_accepter_dns: let the requester VPC resolve the accepter's
            public DNS host names to private IP addresses (the accepter's side of
            AllowDnsResolutionFromRemoteVpc). Default: false.
        :param peerings_per_vpc_quota: as for ``VpcPeering``. Default: - context, else 50.
        :param routes_per_route_table_quota: as for ``VpcPeering``. Default: - context,
            else 50.
        :raises ValidationError: when the configuration cannot work.
        """
        require(
            scope,
            id,
            [
                ("peering_connection_id", peering_connection_id, params.STRING, True),
                ("requester_vpc", requester_vpc, params.VPC, True),
                ("accepter_vpc", accepter_vpc, params.VPC, True),
                ("accepter_subnets", accepter_subnets, params.SUBNET_SELECTION, False),
                ("requester_destinations", requester_destinations, PEER_DESTINATIONS, False),
                (
                    "requester_resolves_accepter_dns",
                    requester_resolves_accepter_dns,
                    params.BOOLEAN,
                    False,
                ),
                *params.quota_parameters(peerings_per_vpc_quota, routes_per_route_table_quota),
            ],
            in_stack=True,
        )
        here = scope_facts(scope)
        path = child_path(here.path, id)
        requester = vpc_facts(requester_vpc)
        accepter = vpc_facts(accepter_vpc)
        findings: list[Finding] = list(connection_id_problems(path, peering_connection_id))
        accepter_env = here.vpc_env(accepter)
        if accepter_env.mixes_with(here.env):
            findings.append(
                stack_mixes_with(
                    path,
                    "VpcPeeringAccepter",
                    here,
                    vpc_where("accepter_vpc", accepter, accepter_env),
                    "Define the VpcPeeringAccepter in a stack of the accepter VPC's environment "
                    "(its own stack), or give both stacks an explicit env=cdk.Environment("
                    "account=..., region=...).",
                )
            )
        findings.extend(
            environment_mismatch(
                path,
                here,
                side="accepter",
                vpc_env=here.vpc_env(accepter),
                reason="routes must be deployed in the account and region that own their "
                "route tables.",
                fix="Define the VpcPeeringAccepter in a stack of the accepter VPC's account "
                "and region.",
            )
        )
        findings += dns_findings(
            path,
            requester_vpc,
            accepter_vpc,
            requester_resolves_accepter_dns=bool(requester_resolves_accepter_dns),
            accepter_resolves_requester_dns=False,
            accepter_side=True,
        )
        plan = plan_peering(
            path=path,
            requester=requester,
            accepter=accepter,
            requester_subnets=None,
            accepter_subnets=accepter_subnets,
            accepter_destinations=None,
            requester_destinations=requester_destinations,
            peerings_quota=(peerings_per_vpc_quota, here.context.peerings_quota_context),
            routes_quota=(routes_per_route_table_quota, here.context.routes_quota_context),
            sides=(ACCEPTER,),
            findings=findings,
            kind=VPC_PEERING_ACCEPTER,
        )
        warnings = raise_errors(check(plan, here.context.registry))

        super().__init__(scope, id)
        warn(self, warnings)
        self.peering_connection_id = peering_connection_id
        """The id of the peering connection (pcx-...)."""
        self.requester_vpc = requester_vpc
        """The VPC that requested the connection."""
        self.accepter_vpc = accepter_vpc
        """The VPC that accepted the connection."""
        self.accepter_routes: list[ec2.CfnRoute] = add_routes(
            plan, ACCEPTER, self, peering_connection_id, here.stack
        )
        """The routes in the accepter VPC's route tables."""
        self.dns_resolution: PeeringDnsResolution | None = (
            PeeringDnsResolution(
                self,
                "AccepterDnsOptions",
                peering_connection_id=peering_connection_id,
                side=PeeringSide.ACCEPTER,
            )
            if requester_resolves_accepter_dns
            else None
        )
        """The custom resource that sets the accepter's DNS option, when asked for."""
        here.context.registry.record(plan)
        watch_blocks(here.context, self, plan)
        self._table_routes = TableRoutes(
            here.context,
            plan,
            {ACCEPTER: RouteSide(self, peering_connection_id, here.stack)},
            construct="VpcPeeringAccepter",
        )

    def add_route(
        self,
        id: str,
        *,
        route_table: ec2.IRouteTable | ec2.CfnRouteTable | str,
        side: PeeringSide | None = None,
        destination: str | None = None,
    ) -> list[ec2.CfnRoute]:
        """Route one more route table of the accepter VPC through this peering.

        The same method as ``VpcPeering.add_route``, for the accepter's side (the only one
        this construct manages): checked by the same rules, created in this construct's
        stack.

        :param id: the route's construct id (with more than one destination, each route's
            id is ``<id>-<destination>``).
        :param route_table: the table: its id (``rtb-...`` or a token), a subnet's
            ``route_table``, or an ``ec2.CfnRouteTable`` of the accepter VPC.
        :param side: whose VPC the table is in: ``PeeringSide.ACCEPTER``, the side this
            construct manages (``PeeringSide.REQUESTER`` is an error: the requester's owner
            routes its side). Default: PeeringSide.ACCEPTER.
        :param destination: one CIDR inside the requester VPC. Default: - every CIDR
            block of the requester VPC.
        :returns: the routes (``AWS::EC2::Route``) added.
        :raises ValidationError: when the route breaks a rule, the table is no route table
            of the accepter VPC, or ``side`` is the requester's.
        """
        side = PeeringSide.ACCEPTER if side is None else side
        routes = self._table_routes.add(self, id, route_table, side, destination)
        self.accepter_routes.extend(routes)
        return routes
