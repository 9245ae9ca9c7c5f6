"""A private hosted zone associated with a VPC of another account: two resources, two stacks.

What the library's function does with them (an existing association is success, a
replacement keeps it, a rollback never removes what its stack did not make) is tested in
tests/test_handler.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Annotations, Match, Template

from cdk_peering import PeeringAccepterRole, PrivateLinkEndpoint, ValidationError, VpcPeering
from cdk_peering.cdk.handler import ASSOCIATION, AUTHORIZATION
from tests.conftest import new_app
from tests.helpers import (
    HOME,
    Assembly,
    custom_resource_policy,
    deploy_order,
    library_resources,
    make_vpc,
    only_problem,
    settings,
)

PARTNER = cdk.Environment(account="222222222222", region="eu-west-1")
AZ_CONTEXT = {
    f"availability-zones:account={env.account}:region={env.region}": [f"{env.region}a"]
    for env in (HOME, PARTNER)
}
SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
ASSOCIATION_STACK = "Home-ZoneAssociation-222222222222-eu-west-1"
AUTHORIZATION_STACK = "Home-ZoneAuthorization-111111111111-us-east-1"
ACKNOWLEDGED_IAM5 = "AwsSolutions::AwsSolutions-IAM5[Resource::*]"


@dataclass
class FakePeering:
    """Two VPCs, as a peering the app does not manage (another account's side)."""

    requester_vpc: ec2.IVpc
    accepter_vpc: ec2.IVpc


@dataclass
class Built:
    app: cdk.App
    home: cdk.Stack
    partner: cdk.Stack
    consumer: ec2.Vpc
    partner_vpc: ec2.Vpc


def build(*, partner_env: cdk.Environment = PARTNER) -> Built:
    app = new_app(**AZ_CONTEXT)
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=partner_env)
    consumer = make_vpc(home, "Consumer", "10.0.0.0/16", isolated_only=True)
    partner_vpc = make_vpc(partner, "Vpc", "10.20.0.0/16", isolated_only=True)
    return Built(app, home, partner, consumer, partner_vpc)


def endpoint(built: Built, **props: Any) -> PrivateLinkEndpoint:
    props.setdefault("dns_name", "api.example.internal")
    return PrivateLinkEndpoint(
        built.home, "Endpoint", vpc=built.consumer, service=SERVICE, port=443, **props
    )


def zone_arn(zone_id: Any) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:aws:route53:::hostedzone/", zone_id]]}


def zone_statements(action: str, other: str, vpc_id: Any, zone_id: Any) -> dict[str, Any]:
    """The statement allowing one Route 53 call and its undoing, on one zone, for one VPC."""
    return {
        "Action": [f"route53:{action}", f"route53:{other}"],
        "Condition": {
            "ForAnyValue:StringEquals": {
                "route53:VPCs": {"Fn::Join": ["", ["VPCId=", vpc_id, ",VPCRegion=eu-west-1"]]}
            }
        },
        "Effect": "Allow",
        "Resource": zone_arn(zone_id),
    }


@pytest.fixture(scope="module")
def across() -> tuple[Built, PrivateLinkEndpoint, cdk.cx_api.CloudAssembly]:
    """A zone in Home (111111111111, us-east-1) served to Partner's VPC (222222222222,
    eu-west-1), synthesized once."""
    built = build()
    made = endpoint(built)
    # A peering whose other side another account manages (only the VPCs matter here).
    made.serve_peering(FakePeering(requester_vpc=built.consumer, accepter_vpc=built.partner_vpc))
    made.serve_peering(FakePeering(requester_vpc=built.consumer, accepter_vpc=built.partner_vpc))
    return built, made, built.app.synth()


def test_the_zone_account_authorizes_in_the_zone_stack(
    across: tuple[Built, PrivateLinkEndpoint, cdk.cx_api.CloudAssembly],
) -> None:
    built, made, assembly = across
    template = assembly.get_stack_by_name("Home").template
    [(logical_id, resource)] = library_resources(template, AUTHORIZATION).items()
    assert made.hosted_zone is not None
    zone_id = built.home.resolve(made.hosted_zone.hosted_zone_id)
    properties = resource["Properties"]
    vpc_id = properties["VpcId"]
    assert vpc_id["Fn::GetStackOutput"]["StackName"] == "Partner"
    assert vpc_id["Fn::GetStackOutput"]["RoleArn"].startswith("arn:aws:iam::222222222222:role/")
    # The partner VPC's id, read from the output of Partner that holds its Ref.
    partner_vpc = built.partner.resolve(built.partner_vpc.vpc_id)["Ref"]
    assert Assembly(assembly).resolve(vpc_id, "Home") == ("Partner", partner_vpc)
    assert (properties["HostedZoneId"], properties["VpcRegion"]) == (zone_id, "eu-west-1")
    # Authorizing and its undoing for that one VPC; listing the zone's authorizations and
    # marking its owners in the zone's tags: all on that one zone.
    assert custom_resource_policy(template, logical_id) == [
        zone_statements(
            "CreateVPCAssociationAuthorization",
            "DeleteVPCAssociationAuthorization",
            vpc_id,
            zone_id,
        ),
        {
            "Action": [
                "route53:ChangeTagsForResource",
                "route53:ListTagsForResource",
                "route53:ListVPCAssociationAuthorizations",
            ],
            "Effect": "Allow",
            "Resource": zone_arn(zone_id),
        },
    ]
    # The partner VPC is left out of the zone's own VPCs; its clients may connect.
    home = Template.from_json(template)
    [zone] = home.find_resources("AWS::Route53::HostedZone").values()
    assert len(zone["Properties"]["VPCs"]) == 1
    group = next(
        r
        for r in home.find_resources("AWS::EC2::SecurityGroup").values()
        if "PrivateLink endpoint" in r["Properties"]["GroupDescription"]
    )
    assert "10.20.0.0/16" in {r["CidrIp"] for r in group["Properties"]["SecurityGroupIngress"]}


def test_the_vpc_account_associates_in_a_library_stack_after_the_zone(
    across: tuple[Built, PrivateLinkEndpoint, cdk.cx_api.CloudAssembly],
) -> None:
    _, made, assembly = across
    artifact = assembly.get_stack_by_name(ASSOCIATION_STACK)
    assert (artifact.environment.account, artifact.environment.region) == (
        "222222222222",
        "eu-west-1",
    )
    [association] = made.zone_associations  # served twice, associated once
    assert association.node.path == f"{ASSOCIATION_STACK}/Home-Endpoint/Partner-Vpc"
    template = artifact.template
    [(logical_id, resource)] = library_resources(template, ASSOCIATION).items()
    properties = resource["Properties"]
    zone_id, vpc_id = properties["HostedZoneId"], properties["VpcId"]
    assert zone_id["Fn::GetStackOutput"]["StackName"] == "Home"
    assert zone_id["Fn::GetStackOutput"]["RoleArn"].startswith("arn:aws:iam::111111111111:role/")
    assert vpc_id["Fn::GetStackOutput"]["StackName"] == "Partner"
    assert properties["VpcRegion"] == "eu-west-1"
    assert custom_resource_policy(template, logical_id) == [
        zone_statements(
            "AssociateVPCWithHostedZone", "DisassociateVPCFromHostedZone", vpc_id, zone_id
        ),
        # The owners' marks: tags of one key prefix, on that one VPC.
        {
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Condition": {
                "ForAllValues:StringLike": {"aws:TagKeys": ["cdk-peering:owner:*"]},
                "Null": {"aws:TagKeys": "false"},
            },
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", ["arn:aws:ec2:eu-west-1:222222222222:vpc/", vpc_id]]},
        },
        # Whether the VPC is associated: a list on '*' (no resource-level permissions),
        # limited to this one VPC by route53:VPCs (acknowledged below). Route 53's own need,
        # ec2:DescribeVpcs, is the handler role's.
        {
            "Action": "route53:ListHostedZonesByVPC",
            "Condition": {
                "ForAnyValue:StringEquals": {
                    "route53:VPCs": {"Fn::Join": ["", ["VPCId=", vpc_id, ",VPCRegion=eu-west-1"]]}
                }
            },
            "Effect": "Allow",
            "Resource": "*",
        },
    ]
    policy = association.node.find_child("Policy")
    [acknowledged] = [
        e.data for e in policy.node.metadata if e.type == "aws:cdk:acknowledged-rules"
    ]
    assert "route53:VPCs" in acknowledged[ACKNOWLEDGED_IAM5]
    # The order: the VPC's stack, the zone's (authorization), then the association.
    dependencies = Assembly(assembly).dependencies()
    assert dependencies[ASSOCIATION_STACK] == {"Home", "Partner"}
    assert "Partner" in dependencies["Home"]
    assert deploy_order(assembly) == ["Partner", "Home", ASSOCIATION_STACK]


def test_the_authorization_waits_in_its_own_stack_when_the_vpc_stack_comes_after() -> None:
    built = build()
    # The partner's stack already deploys after the zone's (as a role naming Home's VPC
    # would make it): the zone's stack cannot also wait for the partner's VPC id.
    built.partner.add_dependency(built.home)
    made = endpoint(built, dns_vpcs=[built.partner_vpc])
    assembly = built.app.synth()
    assert settings(assembly.get_stack_by_name("Home").template, AUTHORIZATION) == []
    [authorization] = settings(
        assembly.get_stack_by_name(AUTHORIZATION_STACK).template, AUTHORIZATION
    )
    zone_id = authorization["HostedZoneId"]
    assert zone_id["Fn::GetStackOutput"]["StackName"] == "Home"
    dependencies = Assembly(assembly).dependencies()
    assert dependencies[AUTHORIZATION_STACK] == {"Home", "Partner"}
    assert dependencies[ASSOCIATION_STACK] == {"Home", "Partner", AUTHORIZATION_STACK}
    assert deploy_order(assembly) == ["Home", "Partner", AUTHORIZATION_STACK, ASSOCIATION_STACK]
    assert len(made.zone_associations) == 1


def test_an_imported_vpc_of_another_account_needs_no_stack_order() -> None:
    built = build()
    imported = ec2.Vpc.from_vpc_attributes(
        built.partner,
        "Imported",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["eu-west-1a"],
        vpc_cidr_block="10.21.0.0/16",
    )
    endpoint(built, dns_vpcs=[imported])
    assembly = built.app.synth()
    [association] = settings(assembly.get_stack_by_name(ASSOCIATION_STACK).template, ASSOCIATION)
    assert (association["VpcId"], association["VpcRegion"]) == (
        "vpc-0123456789abcdef0",
        "eu-west-1",
    )
    dependencies = Assembly(assembly).dependencies()
    assert dependencies[ASSOCIATION_STACK] == {"Home"}
    assert "Partner" not in dependencies["Home"]


def test_the_example_peering_across_accounts_resolves_without_a_warning() -> None:
    built = build(partner_env=cdk.Environment(account="222222222222", region="us-east-1"))
    role = PeeringAccepterRole(
        built.partner, "Role", requester_account="111111111111", accepter_vpc=built.partner_vpc
    )
    peering = VpcPeering(
        built.home,
        "HomeToPartner",
        requester_vpc=built.consumer,
        accepter_vpc=built.partner_vpc,
        accepter_role=role,
    )
    made = endpoint(built, peerings=[peering])
    assert [cdk.Stack.of(a).stack_name for a in made.zone_associations] == [
        "Home-ZoneAssociation-222222222222-us-east-1"
    ]
    warnings = [e for e in made.node.metadata if e.type == "aws:cdk:warning"]
    assert warnings == []


# --- errors


def test_an_agnostic_zone_stack_cannot_tell_the_vpc_account() -> None:
    app = new_app(**AZ_CONTEXT)
    agnostic = cdk.Stack(app, "Home")
    consumer = make_vpc(agnostic, "Consumer", "10.0.0.0/16", isolated_only=True)
    partner = make_vpc(
        cdk.Stack(app, "Partner", env=PARTNER), "Vpc", "10.20.0.0/16", isolated_only=True
    )
    props: dict[str, Any] = {"vpc": consumer, "service": SERVICE, "port": 443}
    with pytest.raises(ValidationError) as raised:
        PrivateLinkEndpoint(
            agnostic, "Endpoint", dns_name="api.example.internal", dns_vpcs=[partner], **props
        )
    problem = only_problem(raised, "Home/Endpoint", "cdk_peering:zoneAssociationEnvironmentUnknown")
    assert "the VPC Partner/Vpc in 222222222222/eu-west-1" in problem.message
    assert agnostic.node.try_find_child("Endpoint") is None
    # serve_peering checks before it changes anything.
    made = PrivateLinkEndpoint(agnostic, "Later", dns_name="api.example.internal", **props)
    with pytest.raises(ValidationError, match="zoneAssociationEnvironmentUnknown"):
        made.serve_peering(FakePeering(requester_vpc=consumer, accepter_vpc=partner))
    assert len(made.security_group.node.children) == 1  # no rule for Partner
    # Without a zone there is nothing to associate, and nothing to tell.
    PrivateLinkEndpoint(agnostic, "NoZone", peerings=[], **props).serve_peering(
        FakePeering(requester_vpc=consumer, accepter_vpc=partner)
    )


# --- a zone that takes over a public name space in the other account


def zone_warnings(made: PrivateLinkEndpoint) -> list[str]:
    return [
        str(entry.data)
        for entry in made.node.metadata
        if entry.type == "aws:cdk:warning"
        and "cdk_peering:zoneNamedForPublicNameSpace" in str(entry.data)
    ]


@pytest.mark.parametrize(
    ("dns_name", "zone_name", "warned"),
    [
        ("orders.com", "com", True),
        ("orders.amazonaws.com", "amazonaws.com", True),
        ("orders.internal", "internal", True),
        ("api.example.internal", None, False),
        ("sqs.eu-west-1.amazonaws.com", None, False),
    ],
    ids=["com", "amazonaws.com", "internal", "own-name", "one-aws-service"],
)
def test_a_zone_named_for_a_public_name_space_warns_in_another_account(
    dns_name: str, zone_name: str | None, warned: bool
) -> None:
    made = endpoint(
        built := build(), dns_name=dns_name, zone_name=zone_name, dns_vpcs=[built.partner_vpc]
    )
    warnings = zone_warnings(made)
    assert len(warnings) == (1 if warned else 0)
    if warned:
        assert f"The private hosted zone {zone_name} is named for" in warnings[0]
        assert "Partner/Vpc of account 222222222222" in warnings[0]


def test_a_zone_named_for_a_top_level_domain_in_its_own_account_does_not_warn() -> None:
    built = build(partner_env=cdk.Environment(account="111111111111", region="eu-west-1"))
    made = endpoint(
        built, dns_name="orders.internal", zone_name="internal", dns_vpcs=[built.partner_vpc]
    )
    assert zone_warnings(made) == []


def zone_shared_with(vpcs: int, own_tags: int) -> tuple[cdk.Stack, PrivateLinkEndpoint]:
    """A zone of Home served to ``vpcs`` VPCs of the Partner account, with ``own_tags``."""
    app = new_app(**AZ_CONTEXT, **{"@aws-cdk/core:annotationsInValidationReport": False})
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=PARTNER)
    imported = [
        ec2.Vpc.from_vpc_attributes(
            partner, f"Vpc{index}", vpc_id=f"vpc-{index:017x}", availability_zones=["eu-west-1a"]
        )
        for index in range(vpcs)
    ]
    consumer = make_vpc(home, "Consumer", "10.0.0.0/16", isolated_only=True)
    made = PrivateLinkEndpoint(
        home,
        "Endpoint",
        vpc=consumer,
        service=SERVICE,
        port=443,
        dns_name="api.example.internal",
        dns_vpcs=imported,
    )
    for index in range(own_tags):
        cdk.Tags.of(made).add(f"team{index}", "network")
    app.synth()
    return home, made


def zone_tag_errors(stack: cdk.Stack) -> list[str]:
    found = Annotations.from_stack(stack).find_error(
        "*", Match.string_like_regexp("cdk_peering:zoneOwnerTagsExceeded")
    )
    return [f"{error.id}: {error.entry.data}" for error in found]


def test_a_zone_whose_owners_and_own_tags_pass_route53s_ten_tags_fails_at_synth() -> None:
    home, made = zone_shared_with(21, own_tags=8)

    [error] = zone_tag_errors(home)

    assert error.startswith(f"/{made.hosted_zone.node.path}/Resource: " if made.hosted_zone else "")
    assert "authorizes 21 VPCs of other accounts" in error
    assert "3 tags" in error
    assert "8 tags of its own" in error
    # The authorizations of one zone in one stack run one after the other: each rewrites
    # the zone's owners' tags.
    authorizations = library_resources(Template.from_stack(home).to_json(), AUTHORIZATION)
    after = {
        logical_id: set(resource.get("DependsOn", [])) & set(authorizations)
        for logical_id, resource in authorizations.items()
    }
    assert sorted(len(each) for each in after.values()) == [0] + [1] * 20
    assert len(set().union(*after.values())) == 20  # a chain, not a fan


@pytest.mark.parametrize(("vpcs", "own_tags"), [(21, 7), (31, 6), (1, 9)])
def test_a_zone_within_route53s_ten_tags_synthesizes(vpcs: int, own_tags: int) -> None:
    home, _ = zone_shared_with(vpcs, own_tags=own_tags)

    assert zone_tag_errors(home) == []
