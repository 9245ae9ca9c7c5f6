"""VpcPeering: one VPC peering connection with the routes on both sides."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from . import _rules
from ._facts import (
    SubnetFacts,
    VpcFacts,
    differs,
    is_token,
    read_weakly,
    select_subnets,
    vpc_facts,
)
from ._rules import Finding, PeeringPlan, PlannedRoute, Registry
from .accepter_role import PeeringAccepterRole, role_mismatches
from .dns import PCX_ID, PeeringDnsResolution, PeeringSide, dns_problems
from .errors import Problem, ValidationError, child_path
from .security_groups import InterRegionSecurityGroupCheck


@dataclass(frozen=True)
class PeerDestinations:
    """Where the routes toward a peer VPC point.

    The peering guide's "specific routes" configurations: route to every CIDR block of the
    peer (the default), to only some of its subnets, or to given CIDRs inside it.
    """

    subnets: ec2.SubnetSelection | None = None
    cidrs: tuple[str, ...] | None = None

    @staticmethod
    def vpc_cidrs() -> PeerDestinations:
        """Route to every CIDR block of the peer VPC.

        Every IPv4 block (primary and secondary) and, when both VPCs have IPv6, every
        IPv6 block.
        """
        return PeerDestinations()

    @staticmethod
    def subnet_cidrs(selection: ec2.SubnetSelection) -> PeerDestinations:
        """Route only to the CIDRs of the peer subnets that ``selection`` picks."""
        return PeerDestinations(subnets=selection)

    @staticmethod
    def cidr_blocks(cidrs: Sequence[str]) -> PeerDestinations:
        """Route to the given CIDRs, each of which must lie inside the peer VPC.

        IPv6 CIDRs (with a colon) become DestinationIpv6CidrBlock routes.
        """
        return PeerDestinations(cidrs=tuple(cidrs))


@dataclass
class _AppState:
    registry: Registry
    peerings_quota_context: object
    routes_quota_context: object


_app_states: weakref.WeakKeyDictionary[IConstruct, _AppState] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _ScopeFacts:
    path: str
    state: _AppState
    stack: cdk.Stack
    env: tuple[str, str]


_scopes: weakref.WeakKeyDictionary[IConstruct, _ScopeFacts] = weakref.WeakKeyDictionary()


def _scope_facts(scope: IConstruct) -> _ScopeFacts:
    """Return a scope's path, stack, environment and app state, read once per scope.

    Many peerings share a scope; each read is a jsii round trip.
    """
    known = _scopes.get(scope)
    if known is None:
        node = scope.node
        root = node.root
        state = _app_states.get(root)
        if state is None:
            root_node = root.node
            state = _app_states[root] = _AppState(
                registry=Registry(),
                peerings_quota_context=root_node.try_get_context(_rules.PEERINGS_QUOTA_CONTEXT),
                routes_quota_context=root_node.try_get_context(_rules.ROUTES_QUOTA_CONTEXT),
            )
        stack = cdk.Stack.of(scope)
        known = _scopes[scope] = _ScopeFacts(node.path, state, stack, (stack.account, stack.region))
    return known


def _vpc_env(facts: VpcFacts, stack: cdk.Stack, stack_env: tuple[str, str]) -> tuple[str, str]:
    """Return a VPC's (account, region), reading it only when it can differ from ``stack``'s."""
    if facts.built_in_app and facts.stack is stack:
        return stack_env
    return facts.env


def _environment_mismatch(
    here: _ScopeFacts, *, side: str, vpc_env: tuple[str, str], reason: str, fix: str
) -> list[Finding]:
    """Return the problem when one side's VPC is outside the stack's account or region.

    The rule is ``cdk_peering:<side>Environment``; nothing when the two may be the same.
    """
    (account, region), (stack_account, stack_region) = vpc_env, here.env
    if not (differs(account, stack_account) or differs(region, stack_region)):
        return []
    return [
        Finding(
            f"cdk_peering:{side}Environment",
            f"The {side} VPC is in {account}/{region}, but the stack "
            f"{here.stack.stack_name} is in {stack_account}/{stack_region}; {reason}",
            fix,
            error=True,
        )
    ]


def _accepter_stack_id(requester_stack: cdk.Stack, account: str, region: str) -> str:
    return f"{requester_stack.node.id}-PeeringAccepter-{account}-{region}"


def _find_accepter_stack(requester_stack: cdk.Stack, account: str, region: str) -> cdk.Stack | None:
    """Return the stack that holds accepter sides in ``account``/``region``, if made."""
    parent = requester_stack.node.scope
    assert isinstance(parent, Construct)
    existing = parent.node.try_find_child(_accepter_stack_id(requester_stack, account, region))
    return existing if isinstance(existing, cdk.Stack) else None


def _accepter_stack(requester_stack: cdk.Stack, account: str, region: str) -> cdk.Stack:
    """Return the stack that holds accepter sides in ``account``/``region``, made once.

    It is a sibling of the requester's stack, so it deploys after it (it reads the
    connection id) without the accepter VPC's own stack depending on the requester's.
    """
    existing = _find_accepter_stack(requester_stack, account, region)
    if existing is not None:
        return existing
    parent = requester_stack.node.scope
    assert isinstance(parent, Construct)
    stack = cdk.Stack(
        parent,
        _accepter_stack_id(requester_stack, account, region),
        env=cdk.Environment(account=account, region=region),
        description=(
            f"Accepter side (routes, DNS options) of the VPC peering connections requested "
            f"by {requester_stack.stack_name}"
        ),
    )
    # Every reference into this stack is read weakly (Fn::GetStackOutput).
    cdk.CrossStackReferences.of(stack).consume(cdk.ReferenceStrength.WEAK)
    stack.add_stack_dependency(requester_stack, "reads the peering connection id")
    return stack


class VpcPeering(Construct):
    """A VPC peering connection and the routes to it in both VPCs' route tables.

    The connection (``AWS::EC2::VPCPeeringConnection``, this construct's default child)
    is requested by ``requester_vpc`` and accepted by ``accepter_vpc``. Each side gets one
    ``AWS::EC2::Route`` per destination in every distinct route table of its selected
    subnets, each referencing the connection (so it is created after it).

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
        requester_resolves_accepter_dns: bool | None = None,
        accepter_resolves_requester_dns: bool | None = None,
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
            to accept a connection across accounts: a ``PeeringAccepterRole``, or any role
            (``iam.Role.from_role_arn(...)`` for one made elsewhere).
            Default: - none; required when the accounts differ, an error when they do not.
        :param accepter_scope: where the accepter side (its routes) goes: a construct in a
            stack of the accepter's account and region that does not hold the accepter VPC.
            Default: - here when both VPCs share an account and region; otherwise a stack
            ``<requester stack id>-PeeringAccepter-<account>-<region>`` made by the library
            beside the requester's stack.
        :param requester_only: only request the connection and add the requester's routes:
            the accepter VPC's owner (a third party) accepts it and adds its own routes.
            Default: false.
        :param requester_resolves_accepter_dns: let the requester VPC resolve the accepter's
            public DNS host names to private IP addresses (AllowDnsResolutionFromRemoteVpc on
            the accepter's side, set by a custom resource in the accepter's account and
            region once the connection is active). Both VPCs need DNS support and DNS host
            names. Default: false.
        :param accepter_resolves_requester_dns: the same for the accepter VPC resolving the
            requester's names (set in the requester's account and region). Default: false.
        :param name: the connection's Name tag. Default: - no Name tag.
        :param peerings_per_vpc_quota: the active peering connections per VPC quota of
            your account, when AWS has raised it. Default: - the context value
            ``cdk-peering:activePeeringsPerVpcQuota``, else 50 (the AWS default).
        :param routes_per_route_table_quota: the routes per route table quota of your
            account, when AWS has raised it. Default: - the context value
            ``cdk-peering:routesPerRouteTableQuota``, else 50 (the AWS default).
        :raises ValidationError: when the configuration cannot work.
        """
        here = _scope_facts(scope)
        path = child_path(here.path, id)
        requester = vpc_facts(requester_vpc)
        accepter = vpc_facts(accepter_vpc)
        own_account, own_region = _vpc_env(accepter, here.stack, here.env)
        role_construct: PeeringAccepterRole | None = None
        if isinstance(accepter_role, PeeringAccepterRole):
            role_construct = accepter_role
            # jsii classes implement their interfaces, though type checkers cannot always tell.
            accepter_role = cast(iam.IRole, accepter_role.role)
        placement = _Placement(
            here=here,
            requester_env=_vpc_env(requester, here.stack, here.env),
            account=accepter_account or own_account,
            region=accepter_region or own_region,
            role=accepter_role,
            accepter_role=role_construct,
            scope=accepter_scope,
            requester_only=bool(requester_only),
            accepter_options=tuple(
                name
                for name, value in (
                    ("accepter_scope", accepter_scope),
                    ("accepter_subnets", accepter_subnets),
                    ("requester_destinations", requester_destinations),
                )
                if value is not None
            ),
            side_id=path.replace("/", "-"),
        )
        plan = _plan(
            path=path,
            requester=requester,
            accepter=accepter,
            requester_subnets=requester_subnets,
            accepter_subnets=None if placement.requester_only else accepter_subnets,
            accepter_destinations=accepter_destinations,
            requester_destinations=requester_destinations,
            peerings_quota=(peerings_per_vpc_quota, here.state.peerings_quota_context),
            routes_quota=(routes_per_route_table_quota, here.state.routes_quota_context),
            sides=("Requester",) if placement.requester_only else ("Requester", "Accepter"),
            findings=placement.check(requester, accepter)
            + _dns_findings(
                path,
                requester_vpc,
                accepter_vpc,
                requester_resolves_accepter_dns=bool(requester_resolves_accepter_dns),
                accepter_resolves_requester_dns=bool(accepter_resolves_requester_dns),
                accepter_side=not placement.requester_only,
            ),
        )
        findings = _check_or_raise(path, plan, here.state.registry)

        super().__init__(scope, id)
        if placement.cross_region:
            # Checked at synth, once every security group rule of the app exists.
            InterRegionSecurityGroupCheck.register(self, requester_vpc, accepter_vpc)
        _warn(self, findings)

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
            tags=[cdk.CfnTag(key="Name", value=name)] if name else None,
        )
        """The ``AWS::EC2::VPCPeeringConnection``."""
        # node.default_child finds it: the child named "Resource".
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
            _add_routes(plan, "Requester", self, self.peering_connection_id, here.stack)
        )
        if self.accepter_side is not None:
            self.accepter_routes.extend(
                _add_routes(plan, "Accepter", self.accepter_side, side_connection_id, side_consumer)
            )
        self.dns_resolutions: list[PeeringDnsResolution] = []
        """The custom resources that set AllowDnsResolutionFromRemoteVpc, one per side."""
        if accepter_resolves_requester_dns:
            self.dns_resolutions.append(
                PeeringDnsResolution(
                    self,
                    "RequesterDnsOptions",
                    peering_connection_id=self.peering_connection_id,
                    side=PeeringSide.REQUESTER,
                )
            )
        if requester_resolves_accepter_dns and self.accepter_side is not None:
            self.dns_resolutions.append(
                PeeringDnsResolution(
                    self.accepter_side,
                    "AccepterDnsOptions",
                    peering_connection_id=side_connection_id,
                    side=PeeringSide.ACCEPTER,
                )
            )
        here.state.registry.record(plan)


def _dns_findings(
    path: str,
    requester_vpc: ec2.IVpc,
    accepter_vpc: ec2.IVpc,
    *,
    requester_resolves_accepter_dns: bool,
    accepter_resolves_requester_dns: bool,
    accepter_side: bool,
) -> list[Finding]:
    """Return the problems with the DNS resolution options asked for."""
    if not (requester_resolves_accepter_dns or accepter_resolves_requester_dns):
        return []
    findings = [
        Finding(problem.rule, problem.message, problem.fix, error=True)
        for vpc in (requester_vpc, accepter_vpc)
        for problem in dns_problems(path, vpc)
    ]
    if requester_resolves_accepter_dns and not accepter_side:
        findings.append(
            Finding(
                "cdk_peering:dnsWithoutAccepterSide",
                "requester_resolves_accepter_dns is set with requester_only: that option is "
                "set on the accepter's side, which this app does not manage.",
                "Ask the accepter VPC's owner to allow DNS resolution from the remote VPC, "
                "and leave requester_resolves_accepter_dns out.",
                error=True,
            )
        )
    return findings


def _check_or_raise(path: str, plan: PeeringPlan, registry: Registry) -> list[Finding]:
    """Run the rules; raise every error at once, return the warnings."""
    findings = _rules.check(plan, registry)
    errors = [f for f in findings if f.error]
    if errors:
        raise ValidationError([Problem(path, f.rule, f.message, f.fix) for f in errors])
    return findings


def _warn(construct: Construct, findings: list[Finding]) -> None:
    for finding in findings:
        cdk.Annotations.of(construct).add_warning_v2(
            finding.rule, f"{finding.message} Fix: {finding.fix}"
        )


def _add_routes(
    plan: PeeringPlan,
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
    plan: PeeringPlan,
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
    resource = ec2.CfnRoute(
        parent,
        route_id,
        route_table_id=table_id,
        destination_ipv6_cidr_block=route.destination,
        vpc_peering_connection_id=peering_connection_id,
    )
    peer = plan.peer_of(route)
    if route.destination in peer.ipv6_amazon_provided:
        # Ipv6CidrBlocks is empty until the block's association exists.
        for dependency in peer.ipv6_dependencies:
            resource.node.add_dependency(dependency)
    return resource


@dataclass(frozen=True)
class _Placement:
    """Where each part of a peering goes, by the accounts and regions of the two VPCs."""

    here: _ScopeFacts
    requester_env: tuple[str, str]
    account: str
    """The accepter's account."""
    region: str
    """The accepter's region."""
    role: iam.IRole | None
    accepter_role: PeeringAccepterRole | None
    """The role when it is a PeeringAccepterRole of this app (what it accepts is known)."""
    scope: Construct | None
    requester_only: bool
    accepter_options: tuple[str, ...]
    """The accepter-side props given (accepter_scope, accepter_subnets, ...)."""
    side_id: str
    """The id of the construct that holds the accepter side in another stack."""

    @property
    def cross_account(self) -> bool:
        """Tell whether the accepter is in another account than the connection's stack."""
        return differs(self.here.env[0], self.account)

    @property
    def cross_region(self) -> bool:
        """Tell whether the accepter is in another region than the connection's stack."""
        return differs(self.here.env[1], self.region)

    @property
    def crosses_environments(self) -> bool:
        """Tell whether the two sides are in different accounts or regions."""
        return self.cross_account or self.cross_region

    def check(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problems with where the peering's parts would go."""
        findings = _environment_mismatch(
            self.here,
            side="requester",
            vpc_env=self.requester_env,
            reason="a peering connection must be created in the requester's account and region.",
            fix="Define the VpcPeering in a stack of the requester VPC's account and "
            "region (or swap requester and accepter).",
        )
        findings += self._unknown_environment()
        findings += self._check_role(requester, accepter)
        if self.requester_only and self.accepter_options:
            findings.append(
                Finding(
                    "cdk_peering:requesterOnlyWithAccepterOptions",
                    f"requester_only is set, but {' and '.join(self.accepter_options)} "
                    f"{'is' if len(self.accepter_options) == 1 else 'are'} given: they shape "
                    "the accepter side, which this app does not manage.",
                    "Give either requester_only or the accepter-side options.",
                    error=True,
                )
            )
        elif self.scope is not None:
            findings.extend(self._check_scope(requester, accepter))
        if not self.requester_only and (self.scope is not None or self.crosses_environments):
            findings.extend(self._check_side_id())
        return findings

    def _unknown_environment(self) -> list[Finding]:
        """Return the problem when the accepter's environment is known but the stack's not."""
        unknown = [
            f"{what} {theirs}"
            for what, theirs, ours in (
                ("account", self.account, self.here.env[0]),
                ("region", self.region, self.here.env[1]),
            )
            if is_token(ours) and not is_token(theirs)
        ]
        if not unknown:
            return []
        stack = self.here.stack.stack_name
        return [
            Finding(
                "cdk_peering:requesterEnvironmentUnknown",
                f"The accepter VPC is in {' and '.join(unknown)}, but the stack {stack} is "
                "environment-agnostic: whether the peering crosses accounts or regions "
                "(PeerOwnerId, PeerRegion, the accepter role, the stack of the accepter's "
                "routes) cannot be told.",
                f"Give the stack {stack} an explicit env=cdk.Environment(account=..., "
                "region=...), or leave accepter_account and accepter_region out for an "
                "accepter in the stack's own environment.",
                error=True,
            )
        ]

    def _check_role(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problems with the accepter role (missing, not needed, mismatched)."""
        stack_account = self.here.env[0]
        if self.cross_account and self.role is None:
            return [
                Finding(
                    "cdk_peering:accepterRoleMissing",
                    f"The accepter VPC is in account {self.account}, the requester in "
                    f"{stack_account}: CloudFormation can accept the connection only by "
                    "assuming a role in the accepter account; without it the stack fails "
                    "('cannot accept peering').",
                    "Add a cdk_peering.PeeringAccepterRole to a stack of the accepter account "
                    "and pass it as accepter_role (or iam.Role.from_role_arn(...) for "
                    "a role made elsewhere).",
                    error=True,
                )
            ]
        if self.role is None:
            return []
        if not self.cross_account and not (is_token(stack_account) or is_token(self.account)):
            return [
                Finding(
                    "cdk_peering:accepterRoleNotNeeded",
                    f"accepter_role is given, but both VPCs are in account {stack_account}: "
                    "CloudFormation accepts a same-account connection itself.",
                    "Leave accepter_role out.",
                    error=True,
                )
            ]
        if not self.cross_account:
            stack = self.here.stack.stack_name
            return [
                Finding(
                    "cdk_peering:requesterEnvironmentUnknown",
                    f"accepter_role is given, but the account of the stack {stack} or of the "
                    "accepter VPC is not known: whether the peering crosses accounts "
                    "(PeerOwnerId) cannot be told, and without PeerOwnerId the connection "
                    "would look for the accepter VPC in the requester's own account.",
                    f"Give the stack {stack} an explicit env=cdk.Environment(account=..., "
                    "region=...) and give accepter_account (or import the accepter VPC with "
                    "its account).",
                    error=True,
                )
            ]
        where, reasons = role_mismatches(
            self.accepter_role or self.role,
            requester_account=stack_account,
            requester_region=self.here.env[1],
            requester_vpc_id=requester.vpc_id,
            accepter_vpc=accepter.vpc,
            accepter_account=self.account,
        )
        if not reasons:
            return []
        return [
            Finding(
                "cdk_peering:accepterRoleMismatch",
                f"accepter_role {where} cannot accept this peering: {'; '.join(reasons)}. "
                "CloudFormation's accept would be denied and the stack would fail.",
                "Give a role in the accepter's account that trusts the requester's account, "
                "names the requester's region and VPC (or none) and covers the accepter VPC.",
                error=True,
            )
        ]

    def _check_scope(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        assert self.scope is not None
        stack = cdk.Stack.of(self.scope)
        findings: list[Finding] = []
        if differs(stack.account, self.account) or differs(stack.region, self.region):
            findings.append(
                Finding(
                    "cdk_peering:accepterScopeEnvironment",
                    f"accepter_scope is in stack {stack.stack_name} "
                    f"({stack.account}/{stack.region}), but the accepter VPC is in "
                    f"{self.account}/{self.region}; routes must be deployed in the account "
                    "and region that own their route tables.",
                    "Give an accepter_scope in a stack of the accepter's account and region.",
                    error=True,
                )
            )
        upstream = self._upstream_of_connection(requester, accepter)
        why = next((reason for each, reason in upstream if each is stack), None)
        if why is not None:
            connection_stack = self.here.stack.stack_name
            findings.append(
                Finding(
                    "cdk_peering:accepterScopeCycle",
                    f"accepter_scope is in {stack.stack_name}, which the connection's stack "
                    f"{connection_stack} deploys after ({why}); the accepter routes need the "
                    f"connection's id, so {stack.stack_name} would also deploy after "
                    f"{connection_stack}: a dependency cycle.",
                    "Put the accepter side in another stack of the accepter's account and "
                    "region, or leave accepter_scope out (the library makes one across "
                    "environments, and uses this construct otherwise).",
                    error=True,
                )
            )
        return findings

    def _upstream_of_connection(
        self, requester: VpcFacts, accepter: VpcFacts
    ) -> list[tuple[cdk.Stack, str]]:
        """Return the stacks the connection's stack deploys after, each with the reason.

        The VPCs' stacks (it reads their ids), the role's stack, and what those and the
        connection's stack already depend on, transitively.
        """
        here = self.here.stack
        found: list[tuple[cdk.Stack, str]] = []
        todo: list[tuple[cdk.Stack, str]] = [
            (facts.stack, f"it reads the {side} VPC id")
            for side, facts in (("requester", requester), ("accepter", accepter))
            if facts.built_in_app and facts.stack is not here
        ]
        role = self.role
        if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
            todo.append((cdk.Stack.of(role), "it reads the accepter role"))
        todo += [(each, "it depends on it") for each in here.dependencies]
        while todo:
            stack, reason = todo.pop()
            if stack is here or any(stack is known for known, _ in found):
                continue
            found.append((stack, reason))
            todo += [(each, f"{reason}, through {stack.stack_name}") for each in stack.dependencies]
        return found

    def _check_side_id(self) -> list[Finding]:
        """Return the problem when the accepter side's id is taken where it would go."""
        parent: Construct | None = self.scope or _find_accepter_stack(
            self.here.stack, self.account, self.region
        )
        if parent is None or parent.node.try_find_child(self.side_id) is None:
            return []
        return [
            Finding(
                "cdk_peering:accepterSideClash",
                f"The accepter side would be {parent.node.path}/{self.side_id}, which another "
                "peering's accepter side already is (construct paths that differ only in '/' "
                "and '-' map to the same id there).",
                "Give this VpcPeering (or its parent) another id.",
                error=True,
            )
        ]

    def accepter_side(
        self, peering: Construct, accepter: VpcFacts
    ) -> tuple[Construct | None, cdk.Stack | None]:
        """Make the construct the accepter's routes go into; wire the stack dependencies.

        Also return its stack when the library did not make it (so reads from other
        stacks must be made weak one by one), else None.
        """
        requester_stack = self.here.stack
        if self.crosses_environments:
            if accepter.built_in_app and accepter.stack is not requester_stack:
                requester_stack.add_stack_dependency(accepter.stack, "reads the accepter VPC id")
            role = self.role
            if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
                role_stack = cdk.Stack.of(role)
                if role_stack is not requester_stack:
                    requester_stack.add_stack_dependency(role_stack, "reads the accepter role")
        if self.requester_only:
            return None, None
        if self.scope is None and not self.crosses_environments:
            return peering, requester_stack
        parent = self.scope or _accepter_stack(requester_stack, self.account, self.region)
        side = Construct(parent, self.side_id)
        side_stack = cdk.Stack.of(side)
        if side_stack is not requester_stack:
            side_stack.add_stack_dependency(requester_stack, "reads the peering connection id")
        return side, (side_stack if self.scope is not None else None)


def _plan(
    *,
    path: str,
    requester: VpcFacts,
    accepter: VpcFacts,
    requester_subnets: ec2.SubnetSelection | None,
    accepter_subnets: ec2.SubnetSelection | None,
    accepter_destinations: PeerDestinations | None,
    requester_destinations: PeerDestinations | None,
    peerings_quota: tuple[int | None, object],
    routes_quota: tuple[int | None, object],
    sides: tuple[str, ...],
    findings: list[Finding],
) -> PeeringPlan:
    peerings, problem = _rules.quota(
        name="active peering connections per VPC",
        declared=peerings_quota[0],
        context_value=peerings_quota[1],
        default=_rules.PEERINGS_PER_VPC_DEFAULT,
        maximum=_rules.PEERINGS_PER_VPC_MAX,
        prop="peerings_per_vpc_quota",
        context_key=_rules.PEERINGS_QUOTA_CONTEXT,
    )
    findings.extend([problem] if problem else [])
    routes_limit, problem = _rules.quota(
        name="routes per route table",
        declared=routes_quota[0],
        context_value=routes_quota[1],
        default=_rules.ROUTES_PER_TABLE_DEFAULT,
        maximum=_rules.ROUTES_PER_TABLE_MAX,
        prop="routes_per_route_table_quota",
        context_key=_rules.ROUTES_QUOTA_CONTEXT,
    )
    findings.extend([problem] if problem else [])
    both_ipv6 = requester.has_ipv6 and accepter.has_ipv6
    routes: list[PlannedRoute] = []
    for side, owner, selection, peer, destinations in (
        ("Requester", requester, requester_subnets, accepter, accepter_destinations),
        ("Accepter", accepter, accepter_subnets, requester, requester_destinations),
    ):
        if side not in sides:
            continue
        tables = _route_tables(side, owner, selection, findings)
        targets = _destinations(side, peer, destinations, both_ipv6, findings)
        for table_id, table_label in tables:
            for destination, label, ipv6, given in targets:
                routes.append(
                    PlannedRoute(side, table_id, table_label, destination, label, ipv6, given)
                )
    return PeeringPlan(
        path=path,
        requester=requester,
        accepter=accepter,
        routes=tuple(routes),
        peerings_quota=peerings,
        routes_quota=routes_limit,
        findings=tuple(findings),
    )


def _select(
    facts: VpcFacts,
    selection: ec2.SubnetSelection | None,
    prop: str,
    findings: list[Finding],
) -> list[SubnetFacts]:
    try:
        subnets = select_subnets(facts, selection)
    except RuntimeError as error:
        reason = str(error).splitlines()[0]
        subnets = []
    else:
        reason = "the selection is empty"
    if not subnets:
        findings.append(
            Finding(
                "cdk_peering:emptySubnetSelection",
                f"{prop} matches no subnet of {facts.path}: {reason}.",
                f"Select subnets that exist in {facts.path} (by subnet_type, "
                "subnet_group_name or subnets), or leave it out to use every subnet.",
                error=True,
            )
        )
    return subnets


def _route_tables(
    side: str,
    owner: VpcFacts,
    selection: ec2.SubnetSelection | None,
    findings: list[Finding],
) -> list[tuple[str, str]]:
    """Return (route table id, label) for each distinct route table of the selection."""
    tables: dict[str, str] = {}
    for subnet in _select(owner, selection, f"{side.lower()}_subnets", findings):
        if subnet.route_table_id is None:
            findings.append(
                Finding(
                    "cdk_peering:unknownRouteTable",
                    f"Subnet {subnet.subnet_id} ({subnet.name}) of {owner.path} has no known "
                    "route table, so no route can be added to it.",
                    "Import the VPC with its route table ids (for example "
                    "Vpc.from_vpc_attributes(private_subnet_route_table_ids=[...])).",
                    error=True,
                )
            )
        elif subnet.route_table_id not in tables:
            tables[subnet.route_table_id] = subnet.name
    return list(tables.items())


def _label(cidr: str, fallback: str) -> str:
    return fallback if is_token(cidr) else cidr.replace("/", "_")


def _destinations(
    side: str,
    peer: VpcFacts,
    destinations: PeerDestinations | None,
    both_ipv6: bool,
    findings: list[Finding],
) -> list[tuple[str, str, bool, bool]]:
    """Return (destination, label, is IPv6, given by the user) for one side's routes."""
    prop = "accepter_destinations" if side == "Requester" else "requester_destinations"
    if destinations is not None and destinations.subnets is not None and destinations.cidrs:
        findings.append(
            Finding(
                "cdk_peering:ambiguousDestinations",
                f"{prop} names both subnets and CIDRs.",
                "Use PeerDestinations.subnet_cidrs(...) or PeerDestinations.cidr_blocks(...), "
                "not both.",
                error=True,
            )
        )
        return []
    if destinations is not None and destinations.cidrs is not None:
        if not destinations.cidrs:
            findings.append(
                Finding(
                    "cdk_peering:noDestinations",
                    f"{prop} gives no CIDR.",
                    "Give at least one CIDR inside the peer, or leave the prop out.",
                    error=True,
                )
            )
        return [
            (cidr, _label(cidr, f"Cidr{i}"), not is_token(cidr) and _rules.is_ipv6(cidr), True)
            for i, cidr in enumerate(destinations.cidrs)
        ]
    if destinations is not None and destinations.subnets is not None:
        result: list[tuple[str, str, bool, bool]] = []
        for subnet in _select(peer, destinations.subnets, prop, findings):
            if subnet.ipv4_cidr is None:
                findings.append(
                    Finding(
                        "cdk_peering:unknownSubnetCidr",
                        f"Subnet {subnet.subnet_id} of {peer.path} has no known CIDR.",
                        "Import the VPC with its subnet CIDRs (for example "
                        "Vpc.from_vpc_attributes(private_subnet_ipv4_cidr_blocks=[...])).",
                        error=True,
                    )
                )
                continue
            result.append((subnet.ipv4_cidr, _label(subnet.ipv4_cidr, subnet.name), False, False))
            if both_ipv6:
                result.extend(
                    (cidr, f"{subnet.name}Ipv6", True, False) for cidr in subnet.ipv6_cidrs
                )
        return result
    if peer.unresolved_ipv4_blocks:
        findings.append(
            Finding(
                "cdk_peering:unroutableBlock",
                f"{peer.unresolved_ipv4_blocks} secondary IPv4 block(s) of {peer.path} come "
                "from IPAM, and CloudFormation cannot tell their CIDR: no route points at them.",
                f"Give {prop}=PeerDestinations.cidr_blocks([...]) with the allocated CIDRs, or "
                "acknowledge this warning.",
                error=False,
            )
        )
    result = [
        (cidr, _label(cidr, f"Ipv4Block{i}"), False, False)
        for i, cidr in enumerate(peer.ipv4_cidrs)
    ]
    if both_ipv6:
        result.extend(
            (cidr, _label(cidr, f"Ipv6Block{i}"), True, False)
            for i, cidr in enumerate(peer.ipv6_cidrs)
        )
    return result


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
        here = _scope_facts(scope)
        path = child_path(here.path, id)
        requester = vpc_facts(requester_vpc)
        accepter = vpc_facts(accepter_vpc)
        findings: list[Finding] = []
        if not is_token(peering_connection_id) and not PCX_ID.match(peering_connection_id):
            findings.append(
                Finding(
                    "cdk_peering:invalidPeeringConnectionId",
                    f"peering_connection_id {peering_connection_id!r} is not a VPC peering "
                    "connection id.",
                    "Give the connection's id, such as 'pcx-0123456789abcdef0'.",
                    error=True,
                )
            )
        findings.extend(
            _environment_mismatch(
                here,
                side="accepter",
                vpc_env=_vpc_env(accepter, here.stack, here.env),
                reason="routes must be deployed in the account and region that own their "
                "route tables.",
                fix="Define the VpcPeeringAccepter in a stack of the accepter VPC's account "
                "and region.",
            )
        )
        findings += _dns_findings(
            path,
            requester_vpc,
            accepter_vpc,
            requester_resolves_accepter_dns=bool(requester_resolves_accepter_dns),
            accepter_resolves_requester_dns=False,
            accepter_side=True,
        )
        plan = _plan(
            path=path,
            requester=requester,
            accepter=accepter,
            requester_subnets=None,
            accepter_subnets=accepter_subnets,
            accepter_destinations=None,
            requester_destinations=requester_destinations,
            peerings_quota=(peerings_per_vpc_quota, here.state.peerings_quota_context),
            routes_quota=(routes_per_route_table_quota, here.state.routes_quota_context),
            sides=("Accepter",),
            findings=findings,
        )
        warnings = _check_or_raise(path, plan, here.state.registry)

        super().__init__(scope, id)
        _warn(self, warnings)
        self.peering_connection_id = peering_connection_id
        """The id of the peering connection (pcx-...)."""
        self.requester_vpc = requester_vpc
        """The VPC that requested the connection."""
        self.accepter_vpc = accepter_vpc
        """The VPC that accepted the connection."""
        self.accepter_routes: list[ec2.CfnRoute] = _add_routes(
            plan, "Accepter", self, peering_connection_id, here.stack
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
        here.state.registry.record(plan)
