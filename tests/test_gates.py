"""Release gates over the example app (app.py): strict CDK validation, cdk-nag, cfn-lint.

The app is synthesized once per module, the way ``cdk synth`` sees it (cdk.json's flags and
the committed context, via ``new_app``), with two validation plugins registered on the App:

* CDK's built-in CloudFormation validation, strict: ``validateAgainstDefaultRules`` keeps its
  errors errors and ``strictCfnValidateErrors`` fails synth on warnings too, from every plugin,
  including the "Construct Annotations" report (cdk.json turns on
  ``annotationsInValidationReport``), so a warning from cdk_peering's own rules fails as well;
* cdk-nag 3's ``AwsSolutionsChecks``.

Forcing the built-in validation on: the suite runs with CDK_VALIDATION=false, and aws-cdk-lib
reads that variable in its Node.js process (``process.env``), which starts when conftest
imports aws_cdk, so setting ``os.environ`` here is too late; and the default plugin runs only
if ``App(builtin_cloud_formation_validation=...)`` *and* the variable allow it. A
``CloudFormationValidatePlugin`` registered with ``Validations.of(app).add_plugins()`` always
runs (it replaces the default instance, with the default rules). The sentinel tests below
prove that, and that cdk-nag runs, with the same set-up as the gate.

Acknowledging a finding: ``cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(
id=..., reason=...))`` in app.py. For cdk-nag either its own id (``AwsSolutions-VPC7``:
cdk-nag drops the finding itself, so it leaves no trace in validation-report.json) or the
CDK's qualified id (``AwsSolutions::AwsSolutions-VPC7``: the CDK moves it to the report's
``suppressedViolations`` with the reason) works; the CDK's own rules need the qualified id
(``CloudFormation-Validate::W3010``), construct warnings their rule id.

Finally every template in the cloud assembly is linted with cfn-lint in its stack's region.
"""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from cdk_nag import AwsSolutionsChecks
from cfnlint.config import ConfigMixIn  # type: ignore[import-untyped]
from cfnlint.decode.decode import decode_str  # type: ignore[import-untyped]
from cfnlint.runner import Runner  # type: ignore[import-untyped]
from constructs import Construct

import app as example
from tests.conftest import ENV, ROOT, new_app

# One synth, one validation engine and one checkov run per worker that runs these tests
# (session fixtures: `make test`'s `--dist worksteal` keeps a file's tests together unless
# the other worker runs out of its own).

STRICT_VALIDATION: dict[str, Any] = {
    # Errors from the CDK's CloudFormation rules stay errors (else they become warnings).
    "@aws-cdk/core:validateAgainstDefaultRules": True,
    # Any warning, from any validation plugin, fails synth.
    "@aws-cdk/core:strictCfnValidateErrors": True,
    # Fail synth by raising, with the whole report in the message, whatever the test runner.
    "@aws-cdk/core:appMode": "inmemory",
}

CFN_VALIDATE = "CloudFormation Validate"
CDK_NAG = "AwsSolutions"
ANNOTATIONS = "Construct Annotations"


class LintIgnore(NamedTuple):
    """A cfn-lint rule ignored where it matches resources of one kind, and why."""

    reason: str
    resource_type: str | None = None
    logical_id_prefixes: tuple[str, ...] = ("",)


# Every cfn-lint finding the gate accepts. An entry that no longer matches anything fails
# test_cfn_lint_ignores_are_all_used, so this list cannot go stale.
CFN_LINT_IGNORES: dict[str, LintIgnore] = {
    "W3010": LintIgnore(
        reason=(
            "Hard-coded availability zones: ec2.Vpc writes the zones of the stack's "
            "environment, committed in cdk.context.json, into its subnets. That is how CDK "
            "pins zones; cfn-lint skips W3010 itself on `cdk synth` output (which carries "
            "AWS::CDK::Metadata), and the CDK's own validation acknowledges it for ec2.Vpc."
        ),
        resource_type="AWS::EC2::Subnet",
    ),
    "W3005": LintIgnore(
        reason=(
            "Redundant DependsOn written by aws-cdk-lib: its own custom-resource provider for "
            "the @aws-cdk/aws-ec2:restrictDefaultSecurityGroup feature flag, and the "
            "lambda.Function L2 of cdk_peering's deploy-time handlers (CdkPeeringHandler, "
            "CdkPeeringHandler1 to 7, behind connection options, accepter-side tags, "
            "endpoint acceptances and zone associations): each function both DependsOn its "
            "role and Fn::GetAtt's it. Harmless; neither the app nor cdk_peering writes the "
            "DependsOn."
        ),
        resource_type="AWS::Lambda::Function",
        logical_id_prefixes=(
            "CustomVpcRestrictDefaultSGCustomResourceProvider",
            "CdkPeeringHandler",
        ),
    ),
}


class LintMatch(NamedTuple):
    """One cfn-lint match, located by resource."""

    rule_id: str
    logical_id: str
    resource_type: str
    message: str

    def ignored(self) -> bool:
        """Whether CFN_LINT_IGNORES accepts this match."""
        ignore = CFN_LINT_IGNORES.get(self.rule_id)
        return (
            ignore is not None
            and ignore.resource_type in (None, self.resource_type)
            and self.logical_id.startswith(ignore.logical_id_prefixes)
        )


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the cloud assembly: its template and region."""

    name: str
    region: str
    template: dict[str, Any]


@dataclass(frozen=True)
class Synthesis:
    """What one strict synth produced: the error it raised, the report and the templates."""

    error: str | None
    report: dict[str, Any] = field(repr=False)
    stacks: list[StackTemplate] = field(repr=False)
    outdir: Path


def strict_app() -> cdk.App:
    """An App as `cdk synth` sees it, with strict validation."""
    return new_app(**STRICT_VALIDATION)


def add_gate_plugins(app: cdk.App, cfn_validate: cdk.CloudFormationValidatePlugin) -> None:
    """Register the gate's plugins: the CDK's CloudFormation rules and cdk-nag's AwsSolutions."""
    cdk.Validations.of(app).add_plugins(cfn_validate, AwsSolutionsChecks(app))


def synth(app: cdk.App) -> Synthesis:
    """Synthesize ``app``; return the error (if validation failed it), report and templates."""
    outdir = Path(app.outdir)
    try:
        app.synth()
        error = None
    except RuntimeError as exc:  # jsii raises the JavaScript ValidationError as RuntimeError
        error = str(exc)
    report_file = outdir / "validation-report.json"
    report: dict[str, Any] = json.loads(report_file.read_text()) if report_file.exists() else {}
    stacks: list[StackTemplate] = []
    if (outdir / "manifest.json").exists():  # else synth failed before writing the assembly
        stacks = [
            StackTemplate(
                name=artifact.hierarchical_id,
                region=artifact.environment.region,
                template=json.loads(Path(artifact.template_full_path).read_text()),
            )
            for artifact in cdk.cx_api.CloudAssembly(str(outdir)).stacks_recursively
        ]
    return Synthesis(error=error, report=report, stacks=stacks, outdir=outdir)


def findings(report: dict[str, Any], plugin: str) -> list[str]:
    """One line per unacknowledged finding of ``plugin`` in a validation report."""
    lines: list[str] = []
    for plugin_report in report.get("pluginReports", []):
        if plugin_report["pluginName"] != plugin:
            continue
        if plugin_report.get("conclusion") == "failure" and not plugin_report["violations"]:
            lines.append(f"{plugin} failed: {plugin_report.get('metadata')}")
        for violation in plugin_report["violations"]:
            paths = ", ".join(c["constructPath"] for c in violation["violatingConstructs"])
            lines.append(
                f"{violation['severity'].upper()} {violation['ruleName']}: "
                f"{violation['description']} at {paths or '(no construct)'}"
            )
    return lines


@functools.cache
def _lint_runner(region: str) -> Any:
    """One cfn-lint runner per region: loading its rules costs more than most templates."""
    return Runner(ConfigMixIn(regions=[region]))


def lint_template(stack: StackTemplate) -> list[LintMatch]:
    """Every cfn-lint match in ``stack``'s template, linted for the stack's region.

    The same matches as ``cfnlint.api.lint(text, config=ManualArgs(regions=[region]))``,
    which loads every rule again for each template.
    """
    resources: dict[str, Any] = stack.template.get("Resources", {})
    found: list[LintMatch] = []
    template, errors = decode_str(json.dumps(stack.template))
    matches = errors or _lint_runner(stack.region).validate_template(template)
    for match in matches:
        path: list[Any] = list(getattr(match, "path", []))
        logical_id = str(path[1]) if len(path) > 1 and path[0] == "Resources" else ""
        resource_type = str(resources.get(logical_id, {}).get("Type", ""))
        found.append(LintMatch(str(match.rule.id), logical_id, resource_type, str(match.message)))
    return found


@pytest.fixture(scope="session")  # xdist may interleave modules: build once
def cfn_validate() -> cdk.CloudFormationValidatePlugin:
    """One CloudFormation validation engine for the module (it takes seconds to start)."""
    return cdk.CloudFormationValidatePlugin()


@pytest.fixture(scope="session")  # xdist may interleave modules: build once
def gate(cfn_validate: cdk.CloudFormationValidatePlugin) -> Synthesis:
    """The example app, synthesized once with the gate's plugins."""
    app = strict_app()
    add_gate_plugins(app, cfn_validate)
    example.build(app)
    return synth(app)


@pytest.fixture(scope="session")
def checkov_run(gate: Synthesis) -> Iterator[subprocess.Popen[str]]:
    """checkov over the gate's cloud assembly, started early: it runs while cfn-lint does."""
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make env`"
    with subprocess.Popen(
        [
            *(str(CHECKOV), "-d", str(gate.outdir), "--framework", "cloudformation"),
            *("--output", "json", "--skip-download"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        yield process
        if process.poll() is None:
            process.kill()


@pytest.fixture(scope="session")  # xdist may interleave modules: build once
def lint_matches(gate: Synthesis) -> dict[str, list[LintMatch]]:
    """cfn-lint's matches per stack, each template linted once."""
    assert gate.stacks, "the cloud assembly holds no stacks"
    return {stack.name: lint_template(stack) for stack in gate.stacks}


def test_example_app_passes_strict_synth(
    gate: Synthesis, checkov_run: subprocess.Popen[str]
) -> None:
    # checkov_run: the first test starts checkov, so it runs alongside the tests below.
    if gate.error is not None:
        pytest.fail(gate.error, pytrace=False)


@pytest.mark.parametrize("plugin", [CFN_VALIDATE, CDK_NAG, ANNOTATIONS])
def test_validation_report_has_no_unacknowledged_findings(gate: Synthesis, plugin: str) -> None:
    assert gate.report, "synth wrote no validation-report.json"
    assert findings(gate.report, plugin) == []


def test_stacks_have_concrete_regions(gate: Synthesis) -> None:
    unresolved = [s.name for s in gate.stacks if s.region.startswith("unknown")]
    assert unresolved == [], "cfn-lint needs each stack's region"


def test_every_template_the_app_writes_is_gated(
    lint_matches: dict[str, list[LintMatch]],
) -> None:
    # The library's accepter, acceptance, zone association and mesh stacks included: they
    # are written for the VPCs' and services' accounts and regions and must pass the same
    # checks. PeeringExample's endpoint is accepted from a stack of the service's owner,
    # not from PeeringExample itself (the same account and Region).
    assert sorted(lint_matches) == [
        "EuropeNetwork",
        "EuropeNetwork-EndpointAcceptance-111111111111-us-east-1",
        "PartnerNetwork",
        "PeeringExample",
        "PeeringExample-EndpointAcceptance-111111111111-us-east-1",
        "PeeringExample-PeeringAccepter-111111111111-eu-west-1",
        "PeeringExample-PeeringAccepter-222222222222-us-east-1",
        "PeeringExample-ZoneAssociation-222222222222-us-east-1",
        "ServiceProvider",
        "Teams",
        "Teams/Mesh/TeamARequests",  # display names: the mesh's stacks are its children
        "Teams/Mesh/TeamBAccepts",
        "Teams/Mesh/TeamBRequests",
        "Teams/Mesh/TeamCAccepts",
    ]


def test_cfn_lint_finds_nothing(lint_matches: dict[str, list[LintMatch]]) -> None:
    problems = [
        f"{stack}: {m.rule_id} {m.logical_id} ({m.resource_type}) {m.message}"
        for stack, matches in lint_matches.items()
        for m in matches
        if not m.ignored()
    ]
    assert problems == []


def test_cfn_lint_ignores_are_all_used(lint_matches: dict[str, list[LintMatch]]) -> None:
    matches = [m for found in lint_matches.values() for m in found if m.ignored()]
    unused = [
        (rule_id, prefix)
        for rule_id, ignore in CFN_LINT_IGNORES.items()
        for prefix in ignore.logical_id_prefixes
        if not any(m.rule_id == rule_id and m.logical_id.startswith(prefix) for m in matches)
    ]
    assert unused == [], "remove ignores that match nothing"


# --- checkov, run once over every template the app writes ------------------------------

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"


class CheckovExplanation(NamedTuple):
    """A checkov check the gate accepts on resources of the app's own making, and why."""

    reason: str
    logical_id_parts: tuple[str, ...]


# checkov findings on resources the example app (not cdk_peering) makes. The library
# explains the findings on its own resources in their Metadata (checkov: skip), where any
# user's checkov run sees them. An entry that matches nothing fails
# test_checkov_explanations_are_all_used.
CHECKOV_EXPLAINED: dict[str, CheckovExplanation] = {
    "CKV_AWS_158": CheckovExplanation(
        reason=(
            "The example's VPC flow-log groups use CloudWatch Logs' default encryption at "
            "rest; a customer-managed KMS key per VPC is a cost the example leaves to its "
            "users."
        ),
        logical_id_parts=("FlowLogLogGroup",),
    ),
    **{
        check: CheckovExplanation(
            reason=(
                "aws-cdk-lib's own custom-resource provider behind the "
                "@aws-cdk/aws-ec2:restrictDefaultSecurityGroup feature flag (it empties each "
                "VPC's default security group during deployment): no DLQ, VPC or reserved "
                "concurrency is meaningful for a deploy-time handler."
            ),
            logical_id_parts=("CustomVpcRestrictDefaultSGCustomResourceProvider",),
        )
        for check in ("CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117")
    },
}


class CheckovResult(NamedTuple):
    """One checkov result: check, resource type and logical id, and skip comment."""

    check_id: str
    resource_type: str
    logical_id: str
    comment: str

    def explained(self) -> bool:
        """Whether CHECKOV_EXPLAINED accepts this failed check."""
        explanation = CHECKOV_EXPLAINED.get(self.check_id)
        return explanation is not None and any(
            part in self.logical_id for part in explanation.logical_id_parts
        )


@pytest.fixture(scope="session")  # xdist may interleave modules: build once
def checkov_results(checkov_run: subprocess.Popen[str]) -> dict[str, list[CheckovResult]]:
    """checkov's passed, failed and skipped checks over the gate's cloud assembly."""
    stdout, stderr = checkov_run.communicate(timeout=300)
    assert checkov_run.returncode in (0, 1), stderr[-2000:]  # 1: some check failed
    report: Any = json.loads(stdout)
    reports: list[Any] = report if isinstance(report, list) else [report]
    results: dict[str, list[CheckovResult]] = {"passed": [], "failed": [], "skipped": []}
    for entry in reports:
        for outcome in results:
            for check in entry["results"][f"{outcome}_checks"]:
                resource_type, _, logical_id = str(check["resource"]).partition(".")
                results[outcome].append(
                    CheckovResult(
                        check["check_id"],
                        resource_type,
                        logical_id,
                        str(check["check_result"].get("suppress_comment") or ""),
                    )
                )
    return results


def test_checkov_leaves_no_failed_check_unexplained(
    checkov_results: dict[str, list[CheckovResult]],
) -> None:
    assert checkov_results["passed"], "checkov checked nothing"
    unexplained = [r for r in checkov_results["failed"] if not r.explained()]
    assert unexplained == []


def test_checkov_skips_carry_written_reasons(
    checkov_results: dict[str, list[CheckovResult]],
) -> None:
    assert [r for r in checkov_results["skipped"] if len(r.comment) < 20] == []


def test_checkov_explanations_are_all_used(
    checkov_results: dict[str, list[CheckovResult]],
) -> None:
    unused = [
        (check_id, part)
        for check_id, explanation in CHECKOV_EXPLAINED.items()
        for part in explanation.logical_id_parts
        if not any(
            r.check_id == check_id and part in r.logical_id for r in checkov_results["failed"]
        )
    ]
    assert unused == [], "remove explanations that match nothing"


def test_endpoint_services_require_acceptance(
    gate: Synthesis, checkov_results: dict[str, list[CheckovResult]]
) -> None:
    # CKV_AWS_123 must pass for every endpoint service the app defines.
    services = {
        logical_id
        for stack in gate.stacks
        for logical_id, resource in stack.template.get("Resources", {}).items()
        if resource["Type"] == "AWS::EC2::VPCEndpointService"
    }
    passed = {r.logical_id for r in checkov_results["passed"] if r.check_id == "CKV_AWS_123"}
    assert services <= passed
    assert [r for r in checkov_results["failed"] if r.check_id == "CKV_AWS_123"] == []


# --- Sentinels: the same set-up rejects what it should, so the gate cannot pass vacuously.


def _invalid_property(stack: cdk.Stack) -> None:
    route = ec2.CfnRoute(
        stack,
        "Route",
        route_table_id="rtb-12345678",
        destination_cidr_block="10.0.0.0/16",
        vpc_peering_connection_id="pcx-12345678",
    )
    route.add_property_override("NotAProperty", True)


def _hard_coded_zone(stack: cdk.Stack) -> None:
    ec2.CfnSubnet(
        stack,
        "Subnet",
        vpc_id="vpc-12345678",
        cidr_block="10.0.0.0/24",
        availability_zone="us-east-1a",
    )


def _vpc_without_flow_logs(stack: cdk.Stack) -> Construct:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)


def _construct_warning(stack: cdk.Stack) -> None:
    peering = ec2.CfnVPCPeeringConnection(
        stack, "Peering", vpc_id="vpc-12345678", peer_vpc_id="vpc-87654321"
    )
    cdk.Annotations.of(peering).add_warning_v2("Sentinel:Rule", "warned")


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        # An error of the CDK's CloudFormation rules (schema: unknown property).
        (_invalid_property, "CloudFormation-Validate::F3002"),
        # A warning of the CDK's CloudFormation rules fails too: strict mode is on.
        (_hard_coded_zone, "CloudFormation-Validate::W3010"),
        # cdk-nag runs inside synth.
        (_vpc_without_flow_logs, "AwsSolutions::AwsSolutions-VPC7"),
        # A construct warning (as cdk_peering's rules emit) fails synth.
        (_construct_warning, "Annotation::Sentinel:Rule"),
    ],
    ids=["cfn-error", "cfn-warning", "cdk-nag", "construct-warning"],
)
def test_gate_setup_rejects_a_bad_app(
    cfn_validate: cdk.CloudFormationValidatePlugin,
    build: Callable[[cdk.Stack], object],
    expected: str,
) -> None:
    app = strict_app()
    add_gate_plugins(app, cfn_validate)
    build(cdk.Stack(app, "Sentinel", env=ENV))
    result = synth(app)
    assert result.error is not None, "validation did not run"
    assert f"Acknowledge with '{expected}'" in result.error, result.error


@pytest.mark.parametrize("rule_id", ["AwsSolutions-VPC7", "AwsSolutions::AwsSolutions-VPC7"])
def test_acknowledgement_accepts_a_cdk_nag_finding(
    cfn_validate: cdk.CloudFormationValidatePlugin, rule_id: str
) -> None:
    app = strict_app()
    add_gate_plugins(app, cfn_validate)
    vpc = _vpc_without_flow_logs(cdk.Stack(app, "Sentinel", env=ENV))
    cdk.Validations.of(vpc).acknowledge(cdk.Acknowledgment(id=rule_id, reason="sentinel"))
    error = synth(app).error
    if error is not None:
        pytest.fail(error, pytrace=False)


def test_cfn_lint_flags_a_bad_template() -> None:
    bad = StackTemplate(
        name="Sentinel",
        region="us-east-1",
        template={
            "Resources": {
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"NotAProperty": True}},
            }
        },
    )
    assert "E3002" in {m.rule_id for m in lint_template(bad)}
