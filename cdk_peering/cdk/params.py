"""Checking public parameters at the boundary: the right type, or a clear error.

Python does not check type hints, and a wrong value handed to aws-cdk-lib fails deep in
the jsii runtime (a ``TypeError`` or a JavaScript stack trace that names no parameter).
Every public constructor and method of the library checks its arguments first, with
these expectations, and raises one :class:`~cdk_peering.ValidationError` naming the
construct path, each bad parameter, the type expected and the value given.

The checks are plain Python: a jsii interface (``ec2.IVpc``) is recognised by its
members on the value's class (or, for an object jsii returns as a dynamic proxy, on the
classes it delegates to), so no check is a round trip to Node.js.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from .. import rule_ids
from ..errors import ValidationError
from ..findings import Finding, article, clip, kind_of, shown
from .app_context import child_path, scope_facts

_implements_cache: dict[tuple[type, type], bool] = {}


def _classes(value: object) -> Iterable[type]:
    yield type(value)
    # jsii returns an object typed only by interfaces as an InterfaceDynamicProxy that
    # delegates to one proxy class per interface.
    delegates = getattr(value, "__dict__", {}).get("_delegates", ())
    for delegate in delegates if isinstance(delegates, list) else ():
        yield type(delegate)


def implements(value: object, interface: type) -> bool:
    """Tell whether ``value`` has every member of a jsii interface (no jsii call)."""
    members: frozenset[str] = getattr(interface, "__protocol_attrs__", frozenset())
    for cls in _classes(value):
        key = (cls, interface)
        known = _implements_cache.get(key)
        if known is None:
            known = _implements_cache[key] = bool(members) and all(
                hasattr(cls, member) for member in members
            )
        if known:
            return True
    return False


@dataclass(frozen=True)
class Expect:
    """What a parameter must be: a test and the words for it (``"an ec2.IVpc"``)."""

    description: str
    test: Callable[[object], bool]
    example: str = ""
    """How to give one, for the fix (``ec2.Vpc(...)``)."""
    plural: str = ""
    """The words for several (``ec2.IVpcs``); by default the description's noun plus s."""

    def __call__(self, value: object) -> bool:
        """Tell whether ``value`` is what the parameter must be."""
        return self.test(value)


def interface(kind: type, name: str, example: str = "") -> Expect:
    """Expect an object implementing a jsii interface (``ec2.IVpc``)."""
    return Expect(f"{article(name)} {name}", lambda v: implements(v, kind), example)


def instance(*kinds: type, name: str, example: str = "") -> Expect:
    """Expect an instance of one of ``kinds`` (a class, a jsii struct, an enum)."""
    return Expect(name, lambda v: isinstance(v, kinds), example)


def enum_member(kind: type[enum.Enum], name: str) -> Expect:
    """Expect a member of an enum; its name as a string is refused (no silent match)."""
    first = next(iter(kind))
    return Expect(f"{article(name)} {name}", lambda v: isinstance(v, kind), f"{name}.{first.name}")


STRING = Expect("a string", lambda v: isinstance(v, str))
BOOLEAN = Expect("True or False", lambda v: isinstance(v, bool))
INTEGER = Expect("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
CONSTRUCT = Expect(
    "a construct (a Stack or a construct in one)",
    lambda v: isinstance(v, Construct) or implements(v, IConstruct),
    "a cdk.Stack",
)


def sequence_of(item: Expect) -> Expect:
    """Expect a list or tuple (not a string) whose every item is ``item``."""
    return Expect(
        f"a list of {_plural(item)}",
        lambda v: (
            isinstance(v, Sequence)
            and not isinstance(v, str | bytes)
            and all(item(each) for each in v)
        ),
        f"[{item.example}]" if item.example else "",
    )


def mapping_of(key: Expect, value: Expect) -> Expect:
    """Expect a mapping from ``key`` to ``value``."""
    return Expect(
        f"a mapping of {_plural(key)} to {_plural(value)}",
        lambda v: isinstance(v, Mapping) and all(key(k) and value(x) for k, x in v.items()),
    )


def one_of(*expects: Expect) -> Expect:
    """Expect any of several kinds."""
    return Expect(
        " or ".join(e.description for e in expects),
        lambda v: any(e(v) for e in expects),
        next((e.example for e in expects if e.example), ""),
        " or ".join(_plural(e) for e in expects),
    )


def _plural(expect: Expect) -> str:
    """Return the words for several of what ``expect`` describes (``ec2.IVpcs``)."""
    if expect.plural:
        return expect.plural
    description = expect.description
    for each in ("a ", "an "):
        if description.startswith(each):
            return description.removeprefix(each) + ("" if description.endswith("s") else "s")
    return description


Given = Sequence[tuple[str, Any, Expect, bool]]
"""Parameters to check: (name, value, expectation, required)."""


def _shown(value: object) -> str:
    """Show a bad value briefly: a construct by its path, else its repr, and its type.

    Never an object's default repr (``<... object at 0x...>``): such an object reads as
    its kind alone.
    """
    text, kind = shown(value), kind_of(value)
    kind_words = f"{article(kind)} {kind}"
    return text if text == kind_words else f"{text} ({kind_words})"


def check_parameters(path: str, given: Sequence[tuple[str, Any, Expect, bool]]) -> list[Finding]:
    """Return a problem for each parameter that is not what it must be.

    ``given``: (name, value, expectation, required). An optional parameter may be None.
    """
    problems: list[Finding] = []
    for name, value, expect, required in given:
        if value is None and not required:
            continue
        if value is not None and expect(value):
            continue
        what = "is required" if value is None else f"is {_shown(value)}"
        example = f", for example {expect.example}" if expect.example else ""
        if expect.description.startswith("a list of"):
            if isinstance(value, Iterator):
                example += f" (list({name}) makes one of {_shown(value)})"
            elif isinstance(value, str):
                example += f" (one value too goes in a list: [{clip(repr(value))}])"
        problems.append(
            Finding(
                path,
                rule_ids.INVALID_PARAMETER_TYPE,
                f"{name} {what}, but it must be {expect.description}.",
                f"Give {name} as {expect.description}{example}.",
            )
        )
    return problems


def require(scope: object, id: object, given: Given, *, in_stack: bool = False) -> None:
    """Check a construct's ``scope``, ``id`` and parameters; raise every problem at once.

    ``in_stack``: the scope must be in a stack (every construct that adds resources); it
    is then read once (:func:`scope_facts`, which the construct reads anyway). Otherwise
    costs no jsii call when all is well; the construct path is read only for a message.
    """
    problems = check_parameters("", [("scope", scope, CONSTRUCT, True), ("id", id, STRING, True)])
    bad_scope = bool(problems)
    if in_stack and not bad_scope:
        problems += _stack_problems(scope)
    problems += check_parameters("", given)
    if not problems:
        return
    path = str(id) if bad_scope else child_path(scope.node.path, str(id))  # type: ignore[attr-defined]
    raise ValidationError([replace(problem, path=path) for problem in problems])


def _stack_problems(scope: object) -> list[Finding]:
    """Return the problem of a scope in no stack (the App itself, a Stage, a construct of one)."""
    try:
        scope_facts(scope)  # type: ignore[arg-type]
    except RuntimeError:  # aws-cdk-lib's ShouldBeCreatedInStackScope
        what = "the App" if isinstance(scope, cdk.App) else f"{_shown(scope)}, which is in no stack"
        return [
            Finding(
                "",
                rule_ids.INVALID_PARAMETER_TYPE,
                f"scope is {what}, but it must be a stack or a construct in one: the "
                "construct's resources go in its stack.",
                "Give a cdk.Stack as scope (for example stack = cdk.Stack(app, 'Network', "
                "env=...)), or a construct in one.",
            )
        ]
    return []


def require_for(where: str, given: Given) -> None:
    """Check the parameters of a function with no construct; raise every problem at once.

    ``where`` (the function's name) takes the place of a construct path in the messages.
    """
    problems = check_parameters(where, given)
    if problems:
        raise ValidationError(problems)


def require_in(construct: IConstruct, method: str, given: Given) -> None:
    """Check the parameters of a method of ``construct``; raise every problem at once."""
    problems = check_parameters("", given)
    if problems:
        path = construct.node.path
        raise ValidationError(
            [replace(p, path=path, message=f"{method}: {p.message}") for p in problems]
        )


# The kinds the constructs share.
VPC = interface(ec2.IVpc, "ec2.IVpc", "ec2.Vpc(...) or ec2.Vpc.from_vpc_attributes(...)")
VPCS = sequence_of(VPC)
SUBNET_SELECTION = instance(
    ec2.SubnetSelection,
    name="an ec2.SubnetSelection",
    example="ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)",
)
ROLE = interface(iam.IRole, "iam.IRole", "iam.Role.from_role_arn(...)")
SECURITY_GROUP = interface(ec2.ISecurityGroup, "ec2.ISecurityGroup", "ec2.SecurityGroup(...)")
PORT_NUMBERS = sequence_of(INTEGER)
STRINGS = sequence_of(STRING)


def quota_parameters(peerings_per_vpc_quota: object, routes_per_route_table_quota: object) -> Given:
    """Return the two quota parameters a peering or topology takes, each a whole number.

    Their range is the invalidQuota rule's, as for the context values (which may be
    strings: ``cdk synth -c key=60`` gives one). A quota given as a string here is a
    wrong type.
    """
    return [
        ("peerings_per_vpc_quota", peerings_per_vpc_quota, INTEGER, False),
        ("routes_per_route_table_quota", routes_per_route_table_quota, INTEGER, False),
    ]
