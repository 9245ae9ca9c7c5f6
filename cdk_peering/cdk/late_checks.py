"""Checks that can only run at synth, once the whole app exists, reported as annotations.

Most problems are found before a construct adds anything to the tree and raised as a
:class:`~cdk_peering.ValidationError`. A few depend on what the app adds later (a security
group rule written after the peering, a CIDR block declared after it, the peering that
joins the VPCs a rule opens): those run once, at synth, as one validation of the app, and
report each problem as an **error annotation** on the construct it concerns, written as
every finding of the library (``[path] message Fix: fix (rule)``); a warning becomes a
warning annotation with its rule id, acknowledgeable as any other.

Why annotations rather than a failed validation: aws-cdk-lib raises a failed construct
validation from inside its JavaScript runtime, so Python shows it as a ``RuntimeError``
chained to a JavaScript stack trace. An error annotation is written into the cloud
assembly instead, and ``cdk synth`` / ``cdk deploy`` list it (``[Error at /path] ...``)
and stop, with no stack trace. What aws-cdk-lib allows, and what it does not: with the
feature flag ``@aws-cdk/core:annotationsInValidationReport`` on, aws-cdk-lib also puts the
error in its validation report, prints that report (cleanly), and then fails ``synth``
by raising from its runtime, with the JavaScript frames that brings; without the flag,
``app.synth()`` returns and the CLI reports the error. In tests, read the errors with
``aws_cdk.assertions.Annotations.from_stack(stack).find_error(...)`` (without the flag).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ec2 as ec2
from constructs import IConstruct, IValidation

from ..findings import Finding
from .annotations import warn
from .app_context import AppContext

LateCheck = Callable[[IConstruct], Iterable[tuple[IConstruct, Finding]]]
"""A check over the app (given its root): each problem with the construct to mark."""


@jsii.implements(IValidation)
class LateChecks:
    """The one validation per app that runs the late checks."""

    def __init__(self, root: IConstruct) -> None:
        self._root = weakref.ref(root)
        self._checks: dict[str, LateCheck] = {}
        self._reported: set[tuple[str, str]] = set()
        self._constructs: list[IConstruct] | None = None
        self._blocks: dict[str, list[ec2.CfnVPCCidrBlock]] | None = None
        self.weak_reads = False
        """True once the library has read a value of another stack weakly."""

    @staticmethod
    def of(context: AppContext) -> LateChecks:
        """Return the app's late checks, added to the app's root on first use."""

        def make() -> LateChecks:
            root = context.root()
            assert root is not None, "the app outlives its constructs"
            checks = LateChecks(root)
            root.node.add_validation(checks)
            return checks

        return context.singleton(LateChecks, make)

    def add(self, name: str, check: LateCheck) -> None:
        """Run ``check`` at synth (once per app, whatever the number of calls)."""
        self._checks.setdefault(name, check)

    def constructs(self) -> list[IConstruct]:
        """Return every construct of the app, read once per run of the checks.

        One ``find_all`` (a fraction of a second for an app of 25,000 constructs) that the
        checks that scan the whole app share.
        """
        if self._constructs is None:
            root = self._root()
            self._constructs = [] if root is None else list(root.node.find_all())
        return self._constructs

    def cidr_blocks(self) -> dict[str, list[ec2.CfnVPCCidrBlock]]:
        """Return every ``CfnVPCCidrBlock`` of the app by its ``vpc_id``, read once per run."""
        if self._blocks is None:
            self._blocks = {}
            for construct in self.constructs():
                if isinstance(construct, ec2.CfnVPCCidrBlock):
                    self._blocks.setdefault(construct.vpc_id, []).append(construct)
        return self._blocks

    def validate(self) -> list[str]:
        """Mark every problem with an error annotation; fail nothing directly."""
        root = self._root()
        if root is None:
            return []
        if self.weak_reads:
            _quiet_default_strength_warning(root)
        # The app may have grown since an earlier synth.
        self._constructs, self._blocks = None, None
        for check in self._checks.values():
            for construct, finding in check(root):
                text = finding.render()
                key = (construct.node.path, text)
                if key in self._reported:  # an app may be synthesized more than once
                    continue
                self._reported.add(key)
                if finding.error:
                    cdk.Annotations.of(construct).add_error(text)
                else:
                    warn(construct, [finding])
        return []


DEFAULT_STRENGTH_WARNING = "@aws-cdk/core:crossStackReferencesDefaultStrong"
"""aws-cdk-lib's warning id for an app without ``@aws-cdk/core:defaultCrossStackReferences``."""
_DEFAULT_STRENGTH_FLAG = "@aws-cdk/core:defaultCrossStackReferences"


def _quiet_default_strength_warning(root: IConstruct) -> None:
    """Acknowledge aws-cdk-lib's "defaulting to strong" warning when no reference is strong.

    aws-cdk-lib warns once per app, at the first cross-stack reference it resolves in an
    app without ``@aws-cdk/core:defaultCrossStackReferences``, whatever that reference's
    own strength: the library's weak reads alone would print it, telling the user that
    references default to strong when none of the app's is. When the app made no strong
    reference (no stack has exports, ``Exports``, or cross-region export writers,
    ``ExportsWriter...``), the warning is acknowledged on the app with that reason; when
    one is strong, it stays.
    """
    if root.node.try_get_context(_DEFAULT_STRENGTH_FLAG) is not None:
        return  # the app chose a strength: aws-cdk-lib does not warn
    if any(_exports(stack) for stack in _stacks(root)):
        return
    cdk.Annotations.of(root).acknowledge_warning(
        DEFAULT_STRENGTH_WARNING,
        "cdk_peering: every cross-stack reference of this app is weak (Fn::GetStackOutput); "
        "no export or cross-region export writer was made, so nothing defaults to strong.",
    )


def _stacks(scope: IConstruct) -> Iterable[cdk.Stack]:
    for child in scope.node.children:
        if isinstance(child, cdk.Stack):
            yield child
        elif isinstance(child, cdk.Stage):
            yield from _stacks(child)


def _exports(stack: cdk.Stack) -> bool:
    return any(child.node.id.startswith("Exports") for child in stack.node.children)
