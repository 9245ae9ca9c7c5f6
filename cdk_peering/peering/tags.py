"""PeeringConnectionTags: the accepter's view of a peering connection, named and tagged.

A peering connection across accounts or Regions exists twice: as the requester's
resource, which ``AWS::EC2::VPCPeeringConnection`` tags, and as the accepter's view of it
in the accepter's account and Region, which CloudFormation leaves untagged, so the
accepter sees an unnamed connection (CloudFormation coverage roadmap, issue 340:
"where a PeerRegion or PeerOwnerId is specified the peering connection created in the
other account/region is not tagged with stack level tags or resource level tags"; still
open). Within one account and Region there is one resource, tagged by CloudFormation.

So the library tags the accepter's view itself: an ``AwsCustomResource`` in a stack of
the accepter's account and Region calls EC2 ``CreateTags`` on the connection with the
tags the requester's resource gets (``Tags.of()`` included: they are read at synth,
once every aspect has run), and ``DeleteTags`` with their keys on delete. Its provider's
role may call those two actions (tagging and untagging) on this one connection only: its
ARN in the accepter's account and Region.

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

Known limit: a tag removed from the app stays on the accepter's view until the
connection or this resource is deleted (an update calls CreateTags with the tags the
app now gives, which adds and changes but cannot remove).
"""

from __future__ import annotations

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from aws_cdk import custom_resources as cr
from constructs import Construct

from ..cdk.provider import allow, sdk_call
from .options import read_connection_id

NAME_TAG = "Name"


@jsii.implements(cdk.IStableAnyProducer)
class _ConnectionTags:
    """The tags of the requester's connection, read at synth (after Tags.of's aspects)."""

    def __init__(self, connection: ec2.CfnVPCPeeringConnection, name: str, *, keys: bool) -> None:
        self._connection = connection
        self._name = name
        self._keys = keys

    def produce(self) -> object:
        tags = {NAME_TAG: self._name}
        given = self._connection.tags.render_tags() or []  # None when it has no tag
        tags.update((str(tag["key"]), str(tag["value"])) for tag in given)
        if self._keys:
            return [{"Key": key} for key in sorted(tags)]
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
        tags = cdk.Lazy.any(_ConnectionTags(connection, name, keys=False))
        keys = cdk.Lazy.any(_ConnectionTags(connection, name, keys=True))
        region = stack.region

        def call(action: str, tags: object, ignore: str | None = None) -> cr.AwsSdkCall:
            return cr.AwsSdkCall(
                service="EC2",
                action=action,
                parameters={"Resources": [peering_connection_id], "Tags": tags},
                physical_resource_id=cr.PhysicalResourceId.of(
                    f"{peering_connection_id}-accepter-tags"
                ),
                region=region,
                ignore_error_codes_matching=ignore,
            )

        # Tagging on create and update, untagging on delete: two actions, one resource.
        self.custom_resource = sdk_call(
            self,
            "Resource",
            call=call("CreateTags", tags),
            # Nothing to untag when the connection is already gone.
            undo=call("DeleteTags", keys, r"InvalidVpcPeeringConnectionID\.NotFound"),
            statements=[
                allow(
                    stack,
                    action,
                    resource="vpc-peering-connection",
                    resource_name=peering_connection_id,
                )
                for action in ("ec2:CreateTags", "ec2:DeleteTags")
            ],
        )
        """The ``Custom::AWS`` resource that tags the accepter's view."""
