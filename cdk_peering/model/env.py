"""Where something is deployed: an account and a region (either may be a token)."""

from __future__ import annotations

from typing import NamedTuple

from .tokens import differs


class Env(NamedTuple):
    """An (account, region) pair; values may be unresolved tokens."""

    account: str
    region: str

    def other_account(self, other: Env) -> bool:
        """Tell whether ``other`` is known to be in another account."""
        return differs(self.account, other.account)

    def other_region(self, other: Env) -> bool:
        """Tell whether ``other`` is known to be in another region."""
        return differs(self.region, other.region)

    def same_as(self, other: Env) -> bool | None:
        """Tell whether ``other`` is this environment; None when a token keeps it unknown.

        Equal values are the same even as tokens: environment-agnostic stacks all deploy to
        the environment the CLI is given.
        """
        if self == other:
            return True
        if self.other_account(other) or self.other_region(other):
            return False
        return None

    def __str__(self) -> str:
        return f"{self.account}/{self.region}"
