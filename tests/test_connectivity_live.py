"""The live network as a model, and `verify`, against moto in-process.

The example app (three accounts and Regions, inter-Region DNS options, a cross-account
zone association, PrivateLink) is made once in moto by tests/live_network.py; each drift
test changes the deployed network by hand, checks that `verify` finds and names it, and
undoes it. Every call the live model makes goes through a botocore hook that fails any
call that is not a read, or whose action the policy in docs/verify.md does not list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from cdk_peering.connectivity import Network, _live
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.verify import Verification, verify
from cdk_peering.testing import assert_deployed_as_planned
from tests.conftest import ROOT, ExampleApp
from tests.live_network import (
    DEFAULT_ACCOUNT,
    Deployed,
    associate_zone,
    client,
    materialize,
    moto_aws,
    reject_endpoint,
)

DOCS = (ROOT / "docs" / "verify.md").read_text()


def _documented_actions() -> set[str]:
    policy = json.loads(DOCS.split("```json\n", 1)[1].split("```", 1)[0])
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow"
    return set(statement["Action"])


POLICY = _documented_actions()
CALLED: set[str] = set()


def _read_only(model: Any, **_: Any) -> None:
    action = f"{model.service_model.signing_name}:{model.name}"
    CALLED.add(action)
    if action == "sts:AssumeRole":
        return  # the role's credentials: called in the caller's account, not the role's
    assert model.name.startswith(("Describe", "List", "Get")), f"{action} is not a read"
    assert action in POLICY, f"{action} is missing from docs/verify.md's policy"


def _hook(made: Any) -> None:
    made.meta.events.register("before-call", _read_only)


@pytest.fixture(scope="module", autouse=True)
def guarded() -> Iterator[None]:
    _live.client_listeners.append(_hook)
    yield
    _live.client_listeners.remove(_hook)


@pytest.fixture(scope="module")
def assembly(example_app: ExampleApp) -> cdk.cx_api.CloudAssembly:
    return example_app[1]


@pytest.fixture(scope="module")
def deployed(assembly: cdk.cx_api.CloudAssembly) -> Iterator[Deployed]:
    with moto_aws():
        yield materialize(assembly)


@pytest.fixture(scope="module")
def plan(assembly: cdk.cx_api.CloudAssembly) -> Network:
    return Network.from_assembly(assembly)


def _verify(assembly: cdk.cx_api.CloudAssembly, deployed: Deployed) -> Verification:
    return verify(assembly, roles=deployed.roles)


def _kinds(result: Verification) -> set[tuple[str, str]]:
    return {(d.kind, d.path) for d in result.drifts}


def _route(plan: Network, table: str, destination: str) -> str:
    [table_found] = [t for t in plan.route_tables if t.path == table]
    [route] = [r for r in table_found.routes if r.destination_text == destination]
    return route.path


# --- the untouched network ------------------------------------------------------------------


def test_the_deployed_example_verifies_clean(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, tmp_path: Path
) -> None:
    out = tmp_path / "verify.json"
    arguments = ["verify", assembly.directory, *_role_arguments(deployed)]
    assert main([*arguments, "--format", "json", "-o", str(out)]) == 0
    result = json.loads(out.read_text())
    assert (result["matches"], result["drifts"]) == (True, [])
    assert [i["verdict"] for i in result["intents"]] == ["holds"] * 4
    assert result["pairs_checked"] > 100
    assert sorted((e["account"], e["region"]) for e in result["environments"]) == [
        ("111111111111", "eu-west-1"),
        ("111111111111", "us-east-1"),
        ("222222222222", "us-east-1"),
    ]
    # Calls grow with accounts x Regions x resource types (and pages), not with routes:
    # a ListStackResources per stack (14), nine EC2 lists per (account, Region) (3), the
    # endpoint service's permissions, load balancer and listeners (3), per account the zones
    # (2) and per private zone its VPCs and records (2), and a role per other account (2),
    # whose account is checked (2).
    routes = sum(len(t.routes) for t in Network.from_assembly(assembly.directory).route_tables)
    stacks = len(assembly.stacks_recursively)
    assert stacks == 14
    assert result["calls"] == stacks + 3 * 9 + 3 + 2 + 2 + 2 + 2
    assert result["calls"] < routes / 2
    # docs/verify.md says the figure measured here.
    said = re.search(r"three accounts and Regions take\s+(\d+)\s+calls", DOCS)
    assert said is not None
    assert int(said.group(1)) == result["calls"]
    assert_deployed_as_planned(assembly, roles=deployed.roles)


def test_resources_that_share_a_physical_id_name_it_by_the_modelled_one(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    # CloudFormation lists every resource of a stack; the endpoint service's permissions
    # have its ServiceId as their physical id (their primaryIdentifier).
    service = "ServiceProvider/Orders/EndpointService"
    cloudformation = client("cloudformation", *deployed.where[id(deployed.names[service])])
    listed = cloudformation.list_stack_resources(StackName="ServiceProvider")
    sharing = sorted(
        r["ResourceType"]
        for r in listed["StackResourceSummaries"]
        if r["PhysicalResourceId"] == deployed.id_of(service)
    )
    assert sharing == ["AWS::EC2::VPCEndpointService", "AWS::EC2::VPCEndpointServicePermissions"]
    live = Network.from_deployment(assembly, roles=deployed.roles)
    assert service in {each.path for each in live.endpoint_services}
    assert "resource-missing" not in {d.kind for d in _verify(assembly, deployed).drifts}


def test_the_live_model_has_the_plans_names_and_answers(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, plan: Network
) -> None:
    live = Network.from_deployment(assembly, roles=deployed.roles)
    assert live.live
    assert not plan.live
    assert {v.path for v in live.vpcs} == {v.path for v in plan.vpcs}
    assert {s.path for s in live.subnets} == {s.path for s in plan.subnets}
    assert {p.path for p in live.peerings} == {p.path for p in plan.peerings}
    vpcs = {vpc.path: vpc for vpc in live.vpcs}
    shared = vpcs["PeeringExample/Shared"]
    assert (shared.account, shared.region) == ("111111111111", "us-east-1")
    # Deployed, an AWS-assigned IPv6 block is a literal one.
    data = vpcs["PeeringExample/Data"]
    assert data.ipv6
    assert all(":" in str(block) for block in data.ipv6)
    answer = live.reachability(
        "PeeringExample/App/IsolatedSubnet1", "orders.example.internal", port=443
    )
    assert answer.reachable, answer
    assert [hop.path for hop in answer.hops if hop.kind == "peering"] == [
        "PeeringExample/AppToShared"
    ]
    assert live.reachability("Teams/TeamD", "Teams/TeamE").reason
    assert not live.reachability("Teams/TeamD", "Teams/TeamE").reachable


# --- drift, found and named -----------------------------------------------------------------


def test_a_deleted_route_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, plan: Network
) -> None:
    table = "PeeringExample/App/IsolatedSubnet1/RouteTable"
    path = _route(plan, table, "10.0.0.0/16")
    ec2 = deployed.ec2(table)
    ec2.delete_route(RouteTableId=deployed.id_of(table), DestinationCidrBlock="10.0.0.0/16")
    try:
        result = _verify(assembly, deployed)
    finally:
        ec2.create_route(
            RouteTableId=deployed.id_of(table),
            DestinationCidrBlock="10.0.0.0/16",
            VpcPeeringConnectionId=deployed.id_of("PeeringExample/AppToShared"),
        )
    [missing] = [d for d in result.drifts if d.kind == "route-missing"]
    assert (missing.path, missing.there) == (path, "no route to 10.0.0.0/16")
    assert missing.planned == "10.0.0.0/16 -> peering PeeringExample/AppToShared"
    assert (
        "reachability",
        "PeeringExample/App/IsolatedSubnet1 -> PeeringExample/Shared/IsolatedSubnet1",
    ) in _kinds(result)
    [intent] = [d for d in result.drifts if d.kind == "intent"]
    assert intent.path == "PeeringExample/AppIsolatedSubnet1ReachesOrders"
    assert "does not reach" in intent.there


def test_a_more_specific_route_to_an_internet_gateway_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    table = "PeeringExample/Shared/IsolatedSubnet1/RouteTable"
    ec2 = deployed.ec2(table)
    table_id = deployed.id_of(table)
    gateway = deployed.id_of("internet gateway PeeringExample/Shared/IGW")
    ec2.create_route(RouteTableId=table_id, DestinationCidrBlock="10.1.128.0/24", GatewayId=gateway)
    try:
        result = _verify(assembly, deployed)
    finally:
        ec2.delete_route(RouteTableId=table_id, DestinationCidrBlock="10.1.128.0/24")
    [added] = [d for d in result.drifts if d.kind == "route-added"]
    assert added.path == f"{table_id} 10.1.128.0/24"
    assert "10.1.128.0/24 -> internet gateway PeeringExample/Shared/IGW" in added.there
    assert "more specific than 10.1.0.0/16" in added.there
    # The replies from Shared to part of App's subnet now leave through the gateway.
    assert any(
        d.kind == "reachability" and d.path.startswith("PeeringExample/App/IsolatedSubnet1 ")
        for d in result.drifts
    )


def test_an_acl_entry_that_denies_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    vpc = "PeeringExample/Shared"
    ec2 = deployed.ec2(vpc)
    [acl] = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [deployed.id_of(vpc)]}]
    )["NetworkAcls"]
    acl_id = acl["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl_id,
        RuleNumber=50,
        Protocol="-1",
        RuleAction="deny",
        Egress=False,
        CidrBlock="10.1.0.0/16",
    )
    try:
        result = _verify(assembly, deployed)
    finally:
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=50, Egress=False)
    [added] = [d for d in result.drifts if d.kind == "acl-entry-added"]
    assert added.path == f"{acl_id} ingress 50"
    assert added.there == "ingress rule 50: deny all traffic 10.1.0.0/16"
    unreached = [d for d in result.drifts if d.kind == "reachability"]
    assert unreached
    assert all(
        "network ACL PeeringExample/Shared (default network ACL)" in d.there for d in unreached
    )


def test_a_rejected_endpoint_connection_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    endpoint = "PeeringExample/OrdersEndpoint"
    reject_endpoint(deployed, endpoint)
    try:
        result = _verify(assembly, deployed)
    finally:
        _set_endpoint_state(deployed, endpoint, "available")
    assert ("endpoint-state", endpoint) in _kinds(result)
    [state] = [d for d in result.drifts if d.kind == "endpoint-state"]
    assert (state.planned, state.there) == ("available", "rejected")
    intents = [d for d in result.drifts if d.kind == "intent"]
    assert len(intents) == 2
    assert all("is rejected, not available" in d.there for d in intents)


def _set_endpoint_state(deployed: Deployed, path: str, state: str) -> None:
    from moto.ec2.models import ec2_backends

    account, region = deployed.where[id(deployed.names[path])]
    ec2_backends[account][region].vpc_end_points[deployed.id_of(path)].state = state


def test_a_removed_zone_association_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    zone, vpc = "PeeringExample/OrdersEndpoint/HostedZone", "EuropeNetwork/Europe"
    route53 = client("route53", *deployed.where[id(deployed.names[zone])])
    route53.disassociate_vpc_from_hosted_zone(
        HostedZoneId=deployed.id_of(zone),
        VPC={"VPCRegion": "eu-west-1", "VPCId": deployed.id_of(vpc)},
    )
    try:
        result = _verify(assembly, deployed)
    finally:
        associate_zone(deployed, zone, vpc)
    [drift] = [d for d in result.drifts if d.kind == "zone-association"]
    assert (drift.path, drift.there) == (zone, f"not associated with {vpc}")
    # The partner's association, made from another account, is still there.
    assert "PartnerNetwork/Partner" not in str(result.drifts)


def test_dns_resolution_turned_off_is_found(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    peering = "PeeringExample/SharedToEurope"
    ec2 = deployed.ec2(peering)
    options = {"AllowDnsResolutionFromRemoteVpc": False}
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=deployed.id_of(peering), RequesterPeeringConnectionOptions=options
    )
    try:
        result = _verify(assembly, deployed)
    finally:
        options = {"AllowDnsResolutionFromRemoteVpc": True}
        ec2.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=deployed.id_of(peering),
            RequesterPeeringConnectionOptions=options,
        )
    assert [(d.kind, d.path, d.planned, d.there) for d in result.drifts] == [
        (
            "peering-option",
            peering,
            "requester AllowDnsResolutionFromRemoteVpc=True",
            "requester AllowDnsResolutionFromRemoteVpc=False",
        )
    ]


def test_a_stack_not_deployed_is_a_finding_not_a_crash(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends["111111111111"]["us-east-1"]
    [(stack_id, stack)] = [
        (key, s) for key, s in backend.stacks.items() if s.name == "Teams-Mesh-TeamCAccepts"
    ]
    del backend.stacks[stack_id]
    try:
        status = main(
            ["verify", assembly.directory, *_role_arguments(deployed), "--format", "json"]
        )
    finally:
        backend.stacks[stack_id] = stack
    assert status == 1
    data = json.loads(capsys.readouterr().out)
    assert data["matches"] is False
    assert {
        "kind": "stack-not-deployed",
        "path": "Teams/Mesh/TeamCAccepts",
        "planned": "stack Teams-Mesh-TeamCAccepts in account 111111111111, us-east-1",
        "there": "not deployed (no such stack)",
    } in data["drifts"]


def _role_arguments(deployed: Deployed) -> list[str]:
    return [f"--role={account}={arn}" for account, arn in sorted(deployed.roles.items())]


# --- the command line -------------------------------------------------------------------------


def test_verify_writes_markdown(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["verify", assembly.directory, *_role_arguments(deployed)]
    assert main([*arguments, "--format", "markdown"]) == 0
    report = capsys.readouterr().out
    assert "The deployed network matches the plan" in report
    assert "## Intents (4)" in report
    assert "[holds]" in report


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "111111111111"], "--role '111111111111': give ACCOUNT=ARN"),
        (["--role", "1111=arn:aws:iam::1111:role/x"], "the account a 12-digit id"),
    ],
)
def test_verify_exits_2_on_bad_input(
    assembly: cdk.cx_api.CloudAssembly,
    deployed: Deployed,
    extra: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["verify", assembly.directory, *extra]) == 2
    assert message in capsys.readouterr().err


def test_an_account_it_cannot_read_is_one_line_naming_account_region_and_call(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    # No role for the partner's account: the default credentials are of another account.
    roles = [f"--role=111111111111={deployed.roles['111111111111']}"]
    assert main(["verify", assembly.directory, *roles]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: account 222222222222, Region us-east-1, credentials: ")
    assert f"the default credentials are of account {DEFAULT_ACCOUNT}" in err


def test_every_call_made_is_a_read_of_the_documented_policy(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    # The hook above fails any other call, in every test of this module. This one makes its
    # own calls: a gateway endpoint added by hand routes to an AWS-managed prefix list,
    # whose entries are read too; the policy lists exactly the actions the live model can
    # call, and this verify calls each of them.
    table = "PeeringExample/Shared/IsolatedSubnet1/RouteTable"
    ec2 = deployed.ec2(table)
    made = ec2.create_vpc_endpoint(
        VpcEndpointType="Gateway",
        VpcId=deployed.id_of("PeeringExample/Shared"),
        ServiceName="com.amazonaws.us-east-1.s3",
        RouteTableIds=[deployed.id_of(table)],
    )["VpcEndpoint"]["VpcEndpointId"]
    CALLED.clear()
    try:
        result = _verify(assembly, deployed)
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[made])
    assert result.drifts == []
    assert set(_live.ACTIONS) == POLICY
    assert CALLED - {"sts:AssumeRole"} == POLICY


# --- credentials of another account than given ------------------------------------------------


def test_a_role_of_another_account_than_given_is_one_line(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = deployed.roles["222222222222"]
    roles = [f"--role=111111111111={wrong}", f"--role=222222222222={wrong}"]
    assert main(["verify", assembly.directory, *roles]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.fullmatch(
        r"error: account 111111111111, Region (us-east-1|eu-west-1), sts:GetCallerIdentity: "
        rf"the role {wrong} is of account 222222222222, not 111111111111: give one of "
        r"account 111111111111\n",
        err,
    ), err


def test_a_profile_of_another_account_than_given_is_one_line(
    assembly: cdk.cx_api.CloudAssembly,
    deployed: Deployed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sts = client("sts", DEFAULT_ACCOUNT, "us-east-1")
    credentials = sts.assume_role(
        RoleArn=deployed.roles["222222222222"], RoleSessionName="partner"
    )["Credentials"]
    config = tmp_path / "config"
    config.write_text(
        "[profile partner]\n"
        f"aws_access_key_id = {credentials['AccessKeyId']}\n"
        f"aws_secret_access_key = {credentials['SecretAccessKey']}\n"
        f"aws_session_token = {credentials['SessionToken']}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    arguments = [f"--role=111111111111={deployed.roles['111111111111']}"]
    arguments.append("--profile=222222222222=partner")
    assert main(["verify", assembly.directory, *arguments]) == 0  # the partner's own
    capsys.readouterr()
    arguments[0] = "--profile=111111111111=partner"
    assert main(["verify", assembly.directory, *arguments]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "sts:GetCallerIdentity: the profile partner is of account 222222222222, not " in err


# --- endpoint service permissions -----------------------------------------------------------------


def test_endpoint_service_permissions_are_compared(
    assembly: cdk.cx_api.CloudAssembly, deployed: Deployed
) -> None:
    service = "ServiceProvider/Orders/EndpointService"
    ec2 = deployed.ec2(service)
    service_id = deployed.id_of(service)
    planned = "arn:aws:iam::111111111111:root"
    stranger = "arn:aws:iam::333333333333:root"
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_id, AddAllowedPrincipals=[stranger], RemoveAllowedPrincipals=[planned]
    )
    try:
        result = _verify(assembly, deployed)
    finally:
        ec2.modify_vpc_endpoint_service_permissions(
            ServiceId=service_id, AddAllowedPrincipals=[planned], RemoveAllowedPrincipals=[stranger]
        )
    assert [(d.kind, d.path, d.planned, d.there) for d in result.drifts] == [
        (
            "service-permissions",
            service,
            f"allowed principals: {planned}",
            f"allowed principals: {stranger}",
        )
    ]
