"""Checks that can only run at synth, once the whole app exists, reported as errors.

Most problems are found before a construct adds anything to the tree and raised as a
:class:`~cdk_peering.ValidationError`. A few depend on what the app adds later (a security
group rule written after the peering, a CIDR block declared after it): those run once, at
synth, as one validation of the app, and report each problem as an **error annotation**
on the construct it concerns, written as every finding of the library
(``[path] message Fix: fix (rule)``).

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
from constructs import IConstruct, IValidation

from ..findings import Finding
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

    def validate(self) -> list[str]:
        """Mark every problem with an error annotation; fail nothing directly."""
        root = self._root()
        if root is None:
            return []
        for check in self._checks.values():
            for construct, finding in check(root):
                text = finding.render()
                key = (construct.node.path, text)
                if key not in self._reported:  # an app may be synthesized more than once
                    self._reported.add(key)
                    cdk.Annotations.of(construct).add_error(text)
        return []
