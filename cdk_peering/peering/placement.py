"""Where each part of a peering goes, by the accounts and regions of its two VPCs.

The connection must be created in the requester's account and region; routes must be
deployed in the account and region that own their route tables. Across environments the
accepter's side goes to a stack the library makes beside the requester's (or to
``accepter_scope``), and the stacks are ordered so that ``cdk deploy --all`` works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import rule_ids
from ..cdk.app_context import ScopeFacts
from ..cdk.stacks import depend, dependency_cycles, find_library_stack, library_stack
from ..cdk.vpcs import VpcFacts
from ..findings import Finding, listing
from ..model.env import Env
from ..model.tokens import differs, is_token

if TYPE_CHECKING:
    from .accepter_role import PeeringAccepterRole


def environment_mismatch(
    path: str, here: ScopeFacts, *, side: str, vpc_env: Env, reason: str, fix: str
) -> list[Finding]:
    """Return the problem when one side's VPC is outside the stack's account or region.

    The rule is ``cdk_peering:<side>Environment``; nothing when the two may be the same.
    """
    if not (vpc_env.other_account(here.env) or vpc_env.other_region(here.env)):
        return []
    return [
        Finding(
            path,
            rule_ids.REQUESTER_ENVIRONMENT
            if side == "requester"
            else rule_ids.ACCEPTER_ENVIRONMENT,
            f"The {side} VPC is in {vpc_env}, but the stack "
            f"{here.stack.stack_name} is in {here.env}; {reason}",
            fix,
        )
    ]


@dataclass(frozen=True)
class Where:
    """Where a VPC (or a construct) is, as a message about environments names it."""

    label: str
    """What it is: the parameter that gave the VPC, and its path (``accepter_vpc Net/B``)."""
    stack: str
    """The name of its stack."""
    env: Env

    @property
    def words(self) -> str:
        """Name it with its stack and environment: ``vpcs[0] Net/A (stack Net, 1111.../...)``."""
        if self.env.agnostic:
            return f"{self.label} (environment-agnostic stack {self.stack})"
        return f"{self.label} (stack {self.stack}, {self.env})"


def vpc_where(param: str, facts: VpcFacts, env: Env) -> Where:
    """Name a VPC given as ``param`` with its stack and environment, for a message."""
    return Where(f"{param} {facts.path}", facts.stack.stack_name, env)


def stack_mixes_with(
    path: str, construct: str, here: ScopeFacts, where: Where, fix: str
) -> Finding:
    """Say that a VPC (or a scope) and the stack of ``construct`` mix kinds of environment.

    One is environment-agnostic where the other is pinned: ``where`` names it.
    """
    return Finding(
        path,
        rule_ids.MIXED_ENVIRONMENTS,
        f"{where.words} and this {construct}'s stack {here.stack.stack_name} ("
        f"{'environment-agnostic' if here.env.agnostic else here.env}) are not both "
        "environment-agnostic or both pinned: whether they share an account and Region "
        "cannot be told, and aws-cdk-lib cannot reference values between them.",
        fix,
    )


def mixed_environments(
    path: str, agnostic: list[Where], pinned: list[Where], *, imported_fix: str = ""
) -> Finding:
    """Say that VPCs of environment-agnostic stacks are peered with VPCs of pinned ones.

    ``agnostic``: the VPCs whose environment has tokens where their peers' is known;
    ``pinned``: those peers. ``imported_fix``: one more way out, for an imported VPC.
    """
    stacks = list(dict.fromkeys(where.stack for where in agnostic))
    return Finding(
        path,
        rule_ids.MIXED_ENVIRONMENTS,
        f"{listing([w.words for w in agnostic])} {'are' if len(agnostic) > 1 else 'is'} "
        f"peered with {listing([w.words for w in pinned])}: whether they share an account "
        "and Region cannot be told, and aws-cdk-lib cannot reference values between a stack "
        "with an explicit environment and one without.",
        f"Give {'stacks' if len(stacks) > 1 else 'stack'} {listing(stacks)} an explicit "
        "env=cdk.Environment(account=..., region=...) (where it deploys), or define every "
        f"VPC of the peering in stacks without one{imported_fix}.",
    )


ACCEPTER_KIND = "PeeringAccepter"
"""The kind of the library-made stacks of accepter sides (``<stack id>-PeeringAccepter-...``)."""


def find_accepter_stack(requester_stack: cdk.Stack, account: str, region: str) -> cdk.Stack | None:
    """Return the stack that holds accepter sides in ``account``/``region``, if made."""
    return find_library_stack(requester_stack, ACCEPTER_KIND, account, region)


def accepter_stack(requester_stack: cdk.Stack, account: str, region: str) -> cdk.Stack:
    """Return the stack that holds accepter sides in ``account``/``region``, made once.

    It is a sibling of the requester's stack, so it deploys after it (it reads the
    connection id) without the accepter VPC's own stack depending on the requester's.
    """
    return library_stack(
        requester_stack,
        ACCEPTER_KIND,
        account,
        region,
        description=(
            f"Accepter side (routes, options, tags) of the VPC peering connections requested "
            f"by {requester_stack.stack_name}"
        ),
        reads="reads the peering connection id",
    )


@dataclass(frozen=True)
class Placement:
    """Where each part of a peering goes, by the accounts and regions of the two VPCs."""

    path: str
    """The peering's construct path."""
    here: ScopeFacts
    requester_env: Env
    account: str
    """The accepter's account."""
    region: str
    """The accepter's region."""
    role: iam.IRole | None
    accepter_role: PeeringAccepterRole | None
    """The role when it is a PeeringAccepterRole of this app (what it accepts is known)."""
    scope: Construct | None
    requester_only: bool
    accepter_options: tuple[str, ...]
    """The accepter-side props given (accepter_scope, accepter_subnets, ...)."""
    accepter_env_given: bool = False
    """True when accepter_account or accepter_region was given (not read from the VPC)."""

    @property
    def side_id(self) -> str:
        """The id of the construct that holds the accepter side in another stack."""
        return self.path.replace("/", "-")

    @property
    def cross_account(self) -> bool:
        """Tell whether the accepter is in another account than the connection's stack."""
        return differs(self.here.env.account, self.account)

    @property
    def cross_region(self) -> bool:
        """Tell whether the accepter is in another region than the connection's stack."""
        return differs(self.here.env.region, self.region)

    @property
    def crosses_environments(self) -> bool:
        """Tell whether the two sides are in different accounts or regions."""
        return self.cross_account or self.cross_region

    def check(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problems with where the peering's parts would go."""
        findings = environment_mismatch(
            self.path,
            self.here,
            side="requester",
            vpc_env=self.requester_env,
            reason="a peering connection must be created in the requester's account and region.",
            fix="Define the VpcPeering in a stack of the requester VPC's account and "
            "region (or swap requester and accepter).",
        )
        mixed = self._mixed_environments(requester, accepter)
        findings += mixed or self._unknown_environment()
        findings += self._check_role(requester, accepter)
        findings += self._check_cycles(requester, accepter)
        if self.requester_only and self.accepter_options:
            findings.append(
                Finding(
                    self.path,
                    rule_ids.REQUESTER_ONLY_WITH_ACCEPTER_OPTIONS,
                    f"requester_only is set, but {' and '.join(self.accepter_options)} "
                    f"{'is' if len(self.accepter_options) == 1 else 'are'} given: they shape "
                    "the accepter side, which this app does not manage.",
                    "Give either requester_only or the accepter-side options.",
                )
            )
        elif self.scope is not None:
            findings.extend(self._check_scope(requester, accepter))
        if not self.requester_only and (self.scope is not None or self.crosses_environments):
            findings.extend(self._check_side_id())
        return findings

    def _mixed_environments(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problem of a VPC of another kind of environment than this stack's.

        Known where the stack's is not, or the other way round (accepter_account and
        accepter_region given by hand are ``_unknown_environment``'s).
        """
        here = self.here
        if self.requester_env.mixes_with(here.env):
            # Said alone: the accepter's check below compares with this stack's environment.
            return [
                stack_mixes_with(
                    self.path,
                    "VpcPeering",
                    here,
                    vpc_where("requester_vpc", requester, self.requester_env),
                    "Define the VpcPeering in a stack of the requester VPC's environment (its "
                    "own stack), or give both stacks an explicit env=cdk.Environment("
                    "account=..., region=...).",
                )
            ]
        accepter_env = Env(self.account, self.region)
        read = accepter.built_in_app and accepter.stack is not here.stack
        if (read and accepter.env.mixes_with(here.env)) or (
            not self.accepter_env_given and accepter_env.mixes_with(here.env)
        ):
            env = accepter.env if read else accepter_env
            ours = vpc_where("requester_vpc", requester, self.requester_env)
            theirs = vpc_where("accepter_vpc", accepter, env)
            agnostic, pinned = ([ours], [theirs]) if here.env.hides(env) else ([theirs], [ours])
            return [
                mixed_environments(
                    self.path,
                    agnostic,
                    pinned,
                    imported_fix=""
                    if accepter.built_in_app
                    else " (or, for a VPC imported by id, give accepter_account and "
                    "accepter_region)",
                )
            ]
        return []

    def _unknown_environment(self) -> list[Finding]:
        """Return the problem when the accepter's environment is known but the stack's not."""
        unknown = [
            f"{what} {theirs}"
            for what, theirs, ours in (
                ("account", self.account, self.here.env.account),
                ("region", self.region, self.here.env.region),
            )
            if is_token(ours) and not is_token(theirs)
        ]
        if not unknown:
            return []
        stack = self.here.stack.stack_name
        return [
            Finding(
                self.path,
                rule_ids.REQUESTER_ENVIRONMENT_UNKNOWN,
                f"The accepter VPC is in {' and '.join(unknown)}, but the stack {stack} is "
                "environment-agnostic: whether the peering crosses accounts or regions "
                "(PeerOwnerId, PeerRegion, the accepter role, the stack of the accepter's "
                "routes) cannot be told.",
                f"Give the stack {stack} an explicit env=cdk.Environment(account=..., "
                "region=...), or leave accepter_account and accepter_region out for an "
                "accepter in the stack's own environment.",
            )
        ]

    def _check_role(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problems with the accepter role (missing, not needed, mismatched)."""
        stack_account = self.here.env.account
        if self.cross_account and self.role is None and self.requester_only:
            return [
                Finding(
                    self.path,
                    rule_ids.ACCEPTER_ROLE_MISSING,
                    f"requester_only is set and the accepter VPC is in account {self.account}, "
                    f"the requester in {stack_account}: CloudFormation accepts every "
                    "connection it creates, across accounts only by assuming a role in the "
                    "accepter's account (PeerRoleArn); without one the stack fails ('cannot "
                    "accept peering'). A request left pending for the owner to accept cannot "
                    "be made with CloudFormation.",
                    f"Ask the accepter VPC's owner for a role in account {self.account} that "
                    f"trusts account {stack_account} and allows ec2:AcceptVpcPeeringConnection "
                    "(they can deploy a cdk_peering.PeeringAccepterRole), and pass it as "
                    "accepter_role=iam.Role.from_role_arn(...).",
                )
            ]
        if self.cross_account and self.role is None:
            return [
                Finding(
                    self.path,
                    rule_ids.ACCEPTER_ROLE_MISSING,
                    f"The accepter VPC is in account {self.account}, the requester in "
                    f"{stack_account}: CloudFormation can accept the connection only by "
                    "assuming a role in the accepter account; without it the stack fails "
                    "('cannot accept peering').",
                    "Add a cdk_peering.PeeringAccepterRole to a stack of the accepter account "
                    "and pass it as accepter_role (or iam.Role.from_role_arn(...) for "
                    "a role made elsewhere).",
                )
            ]
        if self.role is None:
            return []
        if not self.cross_account and not (is_token(stack_account) or is_token(self.account)):
            return [
                Finding(
                    self.path,
                    rule_ids.ACCEPTER_ROLE_NOT_NEEDED,
                    f"accepter_role is given, but both VPCs are in account {stack_account}: "
                    "CloudFormation accepts a same-account connection itself.",
                    "Leave accepter_role out.",
                )
            ]
        if not self.cross_account:
            stack = self.here.stack.stack_name
            return [
                Finding(
                    self.path,
                    rule_ids.REQUESTER_ENVIRONMENT_UNKNOWN,
                    f"accepter_role is given, but the account of the stack {stack} or of the "
                    "accepter VPC is not known: whether the peering crosses accounts "
                    "(PeerOwnerId) cannot be told, and without PeerOwnerId the connection "
                    "would look for the accepter VPC in the requester's own account.",
                    f"Give the stack {stack} an explicit env=cdk.Environment(account=..., "
                    "region=...) and give accepter_account (or import the accepter VPC with "
                    "its account).",
                )
            ]
        from .accepter_role import (  # loaded only when a role is given
            NO_PHYSICAL_NAME,
            role_fix,
            role_mismatches,
        )

        where, reasons = role_mismatches(
            self.accepter_role or self.role,
            requester_account=stack_account,
            requester_region=self.here.env.region,
            requester_vpc_id=requester.vpc_id,
            accepter_vpc=accepter.vpc,
            accepter_account=self.account,
            requester_stack=self.here.stack,
        )
        if not reasons:
            return []
        return [
            Finding(
                self.path,
                rule_ids.ACCEPTER_ROLE_MISMATCH,
                f"accepter_role {where} cannot accept this peering: {'; '.join(reasons)}."
                + (
                    ""
                    if all(reason.startswith(NO_PHYSICAL_NAME) for reason in reasons)
                    else " CloudFormation's accept would be denied and the stack would fail."
                ),
                "Give a role in the accepter's account that trusts the requester's account, "
                "names the requester's region and VPC (or none) and covers the accepter VPC."
                if self.accepter_role is not None
                else role_fix(self.role, self.account, stack_account),
            )
        ]

    def _check_cycles(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        """Return the problem of reading a stack that deploys after the connection's already."""
        reads = [
            (facts.stack, f"the {side} VPC id ({facts.path})")
            for side, facts in (("requester", requester), ("accepter", accepter))
            if facts.built_in_app
        ]
        role = self.role
        if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
            reads.append((cdk.Stack.of(role), "the accepter role"))
        return dependency_cycles(self.path, "VpcPeering", self.here.stack, reads)

    def _check_scope(self, requester: VpcFacts, accepter: VpcFacts) -> list[Finding]:
        assert self.scope is not None
        stack = cdk.Stack.of(self.scope)
        findings: list[Finding] = []
        scope_env = Env(stack.account, stack.region)
        if scope_env.mixes_with(self.here.env):
            findings.append(
                stack_mixes_with(
                    self.path,
                    "VpcPeering",
                    self.here,
                    Where(f"accepter_scope {self.scope.node.path}", stack.stack_name, scope_env),
                    "Give an accepter_scope in an environment-agnostic stack, as this "
                    "VpcPeering's is, or leave accepter_scope out."
                    if self.here.env.hides(scope_env)
                    else "Give an accepter_scope in a stack with an explicit env="
                    "cdk.Environment(account=..., region=...) of the accepter VPC's account and "
                    "Region, or leave accepter_scope out.",
                )
            )
        elif differs(stack.account, self.account) or differs(stack.region, self.region):
            findings.append(
                Finding(
                    self.path,
                    rule_ids.ACCEPTER_SCOPE_ENVIRONMENT,
                    f"accepter_scope is in stack {stack.stack_name} "
                    f"({stack.account}/{stack.region}), but the accepter VPC is in "
                    f"{self.account}/{self.region}; routes must be deployed in the account "
                    "and region that own their route tables.",
                    "Give an accepter_scope in a stack of the accepter's account and region.",
                )
            )
        upstream = self._upstream_of_connection(requester, accepter)
        why = next((reason for each, reason in upstream if each is stack), None)
        if why is not None:
            connection_stack = self.here.stack.stack_name
            findings.append(
                Finding(
                    self.path,
                    rule_ids.ACCEPTER_SCOPE_CYCLE,
                    f"accepter_scope is in {stack.stack_name}, which the connection's stack "
                    f"{connection_stack} deploys after ({why}); the accepter routes need the "
                    f"connection's id, so {stack.stack_name} would also deploy after "
                    f"{connection_stack}: a dependency cycle.",
                    "Put the accepter side in another stack of the accepter's account and "
                    "region, or leave accepter_scope out (the library makes one across "
                    "environments, and uses this construct otherwise).",
                )
            )
        return findings

    def _upstream_of_connection(
        self, requester: VpcFacts, accepter: VpcFacts
    ) -> list[tuple[cdk.Stack, str]]:
        """Return the stacks the connection's stack deploys after, each with the reason.

        The VPCs' stacks (it reads their ids), the role's stack, and what those and the
        connection's stack already depend on, transitively.
        """
        here = self.here.stack
        found: list[tuple[cdk.Stack, str]] = []
        todo: list[tuple[cdk.Stack, str]] = [
            (facts.stack, f"it reads the {side} VPC id")
            for side, facts in (("requester", requester), ("accepter", accepter))
            if facts.built_in_app and facts.stack is not here
        ]
        role = self.role
        if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
            todo.append((cdk.Stack.of(role), "it reads the accepter role"))
        todo += [(each, "it depends on it") for each in here.dependencies]
        while todo:
            stack, reason = todo.pop()
            if stack is here or any(stack is known for known, _ in found):
                continue
            found.append((stack, reason))
            todo += [(each, f"{reason}, through {stack.stack_name}") for each in stack.dependencies]
        return found

    def _check_side_id(self) -> list[Finding]:
        """Return the problem when the accepter side's id is taken where it would go."""
        parent: Construct | None = self.scope or find_accepter_stack(
            self.here.stack, self.account, self.region
        )
        if parent is None or parent.node.try_find_child(self.side_id) is None:
            return []
        return [
            Finding(
                self.path,
                rule_ids.ACCEPTER_SIDE_CLASH,
                f"The accepter side would be {parent.node.path}/{self.side_id}, which another "
                "peering's accepter side already is (construct paths that differ only in '/' "
                "and '-' map to the same id there).",
                "Give this VpcPeering (or its parent) another id.",
            )
        ]

    def accepter_side(
        self, peering: Construct, accepter: VpcFacts
    ) -> tuple[Construct | None, cdk.Stack | None]:
        """Make the construct the accepter's routes go into; wire the stack dependencies.

        Also return its stack when the library did not make it (so reads from other
        stacks must be made weak one by one), else None.
        """
        requester_stack = self.here.stack
        if self.crosses_environments:
            if accepter.built_in_app and accepter.stack is not requester_stack:
                depend(requester_stack, accepter.stack, "reads the accepter VPC id")
            role = self.role
            if isinstance(role, Construct) and cdk.Resource.is_owned_resource(role):
                role_stack = cdk.Stack.of(role)
                if role_stack is not requester_stack:
                    depend(requester_stack, role_stack, "reads the accepter role")
        if self.requester_only:
            return None, None
        if self.scope is None and not self.crosses_environments:
            return peering, requester_stack
        parent = self.scope or accepter_stack(requester_stack, self.account, self.region)
        side = Construct(parent, self.side_id)
        side_stack = cdk.Stack.of(side)
        if side_stack is not requester_stack:
            depend(side_stack, requester_stack, "reads the peering connection id")
        return side, (side_stack if self.scope is not None else None)
