"""What the docs say about the example app is what app.py synthesizes.

Each figure is read from the page, where the page writes it (a sentence, a table's row, a
drawing), and compared with the example app's cloud assembly, counted here from its
templates and manifest (not from the library's own model). A failing test names the page,
the figure written there and the app's own. (The Mermaid drawings of the example's
network are held to its report by tests/test_connectivity_example.py.)
"""

from __future__ import annotations

import re
from collections import Counter

import aws_cdk as cdk
import pytest

from tests.conftest import ROOT, ExampleApp
from tests.doc_blocks import DOCS, found, number

# --- the app's own figures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def assembly(example_app: ExampleApp) -> cdk.cx_api.CloudAssembly:
    return example_app[1]


@pytest.fixture(scope="module")
def types(assembly: cdk.cx_api.CloudAssembly) -> Counter[str]:
    """Every resource of every template, by type, but the `AWS::CDK::Metadata` that
    `cdk synth` adds to each stack (the CLI turns version reporting on; the pages count
    resources as `app.synth()` writes them, without it)."""
    counted = Counter(
        resource["Type"]
        for stack in assembly.stacks
        for resource in stack.template.get("Resources", {}).values()
    )
    del counted["AWS::CDK::Metadata"]
    return counted


@pytest.fixture(scope="module")
def stacks(example_app: ExampleApp) -> dict[str, list[str]]:
    """The app's stacks by who makes them: app.py's own (``build`` returns them), the
    mesh's (under ``Teams/Mesh``), and the rest, which the library makes beside a stack."""
    own, assembly = example_app
    names = {stack.stack_name: stack.hierarchical_id for stack in assembly.stacks}
    mine = [stack.stack_name for stack in own]
    mesh = [name for name, path in names.items() if path.startswith("Teams/Mesh/")]
    return {
        "own": mine,
        "mesh": mesh,
        "library": sorted(set(names) - set(mine) - set(mesh)),
        "all": list(names),
    }


# --- the pages -----------------------------------------------------------------------------


def test_example_app_page_counts_the_stacks(stacks: dict[str, list[str]]) -> None:
    page = "docs/example-app.md"
    match = found(
        page,
        r"`cdk synth` writes (\w+) stacks: the (\w+) above, the mesh's (\w+) "
        r"\(`Teams-Mesh-\.\.\.`\), and (\w+) the library makes",
    )
    written = [number(group) for group in match.groups()]
    app = [len(stacks[kind]) for kind in ("all", "own", "mesh", "library")]
    assert written == app, f"{page}: stacks (all, app.py's, mesh's, library's)"
    # Its table names each stack the library makes.
    rows = re.findall(r"^\| `([^`]+)` \|", (ROOT / page).read_text(), re.MULTILINE)
    assert sorted(rows) == stacks["library"], f"{page}: the table of the library's stacks"
    # ... and the mesh's stacks have the names it gives.
    assert all(name.startswith("Teams-Mesh-") for name in stacks["mesh"])


LIBRARY_STACK = re.compile(
    r"\b[A-Z][A-Za-z]+-(?:PeeringAccepter|ZoneAssociation|EndpointAcceptance)-\d{12}-[a-z]{2}-[a-z]+-\d\b"
)
"""A stack the library makes beside another, named as in the example app."""


def test_every_library_stack_the_docs_name_is_the_apps(stacks: dict[str, list[str]]) -> None:
    named = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in [*DOCS, ROOT / "bench" / "README.md"]
        for name in LIBRARY_STACK.findall(path.read_text())
        if name not in stacks["library"]
    }
    assert named == set()


def test_topologies_page_counts_the_mesh_stacks(
    stacks: dict[str, list[str]], assembly: cdk.cx_api.CloudAssembly
) -> None:
    page = "docs/topologies.md"
    match = found(page, r"a mesh of (\w+) team VPCs \((\w+) `Teams-Mesh-\.\.\.` stacks\)")
    connections = sum(
        resource["Type"] == "AWS::EC2::VPCPeeringConnection"
        for name in stacks["mesh"]
        for resource in assembly.get_stack_by_name(name).template["Resources"].values()
    )
    vpcs = number(match.group(1))
    assert vpcs * (vpcs - 1) // 2 == connections, f"{page}: a full mesh of {vpcs} VPCs"
    assert number(match.group(2)) == len(stacks["mesh"]), f"{page}: the mesh's stacks"


STACKS_AND_RESOURCES = re.compile(
    r"example app[^();.]{0,60}\(([\d,]+) stacks, ([\d,]+) resources", re.IGNORECASE
)
"""A page's count of the example app's stacks and resources: "the example app (13 stacks,
427 resources ..."."""


def test_every_count_of_the_apps_stacks_and_resources(
    stacks: dict[str, list[str]], types: Counter[str]
) -> None:
    app = (len(stacks["all"]), types.total())
    written = {
        f"{path.relative_to(ROOT)}: {match.group(0)}": (
            number(match.group(1)),
            number(match.group(2)),
        )
        for path in DOCS
        for match in STACKS_AND_RESOURCES.finditer(" ".join(path.read_text().split()))
    }
    assert {where: count for where, count in written.items() if count != app} == {}, (
        f"the example app has {app[0]} stacks and {app[1]} resources (as app.synth() writes "
        "them; cdk synth adds one AWS::CDK::Metadata per stack)"
    )


def test_bench_readme_latest_example_row(
    stacks: dict[str, list[str]], types: Counter[str], assembly: cdk.cx_api.CloudAssembly
) -> None:
    """bench/README.md's last table of the connectivity benchmark: its example row holds
    the app as it is (earlier tables record earlier runs, on the app as it was then)."""
    page = "bench/README.md"
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in (ROOT / page).read_text().splitlines()
        if line.startswith("| example |")
    ]
    assert rows, f"{page}: no example row"
    written = [number(cell) for cell in rows[-1][1:6]]
    app = [
        len(stacks["all"]),
        types.total(),
        types["AWS::EC2::VPCPeeringConnection"],
        types["AWS::EC2::Route"],
        types["AWS::EC2::VPC"],
    ]
    assert written == app, f"{page}: (stacks, resources, peerings, routes, VPCs)"
