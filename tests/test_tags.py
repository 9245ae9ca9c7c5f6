"""The accepter's view of a peering across accounts or Regions: named, tagged, untagged."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template
from constructs import Construct

from cdk_peering import PeeringAccepterRole, VpcPeering
from cdk_peering.cdk.handler import TAGS
from tests.helpers import (
    Assembly,
    cross_account_pair,
    inter_region_pair,
    make_vpc,
    settings,
    statements_allowing,
)

PARTNER_ACCEPTER = "Home-PeeringAccepter-222222222222-us-east-1"


def _tag_resource(template: Template) -> dict[str, Any]:
    """Return what the one tagging resource is given."""
    [given] = settings(template, TAGS)
    return given


@pytest.fixture(scope="module")
def partner() -> tuple[VpcPeering, cdk.cx_api.CloudAssembly]:
    """A peering across accounts, named a-b and tagged team=network, synthesized once."""
    app, home, roles, a, b = cross_account_pair("PartnerRoles")
    role = PeeringAccepterRole(roles, "Role", requester_account="111111111111", accepter_vpc=b)
    peering = VpcPeering(
        home, "AToB", requester_vpc=a, accepter_vpc=b, accepter_role=role, name="a-b"
    )
    # Given after the peering is built: Tags.of() is applied at synth, and so is the copy.
    cdk.Tags.of(peering).add("team", "network")
    return peering, app.synth()


def _connection(peering: VpcPeering) -> tuple[str, str]:
    """(stack name, logical id) of the peering connection."""
    home = cdk.Stack.of(peering)
    return home.stack_name, home.resolve(peering.peering_connection_id)["Ref"]


def test_name_and_tags_of_a_cross_account_connection_reach_the_accepters_view(
    partner: tuple[VpcPeering, cdk.cx_api.CloudAssembly],
) -> None:
    peering, assembly = partner
    template = Template.from_json(assembly.get_stack_by_name(PARTNER_ACCEPTER).template)

    given = _tag_resource(template)
    # The connection's id, read from the output of Home that holds its Ref.
    pcx = given["VpcPeeringConnectionId"]
    assert Assembly(assembly).resolve(pcx, PARTNER_ACCEPTER) == _connection(peering)
    # Written on create and update; their keys removed on delete by the last owner, and
    # nothing to untag once the connection is gone (tests/test_handler.py).
    assert given["Tags"] == [{"Key": "Name", "Value": "a-b"}, {"Key": "team", "Value": "network"}]
    assert peering.accepter_tags is not None
    assert cdk.Stack.of(peering.accepter_tags).stack_name == PARTNER_ACCEPTER


def test_the_tagging_role_may_tag_and_untag_that_one_connection_in_the_accepters_account(
    partner: tuple[VpcPeering, cdk.cx_api.CloudAssembly],
) -> None:
    peering, assembly = partner
    template = Template.from_json(assembly.get_stack_by_name(PARTNER_ACCEPTER).template)

    # The tags and the owners' marks, on that one connection.
    [statement] = statements_allowing(template, "ec2:CreateTags")
    assert statement["Action"] == ["ec2:CreateTags", "ec2:DeleteTags"]
    assert statement["Effect"] == "Allow"
    prefix, reference = statement["Resource"]["Fn::Join"][1]
    assert prefix == "arn:aws:ec2:us-east-1:222222222222:vpc-peering-connection/"
    assert reference["Fn::GetStackOutput"]["StackName"] == "Home"
    assert Assembly(assembly).resolve(reference, PARTNER_ACCEPTER) == _connection(peering)
    assert "Principal" not in statement


def test_an_unnamed_connection_is_named_after_its_path_on_the_accepters_side() -> None:
    app, home, _away, a, b = inter_region_pair()  # one account, two Regions: two resources
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)

    assembly = app.synth()

    accepter = assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1")
    given = _tag_resource(Template.from_json(accepter.template))
    assert given["Tags"] == [{"Key": "Name", "Value": "Home/AToB"}]
    assert accepter.environment.region == "eu-west-1"  # the function runs in its Region
    # The requester's own resource keeps what it was given: no Name.
    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    [connection] = requester.find_resources("AWS::EC2::VPCPeeringConnection").values()
    assert "Tags" not in connection["Properties"]


def test_no_copy_within_one_account_and_region_nor_with_requester_only(
    stack: cdk.Stack,
) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    same = VpcPeering(stack, "Same", requester_vpc=a, accepter_vpc=b, name="same")
    assert same.accepter_tags is None
    assert settings(Template.from_stack(stack), TAGS) == []

    _app, home, _roles, c, d = cross_account_pair("Unused")
    role = iam.Role.from_role_arn(home, "Theirs", "arn:aws:iam::222222222222:role/accept")
    third_party = VpcPeering(
        home,
        "ToThem",
        requester_vpc=c,
        accepter_vpc=d,
        accepter_role=role,
        requester_only=True,
        name="to-them",
    )
    assert third_party.accepter_tags is None


# --- name= wins over a Name tag given to a parent (as ec2.Vpc(vpc_name=...) does) --------


def _connection_tags(template: Template) -> list[dict[str, str]]:
    [connection] = template.find_resources("AWS::EC2::VPCPeeringConnection").values()
    tags: list[dict[str, str]] = connection["Properties"]["Tags"]
    return tags


@pytest.mark.parametrize("tagged", ["app", "stack", "parent"])
def test_name_wins_over_a_name_tag_of_a_parent(tagged: str) -> None:
    app, home, _away, a, b = inter_region_pair()
    parent = Construct(home, "Network")
    VpcPeering(parent, "AToB", requester_vpc=a, accepter_vpc=b, name="a-b")
    scope = {"app": app, "stack": home, "parent": parent}[tagged]
    cdk.Tags.of(scope).add("Name", "from-the-parent")
    cdk.Tags.of(scope).add("team", "network")

    assembly = app.synth()

    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    assert _connection_tags(requester) == [
        {"Key": "Name", "Value": "a-b"},
        {"Key": "team", "Value": "network"},
    ]
    # The accepter's view gets the same: name= and the other tags.
    accepter = assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1")
    given = _tag_resource(Template.from_json(accepter.template))
    assert given["Tags"] == [
        {"Key": "Name", "Value": "a-b"},
        {"Key": "team", "Value": "network"},
    ]


def test_a_name_tag_given_to_the_peering_itself_still_wins_over_name(stack: cdk.Stack) -> None:
    # As with ec2.Vpc(vpc_name=...): the user's own tag on the construct, added after it,
    # is the last word.
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b, name="a-b")
    cdk.Tags.of(peering).add("Name", "renamed")
    assert _connection_tags(Template.from_stack(stack)) == [{"Key": "Name", "Value": "renamed"}]


def test_a_parents_name_tag_names_an_unnamed_connection_and_its_accepters_view() -> None:
    app, home, _away, a, b = inter_region_pair()
    VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b)
    cdk.Tags.of(home).add("Name", "from-the-stack")

    assembly = app.synth()

    requester = Template.from_json(assembly.get_stack_by_name("Home").template)
    assert _connection_tags(requester) == [{"Key": "Name", "Value": "from-the-stack"}]
    accepter = assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1")
    given = _tag_resource(Template.from_json(accepter.template))
    assert given["Tags"] == [{"Key": "Name", "Value": "from-the-stack"}]
