"""The service name rule: an interface endpoint names an endpoint service or an AWS service.

Names, as EC2 gives them (Amazon VPC PrivateLink guide, "Access AWS services" and "Share
your services"): an endpoint service is ``com.amazonaws.vpce.<region>.vpce-svc-<17 hex
digits>``; an AWS service is ``com.amazonaws.<region>.<service>`` (the service part may
hold dots, as in ``com.amazonaws.us-east-1.ecr.dkr``).
"""

from __future__ import annotations

import re

from .. import rule_ids
from ..findings import Finding
from ..model.regions import REGION_NAME
from ..model.tokens import is_token

_REGION = REGION_NAME.pattern
ENDPOINT_SERVICE_NAME = re.compile(rf"com\.amazonaws\.vpce\.{_REGION}\.vpce-svc-[0-9a-f]{{17}}")
AWS_SERVICE_NAME = re.compile(rf"com\.amazonaws\.{_REGION}\.[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*")


def service_name_problems(path: str, name: str, *, from_app: bool) -> list[Finding]:
    """Return the problem with an endpoint's service name; a token gets a warning.

    ``from_app``: the name comes from an endpoint service the app defines (a token that
    is known to be right, so no warning).
    """
    if is_token(name):
        if from_app:
            return []
        return [
            Finding(
                path,
                rule_ids.SERVICE_NAME_NOT_CHECKED,
                "Skipped checking the endpoint's service name: it is a value CloudFormation "
                "resolves at deploy time.",
                "Make sure it names an endpoint service (com.amazonaws.vpce.<region>."
                "vpce-svc-...) or an AWS service (com.amazonaws.<region>.<service>), then "
                "acknowledge this warning.",
                error=False,
            )
        ]
    if ENDPOINT_SERVICE_NAME.fullmatch(name) or AWS_SERVICE_NAME.fullmatch(name):
        return []
    if name.startswith("com.amazonaws.vpce."):
        reason = "an endpoint service's name ends in vpce-svc- and 17 hexadecimal digits"
    else:
        reason = "it names neither an endpoint service nor an AWS service"
    return [
        Finding(
            path,
            rule_ids.INVALID_SERVICE_NAME,
            f"service {name!r} is not a service name: {reason}.",
            "Give the endpoint service's name, com.amazonaws.vpce.<region>.vpce-svc-<17 hex "
            "digits> (a PrivateLinkService's service_name), or an AWS service's, "
            "com.amazonaws.<region>.<service> (for example com.amazonaws.us-east-1.s3).",
        )
    ]
