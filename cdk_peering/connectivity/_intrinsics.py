"""Evaluate CloudFormation intrinsic functions as far as a cloud assembly allows.

What the assembly holds becomes plain values; what only a deployment knows becomes a
token: ``Ref``-like tokens name the resource they stand for, ``Derived`` tokens a piece of
one (``Fn::Select`` of a list attribute, ``Fn::Split`` of it), ``Unknown`` tokens say why
nothing can be said (a parameter, an output of a stack outside the assembly), ``Absent``
tokens point at something that does not exist. References are followed across stacks:
``Ref``, ``Fn::GetAtt`` (nested stacks' ``Outputs.X`` too), ``Fn::GetStackOutput``,
``Fn::ImportValue``, and a nested stack's parameters.

A token inside a string (``Fn::Join``, ``Fn::Sub``) becomes a marker, two private-use
characters around its number, so strings can still be joined, split and parsed as JSON
(the ``Create`` call of an ``AwsCustomResource`` is a ``Fn::Join`` of JSON text).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._assembly import NESTED_STACK, Template

_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKER = re.compile(f"{_OPEN}([0-9]+){_CLOSE}")
_SUB = re.compile(r"\$\{([^}]*)\}")
_ROLE_ACCOUNT = re.compile(r"^arn:[^:]*:iam::([0-9]{12}):")


class Token:
    """A value only a deployment knows."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ResourceToken(Token):
    """``Ref`` (attribute ``Ref``) or ``Fn::GetAtt`` of a resource of the assembly.

    Templates compare by identity.
    """

    template: Template
    logical_id: str
    attribute: str


@dataclass(frozen=True, slots=True)
class Derived(Token):
    """A piece of a token.

    ``operation`` is ``("select", n)``, ``("split", delimiter)`` or ``("cidr", count, bits)``.
    """

    base: Token
    operation: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Unknown(Token):
    """A value the assembly does not hold; ``reason`` says which and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class Absent(Token):
    """A reference to something that does not exist; ``reason`` says what."""

    reason: str


NO_VALUE = Unknown("AWS::NoValue")
_PLAIN = frozenset({str, int, float, bool})
"""The types a template's literal values have (subclasses go the slower way)."""
"""``Ref AWS::NoValue``: dropped from lists and objects."""


class Evaluator:
    """Evaluate template values of one assembly, following references across stacks."""

    def __init__(self, templates: list[Template]) -> None:
        self._tokens: list[Token] = []
        self._numbers: dict[Token, int] = {}
        self._by_name: dict[str, list[Template]] = {}
        for template in templates:
            if template.parent is None:
                self._by_name.setdefault(template.name, []).append(template)
        self._children: dict[tuple[int, str], Template] = {
            (id(t.parent), t.parent_resource): t
            for t in templates
            if t.parent is not None and t.parent_resource is not None
        }
        self._templates = templates
        self._exports: dict[str, list[tuple[Template, Any]]] | None = None
        self._outputs: dict[tuple[int, str], Any] = {}
        self._conditions: dict[tuple[int, str], bool | None] = {}
        self._stacks: dict[tuple[str, Any, Any], Template | None] = {}

    # --- markers ---------------------------------------------------------------------------

    def marker(self, token: Token) -> str:
        """Return the marker that stands for ``token`` inside a string."""
        number = self._numbers.get(token)
        if number is None:
            number = self._numbers[token] = len(self._tokens)
            self._tokens.append(token)
        return f"{_OPEN}{number}{_CLOSE}"

    def token(self, value: Any) -> Token | None:
        """Return the token ``value`` is (a token, or a string that is one marker)."""
        if isinstance(value, Token):
            return value
        if isinstance(value, str) and value.startswith(_OPEN):
            match = _MARKER.fullmatch(value)
            if match:
                return self._tokens[int(match.group(1))]
        return None

    def tokens_in(self, value: Any) -> Iterator[Token]:
        """Yield every token in a value: tokens, markers in strings, in lists and objects."""
        if isinstance(value, Token):
            yield value
        elif isinstance(value, str):
            if _OPEN in value:
                for match in _MARKER.finditer(value):
                    yield self._tokens[int(match.group(1))]
        elif isinstance(value, list):
            for item in value:
                yield from self.tokens_in(item)
        elif isinstance(value, dict):
            for item in value.values():
                yield from self.tokens_in(item)

    def text(self, value: Any) -> str:
        """Render a value for a reader: markers become what they stand for."""
        if isinstance(value, Token):
            return describe(value)
        if isinstance(value, str):
            return _MARKER.sub(lambda m: f"<{describe(self._tokens[int(m.group(1))])}>", value)
        return str(value)

    def is_literal(self, value: Any) -> bool:
        """Tell whether a value holds no token at all."""
        return next(self.tokens_in(value), None) is None

    def _string(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, Token):
            return self.marker(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return self.marker(Unknown("a list or object where a string belongs"))

    # --- evaluation --------------------------------------------------------------------------

    def evaluate(self, value: Any, template: Template) -> Any:
        """Evaluate ``value`` as it appears in ``template``.

        A token evaluates to itself, so a value evaluated once (a token, a string with
        markers, a list or object of them) can be evaluated again: a record of a
        ``RecordSetGroup`` is read from the group's evaluated ``RecordSets``.
        """
        kind = type(value)
        if kind in _PLAIN or value is None or isinstance(value, Token):
            return value
        if kind is dict and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument, template)
            if key.startswith("Fn::") or key == "Condition":
                return self._function(key, argument, template)
        if isinstance(value, str | int | float | bool):
            return value
        if isinstance(value, list):
            items = [self.evaluate(item, template) for item in value]
            return [item for item in items if item is not NO_VALUE]
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key == "Ref":
                    return self._ref(argument, template)
                if key.startswith("Fn::") or key == "Condition":
                    return self._function(key, argument, template)
            result = {}
            for key, item in value.items():
                evaluated = self.evaluate(item, template)
                if evaluated is not NO_VALUE:
                    result[key] = evaluated
            return result
        return Unknown(f"an unexpected value {value!r}")

    def _ref(self, name: Any, template: Template) -> Any:
        if not isinstance(name, str):
            return Unknown(f"Ref to {name!r}")
        if name.startswith("AWS::"):
            return self._pseudo(name, template)
        if name in template.resources:
            return ResourceToken(template, name, "Ref")
        parameters = template.body.get("Parameters") or {}
        if name in parameters:
            return self._parameter(name, template)
        return Absent(f"{name}, which stack {template.path} does not define")

    def _parameter(self, name: str, template: Template) -> Any:
        if template.parent is not None and template.parent_resource is not None:
            holder = template.parent.resources.get(template.parent_resource) or {}
            passed = (holder.get("Properties") or {}).get("Parameters") or {}
            if name in passed:
                return self.evaluate(passed[name], template.parent)
        return Unknown(f"parameter {name} of stack {template.path} (chosen at deploy time)")

    def _pseudo(self, name: str, template: Template) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        known = {
            "AWS::Region": template.region,
            "AWS::AccountId": template.account,
            "AWS::StackName": template.name if template.parent is None else None,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }.get(name)
        if known is not None:
            return known
        return Unknown(f"{name} of stack {template.path}")

    def _function(self, name: str, argument: Any, template: Template) -> Any:
        handler = _HANDLERS.get(name)
        if handler is None:
            return Unknown(f"{name} (not evaluated offline)")
        try:
            return handler(self, argument, template)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            return Unknown(f"{name} with arguments the model cannot read")

    def _get_att(self, argument: Any, template: Template) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        logical_id, attribute = argument[0], self.evaluate(argument[1], template)
        resource = template.resources.get(logical_id)
        if resource is None:
            return Absent(f"{logical_id}, which stack {template.path} does not define")
        if not isinstance(attribute, str):
            return Unknown(f"an attribute of {logical_id} chosen at deploy time")
        if resource.get("Type") == NESTED_STACK and attribute.startswith("Outputs."):
            child = self._children.get((id(template), logical_id))
            if child is not None:
                return self.output(child, attribute[len("Outputs.") :])
        if resource.get("Type") == "AWS::EC2::VPC" and attribute == "CidrBlock":
            # The primary block, when the template writes it (not from an IPAM pool).
            block = self.evaluate((resource.get("Properties") or {}).get("CidrBlock"), template)
            if isinstance(block, str) and self.is_literal(block):
                return block
        return ResourceToken(template, logical_id, attribute)

    def output(self, template: Template, name: str) -> Any:
        """Return the value of output ``name`` of ``template`` (an ``Absent`` if none)."""
        key = (id(template), name)
        if key not in self._outputs:
            self._outputs[key] = Unknown(f"output {name} of {template.path}, which reads itself")
            declared = (template.body.get("Outputs") or {}).get(name)
            if not isinstance(declared, dict) or "Value" not in declared:
                value: Any = Absent(f"output {name} of stack {template.path}, which it lacks")
            else:
                value = self.evaluate(declared["Value"], template)
            self._outputs[key] = value
        return self._outputs[key]

    def _get_stack_output(self, argument: Any, template: Template) -> Any:
        spec = self.evaluate(argument, template)
        stack, output, role = spec.get("StackName"), spec.get("OutputName"), spec.get("RoleArn")
        region = spec.get("Region", template.region)
        match = _ROLE_ACCOUNT.match(role) if isinstance(role, str) else None
        account = match.group(1) if match else template.account
        if not isinstance(stack, str) or not isinstance(output, str) or _OPEN in stack + output:
            return Unknown("Fn::GetStackOutput of a stack or output chosen at deploy time")
        found = self._stack(stack, region, account)
        if found is None:
            return Unknown(f"output {output} of stack {stack} ({region}), not in this assembly")
        return self.output(found, output)

    def _stack(self, name: str, region: Any, account: Any) -> Template | None:
        key = (name, region, account)
        if key not in self._stacks:
            candidates = self._by_name.get(name, [])
            found = None
            for narrowing in (
                [t for t in candidates if t.region == region and t.account == account],
                [t for t in candidates if t.region == region],
                candidates,
            ):
                if len(narrowing) == 1:
                    found = narrowing[0]
                    break
            self._stacks[key] = found
        return self._stacks[key]

    def _import_value(self, argument: Any, template: Template) -> Any:
        name = self.evaluate(argument, template)
        if not isinstance(name, str) or _OPEN in name:
            return Unknown("Fn::ImportValue of a name chosen at deploy time")
        if self._exports is None:
            self._exports = {}
            for each in self._templates:
                for declared in (each.body.get("Outputs") or {}).values():
                    exported = (declared.get("Export") or {}).get("Name")
                    if exported is not None:
                        key = self.evaluate(exported, each)
                        if isinstance(key, str):
                            self._exports.setdefault(key, []).append((each, declared["Value"]))
        exporters = self._exports.get(name, [])
        same = [
            e
            for e in exporters
            if (e[0].account, e[0].region) == (template.account, template.region)
        ] or exporters
        if len(same) != 1:
            return Unknown(f"the import {name} (no single stack of this assembly exports it)")
        exporter, value = same[0]
        return self.evaluate(value, exporter)

    def _join(self, argument: Any, template: Template) -> Any:
        delimiter, items = argument
        values = self.evaluate(items, template)
        if not isinstance(values, list):
            token = self.token(values)
            return Derived(token, ("join", delimiter)) if token else Unknown("Fn::Join")
        return str(delimiter).join(self._string(item) for item in values)

    def _split(self, argument: Any, template: Template) -> Any:
        delimiter, source = argument[0], self.evaluate(argument[1], template)
        token = self.token(source)
        if token is not None:
            return Derived(token, ("split", delimiter))
        if not isinstance(source, str):
            return Unknown("Fn::Split of a value that is no string")
        return source.split(delimiter)

    def _select(self, argument: Any, template: Template) -> Any:
        index = self.evaluate(argument[0], template)
        items = self.evaluate(argument[1], template)
        index = int(index)
        token = self.token(items)
        if token is not None:
            if isinstance(token, Unknown | Absent):
                return token
            return Derived(token, ("select", index))
        if isinstance(items, list):
            return items[index]
        return Unknown("Fn::Select of a value that is no list")

    def _sub(self, argument: Any, template: Template) -> Any:
        if isinstance(argument, list):
            text, variables = argument[0], self.evaluate(argument[1], template)
        else:
            text, variables = argument, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return self._string(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return self._string(self._get_att(name.split(".", 1), template))
            return self._string(self._ref(name, template))

        return _SUB.sub(replace, str(text))

    def _cidr(self, argument: Any, template: Template) -> Any:
        block, count, bits = (self.evaluate(item, template) for item in argument)
        token = self.token(block)
        if token is not None:
            return Derived(token, ("cidr", int(count), int(bits)))
        network = ipaddress.ip_network(str(block), strict=False)
        prefix = network.max_prefixlen - int(bits)
        return [
            str(each)
            for _, each in zip(range(int(count)), network.subnets(new_prefix=prefix), strict=False)
        ]

    def _find_in_map(self, argument: Any, template: Template) -> Any:
        name, top, second = (self.evaluate(item, template) for item in argument)
        if not all(isinstance(each, str) and _OPEN not in each for each in (name, top, second)):
            return Unknown("Fn::FindInMap with keys chosen at deploy time")
        return self.evaluate(template.body["Mappings"][name][top][second], template)

    def condition(self, name: str, template: Template) -> bool | None:
        """Return the value of condition ``name``; None when a parameter decides it."""
        key = (id(template), name)
        if key not in self._conditions:
            self._conditions[key] = None
            declared = (template.body.get("Conditions") or {}).get(name)
            value = self._truth(self.evaluate(declared, template)) if declared else None
            self._conditions[key] = value
        return self._conditions[key]

    @staticmethod
    def _truth(value: Any) -> bool | None:
        return value if isinstance(value, bool) else None

    def _if(self, argument: Any, template: Template) -> Any:
        truth = self.condition(argument[0], template)
        if truth is None:
            return Unknown(f"condition {argument[0]} of stack {template.path}")
        return self.evaluate(argument[1] if truth else argument[2], template)

    def _equals(self, argument: Any, template: Template) -> Any:
        one, other = (self.evaluate(item, template) for item in argument)
        if not (self.is_literal(one) and self.is_literal(other)):
            return Unknown("Fn::Equals of values chosen at deploy time")
        return one == other

    def _logic(self, name: str, argument: Any, template: Template) -> Any:
        values = [self._truth(self.evaluate(item, template)) for item in argument]
        if name == "Fn::Not":
            return None if values[0] is None else not values[0]
        if name == "Fn::And":
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)

    def _condition_ref(self, argument: Any, template: Template) -> Any:
        truth = self.condition(str(argument), template)
        return Unknown(f"condition {argument}") if truth is None else truth


def describe(token: Token) -> str:
    """Say what a token stands for, in a reader's words."""
    if isinstance(token, ResourceToken):
        path = token.template.names.get(token.logical_id, token.logical_id)
        if token.attribute == "Ref":
            return f"the id of {path}"
        return f"{token.attribute} of {path}"
    if isinstance(token, Derived):
        operation = token.operation
        if operation[0] == "select":
            return f"item {operation[1]} of {describe(token.base)}"
        if operation[0] == "cidr":
            return f"the /{operation[2]}-host-bit pieces of {describe(token.base)}"
        return f"{describe(token.base)} split at {operation[1]!r}"
    if isinstance(token, Unknown | Absent):
        return token.reason
    return "a value only a deployment knows"


_HANDLERS: dict[str, Any] = {
    "Fn::GetAtt": Evaluator._get_att,
    "Fn::GetStackOutput": Evaluator._get_stack_output,
    "Fn::ImportValue": Evaluator._import_value,
    "Fn::Join": Evaluator._join,
    "Fn::Split": Evaluator._split,
    "Fn::Select": Evaluator._select,
    "Fn::Sub": Evaluator._sub,
    "Fn::Cidr": Evaluator._cidr,
    "Fn::FindInMap": Evaluator._find_in_map,
    "Fn::If": Evaluator._if,
    "Fn::Equals": Evaluator._equals,
    "Fn::Not": lambda self, argument, template: self._logic("Fn::Not", argument, template),
    "Fn::And": lambda self, argument, template: self._logic("Fn::And", argument, template),
    "Fn::Or": lambda self, argument, template: self._logic("Fn::Or", argument, template),
    "Condition": Evaluator._condition_ref,
    "Fn::Base64": lambda self, argument, template: self.evaluate(argument, template),
}
