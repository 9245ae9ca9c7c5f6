"""What the questions answer: a ``Reachability`` with its ``Hop`` steps, and ``OneWayRoute``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Hop(str):
    """One step of a path: a string, with its ``kind`` and the ``path`` of what it passes.

    It reads like ``"route table Net/A/Sub1/RouteTable: 10.1.0.0/16 -> peering Net/AToB"``.

    Kinds: ``subnet``, ``route``, ``peering``, ``return-route``, ``network-acl``, ``dns``,
    ``endpoint``, ``service``, ``security-group``, ``acceptance``, ``listener``, ``note``.
    """

    kind: str
    path: str | None

    def __new__(cls, text: str, *, kind: str, path: str | None = None) -> Hop:
        """Make a hop.

        :param text: the step as a reader sees it.
        :param kind: what the step passes.
        :param path: the construct path (or id) of what it passes. Default: - none
        """
        hop = super().__new__(cls, text)
        hop.kind = kind
        hop.path = path
        return hop

    def __reduce__(self) -> tuple[object, ...]:
        return (_hop, (str(self), self.kind, self.path))


def _hop(text: str, kind: str, path: str | None) -> Hop:
    return Hop(text, kind=kind, path=path)


_THROUGH = ("peering", "endpoint", "service")
"""The hops a one-line answer names: what the traffic passes through."""


@dataclass(frozen=True)
class Reachability:
    """The answer to "can ``source`` reach ``destination``?".

    ``reachable`` (also ``bool(answer)``) holds only when every address of the destination
    is reached from every address of the source, there and back. ``partial`` is True when
    some destination addresses are reached and some are not; ``unreached`` lists those not
    known to be reached, as merged CIDR blocks sorted by address. ``hops`` show the path, or
    the path up to the first missing piece; ``reason`` names that piece (None when
    reachable). ``unknown`` is True when nothing is known to fail but a value the assembly
    does not hold decides some addresses (then ``reachable`` is False and ``reason`` names
    the value); ``undecided`` lists the destination's blocks whose answer is unknown
    (also when others surely fail). ``ip_version`` is the family the question was asked in
    (4 or 6).
    """

    source: str
    destination: str
    port: int | None
    reachable: bool
    hops: tuple[Hop, ...]
    reason: str | None = None
    unknown: bool = False
    partial: bool = False
    unreached: tuple[str, ...] = ()
    ip_version: int = 4
    undecided: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.reachable

    @property
    def summary(self) -> str:
        """Say the answer in one line: the verdict, what is not reached, and why.

        ``reaches through peering Net/AToB ...``, ``reaches only part (not 10.1.200.0/24):
        ...``, ``unknown: ...``, ``does not reach; unknown for 10.5.128.0/17: ...``.
        """
        if self.reachable:
            through = [str(hop) for hop in self.hops if hop.kind in _THROUGH]
            return "reaches" + (f" through {'; '.join(through)}" if through else "")
        if self.partial:
            head = f"reaches only part (not {', '.join(self.unreached)})"
        elif self.unknown:
            head = "unknown"
        else:
            head = "does not reach"
            if self.undecided:
                head += f"; unknown for {', '.join(self.undecided)}"
        return f"{head}: {self.reason}" if self.reason else head

    def __str__(self) -> str:
        port = f" on port {self.port}" if self.port is not None else ""
        family = " over IPv6" if self.ip_version == 6 else ""
        if self.reachable:
            verdict = "reaches"
        elif self.partial:
            verdict = "reaches only part of"
        elif self.unknown:
            verdict = "may or may not reach (unknown)"
        else:
            verdict = "cannot reach"
        lines = [f"{self.source} {verdict} {self.destination}{port}{family}"]
        if self.unreached and not self.reachable:
            lines.append(f"not reached: {', '.join(self.unreached)}")
        if self.reason:
            lines.append(f"reason: {self.reason}")
        if self.hops:
            lines.append("hops:")
            lines.extend(f"  {number}. {hop}" for number, hop in enumerate(self.hops, 1))
        return "\n".join(lines)


@dataclass(frozen=True)
class OneWayRoute:
    """A route into a peered VPC whose destination subnets do not all route back.

    ``route_table`` routes ``destination`` through ``peering``; each subnet of
    ``unanswered`` (paths) lies in that destination but its route table does not send
    replies to every subnet of ``route_table`` back through the same peering.
    """

    route_table: str
    destination: str
    peering: str
    unanswered: tuple[str, ...]
    route: str = ""
    """The path of the route itself."""

    def __str__(self) -> str:
        return (
            f"{self.route_table}: {self.destination} -> peering {self.peering}; no route back "
            f"from {', '.join(self.unanswered)}"
        )


@dataclass(frozen=True)
class Intent:
    """A ``cdk_peering.ReachabilityIntent`` as the cloud assembly records it.

    ``source`` must reach ``destination`` (on ``port``, in ``ip_version``), or, when
    ``reachable`` is False, must reach none of its addresses.
    """

    path: str
    """The construct path of the intent."""
    source: str
    destination: str
    port: int | None = None
    ip_version: int | None = None
    reachable: bool = True

    @property
    def question(self) -> str:
        """Say what the intent declares, without its path: ``Net/A reaches Net/B on port 443``."""
        port = f" on port {self.port}" if self.port is not None else ""
        family = f" over IPv{self.ip_version}" if self.ip_version is not None else ""
        verb = "reaches" if self.reachable else "does not reach"
        return f"{self.source} {verb} {self.destination}{port}{family}"

    def __str__(self) -> str:
        return f"{self.path}: {self.question}"


@dataclass(frozen=True)
class IntentVerdict:
    """An intent and the model's answer to its question.

    ``holds`` when the answer is what the intent declares: reachable for an intent that
    must reach; for one that must not, no address reached and none undecided (an unknown
    answer holds neither way). ``answer`` is None when the question could not be asked (a
    path the model cannot place, a source address in no subnet): ``error`` says why, the
    verdict is ``error`` and the intent does not hold.

    ``line()``, ``answer_text`` and ``as_json()`` are how every output (the report, ``verify``,
    ``--strict``) says an intent and its verdict.
    """

    intent: Intent
    answer: Reachability | None
    error: str | None = None

    @property
    def holds(self) -> bool:
        """Tell whether the network does what the intent declares."""
        answer = self.answer
        if answer is None:
            return False
        if self.intent.reachable:
            return answer.reachable
        return not (answer.reachable or answer.partial or answer.unknown or answer.undecided)

    @property
    def verdict(self) -> str:
        """Return ``holds``, ``contradicted``, ``unknown`` or ``error``.

        ``unknown``: the answer cannot tell; ``error``: the model cannot ask the question.
        """
        answer = self.answer
        if self.holds:
            return "holds"
        if answer is None:
            return "error"
        if self.intent.reachable:
            return "unknown" if answer.unknown else "contradicted"
        return "contradicted" if answer.reachable or answer.partial else "unknown"

    @property
    def answer_text(self) -> str:
        """Say the answer in one line (see ``Reachability.summary``), or why there is none."""
        if self.answer is None:
            return f"cannot be asked: {self.error}"
        return self.answer.summary

    def line(self) -> str:
        """Say the intent and its verdict in one line; when it does not hold, the answer."""
        text = f"{self.intent} [{self.verdict}]"
        return text if self.holds else f"{text}: {self.answer_text}"

    def as_json(self) -> dict[str, Any]:
        """Return the intent, its verdict and its answer as JSON-ready data."""
        intent = self.intent
        return {
            "path": intent.path,
            "source": intent.source,
            "destination": intent.destination,
            "port": intent.port,
            "ip_version": intent.ip_version,
            "reachable": intent.reachable,
            "verdict": self.verdict,
            "answer": self.answer_text,
        }

    def __str__(self) -> str:
        if self.answer is None:
            return f"{self.intent} [{self.verdict}]\n  {self.error}"
        answer = "\n".join(f"  {line}" for line in str(self.answer).splitlines())
        return f"{self.intent} [{self.verdict}]\n{answer}"
