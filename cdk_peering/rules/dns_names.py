r"""The DNS name rule: a name a Route 53 hosted zone or record can hold.

Route 53's format for hosted zones and records (Amazon Route 53 Developer Guide, "DNS
domain name format"): labels separated by dots, each up to 63 bytes, the whole name at
most 255 bytes including the dots; printable ASCII only: a-z (upper case is stored as
lower case), 0-9, the hyphen and ``! " # $ % & ' ( ) * + , - / : ; < = > ? @ [ \ ] ^ _ `
{ | } ~``; no spaces. An internationalised name is given in Punycode (``xn--...``). One
trailing dot (the root) is allowed; no label may be empty.
"""

from __future__ import annotations

import re

from .. import rule_ids
from ..findings import Finding, clip
from ..model.tokens import is_token

LABEL_MAX = 63
NAME_MAX = 255
_ALLOWED = re.compile(r"[a-zA-Z0-9!\"#$%&'()*+,\-/:;<=>?@\[\\\]^_`{|}~]")


def dns_name_problems(path: str, prop: str, name: str) -> list[Finding]:
    """Return the problem with a DNS name given as ``prop`` (a token is not checked)."""
    if is_token(name):
        return []
    reasons: list[str] = []
    bare = name.removesuffix(".")
    if not bare:
        reasons.append("it is empty" if not name else "it is only the root '.'")
    else:
        bad = sorted({char for char in bare if char != "." and not _ALLOWED.fullmatch(char)})
        if bad:
            shown = ", ".join(repr(char) for char in bad)
            reasons.append(
                f"it holds {shown}, which a DNS name cannot (printable ASCII only, no spaces; "
                "an internationalised name is written in Punycode, xn--...)"
            )
        labels = bare.split(".")
        if "" in labels:
            reasons.append("it has an empty label (two dots in a row, or a leading dot)")
        long_labels = [label for label in labels if len(label.encode()) > LABEL_MAX]
        if long_labels:
            reasons.append(
                f"its label {long_labels[0][:20]!r}... is {len(long_labels[0].encode())} bytes "
                f"long (at most {LABEL_MAX})"
            )
        if len(bare.encode()) > NAME_MAX:
            reasons.append(f"it is {len(bare.encode())} bytes long (at most {NAME_MAX})")
    if not reasons:
        return []
    return [
        Finding(
            path,
            rule_ids.INVALID_DNS_NAME,
            f"{prop} {clip(name)!r} is not a DNS name: {'; '.join(reasons)}.",
            f"Give {prop} as a DNS name such as 'api.example.internal': labels of a-z, 0-9 "
            f"and '-' (at most {LABEL_MAX} bytes each) joined by single dots, at most "
            f"{NAME_MAX} bytes in all.",
        )
    ]
