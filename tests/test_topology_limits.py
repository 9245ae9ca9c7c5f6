"""PeeringMesh and HubAndSpoke at scale: quotas, CloudFormation limits, stable logical ids."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering import (
    HubAndSpoke,
    PeeringMesh,
    TopologyPlacement,
    ValidationError,
)
from cdk_peering.topology import placement
from tests.conftest import ENV, new_app
from tests.helpers import (
    NAMES,
    Assembly,
    Key,
    deploy_order,
    imported_vpc,
    isolated_tables,
    make_vpc,
    warnings_on,
)


def test_more_than_125_peerings_on_the_hub_is_one_error() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    hub = imported_vpc(net, 0)
    spokes = [imported_vpc(net, i) for i in range(1, 127)]
    with pytest.raises(ValidationError) as caught:
        HubAndSpoke(net, "Star", hub=hub, spokes=spokes)
    assert [p.rule for p in caught.value.problems] == ["cdk_peering:peeringQuotaExceeded"]
    assert "VPC Net/Vpc0 would have 126 peering connections" in str(caught.value)


def test_quota_warnings_come_once_per_vpc_and_route_table() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    hub = imported_vpc(net, 0, tables=2)
    spokes = [imported_vpc(net, i) for i in range(1, 52)]
    star = HubAndSpoke(net, "Star", hub=hub, spokes=spokes, placement=TopologyPlacement.SCOPE)

    warnings = warnings_on(star)
    assert sum("cdk_peering:peeringQuota]" in w for w in warnings) == 1
    assert sum("cdk_peering:routeQuota]" in w for w in warnings) == 2  # the hub's 2 tables
    assert any("Net/Vpc0 would have 51 peering connections" in w for w in warnings)


def test_declared_quotas_silence_the_warnings() -> None:
    app = new_app(**{"cdk-peering:activePeeringsPerVpcQuota": 60})
    net = cdk.Stack(app, "Net", env=ENV)
    hub = imported_vpc(net, 0)
    spokes = [imported_vpc(net, i) for i in range(1, 52)]
    star = HubAndSpoke(
        net,
        "Star",
        hub=hub,
        spokes=spokes,
        placement=TopologyPlacement.SCOPE,
        routes_per_route_table_quota=60,
    )
    assert not warnings_on(star)


def _limits(assembly: cdk.cx_api.CloudAssembly) -> tuple[int, int, int, int]:
    """Return the most resources, outputs, parameters and template bytes of any stack."""
    sizes = [
        (
            len(stack.template.get("Resources", {})),
            len(stack.template.get("Outputs", {})),
            len(stack.template.get("Parameters", {})),
            (Path(assembly.directory) / stack.template_file).stat().st_size,
        )
        for stack in assembly.stacks
    ]
    return tuple(max(column) for column in zip(*sizes, strict=True))


def test_a_mesh_far_above_one_stack_stays_within_every_limit() -> None:
    app = new_app(**{"cdk-peering:routesPerRouteTableQuota": 100})
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [imported_vpc(net, i, tables=6) for i in range(14)]
    mesh = PeeringMesh(net, "Mesh", vpcs=vpcs)
    cloud = app.synth()

    assert len(mesh.peering_connections) == 91
    assert len(mesh.routes) == 91 * 2 * 6  # 1,183 resources: more than two stacks hold
    resources, outputs, parameters, size = _limits(cloud)
    assert resources <= 451  # the library's 450 and CDK's metadata
    assert outputs <= 200
    assert parameters <= 200
    assert size < 1_000_000
    # Six tables x up to 100 routes each do not fit one stack: Requests parts by table.
    names = {stack.stack_name for stack in mesh.stacks}
    assert {"Net-Mesh-Vpc0Requests", "Net-Mesh-Vpc0RequestsPart2"} <= names
    totals = Assembly(cloud)
    assert len(totals.resources("AWS::EC2::Route")) == 1092
    deploy_order(cloud)


def test_scope_placement_refuses_more_than_one_stack_holds() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [imported_vpc(net, i, tables=2) for i in range(14)]
    # 13 VPCs: 78 pairs x (1 connection + 4 routes) = 390 resources, within 450.
    PeeringMesh(net, "Small", vpcs=vpcs[:13], placement=TopologyPlacement.SCOPE)
    other = cdk.Stack(app, "Other", env=ENV)
    more = [imported_vpc(other, i, tables=2) for i in range(20, 34)]
    with pytest.raises(ValidationError, match="would put 455 resources into stack Other"):
        PeeringMesh(other, "Large", vpcs=more, placement=TopologyPlacement.SCOPE)
    assert other.node.try_find_child("Large") is None


def test_too_many_outputs_in_the_vpcs_stack_is_an_error() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [
        ec2.Vpc(
            net,
            f"Vpc{i}",
            ip_addresses=ec2.IpAddresses.cidr(f"10.{i}.0.0/16"),
            max_azs=3,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="I", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
            ],
        )
        for i in range(51)
    ]
    with pytest.raises(ValidationError, match="Stack Net would get 204 outputs"):
        PeeringMesh(net, "Mesh", vpcs=vpcs, peerings_per_vpc_quota=125)


def _mesh_resources(names: Sequence[str], *, hub: bool = False) -> dict[Key, dict[str, Any]]:
    """Synthesize a topology of the named VPCs; return its peerings and routes."""
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [
        make_vpc(net, name, f"10.{NAMES.index(name)}.0.0/16", isolated_only=True) for name in names
    ]
    if hub:
        HubAndSpoke(net, "Topology", hub=vpcs[0], spokes=vpcs[1:])
    else:
        PeeringMesh(net, "Topology", vpcs=vpcs)
    return Assembly(app.synth()).peerings_and_routes()


def _involving(resources: dict[Key, dict[str, Any]], name: str) -> set[Key]:
    return {key for key in resources if f"-{name}" in key[0] or f"To{name}" in key[1]}


@pytest.mark.parametrize("hub", [False, True], ids=["mesh", "hub-and-spoke"])
def test_adding_or_removing_a_vpc_changes_nothing_between_the_others(hub: bool) -> None:
    four = _mesh_resources(["Alpha", "Bravo", "Charlie", "Delta"], hub=hub)
    without_charlie = _mesh_resources(["Alpha", "Bravo", "Delta"], hub=hub)
    with_echo = _mesh_resources(["Alpha", "Bravo", "Charlie", "Delta", "Echo"], hub=hub)

    # Removing Charlie removes exactly what involves Charlie; the rest is identical:
    # same stacks, same logical ids, same properties.
    charlie = _involving(four, "Charlie")
    assert charlie
    assert set(without_charlie) == set(four) - charlie
    for key, properties in without_charlie.items():
        assert four[key] == properties, key
    # Adding Echo adds only what involves Echo.
    echo = _involving(with_echo, "Echo")
    assert echo
    assert set(with_echo) - echo == set(four)
    for key, properties in four.items():
        assert with_echo[key] == properties, key


def test_route_ids_keep_similar_cidrs_apart() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a = make_vpc(net, "Alpha", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(net, "Bravo", "10.11.0.0/24", isolated_only=True)
    ec2.CfnVPCCidrBlock(net, "BravoSecondary", vpc_id=b.vpc_id, cidr_block="10.1.10.0/24")
    PeeringMesh(net, "Mesh", vpcs=[a, b])
    routes = Assembly(app.synth()).resources("AWS::EC2::Route")
    # 10.1.10.0/24 and 10.11.0.0/24 would both read 10110024 with the separators dropped.
    alpha = set(isolated_tables(a))
    destinations = sorted(
        r["DestinationCidrBlock"] for r in routes.values() if r["RouteTableId"] in alpha
    )
    assert destinations == ["10.1.10.0/24", "10.1.10.0/24", "10.11.0.0/24", "10.11.0.0/24"]


def test_pair_count_of_a_mesh() -> None:
    # The n(n-1)/2 of the docs, on imported VPCs (cheap to build).
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [imported_vpc(net, i) for i in range(7)]
    mesh = PeeringMesh(net, "Mesh", vpcs=vpcs, placement=TopologyPlacement.SCOPE)
    assert len(mesh.peering_connections) == len(list(itertools.combinations(vpcs, 2))) == 21


def test_layers_are_cut_by_route_table_and_a_table_never_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small stack budget shows the cut without building thousands of routes.
    monkeypatch.setattr(placement, "STACK_BUDGET", 12)
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    hub = imported_vpc(net, 0, tables=3)
    star = HubAndSpoke(net, "Star", hub=hub, spokes=[imported_vpc(net, i) for i in range(1, 5)])
    names = sorted(stack.stack_name for stack in star.stacks)
    # Quota 50 per table > budget 12: the peerings alone in part 1, then a table per part.
    assert names[:4] == [
        "Net-Star-Vpc0Requests",
        "Net-Star-Vpc0RequestsPart2",
        "Net-Star-Vpc0RequestsPart3",
        "Net-Star-Vpc0RequestsPart4",
    ]
    assembly = Assembly(app.synth())
    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    assert {stack for stack, _ in connections} == {"Net-Star-Vpc0Requests"}

    with pytest.raises(ValidationError, match="would put 13 resources into one stack"):
        HubAndSpoke(
            cdk.Stack(app, "Big", env=ENV),
            "Star",
            hub=imported_vpc(net, 100),
            spokes=[imported_vpc(net, i) for i in range(101, 114)],
        )


def test_raising_a_declared_quota_moves_nothing() -> None:
    def resources(**context: Any) -> dict[Key, dict[str, Any]]:
        app = new_app(**context)
        net = cdk.Stack(app, "Net", env=ENV)
        PeeringMesh(net, "Mesh", vpcs=[imported_vpc(net, i, tables=6) for i in range(4)])
        return Assembly(app.synth()).peerings_and_routes()

    default = resources()
    raised = resources(
        **{
            "cdk-peering:activePeeringsPerVpcQuota": 125,
            "cdk-peering:routesPerRouteTableQuota": 1000,
        }
    )
    assert raised == default
    # Six route tables: the layers are cut into parts, and stay cut the same way.
    assert ("Net-Mesh-Vpc0RequestsPart3", "IsolatedSubnet6ToVpc110x1x0x0x16") in default
