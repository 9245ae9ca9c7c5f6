"""The one error type cdk_peering raises for a configuration AWS would not deploy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def child_path(parent_path: str, id: str) -> str:
    """Return the path a construct ``id`` will have under a parent, before it exists.

    Validation runs before ``super().__init__``, so that nothing is added on error.
    """
    return f"{parent_path}/{id}" if parent_path else id


@dataclass(frozen=True)
class Problem:
    """One configuration problem: where it is, what is wrong, and how to fix it."""

    path: str
    """The construct path the problem belongs to."""
    rule: str
    """The stable id of the rule that found it."""
    message: str
    """What is wrong, naming the offending value."""
    fix: str
    """What to change."""

    def __str__(self) -> str:
        return f"[{self.path}] {self.message} Fix: {self.fix} ({self.rule})"


class ValidationError(ValueError):
    """A configuration that AWS would reject or that would not work, found at synth time.

    Raised before anything is added to the construct tree, so no half-built template is
    left behind. ``problems`` lists every problem found, not only the first.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems:\n" + "\n".join(
                f"- {problem}" for problem in self.problems
            )
        super().__init__(text)
