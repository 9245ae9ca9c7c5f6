"""What the library reads from VPCs: literal CIDRs where CDK has them, tokens otherwise."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2

from cdk_peering.cdk.app_context import vpc_facts
from cdk_peering.model.cidr import parse_network
from cdk_peering.model.env import Env
from cdk_peering.model.tokens import is_token
from tests.helpers import make_vpc


def test_is_token_agrees_with_cdk() -> None:
    for value in ["10.0.0.0/16", cdk.Fn.import_value("X"), cdk.Aws.ACCOUNT_ID, "vpc-1"]:
        assert is_token(value) == cdk.Token.is_unresolved(value)
    assert is_token(cdk.Token.as_list(cdk.Fn.import_value("L"))[0])


def test_an_environment_is_the_same_known_other_or_unknown() -> None:
    home = Env("111111111111", "us-east-1")
    agnostic = Env(cdk.Aws.ACCOUNT_ID, cdk.Aws.REGION)
    assert home.same_as(Env("111111111111", "us-east-1")) is True
    assert home.same_as(Env("222222222222", "us-east-1")) is False
    assert home.same_as(Env("111111111111", "eu-west-1")) is False
    assert home.same_as(agnostic) is None
    assert agnostic.same_as(Env(cdk.Aws.ACCOUNT_ID, cdk.Aws.REGION)) is True  # one CLI env


def test_parse_network_is_lenient_and_skips_tokens() -> None:
    assert str(parse_network("10.0.0.1/16")) == "10.0.0.0/16"
    assert parse_network(cdk.Fn.import_value("X")) is None
    assert parse_network("not-a-cidr") is None


def test_a_new_vpc_reads_its_literal_cidrs(stack: cdk.Stack) -> None:
    vpc = make_vpc(stack, "A", "10.0.0.0/16")
    ec2.CfnVPCCidrBlock(stack, "Sibling", vpc_id=vpc.vpc_id, cidr_block="100.64.0.0/16")
    ec2.CfnVPCCidrBlock(vpc, "Child", vpc_id=vpc.vpc_id, cidr_block="100.65.0.0/16")
    other = make_vpc(stack, "B", "10.1.0.0/16")
    ec2.CfnVPCCidrBlock(stack, "NotMine", vpc_id=other.vpc_id, cidr_block="100.66.0.0/16")

    facts = vpc_facts(vpc)
    assert facts.built_in_app
    assert facts.ipv4_cidrs == ("10.0.0.0/16", "100.65.0.0/16", "100.64.0.0/16")
    assert facts.ipv6_cidrs == ()
    assert len(facts.subnets) == 4
    assert all(subnet.ipv4_cidr and not is_token(subnet.ipv4_cidr) for subnet in facts.subnets)
    assert vpc_facts(vpc) is facts  # read once


def test_a_dual_stack_vpc_has_an_amazon_provided_ipv6_block(stack: cdk.Stack) -> None:
    facts = vpc_facts(make_vpc(stack, "A", "10.0.0.0/16", ipv6=True))
    assert len(facts.ipv6_cidrs) == 1
    assert facts.ipv6_cidrs == facts.ipv6_amazon_provided
    assert is_token(facts.ipv6_cidrs[0])
    assert [d.node.id for d in facts.ipv6_dependencies] == ["ipv6cidr"]


def test_an_imported_vpc_is_known_to_be_incomplete(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Imp",
        vpc_id="vpc-1",
        vpc_cidr_block="10.9.0.0/16",
        availability_zones=["us-east-1a", "us-east-1b"],
        private_subnet_ids=["subnet-1", "subnet-2"],
        private_subnet_ipv4_cidr_blocks=["10.9.0.0/24", "100.64.0.0/24"],
    )
    facts = vpc_facts(vpc)
    assert not facts.built_in_app
    assert facts.ipv4_cidrs == ("10.9.0.0/16",)
    assert [str(n) for n in facts.known_networks] == ["10.9.0.0/16", "100.64.0.0/24"]
    assert [s.route_table_id for s in facts.subnets] == [None, None]
