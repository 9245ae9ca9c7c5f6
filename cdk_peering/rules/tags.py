"""The tag rule: a Name tag AWS takes in every service.

EC2 accepts any character in a tag, but the characters allowed across AWS services are
letters, numbers and spaces representable in UTF-8, and ``+ - = . _ : / @``; a value is
at most 256 Unicode characters (Amazon EC2 User Guide, "Tag restrictions").
"""

from __future__ import annotations

import re

from .. import rule_ids
from ..findings import Finding, clip
from ..model.tokens import is_token

TAG_VALUE_MAX = 256
_ALLOWED = re.compile(r"[\w\s+\-=.:/@]*")


def name_tag_problems(path: str, prop: str, value: str) -> list[Finding]:
    """Return the problem with a Name tag value (tokens are not checked)."""
    if is_token(value):
        return []
    bad = sorted({char for char in value if not _ALLOWED.fullmatch(char)})
    too_long = len(value) > TAG_VALUE_MAX
    if not bad and not too_long:
        return []
    reasons = []
    if too_long:
        reasons.append(f"it is {len(value)} characters long (at most {TAG_VALUE_MAX})")
    if bad:
        reasons.append(f"it holds {', '.join(repr(c) for c in bad)}")
    return [
        Finding(
            path,
            rule_ids.INVALID_NAME_TAG,
            f"{prop} {clip(value)!r} cannot be a Name tag: {' and '.join(reasons)}.",
            f"Give a {prop} of at most {TAG_VALUE_MAX} letters, numbers, spaces and "
            "+ - = . _ : / @.",
        )
    ]
