"""Which private hosted zone names take over a whole public name space (rules, no App)."""

from __future__ import annotations

import pytest

from cdk_peering import rule_ids
from cdk_peering.rules.zone_names import public_name_space, public_zone_findings


@pytest.mark.parametrize(
    ("zone_name", "kind"),
    [
        ("com", "a whole top-level domain"),
        ("internal", "a whole top-level domain"),
        ("Local.", "a whole top-level domain"),
        ("amazonaws.com", "an AWS DNS suffix"),
        ("amazonaws.com.cn", "an AWS DNS suffix"),
        ("api.aws", "an AWS DNS suffix"),
        ("compute.internal", "an AWS DNS suffix"),
        ("ec2.internal", "an AWS DNS suffix"),
        ("us-east-1.amazonaws.com", "an AWS Region's DNS suffix"),
        ("cn-north-1.amazonaws.com.cn", "an AWS Region's DNS suffix"),
        ("eu-west-1.compute.internal", "an AWS Region's DNS suffix"),
        ("co.uk", "a public suffix"),
        ("com.au", "a public suffix"),
        ("ne.jp", "a public suffix"),
    ],
)
def test_public_name_spaces(zone_name: str, kind: str) -> None:
    assert public_name_space(zone_name) == kind


@pytest.mark.parametrize(
    "zone_name",
    [
        "example.internal",
        "orders.example.com",
        # The documented way to resolve an interface endpoint of one AWS service in
        # peered VPCs: that service's name only.
        "sqs.us-east-1.amazonaws.com",
        "example.co.uk",
        "corp.example",
        "${Token[TOKEN.12]}",
    ],
)
def test_ordinary_names(zone_name: str) -> None:
    assert public_name_space(zone_name) is None


def test_the_warning_names_the_zone_the_vpc_and_its_account() -> None:
    [finding] = public_zone_findings("Home/Endpoint", "Internal.", "Partner/Vpc", "222222222222")
    assert finding.rule == rule_ids.ZONE_NAMED_FOR_PUBLIC_NAME_SPACE
    assert not finding.error
    assert "The private hosted zone internal is named for a whole top-level domain" in (
        finding.message
    )
    assert "Partner/Vpc of account 222222222222" in finding.message
    assert "acknowledge" in finding.fix
    assert public_zone_findings("Home/Endpoint", "example.internal", "Partner/Vpc", "2") == []
