"""The PrivateLink access rules: who may connect to an endpoint service, from where.

An endpoint service is reached from its own Region and from its supported Regions
(``SupportedRegions``) only, and by its own account and the principals of its
permissions (``AllowedPrincipals``) only; an endpoint elsewhere fails to create
(PrivateLink guide, "Share your services through AWS PrivateLink", Cross-Region access;
"Configure an endpoint service", Manage permissions).
"""

from __future__ import annotations

from .. import rule_ids
from ..findings import Finding
from ..model.privatelink import EndpointServiceModel
from ..model.tokens import is_token


def region_problems(
    path: str, service: EndpointServiceModel, service_region: str | None, own_region: str
) -> list[Finding]:
    """Return the problem of an endpoint in a Region the service does not allow."""
    home = service.region or service_region
    allowed = service.allowed_regions
    if home is None or allowed is None or own_region == home:
        return []
    if any(is_token(value) for value in (home, own_region, *allowed)) or own_region in allowed:
        return []
    others = f"and from {', '.join(allowed)}" if allowed else "only (no allowed_regions)"
    return [
        Finding(
            path,
            rule_ids.ENDPOINT_REGION_NOT_ALLOWED,
            f"The endpoint is in {own_region}, but the service {service.label} accepts "
            f"endpoints from its own Region {home} {others}: the endpoint would fail to "
            "create.",
            f"Add {own_region!r} to the service's allowed_regions, or define the endpoint in "
            f"a stack of {home}.",
        )
    ]


def account_problems(path: str, service: EndpointServiceModel, own_account: str) -> list[Finding]:
    """Return the problem of an endpoint in an account the service's principals omit."""
    account, principals = service.account, service.allowed_principals
    if account is None or principals is None or own_account == account:
        return []
    if any(is_token(value) for value in (account, own_account, *principals)):
        return []
    if any(covers(arn, own_account) for arn in principals):
        return []
    others = f"only {', '.join(principals)}" if principals else "no other account"
    return [
        Finding(
            path,
            rule_ids.ENDPOINT_ACCOUNT_NOT_ALLOWED,
            f"The endpoint is in account {own_account}, but the service {service.label} of "
            f"account {account} allows {others}: the endpoint would fail to create.",
            f"Add iam.ArnPrincipal('arn:aws:iam::{own_account}:root') (or a role of account "
            f"{own_account}) to the service's allowed_principals.",
        )
    ]


def covers(arn: str, account: str) -> bool:
    """Tell whether an allowed principal lets principals of ``account`` connect."""
    if arn == "*":
        return True
    # arn:<partition>:iam::<account>:root, :role/<name> or :user/<name>
    parts = arn.split(":", 5)
    return (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[2] == "iam"
        and parts[4] == account
        and (parts[5] == "root" or parts[5].startswith(("role/", "user/")))
    )
