"""ReachabilityIntent: checked when declared, recorded as metadata only, read back by the
model, and failing `--strict`, `assert_intents` and the report when the plan contradicts it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering import (
    PrivateLinkService,
    ReachabilityIntent,
    ValidationError,
    VpcPeering,
    rule_ids,
)
from cdk_peering.connectivity import Network
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.report import render
from cdk_peering.testing import assert_intents
from tests.connectivity_apps import new_app, vpc


def _app(*, back: bool = True) -> tuple[cdk.App, cdk.Stack]:
    """Two peered VPCs (stacks without env); ``back=False`` makes B reach nothing of A."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    b = vpc(stack, "B", "10.1.0.0/16")
    c = vpc(stack, "C", "10.2.0.0/16")
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b, requester_only=not back)
    ReachabilityIntent(stack, "AReachesB", source="Net/A", destination="Net/B", port=443)
    ReachabilityIntent(stack, "ANeverReachesC", source=a, destination=c, reachable=False)
    return app, stack


@pytest.fixture(scope="module")
def holding() -> Path:
    app, _ = _app()
    return Path(app.synth().directory)


@pytest.fixture(scope="module")
def contradicted() -> Path:
    app, stack = _app()
    ReachabilityIntent(
        stack,
        "ANeverReachesB",
        source="Net/A/IsolatedSubnet1",
        destination="Net/B",
        reachable=False,
    )
    ReachabilityIntent(stack, "CReachesA", source="Net/C", destination="10.0.128.5")
    return Path(app.synth().directory)


def test_an_intent_is_metadata_only_and_the_model_reads_it(holding: Path) -> None:
    template = json.loads((holding / "Net.template.json").read_text())
    assert not [r for r in template["Resources"] if "Reaches" in r]
    network = Network.from_assembly(holding)
    assert [(i.path, i.source, i.destination, i.port, i.reachable) for i in network.intents] == [
        ("Net/AReachesB", "Net/A", "Net/B", 443, True),
        ("Net/ANeverReachesC", "Net/A", "Net/C", None, False),
    ]
    assert [v.verdict for v in network.check_intents()] == ["holds", "holds"]
    assert_intents(holding)


def test_strict_fails_on_each_contradicted_intent_with_its_answer(
    holding: Path, contradicted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(holding), "--strict"]) == 0
    assert "Net/AReachesB: Net/A reaches Net/B on port 443 [holds]" in capsys.readouterr().out
    assert main([str(contradicted), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "2 intents the plan does not satisfy:" in err
    assert "Net/ANeverReachesB: Net/A/IsolatedSubnet1 does not reach Net/B [contradicted]" in err
    assert "Net/A/IsolatedSubnet1 reaches Net/B" in err  # the answer, with its hops
    assert "Net/CReachesA: Net/C reaches 10.0.128.5 [contradicted]" in err
    assert "Net/AReachesB" not in err
    with pytest.raises(AssertionError, match="2 intents do not hold"):
        assert_intents(contradicted)


def test_the_report_shows_each_intent_and_its_verdict(contradicted: Path) -> None:
    network = Network.from_assembly(contradicted)
    text = render(network, "text")
    assert "Intents (4):" in text
    assert "Net/CReachesA: Net/C reaches 10.0.128.5 [contradicted]: " in text
    data = json.loads(render(network, "json"))
    assert [(i["path"], i["verdict"]) for i in data["intents"]] == [
        ("Net/AReachesB", "holds"),
        ("Net/ANeverReachesC", "holds"),
        ("Net/ANeverReachesB", "contradicted"),
        ("Net/CReachesA", "contradicted"),
    ]
    assert "## Intents (4)" in render(network, "markdown")


def test_addresses_names_and_constructs_are_valid_places() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    intent = ReachabilityIntent(
        stack, "ByName", source=a.isolated_subnets[0], destination="orders.example.internal"
    )
    assert intent.source == "Net/A/IsolatedSubnet1"
    ReachabilityIntent(stack, "ByAddress", source="10.0.128.4", destination="10.9.0.0/16")
    ReachabilityIntent(stack, "V6", source="Net/A", destination="2600:1f18::/56", ip_version=6)


@pytest.mark.parametrize(
    ("arguments", "rule", "words"),
    [
        (
            {"source": "Net/Nope", "destination": "Net/A"},
            rule_ids.INTENT_PATH_NOT_FOUND,
            "source 'Net/Nope' names no construct of the app: Net has no child 'Nope'",
        ),
        (
            {"source": "Net/A", "destination": "Other/A/IsolatedSubnet1"},
            rule_ids.INTENT_PATH_NOT_FOUND,
            "destination 'Other/A/IsolatedSubnet1' names no construct of the app",
        ),
        (
            {"source": "Net/A", "destination": "10.0.0.300"},
            rule_ids.INVALID_INTENT,
            "destination '10.0.0.300' is not an IP address",
        ),
        (
            {"source": "10.0.0.0/24", "destination": "Net/A"},
            rule_ids.INVALID_INTENT,
            "source '10.0.0.0/24' is a block",
        ),
        (
            {"source": "orders.example.internal", "destination": "Net/A"},
            rule_ids.INVALID_INTENT,
            "source 'orders.example.internal' is no construct path, address or DNS name",
        ),
        (
            {"source": "Net/A", "destination": "Net/A", "port": 0},
            rule_ids.INVALID_INTENT,
            "port 0 is not a TCP port",
        ),
        (
            {"source": "Net/A", "destination": "Net/A", "ip_version": 5},
            rule_ids.INVALID_INTENT,
            "ip_version 5 is no IP version",
        ),
        (
            {"source": None, "destination": "Net/A"},
            rule_ids.INVALID_PARAMETER_TYPE,
            "source is required",
        ),
        (
            {"source": "Net/A", "destination": "Net/A", "reachable": "no"},
            rule_ids.INVALID_PARAMETER_TYPE,
            "reachable is 'no' (a str), but it must be True or False",
        ),
    ],
)
def test_bad_intents_are_validation_errors_naming_path_value_and_fix(
    arguments: dict[str, object], rule: str, words: str
) -> None:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    vpc(stack, "A", "10.0.0.0/16")
    with pytest.raises(ValidationError) as caught:
        ReachabilityIntent(stack, "Bad", **arguments)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == ("Net/Bad", rule)
    assert words in problem.message
    assert problem.fix
    assert stack.node.try_find_child("Bad") is None  # nothing half-built


def test_an_intent_outside_a_stack_is_refused() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    ec2.Vpc(stack, "A", max_azs=1, nat_gateways=0)
    with pytest.raises(ValidationError, match="its scope is in no stack") as caught:
        ReachabilityIntent(app, "Loose", source="Net/A", destination="Net/A")
    assert caught.value.problems[0].rule == rule_ids.INVALID_INTENT


# --- one renderer for intents and their answers ------------------------------------------


@pytest.fixture(scope="module")
def reached_apart() -> Path:
    """A must-not-reach intent the plan reaches, and an IPv6 intent the plan cannot satisfy."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    b = vpc(stack, "B", "10.1.0.0/16")
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    ReachabilityIntent(stack, "Apart", source="Net/A", destination="Net/B", reachable=False)
    ReachabilityIntent(stack, "OverV6", source="Net/A", destination="Net/B", ip_version=6)
    return Path(app.synth().directory)


def test_a_must_not_reach_intent_the_plan_reaches_says_how(reached_apart: Path) -> None:
    network = Network.from_assembly(reached_apart)
    [apart] = [line for line in render(network, "text").splitlines() if "Net/Apart" in line]
    assert "None" not in apart
    assert apart.strip().startswith("Net/Apart: Net/A does not reach Net/B [contradicted]: ")
    assert "reaches through peering Net/AToB" in apart
    intents = json.loads(render(network, "json"))["intents"]
    assert intents[0]["answer"].startswith("reaches through peering Net/AToB")


def test_the_intent_renders_its_ip_version_everywhere(reached_apart: Path) -> None:
    from cdk_peering.connectivity.verify import Verification
    from cdk_peering.connectivity.verify import render as render_verify

    network = Network.from_assembly(reached_apart)
    verdicts = network.check_intents()
    assert verdicts[1].intent.question == "Net/A reaches Net/B over IPv6"
    result = Verification(intents=verdicts)
    text = render_verify(result, "text")
    assert "Net/OverV6: Net/A reaches Net/B over IPv6 [contradicted]: does not reach: " in text
    # verify's JSON and the report's hold each intent alike.
    report = json.loads(render(network, "json"))["intents"]
    assert json.loads(render_verify(result, "json"))["intents"] == report
    assert report[1] == {
        "path": "Net/OverV6",
        "source": "Net/A",
        "destination": "Net/B",
        "port": None,
        "ip_version": 6,
        "reachable": True,
        "verdict": "contradicted",
        "answer": verdicts[1].answer_text,
    }


def test_an_answer_with_undecided_blocks_says_them() -> None:
    from cdk_peering.connectivity.results import Intent, IntentVerdict, Reachability

    intent = Intent("Net/TeamsApart", "Net/D", "Net/E", reachable=False)
    answer = Reachability(
        "Net/D",
        "Net/E",
        None,
        False,
        (),
        "network ACL Net/Acl denies it",
        unreached=("10.5.0.0/16",),
        undecided=("10.5.128.0/17",),
    )
    verdict = IntentVerdict(intent, answer)
    assert verdict.verdict == "unknown"
    assert verdict.answer_text == (
        "does not reach; unknown for 10.5.128.0/17: network ACL Net/Acl denies it"
    )
    assert verdict.line() == (
        "Net/TeamsApart: Net/D does not reach Net/E [unknown]: does not reach; unknown for "
        "10.5.128.0/17: network ACL Net/Acl denies it"
    )


def test_strict_answers_each_intent_once(
    contradicted: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []
    original = Network.reachability

    def counting(self: Network, source: str, destination: str, **kwargs: object) -> object:
        asked.append(f"{source} -> {destination}")
        return original(self, source, destination, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Network, "reachability", counting)
    assert main([str(contradicted), "--strict"]) == 1
    capsys.readouterr()
    assert len(asked) == len(set(asked)) == 4


# --- questions the model cannot ask: refused at synth, or an error verdict ---------------


def _places_app() -> tuple[cdk.App, cdk.Stack]:
    """Two peered VPCs, a security group, a gateway endpoint and an interface endpoint."""
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    b = vpc(stack, "B", "10.1.0.0/16")
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    ec2.SecurityGroup(stack, "Sg", vpc=a)
    a.add_gateway_endpoint("S3", service=ec2.GatewayVpcEndpointAwsService.S3)
    a.add_interface_endpoint("Sqs", service=ec2.InterfaceVpcEndpointAwsService.SQS)
    return app, stack


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (
            {"source": "Net/A", "destination": "10.1.0.5", "ip_version": 6},
            "destination '10.1.0.5' is an IPv4 address, but ip_version is 6",
        ),
        (
            {"source": "10.0.128.5", "destination": "Net/B", "ip_version": 6},
            "source '10.0.128.5' is an IPv4 address, but ip_version is 6",
        ),
        (
            {"source": "10.0.128.5", "destination": "2600:1f18::/56"},
            "source '10.0.128.5' is an IPv4 address and destination '2600:1f18::/56' an IPv6 block",
        ),
        (
            {"source": "Net/A", "destination": "Net/Sg"},
            "destination 'Net/Sg' is a SecurityGroup, not a VPC, subnet, interface endpoint "
            "or endpoint service",
        ),
        (
            {"source": "Net/A", "destination": "Net"},
            "destination 'Net' is a Stack, not a VPC, subnet, interface endpoint or endpoint "
            "service",
        ),
        (
            {"source": "Net/AToB", "destination": "Net/B"},
            "source 'Net/AToB' is a VpcPeering, not a VPC or subnet",
        ),
        (
            {"source": "Net/A", "destination": "Net/A/S3"},
            "destination 'Net/A/S3' is a GatewayVpcEndpoint, not a VPC, subnet, interface "
            "endpoint or endpoint service",
        ),
        (
            {"source": "Net/A/Sqs", "destination": "Net/B"},
            "source 'Net/A/Sqs' is an InterfaceVpcEndpoint, not a VPC or subnet",
        ),
    ],
)
def test_questions_the_model_cannot_ask_are_refused_at_synth(
    arguments: dict[str, object], words: str
) -> None:
    _, stack = _places_app()
    with pytest.raises(ValidationError) as caught:
        ReachabilityIntent(stack, "Bad", **arguments)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert (problem.path, problem.rule) == ("Net/Bad", rule_ids.INVALID_INTENT)
    assert words in problem.message
    assert problem.fix


def test_vpcs_subnets_endpoints_and_their_l1s_are_places() -> None:
    app, stack = _places_app()
    ReachabilityIntent(
        stack, "ToL1", source="Net/A/Resource", destination="Net/B/IsolatedSubnet1/Subnet"
    )
    ReachabilityIntent(stack, "ToEndpoint", source="Net/A/IsolatedSubnet1", destination="Net/A/Sqs")
    ReachabilityIntent(stack, "ToV6", source="Net/A", destination="2600:1f18::/56", ip_version=6)
    verdicts = Network.from_assembly(app.synth().directory).check_intents()
    # The endpoint's service is in the stack's Region, which an agnostic stack hides.
    assert [v.verdict for v in verdicts] == ["holds", "unknown", "contradicted"]


def test_a_privatelink_service_is_a_destination_and_not_a_source() -> None:
    _, stack = _places_app()
    service = PrivateLinkService(
        stack, "Orders", vpc=cast(ec2.IVpc, stack.node.find_child("B")), port=443
    )
    ReachabilityIntent(stack, "ToService", source="Net/A", destination=service.node.path)
    with pytest.raises(ValidationError) as caught:
        ReachabilityIntent(stack, "FromService", source=service.node.path, destination="Net/A")
    [problem] = caught.value.problems
    assert "source 'Net/Orders' is a PrivateLinkService, not a VPC or subnet" in problem.message


def test_a_source_address_in_no_subnet_is_an_error_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, stack = _places_app()
    ReachabilityIntent(stack, "Nowhere", source="192.168.1.1", destination="Net/B")
    directory = Path(app.synth().directory)
    [verdict] = Network.from_assembly(directory).check_intents()
    assert (verdict.verdict, verdict.holds) == ("error", False)
    assert verdict.line() == (
        "Net/Nowhere: 192.168.1.1 reaches Net/B [error]: cannot be asked: source 192.168.1.1 "
        "is in no subnet of the assembly"
    )
    assert main([str(directory), "--strict"]) == 1
    assert "[error]" in capsys.readouterr().err


def test_one_intent_that_does_not_hold_is_said_in_the_singular() -> None:
    app, stack = _places_app()
    ReachabilityIntent(stack, "ToV6", source="Net/A", destination="2600:1f18::/56", ip_version=6)
    with pytest.raises(AssertionError, match=r"^1 intent does not hold:\n"):
        assert_intents(app.synth())
