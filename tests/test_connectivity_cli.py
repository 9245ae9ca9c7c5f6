"""The command line's question mode, its exit statuses, -o checks, --strict with
acknowledged warnings, and a report that never contradicts itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering import PeerDestinations, VpcPeering, rule_ids
from cdk_peering.connectivity import Network
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.report import render
from tests.conftest import ExampleApp
from tests.connectivity_apps import new_app, vpc


def _one_way_app(*, acknowledged: bool) -> Path:
    """A peering whose accepter-side destinations are the whole VPC: its public subnet
    does not route back (the library warns cdk_peering:oneWayRoute)."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    b = vpc(stack, "B", "10.1.0.0/16", public=True)
    peering = VpcPeering(
        stack,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        accepter_destinations=PeerDestinations.vpc_cidrs(),
    )
    if acknowledged:
        cdk.Annotations.of(peering).acknowledge_warning(rule_ids.ONE_WAY_ROUTE, "intended")
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def warned() -> Path:
    return _one_way_app(acknowledged=False)


def test_one_question_exits_0_when_reachable(
    warned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(warned), "--from", "Net/A", "--to", "Net/B/IsolatedSubnet1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Net/A reaches Net/B/IsolatedSubnet1\nhops:\n  1. subnet Net/A/")


def test_one_question_exits_1_when_not(warned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = [str(warned), "--from", "Net/A", "--to", "Net/B", "--port", "443"]
    assert main([*arguments, "--format", "json"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert (answer["reachable"], answer["partial"], answer["port"]) == (False, True, 443)
    assert answer["unreached"] == ["10.1.0.0/17"]
    assert "replies cannot return" in answer["reason"]
    assert main([str(warned), "--from", "Net/B", "--to", "Net/A", "--ip-version", "6"]) == 1
    assert "has no IPv6 block" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "Net/Nowhere", "--to", "Net/B"], "'Net/Nowhere' names no"),
        (["--from", "Net/A", "--to", "10.0.0.300"], "is not an IPv4 address"),
        (["--from", "Net/A"], "--from and --to go together"),
        (["--port", "443"], "--port and --ip-version ask a question"),
        (["--from", "Net/A", "--to", "Net/B", "--port", "0"], "port 0 is not a TCP port"),
    ],
)
def test_bad_questions_exit_2(
    warned: Path, arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(warned), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1


def test_output_that_cannot_be_written_exits_2(
    warned: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(warned), "-o", str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err
        == f"error: -o {tmp_path} is a directory: give the path of a file to write\n"
    )
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main([str(warned), "-o", str(blocker / "report.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {blocker / 'report.md'}: ")
    assert err.count("\n") == 1


def test_strict_leaves_acknowledged_one_way_routes_out(
    warned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(warned), "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("1 one-way route:\n")
    acknowledged = _one_way_app(acknowledged=True)
    assert main([str(acknowledged), "--strict"]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"1 one-way route acknowledged ({rule_ids.ONE_WAY_ROUTE}):\n")
    assert "Net/A/IsolatedSubnet1/RouteTable: 10.1.0.0/16 -> peering Net/AToB" in err


def test_dot_draws_what_mermaid_draws(example_app: ExampleApp) -> None:
    network = Network.from_assembly(example_app[1])
    mermaid = render(network, "mermaid")
    dot = render(network, "dot")
    nodes_m = re.findall(r"^\s+(n\d+)[\[\(\{]", mermaid, re.M)
    nodes_d = re.findall(r"^\s+(n\d+) \[shape", dot, re.M)
    assert nodes_m
    assert sorted(nodes_m) == sorted(nodes_d)
    arrow = r'(?:<-->|<-\.->|---|==>|-\.-|-->)(?:\|"[^"]*"\|)?'
    edges_m = re.findall(rf"^\s+(n\d+) {arrow} (n\d+)$", mermaid, re.M)
    edges_d = re.findall(r"^\s+(n\d+) -> (n\d+) \[", dot, re.M)
    assert edges_m
    assert sorted(edges_m) == sorted(edges_d)
    # Every zone's record edge is drawn in both.
    assert "orders.example.internal" in dot


def test_the_report_never_contradicts_itself(tmp_path: Path) -> None:
    # A peering to another account, with no role: never accepted. And one whose accepter
    # account a parameter names: unknown. Neither pair may be drawn "both ways".
    app = new_app()
    stack = cdk.Stack(app, "Net", env=cdk.Environment(account="111111111111", region="us-east-1"))
    a, b, c = (vpc(stack, n, f"10.{i}.0.0/16") for i, n in enumerate("ABC"))
    owner = cdk.CfnParameter(stack, "Owner")
    for name, peer, account in (("AToB", b, "222222222222"), ("AToC", c, owner.value_as_string)):
        link = ec2.CfnVPCPeeringConnection(
            stack, name, vpc_id=a.vpc_id, peer_vpc_id=peer.vpc_id, peer_owner_id=account
        )
        for side, other in ((a, peer), (peer, a)):
            default = other.node.default_child
            assert isinstance(default, ec2.CfnVPC)
            ec2.CfnRoute(
                stack,
                f"{name}{side.node.id}",
                route_table_id=side.isolated_subnets[0].route_table.route_table_id,
                destination_cidr_block=default.cidr_block,
                vpc_peering_connection_id=link.ref,
            )
    network = Network.from_assembly(app.synth())
    text = render(network, "text")
    assert "Net/AToB: Net/A <-> Net/B  [never accepted]" in text
    assert "Net/AToC: Net/A <-> Net/C  [unknown]" in text
    assert "Net/A <-> Net/B" not in text.split("reach each other through a peering:")[1]
    cells = network.matrix()
    assert ("Net/A", "Net/B") not in cells
    assert cells[("Net/A", "Net/C")] == "unknown"
    assert network.reachability("Net/A", "Net/C").unknown
    assert not network.reachability("Net/A", "Net/B").unknown
