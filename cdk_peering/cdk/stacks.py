"""The stacks the library makes beside a user's stack, and what a stack deploys after.

Some resources must be deployed in another account or region than the construct that
asks for them, and after a stack of the user's (a peering's accepter routes after the
connection, an endpoint's acceptance after the endpoint, a zone association after the
zone): they go to a stack the library makes once per kind and environment, a sibling of
the user's stack named ``<stack id>-<kind>-<account>-<region>``, that reads every value
of another stack weakly (``Fn::GetStackOutput``) and deploys after the user's stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct


def library_stack_id(anchor: cdk.Stack, kind: str, account: str, region: str) -> str:
    """Return the id of the library-made stack of one kind beside ``anchor`` in an environment."""
    return f"{anchor.node.id}-{kind}-{account}-{region}"


def find_library_stack(anchor: cdk.Stack, kind: str, account: str, region: str) -> cdk.Stack | None:
    """Return the library-made stack of one kind beside ``anchor`` in an environment, if made."""
    parent = anchor.node.scope
    assert isinstance(parent, Construct)
    existing = parent.node.try_find_child(library_stack_id(anchor, kind, account, region))
    return existing if isinstance(existing, cdk.Stack) else None


def library_stack(
    anchor: cdk.Stack, kind: str, account: str, region: str, *, description: str, reads: str
) -> cdk.Stack:
    """Return the library-made stack of one kind beside ``anchor`` in an environment, made once.

    It is a sibling of ``anchor`` (so it can deploy after it without the stacks ``anchor``
    reads from depending on it), reads every value of another stack weakly, and deploys
    after ``anchor``; ``reads`` says why, in the manifest.
    """
    existing = find_library_stack(anchor, kind, account, region)
    if existing is not None:
        return existing
    parent = anchor.node.scope
    assert isinstance(parent, Construct)
    stack = cdk.Stack(
        parent,
        library_stack_id(anchor, kind, account, region),
        env=cdk.Environment(account=account, region=region),
        description=description,
    )
    # Every reference into this stack is read weakly (Fn::GetStackOutput).
    cdk.CrossStackReferences.of(stack).consume(cdk.ReferenceStrength.WEAK)
    stack.add_stack_dependency(anchor, reads)
    return stack


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
