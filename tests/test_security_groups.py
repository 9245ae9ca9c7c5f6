"""allow_from_peer's CIDR rules, and the check on security group references across Regions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Annotations, Match, Template

from cdk_peering import PeeringMesh, VpcPeering, allow_from_peer
from cdk_peering.peering.security_groups import InterRegionSecurityGroupCheck
from cdk_peering.rule_ids import (
    ALLOW_FROM_UNPEERED_VPC,
    CIDR_BLOCK_NOT_ALLOWED,
    INTER_REGION_SECURITY_GROUP_REFERENCE,
)
from tests.conftest import new_app
from tests.helpers import make_vpc

ACCOUNT = "111111111111"
HOME = cdk.Environment(account=ACCOUNT, region="us-east-1")
AWAY = cdk.Environment(account=ACCOUNT, region="eu-west-1")
AZ_CONTEXT = {
    f"availability-zones:account={ACCOUNT}:region={region}": [f"{region}a", f"{region}b"]
    for region in ("us-east-1", "eu-west-1")
}
RULE = INTER_REGION_SECURITY_GROUP_REFERENCE
NO_REPORT = {"@aws-cdk/core:annotationsInValidationReport": False}
"""The flag that makes aws-cdk-lib fail synth on error annotations (with its own report)."""


@dataclass
class World:
    """Two stacks in two Regions, a VPC and a security group in each."""

    app: cdk.App
    home: cdk.Stack
    away: cdk.Stack
    vpc_a: ec2.Vpc
    vpc_b: ec2.Vpc
    sg_a: ec2.SecurityGroup
    sg_b: ec2.SecurityGroup


def _world(
    *, register: bool = True, allow_all_outbound: bool = True, report: bool = False
) -> World:
    app = new_app(**AZ_CONTEXT, **({} if report else NO_REPORT))
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=AWAY)
    vpc_a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    vpc_b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    sg_a = ec2.SecurityGroup(home, "SgA", vpc=vpc_a, allow_all_outbound=allow_all_outbound)
    sg_b = ec2.SecurityGroup(away, "SgB", vpc=vpc_b, allow_all_outbound=allow_all_outbound)
    if register:
        InterRegionSecurityGroupCheck.register(home, vpc_a, vpc_b)
    return World(app, home, away, vpc_a, vpc_b, sg_a, sg_b)


def _errors(app: cdk.App) -> list[str]:
    """Synthesize; return the error annotations of every stack, as ``cdk synth`` lists them."""
    return [
        f"[Error at {message.id}] {message.entry.data}"
        for stack in app.synth().stacks
        for message in stack.messages
        if message.level == cdk.cx_api.SynthesisMessageLevel.ERROR
    ]


def _inline_ingress(stack: cdk.Stack, group: ec2.SecurityGroup) -> list[dict[str, Any]]:
    logical_id = stack.get_logical_id(group.node.default_child)  # type: ignore[arg-type]
    template = Template.from_stack(stack)
    resource = template.to_json()["Resources"][logical_id]
    return list(resource["Properties"].get("SecurityGroupIngress", []))


# --- allow_from_peer


def test_allow_from_peer_inlines_one_rule_per_ipv4_block_of_the_peer() -> None:
    world = _world(register=False)
    ec2.CfnVPCCidrBlock(world.away, "S", vpc_id=world.vpc_b.vpc_id, cidr_block="100.64.0.0/16")
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))

    assert _inline_ingress(world.home, world.sg_a) == [
        {
            "CidrIp": cidr,
            "Description": "from peer VPC Away/B",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
        for cidr in ("10.1.0.0/16", "100.64.0.0/16")
    ]
    template = Template.from_stack(world.home)
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)
    # Literal CIDRs: no reference to the peer's stack, in another Region.
    assert "Fn::GetStackOutput" not in str(template.to_json())
    assert world.home.dependencies == []


def test_allow_from_peer_takes_a_port_range_and_a_description() -> None:
    world = _world(register=False)
    allow_from_peer(
        world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.udp_range(5000, 5010), description="rtp"
    )

    assert _inline_ingress(world.home, world.sg_a) == [
        {
            "CidrIp": "10.1.0.0/16",
            "Description": "rtp",
            "FromPort": 5000,
            "IpProtocol": "udp",
            "ToPort": 5010,
        }
    ]


def test_allow_from_peer_on_an_imported_group_adds_ingress_resources() -> None:
    world = _world(register=False)
    imported = ec2.SecurityGroup.from_security_group_id(world.home, "Imported", "sg-0123456789")
    ec2.CfnVPCCidrBlock(world.away, "S", vpc_id=world.vpc_b.vpc_id, cidr_block="100.64.0.0/16")
    allow_from_peer(imported, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))

    template = Template.from_stack(world.home)
    template.resource_count_is("AWS::EC2::SecurityGroupIngress", 2)
    for cidr in ("10.1.0.0/16", "100.64.0.0/16"):
        template.has_resource_properties(
            "AWS::EC2::SecurityGroupIngress",
            {"GroupId": "sg-0123456789", "CidrIp": cidr, "FromPort": 443, "ToPort": 443},
        )


def test_allow_from_peer_adds_ipv6_rules_only_when_asked() -> None:
    app = new_app(**AZ_CONTEXT)
    stack = cdk.Stack(app, "Home", env=HOME)
    vpc_a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    vpc_b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True, isolated_only=True)
    without = ec2.SecurityGroup(stack, "Without", vpc=vpc_a)
    with_ipv6 = ec2.SecurityGroup(stack, "With", vpc=vpc_a)
    allow_from_peer(without, peer_vpc=vpc_b, port=ec2.Port.tcp(443))
    allow_from_peer(with_ipv6, peer_vpc=vpc_b, port=ec2.Port.tcp(443), ipv6=True)

    assert [rule.get("CidrIpv6") for rule in _inline_ingress(stack, without)] == [None]
    rules = _inline_ingress(stack, with_ipv6)
    assert [rule.get("CidrIp") for rule in rules] == ["10.1.0.0/16", None]
    cfn_vpc_b = stack.get_logical_id(vpc_b.node.default_child)  # type: ignore[arg-type]
    assert rules[1]["CidrIpv6"] == {
        "Fn::Select": [0, {"Fn::GetAtt": [cfn_vpc_b, "Ipv6CidrBlocks"]}]
    }
    # The block is in Ipv6CidrBlocks only once its association exists.
    template = Template.from_stack(stack)
    block = next(iter(template.find_resources("AWS::EC2::VPCCidrBlock")))
    template.has_resource(
        "AWS::EC2::SecurityGroup",
        {
            "Properties": {"GroupDescription": "Home/With"},
            "DependsOn": Match.array_with([block]),
        },
    )


def test_allow_from_peer_ignores_ipv6_when_the_peer_has_none() -> None:
    world = _world(register=False)
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443), ipv6=True)

    assert [rule["CidrIp"] for rule in _inline_ingress(world.home, world.sg_a)] == ["10.1.0.0/16"]


# --- Where CDK puts a rule that references a security group of another stack


def test_cdk_puts_a_cross_stack_reference_rule_in_the_stack_of_the_group_it_is_called_on() -> None:
    world = _world(register=False, allow_all_outbound=False)
    world.sg_a.connections.allow_from(world.sg_b, ec2.Port.tcp(443))
    assembly = world.app.synth()

    home = Template.from_json(assembly.get_stack_by_name("Home").template)
    away = Template.from_json(assembly.get_stack_by_name("Away").template)
    # sg_a's ingress rule, and sg_b's matching egress rule, both in Home (sg_a's stack).
    home.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": [Match.string_like_regexp("^SgA"), "GroupId"]},
            "SourceSecurityGroupId": {
                "Fn::GetStackOutput": Match.object_like({"StackName": "Away"})
            },
        },
    )
    home.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {
            "GroupId": {"Fn::GetStackOutput": Match.object_like({"StackName": "Away"})},
            "DestinationSecurityGroupId": {
                "Fn::GetAtt": [Match.string_like_regexp("^SgA"), "GroupId"]
            },
        },
    )
    away.resource_count_is("AWS::EC2::SecurityGroupIngress", 0)
    away.resource_count_is("AWS::EC2::SecurityGroupEgress", 0)


# --- InterRegionSecurityGroupCheck


def test_allow_from_a_group_of_an_inter_region_peer_is_an_error() -> None:
    world = _world()
    world.sg_a.connections.allow_from(world.sg_b, ec2.Port.tcp(443))

    assert _errors(world.app) == [
        "[Error at /Home/SgA/from AwaySgBBD02FB7E:443] "
        "[Home/SgA/from AwaySgBBD02FB7E:443] An ingress rule of security "
        "group Home/SgA (VPC Home/A) references security group Away/SgB of VPC Away/B, peered "
        "with Home/A across Regions; AWS rejects security group references to a peer VPC in "
        "another Region. Fix: Use CIDRs: cdk_peering.allow_from_peer(Home/SgA, "
        "peer_vpc=Away/B, port=...) opens the port to every CIDR block of the peer VPC. "
        f"({RULE})"
    ]


def test_annotations_find_the_error_in_a_template_assertion_test() -> None:
    world = _world()
    world.sg_a.add_ingress_rule(world.sg_b, ec2.Port.tcp(443))

    found = Annotations.from_stack(world.home).find_error(
        "*", Match.string_like_regexp(r"\(cdk_peering:interRegionSecurityGroupReference\)$")
    )

    assert [message.id for message in found] == ["/Home/SgA/from AwaySgBBD02FB7E:443"]


def test_synthesizing_twice_reports_each_error_once() -> None:
    world = _world()
    world.sg_a.add_ingress_rule(world.sg_b, ec2.Port.tcp(443))
    Template.from_stack(world.home)

    assert len(_errors(world.app)) == 1


def test_with_the_validation_report_flag_synth_fails_with_the_report() -> None:
    # aws-cdk-lib then puts error annotations in its validation report and fails synth
    # itself (from its JavaScript runtime): our message is in the report.
    world = _world(report=True)
    world.sg_a.add_ingress_rule(world.sg_b, ec2.Port.tcp(443))

    with pytest.raises(RuntimeError, match="ValidationFailed") as caught:
        world.app.synth()

    message = str(caught.value)
    report = Path(message.rsplit("found in: ", 1)[1].strip()).read_text()
    for text in (message, report):
        assert "[Home/SgA/from AwaySgBBD02FB7E:443] An ingress rule" in text
        assert f"({RULE})" in text


def test_allow_from_flags_the_peer_groups_egress_rule_too() -> None:
    world = _world(allow_all_outbound=False)
    world.sg_a.connections.allow_from(world.sg_b, ec2.Port.tcp(443))

    lines = sorted(_errors(world.app))

    assert len(lines) == 2
    assert lines[0].startswith(
        "[Error at /Home/SgA/AwaySgBBD02FB7E:443 from] [Home/SgA/AwaySgBBD02FB7E:443 from] An "
        "egress rule of security group Away/SgB (VPC Away/B) references security group "
        "Home/SgA of VPC Home/A"
    )
    assert lines[1].startswith(
        "[Error at /Home/SgA/from AwaySgBBD02FB7E:443] [Home/SgA/from AwaySgBBD02FB7E:443] An "
        "ingress"
    )


def test_an_egress_rule_to_a_group_of_an_inter_region_peer_is_an_error() -> None:
    world = _world(allow_all_outbound=False)
    world.sg_a.add_egress_rule(world.sg_b, ec2.Port.tcp(5432))

    [error] = _errors(world.app)

    assert "[Home/SgA/to AwaySgBBD02FB7E:5432] An egress rule" in error
    assert "references security group Away/SgB of VPC Away/B" in error
    assert "add_egress_rule(ec2.Peer.ipv4(cidr), port) on Home/SgA" in error


def test_the_rule_is_found_from_either_side() -> None:
    world = _world()
    world.sg_b.add_ingress_rule(world.sg_a, ec2.Port.tcp(443))

    [error] = _errors(world.app)

    assert (
        "[Away/SgB/from HomeSgAD1A20E62:443] An ingress rule of security group "
        "Away/SgB (VPC Away/B) references security group Home/SgA of VPC Home/A"
    ) in error


def test_the_message_carries_no_javascript_stack_trace() -> None:
    world = _world()
    world.sg_a.connections.allow_from(world.sg_b, ec2.Port.tcp(443))

    [error] = _errors(world.app)

    assert "    at " not in error
    assert ".js:" not in error


def test_l1_rules_referencing_by_ref_or_group_id_are_flagged() -> None:
    world = _world()
    ec2.CfnSecurityGroupIngress(
        world.home,
        "L1Ingress",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        group_id=world.sg_a.security_group_id,
        source_security_group_id=world.sg_b.security_group_id,
    )
    raw_b = ec2.CfnSecurityGroup(
        world.away, "RawB", group_description="raw", vpc_id=world.vpc_b.vpc_id
    )
    ec2.CfnSecurityGroupEgress(
        world.home,
        "L1Egress",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        group_id=world.sg_a.security_group_id,
        destination_security_group_id=raw_b.ref,
    )

    errors = _errors(world.app)

    assert [error.split("] An", 1)[0].split("] ", 1)[1] + "]" for error in errors] == [
        "[Home/L1Ingress]",
        "[Home/L1Egress]",
    ]
    assert "references security group Away/RawB of VPC Away/B" in errors[1]


def test_inline_rules_of_an_l1_group_are_flagged() -> None:
    world = _world()
    ec2.CfnSecurityGroup(
        world.home,
        "Inline",
        group_description="inline",
        vpc_id=world.vpc_a.vpc_id,
        security_group_ingress=[
            ec2.CfnSecurityGroup.IngressProperty(
                ip_protocol="tcp", from_port=443, to_port=443, cidr_ip="10.1.0.0/16"
            ),
            ec2.CfnSecurityGroup.IngressProperty(
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                source_security_group_id=world.sg_b.security_group_id,
            ),
        ],
        security_group_egress=[
            ec2.CfnSecurityGroup.EgressProperty(
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                destination_security_group_id=world.sg_b.security_group_id,
            )
        ],
    )

    errors = _errors(world.app)

    assert [error.split("] An", 1)[0].split("] ", 1)[1] + "]" for error in errors] == [
        "[Home/Inline (inline SecurityGroupIngress[1])]",
        "[Home/Inline (inline SecurityGroupEgress[0])]",
    ]


def test_an_inline_ingress_rule_of_a_security_group_to_an_inter_region_peer_is_an_error() -> None:
    world = _world()
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    # A Peer from an id, not the group: CDK writes the rule inline in sg_a's resource.
    world.sg_a.add_ingress_rule(
        ec2.Peer.security_group_id(world.sg_b.security_group_id), ec2.Port.tcp(443)
    )

    assert _errors(world.app) == [
        "[Error at /Home/SgA/Resource] "
        "[Home/SgA/Resource (inline SecurityGroupIngress[1])] An ingress "
        "rule of security group Home/SgA (VPC Home/A) references security group Away/SgB of VPC "
        "Away/B, peered with Home/A across Regions; AWS rejects security group references to a "
        "peer VPC in another Region. Fix: Use CIDRs: cdk_peering.allow_from_peer(Home/SgA, "
        "peer_vpc=Away/B, port=...) opens the port to every CIDR block of the peer VPC. "
        f"({RULE})"
    ]


def test_an_inline_egress_rule_of_a_security_group_to_an_inter_region_peer_is_an_error() -> None:
    world = _world(allow_all_outbound=False)
    world.sg_b.add_egress_rule(
        ec2.Peer.security_group_id(world.sg_a.security_group_id), ec2.Port.tcp(5432)
    )

    assert _errors(world.app) == [
        "[Error at /Away/SgB/Resource] "
        "[Away/SgB/Resource (inline SecurityGroupEgress[0])] An egress "
        "rule of security group Away/SgB (VPC Away/B) references security group Home/SgA of VPC "
        "Home/A, peered with Away/B across Regions; AWS rejects security group references to a "
        "peer VPC in another Region. Fix: Use CIDRs: add_egress_rule(ec2.Peer.ipv4(cidr), port) "
        "on Away/SgB for each CIDR block of Home/A. "
        f"({RULE})"
    ]


def test_inline_rules_to_same_region_groups_and_cidrs_are_not_flagged() -> None:
    world = _world(allow_all_outbound=False)
    # Same Region as sg_a: a group of its VPC, and one of an unpeered VPC that has the
    # construct id (so the logical id) of sg_b.
    same_vpc = ec2.SecurityGroup(world.home, "SgA2", vpc=world.vpc_a)
    vpc_c = make_vpc(world.home, "C", "10.2.0.0/16", isolated_only=True)
    namesake = ec2.SecurityGroup(world.home, "SgB", vpc=vpc_c)
    port = ec2.Port.tcp(443)
    for group in (same_vpc, namesake):
        world.sg_a.add_ingress_rule(ec2.Peer.security_group_id(group.security_group_id), port)
        world.sg_a.add_egress_rule(ec2.Peer.security_group_id(group.security_group_id), port)
    world.sg_a.add_ingress_rule(ec2.Peer.ipv4("10.1.0.0/16"), port)
    world.sg_a.add_egress_rule(ec2.Peer.ipv4("10.1.0.0/16"), port)
    # The one rule to flag, after the others.
    world.sg_a.add_egress_rule(ec2.Peer.security_group_id(world.sg_b.security_group_id), port)

    errors = _errors(world.app)

    assert [error.split("] An", 1)[0].split("] ", 1)[1] + "]" for error in errors] == [
        "[Home/SgA/Resource (inline SecurityGroupEgress[3])]"
    ]
    # The index is the template's.
    template = world.app.synth(skip_validation=True).get_stack_by_name("Home").template
    sg_a = world.home.get_logical_id(world.sg_a.node.default_child)  # type: ignore[arg-type]
    egress = template["Resources"][sg_a]["Properties"]["SecurityGroupEgress"]
    assert [sorted(rule) for rule in egress][2:] == [
        ["CidrIp", "Description", "FromPort", "IpProtocol", "ToPort"],
        ["Description", "DestinationSecurityGroupId", "FromPort", "IpProtocol", "ToPort"],
    ]
    assert egress[3]["DestinationSecurityGroupId"]["Fn::GetStackOutput"]["StackName"] == "Away"


def test_cidr_rules_between_inter_region_peers_are_never_flagged() -> None:
    world = _world(allow_all_outbound=False)
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    allow_from_peer(world.sg_b, peer_vpc=world.vpc_a, port=ec2.Port.tcp(443))
    world.sg_a.add_egress_rule(ec2.Peer.ipv4("10.1.0.0/16"), ec2.Port.tcp(443))
    ec2.CfnSecurityGroupIngress(
        world.home,
        "L1Cidr",
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        group_id=world.sg_a.security_group_id,
        cidr_ip="10.1.0.0/16",
    )

    assert _errors(world.app) == []


def test_references_between_unregistered_vpcs_are_not_flagged() -> None:
    world = _world()
    # Same Region as A, peered with nothing across Regions: references are fine.
    vpc_c = make_vpc(world.home, "C", "10.2.0.0/16", isolated_only=True)
    sg_c = ec2.SecurityGroup(world.home, "SgC", vpc=vpc_c)
    sg_a2 = ec2.SecurityGroup(world.home, "SgA2", vpc=world.vpc_a)
    world.sg_a.connections.allow_from(sg_c, ec2.Port.tcp(443))
    sg_c.connections.allow_from(world.sg_a, ec2.Port.tcp(443))
    world.sg_a.connections.allow_from(sg_a2, ec2.Port.tcp(443))  # same VPC

    assert _errors(world.app) == []


def test_registering_a_pair_again_adds_no_second_check() -> None:
    world = _world()
    InterRegionSecurityGroupCheck.register(world.away, world.vpc_a, world.vpc_b)
    InterRegionSecurityGroupCheck.register(world.home, world.vpc_b, world.vpc_a)
    world.sg_a.add_ingress_rule(world.sg_b, ec2.Port.tcp(443))

    assert len(_errors(world.app)) == 1


# --- allow_from_peer with a VPC no peering of the app joins --------------------------------


def _warnings(app: cdk.App, rule: str) -> list[tuple[str, str]]:
    """Synthesize; return (construct path, text) of each warning of ``rule``."""
    return [
        (message.id, str(message.entry.data))
        for stack in app.synth().stacks
        for message in stack.messages
        if message.level == cdk.cx_api.SynthesisMessageLevel.WARNING
        and str(message.entry.data).endswith(f"[ack: {rule}]")
    ]


@pytest.mark.parametrize("peered", ["before", "after", "never"])
def test_allow_from_peer_without_a_peering_is_a_warning_at_synth(peered: str) -> None:
    world = _world(register=False)
    if peered == "before":
        VpcPeering(world.home, "AToB", requester_vpc=world.vpc_a, accepter_vpc=world.vpc_b)
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(8443))  # one warning
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_a, port=ec2.Port.tcp(22))  # its own VPC
    if peered == "after":
        VpcPeering(world.home, "AToB", requester_vpc=world.vpc_a, accepter_vpc=world.vpc_b)

    found = _warnings(world.app, ALLOW_FROM_UNPEERED_VPC)

    if peered != "never":
        assert found == []
        return
    assert found == [
        (
            "/Home/SgA",
            "allow_from_peer opens security group Home/SgA to VPC Away/B, but no peering of "
            "this app joins that VPC to the group's: the rule admits traffic that has no route "
            "to come by. Fix: Peer the two VPCs (a VpcPeering, or a topology with both), or "
            "acknowledge this warning when they are connected elsewhere (another app, a "
            f"transit gateway). [ack: {ALLOW_FROM_UNPEERED_VPC}]",
        )
    ]


def test_a_peering_of_a_topology_counts_and_the_warning_can_be_acknowledged() -> None:
    world = _world(register=False)
    PeeringMesh(world.home, "Mesh", vpcs=[world.vpc_a, world.vpc_b])
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    other = make_vpc(world.home, "C", "10.2.0.0/16", isolated_only=True)
    allow_from_peer(world.sg_a, peer_vpc=other, port=ec2.Port.tcp(443))
    cdk.Annotations.of(world.sg_a).acknowledge_warning(
        ALLOW_FROM_UNPEERED_VPC, "C reaches A through the transit gateway"
    )
    assert _warnings(world.app, ALLOW_FROM_UNPEERED_VPC) == []


def test_a_block_added_after_allow_from_peer_is_a_warning_its_rules_miss() -> None:
    world = _world(register=False)
    VpcPeering(world.home, "AToB", requester_vpc=world.vpc_a, accepter_vpc=world.vpc_b)
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(8443))  # one warning
    ec2.CfnVPCCidrBlock(world.away, "Later", vpc_id=world.vpc_b.vpc_id, cidr_block="100.64.0.0/16")
    ec2.CfnVPCCidrBlock(  # IPv6 was not asked for: no rule was meant to admit it
        world.away, "Ipv6", vpc_id=world.vpc_b.vpc_id, ipv6_cidr_block="2600:1f18:1::/56"
    )

    found = _warnings(world.app, CIDR_BLOCK_NOT_ALLOWED)

    assert found == [
        (
            "/Home/SgA",
            "allow_from_peer opened security group Home/SgA to the CIDR blocks Away/B had "
            "then; block 100.64.0.0/16 (Away/Later) was declared after it (or where the "
            "library does not look: not as a child or a sibling of the VPC), so no rule of "
            "the group admits it. Fix: Declare the block beside the VPC before calling "
            "allow_from_peer (its rules then include it), or add a rule for it (security_group."
            "add_ingress_rule(ec2.Peer.ipv4('100.64.0.0/16'), port)); acknowledge this warning "
            f"if 100.64.0.0/16 should not connect. [ack: {CIDR_BLOCK_NOT_ALLOWED}]",
        )
    ]


def test_a_block_declared_before_allow_from_peer_gets_its_rule() -> None:
    world = _world(register=False)
    ec2.CfnVPCCidrBlock(world.away, "Early", vpc_id=world.vpc_b.vpc_id, cidr_block="100.64.0.0/16")
    VpcPeering(world.home, "AToB", requester_vpc=world.vpc_a, accepter_vpc=world.vpc_b)
    allow_from_peer(world.sg_a, peer_vpc=world.vpc_b, port=ec2.Port.tcp(443))
    assert _warnings(world.app, CIDR_BLOCK_NOT_ALLOWED) == []
    ingress = Template.from_stack(world.home).find_resources("AWS::EC2::SecurityGroup")
    assert "100.64.0.0/16" in str(ingress)
