"""PeeringDnsResolution: DNS resolution from the remote VPC, on one side of a peering.

CloudFormation has no property for a peering connection's options, so the option is set
with an ``AwsCustomResource`` that calls EC2 ``ModifyVpcPeeringConnectionOptions``: on
create and update it allows DNS resolution from the remote VPC for one side, on delete it
turns it off again.

AWS facts this relies on (VPC peering guide, "Modify VPC peering connection options";
EC2 API reference, ModifyVpcPeeringConnectionOptions; Service Authorization Reference for
Amazon EC2):

* each side is modified on its own, by that side's account and in that side's Region, so
  the construct goes in a stack of that side's account and region;
* the option can be set only once the connection is ``active`` (EC2 refuses other states
  with ``OperationNotPermitted``). CloudFormation waits for an
  ``AWS::EC2::VPCPeeringConnection`` to stabilize (accepted) before completing it, so in
  the connection's stack the ``Ref`` of its id orders the call after it; a stack of the
  other side must be deployed after the connection's;
* both VPCs need DNS hostnames and DNS resolution (``enableDnsHostnames`` and
  ``enableDnsSupport``) turned on;
* ``ec2:ModifyVpcPeeringConnectionOptions`` supports the ``vpc-peering-connection``
  resource type, so the provider's role is allowed the call on this one connection only.
"""

from __future__ import annotations

import enum
import re

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import custom_resources as cr
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path
from ..cdk.params import require
from ..cdk.provider import allow, sdk_call
from ..cdk.references import read_weakly
from ..errors import Problem, ValidationError
from ..findings import Finding
from ..model.tokens import is_token


class PeeringSide(enum.Enum):
    """One side of a VPC peering connection."""

    REQUESTER = "Requester"
    """The side whose VPC requested the connection."""
    ACCEPTER = "Accepter"
    """The side whose VPC accepted the connection."""


PCX_ID = re.compile(r"^pcx-[0-9a-f]{8}([0-9a-f]{9})?$")
"""A VPC peering connection id: pcx- and 8 or 17 hexadecimal digits."""


class PeeringDnsResolution(Construct):
    """Allow DNS resolution from the remote VPC on one side of a VPC peering connection.

    Once set, the public DNS hostnames of instances in this side's VPC resolve to their
    private IP addresses when queried from the peer VPC. An ``AwsCustomResource``
    (``Custom::AWS``) calls EC2 ``ModifyVpcPeeringConnectionOptions`` with
    ``RequesterPeeringConnectionOptions`` or ``AccepterPeeringConnectionOptions``
    ``{AllowDnsResolutionFromRemoteVpc: true}`` on create and update, and ``false`` on
    delete, in the stack's region. Its provider's role may call the action on this one
    peering connection only.

    Place the construct in a stack of ``side``'s own account and region: AWS modifies
    each side only there. AWS sets the option only on an active connection: in the
    connection's own stack, ``peering_connection_id=peering.peering_connection_id`` (a
    ``Ref``) already orders the call after the connection (no ``add_dependency`` needed);
    a stack of the other side must be deployed after the connection's. Both VPCs need DNS
    hostnames and DNS support enabled.

    When ``vpc`` is an ``ec2.Vpc`` built in the app with DNS support or DNS hostnames
    turned off, :class:`cdk_peering.ValidationError` is raised before anything is added to
    the tree.

    Example::

        peering = VpcPeering(self, "AppToShared", requester_vpc=app_vpc, accepter_vpc=shared_vpc)
        PeeringDnsResolution(self, "AppDns",
            peering_connection_id=peering.peering_connection_id,
            side=PeeringSide.REQUESTER,
            vpc=app_vpc,
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        peering_connection_id: str,
        side: PeeringSide,
        vpc: ec2.IVpc | None = None,
    ) -> None:
        """Allow DNS resolution from the remote VPC on one side of a peering connection.

        :param scope: the parent construct, in a stack of ``side``'s account and region.
        :param id: the construct id.
        :param peering_connection_id: the id of the VPC peering connection (pcx-...), a
            literal or a token.
        :param side: which side's option to set: ``PeeringSide.REQUESTER`` when this
            stack's VPC requested the connection, ``PeeringSide.ACCEPTER`` when it accepted.
        :param vpc: this side's VPC, checked for DNS support and DNS hostnames when it is
            an ``ec2.Vpc`` built in the app. Default: - no check.
        :raises ValidationError: when ``vpc`` has DNS support or DNS hostnames turned off,
            ``peering_connection_id`` is a literal that is no connection id, or ``side`` is
            not a ``PeeringSide``.
        """
        require(
            scope,
            id,
            [
                ("peering_connection_id", peering_connection_id, params.STRING, True),
                ("vpc", vpc, params.VPC, False),
            ],
        )
        scope_path = scope.node.path
        path = child_path(scope_path, id)
        problems = dns_problems(path, vpc) if vpc is not None else []
        if not is_token(peering_connection_id) and not PCX_ID.match(peering_connection_id):
            problems.append(
                Problem(
                    path,
                    rule_ids.INVALID_PEERING_CONNECTION_ID,
                    f"peering_connection_id {peering_connection_id!r} is not a VPC peering "
                    "connection id.",
                    "Give the connection's id, such as 'pcx-0123456789abcdef0', or "
                    "peering.peering_connection_id.",
                )
            )
        if not isinstance(side, PeeringSide):
            problems.append(
                Problem(
                    path,
                    rule_ids.INVALID_PEERING_SIDE,
                    f"side {side!r} is not a PeeringSide.",
                    "Give side=PeeringSide.REQUESTER or side=PeeringSide.ACCEPTER.",
                )
            )
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        peering_connection_id = _read_connection_id(peering_connection_id, stack)
        self.peering_connection_id = peering_connection_id
        """The id of the peering connection (pcx-...)."""
        self.side = side
        """The side whose option this construct sets."""
        self.custom_resource = sdk_call(
            self,
            "Resource",
            call=_modify_options(peering_connection_id, side, stack.region, allow=True),
            undo=_modify_options(peering_connection_id, side, stack.region, allow=False),
            statements=[
                allow(
                    stack,
                    "ec2:ModifyVpcPeeringConnectionOptions",
                    resource="vpc-peering-connection",
                    resource_name=peering_connection_id,
                )
            ],
        )
        """The ``Custom::AWS`` resource that sets the option."""


def _read_connection_id(peering_connection_id: str, stack: cdk.Stack) -> str:
    """Read a connection id made in another stack weakly, and deploy after that stack.

    CDK records no stack dependency for a weak reference across accounts; the option can
    only be set once the connection exists.
    """
    if not is_token(peering_connection_id):
        return peering_connection_id
    reference = cdk.Tokenization.reverse(peering_connection_id)
    if not isinstance(reference, cdk.Reference):
        return peering_connection_id
    producer = cdk.Stack.of(reference.target)
    if producer is stack:
        return peering_connection_id
    stack.add_stack_dependency(producer, "reads the peering connection id")
    return read_weakly(peering_connection_id, producer, stack)


def _modify_options(
    peering_connection_id: str, side: PeeringSide, region: str, *, allow: bool
) -> cr.AwsSdkCall:
    """Return the ModifyVpcPeeringConnectionOptions call for one side."""
    return cr.AwsSdkCall(
        service="EC2",
        action="ModifyVpcPeeringConnectionOptions",
        parameters={
            "VpcPeeringConnectionId": peering_connection_id,
            f"{side.value}PeeringConnectionOptions": {"AllowDnsResolutionFromRemoteVpc": allow},
        },
        # Connection and side make the id: changing either replaces the resource, and
        # CloudFormation's delete of the old one turns the old side's option off.
        physical_resource_id=cr.PhysicalResourceId.of(
            f"{peering_connection_id}-{side.value.lower()}"
        ),
        region=region,
        # Nothing to turn off when the connection is already gone.
        ignore_error_codes_matching=None if allow else r"InvalidVpcPeeringConnectionID\.NotFound",
    )


def dns_problems(path: str, vpc: ec2.IVpc) -> list[Problem]:
    """Return a problem for each DNS setting turned off in a VPC built in the app."""
    resource = vpc.node.default_child
    if not isinstance(resource, ec2.CfnVPC):
        return []  # imported: CDK does not know its DNS settings
    vpc_path = vpc.node.path
    problems: list[Problem] = []
    for setting, value in (
        ("enable_dns_support", resource.enable_dns_support),
        ("enable_dns_hostnames", resource.enable_dns_hostnames),
    ):
        if value is False:  # ec2.Vpc writes both; a token cannot be checked
            problems.append(
                Problem(
                    path,
                    rule_ids.DNS_DISABLED,
                    f"{setting} is false on {vpc_path}; AWS resolves a peer's DNS hostnames "
                    "to private IP addresses only when both VPCs have DNS support and DNS "
                    "hostnames enabled.",
                    f"Set enable_dns_support=True and enable_dns_hostnames=True on {vpc_path} "
                    "(ec2.Vpc's default), and on the peer VPC.",
                )
            )
    return problems


def dns_findings(
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
        problem for vpc in (requester_vpc, accepter_vpc) for problem in dns_problems(path, vpc)
    ]
    if requester_resolves_accepter_dns and not accepter_side:
        findings.append(
            Finding(
                path,
                rule_ids.DNS_WITHOUT_ACCEPTER_SIDE,
                "requester_resolves_accepter_dns is set with requester_only: that option is "
                "set on the accepter's side, which this app does not manage.",
                "Ask the accepter VPC's owner to allow DNS resolution from the remote VPC, "
                "and leave requester_resolves_accepter_dns out.",
            )
        )
    return findings
