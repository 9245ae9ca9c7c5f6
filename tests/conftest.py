"""Shared test fixtures: Apps that see cdk.json's context, and deterministic snapshots."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

ROOT = Path(__file__).resolve().parent.parent
CDK_JSON_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
COMMITTED_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.context.json").read_text())
ACCOUNT = "111111111111"
REGION = "us-east-1"
ENV = cdk.Environment(account=ACCOUNT, region=REGION)
AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]

AppFactory = Callable[..., cdk.App]


STRONG_REFERENCES = {"@aws-cdk/core:defaultCrossStackReferences": "strong"}
"""Context of an app that keeps aws-cdk-lib's default: strong cross-stack references."""


def new_app(**context: Any) -> cdk.App:
    """An App with cdk.json's feature flags and the committed context, as `cdk synth` sees."""
    return cdk.App(context={**CDK_JSON_CONTEXT, **COMMITTED_CONTEXT, **context})


@pytest.fixture
def make_app() -> AppFactory:
    return new_app


@pytest.fixture
def stack() -> cdk.Stack:
    """A stack in the placeholder environment, in an App that loads cdk.json."""
    return cdk.Stack(new_app(), "TestStack", env=ENV)


ExampleApp = tuple[list[cdk.Stack], cdk.cx_api.CloudAssembly]


@pytest.fixture(scope="session")
def example_app() -> ExampleApp:
    """The example app (app.py), built and synthesized once: its stacks (as its build
    returns them) and its cloud assembly. Shared by every test of it: read it, never add
    to it."""
    import app as example

    app = new_app()
    stacks = example.build(app)
    return stacks, app.synth()


_ASSET_HASH = re.compile(r"[0-9a-f]{64}")


def normalise(template: Mapping[str, Any]) -> dict[str, Any]:
    """Drop what changes with aws-cdk-lib versions (asset hashes, the bootstrap check) and
    the library's inline handler code (tested on its own, tests/test_handler.py)."""
    from cdk_peering.cdk.provider import handler_source

    text = json.dumps(template).replace(json.dumps(handler_source())[1:-1], "HANDLER_SOURCE")
    result: dict[str, Any] = json.loads(_ASSET_HASH.sub("ASSET_HASH", text))
    result.get("Parameters", {}).pop("BootstrapVersion", None)
    result.get("Rules", {}).pop("CheckBootstrapVersion", None)
    for section in ("Parameters", "Rules"):
        if section in result and not result[section]:
            del result[section]
    return result


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


# Modules whose fixtures cost seconds (a strict synth, cfn-lint and checkov; an app made in
# moto; the docs' blocks; the wheel) run first. `make test`'s `--dist worksteal` gives the
# first half of the tests to one worker and lets the other take the tail of its queue:
# with these in front, what is taken is the quick tests, and no worker builds these
# fixtures a second time.
FIXTURES_FIRST = (
    "test_gates.py",
    "test_connectivity_live.py",
    "test_connectivity_live_drift.py",
    "test_docs.py",
    "test_package.py",
    "test_connectivity_live_agnostic.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return FIXTURES_FIRST.index(name) if name in FIXTURES_FIRST else len(FIXTURES_FIRST)

    items.sort(key=rank)  # stable: each module's own order is kept
