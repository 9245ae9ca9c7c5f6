"""EndpointAcceptance: the deploy accepts an interface endpoint of the app, and only it.

An endpoint service that requires acceptance leaves every connection request
``pendingAcceptance`` until its owner accepts it. When the app declares both the service
and the endpoint, the deploy can accept exactly that endpoint, and strangers still wait.

**The service's owner holds the acceptance.** ``ec2:AcceptVpcEndpointConnections`` can be
scoped to a service, not to one endpoint: whoever changes the stack that holds it can
accept any pending connection to that service. So the acceptance goes in the service's
own stack when the endpoint is in it, else in a stack the library makes in the service's
account and Region (``<endpoint stack id>-EndpointAcceptance-<account>-<region>``, or
``<endpoint stack id>-EndpointAcceptance`` for environment-agnostic stacks), never in a
consumer's stack, also within one environment. That stack reads the endpoint's id weakly
and deploys after the endpoint's and the service's stacks.

**It converges.** The library's function (:mod:`cdk_peering.cdk.handler`) accepts, and
fails the resource unless every endpoint is accepted or already was: CloudFormation then
rolls back, and a redeploy tries again (a success with the endpoint still
``pendingAcceptance`` would leave a template no later deploy changes).

AWS facts this relies on:

* the service's owner accepts with EC2 ``AcceptVpcEndpointConnections`` (``ServiceId``,
  ``VpcEndpointId.N``), in the service's account and Region (EC2 API reference; VPC
  PrivateLink guide, "Accept or reject connection requests"). The call succeeds even
  when it accepts nothing, listing those endpoints under ``Unsuccessful``: the function
  then reads each one's state (``DescribeVpcEndpointConnections``, which supports no
  resource-level permissions) and succeeds only for an endpoint already ``available``;
* ``ec2:AcceptVpcEndpointConnections`` supports the ``vpc-endpoint-service`` resource
  type (Service Authorization Reference, Amazon EC2), so the policy names the one
  service;
* CloudFormation completes an ``AWS::EC2::VPCEndpoint`` to a service that requires
  acceptance while it is ``pendingAcceptance`` (it does not wait for the acceptance), so
  the acceptance can follow it in the same deploy;
* deleting the endpoint deletes its connection: there is nothing to undo on delete.
"""

from __future__ import annotations

from typing import Literal

import aws_cdk as cdk
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk.app_context import scope_facts
from ..cdk.handler import ACCEPTANCE
from ..cdk.provider import allow, library_resource
from ..cdk.stacks import library_stack
from ..findings import Finding
from ..model.tokens import is_token

Placement = Literal["service", "endpoint", "library"]
"""Where an acceptance goes: the service's construct, the endpoint, a library-made stack."""

ACCEPTANCE_KIND = "EndpointAcceptance"
"""The kind of the library-made stacks of acceptances (``<stack id>-EndpointAcceptance-...``)."""


class EndpointAcceptance(Construct):
    """Accept one interface endpoint's connection to one endpoint service, at deploy time.

    A custom resource (``Custom::EndpointAcceptance``) calls EC2
    ``AcceptVpcEndpointConnections`` with ``ServiceId`` and ``VpcEndpointIds`` (this one
    endpoint) on create and update, in the stack's Region, and fails unless the endpoint
    is accepted (or already was); nothing on delete (deleting the endpoint removes its
    connection). The library's function may make that one call on this one endpoint
    service, and read the service's connections.

    Made by ``PrivateLinkService.accept_endpoint`` (and by a ``PrivateLinkEndpoint`` of a
    ``PrivateLinkService`` of the app), which puts it in the service's stack when the
    endpoint is in it, else in a library-made stack of the service's account and Region
    that deploys after the endpoint's and the service's: never in a consumer's stack.
    """

    def __init__(self, scope: Construct, id: str, *, service_id: str, vpc_endpoint_id: str) -> None:
        """Accept ``vpc_endpoint_id``'s connection to ``service_id``.

        :param scope: the parent construct, in a stack of the service's owner (account and
            Region) that deploys after the endpoint exists.
        :param id: the construct id.
        :param service_id: the endpoint service's id (``vpce-svc-...``).
        :param vpc_endpoint_id: the interface endpoint's id (``vpce-...``).
        """
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.service_id = service_id
        """The endpoint service's id (``vpce-svc-...``)."""
        self.vpc_endpoint_id = vpc_endpoint_id
        """The accepted endpoint's id (``vpce-...``)."""
        self.custom_resource = library_resource(
            self,
            resource_type=ACCEPTANCE,
            properties={"ServiceId": service_id, "VpcEndpointIds": [vpc_endpoint_id]},
            grants=[
                allow(
                    stack,
                    "ec2:AcceptVpcEndpointConnections",
                    resource="vpc-endpoint-service",
                    resource_name=service_id,
                )
            ],
        )
        """The ``Custom::EndpointAcceptance`` resource that accepts the connection."""


def acceptance_placement(
    path: str, service: IConstruct, endpoint: IConstruct
) -> tuple[Placement | None, list[Finding]]:
    """Return where the acceptance goes (see :func:`accept`), or the problem: it cannot be told.

    The acceptance runs in the service's account and Region, in a stack of the service's
    owner: the service's stack when the endpoint is in it (or imported), else a stack the
    library makes in the service's environment. One environment-agnostic stack beside one
    with an explicit environment tells neither that environment nor whether it is the
    endpoint's. ``endpoint`` may be the scope the endpoint is about to be made in.
    """
    placement = _placement(service, endpoint)
    if placement is not None:
        return placement, []
    service_at, endpoint_at = scope_facts(service), scope_facts(endpoint)
    return None, [
        Finding(
            path,
            rule_ids.ACCEPTANCE_ENVIRONMENT_UNKNOWN,
            f"The endpoint's stack {endpoint_at.stack.stack_name} is in "
            f"{endpoint_at.env} and the service's stack {service_at.stack.stack_name} in "
            f"{service_at.env}: with environment-agnostic stacks, the account and Region "
            "of the stack that accepts the endpoint (the service's, after the endpoint) "
            "cannot be told.",
            "Give both stacks an explicit env=cdk.Environment(account=..., region=...) (or "
            "neither), or leave the endpoint to be accepted outside the deploy "
            "(accept_connection=False).",
        )
    ]


def accept(
    service: Construct,
    service_id: str,
    endpoint: IConstruct,
    vpc_endpoint_id: str,
    *,
    placement: Placement,
) -> EndpointAcceptance:
    """Add the acceptance of ``endpoint`` by ``service``, placed and ordered; made once.

    In the service's stack when the endpoint is in it (under the endpoint), or when the
    endpoint is imported (it exists already: under the service's construct); else in a
    stack the library makes in the service's environment beside the endpoint's stack,
    deploying after it and after the service's: a consumer's stack never holds the
    service's permission to accept. ``placement`` is what :func:`acceptance_placement`
    returned for the two.
    """
    service_at = scope_facts(service)
    service_stack, endpoint_stack = service_at.stack, cdk.Stack.of(endpoint)
    parent: Construct
    if not isinstance(endpoint, Construct) or placement == "service":
        dashed_path = endpoint.node.path.replace("/", "-")
        parent, acceptance_id = service, f"Acceptance-{dashed_path}"
    elif placement == "endpoint":  # the service's own stack
        parent, acceptance_id = endpoint, "Acceptance"
    else:
        env = service_at.env
        stack = library_stack(
            endpoint_stack,
            ACCEPTANCE_KIND,
            env.account,
            env.region,
            description=(
                f"Acceptance of the interface endpoints of {endpoint_stack.stack_name} by "
                f"the endpoint services of {service_stack.stack_name}"
                + ("" if is_token(env.account) else f" ({env})")
            ),
            reads="reads the interface endpoint id",
        )
        stack.add_stack_dependency(service_stack, "reads the endpoint service id")
        parent, acceptance_id = stack, endpoint.node.path.replace("/", "-")
    existing = parent.node.try_find_child(acceptance_id)
    if isinstance(existing, EndpointAcceptance):
        return existing
    return EndpointAcceptance(
        parent, acceptance_id, service_id=service_id, vpc_endpoint_id=vpc_endpoint_id
    )


def _placement(service: IConstruct, endpoint: IConstruct) -> Placement | None:
    """Tell where the acceptance goes: ``service``, ``endpoint`` or ``library``; None: unknown.

    An imported endpoint (no construct of the app) exists already: the service's
    construct. An endpoint in the service's own stack: under the endpoint. Else a
    library-made stack of the service's environment, which must be known: both stacks
    pinned, or both environment-agnostic (the same environment, the one the CLI is given).
    """
    if not isinstance(endpoint, Construct):
        return "service"
    service_at, endpoint_at = scope_facts(service), scope_facts(endpoint)
    if endpoint_at.stack is service_at.stack:
        return "endpoint"
    env = service_at.env
    agnostic = is_token(env.account) or is_token(env.region)
    if agnostic:
        return "library" if env.same_as(endpoint_at.env) else None
    if env.same_as(endpoint_at.env) is None:
        return None
    return "library"
