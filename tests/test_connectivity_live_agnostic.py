"""The live model of environment-agnostic stacks (boto3's default account and Region),
and what happens without credentials or without boto3 imported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_route53 as route53

from cdk_peering import ReachabilityIntent, VpcPeering
from cdk_peering.connectivity import Network, _live
from cdk_peering.connectivity.__main__ import main
from cdk_peering.connectivity.verify import verify
from tests.conftest import ROOT
from tests.connectivity_apps import new_app, vpc
from tests.live_network import DEFAULT_ACCOUNT, materialize, moto_aws


@pytest.fixture(scope="module")
def agnostic() -> str:
    app = new_app()
    stack = cdk.Stack(app, "Net")
    a = vpc(stack, "A", "10.0.0.0/16")
    b = vpc(stack, "B", "10.1.0.0/16", public=True)
    VpcPeering(stack, "AToB", requester_vpc=a, accepter_vpc=b)
    return str(app.synth().directory)


def test_environment_agnostic_stacks_are_read_in_the_default_account_and_region(
    agnostic: str,
) -> None:
    with moto_aws():
        done = materialize(agnostic)
        assert done.roles == {}
        result = verify(agnostic)
        assert result.drifts == []
        assert result.environments == [(DEFAULT_ACCOUNT, "us-east-1")]
        live = Network.from_deployment(agnostic)
        assert live.reachability("Net/A", "Net/B/IsolatedSubnet1").reachable
        plan = Network.from_assembly(agnostic)
        assert live.reachability("Net/B", "Net/A") == plan.reachability("Net/B", "Net/A")


def test_importing_the_model_does_not_import_boto3() -> None:
    code = (
        "import sys, cdk_peering.connectivity, cdk_peering.testing; "
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.stdout.strip() == "[]"


def test_no_credentials_at_all_is_one_line(
    agnostic: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An environment-agnostic app: its account is the caller's, which STS must tell.
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert main(["verify", agnostic]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"error: account unknown, Region us-east-1, sts:GetCallerIdentity: Unable to locate "
        r"credentials\n",
        err,
    ), err


def test_a_profile_that_does_not_exist_is_one_line(
    agnostic: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert main(["verify", agnostic]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: account unknown, Region unknown, configuration: The config profile (nope) "
        "could not be found\n"
    )


def test_route53_and_sts_are_asked_in_the_accounts_own_partition() -> None:
    # A stack in the China partition: Route 53 and STS answer there, not in us-east-1.
    app = new_app()
    stack = cdk.Stack(app, "Net", env=cdk.Environment(account=DEFAULT_ACCOUNT, region="cn-north-1"))
    a = vpc(stack, "A", "10.0.0.0/16")
    zone = route53.PrivateHostedZone(stack, "Zone", zone_name="svc.internal", vpc=a)
    route53.ARecord(
        stack,
        "Db",
        zone=zone,
        record_name="db",
        target=route53.RecordTarget.from_ip_addresses("10.0.0.10"),
    )
    ReachabilityIntent(stack, "AReachesDb", source="Net/A", destination="db.svc.internal")
    directory = str(app.synth().directory)
    regions: list[tuple[str, str]] = []

    def record(made: Any) -> None:
        regions.append((made.meta.service_model.service_name, made.meta.region_name))

    _live.client_listeners.append(record)
    try:
        with moto_aws():  # the default Region is us-east-1
            materialize(directory)
            result = verify(directory)
    finally:
        _live.client_listeners.remove(record)
    assert result.drifts == []
    assert [v.verdict for v in result.intents] == ["holds"]
    # botocore names Route 53's Region of the China partition aws-cn-global.
    assert {region for _, region in regions} == {"cn-north-1", "aws-cn-global"}
    assert {"route53", "sts", "ec2", "cloudformation"} <= {service for service, _ in regions}
