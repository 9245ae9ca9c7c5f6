"""Every Python block of README.md and docs/*.md runs, in the fixture it names.

A failing block fails with its file and line; tracebacks point into the Markdown file.
See tests/doc_fixtures.py for the fixtures and how a block names one.
"""

from __future__ import annotations

import ast
import functools
import json
import traceback
from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest

from tests.conftest import ROOT
from tests.doc_fixtures import (
    DOCS,
    FIXTURES,
    CodeBlock,
    Namespace,
    code_blocks,
    python_blocks,
    readme_cdk_json,
    smallest_example,
)

BLOCKS = python_blocks()


@functools.cache
def run(block: CodeBlock) -> Namespace:
    """Run a block in a fresh namespace of its fixture; return the namespace."""
    if block.fixture not in FIXTURES:
        pytest.fail(
            f"{block.where}: no fixture {block.fixture!r} (known: {', '.join(sorted(FIXTURES))})",
            pytrace=False,
        )
    namespace = FIXTURES[block.fixture]()
    # Padded so that tracebacks name the Markdown file's own line numbers.
    code = compile("\n" * (block.line - 1) + block.code, str(block.path), "exec")
    try:
        exec(code, namespace)
    except Exception:
        pytest.fail(
            f"{block.where}: the block fails (fixture {block.fixture!r}):\n"
            + traceback.format_exc(),
            pytrace=False,
        )
    return namespace


def test_every_python_block_is_found() -> None:
    """A block the extractor missed (indented, in a list item) would never run."""
    assert len(DOCS) > 1, "docs/*.md not found"
    fences = []
    for path in DOCS:
        inside = {  # lines of blocks, where a fence is only text (an example of one)
            block.line + offset
            for block in code_blocks(path)
            for offset in range(block.code.count("\n"))
        }
        fences += [
            f"{path.relative_to(ROOT)}:{number}"
            for number, line in enumerate(path.read_text().splitlines(), start=1)
            if line.strip() == "```python" and number not in inside
        ]
    assert fences == [f"{block.path.relative_to(ROOT)}:{block.line - 1}" for block in BLOCKS]
    assert Counter(block.path.name for block in BLOCKS)["README.md"] >= 1


@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_python_block_runs(block: CodeBlock) -> None:
    run(block)


def test_blocks_are_real_code() -> None:
    """No `...` standing for an argument or a body, and no signature written as code."""
    placeholders = [
        f"{block.where} (+{node.lineno - 1} lines)"
        for block in BLOCKS
        for node in ast.walk(ast.parse(block.code))
        if isinstance(node, ast.Constant) and node.value is Ellipsis
    ]
    assert placeholders == []


def test_every_fixture_is_used() -> None:
    assert set(FIXTURES) - {block.fixture for block in BLOCKS} == set()


def test_json_blocks_parse() -> None:
    for path in DOCS:
        for block in code_blocks(path, "json"):
            try:
                json.loads(block.code)
            except json.JSONDecodeError as error:
                pytest.fail(f"{block.where}: not JSON: {error}", pytrace=False)


def _template(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> dict[str, Any]:
    template: dict[str, Any] = assembly.get_stack_by_name(stack_name).template
    return template


def test_smallest_example_synthesizes_a_peering_and_its_routes() -> None:
    """The README's first block is a whole app: one connection, a route per table and
    destination on both sides, and nothing that costs money by the hour."""
    app = run(smallest_example())["app"]
    assert isinstance(app, cdk.App)
    assembly = app.synth()
    [stack] = assembly.stacks
    resources = _template(assembly, stack.stack_name)["Resources"].values()
    types = Counter(resource["Type"] for resource in resources)
    assert types["AWS::EC2::VPCPeeringConnection"] == 1
    # Two VPCs of two isolated subnets each: one route table per subnet, one route each.
    assert types["AWS::EC2::RouteTable"] == 4
    assert types["AWS::EC2::Route"] == 4
    assert types["AWS::EC2::NatGateway"] == types["AWS::EC2::EIP"] == 0
    assert [message.entry.data for message in stack.messages] == []


def test_readme_cdk_json_is_this_repositorys_own() -> None:
    """The flag the README recommends, with the value this repository's apps run with."""
    context = json.loads(readme_cdk_json().code)["context"]
    assert context["@aws-cdk/core:defaultCrossStackReferences"] == "weak"
    repo_context = json.loads((ROOT / "cdk.json").read_text())["context"]
    assert {key: repo_context.get(key) for key in context} == context, (
        "the README recommends flags this repository's own cdk.json does not set"
    )
