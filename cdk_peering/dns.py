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

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from .errors import Problem, ValidationError, child_path

DNS_DISABLED_RULE = "cdk_peering:dnsDisabled"

# The AWS managed policy aws-cdk-lib attaches to the role of AwsCustomResource's singleton
# Lambda function, as cdk-nag's AwsSolutions-IAM4 names it in its finding id.
_LAMBDA_BASIC_EXECUTION_FINDING = (
    "AwsSolutions::AwsSolutions-IAM4"
    "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
_LAMBDA_BASIC_EXECUTION_REASON = (
    "aws-cdk-lib attaches AWSLambdaBasicExecutionRole (CloudWatch Logs writes only) to the "
    "role of the one Lambda function that every AwsCustomResource of a stack shares. "
    "Replacing that role would change it for all of them and need a wildcard logs policy "
    "instead. The SDK call's own permission is an inline policy on one action and one "
    "peering connection."
)


class PeeringSide(enum.Enum):
    """One side of a VPC peering connection."""

    REQUESTER = "Requester"
    """The side whose VPC requested the connection."""
    ACCEPTER = "Accepter"
    """The side whose VPC accepted the connection."""


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
        :raises ValidationError: when ``vpc`` has DNS support or DNS hostnames turned off.
        """
        scope_path = scope.node.path
        path = child_path(scope_path, id)
        problems = dns_problems(path, vpc) if vpc is not None else []
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.peering_connection_id = peering_connection_id
        """The id of the peering connection (pcx-...)."""
        self.side = side
        """The side whose option this construct sets."""
        self.custom_resource = cr.AwsCustomResource(
            self,
            "Resource",
            on_create=_modify_options(peering_connection_id, side, stack.region, allow=True),
            on_update=_modify_options(peering_connection_id, side, stack.region, allow=True),
            on_delete=_modify_options(peering_connection_id, side, stack.region, allow=False),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["ec2:ModifyVpcPeeringConnectionOptions"],
                        resources=[
                            stack.format_arn(
                                service="ec2",
                                resource="vpc-peering-connection",
                                resource_name=peering_connection_id,
                            )
                        ],
                    )
                ]
            ),
            # The SDK bundled with the Lambda runtime has this call; installing the
            # latest from npm needs internet access at deploy time and about a minute.
            install_latest_aws_sdk=False,
            # One SDK call: fail the deployment within minutes, not after the hour
            # CloudFormation waits by default for a custom resource that never answers.
            service_timeout=cdk.Duration.minutes(5),
        )
        """The ``Custom::AWS`` resource that sets the option."""
        self._acknowledge_provider_findings()

    def _acknowledge_provider_findings(self) -> None:
        """Acknowledge the cdk-nag findings inherent in aws-cdk-lib's provider.

        The provider is one Lambda function per stack, a sibling of this construct at the
        stack's top level; its role is ``custom_resource.grant_principal``. Only the
        managed-policy finding for AWSLambdaBasicExecutionRole is acknowledged, on the
        role's ``AWS::IAM::Role`` alone. checkov's findings on the provider's function and
        log group are explained in their Metadata.
        """
        role = self.custom_resource.grant_principal
        if not isinstance(role, iam.Role):
            return
        target = role.node.default_child
        if target is not None:
            cdk.Validations.of(target).acknowledge(
                cdk.Acknowledgment(
                    id=_LAMBDA_BASIC_EXECUTION_FINDING,
                    reason=_LAMBDA_BASIC_EXECUTION_REASON,
                )
            )
        function = role.node.scope  # the provider's lambda.Function, the role's parent
        if function is not None:
            _skip_checkov(function.node.default_child, _CHECKOV_FUNCTION_SKIPS)
            log_group = function.node.try_find_child("LogGroup")
            if log_group is not None:
                _skip_checkov(log_group.node.default_child, _CHECKOV_LOG_GROUP_SKIPS)


# checkov findings inherent in aws-cdk-lib's AwsCustomResource provider, explained on the
# provider's own resources (checkov reads Metadata.checkov.skip).
_CHECKOV_FUNCTION_SKIPS = [
    {
        "id": "CKV_AWS_115",
        "comment": "aws-cdk-lib's AwsCustomResource provider runs only during deployments, "
        "one call at a time; reserved concurrency would only take capacity from the account.",
    },
    {
        "id": "CKV_AWS_116",
        "comment": "A CloudFormation custom resource handler reports failure to "
        "CloudFormation itself, which fails the deployment; a dead-letter queue adds nothing.",
    },
    {
        "id": "CKV_AWS_117",
        "comment": "The provider calls the public EC2 API; placing it in a VPC would need NAT "
        "or an EC2 interface endpoint in every stack that sets a peering DNS option.",
    },
]
_CHECKOV_LOG_GROUP_SKIPS = [
    {
        "id": "CKV_AWS_158",
        "comment": "The provider's log group holds the SDK call and its result, no secrets; "
        "CloudWatch Logs encrypts it at rest. A customer-managed KMS key is left to the app.",
    },
]


def _skip_checkov(resource: object, skips: list[dict[str, str]]) -> None:
    if isinstance(resource, cdk.CfnResource):
        resource.add_metadata("checkov", {"skip": skips})


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
                    DNS_DISABLED_RULE,
                    f"{setting} is false on {vpc_path}; AWS resolves a peer's DNS hostnames "
                    "to private IP addresses only when both VPCs have DNS support and DNS "
                    "hostnames enabled.",
                    f"Set enable_dns_support=True and enable_dns_hostnames=True on {vpc_path} "
                    "(ec2.Vpc's default), and on the peer VPC.",
                )
            )
    return problems
