"""VpcPeering across regions and accounts: each part in the right stack, a valid order."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from cdk_peering import (
    HubAndSpoke,
    PeeringAccepterRole,
    PeeringDnsResolution,
    PeeringMesh,
    PeeringSide,
    Problem,
    TopologyPlacement,
    ValidationError,
    VpcPeering,
    VpcPeeringAccepter,
    allow_from_peer,
)
from tests.conftest import STRONG_REFERENCES, new_app
from tests.helpers import (
    AZ_CONTEXT,
    HOME,
    OTHER_ACCOUNT,
    OTHER_REGION,
    Assembly,
    cross_account_pair,
    cross_stack_reads,
    deploy_order,
    env_app,
    imported_vpc,
    inter_region_pair,
    make_vpc,
    only_problem,
    settings,
)


def test_inter_region_peering_puts_each_side_in_its_own_region() -> None:
    app, home, _away, a, b = inter_region_pair()
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
    app, home, _away, a, b = inter_region_pair()
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)

    assembly = app.synth()
    accepter = "Home-PeeringAccepter-111111111111-eu-west-1"
    dependencies = Assembly(assembly).dependencies()
    assert dependencies["Home"] == {"Away"}
    assert dependencies[accepter] == {"Home", "Away"}
    order = deploy_order(assembly)
    assert order.index("Away") < order.index("Home") < order.index(accepter)


def _role_trusting_home(stack: cdk.Stack, role_name: str | None = None) -> iam.Role:
    """An iam.Role ``Accepter`` that account 111111111111 (HOME's) may assume."""
    # cast: type checkers do not always see jsii classes as implementing their interfaces.
    return iam.Role(
        stack,
        "Accepter",
        assumed_by=cast(iam.IPrincipal, iam.AccountPrincipal("111111111111")),
        role_name=role_name,
    )


def test_cross_account_peering_with_an_accepter_role() -> None:
    app, home, roles, a, b = cross_account_pair("PartnerRoles")
    role = _role_trusting_home(roles, "accepter")
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
            # Both Regions are enabled by default: CloudFormation's own STS Region.
            "AssumeRoleRegion": Match.absent(),
        },
    )
    accepter = "Home-PeeringAccepter-222222222222-us-east-1"
    Template.from_json(assembly.get_stack_by_name(accepter).template).resource_count_is(
        "AWS::EC2::Route", 2
    )
    assert Assembly(assembly).dependencies()["Home"] == {"Partner", "PartnerRoles"}
    order = deploy_order(assembly)
    assert order.index("PartnerRoles") < order.index("Home") < order.index(accepter)
    assert order.index("Partner") < order.index("Home")


@pytest.mark.parametrize(
    ("in_stack", "message"),
    [
        (
            "Home",
            "accepter_role Home/Accepter cannot accept this peering: it is defined in stack Home "
            "of account 111111111111, not in the accepter's account 222222222222. "
            "CloudFormation's accept would be denied and the stack would fail.",
        ),
        (
            "PartnerRoles",
            "accepter_role PartnerRoles/Accepter cannot accept this peering: it has no physical "
            "name, so the requester's stack Home, in another account or Region, cannot write its "
            "ARN (aws-cdk-lib refuses it: CannotUseCrossEnvironment).",
        ),
    ],
    ids=["in-the-requesters-account", "unnamed-in-the-accepters-account"],
)
def test_an_iam_role_of_the_app_that_cannot_accept_is_an_error(in_stack: str, message: str) -> None:
    _app, home, roles, a, b = cross_account_pair("PartnerRoles")
    role = _role_trusting_home(home if in_stack == "Home" else roles)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_role=role)
    problem = only_problem(raised, "Home/AToB", "cdk_peering:accepterRoleMismatch")
    assert problem.message == message
    assert problem.fix == (
        "Give a role of account 222222222222 that trusts account 111111111111 and allows "
        "ec2:AcceptVpcPeeringConnection: a cdk_peering.PeeringAccepterRole in a stack of "
        "account 222222222222, an iam.Role in such a stack with role_name='...' (or "
        "role_name=cdk.PhysicalName.GENERATE_IF_NEEDED) so that the requester's stack can name "
        "it, or iam.Role.from_role_arn(...) with the ARN of such a role made elsewhere."
    )
    assert home.node.try_find_child("AToB") is None


def test_an_iam_role_named_when_needed_is_written_as_its_arn() -> None:
    app, home, roles, a, b = cross_account_pair("PartnerRoles")
    role = _role_trusting_home(roles, cdk.PhysicalName.GENERATE_IF_NEEDED)
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_role=role)
    assembly = app.synth()
    [resource] = (
        Template.from_json(assembly.get_stack_by_name("PartnerRoles").template)
        .find_resources("AWS::IAM::Role")
        .values()
    )
    [connection] = (
        Template.from_json(assembly.get_stack_by_name("Home").template)
        .find_resources("AWS::EC2::VPCPeeringConnection")
        .values()
    )
    arn = json.dumps(connection["Properties"]["PeerRoleArn"])
    assert f":iam::222222222222:role/{resource['Properties']['RoleName']}" in arn


def test_accepter_scope_places_the_accepter_side() -> None:
    app, home, _, a, b = inter_region_pair()
    routes = cdk.Stack(app, "AwayRoutes", env=OTHER_REGION)
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_scope=routes)

    assert peering.accepter_side is not None
    assert all(cdk.Stack.of(r) is routes for r in peering.accepter_routes)
    assert len(peering.accepter_routes) == 2
    assert app.node.try_find_child("Home-PeeringAccepter-111111111111-eu-west-1") is None
    assert Assembly(app.synth()).dependencies()["AwayRoutes"] == {"Home", "Away"}


def test_requester_only_for_a_third_party_vpc() -> None:
    app = env_app()
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


def test_requester_only_across_accounts_still_needs_the_owners_role() -> None:
    _app, home, _roles, a, b = cross_account_pair("Unused")
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "ToThem", requester_vpc=a, accepter_vpc=b, requester_only=True)
    problem = only_problem(raised, "Home/ToThem", "cdk_peering:accepterRoleMissing")
    assert "CloudFormation accepts every connection it creates" in problem.message
    assert "cannot be made with CloudFormation" in problem.message
    assert "Ask the accepter VPC's owner for a role in account 222222222222" in problem.fix
    assert "trusts account 111111111111" in problem.fix


# --- AssumeRoleRegion: the STS Region CloudFormation assumes the accepter role in


def _to_imported_peer(region: str, **props: Any) -> tuple[cdk.Stack, dict[str, Any]]:
    """Peer Home's VPC A with a VPC of account 222222222222 in ``region``, by role ARN;
    return Home and the connection's properties."""
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    peer = ec2.Vpc.from_vpc_attributes(
        home,
        "Peer",
        vpc_id="vpc-0ccccccccccccccc0",
        vpc_cidr_block="10.50.0.0/16",
        availability_zones=[f"{region}a"],
        region=region,
    )
    VpcPeering(
        home,
        "ToPeer",
        requester_vpc=a,
        accepter_vpc=peer,
        accepter_account="222222222222",
        accepter_role=iam.Role.from_role_arn(home, "Role", "arn:aws:iam::222222222222:role/a"),
        requester_only=True,
        **props,
    )
    connections = Template.from_stack(home).find_resources("AWS::EC2::VPCPeeringConnection")
    [connection] = connections.values()
    return home, connection["Properties"]


def test_assume_role_region_is_written_as_given() -> None:
    _home, connection = _to_imported_peer("eu-west-1", assume_role_region="us-west-2")
    assert connection["AssumeRoleRegion"] == "us-west-2"
    assert connection["PeerRoleArn"] == "arn:aws:iam::222222222222:role/a"


def test_an_opt_in_accepter_region_defaults_the_sts_region_to_the_requesters() -> None:
    _home, connection = _to_imported_peer("ap-east-1")
    assert (connection["PeerRegion"], connection["AssumeRoleRegion"]) == ("ap-east-1", "us-east-1")


@pytest.mark.parametrize("region", ["moon-1", "us-east-99", "US-EAST-1"])
def test_a_bogus_assume_role_region_is_an_error(region: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _to_imported_peer("eu-west-1", assume_role_region=region)
    problem = only_problem(raised, "Home/ToPeer", "cdk_peering:invalidAssumeRoleRegion")
    assert f"assume_role_region {region!r} is not an AWS Region" in problem.message


def test_assume_role_region_without_a_role_is_an_error() -> None:
    _app, home, _away, a, b = inter_region_pair()
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, assume_role_region="us-east-1")
    problem = only_problem(raised, "Home/AToB", "cdk_peering:assumeRoleRegionWithoutRole")
    assert "there is nothing to assume" in problem.message
    assert home.node.try_find_child("AToB") is None


def test_foundation_rules_apply_across_regions() -> None:
    app = env_app()
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
        ("requester_only_with_accepter_scope", "cdk_peering:requesterOnlyWithAccepterOptions"),
        ("requester_only_with_accepter_subnets", "cdk_peering:requesterOnlyWithAccepterOptions"),
        ("scope_in_accepter_vpc_stack_same_region", "cdk_peering:accepterScopeCycle"),
        ("role_trusting_another_account", "cdk_peering:accepterRoleMismatch"),
        ("role_for_another_accepter_vpc", "cdk_peering:accepterRoleMismatch"),
        ("role_arn_in_another_account", "cdk_peering:accepterRoleMismatch"),
    ],
)
def test_misplaced_parts_are_rejected(case: str, rule: str) -> None:
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    c = make_vpc(partner, "C", "10.2.0.0/16", isolated_only=True)
    near = cdk.Stack(app, "Near", env=HOME)
    near_vpc = make_vpc(near, "Vpc", "10.3.0.0/16", isolated_only=True)
    role = iam.Role.from_role_arn(home, "Role", "arn:aws:iam::222222222222:role/accept")
    cases: dict[str, dict[str, Any]] = {
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
        "requester_only_with_accepter_subnets": {
            "requester_vpc": a,
            "accepter_vpc": b,
            "requester_only": True,
            "accepter_subnets": ec2.SubnetSelection(subnet_group_name="Isolated"),
        },
        "scope_in_accepter_vpc_stack_same_region": {
            "requester_vpc": a,
            "accepter_vpc": near_vpc,
            "accepter_scope": near,
        },
        "role_trusting_another_account": {
            "requester_vpc": a,
            "accepter_vpc": c,
            "accepter_role": PeeringAccepterRole(
                partner, "Other", requester_account="333333333333", accepter_vpc=c
            ),
        },
        "role_for_another_accepter_vpc": {
            "requester_vpc": a,
            "accepter_vpc": c,
            "accepter_role": PeeringAccepterRole(
                partner,
                "ForD",
                requester_account="111111111111",
                accepter_vpc=make_vpc(partner, "D", "10.4.0.0/16", isolated_only=True),
            ),
        },
        "role_arn_in_another_account": {
            "requester_vpc": a,
            "accepter_vpc": c,
            "accepter_role": iam.Role.from_role_arn(
                home, "Elsewhere", "arn:aws:iam::333333333333:role/accept"
            ),
        },
    }
    props = cases[case]
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", **props)
    assert rule in [problem.rule for problem in raised.value.problems]
    assert "[Home/P]" in str(raised.value)
    assert home.node.try_find_child("P") is None


def test_dns_resolution_is_set_on_each_side_in_its_own_region() -> None:
    app, home, _away, a, b = inter_region_pair()
    VpcPeering(
        home,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        requester_resolves_accepter_dns=True,
        accepter_resolves_requester_dns=True,
    )
    assembly = app.synth()

    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    accepter = Template.from_json(
        assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1").template
    )
    # Each in its side's stack, so the library's function there runs in that Region.
    assert [(c["Side"], c["Options"]) for c in settings(requester)] == [
        ("Requester", {"AllowDnsResolutionFromRemoteVpc": True})
    ]
    assert [(c["Side"], c["Options"]) for c in settings(accepter)] == [
        ("Accepter", {"AllowDnsResolutionFromRemoteVpc": True})
    ]


def test_only_the_asked_side_gets_the_dns_option(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(
        stack, "AToB", requester_vpc=a, accepter_vpc=b, requester_resolves_accepter_dns=True
    )
    assert [c["Side"] for c in settings(Template.from_stack(stack))] == ["Accepter"]
    assert len(peering.dns_resolutions) == 1


def test_dns_option_needs_dns_hostnames_in_both_vpcs(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = ec2.Vpc(
        stack,
        "B",
        ip_addresses=ec2.IpAddresses.cidr("10.1.0.0/16"),
        max_azs=2,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="I", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
        enable_dns_hostnames=False,
    )
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            stack, "AToB", requester_vpc=a, accepter_vpc=b, accepter_resolves_requester_dns=True
        )
    assert [p.rule for p in raised.value.problems] == ["cdk_peering:dnsDisabled"]
    assert "enable_dns_hostnames is false on TestStack/B" in str(raised.value)
    assert stack.node.try_find_child("AToB") is None
    # Without the DNS option the same peering is fine.
    VpcPeering(stack, "Plain", requester_vpc=a, accepter_vpc=b)


def test_dns_option_for_a_side_the_app_does_not_manage(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError, match="cdk_peering:dnsWithoutAccepterSide"):
        VpcPeering(
            stack,
            "AToB",
            requester_vpc=a,
            accepter_vpc=b,
            requester_only=True,
            requester_resolves_accepter_dns=True,
        )


# --- accepter-only: a connection requested by someone else ------------------------------


def _partner_vpc(stack: cdk.Stack, cidr: str = "10.50.0.0/16") -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "PartnerVpc",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block=cidr,
        availability_zones=["us-east-1a"],
    )


def test_accepter_side_of_an_imported_connection(stack: cdk.Stack) -> None:
    mine = make_vpc(stack, "Mine", "10.0.0.0/16")
    accepter = VpcPeeringAccepter(
        stack,
        "FromPartner",
        peering_connection_id="pcx-0123456789abcdef0",
        requester_vpc=_partner_vpc(stack),
        accepter_vpc=mine,
        accepter_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        requester_resolves_accepter_dns=True,
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::VPCPeeringConnection", 0)
    routes = template.find_resources(
        "AWS::EC2::Route", {"Properties": {"VpcPeeringConnectionId": "pcx-0123456789abcdef0"}}
    )
    assert {r["Properties"]["DestinationCidrBlock"] for r in routes.values()} == {"10.50.0.0/16"}
    assert {r["Properties"]["RouteTableId"]["Ref"] for r in routes.values()} == {
        stack.resolve(s.route_table.route_table_id)["Ref"] for s in mine.isolated_subnets
    }
    assert len(accepter.accepter_routes) == 2
    assert settings(template) == [
        {
            "VpcPeeringConnectionId": "pcx-0123456789abcdef0",
            "Side": "Accepter",
            "Options": {"AllowDnsResolutionFromRemoteVpc": True},
        }
    ]


@pytest.mark.parametrize(
    ("pcx", "cidr", "rule"),
    [
        ("peering-1", "10.50.0.0/16", "cdk_peering:invalidPeeringConnectionId"),
        ("pcx-0123456789abcdef0", "10.0.128.0/17", "cdk_peering:overlappingIpv4Cidrs"),
    ],
)
def test_accepter_side_is_checked_like_a_peering(
    stack: cdk.Stack, pcx: str, cidr: str, rule: str
) -> None:
    mine = make_vpc(stack, "Mine", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeeringAccepter(
            stack,
            "FromPartner",
            peering_connection_id=pcx,
            requester_vpc=_partner_vpc(stack, cidr),
            accepter_vpc=mine,
        )
    assert [p.rule for p in raised.value.problems] == [rule]


def test_accepter_side_must_be_in_the_accepter_environment() -> None:
    _, home, _, _, b = inter_region_pair()
    with pytest.raises(ValidationError) as raised:
        VpcPeeringAccepter(
            home,
            "FromPartner",
            peering_connection_id="pcx-0123456789abcdef0",
            requester_vpc=_partner_vpc(home),
            accepter_vpc=b,
        )
    problem = only_problem(raised, "Home/FromPartner", "cdk_peering:accepterEnvironment")
    assert problem.message.startswith(
        "The accepter VPC is in 111111111111/eu-west-1, but the stack Home is in "
        "111111111111/us-east-1; routes must be deployed"
    )
    assert "in a stack of the accepter VPC's account and region" in problem.fix
    assert home.node.try_find_child("FromPartner") is None


def test_requester_in_another_region_says_where_the_peering_belongs() -> None:
    _, home, _, a, b = inter_region_pair()
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", requester_vpc=b, accepter_vpc=a)
    [problem] = [p for p in raised.value.problems if p.rule == "cdk_peering:requesterEnvironment"]
    assert problem.message.startswith(
        "The requester VPC is in 111111111111/eu-west-1, but the stack Home is in "
        "111111111111/us-east-1; a peering connection must be created in the requester's"
    )
    assert "(or swap requester and accepter)" in problem.fix


def test_security_group_reference_across_an_inter_region_peering_is_an_error() -> None:
    # Without aws-cdk-lib's validation report flag, synth returns and `cdk synth` lists
    # the error annotation (tests/test_security_groups.py covers the flag).
    _, home, away, a, b = inter_region_pair(
        **{"@aws-cdk/core:annotationsInValidationReport": False}
    )
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)
    sg_a = ec2.SecurityGroup(home, "SgA", vpc=a)
    sg_b = ec2.SecurityGroup(away, "SgB", vpc=b)
    sg_a.add_ingress_rule(cast(ec2.IPeer, sg_b), ec2.Port.tcp(443))

    [error] = Annotations.from_stack(home).find_error("*", Match.any_value())
    assert error.id == "/Home/SgA/from AwaySgBBD02FB7E:443"
    assert str(error.entry.data).endswith("(cdk_peering:interRegionSecurityGroupReference)")
    assert "references security group Away/SgB of VPC Away/B" in str(error.entry.data)


def test_cidr_rules_from_an_inter_region_peer_are_fine() -> None:
    app, home, _away, a, b = inter_region_pair()
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)
    sg_a = ec2.SecurityGroup(home, "SgA", vpc=a)
    allow_from_peer(sg_a, peer_vpc=b, port=ec2.Port.tcp(443))

    Template.from_json(app.synth().get_stack_by_name("Home").template).has_resource_properties(
        "AWS::EC2::SecurityGroup",
        {"SecurityGroupIngress": [Match.object_like({"CidrIp": "10.1.0.0/16", "FromPort": 443})]},
    )


def _agnostic_peering(
    *, role_arn: str | None = None, **props: Any
) -> tuple[cdk.Stack, ec2.Vpc, Problem]:
    """Peer VPC A of an environment-agnostic stack with an imported VPC, expecting
    requesterEnvironmentUnknown; return the stack, A and the problem."""
    agnostic = cdk.Stack(env_app(), "Agnostic")
    a = make_vpc(agnostic, "A", "10.0.0.0/16", isolated_only=True)
    if role_arn is not None:
        props["accepter_role"] = iam.Role.from_role_arn(agnostic, "Role", role_arn)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(agnostic, "P", requester_vpc=a, accepter_vpc=imported_vpc(agnostic, 50), **props)
    problem = only_problem(raised, "Agnostic/P", "cdk_peering:requesterEnvironmentUnknown")
    return agnostic, a, problem


def test_an_accepter_elsewhere_needs_a_stack_with_an_environment() -> None:
    agnostic, a, problem = _agnostic_peering(
        accepter_account="222222222222", accepter_region="eu-west-1"
    )
    assert problem.message.startswith(
        "The accepter VPC is in account 222222222222 and region eu-west-1, but the stack "
        "Agnostic is environment-agnostic"
    )
    assert "env=cdk.Environment(account=..., region=...)" in problem.fix
    # Both sides in the stack's own (unknown) environment: nothing to tell apart.
    VpcPeering(agnostic, "Q", requester_vpc=a, accepter_vpc=imported_vpc(agnostic, 60))


def test_a_role_for_requesters_of_another_region_is_an_error() -> None:
    app, home, _, a, _ = inter_region_pair()
    partner = cdk.Stack(
        app, "Partner", env=cdk.Environment(account="222222222222", region="eu-west-1")
    )
    c = make_vpc(partner, "C", "10.2.0.0/16", isolated_only=True)
    role = PeeringAccepterRole(partner, "Role", requester_account="111111111111", accepter_vpc=c)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", requester_vpc=a, accepter_vpc=c, accepter_role=role)
    problem = only_problem(raised, "Home/P", "cdk_peering:accepterRoleMismatch")
    assert problem.message == (
        "accepter_role Partner/Role cannot accept this peering: its condition matches "
        "requester VPCs in eu-west-1, not in us-east-1 where the requester VPC is (give "
        "requester_region='us-east-1'). CloudFormation's accept would be denied and the stack "
        "would fail."
    )
    fixed = PeeringAccepterRole(
        partner,
        "Fixed",
        requester_account="111111111111",
        requester_region="us-east-1",
        accepter_vpc=c,
    )
    VpcPeering(home, "Q", requester_vpc=a, accepter_vpc=c, accepter_role=fixed)


def test_accepter_sides_whose_ids_would_clash_are_an_error() -> None:
    _, home, away, a, b = inter_region_pair()
    c = make_vpc(away, "C", "10.2.0.0/16", isolated_only=True)
    VpcPeering(Construct(home, "P"), "Q", requester_vpc=a, accepter_vpc=b)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P-Q", requester_vpc=a, accepter_vpc=c)
    problem = only_problem(raised, "Home/P-Q", "cdk_peering:accepterSideClash")
    assert "Home-PeeringAccepter-111111111111-eu-west-1/Home-P-Q" in problem.message
    assert home.node.try_find_child("P-Q") is None


def test_accepter_scope_in_a_stack_the_connection_deploys_after_is_a_cycle() -> None:
    app, home, routes, a, b = cross_account_pair("PartnerPeering")
    # The role and the accepter side in one stack: Home reads the role from it, and it
    # would read the connection id from Home.
    role = PeeringAccepterRole(routes, "Role", requester_account="111111111111", accepter_vpc=b)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(
            home, "P", requester_vpc=a, accepter_vpc=b, accepter_role=role, accepter_scope=routes
        )
    problem = only_problem(raised, "Home/P", "cdk_peering:accepterScopeCycle")
    assert problem.message.startswith(
        "accepter_scope is in PartnerPeering, which the connection's stack Home deploys after "
        "(it reads the accepter role)"
    )

    # One environment: the connection in a third stack, the accepter side in the requester
    # VPC's stack, which that stack reads the VPC id from.
    net = cdk.Stack(app, "Net", env=HOME)
    near = make_vpc(cdk.Stack(app, "Other", env=HOME), "Near", "10.3.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(net, "P", requester_vpc=a, accepter_vpc=near, accepter_scope=home)
    problem = only_problem(raised, "Net/P", "cdk_peering:accepterScopeCycle")
    assert "(it reads the requester VPC id)" in problem.message
    assert net.node.try_find_child("P") is None


def test_an_accepter_role_with_accounts_unknown_is_an_error() -> None:
    _, _, problem = _agnostic_peering(role_arn="arn:aws:iam::222222222222:role/accept")
    assert "without PeerOwnerId the connection would look for the accepter VPC" in problem.message
    assert "${Token" not in problem.message


def test_one_vpc_imported_by_token_in_two_stacks_is_one_vpc() -> None:
    # The role's stack and the requester's stack each import the partner VPC by a token
    # (an SSM parameter); the role covers it.
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)

    def partner_vpc(stack: cdk.Stack) -> ec2.IVpc:
        return ec2.Vpc.from_vpc_attributes(
            stack,
            "PartnerVpc",
            vpc_id=ssm.StringParameter.value_for_string_parameter(stack, "/partner/vpc-id"),
            vpc_cidr_block="10.50.0.0/16",
            availability_zones=["us-east-1a"],
            isolated_subnet_ids=["subnet-0p"],
            isolated_subnet_route_table_ids=["rtb-0p"],
        )

    role = PeeringAccepterRole(
        partner, "Role", requester_account="111111111111", accepter_vpc=partner_vpc(partner)
    )
    peering = VpcPeering(
        home,
        "P",
        requester_vpc=a,
        accepter_vpc=partner_vpc(home),
        accepter_account="222222222222",
        accepter_role=role,
    )
    assert peering.peering_connection.peer_owner_id == "222222222222"


# --- weak references whatever the app's default ------------------------------------------


def test_peering_reads_other_stacks_weakly_in_an_app_with_strong_references() -> None:
    app = new_app(**AZ_CONTEXT, **STRONG_REFERENCES)
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    vpcs = cdk.Stack(app, "Vpcs", env=HOME)
    net = cdk.Stack(app, "Net", env=HOME)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(home, "P", requester_vpc=a, accepter_vpc=b)
    # DNS option set by hand in another account's stack, as dns.py's docstring shows.
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    PeeringDnsResolution(
        partner,
        "Dns",
        peering_connection_id=peering.peering_connection_id,
        side=PeeringSide.ACCEPTER,
    )
    x = make_vpc(vpcs, "X", "10.2.0.0/16", isolated_only=True)
    y = make_vpc(vpcs, "Y", "10.3.0.0/16", isolated_only=True)
    HubAndSpoke(net, "Hub", hub=x, spokes=[y], placement=TopologyPlacement.SCOPE)
    assembly = app.synth()
    assert cross_stack_reads(assembly) == {
        "Home": {"weak"},  # the accepter VPC's id, from eu-west-1
        "Away": set(),
        "Vpcs": set(),
        "Net": {"weak"},  # the VPCs and route tables of Vpcs
        "Home-PeeringAccepter-111111111111-eu-west-1": {"weak"},
        "Partner": {"weak"},
    }
    # The DNS option waits for the connection's stack (no dependency comes with a weak
    # reference across accounts).
    assert Assembly(assembly).dependencies()["Partner"] == {"Home"}


# --- accepter_account and accepter_region given by hand ----------------------------------


@pytest.mark.parametrize(
    ("props", "rule", "message", "fix"),
    [
        (
            {"accepter_region": "us-east-1a"},
            "cdk_peering:invalidRegion",
            "accepter_region 'us-east-1a' is not an AWS Region: it names an Availability Zone "
            "of us-east-1.",
            "Give accepter_region='us-east-1'.",
        ),
        (
            {"accepter_region": "Europe"},
            "cdk_peering:invalidRegion",
            "accepter_region 'Europe' is not an AWS Region.",
            "Give the accepter VPC's Region (for example eu-west-1).",
        ),
        (
            {"accepter_account": "1234"},
            "cdk_peering:invalidAccount",
            "accepter_account '1234' is not an AWS account id (12 digits).",
            "Give the accepter VPC's account id: 12 digits",
        ),
    ],
)
def test_an_accepter_account_or_region_that_is_none_says_so(
    props: dict[str, str], rule: str, message: str, fix: str
) -> None:
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", requester_vpc=a, accepter_vpc=imported_vpc(home, 1), **props)  # type: ignore[arg-type]
    # One problem: not also a missing accepter role for "account 1234".
    problem = only_problem(raised, "Home/P", rule)
    assert problem.message == message
    assert problem.fix.startswith(fix)


@pytest.mark.parametrize(
    ("props", "imported", "message"),
    [
        (
            {"accepter_region": "eu-west-1"},
            False,
            "accepter_region 'eu-west-1' contradicts accepter_vpc Home/B of stack Home, whose "
            "Region is us-east-1",
        ),
        (
            {"accepter_account": "222222222222"},
            False,
            "accepter_account '222222222222' contradicts accepter_vpc Home/B of stack Home, "
            "whose account is 111111111111",
        ),
        (
            {"accepter_region": "us-west-2", "requester_only": True},
            True,
            "accepter_region 'us-west-2' contradicts accepter_vpc Home/B (as it was imported), "
            "whose Region is eu-west-1",
        ),
    ],
    ids=["region-of-a-built-vpc", "account-of-a-built-vpc", "region-of-an-import"],
)
def test_an_accepter_account_or_region_that_contradicts_the_vpcs_own_is_an_error(
    props: dict[str, Any], imported: bool, message: str
) -> None:
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = (
        ec2.Vpc.from_vpc_attributes(
            home,
            "B",
            vpc_id="vpc-0123456789abcdef0",
            vpc_cidr_block="10.1.0.0/16",
            availability_zones=["eu-west-1a"],
            region="eu-west-1",
        )
        if imported
        else make_vpc(home, "B", "10.1.0.0/16", isolated_only=True)
    )
    with pytest.raises(ValidationError) as raised:
        VpcPeering(home, "P", requester_vpc=a, accepter_vpc=b, **props)
    # One problem: not a silent template, nor a missing role for the contradicting account.
    problem = only_problem(raised, "Home/P", "cdk_peering:accepterEnvironmentContradicted")
    assert problem.message.startswith(message)
    assert problem.fix.startswith(f"Leave {next(iter(props))} out")


def test_an_accepter_account_and_region_that_agree_with_the_vpcs_own_are_fine() -> None:
    _app, home, _away, a, b = inter_region_pair()
    peering = VpcPeering(
        home,
        "P",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_region="eu-west-1",
        accepter_account="111111111111",
    )
    connection = home.resolve(peering.peering_connection.peer_region)
    assert connection == "eu-west-1"


# --- a VPC of an environment-agnostic stack peered with one of a pinned stack -------------

MIXED_MESSAGE = (
    "{b} Agnostic/B (environment-agnostic stack Agnostic) is peered with {a} Pinned/A "
    "(stack Pinned, 111111111111/us-east-1): whether they share an account and Region cannot "
    "be told, and aws-cdk-lib cannot reference values between a stack with an explicit "
    "environment and one without."
)
PARAMS = {
    # construct: (the parameter of the first VPC, of the second)
    "VpcPeering": ("requester_vpc", "accepter_vpc"),
    "PeeringMesh": ("vpcs[0]", "vpcs[1]"),
    "HubAndSpoke": ("hub", "spokes[0]"),
}


def _pinned_and_agnostic(a_in: str, b_in: str) -> tuple[cdk.Stack, cdk.Stack, ec2.Vpc, ec2.Vpc]:
    """Stacks Pinned (HOME) and Agnostic (no env); VPC A (10.0.0.0/16) in the stack named
    ``a_in`` and B (10.1.0.0/16) in ``b_in``."""
    app = env_app()
    stacks = {"Pinned": cdk.Stack(app, "Pinned", env=HOME), "Agnostic": cdk.Stack(app, "Agnostic")}
    a = make_vpc(stacks[a_in], "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stacks[b_in], "B", "10.1.0.0/16", isolated_only=True)
    return stacks["Pinned"], stacks["Agnostic"], a, b


@pytest.mark.parametrize("pinned_first", [True, False], ids=["pinned-first", "agnostic-first"])
@pytest.mark.parametrize("construct", ["VpcPeering", "PeeringMesh", "HubAndSpoke"])
def test_a_pinned_vpc_peered_with_an_agnostic_one_is_an_error_either_way(
    construct: str, pinned_first: bool
) -> None:
    _, _, a, b = _pinned_and_agnostic("Pinned", "Agnostic")
    first, second = (a, b) if pinned_first else (b, a)
    home = cdk.Stack.of(first)
    children = len(home.node.children)

    build: Callable[[], object] = {
        "VpcPeering": lambda: VpcPeering(home, "P", requester_vpc=first, accepter_vpc=second),
        "PeeringMesh": lambda: PeeringMesh(home, "P", vpcs=[first, second]),
        "HubAndSpoke": lambda: HubAndSpoke(home, "P", hub=first, spokes=[second]),
    }[construct]
    with pytest.raises(ValidationError) as raised:
        build()

    problem = only_problem(raised, f"{home.stack_name}/P", "cdk_peering:mixedEnvironments")
    first_param, second_param = PARAMS[construct]
    a_param, b_param = (first_param, second_param) if pinned_first else (second_param, first_param)
    assert problem.message == MIXED_MESSAGE.format(a=a_param, b=b_param)
    assert problem.fix.startswith(
        "Give stack Agnostic an explicit env=cdk.Environment(account=..., region=...)"
    )
    assert len(home.node.children) == children  # nothing half-built
    assert "CrossRegionReferencesRequireExplicitRegion" not in str(raised.value)


def test_a_requester_vpc_of_a_stack_of_another_kind_of_environment_is_an_error() -> None:
    _, agnostic, a, b = _pinned_and_agnostic("Pinned", "Pinned")

    with pytest.raises(ValidationError) as raised:
        VpcPeering(agnostic, "P", requester_vpc=a, accepter_vpc=b)

    problem = only_problem(raised, "Agnostic/P", "cdk_peering:mixedEnvironments")
    assert problem.message.startswith(
        "requester_vpc Pinned/A (stack Pinned, 111111111111/us-east-1) and this "
        "VpcPeering's stack Agnostic (environment-agnostic) are not both environment-agnostic "
        "or both pinned"
    )


@pytest.mark.parametrize("peering_in", ["Agnostic", "Pinned"])
def test_an_accepter_scope_of_another_kind_of_environment_is_an_error(peering_in: str) -> None:
    pinned, agnostic, a, b = _pinned_and_agnostic(peering_in, peering_in)
    here, there = (agnostic, pinned) if peering_in == "Agnostic" else (pinned, agnostic)
    scope = Construct(there, "AccepterSide")
    with pytest.raises(ValidationError) as raised:
        VpcPeering(here, "P", requester_vpc=a, accepter_vpc=b, accepter_scope=scope)
    problem = only_problem(raised, f"{peering_in}/P", "cdk_peering:mixedEnvironments")
    where = (
        "stack Pinned, 111111111111/us-east-1"
        if there is pinned
        else "environment-agnostic stack Agnostic"
    )
    assert problem.message.startswith(
        f"accepter_scope {there.stack_name}/AccepterSide ({where}) and this VpcPeering's stack "
        f"{peering_in} "
    )
    assert problem.fix.endswith("or leave accepter_scope out.")
    assert "CrossRegionReferencesRequireExplicitRegion" not in str(raised.value)


@pytest.mark.parametrize("vpc_in", ["Agnostic", "Pinned"])
def test_a_vpc_peering_accepter_of_another_kind_of_environment_is_an_error(vpc_in: str) -> None:
    pinned, agnostic, a, _b = _pinned_and_agnostic(vpc_in, vpc_in)
    here = pinned if vpc_in == "Agnostic" else agnostic
    requester = imported_vpc(here, 9)
    with pytest.raises(ValidationError) as raised:
        VpcPeeringAccepter(
            here,
            "X",
            peering_connection_id="pcx-0123456789abcdef0",
            requester_vpc=requester,
            accepter_vpc=a,
        )
    problem = only_problem(raised, f"{here.stack_name}/X", "cdk_peering:mixedEnvironments")
    assert problem.message.startswith(f"accepter_vpc {vpc_in}/A (")
    assert f"this VpcPeeringAccepter's stack {here.stack_name} (" in problem.message
    assert problem.fix.startswith(
        "Define the VpcPeeringAccepter in a stack of the accepter VPC's environment"
    )


def test_an_agnostic_mesh_and_a_pinned_mesh_synthesize() -> None:
    # Every VPC of one kind: nothing mixes.
    app = env_app()
    for name, env in (("Agnostic", None), ("Pinned", HOME)):
        stack = cdk.Stack(app, name, env=env)
        vpcs = [make_vpc(stack, f"V{i}", f"10.{i}.0.0/16", isolated_only=True) for i in range(3)]
        PeeringMesh(stack, "Mesh", vpcs=vpcs)
    app.synth()


def test_scope_placement_in_a_pinned_stack_refuses_an_agnostic_vpc() -> None:
    pinned, _, a, b = _pinned_and_agnostic("Agnostic", "Agnostic")
    with pytest.raises(ValidationError) as raised:
        PeeringMesh(pinned, "Mesh", vpcs=[a, b], placement=TopologyPlacement.SCOPE)
    assert {p.rule for p in raised.value.problems} == {"cdk_peering:scopeEnvironment"}
    assert raised.value.problems[0].message == (
        "placement=SCOPE puts everything in stack Pinned (111111111111/us-east-1), but "
        "vpcs[0] Agnostic/A is in the environment-agnostic stack Agnostic."
    )


def test_stacks_with_a_region_but_no_account_peer_across_regions() -> None:
    # env=cdk.Environment(region=...): CDK_DEFAULT_ACCOUNT is None without credentials.
    app = env_app()
    home = cdk.Stack(app, "Home", env=cdk.Environment(region="us-east-1"))
    away = cdk.Stack(app, "Away", env=cdk.Environment(region="eu-west-1"))
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)

    accepter_stack = cdk.Stack.of(peering.accepter_side)  # type: ignore[arg-type]
    # The Region the library knows is kept (only the account is left to the CLI).
    assert accepter_stack.stack_name == "Home-PeeringAccepter-eu-west-1"
    assert accepter_stack.region == "eu-west-1"
    assert cdk.Token.is_unresolved(accepter_stack.account)
    assembly = app.synth()
    accepter = Template.from_json(assembly.get_stack_by_name(accepter_stack.stack_name).template)
    accepter.has_resource_properties(
        "AWS::EC2::Route",
        {
            "VpcPeeringConnectionId": {
                "Fn::GetStackOutput": Match.object_like(
                    {"StackName": "Home", "Region": "us-east-1"}
                )
            }
        },
    )
    order = deploy_order(assembly)
    assert order.index("Away") < order.index("Home") < order.index(accepter_stack.stack_name)


# --- stack dependency cycles ---------------------------------------------------------------


@pytest.mark.parametrize("env", [None, HOME], ids=["agnostic", "pinned"])
def test_two_peerings_each_in_the_others_stack_are_a_cycle(env: cdk.Environment | None) -> None:
    app = env_app()
    one, two = cdk.Stack(app, "S1", env=env), cdk.Stack(app, "S2", env=env)
    a = make_vpc(one, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(two, "B", "10.1.0.0/16", isolated_only=True)
    c = make_vpc(one, "C", "10.2.0.0/16", isolated_only=True)
    VpcPeering(one, "P", requester_vpc=a, accepter_vpc=b)  # S1 reads S2
    with pytest.raises(ValidationError) as raised:
        VpcPeering(two, "Q", requester_vpc=b, accepter_vpc=c)  # S2 would read S1
    problem = only_problem(raised, "S2/Q", "cdk_peering:dependencyCycle")
    assert problem.message == (
        "This VpcPeering in stack S2 reads the accepter VPC id (S1/C) of stack S1, so S2 would "
        "deploy after S1; but S1 deploys after S2 already (S1 deploys after S2: it reads S2/B): "
        "a dependency cycle, which aws-cdk-lib refuses (DependencyCycle) and CloudFormation "
        "could not deploy."
    )
    assert problem.fix.startswith("Define the VpcPeering in stack S1 (which deploys after S2")
    assert two.node.try_find_child("Q") is None
    # Where the fix puts it, the app synthesizes.
    VpcPeering(one, "Q", requester_vpc=b, accepter_vpc=c)
    assert deploy_order(app.synth()) == ["S2", "S1"]
