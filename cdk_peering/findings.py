"""Finding: what a check found, and the one way every message is written.

Every error and warning of the library is a :class:`Finding`: where (a construct path),
which rule (an id from :mod:`cdk_peering.rule_ids`), what is wrong (naming the value)
and how to fix it. Errors are raised together as a :class:`cdk_peering.ValidationError`;
warnings go to the construct's annotations with the rule id, so a user can acknowledge
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WARNED = "cdk-peering:warning"
"""The metadata type that records, in the cloud assembly, which rule warned on a construct.

``Annotations.acknowledge_warning`` removes a warning and leaves no trace of it; this entry,
written beside each warning the library gives, stays. A reader of the assembly
(``python -m cdk_peering.connectivity --strict``) so tells an acknowledged warning (the
entry without its warning) from one never given."""

_TOKEN = re.compile(r"[$#]\{Token\[([^\]]*)\]\}")


def readable(text: str) -> str:
    """Replace each unresolved CDK token in ``text`` with words a reader can act on.

    ``${Token[AWS.Region.12]}`` reads ``<AWS::Region>``; any other token reads
    ``<a value known at deploy time>``. Messages name constructs by path where they can;
    this keeps one that cannot from printing ``${Token[...]}``.
    """

    def words(match: re.Match[str]) -> str:
        parts = match.group(1).split(".")
        if len(parts) == 3 and parts[0] == "AWS":
            return f"<AWS::{parts[1]}>"
        return "<a value known at deploy time>"

    return _TOKEN.sub(words, text)


@dataclass(frozen=True)
class Finding:
    """One problem or risk: where it is, what is wrong, and how to fix it.

    Public as :class:`cdk_peering.Problem` (``Problem(path, rule, message, fix)`` is an
    error).
    """

    path: str
    """The construct path the finding belongs to."""
    rule: str
    """The stable id of the rule that found it (``cdk_peering:...``)."""
    message: str
    """What is wrong, naming the offending value."""
    fix: str
    """What to change."""
    error: bool = True
    """True for an error (raised), False for a warning (annotated, acknowledgeable)."""

    def render(self, *, located: bool = True) -> str:
        """Write the finding as every message of the library reads.

        ``[path] message Fix: fix (rule)``; without ``located`` only ``message Fix: fix``,
        for a warning, which CDK already prints with its construct path and rule id.
        """
        text = readable(f"{self.message} Fix: {self.fix}")
        return f"[{self.path}] {text} ({self.rule})" if located else text

    def __str__(self) -> str:
        return self.render()


INTENT = "cdk-peering:intent"
"""The metadata type of a :class:`cdk_peering.ReachabilityIntent`: its question and the
answer it expects (``source``, ``destination``, ``port``, ``ip_version``, ``reachable``),
written on the intent's construct path. ``cdk_peering.connectivity`` reads it back."""
