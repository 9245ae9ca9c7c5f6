"""AppContext: the one place that remembers things per app, scope and VPC.

Every read of a construct's property is a round trip to the jsii Node.js process, so what
the library reads about a scope (its path, stack, environment) and a VPC (its blocks and
subnets) is read once and kept here, keyed by the construct objects (weakly: nothing is
kept alive past its app). Per app, the context holds what the peerings built so far (the
rules' :class:`~cdk_peering.rules.registry.Registry`), the quota context values, and one
instance of each app-wide validation.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import IConstruct

from ..model.env import Env
from ..model.quotas import PEERINGS_QUOTA_CONTEXT, ROUTES_QUOTA_CONTEXT
from ..rules.registry import Registry
from .vpcs import SiblingCache, VpcFacts

T = TypeVar("T")


def child_path(parent_path: str, id: str) -> str:
    """Return the path a construct ``id`` will have under a parent, before it exists.

    Validation runs before ``super().__init__``, so that nothing is added on error.
    """
    return f"{parent_path}/{id}" if parent_path else id


@dataclass
class AppContext:
    """What cdk_peering keeps for one app."""

    registry: Registry
    """What the app's peerings have built so far, for the rules to check against."""
    peerings_quota_context: object
    """The context value ``cdk-peering:activePeeringsPerVpcQuota`` (None: not set)."""
    routes_quota_context: object
    """The context value ``cdk-peering:routesPerRouteTableQuota`` (None: not set)."""
    root: weakref.ref[IConstruct]
    """The app's root construct."""
    library_stacks: dict[tuple[cdk.Stack, str, str, str], cdk.Stack] = field(
        default_factory=dict[tuple[cdk.Stack, str, str, str], cdk.Stack]
    )
    """The stacks the library made beside the app's, by (anchor, kind, account, region)."""
    dependencies: dict[cdk.Stack, dict[cdk.Stack, str]] = field(
        default_factory=dict[cdk.Stack, dict[cdk.Stack, str]]
    )
    """What each stack deploys after because of the library, and why (its first reason):
    the stack dependencies it adds, and the values of other stacks it reads (aws-cdk-lib
    adds those dependencies only at synth, too late to tell a cycle in our words)."""
    _singletons: dict[type, object] = field(default_factory=dict[type, object])

    @staticmethod
    def of(scope: IConstruct) -> AppContext:
        """Return the context of ``scope``'s app (made on first use).

        Reads only the scope's root (two round trips, once per scope): not its path, stack
        and environment, as :func:`scope_facts` does.
        """
        known = _scopes.get(scope)
        if known is not None:
            return known.context
        context = _contexts.get(scope)
        if context is None:
            context = _contexts[scope] = AppContext.of_root(scope.node.root)
        return context

    @staticmethod
    def of_root(root: IConstruct) -> AppContext:
        """Return the context of the app whose root construct is ``root``."""
        context = _contexts.get(root)
        if context is None:
            node = root.node
            context = _contexts[root] = AppContext(
                registry=Registry(),
                peerings_quota_context=node.try_get_context(PEERINGS_QUOTA_CONTEXT),
                routes_quota_context=node.try_get_context(ROUTES_QUOTA_CONTEXT),
                root=weakref.ref(root),
            )
        return context

    def singleton(self, kind: type[T], make: Callable[[], T]) -> T:
        """Return the app's one instance of ``kind``, made by ``make`` the first time."""
        existing = self._singletons.get(kind)
        if existing is None:
            existing = self._singletons[kind] = make()
        assert isinstance(existing, kind)
        return existing


@dataclass(frozen=True)
class ScopeFacts:
    """A scope as the constructs under it need it, read once."""

    path: str
    context: AppContext
    stack: cdk.Stack
    env: Env

    def vpc_env(self, facts: VpcFacts) -> Env:
        """Return a VPC's (account, region), reading it only when it can differ from here."""
        if facts.built_in_app and facts.stack is self.stack:
            return self.env
        return facts.env


_contexts: weakref.WeakKeyDictionary[IConstruct, AppContext] = weakref.WeakKeyDictionary()
"""The context of each app by its root, and of each scope ``AppContext.of`` has read."""
_scopes: weakref.WeakKeyDictionary[IConstruct, ScopeFacts] = weakref.WeakKeyDictionary()
_vpcs: weakref.WeakKeyDictionary[ec2.IVpc, VpcFacts] = weakref.WeakKeyDictionary()


def scope_facts(scope: IConstruct) -> ScopeFacts:
    """Return a scope's path, stack, environment and app context, read once per scope.

    Many peerings share a scope; each read is a jsii round trip.
    """
    known = _scopes.get(scope)
    if known is None:
        node = scope.node
        context = AppContext.of_root(node.root)
        stack = cdk.Stack.of(scope)
        known = _scopes[scope] = ScopeFacts(
            node.path, context, stack, Env(stack.account, stack.region)
        )
    return known


def vpc_facts(vpc: ec2.IVpc, siblings: SiblingCache | None = None) -> VpcFacts:
    """Read (once) and return what the library needs to know about ``vpc``.

    Secondary CIDR blocks are found as CfnVPCCidrBlock children or siblings of the Vpc;
    declare them before the first peering that uses the VPC. ``siblings`` lets a caller
    that reads many VPCs at once (a topology, with no user code in between) read each
    parent's children once instead of once per VPC.
    """
    cached = _vpcs.get(vpc)
    if cached is None:
        cached = _vpcs[vpc] = VpcFacts(vpc, siblings)
    return cached
