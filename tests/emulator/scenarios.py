"""Apps deployed one after the other on the emulator: a setting's resource renamed or moved.

    .venv/bin/python tests/emulator/scenarios.py OUT   # writes OUT/<scenario>-a, OUT/<scenario>-b
    $PY tests/emulator/deploy_check.py OUT/owners-a --then OUT/owners-b

``CDK_PEERING_SOURCE=DIR`` builds them with the cdk_peering package under DIR instead
(``git archive <commit> cdk_peering | tar -x -C DIR``: an earlier version's behaviour).
An upgrade from the 0.1 development line: ``OLD/owners-a --then NEW/owners-a``, NEW
built with ``cdk-peering:retireAwsCustomResourceProvider=true``.

``owners``: every kind of setting of cdk_peering's handler, then the same app with each
one's resource renamed (a new logical id in the same stack: CloudFormation creates the
successor, then deletes the old one) or moved to another stack that deploys first (the
accepter's options and tags, from ``AccepterX`` to ``AccepterY``). After the move the
options must still be on, the tags on the accepter's view, the zone associated.

``accepter-scope``: a peering whose accepter side (routes, DNS option, multipath, tags)
is in the library's stack, then in a stack of the app (``accepter_scope=AwaySide``): the
library's stack is gone from the app and deleted first (the README's procedure), then
the app's stack takes the side over.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_route53 as route53

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
if os.environ.get("CDK_PEERING_SOURCE"):  # another version of the package (a release's)
    sys.path.insert(0, os.environ["CDK_PEERING_SOURCE"])

from cdk_peering import PeeringConnectionOptions, PeeringSide, VpcPeering  # noqa: E402
from cdk_peering.peering.tags import PeeringConnectionTags  # noqa: E402
from cdk_peering.privatelink.zone_association import (  # noqa: E402
    ZoneAssociation,
    ZoneAssociationAuthorization,
)
from tests.conftest import CDK_JSON_CONTEXT, COMMITTED_CONTEXT  # noqa: E402

HOME = cdk.Environment(account="111111111111", region="us-east-1")
AWAY = cdk.Environment(account="111111111111", region="eu-west-1")
PARTNER = cdk.Environment(account="222222222222", region="us-east-1")


def _vpc(stack: cdk.Stack, id: str, cidr: str) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        max_azs=1,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )


def owners(app: cdk.App, *, moved: bool) -> None:
    """Every kind of owned setting; ``moved``: each resource renamed or moved."""
    renamed = "Renamed" if moved else ""
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=AWAY)
    partner = cdk.Stack(app, "Partner", env=PARTNER)
    x = cdk.Stack(app, "AccepterX", env=AWAY)
    y = cdk.Stack(app, "AccepterY", env=AWAY)
    a = _vpc(home, "A", "10.0.0.0/16")
    b = _vpc(away, "B", "10.1.0.0/16")
    p = _vpc(partner, "P", "10.2.0.0/16")
    peering = VpcPeering(home, "AToB", requester_vpc=a, accepter_vpc=b, name="a-b")
    PeeringConnectionOptions(
        home,
        f"{renamed}RequesterOptions",
        peering_connection_id=peering.peering_connection_id,
        side=PeeringSide.REQUESTER,
        allow_dns_resolution_from_remote_vpc=True,
        allow_multipath_resilience=True,
    )
    side = y if moved else x
    for stack in (x, y):
        stack.add_dependency(home)
        # Something of the app's own, so that neither stack is ever empty.
        ec2.CfnVPC(stack, "Spare", cidr_block="10.9.0.0/16")
    if moved:
        x.add_dependency(y)  # the new home of the accepter's settings deploys first
    PeeringConnectionOptions(
        side,
        "AccepterOptions",
        peering_connection_id=peering.peering_connection_id,
        side=PeeringSide.ACCEPTER,
        allow_dns_resolution_from_remote_vpc=True,
        allow_multipath_resilience=True,
    )
    PeeringConnectionTags(
        side,
        "AccepterTags",
        peering_connection_id=peering.peering_connection_id,
        connection=peering.peering_connection,
        name="a-b",
    )
    zone = route53.PrivateHostedZone(home, "Zone", zone_name="owners.example.internal", vpc=a)
    home.add_dependency(partner)
    ZoneAssociationAuthorization(
        home,
        f"{renamed}Authorization",
        hosted_zone_id=zone.hosted_zone_id,
        vpc_id=p.vpc_id,
        vpc_region=PARTNER.region or "",
    )
    link = cdk.Stack(app, "PartnerLink", env=PARTNER)
    link.add_dependency(home)
    ZoneAssociation(
        link,
        f"{renamed}Association",
        hosted_zone_id=zone.hosted_zone_id,
        vpc_id=p.vpc_id,
        vpc_region=PARTNER.region or "",
    )


def accepter_scope(app: cdk.App, *, moved: bool) -> None:
    """A peering's accepter side in the library's stack, then (``moved``) in AwaySide."""
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=AWAY)
    side = cdk.Stack(app, "AwaySide", env=AWAY)
    ec2.CfnVPC(side, "Spare", cidr_block="10.9.0.0/16")  # never empty
    a = _vpc(home, "A", "10.0.0.0/16")
    b = _vpc(away, "B", "10.1.0.0/16")
    VpcPeering(
        home,
        "AToB",
        requester_vpc=a,
        accepter_vpc=b,
        name="a-b",
        requester_resolves_accepter_dns=True,
        accepter_resolves_requester_dns=True,
        multipath_resilience=True,
        accepter_scope=side if moved else None,
    )


SCENARIOS: dict[str, Callable[..., None]] = {
    "owners": owners,
    "accepter-scope": accepter_scope,
}


def main() -> None:
    """Synthesize every scenario's two apps under the directory given (then context
    entries ``key=value``, e.g. ``cdk-peering:retireAwsCustomResourceProvider=true``)."""
    out = Path(sys.argv[1])
    extra = dict(entry.split("=", 1) for entry in sys.argv[2:])
    for name, build in SCENARIOS.items():
        for moved, suffix in ((False, "a"), (True, "b")):
            app = cdk.App(
                outdir=str(out / f"{name}-{suffix}"),
                context={**CDK_JSON_CONTEXT, **COMMITTED_CONTEXT, **extra},
            )
            build(app, moved=moved)
            app.synth()
            print(out / f"{name}-{suffix}")


if __name__ == "__main__":
    main()
