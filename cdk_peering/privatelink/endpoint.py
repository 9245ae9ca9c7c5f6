"""PrivateLinkEndpoint: an interface VPC endpoint that peered VPCs can reach and resolve.

AWS facts this relies on:

* an interface endpoint (``AWS::EC2::VPCEndpoint`` of type ``Interface``) is reached
  through its network interfaces, guarded by its security groups; clients in a peered VPC
  connect from their own CIDR blocks, and across Regions a security group rule must name
  CIDRs, not a peer's security group (VPC peering guide, "VPC peering limitations");
* ``ServiceRegion`` makes the endpoint connect to an endpoint service of another Region
  (native cross-region PrivateLink; CloudFormation reference, AWS::EC2::VPCEndpoint);
* consumers in a remote VPC reached over peering cannot use the service's private DNS
  name: the endpoint's private DNS lives in a hidden private hosted zone associated with
  the endpoint's VPC only. The documented workaround is a Route 53 private hosted zone
  with that name, with an alias record to the endpoint's regional DNS name, associated
  with the endpoint's VPC and every peered VPC that should resolve it, in any Region
  (PrivateLink guide, "Manage DNS names"; Route 53 developer guide, "Working with private
  hosted zones");
* a private hosted zone can be associated in CloudFormation (``VPCs``, with
  ``VPCRegion``) only with VPCs of its own account. A VPC of another account needs
  ``CreateVPCAssociationAuthorization`` by the zone's account, then
  ``AssociateVPCWithHostedZone`` by the VPC's account; neither has a CloudFormation
  resource (Route 53 developer guide, "Associating an Amazon VPC and a private hosted
  zone that you created with different AWS accounts"; CloudFormation coverage roadmap
  issues 371 and 372): :mod:`cdk_peering.privatelink.zone_association` makes both calls;
* an endpoint service is reached from its own Region and from its supported Regions
  (``SupportedRegions``) only, and by its own account and the principals of its
  permissions (``AllowedPrincipals``) only; an endpoint elsewhere fails to create
  (:mod:`cdk_peering.rules.privatelink`);
* a connection request to a service that requires acceptance waits until the service's
  owner accepts it (:mod:`cdk_peering.privatelink.acceptance`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk import params
from ..cdk.annotations import warn
from ..cdk.app_context import ScopeFacts, child_path, scope_facts, vpc_facts
from ..cdk.params import require
from ..cdk.references import read_weakly
from ..cdk.stacks import depend, dependency_cycles
from ..cdk.vpcs import VpcFacts, known_without_ipv6, subnets_to_place, unknown_cidr
from ..errors import Problem, ValidationError, raise_errors
from ..findings import Finding, listing
from ..model.env import Env
from ..model.ports import PORT_MAX, PORT_MIN, is_port
from ..model.privatelink import EndpointServiceModel
from ..model.tokens import is_token
from ..peering.security_groups import peer_blocks
from ..rules.dns_names import dns_name_problems
from ..rules.privatelink import account_problems, region_problems
from ..rules.service_names import service_name_problems
from ..rules.zone_names import public_zone_findings
from .acceptance import EndpointAcceptance, Placement, accept, acceptance_placement
from .access import EndpointServiceLike, describe_service
from .service import PrivateLinkService
from .zone_association import (
    ZoneAssociation,
    associate_across_accounts,
    zone_association_problems,
)

# cdk-nag's EC23 (no ingress from 0.0.0.0/0 or ::/0) throws on a rule whose CIDR is a
# token, as an Amazon-provided IPv6 block is (Fn::Select of the VPC's Ipv6CidrBlocks).
_NAG_EC23_ID = "AwsSolutions::AwsSolutions-EC23"
_NAG_EC23_REASON = (
    "cdk-nag's EC23 cannot evaluate a rule whose CIDR is a CloudFormation expression. This "
    "rule, which PrivateLinkEndpoint wrote, opens one service port to one CIDR block of a "
    "VPC the endpoint serves: its Amazon-provided IPv6 block, or a block the app gives as "
    "a token; a VPC's block is never 0.0.0.0/0 or ::/0."
)


class PeeringLike(Protocol):
    """A VPC peering: ``cdk_peering.VpcPeering`` or anything with its two VPCs."""

    @property
    def requester_vpc(self) -> ec2.IVpc:
        """The VPC that requested the connection."""
        ...

    @property
    def accepter_vpc(self) -> ec2.IVpc:
        """The VPC that accepted the connection."""
        ...


SERVICE = params.Expect(
    "a PrivateLinkService (or an object with service_name and ports) or a service name",
    lambda v: isinstance(v, str) or (hasattr(v, "service_name") and hasattr(v, "ports")),
    "'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0'",
)
PEERING = params.Expect(
    "a VpcPeering (or an object with requester_vpc and accepter_vpc)",
    lambda v: hasattr(v, "requester_vpc") and hasattr(v, "accepter_vpc"),
    plural="VpcPeerings (or objects with requester_vpc and accepter_vpc)",
)
PEERINGS = params.sequence_of(PEERING)
IP_ADDRESS_TYPE = params.enum_member(ec2.VpcEndpointIpAddressType, "ec2.VpcEndpointIpAddressType")


def _normalise_dns_name(name: str) -> str:
    return name.lower().removesuffix(".")


def _other_side(peering: PeeringLike, vpc_path: str) -> ec2.IVpc | None:
    """Return the side of ``peering`` that is not the VPC at ``vpc_path``; None if neither is."""
    requester, accepter = peering.requester_vpc, peering.accepter_vpc
    if vpc_facts(requester).path == vpc_path:
        return accepter
    if vpc_facts(accepter).path == vpc_path:
        return requester
    return None


def _peering_problem(path: str, vpc_path: str, peering: PeeringLike) -> Problem:
    sides = " and ".join(vpc_facts(v).path for v in (peering.requester_vpc, peering.accepter_vpc))
    return Problem(
        path,
        rule_ids.PEERING_NOT_FROM_ENDPOINT_VPC,
        f"The peering between {sides} does not involve the endpoint's VPC {vpc_path}: "
        "clients on its far side have no network path to the endpoint.",
        "Serve only peerings that have the endpoint's VPC on one side, or define the endpoint "
        "in a VPC of that peering.",
    )


class PrivateLinkEndpoint(Construct):
    """An interface VPC endpoint to a PrivateLink service, reachable from peered VPCs.

    Builds an ``ec2.InterfaceVpcEndpoint`` (``AWS::EC2::VPCEndpoint`` of type Interface,
    this construct's default child ``Resource``) to ``service``, in this Region or, with
    ``service_region``, in the service's Region (native cross-region PrivateLink), and a
    security group of its own that admits, on the service's ports, only the CIDR blocks
    of the endpoint's VPC and of the VPCs it serves (``client_vpcs``, ``peerings``,
    :meth:`allow_from_vpc`, :meth:`serve_peering`), primary and secondary, written as
    literal CIDRs.

    Clients in a peered VPC cannot use the service's private DNS name (AWS resolves it
    only inside the endpoint's VPC). With ``dns_name`` the construct adds the documented
    workaround: a Route 53 private hosted zone for that name with an alias A record (and
    AAAA when the endpoint has IPv6) to the endpoint's regional DNS name, associated with
    the endpoint's VPC, every VPC of ``dns_vpcs`` and the far side of every served
    peering, in any Region and account. A hosted zone's ``VPCs`` carry this account's
    VPCs, each with its Region; a VPC defined in a stack of another Region is referenced
    with ``Fn::GetStackOutput`` (this construct consumes references weakly).

    **VPCs of other accounts.** CloudFormation cannot associate a private hosted zone
    with a VPC of another account: the zone's account must call Route 53
    ``CreateVPCAssociationAuthorization``, then the VPC's account
    ``AssociateVPCWithHostedZone``. The deploy does both, each in its own account's
    stack: the authorization in this stack (which then deploys after the VPC's stack),
    the association in a stack the library makes in the VPC's account and Region,
    ``<this stack id>-ZoneAssociation-<account>-<region>``, which deploys after this one;
    deleting it disassociates. The authorization is kept while the association is
    declared (see :mod:`cdk_peering.privatelink.zone_association` for why). ``cdk
    deploy --all`` then needs the accounts to trust each other's deployments (``cdk
    bootstrap --trust``). Its security group rules are written as for any VPC.

    **Acceptance.** When ``service`` is a ``PrivateLinkService`` of this app that
    requires acceptance, the deploy accepts this endpoint's connection (and only it) in
    the service's account and Region (``accept_connection``; see
    ``PrivateLinkService.accept_endpoint``).

    Configurations that cannot work raise :class:`cdk_peering.ValidationError` before
    anything is added to the tree; :meth:`serve_peering` raises it too.

    Example::

        endpoint = PrivateLinkEndpoint(self, "Api",
            vpc=shared_vpc,
            service="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            port=443,
            dns_name="api.example.internal",
        )
        endpoint.serve_peering(app_to_shared)  # app_vpc's clients reach and resolve it
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        service: EndpointServiceLike | str,
        port: int,
        additional_ports: Sequence[int] | None = None,
        service_region: str | None = None,
        subnets: ec2.SubnetSelection | None = None,
        private_dns_enabled: bool | None = None,
        ip_address_type: ec2.VpcEndpointIpAddressType | None = None,
        client_vpcs: Sequence[ec2.IVpc] | None = None,
        peerings: Sequence[PeeringLike] | None = None,
        dns_name: str | None = None,
        zone_name: str | None = None,
        dns_vpcs: Sequence[ec2.IVpc] | None = None,
        accept_connection: bool | None = None,
    ) -> None:
        """Define an interface endpoint to a PrivateLink service, for this and peered VPCs.

        :param scope: the parent construct, in a stack of the endpoint VPC's account and
            Region.
        :param id: the construct id.
        :param vpc: the VPC the endpoint's network interfaces go in.
        :param service: the endpoint service: a ``PrivateLinkService`` of this app (or any
            object with ``service_name`` and ``ports``), or its name
            (``com.amazonaws.vpce.<region>.vpce-svc-...``). With ``allowed_regions`` and
            ``allowed_principals`` too, this stack's Region and account must be allowed.
        :param port: the TCP port clients connect to; the security group opens it.
        :param additional_ports: more TCP ports of the service to open. Default: - only
            ``port``.
        :param service_region: the Region of the endpoint service, for native
            cross-region PrivateLink (``ServiceRegion``). Default: - the Region named in
            the service's name (or of a ``PrivateLinkService``'s stack) when it is not this
            stack's; else none (the service is in this Region).
        :param subnets: the subnets for the endpoint's network interfaces, at most one per
            Availability Zone. Default: - the ``InterfaceVpcEndpoint`` default: the VPC's
            private subnets, else its isolated subnets.
        :param private_dns_enabled: turn on the service's private DNS name in the
            endpoint's VPC (``PrivateDnsEnabled``). It works only for a service whose
            provider configured and verified a private DNS name, and only inside this VPC.
            Default: false (a custom service's default in ``InterfaceVpcEndpointService``).
        :param ip_address_type: the endpoint's IP address type (``IpAddressType``). With
            ``DUALSTACK`` or ``IPV6`` the security group also admits the served VPCs'
            IPv6 blocks and the hosted zone gets an AAAA alias record. Default: - not
            specified (IPv4).
        :param client_vpcs: VPCs, peered with the endpoint's VPC elsewhere in the app,
            whose CIDR blocks may connect (more with :meth:`allow_from_vpc`).
            Default: - only the endpoint's own VPC.
        :param peerings: peerings to serve, as :meth:`serve_peering` does: the far side's
            CIDR blocks may connect and its VPC resolves ``dns_name``. Default: - none.
        :param dns_name: the name peered clients resolve to the endpoint, usually the
            service's private DNS name (for example ``api.example.internal``): a private
            hosted zone answers it with alias records. Default: - no hosted zone.
        :param zone_name: the hosted zone's name, when it should hold more than
            ``dns_name``; ``dns_name`` must lie inside it. The zone answers every name under
            it in each associated VPC, so keep it narrow. Default: - ``dns_name``.
        :param dns_vpcs: more VPCs that resolve ``dns_name``, in any Region and account
            (see "VPCs of other accounts" above); each should be peered with the
            endpoint's VPC (see ``peerings``), else a warning
            ``cdk_peering:dnsVpcWithoutPath``. Default: - the endpoint's VPC and the far
            side of each served peering.
        :param accept_connection: whether the deploy accepts this endpoint's connection
            request, with an ``EndpointAcceptance`` in the service's account and Region
            (see ``PrivateLinkService.accept_endpoint``). Only a ``PrivateLinkService`` of
            this app can be accepted: a service given by name (or any other object) belongs
            to an owner who accepts it. Default: - true when ``service`` is a
            ``PrivateLinkService`` of this app whose ``accept_app_endpoints`` is on (and
            that requires acceptance), else false.
        :raises ValidationError: when a port is invalid or not offered by the service,
            ``ip_address_type`` asks for IPv6 in a VPC of this app without IPv6, the
            service's Region contradicts ``service_region``, a ``PrivateLinkService`` of
            this app allows neither this Region nor this account (``allowed_regions``,
            ``allowed_principals``), ``zone_name`` or ``dns_vpcs`` come without
            ``dns_name``, ``dns_name`` is outside ``zone_name``, private DNS is enabled
            together with the hosted zone, a peering does not involve ``vpc``,
            ``accept_connection`` is true for a service that is no ``PrivateLinkService``
            of this app, or the acceptance's stack cannot be told (one of this stack and
            the service's is environment-agnostic).
        """
        require(
            scope,
            id,
            [
                ("vpc", vpc, params.VPC, True),
                ("service", service, SERVICE, True),
                ("port", port, params.INTEGER, True),
                ("additional_ports", additional_ports, params.PORT_NUMBERS, False),
                ("service_region", service_region, params.STRING, False),
                ("subnets", subnets, params.SUBNET_SELECTION, False),
                ("private_dns_enabled", private_dns_enabled, params.BOOLEAN, False),
                ("ip_address_type", ip_address_type, IP_ADDRESS_TYPE, False),
                ("client_vpcs", client_vpcs, params.VPCS, False),
                ("peerings", peerings, PEERINGS, False),
                ("dns_name", dns_name, params.STRING, False),
                ("zone_name", zone_name, params.STRING, False),
                ("dns_vpcs", dns_vpcs, params.VPCS, False),
                ("accept_connection", accept_connection, params.BOOLEAN, False),
            ],
            in_stack=True,
        )
        here = scope_facts(scope)
        path = child_path(here.path, id)
        stack, env = here.stack, here.env
        facts = vpc_facts(vpc)
        resolved = describe_service(service, env.region)
        ports = tuple(dict.fromkeys((port, *(additional_ports or ()))))
        region = service_region or resolved.region
        if region is not None and not is_token(env.region) and region == env.region:
            region = None  # the service is in this Region: no ServiceRegion
        peerings = tuple(peerings or ())
        far_sides = tuple(_other_side(peering, facts.path) for peering in peerings)
        ipv6 = ip_address_type in (
            ec2.VpcEndpointIpAddressType.DUALSTACK,
            ec2.VpcEndpointIpAddressType.IPV6,
        )
        _, problems = subnets_to_place(path, "subnets", facts, subnets, "the endpoint")
        served = {
            each.path: (param, each)
            for param, each in [
                ("vpc", facts),
                *((f"client_vpcs[{i}]", vpc_facts(v)) for i, v in enumerate(client_vpcs or ())),
                *(("VPC", vpc_facts(v)) for v in far_sides if v is not None),
            ]
        }
        for param, each in served.values():
            problems += unknown_cidr(
                path, each, "the endpoint's security group rules need", param=param
            )
        problems += _check(
            path=path,
            vpc_path=facts.path,
            ip_address_type=ip_address_type,
            vpc_without_ipv6=ipv6 and known_without_ipv6(facts),
            service=resolved,
            service_region=service_region,
            own_env=env,
            ports=ports,
            private_dns_enabled=bool(private_dns_enabled),
            dns_name=dns_name,
            zone_name=zone_name,
            dns_vpcs=dns_vpcs,
            peerings=peerings,
            far_sides=far_sides,
        )
        accepting, acceptance_findings = _acceptance(path, scope, service, accept_connection)
        problems += acceptance_findings
        problems += _cycles(
            path,
            stack,
            service,
            facts,
            # The zone reads the VPC ids of its own account (another account's association
            # is made elsewhere, after both stacks).
            [
                each
                for each in (*far_sides, *(dns_vpcs or ()))
                if dns_name and each is not None and not env.other_account(vpc_facts(each).env)
            ],
        )
        zones = _PrivateZones.of(here)
        if dns_name:
            problems += zones.conflicts(
                path,
                _normalise_dns_name(zone_name or dns_name),
                [facts, *(vpc_facts(each) for each in (*far_sides, *(dns_vpcs or ())) if each)],
                own_vpc=facts.path,
            )
        warnings = raise_errors(
            problems
            + service_name_problems(path, resolved.name, from_app=isinstance(service, Construct))
        )

        super().__init__(scope, id)
        self._zones = zones
        warn(self, warnings)
        self._stack, self._env = stack, env
        service_stack = scope_facts(service).stack if isinstance(service, Construct) else stack
        if service_stack is not stack:
            # CDK records no stack dependency for a weak reference across accounts.
            depend(stack, service_stack, "reads the endpoint service")
        self._allowed: set[str] = set()
        self._associated: set[str] = set()
        self._token_rules = 0
        self._zone_name = ""

        self.vpc = vpc
        """The VPC the endpoint is in."""
        self.service_name: str = resolved.name
        """The endpoint service's name."""
        self.service_region: str | None = region
        """The endpoint service's Region when it is not this stack's (``ServiceRegion``)."""
        self.ports: tuple[int, ...] = ports
        """The TCP ports the security group opens."""
        self._ipv6 = ipv6
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"PrivateLink endpoint {path}: the service ports, from served VPCs",
            allow_all_outbound=False,
        )
        """The endpoint's security group: ingress from the served VPCs' CIDRs only."""
        self.endpoint = ec2.InterfaceVpcEndpoint(
            self,
            "Resource",
            vpc=vpc,
            service=ec2.InterfaceVpcEndpointService(resolved.name, port),
            service_region=region,
            subnets=subnets,
            private_dns_enabled=bool(private_dns_enabled),
            ip_address_type=ip_address_type,
            security_groups=[self.security_group],
            # The L2's own rule names the VPC's CIDR as a Fn::GetAtt token (primary block
            # only, and cdk-nag's EC23 cannot read it); this construct writes literal CIDRs.
            open=False,
        )
        """The ``ec2.InterfaceVpcEndpoint`` (node.default_child: the child named Resource)."""
        self.vpc_endpoint_id: str = self.endpoint.vpc_endpoint_id
        """The endpoint's id (vpce-...)."""
        self.acceptance: EndpointAcceptance | None = None
        """The acceptance of this endpoint's connection in the deploy; None without one."""
        if accepting is not None:
            # accept_endpoint's checks ran above (_check, _acceptance): same service and stack.
            app_service, placement = accepting
            self.acceptance = accept(
                app_service, app_service.service_id, self, self.vpc_endpoint_id, placement=placement
            )
        self.allow_from_vpc(vpc)
        for client in client_vpcs or ():
            self.allow_from_vpc(client)

        self.hosted_zone: route53.PrivateHostedZone | None = None
        """The private hosted zone peered VPCs resolve ``dns_name`` with; None without it."""
        self.zone_associations: list[ZoneAssociation] = []
        """The hosted zone's associations with VPCs of other accounts, each in a stack of
        the VPC's account (the zone's own ``VPCs`` hold this account's)."""
        self.records: list[route53.RecordSet] = []
        """The alias records of ``dns_name``: A, and AAAA when the endpoint has IPv6."""
        self.dns_name: str = (
            _normalise_dns_name(dns_name)
            if dns_name
            else cdk.Fn.select(
                1, cdk.Fn.split(":", cdk.Fn.select(0, self.endpoint.vpc_endpoint_dns_entries))
            )
        )
        """The name clients use: ``dns_name``, else the endpoint's regional DNS name."""
        if dns_name:
            self._add_zone(self.dns_name, zone_name, ip_address_type)
        reachable = {facts.path}
        for other in far_sides:
            assert other is not None, "checked before"
            self._serve(other)
            reachable.add(vpc_facts(other).path)
        for dns_vpc in dns_vpcs or ():
            dns_facts = vpc_facts(dns_vpc)
            if dns_facts.path not in reachable:
                warning = Finding(
                    path,
                    rule_ids.DNS_VPC_WITHOUT_PATH,
                    f"dns_vpcs includes {dns_facts.path}, which no peering given to this "
                    f"endpoint connects with its VPC {facts.path}: it will resolve "
                    f"{self.dns_name} to addresses it cannot reach.",
                    "pass the VpcPeering that connects the two VPCs in peerings instead (it "
                    "associates the zone with the far side itself), or drop the VPC from "
                    "dns_vpcs.",
                    error=False,
                )
                warn(self, [warning])
            self._associate(dns_vpc)

    def allow_from_vpc(self, vpc: ec2.IVpc) -> None:
        """Let ``vpc``'s clients connect: open the service's ports to its CIDR blocks.

        One ingress rule per port and IPv4 block (primary and secondary, literal CIDRs),
        and per IPv6 block when the endpoint has IPv6. The VPC must be able to reach the
        endpoint's VPC (a peering with routes to the endpoint's subnets). Calling it again
        for the same VPC changes nothing.

        :param vpc: the client VPC, in any Region or account.
        """
        params.require_in(self, "allow_from_vpc", [("vpc", vpc, params.VPC, True)])
        facts = vpc_facts(vpc)
        problems = unknown_cidr(self.node.path, facts, "allow_from_vpc needs", param="vpc")
        if problems:
            raise ValidationError(problems)
        vpc_path = facts.path
        if vpc_path in self._allowed:
            return
        self._allowed.add(vpc_path)
        description = f"from {vpc_path}"
        for block in peer_blocks(facts, self.security_group, ipv6=self._ipv6):
            for port in self.ports:
                if not is_token(block.cidr):
                    self.security_group.add_ingress_rule(
                        block.peer(), ec2.Port.tcp(port), description
                    )
                    continue
                # cdk-nag's EC23 cannot read a CIDR that is a token: this rule is a resource
                # of its own, acknowledged alone, so that the group's other rules (a user's
                # included) are still checked.
                self._token_rules += 1
                rule = ec2.CfnSecurityGroupIngress(
                    self.security_group,
                    f"TokenBlockIngress{self._token_rules}",
                    group_id=self.security_group.security_group_id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv6=block.cidr if block.ipv6 else None,
                    cidr_ip=None if block.ipv6 else block.cidr,
                    description=description,
                )
                if block.ipv6 and facts.ipv6_amazon_provided:
                    rule.node.add_dependency(*facts.ipv6_dependencies)
                cdk.Validations.of(rule).acknowledge(
                    cdk.Acknowledgment(id=_NAG_EC23_ID, reason=_NAG_EC23_REASON)
                )

    def serve_peering(self, peering: PeeringLike) -> None:
        """Serve the clients on the far side of a peering of the endpoint's VPC.

        Opens the security group to the far side's CIDR blocks (:meth:`allow_from_vpc`)
        and, with ``dns_name``, associates the hosted zone with its VPC, in any Region and
        account (another account's association is made in a stack of that account, after
        the zone's account authorizes it).

        :param peering: a ``VpcPeering`` (or anything with ``requester_vpc`` and
            ``accepter_vpc``) with the endpoint's VPC on one side.
        :raises ValidationError: when the endpoint's VPC is on neither side, or (with
            ``dns_name``) an environment-agnostic stack hides whether the far side is of
            this account.
        """
        params.require_in(self, "serve_peering", [("peering", peering, PEERING, True)])
        vpc_path = vpc_facts(self.vpc).path
        other = _other_side(peering, vpc_path)
        if other is None:
            raise ValidationError([_peering_problem(self.node.path, vpc_path, peering)])
        if self.hosted_zone is not None:
            facts = vpc_facts(other)
            problems = zone_association_problems(self.node.path, self._env, facts)
            problems += self._zones.conflicts(
                self.node.path,
                self._zone_name,
                [facts],
                own_vpc=vpc_facts(self.vpc).path,
                endpoint=self,
            )
            if facts.built_in_app and not self._env.other_account(facts.env):
                # The zone reads the VPC's id (another account's association is elsewhere).
                problems += dependency_cycles(
                    self.node.path,
                    "PrivateLinkEndpoint",
                    self._stack,
                    [(facts.stack, f"the VPC {facts.path}")],
                )
            if problems:
                raise ValidationError(problems)
        self._serve(other)

    def _serve(self, other: ec2.IVpc) -> None:
        """Serve the VPC on the far side of a peering: its CIDRs, and the zone (if any)."""
        self.allow_from_vpc(other)
        self._associate(other)

    def _add_zone(
        self,
        dns_name: str,
        zone_name: str | None,
        ip_address_type: ec2.VpcEndpointIpAddressType | None,
    ) -> None:
        self._zone_name = _normalise_dns_name(zone_name) if zone_name else dns_name
        zone = route53.PrivateHostedZone(
            self,
            "HostedZone",
            vpc=self.vpc,
            zone_name=self._zone_name,
            comment=f"{dns_name} to the PrivateLink endpoint {self.node.path}, for peered VPCs",
        )
        self.hosted_zone = zone
        self._associated.add(vpc_facts(self.vpc).path)
        self._zones.record(self, self._zone_name, vpc_facts(self.vpc))
        target = route53.RecordTarget.from_alias(
            # The cast: the stubs name bind's parameters differently from the interface,
            # which a strict type checker may report; the class implements IAliasRecordTarget.
            cast(
                route53.IAliasRecordTarget,
                route53_targets.InterfaceVpcEndpointTarget(self.endpoint),
            )
        )
        if ip_address_type != ec2.VpcEndpointIpAddressType.IPV6:
            self.records.append(
                route53.ARecord(self, "ARecord", zone=zone, record_name=dns_name, target=target)
            )
        if self._ipv6:
            self.records.append(
                route53.AaaaRecord(
                    self, "AaaaRecord", zone=zone, record_name=dns_name, target=target
                )
            )

    def _associate(self, vpc: ec2.IVpc) -> None:
        """Associate the hosted zone (if any) with ``vpc``, of this account or another."""
        zone = self.hosted_zone
        facts = vpc_facts(vpc)
        if zone is None or facts.path in self._associated:
            return
        self._associated.add(facts.path)
        self._zones.record(self, self._zone_name, facts)
        region = facts.env.region
        if self._env.other_account(facts.env):
            warn(
                self,
                public_zone_findings(
                    self.node.path, self._zone_name, facts.path, str(facts.env.account)
                ),
            )
            self.zone_associations.append(
                associate_across_accounts(self, zone, facts, zone_env=self._env)
            )
            return
        # add_vpc writes VPCRegion: the VPC's region (its stack's, or the one it was
        # imported with). A VPC of another stack is read weakly (Fn::GetStackOutput), as
        # its id reaches the zone through a stand-in imported with that reference.
        vpc_id = read_weakly(facts.vpc_id, facts.stack, self._stack)
        if vpc_id != facts.vpc_id:
            vpc = ec2.Vpc.from_vpc_attributes(
                self,
                f"Vpc{len(self._associated)}",
                vpc_id=vpc_id,
                availability_zones=vpc.availability_zones,
                region=region,
            )
        zone.add_vpc(vpc)


class _PrivateZones:
    """The private hosted zones the app's endpoints associate with each VPC, by name.

    Route 53 associates a VPC with at most one private hosted zone of a name: a second
    association fails the deploy (ConflictingDomainExists).
    """

    def __init__(self) -> None:
        self._owners: dict[tuple[str, str], tuple[IConstruct, str]] = {}
        """The endpoint whose zone of a name is associated with a VPC, and the VPC's path,
        by (zone name, VPC id)."""

    @staticmethod
    def of(here: ScopeFacts) -> _PrivateZones:
        """Return the app's record of its endpoints' zones."""
        return here.context.singleton(_PrivateZones, _PrivateZones)

    def conflicts(
        self,
        path: str,
        zone_name: str,
        vpcs: Sequence[VpcFacts],
        *,
        own_vpc: str,
        endpoint: IConstruct | None = None,
    ) -> list[Problem]:
        """Return the problem of associating a zone ``zone_name`` with ``vpcs``.

        One VPC that another endpoint's zone of that name is associated with already
        (``endpoint``: the asking one, whose own associations are no conflict;
        ``own_vpc``: the path of its VPC, which no prop can leave out).
        """
        if is_token(zone_name):
            return []
        taken: dict[str, list[str]] = {}
        for facts in vpcs:
            owner = self._owners.get((zone_name, facts.vpc_id))
            if owner is not None and owner[0] is not endpoint:
                paths = taken.setdefault(owner[0].node.path, [])
                if facts.path not in paths:
                    paths.append(facts.path)
        problems: list[Problem] = []
        for other, paths in taken.items():
            served = [each for each in paths if each != own_vpc]
            problems.append(
                Problem(
                    path,
                    rule_ids.CONFLICTING_PRIVATE_ZONE,
                    f"This endpoint's private hosted zone {zone_name} would be associated with "
                    f"{listing(paths)}, which the zone {zone_name} of {other} is associated "
                    "with already: Route 53 associates a VPC with one private hosted zone of a "
                    "name (ConflictingDomainExists), so the deploy would fail.",
                    f"Give this endpoint another dns_name (or zone_name), or let {other} serve "
                    f"{listing(paths)} (its zone answers {zone_name} there already)"
                    + (
                        f", or leave {listing(served)} out of this endpoint's peerings and "
                        "dns_vpcs."
                        if served
                        else "."
                    ),
                )
            )
        return problems

    def record(self, endpoint: IConstruct, zone_name: str, facts: VpcFacts) -> None:
        """Remember that ``endpoint``'s zone ``zone_name`` is associated with a VPC."""
        if not is_token(zone_name):
            self._owners.setdefault((zone_name, facts.vpc_id), (endpoint, facts.path))


def _cycles(
    path: str,
    stack: cdk.Stack,
    service: object,
    facts: VpcFacts,
    zone_vpcs: Sequence[ec2.IVpc],
) -> list[Problem]:
    """Return the problem of reading a stack that deploys after the endpoint's already.

    The endpoint reads its service, its VPC, and ``zone_vpcs`` (its zone's VPCs of its
    own account).
    """
    reads: list[tuple[cdk.Stack, str]] = []
    if isinstance(service, Construct):
        reads.append((scope_facts(service).stack, f"the endpoint service {service.node.path}"))
    for what, each in [
        ("the endpoint's VPC", facts),
        *(("the VPC", vpc_facts(v)) for v in zone_vpcs),
    ]:
        if each.built_in_app:
            reads.append((each.stack, f"{what} {each.path}"))
    return dependency_cycles(path, "PrivateLinkEndpoint", stack, reads)


def _acceptance(
    path: str,
    scope: Construct,
    service: EndpointServiceLike | str,
    accept_connection: bool | None,
) -> tuple[tuple[PrivateLinkService, Placement] | None, list[Problem]]:
    """Return the service that accepts the endpoint in the deploy and where (if it does).

    Or the problem: acceptance asked of a service outside the app, or where the
    acceptance goes cannot be told.
    """
    app_service = service if isinstance(service, PrivateLinkService) else None
    if accept_connection is None:
        accept_connection = app_service is not None and app_service.accept_app_endpoints
    if not accept_connection:
        return None, []
    if app_service is None:
        label = service if isinstance(service, str) else service.service_name
        return None, [
            Problem(
                path,
                rule_ids.ACCEPTANCE_OUTSIDE_APP,
                f"accept_connection is true, but the service {label} is no "
                "PrivateLinkService of this app: this app cannot accept connections to it; "
                "its owner accepts them.",
                "Leave accept_connection out (or pass the PrivateLinkService itself as "
                "service), and ask the service's owner to accept the endpoint.",
            )
        ]
    if not app_service.acceptance_required:
        return None, []
    placement, problems = acceptance_placement(path, app_service, scope)
    return (None if placement is None else (app_service, placement)), problems


def _check(
    *,
    path: str,
    vpc_path: str,
    ip_address_type: ec2.VpcEndpointIpAddressType | None,
    vpc_without_ipv6: bool,
    service: EndpointServiceModel,
    service_region: str | None,
    own_env: Env,
    ports: tuple[int, ...],
    private_dns_enabled: bool,
    dns_name: str | None,
    zone_name: str | None,
    dns_vpcs: Sequence[ec2.IVpc] | None,
    peerings: tuple[PeeringLike, ...],
    far_sides: tuple[ec2.IVpc | None, ...],
) -> list[Problem]:
    """Return every problem of the props; values that are tokens pass.

    ``vpc_without_ipv6``: ``ip_address_type`` asks for IPv6 and the VPC is known to have
    none. ``far_sides``: each peering's side that is not the endpoint's VPC (None: neither
    is).
    """
    problems: list[Problem] = []
    bad_ports = [p for p in ports if not is_port(p)]
    if bad_ports:
        problems.append(
            Problem(
                path,
                rule_ids.INVALID_PORT,
                f"{'Port' if len(bad_ports) == 1 else 'Ports'} "
                f"{', '.join(map(str, bad_ports))} {'is' if len(bad_ports) == 1 else 'are'} "
                f"out of range: a TCP port is a whole number from {PORT_MIN} to {PORT_MAX}.",
                f"Give the service's ports, from {PORT_MIN} to {PORT_MAX}.",
            )
        )
    missing = [
        p for p in ports if is_port(p) and service.offered_ports and p not in service.offered_ports
    ]
    if missing:
        problems.append(
            Problem(
                path,
                rule_ids.PORT_NOT_OFFERED,
                f"Port {', '.join(map(str, missing))} is not a port of the service "
                f"{service.label}, which listens on "
                f"{', '.join(map(str, service.offered_ports))}.",
                "Give only ports the service listens on.",
            )
        )
    if (
        service_region
        and service.region
        and not is_token(service_region)
        and service_region != service.region
    ):
        problems.append(
            Problem(
                path,
                rule_ids.SERVICE_REGION_MISMATCH,
                f"service_region is {service_region}, but the service is in {service.region}: "
                "the endpoint would look for the service in the wrong Region.",
                f"Give service_region={service.region!r}, or leave it out.",
            )
        )
    problems.extend(region_problems(path, service, service_region, own_env.region))
    problems.extend(account_problems(path, service, own_env.account))
    if vpc_without_ipv6:
        assert ip_address_type is not None, "only an IPv6 type asks for VPC IPv6"
        problems.append(
            Problem(
                path,
                rule_ids.ENDPOINT_IPV6_WITHOUT_VPC_IPV6,
                f"ip_address_type is {ip_address_type.name}, but the endpoint's VPC "
                f"{vpc_path} has no IPv6 CIDR block beside it and no subnet with an IPv6 "
                "range: EC2 gives an endpoint IPv6 addresses only in subnets with an IPv6 "
                "range, and fails the endpoint otherwise.",
                "Give the VPC IPv6 (ec2.Vpc(ip_protocol=ec2.IpProtocol.DUAL_STACK), or a "
                "CfnVPCCidrBlock and an Ipv6CidrBlock on each subnet), or leave "
                "ip_address_type out (IPv4).",
            )
        )
    names = [
        found
        for prop, value in (("dns_name", dns_name), ("zone_name", zone_name))
        if value is not None
        for found in dns_name_problems(path, prop, value)
    ]
    problems.extend(names)
    if not dns_name and (zone_name or dns_vpcs):
        given = " and ".join(
            name for name, value in (("zone_name", zone_name), ("dns_vpcs", dns_vpcs)) if value
        )
        problems.append(
            Problem(
                path,
                rule_ids.DNS_NAME_MISSING,
                f"{given} given without dns_name: there is no name for a hosted zone to answer.",
                "Give dns_name, the name peered clients should resolve to the endpoint.",
            )
        )
    if dns_name and zone_name and not (names or is_token(dns_name) or is_token(zone_name)):
        name, zone = _normalise_dns_name(dns_name), _normalise_dns_name(zone_name)
        if name != zone and not name.endswith(f".{zone}"):
            problems.append(
                Problem(
                    path,
                    rule_ids.DNS_NAME_OUTSIDE_ZONE,
                    f"dns_name {dns_name!r} is not inside zone_name {zone_name!r}: the zone "
                    "cannot hold its record.",
                    "Give a zone_name that dns_name ends with, or leave zone_name out (the "
                    "zone is then named dns_name).",
                )
            )
    if dns_name and private_dns_enabled:
        problems.append(
            Problem(
                path,
                rule_ids.PRIVATE_DNS_CONFLICT,
                f"private_dns_enabled is set and dns_name {dns_name!r} makes a private hosted "
                f"zone associated with the endpoint's VPC {vpc_path}: private DNS puts AWS's "
                "own hidden zone for the service's private DNS name in that VPC, and EC2 "
                "refuses it when a private hosted zone of the same domain is already there "
                "(or the two zones shadow each other).",
                "Leave private_dns_enabled out: the hosted zone answers dns_name in the "
                "endpoint's VPC too.",
            )
        )
    problems.extend(
        _peering_problem(path, vpc_path, peering)
        for peering, other in zip(peerings, far_sides, strict=True)
        if other is None
    )
    if dns_name:
        served = {
            facts.path: facts
            for facts in map(vpc_facts, [*(dns_vpcs or ()), *filter(None, far_sides)])
        }
        for facts in served.values():
            problems.extend(zone_association_problems(path, own_env, facts))
    return problems
