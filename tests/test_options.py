"""PeeringConnectionOptions: one resource per side carrying every option, its policy, its
errors; VpcPeering(multipath_resilience=...) through it."""

from __future__ import annotations

from fnmatch import fnmatch
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from cdk_peering import (
    PeeringConnectionOptions,
    PeeringDnsResolution,
    PeeringSide,
    ValidationError,
    VpcPeering,
)
from cdk_peering.cdk.handler import OPTIONS
from tests.conftest import ACCOUNT, REGION
from tests.helpers import (
    custom_resource,
    deploy_order,
    inter_region_pair,
    make_vpc,
    only_problem,
    options_statements,
    setting_policy,
    settings,
    statements_allowing,
    warnings_on,
)
from tests.test_dns import PCX


def test_one_resource_per_side_carries_every_option(stack: cdk.Stack) -> None:
    options = PeeringConnectionOptions(
        stack,
        "Options",
        peering_connection_id=PCX,
        side=PeeringSide.ACCEPTER,
        allow_dns_resolution_from_remote_vpc=True,
        allow_multipath_resilience=True,
    )

    template = Template.from_stack(stack)

    assert settings(template) == [
        {
            "VpcPeeringConnectionId": PCX,
            "Side": "Accepter",
            "Options": {"AllowDnsResolutionFromRemoteVpc": True, "AllowMultipathResilience": True},
        }
    ]
    # The library's function writes them (a mode goes with multipath turned on) and turns
    # them off when the last resource that owns them is deleted: tests/test_handler.py.
    assert custom_resource(template)["Type"] == "Custom::PeeringConnectionOptions"
    assert options.node.default_child is options.custom_resource


def test_an_option_given_false_is_written_false_and_one_left_out_is_not(
    stack: cdk.Stack,
) -> None:
    PeeringConnectionOptions(
        stack,
        "Options",
        peering_connection_id=PCX,
        side=PeeringSide.REQUESTER,
        allow_multipath_resilience=False,
    )

    [given] = settings(Template.from_stack(stack))

    assert given["Options"] == {"AllowMultipathResilience": False}


def test_the_policy_changes_one_connection_only(stack: cdk.Stack) -> None:
    PeeringConnectionOptions(
        stack,
        "Options",
        peering_connection_id=PCX,
        side=PeeringSide.REQUESTER,
        allow_multipath_resilience=True,
    )

    arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/{PCX}"
    assert setting_policy(Template.from_stack(stack)) == options_statements(arn)


def allows(statement: dict[str, Any], action: str, tag_keys: list[str] | None) -> bool:
    """IAM's answer, by hand, for an Allow statement and a request on its resource that
    carries ``tag_keys`` (None: no tag keys at all, as DeleteTags without Tags)."""
    actions = statement["Action"]
    if action not in (actions if isinstance(actions, list) else [actions]):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, wanted in keys.items():
            assert key == "aws:TagKeys", key
            if operator == "Null":  # "false": the key must be in the request
                if (tag_keys is None) != (wanted == "true"):
                    return False
            elif operator == "ForAllValues:StringLike":  # true for no value at all
                patterns = wanted if isinstance(wanted, list) else [wanted]
                if not all(any(fnmatch(k, p) for p in patterns) for k in tag_keys or []):
                    return False
            else:
                raise AssertionError(f"no evaluation of {operator}")
    return True


def test_the_owners_marks_statement_allows_their_tags_only(stack: cdk.Stack) -> None:
    PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)
    [marks] = statements_allowing(Template.from_stack(stack), "ec2:DeleteTags")

    assert allows(marks, "ec2:CreateTags", ["cdk-peering:owner:0123456789ab"])
    assert allows(marks, "ec2:DeleteTags", ["cdk-peering:owner:0123456789ab"])
    assert not allows(marks, "ec2:DeleteTags", ["Name"])
    assert not allows(marks, "ec2:DeleteTags", ["cdk-peering:owner:1", "team"])
    # EC2 DeleteTags without Tags deletes every tag of the resource.
    assert not allows(marks, "ec2:DeleteTags", None)


@pytest.mark.parametrize(
    ("props", "rule"),
    [
        ({}, "cdk_peering:noConnectionOptions"),
        ({"peering_connection_id": "pcx-1", "allow_multipath_resilience": True},
         "cdk_peering:invalidPeeringConnectionId"),
        ({"side": "Requester", "allow_multipath_resilience": True},
         "cdk_peering:invalidPeeringSide"),
    ],
    ids=["no-option", "not-a-pcx-id", "side-as-text"],
)  # fmt: skip
def test_misuse_is_rejected_before_anything_is_built(
    stack: cdk.Stack, props: dict[str, Any], rule: str
) -> None:
    given: dict[str, Any] = {"peering_connection_id": PCX, "side": PeeringSide.ACCEPTER, **props}
    with pytest.raises(ValidationError) as raised:
        PeeringConnectionOptions(stack, "Options", **given)
    only_problem(raised, "TestStack/Options", rule)
    assert stack.node.try_find_child("Options") is None


def test_dns_resolution_is_the_dns_option_through_the_same_seam(stack: cdk.Stack) -> None:
    dns = PeeringDnsResolution(stack, "Dns", peering_connection_id=PCX, side=PeeringSide.REQUESTER)
    assert isinstance(dns, PeeringConnectionOptions)
    assert (dns.allow_dns_resolution_from_remote_vpc, dns.allow_multipath_resilience) == (
        True,
        None,
    )


def test_a_peerings_dns_options_keep_their_construct_ids(stack: cdk.Stack) -> None:
    # The construct ids of the DNS options before multipath resilience joined them. (A
    # changed id replaces the resource; that is safe now: tests/test_handler.py.)
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    peering = VpcPeering(
        stack,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        requester_resolves_accepter_dns=True,
        accepter_resolves_requester_dns=True,
    )

    Template.from_stack(stack).resource_count_is(OPTIONS, 2)
    assert [(o.node.path, o.side) for o in peering.connection_options] == [
        ("TestStack/AToB/RequesterDnsOptions", PeeringSide.REQUESTER),
        ("TestStack/AToB/AccepterDnsOptions", PeeringSide.ACCEPTER),
    ]
    assert peering.dns_resolutions == peering.connection_options
    assert peering.accepter_tags is None  # one account and region: one resource, tagged


# --- VpcPeering(multipath_resilience=...): each side in its own account and region


def _accepter_template(assembly: cdk.cx_api.CloudAssembly) -> Template:
    return Template.from_json(
        assembly.get_stack_by_name("Home-PeeringAccepter-111111111111-eu-west-1").template
    )


def test_multipath_resilience_is_allowed_on_each_side_in_its_own_region() -> None:
    app, home, _away, a, b = inter_region_pair()
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, multipath_resilience=True)

    assembly = app.synth()

    for template, side, region in (
        (Template.from_json(assembly.get_stack_by_name("Home").template), "Requester", REGION),
        (_accepter_template(assembly), "Accepter", "eu-west-1"),
    ):
        [given] = settings(template)
        # DNS is managed by the peering on both sides: written false, not left out.
        assert (given["Side"], given["Options"]) == (
            side,
            {"AllowDnsResolutionFromRemoteVpc": False, "AllowMultipathResilience": True},
        )
        [statement] = statements_allowing(template, "ec2:ModifyVpcPeeringConnectionOptions")
        assert statement["Resource"]["Fn::Join"][1][0] == (
            f"arn:aws:ec2:{region}:{ACCOUNT}:vpc-peering-connection/"
        )
    assert [o.allow_multipath_resilience for o in peering.connection_options] == [True, True]
    assert peering.dns_resolutions == []
    # The accepter's resource needs the connection: its stack deploys after the requester's.
    order = deploy_order(assembly)
    assert order.index("Home") < order.index("Home-PeeringAccepter-111111111111-eu-west-1")


def test_multipath_and_dns_of_one_side_go_in_one_resource() -> None:
    app, home, _away, a, b = inter_region_pair()
    VpcPeering(
        home,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        requester_resolves_accepter_dns=True,
        multipath_resilience=True,
    )

    assembly = app.synth()

    accepter = settings(_accepter_template(assembly))
    assert [each["Options"] for each in accepter] == [
        {"AllowDnsResolutionFromRemoteVpc": True, "AllowMultipathResilience": True}
    ]
    requester = settings(Template.from_json(assembly.get_stack_by_name("Home").template))
    assert [each["Options"] for each in requester] == [
        {"AllowDnsResolutionFromRemoteVpc": False, "AllowMultipathResilience": True}
    ]


def test_dns_turned_off_on_a_side_that_keeps_multipath_is_written_false() -> None:
    # The side's resource stays (it sets multipath): turning DNS off must write false, or
    # the option an earlier deploy turned on stays on.
    def accepter_options(dns: bool) -> dict[str, Any]:
        app, home, _away, a, b = inter_region_pair()
        VpcPeering(
            home,
            "AToB",
            requester_vpc=a,
            accepter_vpc=b,
            requester_resolves_accepter_dns=dns,
            multipath_resilience=True,
        )
        [given] = settings(_accepter_template(app.synth()))
        options: dict[str, Any] = given["Options"]
        return options

    assert accepter_options(True)["AllowDnsResolutionFromRemoteVpc"] is True
    assert accepter_options(False)["AllowDnsResolutionFromRemoteVpc"] is False


def test_multipath_within_one_region_is_an_error(stack: cdk.Stack) -> None:
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    with pytest.raises(ValidationError) as raised:
        VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b, multipath_resilience=True)
    problem = only_problem(raised, "TestStack/AToB", "cdk_peering:multipathWithinRegion")
    assert "both in us-east-1" in problem.message
    assert stack.node.try_find_child("AToB") is None
    # Turning it off (False) within one region is nothing to do, not an error.
    VpcPeering(stack, "Off", requester_vpc=a, accepter_vpc=b, multipath_resilience=False)
    assert Template.from_stack(stack).find_resources(OPTIONS) == {}


def test_multipath_with_requester_only_allows_the_requester_side_and_warns() -> None:
    _app, home, _away, a, b = inter_region_pair()
    peering = VpcPeering(
        home,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        requester_only=True,
        multipath_resilience=True,
    )

    assert [o.side for o in peering.connection_options] == [PeeringSide.REQUESTER]
    [warning] = warnings_on(peering)
    assert "multipath_resilience is set with requester_only" in warning
    assert warning.endswith("[ack: cdk_peering:multipathWithoutAccepterSide]")
