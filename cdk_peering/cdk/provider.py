"""The library's deploy-time work: its own Lambda functions, and aws-cdk-lib's explained.

cdk_peering's custom resources (a side's peering options, the accepter's view's tags, zone
authorizations and associations across accounts, endpoint acceptances) run the library's
own Lambda function (:mod:`cdk_peering.cdk.handler`, written inline into the template):
:func:`library_resource` makes one such resource with its own policy, attached to the
function's role just before it runs. A stack's resources are spread over up to
``HANDLER_COUNT`` functions (each with its role and log group), by a hash of each
resource's construct path within its stack: IAM allows a role 10,240 characters of inline
policies, which about 19 resources' policies fill, and a custom resource's ServiceToken
can never change, so a resource's function depends on its own path only. Synth fails
(:class:`~cdk_peering.ValidationError`, ``cdk_peering:handlerPoliciesTooLarge``) when a
function's role would still pass the limit, each policy estimated at its longest.

A function's role may write to its own log group and read with the describe calls that
support no resource-level permissions (one statement on ``*``, acknowledged with what it
reads); each resource's policy names the resources its calls change, one statement per
resource.

aws-cdk-lib's ``custom_resources.AwsCustomResource`` is still used by aws-cdk-lib's own
``route53.VpcEndpointServiceDomainName`` (an endpoint service's private DNS name):
:func:`explain_provider` acknowledges cdk-nag's finding on that function's role, saying
what the managed policy aws-cdk-lib gives it allows, and puts checkov's skips, with
reasons, on the function and its log group.
"""

from __future__ import annotations

import functools
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IValidation

from .. import rule_ids
from ..errors import Problem, ValidationError
from .handler import OWNER_KEY

# The AWS managed policy aws-cdk-lib attaches to the provider's role, as cdk-nag's
# AwsSolutions-IAM4 names it in its finding id.
LAMBDA_BASIC_EXECUTION_FINDING = (
    "AwsSolutions::AwsSolutions-IAM4"
    "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
LAMBDA_BASIC_EXECUTION_REASON = (
    "aws-cdk-lib attaches the AWS managed policy AWSLambdaBasicExecutionRole to the role of "
    "the one Lambda function that every AwsCustomResource of a stack shares (here behind "
    "route53.VpcEndpointServiceDomainName, which takes no role of its own). That policy "
    "allows logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on every log "
    "group and stream of the account and Region ('*'), and nothing else. The SDK calls' "
    "own permissions are inline policies of the same role: the two that change the endpoint "
    "service (ec2:ModifyVpcEndpointServiceConfiguration, "
    "ec2:StartVpcEndpointServicePrivateDnsVerification) name it; "
    "ec2:DescribeVpcEndpointServiceConfigurations, which supports no resource-level "
    "permissions, names '*' (acknowledged on its own policy)."
)
_DESCRIBE_FINDING = "AwsSolutions::AwsSolutions-IAM5[Resource::*]"

RETIRE_CONTEXT = "cdk-peering:retireAwsCustomResourceProvider"
"""Context that retires aws-cdk-lib's AwsCustomResource provider from the stacks of the
library's handler, for stacks deployed with cdk_peering's 0.1 development line (see
:class:`DeployHandler`)."""
AWS_CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"
"""The construct id (the uuid) of aws-cdk-lib's AwsCustomResource singleton function."""
AWS_CUSTOM_RESOURCE_PROVIDER_LOGICAL_ID = AWS_CUSTOM_RESOURCE_PROVIDER + "2D164C4C"

HANDLER_ID = "CdkPeeringHandler"
"""The construct id, at the stack's top level, of the library's first function, role and
log group; the others are ``CdkPeeringHandler1`` to ``CdkPeeringHandler7``."""
HANDLER_COUNT = 8
"""How many functions a stack's resources are spread over (each made only when used)."""
ROLE_POLICY_CHARACTERS = 10_240
"""IAM's maximum of a role's inline policies together, white space not counted."""
DESCRIBE_ACTIONS = (
    "ec2:DescribeTags",
    "ec2:DescribeVpcEndpointConnections",
    "ec2:DescribeVpcPeeringConnections",
    "ec2:DescribeVpcs",
)
"""The reads of the handler that support no resource-level permissions: the owners'
marks, a connection's state, an endpoint's state, and the VPC Route 53 checks when it
associates or disassociates a zone. Every function's role may make them."""
HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_14
HANDLER_TIMEOUT = cdk.Duration.minutes(2)
SERVICE_TIMEOUT = cdk.Duration.minutes(5)
"""How long CloudFormation waits for the function's answer: a deployment whose request
gets none fails within minutes, not after the hour it waits by default."""

_FUNCTION_SKIPS = [
    {
        "id": "CKV_AWS_115",
        "comment": "The function handles CloudFormation's custom-resource requests only, "
        "during deployments: as many at once as the custom resources CloudFormation runs in "
        "parallel, each a few AWS calls. Reserved concurrency would take that capacity from "
        "the account's other functions, and too little of it would throttle a deployment's "
        "requests.",
    },
    {
        "id": "CKV_AWS_116",
        "comment": "A CloudFormation custom resource handler reports failure to "
        "CloudFormation itself, which fails the deployment; a dead-letter queue adds nothing.",
    },
    {
        "id": "CKV_AWS_117",
        "comment": "The function calls public AWS APIs; placing it in a VPC would need NAT "
        "or interface endpoints in every stack that uses it.",
    },
]
_LOG_GROUP_SKIPS = [
    {
        "id": "CKV_AWS_158",
        "comment": "The function's log group holds the requests and AWS answers of "
        "deployments, no secrets; CloudWatch Logs encrypts it at rest. A customer-managed "
        "KMS key is left to the app.",
    },
]


class DeployHandler(Construct):
    """One of the Lambda functions behind the library's custom resources of a stack.

    Its role may write to the function's own log group (``logs:CreateLogStream`` and
    ``logs:PutLogEvents`` on that group) and make the describe calls of
    ``DESCRIBE_ACTIONS``, and nothing else until a custom resource attaches its own policy.
    """

    def __init__(self, stack: cdk.Stack, index: int = 0) -> None:
        """Make function ``index``, its role and its log group at the top level of ``stack``."""
        super().__init__(stack, handler_id(index))
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            retention=logs.RetentionDays.TWO_YEARS,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        """The function's log group."""
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="cdk_peering's deploy-time handler: writes its own logs and reads "
            "with describe calls; each custom resource attaches the policy of its calls",
        )
        """The function's role."""
        for statement in _role_statements(self.log_group.log_group_arn):
            self.role.add_to_policy(statement)
        default_policy = self.role.node.try_find_child("DefaultPolicy")
        if default_policy is not None:
            cdk.Validations.of(default_policy).acknowledge(
                cdk.Acknowledgment(id=_DESCRIBE_FINDING, reason=DESCRIBE_REASON)
            )
        self.policy_characters = role_policy_characters()
        """The characters of the role's inline policies so far, each at its longest."""
        self.resources = 0
        """How many custom resources attach their policy to the role."""
        self.function = self._function(
            self,
            "Function",
            "index.handler",
            HANDLER_TIMEOUT,
            "cdk_peering: peering options, accepter tags, zone associations and endpoint "
            "acceptances at deploy time",
        )
        """The function."""
        _skip_checkov(self.log_group.node.default_child, _LOG_GROUP_SKIPS)
        self.retired_provider: lambda_.Function | None = None
        """The function that took the place of aws-cdk-lib's AwsCustomResource provider
        (context ``cdk-peering:retireAwsCustomResourceProvider``), or None: the stack's
        first handler made does it."""
        if self.node.try_get_context(RETIRE_CONTEXT) in (True, "true") and not any(
            isinstance(child, DeployHandler) and child.retired_provider is not None
            for child in stack.node.children
        ):
            self.retired_provider = self._retire_aws_custom_resource_provider(stack)

    def _retire_aws_custom_resource_provider(self, stack: cdk.Stack) -> lambda_.Function:
        """Put a function that answers deletes without a call where the provider was.

        Up to the 0.1 development line the library's settings were ``Custom::AWS``
        resources, whose delete undoes the setting; CloudFormation deletes them after
        creating their successors (this handler's resources), which would undo what the
        successors set. Their ServiceToken is the provider function's ARN: the function
        keeps its logical id (so its ARN) and gets this handler's ``retired`` entry
        point, so their deletes succeed and change nothing.
        """
        retired = self._function(
            stack,
            "RetiredAwsCustomResourceProvider",
            "index.retired",
            cdk.Duration.seconds(30),
            "cdk_peering: answers the deletes of the Custom::AWS resources of its 0.1 "
            "development line without undoing anything",
        )
        cfn = retired.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.override_logical_id(AWS_CUSTOM_RESOURCE_PROVIDER_LOGICAL_ID)

        def conflict() -> list[str]:
            if stack.node.try_find_child(AWS_CUSTOM_RESOURCE_PROVIDER) is None:
                return []
            return [
                f"{stack.node.path} still has an AwsCustomResource (its provider "
                f"{AWS_CUSTOM_RESOURCE_PROVIDER}), so its provider cannot be retired: "
                f"deploy it without the context {RETIRE_CONTEXT}"
            ]

        retired.node.add_validation(_Validation(conflict))
        return retired

    def _function(
        self,
        scope: Construct,
        id: str,
        entry_point: str,
        timeout: cdk.Duration,
        description: str,
    ) -> lambda_.Function:
        """Return a function running ``entry_point`` of the handler's code, this role's."""
        function = lambda_.Function(
            scope,
            id,
            runtime=HANDLER_RUNTIME,
            handler=entry_point,
            code=lambda_.Code.from_inline(handler_source()),
            role=self.role,
            log_group=self.log_group,
            timeout=timeout,
            description=description,
        )
        _skip_checkov(function.node.default_child, _FUNCTION_SKIPS)
        return function

    @classmethod
    def of(cls, stack: cdk.Stack, index: int = 0) -> DeployHandler:
        """Return ``stack``'s handler ``index``, made on first use."""
        existing = stack.node.try_find_child(handler_id(index))
        if isinstance(existing, DeployHandler):
            return existing
        return cls(stack, index)

    def attach(self, scope: Construct, grants: Sequence[Grant]) -> iam.Policy:
        """Attach the policy of one resource (``Policy`` under ``scope``) to the role.

        :raises ValidationError: when the role's inline policies would pass IAM's
            10,240 characters, each estimated at its longest.
        """
        stack = cdk.Stack.of(self)
        characters = policy_characters(grants)
        if self.policy_characters + characters > ROLE_POLICY_CHARACTERS:
            raise ValidationError(
                [
                    Problem(
                        scope.node.path,
                        rule_ids.HANDLER_POLICIES_TOO_LARGE,
                        f"Stack {stack.node.path} has too many cdk_peering custom resources "
                        f"for its deploy-time functions: {self.resources + 1} of them would "
                        f"attach their policies to the role of {self.node.id}, "
                        f"{self.policy_characters + characters:,} characters at their "
                        f"longest, and IAM allows a role {ROLE_POLICY_CHARACTERS:,} "
                        f"characters of inline policies. The library spreads a stack's "
                        f"resources over {HANDLER_COUNT} functions by their construct paths.",
                        "Put some of this stack's peering options, accepter tags, zone "
                        "authorizations and associations or endpoint acceptances in another "
                        "stack: one holds 19 to 152 options resources, about 110 typically, "
                        "as their paths hash (docs/limits-and-benchmarks.md).",
                    )
                ]
            )
        self.policy_characters += characters
        self.resources += 1
        policy = iam.Policy(
            scope, "Policy", statements=[g.statement for g in grants], roles=[self.role]
        )
        wildcards = [g.reason for g in grants if g.reason]
        if wildcards:
            cdk.Validations.of(policy).acknowledge(
                cdk.Acknowledgment(id=_DESCRIBE_FINDING, reason=" ".join(wildcards))
            )
        return policy


def handler_id(index: int) -> str:
    """Return the construct id of a stack's handler ``index``."""
    return HANDLER_ID if index == 0 else f"{HANDLER_ID}{index}"


def handler_index(scope: Construct, stack: cdk.Stack) -> int:
    """Return the handler of a resource under ``scope``: a hash of its path within ``stack``.

    The path within the stack is what its logical id is made of: a resource keeps its
    function (its ServiceToken, which CloudFormation cannot change) while it keeps its
    logical id, whatever else the stack gains or loses.
    """
    path = scope.node.path.removeprefix(stack.node.path + "/")
    return zlib.crc32(path.encode()) % HANDLER_COUNT


@jsii.implements(IValidation)
class _Validation:
    """A validation of the construct tree at synth: the errors ``check`` returns."""

    def __init__(self, check: Callable[[], list[str]]) -> None:
        self._check = check

    def validate(self) -> list[str]:
        return self._check()


@functools.cache
def handler_source() -> str:
    """Return the function's code: the text of :mod:`cdk_peering.cdk.handler`."""
    return resources.files(__package__).joinpath("handler.py").read_text(encoding="utf-8")


def library_resource(
    scope: Construct,
    *,
    resource_type: str,
    properties: Mapping[str, Any],
    grants: Sequence[Grant],
) -> cdk.CustomResource:
    """Make the custom resource ``Resource`` under ``scope``, run by one of the stack's handlers.

    Its policy (``Policy`` under ``scope``) holds ``grants`` (each naming its actions' one
    resource where AWS allows it); CloudFormation attaches it to the handler's role before
    the resource runs and detaches it after the resource's delete. The handler is the one
    :func:`handler_index` picks for ``scope``.

    :raises ValidationError: when that handler's role would pass IAM's limit.
    """
    stack = cdk.Stack.of(scope)
    handler = DeployHandler.of(stack, handler_index(scope, stack))
    policy = handler.attach(scope, grants)
    resource = cdk.CustomResource(
        scope,
        "Resource",
        service_token=handler.function.function_arn,
        resource_type=resource_type,
        properties=dict(properties),
        service_timeout=SERVICE_TIMEOUT,
    )
    resource.node.add_dependency(policy)
    return resource


def explain_provider(custom_resource: cr.AwsCustomResource) -> None:
    """Acknowledge cdk-nag's and skip checkov's findings on the stack's provider function."""
    role = custom_resource.grant_principal
    if not isinstance(role, iam.Role):
        return
    cfn_role = role.node.default_child
    if cfn_role is not None:
        cdk.Validations.of(cfn_role).acknowledge(
            cdk.Acknowledgment(
                id=LAMBDA_BASIC_EXECUTION_FINDING, reason=LAMBDA_BASIC_EXECUTION_REASON
            )
        )
    function = role.node.scope  # the provider's lambda.Function, the role's parent
    if function is None:
        return
    _skip_checkov(function.node.default_child, _FUNCTION_SKIPS)
    log_group = function.node.try_find_child("LogGroup")
    if log_group is not None:
        _skip_checkov(log_group.node.default_child, _LOG_GROUP_SKIPS)


def _skip_checkov(resource: object, skips: list[dict[str, str]]) -> None:
    if isinstance(resource, cdk.CfnResource):
        resource.add_metadata("checkov", {"skip": skips})


@dataclass(frozen=True)
class Grant:
    """One statement of a custom resource's policy, with its text at its longest."""

    statement: iam.PolicyStatement
    """The statement."""
    longest: Mapping[str, Any]
    """The statement as IAM counts it once CloudFormation resolves it, every token at the
    longest value it can take (:func:`longest`)."""
    reason: str = ""
    """For a statement on ``*``: why, acknowledged for cdk-nag on the policy."""


TOKEN_CHARACTERS = {"AWS.Partition": 10, "AWS.Region": 20, "AWS.AccountId": 12}
"""The longest value of a pseudo parameter: ``aws-us-gov``; a Region name (14 today,
counted 20); an account id."""
ID_CHARACTERS = 32
"""The longest value counted for any other token in a policy: the ids of the resources the
library's statements name (a peering connection or VPC ``pcx-``/``vpc-`` and 17 hex digits,
an endpoint service ``vpce-svc-`` and 17, a Route 53 hosted zone at most 32)."""
LOG_GROUP_NAME_CHARACTERS = 512
"""The longest CloudWatch Logs log group name (the handler's is generated)."""
_TOKEN = re.compile(r"\$\{Token\[(.+?)\.\d+\]\}")


def longest(value: Any) -> Any:
    """Return ``value`` (text, list or mapping) with each token at its longest value."""
    if isinstance(value, str):
        return _TOKEN.sub(lambda m: "x" * TOKEN_CHARACTERS.get(m[1], ID_CHARACTERS), value)
    if isinstance(value, Mapping):
        return {key: longest(each) for key, each in value.items()}
    if isinstance(value, (list, tuple)):
        return [longest(each) for each in value]
    return value


def policy_characters(grants: Sequence[Grant]) -> int:
    """Return the characters of a policy document of ``grants``, at its longest.

    The JSON aws-cdk-lib writes, without white space (IAM does not count it).
    """
    document = {"Statement": [g.longest for g in grants], "Version": "2012-10-17"}
    return len(json.dumps(document, separators=(",", ":")))


def grant(
    actions: Sequence[str],
    resource: str,
    *,
    conditions: Mapping[str, Any] | None = None,
    reason: str = "",
) -> Grant:
    """Return the grant of ``actions`` on one resource (an ARN, or ``*`` with a reason)."""
    statement = iam.PolicyStatement(
        actions=list(actions),
        resources=[resource],
        conditions=dict(conditions) if conditions else None,
    )
    return Grant(statement, longest(_statement_text(actions, resource, conditions)), reason)


def _statement_text(
    actions: Sequence[str], resource: str, conditions: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return a statement as aws-cdk-lib writes it (one action or resource: not a list)."""
    text: dict[str, Any] = {"Action": actions[0] if len(actions) == 1 else list(actions)}
    if conditions:
        text["Condition"] = conditions
    text.update({"Effect": "Allow", "Resource": resource})
    return text


def allow(
    stack: cdk.Stack,
    action: str | Sequence[str],
    *,
    resource: str,
    resource_name: str,
    conditions: Mapping[str, Any] | None = None,
) -> Grant:
    """Allow actions (``service:Action``) of one service on one resource of ``stack``'s environment.

    Route 53's resources are global: their ARNs name no account and no Region.
    """
    actions = [action] if isinstance(action, str) else list(action)
    service = actions[0].split(":", 1)[0]
    is_global = service == "route53"
    arn = stack.format_arn(
        service=service,
        resource=resource,
        resource_name=resource_name,
        region="" if is_global else None,
        account="" if is_global else None,
    )
    return grant(actions, arn, conditions=conditions)


def mark_owners(stack: cdk.Stack, *, resource: str, resource_name: str) -> Grant:
    """Allow the handler's owners' marks on one EC2 resource: tags of their key prefix only.

    ``ForAllValues`` is also true for a request without tag keys, and EC2 ``DeleteTags``
    without ``Tags`` deletes every tag of the resource: ``Null`` requires the keys.
    """
    return allow(
        stack,
        ["ec2:CreateTags", "ec2:DeleteTags"],
        resource=resource,
        resource_name=resource_name,
        conditions={
            "ForAllValues:StringLike": {"aws:TagKeys": [f"{OWNER_KEY}*"]},
            "Null": {"aws:TagKeys": "false"},
        },
    )


DESCRIBE_REASON = (
    f"{', '.join(DESCRIBE_ACTIONS)} support no resource-level permissions, so their "
    "statement must name '*'; they only read (tags, peering connections, endpoint "
    "connections, VPCs). Every statement that lets the function change something is in a "
    "custom resource's own policy and names its one resource."
)


def _role_statements(log_group_arn: str) -> list[iam.PolicyStatement]:
    """Return the statements of a handler role's own policy."""
    return [
        iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group_arn]
        ),
        iam.PolicyStatement(actions=list(DESCRIBE_ACTIONS), resources=["*"]),
    ]


@functools.cache
def role_policy_characters() -> int:
    """Return the characters of a handler role's own policy, at its longest."""
    log_group = "arn:{}:logs:{}:{}:log-group:{}:*".format(
        "x" * TOKEN_CHARACTERS["AWS.Partition"],
        "x" * TOKEN_CHARACTERS["AWS.Region"],
        "x" * TOKEN_CHARACTERS["AWS.AccountId"],
        "x" * LOG_GROUP_NAME_CHARACTERS,
    )
    document = {
        "Statement": [
            _statement_text(["logs:CreateLogStream", "logs:PutLogEvents"], log_group),
            _statement_text(DESCRIBE_ACTIONS, "*"),
        ],
        "Version": "2012-10-17",
    }
    return len(json.dumps(document, separators=(",", ":")))
