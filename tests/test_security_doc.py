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
from collections.abc import Iterator
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2_targets as elbv2_targets
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sns as sns

from cdk_peering import PrivateLinkEndpoint, PrivateLinkService
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
