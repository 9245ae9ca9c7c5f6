"""The library's deploy-time function in a stack, and the retirement of aws-cdk-lib's
AwsCustomResource provider for stacks of the 0.1 development line."""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import custom_resources as cr
from aws_cdk.assertions import Template

from cdk_peering import PeeringDnsResolution, PeeringSide, ValidationError
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


def test_each_function_runs_the_handler_inline_and_each_resource_waits_for_its_policy() -> None:
    template = Template.from_stack(_stack())

    functions = template.find_resources("AWS::Lambda::Function")
    for function in functions.values():
        assert function["Properties"]["Code"] == {"ZipFile": handler_source()}
        assert function["Properties"]["Handler"] == "index.handler"
        assert function["Properties"]["Runtime"].startswith("python3.")
    for resource in template.find_resources("Custom::PeeringConnectionOptions").values():
        function, attribute = resource["Properties"]["ServiceToken"]["Fn::GetAtt"]
        assert (function in functions, attribute) == (True, "Arn")
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
    # Made once, by the stack's first handler.
    retiring = [
        child
        for child in stack.node.children
        if isinstance(child, DeployHandler) and child.retired_provider is not None
    ]
    assert len(retiring) == 1


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


# --- several functions: a resource's by its path; each role within IAM's limit

IAM_ROLE_POLICY_CHARACTERS = 10_240  # IAM quotas: a role's inline policies, together


def _options(stack: cdk.Stack, *ids: str) -> list[PeeringDnsResolution]:
    return [
        PeeringDnsResolution(stack, id, peering_connection_id=PCX, side=PeeringSide.REQUESTER)
        for id in ids
    ]


def _logical_id(made: PeeringDnsResolution) -> str:
    cfn = made.custom_resource.node.default_child
    assert isinstance(cfn, cdk.CfnResource)
    return str(cdk.Stack.of(made).resolve(cfn.logical_id))


def _service_tokens(stack: cdk.Stack) -> dict[str, str]:
    """Each options resource's function (its logical id), by the resource's logical id."""
    resources = Template.from_stack(stack).find_resources("Custom::PeeringConnectionOptions")
    return {
        logical_id: resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
        for logical_id, resource in resources.items()
    }


def test_a_resources_function_is_the_crc32_of_its_path_in_the_stack_modulo_8() -> None:
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    made = _options(stack, *(f"Peering{index}" for index in range(40)))

    tokens = _service_tokens(stack)

    for each in made:
        index = zlib.crc32(each.node.id.encode()) % 8  # its path within the stack
        expected = "CdkPeeringHandler" if index == 0 else f"CdkPeeringHandler{index}"
        function = tokens[_logical_id(each)]
        assert re.fullmatch(expected + "Function[0-9A-F]{8}", function), (each, function)
    # Only the functions some resource uses are made; here all eight.
    assert len(set(tokens.values())) == 8


def test_a_resources_function_stays_when_others_come_and_go() -> None:
    def tokens(*ids: str) -> dict[str, str]:
        stack = cdk.Stack(new_app(), "Net", env=ENV)
        _options(stack, *ids)
        return _service_tokens(stack)

    alone = tokens("Kept")
    crowded = tokens(*(f"Other{index}" for index in range(30)), "Kept")
    nested = cdk.Stack(new_app(), "Elsewhere", env=ENV)  # another stack name, same path in it
    _options(nested, "Kept")

    [(kept, function)] = alone.items()
    assert crowded[kept] == function
    assert _service_tokens(nested) == alone
    assert len(Template.from_stack(_stack()).find_resources("AWS::Lambda::Function")) <= 2


def test_the_role_of_a_function_is_made_only_when_used() -> None:
    stack = cdk.Stack(new_app(), "Net", env=ENV)
    _options(stack, "Peering0")

    template = Template.from_stack(stack)

    assert len(template.find_resources("AWS::Lambda::Function")) == 1
    assert len(template.find_resources("AWS::IAM::Role")) == 1
    assert len(template.find_resources("AWS::Logs::LogGroup")) == 1


def _longest_real(value: Any, stack: str) -> Any:
    """Resolve a policy document as CloudFormation would, each reference at the longest
    value it really takes: the partition aws-us-gov, a 14-character Region, a 12-digit
    account, a hosted zone id of 32 characters (peering connections', VPCs' and endpoint
    services' ids are shorter), and the handler's log group named as CloudFormation names
    it (stack name, logical id, a 13-character suffix)."""
    if isinstance(value, list):
        return [_longest_real(each, stack) for each in value]
    if not isinstance(value, dict):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_longest_real(part, stack) for part in parts)
    if "Fn::GetAtt" in value:
        log_group = f"{stack}-{value['Fn::GetAtt'][0]}-{'S' * 13}"
        return f"arn:aws-us-gov:logs:ap-southeast-5:111111111111:log-group:{log_group}:*"
    pseudo = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-5"}
    if value.get("Ref") in pseudo:
        return pseudo[value["Ref"]]
    if value.get("Ref") == "AWS::AccountId":
        return "1" * 12
    if len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
        return "Z" * 32
    return {key: _longest_real(each, stack) for key, each in value.items()}


def _role_characters(template: dict[str, Any], stack: str) -> dict[str, int]:
    """The characters of each role's inline policies, resolved at their longest, together."""
    found: Counter[str] = Counter()
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            document = _longest_real(resource["Properties"]["PolicyDocument"], stack)
            for role in resource["Properties"]["Roles"]:
                found[role["Ref"]] += len(json.dumps(document, separators=(",", ":")))
    return dict(found)


def test_each_policy_is_estimated_at_no_less_than_it_can_take() -> None:
    app = new_app()
    pinned = cdk.Stack(app, "Pinned", env=ENV)
    agnostic = cdk.Stack(app, "Agnostic")
    for stack in (pinned, agnostic):
        connection = ec2.CfnVPCPeeringConnection(
            stack, "Connection", vpc_id="vpc-11111111", peer_vpc_id="vpc-22222222"
        )
        _options(stack, "Literal")
        PeeringDnsResolution(
            stack, "Token", peering_connection_id=connection.ref, side=PeeringSide.ACCEPTER
        )
    assembly = app.synth()

    for stack in (pinned, agnostic):
        template = assembly.get_stack_by_name(stack.stack_name).template
        handlers = [c for c in stack.node.children if isinstance(c, DeployHandler)]
        resolved = _role_characters(template, stack.stack_name)
        for handler in handlers:
            role = stack.resolve(handler.role.node.default_child.logical_id)  # type: ignore[union-attr]
            assert resolved[role] <= handler.policy_characters
            # Conservative, not wasteful: the log group's name (at most 512 characters),
            # and a few characters a token.
            assert handler.policy_characters - resolved[role] < 600 * handler.resources + 600


def _fill(stack: cdk.Stack) -> tuple[int, ValidationError]:
    """Add options resources until the next one does not fit: how many fit, and the error."""
    for index in range(400):
        try:
            _options(stack, f"Peering{index}")
        except ValidationError as error:
            return index, error
    raise AssertionError("400 resources fit in one stack")


def test_a_stack_past_its_functions_capacity_fails_at_synth_naming_the_fix() -> None:
    stack = cdk.Stack(new_app(), "Crowded", env=ENV)

    _, raised = _fill(stack)

    [problem] = raised.problems
    assert problem.rule == "cdk_peering:handlerPoliciesTooLarge"
    assert "Stack Crowded has too many cdk_peering custom resources" in problem.message
    assert re.search(
        r"\d\d of them would attach their policies to the role of CdkPeeringHandler\d?,",
        problem.message,
    )
    assert "10,240" in problem.message
    assert "another stack" in problem.fix


def test_every_role_of_the_fullest_stack_that_synthesizes_is_within_iams_limit() -> None:
    app = new_app()
    stack = cdk.Stack(app, "Full", env=ENV)
    added, _ = _fill(stack)

    template = app.synth().get_stack_by_name("Full").template

    roles = _role_characters(template, "Full")
    assert len(roles) == 8
    assert max(roles.values()) <= IAM_ROLE_POLICY_CHARACTERS
    assert max(roles.values()) > IAM_ROLE_POLICY_CHARACTERS * 0.85  # a full role is nearly full
    assert added >= 8 * 15  # these ids spread evenly: 17 to 19 a function


# --- the texts


def test_no_text_says_an_aws_custom_resource_runs_the_librarys_settings() -> None:
    # Since the library's own handler, AwsCustomResource is left only behind aws-cdk-lib's
    # VpcEndpointServiceDomainName (and in stacks of the 0.1 development line).
    root = Path(__file__).resolve().parent.parent
    texts = [root / "README.md", *(root / "docs").glob("*.md"), *root.glob("cdk_peering/**/*.py")]
    settings = re.compile(r"ModifyVpcPeeringConnectionOptions|options|tags|zone association")
    wrong = [
        f"{path.relative_to(root)}: {sentence}"
        for path in texts
        for sentence in re.split(r"(?<=[.;])\s", re.sub(r"\s+", " ", path.read_text()))
        if re.search(r"AwsCustomResource|Custom::AWS", sentence)
        and settings.search(sentence)
        and not re.search(r"0\.1|retire|model|VpcEndpointServiceDomainName", sentence)
    ]
    assert wrong == []
