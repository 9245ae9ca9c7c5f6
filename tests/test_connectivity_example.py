"""The example app (app.py) through the connectivity model: the seed's scenario.

App (us-east-1) and Europe (eu-west-1) reach the orders service's PrivateLink endpoint in
Shared by name, over their peerings with Shared; so do Partner's isolated subnets, in
another account. The deploy accepts the endpoints' connections (the service requires
acceptance) and associates the zone with Partner's VPC across accounts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

import app as example
from cdk_peering.connectivity import Network
from cdk_peering.connectivity.__main__ import main
from cdk_peering.testing import assert_intents, assert_not_reachable, assert_reachable
from tests.conftest import ROOT, ExampleApp

NAME = example.ORDERS_DNS_NAME
PORT = example.ORDERS_PORT


@pytest.fixture(scope="module")
def assembly(example_app: ExampleApp) -> cdk.cx_api.CloudAssembly:
    return example_app[1]


@pytest.fixture(scope="module")
def network(assembly: cdk.cx_api.CloudAssembly) -> Network:
    return Network.from_assembly(assembly)


@pytest.mark.parametrize(
    ("vpc", "peering"),
    [
        ("PeeringExample/App", "PeeringExample/AppToShared"),
        ("EuropeNetwork/Europe", "PeeringExample/SharedToEurope"),
        # Another account: the zone is associated across accounts, the endpoint accepted;
        # only Partner's isolated subnets are peered (accepter_subnets), so they reach it.
        ("PartnerNetwork/Partner/IsolatedSubnet1", "PeeringExample/SharedToPartner"),
        ("PartnerNetwork/Partner/IsolatedSubnet2", "PeeringExample/SharedToPartner"),
    ],
)
def test_app_and_europe_reach_the_orders_service_by_name(
    assembly: cdk.cx_api.CloudAssembly, vpc: str, peering: str
) -> None:
    answer = assert_reachable(assembly, vpc, NAME, port=PORT)
    assert any(hop.kind == "peering" and hop.path == peering for hop in answer.hops)


@pytest.mark.parametrize(
    ("vpc", "port", "reason"),
    [
        # No zone association: the name does not resolve.
        ("PeeringExample/Data", PORT, "is not resolvable from VPC PeeringExample/Data"),
        ("Teams/TeamA", PORT, "is not resolvable from VPC Teams/TeamA"),
        # Partner's public subnets are not peered: their default route is the internet.
        (
            "PartnerNetwork/Partner",
            PORT,
            "to internet gateway PartnerNetwork/Partner/IGW (its route to 0.0.0.0/0), which "
            "takes the traffic off the peering",
        ),
        # The endpoint's security group admits the service port only.
        ("PeeringExample/App", 80, "does not admit 10.1.0.0/18 on port 80"),
        ("EuropeNetwork/Europe", 80, "does not admit 10.10.0.0/18 on port 80"),
    ],
)
def test_who_does_not_reach_the_orders_service(
    network: Network, vpc: str, port: int, reason: str
) -> None:
    answer = assert_not_reachable(network, vpc, NAME, port=port)
    assert reason in str(answer.reason)


def test_the_example_has_no_one_way_route(network: Network) -> None:
    assert network.one_way_routes() == []


def test_the_model_of_the_example(network: Network) -> None:
    by_path = {vpc.path: vpc for vpc in network.vpcs}
    assert by_path["EuropeNetwork/Europe"].environment == "111111111111/eu-west-1"
    assert by_path["PartnerNetwork/Partner"].environment == "222222222222/us-east-1"
    assert [str(cidr) for cidr in by_path["PeeringExample/App"].cidrs] == [
        "10.1.0.0/16",
        "100.64.0.0/16",
    ]
    assert [str(block) for block in by_path["PeeringExample/Data"].ipv6] == [
        "IPv6 block 0 of PeeringExample/Data"
    ]
    assert network.unknowns == ()
    assert not any(vpc.external for vpc in network.vpcs)
    peerings = {p.path: p for p in network.peerings}
    europe, partner = (
        peerings["PeeringExample/SharedToEurope"],
        peerings["PeeringExample/SharedToPartner"],
    )
    assert (europe.region, europe.peer_region, europe.peer_account) == (
        "us-east-1",
        "eu-west-1",
        "111111111111",
    )
    assert (partner.peer_account, partner.peer_region, partner.accepted) == (
        "222222222222",
        "us-east-1",
        True,  # CloudFormation accepts it with the partner's role
    )
    # Routes written in other stacks, by weak references, reach their tables.
    europe_subnet = network.find("EuropeNetwork/Europe/IsolatedSubnet1")
    assert europe_subnet in network.subnets
    assert_reachable(network, "EuropeNetwork/Europe/IsolatedSubnet1", "PeeringExample/Shared")
    assert_reachable(network, "PartnerNetwork/Partner/IsolatedSubnet1", "PeeringExample/Shared")
    # The mesh: teams reach each other. The hub: its spokes reach Tools, never each other
    # through it, nor the mesh; the mesh's teams do not reach Tools.
    assert_reachable(network, "Teams/TeamA/IsolatedSubnet1", "Teams/TeamB/IsolatedSubnet1")
    assert_reachable(network, "Teams/TeamD/IsolatedSubnet1", "Teams/Tools/IsolatedSubnet1")
    assert_not_reachable(network, "Teams/TeamD", "Teams/TeamE")
    assert_not_reachable(network, "Teams/TeamD", "Teams/TeamA")
    assert_not_reachable(network, "Teams/TeamA", "Teams/Tools")
    assert_not_reachable(network, "Teams/TeamA", "PeeringExample/Shared")


def test_the_example_declares_the_seeds_intents_and_the_plan_holds_them(
    assembly: cdk.cx_api.CloudAssembly, network: Network
) -> None:
    shown = {(i.source, i.destination, i.port, i.reachable): i.path for i in network.intents}
    assert shown == {
        ("PeeringExample/App/IsolatedSubnet1", NAME, PORT, True): (
            "PeeringExample/AppIsolatedSubnet1ReachesOrders"
        ),
        ("PeeringExample/App/IsolatedSubnet2", NAME, PORT, True): (
            "PeeringExample/AppIsolatedSubnet2ReachesOrders"
        ),
        ("Teams/TeamD", "Teams/TeamE", None, False): "Teams/TeamDNeverReachesTeamE",
        ("Teams/TeamE", "Teams/TeamD", None, False): "Teams/TeamENeverReachesTeamD",
    }
    assert [verdict.verdict for verdict in network.check_intents()] == ["holds"] * 4
    assert_intents(assembly)
    # What CI runs on `cdk synth`'s output: no one-way route, every intent holds.
    assert main([assembly.directory, "--strict", "-o", os.devnull]) == 0


def test_the_report_needs_no_cdk(assembly: cdk.cx_api.CloudAssembly, tmp_path: Path) -> None:
    # A Python without site-packages: aws_cdk cannot be imported there at all.
    environment = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    check = subprocess.run(
        [sys.executable, "-S", "-c", "import aws_cdk"],
        env=environment,
        capture_output=True,
        check=False,
    )
    assert check.returncode != 0
    out = tmp_path / "connectivity.md"
    result = subprocess.run(
        [
            sys.executable,
            "-S",
            "-m",
            "cdk_peering.connectivity",
            assembly.directory,
            "--format",
            "markdown",
            "-o",
            str(out),
        ],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = out.read_text()
    assert "```mermaid" in report
    assert "PeeringExample/SharedToEurope" in report


@pytest.mark.parametrize("document", ["README.md", "docs/connectivity.md"])
def test_the_diagrams_in_the_docs_are_the_reports(network: Network, document: str) -> None:
    from cdk_peering.connectivity.report import render

    text = (ROOT / document).read_text()
    diagram = text.split("```mermaid\n")[1]
    assert diagram.split("```", 1)[0] == render(network, "mermaid")


def test_the_example_answers_definitely(network: Network) -> None:
    assert network.unknowns == ()
    subnets = [subnet.path for subnet in network.subnets]
    answers = [network.reachability(one, other) for one in subnets for other in subnets]
    assert not [a for a in answers if a.unknown or a.undecided]
