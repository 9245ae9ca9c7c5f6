"""PeeringDnsResolution: its custom resource, the function's policy, the DNS checks, cdk-nag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from cdk_peering import PeeringDnsResolution, PeeringSide, ValidationError, VpcPeering
from cdk_peering.cdk.handler import OPTIONS
from cdk_peering.cdk.provider import DeployHandler
from tests.conftest import ACCOUNT, REGION, new_app
from tests.helpers import custom_resource, make_vpc, options_statements, setting_policy, settings
from tests.test_gates import findings, synth

PCX = "pcx-0123456789abcdef0"


# --- The custom resource


@pytest.mark.parametrize("side", [PeeringSide.REQUESTER, PeeringSide.ACCEPTER])
def test_the_resource_sets_one_sides_dns_option(stack: cdk.Stack, side: PeeringSide) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=side)

    assert settings(Template.from_stack(stack)) == [
        {
            "VpcPeeringConnectionId": PCX,
            "Side": side.value,
            "Options": {"AllowDnsResolutionFromRemoteVpc": True},
        }
    ]


def test_the_resource_uses_the_connection_of_a_peering_in_the_same_stack(
    stack: cdk.Stack,
) -> None:
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
    [given] = settings(template)
    assert given["VpcPeeringConnectionId"] == {"Ref": connection}
    # The Ref orders the call after the connection; an explicit DependsOn would be redundant
    # (cfn-lint W3005). It waits for its own policy only.
    [policy] = custom_resource(template)["DependsOn"]
    assert template.to_json()["Resources"][policy]["Type"] == "AWS::IAM::Policy"


def test_the_library_function_runs_it_with_a_short_service_timeout(stack: cdk.Stack) -> None:
    dns = PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    template = Template.from_stack(stack)

    properties = custom_resource(template)["Properties"]
    assert properties["ServiceTimeout"] == "300"
    [function] = template.find_resources("AWS::Lambda::Function")
    assert properties["ServiceToken"] == {"Fn::GetAtt": [function, "Arn"]}
    assert function.startswith("CdkPeeringHandler")  # the one of the handlers its path picks
    assert dns.node.default_child is dns.custom_resource
    assert (dns.peering_connection_id, dns.side) == (PCX, PeeringSide.REQUESTER)


# --- The function's policy


def test_policy_changes_the_one_connection_only(stack: cdk.Stack) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    statements = setting_policy(Template.from_stack(stack))

    # Its options and the owners' marks (tags of that one key prefix); describing reads.
    assert statements == options_statements(
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/{PCX}"
    )


def test_policy_names_a_token_connection_by_its_ref(stack: cdk.Stack) -> None:
    connection = ec2.CfnVPCPeeringConnection(
        stack, "Connection", vpc_id="vpc-11111111", peer_vpc_id="vpc-22222222"
    )
    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=connection.ref, side=PeeringSide.ACCEPTER
    )

    statements = setting_policy(Template.from_stack(stack))

    assert statements == options_statements(
        {
            "Fn::Join": [
                "",
                [
                    f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/",
                    {"Ref": stack.resolve(connection.logical_id)},
                ],
            ]
        }
    )


def test_an_env_agnostic_stack_gets_the_arn_from_pseudo_parameters() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    statement = setting_policy(Template.from_stack(stack))[0]

    arn_parts = statement["Resource"]["Fn::Join"][1]
    assert {"Ref": "AWS::Partition"} in arn_parts
    assert {"Ref": "AWS::Region"} in arn_parts
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
    assert Template.from_stack(stack).find_resources(OPTIONS) == {}


def test_vpc_with_default_dns_settings_is_accepted(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)

    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=PCX, side=PeeringSide.ACCEPTER, vpc=vpc
    )

    Template.from_stack(stack).resource_count_is(OPTIONS, 1)


def test_imported_vpc_is_not_checked(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack, "Imported", vpc_id="vpc-12345678", availability_zones=["us-east-1a"]
    )

    PeeringDnsResolution(
        stack, "Dns", peering_connection_id=PCX, side=PeeringSide.ACCEPTER, vpc=vpc
    )

    Template.from_stack(stack).resource_count_is(OPTIONS, 1)


# --- cdk-nag


def test_aws_solutions_reports_nothing_unacknowledged() -> None:
    app = new_app()
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "DnsOnly", env=cdk.Environment(account=ACCOUNT, region=REGION))
    # Both sides in one stack (same account and region): one function, two policies.
    PeeringDnsResolution(stack, "Requester", peering_connection_id=PCX, side=PeeringSide.REQUESTER)
    PeeringDnsResolution(stack, "Accepter", peering_connection_id=PCX, side=PeeringSide.ACCEPTER)

    result = synth(app)

    assert result.error is None, result.error
    assert findings(result.report, "AwsSolutions") == []
    # What is acknowledged: the describe statement on '*' of each handler's role, once; no
    # resource's policy (each names its connection), no managed policy (its logs go to its
    # own log group only).
    (nag,) = [r for r in result.report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    acknowledged = {
        (s["ruleName"], c["constructPath"])
        for s in nag.get("suppressedViolations", [])
        for c in s["violatingConstructs"]
    }
    handlers = [c.node.id for c in stack.node.children if isinstance(c, DeployHandler)]
    assert handlers
    assert acknowledged == {
        ("AwsSolutions-IAM5[Resource::*]", f"DnsOnly/{handler}/Role/DefaultPolicy/Resource")
        for handler in handlers
    }


def test_the_handlers_role_may_write_its_own_logs_and_read_nothing_else(
    stack: cdk.Stack,
) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)

    template = Template.from_stack(stack)

    [(role_id, role)] = template.find_resources("AWS::IAM::Role").items()
    assert "ManagedPolicyArns" not in role["Properties"]  # no AWSLambdaBasicExecutionRole
    [log_group] = template.find_resources("AWS::Logs::LogGroup")
    # The role's own policy: its log group's streams, and the describe calls that support
    # no resource-level permissions. Every other policy on it is a custom resource's (the
    # DNS option's here), attached before that resource runs.
    policies = template.find_resources("AWS::IAM::Policy")
    [own] = [p for logical_id, p in policies.items() if "RoleDefaultPolicy" in logical_id]
    assert own["Properties"]["Roles"] == [{"Ref": role_id}]
    assert own["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group, "Arn"]},
        },
        {
            "Action": [
                "ec2:DescribeTags",
                "ec2:DescribeVpcEndpointConnections",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeVpcs",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
    ]
    [function] = template.find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["LoggingConfig"] == {"LogGroup": {"Ref": log_group}}


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
