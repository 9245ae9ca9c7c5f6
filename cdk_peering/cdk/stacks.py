"""The stacks the library makes beside a user's stack, and what a stack deploys after.

Some resources must be deployed in another account or region than the construct that
asks for them, and after a stack of the user's (a peering's accepter routes after the
connection, an endpoint's acceptance after the endpoint, a zone association after the
zone): they go to a stack the library makes once per kind and environment, a sibling of
the user's stack named ``<stack id>-<kind>-<account>-<region>``, that reads every value
of another stack weakly (``Fn::GetStackOutput``) and deploys after the user's stack.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import aws_cdk as cdk
from constructs import Construct

from .. import rule_ids
from ..findings import Finding
from ..model.env import Env
from ..model.tokens import is_token
from .app_context import AppContext


def find_library_stack(anchor: cdk.Stack, kind: str, account: str, region: str) -> cdk.Stack | None:
    """Return the library-made stack of one kind beside ``anchor`` in an environment, if made."""
    made = AppContext.of(anchor).library_stacks.get((anchor, kind, account, region))
    if made is not None:
        return made
    parent, stack_id = _place(anchor, kind, account, region)
    existing = parent.node.try_find_child(stack_id)
    return existing if isinstance(existing, cdk.Stack) else None


def library_stack(
    anchor: cdk.Stack, kind: str, account: str, region: str, *, description: str, reads: str
) -> cdk.Stack:
    """Return the library-made stack of one kind beside ``anchor`` in an environment, made once.

    It is a sibling of ``anchor`` (so it can deploy after it without the stacks ``anchor``
    reads from depending on it), reads every value of another stack weakly, and deploys
    after ``anchor``; ``reads`` says why, in the manifest.
    """
    key = (anchor, kind, account, region)
    made = AppContext.of(anchor).library_stacks
    stack = made.get(key)
    if stack is not None:
        return stack
    parent, stack_id = _place(anchor, kind, account, region)
    existing = parent.node.try_find_child(stack_id)
    if isinstance(existing, cdk.Stack):
        return existing
    # The half of the environment that is known is kept: a stack with a Region but no
    # account (env=cdk.Environment(region=...)) reads other Regions' values only so.
    stack = made[key] = cdk.Stack(
        parent,
        stack_id,
        env=cdk.Environment(
            account=None if is_token(account) else account,
            region=None if is_token(region) else region,
        ),
        description=description,
    )
    # Every reference into this stack is read weakly (Fn::GetStackOutput).
    cdk.CrossStackReferences.of(stack).consume(cdk.ReferenceStrength.WEAK)
    depend(stack, anchor, reads)
    return stack


def _place(anchor: cdk.Stack, kind: str, account: str, region: str) -> tuple[Construct, str]:
    """Return the parent and the id of the library-made stack of one kind beside ``anchor``.

    Its id is ``<anchor id>-<kind>-<account>-<region>``, without the half of the
    environment that is unknown (``<anchor id>-<kind>-<region>`` for a stack with a Region
    but no account), or ``<anchor id>-<kind>`` for an environment-agnostic one.
    """
    node = anchor.node
    parent = node.scope
    assert isinstance(parent, Construct)
    known = [each for each in (account, region) if not is_token(each)]
    return parent, "-".join([node.id, kind, *known])


def depend(stack: cdk.Stack, other: cdk.Stack, reason: str) -> None:
    """Make ``stack`` deploy after ``other`` (``add_stack_dependency``), remembering why."""
    stack.add_stack_dependency(other, reason)
    record_dependency(stack, other, reason)


def record_dependency(stack: cdk.Stack, other: cdk.Stack, reason: str) -> None:
    """Remember that ``stack`` deploys after ``other`` because of the library, and why.

    For a value of ``other`` that ``stack`` reads: aws-cdk-lib adds that dependency only
    at synth, so :func:`deploys_after` would not see it before.
    """
    if stack is not other:
        AppContext.of(stack).dependencies.setdefault(stack, {}).setdefault(other, reason)


def record_read(stack: cdk.Stack, other: cdk.Stack, value: str) -> None:
    """Remember that ``stack`` reads ``value`` (a reference) of ``other``: it deploys after it."""
    known = AppContext.of(stack).dependencies.setdefault(stack, {})
    if other in known or stack is other:
        return
    from .references import referenced_resource

    resource = referenced_resource(value)
    known[other] = (
        f"reads {resource.node.path.removesuffix('/Resource')}"
        if resource is not None
        else "reads a value of it"
    )


Dependencies = dict[cdk.Stack, dict[cdk.Stack, str]]
"""What each stack deploys after because of the library, and why (``AppContext``)."""


def _after(stack: cdk.Stack, known: Dependencies) -> list[tuple[cdk.Stack, str]]:
    """Return the stacks ``stack`` deploys after directly, each with why (if known)."""
    why = known.get(stack, {})
    found = [(each, why.get(each, "depends on it")) for each in stack.dependencies]
    found += [(each, reason) for each, reason in why.items() if each not in dict(found)]
    return found


def dependency_chain(stack: cdk.Stack, other: cdk.Stack) -> list[tuple[cdk.Stack, cdk.Stack, str]]:
    """Return how ``stack`` deploys after ``other``, directly or through other stacks.

    Each link is (a stack, the stack it deploys after, why); empty when it does not. The
    dependencies added so far count (``add_stack_dependency``, the user's and the
    library's), and the reads the library made (:func:`record_dependency`); aws-cdk-lib
    records those of the user's own references only at synth.
    """
    known = AppContext.of(stack).dependencies
    came_from: dict[str, tuple[cdk.Stack, cdk.Stack, str] | None] = {stack.node.path: None}
    todo = [stack]
    while todo:
        current = todo.pop(0)
        for each, reason in _after(current, known):
            path = each.node.path
            if path in came_from:
                continue
            came_from[path] = (current, each, reason)
            if each is other:
                chain: list[tuple[cdk.Stack, cdk.Stack, str]] = []
                link = came_from[path]
                while link is not None:
                    chain.insert(0, link)
                    link = came_from[link[0].node.path]
                return chain
            todo.append(each)
    return []


def deploys_after(stack: cdk.Stack, other: cdk.Stack) -> bool:
    """Tell whether ``stack`` depends on ``other``, directly or through other stacks.

    As :func:`dependency_chain` tells it.
    """
    return bool(dependency_chain(stack, other))


def dependency_cycles(
    path: str, construct: str, stack: cdk.Stack, reads: Sequence[tuple[cdk.Stack, str]]
) -> list[Finding]:
    """Return the problem of reads from stacks that already deploy after ``stack``.

    ``construct`` (``VpcPeering``) in ``stack`` would read, of each stack of ``reads``,
    what the text says (``the accepter VPC id``): ``stack`` would deploy after it, and if
    it deploys after ``stack`` already, the two form a cycle aws-cdk-lib refuses
    (``DependencyCycle``) and CloudFormation could not deploy.
    """
    findings: list[Finding] = []
    seen: set[str] = set()
    for other, what in reads:
        if other is stack or other.node.path in seen:
            continue
        seen.add(other.node.path)
        chain = dependency_chain(other, stack)
        if not chain:
            continue
        here, there = stack.stack_name, other.stack_name
        how = "; ".join(
            f"{a.stack_name} deploys after {b.stack_name}: it {reason}" for a, b, reason in chain
        )
        same_env = Env(other.account, other.region).same_as(Env(stack.account, stack.region))
        where = (
            f"stack {there} (which deploys after {here} already) or in a stack of its own "
            "that deploys after both"
            if same_env
            else f"a stack of its own, of the environment of {here}, that deploys after both"
        )
        findings.append(
            Finding(
                path,
                rule_ids.DEPENDENCY_CYCLE,
                f"This {construct} in stack {here} reads {what} of stack {there}, so {here} "
                f"would deploy after {there}; but {there} deploys after {here} already "
                f"({how}): a dependency cycle, which aws-cdk-lib refuses (DependencyCycle) "
                "and CloudFormation could not deploy.",
                f"Define the {construct} in {where}, or remove what makes {there} deploy "
                f"after {here}.",
            )
        )
    return findings


class NoExecutionRole(enum.Enum):
    """Why a stack's CloudFormation execution role cannot be named."""

    NONE = "none"
    """The synthesizer names none: CloudFormation deploys with the deployer's credentials
    (``CliCredentialsStackSynthesizer``, ``LegacyStackSynthesizer``, a custom one)."""
    UNREADABLE = "unreadable"
    """A ``DefaultStackSynthesizer`` (or subclass) made in Python: aws-cdk-lib binds a copy
    of it to the stack, and jsii hands Python the unbound original, whose role reads None."""


def execution_role_arn(
    stack: cdk.Stack, *, account: str, region: str, partition: str
) -> str | NoExecutionRole:
    """Return the CloudFormation execution role ARN of ``stack``'s synthesizer, for an account.

    The role CloudFormation deploys ``stack`` with, as its synthesizer names it
    (``DefaultStackSynthesizer``: ``cdk-<qualifier>-cfn-exec-role-<account>-<region>``, the
    qualifier the app's ``@aws-cdk/core:bootstrapQualifier`` or the default), written for
    ``account`` and ``region``: the stack's own literal account and region, and the
    placeholders ``${AWS::AccountId}`` and ``${AWS::Region}`` of an environment-agnostic
    stack, become them (so one stack's synthesizer can stand for a stack outside the app);
    ``${AWS::Partition}`` becomes ``partition``. A nested stack is deployed with its
    parent's role. Without a name, why not (:class:`NoExecutionRole`).
    """
    while stack.nested_stack_parent is not None:
        stack = stack.nested_stack_parent
    synthesizer = stack.synthesizer
    arn = synthesizer.cloud_formation_execution_role
    if arn is None:
        if isinstance(synthesizer, cdk.DefaultStackSynthesizer):
            return NoExecutionRole.UNREADABLE
        return NoExecutionRole.NONE
    for own, placeholder in (
        (stack.account, "${AWS::AccountId}"),
        (stack.region, "${AWS::Region}"),
    ):
        if not cdk.Token.is_unresolved(own):
            arn = arn.replace(own, placeholder)
    return (
        arn.replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", partition)
    )
