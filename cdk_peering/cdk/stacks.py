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

import aws_cdk as cdk
from constructs import Construct

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
    stack.add_stack_dependency(anchor, reads)
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


def deploys_after(stack: cdk.Stack, other: cdk.Stack) -> bool:
    """Tell whether ``stack`` depends on ``other``, directly or through other stacks.

    Only the dependencies recorded so far count: those added with ``add_stack_dependency``
    (as the library does); CDK records the ones of plain references at synth.
    """
    seen: set[str] = set()
    todo = list(stack.dependencies)
    while todo:
        each = todo.pop()
        if each is other:
            return True
        path = each.node.path
        if path not in seen:
            seen.add(path)
            todo.extend(each.dependencies)
    return False


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
