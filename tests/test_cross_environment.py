"""VpcPeering across regions and accounts: each part in the right stack, a valid order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from cdk_peering import ValidationError, VpcPeering
from tests.conftest import new_app
from tests.helpers import make_vpc

HOME = cdk.Environment(account="111111111111", region="us-east-1")
OTHER_REGION = cdk.Environment(account="111111111111", region="eu-west-1")
OTHER_ACCOUNT = cdk.Environment(account="222222222222", region="us-east-1")
AZ_CONTEXT = {
    f"availability-zones:account={env.account}:region={env.region}": [
        f"{env.region}a",
        f"{env.region}b",
    ]
    for env in (HOME, OTHER_REGION, OTHER_ACCOUNT)
}


def _app() -> cdk.App:
    return new_app(**AZ_CONTEXT)


def _deploy_order(assembly: cdk.cx_api.CloudAssembly) -> list[str]:
    """Order the stacks as `cdk deploy --all` may: every stack after its dependencies."""
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    stacks: dict[str, Any] = {
        name: artifact
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    order: list[str] = []
    while len(order) < len(stacks):
        ready = [
            name
            for name, artifact in stacks.items()
            if name not in order
            and all(d in order for d in artifact.get("dependencies", []) if d in stacks)
        ]
        assert ready, f"dependency cycle among {sorted(set(stacks) - set(order))}"
        order.extend(sorted(ready))
    return order


def _depends_on(assembly: cdk.cx_api.CloudAssembly, stack: str) -> set[str]:
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    return {d for d in manifest["artifacts"][stack].get("dependencies", []) if "." not in d}


def test_inter_region_peering_puts_each_side_in_its_own_region() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)

    accepter_stack = cdk.Stack.of(peering.accepter_side)  # type: ignore[arg-type]
    assert accepter_stack.stack_name == "Home-PeeringAccepter-111111111111-eu-west-1"
    assert (accepter_stack.account, accepter_stack.region) == ("111111111111", "eu-west-1")

    assembly = app.synth()
    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    requester.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "VpcId": {"Ref": Match.string_like_regexp("^A")},
            "PeerRegion": "eu-west-1",
            "PeerOwnerId": Match.absent(),
            "PeerRoleArn": Match.absent(),
            "PeerVpcId": {
                "Fn::GetStackOutput": Match.object_like(
                    {"StackName": "Away", "Region": "eu-west-1"}
                )
            },
        },
    )
    requester.resource_count_is("AWS::EC2::Route", 2)
    requester.has_resource_properties("AWS::EC2::Route", {"DestinationCidrBlock": "10.1.0.0/16"})

    accepter = Template.from_json(
        assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1").template
    )
    accepter.resource_count_is("AWS::EC2::Route", 2)
    accepter.has_resource_properties(
        "AWS::EC2::Route",
        {
            "DestinationCidrBlock": "10.0.0.0/16",
            "VpcPeeringConnectionId": {
                "Fn::GetStackOutput": Match.object_like(
                    {"StackName": "Home", "Region": "us-east-1"}
                )
            },
            "RouteTableId": {"Fn::GetStackOutput": Match.object_like({"StackName": "Away"})},
        },
    )
    Template.from_json(assembly.get_stack_by_name("Away").template).resource_count_is(
        "AWS::EC2::Route", 0
    )


def test_inter_region_deploy_order_has_no_cycle() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)

    assembly = app.synth()
    accepter = "Home-PeeringAccepter-111111111111-eu-west-1"
    assert _depends_on(assembly, "Home") == {"Away"}
    assert _depends_on(assembly, accepter) == {"Home", "Away"}
    order = _deploy_order(assembly)
    assert order.index("Away") < order.index("Home") < order.index(accepter)


def test_cross_account_peering_with_an_accepter_role() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    roles = cdk.Stack(app, "PartnerRoles", env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(partner, "B", "10.1.0.0/16", isolated_only=True)
    # cast: pyright does not see jsii classes as implementing their interfaces.
    role = iam.Role(
        roles,
        "Accepter",
        assumed_by=cast(iam.IPrincipal, iam.AccountPrincipal("111111111111")),
        role_name="accepter",
    )
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_role=cast(iam.IRole, role))

    assembly = app.synth()
    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    requester.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "PeerOwnerId": "222222222222",
            "PeerRegion": Match.absent(),
            # A named role's ARN is known at synth time; the stack dependency still
            # makes the role exist before the connection is requested.
            "PeerRoleArn": "arn:aws:iam::222222222222:role/accepter",
        },
    )
    accepter = "Home-PeeringAccepter-222222222222-us-east-1"
    Template.from_json(assembly.get_stack_by_name(accepter).template).resource_count_is(
        "AWS::EC2::Route", 2
    )
    assert _depends_on(assembly, "Home") == {"Partner", "PartnerRoles"}
    order = _deploy_order(assembly)
    assert order.index("PartnerRoles") < order.index("Home") < order.index(accepter)
    assert order.index("Partner") < order.index("Home")


def test_accepter_scope_places_the_accepter_side() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    routes = cdk.Stack(app, "AwayRoutes", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_scope=routes)

    assert peering.accepter_side is not None
    assert all(cdk.Stack.of(r) is routes for r in peering.accepter_routes)
    assert len(peering.accepter_routes) == 2
    assert app.node.try_find_child("Home-PeeringAccepter-111111111111-eu-west-1") is None
    assert _depends_on(app.synth(), "AwayRoutes") == {"Home", "Away"}


def test_requester_only_for_a_third_party_vpc() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    third_party = ec2.Vpc.from_vpc_attributes(
        home,
        "ThirdParty",
        vpc_id="vpc-0ccccccccccccccc0",
        vpc_cidr_block="10.50.0.0/16",
        availability_zones=["eu-west-1a"],
        region="eu-west-1",
    )
    role = iam.Role.from_role_arn(home, "TheirRole", "arn:aws:iam::333333333333:role/accept")
    peering = VpcPeering(
        home,
        "ToThirdParty",
        requester_vpc=a,
        accepter_vpc=third_party,
        accepter_account="333333333333",
        accepter_role=role,
        requester_only=True,
    )

    assert peering.accepter_side is None
    assert peering.accepter_routes == []
    template = Template.from_stack(home)
    template.has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {
            "PeerVpcId": "vpc-0ccccccccccccccc0",
            "PeerOwnerId": "333333333333",
            "PeerRegion": "eu-west-1",
            "PeerRoleArn": "arn:aws:iam::333333333333:role/accept",
        },
    )
    template.resource_count_is("AWS::EC2::Route", 2)
    assert [s.stack_name for s in app.node.children if isinstance(s, cdk.Stack)] == ["Home"]


def test_foundation_rules_apply_across_regions() -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.0.0.0/20", isolated_only=True)
    with pytest.raises(ValidationError, match=r"overlaps 10\.0\.0\.0/20 of Away/B"):
        VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)
    assert app.node.try_find_child("Home-PeeringAccepter-111111111111-eu-west-1") is None


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        ("cross_account_without_role", "cdk_peering:accepterRoleMissing"),
        ("role_for_same_account", "cdk_peering:accepterRoleNotNeeded"),
        ("requester_in_another_region", "cdk_peering:requesterEnvironment"),
        ("accepter_scope_in_accepter_vpc_stack", "cdk_peering:accepterScopeCycle"),
        ("accepter_scope_in_wrong_region", "cdk_peering:accepterScopeEnvironment"),
        ("requester_only_with_accepter_scope", "cdk_peering:requesterOnlyWithAccepterScope"),
    ],
)
def test_misplaced_parts_are_rejected(case: str, rule: str) -> None:
    app = _app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    c = make_vpc(partner, "C", "10.2.0.0/16", isolated_only=True)
    role = iam.Role.from_role_arn(home, "Role", "arn:aws:iam::222222222222:role/accept")
    props: dict[str, Any] = {
        "cross_account_without_role": {"requester_vpc": a, "accepter_vpc": c},
        "role_for_same_account": {"requester_vpc": a, "accepter_vpc": b, "accepter_role": role},
        "requester_in_another_region": {"requester_vpc": b, "accepter_vpc": a},
        "accepter_scope_in_accepter_vpc_stack": {
            "requester_vpc": a,
            "accepter_vpc": b,
            "accepter_scope": away,
        },
        "accepter_scope_in_wrong_region": {
            "requester_vpc": a,
            "accepter_vpc": b,
            "accepter_scope": partner,
        },
        "requester_only_with_accepter_scope": {
            "requester_vpc": a,
            "accepter_vpc": b,
            "requester_only": True,
            "accepter_scope": cdk.Stack(app, "Routes", env=OTHER_REGION),
        },
    }[case]
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", **props)
    assert rule in [problem.rule for problem in raised.value.problems]
    assert "[Home/P]" in str(raised.value)
    assert home.node.try_find_child("P") is None
