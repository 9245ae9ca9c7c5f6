"""The code blocks of README.md and docs/*.md, and the fixtures their Python blocks run in.

Like aws-cdk's rosetta fixtures: a Python block may use names it does not define (a
stack, some VPCs), and the fixture it runs in defines them. An HTML comment on the line
right before the block's fence names the fixture, ``<!-- fixture: teams -->``; a
block without one runs in ``default``; ``none`` is an empty namespace, for a block that
is a whole program (the README's smallest example is one, and runs as a ``cdk synth`` app).

Every fixture but ``none`` defines ``app``, a fresh App that sees cdk.json's flags and the
committed availability zones (as ``cdk synth`` would), the modules blocks use as ``cdk``,
``ec2`` and ``iam``, every public name of ``cdk_peering``, and the stacks and VPCs its
docstring names. VPCs have two zones, public and isolated subnets, and no NAT gateway.
Nothing is synthesized unless a block asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

import cdk_peering
from tests.conftest import ENV, ROOT, new_app
from tests.helpers import OTHER_ACCOUNT, OTHER_REGION, make_vpc

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
"""Every file whose Python blocks must run."""

DEFAULT_FIXTURE = "default"
_FENCE = re.compile(r"^(`{3,})([^`\s]*)\s*$")
_FIXTURE_COMMENT = re.compile(r"^<!--\s*fixture:\s*(\S+)\s*-->$")


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block: where it is, its language, its fixture and its text."""

    path: Path
    line: int
    """The line of the block's first line of code (1-based)."""
    language: str
    fixture: str
    code: str

    @property
    def where(self) -> str:
        """``README.md:42``: the file, relative to the checkout, and the first code line."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def code_blocks(path: Path, language: str | None = None) -> list[CodeBlock]:
    """Return the fenced blocks of a Markdown file, of one language or all of them."""
    blocks: list[CodeBlock] = []
    lines = path.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence = opening.group(1)  # a block closes with a fence at least as long
        end = next(
            (
                i
                for i in range(index + 1, len(lines))
                if lines[i].strip().startswith(fence) and set(lines[i].strip()) == {"`"}
            ),
            len(lines),
        )
        comment = _FIXTURE_COMMENT.match(lines[index - 1].strip()) if index else None
        blocks.append(
            CodeBlock(
                path=path,
                line=index + 2,
                language=opening.group(2),
                fixture=comment.group(1) if comment else DEFAULT_FIXTURE,
                code="\n".join(lines[index + 1 : end]) + "\n",
            )
        )
        index = end + 1
    return [block for block in blocks if language is None or block.language == language]


def python_blocks() -> list[CodeBlock]:
    """Every Python block of README.md and docs/*.md."""
    return [block for path in DOCS for block in code_blocks(path, "python")]


def smallest_example() -> CodeBlock:
    """The README's first Python block: the smallest app, a whole program."""
    block = code_blocks(README, "python")[0]
    assert block.fixture == "none", f"{block.where}: the smallest example must be a whole app"
    return block


def readme_cdk_json() -> CodeBlock:
    """The README's cdk.json for a user's app: its first JSON block naming an ``app``."""
    return next(block for block in code_blocks(README, "json") if '"app"' in block.code)


# --- fixtures ---------------------------------------------------------------------------

Namespace = dict[str, Any]
FIXTURES: dict[str, Callable[[], Namespace]] = {}
"""Each fixture by name: a function that builds a fresh namespace."""


def _fixture(name: str) -> Callable[[Callable[[], Namespace]], Callable[[], Namespace]]:
    def register(build: Callable[[], Namespace]) -> Callable[[], Namespace]:
        FIXTURES[name] = build
        return build

    return register


def _namespace(app: cdk.App, **names: Any) -> Namespace:
    """What every fixture defines (the modules, cdk_peering's public names, ``app``), and
    ``names``."""
    modules = {"cdk": cdk, "ec2": ec2, "iam": iam, "Construct": Construct}
    public = {name: getattr(cdk_peering, name) for name in cdk_peering.__all__}
    return {**modules, **public, "app": app, **names}


def _vpcs(stack: cdk.Stack, **cidrs: str) -> Namespace:
    """VPCs by name: ``app_vpc="10.1.0.0/16"`` defines ``app_vpc``, the Vpc ``App``."""
    return {
        name: make_vpc(stack, name.removesuffix("_vpc").title().replace("_", ""), cidr)
        for name, cidr in cidrs.items()
    }


@_fixture("none")
def _none() -> Namespace:
    """Nothing: the block is a whole program."""
    return {}


@_fixture("default")
def _default() -> Namespace:
    """``stack`` (Network, 111111111111 us-east-1) holding ``shared`` (10.0.0.0/16),
    ``app_vpc`` (10.1.0.0/16) and ``data_vpc`` (10.2.0.0/16)."""
    app = new_app()
    stack = cdk.Stack(app, "Network", env=ENV)
    vpcs = _vpcs(stack, shared="10.0.0.0/16", app_vpc="10.1.0.0/16", data_vpc="10.2.0.0/16")
    return _namespace(app, stack=stack, **vpcs)


@_fixture("regions-and-accounts")
def _regions_and_accounts() -> Namespace:
    """``home`` (111111111111 us-east-1) holding ``shared`` (10.0.0.0/16) and ``app_vpc``
    (10.1.0.0/16); ``europe_stack`` (111111111111 eu-west-1) holding ``europe``
    (10.10.0.0/16); ``partner_stack`` (222222222222 us-east-1) holding ``partner_vpc``
    (10.20.0.0/16)."""
    app = new_app()
    home = cdk.Stack(app, "Home", env=ENV)
    europe_stack = cdk.Stack(app, "EuropeNetwork", env=OTHER_REGION)
    partner_stack = cdk.Stack(app, "PartnerNetwork", env=OTHER_ACCOUNT)
    return _namespace(
        app,
        home=home,
        europe_stack=europe_stack,
        partner_stack=partner_stack,
        **_vpcs(home, shared="10.0.0.0/16", app_vpc="10.1.0.0/16"),
        **_vpcs(europe_stack, europe="10.10.0.0/16"),
        **_vpcs(partner_stack, partner_vpc="10.20.0.0/16"),
    )


@_fixture("privatelink")
def _privatelink() -> Namespace:
    """``regions-and-accounts``, with ``consumer_stack`` (the same as ``home``),
    ``provider_stack`` (ServiceProvider, 111111111111 us-east-1) holding ``provider_vpc``
    (10.30.0.0/16), and the peerings ``app_to_shared`` and ``shared_to_europe``."""
    namespace = _regions_and_accounts()
    home, shared = namespace["home"], namespace["shared"]
    provider_stack = cdk.Stack(namespace["app"], "ServiceProvider", env=ENV)
    return {
        **namespace,
        **_vpcs(provider_stack, provider_vpc="10.30.0.0/16"),
        "consumer_stack": home,
        "provider_stack": provider_stack,
        "app_to_shared": cdk_peering.VpcPeering(
            home, "AppToShared", requester_vpc=namespace["app_vpc"], accepter_vpc=shared
        ),
        "shared_to_europe": cdk_peering.VpcPeering(
            home, "SharedToEurope", requester_vpc=shared, accepter_vpc=namespace["europe"]
        ),
    }


@_fixture("teams")
def _teams() -> Namespace:
    """``stack`` (Teams, 111111111111 us-east-1) holding ``team_a``, ``team_b``, ``team_c``
    (10.30.0.0/16 to 10.32.0.0/16) and ``tools`` (10.40.0.0/16)."""
    app = new_app()
    stack = cdk.Stack(app, "Teams", env=ENV)
    teams = {f"team_{name}": f"10.{30 + i}.0.0/16" for i, name in enumerate("abc")}
    return _namespace(app, stack=stack, **_vpcs(stack, **teams, tools="10.40.0.0/16"))
