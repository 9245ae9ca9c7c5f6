"""The library's deploy-time function in a stack, and the retirement of aws-cdk-lib's
AwsCustomResource provider for stacks of the 0.1 development line."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import custom_resources as cr
from aws_cdk.assertions import Template

from cdk_peering import PeeringDnsResolution, PeeringSide
from cdk_peering.cdk.provider import (
    AWS_CUSTOM_RESOURCE_PROVIDER_LOGICAL_ID,
    RETIRE_CONTEXT,
    DeployHandler,
    handler_source,
)
from tests.conftest import ENV, new_app

PCX = "pcx-0123456789abcdef0"


def _stack(**context: object) -> cdk.Stack:
    stack = cdk.Stack(new_app(**context), "Net", env=ENV)
    PeeringDnsResolution(stack, "Requester", peering_connection_id=PCX, side=PeeringSide.REQUESTER)
    PeeringDnsResolution(stack, "Accepter", peering_connection_id=PCX, side=PeeringSide.ACCEPTER)
    return stack


def test_one_function_per_stack_runs_the_handler_inline() -> None:
    template = Template.from_stack(_stack())

    [function] = template.find_resources("AWS::Lambda::Function").values()
    assert function["Properties"]["Code"] == {"ZipFile": handler_source()}
    assert function["Properties"]["Handler"] == "index.handler"
    assert function["Properties"]["Runtime"].startswith("python3.")
    # Both resources go to it, each after its own policy.
    for resource in template.find_resources("Custom::PeeringConnectionOptions").values():
        assert resource["Properties"]["ServiceToken"]["Fn::GetAtt"][1] == "Arn"
        [policy] = resource["DependsOn"]
        assert "Policy" in policy


@pytest.mark.parametrize("value", [True, "true"])
def test_the_retired_provider_keeps_its_logical_id_and_answers_without_a_call(
    value: object,
) -> None:
    stack = _stack(**{RETIRE_CONTEXT: value})

    template = Template.from_stack(stack)

    # The logical id of aws-cdk-lib's AwsCustomResource provider, so the ARN the old
    # Custom::AWS resources name stays, now running the handler's `retired`.
    retired = template.find_resources("AWS::Lambda::Function")[
        AWS_CUSTOM_RESOURCE_PROVIDER_LOGICAL_ID
    ]
    assert retired["Properties"]["Handler"] == "index.retired"
    assert retired["Properties"]["Code"] == {"ZipFile": handler_source()}
    handler = stack.node.find_child("CdkPeeringHandler")
    assert isinstance(handler, DeployHandler)
    assert handler.retired_provider is not None


def test_without_the_context_nothing_is_retired() -> None:
    template = Template.from_stack(_stack())

    assert AWS_CUSTOM_RESOURCE_PROVIDER_LOGICAL_ID not in template.find_resources(
        "AWS::Lambda::Function"
    )


def test_a_stack_that_still_has_an_aws_custom_resource_cannot_retire_its_provider() -> None:
    stack = _stack(**{RETIRE_CONTEXT: True})
    cr.AwsCustomResource(
        stack,
        "StillUsed",
        on_create=cr.AwsSdkCall(
            service="STS",
            action="GetCallerIdentity",
            physical_resource_id=cr.PhysicalResourceId.of("caller"),
        ),
        policy=cr.AwsCustomResourcePolicy.from_statements([]),
    )

    app = stack.node.root
    assert isinstance(app, cdk.App)
    with pytest.raises(RuntimeError, match=RETIRE_CONTEXT):
        app.synth()
