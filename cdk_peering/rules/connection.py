"""The checks of a peering connection's own settings: its STS Region and its options.

Plain values in, findings out: which Region CloudFormation should call AWS STS in to
assume the accepter role (``AssumeRoleRegion``), and whether multipath resilience can
apply to the connection at all.

AWS facts these rules rely on:

* ``AssumeRoleRegion``: "The Region code to use when calling Security Token Service
  (STS) to assume the PeerRoleArn, if provided" (CloudFormation resource reference,
  ``AWS::EC2::VPCPeeringConnection``; aws-cdk-lib 2.275's ``CfnVPCPeeringConnection``
  has it). Without ``PeerRoleArn`` there is nothing to assume. Which STS endpoint
  CloudFormation calls when it is not given is not documented; the default below rests
  on the STS facts of :mod:`cdk_peering.model.regions` and on the failure mode
  aws-cdk issue 26562 shows for AwsCustomResource (an STS client in an opt-in Region
  the caller's account has not enabled), not on a CloudFormation statement.
* Multipath resilience is supported only for inter-Region VPC peering connections
  between supported Regions, and takes effect only when both the requester and the
  accepter allow it (EC2 API Reference, ``CreatePeeringConnectionOptionsRequest``; AWS CLI
  reference, ``modify-vpc-peering-connection-options``). Which Regions are supported is
  not listed in any document the library's authors could find, so pairs of Regions are
  not checked.
"""

from __future__ import annotations

import re

from .. import rule_ids
from ..findings import Finding
from ..model.env import is_account_id
from ..model.regions import (
    COMMERCIAL_REGIONS,
    OPT_IN_REGIONS,
    commercial_list_complete,
    is_region_name,
)
from ..model.tokens import differs, is_token


def default_assume_role_region(requester_region: str, accepter_region: str) -> str | None:
    """Return the STS Region to write when the user gives none, or None to write nothing.

    When either Region is opt-in, the requester's own Region: CloudFormation's caller is
    the requester's account, which has that Region enabled (its stack deploys there), and
    a Regional STS endpoint's session tokens are valid in every Region, the accepter's
    opt-in Region included. Otherwise nothing: CloudFormation's default, which works
    between Regions enabled by default.
    """
    regions = (requester_region, accepter_region)
    if any(is_token(region) for region in regions):
        return None
    return requester_region if any(region in OPT_IN_REGIONS for region in regions) else None


def assume_role_region_findings(
    path: str, assume_role_region: str, *, role_given: bool, requester_region: str
) -> list[Finding]:
    """Return the problems of an ``assume_role_region`` the user gave."""
    findings: list[Finding] = []
    if not role_given:
        findings.append(
            Finding(
                path,
                rule_ids.ASSUME_ROLE_REGION_WITHOUT_ROLE,
                f"assume_role_region {assume_role_region!r} is given, but no accepter role "
                "is: CloudFormation assumes a role (PeerRoleArn) only to accept a connection "
                "across accounts, so there is nothing to assume.",
                "Leave assume_role_region out, or give the accepter's role for a peering "
                "across accounts.",
            )
        )
    if _not_a_region(assume_role_region, requester_region):
        findings.append(
            Finding(
                path,
                rule_ids.INVALID_ASSUME_ROLE_REGION,
                f"assume_role_region {assume_role_region!r} is not an AWS Region, so "
                "CloudFormation's call to STS to assume the accepter role would fail.",
                "Give a Region enabled in the requester's account, such as the requester's "
                "own Region (for example us-east-1), or leave it out.",
            )
        )
    return findings


def _not_a_region(value: str, requester_region: str) -> bool:
    """Tell whether a literal is known not to be a Region (a token may be one).

    Not a Region's name, or not in the list of commercial Regions where that list is
    complete for the requester's partition.
    """
    if is_token(value):
        return False
    known = commercial_list_complete(requester_region)
    return not is_region_name(value) or (known and value not in COMMERCIAL_REGIONS)


def multipath_findings(
    path: str, *, requester_region: str, accepter_region: str, accepter_side: bool
) -> list[Finding]:
    """Return the problems of multipath resilience asked for on one peering."""
    if not differs(requester_region, accepter_region):
        where = (
            f"both in {requester_region}"
            if requester_region == accepter_region and not is_token(requester_region)
            else "in Regions that cannot be told apart (an environment-agnostic stack)"
        )
        return [
            Finding(
                path,
                rule_ids.MULTIPATH_WITHIN_REGION,
                f"multipath_resilience is set, but the two VPCs are {where}: AWS supports "
                "multipath resilience only for inter-Region peering connections.",
                "Leave multipath_resilience out, or give both stacks explicit Regions if the "
                "VPCs are in different ones.",
            )
        ]
    if not accepter_side:
        return [
            Finding(
                path,
                rule_ids.MULTIPATH_WITHOUT_ACCEPTER_SIDE,
                "multipath_resilience is set with requester_only: the library allows it on "
                "the requester's side only, and AWS applies it only once the accepter allows "
                "it on its side as well.",
                "Ask the accepter VPC's owner to allow multipath resilience on their side "
                "(ModifyVpcPeeringConnectionOptions), then acknowledge this warning.",
                error=False,
            )
        ]
    return []


_AVAILABILITY_ZONE = re.compile(r"([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]")


def accepter_env_findings(
    path: str,
    *,
    accepter_account: str | None,
    accepter_region: str | None,
    requester_region: str,
    vpc_account: str | None = None,
    vpc_region: str | None = None,
    vpc_words: str = "",
) -> list[Finding]:
    """Return the problems of an ``accepter_account`` or ``accepter_region`` given by hand.

    An account id is 12 digits; a Region is a Region's name, not an Availability Zone's
    (``us-east-1a``). ``vpc_account`` and ``vpc_region``: the accepter VPC's own account
    and Region where they are known (its stack's, for a VPC built in the app; those it was
    imported with), which a value given by hand must not contradict; ``vpc_words`` names
    the VPC and where they come from. Tokens are not judged.
    """
    findings: list[Finding] = []
    for param, given, known, what in (
        ("accepter_account", accepter_account, vpc_account, "account"),
        ("accepter_region", accepter_region, vpc_region, "Region"),
    ):
        if given is None or known is None or not differs(given, known):
            continue
        findings.append(
            Finding(
                path,
                rule_ids.ACCEPTER_ENVIRONMENT_CONTRADICTED,
                f"{param} {given!r} contradicts {vpc_words}, whose {what} is {known}: the "
                "connection would ask for the accepter VPC where it is not.",
                f"Leave {param} out: the library reads the accepter VPC's {what} itself. To "
                f"peer with a VPC of {what} {given}, give that VPC as accepter_vpc (defined "
                f"in a stack of that {what}, or imported with it).",
            )
        )
    if (
        accepter_account is not None
        and not is_token(accepter_account)
        and not is_account_id(accepter_account)
    ):
        findings.append(
            Finding(
                path,
                rule_ids.INVALID_ACCOUNT,
                f"accepter_account {accepter_account!r} is not an AWS account id (12 digits).",
                "Give the accepter VPC's account id: 12 digits, as a string, leading zeros "
                "kept (for example '012345678901'), or leave it out for the account of the "
                "accepter VPC's stack.",
            )
        )
    if accepter_region is not None and _not_a_region(accepter_region, requester_region):
        zone = _AVAILABILITY_ZONE.fullmatch(accepter_region)
        findings.append(
            Finding(
                path,
                rule_ids.INVALID_REGION,
                f"accepter_region {accepter_region!r} is not an AWS Region"
                + (f": it names an Availability Zone of {zone[1]}." if zone else "."),
                (
                    f"Give accepter_region={zone[1]!r}."
                    if zone
                    else "Give the accepter VPC's Region (for example eu-west-1)."
                )
                + " Leave it out for the Region of the accepter VPC's stack.",
            )
        )
    return findings
