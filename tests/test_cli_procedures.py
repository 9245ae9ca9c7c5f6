"""What the docs tell users to run with the CDK CLI, where a plain command would hurt."""

from __future__ import annotations

import re

from tests.conftest import ROOT

TOPOLOGIES = (ROOT / "docs" / "topologies.md").read_text()


def test_removing_a_vpc_destroys_only_its_own_stacks() -> None:
    # `cdk destroy` of a stack also destroys the stacks that depend on it (the other
    # VPCs' Accepts and Options stacks) unless --exclusively is given.
    commands = [c for c in re.findall(r"`(cdk destroy[^`]*)`", TOPOLOGIES) if "<VPC>" in c]
    assert commands, "the procedure for removing a VPC names its cdk destroy command"
    assert all("--exclusively" in command for command in commands), commands


def test_stale_weak_references_after_a_producer_is_deployed_again_are_explained() -> None:
    # A stack reading a producer weakly keeps the old values until it is deployed again.
    assert "`cdk deploy --all --force`" in TOPOLOGIES
