"""AWS Region names: their form, the commercial partition's list, and which are opt-in.

AWS facts this relies on:

* Regions launched before March 20, 2019 are enabled in every account by default; the
  others are opt-in: an account must enable them before it can use them (AWS Account
  Management Reference Guide, "Enable or disable AWS Regions in your account").
* Session tokens from a Regional AWS STS endpoint are valid in all Regions; tokens from
  the global endpoint (``sts.amazonaws.com``, hosted in us-east-1) only in the Regions
  enabled by default (IAM User Guide, "Manage AWS STS in an AWS Region").
"""

from __future__ import annotations

import re

from .tokens import is_token

REGION_NAME = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")
"""The form of a Region name in every partition (us-east-1, eu-central-2, cn-north-1,
us-gov-west-1)."""

COMMERCIAL_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
"""The Regions of the commercial ``aws`` partition (the same list as aws-cdk-lib 2.275's
``RegionInfo`` for that partition)."""

ENABLED_BY_DEFAULT = frozenset(
    {
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
"""The commercial Regions launched before March 20, 2019: enabled in every account."""

OPT_IN_REGIONS = COMMERCIAL_REGIONS - ENABLED_BY_DEFAULT
"""The commercial Regions an account must enable before using them."""


def is_region_name(value: str) -> bool:
    """Tell whether ``value`` has the form of a Region name (not whether it exists)."""
    return REGION_NAME.fullmatch(value) is not None


def commercial_list_complete(region: str) -> bool:
    """Tell whether :data:`COMMERCIAL_REGIONS` is known to list all of ``region``'s partition.

    Only in a commercial Region is the list known to be complete for the partition; a
    token (an environment-agnostic stack) is taken to be one.
    """
    return is_token(region) or region in COMMERCIAL_REGIONS
