"""PeeringDnsResolution: DNS resolution from the remote VPC, on one side of a peering.

A :class:`~cdk_peering.peering.options.PeeringConnectionOptions` that sets
``AllowDnsResolutionFromRemoteVpc`` only, after checking that the VPC can use it; the
custom resource, its calls and its policy are that module's (the library's one seam for
a connection's options). The checks of the DNS settings live here too.

AWS facts this relies on (VPC peering guide, "Modify VPC peering connection options"):
both VPCs need DNS hostnames and DNS resolution (``enableDnsHostnames`` and
``enableDnsSupport``) turned on; see :mod:`cdk_peering.peering.options` for where and
when the option can be set.
"""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path
from ..cdk.params import require
from ..errors import Problem, ValidationError
from ..findings import Finding
from .options import PeeringConnectionOptions, connection_problems
from .side import PeeringSide

__all__ = [
    "PeeringDnsResolution",
    "dns_findings",
    "dns_problems",
]


class PeeringDnsResolution(PeeringConnectionOptions):
    """Allow DNS resolution from the remote VPC on one side of a VPC peering connection.

    Once set, the public DNS hostnames of instances in this side's VPC resolve to their
    private IP addresses when queried from the peer VPC. A custom resource
    (``Custom::PeeringConnectionOptions``, run by the library's own Lambda function,
    :mod:`cdk_peering.cdk.handler`) calls EC2 ``ModifyVpcPeeringConnectionOptions`` with
    ``RequesterPeeringConnectionOptions`` or ``AccepterPeeringConnectionOptions``
    ``{AllowDnsResolutionFromRemoteVpc: true}`` on create and update, and ``false`` on
    delete unless another such resource of the side still owns it, in the stack's region.
    The function may call the action, and tag the connection with the owners' marks, on
    this one peering connection only.

    Place the construct in a stack of ``side``'s own account and region: AWS modifies
    each side only there. AWS sets the option only on an active connection: in the
    connection's own stack, ``peering_connection_id=peering.peering_connection_id`` (a
    ``Ref``) already orders the call after the connection (no ``add_dependency`` needed);
    a stack of the other side must be deployed after the connection's. Both VPCs need DNS
    hostnames and DNS support enabled.

    When ``vpc`` is an ``ec2.Vpc`` built in the app with DNS support or DNS hostnames
    turned off, :class:`cdk_peering.ValidationError` is raised before anything is added to
    the tree. To set more options of the same side in the same call (multipath
    resilience), use :class:`PeeringConnectionOptions` instead.

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
            in_stack=True,
        )
        path = child_path(scope.node.path, id)
        problems = dns_problems(path, vpc) if vpc is not None else []
        problems += connection_problems(path, peering_connection_id, side)
        if problems:
            raise ValidationError(problems)
        super().__init__(
            scope,
            id,
            peering_connection_id=peering_connection_id,
            side=side,
            allow_dns_resolution_from_remote_vpc=True,
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
