"""PrivateLinkService: a service of this VPC offered to other VPCs through AWS PrivateLink.

The provider side of PrivateLink: an internal Network Load Balancer in front of the
service's targets and an ``AWS::EC2::VPCEndpointService`` on that load balancer, which
consumers in other VPCs, accounts or Regions reach through interface endpoints.

AWS facts this relies on:

* The security group of a Network Load Balancer filters PrivateLink traffic only while
  ``EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic`` is on (the AWS default), and
  then the source it filters is the *client's* private IP address, not the endpoint's
  network interface (Elastic Load Balancing, Network Load Balancers, "Security groups for
  your Network Load Balancer", Considerations). Consumers' addresses live in other VPCs
  and accounts, so they are rarely known when the provider synthesizes.
* Health checks are subject to the load balancer's outbound rules, not its inbound rules
  (same page): the outbound rules must reach each target on its traffic port and its
  health check port (the page's recommended rule allows all traffic; this construct
  names the targets instead).
* Network Load Balancer access logs are written only for TLS listeners and hold only TLS
  requests (same guide, "Access logs for your Network Load Balancer").
* ``AWS::EC2::VPCEndpointService`` takes ``PrivateDnsName`` and returns the verification
  record as ``Fn::GetAtt`` ``PrivateDnsNameConfiguration.Name`` and ``.Value``
  (CloudFormation resource reference, as generated into aws-cdk-lib 2.275's
  ``CfnVPCEndpointService``); aws-cdk-lib's L2 ``VpcEndpointService`` has no private DNS
  name prop, and ``route53.VpcEndpointServiceDomainName`` sets the name, writes the TXT
  record and starts the verification with custom resources.
* A connection notification needs an SNS topic whose access policy lets AWS PrivateLink
  (``vpce.amazonaws.com``) publish (VPC PrivateLink guide, "Receive alerts for endpoint
  service events").
* ``VpcEndpointService.allowed_regions`` (``SupportedRegions``): the Regions from which
  consumers may connect besides the service's own, which is always supported.
* To accept IPv6 requests, "the VPC and subnets for the endpoint service must have
  associated IPv6 CIDR blocks" and "all Network Load Balancers for the endpoint service
  must use the dualstack IP address type"; the targets need not support IPv6 (VPC
  PrivateLink guide, "Share your services through AWS PrivateLink", IP address types,
  "Requirements to enable IPv6 for an endpoint service").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import custom_resources as cr
from aws_cdk.interfaces import aws_ec2 as ec2_refs
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path, scope_facts, vpc_facts
from ..cdk.params import require
from ..cdk.provider import explain_provider
from ..cdk.references import read_weakly
from ..cdk.vpcs import known_without_ipv6, subnets_to_place, unknown_cidr
from ..errors import Problem, ValidationError
from ..model.cidr import parse_network
from ..model.ports import PORT_MAX, PORT_MIN, is_port
from ..model.regions import COMMERCIAL_REGIONS, commercial_list_complete
from ..model.tokens import is_token
from ..rules.dns_names import dns_name_problems
from ..rules.privatelink import account_problems, region_problems
from .acceptance import EndpointAcceptance, accept, acceptance_placement
from .access import describe_service

if TYPE_CHECKING:
    from .endpoint import PrivateLinkEndpoint

CONNECTION_EVENTS = ("Accept", "Connect", "Delete", "Reject")
"""Every endpoint-service event a connection notification can report."""

# Acknowledgements use cdk-nag 3's full finding ids ("AwsSolutions::<rule>"), so the
# validation report lists each suppressed finding with its reason.
_ELB2_REASON = (
    "PrivateLinkService was given no access_logs_bucket, so it turned on no access logs for "
    "this load balancer. Network Load Balancer access logs record only TLS requests, and "
    "only for TLS listeners; the construct does not create a bucket of its own (which would "
    "need its own logging, retention and encryption decisions). Give access_logs_bucket "
    "to turn them on."
)
_CKV_AWS_91_COMMENT = (
    "PrivateLinkService was given no access_logs_bucket, so it turned on no access logs for "
    "this load balancer: NLB access logs cover TLS listeners only, and the construct creates "
    "no bucket of its own. Pass access_logs_bucket to enable them."
)

_DESCRIBE_REASON = (
    "route53.VpcEndpointServiceDomainName reads the domain-verification record with "
    "ec2:DescribeVpcEndpointServiceConfigurations, a describe action that supports no "
    "resource-level permissions, so its policy must name '*'. The policy allows that one "
    "action only."
)

TARGETS = params.sequence_of(
    params.interface(
        elbv2.INetworkLoadBalancerTarget,
        "elbv2.INetworkLoadBalancerTarget",
        "elbv2_targets.IpTarget('10.0.1.10')",
    )
)
TARGET_TYPE = params.enum_member(elbv2.TargetType, "elbv2.TargetType")
CERTIFICATES = params.sequence_of(
    params.interface(elbv2.IListenerCertificate, "elbv2.IListenerCertificate")
)
BUCKET = params.interface(s3.IBucket, "s3.IBucket")
PRINCIPALS = params.sequence_of(
    params.instance(
        iam.ArnPrincipal,
        name="an iam.ArnPrincipal",
        example="iam.ArnPrincipal('arn:aws:iam::222222222222:root')",
    )
)
IP_ADDRESS_TYPES = params.sequence_of(params.enum_member(ec2.IpAddressType, "ec2.IpAddressType"))
TOPIC = params.interface(sns.ITopic, "sns.ITopic")
ENDPOINT = params.Expect(
    "an ec2.IInterfaceVpcEndpoint or a PrivateLinkEndpoint",
    lambda v: (
        params.implements(v, ec2.IInterfaceVpcEndpoint)
        or (isinstance(v, Construct) and hasattr(v, "vpc_endpoint_id"))
    ),
)
PUBLIC_ZONE = params.interface(route53.IPublicHostedZone, "route53.IPublicHostedZone")


class PrivateLinkService(Construct):
    """A service of this VPC offered to other VPCs through AWS PrivateLink.

    Builds an internal Network Load Balancer (cross-zone load balancing on, with a
    security group; dualstack when the service supports IPv6) with one listener and one
    target group (TCP health check) per port, and an ``AWS::EC2::VPCEndpointService`` on
    it. Consumers connect with interface endpoints to ``service_name``; connection
    requests need acceptance unless ``acceptance_required=False``. Whom and which Regions
    it admits (``allowed_principals``, ``allowed_regions``) a ``PrivateLinkEndpoint`` of
    the app checks its own account and Region against.

    **Acceptance in the deploy.** The deploy accepts the connection of each
    ``PrivateLinkEndpoint`` of this app to this service, in any account and Region the
    service allows, and of each endpoint given to :meth:`accept_endpoint`: EC2
    ``AcceptVpcEndpointConnections`` for that endpoint only, in this service's account
    and Region, after the endpoint exists. Every other request still waits for your
    acceptance (``AcceptanceRequired`` stays true). Turn it off with
    ``accept_app_endpoints=False``.

    **Who may connect.** Through PrivateLink: the ``allowed_principals`` (endpoint service
    permissions), after acceptance. The load balancer's security group admits, on the
    listener ports only, the ``client_cidrs`` (default: this VPC's IPv4 blocks, for clients
    inside the VPC). When ``client_cidrs`` names CIDRs, those rules also filter PrivateLink
    traffic, whose source is then the consumer client's own private IP; without it they do
    not (``enforce_inbound_rules_on_private_link_traffic``), since consumers' addresses
    are rarely known to the provider and filtering on this VPC's CIDR would block them.

    Invalid props raise :class:`cdk_peering.ValidationError` before anything is added to
    the tree. Values that are unresolved tokens are not checked.

    Example::

        service = PrivateLinkService(stack, "Orders",
            vpc=vpc,
            port=443,
            targets=[elbv2_targets.InstanceTarget(instance)],
            allowed_principals=[iam.ArnPrincipal("arn:aws:iam::222222222222:root")],
        )
        service.service_name  # com.amazonaws.vpce.<region>.vpce-svc-...
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.IVpc,
        port: int,
        additional_ports: Sequence[int] | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        targets: Sequence[elbv2.INetworkLoadBalancerTarget] | None = None,
        target_type: elbv2.TargetType | None = None,
        certificates: Sequence[elbv2.IListenerCertificate] | None = None,
        client_cidrs: Sequence[str] | None = None,
        allow_all_outbound: bool | None = None,
        enforce_inbound_rules_on_private_link_traffic: bool | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        access_logs_prefix: str | None = None,
        acceptance_required: bool | None = None,
        accept_app_endpoints: bool | None = None,
        allowed_principals: Sequence[iam.ArnPrincipal] | None = None,
        allow_all_principals: bool | None = None,
        allowed_regions: Sequence[str] | None = None,
        contributor_insights: bool | None = None,
        supported_ip_address_types: Sequence[ec2.IpAddressType] | None = None,
        notification_topic: sns.ITopic | None = None,
        private_dns_name: str | None = None,
        public_hosted_zone: route53.IPublicHostedZone | None = None,
    ) -> None:
        """Define the load balancer, its listeners and the endpoint service.

        :param scope: the parent construct.
        :param id: the construct id.
        :param vpc: the VPC the service's load balancer is in.
        :param port: the first listener port (1-65535).
        :param additional_ports: more listener ports, one listener and target group each.
            Default: - only ``port``.
        :param vpc_subnets: the subnets of the load balancer; not public (it is internal).
            Default: - the VPC's private subnets with egress, else its isolated subnets.
        :param targets: the targets registered in every port's target group, on that
            port. Default: - none; add them with ``add_targets``.
        :param target_type: the kind of targets (instance, IP, ALB), needed when
            ``targets`` is empty. Default: - the kind of the given targets; INSTANCE when
            none are given.
        :param certificates: certificates for TLS listeners; TLS is terminated at the load
            balancer (policy ``ELBSecurityPolicy-TLS13-1-2-2021-06``) and forwarded to
            the targets over TCP. Default: - TCP listeners.
        :param client_cidrs: the CIDRs (IPv4 or IPv6) the security group admits on the
            listener ports. Default: - the VPC's IPv4 blocks.
        :param allow_all_outbound: whether the security group allows all outbound IPv4
            traffic (``0.0.0.0/0``, every port). Default: false: it allows outbound
            traffic only to the targets given to ``targets`` and ``add_targets``, on each
            target's port (the listener port unless the target names another), which the
            TCP health checks use too: an ``IpTarget``'s address, an ``InstanceTarget``'s
            private IP, an ``ec2.IConnectable`` target's (an Auto Scaling group's) security
            groups, and the VPC's IPv4 blocks for a target whose address cannot be told
            (an imported instance, an ALB). Targets attached to ``target_groups``
            directly need a rule of yours (``security_group.add_egress_rule``).
        :param enforce_inbound_rules_on_private_link_traffic: whether the security group
            filters PrivateLink traffic too (by the consumer client's private IP).
            Default: - true when ``client_cidrs`` names a CIDR, else false (PrivateLink
            access is then governed by ``allowed_principals`` and acceptance).
        :param access_logs_bucket: the S3 bucket for the load balancer's access logs
            (written for TLS listeners only). Default: - no access logs.
        :param access_logs_prefix: the key prefix of the access logs. Default: - none.
        :param acceptance_required: whether each connection request must be accepted.
            Default: true.
        :param accept_app_endpoints: whether the deploy accepts the connection of every
            ``PrivateLinkEndpoint`` of this app to this service (and only those): each gets
            an ``EndpointAcceptance`` in this service's account and Region, after the
            endpoint (see :meth:`accept_endpoint`). Endpoints outside the app still wait
            for your acceptance. Ignored when ``acceptance_required`` is false.
            Default: true.
        :param allowed_principals: the principals allowed to create endpoints (accounts,
            roles, users). ``ArnPrincipal("*")`` needs ``allow_all_principals``.
            Default: - none (nobody but this account can connect).
        :param allow_all_principals: allow every AWS principal (``*``), with a warning
            (``cdk_peering:endpointServiceOpenToAll``). Default: false.
        :param allowed_regions: other Regions whose consumers may connect (native
            cross-Region PrivateLink). Default: - the service's Region only.
        :param contributor_insights: turn on PrivateLink's built-in Contributor Insights
            rules. Default: false.
        :param supported_ip_address_types: the IP address types the service supports. With
            ``IPV6`` the load balancer is dualstack, as AWS requires of every load balancer
            of an endpoint service that accepts IPv6 requests; the VPC needs IPv6 CIDR
            blocks. Default: - not set (IPv4).
        :param notification_topic: an SNS topic told of Accept, Connect, Delete and Reject
            events; a topic of the app gets a policy letting PrivateLink publish.
            Default: - no notification.
        :param private_dns_name: the private DNS name consumers may use once its domain
            is verified. Default: - none.
        :param public_hosted_zone: the public zone of ``private_dns_name``, to write the
            verification TXT record in and start verification
            (``route53.VpcEndpointServiceDomainName``). Default: - you write the record
            from ``domain_verification_name`` and ``domain_verification_value``.
        :raises ValidationError: for no or invalid ports, public subnets, an invalid
            client CIDR, an own or unknown allowed Region, ``*`` without opt-in, a
            hosted zone without (or not containing) ``private_dns_name``, or IPv6 support
            in a VPC of this app without an IPv6 CIDR block.
        """
        require(
            scope,
            id,
            [
                ("vpc", vpc, params.VPC, True),
                # None is the noListenerPort rule's; the range is the portOutOfRange rule's.
                ("port", port, params.INTEGER, False),
                ("additional_ports", additional_ports, params.PORT_NUMBERS, False),
                ("vpc_subnets", vpc_subnets, params.SUBNET_SELECTION, False),
                ("targets", targets, TARGETS, False),
                ("target_type", target_type, TARGET_TYPE, False),
                ("certificates", certificates, CERTIFICATES, False),
                ("client_cidrs", client_cidrs, params.STRINGS, False),
                ("allow_all_outbound", allow_all_outbound, params.BOOLEAN, False),
                (
                    "enforce_inbound_rules_on_private_link_traffic",
                    enforce_inbound_rules_on_private_link_traffic,
                    params.BOOLEAN,
                    False,
                ),
                ("access_logs_bucket", access_logs_bucket, BUCKET, False),
                ("access_logs_prefix", access_logs_prefix, params.STRING, False),
                ("acceptance_required", acceptance_required, params.BOOLEAN, False),
                ("allowed_principals", allowed_principals, PRINCIPALS, False),
                ("allow_all_principals", allow_all_principals, params.BOOLEAN, False),
                ("allowed_regions", allowed_regions, params.STRINGS, False),
                ("contributor_insights", contributor_insights, params.BOOLEAN, False),
                (
                    "supported_ip_address_types",
                    supported_ip_address_types,
                    IP_ADDRESS_TYPES,
                    False,
                ),
                ("notification_topic", notification_topic, TOPIC, False),
                ("private_dns_name", private_dns_name, params.STRING, False),
                ("public_hosted_zone", public_hosted_zone, PUBLIC_ZONE, False),
                ("accept_app_endpoints", accept_app_endpoints, params.BOOLEAN, False),
            ],
            in_stack=True,
        )
        stack = cdk.Stack.of(scope)
        path = child_path(scope.node.path, id)
        ports = [port, *(additional_ports or ())]
        principals = list(allowed_principals or ())
        ipv6 = ec2.IpAddressType.IPV6 in (supported_ip_address_types or ())
        problems = _check_ports(path, ports)
        selection, subnet_problems = _subnet_selection(path, vpc, vpc_subnets)
        problems += subnet_problems
        problems += _check_cidrs(path, client_cidrs or ())
        if client_cidrs is None:
            problems += unknown_cidr(
                path,
                vpc_facts(vpc),
                "the default client_cidrs (the VPC's blocks) need",
                ", or give client_cidrs",
                param="vpc",
            )
        problems += _check_regions(path, stack.region, allowed_regions or ())
        problems += _check_principals(path, principals, bool(allow_all_principals))
        problems += _check_dns(path, private_dns_name, public_hosted_zone)
        problems += _check_ipv6(path, vpc, ipv6)
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        self.vpc = vpc
        """The VPC of the load balancer."""
        self.ports: list[int] = ports
        """The listener ports, ``port`` first."""

        self.allow_all_outbound: bool = bool(allow_all_outbound)
        """Whether the security group allows all outbound traffic (else: the targets)."""
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"PrivateLink service {path}: clients on the listener ports",
            # Traffic and health checks go out through outbound rules: to the targets
            # (add_targets), unless the app opts in to all outbound traffic.
            allow_all_outbound=self.allow_all_outbound,
        )
        """The load balancer's security group: the client CIDRs on the listener ports in,
        the targets on their ports out."""
        enforce = (
            enforce_inbound_rules_on_private_link_traffic
            if enforce_inbound_rules_on_private_link_traffic is not None
            else bool(client_cidrs)
        )
        self.load_balancer = elbv2.NetworkLoadBalancer(
            self,
            "LoadBalancer",
            vpc=vpc,
            vpc_subnets=selection,
            internet_facing=False,
            cross_zone_enabled=True,
            security_groups=[cast(ec2.ISecurityGroup, self.security_group)],
            enforce_security_group_inbound_rules_on_private_link_traffic=enforce,
            # An endpoint service accepts IPv6 requests only on dualstack load balancers.
            ip_address_type=elbv2.IpAddressType.DUAL_STACK if ipv6 else None,
        )
        """The internal ``elbv2.NetworkLoadBalancer`` (dualstack when IPv6 is supported)."""
        self._configure_access_logs(access_logs_bucket, access_logs_prefix)

        self._admitted: list[str] = []
        self.allow_clients(client_cidrs if client_cidrs is not None else vpc_facts(vpc).ipv4_cidrs)

        self.target_groups: dict[int, elbv2.NetworkTargetGroup] = {}
        """The target group of each port."""
        self.listeners: dict[int, elbv2.NetworkListener] = {}
        """The listener of each port."""
        for listener_port in ports:
            self._add_listener(
                listener_port,
                certificates or (),
                targets or (),
                target_type or (None if targets else elbv2.TargetType.INSTANCE),
            )

        if allow_all_principals and not any(_is_everyone(p) for p in principals):
            principals.append(iam.ArnPrincipal("*"))
        self.allowed_principals: tuple[iam.ArnPrincipal, ...] = tuple(principals)
        """The endpoint service permissions (``AllowedPrincipals``), ``ArnPrincipal("*")``
        included when every principal is allowed; empty when only this account may
        connect."""
        self.allowed_regions: tuple[str, ...] = tuple(allowed_regions or ())
        """The Regions besides the service's own whose consumers may connect
        (``SupportedRegions``)."""
        self.acceptance_required: bool = acceptance_required is None or bool(acceptance_required)
        """Whether each connection request must be accepted (``AcceptanceRequired``)."""
        self.accept_app_endpoints: bool = accept_app_endpoints is None or bool(accept_app_endpoints)
        """Whether the deploy accepts the endpoints of this app to this service."""
        self.endpoint_service = ec2.VpcEndpointService(
            self,
            "EndpointService",
            vpc_endpoint_service_load_balancers=[
                cast(ec2.IVpcEndpointServiceLoadBalancer, self.load_balancer)
            ],
            acceptance_required=self.acceptance_required,
            allowed_principals=principals or None,
            allowed_regions=list(allowed_regions) if allowed_regions else None,
            contributor_insights=contributor_insights,
            supported_ip_address_types=(
                list(supported_ip_address_types) if supported_ip_address_types else None
            ),
        )
        """The ``ec2.VpcEndpointService``."""
        # aws-cdk-lib names the L1 like the L2, not Resource, so default_child misses it.
        self.cfn_endpoint_service = cast(
            ec2.CfnVPCEndpointService, self.endpoint_service.node.find_child("EndpointService")
        )
        """The ``AWS::EC2::VPCEndpointService`` (an L1), for overrides."""
        # Consumers in other stacks (other regions, accounts) read the service weakly
        # (Fn::GetStackOutput), whatever the app's default: no export locks it.
        cdk.CrossStackReferences.of(self.cfn_endpoint_service).produce(cdk.ReferenceStrength.WEAK)
        self.service_id: str = self.endpoint_service.vpc_endpoint_service_id
        """The endpoint service id (``vpce-svc-...``)."""
        self.service_name: str = self.endpoint_service.vpc_endpoint_service_name
        """The name consumers connect to: ``com.amazonaws.vpce.<region>.vpce-svc-...``."""
        if any(_is_everyone(p) for p in principals):
            cdk.Annotations.of(self).add_warning_v2(
                rule_ids.ENDPOINT_SERVICE_OPEN_TO_ALL,
                "Every AWS principal may create an endpoint to this service (allowed "
                "principal '*'). Keep acceptance_required on and accept only known "
                "consumers, or name the allowed principals.",
            )

        self.connection_notification: ec2.CfnVPCEndpointConnectionNotification | None = None
        """The ``AWS::EC2::VPCEndpointConnectionNotification``, with ``notification_topic``."""
        if notification_topic is not None:
            self._notify(stack, notification_topic)

        self.domain_name: route53.VpcEndpointServiceDomainName | None = None
        """The ``route53.VpcEndpointServiceDomainName``, with ``public_hosted_zone``."""
        self.domain_verification_name: str | None = None
        """The name of the TXT record that verifies ``private_dns_name``."""
        self.domain_verification_value: str | None = None
        """The value of the TXT record that verifies ``private_dns_name``."""
        if private_dns_name is not None:
            self._set_private_dns_name(private_dns_name, public_hosted_zone)

    def allow_clients(self, cidrs: Sequence[str]) -> None:
        """Admit more client CIDRs on every listener port.

        One ingress rule per CIDR and port; a CIDR already admitted is skipped. Whether the
        rules filter PrivateLink traffic was decided at construction
        (``enforce_inbound_rules_on_private_link_traffic``).

        :param cidrs: IPv4 or IPv6 CIDRs.
        :raises ValidationError: when a CIDR is not a CIDR; nothing is added then.
        """
        params.require_in(self, "allow_clients", [("cidrs", cidrs, params.STRINGS, True)])
        problems = _check_cidrs(self.node.path, cidrs)
        if problems:
            raise ValidationError(problems)
        for cidr in cidrs:
            if cidr in self._admitted:
                continue
            self._admitted.append(cidr)
            network = parse_network(cidr)
            peer = (
                ec2.Peer.ipv6(cidr)
                if network is not None and network.version == 6
                else ec2.Peer.ipv4(cidr)
            )
            for listener_port in self.ports:
                self.security_group.add_ingress_rule(
                    peer, ec2.Port.tcp(listener_port), f"Client {cidr} to port {listener_port}"
                )

    def accept_endpoint(
        self, endpoint: ec2.IInterfaceVpcEndpoint | PrivateLinkEndpoint
    ) -> EndpointAcceptance | None:
        """Accept an interface endpoint of this app to this service, in the deploy.

        Adds an :class:`~cdk_peering.privatelink.acceptance.EndpointAcceptance`: EC2
        ``AcceptVpcEndpointConnections`` with this service's id and that endpoint's id
        only, in this service's account and Region, once the endpoint exists. It goes in
        the endpoint's stack when that stack is in this service's account and Region;
        else in a stack the library makes there,
        ``<endpoint stack id>-EndpointAcceptance-<account>-<region>``, which deploys after
        the endpoint's stack and this service's. An imported endpoint (which exists
        already) is accepted from this service's stack. Other endpoints still wait for
        acceptance. A ``PrivateLinkEndpoint`` to this service needs no call (see
        ``accept_app_endpoints``); calling it again for an endpoint returns its acceptance.

        :param endpoint: an interface endpoint to this service: an
            ``ec2.InterfaceVpcEndpoint`` of this app, a ``PrivateLinkEndpoint``, or an
            imported endpoint, in an account and Region this service allows.
        :returns: the acceptance; None when ``acceptance_required`` is false (EC2 then
            accepts every connection itself).
        :raises ValidationError: when this service does not allow the endpoint's account
            (``allowed_principals``) or Region (``allowed_regions``), or only one of the
            two stacks is environment-agnostic (where the acceptance goes cannot be told).
        """
        params.require_in(
            self,
            "accept_endpoint",
            [
                ("endpoint", endpoint, ENDPOINT, True),
            ],
        )
        if not self.acceptance_required:
            return None
        endpoint_at = scope_facts(endpoint)
        path, endpoint_env = endpoint_at.path, endpoint_at.env
        service = describe_service(self, endpoint_env.region)
        problems = region_problems(path, service, None, endpoint_env.region)
        problems += account_problems(path, service, endpoint_env.account)
        placement, placement_problems = acceptance_placement(path, self, endpoint)
        problems += placement_problems
        if problems:
            raise ValidationError(problems)
        assert placement is not None, "an unknown placement is a problem"
        return accept(
            self, self.service_id, endpoint, endpoint.vpc_endpoint_id, placement=placement
        )

    def add_targets(self, port: int, *targets: elbv2.INetworkLoadBalancerTarget) -> None:
        """Register more targets in the target group of one listener port.

        :param port: one of ``ports``.
        :param targets: the targets, registered on that port.
        :raises ValidationError: when ``port`` is not a listener port.
        """
        params.require_in(
            self,
            "add_targets",
            [("port", port, params.INTEGER, True), ("targets", list(targets), TARGETS, True)],
        )
        group = self.target_groups.get(port)
        if group is None:
            raise ValidationError(
                [
                    Problem(
                        self.node.path,
                        rule_ids.UNKNOWN_LISTENER_PORT,
                        f"port {port!r} has no listener; the listener ports are {self.ports}.",
                        "Add targets to one of the listener ports, or add the port with "
                        "additional_ports.",
                    )
                ]
            )
        try:
            group.add_target(*targets)
            self._allow_to_targets(group, port, targets)
        except RuntimeError as error:  # aws-cdk-lib's AlreadyType: one type per group
            if "AlreadyType" not in str(error):
                raise
            kinds = re.findall(r"'([a-z]+)'", str(error).splitlines()[0])
            which = (
                f"of type {kinds[1]}, but the target group's type is {kinds[0]}"
                if len(kinds) == 2
                else "of another type than the target group's"
            )
            raise ValidationError(
                [
                    Problem(
                        self.node.path,
                        rule_ids.TARGET_TYPE_MISMATCH,
                        f"The targets for port {port} are {which}: a target group holds "
                        "targets of one type.",
                        "Give target_type= when the service is made without targets (for "
                        "example elbv2.TargetType.IP for IpTarget), or add targets of the "
                        "group's type.",
                    )
                ]
            ) from None

    def _add_listener(
        self,
        port: int,
        certificates: Sequence[elbv2.IListenerCertificate],
        targets: Sequence[elbv2.INetworkLoadBalancerTarget],
        target_type: elbv2.TargetType | None,
    ) -> None:
        group = elbv2.NetworkTargetGroup(
            self,
            f"Targets{port}",
            vpc=self.vpc,
            port=port,
            protocol=elbv2.Protocol.TCP,
            targets=list(targets) or None,
            target_type=target_type,
            health_check=elbv2.HealthCheck(enabled=True, protocol=elbv2.Protocol.TCP),
        )
        self.target_groups[port] = group
        self._allow_to_targets(group, port, targets)
        tls = bool(certificates)
        self.listeners[port] = self.load_balancer.add_listener(
            f"Listener{port}",
            port=port,
            protocol=elbv2.Protocol.TLS if tls else elbv2.Protocol.TCP,
            certificates=list(certificates) if tls else None,
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS if tls else None,
            default_target_groups=[cast(elbv2.INetworkTargetGroup, group)],
        )

    def _allow_to_targets(
        self,
        group: elbv2.NetworkTargetGroup,
        port: int,
        targets: Sequence[elbv2.INetworkLoadBalancerTarget],
    ) -> None:
        """Let the load balancer reach ``targets`` of the group of ``port``.

        Traffic and health checks (TCP, on the target's port); nothing to add when all
        outbound traffic is allowed.
        """
        if self.allow_all_outbound:
            return
        for target in targets:
            for peer, to_port, what in _target_destinations(self.vpc, group, port, target):
                self.security_group.add_egress_rule(
                    peer, ec2.Port.tcp(to_port), f"To {what} on port {to_port} (and health checks)"
                )

    def _configure_access_logs(self, bucket: s3.IBucket | None, prefix: str | None) -> None:
        if bucket is not None:
            self.load_balancer.log_access_logs(bucket, prefix)
            return
        # On the load balancer's own resource only, the one this construct configured.
        cfn = cast(cdk.CfnResource, self.load_balancer.node.default_child)
        cdk.Validations.of(cfn).acknowledge(
            cdk.Acknowledgment(id="AwsSolutions::AwsSolutions-ELB2", reason=_ELB2_REASON)
        )
        cfn.add_metadata(
            "checkov", {"skip": [{"id": "CKV_AWS_91", "comment": _CKV_AWS_91_COMMENT}]}
        )

    def _notify(self, stack: cdk.Stack, topic: sns.ITopic) -> None:
        # Lets PrivateLink publish for this service only; a no-op for an imported topic,
        # whose owner must grant it. A topic of another stack gets no reference to this
        # one (its policy names this account's services): each stack would otherwise
        # wait for the other.
        topic_stack = cdk.Stack.of(topic) if isinstance(topic, Construct) else stack
        elsewhere = topic_stack is not stack
        topic.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["sns:Publish"],
                principals=[cast(iam.IPrincipal, iam.ServicePrincipal("vpce.amazonaws.com"))],
                resources=[topic.topic_arn],
                conditions={
                    "ArnLike": {
                        "aws:SourceArn": stack.format_arn(
                            service="ec2",
                            resource="vpc-endpoint-service",
                            resource_name="*" if elsewhere else self.service_id,
                            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
                        )
                    },
                    "StringEquals": {"aws:SourceAccount": stack.account},
                },
            )
        )
        notification = ec2.CfnVPCEndpointConnectionNotification(
            self,
            "ConnectionNotification",
            connection_events=list(CONNECTION_EVENTS),
            connection_notification_arn=read_weakly(topic.topic_arn, topic_stack, stack),
            service_id=self.service_id,
        )
        notification.node.add_dependency(topic)
        self.connection_notification = notification

    def _set_private_dns_name(self, name: str, zone: route53.IPublicHostedZone | None) -> None:
        if zone is None:
            cfn = self.cfn_endpoint_service
            cfn.private_dns_name = name
            self.domain_verification_name = cfn.attr_private_dns_name_configuration_name
            self.domain_verification_value = cfn.attr_private_dns_name_configuration_value
            return
        # The L2 sets the name itself (ModifyVpcEndpointServiceConfiguration) and removes
        # it on delete, so the L1 must not also own PrivateDnsName.
        self.domain_name = route53.VpcEndpointServiceDomainName(
            self,
            "PrivateDnsName",
            endpoint_service=cast(ec2_refs.IVPCEndpointServiceRef, self.endpoint_service),
            domain_name=name,
            public_hosted_zone=zone,
        )
        # Its "GetNames" custom resource reads the record the TXT record was written from.
        get_names = self.domain_name.node.try_find_child("GetNames")
        if isinstance(get_names, cr.AwsCustomResource):
            field = "ServiceConfigurations.0.PrivateDnsNameConfiguration."
            self.domain_verification_name = get_names.get_response_field(field + "Name")
            self.domain_verification_value = get_names.get_response_field(field + "Value")
            _acknowledge_domain_name_findings(get_names)


def _acknowledge_domain_name_findings(get_names: cr.AwsCustomResource) -> None:
    """Acknowledge the cdk-nag findings inherent in VpcEndpointServiceDomainName.

    Its describe call's policy names ``*``, and its custom resources share the stack's
    AwsCustomResource Lambda function, whose role has AWSLambdaBasicExecutionRole.
    """
    policy = get_names.node.try_find_child("CustomResourcePolicy")
    if policy is not None:
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::*]", reason=_DESCRIBE_REASON
            )
        )
    explain_provider(get_names)


def _target_destinations(
    vpc: ec2.IVpc,
    group: elbv2.NetworkTargetGroup,
    port: int,
    target: elbv2.INetworkLoadBalancerTarget,
) -> list[tuple[ec2.IPeer, int, str]]:
    """Return where the load balancer reaches ``target``: (peer, port, words for it).

    An IP target's address; an instance target's private IP (an instance of the app);
    an ``ec2.IConnectable`` target's security groups; else the VPC's IPv4 blocks (every
    other kind of target is in the load balancer's VPC).
    """
    from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets

    to_port = port
    if isinstance(target, elbv2_targets.IpTarget | elbv2_targets.InstanceIdTarget):
        # Their attach only describes the target: calling it again changes nothing.
        described = target.attach_to_network_target_group(group).target_json or {}
        to_port = int(described.get("port") or port)
        address = str(described["id"])
        if isinstance(target, elbv2_targets.IpTarget):
            where = "target" if is_token(address) else f"target {address}"
            ipv6 = not is_token(address) and ":" in address
            peer = ec2.Peer.ipv6(f"{address}/128") if ipv6 else ec2.Peer.ipv4(f"{address}/32")
            return [(peer, to_port, where)]
        instance = _instance_of(address)
        if instance is not None:
            peer = ec2.Peer.ipv4(f"{instance.attr_private_ip}/32")
            return [(peer, to_port, f"instance {instance.node.path}")]
    elif params.implements(target, ec2.IConnectable):
        groups = cast(ec2.IConnectable, target).connections.security_groups
        if groups:
            return [
                (ec2.Peer.security_group_id(sg.security_group_id), port, f"group {sg.node.path}")
                for sg in groups
            ]
    facts = vpc_facts(vpc)
    return [(ec2.Peer.ipv4(cidr), to_port, f"VPC {facts.path}") for cidr in facts.ipv4_cidrs]


def _instance_of(instance_id: str) -> ec2.CfnInstance | None:
    """Return the app's ``AWS::EC2::Instance`` whose id token ``instance_id`` is, if any."""
    if not is_token(instance_id):
        return None
    reference = cdk.Tokenization.reverse_string(instance_id).first_token
    if isinstance(reference, cdk.Reference) and isinstance(reference.target, ec2.CfnInstance):
        return reference.target
    return None


def _is_everyone(principal: iam.ArnPrincipal) -> bool:
    return principal.arn == "*"


def _check_ports(path: str, ports: Sequence[object]) -> list[Problem]:
    """Return the problems of the listener ports, ``port`` first (None at run time)."""
    if ports[0] is None:
        return [
            Problem(
                path,
                rule_ids.NO_LISTENER_PORT,
                "No listener port was given, so the load balancer would accept nothing.",
                "Give port (and any additional_ports).",
            )
        ]
    problems: list[Problem] = []
    for value in ports:
        if isinstance(value, int) and not is_port(value):  # the type is checked before
            problems.append(
                Problem(
                    path,
                    rule_ids.PORT_OUT_OF_RANGE,
                    f"Listener port {value} is out of range: a listener port is a whole "
                    f"number from {PORT_MIN} to {PORT_MAX}.",
                    f"Give listener ports from {PORT_MIN} to {PORT_MAX}.",
                )
            )
    duplicates = sorted({p for p in ports if isinstance(p, int) and ports.count(p) > 1})
    if duplicates:
        problems.append(
            Problem(
                path,
                rule_ids.DUPLICATE_LISTENER_PORT,
                f"{'Listener port' if len(duplicates) == 1 else 'Listener ports'} "
                f"{', '.join(map(str, duplicates))} given twice; a load balancer has one "
                "listener per port.",
                "Name each port once in port and additional_ports.",
            )
        )
    return problems


def _subnet_selection(
    path: str, vpc: ec2.IVpc, selection: ec2.SubnetSelection | None
) -> tuple[ec2.SubnetSelection | None, list[Problem]]:
    """Return the selection to place the load balancer in, or the problem with it."""
    facts = vpc_facts(vpc)
    if selection is None and facts.subnets:
        if vpc.private_subnets:
            selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        elif vpc.isolated_subnets:
            selection = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        else:
            return None, [
                Problem(
                    path,
                    rule_ids.PUBLIC_SUBNETS_FOR_INTERNAL_NLB,
                    f"VPC {facts.path} has only public subnets, and the service's load "
                    "balancer is internal.",
                    "Give the VPC private or isolated subnets for the load balancer.",
                )
            ]
    selected, problems = subnets_to_place(
        path, "vpc_subnets", facts, selection, "the service's load balancer"
    )
    if problems:
        return None, problems
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    if any(subnet.subnet_id in public for subnet in selected):
        return None, [
            Problem(
                path,
                rule_ids.PUBLIC_SUBNETS_FOR_INTERNAL_NLB,
                f"vpc_subnets selects public subnets of {facts.path} for the service's "
                "internal load balancer, which needs no route to an internet gateway.",
                "Select private or isolated subnets (for example subnet_type="
                "PRIVATE_ISOLATED), or leave vpc_subnets out.",
            )
        ]
    return selection, []


def _check_cidrs(path: str, cidrs: Sequence[str]) -> list[Problem]:
    bad = [c for c in cidrs if not is_token(c) and parse_network(c) is None]
    if not bad:
        return []
    return [
        Problem(
            path,
            rule_ids.INVALID_CLIENT_CIDR,
            f"Client CIDR {bad[0]!r} is not a CIDR block."
            if len(bad) == 1
            else f"Client CIDRs {', '.join(map(repr, bad))} are not CIDR blocks.",
            "Give client CIDRs such as 10.20.0.0/16 or 2600:1f18::/56.",
        )
    ]


def _check_regions(path: str, own_region: str, regions: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    literal = [r for r in regions if not is_token(r)]
    if not is_token(own_region) and own_region in literal:
        problems.append(
            Problem(
                path,
                rule_ids.ALLOWED_REGION_IS_OWN_REGION,
                f"allowed_regions names {own_region}, the service's own Region, which is "
                "always allowed.",
                f"Leave {own_region} out of allowed_regions; name only other Regions.",
            )
        )
    if commercial_list_complete(own_region):
        unknown = [r for r in literal if r not in COMMERCIAL_REGIONS]
        if unknown:
            problems.append(
                Problem(
                    path,
                    rule_ids.UNKNOWN_REGION,
                    f"allowed_regions names {unknown}, which are not AWS commercial Regions.",
                    "Name Regions such as eu-west-1 or ap-southeast-2.",
                )
            )
    return problems


def _check_principals(
    path: str, principals: Sequence[iam.ArnPrincipal], allow_all: bool
) -> list[Problem]:
    if allow_all or not any(_is_everyone(p) for p in principals):
        return []
    return [
        Problem(
            path,
            rule_ids.ALL_PRINCIPALS_WITHOUT_OPT_IN,
            "allowed_principals contains ArnPrincipal('*'): every AWS account could request "
            "an endpoint to this service.",
            "Name the accounts or roles allowed to connect, or, if the service is meant for "
            "anyone, set allow_all_principals=True.",
        )
    ]


def _check_ipv6(path: str, vpc: ec2.IVpc, ipv6: bool) -> list[Problem]:
    """Return the problem of IPv6 support in a VPC of the app without IPv6 (imports pass)."""
    if not ipv6:
        return []
    facts = vpc_facts(vpc)
    if not known_without_ipv6(facts):
        return []
    return [
        Problem(
            path,
            rule_ids.ENDPOINT_SERVICE_IPV6_WITHOUT_VPC_IPV6,
            f"supported_ip_address_types includes IPV6, but the service's VPC {facts.path} "
            "has no IPv6 CIDR block beside it and no subnet with an IPv6 range: an "
            "endpoint service accepts IPv6 requests only through dualstack load balancers, "
            "whose subnets have IPv6 ranges.",
            "Give the VPC IPv6 (ec2.Vpc(ip_protocol=ec2.IpProtocol.DUAL_STACK), or a "
            "CfnVPCCidrBlock and an Ipv6CidrBlock on each subnet), or leave IPV6 out of "
            "supported_ip_address_types.",
        )
    ]


def _check_dns(
    path: str, name: str | None, zone: route53.IPublicHostedZone | None
) -> list[Problem]:
    if name is not None:
        invalid = dns_name_problems(path, "private_dns_name", name)
        if invalid:
            return invalid
    if zone is None:
        return []
    if name is None:
        return [
            Problem(
                path,
                rule_ids.HOSTED_ZONE_WITHOUT_PRIVATE_DNS_NAME,
                "public_hosted_zone is given but private_dns_name is not, so there is no "
                "name to verify.",
                "Give private_dns_name (a name in the zone), or leave public_hosted_zone out.",
            )
        ]
    zone_name = zone.zone_name.rstrip(".")
    if is_token(name) or is_token(zone_name):
        return []
    if name != zone_name and not name.endswith("." + zone_name):
        return [
            Problem(
                path,
                rule_ids.PRIVATE_DNS_NAME_OUTSIDE_ZONE,
                f"private_dns_name {name!r} is not in the hosted zone {zone_name!r}, so the "
                "verification record cannot be written there.",
                "Give the public hosted zone of private_dns_name's domain.",
            )
        ]
    return []
