"""The report people look at, in text, Markdown, Mermaid, Graphviz DOT or JSON.

Text reads in a terminal; Markdown holds a Mermaid diagram (GitHub renders it); JSON is
for tools.

Every format says the same: the VPCs grouped by account and region, the peerings, the
interface endpoints, endpoint services and private hosted zones; which VPCs (and CDK
subnet groups) reach each other through a peering both ways or one way; every one-way
route; every value the assembly does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ._cidr import Ipv6Symbol
from .model import Endpoint, HostedZone, Peering, Vpc
from .network import Network
from .results import OneWayRoute

FORMATS = ("text", "markdown", "mermaid", "dot", "json")
"""The formats ``render`` writes."""

NO = "no"
LOCAL = "local"


def render(network: Network, form: str = "text", *, title: str | None = None) -> str:
    """Render the report of ``network`` in one of ``FORMATS``.

    :param network: the model.
    :param form: ``text``, ``markdown``, ``mermaid``, ``dot`` or ``json``. Default: "text"
    :param title: the report's heading. Default: - the assembly's directory
    """
    if form not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {form!r}")
    facts = _Facts(network, title)
    return {
        "text": facts.text,
        "markdown": facts.markdown,
        "mermaid": facts.mermaid,
        "dot": facts.dot,
        "json": facts.json,
    }[form]()


class _Facts:
    """What every format shows, computed once."""

    def __init__(self, network: Network, title: str | None) -> None:
        self.network = network
        self.title = title or f"Connectivity of {network.directory or 'the assembly'}"
        self.vpcs = sorted(network.vpcs, key=lambda v: (v.environment, v.path))
        self.one_way = network.one_way_routes()
        self.one_way_peerings = {route.peering for route in self.one_way}
        self.vpc_cells = network.matrix()
        self.group_cells = network.matrix(by="group")
        self.interface = [e for e in network.endpoints if e.kind == "Interface"]
        self.zones = [z for z in network.hosted_zones if z.private]
        self.intents = network.check_intents()

    # --- shared pieces ---------------------------------------------------------------------

    def environments(self) -> dict[str, list[Vpc]]:
        grouped: dict[str, list[Vpc]] = {}
        for vpc in self.vpcs:
            grouped.setdefault(vpc.environment, []).append(vpc)
        return grouped

    def state(self, peering: Peering) -> str:
        if peering.usable is False:
            return "never accepted"
        if peering.usable is None:
            return "unknown"
        if peering.path in self.one_way_peerings:
            return "one-way routes"
        return "ok"

    def edges(self) -> list[tuple[Vpc, Vpc, bool, str]]:
        """Return each peering whose VPCs are known: its ends, whether it is fine, a label."""
        found = []
        for peering in self.network.peerings:
            if peering.requester is not None and peering.accepter is not None:
                state = self.state(peering)
                label = peering.path if state == "ok" else f"{peering.path} ({state})"
                found.append((peering.requester, peering.accepter, state == "ok", label))
        return found

    @staticmethod
    def blocks(vpc: Vpc) -> str:
        shown = [str(cidr) for cidr in vpc.cidrs] + [
            "IPv6 (AWS-assigned)" if isinstance(block, Ipv6Symbol) else str(block)
            for block in vpc.ipv6
        ]
        if vpc.external:
            shown.append("imported by id")
        return ", ".join(shown) or "blocks unknown"

    def acceptance(self, endpoint: Endpoint) -> str:
        if endpoint.aws_service:
            return "AWS service"
        service = endpoint.service
        if service is None:
            return "unknown (service outside the assembly)"
        if not service.acceptance_required:
            return "accepted (no acceptance required)"
        acceptor = service.accepted.get(endpoint)
        return f"accepted by {acceptor}" if acceptor else "never accepted"

    def groups(self) -> list[str]:
        found: dict[str, None] = {}
        for vpc in self.vpcs:
            for subnet in sorted(vpc.subnets, key=lambda s: s.group):
                found[subnet.group] = None
        return list(found)

    @staticmethod
    def cell(cells: dict[tuple[str, str], str], row: str, column: str, *, same: bool) -> str:
        if same:
            return LOCAL
        return cells.get((row, column), NO)

    def matrix_rows(
        self, names: Sequence[str], cells: dict[tuple[str, str], str], owner: dict[str, str]
    ) -> list[list[str]]:
        return [
            [self.cell(cells, row, column, same=owner[row] == owner[column]) for column in names]
            for row in names
        ]

    def vpc_names(self) -> list[str]:
        return [vpc.path for vpc in self.vpcs]

    def group_owner(self) -> dict[str, str]:
        owner: dict[str, str] = {}
        for vpc in self.vpcs:
            for subnet in vpc.subnets:
                owner[subnet.group] = vpc.path
        return owner

    def summary(self) -> str:
        network = self.network
        counts = [
            (len(self.vpcs), "VPC"),
            (len(network.subnets), "subnet"),
            (len(network.peerings), "peering connection"),
            (len(self.interface), "interface endpoint"),
            (len(network.endpoint_services), "endpoint service"),
            (len(self.zones), "private hosted zone"),
        ]
        found = [(len(self.one_way), "one-way route"), (len(network.unknowns), "unknown value")]
        return (
            ", ".join(count(n, noun) for n, noun in counts)
            + "; "
            + ", ".join(count(n, noun) for n, noun in found)
        )

    # --- text --------------------------------------------------------------------------------

    def text(self) -> str:
        lines = [self.title, "=" * len(self.title), self.summary(), ""]
        for environment, vpcs in self.environments().items():
            lines.append(f"{environment}:")
            lines.extend(f"  {vpc.path}  {self.blocks(vpc)}" for vpc in vpcs)
        lines += ["", "Peerings:"]
        lines += [
            f"  {p.path}: {_end(p.requester)} <-> {_end(p.accepter)}  [{self.state(p)}]"
            for p in self.network.peerings
        ] or ["  none"]
        if self.interface:
            lines += ["", "Interface endpoints:"]
            lines += [
                f"  {e.path} in {_end(e.vpc)} -> {e.service.path if e.service else e.service_name}"
                f"  [{self.acceptance(e)}]"
                for e in self.interface
            ]
        if self.zones:
            lines += ["", "Private hosted zones:"]
            lines += [f"  {z.name} ({z.path}): {', '.join(_zone_vpcs(z))}" for z in self.zones]
        lines += ["", "VPCs that reach each other through a peering:"]
        lines += self.pairs() or ["  none"]
        lines += ["", f"One-way routes ({len(self.one_way)}):"]
        lines += [f"  {route}" for route in self.one_way] or ["  none"]
        if self.intents:
            lines += ["", f"Intents ({len(self.intents)}):"]
            lines += [f"  {verdict.line()}" for verdict in self.intents]
        lines += ["", f"Unknown values ({len(self.network.unknowns)}):"]
        lines += [f"  {each}" for each in self.network.unknowns] or ["  none"]
        return "\n".join(lines) + "\n"

    def pairs(self) -> list[str]:
        """Say each pair of VPCs once when it is both ways, each direction otherwise."""
        lines: list[str] = []
        for (one, other), state in sorted(self.vpc_cells.items()):
            back = self.vpc_cells.get((other, one))
            if state == back == "both ways":
                if one < other:
                    lines.append(f"  {one} <-> {other}: both ways")
            else:
                lines.append(f"  {one} -> {other}: {state}")
        return lines

    # --- markdown ------------------------------------------------------------------------

    def markdown(self) -> str:
        out = [f"# {self.title}", "", self.summary() + ".", "", "## Diagram", ""]
        out += ["```mermaid", self.mermaid().rstrip("\n"), "```", ""]
        out += [
            "## Reachability between VPCs",
            "",
            "Row to column: **both ways** when some subnet pair has routes there and back "
            "through an accepted peering, **unknown** when the assembly cannot tell, "
            "**one way** when routes go there but none comes back, "
            "**no** when no peering route joins them.",
            "",
        ]
        names = self.vpc_names()
        owner = {name: name for name in names}
        out += _table(names, self.matrix_rows(names, self.vpc_cells, owner))
        out += ["", "## Reachability between subnet groups", ""]
        groups = self.groups()
        out += _table(groups, self.matrix_rows(groups, self.group_cells, self.group_owner()))
        out += ["", f"## One-way routes ({len(self.one_way)})", ""]
        out += [_one_way_line(route) for route in self.one_way] or ["None."]
        if self.intents:
            out += ["", f"## Intents ({len(self.intents)})", ""]
            out += [f"- {_escape(verdict.line())}" for verdict in self.intents]
        out += ["", f"## Unknown values ({len(self.network.unknowns)})", ""]
        out += [f"- {_escape(each)}" for each in self.network.unknowns] or ["None."]
        return "\n".join(out) + "\n"

    # --- diagrams: one graph, drawn by mermaid and dot alike --------------------------------

    def graph(self) -> _Graph:
        """Return the diagram's nodes and edges, which every diagram format draws."""
        graph = _Graph()
        for environment, vpcs in self.environments().items():
            cluster = graph.cluster(environment)
            for vpc in vpcs:
                graph.node(vpc, "vpc", f"{vpc.path}\n{self.blocks(vpc)}", cluster)
            for endpoint in self.interface:
                if endpoint.vpc in vpcs:
                    graph.node(endpoint, "endpoint", f"endpoint {endpoint.path}", cluster)
            for service in self.network.endpoint_services:
                if service.environment == environment:
                    graph.node(service, "service", f"service {service.path}", cluster)
        for endpoint in self.interface:
            if endpoint.vpc is None:
                graph.node(endpoint, "endpoint", f"endpoint {endpoint.path}", None)
        for zone in self.zones:
            graph.node(zone, "zone", f"zone {zone.name}", None)
        for requester, accepter, ok, label in self.edges():
            graph.edge(requester, accepter, "peering" if ok else "peering-unsure", label)
        for endpoint in self.interface:
            if endpoint.vpc is not None:
                graph.edge(endpoint.vpc, endpoint, "member", None)
            if endpoint.service is not None and endpoint.service in graph:
                graph.edge(endpoint, endpoint.service, "service", self.acceptance(endpoint))
        for zone in self.zones:
            for vpc in zone.vpcs:
                graph.edge(zone, vpc, "association", None)
            for record in zone.records:
                if record.endpoint is not None and record.endpoint in graph:
                    graph.edge(zone, record.endpoint, "record", record.name)
        return graph

    def mermaid(self) -> str:
        graph = self.graph()
        shapes = {
            "vpc": '["{}"]',
            "endpoint": '(["{}"])',
            "service": '{{{{"{}"}}}}',
            "zone": '[("{}")]',
        }
        arrows = {
            "peering": "<-->",
            "peering-unsure": "<-.->",
            "member": "---",
            "service": "==>",
            "association": "-.-",
            "record": "-->",
        }
        lines = ["flowchart LR"]

        def node(number: int) -> str:
            kind, label, _ = graph.nodes[number]
            text = _label(label).replace("\n", "<br/>")
            return f"n{number}" + shapes[kind].format(text)

        for index, name in enumerate(graph.clusters):
            lines.append(f'  subgraph env{index}["{_label(name)}"]')
            lines.extend(f"    {node(n)}" for n in graph.members(index))
            lines.append("  end")
        lines.extend(f"  {node(n)}" for n in graph.members(None))
        for one, other, kind, label in graph.edges:
            text = f'|"{_label(label)}"|' if label else ""
            lines.append(f"  n{one} {arrows[kind]}{text} n{other}")
        return "\n".join(lines) + "\n"

    def dot(self) -> str:
        graph = self.graph()
        shapes = {"vpc": "box", "endpoint": "oval", "service": "hexagon", "zone": "cylinder"}
        styles = {
            "peering": "dir=both, style=solid",
            "peering-unsure": "dir=both, style=dashed",
            "member": "arrowhead=none",
            "service": "style=bold",
            "association": "style=dotted, arrowhead=none",
            "record": "style=solid",
        }
        lines = ["digraph connectivity {", "  rankdir=LR;", "  node [shape=box];"]

        def node(number: int) -> str:
            kind, label, _ = graph.nodes[number]
            return f"n{number} [shape={shapes[kind]}, label={_quote(label)}];"

        for index, name in enumerate(graph.clusters):
            lines += [f"  subgraph cluster_{index} {{", f"    label={_quote(name)};"]
            lines.extend(f"    {node(n)}" for n in graph.members(index))
            lines.append("  }")
        lines.extend(f"  {node(n)}" for n in graph.members(None))
        for one, other, kind, label in graph.edges:
            text = f", label={_quote(label)}" if label else ""
            lines.append(f"  n{one} -> n{other} [{styles[kind]}{text}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    # --- json --------------------------------------------------------------------------------

    def json(self) -> str:
        network = self.network
        data: dict[str, Any] = {
            "vpcs": [
                {
                    "path": vpc.path,
                    "account": vpc.account,
                    "region": vpc.region,
                    "cidrs": [str(c) for c in vpc.cidrs],
                    "ipv6": [str(b) for b in vpc.ipv6],
                    "external": vpc.external,
                    "subnets": [
                        {
                            "path": s.path,
                            "cidr": str(s.cidr) if s.cidr else None,
                            "group": s.group,
                            "route_table": s.route_table.path if s.route_table else None,
                        }
                        for s in vpc.subnets
                    ],
                }
                for vpc in self.vpcs
            ],
            "peerings": [
                {
                    "path": p.path,
                    "requester": _end(p.requester),
                    "accepter": _end(p.accepter),
                    "state": self.state(p),
                }
                for p in network.peerings
            ],
            "endpoints": [
                {
                    "path": e.path,
                    "vpc": _end(e.vpc),
                    "service": e.service.path if e.service else e.service_name,
                    "acceptance": self.acceptance(e),
                }
                for e in self.interface
            ],
            "hosted_zones": [
                {"path": z.path, "name": z.name, "vpcs": _zone_vpcs(z)} for z in self.zones
            ],
            "vpc_matrix": [
                {"from": a, "to": b, "state": state}
                for (a, b), state in sorted(self.vpc_cells.items())
            ],
            "group_matrix": [
                {"from": a, "to": b, "state": state}
                for (a, b), state in sorted(self.group_cells.items())
            ],
            "one_way_routes": [
                {
                    "route_table": r.route_table,
                    "destination": r.destination,
                    "peering": r.peering,
                    "unanswered": list(r.unanswered),
                    "route": r.route,
                }
                for r in self.one_way
            ],
            "intents": [verdict.as_json() for verdict in self.intents],
            "unknowns": list(network.unknowns),
        }
        return json.dumps(data, indent=2) + "\n"


class _Graph:
    """The diagram: nodes (kind, label, cluster) in clusters, and labelled edges."""

    def __init__(self) -> None:
        self.clusters: list[str] = []
        self.nodes: list[tuple[str, str, int | None]] = []
        self.edges: list[tuple[int, int, str, str | None]] = []
        self._ids: dict[int, int] = {}

    def cluster(self, name: str) -> int:
        self.clusters.append(name)
        return len(self.clusters) - 1

    def node(self, thing: object, kind: str, label: str, cluster: int | None) -> None:
        if id(thing) not in self._ids:
            self._ids[id(thing)] = len(self.nodes)
            self.nodes.append((kind, label, cluster))

    def edge(self, one: object, other: object, kind: str, label: str | None) -> None:
        if one in self and other in self:
            self.edges.append((self._ids[id(one)], self._ids[id(other)], kind, label))

    def members(self, cluster: int | None) -> list[int]:
        return [n for n, (_, _, owner) in enumerate(self.nodes) if owner == cluster]

    def __contains__(self, thing: object) -> bool:
        return id(thing) in self._ids


def count(number: int, noun: str) -> str:
    """Return ``1 noun`` or ``N nouns``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _end(vpc: Vpc | None) -> str:
    return vpc.path if vpc is not None else "unknown VPC"


def _zone_vpcs(zone: HostedZone) -> list[str]:
    return [vpc.path for vpc in zone.vpcs] + [f"{each} (unknown)" for each in zone.unknown_vpcs]


def _label(text: str) -> str:
    """Make text safe inside a quoted Mermaid label."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _quote(text: str) -> str:
    return json.dumps(text)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def _table(names: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    if not names:
        return ["No VPCs."]
    header = "| from \\ to | " + " | ".join(_escape(n) for n in names) + " |"
    lines = [header, "|---" * (len(names) + 1) + "|"]
    for name, row in zip(names, rows, strict=True):
        lines.append(f"| **{_escape(name)}** | " + " | ".join(row) + " |")
    return lines


def _one_way_line(route: OneWayRoute) -> str:
    return (
        f"- `{route.route_table}`: `{route.destination}` through peering `{route.peering}`; "
        f"no route back from {', '.join(f'`{each}`' for each in route.unanswered)}"
    )
