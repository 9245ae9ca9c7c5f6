"""The library's deploy-time work: its own Lambda function, and aws-cdk-lib's explained.

cdk_peering's custom resources (a side's peering options, the accepter's view's tags, zone
authorizations and associations across accounts, endpoint acceptances) all run one Lambda
function per stack, the library's own (:mod:`cdk_peering.cdk.handler`, written inline into
the template): :func:`library_resource` makes one such resource with its own policy,
attached to the function's role just before it runs. The function's role has no managed
policy: it may write to its own log group only, and each resource's policy names the
resources its calls change, one statement per resource; the describe calls that support
no resource-level permissions share one statement on ``*``, acknowledged with what they
read.

aws-cdk-lib's ``custom_resources.AwsCustomResource`` is still used by aws-cdk-lib's own
``route53.VpcEndpointServiceDomainName`` (an endpoint service's private DNS name):
:func:`explain_provider` acknowledges cdk-nag's finding on that function's role, saying
what the managed policy aws-cdk-lib gives it allows, and puts checkov's skips, with
reasons, on the function and its log group.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IValidation

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
    "group and stream of the account and Region ('*'), and nothing else. Each SDK call's "
    "own permission is an inline policy naming its resource."
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
"""The construct id, at the stack's top level, of the library's function, role and log group."""
HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_14
HANDLER_TIMEOUT = cdk.Duration.minutes(2)
SERVICE_TIMEOUT = cdk.Duration.minutes(5)
"""How long CloudFormation waits for the function's answer: a deployment whose request
gets none fails within minutes, not after the hour it waits by default."""

_FUNCTION_SKIPS = [
    {
        "id": "CKV_AWS_115",
        "comment": "The function handles CloudFormation's custom-resource requests only, "
        "during deployments, one at a time; reserved concurrency would only take capacity "
        "from the account.",
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
    """The Lambda function behind the library's custom resources: one per stack.

    Its role may write to the function's own log group (``logs:CreateLogStream`` and
    ``logs:PutLogEvents`` on that group) and nothing else until a custom resource attaches
    its own policy.
    """

    def __init__(self, stack: cdk.Stack) -> None:
        """Make the function, its role and its log group at the top level of ``stack``."""
        super().__init__(stack, HANDLER_ID)
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
            description="cdk_peering's deploy-time handler: writes its own logs; each custom "
            "resource attaches the policy of its calls",
        )
        """The function's role."""
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
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
        (context ``cdk-peering:retireAwsCustomResourceProvider``), or None."""
        if self.node.try_get_context(RETIRE_CONTEXT) in (True, "true"):
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
    def of(cls, stack: cdk.Stack) -> DeployHandler:
        """Return ``stack``'s handler, made on first use."""
        existing = stack.node.try_find_child(HANDLER_ID)
        if isinstance(existing, DeployHandler):
            return existing
        return cls(stack)


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
    statements: Sequence[iam.PolicyStatement],
    describe: Iterable[str] = (),
) -> cdk.CustomResource:
    """Make the custom resource ``Resource`` under ``scope``, run by the stack's handler.

    Its policy (``Policy`` under ``scope``) holds ``statements`` (each naming its actions'
    one resource where AWS allows it) and, when given, one statement allowing the
    ``describe`` actions (reads that support no resource-level permissions) on ``*``,
    acknowledged for cdk-nag with what they are. CloudFormation attaches the policy to the
    function's role before the resource runs and detaches it after the resource's delete.
    """
    stack = cdk.Stack.of(scope)
    handler = DeployHandler.of(stack)
    reads = sorted(set(describe))
    all_statements = list(statements)
    if reads:
        all_statements.append(iam.PolicyStatement(actions=reads, resources=["*"]))
    policy = iam.Policy(scope, "Policy", statements=all_statements, roles=[handler.role])
    if reads:
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(
                id=_DESCRIBE_FINDING,
                reason=(
                    f"{', '.join(reads)} support no resource-level permissions, so their "
                    "statement must name '*'; they only read. Every action of this policy "
                    "that changes something names its one resource."
                ),
            )
        )
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


def allow(
    stack: cdk.Stack,
    action: str | Sequence[str],
    *,
    resource: str,
    resource_name: str,
    conditions: Mapping[str, Any] | None = None,
) -> iam.PolicyStatement:
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
    return iam.PolicyStatement(
        actions=actions, resources=[arn], conditions=dict(conditions) if conditions else None
    )


def mark_owners(stack: cdk.Stack, *, resource: str, resource_name: str) -> iam.PolicyStatement:
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
