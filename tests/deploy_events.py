"""CloudFormation's requests to a custom resource, and the AWS answers moto lacks.

The deploy-time handler (cdk_peering/cdk/handler.py) is tested in-process against moto
(boto3 with no server), driven the way CloudFormation drives a custom resource:

* :class:`FakeStack` and :class:`FakeResource` send Create, Update and Delete requests as
  CloudFormation does, with its properties as strings, and keep the physical id each
  answer gives. A stack update that renames or moves a resource creates the new one
  first and deletes the old one in its clean-up phase (:func:`replace`); an update that
  answers a new physical id gets the old id deleted in clean-up; a create that fails gets
  a delete of the physical id it answered (the rollback).
* :class:`Aws` hands the handler moto's clients, with the answers AWS gives where moto
  5.2.5 does not: EC2 refuses a peering connection's options unless it is ``active``
  (moto sets them in any state); Route 53 answers ``ConflictingDomainExists`` to an
  association already in place or to a second zone of the same name (moto associates the
  VPC twice), keeps VPC association authorizations (moto has none), and refuses an 11th
  tag on a hosted zone (Route 53 allows 10; moto any number); EC2's endpoint
  connections (moto has neither AcceptVpcEndpointConnections nor
  DescribeVpcEndpointConnections) are a small table: accepting a ``pendingAcceptance``
  endpoint makes it ``available``, any other comes back under ``Unsuccessful``, as EC2
  answers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from cdk_peering.cdk import handler

ACCOUNT = "111111111111"
REGION = "us-east-1"
ZONE_TAGS = 10
"""Route 53's maximum of tags on one hosted zone (API reference, ChangeTagsForResource)."""
_requests = itertools.count(1)


def client_error(code: str, message: str, operation: str) -> ClientError:
    """Return the error boto3 raises for an AWS error answer."""
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def as_cloudformation_sends(value: Any) -> Any:
    """Return properties as CloudFormation hands them to a custom resource: scalars as text."""
    if isinstance(value, dict):
        return {key: as_cloudformation_sends(each) for key, each in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_sends(each) for each in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Ec2:
    """moto's EC2 client, with EC2's own answers where moto differs (see the module)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.endpoints: dict[str, tuple[str, str]] = {}
        """Endpoint connections: endpoint id -> (service id, state)."""
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self._client, name)

    def modify_vpc_peering_connection_options(self, **kwargs: Any) -> Any:
        self.calls.append("modify_vpc_peering_connection_options")
        connection_id = kwargs["VpcPeeringConnectionId"]
        status = handler.connection_state(self._client, connection_id)
        if status and status != "active":
            raise client_error(
                "OperationNotPermitted",
                f"VPC peering connection {connection_id} is {status}, not active",
                "ModifyVpcPeeringConnectionOptions",
            )
        return self._client.modify_vpc_peering_connection_options(**kwargs)

    def accept_vpc_endpoint_connections(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append("accept_vpc_endpoint_connections")
        unsuccessful = []
        for endpoint_id in kwargs["VpcEndpointIds"]:
            service_id, state = self.endpoints.get(endpoint_id, ("", ""))
            if service_id != kwargs["ServiceId"]:
                error = {"Code": "InvalidVpcEndpointId.NotFound", "Message": "not found"}
            elif state != "pendingAcceptance":
                error = {"Code": "InvalidState", "Message": f"endpoint is {state}"}
            else:
                self.endpoints[endpoint_id] = (service_id, "available")
                continue
            unsuccessful.append({"ResourceId": endpoint_id, "Error": error})
        return {"Unsuccessful": unsuccessful}

    def describe_vpc_endpoint_connections(self, **kwargs: Any) -> Any:
        self.calls.append("describe_vpc_endpoint_connections")
        wanted = {f["Name"]: set(f["Values"]) for f in kwargs["Filters"]}
        return {
            "VpcEndpointConnections": [
                {"ServiceId": service_id, "VpcEndpointId": endpoint_id, "VpcEndpointState": state}
                for endpoint_id, (service_id, state) in self.endpoints.items()
                if endpoint_id in wanted.get("vpc-endpoint-id", {endpoint_id})
                and service_id in wanted.get("service-id", {service_id})
            ]
        }


class Route53:
    """moto's Route 53 client, with Route 53's own answers where moto differs."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.authorizations: set[tuple[str, str, str]] = set()
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        self.calls.append(name)
        return getattr(self._client, name)

    def associate_vpc_with_hosted_zone(self, **kwargs: Any) -> Any:
        self.calls.append("associate_vpc_with_hosted_zone")
        vpc = kwargs["VPC"]
        zone = self._client.get_hosted_zone(Id=kwargs["HostedZoneId"])["HostedZone"]
        for summary in self._client.list_hosted_zones_by_vpc(
            VPCId=vpc["VPCId"], VPCRegion=vpc["VPCRegion"]
        )["HostedZoneSummaries"]:
            if summary["Name"] == zone["Name"]:
                raise client_error(
                    "ConflictingDomainExists",
                    f"The VPC is already associated with a hosted zone named {zone['Name']}",
                    "AssociateVPCWithHostedZone",
                )
        return self._client.associate_vpc_with_hosted_zone(**kwargs)

    def change_tags_for_resource(self, **kwargs: Any) -> Any:
        self.calls.append("change_tags_for_resource")
        found = self._client.list_tags_for_resource(
            ResourceType=kwargs["ResourceType"], ResourceId=kwargs["ResourceId"]
        )
        keys = {tag["Key"] for tag in found["ResourceTagSet"].get("Tags", [])}
        keys -= set(kwargs.get("RemoveTagKeys", []))
        keys |= {tag["Key"] for tag in kwargs.get("AddTags", [])}
        if len(keys) > ZONE_TAGS:
            raise client_error(
                "InvalidInput",  # the limit is documented; the error code is our guess
                f"A hosted zone can have at most {ZONE_TAGS} tags, not {len(keys)}",
                "ChangeTagsForResource",
            )
        return self._client.change_tags_for_resource(**kwargs)

    def create_vpc_association_authorization(self, **kwargs: Any) -> Any:
        self.calls.append("create_vpc_association_authorization")
        zone, vpc = kwargs["HostedZoneId"], kwargs["VPC"]
        self._client.get_hosted_zone(Id=zone)  # NoSuchHostedZone
        self.authorizations.add((zone, vpc["VPCId"], vpc["VPCRegion"]))
        return {"HostedZoneId": zone, "VPC": vpc}

    def delete_vpc_association_authorization(self, **kwargs: Any) -> Any:
        self.calls.append("delete_vpc_association_authorization")
        vpc = kwargs["VPC"]
        key = (kwargs["HostedZoneId"], vpc["VPCId"], vpc["VPCRegion"])
        if key not in self.authorizations:
            raise client_error(
                "VPCAssociationAuthorizationNotFound",
                "no such authorization",
                "DeleteVPCAssociationAuthorization",
            )
        self.authorizations.discard(key)
        return {}

    def list_vpc_association_authorizations(self, **kwargs: Any) -> Any:
        self.calls.append("list_vpc_association_authorizations")
        wanted = kwargs["HostedZoneId"]
        return {
            "HostedZoneId": wanted,
            "VPCs": [
                {"VPCId": vpc, "VPCRegion": region}
                for zone, vpc, region in sorted(self.authorizations)
                if zone == wanted
            ],
        }


class Aws:
    """The clients the handler gets: moto's, in one account and Region, adapted as above."""

    def __init__(self) -> None:
        self.ec2 = Ec2(boto3.client("ec2", region_name=REGION))
        self.route53 = Route53(boto3.client("route53", region_name=REGION))

    def __call__(self, service: str) -> Any:
        return {"ec2": self.ec2, "route53": self.route53}[service]

    # --- what the tests build and read

    def vpc(self, cidr: str = "10.0.0.0/16") -> str:
        vpc_id: str = self.ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        return vpc_id

    def connection(self, *, active: bool = True) -> str:
        """Return a new peering connection between two new VPCs (accepted if ``active``)."""
        requester, accepter = self.vpc("10.0.0.0/16"), self.vpc("10.1.0.0/16")
        made = self.ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)
        connection_id: str = made["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        if active:
            self.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=connection_id)
        return connection_id

    def options(self, connection_id: str, side: str = "Requester") -> dict[str, Any]:
        found = self.ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[connection_id])
        info: dict[str, Any] = found["VpcPeeringConnections"][0][f"{side}VpcInfo"]
        options: dict[str, Any] = info.get("PeeringOptions", {})
        return options

    def tags(self, resource_id: str) -> dict[str, str]:
        found = self.ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])
        return {tag["Key"]: tag["Value"] for tag in found["Tags"]}

    def zone(self, vpc_id: str, name: str = "example.internal") -> str:
        """Return a new private hosted zone of ``vpc_id`` (its plain id, Z...)."""
        made = self.route53.create_hosted_zone(
            Name=name,
            CallerReference=f"zone-{next(_requests)}",
            HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": REGION, "VPCId": vpc_id},
        )
        zone_id: str = made["HostedZone"]["Id"].rsplit("/", 1)[-1]
        return zone_id

    def zone_vpcs(self, zone_id: str) -> set[str]:
        return {vpc["VPCId"] for vpc in self.route53.get_hosted_zone(Id=zone_id)["VPCs"]}

    def zone_tags(self, zone_id: str) -> dict[str, str]:
        found = self.route53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
        return {tag["Key"]: tag["Value"] for tag in found["ResourceTagSet"].get("Tags", [])}


@dataclass
class FakeStack:
    """A stack, as far as its custom resources' requests tell: its id."""

    name: str = "Net"
    stack_id: str = field(init=False)

    def __post_init__(self) -> None:
        unique = next(_requests)
        self.stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.name}/{unique}"


@dataclass
class FakeResource:
    """One custom resource of a stack, sent CloudFormation's requests one by one."""

    aws: Callable[[str], Any]
    stack: FakeStack
    logical_id: str
    resource_type: str
    properties: dict[str, Any]
    physical_id: str = ""

    def event(self, request: str, **more: Any) -> dict[str, Any]:
        return {
            "RequestType": request,
            "ResourceType": self.resource_type,
            "LogicalResourceId": self.logical_id,
            "StackId": self.stack.stack_id,
            "RequestId": f"request-{next(_requests)}",
            "ResponseURL": "https://cloudformation-custom-resource-response.example/",
            "ServiceToken": "arn:aws:lambda:us-east-1:111111111111:function:handler",
            "ResourceProperties": as_cloudformation_sends(self.properties),
            **more,
        }

    def create(self) -> str:
        """Send Create; on failure, roll back as CloudFormation does (Delete), then raise."""
        event = self.event("Create")
        try:
            self.physical_id = handler.handle(event, self.aws)
        except Exception:
            self.physical_id = handler.planned_physical_id(event)
            self.delete()
            raise
        return self.physical_id

    def update(self, properties: dict[str, Any]) -> str:
        """Send Update; a new physical id gets the old one deleted in clean-up."""
        old, old_id = self.properties, self.physical_id
        self.properties = properties
        event = self.event(
            "Update",
            PhysicalResourceId=old_id,
            OldResourceProperties=as_cloudformation_sends(old),
        )
        new_id = handler.handle(event, self.aws)
        if new_id != old_id:
            replaced = FakeResource(
                self.aws, self.stack, self.logical_id, self.resource_type, old, old_id
            )
            replaced.delete()
        self.physical_id = new_id
        return new_id

    def delete(self) -> None:
        """Send Delete with the physical id the last answer gave."""
        handler.handle(self.event("Delete", PhysicalResourceId=self.physical_id), self.aws)


def replace(old: FakeResource, *, logical_id: str, stack: FakeStack | None = None) -> FakeResource:
    """Move ``old`` to a new logical id (or stack), as a stack update does: create, then delete."""
    new = FakeResource(
        old.aws, stack or old.stack, logical_id, old.resource_type, dict(old.properties)
    )
    new.create()
    old.delete()
    return new
