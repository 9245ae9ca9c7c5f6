"""PeeringMesh and HubAndSpoke: routes, regions and accounts, whole-topology checks.

Quotas, CloudFormation limits and stable logical ids: test_topology_limits.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam

from cdk_peering import (
    HubAndSpoke,
    PeeringAccepterRole,
    PeeringMesh,
    TopologyPlacement,
    ValidationError,
    VpcPeering,
)
from cdk_peering.cdk.handler import OPTIONS, TAGS
from cdk_peering.topology.checks import settings_problems
from cdk_peering.topology.pairs import Pair
from tests.conftest import ENV, new_app
from tests.helpers import (
    NAMES,
    Assembly,
    deploy_order,
    imported_vpc,
    isolated_tables,
    make_vpc,
    only_problem,
    route_table_refs,
    settings,
)

EU = cdk.Environment(account="111111111111", region="eu-west-1")
PARTNER = cdk.Environment(account="222222222222", region="us-east-1")


def _vpcs(stack: cdk.Stack, count: int, *, names: Sequence[str] = NAMES) -> list[ec2.Vpc]:
    return [make_vpc(stack, names[i], f"10.{i}.0.0/16", isolated_only=True) for i in range(count)]


# --- what a mesh builds ------------------------------------------------------------------


def test_mesh_peers_every_pair_with_routes_on_both_sides() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = _vpcs(net, 3)
    mesh = PeeringMesh(net, "Mesh", vpcs=vpcs)
    assembly = Assembly(app.synth())

    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    pairs = {(c["VpcId"], c["PeerVpcId"]) for c in connections.values()}
    ids = [("Net", cdk.Stack.of(vpc).resolve(vpc.vpc_id)["Ref"]) for vpc in vpcs]
    assert pairs == {(ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])}
    assert len(mesh.peering_connections) == 3
    # Each pair in the requester's Requests stack, named after the accepter.
    assert set(connections) == {
        ("Net-Mesh-AlphaRequests", "ToBravo"),
        ("Net-Mesh-AlphaRequests", "ToCharlie"),
        ("Net-Mesh-BravoRequests", "ToCharlie"),
    }

    tables = assembly.routes_by_table()
    cidrs = [f"10.{i}.0.0/16" for i in range(3)]
    for i, vpc in enumerate(vpcs):
        for table in isolated_tables(vpc):
            assert tables[table] == set(cidrs) - {cidrs[i]}
    assert len(mesh.routes) == 12  # 3 pairs x 2 sides x 2 route tables

    # Every route goes through the connection of its own pair.
    for route in assembly.resources("AWS::EC2::Route").values():
        connection = connections[route["VpcPeeringConnectionId"]]
        owner = next(
            v for v, vpc in enumerate(vpcs) if route["RouteTableId"] in isolated_tables(vpc)
        )
        peer = cidrs.index(route["DestinationCidrBlock"])
        assert {connection["VpcId"], connection["PeerVpcId"]} == {ids[owner], ids[peer]}


def test_mesh_stacks_depend_in_two_layers_and_deploy_in_order() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    mesh = PeeringMesh(net, "Mesh", vpcs=_vpcs(net, 4))
    cloud = app.synth()
    assembly = Assembly(cloud)

    assert sorted(stack.stack_name for stack in mesh.stacks) == [
        "Net-Mesh-AlphaRequests",
        "Net-Mesh-BravoAccepts",
        "Net-Mesh-BravoRequests",
        "Net-Mesh-CharlieAccepts",
        "Net-Mesh-CharlieRequests",
        "Net-Mesh-DeltaAccepts",
    ]
    deps = assembly.dependencies()
    for name in assembly.templates:
        if name.endswith("Requests"):
            assert deps[name] == {"Net"}, name  # only the VPCs' stack
    assert deps["Net-Mesh-DeltaAccepts"] == {
        "Net",
        "Net-Mesh-AlphaRequests",
        "Net-Mesh-BravoRequests",
        "Net-Mesh-CharlieRequests",
    }
    assert not any(name.endswith("Accepts") for d in deps.values() for name in d)
    deploy_order(cloud)  # no cycle


def test_hub_and_spoke_gives_spokes_no_routes_to_each_other() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    hub, *spokes = _vpcs(net, 4)
    HubAndSpoke(net, "Star", hub=hub, spokes=spokes)
    assembly = Assembly(app.synth())

    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    assert len(connections) == 3
    hub_id = ("Net", net.resolve(hub.vpc_id)["Ref"])
    assert all(c["VpcId"] == hub_id for c in connections.values())  # the hub requests
    tables = assembly.routes_by_table()
    for table in isolated_tables(hub):
        assert tables[table] == {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"}
    for spoke in spokes:
        for table in isolated_tables(spoke):
            assert tables[table] == {"10.0.0.0/16"}


def test_dual_stack_vpcs_get_ipv6_routes_in_the_mesh() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a = make_vpc(net, "Alpha", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = make_vpc(net, "Bravo", "10.1.0.0/16", ipv6=True, isolated_only=True)
    c = make_vpc(net, "Charlie", "10.2.0.0/16", isolated_only=True)
    PeeringMesh(net, "Mesh", vpcs=[a, b, c])
    routes = Assembly(app.synth()).resources("AWS::EC2::Route").values()

    ipv6 = [r for r in routes if "DestinationIpv6CidrBlock" in r]
    assert len(ipv6) == 4  # Alpha <-> Bravo only, 2 tables each side
    assert len(routes) - len(ipv6) == 12


def test_a_mesh_of_isolated_subnets_leaves_the_public_route_tables_alone() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    vpcs = [make_vpc(net, name, f"10.{i}.0.0/16") for i, name in enumerate(NAMES[:3])]
    isolated = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
    mesh = PeeringMesh(net, "Mesh", vpcs=vpcs, subnets=isolated)
    tables = Assembly(app.synth()).routes_by_table()

    # Each VPC's isolated subnets (10.i.128.0/18 and .192.0/18) route back, so the others
    # route to them, merged into one block, not to the whole VPC.
    cidrs = {f"10.{i}.128.0/17" for i in range(3)}
    assert tables == {
        ("Net", table): cidrs - {f"10.{i}.128.0/17"}
        for i, vpc in enumerate(vpcs)
        for table in route_table_refs(net, vpc, *vpc.isolated_subnets)
    }
    for vpc in vpcs:
        assert len(vpc.public_subnets) == 2
        assert not route_table_refs(net, vpc, *vpc.public_subnets) & {t for _, t in tables}
    assert len(mesh.routes) == 12  # 3 pairs x 2 sides x 2 isolated route tables


def test_scope_placement_keeps_everything_in_the_topology_stack() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    mesh = PeeringMesh(net, "Mesh", vpcs=_vpcs(net, 3), placement=TopologyPlacement.SCOPE)
    assembly = Assembly(app.synth())

    assert mesh.stacks == []
    assert list(assembly.templates) == ["Net"]
    assert len(assembly.resources("AWS::EC2::VPCPeeringConnection")) == 3
    assert len(assembly.resources("AWS::EC2::Route")) == 12


def test_peering_connection_id_finds_the_pair_either_way_round() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a, b, c = _vpcs(net, 3)
    mesh = HubAndSpoke(net, "Star", hub=a, spokes=[b, c], placement=TopologyPlacement.SCOPE)

    connections = {
        net.resolve(connection.vpc_id)["Ref"] + net.resolve(connection.peer_vpc_id)["Ref"]: (
            net.resolve(connection.ref)
        )
        for connection in net.node.find_all()
        if isinstance(connection, ec2.CfnVPCPeeringConnection)
    }
    vpc_ids = [net.resolve(vpc.vpc_id)["Ref"] for vpc in (a, b, c)]
    for spoke, vpc_id in ((b, vpc_ids[1]), (c, vpc_ids[2])):
        expected = connections[vpc_ids[0] + vpc_id]  # the hub requests
        assert net.resolve(mesh.peering_connection_id(a, spoke)) == expected
        assert net.resolve(mesh.peering_connection_id(spoke, a)) == expected
    assert mesh.peering_connection_id(a, b) != mesh.peering_connection_id(a, c)
    with pytest.raises(KeyError, match="does not peer"):
        mesh.peering_connection_id(b, c)


# --- regions and accounts --------------------------------------------------------------


def _three_environments() -> tuple[cdk.App, cdk.Stack, list[ec2.Vpc], iam.IRole]:
    app = new_app()
    home = cdk.Stack(app, "Home", env=ENV)
    europe = cdk.Stack(app, "Europe", env=EU)
    partner = cdk.Stack(app, "Partner", env=PARTNER)
    vpcs = [
        make_vpc(home, "Alpha", "10.0.0.0/16", isolated_only=True),
        make_vpc(europe, "Bravo", "10.1.0.0/16", isolated_only=True),
        make_vpc(partner, "Charlie", "10.2.0.0/16", isolated_only=True),
    ]
    role = iam.Role.from_role_arn(
        home, "PartnerRole", "arn:aws:iam::222222222222:role/mesh-accepter"
    )
    return app, home, vpcs, role


def test_mesh_across_regions_and_accounts_places_each_side_in_its_environment() -> None:
    app, home, vpcs, role = _three_environments()
    mesh = PeeringMesh(home, "Mesh", vpcs=vpcs, accepter_roles={"222222222222": role})
    cloud = app.synth()
    assembly = Assembly(cloud)

    envs = {stack.stack_name: (stack.account, stack.region) for stack in mesh.stacks}
    # VPCs outside the topology's stack are named with their stack's id in front. Bravo
    # and Charlie accept connections from other Regions or accounts: the Options stacks
    # tag their views of them.
    assert envs == {
        "Home-Mesh-AlphaRequests": ("111111111111", "us-east-1"),
        "Home-Mesh-EuropeBravoRequests": ("111111111111", "eu-west-1"),
        "Home-Mesh-EuropeBravoAccepts": ("111111111111", "eu-west-1"),
        "Home-Mesh-EuropeBravoOptions": ("111111111111", "eu-west-1"),
        "Home-Mesh-PartnerCharlieAccepts": ("222222222222", "us-east-1"),
        "Home-Mesh-PartnerCharlieOptions": ("222222222222", "us-east-1"),
    }
    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    to_europe = connections["Home-Mesh-AlphaRequests", "ToEuropeBravo"]
    assert to_europe["PeerRegion"] == "eu-west-1"
    assert "PeerOwnerId" not in to_europe
    assert "PeerRoleArn" not in to_europe
    to_partner = connections["Home-Mesh-AlphaRequests", "ToPartnerCharlie"]
    assert to_partner["PeerOwnerId"] == "222222222222"
    assert to_partner["PeerRoleArn"] == "arn:aws:iam::222222222222:role/mesh-accepter"
    assert "PeerRegion" not in to_partner
    europe_to_partner = connections["Home-Mesh-EuropeBravoRequests", "ToPartnerCharlie"]
    assert europe_to_partner["PeerRegion"] == "us-east-1"
    assert europe_to_partner["PeerOwnerId"] == "222222222222"

    deps = assembly.dependencies()
    assert deps["Home-Mesh-PartnerCharlieAccepts"] >= {
        "Home-Mesh-AlphaRequests",
        "Home-Mesh-EuropeBravoRequests",
        "Partner",
    }
    assert deps["Home-Mesh-EuropeBravoAccepts"] >= {"Home-Mesh-AlphaRequests", "Europe"}
    order = deploy_order(cloud)
    names = [assembly.names[artifact] for artifact in order]
    assert names.index("Home-Mesh-EuropeBravoRequests") < names.index(
        "Home-Mesh-PartnerCharlieAccepts"
    )


def test_mesh_settings_reach_the_pairs_they_make_sense_for() -> None:
    app, home, vpcs, role = _three_environments()
    mesh = PeeringMesh(
        home,
        "Mesh",
        vpcs=vpcs,
        accepter_roles={"222222222222": role},
        multipath_resilience=True,
        assume_role_region="us-west-2",
    )
    cloud = app.synth()
    assembly = Assembly(cloud)

    # AssumeRoleRegion on the pairs across accounts only (those with a role to assume).
    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    assert {(key, c.get("AssumeRoleRegion")) for key, c in connections.items()} == {
        (("Home-Mesh-AlphaRequests", "ToEuropeBravo"), None),
        (("Home-Mesh-AlphaRequests", "ToPartnerCharlie"), "us-west-2"),
        (("Home-Mesh-EuropeBravoRequests", "ToPartnerCharlie"), "us-west-2"),
    }
    # Multipath on both sides of the inter-Region pairs (Alpha-Bravo, Bravo-Charlie), each
    # in its side's Options stack; tags on the accepter's view of every pair across
    # accounts or Regions.
    calls = {
        (stack, logical_id[:-8], resource["Type"])
        for stack, template in assembly.templates.items()
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] in (OPTIONS, TAGS)
    }
    options, tags = OPTIONS, TAGS
    assert calls == {
        ("Home-Mesh-AlphaOptions", "ToEuropeBravoOptions", options),
        ("Home-Mesh-EuropeBravoOptions", "FromAlphaOptions", options),
        ("Home-Mesh-EuropeBravoOptions", "FromAlphaTags", tags),
        ("Home-Mesh-EuropeBravoOptions", "ToPartnerCharlieOptions", options),
        ("Home-Mesh-PartnerCharlieOptions", "FromEuropeBravoOptions", options),
        ("Home-Mesh-PartnerCharlieOptions", "FromEuropeBravoTags", tags),
        ("Home-Mesh-PartnerCharlieOptions", "FromAlphaTags", tags),
    }
    assert [o.allow_multipath_resilience for o in mesh.connection_options] == [True] * 4
    assert len(mesh.accepter_tags) == 3
    [charlie] = [
        settings(template, TAGS)
        for name, template in assembly.templates.items()
        if name == "Home-Mesh-PartnerCharlieOptions"
    ]
    assert sorted(c["Tags"][0]["Value"] for c in charlie) == [
        "Home/Mesh/Alpha/ToPartnerCharlie",
        "Home/Mesh/EuropeBravo/ToPartnerCharlie",
    ]
    # Each Options stack deploys after the Requests stacks whose connections it reads.
    deps = assembly.dependencies()
    assert deps["Home-Mesh-PartnerCharlieOptions"] >= {
        "Home-Mesh-AlphaRequests",
        "Home-Mesh-EuropeBravoRequests",
    }
    assert deps["Home-Mesh-AlphaOptions"] >= {"Home-Mesh-AlphaRequests"}
    names = [assembly.names[artifact] for artifact in deploy_order(cloud)]
    assert names.index("Home-Mesh-EuropeBravoRequests") < names.index(
        "Home-Mesh-PartnerCharlieOptions"
    )


def test_topology_settings_with_nothing_to_apply_to_are_errors() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a, b = _vpcs(net, 2)
    with pytest.raises(ValidationError) as raised:
        PeeringMesh(net, "Mesh", vpcs=[a, b], multipath_resilience=True)
    only_problem(raised, "Net/Mesh", "cdk_peering:multipathWithinRegion")
    with pytest.raises(ValidationError) as raised:
        HubAndSpoke(net, "Star", hub=a, spokes=[b], assume_role_region="us-east-1")
    only_problem(raised, "Net/Star", "cdk_peering:assumeRoleRegionWithoutRole")
    assert net.node.try_find_child("Mesh") is None
    assert net.node.try_find_child("Star") is None


def test_a_vpc_whose_options_outgrow_a_stack_is_an_error() -> None:
    # 105 inter-Region pairs across accounts accepted by one VPC: 210 custom resources,
    # each with its policy, and up to 8 functions' 4 resources each: 452 > 450. (The
    # functions' roles hold fewer: handlerPoliciesTooLarge, tests/test_provider.py.)
    env = SimpleNamespace(other_account=lambda other: True, other_region=lambda other: True)
    hub = SimpleNamespace(index=0, env=env, facts=SimpleNamespace(path="Net/Hub"))
    sides: list[Any] = [hub]
    pairs: list[Any] = []
    for index in range(1, 106):
        spoke = SimpleNamespace(index=index, env=env, facts=SimpleNamespace(path=f"S{index}"))
        sides.append(spoke)
        pairs.append(Pair(cast(Any, spoke), cast(Any, hub), cast(Any, None), None))
    here = cast(Any, SimpleNamespace(env=SimpleNamespace(region="us-east-1")))

    problems = settings_problems(
        "Net/Mesh", here, sides, pairs, multipath=True, assume_role_region=None
    )

    [problem] = problems
    assert problem.rule == "cdk_peering:optionsTooLarge"
    assert "The options layer of VPC Net/Hub would put 452 resources" in problem.message
    assert (
        settings_problems(
            "Net/Mesh", here, sides, pairs[:-1], multipath=True, assume_role_region=None
        )
        == []
    )


def test_missing_accepter_roles_are_all_reported() -> None:
    app = new_app()
    home = cdk.Stack(app, "Home", env=ENV)
    partner = cdk.Stack(app, "Partner", env=PARTNER)
    other = cdk.Stack(app, "Other", env=cdk.Environment(account="333333333333", region="us-east-1"))
    vpcs = [
        make_vpc(home, "Alpha", "10.0.0.0/16", isolated_only=True),
        imported_vpc(partner, 1),
        imported_vpc(other, 2),
    ]
    with pytest.raises(ValidationError) as caught:
        PeeringMesh(home, "Mesh", vpcs=vpcs)

    missing = [p for p in caught.value.problems if p.rule == "cdk_peering:accepterRoleMissing"]
    assert len(missing) == 3  # Alpha->Partner, Alpha->Other, Partner->Other
    assert {p.path for p in missing} == {
        "Home/Mesh/Alpha/ToPartnerVpc1",
        "Home/Mesh/Alpha/ToOtherVpc2",
        "Home/Mesh/PartnerVpc1/ToOtherVpc2",
    }
    assert "accepter_roles={'333333333333': role}" in str(caught.value)
    assert home.node.try_find_child("Mesh") is None


def test_scope_placement_refuses_other_environments() -> None:
    _app, home, vpcs, role = _three_environments()
    with pytest.raises(ValidationError, match="placement=SCOPE puts everything") as caught:
        PeeringMesh(
            home,
            "Mesh",
            vpcs=vpcs,
            accepter_roles={"222222222222": role},
            placement=TopologyPlacement.SCOPE,
        )
    assert [p.rule for p in caught.value.problems] == ["cdk_peering:scopeEnvironment"] * 2


# --- the whole topology is checked first --------------------------------------------------


def test_every_problem_of_a_mesh_is_reported_at_once() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a = make_vpc(net, "Alpha", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(net, "Bravo", "10.0.128.0/17", isolated_only=True)  # inside Alpha
    c = make_vpc(net, "Charlie", "10.5.0.0/16", isolated_only=True)
    d = make_vpc(net, "Delta", "10.5.0.0/24", isolated_only=True)  # inside Charlie

    with pytest.raises(ValidationError) as caught:
        PeeringMesh(net, "Mesh", vpcs=[a, b, c, d, a])

    problems = caught.value.problems
    overlaps = [p for p in problems if p.rule == "cdk_peering:overlappingIpv4Cidrs"]
    assert {p.path for p in overlaps} == {"Net/Mesh/Alpha/ToBravo", "Net/Mesh/Charlie/ToDelta"}
    assert "10.0.0.0/16 of Net/Alpha overlaps 10.0.128.0/17 of Net/Bravo" in overlaps[0].message
    twice = [p for p in problems if p.rule == "cdk_peering:vpcListedTwice"]
    assert len(twice) == 1
    assert "positions 0 and 4" in twice[0].message
    assert str(caught.value).startswith(f"{len(problems)} problems:")
    assert net.node.try_find_child("Mesh") is None  # nothing half-built


def test_vpcs_whose_names_clash_in_stack_names_and_logical_ids_are_an_error() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    # Both become "AlphaOne": names keep only the letters and digits of the path.
    vpcs = _vpcs(net, 2, names=["Alpha-One", "AlphaOne"])
    with pytest.raises(ValidationError) as caught:
        PeeringMesh(net, "Mesh", vpcs=vpcs)

    problem = only_problem(caught, "Net/Mesh", "cdk_peering:vpcNameClash")
    assert problem.message == (
        "VPCs Net/Alpha-One and Net/AlphaOne get the same name 'AlphaOne' in stack names "
        "and logical ids."
    )
    assert problem.fix == "Give one of them a different construct id."
    assert net.node.try_find_child("Mesh") is None


def test_a_pair_already_peered_elsewhere_in_the_app_is_an_error() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a, b, c = _vpcs(net, 3)
    VpcPeering(net, "Direct", requester_vpc=b, accepter_vpc=c)
    with pytest.raises(ValidationError, match="already peered by Net/Direct") as caught:
        PeeringMesh(net, "Mesh", vpcs=[a, b, c])
    assert caught.value.problems[0].path == "Net/Mesh/Bravo/ToCharlie"


def test_a_later_peering_sees_the_mesh() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a, b = _vpcs(net, 2)
    PeeringMesh(net, "Mesh", vpcs=[a, b], placement=TopologyPlacement.SCOPE)
    with pytest.raises(ValidationError, match="already peered"):
        VpcPeering(net, "Again", requester_vpc=b, accepter_vpc=a)


@pytest.mark.parametrize("construct", ["PeeringMesh", "HubAndSpoke"])
def test_explicit_subnets_of_another_vpc_are_an_error(construct: str) -> None:
    net = cdk.Stack(new_app(), "Net", env=ENV)
    alpha, bravo, charlie = _vpcs(net, 3)
    theirs = ec2.SubnetSelection(subnets=charlie.isolated_subnets)
    build: Any = (
        (lambda: PeeringMesh(net, "Topology", vpcs=[alpha, bravo], subnets=theirs))
        if construct == "PeeringMesh"
        else (lambda: HubAndSpoke(net, "Topology", hub=alpha, spokes=[bravo], hub_subnets=theirs))
    )
    with pytest.raises(ValidationError) as raised:
        build()
    prop = "subnets" if construct == "PeeringMesh" else "hub_subnets"
    problems = raised.value.problems
    assert {p.rule for p in problems} == {"cdk_peering:subnetOfAnotherVpc"}
    # Each VPC the selection is given for, by the prop that gave it.
    assert sorted(p.message.split(":")[0] for p in problems) == sorted(
        f"{prop} names Net/Charlie/IsolatedSubnet1 and Net/Charlie/IsolatedSubnet2 (subnets of "
        f"VPC Net/Charlie), but it selects subnets of Net/{name}"
        for name in (["Alpha", "Bravo"] if construct == "PeeringMesh" else ["Alpha"])
    )


def test_too_few_vpcs_or_spokes() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    (a,) = _vpcs(net, 1)
    with pytest.raises(ValidationError, match="at least two VPCs; 1 given"):
        PeeringMesh(net, "Mesh", vpcs=[a])
    with pytest.raises(ValidationError, match="at least one spoke"):
        HubAndSpoke(net, "Star", hub=a, spokes=[])


def _alpha_and_partner_vpcs() -> tuple[cdk.App, cdk.Stack, cdk.Stack, ec2.Vpc, ec2.Vpc, ec2.Vpc]:
    """Return an app, Home with VPC Alpha, Partner (account 222222222222) with One and Two."""
    app = new_app()
    home = cdk.Stack(app, "Home", env=ENV)
    partner = cdk.Stack(app, "Partner", env=PARTNER)
    a = make_vpc(home, "Alpha", "10.0.0.0/16", isolated_only=True)
    p1 = make_vpc(partner, "One", "10.1.0.0/16", isolated_only=True)
    p2 = make_vpc(partner, "Two", "10.2.0.0/16", isolated_only=True)
    return app, home, partner, a, p1, p2


def test_an_accepter_role_for_another_vpc_is_an_error() -> None:
    _, home, partner, a, p1, p2 = _alpha_and_partner_vpcs()
    role = PeeringAccepterRole(partner, "Role", requester_account="111111111111", accepter_vpc=p1)
    with pytest.raises(ValidationError) as caught:
        PeeringMesh(home, "Mesh", vpcs=[a, p1, p2], accepter_roles={"222222222222": role})
    # Alpha -> One is covered; Alpha -> Two is not (One -> Two is within one account).
    assert [(p.path, p.rule) for p in caught.value.problems] == [
        ("Home/Mesh/Alpha/ToPartnerTwo", "cdk_peering:accepterRoleMismatch")
    ]
    assert (
        "Home/Mesh/Alpha/ToPartnerTwo] accepter_roles['222222222222'] is Partner/Role, which "
        "cannot accept the peering Home/Alpha -> Partner/Two: it may accept only for "
        "Partner/One, not for Partner/Two (add it to more_accepter_vpcs)."
    ) in str(caught.value)


def test_an_accepter_role_arn_of_another_account_is_an_error() -> None:
    _, home, _, a, p1, _ = _alpha_and_partner_vpcs()
    role = iam.Role.from_role_arn(home, "Role", "arn:aws:iam::333333333333:role/accept")
    with pytest.raises(ValidationError) as caught:
        PeeringMesh(home, "Mesh", vpcs=[a, p1], accepter_roles={"222222222222": role})
    problem = only_problem(
        caught, "Home/Mesh/Alpha/ToPartnerOne", "cdk_peering:accepterRoleMismatch"
    )
    assert problem.message.endswith(
        "it is in account 333333333333, not the accepter's account 222222222222."
    )
    # The fix is about the role's account, not a PeeringAccepterRole's VPCs.
    assert problem.fix.startswith(
        "Give a role of account 222222222222 that trusts account 111111111111 and allows "
        "ec2:AcceptVpcPeeringConnection"
    )
    assert "more_accepter_vpcs" not in problem.fix


def test_an_unnamed_iam_role_of_the_accepter_account_is_an_error() -> None:
    _, home, partner, a, p1, _ = _alpha_and_partner_vpcs()
    role = iam.Role(partner, "Role", assumed_by=iam.AccountPrincipal("111111111111"))
    with pytest.raises(ValidationError) as caught:
        PeeringMesh(home, "Mesh", vpcs=[a, p1], accepter_roles={"222222222222": role})
    problem = only_problem(
        caught, "Home/Mesh/Alpha/ToPartnerOne", "cdk_peering:accepterRoleMismatch"
    )
    assert "is Partner/Role, which cannot accept the peering" in problem.message
    assert "CannotUseCrossEnvironment" in problem.message
    assert "role_name=cdk.PhysicalName.GENERATE_IF_NEEDED" in problem.fix


def test_an_accepter_role_for_requesters_of_another_region_is_an_error() -> None:
    # The hub requests from us-east-1; the role's condition names the requester region,
    # which defaults to the role's own (eu-west-1): the accept would be denied.
    app = new_app()
    home = cdk.Stack(app, "Home", env=ENV)
    away = cdk.Stack(app, "Away", env=cdk.Environment(account="222222222222", region="eu-west-1"))
    hub = make_vpc(home, "Hub", "10.0.0.0/16", isolated_only=True)
    spoke = make_vpc(away, "Spoke", "10.1.0.0/16", isolated_only=True)
    wrong = PeeringAccepterRole(away, "Wrong", requester_account="111111111111", accepter_vpc=spoke)
    with pytest.raises(ValidationError) as caught:
        HubAndSpoke(home, "Star", hub=hub, spokes=[spoke], accepter_roles={"222222222222": wrong})
    [problem] = caught.value.problems
    assert problem.rule == "cdk_peering:accepterRoleMismatch"
    assert (
        "its condition matches requester VPCs in eu-west-1, not in us-east-1 where the "
        "requester VPC is (give requester_region='us-east-1')"
    ) in problem.message

    right = PeeringAccepterRole(
        away,
        "Right",
        requester_account="111111111111",
        requester_region="us-east-1",
        accepter_vpc=spoke,
    )
    HubAndSpoke(home, "Star", hub=hub, spokes=[spoke], accepter_roles={"222222222222": right})


def test_one_accepter_role_for_every_vpc_of_the_accepter_account() -> None:
    app, home, partner, a, p1, p2 = _alpha_and_partner_vpcs()
    role = PeeringAccepterRole(
        partner,
        "Role",
        requester_account="111111111111",
        accepter_vpc=p1,
        more_accepter_vpcs=[p2],
    )
    mesh = PeeringMesh(home, "Mesh", vpcs=[a, p1, p2], accepter_roles={"222222222222": role})
    assembly = Assembly(app.synth())

    connections = assembly.resources("AWS::EC2::VPCPeeringConnection")
    role_arn = connections["Home-Mesh-AlphaRequests", "ToPartnerOne"]["PeerRoleArn"]
    assert connections["Home-Mesh-AlphaRequests", "ToPartnerTwo"]["PeerRoleArn"] == role_arn
    assert "PeerRoleArn" not in connections["Home-Mesh-PartnerOneRequests", "ToPartnerTwo"]
    policy = assembly.templates["Partner"]["Resources"]
    statements = next(
        p["PolicyDocument"]["Statement"]
        for r in policy.values()
        if r["Type"] == "AWS::IAM::Role"
        for p in r["Properties"].get("Policies", [])
        if p["PolicyName"] == "AcceptVpcPeering"
    )
    vpc_arns = json.dumps(statements[0]["Resource"])
    assert vpc_arns.count(":vpc/") == 2  # both partner VPCs, nothing else
    deps = assembly.dependencies()
    assert "Partner" in deps["Home-Mesh-AlphaRequests"]  # the role exists first
    assert len(mesh.peering_connections) == 3


def test_an_environment_agnostic_mesh_synthesizes() -> None:
    app = new_app()
    net = cdk.Stack(app, "Net")  # no account or region: deployable anywhere
    mesh = PeeringMesh(net, "Mesh", vpcs=_vpcs(net, 3))
    assembly = Assembly(app.synth())

    assert {stack.environment for stack in mesh.stacks} == {"aws://unknown-account/unknown-region"}
    assert len(assembly.resources("AWS::EC2::Route")) == 12


def test_a_topology_id_that_is_no_stack_name_still_names_its_stacks() -> None:
    # '_' and ' ' are fine in a construct id, not in a CloudFormation stack name.
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    mesh = PeeringMesh(net, "team mesh_1", vpcs=[imported_vpc(net, 1), imported_vpc(net, 2)])
    assert sorted(stack.stack_name for stack in mesh.stacks) == [
        "Net-teammesh1-Vpc1Requests",
        "Net-teammesh1-Vpc2Accepts",
    ]


def test_route_ids_that_would_clash_are_an_error() -> None:
    # "X1" + 12.0.0.0/16 and "X11" + 2.0.0.0/16 both read X112x0x0x0x16 in a route id.
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    tools = make_vpc(net, "Tools", "10.0.0.0/16", isolated_only=True)
    spokes = [
        make_vpc(net, "X1", "12.0.0.0/16", isolated_only=True),
        make_vpc(net, "X11", "2.0.0.0/16", isolated_only=True),
    ]
    with pytest.raises(ValidationError) as caught:
        HubAndSpoke(net, "Hub", hub=tools, spokes=spokes)
    problems = caught.value.problems
    assert {(p.path, p.rule) for p in problems} == {
        ("Net/Hub/Tools/ToX11", "cdk_peering:routeIdClash")
    }
    assert "would both get the id IsolatedSubnet1ToX112x0x0x0x16" in problems[0].message
    assert net.node.try_find_child("Hub") is None
