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
_OBJECT_REPR = re.compile(r" at 0x[0-9a-fA-F]+>")
"""The end of an object's default repr: ``<generator object <lambda>.<locals>... at 0x...>``."""
_SPOKEN_AS_LETTERS = ("s3", "sns", "sqs", "ssm", "rds", "sts")
"""Lower-case prefixes read letter by letter, with a vowel sound: an s3.IBucket."""


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


def article(noun: str) -> str:
    """Return "a" or "an" for ``noun`` as it is read: an int, an ec2.IVpc, a Vpc, an s3.IBucket."""
    if noun[:1].lower() in ("a", "e", "i", "o", "u"):
        return "an"
    return "an" if noun.split(".", 1)[0] in _SPOKEN_AS_LETTERS else "a"


def listing(items: list[str]) -> str:
    """Join words as a sentence does: "a", "a and b", "a, b and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def clip(text: str, limit: int = 60) -> str:
    """Cut ``text`` to ``limit`` characters, the last three ``...`` when it is cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown(value: object, *, limit: int = 80) -> str:
    """Show a value in a message: never an object's ``repr`` with its address.

    A construct (anything with ``node.path``) reads as its path, a list or mapping item by
    item, an object with no readable ``repr`` as its kind (``a PeeringAccepterRole``);
    anything else as its ``repr``, cut at ``limit`` characters.
    """
    return clip(_brief(value), limit)


def kind_of(value: object) -> str:
    """Return the name of a value's type, as a user knows it.

    A jsii interface proxy (``InterfaceDynamicProxy``) reads as the interfaces it stands
    for (``ISubnet``).
    """
    cls = type(value)
    if cls.__name__ != "InterfaceDynamicProxy":
        return cls.__name__
    delegates = getattr(value, "__dict__", {}).get("_delegates", ())
    names = [type(d).__name__.strip("_").removesuffix("Proxy") for d in delegates or ()]
    return " and ".join(names) or "jsii object"


def _brief(value: object) -> str:
    path = _construct_path(value)
    if path is not None:
        return repr(path)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_brief(k)}: {_brief(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        items = ", ".join(_brief(item) for item in value)
        return f"[{items}]" if isinstance(value, list) else f"({items})"
    text = repr(value)
    if _OBJECT_REPR.search(text):
        kind = kind_of(value)
        return f"{article(kind)} {kind}"
    return text


def _construct_path(value: object) -> str | None:
    """Return the path of a construct (duck-typed: this module knows no CDK), else None."""
    if isinstance(value, str | int | float | bool | dict | list | tuple) or value is None:
        return None
    try:
        path = value.node.path  # type: ignore[attr-defined]
    except Exception:  # anything without a readable node is no construct
        return None
    return path if isinstance(path, str) else None


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
