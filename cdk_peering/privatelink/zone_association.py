"""A private hosted zone associated with a VPC of another account, in the deploy.

CloudFormation associates a private hosted zone (``VPCs``) only with VPCs of the zone's
own account, and has no resource for the cross-account association (CloudFormation
coverage roadmap issues 371, 372 and 449). Two API calls do it, each in its own account:
the zone's account authorizes, then the VPC's account associates. Here each is an
``AwsCustomResource`` in a stack of its account, and the stacks are ordered so that
``cdk deploy --all`` makes them in turn:

1. the zone's stack (or, if the VPC's stack deploys after it, a library-made stack of
   the zone's account, ``<zone stack id>-ZoneAuthorization-<account>-<region>``): Route 53
   ``CreateVPCAssociationAuthorization``; on delete ``DeleteVPCAssociationAuthorization``;
2. a library-made stack of the VPC's account, ``<zone stack id>-ZoneAssociation-<account>-
   <region>`` (Route 53 is global: the region is the VPC's, where that account is
   bootstrapped), deploying after step 1 and the VPC's stack: Route 53
   ``AssociateVPCWithHostedZone``; on delete ``DisassociateVPCFromHostedZone``.

**The authorization is kept while the association is declared**, and deleted with it.
AWS advises deleting it once the association exists, so that the VPC's account cannot
associate again later. Doing so needs a third step in the zone's account after step 2
(one more library-made stack), and it breaks the association's own lifecycle: any later
create or update of step 2 (its stack deleted and deployed again, a changed call after a
library upgrade, a retry after a failed deployment) calls ``AssociateVPCWithHostedZone``
again and fails with ``NotAuthorizedException`` until someone re-authorizes by hand. The
authorization kept here names one VPC and one zone, which this app associates anyway,
and goes when the app stops declaring the association.

AWS facts this relies on (Route 53 API reference for the four actions; Route 53
developer guide, "Associating an Amazon VPC and a private hosted zone that you created
with different AWS accounts", "Using IAM policy conditions for fine-grained access
control", "Amazon Route 53 API permissions reference"):

* ``CreateVPCAssociationAuthorization`` and ``DeleteVPCAssociationAuthorization`` are
  called by the zone's account; ``AssociateVPCWithHostedZone`` by the VPC's account,
  after the authorization; ``DisassociateVPCFromHostedZone`` by either, without one;
  deleting an authorization leaves the association in place;
* all four act on the ``hostedzone`` resource (``arn:<partition>:route53:::hostedzone/
  <id>``) and take the condition key ``route53:VPCs``, whose values read
  ``VPCId=<vpc-id>,VPCRegion=<region>`` (lowercase); associating and disassociating also
  need ``ec2:DescribeVpcs``, a describe action with no resource-level permissions.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from aws_cdk import custom_resources as cr
from constructs import Construct

from .. import rule_ids
from ..cdk.provider import allow, sdk_call
from ..cdk.references import read_weakly
from ..cdk.stacks import deploys_after, library_stack
from ..cdk.vpcs import VpcFacts
from ..findings import Finding
from ..model.env import Env
from ..model.tokens import is_token

AUTHORIZATION_KIND = "ZoneAuthorization"
"""The kind of the library-made stacks of authorizations that must wait for a VPC's stack."""
ASSOCIATION_KIND = "ZoneAssociation"
"""The kind of the library-made stacks of associations (``<stack id>-ZoneAssociation-...``)."""

_DESCRIBE_VPCS_FINDING = "AwsSolutions::AwsSolutions-IAM5[Resource::*]"
_DESCRIBE_VPCS_REASON = (
    "Route 53 needs ec2:DescribeVpcs to associate a VPC with a private hosted zone and to "
    "disassociate it; a describe action supports no resource-level permissions, so its "
    "statement must name '*'. It allows that one read-only action; the Route 53 actions "
    "name the one hosted zone and, by the route53:VPCs condition, the one VPC."
)


class _ZoneCall(Construct):
    """One Route 53 call about a private hosted zone and a VPC, undone on delete."""

    _CALLS: tuple[str, str]
    """The call on create and update, and the one that undoes it on delete."""
    _GONE: str
    """The error codes of the undoing call that mean nothing is left to undo."""
    _DESCRIBE_VPCS = False
    """Whether Route 53 needs ``ec2:DescribeVpcs`` for the call."""

    def __init__(
        self, scope: Construct, id: str, *, hosted_zone_id: str, vpc_id: str, vpc_region: str
    ) -> None:
        """Make the call for the VPC ``vpc_id`` of ``vpc_region`` and the zone ``hosted_zone_id``.

        :param scope: the parent construct, in a stack of the account that makes the call.
        :param id: the construct id.
        :param hosted_zone_id: the private hosted zone's id.
        :param vpc_id: the VPC's id.
        :param vpc_region: the VPC's Region.
        """
        super().__init__(scope, id)
        self.custom_resource = _route53_calls(
            self,
            self._CALLS,
            self._GONE,
            hosted_zone_id=hosted_zone_id,
            vpc_id=vpc_id,
            vpc_region=vpc_region,
            describe_vpcs=self._DESCRIBE_VPCS,
        )
        """The ``Custom::AWS`` resource that makes the call."""


class ZoneAssociationAuthorization(_ZoneCall):
    """Authorize a VPC of another account to be associated with a private hosted zone.

    An ``AwsCustomResource`` calls Route 53 ``CreateVPCAssociationAuthorization`` on create
    and update and ``DeleteVPCAssociationAuthorization`` on delete. Its provider's role may
    make those two calls on this one hosted zone, for this one VPC (``route53:VPCs``).
    Place it in a stack of the zone's account.
    """

    _CALLS = ("CreateVPCAssociationAuthorization", "DeleteVPCAssociationAuthorization")
    _GONE = r"VPCAssociationAuthorizationNotFound|NoSuchHostedZone"


class ZoneAssociation(_ZoneCall):
    """Associate a VPC with a private hosted zone of another account, once authorized.

    An ``AwsCustomResource`` calls Route 53 ``AssociateVPCWithHostedZone`` on create and
    update and ``DisassociateVPCFromHostedZone`` on delete. Its provider's role may make
    those two calls on this one hosted zone, for this one VPC (``route53:VPCs``), and
    ``ec2:DescribeVpcs``, which Route 53 requires. Place it in a stack of the VPC's
    account that deploys after the zone's account authorized the association.
    """

    _CALLS = ("AssociateVPCWithHostedZone", "DisassociateVPCFromHostedZone")
    _GONE = r"VPCAssociationNotFound|NoSuchHostedZone"
    _DESCRIBE_VPCS = True


def _route53_calls(
    scope: Construct,
    actions: tuple[str, str],
    gone: str,
    *,
    hosted_zone_id: str,
    vpc_id: str,
    vpc_region: str,
    describe_vpcs: bool = False,
) -> cr.AwsCustomResource:
    """Make one Route 53 call on create and update and its undoing on delete.

    ``gone`` matches the error codes that mean there is nothing left to undo.
    """
    vpc = {"VPCId": vpc_id, "VPCRegion": vpc_region}
    physical_id = cr.PhysicalResourceId.of(f"{hosted_zone_id}/{vpc_region}/{vpc_id}")
    stack = cdk.Stack.of(scope)
    statements = [
        allow(
            stack,
            f"route53:{action}",
            resource="hostedzone",
            resource_name=hosted_zone_id,
            conditions={
                "ForAnyValue:StringEquals": {
                    "route53:VPCs": f"VPCId={vpc_id},VPCRegion={vpc_region}"
                }
            },
        )
        for action in actions
    ]
    if describe_vpcs:
        statements.append(iam.PolicyStatement(actions=["ec2:DescribeVpcs"], resources=["*"]))

    def call(action: str, ignore: str | None) -> cr.AwsSdkCall:
        return cr.AwsSdkCall(
            service="Route53",
            action=action,
            parameters={"HostedZoneId": hosted_zone_id, "VPC": vpc},
            physical_resource_id=physical_id,
            ignore_error_codes_matching=ignore,
        )

    resource = sdk_call(
        scope,
        "Resource",
        call=call(actions[0], None),
        undo=call(actions[1], gone),
        statements=statements,
    )
    policy = resource.node.try_find_child("CustomResourcePolicy")
    if describe_vpcs and policy is not None:
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(id=_DESCRIBE_VPCS_FINDING, reason=_DESCRIBE_VPCS_REASON)
        )
    return resource


def zone_association_problems(path: str, zone_env: Env, facts: VpcFacts) -> list[Finding]:
    """Return the problem when a DNS VPC's account (or, across accounts, region) is unknown.

    Whether the zone's own ``VPCs`` can hold the VPC (same account) or the association
    needs the two calls (another account) cannot be told when an environment-agnostic
    stack hides one of the accounts; across accounts, the library-made stacks need the
    VPC's region and the zone's too.
    """
    vpc_env = facts.env
    if vpc_env.account == zone_env.account:
        return []
    if vpc_env.other_account(zone_env) and not (
        is_token(vpc_env.region) or is_token(zone_env.region)
    ):
        return []
    return [
        Finding(
            path,
            rule_ids.ZONE_ASSOCIATION_ENVIRONMENT_UNKNOWN,
            f"The hosted zone is in {zone_env} and the VPC {facts.path} in {vpc_env}: with an "
            "environment-agnostic stack, whether the zone's own VPCs can name the VPC (same "
            "account) or the VPC's account must associate it (another account, with an "
            "authorization from the zone's) cannot be told.",
            "Give the stacks of the endpoint and of the VPC an explicit "
            "env=cdk.Environment(account=..., region=...) (or give neither one), or import "
            "the VPC with its region and account.",
        )
    ]


def associate_across_accounts(
    endpoint: Construct, zone: route53.IHostedZone, facts: VpcFacts, *, zone_env: Env
) -> ZoneAssociation:
    """Associate ``zone`` with a VPC of another account: authorize, then associate.

    The authorization goes under ``endpoint`` in the zone's stack, which then deploys after
    the VPC's stack (it reads the VPC id); if the VPC's stack already deploys after the
    zone's, in a library-made stack of the zone's environment instead. The association
    goes in a library-made stack of the VPC's account and region, after both. Check
    :func:`zone_association_problems` first. ``zone_env`` is the zone's stack's
    (account, region).
    """
    zone_stack = cdk.Stack.of(zone)
    account, region = facts.env
    vpc_stack = facts.stack if facts.built_in_app and facts.stack is not zone_stack else None
    endpoint_id = endpoint.node.path.replace("/", "-")
    vpc_id = facts.path.replace("/", "-")
    authorizations: Construct
    if vpc_stack is not None and deploys_after(vpc_stack, zone_stack):
        authorization_stack = library_stack(
            zone_stack,
            AUTHORIZATION_KIND,
            zone_env.account,
            zone_env.region,
            description=(
                f"Authorizations of VPCs of other accounts for the private hosted zones of "
                f"{zone_stack.stack_name}"
            ),
            reads="reads the hosted zone id",
        )
        authorization_stack.add_stack_dependency(vpc_stack, "reads the VPC id")
        authorizations = _group(authorization_stack, endpoint_id)
    else:
        authorization_stack = zone_stack
        if vpc_stack is not None:
            zone_stack.add_stack_dependency(vpc_stack, "reads the VPC id of a zone association")
        authorizations = _group(endpoint, "ZoneAuthorizations")
    consumer = None if authorization_stack is not zone_stack else zone_stack
    ZoneAssociationAuthorization(
        authorizations,
        vpc_id,
        hosted_zone_id=zone.hosted_zone_id,
        vpc_id=read_weakly(facts.vpc_id, facts.stack, consumer),
        vpc_region=region,
    )
    association_stack = library_stack(
        zone_stack,
        ASSOCIATION_KIND,
        account,
        region,
        description=(
            f"Associations of VPCs of account {account} with the private hosted zones of "
            f"{zone_stack.stack_name}"
        ),
        reads="reads the hosted zone id, after its authorization",
    )
    if vpc_stack is not None:
        association_stack.add_stack_dependency(vpc_stack, "reads the VPC id")
    if authorization_stack is not zone_stack:
        association_stack.add_stack_dependency(authorization_stack, "needs the authorization")
    return ZoneAssociation(
        _group(association_stack, endpoint_id),
        vpc_id,
        hosted_zone_id=zone.hosted_zone_id,
        vpc_id=facts.vpc_id,
        vpc_region=region,
    )


def _group(parent: Construct, id: str) -> Construct:
    """Return the plain construct ``id`` under ``parent``, made once."""
    existing = parent.node.try_find_child(id)
    if isinstance(existing, Construct):
        return existing
    return Construct(parent, id)
