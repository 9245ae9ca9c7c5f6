# ruff: noqa: B009, B010 (moto's classes are patched with setattr, as mypy cannot check them)
"""The shared emulator's moto server, running cdk_peering's own deploy-time handler too.

    python tests/emulator/moto_shims.py --port 5123

The shared emulator (``../shared/tools/emulator``, a development tool outside this
repository) runs aws-cdk-lib's ``Custom::AWS`` calls itself (its shim S7) and marks every
other custom resource complete without running anything. cdk_peering's settings are
custom resources of its own (``Custom::PeeringConnectionOptions`` and the others of
cdk_peering/cdk/handler.py), run by a Lambda function moto cannot invoke (no Docker).
This file applies the shared shims, then these, in the moto server's process:

L1  cdk_peering's custom resources: the handler's code is read from the Lambda function
    the resource's ServiceToken names (its inline ``index.py``, as deployed) and its
    ``handle`` runs with CloudFormation's request (properties as strings), against this
    server, in the stack's account and Region. A failure fails the stack operation. A
    ``Custom::AWS`` resource whose provider function now runs ``index.retired`` (context
    ``cdk-peering:retireAwsCustomResourceProvider``) is deleted without its call.
L2  A stack update creates and updates first and deletes the resources gone from the
    template last (CloudFormation's clean-up phase); moto deletes them first, so a
    renamed custom resource's delete would run before its successor's create.
L3  Route 53 ``ListHostedZonesByVPC`` lists zones of every account (moto: the caller's).
L4  Route 53 ``ListVPCAssociationAuthorizations`` (moto has none), from the shared shim
    S15's record of the authorizations.
L5  EC2 ``DescribeVpcEndpointConnections`` (moto has none): the endpoints of the
    caller's services, any account, with their state.

What this does not emulate: IAM (the handler's calls are not checked against its role's
policy), CloudFormation's rollback of a failed create, response URLs and timeouts.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import sys
import types
import uuid
import zipfile
from pathlib import Path
from typing import Any


def _emulator() -> Path:
    """The shared emulator: $CDK_PEERING_EMULATOR, else the nearest shared/tools/emulator
    above this checkout (``../shared`` of the main checkout, ``../../shared`` of a worktree)."""
    if os.environ.get("CDK_PEERING_EMULATOR"):
        return Path(os.environ["CDK_PEERING_EMULATOR"])
    for parent in Path(__file__).resolve().parents:
        if (parent / "shared/tools/emulator/moto_shims.py").exists():
            return parent / "shared/tools/emulator"
    return Path("shared/tools/emulator")


EMULATOR = _emulator()
HANDLED: dict[str, types.ModuleType] = {}  # the handler's code, by its text
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.deploy_events import as_cloudformation_sends  # noqa: E402 (the checkout's)


def _shared() -> Any:
    """The shared emulator's moto_shims module."""
    spec = importlib.util.spec_from_file_location("shared_moto_shims", EMULATOR / "moto_shims.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no shared emulator at {EMULATOR} (set CDK_PEERING_EMULATOR)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply(port: int) -> list[str]:
    """Apply the shared shims and L1-L5; return the names of those applied."""
    shared = _shared()
    shared.apply_shims(port)
    applied: list[str] = list(shared.PATCHED)

    import boto3
    import botocore.config
    from moto.awslambda.utils import get_backend as lambda_backend
    from moto.cloudformation import parsing
    from moto.cloudformation.custom_model import CustomModel
    from moto.cloudformation.exceptions import ValidationError
    from moto.core.responses import ActionResult
    from moto.ec2.models import ec2_backends
    from moto.ec2.responses import EC2Response
    from moto.route53.models import Route53Backend, route53_backends
    from moto.route53.responses import Route53 as Route53Response

    endpoint = f"http://127.0.0.1:{port}"
    config = botocore.config.Config(retries={"max_attempts": 1})

    # ------------------------------------------------------------ L1 cdk_peering's handler
    def handler_of(service_token: str, account: str, region: str) -> types.ModuleType | None:
        function = lambda_backend(account, region).get_function(service_token)
        code = getattr(function, "code_bytes", b"")
        try:
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                text = archive.read("index.py").decode()
        except (zipfile.BadZipFile, KeyError):
            return None
        if "def handle(" not in text or "SETTINGS" not in text:
            return None
        if text not in HANDLED:
            module = types.ModuleType(f"cdk_peering_handler_{len(HANDLED)}")
            exec(compile(text, "index.py", "exec"), module.__dict__)  # the deployed code
            setattr(module, "sleep", lambda seconds: None)
            HANDLED[text] = module
        return HANDLED[text]

    def clients(account: str, region: str) -> Any:
        made: dict[str, Any] = {}

        def client(service: str) -> Any:
            if service not in made:
                made[service] = boto3.client(
                    service,
                    region_name=region,
                    endpoint_url=endpoint,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    config=config,
                )
                made[service].meta.events.register(
                    "before-sign.*.*",
                    lambda request, **_: request.headers.__setitem__("x-moto-account-id", account),
                )
            return made[service]

        return client

    def run(resource: Any, request: str, props: dict[str, Any], **more: Any) -> str:
        event = {
            "RequestType": request,
            "ResourceType": resource.resource_type,
            "LogicalResourceId": resource.logical_id,
            "StackId": resource.stack_id,
            "RequestId": str(uuid.uuid4()),
            "ResourceProperties": as_cloudformation_sends(props),
            **more,
        }
        try:
            answer: str = resource.handler.handle(
                event, clients(resource.account_id, resource.region_name)
            )
        except Exception as error:
            raise ValidationError(
                message=f"{resource.resource_type} {resource.logical_id} {request} failed: {error}"
            ) from None
        return answer

    previous_create = getattr(CustomModel, "create_from_cloudformation_json").__func__
    previous_update = getattr(CustomModel, "update_from_cloudformation_json").__func__
    previous_delete = getattr(CustomModel, "delete")

    def create(
        cls: Any,
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = cloudformation_json["Properties"]
        token = props.get("ServiceToken", "")
        module = (
            handler_of(token, account_id, region_name)
            if kwargs["ResourceType"] != "Custom::AWS"
            else None
        )
        if module is None:
            return previous_create(
                cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
            )
        resource = cls(region_name, "cdk-peering", kwargs["LogicalId"], resource_name)
        resource.account_id, resource.stack_id, resource.handler = (
            account_id,
            kwargs["StackId"],
            module,
        )
        resource.resource_type, resource.properties = kwargs["ResourceType"], props
        resource.resource_name = run(resource, "Create", props)
        resource.set_data({})
        return resource

    def update(
        cls: Any,
        /,
        original: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        if getattr(original, "handler", None) is None:
            return previous_update(
                cls, original, new_resource_name, cloudformation_json, account_id, region_name
            )
        props = cloudformation_json["Properties"]
        old_props, old_id = original.properties, original.resource_name
        new_id = run(
            original,
            "Update",
            props,
            PhysicalResourceId=old_id,
            OldResourceProperties=as_cloudformation_sends(old_props),
        )
        if new_id != old_id:  # CloudFormation deletes the old physical id in clean-up
            run(original, "Delete", old_props, PhysicalResourceId=old_id)
        original.resource_name, original.properties = new_id, props
        return original

    def retired(resource: Any) -> bool:
        """A Custom::AWS resource whose provider cdk_peering retired (index.retired)."""
        if getattr(resource, "resource_type", None) != "Custom::AWS":
            return False
        token = resource.properties.get("ServiceToken", "")
        function = lambda_backend(resource.account_id, resource.region_name).get_function(token)
        return str(getattr(function, "handler", "")) == "index.retired"

    def delete(self: Any, account_id: str, region_name: str) -> None:
        if getattr(self, "handler", None) is not None:
            run(self, "Delete", self.properties, PhysicalResourceId=self.resource_name)
        elif not retired(self):  # the retired provider answers without a call
            previous_delete(self, account_id, region_name)

    setattr(CustomModel, "create_from_cloudformation_json", classmethod(create))
    setattr(CustomModel, "update_from_cloudformation_json", classmethod(update))
    setattr(CustomModel, "delete", delete)
    applied.append("L1")

    # ------------------------------------------------------------ L2 clean-up last
    def update_stack(
        self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None
    ) -> None:
        actions = self.build_resource_diff(template, parameters)
        removed = {name: self._resource_json_map[name] for name in actions["Remove"]}
        self._template = template
        if parameters:
            self.input_parameters = parameters
        self.load_mapping()
        self.load_parameters()
        self.load_conditions()
        self._resource_json_map = template["Resources"]
        for name in actions["Add"]:
            _ = self[name]
        for name in actions["Modify"]:
            self._parsed_resources[name] = parsing.parse_and_update_resource(
                name,
                self._resource_json_map[name],
                self,
                account_id=self._account_id,
                region_name=self._region_name,
            )
        # Clean-up: what the template no longer has, dependents first.
        needs = {
            name: {n for n in removed if n != name and n in json.dumps(res)}
            for name, res in removed.items()
        }
        order: list[str] = []
        while len(order) < len(removed):
            ready = [
                n
                for n in removed
                if n not in order and not any(m not in order and n in needs[m] for m in removed)
            ]
            order.extend(ready or [n for n in removed if n not in order])
        for name in order:
            parsed = self._parsed_resources.get(name)
            if (
                parsed is not None
                and not isinstance(parsed, str)
                and removed[name].get("DeletionPolicy") != "Retain"
            ):
                self._delete_resource(parsed, removed[name])
            self._parsed_resources.pop(name, None)

    setattr(parsing.ResourceMap, "update", update_stack)
    applied.append("L2")

    # ------------------------------------------------------------ L3 zones of every account
    by_vpc = Route53Backend.list_hosted_zones_by_vpc

    def zones_by_vpc(self: Any, vpc_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for account in list(route53_backends.keys()):
            found += by_vpc(route53_backends[account]["aws"], vpc_id)
        return found

    setattr(Route53Backend, "list_hosted_zones_by_vpc", zones_by_vpc)
    applied.append("L3")

    # ------------------------------------------------------------ L4 authorizations listed
    authorize = getattr(Route53Response, "create_vpc_association_authorization")
    cells = dict(
        zip(
            authorize.__code__.co_freevars,
            (c.cell_contents for c in authorize.__closure__ or ()),
            strict=True,
        )
    )
    authorizations: set[tuple[str, str, str]] = cells["authorizations"]  # S15's own record

    def list_authorizations(self: Any) -> Any:
        zone_id = self._get_param("HostedZoneId").split("/")[-1]
        listed = [
            {"VPCId": vpc, "VPCRegion": region}
            for zone, vpc, region in sorted(authorizations)
            if zone.split("/")[-1] == zone_id
        ]
        return ActionResult({"HostedZoneId": zone_id, "VPCs": listed})

    setattr(Route53Response, "list_vpc_association_authorizations", list_authorizations)
    applied.append("L4")

    # ------------------------------------------------------------ L5 endpoint connections
    def endpoint_connections(self: Any) -> Any:
        account, region = self.current_account, self.region
        filters: dict[str, Any] = self._filters_from_querystring()
        services = ec2_backends[account][region].configurations
        endpoints = [
            (acct, endpoint_id, found)
            for acct in list(ec2_backends.keys())
            for backend in list(ec2_backends[acct].values())
            for endpoint_id, found in backend.vpc_end_points.items()
        ]
        connections = [
            {
                "ServiceId": service_id,
                "VpcEndpointId": endpoint_id,
                "VpcEndpointOwner": acct,
                "VpcEndpointState": found.state,
            }
            for service_id, config in services.items()
            if service_id in filters.get("service-id", [service_id])
            for acct, endpoint_id, found in endpoints
            if found.service_name == config.service_name
            and endpoint_id in filters.get("vpc-endpoint-id", [endpoint_id])
        ]
        return ActionResult({"VpcEndpointConnections": connections})

    setattr(EC2Response, "describe_vpc_endpoint_connections", endpoint_connections)
    applied.append("L5")
    return applied


def main() -> None:
    """Start moto's server with the shared shims and L1-L5."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-shims", action="store_true", help="moto as released")
    args = parser.parse_args()
    applied = [] if args.no_shims else apply(args.port)
    print(f"moto shims applied: {', '.join(applied) or 'none'}", flush=True)
    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", "-p", str(args.port)])


if __name__ == "__main__":
    main()
