"""The model read from an assembly: names, environments, nested stacks and stages, values
across stacks, imported VPCs, unknowns, and the errors for bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_peering import VpcPeering
from cdk_peering.connectivity import ConnectivityError, Network, PathError
from cdk_peering.testing import assert_not_reachable, assert_reachable
from tests.conftest import ENV, ROOT
from tests.connectivity_apps import new_app, routes, tables, vpc
from tests.helpers import imported_vpc

FAR = cdk.Environment(account="222222222222", region="eu-west-1")


@pytest.fixture(scope="module")
def directory() -> Path:
    """The assembly of an app with one of each thing the model must read."""
    app = new_app()
    net = cdk.Stack(app, "Net", env=ENV)
    a = vpc(net, "A", "10.0.0.0/16")
    # A hand-written VPC and subnet with no route table association: the main table.
    raw = ec2.CfnVPC(net, "Raw", cidr_block="10.20.0.0/16")
    ec2.CfnSubnet(net, "RawSubnet", vpc_id=raw.ref, cidr_block="10.20.1.0/24")
    # A nested stack: its VPC, the peering in it, a route on each side.
    inner = cdk.NestedStack(net, "Inner")
    b = vpc(inner, "B", "10.1.0.0/16")
    pcx = ec2.CfnVPCPeeringConnection(inner, "Pcx", vpc_id=b.vpc_id, peer_vpc_id=a.vpc_id)
    routes(net, "ToB", tables(a.isolated_subnets), "10.1.0.0/16", peering=pcx.ref)
    routes(inner, "ToA", tables(b.isolated_subnets), "10.0.0.0/16", peering=pcx.ref)
    # An imported VPC, by literal ids.
    VpcPeering(net, "ToImported", requester_vpc=a, accepter_vpc=imported_vpc(net, 8))
    # A peer VPC id only a parameter knows.
    parameter = cdk.CfnParameter(net, "PeerVpc", type="String")
    ec2.CfnVPCPeeringConnection(
        net, "ToParameter", vpc_id=a.vpc_id, peer_vpc_id=parameter.value_as_string
    )
    # Two resources that collapse to one name.
    twin = Construct(net, "Twin")
    twin_vpc = ec2.CfnVPC(twin, "Default", cidr_block="10.30.0.0/16")
    ec2.CfnSubnet(twin, "Resource", vpc_id=twin_vpc.ref, cidr_block="10.30.0.0/24")
    # A resource whose condition never holds, and one a parameter decides.
    never = cdk.CfnCondition(net, "Never", expression=cdk.Fn.condition_equals("a", "b"))
    ec2.CfnVPC(net, "Ghost", cidr_block="10.40.0.0/16").cfn_options.condition = never
    maybe = cdk.CfnCondition(
        net, "Maybe", expression=cdk.Fn.condition_equals(parameter.value_as_string, "x")
    )
    ec2.CfnVPC(net, "Perhaps", cidr_block="10.41.0.0/16").cfn_options.condition = maybe
    # A VPC id exported by one stack and imported by another (Fn::ImportValue).
    exporter = cdk.Stack(app, "Exporter", env=ENV)
    x = vpc(exporter, "X", "10.3.0.0/16")
    cdk.CfnOutput(exporter, "XId", value=x.vpc_id, export_name="ExporterVpcId")
    ec2.CfnVPCPeeringConnection(
        net, "ToExported", vpc_id=a.vpc_id, peer_vpc_id=cdk.Fn.import_value("ExporterVpcId")
    )
    # Another account and region, with A's block (unpeered); and a stage.
    vpc(cdk.Stack(app, "Far", env=FAR), "F", "10.0.0.0/16")
    ec2.CfnVPC(cdk.Stack(cdk.Stage(app, "Prod", env=ENV), "S"), "V", cidr_block="10.9.0.0/16")
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def network(directory: Path) -> Network:
    return Network.from_assembly(directory)


def test_names_are_the_construct_paths_users_see(network: Network) -> None:
    assert {vpc.path for vpc in network.vpcs if not vpc.external} == {
        "Net/A",
        "Net/Raw",
        "Net/Inner/B",
        "Net/Twin",
        "Net/Perhaps",
        "Exporter/X",
        "Far/F",
        "Prod/S/V",
    }
    subnet = network.find("Net/A/IsolatedSubnet1")
    assert subnet in network.subnets
    # The L1's own path names the same thing.
    assert network.find("Net/A/IsolatedSubnet1/Subnet") is subnet
    assert network.find("/Net/A/Resource") is network.find("Net/A")
    assert {table.path for table in network.route_tables} >= {
        "Net/A/IsolatedSubnet1/RouteTable",
        "Net/Raw (main route table)",
    }
    assert {peering.path for peering in network.peerings} >= {
        "Net/Inner/Pcx",
        "Net/ToImported",
        "Net/ToParameter",
        "Net/ToExported",
    }


def test_a_subnet_without_a_table_uses_the_main_one(network: Network) -> None:
    [subnet] = network.find("Net/Raw").subnets  # type: ignore[union-attr]
    assert subnet.path == "Net/RawSubnet"
    assert subnet.table is None
    assert subnet.route_table is not None
    assert subnet.route_table.path == "Net/Raw (main route table)"
    assert network.reachability("Net/RawSubnet", "10.20.0.9").hops[1] == (
        "route table Net/Raw (main route table): 10.20.0.0/16 -> local"
    )


def test_every_account_and_region(network: Network) -> None:
    by_path = {vpc.path: vpc for vpc in network.vpcs}
    assert by_path["Far/F"].environment == "222222222222/eu-west-1"
    assert by_path["Net/A"].environment == "111111111111/us-east-1"
    assert by_path["Prod/S/V"].cidrs[0].prefix == 16


def test_a_nested_stack_and_its_parent_reach_each_other(network: Network) -> None:
    answer = assert_reachable(network, "Net/A", "Net/Inner/B")
    assert "peering Net/Inner/Pcx (Net/A -> Net/Inner/B)" in answer.hops


def test_an_imported_value_is_followed(network: Network) -> None:
    [peering] = [p for p in network.peerings if p.path == "Net/ToExported"]
    assert peering.accepter is not None
    assert peering.accepter.path == "Exporter/X"


def test_an_imported_vpc_is_external_and_what_it_hides_is_unknown(network: Network) -> None:
    [imported] = [vpc for vpc in network.vpcs if vpc.external]
    assert imported.path == "vpc-00000008"
    assert imported.cidrs == []
    assert [table.path for table in imported.tables] == ["rtb-00080000"]
    assert (
        "VPC vpc-00000008 is imported by id: its CIDR blocks and subnets are unknown"
        in network.unknowns
    )
    answer = network.reachability("Net/A", "10.8.0.5")
    assert not answer
    assert answer.unknown
    assert answer.reason == (
        "whether VPC vpc-00000008 holds 10.8.0.5 is unknown: imported by id: its CIDR blocks "
        "and subnets are unknown"
    )
    with pytest.raises(AssertionError, match="cannot tell"):
        assert_not_reachable(network, "Net/A", "10.8.0.5")


def test_values_a_token_hides_are_listed_never_guessed(network: Network) -> None:
    assert any(
        "Net/ToParameter" in each and "parameter PeerVpc of stack Net" in each
        for each in network.unknowns
    )
    assert any("condition Maybe" in each for each in network.unknowns)
    assert "Net/Ghost" not in {vpc.path for vpc in network.vpcs}


def test_a_path_that_names_nothing_lists_the_closest_names(network: Network) -> None:
    with pytest.raises(PathError) as caught:
        network.reachability("Net/A/IsolatedSubnet", "Net/Inner/B")
    message = str(caught.value)
    assert message.startswith("'Net/A/IsolatedSubnet' names no subnet, VPC or endpoint")
    assert "Net/A/IsolatedSubnet1" in caught.value.candidates
    assert "Net/A/IsolatedSubnet1" in message
    # Both a KeyError and a ValueError, and it reads normally.
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, ValueError)
    with pytest.raises(KeyError):
        network.reachability("Net/A", "Net/Nothing/Here")


def test_a_name_or_address_of_several_things(network: Network) -> None:
    with pytest.raises(PathError, match="names 2 things: subnet Net/Twin, VPC Net/Twin"):
        network.find("Net/Twin")
    with pytest.raises(PathError, match="Far/F/IsolatedSubnet1, Net/A/IsolatedSubnet1"):
        network.reachability("10.0.0.5", "Net/Inner/B")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("10.0.0.300", "is not an IPv4 address or CIDR block"),
        ("10.0.0.0/33", "is not an IPv4 address or CIDR block"),
        ("10.1.0.5/16", "has host bits set: did you mean 10.1.0.0/16?"),
    ],
)
def test_a_malformed_address(network: Network, address: str, message: str) -> None:
    with pytest.raises(ConnectivityError, match=message):
        network.reachability("Net/A", address)


def test_what_is_no_cloud_assembly(tmp_path: Path) -> None:
    with pytest.raises(ConnectivityError, match="is not a cloud assembly: it has no manifest"):
        Network.from_assembly(tmp_path)
    with pytest.raises(ConnectivityError, match="does not exist"):
        Network.from_assembly(tmp_path / "cdk.out")
    with pytest.raises(ConnectivityError, match="got int"):
        Network.from_assembly(42)
    (tmp_path / "manifest.json").write_text("not json")
    with pytest.raises(ConnectivityError, match="cannot read"):
        Network.from_assembly(str(tmp_path))


def _paths(network: Network) -> set[str]:
    return (
        {each.path for each in network.vpcs}
        | {each.path for each in network.subnets}
        | {each.path for each in network.peerings}
    )


def test_names_come_from_tree_json_alone(directory: Path, network: Network, tmp_path: Path) -> None:
    # No metadata files and no aws:cdk:path: tree.json names everything, also when it is
    # split into forest files (large trees).
    copy = tmp_path / "cdk.out"
    shutil.copytree(directory, copy)
    for metadata in copy.rglob("*.metadata.json"):
        metadata.unlink()
    tree = json.loads((copy / "tree.json").read_text())
    net = tree["tree"]["children"]["Net"]
    forest = {"version": "forest-0.1", "forest": {"t0": net}}
    (copy / "trees-1.json").write_text(json.dumps(forest))
    tree["tree"]["children"]["Net"] = {
        "id": "Net",
        "path": "Net",
        "fileName": "trees-1.json",
        "treeId": "t0",
    }
    (copy / "tree.json").write_text(json.dumps(tree))
    assert _paths(Network.from_assembly(copy)) == _paths(network)


def test_importing_it_loads_no_cdk() -> None:
    code = (
        "import sys, cdk_peering.connectivity, cdk_peering.testing;"
        "print(sorted(m for m in ('aws_cdk', 'jsii', 'constructs') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_stacks_nested_two_deep_are_named_from_tree_json_alone(tmp_path: Path) -> None:
    # No metadata files and no aws:cdk:path: the nested stacks' paths, and so their
    # resources' names, come from tree.json, the inner stack's from its parent's names.
    # Each stack holds a VPC of the same logical id.
    app = new_app()
    top = cdk.Stack(app, "Top", env=ENV)
    ec2.CfnVPC(top, "V", cidr_block="10.0.0.0/16")
    middle = cdk.NestedStack(top, "Middle")
    ec2.CfnVPC(middle, "V", cidr_block="10.1.0.0/16")
    inner = cdk.NestedStack(middle, "Inner")
    ec2.CfnVPC(inner, "V", cidr_block="10.2.0.0/16")
    directory = tmp_path / "cdk.out"
    shutil.copytree(app.synth().directory, directory)
    for metadata in directory.rglob("*.metadata.json"):
        metadata.unlink()
    network = Network.from_assembly(directory)
    assert {vpc.path: str(vpc.cidrs[0]) for vpc in network.vpcs} == {
        "Top/V": "10.0.0.0/16",
        "Top/Middle/V": "10.1.0.0/16",
        "Top/Middle/Inner/V": "10.2.0.0/16",
    }
    assert {vpc.stack for vpc in network.vpcs} == {"Top", "Top/Middle", "Top/Middle/Inner"}
