"""PeeringAccepterRole: the role a requester account assumes to accept a VPC peering.

Across accounts, CloudFormation in the requester's account creates the
``AWS::EC2::VPCPeeringConnection`` and accepts it by assuming ``PeerRoleArn``, a role in the
accepter's account that trusts the requester account and allows
``ec2:AcceptVpcPeeringConnection`` (CloudFormation User Guide, "Peer with a VPC in another
AWS account"). Within one account CloudFormation accepts the request itself, with no role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path, vpc_facts
from ..cdk.params import require
from ..errors import Problem, ValidationError
from ..model.env import is_account_id
from ..model.regions import is_region_name
from ..model.tokens import differs, is_token

ACCEPT_ACTION = "ec2:AcceptVpcPeeringConnection"
POLICY_NAME = "AcceptVpcPeering"

_VPC_ID = re.compile(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})")

# The connection id is not known before the connection exists, so the accept statement
# must name vpc-peering-connection/*; the Condition on ec2:RequesterVpc is what narrows it.
_WILDCARD_REASON = (
    "ec2:AcceptVpcPeeringConnection must be allowed on vpc-peering-connection/* because the "
    "connection id (pcx-...) does not exist until the requester creates the connection. The "
    "statement is limited to this account and region, to that one action, and by a "
    "Condition on ec2:RequesterVpc to the requester's VPC (or the requester account's VPCs)."
)


class PeeringAccepterRole(Construct):
    """The role in the accepter account that lets a requester account accept a VPC peering.

    Define it in a stack of the accepter VPC's account and region. The role
    (``AWS::IAM::Role``, this construct's default child) trusts only ``requester_account``
    and has one inline policy allowing only ``ec2:AcceptVpcPeeringConnection``: on the
    accepter VPC, and on peering connections of this account and region whose requester
    VPC is ``requester_vpc_id`` (or, without it, any VPC of ``requester_account``) in
    ``requester_region``. Give ``role_arn`` to the requester's connection as
    ``PeerRoleArn``.

    Across accounts CDK cannot pass the role's ``Fn::GetAtt`` to the requester's stack;
    ``role_arn`` then becomes a literal ARN with a name CDK generates (unless
    ``role_name`` is given).

    Invalid ids and a requester in this stack's own account raise
    :class:`cdk_peering.ValidationError` before anything is added to the tree. Values that
    are unresolved tokens are not checked.

    Example::

        accepter = PeeringAccepterRole(accepter_stack, "PeerRole",
            requester_account="222222222222",
            accepter_vpc=shared_vpc,
            requester_vpc_id="vpc-0a1b2c3d4e5f60718",
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        requester_account: str,
        accepter_vpc: ec2.IVpc,
        more_accepter_vpcs: Sequence[ec2.IVpc] | None = None,
        requester_vpc_id: str | None = None,
        requester_region: str | None = None,
        role_name: str | None = None,
    ) -> None:
        """Define the role a requester account assumes to accept a VPC peering.

        :param scope: the parent construct, in a stack of the accepter VPC's account and
            region.
        :param id: the construct id.
        :param requester_account: the 12-digit id of the account that requests the
            peering; the only principal the role trusts.
        :param accepter_vpc: the VPC that accepts the peering.
        :param more_accepter_vpcs: other VPCs of this account and region the role may
            accept peerings for (a ``PeeringMesh`` or ``HubAndSpoke`` with several VPCs
            here). Default: - only ``accepter_vpc``.
        :param requester_vpc_id: the requester VPC (vpc-...), the only one whose peering
            requests the role may accept. Default: - any VPC of ``requester_account`` in
            ``requester_region``.
        :param requester_region: the requester VPC's region. Default: - this stack's
            region (a peering within one region).
        :param role_name: the role's name. Default: - a name CloudFormation generates,
            or one CDK generates when ``role_arn`` is used in another account's stack.
        :raises ValidationError: when an id is malformed, the requester account is this
            stack's account, or ``accepter_vpc`` is in another account or region.
        """
        require(
            scope,
            id,
            [
                ("requester_account", requester_account, params.STRING, True),
                ("accepter_vpc", accepter_vpc, params.VPC, True),
                ("more_accepter_vpcs", more_accepter_vpcs, params.VPCS, False),
                ("requester_vpc_id", requester_vpc_id, params.STRING, False),
                ("requester_region", requester_region, params.STRING, False),
                ("role_name", role_name, params.STRING, False),
            ],
        )
        stack = cdk.Stack.of(scope)
        scope_path = scope.node.path
        path = child_path(scope_path, id)
        accepter_vpcs = [accepter_vpc, *(more_accepter_vpcs or [])]
        problems = _check(
            path=path,
            stack=stack,
            requester_account=requester_account,
            accepter_vpcs=accepter_vpcs,
            requester_vpc_id=requester_vpc_id,
            requester_region=requester_region,
        )
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        self.accepter_vpc = accepter_vpc
        """The VPC that accepts the peering."""
        self.accepter_vpcs: list[ec2.IVpc] = accepter_vpcs
        """Every VPC the role may accept peerings for: ``accepter_vpc`` first."""
        self.requester_account = requester_account
        """The account the role trusts."""
        self.requester_region: str = requester_region or stack.region
        """The region of the requester VPCs whose requests the role may accept."""
        self.requester_vpc_id: str | None = requester_vpc_id
        """The one requester VPC whose requests the role may accept; None: any VPC of
        ``requester_account`` in ``requester_region``."""

        requester_vpc_arn = stack.format_arn(
            service="ec2",
            region=requester_region,
            account=requester_account,
            resource="vpc",
            resource_name=requester_vpc_id or "*",
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        # ec2:RequesterVpc is an ARN-typed key (Service Authorization Reference). An exact
        # VPC is matched as the CloudFormation walkthrough matches ec2:AccepterVpc; the
        # account-wide form uses the wildcard of the VPC peering guide's accept example.
        requester_condition = (
            {"StringEquals": {"ec2:RequesterVpc": requester_vpc_arn}}
            if requester_vpc_id
            else {"ArnLike": {"ec2:RequesterVpc": requester_vpc_arn}}
        )
        peering_arn = stack.format_arn(
            service="ec2",
            resource="vpc-peering-connection",
            resource_name="*",
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    actions=[ACCEPT_ACTION],
                    resources=[
                        stack.format_arn(
                            service="ec2",
                            resource="vpc",
                            resource_name=vpc.vpc_id,
                            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
                        )
                        for vpc in accepter_vpcs
                    ],
                ),
                iam.PolicyStatement(
                    actions=[ACCEPT_ACTION],
                    resources=[peering_arn],
                    conditions=requester_condition,
                ),
            ]
        )
        self.role = iam.Role(
            self,
            "Resource",
            # The cast: aws_cdk's stubs name one IPrincipal parameter differently in
            # AccountPrincipal, which a strict type checker may report; the class implements it.
            assumed_by=cast(iam.IPrincipal, iam.AccountPrincipal(requester_account)),
            description=f"Lets account {requester_account} accept VPC peering connections",
            inline_policies={POLICY_NAME: policy},
            # A physical name lets CDK write role_arn as a literal ARN in the requester's
            # stack (another account), which cannot reference this stack's Fn::GetAtt.
            role_name=role_name or cdk.PhysicalName.GENERATE_IF_NEEDED,
        )
        """The ``AWS::IAM::Role`` (node.default_child finds it: the child named Resource)."""
        self.role_arn: str = self.role.role_arn
        """The role's ARN, for the requester's ``PeerRoleArn``."""

        cdk.Validations.of(self.role).acknowledge(
            cdk.Acknowledgment(id=_nag_wildcard_id(stack), reason=_WILDCARD_REASON)
        )


def role_mismatches(
    role: PeeringAccepterRole | iam.IRole,
    *,
    requester_account: str,
    requester_region: str,
    requester_vpc_id: str,
    accepter_vpc: ec2.IVpc,
    accepter_account: str,
) -> tuple[str, list[str]]:
    """Return how to name ``role`` and why it could not accept this peering.

    The reasons are empty when nothing known stops it. Each is a clause ("it trusts
    account ..."). Tokens are not judged. Of a role given by ARN only the account can be
    told; a PeeringAccepterRole's VPC counts as covered when it is one of the role's VPC
    objects or has the same literal id.
    """
    if not isinstance(role, PeeringAccepterRole):
        return role.role_arn, _arn_mismatches(role, accepter_account)
    reasons: list[str] = []
    if differs(role.requester_account, requester_account):
        reasons.append(
            f"it trusts account {role.requester_account}, not the requester's account "
            f"{requester_account}"
        )
    if differs(role.requester_region, requester_region):
        reasons.append(
            f"its condition matches requester VPCs in {role.requester_region}, not in "
            f"{requester_region} where the requester VPC is (give requester_region="
            f"{requester_region!r})"
        )
    if role.requester_vpc_id is not None and differs(role.requester_vpc_id, requester_vpc_id):
        reasons.append(
            f"it accepts requests only from {role.requester_vpc_id}, not from the requester "
            f"VPC {requester_vpc_id}"
        )
    if not any(_may_be_same_vpc(vpc, accepter_vpc) for vpc in role.accepter_vpcs):
        covered = ", ".join(vpc.node.path for vpc in role.accepter_vpcs)
        reasons.append(
            f"it may accept only for {covered}, not for {accepter_vpc.node.path} (add it to "
            "more_accepter_vpcs)"
        )
    return role.node.path, reasons


def _may_be_same_vpc(left: ec2.IVpc, right: ec2.IVpc) -> bool:
    """Tell whether two VPC objects may be the same VPC.

    The same object, or the same id. Different ids are different VPCs when both are
    literal, or both VPCs are built in the app (each has its own id token); an imported
    VPC's token (a parameter, an import) may name any VPC.
    """
    if left is right:
        return True
    ids = (left.vpc_id, right.vpc_id)
    if ids[0] == ids[1]:
        return True
    if not is_token(ids[0]) and not is_token(ids[1]):
        return False
    return not (vpc_facts(left).built_in_app and vpc_facts(right).built_in_app)


def _arn_mismatches(role: iam.IRole, accepter_account: str) -> list[str]:
    """Return why a role given by ARN could not accept for ``accepter_account``.

    Only its account can be told (literal ARNs); empty when it fits or is unknown.
    """
    account = cdk.Arn.split(role.role_arn, cdk.ArnFormat.SLASH_RESOURCE_NAME).account
    if account is None or not differs(account, accepter_account):
        return []
    return [f"it is in account {account}, not the accepter's account {accepter_account}"]


def _nag_wildcard_id(stack: cdk.Stack) -> str:
    """Return the id cdk-nag 3 gives the IAM5 finding on the vpc-peering-connection/* ARN.

    cdk-nag names each wildcard resource in the finding id, with pseudo parameters written
    ``<AWS::Region>``; an acknowledgement must repeat that id exactly.
    """
    partition, region, account = (
        f"<AWS::{pseudo}>" if is_token(value) else value
        for value, pseudo in (
            (stack.partition, "Partition"),
            (stack.region, "Region"),
            (stack.account, "AccountId"),
        )
    )
    arn = f"arn:{partition}:ec2:{region}:{account}:vpc-peering-connection/*"
    return f"AwsSolutions::AwsSolutions-IAM5[Resource::{arn}]"


def _check(
    *,
    path: str,
    stack: cdk.Stack,
    requester_account: str,
    accepter_vpcs: Sequence[ec2.IVpc],
    requester_vpc_id: str | None,
    requester_region: str | None,
) -> list[Problem]:
    """Return every problem of the props; literal values only, tokens pass."""
    problems: list[Problem] = []
    account = stack.account
    region = stack.region

    def literal(value: str | None) -> bool:
        return value is not None and not is_token(value)

    if literal(requester_account) and not is_account_id(requester_account):
        problems.append(
            Problem(
                path,
                rule_ids.INVALID_ACCOUNT,
                f"requester_account {requester_account!r} is not an AWS account id.",
                "Give the requester's account id: 12 digits, as a string, leading zeros kept.",
            )
        )
    elif literal(requester_account) and literal(account) and requester_account == account:
        problems.append(
            Problem(
                path,
                rule_ids.ROLE_NOT_NEEDED,
                f"requester_account {requester_account} is the account of {stack.node.path}, "
                "where the accepter VPC is: a peering within one account needs no accepter "
                "role.",
                "Drop the PeeringAccepterRole: CloudFormation accepts a same-account peering "
                "itself, without PeerRoleArn.",
            )
        )
    if literal(requester_vpc_id) and not _VPC_ID.fullmatch(str(requester_vpc_id)):
        problems.append(
            Problem(
                path,
                rule_ids.INVALID_VPC_ID,
                f"requester_vpc_id {requester_vpc_id!r} is not a VPC id, so the role's "
                "condition would match no peering request.",
                "Give the requester VPC's id (vpc- and 8 or 17 hex digits), or leave it out "
                "to accept from any VPC of the requester account.",
            )
        )
    if literal(requester_region) and not is_region_name(str(requester_region)):
        problems.append(
            Problem(
                path,
                rule_ids.INVALID_REGION,
                f"requester_region {requester_region!r} is not an AWS region name, so the "
                "role's condition would match no peering request.",
                "Give the requester VPC's region (for example eu-west-1), or leave it out "
                "for a peering within this stack's region.",
            )
        )
    for accepter_vpc in accepter_vpcs:
        vpc_env = accepter_vpc.env
        elsewhere = [
            f"{what} {theirs}"
            for what, theirs, ours in (
                ("account", vpc_env.account, account),
                ("region", vpc_env.region, region),
            )
            if literal(theirs) and literal(ours) and theirs != ours
        ]
        if elsewhere:
            problems.append(
                Problem(
                    path,
                    rule_ids.ACCEPTER_VPC_ELSEWHERE,
                    f"accepter VPC {accepter_vpc.node.path} is in {' and '.join(elsewhere)}, "
                    f"but this role is in {stack.node.path} ({account}, {region}): its policy "
                    "would name a VPC and peering connections that are not there.",
                    "Define the PeeringAccepterRole in a stack of the accepter VPC's account "
                    "and region.",
                )
            )
    return problems
