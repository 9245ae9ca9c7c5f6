"""The report and its command line: every format, -o, --strict, bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import aws_cdk as cdk
import pytest

from cdk_peering.connectivity import Network
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.report import FORMATS, render
from tests.conftest import ENV
from tests.connectivity_apps import new_app, peer, vpc, write_assembly


@pytest.fixture(scope="module")
def directory() -> Path:
    """A routes to B, B does not route back; a peering to a VPC a parameter names."""
    app = new_app()
    stack = cdk.Stack(app, "Net", env=ENV)
    a = vpc(stack, "A", "10.0.0.0/16")
    peer(stack, "AToB", a, vpc(stack, "B", "10.1.0.0/16"), back=False)
    parameter = cdk.CfnParameter(stack, "PeerVpc", type="String")
    cdk.aws_ec2.CfnVPCPeeringConnection(
        stack, "ToParameter", vpc_id=a.vpc_id, peer_vpc_id=parameter.value_as_string
    )
    return Path(app.synth().directory)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A hand-written assembly: one VPC, one subnet, nothing one-way."""
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
            "Subnet": {
                "Type": "AWS::EC2::Subnet",
                "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"},
            },
        }
    }
    return write_assembly(
        tmp_path / "clean.out",
        {"Solo": template},
        environment="aws://unknown-account/unknown-region",
    )


def test_every_format(directory: Path) -> None:
    network = Network.from_assembly(directory)
    reports = {form: render(network, form) for form in FORMATS}
    text = reports["text"]
    assert "3 VPCs" not in text  # A and B, plus no VPC for the unknown parameter
    assert "2 VPCs, 2 subnets, 2 peering connections" in text
    assert "Net/AToB: Net/A <-> Net/B  [one-way routes]" in text
    assert "Net/ToParameter: Net/A <-> unknown VPC  [unknown]" in text
    assert "One-way routes (1):" in text
    assert "Unknown values (1):" in text
    markdown = reports["markdown"]
    assert "```mermaid\nflowchart LR\n" in markdown
    assert "## Reachability between VPCs" in markdown
    assert "| **Net/A** | local | both ways |" not in markdown  # B never answers A
    assert "| **Net/A** | local | one way |" in markdown
    assert "| **Net/A: Isolated** | local | one way |" in markdown
    assert (
        "- `Net/A/IsolatedSubnet1/RouteTable`: `10.1.0.0/16` through peering `Net/AToB`; no "
        "route back from `Net/B/IsolatedSubnet1`" in markdown
    )
    assert "parameter PeerVpc of stack Net" in markdown
    mermaid = reports["mermaid"]
    assert mermaid.startswith("flowchart LR\n")
    assert '  subgraph env0["111111111111/us-east-1"]' in mermaid
    assert '<-.->|"Net/AToB (one-way routes)"|' in mermaid
    assert reports["dot"].startswith("digraph connectivity {")
    assert '"Net/AToB (one-way routes)"' in reports["dot"]
    data = json.loads(reports["json"])
    assert data["one_way_routes"] == [
        {
            "route_table": "Net/A/IsolatedSubnet1/RouteTable",
            "destination": "10.1.0.0/16",
            "peering": "Net/AToB",
            "unanswered": ["Net/B/IsolatedSubnet1"],
            "route": "Net/AToBOut0",
        }
    ]
    assert data["vpc_matrix"] == [{"from": "Net/A", "to": "Net/B", "state": "one way"}]
    with pytest.raises(ValueError, match="format must be one of"):
        render(network, "html")


def test_the_command_line(
    directory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(directory)]) == 0
    assert capsys.readouterr().out.startswith(f"Connectivity of {directory}\n")
    out = tmp_path / "reports" / "connectivity.md"
    assert main([str(directory), "--format", "markdown", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text().startswith(f"# Connectivity of {directory}\n")
    assert main([str(directory), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unknowns"]


def test_strict_fails_on_one_way_routes(
    directory: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(directory), "--strict"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("1 one-way route:\n")
    assert "Net/A/IsolatedSubnet1/RouteTable: 10.1.0.0/16 -> peering Net/AToB" in err
    assert main([str(clean), "--strict"]) == 0
    assert "environment-agnostic:\n  Solo/Vpc  10.0.0.0/16" in capsys.readouterr().out


def test_the_default_directory_and_bad_input(
    directory: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert "error: cdk.out does not exist" in capsys.readouterr().err
    shutil.copytree(directory, tmp_path / "cdk.out")
    assert main(["--format", "mermaid"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR")
    assert main([str(tmp_path / "reports")]) == 2
    with pytest.raises(SystemExit):
        main(["--format", "html"])


def test_the_summary_counts_in_words(clean: Path) -> None:
    summary = render(Network.from_assembly(clean), "text").splitlines()[2]
    assert summary == (
        "1 VPC, 1 subnet, 0 peering connections, 0 interface endpoints, 0 endpoint services, "
        "0 private hosted zones; 0 one-way routes, 0 unknown values"
    )
