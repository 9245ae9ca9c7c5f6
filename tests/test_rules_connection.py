"""The connection's own settings, checked over plain values: no App, no jsii."""

from __future__ import annotations

import pytest

from cdk_peering.model.regions import COMMERCIAL_REGIONS, ENABLED_BY_DEFAULT, OPT_IN_REGIONS
from cdk_peering.rules.connection import (
    assume_role_region_findings,
    default_assume_role_region,
    multipath_findings,
)

TOKEN = "${Token[AWS.Region.12]}"


@pytest.mark.parametrize(
    ("requester", "accepter", "expected"),
    [
        ("us-east-1", "eu-west-1", None),
        ("us-east-1", "ap-east-1", "us-east-1"),
        ("me-central-1", "us-east-1", "me-central-1"),
        ("me-central-1", "me-central-1", "me-central-1"),
        (TOKEN, "ap-east-1", None),
    ],
)
def test_the_sts_region_defaults_to_the_requesters_when_an_opt_in_region_is_involved(
    requester: str, accepter: str, expected: str | None
) -> None:
    assert default_assume_role_region(requester, accepter) == expected


def test_the_opt_in_regions_are_the_commercial_ones_not_enabled_by_default() -> None:
    assert ENABLED_BY_DEFAULT < COMMERCIAL_REGIONS
    assert {"af-south-1", "ap-east-1", "eu-south-1", "me-south-1"} <= OPT_IN_REGIONS
    assert not {"us-east-1", "eu-west-1", "ap-northeast-3"} & OPT_IN_REGIONS


def test_an_assume_role_region_that_is_a_token_is_not_judged() -> None:
    assert assume_role_region_findings("P", TOKEN, role_given=True, requester_region=TOKEN) == []


def test_a_region_of_another_partition_passes_outside_the_commercial_one() -> None:
    found = assume_role_region_findings(
        "P", "cn-northwest-1", role_given=True, requester_region="cn-north-1"
    )
    assert found == []
    [problem] = assume_role_region_findings(
        "P", "cn-northwest-1", role_given=True, requester_region="us-east-1"
    )
    assert problem.rule == "cdk_peering:invalidAssumeRoleRegion"


def test_multipath_between_regions_that_cannot_be_told_apart_is_an_error() -> None:
    [problem] = multipath_findings(
        "P", requester_region=TOKEN, accepter_region=TOKEN, accepter_side=True
    )
    assert problem.rule == "cdk_peering:multipathWithinRegion"
    assert "cannot be told apart" in problem.message
    assert (
        multipath_findings(
            "P", requester_region="us-east-1", accepter_region="eu-west-1", accepter_side=True
        )
        == []
    )
