"""Private hosted zone names that take over a whole public name space in another account.

Route 53 Resolver answers a VPC's query from a private hosted zone associated with the VPC
whenever the zone's name matches the queried name, and when that zone has no record for
it, answers NXDOMAIN instead of asking public DNS (Route 53 developer guide,
"Considerations when working with a private hosted zone", public and private hosted zones
that have overlapping namespaces). A zone named for a whole top-level domain (``com``,
``internal``) or a public suffix (``amazonaws.com``, ``co.uk``) therefore answers, in
every VPC it is associated with, every name under it: in another account's VPC that
owner's AWS API endpoints, instance host names or public sites stop resolving, or resolve
to this app's records.

The names judged, without the Public Suffix List (no data the library would have to
ship and keep current):

* a single label: any top-level domain, ``com`` as much as ``internal`` or ``local``;
* AWS's own DNS suffixes: ``amazonaws.com`` (``amazonaws.com.cn``), ``api.aws``, each
  Region's ``<region>.amazonaws.com``, and EC2's private host names, ``ec2.internal``,
  ``compute.internal`` and ``<region>.compute.internal``;
* a second-level registry suffix under a two-letter country code (``co.uk``,
  ``com.au``, ``ne.jp``, ...): ``ac``, ``co``, ``com``, ``edu``, ``go``, ``gov``,
  ``ne``, ``net``, ``or``, ``org`` followed by a two-letter label.

A zone named for one AWS service's endpoint (``sqs.us-east-1.amazonaws.com``, the
documented way to resolve an interface endpoint in peered VPCs) is not one of them.
"""

from __future__ import annotations

import re

from .. import rule_ids
from ..findings import Finding
from ..model.regions import is_region_name
from ..model.tokens import is_token

_AWS_SUFFIXES = frozenset(
    {"amazonaws.com", "amazonaws.com.cn", "api.aws", "ec2.internal", "compute.internal"}
)
_REGIONAL_AWS_SUFFIX = re.compile(r"([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|compute\.internal)")
_REGISTRY_SUFFIX = re.compile(r"(?:ac|co|com|edu|go|gov|ne|net|or|org)\.[a-z]{2}")


def public_name_space(zone_name: str) -> str | None:
    """Return what kind of public name space ``zone_name`` is, or None for an ordinary name.

    ``zone_name`` may end with a dot and use capitals; a token is not judged.
    """
    if is_token(zone_name):
        return None
    name = zone_name.lower().removesuffix(".")
    if "." not in name:
        return "a whole top-level domain"
    if name in _AWS_SUFFIXES:
        return "an AWS DNS suffix"
    regional = _REGIONAL_AWS_SUFFIX.fullmatch(name)
    if regional is not None and is_region_name(regional.group(1)):
        return "an AWS Region's DNS suffix"
    if _REGISTRY_SUFFIX.fullmatch(name):
        return "a public suffix"
    return None


def public_zone_findings(
    path: str, zone_name: str, vpc_path: str, vpc_account: str
) -> list[Finding]:
    """Return the warning when a zone named for a public name space reaches another account.

    ``vpc_path`` and ``vpc_account`` name the other account's VPC the zone is associated
    with.
    """
    kind = public_name_space(zone_name)
    if kind is None:
        return []
    name = zone_name.lower().removesuffix(".")
    return [
        Finding(
            path,
            rule_ids.ZONE_NAMED_FOR_PUBLIC_NAME_SPACE,
            f"The private hosted zone {name} is named for {kind}, and is associated with "
            f"{vpc_path} of account {vpc_account}: in that VPC it answers every name under "
            f"{name}, and names it has no record for stop resolving (NXDOMAIN), the other "
            "account's AWS endpoints and public names included.",
            "Name the zone for the service alone (zone_name or dns_name such as "
            "orders.example.internal), or acknowledge this warning if taking over the name "
            "in that VPC is intended.",
            error=False,
        )
    ]
