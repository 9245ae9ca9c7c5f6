"""EndpointAcceptance: the deploy accepts an interface endpoint of the app, and only it.

An endpoint service that requires acceptance leaves every connection request
``pendingAcceptance`` until its owner accepts it. When the app declares both the service
and the endpoint, the deploy can accept exactly that endpoint, and strangers still wait.

AWS facts this relies on:

* the service's owner accepts with EC2 ``AcceptVpcEndpointConnections`` (``ServiceId``,
  ``VpcEndpointId.N``), in the service's account and Region (EC2 API reference; VPC
  PrivateLink guide, "Accept or reject connection requests"). The call succeeds even
  when it accepts nothing, listing those endpoints under ``Unsuccessful``, so calling
  it again for an accepted endpoint is harmless;
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
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk.app_context import scope_facts
from ..cdk.provider import allow, sdk_call
from ..cdk.references import read_weakly
from ..cdk.stacks import deploys_after, library_stack
from ..findings import Finding
from ..model.tokens import is_token

Placement = Literal["service", "endpoint", "library"]
"""Where an acceptance goes: the service's construct, the endpoint, a library-made stack."""

ACCEPTANCE_KIND = "EndpointAcceptance"
"""The kind of the library-made stacks of acceptances (``<stack id>-EndpointAcceptance-...``)."""


class EndpointAcceptance(Construct):
    """Accept one interface endpoint's connection to one endpoint service, at deploy time.

    An ``AwsCustomResource`` (``Custom::AWS``) calls EC2 ``AcceptVpcEndpointConnections``
    with ``ServiceId`` and ``VpcEndpointIds`` (this one endpoint) on create and update, in
    the stack's Region, and nothing on delete (deleting the endpoint removes its
    connection). Its provider's role may make that one call on this one endpoint service.

    Made by ``PrivateLinkService.accept_endpoint`` (and by a ``PrivateLinkEndpoint`` of a
    ``PrivateLinkService`` of the app), which puts it in a stack of the service's account
    and Region that deploys after the endpoint's.
    """

    def __init__(self, scope: Construct, id: str, *, service_id: str, vpc_endpoint_id: str) -> None:
        """Accept ``vpc_endpoint_id``'s connection to ``service_id``.

        :param scope: the parent construct, in a stack of the service's account and Region
            that deploys after the endpoint exists.
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
        self.custom_resource = sdk_call(
            self,
            "Resource",
            call=cr.AwsSdkCall(
                service="EC2",
                action="AcceptVpcEndpointConnections",
                parameters={"ServiceId": service_id, "VpcEndpointIds": [vpc_endpoint_id]},
                physical_resource_id=cr.PhysicalResourceId.of(f"{service_id}/{vpc_endpoint_id}"),
                region=stack.region,
            ),
            undo=None,
            statements=[
                allow(
                    stack,
                    "ec2:AcceptVpcEndpointConnections",
                    resource="vpc-endpoint-service",
                    resource_name=service_id,
                )
            ],
        )
        """The ``Custom::AWS`` resource that accepts the connection."""


def acceptance_placement(
    path: str, service: IConstruct, endpoint: IConstruct
) -> tuple[Placement | None, list[Finding]]:
    """Return where the acceptance goes (see :func:`accept`), or the problem: it cannot be told.

    The acceptance runs in the service's account and Region: in the endpoint's stack when
    that is the same environment, else in a stack of the service's environment. One
    environment-agnostic stack beside one with an explicit environment tells neither.
    ``endpoint`` may be the scope the endpoint is about to be made in.
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
            f"{service_at.env}: with environment-agnostic stacks, whether the "
            "acceptance (made in the service's account and Region, after the endpoint) "
            "belongs in the endpoint's stack or in a stack of the service's environment "
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

    In the endpoint's stack when it is in the service's account and Region and does not
    deploy before the service's stack (as the endpoint's own reads of the service make
    sure); else in a stack the library makes in the service's environment, beside the
    endpoint's stack, deploying after it and after the service's. An imported endpoint
    exists already: its acceptance goes in the service's construct. ``placement`` is
    what :func:`acceptance_placement` returned for the two.
    """
    service_at = scope_facts(service)
    service_stack, endpoint_stack = service_at.stack, cdk.Stack.of(endpoint)
    parent: Construct
    if not isinstance(endpoint, Construct) or placement == "service":
        dashed_path = endpoint.node.path.replace("/", "-")
        parent, acceptance_id = service, f"Acceptance-{dashed_path}"
    elif placement == "endpoint":
        parent, acceptance_id = endpoint, "Acceptance"
        if endpoint_stack is not service_stack:
            endpoint_stack.add_stack_dependency(service_stack, "reads the endpoint service id")
        service_id = read_weakly(service_id, service_stack, endpoint_stack)
    else:
        env = service_at.env
        stack = library_stack(
            endpoint_stack,
            ACCEPTANCE_KIND,
            env.account,
            env.region,
            description=(
                f"Acceptance of the interface endpoints of {endpoint_stack.stack_name} by "
                f"the endpoint services of {env}"
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

    An imported endpoint (no construct of the app) exists already: the service's stack.
    The endpoint's stack if it shares the service's environment and need not deploy
    before the service's; else a library-made stack, whose environment must be known.
    """
    if not isinstance(endpoint, Construct):
        return "service"
    service_at, endpoint_at = scope_facts(service), scope_facts(endpoint)
    env = service_at.env
    same = endpoint_at.stack is service_at.stack or env.same_as(endpoint_at.env)
    if same and not deploys_after(service_at.stack, endpoint_at.stack):
        return "endpoint"
    if same is None or is_token(env.account) or is_token(env.region):
        return None
    return "library"
