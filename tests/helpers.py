"""Small builders shared by the test modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template
from constructs import Construct, IConstruct

from cdk_peering import PrivateLinkService, Problem, ValidationError
from cdk_peering.cdk import handler
from cdk_peering.model.plan import PeeringPlan, PlannedRoute
from cdk_peering.model.vpc import VpcModel
from tests.conftest import new_app

PUBLIC_AND_ISOLATED = [
    ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
    ec2.SubnetConfiguration(name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
]


def make_vpc(
    scope: cdk.Stack,
    id: str,
    cidr: str,
    *,
    ipv6: bool = False,
    isolated_only: bool = False,
) -> ec2.Vpc:
    """Define a two-zone VPC: public and isolated subnets (4 route tables), or isolated only."""
    return ec2.Vpc(
        scope,
        id,
        ip_addresses=ec2.IpAddresses.cidr(cidr),
        ip_protocol=ec2.IpProtocol.DUAL_STACK if ipv6 else ec2.IpProtocol.IPV4_ONLY,
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=([PUBLIC_AND_ISOLATED[1]] if isolated_only else PUBLIC_AND_ISOLATED),
    )


def imported_vpc(scope: cdk.Stack, index: int, *, tables: int = 1) -> ec2.IVpc:
    """Import a VPC 10.<index>.0.0/16 with ``tables`` isolated subnets (one table each)."""
    return ec2.Vpc.from_vpc_attributes(
        scope,
        f"Vpc{index}",
        vpc_id=f"vpc-{index:08x}",
        vpc_cidr_block=f"10.{index}.0.0/16",
        availability_zones=[f"us-east-1{'abcdef'[t]}" for t in range(tables)],
        isolated_subnet_ids=[f"subnet-{index:04x}{t:04x}" for t in range(tables)],
        isolated_subnet_route_table_ids=[f"rtb-{index:04x}{t:04x}" for t in range(tables)],
    )


# --- Apps of several environments

HOME = cdk.Environment(account="111111111111", region="us-east-1")
OTHER_REGION = cdk.Environment(account="111111111111", region="eu-west-1")
OTHER_ACCOUNT = cdk.Environment(account="222222222222", region="us-east-1")
AZ_CONTEXT = {
    f"availability-zones:account={env.account}:region={env.region}": [
        f"{env.region}a",
        f"{env.region}b",
    ]
    for env in (HOME, OTHER_REGION, OTHER_ACCOUNT)
}


def env_app(**context: Any) -> cdk.App:
    """An App with zones for HOME, OTHER_REGION and OTHER_ACCOUNT (and more context)."""
    return new_app(**AZ_CONTEXT, **context)


def inter_region_pair(**context: Any) -> tuple[cdk.App, cdk.Stack, cdk.Stack, ec2.Vpc, ec2.Vpc]:
    """Return an app with VPC A (10.0.0.0/16) in us-east-1 and B (10.1.0.0/16) in eu-west-1."""
    app = env_app(**context)
    home = cdk.Stack(app, "Home", env=HOME)
    away = cdk.Stack(app, "Away", env=OTHER_REGION)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(away, "B", "10.1.0.0/16", isolated_only=True)
    return app, home, away, a, b


def cross_account_pair(
    third: str,
) -> tuple[cdk.App, cdk.Stack, cdk.Stack, ec2.Vpc, ec2.Vpc]:
    """Return an app, Home with VPC A (10.0.0.0/16), a stack ``third`` of the partner
    account, and VPC B (10.1.0.0/16) in the partner's stack Partner."""
    app = env_app()
    home = cdk.Stack(app, "Home", env=HOME)
    partner = cdk.Stack(app, "Partner", env=OTHER_ACCOUNT)
    other = cdk.Stack(app, third, env=OTHER_ACCOUNT)
    a = make_vpc(home, "A", "10.0.0.0/16", isolated_only=True)
    b = make_vpc(partner, "B", "10.1.0.0/16", isolated_only=True)
    return app, home, other, a, b


def privatelink_service(scope: Construct, **props: Any) -> PrivateLinkService:
    """The service Orders on port 443, in a VPC ServiceVpc (10.9.0.0/16, isolated subnets):
    in ``scope`` when it is a stack, else in a new stack Provider of HOME."""
    stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack(scope, "Provider", env=HOME)
    vpc = make_vpc(stack, "ServiceVpc", "10.9.0.0/16", isolated_only=True)
    return PrivateLinkService(stack, "Orders", vpc=vpc, port=443, **props)


NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
"""Names of the VPCs the topology tests build: 10.<index>.0.0/16."""


def isolated_tables(vpc: ec2.Vpc) -> list[Key]:
    """Return (stack name, logical id) of the route tables of a VPC's isolated subnets."""
    stack = cdk.Stack.of(vpc)
    return [
        (stack.stack_name, stack.resolve(subnet.route_table.route_table_id)["Ref"])
        for subnet in vpc.isolated_subnets
    ]


def cross_stack_reads(assembly: cdk.cx_api.CloudAssembly) -> dict[str, set[str]]:
    """Return, per stack, how its template reads other stacks: ``export``
    (Fn::ImportValue), ``weak`` (Fn::GetStackOutput), ``ssm-reader`` (CDK's cross-region
    ExportsReader custom resource)."""
    found: dict[str, set[str]] = {}
    for artifact in assembly.stacks:
        text = json.dumps(artifact.template)
        found[artifact.stack_name] = {
            mechanism
            for mechanism, marker in (
                ("export", "Fn::ImportValue"),
                ("weak", "Fn::GetStackOutput"),
                ("ssm-reader", "ExportsReader"),
            )
            if marker in text
        }
    return found


def warnings_on(construct: IConstruct) -> list[str]:
    """Return the warnings (with their ``[ack: id]``) added to one construct.

    Read from its metadata, as ``cdk synth`` would copy them into the cloud assembly,
    without synthesizing the app (``Annotations.from_stack`` synthesizes it every call).
    """
    return [
        entry.data
        for entry in construct.node.metadata
        if entry.type == "aws:cdk:warning" and isinstance(entry.data, str)
    ]


def only_problem(raised: pytest.ExceptionInfo[ValidationError], path: str, rule: str) -> Problem:
    """Return the one problem of a ValidationError, checking its construct path and rule."""
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == (path, rule)
    return problem


def peering_routes(template: Template, connection_logical_id: str) -> list[dict[str, Any]]:
    """Return the Properties of every route through one peering connection."""
    routes = template.find_resources("AWS::EC2::Route")
    return [
        resource["Properties"]
        for resource in routes.values()
        if resource["Properties"].get("VpcPeeringConnectionId") == {"Ref": connection_logical_id}
    ]


def route_table_refs(stack: cdk.Stack, vpc: ec2.IVpc, *subnets: ec2.ISubnet) -> set[str]:
    """Return the logical ids of the route tables of the given subnets (default: all)."""
    chosen = subnets or (*vpc.public_subnets, *vpc.private_subnets, *vpc.isolated_subnets)
    return {stack.resolve(subnet.route_table.route_table_id)["Ref"] for subnet in chosen}


def destinations_by_table(routes: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Group route destinations (IPv4 text or resolved IPv6 JSON) by route table ref."""
    grouped: dict[str, set[str]] = {}
    for route in routes:
        table: Any = route["RouteTableId"]
        key = cast(str, table["Ref"] if isinstance(table, dict) else table)
        destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        grouped.setdefault(key, set()).add(
            destination if isinstance(destination, str) else repr(destination)
        )
    return grouped


def deploy_order(assembly: cdk.cx_api.CloudAssembly) -> list[str]:
    """Order the stacks as `cdk deploy --all` may: every stack after its dependencies."""
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    stacks: dict[str, Any] = {
        name: artifact
        for name, artifact in manifest["artifacts"].items()
        if artifact["type"] == "aws:cloudformation:stack"
    }
    order: list[str] = []
    while len(order) < len(stacks):
        ready = [
            name
            for name, artifact in stacks.items()
            if name not in order
            and all(d in order for d in artifact.get("dependencies", []) if d in stacks)
        ]
        assert ready, f"dependency cycle among {sorted(set(stacks) - set(order))}"
        order.extend(sorted(ready))
    return order


Key = tuple[str, str]
"""(stack name, logical id)."""


class Assembly:
    """Every stack of a synthesized app, with Fn::GetStackOutput followed to its value."""

    def __init__(self, assembly: cdk.cx_api.CloudAssembly) -> None:
        self.assembly = assembly
        self.templates: dict[str, dict[str, Any]] = {
            stack.stack_name: stack.template for stack in assembly.stacks
        }
        self.names = {stack.id: stack.stack_name for stack in assembly.stacks}

    def resolve(self, value: Any, stack: str) -> Any:
        """Return a value as (stack name, logical id) when it references a resource."""
        if isinstance(value, dict) and "Fn::GetStackOutput" in value:
            ref = value["Fn::GetStackOutput"]
            source = ref["StackName"]
            output = self.templates[source]["Outputs"][ref["OutputName"]]["Value"]
            return self.resolve(output, source)
        if isinstance(value, dict) and "Ref" in value:
            return (stack, value["Ref"])
        return value

    def resources(self, kind: str) -> dict[Key, dict[str, Any]]:
        """Return every resource of a type, by (stack name, logical id), references followed."""
        found: dict[Key, dict[str, Any]] = {}
        for name, template in self.templates.items():
            for logical_id, resource in template.get("Resources", {}).items():
                if resource["Type"] == kind:
                    found[name, logical_id] = {
                        key: self.resolve(value, name)
                        for key, value in resource["Properties"].items()
                    }
        return found

    def peerings_and_routes(self) -> dict[Key, dict[str, Any]]:
        """Return every peering connection and route, by (stack name, logical id)."""
        return {
            **self.resources("AWS::EC2::VPCPeeringConnection"),
            **self.resources("AWS::EC2::Route"),
        }

    def routes_by_table(self) -> dict[Key, set[str]]:
        """Return the destinations of the peering routes, by route table."""
        tables: dict[Key, set[str]] = {}
        for route in self.resources("AWS::EC2::Route").values():
            if "VpcPeeringConnectionId" not in route:
                continue  # internet gateway routes and the like
            destination = route.get("DestinationCidrBlock") or json.dumps(
                route.get("DestinationIpv6CidrBlock")
            )
            tables.setdefault(route["RouteTableId"], set()).add(destination)
        return tables

    def dependencies(self) -> dict[str, set[str]]:
        """Return the stacks each stack depends on, by stack name."""
        manifest = json.loads((Path(self.assembly.directory) / "manifest.json").read_text())
        return {
            self.names[artifact_id]: {
                self.names[d] for d in artifact.get("dependencies", []) if d in self.names
            }
            for artifact_id, artifact in manifest["artifacts"].items()
            if artifact_id in self.names
        }


def custom_resource_policy(template: dict[str, Any], logical_id: str) -> list[dict[str, Any]]:
    """Return the statements of the policy aws-cdk-lib made for one Custom::AWS resource.

    Its AWS::IAM::Policy is the one the resource DependsOn.
    """
    depends = template["Resources"][logical_id].get("DependsOn", [])
    [policy] = [
        template["Resources"][each]
        for each in ([depends] if isinstance(depends, str) else depends)
        if template["Resources"][each]["Type"] == "AWS::IAM::Policy"
    ]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def library_resources(template: Mapping[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Return cdk_peering's custom resources of one type, by logical id (whole resources)."""
    return {
        logical_id: dict(resource)
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] == resource_type
    }


def custom_resource(template: Template, resource_type: str = handler.OPTIONS) -> dict[str, Any]:
    """Return the one custom resource of a type (cdk_peering's options by default)."""
    [resource] = library_resources(template.to_json(), resource_type).values()
    return resource


def setting_policy(
    template: Template, resource_type: str = handler.OPTIONS
) -> list[dict[str, Any]]:
    """Return the statements of the policy of the one custom resource of a type."""
    resources = library_resources(template.to_json(), resource_type)
    [logical_id] = resources
    return custom_resource_policy(dict(template.to_json()), logical_id)


def options_statements(connection_arn: Any) -> list[dict[str, Any]]:
    """The statements of a side's options resource: its options and the owners' marks (tags
    of that one key prefix) on one connection (its reads are the handler role's own)."""
    return [
        {
            "Action": "ec2:ModifyVpcPeeringConnectionOptions",
            "Effect": "Allow",
            "Resource": connection_arn,
        },
        {
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Condition": {
                "ForAllValues:StringLike": {"aws:TagKeys": ["cdk-peering:owner:*"]},
                "Null": {"aws:TagKeys": "false"},
            },
            "Effect": "Allow",
            "Resource": connection_arn,
        },
    ]


def settings(
    template: Template | Mapping[str, Any], resource_type: str = handler.OPTIONS
) -> list[dict[str, Any]]:
    """Return what every custom resource of a type is given: its Properties without the
    ServiceToken and ServiceTimeout every one of them has."""
    body = template.to_json() if isinstance(template, Template) else template
    return [
        {
            key: value
            for key, value in resource["Properties"].items()
            if key not in ("ServiceToken", "ServiceTimeout")
        }
        for resource in library_resources(body, resource_type).values()
    ]


def statements_allowing(template: Template, action: str) -> list[dict[str, Any]]:
    """Return every policy statement of a template whose Action is or includes ``action``."""
    found: list[dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            if action in (actions if isinstance(actions, list) else [actions]):
                found.append(statement)
    return found


def peering_plan(
    requester: VpcModel,
    accepter: VpcModel,
    *routes: tuple[str, str, str],
    given: bool = False,
    path: str = "Net/P",
) -> PeeringPlan[VpcModel]:
    """A plan of one peering (quotas of 50) whose routes are (side, route table, destination).

    ``given``: the user named the destinations (the rules then check them against the peer).
    """
    return PeeringPlan(
        path=path,
        requester=requester,
        accepter=accepter,
        routes=tuple(
            PlannedRoute(side, table, table, destination, destination, ":" in destination, given)
            for side, table, destination in routes
        ),
        peerings_quota=50,
        routes_quota=50,
    )
