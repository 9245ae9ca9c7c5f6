"""The library's cross-stack reads are weak in any app, and say nothing misleading about it.

Apps here do not set ``@aws-cdk/core:defaultCrossStackReferences`` (aws-cdk-lib then
defaults to strong references), as a user's app may not.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from cdk_peering import VpcPeering
from tests.conftest import CDK_JSON_CONTEXT, COMMITTED_CONTEXT, ENV
from tests.helpers import OTHER_REGION, cross_stack_reads, make_vpc

FLAG = "@aws-cdk/core:defaultCrossStackReferences"
WARNING = "@aws-cdk/core:crossStackReferencesDefaultStrong"


def _app_without_the_flag() -> cdk.App:
    context: dict[str, Any] = {**CDK_JSON_CONTEXT, **COMMITTED_CONTEXT}
    context.pop(FLAG)
    context["@aws-cdk/core:annotationsInValidationReport"] = False
    return cdk.App(context=context)


def _warnings(assembly: cdk.cx_api.CloudAssembly) -> list[str]:
    return [
        str(message.entry.data)
        for stack in assembly.stacks
        for message in stack.messages
        if message.level == cdk.cx_api.SynthesisMessageLevel.WARNING
    ]


def _dual_stack_peerings(app: cdk.App) -> ec2.Vpc:
    home = cdk.Stack(app, "Home", env=ENV)
    vpcs = cdk.Stack(app, "Vpcs", env=ENV)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", ipv6=True)
    VpcPeering(
        home, "AB", requester_vpc=a, accepter_vpc=make_vpc(vpcs, "B", "10.1.0.0/16", ipv6=True)
    )
    VpcPeering(
        home, "AC", requester_vpc=a, accepter_vpc=make_vpc(away, "C", "10.2.0.0/16", ipv6=True)
    )
    return a


@pytest.fixture(scope="module")
def dual_stack() -> cdk.cx_api.CloudAssembly:
    """The dual-stack peerings in an app without the flag, synthesized once."""
    app = _app_without_the_flag()
    _dual_stack_peerings(app)
    return app.synth()


def test_a_dual_stack_peers_ipv6_block_is_read_weakly(dual_stack: cdk.cx_api.CloudAssembly) -> None:
    # No export locks the peer's stack, and no SSM writer is needed across regions.
    assert cross_stack_reads(dual_stack) == {
        "Home": {"weak"},
        "Vpcs": set(),
        "Away": set(),
        "Home-PeeringAccepter-111111111111-eu-west-1": {"weak"},
    }
    template = dual_stack.get_stack_by_name("Home").template
    ipv6 = [
        json.dumps(r["Properties"]["DestinationIpv6CidrBlock"])
        for r in template["Resources"].values()
        if r["Type"] == "AWS::EC2::Route"
        and "DestinationIpv6CidrBlock" in r["Properties"]
        and "VpcPeeringConnectionId" in r["Properties"]
    ]
    # A's 4 tables route to B's and C's blocks (read weakly from their stacks); B's 4
    # tables, whose routes are in Home too, to A's block (Home's own: read directly).
    weak = [block for block in ipv6 if "Fn::GetStackOutput" in block]
    assert len(weak) == 8
    assert not [block for block in weak if '"StackName": "Home"' in block]
    assert len([block for block in ipv6 if block not in weak]) == 4


def test_no_defaulting_to_strong_warning_when_every_reference_is_weak(
    dual_stack: cdk.cx_api.CloudAssembly,
) -> None:
    assert not [w for w in _warnings(dual_stack) if 'defaulting to "strong"' in w]


def test_the_warning_stays_when_the_app_makes_a_strong_reference() -> None:
    app = _app_without_the_flag()
    a = _dual_stack_peerings(app)
    # The user's own reference, strong by aws-cdk-lib's default: an export of Home.
    cdk.CfnOutput(cdk.Stack(app, "Other", env=ENV), "Strong", value=a.vpc_id)
    assembly = app.synth()
    assert "export" in cross_stack_reads(assembly)["Other"]
    assert any('defaulting to "strong"' in w for w in _warnings(assembly))
