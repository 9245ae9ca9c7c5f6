"""Whole-template snapshots: a complement to the fine-grained tests, never a replacement.

They show, in review, every change to what the library writes. Asset hashes and the
bootstrap-version check (which change with aws-cdk-lib versions) are normalised away.
Update them with `pytest tests/test_snapshots.py --snapshot-update` and review the diff.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion

from cdk_peering import PeerDestinations, VpcPeering
from tests.conftest import ENV, ExampleApp, new_app, normalise
from tests.helpers import make_vpc


def _snapshot(stack: cdk.Stack) -> dict[str, object]:
    return normalise(Template.from_stack(stack).to_json())


def test_example_app(snapshot_json: SnapshotAssertion, example_app: ExampleApp) -> None:
    _stacks, assembly = example_app  # every stack, the library's accepter stacks included
    assert {
        stack.stack_name: normalise(stack.template) for stack in assembly.stacks
    } == snapshot_json


def test_two_vpcs_same_region(snapshot_json: SnapshotAssertion) -> None:
    stack = cdk.Stack(new_app(), "TwoVpcs", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16")
    b = make_vpc(stack, "B", "10.1.0.0/16", isolated_only=True)
    VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=b, name="a-b")
    assert _snapshot(stack) == snapshot_json


def test_dual_stack_with_specific_routes(snapshot_json: SnapshotAssertion) -> None:
    stack = cdk.Stack(new_app(), "DualStack", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16", ipv6=True, isolated_only=True)
    b = make_vpc(stack, "B", "10.1.0.0/16", ipv6=True)
    VpcPeering(
        stack,
        "Peering",
        requester_vpc=a,
        accepter_vpc=b,
        accepter_destinations=PeerDestinations.subnet_cidrs(
            ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ),
    )
    assert _snapshot(stack) == snapshot_json


def test_imported_accepter(snapshot_json: SnapshotAssertion) -> None:
    stack = cdk.Stack(new_app(), "Imported", env=ENV)
    a = make_vpc(stack, "A", "10.0.0.0/16", isolated_only=True)
    imported = ec2.Vpc.from_vpc_attributes(
        stack,
        "Existing",
        vpc_id="vpc-0aaaaaaaaaaaaaaaa",
        vpc_cidr_block="10.20.0.0/16",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-01", "subnet-02"],
        private_subnet_route_table_ids=["rtb-01", "rtb-02"],
    )
    VpcPeering(stack, "Peering", requester_vpc=a, accepter_vpc=imported)
    assert _snapshot(stack) == snapshot_json
