"""The shared emulator's deploy_check.py, with cdk_peering's own custom resources run and checked.

    PY=/tmp/cdk-peering-deploy-venv/bin/python     # the shared emulator's setup.sh makes it
    $PY tests/emulator/deploy_check.py cdk.out -v
    $PY tests/emulator/deploy_check.py A_OUT --then B_OUT

Everything the shared ``deploy_check.py`` does (``../shared/tools/emulator``, whose
README says what), with moto started from this directory's ``moto_shims.py`` (the shared
shims, then L1-L5: cdk_peering's handler runs, and a stack update deletes last), and
these checks after each deploy and move, for every resource of cdk_peering's handler:

* ``Custom::PeeringConnectionOptions``: each option it manages has its value on its side;
* ``Custom::PeeringConnectionTags``: the accepter's view of the connection has the tags;
* ``Custom::ZoneAssociationAuthorization``: the zone's account authorizes the VPC;
* ``Custom::ZoneAssociation``: the zone is associated with the VPC;
* ``Custom::EndpointAcceptance``: each endpoint is ``available``;
* every resource that owns its setting has its mark (a ``cdk-peering:owner:*`` tag, or its
  word in a zone's ``cdk-peering:owners:<n>`` tags) on what it changes, and no mark there
  belongs to a resource the app no longer has.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
moto_shims: Any = importlib.import_module("moto_shims")  # this directory's, beside the script
from cdk_peering.cdk.handler import (  # noqa: E402 (the checkout's, on the path moto_shims set)
    ASSOCIATION,
    AUTHORIZATION,
    OPTIONS,
    OWNER_KEY,
    SETTINGS,
    TAGS,
    ZoneMarkers,
)


def _shared() -> Any:
    spec = importlib.util.spec_from_file_location(
        "shared_deploy_check", moto_shims.EMULATOR / "deploy_check.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"no shared emulator at {moto_shims.EMULATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["shared_deploy_check"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    """Run the shared deploy_check with this directory's moto and the checks above."""
    shared = _shared()
    shared.HERE = HERE  # Moto() starts HERE / "moto_shims.py"
    checker_run = shared.Checker.run

    def run(self: Any, phase: str, stacks: list[Any]) -> Any:
        net = checker_run(self, phase, stacks)
        owners: dict[tuple[str, str, str, str], set[str]] = {}  # marked thing -> tokens
        for stack in stacks:
            if stack.name not in self.deployer.processed:
                continue
            template = self.deployer.processed[stack.name]
            ids = self.physical_ids(stack)
            for logical, resource in template["Resources"].items():
                kind = resource["Type"]
                if kind not in SETTINGS:
                    continue
                where = f"{stack.name}/{resource.get('Metadata', {}).get('aws:cdk:path', logical)}"
                try:
                    props = {
                        k: resolve(self, v, stack, ids, net)
                        for k, v in resource["Properties"].items()
                        if k != "ServiceToken"
                    }
                    marked = check_setting(self, phase, where, stack, kind, props, net)
                except KeyError as error:
                    self.report.problem(phase, where, f"{kind} cannot be checked ({error})")
                    continue
                if marked is not None:
                    owners.setdefault((*marked, stack.account, stack.region), set()).add(
                        ids.get(logical, "").rsplit("/", 1)[-1]
                    )
        for (service, thing, account, region), tokens in owners.items():
            marks = set(marks_on(self.moto, service, thing, account, region))
            for token in sorted(tokens - marks):
                self.report.problem(phase, thing, f"no owner's mark {OWNER_KEY}{token}")
            for token in sorted(marks - tokens):
                self.report.problem(
                    phase,
                    thing,
                    f"{OWNER_KEY}{token}: the mark of a resource the app no longer has",
                )
            self.report.count("owners' marks checked", len(tokens))
        return net

    shared.Checker.run = run
    return int(shared.main())


def resolve(checker: Any, value: Any, stack: Any, ids: dict[str, str], net: Any) -> Any:
    """Evaluate the intrinsics inside a property value (the shared checker's, per value)."""
    if isinstance(value, list):
        return [resolve(checker, each, stack, ids, net) for each in value]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::")):
            return checker.resolve(value, stack, ids, net)
        return {key: resolve(checker, each, stack, ids, net) for key, each in value.items()}
    return value


def check_setting(
    checker: Any, phase: str, where: str, stack: Any, kind: str, props: dict[str, Any], net: Any
) -> tuple[str, str] | None:
    """Check one of cdk_peering's custom resources against what EC2 and Route 53 say.

    Return where its owner's mark is (service, resource id), if it has one.
    """
    report = checker.report
    ec2 = checker.moto.client("ec2", stack.account, stack.region)
    if kind == OPTIONS:
        pcx = net.pcxs.get(props["VpcPeeringConnectionId"])
        if pcx is None:
            report.problem(
                phase, where, f"options of a missing connection {props['VpcPeeringConnectionId']}"
            )
            return None
        got = pcx["options"][props["Side"].lower()]
        for name, wanted in props["Options"].items():
            if bool(got.get(name)) != bool(wanted):
                report.problem(
                    phase, where, f"{props['Side']} {name} is {got.get(name)}, not {wanted}"
                )
            report.count("library options checked")
        return "ec2", props["VpcPeeringConnectionId"]
    if kind == TAGS:
        pcx_id = props["VpcPeeringConnectionId"]
        tags = tags_of(ec2, pcx_id)
        for tag in props["Tags"]:
            if tags.get(tag["Key"]) != tag["Value"]:
                report.problem(
                    phase,
                    where,
                    f"{pcx_id} in {stack.account}/{stack.region} has "
                    f"{tag['Key']}={tags.get(tag['Key'])!r}, not {tag['Value']!r}",
                )
        report.count("library tags checked")
        return "ec2", pcx_id
    if kind == AUTHORIZATION:
        route53 = checker.moto.client("route53", stack.account, stack.region)
        listed = route53.list_vpc_association_authorizations(HostedZoneId=props["HostedZoneId"])
        if {"VPCId": props["VpcId"], "VPCRegion": props["VpcRegion"]} not in listed["VPCs"]:
            report.problem(
                phase, where, f"{props['HostedZoneId']} does not authorize {props['VpcId']}"
            )
        report.count("library authorizations checked")
        return "route53", props["HostedZoneId"]
    if kind == ASSOCIATION:
        zone = net.zones.get(f"/hostedzone/{props['HostedZoneId']}") or net.zones.get(
            props["HostedZoneId"]
        )
        if zone is None or (props["VpcId"], props["VpcRegion"]) not in zone["vpcs"]:
            report.problem(
                phase, where, f"{props['VpcId']} is not associated with {props['HostedZoneId']}"
            )
        report.count("library zone associations checked")
        return "ec2", props["VpcId"]
    for endpoint_id in props["VpcEndpointIds"]:
        state = net.endpoints.get(endpoint_id, {}).get("State")
        if state != "available":
            report.problem(phase, where, f"endpoint {endpoint_id} is {state}, not accepted")
        report.count("library acceptances checked")
    return None


def marks_on(moto: Any, service: str, thing: str, account: str, region: str) -> list[str]:
    """The owners' tokens marked on one thing (EC2 resource or hosted zone)."""
    if service == "route53":
        found = moto.client("route53", account, region).list_tags_for_resource(
            ResourceType="hostedzone", ResourceId=thing
        )
        tags = {t["Key"]: t["Value"] for t in found["ResourceTagSet"].get("Tags", [])}
        return list(ZoneMarkers.owners(tags))
    tags = tags_of(moto.client("ec2", account, region), thing)
    return [key[len(OWNER_KEY) :] for key in tags if key.startswith(OWNER_KEY)]


def tags_of(ec2: Any, resource_id: str) -> dict[str, str]:
    """The EC2 tags of one resource, in the client's account and Region."""
    found = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])
    return {tag["Key"]: tag.get("Value", "") for tag in found["Tags"]}


if __name__ == "__main__":
    sys.exit(main())
