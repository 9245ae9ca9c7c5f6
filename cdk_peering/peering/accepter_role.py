"""PeeringAccepterRole: the role a requester account assumes to accept a VPC peering.

Across accounts, CloudFormation in the requester's account creates the
``AWS::EC2::VPCPeeringConnection`` and accepts it by assuming ``PeerRoleArn``, a role in the
accepter's account that trusts the requester account and allows
``ec2:AcceptVpcPeeringConnection`` (CloudFormation User Guide, "Peer with a VPC in another
AWS account"). Within one account CloudFormation accepts the request itself, with no role.

AWS facts the trust and the policy rely on:

* CloudFormation makes its calls with the stack's service role when the stack has one:
  with the CDK's ``DefaultStackSynthesizer`` that is the bootstrap stack's CloudFormation
  execution role, ``cdk-<qualifier>-cfn-exec-role-<account>-<region>``, which the CDK CLI
  passes with every deployment (CDK Developer Guide, "Bootstrapping", the roles of the
  bootstrap template); so that role assumes ``PeerRoleArn``;
* ``aws:PrincipalArn`` is in the request context of every signed request; for a role's
  session it holds the ARN of the role, not of the session, and ARN condition operators
  compare it (IAM User Guide, "AWS global condition context keys"). A trust policy that
  names the account (``arn:aws:iam::<account>:root``) with a condition on it trusts that
  one role without naming it as ``Principal``, so the role need not exist when the trust
  policy is written and a re-created role is still trusted;
* ``ec2:AcceptVpcPeeringConnection`` authorizes the ``vpc-peering-connection`` resource
  with the condition keys ``ec2:AccepterVpc`` and ``ec2:RequesterVpc`` (ARNs of the two
  VPCs), and the accepter's ``vpc`` resource (Service Authorization Reference, Amazon
  EC2; VPC Peering Guide, "Identity and access management for VPC peering", which matches
  ``ec2:AccepterVpc`` with ``ArnEquals``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import cast

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import AppContext, child_path, vpc_facts
from ..cdk.late_checks import LateChecks
from ..cdk.params import require
from ..cdk.stacks import NoExecutionRole, execution_role_arn
from ..errors import Problem, ValidationError
from ..findings import Finding
from ..model.env import is_account_id
from ..model.regions import is_region_name
from ..model.tokens import differs, is_token

ACCEPT_ACTION = "ec2:AcceptVpcPeeringConnection"
POLICY_NAME = "AcceptVpcPeering"

_VPC_ID = re.compile(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})")
# An IAM principal aws:PrincipalArn can hold: the root user, a role or a user (with a path).
_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):(?:root|role/\S+|user/\S+)")
_SESSION_ARN = re.compile(r"arn:aws[a-z-]*:sts::\d{12}:assumed-role/([^/]+)/\S*")
PRINCIPAL_ARN_KEY = "aws:PrincipalArn"
_STACK = params.instance(cdk.Stack, name="a cdk.Stack", example="cdk.Stack.of(peering)")

# The connection id is not known before the connection exists, so the accept statement
# must name vpc-peering-connection/*; the Condition on ec2:RequesterVpc is what narrows it.
_WILDCARD_REASON = (
    "ec2:AcceptVpcPeeringConnection must be allowed on vpc-peering-connection/* because the "
    "connection id (pcx-...) does not exist until the requester creates the connection. The "
    "statement is limited to this account and region, to that one action, and by "
    "conditions on ec2:AccepterVpc to this role's accepter VPCs and on ec2:RequesterVpc to "
    "the requester's VPC (or the requester account's VPCs in the requester's Region)."
)


class PeeringAccepterRole(Construct):
    """The role in the accepter account that lets a requester account accept a VPC peering.

    Define it in a stack of the accepter VPC's account and region. The role
    (``AWS::IAM::Role``, this construct's default child) has one inline policy allowing
    only ``ec2:AcceptVpcPeeringConnection``: on the accepter VPCs, and on peering
    connections of this account and region whose accepter VPC is one of them
    (``ec2:AccepterVpc``) and whose requester VPC is ``requester_vpc_id`` (or, without it,
    any VPC of ``requester_account``) in ``requester_region`` (``ec2:RequesterVpc``). Give
    ``role_arn`` to the requester's connection as ``PeerRoleArn``.

    **Who can assume it.** ``sts:AssumeRole`` is allowed to principals of
    ``requester_account`` whose ARN (``aws:PrincipalArn``) is the CloudFormation execution
    role that deploys the requester's stack: the role its stack synthesizer names
    (``DefaultStackSynthesizer``: ``cdk-<qualifier>-cfn-exec-role-<account>-<region>``,
    with the app's qualifier), for each stack of the app whose peering uses this role
    (``VpcPeering`` and the topologies call :meth:`add_requester_stack`); when no stack of
    the app uses it, the role this stack's synthesizer would name in ``requester_account``
    and ``requester_region``. No user, and no other role of that account, can assume it,
    even one whose own policy allows ``sts:AssumeRole`` on it. ``trusted_principal_arns``
    names other principals instead; the account's root ARN there trusts the whole account.

    Across accounts CDK cannot pass the role's ``Fn::GetAtt`` to the requester's stack;
    ``role_arn`` then becomes a literal ARN with a name CDK generates (unless
    ``role_name`` is given).

    Invalid ids and a requester in this stack's own account raise
    :class:`cdk_peering.ValidationError` before anything is added to the tree. Values that
    are unresolved tokens are not checked. A requester stack whose execution role cannot
    be told (its synthesizer names none, or Python cannot read it) is an error at synth
    (``cdk_peering:requesterDeployerUnknown``) unless ``trusted_principal_arns`` is given.

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
        trusted_principal_arns: Sequence[str] | None = None,
    ) -> None:
        """Define the role a requester account assumes to accept a VPC peering.

        :param scope: the parent construct, in a stack of the accepter VPC's account and
            region.
        :param id: the construct id.
        :param requester_account: the 12-digit id of the account that requests the
            peering; the only account whose principals the role trusts.
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
        :param trusted_principal_arns: the principals of ``requester_account`` that may
            assume the role, as IAM ARNs (``arn:aws:iam::<account>:role/<name>``, a user,
            or ``*`` and ``?`` wildcards), matched against ``aws:PrincipalArn``; the
            account's root ARN (``arn:aws:iam::<account>:root``) trusts every principal of
            the account that its own policies allow ``sts:AssumeRole`` on this role.
            Default: - the CloudFormation execution role of each requester stack that
            uses this role (see the class description).
        :raises ValidationError: when an id or a trusted principal ARN is malformed, the
            requester account is this stack's account, or ``accepter_vpc`` is in another
            account or region.
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
                ("trusted_principal_arns", trusted_principal_arns, params.STRINGS, False),
            ],
            in_stack=True,
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
        if trusted_principal_arns is not None:
            problems += _check_principals(path, requester_account, trusted_principal_arns)
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
        self.trusted_principal_arns: tuple[str, ...] | None = (
            None if trusted_principal_arns is None else tuple(trusted_principal_arns)
        )
        """The principals given to trust; None: the requester stacks' execution roles."""
        self._stack = stack
        self._requester_stacks: list[cdk.Stack] = []

        requester_vpc_arn = stack.format_arn(
            service="ec2",
            region=requester_region,
            account=requester_account,
            resource="vpc",
            resource_name=requester_vpc_id or "*",
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        accepter_vpc_arns = [
            stack.format_arn(
                service="ec2",
                resource="vpc",
                resource_name=vpc.vpc_id,
                arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
            )
            for vpc in accepter_vpcs
        ]
        # ec2:RequesterVpc is an ARN-typed key (Service Authorization Reference). An exact
        # VPC is matched as the CloudFormation walkthrough matches ec2:AccepterVpc; the
        # account-wide form uses the wildcard of the VPC peering guide's accept example.
        # ec2:AccepterVpc is matched with ArnEquals, as the VPC peering guide's examples do.
        conditions: dict[str, object] = (
            {"StringEquals": {"ec2:RequesterVpc": requester_vpc_arn}}
            if requester_vpc_id
            else {"ArnLike": {"ec2:RequesterVpc": requester_vpc_arn}}
        )
        conditions["ArnEquals"] = {
            "ec2:AccepterVpc": accepter_vpc_arns[0]
            if len(accepter_vpc_arns) == 1
            else accepter_vpc_arns
        }
        peering_arn = stack.format_arn(
            service="ec2",
            resource="vpc-peering-connection",
            resource_name="*",
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(actions=[ACCEPT_ACTION], resources=accepter_vpc_arns),
                iam.PolicyStatement(
                    actions=[ACCEPT_ACTION],
                    resources=[peering_arn],
                    conditions=conditions,
                ),
            ]
        )
        self.role = iam.Role(
            self,
            "Resource",
            assumed_by=self._principal(requester_account, trusted_principal_arns),
            description=f"Lets account {requester_account} accept VPC peering connections",
            inline_policies={POLICY_NAME: policy},
            # A physical name lets CDK write role_arn as a literal ARN in the requester's
            # stack (another account), which cannot reference this stack's Fn::GetAtt.
            role_name=role_name or cdk.PhysicalName.GENERATE_IF_NEEDED,
        )
        """The ``AWS::IAM::Role`` (node.default_child finds it: the child named Resource)."""
        self.role_arn: str = self.role.role_arn
        """The role's ARN, for the requester's ``PeerRoleArn``."""

        # On the role's own resource, whose inline policy this construct wrote: a statement
        # added later (role.add_to_policy, a separate AWS::IAM::Policy) is still checked.
        cdk.Validations.of(cast(IConstruct, self.role.node.default_child)).acknowledge(
            cdk.Acknowledgment(id=_nag_wildcard_id(stack), reason=_WILDCARD_REASON)
        )
        if trusted_principal_arns is None:
            _roles_of(self).add(self)

    def add_requester_stack(self, stack: cdk.Stack) -> None:
        """Trust the CloudFormation execution role that deploys ``stack``.

        ``stack`` holds (or will hold) an ``AWS::EC2::VPCPeeringConnection`` that names this
        role as ``PeerRoleArn``; CloudFormation assumes the role with the execution role
        ``stack``'s synthesizer names. ``VpcPeering`` and the topologies call it for the
        stacks of their connections; call it for a connection you write yourself. Once a
        stack is added, the role trusts the added stacks' execution roles only. Adding a
        stack again changes nothing; with ``trusted_principal_arns`` nothing changes.

        :param stack: a stack of ``requester_account`` in ``requester_region``.
        """
        params.require_in(self, "add_requester_stack", [("stack", stack, _STACK, True)])
        if all(known is not stack for known in self._requester_stacks):
            self._requester_stacks.append(stack)

    def _principal(self, requester_account: str, trusted: Sequence[str] | None) -> iam.IPrincipal:
        """Return the trusted principal: the account, narrowed by ``aws:PrincipalArn``."""
        # The casts: aws_cdk's stubs name one IPrincipal parameter differently in
        # AccountPrincipal, which a strict type checker may report; the class implements it.
        account = iam.AccountPrincipal(requester_account)
        if trusted is not None and any(_is_root(arn) for arn in trusted):
            return cast(iam.IPrincipal, account)
        if trusted is None:
            # Known once the app is built: the stacks that use the role add themselves.
            arns: object = cdk.Lazy.uncached_any(_ExecutionRoleArns(self))
            operator = "ArnEquals"
        else:
            arns = list(trusted)
            operator = "ArnLike" if any(_has_wildcard(arn) for arn in trusted) else "ArnEquals"
        return cast(
            iam.IPrincipal,
            account.with_conditions({operator: {PRINCIPAL_ARN_KEY: arns}}),
        )

    def _execution_roles(self) -> tuple[list[str], list[tuple[cdk.Stack, NoExecutionRole]]]:
        """Return the execution role ARNs to trust, and the stacks whose role is unknown.

        The requester stacks added, or, without any, this stack's synthesizer standing for
        the requester's.
        """
        arns: list[str] = []
        unknown: list[tuple[cdk.Stack, NoExecutionRole]] = []
        for stack in self._requester_stacks or [self._stack]:
            arn = execution_role_arn(
                stack,
                account=self.requester_account,
                region=self.requester_region,
                partition=self._stack.partition,
            )
            if isinstance(arn, NoExecutionRole):
                unknown.append((stack, arn))
            elif arn not in arns:
                arns.append(arn)
        return arns, unknown

    def _deployer_findings(self) -> list[Finding]:
        """Return the requester stacks whose CloudFormation execution role cannot be told."""
        findings: list[Finding] = []
        for stack, why in self._execution_roles()[1]:
            synthesizer = type(stack.synthesizer).__name__
            if stack is self._stack and not self._requester_stacks:
                about = (
                    f"No stack of the app names this role as PeerRoleArn, and this stack's "
                    f"synthesizer ({synthesizer}), which stands for the requester's,"
                )
            else:
                about = f"The requester stack {stack.node.path}'s synthesizer ({synthesizer})"
            if why is NoExecutionRole.UNREADABLE:
                cause = (
                    f"{about} was made in Python: aws-cdk-lib binds a copy of it to the stack, "
                    "and Python can read only the unbound original, so the CloudFormation "
                    "execution role the role must trust cannot be told."
                )
                fix = (
                    "Give trusted_principal_arns=['arn:aws:iam::"
                    f"{self.requester_account}:role/cdk-<qualifier>-cfn-exec-role-"
                    f"{self.requester_account}-{self.requester_region}'], or set the "
                    "qualifier with the context key @aws-cdk/core:bootstrapQualifier (in "
                    "cdk.json) instead of a synthesizer made in Python."
                )
            else:
                cause = (
                    f"{about} names no CloudFormation execution role: CloudFormation "
                    "assumes the role with the credentials of whoever deploys the "
                    "requester's stack, which the role cannot name."
                )
                fix = (
                    "Give trusted_principal_arns with the ARN of the role that deploys the "
                    "requester's stack (or the account's root ARN, arn:aws:iam::"
                    f"{self.requester_account}:root, to trust every principal the "
                    "account allows), or use DefaultStackSynthesizer."
                )
            findings.append(
                Finding(self.node.path, rule_ids.REQUESTER_DEPLOYER_UNKNOWN, cause, fix)
            )
        return findings


@jsii.implements(cdk.IAnyProducer)
class _ExecutionRoleArns:
    """The execution role ARNs a PeeringAccepterRole trusts, known once the app is built."""

    def __init__(self, role: PeeringAccepterRole) -> None:
        self._role = role

    def produce(self, context: cdk.IResolveContext) -> list[str] | str:
        """Return the ARNs (empty, and an error at synth, when none can be told)."""
        arns = self._role._execution_roles()[0]
        return arns[0] if len(arns) == 1 else arns


class _AccepterRoles:
    """The app's PeeringAccepterRoles that trust execution roles, and the check over them."""

    def __init__(self) -> None:
        self._roles: list[PeeringAccepterRole] = []

    def add(self, role: PeeringAccepterRole) -> None:
        self._roles.append(role)

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Return each role whose requester's execution role cannot be told."""
        for role in self._roles:
            for finding in role._deployer_findings():
                yield role, finding


def _roles_of(scope: IConstruct) -> _AccepterRoles:
    """Return the app's roles, their late check registered on first use."""
    context = AppContext.of(scope)
    roles = context.singleton(_AccepterRoles, _AccepterRoles)
    LateChecks.of(context).add(rule_ids.REQUESTER_DEPLOYER_UNKNOWN, roles.check)
    return roles


def add_requester_stack(role: PeeringAccepterRole | iam.IRole, stack: cdk.Stack) -> None:
    """Tell a PeeringAccepterRole (or its ``role``) of a stack whose connection uses it.

    Any other role is left alone: its trust is its owner's.
    """
    owner = role if isinstance(role, PeeringAccepterRole) else None
    if owner is None and isinstance(role, Construct):
        parent = role.node.scope
        owner = parent if isinstance(parent, PeeringAccepterRole) else None
    if owner is not None:
        owner.add_requester_stack(stack)


def _is_root(arn: str) -> bool:
    return not is_token(arn) and arn.endswith(":root")


def _has_wildcard(arn: str) -> bool:
    return not is_token(arn) and ("*" in arn or "?" in arn)


def _check_principals(path: str, account: str, arns: Sequence[str]) -> list[Problem]:
    """Return the problems of ``trusted_principal_arns`` (literal values only)."""
    fix_arn = f"arn:aws:iam::{account}:role/<name>"
    if not arns:
        return [
            Problem(
                path,
                rule_ids.INVALID_TRUSTED_PRINCIPAL,
                "trusted_principal_arns is empty, so nobody could assume the role and "
                "CloudFormation could not accept the peering.",
                "Name the principals that deploy the requester's stack, or leave "
                "trusted_principal_arns out to trust the requester stacks' CloudFormation "
                "execution roles.",
            )
        ]
    problems: list[Problem] = []
    for arn in arns:
        if is_token(arn):
            continue
        session = _SESSION_ARN.fullmatch(arn)
        principal = _PRINCIPAL_ARN.fullmatch(arn)
        if session is not None:
            message = (
                f"trusted_principal_arns has {arn!r}, a role session: aws:PrincipalArn holds "
                "the ARN of the session's role, never a session's ARN."
            )
            fix = f"Give the role's ARN (arn:aws:iam::<account>:role/{session.group(1)})."
        elif principal is None:
            message = f"trusted_principal_arns has {arn!r}, which is no IAM role, user or root ARN."
            fix = f"Give IAM ARNs such as {fix_arn}."
        elif not is_token(account) and principal.group(1) != account:
            message = (
                f"trusted_principal_arns has {arn!r}, of account {principal.group(1)}: the "
                f"role trusts principals of the requester account {account} only."
            )
            fix = f"Give principals of account {account} ({fix_arn})."
        else:
            continue
        problems.append(Problem(path, rule_ids.INVALID_TRUSTED_PRINCIPAL, message, fix))
    return problems


def role_mismatches(
    role: PeeringAccepterRole | iam.IRole,
    *,
    requester_account: str,
    requester_region: str,
    requester_vpc_id: str,
    accepter_vpc: ec2.IVpc,
    accepter_account: str,
    requester_stack: cdk.Stack | None = None,
) -> tuple[str, list[str]]:
    """Return how to name ``role`` and why it could not accept this peering.

    The reasons are empty when nothing known stops it. Each is a clause ("it trusts
    account ..."). Tokens are not judged. Of a role given by ARN only the account can be
    told; of an ``iam.Role`` of the app, its stack's account, and (``requester_stack``: a
    stack of the requester's environment, where ``PeerRoleArn`` is written) whether that
    stack can name it; a PeeringAccepterRole's VPC counts as covered when it is one of the
    role's VPC objects or has the same literal id.
    """
    if not isinstance(role, PeeringAccepterRole):
        if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
            return role.node.path, _owned_role_mismatches(role, accepter_account, requester_stack)
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


NO_PHYSICAL_NAME = "it has no physical name"
"""How the reason that another environment's stack cannot name a role begins."""


def _owned_role_mismatches(
    role: Construct, accepter_account: str, requester_stack: cdk.Stack | None
) -> list[str]:
    """Return why a role defined in the app could not accept for ``accepter_account``.

    It must be in a stack of that account; and a stack of another account or Region (the
    requester's) can write its ARN only when it has a physical name (``role_name``, or
    ``cdk.PhysicalName.GENERATE_IF_NEEDED``): else aws-cdk-lib fails the synth with
    CannotUseCrossEnvironment, which resolving the ARN there tells now.
    """
    stack = cdk.Stack.of(role)
    if differs(stack.account, accepter_account):
        return [
            f"it is defined in stack {stack.stack_name} of account {stack.account}, not in "
            f"the accepter's account {accepter_account}"
        ]
    if requester_stack is None or not (
        differs(stack.account, requester_stack.account)
        or differs(stack.region, requester_stack.region)
    ):
        return []
    try:
        requester_stack.resolve(cast(iam.IRole, role).role_arn)
    except RuntimeError:  # aws-cdk-lib's CannotUseCrossEnvironment
        return [
            f"{NO_PHYSICAL_NAME}, so the requester's stack {requester_stack.stack_name}, in "
            "another account or Region, cannot write its ARN (aws-cdk-lib refuses it: "
            "CannotUseCrossEnvironment)"
        ]
    return []


def role_fix(role: object, accepter_account: str, requester_account: str) -> str:
    """Say how to give a role that can accept, for a role that is no PeeringAccepterRole."""
    return (
        f"Give a role of account {accepter_account} that trusts account {requester_account} "
        "and allows ec2:AcceptVpcPeeringConnection: a cdk_peering.PeeringAccepterRole in a "
        f"stack of account {accepter_account}"
        + (
            ", an iam.Role in such a stack with role_name='...' (or "
            "role_name=cdk.PhysicalName.GENERATE_IF_NEEDED) so that the requester's stack can "
            "name it,"
            if isinstance(role, Construct)
            else ","
        )
        + " or iam.Role.from_role_arn(...) with the ARN of such a role made elsewhere."
    )


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
