"""PeeringConnectionTags: the accepter's view of a peering connection, named and tagged.

A peering connection across accounts or Regions exists twice: as the requester's
resource, which ``AWS::EC2::VPCPeeringConnection`` tags, and as the accepter's view of it
in the accepter's account and Region, which CloudFormation leaves untagged, so the
accepter sees an unnamed connection (CloudFormation coverage roadmap, issue 340:
"where a PeerRegion or PeerOwnerId is specified the peering connection created in the
other account/region is not tagged with stack level tags or resource level tags"; still
open). Within one account and Region there is one resource, tagged by CloudFormation.

So the library tags the accepter's view itself: a custom resource
(``Custom::PeeringConnectionTags``, run by the library's own Lambda function,
:mod:`cdk_peering.cdk.handler`) in a stack of the accepter's account and Region calls EC2
``CreateTags`` on the connection with the tags the requester's resource gets
(``Tags.of()`` included: they are read at synth, once every aspect has run), and
``DeleteTags`` with their keys on delete, unless another such resource still owns the
view's tags (within one stack, a construct renamed creates its successor before
CloudFormation deletes it; a move to another stack, when that stack is deployed first:
see :mod:`cdk_peering.cdk.handler`). The function may tag and untag this one
connection only: its ARN in the accepter's account and Region.

The call always carries a ``Name``: the connection's ``Name`` tag, else the one given
here (the peering's construct path, as ec2.Vpc names its resources after theirs), so
the accepter's view is named and ``CreateTags`` never gets an empty list (EC2 refuses
one; ``DeleteTags`` without tags would delete every tag of the resource).

AWS facts this relies on (EC2 API Reference, CreateTags and DeleteTags): both take the
resource's id; CreateTags overwrites the value of a key that exists and refuses an empty
tag list ("You must specify one or more tags to create"); DeleteTags with a key and no
value deletes that key whatever its value, and without tags deletes every tag. The
policy names the connection's ARN in the accepter's account and Region
(``arn:<partition>:ec2:<region>:<account>:vpc-peering-connection/<id>``), the resource
type the Service Authorization Reference gives peering connections; that CreateTags and
DeleteTags accept it as their resource (rather than ``*``) could not be re-checked
against the current reference and is the library's reading of it.

A tag removed from the app is removed from the accepter's view on the next update (when
no other resource owns the view's tags); nothing is untagged on a connection that no
longer exists or is no longer active.
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from ..cdk.handler import TAGS
from ..cdk.provider import allow, library_resource
from .options import read_connection_id

NAME_TAG = "Name"


@jsii.implements(cdk.IStableAnyProducer)
class _ConnectionTags:
    """The tags of the requester's connection, read at synth (after Tags.of's aspects)."""

    def __init__(self, connection: ec2.CfnVPCPeeringConnection, name: str) -> None:
        self._connection = connection
        self._name = name

    def produce(self) -> object:
        tags = {NAME_TAG: self._name}
        given = self._connection.tags.render_tags() or []  # None when it has no tag
        tags.update((str(tag["key"]), str(tag["value"])) for tag in given)
        return [{"Key": key, "Value": tags[key]} for key in sorted(tags)]


class PeeringConnectionTags(Construct):
    """Copy a peering connection's tags to the accepter's view of it.

    Define it in a stack of the accepter's account and region (the library does, in the
    accepter side of a peering across accounts or Regions).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        peering_connection_id: str,
        connection: ec2.CfnVPCPeeringConnection,
        name: str,
    ) -> None:
        """Tag the accepter's view of ``connection`` as the requester's resource is tagged.

        :param scope: the parent construct, in a stack of the accepter's account and region.
        :param id: the construct id.
        :param peering_connection_id: the connection's id as this stack reads it.
        :param connection: the requester's ``CfnVPCPeeringConnection``, whose tags
            (``Name`` and every tag ``Tags.of()`` gives it) are copied at synth.
        :param name: the ``Name`` of the accepter's view when the connection has none.
        """
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        peering_connection_id = read_connection_id(peering_connection_id, stack)
        self.custom_resource = library_resource(
            self,
            resource_type=TAGS,
            properties={
                "VpcPeeringConnectionId": peering_connection_id,
                "Tags": cdk.Lazy.any(_ConnectionTags(connection, name)),
            },
            # Tagging and untagging (the tags and the owners' marks): one resource.
            grants=[
                allow(
                    stack,
                    ["ec2:CreateTags", "ec2:DeleteTags"],
                    resource="vpc-peering-connection",
                    resource_name=peering_connection_id,
                )
            ],
        )
        """The ``Custom::PeeringConnectionTags`` resource that tags the accepter's view."""
