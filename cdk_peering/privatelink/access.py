"""Reading an endpoint service as the PrivateLink rules need it: name, Region, access.

A ``PrivateLinkService`` of the app (or any object with ``service_name`` and ``ports``,
and optionally ``allowed_regions`` and ``allowed_principals``), or a service's name, is
read once into an :class:`~cdk_peering.model.privatelink.EndpointServiceModel`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..cdk.app_context import scope_facts
from ..model.privatelink import EndpointServiceModel
from ..model.regions import REGION_NAME
from ..model.tokens import is_token

# com.amazonaws.vpce.<region>.vpce-svc-<id>: the name of an endpoint service, which names
# the service's Region.
_SERVICE_NAME_REGION = re.compile(rf"com\.amazonaws\.vpce\.({REGION_NAME.pattern})\.")


class EndpointServiceLike(Protocol):
    """An endpoint service the app defines: ``cdk_peering.PrivateLinkService`` or similar.

    An object that also has ``allowed_regions`` and ``allowed_principals``
    (:class:`EndpointServiceAccessLike`, as ``PrivateLinkService`` does) tells who may
    connect from where, and the endpoint checks itself against them.
    """

    @property
    def service_name(self) -> str:
        """The service's name, ``com.amazonaws.vpce.<region>.vpce-svc-...``."""
        ...

    @property
    def ports(self) -> Sequence[int]:
        """The ports the service listens on."""
        ...


@runtime_checkable
class EndpointServiceAccessLike(EndpointServiceLike, Protocol):
    """An :class:`EndpointServiceLike` that also tells who may connect from where."""

    @property
    def allowed_regions(self) -> Sequence[str]:
        """The Regions besides the service's own whose consumers may connect."""
        ...

    @property
    def allowed_principals(self) -> Sequence[iam.ArnPrincipal]:
        """The principals allowed to connect besides the service's account (``*``: all)."""
        ...


def describe_service(service: EndpointServiceLike | str, own_region: str) -> EndpointServiceModel:
    """Return what the endpoint (and its acceptance) need to know about ``service``."""
    if isinstance(service, str):
        return EndpointServiceModel(service, (), _name_region(service), service)
    name = service.service_name
    region = _name_region(name)
    label, account = name, None
    if isinstance(service, Construct):
        service_at = scope_facts(service)
        label = service_at.path
        account, stack_region = service_at.env
        if region is None and not is_token(stack_region):
            region = stack_region
            if is_token(name) and not is_token(own_region) and stack_region != own_region:
                # ec2.VpcEndpointService writes its name with the unscoped AWS::Region,
                # which in this stack would name this Region: keep the service's Region
                # and take only the vpce-svc-... id (the fifth dot-separated part).
                name = cdk.Fn.join(
                    ".",
                    ["com.amazonaws.vpce", region, cdk.Fn.select(4, cdk.Fn.split(".", name))],
                )
    resolved = EndpointServiceModel(name, tuple(service.ports), region, label, account)
    if not isinstance(service, EndpointServiceAccessLike):
        return resolved
    return replace(
        resolved,
        allowed_regions=tuple(service.allowed_regions),
        allowed_principals=tuple(map(principal_arn, service.allowed_principals)),
    )


def principal_arn(principal: iam.ArnPrincipal) -> str:
    """Return a principal's ARN; an account principal's as its root ARN.

    An ``iam.AccountPrincipal``'s own ARN is a token (it joins in the partition); its
    account id is what the access check needs.
    """
    if isinstance(principal, iam.AccountPrincipal):
        account = principal.account_id
        if isinstance(account, str) and not is_token(account):
            return f"arn:aws:iam::{account}:root"
    return principal.arn


def _name_region(name: str) -> str | None:
    match = _SERVICE_NAME_REGION.match(name)
    return match.group(1) if match else None
