"""CDK tokens as they appear in strings, told apart without a round trip to Node.js."""

from __future__ import annotations

_TOKEN_MARKERS = ("${Token[", "#{Token[")


def is_token(value: str) -> bool:
    """Tell whether a string holds an unresolved CDK token.

    Same answer as ``Token.is_unresolved`` for strings, without a round trip to Node.js.
    """
    return any(marker in value for marker in _TOKEN_MARKERS)


def differs(left: str, right: str) -> bool:
    """Tell whether two account ids, regions or VPC ids are known to differ (no token)."""
    return left != right and not is_token(left) and not is_token(right)
