"""The one error type cdk_peering raises for a configuration AWS would not deploy."""

from __future__ import annotations

from collections.abc import Sequence

from .findings import Finding

Problem = Finding
"""One configuration problem: ``Problem(path, rule, message, fix)``, an error Finding."""


class ValidationError(ValueError):
    """A configuration that AWS would reject or that would not work, found at synth time.

    Raised before anything is added to the construct tree, so no half-built template is
    left behind. ``problems`` lists every problem found, not only the first.
    """

    def __init__(self, problems: Sequence[Finding]) -> None:
        self.problems: tuple[Finding, ...] = tuple(problems)
        if len(self.problems) == 1:
            text = self.problems[0].render()
        else:
            text = f"{len(self.problems)} problems:\n" + "\n".join(
                f"- {problem.render()}" for problem in self.problems
            )
        super().__init__(text)


def raise_errors(findings: Sequence[Finding]) -> list[Finding]:
    """Raise every error among ``findings`` at once; return the warnings."""
    errors = [finding for finding in findings if finding.error]
    if errors:
        raise ValidationError(errors)
    return [finding for finding in findings if not finding.error]
