"""Compare the plan (a cloud assembly) with the deployed network: ``verify``.

``verify(assembly, roles=..., profiles=...)`` reads the live network of every stack
(``Network.from_deployment``'s read-only calls) and lists each difference that matters
as a :class:`Drift`: a stack not deployed or a managed resource gone; a declared route
missing or sending elsewhere, and any route added that wins over a declared one (or over
a VPC's local route) for some address; a peering not active, or with other options than
declared; an interface endpoint not available; an endpoint service allowing other
principals than its permissions; a private hosted zone gone, not associated with a VPC
the plan associates (across accounts too), missing a record or with a record that leads
elsewhere; a subnet on another route table or network ACL; a network ACL entry changed,
missing or added; then every subnet pair the plan says reaches each other, and every
``ReachabilityIntent``, answered on the live network by the same model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ._build import Built
from ._cidr import Block, Cidr, Ipv6Symbol, block_overlaps, block_prefix
from .model import AclEntry, NetworkAcl, Peering, Record, Route, RouteTable, Vpc
from .network import Network
from .report import count
from .results import IntentVerdict

FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class Drift:
    """One difference between the plan and the deployed network.

    ``kind`` says what differs (``stack-not-deployed``, ``resource-missing``,
    ``route-missing``, ``route-target``, ``route-added``, ``route-table``, ``network-acl``,
    ``peering-status``, ``peering-option``, ``endpoint-state``, ``zone-association``,
    ``record-missing``, ``record-changed``, ``service-permissions``, ``acl-entry-missing``,
    ``acl-entry-changed``, ``acl-entry-added``, ``reachability``, ``intent``); ``path`` is
    the construct path of what differs, or the AWS id of what CloudFormation does not
    manage; ``planned`` and ``there`` say what the plan declares and what is deployed.
    """

    kind: str
    path: str
    planned: str
    there: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.path}: planned {self.planned}; there: {self.there}"


@dataclass
class Verification:
    """What ``verify`` found: the drifts, every intent's live verdict, and what it cost."""

    drifts: list[Drift] = field(default_factory=list)
    intents: list[IntentVerdict] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0
    environments: list[tuple[str, str]] = field(default_factory=list)
    pairs: int = 0
    """How many subnet pairs the plan says reach each other (each checked live)."""

    @property
    def matches(self) -> bool:
        """Tell whether the deployed network is the plan (no drift)."""
        return not self.drifts


def verify(
    assembly: object,
    *,
    roles: Mapping[str, str] | None = None,
    profiles: Mapping[str, str] | None = None,
) -> Verification:
    """Compare the plan ``assembly`` with its deployed network; see the module's docstring.

    :param assembly: what ``app.synth()`` returns, or the path of a cloud assembly.
    :param roles: account id -> the ARN of a role to assume there. Default: - none
    :param profiles: account id -> an AWS profile name for it. Default: - none
    :raises ConnectivityError: for an assembly that cannot be read; ``LiveError`` (one line:
        account, Region, call) when an account cannot be read.
    """
    from ._assembly import intents, read_assembly
    from ._live import deployment

    plan_assembly = read_assembly(assembly)
    found = deployment(plan_assembly, roles=dict(roles or {}), profiles=dict(profiles or {}))
    declared = intents(plan_assembly.directory)
    plan = Network(found.plan, directory=plan_assembly.directory, intents=declared)
    live = Network(found.built, directory=plan_assembly.directory, intents=declared, live=True)
    result = Verification(calls=found.calls, seconds=found.seconds, environments=found.environments)
    result.drifts += [
        Drift(
            f"{m.kind}-not-deployed" if m.kind == "stack" else "resource-missing",
            m.path,
            m.planned,
            m.there,
        )
        for m in found.missing
    ]
    result.drifts += _compare(found.plan, found.built)
    result.drifts += _permissions(found.permissions)
    pairs, unreached = _pairs(plan, live)
    result.pairs = pairs
    result.drifts += unreached
    result.intents = live.check_intents()
    result.drifts += [
        Drift("intent", v.intent.path, v.intent.question, v.answer_text)
        for v in result.intents
        if not v.holds
    ]
    return result


# --- the comparisons -------------------------------------------------------------------------


def _compare(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    drifts += _tables(plan, live)
    drifts += _associations(plan, live)
    drifts += _peerings(plan, live)
    drifts += _endpoints(plan, live)
    drifts += _zones(plan, live)
    drifts += _acls(plan, live)
    return drifts


def _by_path(things: Iterable[object]) -> dict[str, object]:
    return {str(getattr(thing, "path", "")): thing for thing in things}


def _target(route: Route) -> str:
    target = route.target
    if target.peering is not None:
        return f"peering {target.peering.path}"
    return target.name


def _concrete(block: Block | None, vpcs: Mapping[str, Vpc]) -> Block | None:
    """Return the deployed block an AWS-assigned IPv6 symbol stands for (else the block)."""
    if not isinstance(block, Ipv6Symbol):
        return block
    vpc = vpcs.get(block.owner)
    if vpc is None or block.index >= len(vpc.ipv6):
        return None
    found = vpc.ipv6[block.index]
    for host_bits, position in block.pieces:
        if not isinstance(found, Cidr):
            return None
        found = Cidr(6, found.first + (position << host_bits), 128 - host_bits)
    return found


def _tables(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    gateway_endpoints = {f"VPC endpoint {e.path}" for e in plan.endpoints if e.kind == "Gateway"}
    live_tables = _by_path(live.tables)
    live_vpcs = {vpc.path: vpc for vpc in live.vpcs}
    for table in plan.tables:
        there = live_tables.get(table.path)
        if not isinstance(there, RouteTable):
            continue  # not deployed (reported), or a table of an account not read
        live_routes = {(r.destination_text, r.ipv6): r for r in there.routes}
        declared_paths = set()
        for route in table.routes:
            if route.destination is None and route.prefix_list is None:
                continue  # a token the plan cannot read: nothing to compare
            concrete = _concrete(route.destination, live_vpcs)
            text = str(concrete) if concrete is not None else route.destination_text
            declared = f"{text} -> {_target(route)}"
            found = live_routes.get((text, route.ipv6))
            if found is None:
                drifts.append(Drift("route-missing", route.path, declared, f"no route to {text}"))
                continue
            declared_paths.add(found.path)
            if _target(found) != _target(route) or found.target.kind != route.target.kind:
                why = f" ({found.target.why})" if found.target.why else ""
                drifts.append(
                    Drift("route-target", route.path, declared, f"{text} -> {_target(found)}{why}")
                )
        # A gateway endpoint of the plan adds a route to its service's prefix list.
        declared_paths |= {
            route.path for route in there.routes if route.target.name in gateway_endpoints
        }
        drifts += _added(table, there, declared_paths, live_vpcs)
    return drifts


def _added(
    table: RouteTable, there: RouteTable, declared: set[str], vpcs: Mapping[str, Vpc]
) -> list[Drift]:
    """Each live route not declared that is more specific than a declared or local one.

    A route to a prefix list routes each of its entries, on either side.
    """
    drifts: list[Drift] = []
    vpc = there.vpc
    ours: list[tuple[Block, str, str]] = []
    for route in table.routes:
        ours += [(block, text, route.path) for block, text in _blocks(route, vpcs)]
    for block in [*vpc.cidrs, *vpc.ipv6] if vpc is not None else []:
        ours.append((block, str(block), f"the local route of {vpc.path}"))  # type: ignore[union-attr]
    for route in there.routes:
        if route.path in declared:
            continue
        for destination, text in _blocks(route, vpcs):
            wider = [
                each
                for each in ours
                if block_overlaps(destination, each[0])
                and block_prefix(destination) > block_prefix(each[0])
            ]
            if not wider:
                continue
            block, block_text, name = max(wider, key=lambda each: block_prefix(each[0]))
            drifts.append(
                Drift(
                    "route-added",
                    route.path,
                    f"no route; {block_text} -> {name}",
                    f"{text} -> {_target(route)}, more specific than {block_text}: it takes "
                    f"{destination} off {name}",
                )
            )
            break
    return drifts


def _blocks(route: Route, vpcs: Mapping[str, Vpc]) -> list[tuple[Block, str]]:
    """Return each block a route routes (a prefix list's entries), and how to say it."""
    if route.prefix_list is not None:
        return [
            (entry, f"{entry} ({route.prefix_list})") for entry in route.prefix_list.entries or []
        ]
    concrete = _concrete(route.destination, vpcs)
    return [(concrete, str(concrete))] if concrete is not None else []


def _associations(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    live_subnets = _by_path(live.subnets)
    for subnet in plan.subnets:
        there = live_subnets.get(subnet.path)
        if there is None:
            continue
        planned_table = subnet.route_table.path if subnet.route_table else "none"
        live_table = there.route_table.path if there.route_table else "none"  # type: ignore[attr-defined]
        if planned_table != live_table:
            drifts.append(Drift("route-table", subnet.path, planned_table, live_table))
        planned_acl = subnet.network_acl.path if subnet.network_acl else "none"
        live_acl = there.network_acl.path if there.network_acl else "none"  # type: ignore[attr-defined]
        if planned_acl != live_acl:
            drifts.append(Drift("network-acl", subnet.path, planned_acl, live_acl))
    return drifts


def _peerings(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    live_peerings = _by_path(live.peerings)
    for peering in plan.peerings:
        there = live_peerings.get(peering.path)
        if not isinstance(there, Peering) or peering.external:
            continue
        if there.accepted is not True:
            drifts.append(Drift("peering-status", peering.path, "active", there.why or "unknown"))
        live_options = live.options.get(there, {})
        for (side, key), value in plan.options.get(peering, {}).items():
            found = live_options.get((side, key))
            if str(found).lower() != str(value).lower():
                shown = "not set" if found is None else f"{key}={found}"
                drifts.append(
                    Drift(
                        "peering-option", peering.path, f"{side} {key}={value}", f"{side} {shown}"
                    )
                )
    return drifts


def _endpoints(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    live_endpoints = _by_path(live.endpoints)
    for endpoint in plan.endpoints:
        there = live_endpoints.get(endpoint.path)
        if there is None or endpoint.kind != "Interface":
            continue
        state = getattr(there, "state", None)
        if state is not None and state.lower() != "available":
            drifts.append(Drift("endpoint-state", endpoint.path, "available", state))
    return drifts


def _zones(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    live_zones = _by_path(live.zones)
    for zone in plan.zones:
        there = live_zones.get(zone.path)
        if there is None:
            continue
        associated = {vpc.path for vpc in there.vpcs}  # type: ignore[attr-defined]
        for vpc in zone.vpcs:
            if vpc.path not in associated:
                drifts.append(
                    Drift(
                        "zone-association",
                        zone.path,
                        f"{zone.name} associated with VPC {vpc.path}",
                        f"not associated with {vpc.path}",
                    )
                )
        records = {(r.name, r.type): r for r in there.records}  # type: ignore[attr-defined]
        for record in zone.records:
            found = records.get((record.name, record.type))
            if found is None:
                drifts.append(
                    Drift("record-missing", record.path, f"{record.type} {record.name}", "none")
                )
                continue
            planned = _record_value(record)
            value = _record_value(found) or str(found.unknown)
            if planned is not None and value != planned:
                drifts.append(
                    Drift(
                        "record-changed",
                        record.path,
                        f"{record.type} {record.name} -> {planned}",
                        f"{found.type} {found.name} -> {value}",
                    )
                )
    return drifts


def _record_value(record: Record) -> str | None:
    """Say where a record leads (None: the plan cannot tell)."""
    if record.unknown:
        return None
    if record.endpoint is not None:
        return f"alias to endpoint {record.endpoint.path}"
    if record.canonical is not None:
        return f"CNAME {record.canonical}"
    if record.addresses:
        return ", ".join(sorted(_address(block) for block in record.addresses))
    return None


def _address(block: Cidr) -> str:
    text = str(block)
    return text.rsplit("/", 1)[0] if block.prefix == (32 if block.version == 4 else 128) else text


def _permissions(
    permissions: Mapping[str, tuple[frozenset[str] | None, frozenset[str]]],
) -> list[Drift]:
    """Each endpoint service whose allowed principals are not the planned ones."""
    drifts: list[Drift] = []
    for path, (planned, allowed) in sorted(permissions.items()):
        if planned is not None and planned != allowed:
            drifts.append(
                Drift(
                    "service-permissions",
                    path,
                    f"allowed principals: {', '.join(sorted(planned)) or 'none'}",
                    f"allowed principals: {', '.join(sorted(allowed)) or 'none'}",
                )
            )
    return drifts


def _entry_text(entry: AclEntry) -> str:
    return str(entry).split(": ", 1)[-1]


def _planned_entry(entry: AclEntry, vpcs: Mapping[str, Vpc]) -> tuple[AclEntry, bool]:
    """Return a planned entry as deployed, and whether its block is known.

    An AWS-assigned IPv6 block (a token in the template) is the deployed VPC's; another
    token block (a parameter, an import) is unknown: the rest of the entry is compared.
    """
    if entry.cidr is not None:
        return entry, True
    concrete = _concrete(entry.symbol, vpcs)
    if isinstance(concrete, Cidr):
        return replace(entry, cidr=concrete, unknown=None), True
    return entry, False


def _declared(acl: NetworkAcl, entry: AclEntry) -> bool:
    """Tell whether a planned entry is to be there.

    A default ACL's rule 101 (AWS's: allow all IPv6 traffic) is there only when its VPC has
    an IPv6 block.
    """
    aws = acl.default and entry.path == acl.path
    return not (aws and entry.ipv6 and not (acl.vpc is not None and acl.vpc.ipv6))


def _acls(plan: Built, live: Built) -> list[Drift]:
    drifts: list[Drift] = []
    live_acls = _by_path(live.acls)
    live_vpcs = {vpc.path: vpc for vpc in live.vpcs}
    for acl in plan.acls:
        there = live_acls.get(acl.path)
        if there is None or acl.external:
            continue
        declared = {(e.egress, e.number): e for e in acl.entries if _declared(acl, e)}
        found = {(e.egress, e.number): e for e in there.entries}  # type: ignore[attr-defined]
        for key, planned in declared.items():
            other = found.get(key)
            entry, known = _planned_entry(planned, live_vpcs)
            if other is None:
                drifts.append(Drift("acl-entry-missing", entry.path, str(entry), "no such entry"))
            elif _entry_text(other) != _entry_text(entry) and (
                known
                or _entry_text(replace(other, cidr=None, unknown=entry.unknown))
                != _entry_text(entry)
            ):
                drifts.append(Drift("acl-entry-changed", entry.path, str(entry), str(other)))
        for key, entry in found.items():
            aws_default = acl.default and entry.path == acl.path
            if key not in declared and not aws_default:
                drifts.append(Drift("acl-entry-added", entry.path, "no such entry", str(entry)))
    return drifts


def _pairs(plan: Network, live: Network) -> tuple[int, list[Drift]]:
    """Ask the live network every subnet pair the plan says reaches (both ways)."""
    drifts: list[Drift] = []
    checked = 0
    live_subnets = {subnet.path for subnet in live.subnets}
    for (source, destination), state in sorted(plan.matrix(by="subnet").items()):
        if state != "both ways" or not plan.reachability(source, destination).reachable:
            continue
        checked += 1
        if source not in live_subnets or destination not in live_subnets:
            there = "a subnet of the pair is not deployed"
        else:
            answer = live.reachability(source, destination)
            if answer.reachable:
                continue
            there = answer.summary
        drifts.append(Drift("reachability", f"{source} -> {destination}", "reaches", there))
    return checked, drifts


# --- rendering -----------------------------------------------------------------------------


def render(result: Verification, form: str = "text", *, title: str = "verify") -> str:
    """Render a verification as ``text``, ``markdown`` or ``json``."""
    if form not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {form!r}")
    envs = ", ".join(f"{a}/{r}" for a, r in result.environments) or "none"
    verdict = (
        "the deployed network matches the plan"
        if result.matches
        else f"{count(len(result.drifts), 'difference')} from the plan"
    )
    cost = f"{result.calls} read calls in {result.seconds:.1f} s"
    if form == "json":
        data = {
            "matches": result.matches,
            "drifts": [
                {"kind": d.kind, "path": d.path, "planned": d.planned, "there": d.there}
                for d in result.drifts
            ],
            "intents": [verdict.as_json() for verdict in result.intents],
            "pairs_checked": result.pairs,
            "environments": [{"account": a, "region": r} for a, r in result.environments],
            "calls": result.calls,
            "seconds": round(result.seconds, 3),
        }
        return json.dumps(data, indent=2) + "\n"
    if form == "markdown":
        lines = [f"# {title}", "", f"{verdict.capitalize()} ({envs}; {cost}).", ""]
        lines += [f"## Differences ({len(result.drifts)})", ""]
        if result.drifts:
            lines += ["| kind | what | planned | there |", "|---|---|---|---|"]
            lines += [
                f"| {d.kind} | `{_cell(d.path)}` | {_cell(d.planned)} | {_cell(d.there)} |"
                for d in result.drifts
            ]
        else:
            lines.append("None.")
        lines += ["", f"## Intents ({len(result.intents)})", ""]
        lines += [f"- {_cell(verdict.line())}" for verdict in result.intents] or ["None."]
        lines += ["", f"{result.pairs} subnet pairs the plan says reach each other, checked live."]
        return "\n".join(lines) + "\n"
    lines = [title, "=" * len(title), f"{verdict} ({envs}; {cost})", ""]
    lines.append(f"Differences ({len(result.drifts)}):")
    lines += [f"  {drift}" for drift in result.drifts] or ["  none"]
    lines += ["", f"Intents ({len(result.intents)}):"]
    lines += [f"  {verdict.line()}" for verdict in result.intents] or ["  none"]
    lines += ["", f"{result.pairs} subnet pairs the plan says reach each other, checked live."]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


__all__ = ["Drift", "Verification", "render", "verify"]
