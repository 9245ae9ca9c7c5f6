"""docs/security.md names every permission, trust and acknowledgement the library writes.

Read from synthesized templates, not from the code: the example app's, and one stack with
what the example leaves out (a service's domain verification and notification topic, a
dual-stack endpoint whose IPv6 rules name token CIDRs). Resources the app itself makes
(VPC flow logs, aws-cdk-lib's function that empties each VPC's default security group)
are not the library's and are left out.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns

from cdk_peering import PeeringDnsResolution, PeeringSide, PrivateLinkEndpoint, PrivateLinkService
from cdk_peering.cdk.handler import OPTIONS
from tests.conftest import ENV, ROOT, ExampleApp, new_app
from tests.helpers import make_vpc

SECURITY_DOC = (ROOT / "docs" / "security.md").read_text()
NOT_THE_LIBRARYS = ("FlowLog", "CustomVpcRestrictDefaultSG")
ACKNOWLEDGED = "aws:cdk:acknowledged-rules"


@functools.cache  # aws-cdk-lib allows one domain name per service path in a process
def _everything_else() -> cdk.App:
    app = new_app()
    stack = cdk.Stack(app, "SecurityDocExtras", env=ENV)
    vpc = make_vpc(stack, "Vpc", "10.0.0.0/16", ipv6=True, isolated_only=True)
    service = PrivateLinkService(
        stack,
        "Service",
        vpc=vpc,
        port=443,
        targets=[elbv2_targets.IpTarget("10.0.0.10")],
        notification_topic=sns.Topic(stack, "Topic"),
        private_dns_name="orders.example.com",
        public_hosted_zone=route53.PublicHostedZone(stack, "Zone", zone_name="example.com"),
    )
    PrivateLinkEndpoint(
        stack,
        "Endpoint",
        vpc=vpc,
        service=service,
        port=443,
        ip_address_type=ec2.VpcEndpointIpAddressType.DUALSTACK,
    )
    return app


@pytest.fixture(scope="module")
def templates(example_app: ExampleApp) -> list[dict[str, Any]]:
    _, assembly = example_app
    return [stack.template for stack in (*assembly.stacks_recursively, *_extras())]


def _extras() -> list[cdk.cx_api.CloudFormationStackArtifact]:
    return list(_everything_else().synth().stacks_recursively)


def _resources(templates: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for template in templates:
        for logical_id, resource in template.get("Resources", {}).items():
            if not any(part in logical_id for part in NOT_THE_LIBRARYS):
                yield logical_id, resource


def _statements(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    properties = resource.get("Properties", {})
    documents = [properties.get("PolicyDocument"), properties.get("AssumeRolePolicyDocument")]
    documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    for document in documents:
        if document:
            yield from document["Statement"]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_action_and_condition_key_is_in_the_doc(templates: list[dict[str, Any]]) -> None:
    found: set[str] = set()
    for _, resource in _resources(templates):
        for statement in _statements(resource):
            found.update(str(action) for action in _listed(statement["Action"]))
            for operator in statement.get("Condition", {}).values():
                found.update(operator)
    assert {"ec2:AcceptVpcPeeringConnection", "aws:PrincipalArn", "sns:Publish"} <= found
    missing = sorted(name for name in found if f"`{name}`" not in SECURITY_DOC)
    assert missing == [], missing


def test_every_trusted_principal_kind_and_managed_policy_is_in_the_doc(
    templates: list[dict[str, Any]],
) -> None:
    services: set[str] = set()
    managed: set[str] = set()
    for _, resource in _resources(templates):
        for statement in _statements(resource):
            services.update(_listed(statement.get("Principal", {}).get("Service", [])))
        for arn in resource.get("Properties", {}).get("ManagedPolicyArns", []):
            managed.add(json.dumps(arn).rsplit("/", 1)[-1].strip('"]}'))
    assert services == {"lambda.amazonaws.com", "vpce.amazonaws.com"}
    assert managed == {"AWSLambdaBasicExecutionRole"}
    assert [name for name in services | managed if f"`{name}`" not in SECURITY_DOC] == []


def test_every_acknowledgement_and_checkov_skip_is_in_the_doc(
    templates: list[dict[str, Any]], example_app: ExampleApp
) -> None:
    acknowledged: set[str] = set()
    for root in (example_app[0][0].node.root, _everything_else()):
        for construct in root.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == ACKNOWLEDGED:
                    # cdk-nag's; aws-cdk-lib acknowledges its own CloudFormation rules
                    # (CloudFormation-Validate::W3010 on ec2.Vpc) itself.
                    acknowledged.update(
                        rule.split("::", 1)[-1]
                        for rule in entry.data
                        if rule.startswith("AwsSolutions::")
                    )
    skipped = {
        skip["id"]
        for _, resource in _resources(templates)
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    }
    assert "AwsSolutions-EC23" in acknowledged
    assert "CKV_AWS_91" in skipped
    named = {rule.split("[", 1)[0] for rule in acknowledged} | skipped
    # The doc's table shortens a run of checkov ids: `CKV_AWS_115`, `116`, `117`.
    missing = [
        name
        for name in sorted(named)
        if f"`{name}`" not in SECURITY_DOC
        and f"`{name.removeprefix('CKV_AWS_')}`" not in SECURITY_DOC
    ]
    assert missing == []


def _acknowledgements(construct: Any) -> dict[str, str]:
    """The acknowledgements on one construct: the rule's id, and the reason given."""
    found: dict[str, str] = {}
    for entry in construct.node.metadata:
        if entry.type == ACKNOWLEDGED:
            found.update(entry.data)
    return found


def test_the_provider_roles_reason_names_every_statement_on_every_resource() -> None:
    # aws-cdk-lib's AwsCustomResource role: its reason says what its policies allow.
    app = _everything_else()
    stack = app.node.find_child("SecurityDocExtras")
    provider = stack.node.find_child("AWS679f53fac002430cb0da5b7982bd2287")
    role = provider.node.find_child("ServiceRole")
    [reason] = _acknowledgements(role.node.default_child).values()
    template = _extras()[0].template
    [role_id] = [k for k in template["Resources"] if k.startswith(provider.node.id + "ServiceRole")]
    on_everything = sorted(
        action
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role_id} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement["Resource"] == "*"
        for action in _listed(statement["Action"])
    )
    assert on_everything == ["ec2:DescribeVpcEndpointServiceConfigurations"]
    assert all(action in reason for action in on_everything), reason


def test_no_skip_reason_says_requests_come_one_at_a_time() -> None:
    # Two resources of one stack on one function, with no order between them:
    # CloudFormation runs them, and so invokes the function, in parallel.
    app = new_app()
    stack = cdk.Stack(app, "Parallel", env=ENV)
    ids = [id for id in (f"Dns{index}" for index in range(40)) if zlib.crc32(id.encode()) % 8 == 0]
    for id in ids[:2]:
        PeeringDnsResolution(
            stack, id, peering_connection_id="pcx-0123456789abcdef0", side=PeeringSide.REQUESTER
        )
    resources = cdk.assertions.Template.from_stack(stack).find_resources(OPTIONS)
    assert len({json.dumps(r["Properties"]["ServiceToken"]) for r in resources.values()}) == 1
    assert all(len(r["DependsOn"]) == 1 for r in resources.values())  # its policy only

    skips = [
        skip["comment"]
        for resource in app.synth().get_stack_by_name("Parallel").template["Resources"].values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    assert not [comment for comment in skips if "one at a time" in comment]


def _in_one_list() -> list[str]:
    section = SECURITY_DOC.split("## Acknowledgements and checkov skips, in one list", 1)[1]
    return [line for line in section.splitlines() if line.startswith("| ")]


def test_the_one_list_names_every_checkov_skip_where_it_is(
    templates: list[dict[str, Any]],
) -> None:
    owners = {  # a resource's logical id prefix, and how the list names its owner
        "CdkPeeringHandler": "the library's handler",
        "AWS679f53fac002430cb0da5b7982bd2287": "aws-cdk-lib's `AwsCustomResource` function",
    }
    skipped = {
        (skip["id"], owner)
        for template in templates
        for logical_id, resource in template.get("Resources", {}).items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
        for prefix, owner in owners.items()
        if logical_id.startswith(prefix)
    }
    assert {owner for _, owner in skipped} == set(owners.values())
    rows = _in_one_list()
    missing = [
        (rule, owner)
        for rule, owner in sorted(skipped)
        if not any(
            owner in row and re.search(rf"`({rule}|{rule.removeprefix('CKV_AWS_')})`", row)
            for row in rows
        )
    ]
    assert missing == []
