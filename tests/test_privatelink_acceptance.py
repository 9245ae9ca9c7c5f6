"""Endpoint acceptance in the deploy: the one resource, its policy, its stack and the order.

The acceptance holds the service's permission to accept any pending connection, so it
goes in a stack of the service's owner, never in a consumer's (tests/test_handler.py tests
that it fails unless EC2 accepted)."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import ANY

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from constructs import Construct

from cdk_peering import PrivateLinkEndpoint, PrivateLinkService, ValidationError
from cdk_peering.cdk.handler import ACCEPTANCE
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
    library_resources,
    make_vpc,
    only_problem,
    privatelink_service,
    statements_allowing,
)

ONE_ZONE = {key: zones[:1] for key, zones in AZ_CONTEXT.items()}
"""helpers.AZ_CONTEXT with one zone per environment: VPCs of one subnet, small templates."""
SERVICE_NAME = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
ACCEPT = "ec2:AcceptVpcEndpointConnections"
LIBRARY_STACK = "Consumer-EndpointAcceptance-111111111111-us-east-1"


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
    """Every acceptance of the assembly, by stack name (at most one per stack here): its
    properties, and the statements of its policy."""
    found: dict[str, dict[str, Any]] = {}
    for artifact in assembly.stacks:
        resources = library_resources(artifact.template, ACCEPTANCE)
        assert len(resources) <= 1
        for logical_id, resource in resources.items():
            found[artifact.stack_name] = {
                **resource["Properties"],
                "Policy": custom_resource_policy(artifact.template, logical_id),
            }
    return found


def test_same_stack_accepts_the_endpoint_with_one_action_on_one_service() -> None:
    stack = cdk.Stack(new_app(), "Both", env=HOME)
    service = provider(stack)
    endpoint = consumer(stack, service)
    assert isinstance(endpoint.acceptance, EndpointAcceptance)
    assert endpoint.acceptance.node.path == "Both/Endpoint/Acceptance"  # the service's stack
    [resource] = acceptances(new_assembly(stack)).values()
    service_id = stack.resolve(service.service_id)
    endpoint_id = stack.resolve(endpoint.vpc_endpoint_id)
    assert resource["ServiceId"] == service_id
    assert resource["VpcEndpointIds"] == [endpoint_id]
    assert resource["ServiceTimeout"] == "300"
    assert resource["Policy"] == [
        {
            "Action": ACCEPT,
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
        },
        # Whether an endpoint EC2 did not accept was accepted before is read with the
        # handler role's own ec2:DescribeVpcEndpointConnections (tests/test_provider.py).
    ]


def new_assembly(stack: cdk.Stack) -> cdk.cx_api.CloudAssembly:
    app = stack.node.root
    assert isinstance(app, cdk.App)
    return app.synth()


def test_same_environment_accepts_in_a_library_stack_of_the_service_not_the_consumers() -> None:
    app = new_app(**ONE_ZONE)
    service = provider(app)
    endpoint = consumer(cdk.Stack(app, "Consumer", env=HOME), service)
    assembly = app.synth()
    [(stack, resource)] = acceptances(assembly).items()
    # Not in Consumer, though it is in the service's account and Region: whoever changes
    # a stack holding the permission can accept any pending connection to the service.
    assert stack == LIBRARY_STACK
    assert statements_allowing(Template.from_json(_template(assembly, "Consumer")), ACCEPT) == []
    assert endpoint.acceptance is not None
    assert cdk.Stack.of(endpoint.acceptance).stack_name == LIBRARY_STACK
    [endpoint_id] = resource["VpcEndpointIds"]
    endpoint_ref = cdk.Stack.of(endpoint).resolve(endpoint.vpc_endpoint_id)["Ref"]
    assert Assembly(assembly).resolve(endpoint_id, LIBRARY_STACK) == ("Consumer", endpoint_ref)
    assert resource["ServiceId"]["Fn::GetStackOutput"]["StackName"] == "Provider"
    assert Assembly(assembly).dependencies()[LIBRARY_STACK] == {"Consumer", "Provider"}
    assert deploy_order(assembly) == ["Provider", "Consumer", LIBRARY_STACK]


def _template(assembly: cdk.cx_api.CloudAssembly, name: str) -> dict[str, Any]:
    template: dict[str, Any] = assembly.get_stack_by_name(name).template
    return template


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
    name = LIBRARY_STACK
    assert endpoint.acceptance is not None
    assert cdk.Stack.of(endpoint.acceptance).stack_name == name
    artifact = assembly.get_stack_by_name(name)
    assert (artifact.environment.account, artifact.environment.region) == HOME_ENV
    [(stack, resource)] = acceptances(assembly).items()
    assert stack == name
    [endpoint_id] = resource["VpcEndpointIds"]
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
    assert sorted(acceptances(app.synth())) == ["B-EndpointAcceptance-111111111111-us-east-1"]


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
    resources = library_resources(
        new_assembly(stack).get_stack_by_name("Both").template, ACCEPTANCE
    )
    endpoint_ids = sorted(json.dumps(r["Properties"]["VpcEndpointIds"]) for r in resources.values())
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


def test_agnostic_stacks_on_both_sides_accept_in_an_agnostic_library_stack() -> None:
    app = new_app()
    service = provider(cdk.Stack(app, "Provider"))
    endpoint = consumer(cdk.Stack(app, "Consumer"), service)
    assert endpoint.acceptance is not None
    # The one environment the CLI deploys both to; a stack of its own, not Consumer.
    assert endpoint.acceptance.node.path == "Consumer-EndpointAcceptance/Consumer-Endpoint"
    library = cdk.Stack.of(endpoint.acceptance)
    assert cdk.Token.is_unresolved(library.account)
    assert cdk.Token.is_unresolved(library.region)
    assembly = app.synth()
    assert sorted(acceptances(assembly)) == ["Consumer-EndpointAcceptance"]
    assert deploy_order(assembly) == ["Provider", "Consumer", "Consumer-EndpointAcceptance"]


def test_stacks_with_a_region_but_no_account_accept_in_a_library_stack_of_that_region() -> None:
    # env=cdk.Environment(region=...): CDK_DEFAULT_ACCOUNT is None without credentials.
    app = new_app()
    region_only = cdk.Environment(region="us-east-1")
    service = provider(cdk.Stack(app, "Provider", env=region_only))
    endpoint = consumer(cdk.Stack(app, "Consumer", env=region_only), service)
    assert endpoint.acceptance is not None
    library = cdk.Stack.of(endpoint.acceptance)
    assert library.stack_name == "Consumer-EndpointAcceptance-us-east-1"
    assert library.region == "us-east-1"  # kept: it reads the service's stack
    assert cdk.Token.is_unresolved(library.account)
    assembly = app.synth()
    assert sorted(acceptances(assembly)) == [library.stack_name]
    assert deploy_order(assembly) == ["Provider", "Consumer", library.stack_name]


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
