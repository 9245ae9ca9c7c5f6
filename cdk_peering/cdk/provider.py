"""The library's SDK calls at deploy time, and the findings of their provider, explained once.

Every ``custom_resources.AwsCustomResource`` of a stack shares one Lambda function that
aws-cdk-lib makes (a sibling at the stack's top level). The library's constructs that use
it (DNS options over peering, endpoint acceptance, zone associations across accounts, an
endpoint service's domain name) call :func:`explain_provider`, which acknowledges
cdk-nag's finding on the function's role and puts checkov's skips, with reasons, on the
function and its log group, where any user's cdk-nag or checkov run sees them.
:func:`sdk_call` makes such a resource the one way the library wants it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

# The AWS managed policy aws-cdk-lib attaches to the provider's role, as cdk-nag's
# AwsSolutions-IAM4 names it in its finding id.
LAMBDA_BASIC_EXECUTION_FINDING = (
    "AwsSolutions::AwsSolutions-IAM4"
    "[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
LAMBDA_BASIC_EXECUTION_REASON = (
    "aws-cdk-lib attaches AWSLambdaBasicExecutionRole (CloudWatch Logs writes only) to the "
    "role of the one Lambda function that every AwsCustomResource of a stack shares. "
    "Replacing that role would change it for all of them and need a wildcard logs policy "
    "instead. Each SDK call's own permission is an inline policy naming its resource."
)

_FUNCTION_SKIPS = [
    {
        "id": "CKV_AWS_115",
        "comment": "aws-cdk-lib's AwsCustomResource provider runs only during deployments, "
        "one call at a time; reserved concurrency would only take capacity from the account.",
    },
    {
        "id": "CKV_AWS_116",
        "comment": "A CloudFormation custom resource handler reports failure to "
        "CloudFormation itself, which fails the deployment; a dead-letter queue adds nothing.",
    },
    {
        "id": "CKV_AWS_117",
        "comment": "The provider calls public AWS APIs; placing it in a VPC would need NAT "
        "or interface endpoints in every stack that uses it.",
    },
]
_LOG_GROUP_SKIPS = [
    {
        "id": "CKV_AWS_158",
        "comment": "The provider's log group holds SDK calls and their results, no secrets; "
        "CloudWatch Logs encrypts it at rest. A customer-managed KMS key is left to the app.",
    },
]


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


def sdk_call(
    scope: Construct,
    id: str,
    *,
    call: cr.AwsSdkCall,
    undo: cr.AwsSdkCall | None,
    statements: Sequence[iam.PolicyStatement],
) -> cr.AwsCustomResource:
    """Make ``call`` on create and update, and ``undo`` (if any) on delete, at deploy time.

    The provider's role gets ``statements`` only (each naming its actions' one resource
    where AWS allows it). The SDK bundled with the Lambda runtime makes the call:
    installing the latest from npm needs internet access at deploy time and about a
    minute. A short service timeout fails the deployment within minutes, not after the
    hour CloudFormation waits by default for a custom resource that never answers.
    """
    resource = cr.AwsCustomResource(
        scope,
        id,
        on_create=call,
        on_update=call,
        on_delete=undo,
        policy=cr.AwsCustomResourcePolicy.from_statements(list(statements)),
        install_latest_aws_sdk=False,
        service_timeout=cdk.Duration.minutes(5),
    )
    explain_provider(resource)
    return resource


def allow(
    stack: cdk.Stack,
    action: str,
    *,
    resource: str,
    resource_name: str,
    conditions: Mapping[str, Any] | None = None,
) -> iam.PolicyStatement:
    """Allow one action (``service:Action``) on one resource of ``stack``'s environment.

    Route 53's resources are global: their ARNs name no account and no Region.
    """
    service = action.split(":", 1)[0]
    is_global = service == "route53"
    arn = stack.format_arn(
        service=service,
        resource=resource,
        resource_name=resource_name,
        region="" if is_global else None,
        account="" if is_global else None,
    )
    return iam.PolicyStatement(
        actions=[action], resources=[arn], conditions=dict(conditions) if conditions else None
    )
