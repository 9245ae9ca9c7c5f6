"""A private hosted zone associated with a VPC of another account, in the deploy.

CloudFormation associates a private hosted zone (``VPCs``) only with VPCs of the zone's
own account, and has no resource for the cross-account association (CloudFormation
coverage roadmap issues 371, 372 and 449). Two API calls do it, each in its own account:
the zone's account authorizes, then the VPC's account associates. Here each is a custom
resource run by the library's own Lambda function (:mod:`cdk_peering.cdk.handler`) in a
stack of its account, and the stacks are ordered so that ``cdk deploy --all`` makes them
in turn:

1. the zone's stack (or, if the VPC's stack deploys after it, a library-made stack of
   the zone's account, ``<zone stack id>-ZoneAuthorization-<account>-<region>``): Route 53
   ``CreateVPCAssociationAuthorization`` (``Custom::ZoneAssociationAuthorization``); on
   delete ``DeleteVPCAssociationAuthorization``;
2. a library-made stack of the VPC's account, ``<zone stack id>-ZoneAssociation-<account>-
   <region>`` (Route 53 is global: the region is the VPC's, where that account is
   bootstrapped), deploying after step 1 and the VPC's stack: Route 53
   ``AssociateVPCWithHostedZone`` (``Custom::ZoneAssociation``); on delete
   ``DisassociateVPCFromHostedZone``.

**Idempotent and owned.** An association (or authorization) already in place is success:
a retry, a redeploy of a deleted stack, an update after a library upgrade all converge
(another zone of the same name associated with the VPC is still an error). Each resource
marks what it owns (a tag ``cdk-peering:owner:<token>`` on the VPC for an association; a
word in the hosted zone's shared ``cdk-peering:owners:<n>`` tags for an authorization,
as Route 53 allows a zone 10 tags) before it acts, and records whether the
association was there before any owner: a delete removes it only when it is the last
owner and an owner made it, so a construct renamed within one stack (its successor
created first), or moved to another stack deployed first, leaves the association in
place, and a rollback never removes one its stack did not make.

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
  need ``ec2:DescribeVpcs``, a describe action with no resource-level permissions;
* ``ListVPCAssociationAuthorizations``, ``ChangeTagsForResource`` and
  ``ListTagsForResource`` act on the ``hostedzone`` resource; ``ListHostedZonesByVPC``
  (the zones a VPC is associated with, of any account) supports no resource-level
  permissions and takes ``route53:VPCs`` (developer guide, "VPC permissions");
  ``AssociateVPCWithHostedZone`` answers ``ConflictingDomainExists`` both when
  the VPC is already associated with the zone and when another zone of the same name is.
"""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from aws_cdk import aws_route53 as route53
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk.app_context import AppContext
from ..cdk.handler import ASSOCIATION, AUTHORIZATION, ZoneMarkers
from ..cdk.late_checks import LateChecks
from ..cdk.provider import Grant, allow, grant, library_resource, mark_owners
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


class _ZoneCall(Construct):
    """One Route 53 call about a private hosted zone and a VPC, owned and undone on delete."""

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
        stack = cdk.Stack.of(self)
        named = f"VPCId={vpc_id},VPCRegion={vpc_region}"
        calls = allow(
            stack,
            [f"route53:{action}" for action in self._CALLS],
            resource="hostedzone",
            resource_name=hosted_zone_id,
            conditions={"ForAnyValue:StringEquals": {"route53:VPCs": named}},
        )
        self.custom_resource = library_resource(
            self,
            resource_type=self._RESOURCE_TYPE,
            properties={"HostedZoneId": hosted_zone_id, "VpcId": vpc_id, "VpcRegion": vpc_region},
            grants=[calls, *self._marks(stack, hosted_zone_id, vpc_id, named)],
        )
        """The custom resource that makes the call."""

    _RESOURCE_TYPE = ""
    _CALLS: tuple[str, str] = ("", "")
    """The Route 53 call and its undoing, allowed on the one zone for the one VPC."""

    def _marks(self, stack: cdk.Stack, zone_id: str, vpc_id: str, named: str) -> list[Grant]:
        """Return the grants of the owners' marks and of telling whether the pair is in place.

        ``named``: the VPC as ``route53:VPCs`` names it.
        """
        raise NotImplementedError


class ZoneAssociationAuthorization(_ZoneCall):
    """Authorize a VPC of another account to be associated with a private hosted zone.

    A custom resource (``Custom::ZoneAssociationAuthorization``) calls Route 53
    ``CreateVPCAssociationAuthorization`` on create and update (an authorization already
    in place is success) and ``DeleteVPCAssociationAuthorization`` on delete when it is the
    last owner and an owner made it. The library's function may make those two calls on
    this one hosted zone, for this one VPC (``route53:VPCs``), list the zone's
    authorizations and tag the zone with the owners' marks. Place it in a stack of the
    zone's account.
    """

    _RESOURCE_TYPE = AUTHORIZATION
    _CALLS = ("CreateVPCAssociationAuthorization", "DeleteVPCAssociationAuthorization")

    def _marks(self, stack: cdk.Stack, zone_id: str, vpc_id: str, named: str) -> list[Grant]:
        return [
            allow(
                stack,
                [
                    "route53:ChangeTagsForResource",
                    "route53:ListTagsForResource",
                    "route53:ListVPCAssociationAuthorizations",
                ],
                resource="hostedzone",
                resource_name=zone_id,
            )
        ]


class ZoneAssociation(_ZoneCall):
    """Associate a VPC with a private hosted zone of another account, once authorized.

    A custom resource (``Custom::ZoneAssociation``) calls Route 53
    ``AssociateVPCWithHostedZone`` on create and update (an association already in place
    is success) and ``DisassociateVPCFromHostedZone`` on delete when it is the last owner
    and an owner made it. The library's function may make those two calls on this one
    hosted zone, for this one VPC (``route53:VPCs``), tag this one VPC with the owners'
    marks, and list the zones of this one VPC (``route53:ListHostedZonesByVPC`` on ``*``
    with ``route53:VPCs``); its describe calls (``ec2:DescribeVpcs``, which Route 53
    requires, ``ec2:DescribeTags``) are the function role's own. Place it in a stack of the
    VPC's account that deploys after the zone's account authorized the association.
    """

    _RESOURCE_TYPE = ASSOCIATION
    _CALLS = ("AssociateVPCWithHostedZone", "DisassociateVPCFromHostedZone")

    def _marks(self, stack: cdk.Stack, zone_id: str, vpc_id: str, named: str) -> list[Grant]:
        return [
            mark_owners(stack, resource="vpc", resource_name=vpc_id),
            grant(
                ["route53:ListHostedZonesByVPC"],
                "*",
                conditions={"ForAnyValue:StringEquals": {"route53:VPCs": named}},
                reason=(
                    "route53:ListHostedZonesByVPC supports no resource-level permissions, so "
                    "its statement names '*'; the condition route53:VPCs limits it to this "
                    "one VPC, and it only reads."
                ),
            ),
        ]


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
    earlier = [child for child in authorizations.node.children if isinstance(child, _ZoneCall)]
    authorization = ZoneAssociationAuthorization(
        authorizations,
        vpc_id,
        hosted_zone_id=zone.hosted_zone_id,
        vpc_id=read_weakly(facts.vpc_id, facts.stack, consumer),
        vpc_region=region,
    )
    if earlier:  # one at a time: each rewrites the zone's owners' tags
        authorization.custom_resource.node.add_dependency(earlier[-1].custom_resource)
    _ZoneOwners.of(zone).append(authorization)
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


class _ZoneOwners:
    """The app's hosted zones authorized for VPCs of other accounts, and their tags' check."""

    def __init__(self) -> None:
        self.zones: dict[str, tuple[route53.IHostedZone, list[Construct]]] = {}

    @staticmethod
    def of(zone: route53.IHostedZone) -> list[Construct]:
        """Return the authorizations of ``zone`` (its check registered on first use)."""
        context = AppContext.of(zone)
        owners = context.singleton(_ZoneOwners, _ZoneOwners)
        LateChecks.of(context).add(rule_ids.ZONE_OWNER_TAGS_EXCEEDED, owners.check)
        return owners.zones.setdefault(zone.node.path, (zone, []))[1]

    def check(self, root: IConstruct) -> Iterable[tuple[IConstruct, Finding]]:
        """Return each zone whose own tags and owners' tags pass Route 53's maximum."""
        for zone, authorizations in self.zones.values():
            cfn = zone.node.default_child
            own = len(cfn.tags.tag_values()) if isinstance(cfn, route53.CfnHostedZone) else 0
            marks = -(-len(authorizations) // ZoneMarkers.PER_TAG)
            if own + marks <= ZoneMarkers.TAGS:
                continue
            yield (
                cfn or zone,
                Finding(
                    zone.node.path,
                    rule_ids.ZONE_OWNER_TAGS_EXCEEDED,
                    f"The private hosted zone authorizes {len(authorizations)} VPCs of other "
                    f"accounts: the library marks their owners in {marks} tags of the zone "
                    f"({ZoneMarkers.PER_TAG} a tag), and the zone has {own} tags of its own; "
                    f"Route 53 allows {ZoneMarkers.TAGS} tags on a hosted zone, so the "
                    "authorizations would fail to deploy.",
                    f"Give the zone at most {max(0, ZoneMarkers.TAGS - marks)} tags of its own "
                    "(Tags.of() on it or a parent, Tags.of(...).remove()), or serve at most "
                    f"{ZoneMarkers.PER_TAG * max(0, ZoneMarkers.TAGS - own)} VPCs of other "
                    "accounts from one endpoint's zone.",
                ),
            )


def _group(parent: Construct, id: str) -> Construct:
    """Return the plain construct ``id`` under ``parent``, made once."""
    existing = parent.node.try_find_child(id)
    if isinstance(existing, Construct):
        return existing
    return Construct(parent, id)
