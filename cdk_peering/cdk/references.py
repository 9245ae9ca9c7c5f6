"""Reading a value of another stack weakly (``Fn::GetStackOutput``)."""

from __future__ import annotations

import aws_cdk as cdk

from ..model.tokens import is_token
from .app_context import AppContext
from .late_checks import LateChecks
from .stacks import record_read


def read_weakly(value: str, producer: cdk.Stack | None, consumer: cdk.Stack | None) -> str:
    """Return ``value`` as ``consumer`` should read it: weakly when it crosses stacks.

    A reference to another stack becomes ``Fn::GetStackOutput`` whatever the app's
    default strength (``Stack.consume_reference``): no export locks the producer, and it
    works across regions and accounts. aws-cdk-lib reads a default strength from the
    consuming stack only, so a construct cannot set one for its own resources. Nothing to
    do (no jsii call) for a literal, the same stack, or a consumer of None (a stack the
    library made, which reads weakly already).
    """
    if producer is None or consumer is None or producer is consumer or not is_token(value):
        return value
    # aws-cdk-lib's "defaulting to strong" warning is then checked at synth.
    LateChecks.of(AppContext.of(consumer)).weak_reads = True
    try:
        weak = cdk.Stack.consume_reference(value, cdk.ReferenceStrength.WEAK)
    except RuntimeError:
        return value  # not a resource attribute (a parameter, an import): left as it is
    # aws-cdk-lib adds the stack dependency at synth; the library's cycle checks need it now.
    record_read(consumer, producer, value)
    return weak


def referenced_resource(value: str) -> cdk.CfnResource | None:
    """Return the resource of the app a token refers to (a Ref or an attribute), if any."""
    try:
        reference = cdk.Tokenization.reverse(value)
    except RuntimeError:  # a string that joins a token with more text
        return None
    if isinstance(reference, cdk.Reference) and isinstance(reference.target, cdk.CfnResource):
        return reference.target
    return None
