"""Where something is deployed: an account and a region (either may be a token)."""

from __future__ import annotations

import re
from typing import NamedTuple

from .tokens import differs, is_token

ACCOUNT_ID = re.compile(r"\d{12}")
"""An AWS account id: 12 digits (leading zeros kept)."""


def is_account_id(value: str) -> bool:
    """Tell whether ``value`` is an AWS account id (12 digits)."""
    return ACCOUNT_ID.fullmatch(value) is not None


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

    def mixes_with(self, other: Env) -> bool:
        """Tell whether one of the two is known where the other is not (a token).

        An environment-agnostic stack's account and Region are tokens: nothing can tell
        whether they are a pinned stack's, and aws-cdk-lib cannot reference values between
        a stack of an explicit Region and one without.
        """
        return self.hides(other) or other.hides(self)

    def hides(self, other: Env) -> bool:
        """Tell whether this environment is unknown (a token) where ``other`` is known."""
        return (is_token(self.account) and not is_token(other.account)) or (
            is_token(self.region) and not is_token(other.region)
        )

    @property
    def agnostic(self) -> bool:
        """Tell whether both the account and the Region are unknown (tokens)."""
        return is_token(self.account) and is_token(self.region)

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
