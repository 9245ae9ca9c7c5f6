"""PeeringConnectionOptions: the options of one side of a VPC peering connection.

The one place where the library sets a peering connection's options (DNS resolution
from the remote VPC, multipath resilience). CloudFormation's
``AWS::EC2::VPCPeeringConnection`` has gained a ``VpcPeeringConnectionOptions`` property
(AllowDnsResolutionFromRemoteVpc, AllowMultipathResilience, MultipathResilienceMode),
but aws-cdk-lib 2.275's ``CfnVPCPeeringConnection`` and cfn-lint 1.58 do not know it yet,
and no document says whether it can set the accepter's side across accounts (which only
the accepter's account may modify). So each side is set by a custom resource
(``Custom::PeeringConnectionOptions``, run by the library's own Lambda function,
:mod:`cdk_peering.cdk.handler`) that calls EC2 ``ModifyVpcPeeringConnectionOptions``: on
create and update it writes every option it manages for that side in one call, ``false``
included; on delete it turns them off again, unless another resource still owns them.

**Owned, so a replacement leaves the options on.** Within one stack, CloudFormation deletes
a resource whose logical id is gone (a construct renamed) after it has created the new
one: the old one's delete must not undo what its successor set. Across stacks (an
accepter side moved by ``accepter_scope``, a topology's placement switched) the two
stacks deploy in the CLI's order: deployed new stack first (``cdk deploy NEW
--exclusively``, then ``cdk deploy --all``), the same holds; old stack first, its delete
turns the options off until the new stack turns them on again
(docs/regions-and-accounts.md). Each resource marks the connection (a tag
``cdk-peering:owner:<token>`` naming the side and the options it manages) before it sets
them; its delete turns off only the options no other mark of that side names, then
removes its mark (kept by a delete that fails, so the retry still turns them off).
Deleting the last owner still turns them off. Nothing is turned off on a connection that
no longer exists or is no longer active (its requester stack deleted first): the delete
then succeeds.

Moving to the native property later is a change of this module alone: the requester's
side can be written onto the connection it is given (``peering_connection_id`` is the
connection's ``Ref``, from which the ``CfnVPCPeeringConnection`` can be found) instead of
a custom resource; ``VpcPeering``, the topologies and ``PeeringDnsResolution`` only build
``PeeringConnectionOptions`` and need not change. That move must not let the last owner's
delete turn off what the native property now sets, and the handler has no way yet to give
up an owner without undoing its options (an options resource must manage at least one:
``noConnectionOptions``). The move needs one first, for example a property that makes a
resource's delete leave its options as they are, deployed before the custom resources are
removed.

AWS facts this relies on (VPC peering guide, "Modify VPC peering connection options";
EC2 API Reference, ``ModifyVpcPeeringConnectionOptions``, ``PeeringConnectionOptionsRequest``
and ``CreatePeeringConnectionOptionsRequest``; AWS CLI reference,
``modify-vpc-peering-connection-options``; Service Authorization Reference for Amazon EC2):

* each side is modified on its own, by that side's account and in that side's Region
  (the requester's options in the requester's Region, the accepter's in the accepter's),
  so the construct goes in a stack of that side's account and region;
* one call takes every option of one side: ``RequesterPeeringConnectionOptions`` or
  ``AccepterPeeringConnectionOptions`` with ``AllowDnsResolutionFromRemoteVpc``,
  ``AllowMultipathResilience`` and ``MultipathResilienceMode``;
* the options can be set only once the connection is ``active`` (EC2 refuses other states
  with ``OperationNotPermitted``). CloudFormation waits for an
  ``AWS::EC2::VPCPeeringConnection`` to stabilize (accepted) before completing it, so in
  the connection's stack the ``Ref`` of its id orders the call after it; a stack of the
  other side must be deployed after the connection's;
* multipath resilience replicates an inter-Region connection's traffic across several
  network paths; it is supported only between supported Regions, takes effect only when
  both sides allow it, ``always-on`` is its only mode, and additional charges apply while
  it is in effect (see Amazon VPC pricing);
* ``ec2:ModifyVpcPeeringConnectionOptions``, ``ec2:CreateTags`` and ``ec2:DeleteTags``
  support the ``vpc-peering-connection`` resource type, so the function's role is allowed
  them on this one connection only (the tags limited by ``aws:TagKeys`` to the owners'
  marks); ``ec2:DescribeTags`` and ``ec2:DescribeVpcPeeringConnections`` support no
  resource-level permissions (the function's role is allowed them once, on ``*``).

The function calls EC2 with the boto3 of its Python runtime. A runtime whose SDK predates
multipath resilience does not know ``AllowMultipathResilience``: the function then adds it
to the request itself, as EC2's query API names it
(``RequesterPeeringConnectionOptions.AllowMultipathResilience``), rather than leave it out.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path
from ..cdk.handler import OPTIONS
from ..cdk.params import require
from ..cdk.provider import allow, library_resource, mark_owners
from ..cdk.references import read_weakly
from ..errors import Problem, ValidationError
from ..findings import shown
from ..model.tokens import is_token
from .side import PCX_ID, PeeringSide


class PeeringConnectionOptions(Construct):
    """Set the options of one side of a VPC peering connection.

    A custom resource (``Custom::PeeringConnectionOptions``, this construct's default
    child) calls EC2 ``ModifyVpcPeeringConnectionOptions`` with
    ``RequesterPeeringConnectionOptions`` or ``AccepterPeeringConnectionOptions`` holding
    every option given: on create and update as given, on delete turned off (``false``),
    unless another such resource of the same side still manages them (within one stack, a
    construct renamed creates its successor before CloudFormation deletes it; so does a
    move to another stack when that stack is deployed first). The library's
    function may make that call, and tag the connection with the owners' marks, on this
    one connection only.

    Place the construct in a stack of ``side``'s own account and region: AWS modifies each
    side only there. AWS sets options only on an active connection: in the connection's
    own stack, ``peering_connection_id=peering.peering_connection_id`` (a ``Ref``) already
    orders the call after the connection; in another stack, a reference to the connection
    makes that stack deploy after the connection's.

    An option left out (None) is neither set nor turned off: give ``False`` to turn off an
    option an earlier deployment turned on while keeping the others.

    Example::

        PeeringConnectionOptions(europe_stack, "Options",
            peering_connection_id="pcx-0123456789abcdef0",
            side=PeeringSide.ACCEPTER,
            allow_dns_resolution_from_remote_vpc=True,
            allow_multipath_resilience=True,
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        peering_connection_id: str,
        side: PeeringSide,
        allow_dns_resolution_from_remote_vpc: bool | None = None,
        allow_multipath_resilience: bool | None = None,
    ) -> None:
        """Set the options of one side of a peering connection.

        :param scope: the parent construct, in a stack of ``side``'s account and region.
        :param id: the construct id.
        :param peering_connection_id: the id of the VPC peering connection (pcx-...), a
            literal or a token.
        :param side: which side's options to set: ``PeeringSide.REQUESTER`` when this
            stack's VPC requested the connection, ``PeeringSide.ACCEPTER`` when it accepted.
        :param allow_dns_resolution_from_remote_vpc: let the remote VPC resolve this side's
            public DNS hostnames to private IP addresses (both VPCs need DNS support and DNS
            hostnames). Default: - not set.
        :param allow_multipath_resilience: allow multipath resilience on this side, with
            the mode ``always-on``. Inter-Region connections between supported Regions
            only; it takes effect once both sides allow it, and AWS charges extra while it
            is in effect (see Amazon VPC pricing). Default: - not set.
        :raises ValidationError: when ``peering_connection_id`` is a literal that is no
            connection id, ``side`` is not a ``PeeringSide``, or no option is given.
        """
        require(
            scope,
            id,
            [
                ("peering_connection_id", peering_connection_id, params.STRING, True),
                (
                    "allow_dns_resolution_from_remote_vpc",
                    allow_dns_resolution_from_remote_vpc,
                    params.BOOLEAN,
                    False,
                ),
                ("allow_multipath_resilience", allow_multipath_resilience, params.BOOLEAN, False),
            ],
            in_stack=True,
        )
        path = child_path(scope.node.path, id)
        options = {
            name: value
            for name, value in (
                ("AllowDnsResolutionFromRemoteVpc", allow_dns_resolution_from_remote_vpc),
                ("AllowMultipathResilience", allow_multipath_resilience),
            )
            if value is not None
        }
        problems = connection_problems(path, peering_connection_id, side)
        if not options:
            problems.append(
                Problem(
                    path,
                    rule_ids.NO_CONNECTION_OPTIONS,
                    "No option is given, so there is nothing to set.",
                    "Give allow_dns_resolution_from_remote_vpc or allow_multipath_resilience.",
                )
            )
        if problems:
            raise ValidationError(problems)

        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        peering_connection_id = read_connection_id(peering_connection_id, stack)
        self.peering_connection_id = peering_connection_id
        """The id of the peering connection (pcx-...)."""
        self.side = side
        """The side whose options this construct sets."""
        self.allow_dns_resolution_from_remote_vpc = allow_dns_resolution_from_remote_vpc
        """The DNS option as given (None: not set)."""
        self.allow_multipath_resilience = allow_multipath_resilience
        """The multipath resilience option as given (None: not set)."""
        self.custom_resource = library_resource(
            self,
            resource_type=OPTIONS,
            properties={
                "VpcPeeringConnectionId": peering_connection_id,
                "Side": side.value,
                "Options": options,
            },
            grants=[
                allow(
                    stack,
                    "ec2:ModifyVpcPeeringConnectionOptions",
                    resource="vpc-peering-connection",
                    resource_name=peering_connection_id,
                ),
                mark_owners(
                    stack, resource="vpc-peering-connection", resource_name=peering_connection_id
                ),
            ],
        )
        """The ``Custom::PeeringConnectionOptions`` resource that sets the options."""


def connection_id_problems(path: str, peering_connection_id: str) -> list[Problem]:
    """Return the problem of a literal connection id that is no ``pcx-`` id."""
    if is_token(peering_connection_id) or PCX_ID.match(peering_connection_id):
        return []
    return [
        Problem(
            path,
            rule_ids.INVALID_PEERING_CONNECTION_ID,
            f"peering_connection_id {peering_connection_id!r} is not a VPC peering connection id.",
            "Give the connection's id, such as 'pcx-0123456789abcdef0', or "
            "peering.peering_connection_id.",
        )
    ]


def connection_problems(path: str, peering_connection_id: str, side: object) -> list[Problem]:
    """Return the problems of a connection id and a side given to a side's construct."""
    problems = connection_id_problems(path, peering_connection_id)
    if not isinstance(side, PeeringSide):
        problems.append(
            Problem(
                path,
                rule_ids.INVALID_PEERING_SIDE,
                f"side is {shown(side)}, not a PeeringSide.",
                "Give side=PeeringSide.REQUESTER or side=PeeringSide.ACCEPTER.",
            )
        )
    return problems


def read_connection_id(peering_connection_id: str, stack: cdk.Stack) -> str:
    """Read a connection id made in another stack weakly, and deploy after that stack.

    CDK records no stack dependency for a weak reference across accounts; the options can
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
