"""VpcPeering: one VPC peering connection with the routes on both sides."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import child_path, scope_facts, vpc_facts
from ..cdk.params import require
from ..cdk.references import read_weakly
from ..cdk.vpcs import VpcFacts
from ..errors import raise_errors
from ..findings import Finding
from ..model.plan import ACCEPTER, REQUESTER
from ..model.tokens import differs, is_token
from ..rules.connection import (
    accepter_env_findings,
    assume_role_region_findings,
    default_assume_role_region,
    multipath_findings,
)
from ..rules.peering import check
from ..rules.tags import name_tag_problems
from .destinations import ACCEPTER_ROLE, PEER_DESTINATIONS, PeerDestinations
from .late_blocks import watch_blocks
from .side import PeeringSide

if TYPE_CHECKING:
    from .accepter_role import PeeringAccepterRole
    from .options import PeeringConnectionOptions
    from .table_routes import TableRoutes
    from .tags import PeeringConnectionTags
from .placement import Placement
from .plan import plan_peering, route_options_without_default_routes
from .routes import add_routes


class VpcPeering(Construct):
    """A VPC peering connection and the routes to it in both VPCs' route tables.

    The connection (``AWS::EC2::VPCPeeringConnection``, this construct's default child)
    is requested by ``requester_vpc`` and accepted by ``accepter_vpc``. Each side gets one
    ``AWS::EC2::Route`` per destination in every distinct route table of its selected
    subnets, each referencing the connection (so it is created after it).

    Across accounts or Regions the accepter's side (its routes, its connection options and
    the tags of its view of the connection) goes to a stack of the accepter's account and
    Region, deployed after the connection's.

    Configurations AWS rejects or that cannot carry traffic (overlapping CIDRs, a VPC
    peered with itself or twice with the same VPC, transitive or edge-to-edge routes,
    conflicting routes, quotas) raise :class:`cdk_peering.ValidationError` before anything
    is added to the tree. Checks that a token prevents are skipped with a warning.

    Example::

        VpcPeering(self, "AppToShared",
            requester_vpc=app_vpc,
            accepter_vpc=shared_vpc,
            accepter_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        requester_vpc: ec2.IVpc,
        accepter_vpc: ec2.IVpc,
        requester_subnets: ec2.SubnetSelection | None = None,
        accepter_subnets: ec2.SubnetSelection | None = None,
        accepter_destinations: PeerDestinations | None = None,
        requester_destinations: PeerDestinations | None = None,
        accepter_account: str | None = None,
        accepter_region: str | None = None,
        accepter_role: PeeringAccepterRole | iam.IRole | None = None,
        accepter_scope: Construct | None = None,
        requester_only: bool | None = None,
        default_routes: bool | None = None,
        requester_resolves_accepter_dns: bool | None = None,
        accepter_resolves_requester_dns: bool | None = None,
        multipath_resilience: bool | None = None,
        assume_role_region: str | None = None,
        name: str | None = None,
        peerings_per_vpc_quota: int | None = None,
        routes_per_route_table_quota: int | None = None,
    ) -> None:
        """Define a VPC peering connection with routes on both sides.

        :param scope: the parent construct, in a stack of the requester's account and region.
        :param id: the construct id.
        :param requester_vpc: the VPC that requests the connection.
        :param accepter_vpc: the VPC that accepts it, in this or another account or region.
        :param requester_subnets: the requester subnets whose route tables get routes to the
            accepter. Default: - every subnet of the requester VPC (public, private and
            isolated), each route table once.
        :param accepter_subnets: the accepter subnets whose route tables get routes to the
            requester. Default: - every subnet of the accepter VPC, each route table once.
        :param accepter_destinations: where the requester's routes point, inside the
            accepter VPC. Default: - every CIDR block of the accepter VPC
            (``PeerDestinations.vpc_cidrs()``).
        :param requester_destinations: where the accepter's routes point, inside the
            requester VPC. Default: - every CIDR block of the requester VPC.
        :param accepter_account: the accepter VPC's account, for a VPC imported with
            ``Vpc.from_vpc_attributes`` from another account. Default: - the account of
            the accepter VPC's stack, or the owner given to ``Vpc.from_lookup``.
        :param accepter_region: the accepter VPC's region. Default: - the region of the
            accepter VPC's stack, or the region given when it was imported.
        :param accepter_role: the role in the accepter account that CloudFormation assumes
            to accept a connection across accounts (``PeerRoleArn``): a
            ``PeeringAccepterRole``, or any role (``iam.Role.from_role_arn(...)`` for one
            made elsewhere, such as a third party's). CloudFormation accepts every
            connection it creates, so it is needed across accounts with ``requester_only``
            too. Default: - none; required when the accounts differ, an error when they
            do not.
        :param accepter_scope: where the accepter side (its routes) goes: a construct in a
            stack of the accepter's account and region that does not hold the accepter VPC.
            Default: - here when both VPCs share an account and region; otherwise a stack
            ``<requester stack id>-PeeringAccepter-<account>-<region>`` made by the library
            beside the requester's stack.
        :param requester_only: manage the requester's side only: the connection and the
            requester's routes (and options). The accepter VPC's owner (a third party, or
            another app) adds the routes back, and any option of its side. CloudFormation
            still accepts the connection as it creates it: within one account by itself;
            across accounts only by assuming ``accepter_role``, a role the owner creates in
            its account (trusting the requester's account, allowing
            ``ec2:AcceptVpcPeeringConnection``), otherwise the stack fails. A connection
            left pending for the owner to accept by hand cannot be made with
            CloudFormation. Default: false.
        :param default_routes: route every route table of the selected subnets of both sides
            (of the requester only with ``requester_only``) through the connection. With
            ``False`` the construct makes the connection and its options only; routes come
            from ``add_route`` or are made by hand (``peering_connection_id``), and the
            props that shape the default routes (``requester_subnets``,
            ``accepter_subnets``, ``accepter_destinations``, ``requester_destinations``)
            are an error. Default: true.
        :param requester_resolves_accepter_dns: let the requester VPC resolve the accepter's
            public DNS host names to private IP addresses (AllowDnsResolutionFromRemoteVpc on
            the accepter's side, set by a custom resource in the accepter's account and
            region once the connection is active). Both VPCs need DNS support and DNS host
            names. Default: false.
        :param accepter_resolves_requester_dns: the same for the accepter VPC resolving the
            requester's names (set in the requester's account and region). Default: false.
        :param multipath_resilience: allow multipath resilience on both sides (mode
            ``always-on``): AWS replicates the connection's traffic across several network
            paths. Inter-Region peerings only, between Regions AWS supports for it (AWS
            documents that only supported Regions can allow it, but publishes no list the
            library could check). Additional charges apply while it is in effect (see
            Amazon VPC pricing). Each side is allowed in its own account and Region by a
            ``ModifyVpcPeeringConnectionOptions`` custom resource, in the same call as that
            side's DNS option; with ``requester_only`` only the requester's side (a
            warning: the owner must allow theirs). ``False`` turns it off where an earlier
            deployment turned it on; left out, the option is not managed.
            Default: - not managed (off unless set elsewhere).
        :param assume_role_region: the Region of the STS endpoint CloudFormation calls to
            assume ``accepter_role`` (``AssumeRoleRegion``). Needed when the endpoint
            CloudFormation picks by default (it does not document which) cannot issue a
            session that works where the connection is accepted, which can happen when
            either Region is opt-in (one an account must enable, such as ap-east-1): the
            global endpoint's tokens are valid only in Regions enabled by default, and an
            opt-in Region's endpoint answers only accounts that enabled it. Give a Region
            enabled in the requester's account. Only with an accepter role.
            Default: - the requester's Region when the requester's or the
            accepter's Region is an opt-in Region (the requester's account has it enabled,
            and a Regional STS endpoint's tokens are valid in every Region); otherwise not
            written (CloudFormation's default).
        :param name: the connection's Name tag. It wins over a Name that ``Tags.of()`` gives
            a parent (as ``ec2.Vpc(vpc_name=...)`` does); ``Tags.of()`` of this construct
            itself, added afterwards, wins over it. Across accounts or Regions the
            accepter's view of the connection gets it too, with every tag ``Tags.of()``
            gives the connection (the accepter's view is a resource of its own, which
            CloudFormation does not tag). Default: - no Name tag on the requester's
            resource; the accepter's view across accounts or Regions is named after this
            construct's path.
        :param peerings_per_vpc_quota: the active peering connections per VPC quota of
            your account, when AWS has raised it. Default: - the context value
            ``cdk-peering:activePeeringsPerVpcQuota``, else 50 (the AWS default).
        :param routes_per_route_table_quota: the routes per route table quota of your
            account, when AWS has raised it. Default: - the context value
            ``cdk-peering:routesPerRouteTableQuota``, else 50 (the AWS default).
        :raises ValidationError: when the configuration cannot work.
        """
        require(
            scope,
            id,
            [
                ("requester_vpc", requester_vpc, params.VPC, True),
                ("accepter_vpc", accepter_vpc, params.VPC, True),
                ("requester_subnets", requester_subnets, params.SUBNET_SELECTION, False),
                ("accepter_subnets", accepter_subnets, params.SUBNET_SELECTION, False),
                ("accepter_destinations", accepter_destinations, PEER_DESTINATIONS, False),
                ("requester_destinations", requester_destinations, PEER_DESTINATIONS, False),
                ("accepter_account", accepter_account, params.STRING, False),
                ("accepter_region", accepter_region, params.STRING, False),
                ("accepter_role", accepter_role, ACCEPTER_ROLE, False),
                ("accepter_scope", accepter_scope, params.CONSTRUCT, False),
                ("requester_only", requester_only, params.BOOLEAN, False),
                ("default_routes", default_routes, params.BOOLEAN, False),
                (
                    "requester_resolves_accepter_dns",
                    requester_resolves_accepter_dns,
                    params.BOOLEAN,
                    False,
                ),
                (
                    "accepter_resolves_requester_dns",
                    accepter_resolves_requester_dns,
                    params.BOOLEAN,
                    False,
                ),
                ("name", name, params.STRING, False),
                ("multipath_resilience", multipath_resilience, params.BOOLEAN, False),
                ("assume_role_region", assume_role_region, params.STRING, False),
                *params.quota_parameters(peerings_per_vpc_quota, routes_per_route_table_quota),
            ],
            in_stack=True,
        )
        here = scope_facts(scope)
        path = child_path(here.path, id)
        requester = vpc_facts(requester_vpc)
        accepter = vpc_facts(accepter_vpc)
        own_account, own_region = here.vpc_env(accepter)
        known = (
            _known_environment(accepter)
            if accepter_account is not None or accepter_region is not None
            else (None, None, "")
        )
        env_problems = accepter_env_findings(
            path,
            accepter_account=accepter_account,
            accepter_region=accepter_region,
            requester_region=here.env.region,
            vpc_account=known[0],
            vpc_region=known[1],
            vpc_words=known[2],
        )
        # A value that is no account or Region, or contradicts the VPC's own, is reported,
        # then not used: the checks below then speak of the accepter VPC's own
        # environment, not of the typo.
        invalid = {finding.rule for finding in env_problems}
        if rule_ids.INVALID_ACCOUNT in invalid or _contradicts(accepter_account, known[0]):
            accepter_account = None
        if rule_ids.INVALID_REGION in invalid or _contradicts(accepter_region, known[1]):
            accepter_region = None
        role_construct: PeeringAccepterRole | None = None
        if accepter_role is not None:
            from .accepter_role import PeeringAccepterRole

            if isinstance(accepter_role, PeeringAccepterRole):
                role_construct = accepter_role
                # jsii classes implement their interfaces, though type checkers cannot
                # always tell.
                accepter_role = cast(iam.IRole, accepter_role.role)
        placement = Placement(
            path=path,
            here=here,
            requester_env=here.vpc_env(requester),
            account=accepter_account or own_account,
            region=accepter_region or own_region,
            role=accepter_role,
            accepter_role=role_construct,
            scope=accepter_scope,
            requester_only=bool(requester_only),
            accepter_env_given=accepter_account is not None or accepter_region is not None,
            accepter_options=tuple(
                name
                for name, value in (
                    ("accepter_scope", accepter_scope),
                    ("accepter_subnets", accepter_subnets),
                    ("requester_destinations", requester_destinations),
                )
                if value is not None
            ),
        )
        dns_problems: list[Finding] = []
        if requester_resolves_accepter_dns or accepter_resolves_requester_dns:
            from .dns import dns_findings  # loaded only when a DNS option is asked for

            dns_problems = dns_findings(
                path,
                requester_vpc,
                accepter_vpc,
                requester_resolves_accepter_dns=bool(requester_resolves_accepter_dns),
                accepter_resolves_requester_dns=bool(accepter_resolves_requester_dns),
                accepter_side=not placement.requester_only,
            )
        route_options = {
            "requester_subnets": requester_subnets,
            "accepter_subnets": accepter_subnets,
            "accepter_destinations": accepter_destinations,
            "requester_destinations": requester_destinations,
        }
        routed = default_routes is not False
        plan = plan_peering(
            path=path,
            requester=requester,
            accepter=accepter,
            requester_subnets=requester_subnets,
            accepter_subnets=None if placement.requester_only else accepter_subnets,
            accepter_destinations=accepter_destinations,
            requester_destinations=requester_destinations,
            peerings_quota=(peerings_per_vpc_quota, here.context.peerings_quota_context),
            routes_quota=(routes_per_route_table_quota, here.context.routes_quota_context),
            sides=(
                ()
                if not routed
                else (REQUESTER,)
                if placement.requester_only
                else (REQUESTER, ACCEPTER)
            ),
            findings=env_problems
            + placement.check(requester, accepter)
            + (name_tag_problems(path, "name", name) if name is not None else [])
            + ([] if routed else route_options_without_default_routes(path, route_options))
            + dns_problems
            + _connection_findings(
                path,
                placement,
                multipath_resilience=multipath_resilience,
                assume_role_region=assume_role_region,
            ),
        )
        findings = raise_errors(check(plan, here.context.registry))
        if (
            routed
            and not placement.requester_only
            and any(choice is not None for choice in route_options.values())
        ):
            from ..cdk.vpcs import subnet_routes
            from ..rules.return_routes import one_way_routes

            findings += one_way_routes(plan, subnet_routes(requester), subnet_routes(accepter))

        super().__init__(scope, id)
        if placement.cross_region:
            from .security_groups import InterRegionSecurityGroupCheck

            # Checked at synth, once every security group rule of the app exists.
            InterRegionSecurityGroupCheck.register_in(here.context, requester_vpc, accepter_vpc)
        warn(self, findings)

        self.requester_vpc = requester_vpc
        """The VPC that requested the connection."""
        self.accepter_vpc = accepter_vpc
        """The VPC that accepted the connection."""
        # Values from other stacks are read weakly (Fn::GetStackOutput): the one
        # CloudFormation mechanism that carries them across regions and accounts too.
        self.peering_connection = ec2.CfnVPCPeeringConnection(
            self,
            "Resource",
            vpc_id=read_weakly(requester.vpc_id, requester.stack, here.stack),
            peer_vpc_id=read_weakly(accepter.vpc_id, accepter.stack, here.stack),
            peer_owner_id=placement.account if placement.cross_account else None,
            peer_region=placement.region if placement.cross_region else None,
            # CDK writes a role of another account as a literal ARN (its physical name).
            peer_role_arn=accepter_role.role_arn if accepter_role else None,
            assume_role_region=(
                assume_role_region
                or default_assume_role_region(placement.here.env.region, placement.region)
                if accepter_role
                else None
            ),
        )
        """The ``AWS::EC2::VPCPeeringConnection``."""
        if name:
            # As ec2.Vpc(vpc_name=...) does: a tag of this construct, so that it wins over a
            # Name that Tags.of() gives a parent (applied before it, at the same priority),
            # and a Name given to this construct itself afterwards wins over it.
            cdk.Tags.of(self).add(
                "Name",
                name,
                include_resource_types=[ec2.CfnVPCPeeringConnection.CFN_RESOURCE_TYPE_NAME],
            )
        # node.default_child finds it: the child named "Resource".
        if role_construct is not None:
            # The role trusts the execution role that deploys this connection's stack.
            role_construct.add_requester_stack(here.stack)
        self.peering_connection_id: str = self.peering_connection.ref
        """The id of the peering connection (pcx-...)."""
        self.accepter_side: Construct | None
        """The construct that holds the accepter's routes: this one when both VPCs share an
        account and region, one in a stack of the accepter's; None when requester_only."""
        self.accepter_side, side_consumer = placement.accepter_side(self, accepter)
        side_connection_id = read_weakly(self.peering_connection_id, here.stack, side_consumer)
        self.requester_routes: list[ec2.CfnRoute] = []
        """The routes in the requester VPC's route tables."""
        self.accepter_routes: list[ec2.CfnRoute] = []
        """The routes in the accepter VPC's route tables."""
        self.requester_routes.extend(
            add_routes(plan, REQUESTER, self, self.peering_connection_id, here.stack)
        )
        if self.accepter_side is not None:
            self.accepter_routes.extend(
                add_routes(plan, ACCEPTER, self.accepter_side, side_connection_id, side_consumer)
            )
        # Multipath resilience is managed on inter-Region peerings only (checked above).
        multipath = multipath_resilience if placement.cross_region else None
        self.connection_options: list[PeeringConnectionOptions] = []
        """The custom resources that set the connection's options, one per side that has
        any (DNS resolution, multipath resilience), the requester's first."""
        # One resource per side carries every option of that side, false included: DNS
        # turned off on a side that keeps multipath resilience is written off, not left
        # out. Its id predates the multipath option and is kept, so existing stacks update
        # it in place (a new id within one stack is safe too: the old resource's delete
        # leaves what its successor owns).
        sides: list[tuple[PeeringSide, Construct | None, str, bool | None]] = [
            (
                PeeringSide.REQUESTER,
                self,
                self.peering_connection_id,
                accepter_resolves_requester_dns,
            ),
            (
                PeeringSide.ACCEPTER,
                self.accepter_side,
                side_connection_id,
                requester_resolves_accepter_dns,
            ),
        ]
        for side, holder, connection_id, dns in sides:
            if holder is None or not (dns or multipath is not None):
                continue
            from .options import PeeringConnectionOptions

            self.connection_options.append(
                PeeringConnectionOptions(
                    holder,
                    f"{side.value}DnsOptions",
                    peering_connection_id=connection_id,
                    side=side,
                    allow_dns_resolution_from_remote_vpc=bool(dns),
                    allow_multipath_resilience=multipath,
                )
            )
        self.dns_resolutions: list[PeeringConnectionOptions] = [
            options
            for options in self.connection_options
            if options.allow_dns_resolution_from_remote_vpc
        ]
        """The custom resources that set AllowDnsResolutionFromRemoteVpc, one per side."""
        self.accepter_tags: PeeringConnectionTags | None = None
        """The custom resource that names and tags the accepter's view of a connection
        across accounts or Regions (None within one account and Region, and when
        requester_only)."""
        if self.accepter_side is not None and placement.crosses_environments:
            from .tags import PeeringConnectionTags

            self.accepter_tags = PeeringConnectionTags(
                self.accepter_side,
                "AccepterTags",
                peering_connection_id=side_connection_id,
                connection=self.peering_connection,
                name=name or path,
            )
        here.context.registry.record(plan)
        watch_blocks(here.context, self, plan)
        connection_id, accepter_side = self.peering_connection_id, self.accepter_side

        @functools.cache
        def table_routes() -> TableRoutes:
            """Return what add_route needs, made on its first call (its module loads then)."""
            from .table_routes import RouteSide, TableRoutes

            sides = {REQUESTER: RouteSide(self, connection_id, here.stack)}
            if accepter_side is not None:
                sides[ACCEPTER] = RouteSide(accepter_side, side_connection_id, side_consumer)
            return TableRoutes(here.context, plan, sides)

        self._table_routes = table_routes

    def add_route(
        self,
        id: str,
        *,
        route_table: ec2.IRouteTable | ec2.CfnRouteTable | str,
        side: PeeringSide,
        destination: str | None = None,
    ) -> list[ec2.CfnRoute]:
        """Route one more route table of either VPC through this peering.

        For a table the subnet selections do not reach: one with no subnet, or a subnet
        left out. The routes are checked by the same rules as the peering's own
        (transitive and edge-to-edge destinations, one route per destination in a table,
        overlapping destinations, the routes-per-table quota) and created where that
        side's routes go: here for the requester, in ``accepter_side`` for the accepter
        (the stack of its own account and region).

        Example::

            table = ec2.CfnRouteTable(self, "GatewayTable", vpc_id=shared_vpc.vpc_id)
            peering.add_route("GatewayToApp", route_table=table, side=PeeringSide.ACCEPTER)

        :param id: the route's construct id (with more than one destination, each route's
            id is ``<id>-<destination>``).
        :param route_table: the table: its id (``rtb-...`` or a token), a subnet's
            ``route_table``, or an ``ec2.CfnRouteTable`` (whose VPC is then checked).
        :param side: whose VPC the table is in: ``PeeringSide.REQUESTER`` or
            ``PeeringSide.ACCEPTER``.
        :param destination: one CIDR inside the other VPC (IPv4 or IPv6).
            Default: - every CIDR block of the other VPC (and its IPv6 blocks when both
            VPCs have IPv6).
        :returns: the routes (``AWS::EC2::Route``) added.
        :raises ValidationError: when the route breaks a rule, the table is in neither
            VPC of that side, or that side is not managed by this app (``requester_only``).
        """
        routes = self._table_routes().add(self, id, route_table, side, destination)
        if side is PeeringSide.REQUESTER:
            self.requester_routes.extend(routes)
        else:
            self.accepter_routes.extend(routes)
        return routes


def _known_environment(facts: VpcFacts) -> tuple[str | None, str | None, str]:
    """Return the accepter VPC's own account and Region where known, and words for them.

    A VPC built in the app is in its stack's; an imported one in those it was imported
    with (``Vpc.from_vpc_attributes(region=...)``, ``Vpc.from_lookup(owner_account=...)``),
    where they differ from its stack's (else nothing tells them: accepter_account and
    accepter_region are how to give them). None where unknown.
    """
    env = facts.env
    stack = facts.stack
    if facts.built_in_app:
        words = f"accepter_vpc {facts.path} of stack {stack.stack_name}"
        return env.account, env.region, words
    account, region = (
        None if is_token(own) or own == of_stack else own
        for own, of_stack in ((env.account, stack.account), (env.region, stack.region))
    )
    return account, region, f"accepter_vpc {facts.path} (as it was imported)"


def _contradicts(given: str | None, known: str | None) -> bool:
    return given is not None and known is not None and differs(given, known)


def _connection_findings(
    path: str,
    placement: Placement,
    *,
    multipath_resilience: bool | None,
    assume_role_region: str | None,
) -> list[Finding]:
    """Return the problems of the connection's own settings: multipath, STS Region."""
    findings: list[Finding] = []
    if multipath_resilience:
        findings += multipath_findings(
            path,
            requester_region=placement.here.env.region,
            accepter_region=placement.region,
            accepter_side=not placement.requester_only,
        )
    if assume_role_region is not None:
        findings += assume_role_region_findings(
            path,
            assume_role_region,
            role_given=placement.role is not None,
            requester_region=placement.here.env.region,
        )
    return findings
