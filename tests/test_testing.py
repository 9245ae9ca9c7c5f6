"""cdk_peering.testing as a user's test sees it: a failure shows the answer, not our frames."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.connectivity_apps import write_assembly

TEMPLATE = {
    "Resources": {
        "A": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "SA": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "A"}, "CidrBlock": "10.0.0.0/24"},
        },
        "B": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.1.0.0/16"}},
        "SB": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "B"}, "CidrBlock": "10.1.0.0/24"},
        },
    }
}

USER_TEST = """
from cdk_peering.testing import assert_reachable


def test_a_reaches_b():
    assert_reachable({directory!r}, "Solo/SA", "Solo/SB")
"""


def test_a_failing_assertion_shows_the_answer_not_the_library(tmp_path: Path) -> None:
    directory = write_assembly(tmp_path / "cdk.out", {"Solo": TEMPLATE})
    test = tmp_path / "test_user.py"
    test.write_text(USER_TEST.format(directory=str(directory)))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "expected a path there and back, found none." in out
    assert "Solo/SA cannot reach Solo/SB" in out
    assert "reason: route table Solo/A (main route table) has no route to 10.1.0.0/24" in out
    # The user's own line is shown; the library's frames are hidden.
    assert 'assert_reachable("' in out or "assert_reachable(" in out
    assert "cdk_peering/testing.py" not in out
    assert "answer = _network(" not in out
