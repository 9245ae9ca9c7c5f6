"""PeeringDnsResolution: the SDK calls, the provider's policy, the DNS checks and cdk-nag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from cdk_peering import PeeringDnsResolution, PeeringSide, ValidationError, VpcPeering
from tests.conftest import ACCOUNT, REGION, new_app
from tests.helpers import custom_resource, make_vpc, policy_statements, sdk_payloads
from tests.test_gates import findings, synth

PCX = "pcx-0123456789abcdef0"
ACTION = "ModifyVpcPeeringConnectionOptions"
IAM4_LAMBDA_BASIC = (
    "AwsSolutions-IAM4"
    "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)


# --- The SDK calls


@pytest.mark.parametrize(
    ("side", "options", "other"),
    [
        (PeeringSide.REQUESTER, "RequesterPeeringConnectionOptions", "Accepter"),
        (PeeringSide.ACCEPTER, "AccepterPeeringConnectionOptions", "Requester"),
    ],
    ids=["requester", "accepter"],
)
def test_calls_set_one_sides_option_on_create_and_update_and_clear_it_on_delete(
    stack: cdk.Stack, side: PeeringSide, options: str, other: str
) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=side)

    payloads = sdk_payloads(Template.from_stack(stack))

    physical_id = {"id": f"{PCX}-{side.value.lower()}"}
    for event in ("Create", "Update"):
        assert payloads[event] == {
            "service": "EC2",
            "action": ACTION,
            "parameters": {
                "VpcPeeringConnectionId": PCX,
                options: {"AllowDnsResolutionFromRemoteVpc": True},
            },
            "physicalResourceId": physical_id,
            "region": REGION,
        }, event
    assert payloads["Delete"] == {
        "service": "EC2",
        "action": ACTION,
        "parameters": {
            "VpcPeeringConnectionId": PCX,
            options: {"AllowDnsResolutionFromRemoteVpc": False},
        },
        "physicalResourceId": physical_id,
        "region": REGION,
        "ignoreErrorCodesMatching": r"InvalidVpcPeeringConnectionID\.NotFound",
    }
    assert all(f"{other}PeeringConnectionOptions" not in p["parameters"] for p in payloads.values())


def test_call_goes_to_the_stacks_region() -> None:
    stack = cdk.Stack(
        new_app(), "Frankfurt", env=cdk.Environment(account=ACCOUNT, region="eu-central-1")
    )
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.ACCEPTER)

    payloads = sdk_payloads(Template.from_stack(stack))

    assert {p["region"] for p in payloads.values()} == {"eu-central-1"}


def test_call_uses_the_connection_of_a_peering_in_the_same_stack(stack: cdk.Stack) -> None:
    requester = make_vpc(stack, "Requester", "10.0.0.0/16")
    accepter = make_vpc(stack, "Accepter", "10.1.0.0/16")
    peering = VpcPeering(stack, "Peering", requester_vpc=requester, accepter_vpc=accepter)
    PeeringDnsResolution(
        stack,
        "Dns",
        peering_connection_id=peering.peering_connection_id,
        side=PeeringSide.REQUESTER,
        vpc=requester,
    )

    template = Template.from_stack(stack)

    connection = stack.resolve(peering.peering_connection.logical_id)
    payloads = sdk_payloads(template)
    for payload in payloads.values():
        assert payload["parameters"]["VpcPeeringConnectionId"] == {"Ref": connection}
        assert payload["physicalResourceId"] == {"id": f"<{connection}>-requester"}
    # The Ref orders the call after the connection; an explicit DependsOn would be redundant
    # (cfn-lint W3005).
    assert connection not in custom_resource(template).get("DependsOn", [])


def testcustom_resource_uses_the_bundled_sdk_and_a_short_service_timeout(
    stack: cdk.Stack,
) -> None:
    dns = PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    properties = custom_resource(Template.from_stack(stack))["Properties"]

    assert properties["InstallLatestAwsSdk"] is False
    assert properties["ServiceTimeout"] == "300"
    assert dns.node.default_child is dns.custom_resource
    assert (dns.peering_connection_id, dns.side) == (PCX, PeeringSide.REQUESTER)


# --- The provider's policy


def test_policy_allows_the_one_action_on_the_one_connection(stack: cdk.Stack) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    statements = policy_statements(Template.from_stack(stack))

    assert statements == [
        {
            "Action": "ec2:ModifyVpcPeeringConnectionOptions",
            "Effect": "Allow",
            "Resource": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/{PCX}",
        }
    ]


def test_policy_names_a_token_connection_by_its_ref(stack: cdk.Stack) -> None:
    connection = ec2.CfnVPCPeeringConnection(
        stack, "Connection", vpc_id="vpc-11111111", peer_vpc_id="vpc-22222222"
    )
    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=connection.ref, side=PeeringSide.ACCEPTER
    )

    (statement,) = policy_statements(Template.from_stack(stack))

    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/",
                {"Ref": stack.resolve(connection.logical_id)},
            ],
        ]
    }


def test_an_env_agnostic_stack_gets_region_and_arn_from_pseudo_parameters() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    template = Template.from_stack(stack)

    create = custom_resource(template)["Properties"]["Create"]
    assert {"Ref": "AWS::Region"} in create["Fn::Join"][1]
    (statement,) = policy_statements(template)
    arn_parts = statement["Resource"]["Fn::Join"][1]
    assert {"Ref": "AWS::Partition"} in arn_parts
    assert {"Ref": "AWS::AccountId"} in arn_parts


# --- DNS settings of the VPC


def _dns_support_off(stack: cdk.Stack) -> ec2.Vpc:
    # ec2.Vpc refuses DNS hostnames without DNS support, so only the L1 can say this.
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    resource = vpc.node.default_child
    assert isinstance(resource, ec2.CfnVPC)
    resource.enable_dns_support = False
    return vpc


def _dns_hostnames_off(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0, enable_dns_hostnames=False)


def _both_off(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=1,
        nat_gateways=0,
        enable_dns_support=False,
        enable_dns_hostnames=False,
    )


@pytest.mark.parametrize(
    ("build", "settings"),
    [
        (_dns_support_off, ["enable_dns_support"]),
        (_dns_hostnames_off, ["enable_dns_hostnames"]),
        (_both_off, ["enable_dns_support", "enable_dns_hostnames"]),
    ],
    ids=["dns-support-off", "dns-hostnames-off", "both-off"],
)
def test_vpc_with_dns_turned_off_is_rejected_before_anything_is_built(
    stack: cdk.Stack, build: Callable[[cdk.Stack], ec2.Vpc], settings: list[str]
) -> None:
    vpc = build(stack)

    with pytest.raises(ValidationError) as caught:
        PeeringDnsResolution(
            stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER, vpc=vpc
        )

    problems = caught.value.problems
    assert [p.rule for p in problems] == ["cdk_peering:dnsDisabled"] * len(settings)
    for problem, setting in zip(problems, settings, strict=True):
        assert problem.path == "TestStack/Dns"
        assert problem.message.startswith(f"{setting} is false on TestStack/Vpc;")
        assert "enable_dns_support=True and enable_dns_hostnames=True" in problem.fix
    assert str(problems[0]) in str(caught.value)
    assert stack.node.try_find_child("Dns") is None
    assert Template.from_stack(stack).find_resources("Custom::AWS") == {}


def test_vpc_with_default_dns_settings_is_accepted(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)

    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=PCX, side=PeeringSide.ACCEPTER, vpc=vpc
    )

    Template.from_stack(stack).resource_count_is("Custom::AWS", 1)


def test_imported_vpc_is_not_checked(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Imported", vpc_id="vpc-12345678", availability_zones=["us-east-1a"]
    )

    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=PCX, side=PeeringSide.ACCEPTER, vpc=vpc
    )

    Template.from_stack(stack).resource_count_is("Custom::AWS", 1)


# --- cdk-nag


def test_aws_solutions_reports_nothing_unacknowledged() -> None:
    app = new_app()
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "DnsOnly", env=cdk.Environment(account=ACCOUNT, region=REGION))
    # Both sides in one stack (same account and region): the shared provider is
    # acknowledged twice without harm.
    PeeringDnsResolution(stack, "Requester", peering_connection_id=PCX, side=PeeringSide.REQUESTER)
    PeeringDnsResolution(stack, "Accepter", peering_connection_id=PCX, side=PeeringSide.ACCEPTER)

    result = synth(app)

    assert result.error is None, result.error
    assert findings(result.report, "AwsSolutions") == []
    # The acknowledgement took effect: the finding exists, on the provider's role only.
    (nag,) = [r for r in result.report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    acknowledged = {
        (s["ruleName"], c["constructPath"])
        for s in nag.get("suppressedViolations", [])
        for c in s["violatingConstructs"]
    }
    assert acknowledged == {
        (IAM4_LAMBDA_BASIC, "DnsOnly/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource")
    }


@pytest.mark.parametrize(
    ("props", "rule"),
    [
        ({"peering_connection_id": "vpc-0123456789abcdef0"},
         "cdk_peering:invalidPeeringConnectionId"),
        ({"side": "Accepter"}, "cdk_peering:invalidPeeringSide"),
    ],
    ids=["not-a-pcx-id", "side-as-text"],
)  # fmt: skip
def test_bad_input_is_rejected_before_anything_is_built(props: dict[str, Any], rule: str) -> None:
    stack = cdk.Stack(new_app(), "Dns", env=cdk.Environment(account=ACCOUNT, region=REGION))
    given: dict[str, Any] = {
        "peering_connection_id": "pcx-0123456789abcdef0",
        "side": PeeringSide.REQUESTER,
        **props,
    }
    with pytest.raises(ValidationError) as raised:
        PeeringDnsResolution(stack, "Options", **given)
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == ("Dns/Options", rule)
    assert stack.node.try_find_child("Options") is None
