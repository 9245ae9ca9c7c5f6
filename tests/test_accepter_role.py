"""PeeringAccepterRole: the trust policy, the accept policy, its attributes and its errors."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from cdk_peering import PeeringAccepterRole, PeeringMesh, ValidationError, VpcPeering
from tests.conftest import ACCOUNT, AZS, ENV, REGION, new_app
from tests.helpers import make_vpc
from tests.test_gates import ANNOTATIONS, CDK_NAG, STRICT_VALIDATION, findings, synth

REQUESTER_ACCOUNT = "222222222222"
ACCEPTER_VPC_ID = "vpc-0a1b2c3d4e5f60718"
REQUESTER_VPC_ID = "vpc-0f1e2d3c4b5a69788"
ACCEPT = "ec2:AcceptVpcPeeringConnection"
ACCEPTER_VPC_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{ACCEPTER_VPC_ID}"
PEERINGS_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-peering-connection/*"
QUALIFIER_CONTEXT = "@aws-cdk/core:bootstrapQualifier"


def exec_role(qualifier: str = "hnb659fds", region: str = REGION) -> str:
    """The bootstrap template's CloudFormation execution role of the requester account."""
    return (
        f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/"
        f"cdk-{qualifier}-cfn-exec-role-{REQUESTER_ACCOUNT}-{region}"
    )


def trusting(principal_arns: object, operator: str = "ArnEquals") -> dict[str, Any]:
    """The trust policy of a role that trusts the requester account's ``principal_arns``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{REQUESTER_ACCOUNT}:root"},
                "Condition": {operator: {"aws:PrincipalArn": principal_arns}},
            }
        ],
    }


def import_vpc(stack: cdk.Stack, id: str = "Accepter") -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack, id, vpc_id=ACCEPTER_VPC_ID, availability_zones=AZS[:1]
    )


def accepter_role(stack: cdk.Stack, **props: Any) -> PeeringAccepterRole:
    props.setdefault("requester_account", REQUESTER_ACCOUNT)
    if "accepter_vpc" not in props:
        props["accepter_vpc"] = import_vpc(stack)
    return PeeringAccepterRole(stack, "PeerRole", **props)


def role_properties(stack: cdk.Stack) -> dict[str, Any]:
    """The Properties of the one role with the accept policy."""
    roles = Template.from_stack(stack).find_resources(
        "AWS::IAM::Role",
        {"Properties": {"Policies": [Match.object_like({"PolicyName": "AcceptVpcPeering"})]}},
    )
    assert len(roles) == 1
    properties: dict[str, Any] = next(iter(roles.values()))["Properties"]
    return properties


def accept_statements(stack: cdk.Stack) -> list[dict[str, Any]]:
    policies = role_properties(stack)["Policies"]
    assert [policy["PolicyName"] for policy in policies] == ["AcceptVpcPeering"]
    statements: list[dict[str, Any]] = policies[0]["PolicyDocument"]["Statement"]
    return statements


# --- The role and its policies


def test_trust_policy_trusts_only_the_requester_accounts_cloudformation_role(
    stack: cdk.Stack,
) -> None:
    # No stack of the app uses the role: this stack's synthesizer stands for the
    # requester's, in the requester's account and region.
    accepter_role(stack)
    assert role_properties(stack)["AssumeRolePolicyDocument"] == trusting(exec_role())


def test_trust_uses_the_apps_bootstrap_qualifier_and_the_requester_region() -> None:
    stack = cdk.Stack(new_app(**{QUALIFIER_CONTEXT: "team42"}), "TestStack", env=ENV)
    accepter_role(stack, requester_region="eu-west-1")
    assert role_properties(stack)["AssumeRolePolicyDocument"] == trusting(
        exec_role("team42", "eu-west-1")
    )


def _peered_app(
    *, requester_context: dict[str, str] | None = None, **role_props: Any
) -> tuple[cdk.Stack, cdk.Stack]:
    """An accepter stack with a PeeringAccepterRole and a requester stack whose
    VpcPeering uses it; the requester stack under a scope with its own context."""
    app = new_app()
    accepter_stack = cdk.Stack(app, "Accepter", env=ENV)
    accepter_vpc = ec2.Vpc(accepter_stack, "Vpc", max_azs=1, nat_gateways=0)
    role = accepter_role(accepter_stack, accepter_vpc=accepter_vpc, **role_props)
    group = Construct(app, "Requesters")
    for key, value in (requester_context or {}).items():
        group.node.set_context(key, value)
    requester_stack = cdk.Stack(
        group, "Requester", env=cdk.Environment(account=REQUESTER_ACCOUNT, region=REGION)
    )
    requester_vpc = make_vpc(requester_stack, "Vpc", "10.99.0.0/16", isolated_only=True)
    VpcPeering(
        requester_stack,
        "Peering",
        requester_vpc=requester_vpc,
        accepter_vpc=accepter_vpc,
        accepter_role=role,
    )
    return accepter_stack, requester_stack


def test_trust_names_the_execution_role_of_the_stack_that_uses_the_role() -> None:
    # The requester stack is bootstrapped with its own qualifier; the accepter's is not.
    accepter_stack, _ = _peered_app(requester_context={QUALIFIER_CONTEXT: "requester1"})
    assert role_properties(accepter_stack)["AssumeRolePolicyDocument"] == trusting(
        exec_role("requester1")
    )
    assert Annotations.from_stack(accepter_stack).find_error("*", Match.any_value()) == []


def test_trust_names_the_execution_roles_of_a_topologys_requester_stacks() -> None:
    app = new_app()
    partner = cdk.Stack(
        app, "Partner", env=cdk.Environment(account=REQUESTER_ACCOUNT, region=REGION)
    )
    home = cdk.Stack(app, "Home", env=ENV)
    teams = [make_vpc(home, f"Team{i}", f"10.{i}.0.0/16", isolated_only=True) for i in range(2)]
    partner_vpc = make_vpc(partner, "Vpc", "10.9.0.0/16", isolated_only=True)
    # The role is in the partner account; the home account's mesh stacks request.
    role = PeeringAccepterRole(
        partner, "PeerRole", requester_account=ACCOUNT, accepter_vpc=partner_vpc
    )
    PeeringMesh(home, "Mesh", vpcs=[*teams, partner_vpc], accepter_roles={REQUESTER_ACCOUNT: role})
    home_role = f"arn:aws:iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-{REGION}"
    statement = role_properties(partner)["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert statement["Condition"] == {"ArnEquals": {"aws:PrincipalArn": home_role}}


@pytest.mark.parametrize(
    ("synthesizer", "cause"),
    [
        (cdk.CliCredentialsStackSynthesizer, "names no CloudFormation execution role"),
        (cdk.LegacyStackSynthesizer, "names no CloudFormation execution role"),
        (cdk.DefaultStackSynthesizer, "was made in Python"),
    ],
    ids=["cli-credentials", "legacy", "python-default"],
)
def test_a_requester_stack_without_a_readable_execution_role_is_an_error_at_synth(
    synthesizer: type[cdk.StackSynthesizer], cause: str
) -> None:
    # Without the report flag, synth records the error annotation instead of failing.
    app = new_app(**{"@aws-cdk/core:annotationsInValidationReport": False})
    stack = cdk.Stack(app, "TestStack", env=ENV)
    role = accepter_role(stack)
    requester_stack = cdk.Stack(
        app,
        "Requester",
        env=cdk.Environment(account=REQUESTER_ACCOUNT, region=REGION),
        synthesizer=synthesizer(),
    )
    role.add_requester_stack(requester_stack)
    errors = Annotations.from_stack(stack).find_error(
        "/TestStack/PeerRole", Match.string_like_regexp("requesterDeployerUnknown")
    )
    [message] = [str(error.entry.data) for error in errors]
    assert f"The requester stack Requester's synthesizer ({synthesizer.__name__})" in message
    assert cause in message
    assert "trusted_principal_arns" in message


def test_trusted_principal_arns_need_no_execution_role() -> None:
    app = new_app()
    stack = cdk.Stack(app, "TestStack", env=ENV, synthesizer=cdk.CliCredentialsStackSynthesizer())
    deployer = f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/network-deployer"
    accepter_role(stack, trusted_principal_arns=[deployer])
    assert role_properties(stack)["AssumeRolePolicyDocument"] == trusting([deployer])
    assert Annotations.from_stack(stack).find_error("*", Match.any_value()) == []


@pytest.mark.parametrize(
    ("arns", "expected"),
    [
        (
            [
                f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/a",
                f"arn:aws:iam::{REQUESTER_ACCOUNT}:user/b",
            ],
            trusting(
                [
                    f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/a",
                    f"arn:aws:iam::{REQUESTER_ACCOUNT}:user/b",
                ]
            ),
        ),
        (
            [f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/cdk-*-cfn-exec-role-*"],
            trusting([f"arn:aws:iam::{REQUESTER_ACCOUNT}:role/cdk-*-cfn-exec-role-*"], "ArnLike"),
        ),
        # The account's root ARN: every principal the account allows (no condition).
        (
            [f"arn:aws:iam::{REQUESTER_ACCOUNT}:root"],
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{REQUESTER_ACCOUNT}:root"},
                    }
                ],
            },
        ),
    ],
    ids=["role-and-user", "wildcard", "root"],
)
def test_trusted_principal_arns_name_who_may_assume(
    stack: cdk.Stack, arns: list[str], expected: dict[str, Any]
) -> None:
    role = accepter_role(stack, trusted_principal_arns=arns)
    assert role.trusted_principal_arns == tuple(arns)
    assert role_properties(stack)["AssumeRolePolicyDocument"] == expected


@pytest.mark.parametrize(
    ("arn", "says"),
    [
        (
            f"arn:aws:sts::{REQUESTER_ACCOUNT}:assumed-role/deployer/session",
            "arn:aws:iam::<account>:role/deployer",
        ),
        ("arn:aws:iam::333333333333:role/deployer", "of account 333333333333"),
        ("deployer", "no IAM role, user or root ARN"),
        (f"arn:aws:iam::{REQUESTER_ACCOUNT}:group/admins", "no IAM role, user or root ARN"),
    ],
    ids=["session", "other-account", "not-an-arn", "group"],
)
def test_rejects_a_trusted_principal_that_can_never_match(
    stack: cdk.Stack, arn: str, says: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, trusted_principal_arns=[arn])
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:invalidTrustedPrincipal"
    assert repr(arn) in problem.message
    assert says in f"{problem.message} {problem.fix}"
    assert stack.node.try_find_child("PeerRole") is None


def test_rejects_an_empty_trusted_principal_list(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, trusted_principal_arns=[])
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:invalidTrustedPrincipal"
    assert "nobody could assume the role" in problem.message


@pytest.mark.parametrize(
    ("requester_vpc_id", "condition"),
    [
        (
            REQUESTER_VPC_ID,
            {
                "StringEquals": {
                    "ec2:RequesterVpc": (
                        f"arn:aws:ec2:{REGION}:{REQUESTER_ACCOUNT}:vpc/{REQUESTER_VPC_ID}"
                    )
                }
            },
        ),
        # Any VPC of the requester account: ec2:RequesterVpc is ARN-typed and there is no
        # ec2:RequesterAccount key, so the account is matched inside the VPC ARN.
        (
            None,
            {"ArnLike": {"ec2:RequesterVpc": f"arn:aws:ec2:{REGION}:{REQUESTER_ACCOUNT}:vpc/*"}},
        ),
    ],
    ids=["requester-vpc", "requester-account"],
)
def test_policy_allows_only_accept_on_the_accepter_vpc_from_the_requester(
    stack: cdk.Stack, requester_vpc_id: str | None, condition: dict[str, Any]
) -> None:
    accepter_role(stack, requester_vpc_id=requester_vpc_id)
    accepter = {"ArnEquals": {"ec2:AccepterVpc": ACCEPTER_VPC_ARN}}
    assert accept_statements(stack) == [
        {"Action": ACCEPT, "Effect": "Allow", "Resource": ACCEPTER_VPC_ARN},
        {
            "Action": ACCEPT,
            "Effect": "Allow",
            "Resource": PEERINGS_ARN,
            "Condition": {**condition, **accepter},
        },
    ]


def test_accepted_connections_must_name_one_of_the_accepter_vpcs(stack: cdk.Stack) -> None:
    other_id = "vpc-0123456789abcdef0"
    other = ec2.Vpc.from_vpc_attributes(stack, "Other", vpc_id=other_id, availability_zones=AZS[:1])
    accepter_role(stack, more_accepter_vpcs=[other])
    other_arn = f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{other_id}"
    vpcs, peerings = accept_statements(stack)
    assert sorted(vpcs["Resource"]) == sorted([ACCEPTER_VPC_ARN, other_arn])
    accepters = peerings["Condition"]["ArnEquals"]["ec2:AccepterVpc"]
    assert sorted(accepters) == sorted([ACCEPTER_VPC_ARN, other_arn])


@pytest.mark.parametrize(
    ("requester_vpc_id", "expected"),
    [
        (REQUESTER_VPC_ID, f"arn:aws:ec2:eu-west-1:{REQUESTER_ACCOUNT}:vpc/{REQUESTER_VPC_ID}"),
        (None, f"arn:aws:ec2:eu-west-1:{REQUESTER_ACCOUNT}:vpc/*"),
    ],
    ids=["vpc", "account"],
)
def test_requester_region_sets_the_requester_vpc_arn_region(
    stack: cdk.Stack, requester_vpc_id: str | None, expected: str
) -> None:
    accepter_role(stack, requester_vpc_id=requester_vpc_id, requester_region="eu-west-1")
    condition = accept_statements(stack)[1]["Condition"]
    assert [
        value["ec2:RequesterVpc"] for value in condition.values() if "ec2:RequesterVpc" in value
    ] == [expected]
    # The accepted connections are still this (the accepter's) region's.
    assert accept_statements(stack)[1]["Resource"] == PEERINGS_ARN


def test_new_vpc_is_named_by_ref(stack: cdk.Stack) -> None:
    vpc = ec2.Vpc(stack, "Shared", max_azs=1, nat_gateways=0)
    accepter_role(stack, accepter_vpc=vpc)
    assert accept_statements(stack)[0]["Resource"] == {
        "Fn::Join": ["", [f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/", stack.resolve(vpc.vpc_id)]]
    }


def test_the_role_is_the_only_iam_resource(stack: cdk.Stack) -> None:
    accepter_role(stack)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::IAM::Role", 1)
    template.resource_count_is("AWS::IAM::Policy", 0)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    template.has_resource_properties("AWS::IAM::Role", {"ManagedPolicyArns": Match.absent()})


def test_env_agnostic_stack_uses_pseudo_parameters() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    accepter_role(stack)
    statement = accept_statements(stack)[1]
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ec2:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":vpc-peering-connection/*",
            ],
        ]
    }


# --- Attributes


def test_role_arn_is_the_roles_arn(stack: cdk.Stack) -> None:
    role = accepter_role(stack)
    logical_id = stack.get_logical_id(role.role.node.default_child)  # type: ignore[arg-type]
    assert stack.resolve(role.role_arn) == {"Fn::GetAtt": [logical_id, "Arn"]}
    assert role.node.default_child is role.role


def test_role_name_sets_role_name(stack: cdk.Stack) -> None:
    accepter_role(stack, role_name="peering-accepter")
    assert role_properties(stack)["RoleName"] == "peering-accepter"


def test_role_name_defaults_to_a_cloudformation_name(stack: cdk.Stack) -> None:
    accepter_role(stack)
    assert "RoleName" not in role_properties(stack)


def test_role_arn_is_a_literal_arn_in_the_requesters_account() -> None:
    app = new_app()
    accepter_stack = cdk.Stack(app, "AccepterStack", env=ENV)
    role = accepter_role(accepter_stack)
    requester_stack = cdk.Stack(
        app, "RequesterStack", env=cdk.Environment(account=REQUESTER_ACCOUNT, region=REGION)
    )
    ec2.CfnVPCPeeringConnection(
        requester_stack,
        "Peering",
        vpc_id=REQUESTER_VPC_ID,
        peer_vpc_id=ACCEPTER_VPC_ID,
        peer_owner_id=ACCOUNT,
        peer_role_arn=role.role_arn,
    )
    name = role_properties(accepter_stack)["RoleName"]
    Template.from_stack(requester_stack).has_resource_properties(
        "AWS::EC2::VPCPeeringConnection",
        {"PeerRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{name}"},
    )


# --- Errors


@pytest.mark.parametrize("account", ["22222222222", "2222222222222", "2222-2222-2222", "abc"])
def test_rejects_a_malformed_account(stack: cdk.Stack, account: str) -> None:
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, requester_account=account)
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == ("TestStack/PeerRole", "cdk_peering:invalidAccount")
    assert repr(account) in problem.message
    assert "12 digits" in problem.fix


def test_rejects_the_stacks_own_account(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, requester_account=ACCOUNT)
    [problem] = raised.value.problems
    assert (problem.path, problem.rule) == ("TestStack/PeerRole", "cdk_peering:roleNotNeeded")
    assert ACCOUNT in problem.message
    assert "CloudFormation accepts a same-account peering itself" in problem.fix
    assert "[TestStack/PeerRole]" in str(raised.value)


def test_accepts_a_token_account(stack: cdk.Stack) -> None:
    account = cdk.CfnParameter(stack, "RequesterAccount").value_as_string
    accepter_role(stack, requester_account=account)
    statement = role_properties(stack)["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {
        "AWS": {"Fn::Join": ["", ["arn:aws:iam::", {"Ref": "RequesterAccount"}, ":root"]]}
    }
    account_ref = {"Ref": "RequesterAccount"}
    assert statement["Condition"] == {
        "ArnEquals": {
            "aws:PrincipalArn": {
                "Fn::Join": [
                    "",
                    [
                        "arn:aws:iam::",
                        account_ref,
                        ":role/cdk-hnb659fds-cfn-exec-role-",
                        account_ref,
                        f"-{REGION}",
                    ],
                ]
            }
        }
    }


def test_accepts_any_account_in_an_env_agnostic_stack() -> None:
    stack = cdk.Stack(new_app(), "Agnostic")
    accepter_role(stack, requester_account=ACCOUNT)
    # The partition is unknown without a region: CDK renders it as a reference; the
    # requester's region is this stack's (a peering within one region).
    partition = {"Ref": "AWS::Partition"}
    assert role_properties(stack)["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::Join": ["", ["arn:", partition, f":iam::{ACCOUNT}:root"]]}},
            "Condition": {
                "ArnEquals": {
                    "aws:PrincipalArn": {
                        "Fn::Join": [
                            "",
                            [
                                "arn:",
                                partition,
                                f":iam::{ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-{ACCOUNT}-",
                                {"Ref": "AWS::Region"},
                            ],
                        ]
                    }
                }
            },
        }
    ]


@pytest.mark.parametrize(
    ("props", "rule", "value"),
    [
        ({"requester_vpc_id": "vpc-123"}, "cdk_peering:invalidVpcId", "'vpc-123'"),
        ({"requester_vpc_id": "subnet-0a1b2c3d"}, "cdk_peering:invalidVpcId", "'subnet-0a1b2c3d'"),
        ({"requester_region": "us-east1"}, "cdk_peering:invalidRegion", "'us-east1'"),
    ],
)
def test_rejects_a_malformed_requester_vpc(
    stack: cdk.Stack, props: dict[str, str], rule: str, value: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, **props)
    [problem] = raised.value.problems
    assert problem.rule == rule
    assert value in problem.message


def test_rejects_an_accepter_vpc_of_another_account() -> None:
    app = new_app()
    other = cdk.Stack(app, "Other", env=cdk.Environment(account="333333333333", region=REGION))
    stack = cdk.Stack(app, "TestStack", env=ENV)
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, accepter_vpc=import_vpc(other))
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:accepterVpcElsewhere"
    assert "Other/Accepter is in account 333333333333" in problem.message


def test_rejects_a_further_accepter_vpc_of_another_region() -> None:
    app = new_app()
    away = cdk.Stack(app, "Away", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"))
    stack = cdk.Stack(app, "TestStack", env=ENV)
    with pytest.raises(ValidationError) as raised:
        accepter_role(stack, more_accepter_vpcs=[import_vpc(away, "Far")])
    [problem] = raised.value.problems
    assert problem.rule == "cdk_peering:accepterVpcElsewhere"
    assert "Away/Far is in region eu-west-1" in problem.message


def test_reports_every_problem_and_adds_nothing(stack: cdk.Stack) -> None:
    vpc = import_vpc(stack)
    children = len(stack.node.children)
    with pytest.raises(ValidationError) as raised:
        accepter_role(
            stack,
            accepter_vpc=vpc,
            requester_account="123",
            requester_vpc_id="vpc-x",
            requester_region="nowhere",
        )
    assert [p.rule for p in raised.value.problems] == [
        "cdk_peering:invalidAccount",
        "cdk_peering:invalidVpcId",
        "cdk_peering:invalidRegion",
    ]
    assert len(stack.node.children) == children
    assert stack.node.try_find_child("PeerRole") is None


# --- cdk-nag


@pytest.mark.parametrize("env", [ENV, None], ids=["env", "env-agnostic"])
@pytest.mark.parametrize("requester_vpc_id", [REQUESTER_VPC_ID, None], ids=["vpc", "account"])
def test_aws_solutions_reports_no_unacknowledged_finding(
    env: cdk.Environment | None, requester_vpc_id: str | None
) -> None:
    app = new_app(**STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    accepter_role(cdk.Stack(app, "Accepter", env=env), requester_vpc_id=requester_vpc_id)
    result = synth(app)
    assert result.error is None, result.error
    assert findings(result.report, CDK_NAG) == []
    assert findings(result.report, ANNOTATIONS) == []
    # cdk-nag ran and found the wildcard; the acknowledgement kept it, with its reason.
    [nag] = [r for r in result.report["pluginReports"] if r["pluginName"] == CDK_NAG]
    suppressed = [(v["ruleName"], v["reason"]) for v in nag.get("suppressedViolations", [])]
    assert len(suppressed) == 1
    assert suppressed[0][0].startswith("AwsSolutions-IAM5[Resource::arn:")
    assert suppressed[0][0].endswith(":vpc-peering-connection/*]")
    assert "connection id (pcx-...) does not exist" in suppressed[0][1]


def test_a_wildcard_statement_added_by_hand_is_reported_by_cdk_nag() -> None:
    # The acknowledgement covers the statement the construct wrote, in the role's own
    # resource; a statement the user adds later (a separate AWS::IAM::Policy) is checked.
    app = new_app(**STRICT_VALIDATION)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    role = accepter_role(cdk.Stack(app, "Accepter", env=ENV))
    role.role.add_to_policy(
        iam.PolicyStatement(actions=["ec2:DeleteVpcPeeringConnection"], resources=[PEERINGS_ARN])
    )
    result = synth(app)
    assert result.error is not None
    [finding] = findings(result.report, CDK_NAG)
    assert finding.startswith(f"ERROR AwsSolutions-IAM5[Resource::{PEERINGS_ARN}]")
    assert finding.endswith("at Accepter/PeerRole/Resource/DefaultPolicy/Resource")
