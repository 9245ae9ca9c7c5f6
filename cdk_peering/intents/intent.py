"""ReachabilityIntent: "this must (or must not) reach that", written down in the app.

An intent adds no resource. It writes one metadata entry (type
:data:`cdk_peering.findings.INTENT`) on its own construct path, which the cloud assembly
keeps; ``cdk_peering.connectivity`` reads every intent back and answers it on the plan
(``python -m cdk_peering.connectivity cdk.out --strict``) and on the live network
(``... verify cdk.out``), with the meanings ``Network.reachability`` gives its arguments.

Checked when it is declared, like every construct of the library: a path must name a
construct of the app that exists at that point (declare the intent after what it names)
and of a kind the question takes (a source: a VPC or a subnet; a destination: also an
interface endpoint or an endpoint service; L2 or L1), an address must be one, of the
family ``ip_version`` names and of the other end's, a port 1-65535 and an IP version 4
or 6.
"""

from __future__ import annotations

import ipaddress
import re

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct, IConstruct

from .. import rule_ids
from ..cdk import params
from ..cdk.app_context import child_path
from ..cdk.params import implements, require
from ..errors import ValidationError
from ..findings import INTENT, Finding

__all__ = ["ReachabilityIntent"]

_DNS_NAME = re.compile(r"^([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)+[a-z0-9_-]+\.?$", re.IGNORECASE)
_PLACE = params.one_of(
    params.STRING,
    params.Expect(
        "a construct (a VPC, a subnet, an endpoint)",
        params.CONSTRUCT.test,
        "a construct path such as 'Network/App/IsolatedSubnet1'",
    ),
)


class ReachabilityIntent(Construct):
    """Declare that ``source`` must reach ``destination`` (or, ``reachable=False``, must not).

    The question is the one ``cdk_peering.connectivity.Network.reachability`` answers:
    every address of the destination, there and back, on ``port`` when given. Nothing is
    deployed: the intent is metadata in the cloud assembly. ``python -m
    cdk_peering.connectivity cdk.out --strict`` fails on every intent the plan contradicts,
    ``python -m cdk_peering.connectivity verify cdk.out`` checks each on the live network,
    and ``cdk_peering.testing.assert_intents(assembly)`` in a test.

    Example::

        ReachabilityIntent(stack, "AppReachesOrders",
            source="Network/App/IsolatedSubnet1",
            destination="orders.example.internal",
            port=443,
        )
        ReachabilityIntent(stack, "TeamsApart",
            source=team_a, destination=team_b, reachable=False,
        )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: str | IConstruct,
        destination: str | IConstruct,
        port: int | None = None,
        ip_version: int | None = None,
        reachable: bool = True,
    ) -> None:
        """Record a reachability intent in the cloud assembly.

        :param scope: the parent construct, in a stack (its metadata is what records it).
        :param id: the construct id.
        :param source: a subnet or VPC (a VPC: every subnet of it), as a construct or its
            path (``"Network/App/IsolatedSubnet1"``), or one address of a subnet.
        :param destination: a subnet, VPC, interface endpoint or ``PrivateLinkService`` (a
            construct or its path), an address or CIDR block, or a DNS name resolved
            through the private hosted zones of the source's VPC.
        :param port: the TCP port, 1-65535. Default: - any TCP port; security groups are
            not checked
        :param ip_version: 4 or 6. Default: - IPv4 for paths and names, an address's family
        :param reachable: False to declare that ``source`` must reach no address of
            ``destination``. Default: True
        :raises ValidationError: for a path that names no construct of the app (yet) or one
            of another kind (a security group, a stack, a peering; a source that is no VPC or
            subnet), an address that is none, addresses of two families or of another than
            ``ip_version``, a bad port or IP version, or a scope in no stack.
        """
        require(
            scope,
            id,
            [
                ("source", source, _PLACE, True),
                ("destination", destination, _PLACE, True),
                ("port", port, params.INTEGER, False),
                ("ip_version", ip_version, params.INTEGER, False),
                ("reachable", reachable, params.BOOLEAN, True),
            ],
        )
        path = child_path(scope.node.path, id)
        source_text = _text(source)
        destination_text = _text(destination)
        problems = [
            *_place_problems(path, scope, "source", source_text),
            *_place_problems(path, scope, "destination", destination_text),
            *_number_problems(path, port, ip_version),
        ]
        if not problems:
            problems += _family_problems(path, source_text, destination_text, ip_version)
        if not _in_stack(scope):
            problems.append(
                Finding(
                    path,
                    rule_ids.INVALID_INTENT,
                    "A ReachabilityIntent records itself in its stack's metadata, but its "
                    "scope is in no stack.",
                    "Declare the intent in a stack, for example the stack of its source.",
                )
            )
        if problems:
            raise ValidationError(problems)
        super().__init__(scope, id)
        self.source = source_text
        """The source, as the model reads it (a construct path or an address)."""
        self.destination = destination_text
        """The destination, as the model reads it (a path, an address or a DNS name)."""
        self.port = port
        self.ip_version = ip_version
        self.reachable = reachable
        data: dict[str, object] = {
            "source": source_text,
            "destination": destination_text,
            "reachable": reachable,
        }
        if port is not None:
            data["port"] = port
        if ip_version is not None:
            data["ipVersion"] = ip_version
        self.node.add_metadata(INTENT, data)


def _text(place: str | IConstruct) -> str:
    if isinstance(place, str):
        return place.strip()
    return place.node.path


def _in_stack(scope: Construct) -> bool:
    return any(cdk.Stack.is_stack(each) for each in scope.node.scopes)


def _address(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        return None


def _looks_like_address(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+(/\d+)?", text)) or (
        ":" in text and "/" not in text.split(":", 1)[0]
    )


def _place_problems(path: str, scope: Construct, role: str, text: str) -> list[Finding]:
    if not _looks_like_address(text) and ("/" in text.strip("/") or "." not in text):
        return _path_problems(path, scope, role, text)
    if _looks_like_address(text):
        network = _address(text)
        if network is None:
            why = f"{role} {text!r} is not an IP address or CIDR block (or has host bits set)."
            return [_invalid(path, why, f"Give {role} as an address such as 10.1.0.5.")]
        if role == "source" and network.num_addresses != 1:
            why = f"source {text!r} is a block: a source is one address, a subnet or a VPC."
            return [_invalid(path, why, "Give one address, or the path of a subnet or a VPC.")]
        return []
    if role == "destination" and _DNS_NAME.match(text):
        return []
    return [
        _invalid(
            path,
            f"{role} {text!r} is no construct path, address or DNS name.",
            f"Give {role} as a construct path ('Network/App/IsolatedSubnet1'), a construct, "
            "or an address" + (" or a DNS name." if role == "destination" else "."),
        )
    ]


def _path_problems(path: str, scope: Construct, role: str, text: str) -> list[Finding]:
    node: IConstruct = scope.node.root
    walked: list[str] = []
    for part in text.strip("/").split("/"):
        assert node is not None
        child = node.node.try_find_child(part)
        if child is None:
            known = sorted(each.node.id for each in node.node.children)[:8]
            where = "/".join(walked) or "the app"
            hint = f" ({where} holds: {', '.join(known)})" if known else ""
            return [
                Finding(
                    path,
                    rule_ids.INTENT_PATH_NOT_FOUND,
                    f"{role} {text!r} names no construct of the app: {where} has no child "
                    f"{part!r}{hint}.",
                    "Give the construct path of a subnet, VPC or endpoint of the app, or "
                    "declare the intent after the construct it names.",
                )
            ]
        node = child
        walked.append(part)
    if _is_place(node, role):
        return []
    kind = type(node).__name__.lstrip("_")
    kinds = _SOURCES if role == "source" else _DESTINATIONS
    return [
        _invalid(
            path,
            f"{role} {text!r} is {_article(kind)} {kind}, not {kinds}: the question takes "
            "no other.",
            f"Give {role} as the path of {kinds} (or of its L1, such as "
            "'Network/App/IsolatedSubnet1/Subnet')"
            + (", an address or a DNS name." if role == "destination" else ", or an address."),
        )
    ]


_SOURCES = "a VPC or subnet"
_DESTINATIONS = "a VPC, subnet, interface endpoint or endpoint service"


def _is_place(node: IConstruct, role: str) -> bool:
    """Tell whether a construct is what ``role`` takes (itself, or its default child)."""
    default = node.node.default_child
    return any(_is_place_kind(each, role) for each in (node, default) if each is not None)


def _is_place_kind(node: IConstruct, role: str) -> bool:
    if isinstance(node, ec2.CfnVPC | ec2.CfnSubnet) or implements(node, ec2.IVpc):
        return True
    if implements(node, ec2.ISubnet):
        return True
    if role == "source":
        return False
    if isinstance(node, ec2.CfnVPCEndpoint):
        kind = node.vpc_endpoint_type
        return kind == "Interface" or (kind is not None and cdk.Token.is_unresolved(kind))
    if (
        isinstance(node, ec2.CfnVPCEndpointService)
        or implements(node, ec2.IInterfaceVpcEndpoint)
        or implements(node, ec2.IVpcEndpointService)
    ):
        return True
    # A PrivateLinkService (a layer above this one) holds its service as "EndpointService".
    service = node.node.try_find_child("EndpointService")
    return service is not None and implements(service, ec2.IVpcEndpointService)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _family(text: str) -> tuple[int, str] | None:
    """Return the family of an address or block, and the word for it; None for a name."""
    if not _looks_like_address(text):
        return None
    network = _address(text)
    if network is None:
        return None
    return network.version, "address" if network.num_addresses == 1 else "block"


def _family_problems(
    path: str, source: str, destination: str, ip_version: int | None
) -> list[Finding]:
    found = {
        role: _family(text) for role, text in (("source", source), ("destination", destination))
    }
    texts = {"source": source, "destination": destination}
    for role, family in found.items():
        if family is not None and ip_version is not None and family[0] != ip_version:
            why = (
                f"{role} {texts[role]!r} is an IPv{family[0]} {family[1]}, but ip_version is "
                f"{ip_version}."
            )
            fix = f"Give ip_version={family[0]}, or an IPv{ip_version} {family[1]}."
            return [_invalid(path, why, fix)]
    ends = found["source"], found["destination"]
    if ends[0] is not None and ends[1] is not None and ends[0][0] != ends[1][0]:
        why = (
            f"source {source!r} is an IPv{ends[0][0]} {ends[0][1]} and destination "
            f"{destination!r} an IPv{ends[1][0]} {ends[1][1]}: a question is of one family."
        )
        return [_invalid(path, why, "Give a source and a destination of the same IP version.")]
    return []


def _number_problems(path: str, port: int | None, ip_version: int | None) -> list[Finding]:
    problems: list[Finding] = []
    if port is not None and not 1 <= port <= 65535:
        problems.append(
            _invalid(path, f"port {port} is not a TCP port.", "Give a port from 1 to 65535.")
        )
    if ip_version is not None and ip_version not in (4, 6):
        problems.append(
            _invalid(path, f"ip_version {ip_version} is no IP version.", "Give 4, 6 or None.")
        )
    return problems


def _invalid(path: str, message: str, fix: str) -> Finding:
    return Finding(path, rule_ids.INVALID_INTENT, message, fix)
