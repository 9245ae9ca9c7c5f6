"""Endpoint acceptance in the deploy: the one call, its policy, its stack and the order."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import ANY

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_peering import PrivateLinkEndpoint, PrivateLinkService, ValidationError
from cdk_peering.privatelink.acceptance import EndpointAcceptance
from tests.conftest import new_app
from tests.helpers import (
    AZ_CONTEXT,
    HOME,
    OTHER_ACCOUNT,
    OTHER_REGION,
    Assembly,
    custom_resource_policy,
    deploy_order,
    make_vpc,
    only_problem,
    privatelink_service,
    sdk_calls,
    token_name,
)

ONE_ZONE = {key: zones[:1] for key, zones in AZ_CONTEXT.items()}
"""helpers.AZ_CONTEXT with one zone per environment: VPCs of one subnet, small templates."""
SERVICE_NAME = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
ACCEPT = "AcceptVpcEndpointConnections"


def provider(scope: Construct, **props: Any) -> PrivateLinkService:
    """The orders service on 443 in a stack of HOME, open to the other account and region."""
    props.setdefault("allowed_principals", [iam.ArnPrincipal("arn:aws:iam::222222222222:root")])
    props.setdefault("allowed_regions", ["eu-west-1"])
    return privatelink_service(scope, **props)


def consumer(
    stack: cdk.Stack, service: PrivateLinkService | str, **props: Any
) -> PrivateLinkEndpoint:
    """An endpoint ``Endpoint`` to ``service`` in a VPC of ``stack`` (made once)."""
    vpc = stack.node.try_find_child("ConsumerVpc")
    if not isinstance(vpc, ec2.Vpc):
        vpc = make_vpc(stack, "ConsumerVpc", "10.0.0.0/16", isolated_only=True)
    props.setdefault("id", "Endpoint")
    return PrivateLinkEndpoint(stack, props.pop("id"), vpc=vpc, service=service, port=443, **props)


def acceptances(assembly: cdk.cx_api.CloudAssembly) -> dict[str, dict[str, Any]]:
    """Every acceptance call of the assembly, by stack name (at most one per stack here)."""
    found: dict[str, dict[str, Any]] = {}
    for artifact in assembly.stacks:
        calls = sdk_calls(artifact.template, ACCEPT)
        assert len(calls) <= 1
        for logical_id, resource in calls.items():
            found[artifact.stack_name] = {
                **resource,
                "Policy": custom_resource_policy(artifact.template, logical_id),
            }
    return found


def test_same_stack_accepts_the_endpoint_with_one_action_on_one_service() -> None:
    stack = cdk.Stack(new_app(), "Both", env=HOME)
    service = provider(stack)
    endpoint = consumer(stack, service)
    assert isinstance(endpoint.acceptance, EndpointAcceptance)
    assert endpoint.acceptance.node.path == "Both/Endpoint/Acceptance"
    [resource] = acceptances(new_assembly(stack)).values()
    service_id = stack.resolve(service.service_id)
    endpoint_id = stack.resolve(endpoint.vpc_endpoint_id)
    assert resource["Create"] == {
        "service": "EC2",
        "action": ACCEPT,
        "parameters": {"ServiceId": service_id, "VpcEndpointIds": [endpoint_id]},
        "physicalResourceId": {"id": f"{token_name(service_id)}/{token_name(endpoint_id)}"},
        "region": "us-east-1",
    }
    assert resource["Update"] == resource["Create"]
    assert "Delete" not in resource  # deleting the endpoint removes its connection
    assert resource["InstallLatestAwsSdk"] is False
    assert resource["ServiceTimeout"] == "300"
    assert resource["Policy"] == [
        {
            "Action": "ec2:AcceptVpcEndpointConnections",
            "Effect": "Allow",
            "Resource": {
                "Fn::Join": [
                    "",
                    [
                        "arn:aws:ec2:us-east-1:111111111111:vpc-endpoint-service/",
                        service_id,
                    ],
                ]
            },
        }
    ]


def new_assembly(stack: cdk.Stack) -> cdk.cx_api.CloudAssembly:
    app = stack.node.root
    assert isinstance(app, cdk.App)
    return app.synth()


def test_same_environment_accepts_in_the_endpoint_stack_after_the_service() -> None:
    app = new_app(**ONE_ZONE)
    service = provider(app)
    endpoint = consumer(cdk.Stack(app, "Consumer", env=HOME), service)
    assembly = app.synth()
    [(stack, resource)] = acceptances(assembly).items()
    assert stack == "Consumer"
    assert resource["Create"]["parameters"]["VpcEndpointIds"] == [
        cdk.Stack.of(endpoint).resolve(endpoint.vpc_endpoint_id)
    ]
    service_id = resource["Create"]["parameters"]["ServiceId"]
    assert service_id["Fn::GetStackOutput"]["StackName"] == "Provider"
    assert "Provider" in Assembly(assembly).dependencies()["Consumer"]
    assert deploy_order(assembly) == ["Provider", "Consumer"]


@pytest.mark.parametrize(
    ("env", "role_account"),
    [(OTHER_REGION, None), (OTHER_ACCOUNT, "222222222222")],
    ids=["other-region", "other-account"],
)
def test_another_environment_accepts_in_a_library_stack_of_the_service(
    env: cdk.Environment, role_account: str | None
) -> None:
    app = new_app(**ONE_ZONE)
    service = provider(app)
    endpoint = consumer(cdk.Stack(app, "Consumer", env=env), service)
    assembly = app.synth()
    name = "Consumer-EndpointAcceptance-111111111111-us-east-1"
    assert endpoint.acceptance is not None
    assert cdk.Stack.of(endpoint.acceptance).stack_name == name
    artifact = assembly.get_stack_by_name(name)
    assert (artifact.environment.account, artifact.environment.region) == HOME_ENV
    [(stack, resource)] = acceptances(assembly).items()
    assert stack == name
    assert resource["Create"]["region"] == "us-east-1"
    [endpoint_id] = resource["Create"]["parameters"]["VpcEndpointIds"]
    # The endpoint's id, read from the output of Consumer that holds its Ref, in Consumer's
    # region; from another account through the role Consumer made for that read.
    endpoint_ref = cdk.Stack.of(endpoint).resolve(endpoint.vpc_endpoint_id)["Ref"]
    assert Assembly(assembly).resolve(endpoint_id, name) == ("Consumer", endpoint_ref)
    read = dict(endpoint_id["Fn::GetStackOutput"])
    role_arn = read.pop("RoleArn", None)
    assert read == {"StackName": "Consumer", "Region": env.region, "OutputName": ANY}
    if role_account is None:
        assert role_arn is None
    else:
        roles = assembly.get_stack_by_name("Consumer").template["Resources"].values()
        [role_name] = [r["Properties"]["RoleName"] for r in roles if "RoleName" in r["Properties"]]
        assert role_arn == f"arn:aws:iam::{role_account}:role/{role_name}"
    assert Assembly(assembly).dependencies()[name] == {"Consumer", "Provider"}
    assert deploy_order(assembly) == ["Provider", "Consumer", name]


HOME_ENV = (HOME.account, HOME.region)


def test_opt_out_per_service_and_per_endpoint() -> None:
    app = new_app(**ONE_ZONE)
    quiet = provider(cdk.Stack(app, "Quiet", env=HOME), accept_app_endpoints=False)
    assert consumer(cdk.Stack(app, "A", env=HOME), quiet).acceptance is None
    # An endpoint may still ask for it; another may decline it from an accepting service.
    asked = consumer(cdk.Stack(app, "B", env=HOME), quiet, accept_connection=True)
    assert asked.acceptance is not None
    accepting = provider(cdk.Stack(app, "Accepting", env=HOME))
    declined = consumer(cdk.Stack(app, "C", env=HOME), accepting, accept_connection=False)
    assert declined.acceptance is None
    assert sorted(acceptances(app.synth())) == ["B"]


def test_nothing_to_accept_when_the_service_accepts_every_request() -> None:
    stack = cdk.Stack(new_app(), "Both", env=HOME)
    service = provider(stack, acceptance_required=False)
    endpoint = consumer(stack, service, accept_connection=True)
    assert endpoint.acceptance is None
    assert service.accept_endpoint(endpoint) is None
    assert acceptances(new_assembly(stack)) == {}


def test_accept_endpoint_for_an_interface_endpoint_of_the_app() -> None:
    stack = cdk.Stack(new_app(), "Both", env=HOME)
    service = provider(stack)
    vpc = make_vpc(stack, "ConsumerVpc", "10.0.0.0/16", isolated_only=True)
    plain = ec2.InterfaceVpcEndpoint(
        stack,
        "Plain",
        vpc=vpc,
        service=ec2.InterfaceVpcEndpointService(service.service_name, 443),
    )
    acceptance = service.accept_endpoint(plain)
    assert acceptance is not None
    assert acceptance.node.path == "Both/Plain/Acceptance"
    assert service.accept_endpoint(plain) is acceptance  # once
    imported = ec2.InterfaceVpcEndpoint.from_interface_vpc_endpoint_attributes(
        stack, "Imported", vpc_endpoint_id="vpce-0123456789abcdef0", port=443
    )
    accepted = service.accept_endpoint(imported)
    assert accepted is not None
    assert accepted.node.path == "Both/Orders/Acceptance-Both-Imported"  # it exists already
    calls = sdk_calls(new_assembly(stack).get_stack_by_name("Both").template, ACCEPT)
    endpoint_ids = sorted(
        json.dumps(c["Create"]["parameters"]["VpcEndpointIds"]) for c in calls.values()
    )
    assert endpoint_ids == sorted(
        json.dumps([stack.resolve(each)])
        for each in (plain.vpc_endpoint_id, "vpce-0123456789abcdef0")
    )


def test_no_cycle_when_the_service_stack_deploys_after_the_endpoint_stack() -> None:
    # The endpoint names the service by its name, so its stack need not wait for the
    # service's; here the service's stack deploys after it, so the acceptance cannot go in
    # the endpoint's stack (which would then wait for the service's): it gets its own.
    app = new_app(**ONE_ZONE)
    before = cdk.Stack(app, "Before", env=HOME)
    vpc = make_vpc(before, "ConsumerVpc", "10.0.0.0/16", isolated_only=True)
    plain = ec2.InterfaceVpcEndpoint(
        before, "Plain", vpc=vpc, service=ec2.InterfaceVpcEndpointService(SERVICE_NAME, 443)
    )
    service = provider(app)
    cdk.Stack.of(service).add_dependency(before)
    acceptance = service.accept_endpoint(plain)
    assert acceptance is not None
    name = "Before-EndpointAcceptance-111111111111-us-east-1"
    assert cdk.Stack.of(acceptance).stack_name == name
    assert deploy_order(app.synth()) == ["Before", "Provider", name]


# --- errors


@pytest.mark.parametrize(
    "service",
    [SERVICE_NAME, "object"],
    ids=["by-name", "not-a-privatelink-service"],
)
def test_acceptance_for_a_service_outside_the_app(service: str) -> None:
    stack = cdk.Stack(new_app(), "Consumer", env=HOME)

    class Named:
        service_name = SERVICE_NAME
        ports = (443,)

    given: Any = Named() if service == "object" else service
    with pytest.raises(ValidationError) as raised:
        consumer(stack, given, accept_connection=True)
    problem = only_problem(raised, "Consumer/Endpoint", "cdk_peering:acceptanceOutsideApp")
    assert SERVICE_NAME in problem.message
    assert "its owner accepts them" in problem.message
    assert stack.node.try_find_child("Endpoint") is None
    # Without accept_connection nothing is asked of the owner.
    assert consumer(stack, given, id="Quiet").acceptance is None


def test_acceptance_between_an_agnostic_stack_and_a_pinned_one() -> None:
    app = new_app()
    service = provider(app)
    agnostic = cdk.Stack(app, "Consumer")
    with pytest.raises(ValidationError) as raised:
        consumer(agnostic, service)
    problem = only_problem(raised, "Consumer/Endpoint", "cdk_peering:acceptanceEnvironmentUnknown")
    assert "Provider in 111111111111/us-east-1" in problem.message
    assert "accept_connection=False" in problem.fix
    assert consumer(agnostic, service, accept_connection=False, id="Declined").acceptance is None


def test_agnostic_stacks_on_both_sides_accept_in_the_endpoint_stack() -> None:
    app = new_app()
    service = provider(cdk.Stack(app, "Provider"))
    endpoint = consumer(cdk.Stack(app, "Consumer"), service)
    assert endpoint.acceptance is not None
    assert endpoint.acceptance.node.path == "Consumer/Endpoint/Acceptance"


@pytest.mark.parametrize(
    ("env", "props", "rule"),
    [
        (OTHER_REGION, {"allowed_regions": None}, "cdk_peering:endpointRegionNotAllowed"),
        (OTHER_ACCOUNT, {"allowed_principals": None}, "cdk_peering:endpointAccountNotAllowed"),
    ],
    ids=["region", "account"],
)
def test_accept_endpoint_checks_the_service_allows_the_endpoint(
    env: cdk.Environment, props: dict[str, Any], rule: str
) -> None:
    app = new_app(**ONE_ZONE)
    service = provider(app, **props)
    stack = cdk.Stack(app, "Consumer", env=env)
    vpc = make_vpc(stack, "ConsumerVpc", "10.0.0.0/16", isolated_only=True)
    plain = ec2.InterfaceVpcEndpoint(
        stack, "Plain", vpc=vpc, service=ec2.InterfaceVpcEndpointService(SERVICE_NAME, 443)
    )
    with pytest.raises(ValidationError) as raised:
        service.accept_endpoint(plain)
    only_problem(raised, "Consumer/Plain", rule)
    assert plain.node.try_find_child("Acceptance") is None
