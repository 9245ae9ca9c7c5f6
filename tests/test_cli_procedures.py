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


OWNED_SETTINGS_TEXTS = (
    "docs/regions-and-accounts.md",
    "cdk_peering/cdk/handler.py",
    "cdk_peering/peering/options.py",
    "cdk_peering/peering/tags.py",
    "cdk_peering/privatelink/zone_association.py",
)
CROSS_STACK = ("another stack", "accepter_scope", "placement", "moved")


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text.replace("#", " ").replace('"""', " "))
    return re.split(r"(?<=[.;:])\s", flat)


def test_a_move_to_another_stack_names_the_safe_deploy_order() -> None:
    # CloudFormation creates a renamed resource's successor before it deletes the old one
    # within one stack (its clean-up phase); a resource moved to another stack is created
    # and deleted by two stacks, which the CLI deploys in its own order. A text that says
    # the successor comes first for a move across stacks must say to deploy the new stack
    # first.
    regions = (ROOT / "docs" / "regions-and-accounts.md").read_text()
    first = re.search(r"`cdk deploy <?[A-Za-z]+>? --exclusively`", regions)
    assert first, "the procedure deploys the new stack alone first"
    assert "`cdk deploy --all`" in regions[first.end() :]
    wrong = [
        f"{path}: {sentence}"
        for path in OWNED_SETTINGS_TEXTS
        for sentence in _sentences((ROOT / path).read_text())
        if re.search(r"successor|after it has created", sentence)
        and any(word in sentence for word in CROSS_STACK)
        and not re.search(
            r"one stack|same stack|deployed first|first deploy|--exclusively", sentence
        )
    ]
    assert wrong == []
